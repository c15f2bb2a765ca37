#!/bin/sh
# abi-check.sh BASELINE CURRENT: compares two abidw dumps of liblatchkit.so
# (dist/liblatchkit.abi, committed, against the one of this build).
# Passes when the ABI is unchanged, or when the only changes are additions
# (new functions or variables: compatible; record them with
# `make abi-baseline`). Any other change (a function or variable removed or
# changed, a type of the API changed in size or layout) is incompatible: it
# passes only when the SONAME's major version differs from the baseline's,
# that is when LATCHKIT_VERSION_MAJOR in primitives/version.h was bumped.
set -u
base=$1 cur=$2
[ -f "$base" ] || { echo "abi-check: no baseline $base: run make abi-baseline"; exit 1; }
grep -q '<function-decl' "$cur" || {
	echo "abi-check: $cur describes no function: was the library built without -g (OPT)?"
	exit 1
}
soname() { sed -n "s/.*<abi-corpus [^>]*soname='\([^']*\)'.*/\1/p" "$1" | head -1; }
old=$(soname "$base") new=$(soname "$cur")
echo "baseline: $base ($old)"
echo "build:    $cur ($new)"
report=$(abidiff --no-show-locs "$base" "$cur")
rc=$?
printf '%s\n' "$report"
if [ $((rc & 3)) -ne 0 ]; then
	echo "abi-check: abidiff failed (rc=$rc)"
	exit 1
fi
if [ "$rc" -eq 0 ]; then
	echo "abi-check: ABI unchanged"
	exit 0
fi
# Counts of removed and changed functions and variables, from the summary
# lines ("Functions changes summary: 0 Removed, 1 Changed, 2 Added ...").
broken=$(printf '%s\n' "$report" | grep 'changes summary:' |
	sed -n 's/.*summary: \([0-9]*\) Removed\(, \([0-9]*\) Changed\)\{0,1\}.*/\1 \3/p' |
	awk '{n += $1 + $2} END {print n + 0}')
if [ $((rc & 8)) -eq 0 ] && [ "$broken" -eq 0 ] && [ "$old" = "$new" ]; then
	echo "abi-check: compatible additions only; record them with make abi-baseline"
	exit 0
fi
if [ "$old" != "$new" ]; then
	echo "abi-check: incompatible changes, and the SONAME moved from $old to $new:"
	echo "abi-check: fine; record the new ABI with make abi-baseline"
	exit 0
fi
echo "abi-check: INCOMPATIBLE change to $new with the same SONAME."
echo "abi-check: if it is intended, bump LATCHKIT_VERSION_MAJOR in primitives/version.h,"
echo "abi-check: then run make abi-baseline and commit dist/liblatchkit.abi;"
echo "abi-check: if abidiff is wrong and the change is compatible, make abi-baseline alone."
exit 1
