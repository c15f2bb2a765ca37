#!/bin/bash
# verify/spin/run.sh [FILTER]: runs every `// @check` line of every
# verify/spin/*.pml
# (FILTER: a model's name, or a substring of "model/property") and prints
# one line per check:
#   checker model property states time(s) expected actual verdict
# time is the wall time of the whole check (spin -a, gcc, pan). pan is
# built with -O1: it compiles in about half the time of -O2 and explores
# these models as fast (149 checks: most of a check is the compile); a
# seeded bug's check (expected fail) with -O0, a third of -O1's compile:
# it stops at the first error (the largest, about 850,000 states, still
# takes under 3 s).
# Each check works in build/spin/<model>/<label>/ and keeps its log there.
# A check line is
#   // @check <label> <pass|fail> <-DFLAG[,-DFLAG2]|-> <safety|ltl:NAME>
# The flags go to `spin -a` (they select a seeded bug or a bound); those that
# are pan's own (-DCOLLAPSE, -DVECTORSZ=N, -DBITSTATE, -DMA=N, -DBFS: breadth-first,
# for a seeded failure DFS would reach only after millions of states) also go to gcc.
# safety: pan built with -DSAFETY -DNOCLAIM (no ltl claim), run with -m$SPIN_DEPTH
#         and SPIN_HASH (-w22; -w18 for a seeded bug); errors > 0 = fail
#         (assertions and invalid end states, i.e. deadlocks).
# ltl:N:  pan built with -DNFAIR=3, run as `pan -a -f -N N` (weak fairness).
# A tool failure (spin or gcc non-zero, pan killed, depth exhausted with no
# error found, no `errors:` line) is actual=ERROR and never OK.
# A `// @check-long` line has the same fields: a check too slow for make
# test (which runs verify-spin); SPIN_SET=long runs only those (make
# verify-spin-long, part of make verify), SPIN_SET=all both kinds.
# Runs SPIN_JOBS checks at a time (default 2). Exits 1 on any MISMATCH/ERROR.
# Appends "<ok> <not ok> spin" to build/summary (the format of scripts/check.sh).
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 2
DEPTH=${SPIN_DEPTH:-1000000}
JOBS=${SPIN_JOBS:-2}
TIMEOUT=${SPIN_TIMEOUT:-120}
OUTROOT=build/spin

