#!/bin/sh
# test-install.sh: `make install` into a temporary DESTDIR must write
# exactly the expected tree (built here from the sources, not from the
# install rules): the headers, the libraries and their links, latchkit.pc,
# the CMake package, a page per header and a link per verb named on it.
# Nothing may carry the DESTDIR. `make uninstall` must then remove all of
# it, with the folders install created, and keep what was there before.
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/latchkit-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
prefix=/usr
top=$root$prefix
fail() { echo "FAIL: $*"; exit 1; }

v() { sed -n "s/^#define LATCHKIT_VERSION_$1 \([0-9]*\)$/\1/p" primitives/version.h; }
major=$(v MAJOR) version=$(v MAJOR).$(v MINOR).$(v PATCH)
headers="primitives/*.h lockmgr/lockmgr.h"
# dlm/dlm.mk exports DLM_INSTALL=yes where liblatchkit-dlm is built.
dlm=${DLM_INSTALL:-no}
[ "$dlm" = yes ] && headers="$headers dlm/dlm.h"

# Someone else's page, there before: it and its folders must stay.
mkdir -p "$top/share/man/man3"
echo '.TH OTHER 3' >"$top/share/man/man3/other.3"

make --no-print-directory install DESTDIR="$root" PREFIX="$prefix" >"$tmp/install.log" ||
	{ cat "$tmp/install.log"; fail "make install"; }
echo "make install DESTDIR=<tmp> PREFIX=$prefix: $(grep '^install:' "$tmp/install.log")"

