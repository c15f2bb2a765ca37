#!/bin/sh
# install.sh install|uninstall|list: what `make install`, `make uninstall`
# and the install test do. dist/dist.mk passes, in the environment:
#   DESTDIR (may be empty), PREFIX, INCLUDEDIR, LIBDIR, PKGCONFIGDIR,
#   CMAKEDIR, MANDIR (absolute, before DESTDIR), VERSION, VERSION_MAJOR,
#   HEADERS (the public headers, space-separated), BUILD (the build folder,
#   holding gcc/liblatchkit.*, man/man3/ and dist/ with the generated
#   latchkit.pc and CMake files).
#
# What is installed:
#   INCLUDEDIR/latchkit/NAME.h           every public header
#   LIBDIR/liblatchkit.a                 the static library
#   LIBDIR/liblatchkit.so.VERSION        the shared library
#   LIBDIR/liblatchkit.so.MAJOR -> liblatchkit.so.VERSION   (the SONAME)
#   LIBDIR/liblatchkit.so -> liblatchkit.so.MAJOR           (for -llatchkit)
#   PKGCONFIGDIR/latchkit.pc
#   CMAKEDIR/latchkitConfig.cmake, latchkitConfigVersion.cmake
#   MANDIR/man3/latchkit.3, latchkit-NAME.3, and lk_VERB.3 -> latchkit-NAME.3
# and, with DLM_INSTALL=yes (dlm/dlm.mk: where liblatchkit-dlm is built),
#   INCLUDEDIR/latchkit/dlm.h, LIBDIR/liblatchkit-dlm.{a,so.VERSION} with
#   the same two links, PKGCONFIGDIR/latchkit-dlm.pc; else dlm's man page
#   and its links are left out.
#
# uninstall removes exactly those files, then the directories install
# created (it notes them in BUILD/dist/created-dirs) if they are empty, and
# include/latchkit and the CMake folder if they are empty: a directory that
# was there before install stays.
set -eu
action=$1
root=${DESTDIR:-}
record=$BUILD/dist/created-dirs
mkdir -p "$BUILD/dist"
case "$root$PREFIX$INCLUDEDIR$LIBDIR$PKGCONFIGDIR$CMAKEDIR$MANDIR" in
*[[:space:]]*)
	echo "install.sh: install folders with spaces are not supported" >&2
	exit 1
	;;
esac

# One line per installed thing: "f MODE SOURCE DEST" or "l TARGET DEST".
manifest() {
	for h in $HEADERS; do
		echo "f 644 $h $INCLUDEDIR/latchkit/${h##*/}"
	done
	echo "f 644 $BUILD/gcc/liblatchkit.a $LIBDIR/liblatchkit.a"
	echo "f 644 $BUILD/gcc/liblatchkit.so.$VERSION $LIBDIR/liblatchkit.so.$VERSION"
	echo "l liblatchkit.so.$VERSION $LIBDIR/liblatchkit.so.$VERSION_MAJOR"
	echo "l liblatchkit.so.$VERSION_MAJOR $LIBDIR/liblatchkit.so"
	echo "f 644 $BUILD/dist/latchkit.pc $PKGCONFIGDIR/latchkit.pc"
	for f in latchkitConfig.cmake latchkitConfigVersion.cmake; do
		echo "f 644 $BUILD/dist/$f $CMAKEDIR/$f"
	done
	if [ "${DLM_INSTALL:-no}" = yes ]; then
		echo "f 644 dlm/dlm.h $INCLUDEDIR/latchkit/dlm.h"
		echo "f 644 $BUILD/dlm/liblatchkit-dlm.a $LIBDIR/liblatchkit-dlm.a"
		echo "f 644 $BUILD/dlm/liblatchkit-dlm.so.$VERSION $LIBDIR/liblatchkit-dlm.so.$VERSION"
		echo "l liblatchkit-dlm.so.$VERSION $LIBDIR/liblatchkit-dlm.so.$VERSION_MAJOR"
		echo "l liblatchkit-dlm.so.$VERSION_MAJOR $LIBDIR/liblatchkit-dlm.so"
		echo "f 644 $BUILD/dist/latchkit-dlm.pc $PKGCONFIGDIR/latchkit-dlm.pc"
		nodlm='^$'
	else
		nodlm='latchkit-dlm\.3'
	fi
	{
		find "$BUILD/man/man3" -name '*.3' -type f -printf "f 644 %p $MANDIR/man3/%f\n"
		find "$BUILD/man/man3" -name '*.3' -type l -printf "l %l $MANDIR/man3/%f\n"
	} | grep -v -e "$nodlm"
}

