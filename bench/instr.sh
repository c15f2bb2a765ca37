#!/bin/bash
# bench/instr.sh BIN OUTDIR: instructions per uncontended operation, counted
# by valgrind --tool=callgrind (repeatable, unlike wall time). Each loop
# (lock+unlock pair, read pair, or 16 locks + release-all per lock: lock16
# with rows 64 to a page, scatter16 with one row to a page) runs
# twice, with N1 and N2 iterations; (Ir(N2) - Ir(N1)) / (N2 - N1) removes
# start-up and set-up. Prints a table and writes OUTDIR/instr.csv.
# The loops are those `BIN --list` names; for the lock table, lk/detect's
# lock16 is the flat table and lk/hier's the hierarchical one (IX on
# database, table and page with each row), whose ratio goals.sh reads.
set -o pipefail
bin=$1
out=$2
N1=${N1:-2000}
N2=${N2:-22000}
mkdir -p "$out"
command -v valgrind >/dev/null || { echo "bench-instr: valgrind not found"; exit 1; }
ir() { # impl kind iters -> instructions collected
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$bin" --instr "$1" --kind "$2" --iters "$3" 2>&1 |
		sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' | tail -1
}
csv="$out/instr.csv"
echo "family,impl,loop,instr_per_op,peer,ratio" > "$csv"
printf '%-8s %-16s %-9s %12s   %-14s %s\n' family impl loop instr/op peer ratio
declare -A per
fail=0
"$bin" --list > "$out/instr.list" || exit 1
while read -r fam name peer loops; do
	for k in ${loops//,/ }; do
		l16=0; case $k in lock16 | scatter16) l16=1 ;; esac
		[ $l16 = 1 ] && n1=$((N1 / 16)) n2=$((N2 / 16)) || { n1=$N1; n2=$N2; }
		a=$(ir "$name" "$k" "$n1") && b=$(ir "$name" "$k" "$n2")
		if [ -z "$a" ] || [ -z "$b" ]; then
			echo "bench-instr: $name $k: callgrind gave no count" >&2
			fail=1
			continue
		fi
		# lock16 and scatter16 count 16 locks per iteration
		m=1; [ $l16 = 1 ] && m=16
		per["$name/$k"]=$(awk -v a="$a" -v b="$b" -v n="$((n2 - n1))" -v m=$m 'BEGIN{printf "%.1f", (b-a)/(n*m)}')
	done
done < "$out/instr.list"
while read -r fam name peer loops; do
	for k in ${loops//,/ }; do
		v=${per["$name/$k"]}
		[ -n "$v" ] || continue
		# the peer for a lock table row is bdb; for others the listed one
		pv=""; [ "$peer" != - ] && pv=${per["$peer/$k"]}
		r=""; [ -n "$pv" ] && r=$(awk -v a="$v" -v b="$pv" 'BEGIN{ if (b > 0) printf "%.2f", a/b }')
		printf '%-8s %-16s %-9s %12s   %-14s %s\n' "$fam" "$name" "$k" "$v" "$peer" "${r:+${r}x}"
		echo "$fam,$name,$k,$v,$peer,$r" >> "$csv"
	done
done < "$out/instr.list"
echo "instr: $csv (callgrind Ir per operation; (Ir($N2)-Ir($N1))/$((N2 - N1)))"
exit $fail
