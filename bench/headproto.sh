#!/bin/bash
# bench/headproto.sh BIN OUTDIR [headproto options]: the head latch bit
# against the packed word. Runs BIN (table on stdout, OUTDIR/headproto.csv),
# then counts instructions per uncontended lock+unlock pair of each variant
# under valgrind --tool=callgrind: each pair loop runs with N1 and N2
# iterations and (Ir(N2) - Ir(N1)) / (N2 - N1) removes start-up and set-up
# (as bench/instr.sh does). Writes OUTDIR/headproto_instr.csv.
set -o pipefail
bin=$1
out=$2
shift 2
N1=${N1:-2000}
N2=${N2:-22000}
mkdir -p "$out"
"$bin" "$@" "$out/headproto.csv" | tee "$out/headproto.txt"
rc=$?
[ $rc -eq 0 ] || { echo "headproto: the run failed (status $rc)"; exit $rc; }
if ! command -v valgrind >/dev/null; then
	echo "headproto: valgrind not found, instruction counts skipped"
	exit 0
fi
ir() { # variant mode iters -> instructions collected
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$bin" --instr "$1" --mode "$2" --iters "$3" 2>&1 |
		sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' | tail -1
}
csv="$out/headproto_instr.csv"
echo "variant,mode,instr_per_pair,ratio_to_latch" > "$csv"
echo
printf "%-12s %-4s %14s %9s\n" variant mode "instr/pair" "vs latch"
declare -A per
fail=0
tab=$(mktemp)
for m in X S; do
	for v in latch latch-counts packed packed-cas lockmgr; do
		a=$(ir "$v" "$m" "$N1") && b=$(ir "$v" "$m" "$N2")
		if [ -z "$a" ] || [ -z "$b" ]; then
			echo "headproto: $v $m: callgrind gave no count" >&2
			fail=1
			continue
		fi
		per[$v/$m]=$(awk -v a="$a" -v b="$b" -v n=$((N2 - N1)) 'BEGIN{printf "%.1f", (b-a)/n}')
		r=$(awk -v x="${per[$v/$m]}" -v l="${per[latch/$m]}" 'BEGIN{ if (l > 0) printf "%.2f", x/l }')
		printf "%-12s %-4s %14s %9s\n" "$v" "$m" "${per[$v/$m]}" "${r:+${r}x}"
		echo "$v,$m,${per[$v/$m]},$r" >> "$csv"
	done
done > "$tab"
cat "$tab" | tee -a "$out/headproto.txt"
rm -f "$tab"
echo "instr: $csv (callgrind Ir per lock+unlock, (Ir($N2)-Ir($N1))/$((N2 - N1)), loop included)"
exit $fail