# mkdir -p that notes each directory it creates.
makedir() {
	missing=""
	d=$1
	while [ ! -d "$d" ]; do
		missing="$d
$missing"
		d=$(dirname "$d")
	done
	[ -n "$missing" ] || return 0
	mkdir -p "$1"
	mkdir -p "$(dirname "$record")"
	printf '%s' "$missing" | sed '/^$/d' >>"$record"
}

case $action in
list)
	manifest
	;;
install)
	[ -d "$BUILD/man/man3" ] || { echo "install.sh: no $BUILD/man/man3" >&2; exit 1; }
	# A few commands for the whole manifest (it has some 200 entries,
	# most of them man links): what install writes, install -m or ln -s
	# per folder.
	manifest | awk -v root="$root" '
		$1 == "f" { d = $4; sub("/[^/]*$", "", d)
			key = $2 " " root d
			if (!(key in files)) order[++n] = key
			files[key] = files[key] " " $3 }
		$1 == "l" { print "l " $2 " " root $3 }
		END { for (i = 1; i <= n; i++) print "f " order[i] files[order[i]] }' |
	while read -r kind a b rest; do
		if [ "$kind" = l ]; then
			makedir "$(dirname "$b")"
			ln -sfn "$a" "$b"
		else
			makedir "$b"
			# shellcheck disable=SC2086 # the file list splits on spaces
			install -m "$a" $rest "$b/"
		fi
	done
	n=$(manifest | wc -l)
	echo "install: $n files and links under $root$PREFIX"
	;;
uninstall)
	manifest | awk -v root="$root" '{ print root (($1 == "f") ? $4 : $3) }' |
		while read -r dest; do
			[ -e "$dest" ] || [ -L "$dest" ] && echo "$dest"
		done >"$record.files" || true
	xargs -r -d '\n' rm -f <"$record.files"
	echo "uninstall: $(wc -l <"$record.files") files and links removed from $root$PREFIX"
	rm -f "$record.files"
	for d in "$root$INCLUDEDIR/latchkit" "$root$CMAKEDIR"; do
		rmdir "$d" 2>/dev/null || true
	done
	[ -f "$record" ] || exit 0
	# The directories install created for these files (the ancestors of
	# their folders), deepest first: each goes if it is empty now; a note
	# stays for one that does not (and for other roots' directories).
	manifest | awk -v root="$root" '{ d = ($1 == "f") ? $4 : $3
		sub("/[^/]*$", "", d); d = root d
		while (d != "" && !(d in seen)) { seen[d] = 1; print d
			sub("/[^/]*$", "", d) } }' >"$record.mine"
	keep=$(sort -r -u "$record" | while read -r d; do
		if [ ! -d "$d" ]; then
			continue # gone already: forget it
		elif ! grep -q -F -x -e "$d" "$record.mine"; then
			echo "$d"
		elif rmdir "$d" 2>/dev/null; then
			echo "  removed $d/" >&2
		else
			echo "$d" # not empty: someone else's files are in it
		fi
	done)
	rm -f "$record.mine"
	if [ -n "$keep" ]; then
		printf '%s\n' "$keep" >"$record"
	else
		rm -f "$record"
	fi
	;;
*)
	echo "usage: install.sh install|uninstall|list" >&2
	exit 2
	;;
esac
