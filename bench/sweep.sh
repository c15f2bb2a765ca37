#!/bin/bash
# bench/sweep.sh BINDIR OUTDIR [--threads "2 8"]: the spin-budget sweep
# behind `make bench-sweep` (bench/README.md). BINDIR holds one mutex-only
# harness per setting, built by bench/bench.mk:
#   spin-NS    -DLK_SPIN_NS=NS: a fixed spin budget of NS ns (0: the
#              library's adaptive default)
#   relax-K    -DLK_RELAX_REPEAT=K: each relax issues K pause instructions
#              (a CPU whose pause is K times longer), adaptive budget
# For each repetition, every setting's binary runs once (reps interleaved
# across settings: A B C ... A B C ...) over the queue locks, lk_mutex and
# their peers on workloads cs, hold5us, hold20us at 2 and 4n threads. Then
# one table per workload and thread count (rows: settings; columns: locks,
# median Mop/s and ratio to the goal's peer) on stdout and in sweep.txt, and
# every figure in sweep.csv. Informational: speed is not a test.
#
# Environment: SWEEP_SPIN, SWEEP_RELAX (the settings; make passes them),
# SWEEP_REPS (5), SWEEP_DUR (cell ms, 100), SWEEP_CAP (cell cap s, 3),
# SWEEP_IMPLS, SWEEP_WORKLOADS (comma lists), THREADS.
set -o pipefail
bindir=$1
out=$2
shift 2
threads=${THREADS:-}
while [ $# -gt 0 ]; do
	case $1 in
	--threads) threads=$2; shift 2 ;;
	*) echo "sweep: unknown option $1" >&2; exit 2 ;;
	esac
done
n=$(nproc 2>/dev/null || echo 2)
threads=${threads:-"2 $((4 * n))"}
spin=${SWEEP_SPIN-"0 500 1000 2000 5000 10000 20000 50000 100000"}
relax=${SWEEP_RELAX-"1 2 4 8"}
reps=${SWEEP_REPS:-5}
dur=${SWEEP_DUR:-100}
cap=${SWEEP_CAP:-3}
impls=${SWEEP_IMPLS:-lk_ticket,lk_mcs,lk_clh,lk_mutex,ck_ticket,ck_mcs,ck_clh,pthread_mutex}
works=${SWEEP_WORKLOADS:-cs,hold5us,hold20us}

settings=()
for s in $spin; do settings+=("spin-$s"); done
for r in $relax; do settings+=("relax-$r"); done
for s in "${settings[@]}"; do
	[ -x "$bindir/$s" ] || { echo "sweep: no $bindir/$s (make bench-sweep builds it)" >&2; exit 2; }
done

mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lk-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
ncells=$(( ${#settings[@]} * reps ))
echo "sweep: ${#settings[@]} settings x $reps reps, threads $threads, ${dur} ms cells (cap ${cap} s);" \
	"implementations $impls; workloads $works" >&2
"$bindir/${settings[0]}" --family mutex --impl "$impls" --workload none \
	--threads "$threads" --reps 1 --dur "$dur" --probe all --quiet --out "$tmp/hdr" |
	sed -n '/^cpu:/p;/^cores:/p;/^kernel:/p;/^wake-up:/p;/^futex:/p;/^hold:/p' >"$tmp/header"
rc=0
k=0
start=$(date +%s)
for ((rep = 1; rep <= reps; rep++)); do
	for s in "${settings[@]}"; do
		k=$((k + 1))
		d="$tmp/$s/r$rep"
		mkdir -p "$d"
		echo "sweep: rep $rep/$reps $s ($k/$ncells, elapsed $(( $(date +%s) - start )) s)" >&2
		"$bindir/$s" --family mutex --impl "$impls" --workload "$works" \
			--threads "$threads" --reps 1 --dur "$dur" --cap "$cap" \
			--probe relax --quiet --out "$d" >"$d/table.txt" || rc=1
		relax_ns=$(sed -n 's/.*"relax_ns": "\([^"]*\)".*/\1/p' "$d/bench.json")
		park=$(sed -n 's/.*"park_estimate_cells_median_ns": "\([^"]*\)".*/\1/p' "$d/bench.json")
		awk -F, -v s="$s" -v rn="$relax_ns" -v pk="$park" \
			'NR > 1 { print s "," rn "," pk "," $0 }' "$d/bench.csv" >>"$tmp/all.csv"
	done
done

# all.csv: setting,relax_ns,park_ns, then bench.csv's columns:
# 4 family,5 workload,6 impl,7 threads,8 pinned,9 reps,10 unit,11 median,...,24 status
{
	echo "spin-budget sweep ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'));" \
		"median of $reps interleaved reps, ${dur} ms cells"
	cat "$tmp/header"
} >"$out/sweep.txt"
awk -F, -v order="${settings[*]}" -v tlist="$threads" -v works="$works" \
	-v impls="$impls" -v n="$n" -v csv="$out/sweep.csv" '
function med(s,   a, m, i, j, x) {
	m = split(s, a, " ")
	for (i = 2; i <= m; i++) { x = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
	if (m == 0) return ""
	return (m % 2) ? a[(m + 1) / 2] + 0 : (a[m / 2] + a[m / 2 + 1]) / 2
}
function lo(s,   a, m, i, x) { m = split(s, a, " "); x = ""; for (i = 1; i <= m; i++) if (x == "" || a[i] + 0 < x) x = a[i] + 0; return x }
function hi(s,   a, m, i, x) { m = split(s, a, " "); x = ""; for (i = 1; i <= m; i++) if (x == "" || a[i] + 0 > x) x = a[i] + 0; return x }
function label(s,   v) {
	if (s ~ /^spin-/) { v = substr(s, 6); return v == 0 ? "spin adaptive" : "spin " v " ns" }
	return "relax x" substr(s, 7)
}
# the goal peer: queue locks at <= n threads: ck same lock; else pthread_mutex
function ckpeer(i) { return i ~ /^lk_(ticket|mcs|clh)$/ ? "ck_" substr(i, 4) : "" }
function gpeer(i, t) { return (ckpeer(i) != "" && t <= n) ? ckpeer(i) : (i ~ /^lk_/ ? "pthread_mutex" : "") }
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "" : a / b }
{
	k = $1 SUBSEP $5 SUBSEP $7 SUBSEP $6
	if ($11 != "") v[k] = v[k] " " $11
	if ($24 != "ok" && $24 != "") st[k] = $24
	if ($2 != "") rx[$1] = rx[$1] " " $2
	if ($3 != "") { pk[$1] = pk[$1] " " $3; haspk[$1] = 1 }
}
END {
	ns = split(order, S, " "); nt = split(tlist, T, " "); nw = split(works, W, ","); ni = split(impls, I, ",")
	nl = 0; np = 0
	for (i = 1; i <= ni; i++) if (I[i] ~ /^lk_/) L[++nl] = I[i]; else P[++np] = I[i]
	print "sweep,setting,variant,workload,threads,impl,reps,median_mops,min_mops,max_mops,peer,ratio,ratio_ck,ratio_pthread,relax_ns,park_estimate_ns,status" > csv
	for (w = 1; w <= nw; w++) for (t = 1; t <= nt; t++) {
		th = T[t] + 0
		printf "\n== %s, %d threads%s; ratio: %s ==\n", W[w], th, th <= n ? " (pinned)" : " (oversubscribed)",
			th <= n ? "ticket/mcs/clh to ck'"'"'s same lock, lk_mutex to pthread_mutex" : "to pthread_mutex"
		printf "%-15s %8s", "setting", "relax ns"
		for (i = 1; i <= nl; i++) printf "  %16s", L[i]
		printf "  |"
		for (i = 1; i <= np; i++) printf " %13s", P[i]
		printf "\n"
		for (s = 1; s <= ns; s++) {
			printf "%-15s %8s", label(S[s]), (S[s] in rx) ? sprintf("%.3g", med(rx[S[s]])) : "-"
			for (i = 1; i <= ni; i++) {
				k = S[s] SUBSEP W[w] SUBSEP th SUBSEP I[i]
				m[I[i]] = (k in v) ? med(v[k]) : ""
			}
			for (i = 1; i <= ni; i++) {
				k = S[s] SUBSEP W[w] SUBSEP th SUBSEP I[i]
				c = split(v[k], dummy, " ")
				gp = gpeer(I[i], th); q = (gp != "") ? ratio(m[I[i]], m[gp]) : ""
				qc = (ckpeer(I[i]) != "") ? ratio(m[I[i]], m[ckpeer(I[i])]) : ""
				qp = (I[i] != "pthread_mutex") ? ratio(m[I[i]], m["pthread_mutex"]) : ""
				stt = (k in st) ? st[k] : (c ? "ok" : "missing")
				printf "%s,%s,%s,%s,%d,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", (S[s] ~ /^spin/ ? "spin" : "relax"),
					(S[s] ~ /^spin/ ? substr(S[s], 6) : substr(S[s], 7)), label(S[s]), W[w], th, I[i], c,
					m[I[i]], lo(v[k]), hi(v[k]), gp, q, qc, qp, med(rx[S[s]]), med(pk[S[s]]), stt > csv
				if (I[i] !~ /^lk_/) continue
				if (m[I[i]] == "") cell = (k in st) ? "dnf" : "-"
				else cell = sprintf("%.3g", m[I[i]]) (q != "" ? sprintf(" %5.2fx", q) : "")
				printf "  %16s", cell
			}
			printf "  |"
			for (i = 1; i <= np; i++) {
				k = S[s] SUBSEP W[w] SUBSEP th SUBSEP P[i]
				printf " %13s", m[P[i]] != "" ? sprintf("%.3g", m[P[i]]) : (k in st) ? "dnf" : "-"
			}
			if (S[s] in haspk) printf "   park est. %.3g us", med(pk[S[s]]) / 1000
			printf "\n"
		}
	}
}' "$tmp/all.csv" | tee -a "$out/sweep.txt"
echo
echo "sweep: $out/sweep.txt, $out/sweep.csv ($(( $(date +%s) - start )) s)"
exit $rc