# --one MODEL LABEL EXPECT FLAGS KIND: run one check, write its result line.
if [ "${1:-}" = "--one" ]; then
	model=$2 label=$3 expect=$4 flags=$5 kind=$6
	dir=$OUTROOT/$model/$label
	rm -rf "$dir"; mkdir -p "$dir"
	cp "verify/spin/$model.pml" "$dir/"
	fl=() pf=()
	[ "$flags" != "-" ] && IFS=, read -r -a fl <<<"$flags"
	for f in "${fl[@]}"; do # pan's own options also go to gcc
		[[ $f =~ ^-D(COLLAPSE|VECTORSZ|BITSTATE|MA|HC[0-9]?|MEMLIM|SPACE|NOREDUCE|BFS)(=|$) ]] && pf+=("$f")
	done
	# pan's hash table (-w; its default, 2^24 slots, is 128 MB) is set up
	# before the search: half a seeded bug's check. SPIN_HASH slots for a
	# check that must pass, 2^18 for one that stops at its first error. The
	# size changes the speed only (conflicts are resolved), except under
	# BITSTATE, where -w bounds the search: those keep pan's default.
	opt=-O1 hash=${SPIN_HASH:--w22}
	[ "$expect" = fail ] && opt=-O0 hash=-w18
	[[ " ${fl[*]} " == *" -DBITSTATE "* ]] && hash=-w24
	start=$(date +%s.%N)
	actual=ERROR states=- why=
	(
		cd "$dir" || exit 2
		exec >log 2>&1
		echo "+ spin -a ${fl[*]} $model.pml"
		spin -a "${fl[@]}" "$model.pml" 2>&1 | tee spin.out || { echo "RUNNER: spin -a failed"; exit 3; }
		# spin -a reports some errors (a misplaced label) and still exits 0
		! grep -qi 'error' spin.out || { echo "RUNNER: spin -a reported an error"; exit 3; }
		if [ "$kind" = safety ]; then
			echo "+ gcc $opt -DSAFETY -DNOCLAIM ${pf[*]} -o pan pan.c"
			gcc "$opt" -w -DSAFETY -DNOCLAIM "${pf[@]}" -o pan pan.c || { echo "RUNNER: gcc failed"; exit 4; }
			echo "+ ./pan -m$DEPTH $hash"
			timeout "$TIMEOUT" ./pan -m"$DEPTH" "$hash" || { echo "RUNNER: pan rc=$?"; exit 5; }
		else
			echo "+ gcc $opt -DNFAIR=3 ${pf[*]} -o pan pan.c"
			gcc "$opt" -w -DNFAIR=3 "${pf[@]}" -o pan pan.c || { echo "RUNNER: gcc failed"; exit 4; }
			echo "+ ./pan -a -f -m$DEPTH $hash -N ${kind#ltl:}"
			timeout "$TIMEOUT" ./pan -a -f -m"$DEPTH" "$hash" -N "${kind#ltl:}" || { echo "RUNNER: pan rc=$?"; exit 5; }
		fi
	)
	rc=$?
	log=$dir/log
	errs=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' "$log" | tail -1)
	st=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' "$log" | tail -1)
	[ -n "$st" ] && states=$st
	if [ "$rc" -ne 0 ]; then
		why="tool failure (see $log)"
	elif [ -z "$errs" ]; then
		why="no errors: line (see $log)"
	elif grep -q 'pan: out of memory\|VECTORSZ too small\|pan: too many processes' "$log"; then
		why="pan resource limit (see $log)"
	elif [ "$kind" = safety ] && ! grep -q 'invalid end states.*+' "$log"; then
		why="invalid end states not checked (see $log)"
	elif [ "$errs" -eq 0 ] && grep -q 'max search depth too small' "$log"; then
		why="search depth exhausted (see $log)"
	elif [ "$kind" != safety ] && ! grep -q "never claim.*($(printf %s "${kind#ltl:}"))" "$log"; then
		why="ltl ${kind#ltl:} not found (see $log)"
	elif [ "$errs" -eq 0 ]; then
		actual=pass
	else
		actual=fail
	fi
	secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
	verdict=MISMATCH
	[ "$actual" = "$expect" ] && verdict=OK
	printf '%-5s %-10s %-30s %10s %6s %-8s %-6s %s\n' spin "$model" "$label" \
		"$states" "$secs" "$expect" "$actual" "$verdict" >"$dir/result"
	[ -n "$why" ] && echo "      $model/$label: $why" >>"$dir/result"
	exit 0
fi

filter=${1:-}
case "${SPIN_SET:-main}" in
main) tag='@check' ;;
long) tag='@check-long' ;;
all) tag='@check(-long)?' ;;
*) echo "verify-spin: SPIN_SET is main, long or all"; exit 2 ;;
esac
mkdir -p "$OUTROOT" build
list=$(mktemp "$OUTROOT/checks.XXXXXX") # per run: runs may overlap
trap 'rm -f "$list"' EXIT
for pml in verify/spin/*.pml; do
	model=$(basename "$pml" .pml)
	grep -E "^// $tag " "$pml" | while read -r _ _ label expect flags kind rest; do
		if [ -z "$kind" ] || [ -n "$rest" ] || { [ "$expect" != pass ] && [ "$expect" != fail ]; } ||
			{ [ "$kind" != safety ] && [ "${kind#ltl:}" = "$kind" ]; }; then
			echo "$model bad-check-line x - -" >>"$list"
			continue
		fi
		if [ -f "verify/spin/$filter.pml" ]; then
			[ "$model" = "$filter" ] && echo "$model $label $expect $flags $kind" >>"$list"
		else
			case "$model/$label" in *"$filter"*) echo "$model $label $expect $flags $kind" >>"$list" ;; esac
		fi
	done
done
if [ ! -s "$list" ]; then
	echo "verify-spin: no checks match '${filter}'"
	[ "${SPIN_SET:-main}" = long ] && exit 0 # few models have long checks
	exit 1
fi
t0=$(date +%s.%N)
printf '%-5s %-10s %-30s %10s %6s %-8s %-6s %s\n' checker model property states 'time' expected actual verdict
# bad lines become an ERROR row without running anything
while read -r model label expect flags kind; do
	if [ "$label" = bad-check-line ]; then
		mkdir -p "$OUTROOT/$model/$label"
		printf '%-5s %-10s %-30s %10s %6s %-8s %-6s %s\n' spin "$model" "malformed // @check line" - 0 - ERROR MISMATCH \
			>"$OUTROOT/$model/$label/result"
	fi
done <"$list"
grep -v ' bad-check-line ' "$list" | xargs -P "$JOBS" -L 1 "$0" --one
ok=0 bad=0
while read -r model label expect flags kind; do
	r=$OUTROOT/$model/$label/result
	if [ -s "$r" ]; then
		cat "$r"
	else
		printf '%-5s %-10s %-30s %10s %6s %-8s %-6s %s\n' spin "$model" "$label" - - "$expect" ERROR MISMATCH
	fi
	if [ -s "$r" ] && head -1 "$r" | grep -q ' OK$'; then ok=$((ok + 1)); else bad=$((bad + 1)); fi
done <"$list"
secs=$(awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
echo "spin: $ok OK, $bad not OK, ${secs}s (logs: $OUTROOT/<model>/<property>/log)"
echo "$ok $bad spin" >>build/summary
[ "$bad" -eq 0 ]
