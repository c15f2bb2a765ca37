#!/bin/bash
# bench/run.sh BIN OUTDIR [harness options]: runs the harness (table on
# stdout, progress on stderr, CSV/JSON in OUTDIR), then draws the plots with
# gnuplot: throughput against threads per family and workload, and the
# acquire-latency CDF of each contended cell. Exits with the harness's status.
set -o pipefail
bin=$1
out=$2
shift 2
mkdir -p "$out"
rm -f "$out"/*.dat "$out"/*.png
"$bin" --out "$out" "$@" | tee "$out/table.txt"
rc=$?
here=$(dirname "$0")
# plots when gnuplot is there; the goals and the sections below run anyway
if command -v gnuplot >/dev/null; then
	n=0
	for f in "$out"/tput_*.dat; do
		[ -e "$f" ] || continue
		base=$(basename "$f" .dat)
		unit=$(awk -F, -v w="${base#tput_}" 'NR>1 && $1"_"$2==w {print $7; exit}' "$out/bench.csv")
		gnuplot -e "in='$f'; out='$out/$base.png'; ttl='${base#tput_}: throughput vs threads'; yl='${unit:-ops/s}'" \
			"$here/tput.gp" && n=$((n + 1))
	done
	for f in "$out"/cdf_*.dat; do
		[ -s "$f" ] || continue
		base=$(basename "$f" .dat)
		gnuplot -e "in='$f'; out='$out/$base.png'; ttl='${base#cdf_}: acquire latency CDF'" \
			"$here/cdf.gp" && n=$((n + 1))
	done
	echo "plots: $n PNG files in $out"
else
	echo "plots: gnuplot not found, skipped"
fi
echo
"$here/goals.sh" "$out/bench.csv" | tee "$out/goals.txt"
# cross-process lock/unlock of the shared latches, against pthread's
# process-shared mutexes (issue 15); make bench-pshared is the long form
ps=$(dirname "$bin")/pshared
if [ -x "$ps" ]; then
	echo
	echo "cross-process lock/unlock, ops/s (bench/pshared.c; ratio to the pthread peer):"
	"$ps" --procs "1 2" --reps 3 --dur 100 | tee "$out/pshared.txt" || rc=1
fi
# the lock table shared by processes against Berkeley DB's multi-process
# environment (issue 15); make bench-mproc is the same alone
mp=$(dirname "$bin")/mproc
if [ -x "$mp" ]; then
	mpa=() prev=
	for a in "$@"; do # --full, and THREADS as the process counts
		[ "$a" = --full ] && mpa+=(--full)
		[ "$prev" = --threads ] && mpa+=(--procs "$a")
		prev=$a
	done
	echo
	"$mp" --out "$out" --quiet "${mpa[@]}" | tee "$out/mproc.txt" || rc=1
fi
# the head latch bit against a latch-free packed word (lockmgr/README.md)
hp=$(dirname "$bin")/headproto
if [ -x "$hp" ]; then
	echo
	"$here/headproto.sh" "$hp" "$out" || rc=1
fi
exit $rc
