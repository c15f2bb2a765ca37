#!/bin/bash
# bench/programs.sh SO OUTDIR [quick|full]: real programs on glibc's locks and
# on each latchkit lock through liblatchkit-preload.so (issue 20).
#
# Programs, lock-bound cases first:
#   cache_bench  RocksDB's LRU cache benchmark with ONE shard
#                (-num_shard_bits=0): every lookup and insert takes the
#                shard's pthread mutex. Metric: its "Rough parallel ops/sec".
#   kccachetest  Kyoto Cabinet's cache DB under "wicked" (random sets, gets,
#                removes, iterators, transactions over 16 slot mutexes);
#                passes only if it prints "ok". Metric: operations / its
#                "time:".
#   db_bench     (full only) RocksDB's fillrandom, 100-byte values, no WAL,
#                no compression: writers meet in RocksDB's write queue
#                (mutex and condition variables). Metric: its ops/sec.
# Each runs under glibc (no preload), under each LATCHKIT_LOCK, and under
# lk_mutex with LATCHKIT_PROFILE (the profile's overhead), at 1 thread
# pinned to CPU 0, 2 threads pinned to CPUs 0-1, and 4n threads unpinned
# (n = CPUs). The total work is the same at every thread count. Runs are
# interleaved: for each repetition, every cell once, so a slow spell of the
# machine hits every lock. A run that fails its own check or exceeds 120 s
# is a failure (the script exits 1 at the end, after the table).
#
# Writes OUTDIR/programs.csv (every run), OUTDIR/programs.txt (the table:
# median ops/s and the ratio to glibc from the same run; ! marks < 0.5x),
# OUTDIR/programs_PROGRAM.png (ratio to glibc against threads, gnuplot).
# quick (make bench): 2 repetitions, small runs, about 90 s on 2 cores;
# full (make bench-programs): 5 repetitions, 4x the work.
# PROGRAMS, PROGRAM_LOCKS, PROGRAM_THREADS, PROGRAM_REPS and PROGRAM_SCALE
# (the work's multiple) choose a subset, e.g. the 4n cells alone:
#   PROGRAM_THREADS=8 PROGRAM_REPS=5 bench/programs.sh SO OUT
set -u
so=$(realpath "$1"); out=$2; mode=${3:-quick}
mkdir -p "$out"; out=$(realpath "$out")
n=$(nproc)
locks=${PROGRAM_LOCKS:-"mutex ticket mcs clh tas ttas"}
threads=${PROGRAM_THREADS:-"1 2 $((4 * n))"}
if [ "$mode" = full ]; then reps=5; scale=4; else reps=2; scale=1; fi
reps=${PROGRAM_REPS:-$reps}; scale=${PROGRAM_SCALE:-$scale}
kc_total=$((40000 * scale)); cb_total=$((200000 * scale)); db_total=80000
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
csv=$out/programs.csv
echo "program,threads,lock,rep,ops_per_s,ok" > "$csv"
failed=0

pin() { # the CPUs for t threads: 1 -> 0, 2 -> 0-1, else none
	case $1 in
	1) echo 0 ;;
	2) [ "$n" -ge 2 ] && echo 0-1 ;;
	esac
}

# one PROGRAM THREADS LOCK: prints ops/s, or "fail"
one() {
	local prog=$1 t=$2 lock=$3 cpus envs=() cmd=()
	cpus=$(pin "$t")
	case $lock in
	glibc) ;;
	mutex+profile) envs=(LD_PRELOAD="$so" LATCHKIT_LOCK=mutex
			     LATCHKIT_PROFILE="$tmp/profile.txt") ;;
	*) envs=(LD_PRELOAD="$so" LATCHKIT_LOCK="$lock") ;;
	esac
	case $prog in
	cache_bench) cmd=(cache_bench -num_shard_bits=0 -threads="$t"
			  -ops_per_thread=$((cb_total / t))
			  -cache_size=16777216 -value_bytes=1024) ;;
	kccachetest) cmd=(kccachetest wicked -th "$t" $((kc_total / t))) ;;
	db_bench) rm -rf "$tmp/db"
		  cmd=(db_bench --benchmarks=fillrandom --db="$tmp/db"
		       --num=$((db_total / t)) --threads="$t" --value_size=100
		       --disable_wal=1 --compression_type=none) ;;
	esac
	[ -n "$cpus" ] && cmd=(taskset -c "$cpus" "${cmd[@]}")
	timeout 120 env "${envs[@]}" "${cmd[@]}" > "$tmp/run.out" 2>&1
	local rc=$?
	case $prog in
	cache_bench)
		[ $rc -eq 0 ] && sed -n 's/.*Rough parallel ops\/sec = \([0-9]*\).*/\1/p' "$tmp/run.out" | grep . && return
		;;
	db_bench)
		[ $rc -eq 0 ] && sed -n 's/^fillrandom .* \([0-9][0-9]*\) ops\/sec.*/\1/p' "$tmp/run.out" | grep . && return
		;;
	kccachetest)
		if [ $rc -eq 0 ] && grep -qx ok "$tmp/run.out"; then
			awk -v ops="$kc_total" '/^time:/ {s = $2} END {if (s > 0) printf "%.0f\n", ops / s}' "$tmp/run.out"
			return
		fi
		;;
	esac
	{ echo "FAIL: $prog -th $t under $lock (rc=$rc)"; tail -5 "$tmp/run.out"; } >&2
	echo fail
}

