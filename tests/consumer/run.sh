#!/bin/sh
# run.sh: the consumer test. Installs latchkit into a temporary prefix and
# builds consumer.c there as a user would, finding latchkit only through
# pkg-config (PKG_CONFIG_PATH) or CMake's find_package (CMAKE_PREFIX_PATH):
#   C    (gcc, clang)     x  shared (rpath), static (-static)
#   C++  (g++, clang++)   x  shared (rpath), static (-static)
#   CMake: latchkit::latchkit and latchkit::headers
# and runs each program. The language standards are the lists below.
set -eu
CSTDS=${CSTDS:-c11}
CXXSTDS=${CXXSTDS:-"c++11 c++17"}
WARN="-Wall -Wextra -Werror -pedantic"

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/latchkit-consumer.XXXXXX")
trap 'wait; rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "FAIL: $*"; exit 1; }

make --no-print-directory install PREFIX="$prefix" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; fail "make install PREFIX=$prefix"; }

# The program must include every installed header.
for h in "$prefix"/include/latchkit/*.h; do
	grep -q "^#include <latchkit/${h##*/}>" "$here/consumer.c" ||
		fail "consumer.c does not include <latchkit/${h##*/}>: add it, and use it"
done
echo "consumer.c includes all $(ls "$prefix"/include/latchkit/*.h | wc -l) installed headers"

(cmake -S "$here/cmake" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_BUILD_TYPE=Release && cmake --build "$tmp/cmake") \
	>"$tmp/cmake.log" 2>&1 &
cmake_pid=$!

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags latchkit)
libs=$(pkg-config --libs latchkit)
static_libs=$(pkg-config --static --libs latchkit)
echo "pkg-config --cflags: $cflags"
echo "pkg-config --libs:   $libs"

# build NAME COMPILER FLAGS...: compiles and links bin/NAME, runs it, and
# checks how it is linked.
mkdir -p "$tmp/bin"
build() {
	name=$1 cc=$2
	shift 2
	out=$tmp/bin/$name
	# shellcheck disable=SC2086 # pkg-config output splits on spaces
	case $name in
	*-shared) $cc "$@" $cflags "$here/consumer.c" -x none -o "$out" \
		$libs -Wl,-rpath,"$prefix/lib" ;;
	*-static) $cc "$@" $cflags "$here/consumer.c" -x none -o "$out" \
		-static $static_libs ;;
	esac || fail "$name: $cc $* does not build (messages above)"
	case $name in
	*-shared) readelf -d "$out" | grep -q 'NEEDED.*\[liblatchkit.so.[0-9]*\]' ||
		fail "$name: not linked against liblatchkit.so" ;;
	*-static) ! readelf -d "$out" 2>/dev/null | grep -q 'NEEDED' ||
		fail "$name: not static" ;;
	esac
	msg=$("$out") || fail "$name: exit status $?"
	echo "$name: $cc $* ... : $msg"
}
for std in $CSTDS; do
	for cc in gcc clang; do
		for link in shared static; do
			build "$cc-$std-$link" $cc -std="$std" $WARN
		done
	done
done
for std in $CXXSTDS; do
	for cxx in g++ clang++; do
		for link in shared static; do
			build "$cxx-$std-$link" $cxx -x c++ -std="$std" $WARN
		done
	done
done

# CMake, against the same prefix: configured and built in the background
# while the compilers above run (it is the slow part).
wait "$cmake_pid" || { cat "$tmp/cmake.log"; fail "cmake (configure or build)"; }
grep 'latchkit .* from' "$tmp/cmake.log" | sed 's/^-- /cmake: /'
for t in consumer_lib consumer_headers; do
	msg=$("$tmp/cmake/$t") || fail "cmake $t: exit status $?"
	echo "cmake $t: $msg"
done
readelf -d "$tmp/cmake/consumer_lib" | grep -q 'NEEDED.*liblatchkit.so' ||
	fail "cmake consumer_lib: not linked against liblatchkit.so"
! readelf -d "$tmp/cmake/consumer_headers" | grep -q 'NEEDED.*liblatchkit' ||
	fail "cmake consumer_headers: linked against liblatchkit"