# The expected tree, relative to the prefix.
{
	for h in $headers; do echo "f 644 include/latchkit/${h##*/}"; done
	echo "f 644 lib/liblatchkit.a"
	echo "f 644 lib/liblatchkit.so.$version"
	echo "l lib/liblatchkit.so.$major -> liblatchkit.so.$version"
	echo "l lib/liblatchkit.so -> liblatchkit.so.$major"
	echo "f 644 lib/pkgconfig/latchkit.pc"
	if [ "$dlm" = yes ]; then
		echo "f 644 lib/liblatchkit-dlm.a"
		echo "f 644 lib/liblatchkit-dlm.so.$version"
		echo "l lib/liblatchkit-dlm.so.$major -> liblatchkit-dlm.so.$version"
		echo "l lib/liblatchkit-dlm.so -> liblatchkit-dlm.so.$major"
		echo "f 644 lib/pkgconfig/latchkit-dlm.pc"
	fi
	echo "f 644 lib/cmake/latchkit/latchkitConfig.cmake"
	echo "f 644 lib/cmake/latchkit/latchkitConfigVersion.cmake"
	echo "f 644 share/man/man3/latchkit.3"
	echo "f 644 share/man/man3/other.3"
	for h in $headers; do
		b=${h##*/}; b=latchkit-${b%.h}
		echo "f 644 share/man/man3/$b.3"
		[ -f "$top/share/man/man3/$b.3" ] || continue
		# the names before the NAME section's "\-"
		awk '/^\.SH NAME/ { f = 1; next } /^\.SH/ { f = 0 }
			f { s = s " " $0 } END { sub(/ \\- .*/, "", s); print s }' \
			"$top/share/man/man3/$b.3" | grep -o 'lk_[a-z0-9_]*' | sort -u |
			sed "s|.*|l share/man/man3/&.3 -> $b.3|"
	done
	for d in include include/latchkit lib lib/pkgconfig lib/cmake \
		lib/cmake/latchkit share share/man share/man/man3; do
		echo "d $d"
	done
} | sort >"$tmp/expected"
(cd "$top" && {
	find . -type f -printf 'f %m %P\n'
	find . -type l -printf 'l %P -> %l\n'
	find . -mindepth 1 -type d -printf 'd %P\n'
	find . ! -type f ! -type l ! -type d -printf '? %P\n'
}) | sort >"$tmp/actual"
if ! diff -u "$tmp/expected" "$tmp/actual"; then
	fail "the installed tree differs from the expected one (- expected, + installed)"
fi
echo "tree: $(wc -l <"$tmp/actual") entries as expected ($(grep -c '^l share' "$tmp/actual") man links)"
outside=$(find "$root" -mindepth 1 | while read -r p; do
	case $p in "$top" | "$top"/*) continue ;; esac
	case $top in "$p"/*) continue ;; esac # an ancestor of the prefix
	echo "$p"
done | head -5)
[ -z "$outside" ] || fail "written outside the prefix: $outside"

# No installed file may name the staging folder.
leak=$(grep -rl -F "$root" "$root" || true)
[ -z "$leak" ] || fail "DESTDIR leaked into: $leak"
readelf -d "$top/lib/liblatchkit.so.$version" | grep -q "SONAME.*\[liblatchkit.so.$major\]" ||
	fail "SONAME of liblatchkit.so.$version is not liblatchkit.so.$major"
pc=$(PKG_CONFIG_PATH=$top/lib/pkgconfig pkg-config --modversion --variable=prefix latchkit | tr '\n' ' ')
[ "$pc" = "$version $prefix " ] || fail "pkg-config says '$pc'"
page=$(mman -M "$top/share/man" -w lk_mutex_lock 2>/dev/null)
[ "$page" = "$top/share/man/man3/lk_mutex_lock.3" ] || fail "man lk_mutex_lock: '$page'"
echo "SONAME liblatchkit.so.$major, pkg-config $version, man lk_mutex_lock: ok"
if [ "$dlm" = yes ]; then
	readelf -d "$top/lib/liblatchkit-dlm.so.$version" | grep -q "SONAME.*\[liblatchkit-dlm.so.$major\]" ||
		fail "SONAME of liblatchkit-dlm.so.$version is not liblatchkit-dlm.so.$major"
	# A dlm user's build from the installed tree (pkg-config only); the
	# program needs no ensemble: a handle with no server answers UNAVAIL.
	cat >"$tmp/dlm.c" <<'C'
#include <latchkit/dlm.h>
#include <stdio.h>
int main(void)
{
	lk_dlm_config_t cfg = LK_DLM_CONFIG_INIT;
	lk_dlm_t *d = NULL;
	cfg.hosts = "127.0.0.1:1";
	cfg.connect_ms = 200;
	int st = lk_dlm_open(&d, &cfg);
	printf("%s\n", lk_dlm_strerror(st));
	return st == LK_DLM_UNAVAIL && d == NULL ? 0 : 1;
}
C
	# The tree is staged under DESTDIR: the sysroot maps pkg-config's paths there.
	export PKG_CONFIG_PATH="$top/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$root"
	# shellcheck disable=SC2046 # pkg-config output splits on spaces
	gcc -std=c11 -Wall -Wextra -Werror "$tmp/dlm.c" -o "$tmp/dlm" $(pkg-config --cflags --libs latchkit-dlm) \
		-Wl,-rpath,"$top/lib" || fail "a dlm program does not build from the installed tree"
	readelf -d "$tmp/dlm" | grep -q 'NEEDED.*\[liblatchkit-dlm.so.'"$major"'\]' || fail "not linked against liblatchkit-dlm.so.$major"
	LK_DLM_ZK_LOG=0 "$tmp/dlm" >"$tmp/dlm.out" 2>/dev/null || fail "the dlm program: $(cat "$tmp/dlm.out")"
	page=$(mman -M "$top/share/man" -w lk_dlm_lock 2>/dev/null)
	[ "$page" = "$top/share/man/man3/lk_dlm_lock.3" ] || fail "man lk_dlm_lock: '$page'"
	echo "dlm: SONAME liblatchkit-dlm.so.$major, pkg-config latchkit-dlm, a program built and run, man lk_dlm_lock: ok"
fi

make --no-print-directory uninstall DESTDIR="$root" PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1 ||
	{ cat "$tmp/uninstall.log"; fail "make uninstall"; }
left=$(cd "$root" && find . -mindepth 1 | sort | tr '\n' ' ')
want="./usr ./usr/share ./usr/share/man ./usr/share/man/man3 ./usr/share/man/man3/other.3 "
[ "$left" = "$want" ] || fail "after uninstall: $left (want: $want)"
echo "make uninstall: $(grep '^uninstall:' "$tmp/uninstall.log"); only what was there before is left"