programs="cache_bench kccachetest"
[ "$mode" = full ] && programs="$programs db_bench"
programs=${PROGRAMS:-$programs}
for p in $programs; do
	command -v "$p" > /dev/null || { echo "programs: $p missing (make deps)" >&2; exit 1; }
done
all="glibc $locks mutex+profile"
for r in $(seq 1 "$reps"); do
	for p in $programs; do
		for t in $threads; do
			for l in $all; do
				v=$(one "$p" "$t" "$l")
				if [ "$v" = fail ]; then
					failed=1
					echo "$p,$t,$l,$r,,0" >> "$csv"
				else
					echo "$p,$t,$l,$r,$v,1" >> "$csv"
				fi
			done
		done
	done
	echo "programs: repetition $r of $reps done" >&2
done

# The table: median per cell, ratio to glibc's median at the same threads.
python3 - "$csv" "$out" "$threads" "$all" <<'EOF' | tee "$out/programs.txt"
import csv, statistics, sys, subprocess
path, out, threads, locks = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4].split()
runs = {}
for row in csv.DictReader(open(path)):
    runs.setdefault((row["program"], row["threads"], row["lock"]), []).append(
        float(row["ops_per_s"]) if row["ok"] == "1" else None)
progs = []
for k in runs:
    if k[0] not in progs:
        progs.append(k[0])
def med(p, t, l):
    v = runs.get((p, t, l), [])
    if not v or None in v:
        return None
    return statistics.median(v)
print("Real programs: median ops/s and ratio to glibc in the same run "
      "(! below 0.5x); threads 1 and 2 pinned, the last unpinned")
for p in progs:
    print(f"\n{p}")
    print(f"{'lock':<15}" + "".join(f"{t + ' thr':>22}" for t in threads))
    rows = []
    for l in locks:
        cells = []
        for t in threads:
            g, m = med(p, t, "glibc"), med(p, t, l)
            if m is None:
                cells.append(f"{'FAILED':>22}")
                continue
            r = m / g if g else float("nan")
            mark = "!" if r < 0.5 else " "
            cells.append(f"{m:>12.0f} ({r:5.2f}x){mark}")
            rows.append((l, t, r))
        print(f"{l:<15}" + "".join(cells))
    prof = [(med(p, t, "mutex+profile"), med(p, t, "mutex")) for t in threads]
    print("profile overhead (mutex+profile / mutex): " + ", ".join(
        f"{t} thr {a / b:.2f}x" if a and b else f"{t} thr -" for t, (a, b) in zip(threads, prof)))
    dat = f"{out}/programs_{p}.dat"
    with open(dat, "w") as f:
        for l in locks:
            if l == "glibc":
                continue
            f.write(f'"{l}"\n')
            for i, t in enumerate(threads):
                g, m = med(p, t, "glibc"), med(p, t, l)
                if g and m:
                    f.write(f"{i} {m / g}\n")
            f.write("\n\n")
    gp = (f'set terminal pngcairo size 800,480 noenhanced; set output "{out}/programs_{p}.png";'
          f'set title "{p}: throughput relative to glibc (same run)"; set ylabel "x glibc";'
          f'set xlabel "threads"; set key outside right; set grid;'
          f'set xtics (' + ", ".join(f'"{t}" {i}' for i, t in enumerate(threads)) + ');'
          f'set xrange [-0.3:{len(threads) - 0.7}]; set yrange [0:*];'
          f'plot 1 dt 2 lc "black" title "glibc", for [i=0:{len(locks) - 2}] "{dat}" index i using 1:2 with linespoints title columnheader(1)')
    try:
        subprocess.run(["gnuplot", "-e", gp], check=False, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        pass
EOF
exit $failed
