#!/bin/bash
# preload/cost.sh SO BINDIR: instructions per uncontended lock/unlock pair
# (callgrind; make preload-cost). For each LATCHKIT_LOCK: the latch's header
# called directly (inlined), the same behind a call per verb (out of line),
# and pthread_mutex_lock/unlock interposed by SO (the program's PLT slots
# patched at load, preload/got.c), the same through the exported verbs
# (LATCHKIT_PRELOAD_PLT=0: one more jump per verb, what a library
# dlopen'd later pays), and patched with LATCHKIT_PROFILE; and glibc's own
# pair. The goal (issue 20: at most 1.1x "the same latch called
# directly") is read against out-of-line: an interposed verb is a call,
# and so is a latch a program calls as a library's function; the inlined
# column has no call at all. Each
# figure is (Ir of N+1 pairs - Ir of 1 pair) / N, so start-up cancels; the
# loop around the pair is in every figure.
set -eu
so=$(realpath "$1"); bin=$2; n=${N:-100000}
src=$(dirname "$0")/tests/preload_cost.c
inc=$(dirname "$so")/include
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ir() { # "ENV..." CMD ARG: total instructions
	local envs=$1; shift
	env $envs valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" >/dev/null 2>&1
	callgrind_annotate "$tmp/cg" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}'
}
per() { # "ENV..." CMD: instructions per pair
	local a b
	a=$(ir "$1" "$2" 1); b=$(ir "$1" "$2" $((n + 1)))
	awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN {printf "%.1f", (b - a) / n}'
}
g=$(per "" "$bin/preload_cost")
printf '%-8s %7s %12s %10s %9s %11s %16s %9s\n' lock inlined out-of-line preloaded exported "pre/inlined" "pre/out-of-line" profiled
for a in mutex ticket mcs clh tas ttas; do
	gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -I"$inc" -DDIRECT=$a "$src" -o "$tmp/d"
	gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -I"$inc" -DDIRECT=$a -DOUTOFLINE "$src" -o "$tmp/o"
	d=$(per "" "$tmp/d"); o=$(per "" "$tmp/o")
	p=$(per "LD_PRELOAD=$so LATCHKIT_LOCK=$a" "$bin/preload_cost")
	x=$(per "LD_PRELOAD=$so LATCHKIT_LOCK=$a LATCHKIT_PRELOAD_PLT=0" "$bin/preload_cost")
	f=$(per "LD_PRELOAD=$so LATCHKIT_LOCK=$a LATCHKIT_PROFILE=$tmp/prof" "$bin/preload_cost")
	awk -v a=$a -v d="$d" -v o="$o" -v p="$p" -v x="$x" -v f="$f" 'BEGIN {printf "%-8s %7.1f %12.1f %10.1f %9.1f %10.2fx %15.2fx %9.1f\n", a, d, o, p, x, p / d, p / o, f}'
done
echo "glibc's own pthread_mutex_lock/unlock pair (no preload): $g"
# RW locks, for information: pthread_rwlock_rdlock or _wrlock and _unlock
# on each LATCHKIT_RWLOCK against the latch's rd/wr pair behind a call.
# No 1.1x goal here: pthread_rwlock_unlock does not say which hold it
# releases, so every verb also reads or writes the writer's id (rwlock.c),
# work the latch called directly does not do.
printf '\n%-9s %4s %12s %10s %16s\n' rwlock mode out-of-line preloaded "pre/out-of-line"
# rprwlock serves the default kind (PTHREAD_RWLOCK_INITIALIZER), the others
# the nonrecursive writer-preferring kind (preload/rwlock.c).
for rw in rd wr; do
	gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -DRW=$rw "$src" -o "$tmp/p$rw"
	gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -DRW=$rw -DRW_NONREC "$src" -o "$tmp/n$rw"
	for a in rprwlock rwmutex rwlock pfrwlock brlock; do
		gcc -std=c11 -D_GNU_SOURCE -O2 -pthread -I"$inc" -DRW=$rw -DDIRECT=$a -DOUTOFLINE "$src" -o "$tmp/o"
		o=$(per "" "$tmp/o")
		obj=$tmp/n$rw; [ $a = rprwlock ] && obj=$tmp/p$rw
		p=$(per "LD_PRELOAD=$so LATCHKIT_RWLOCK=$a" "$obj")
		awk -v a=$a -v m=$rw -v o="$o" -v p="$p" 'BEGIN {printf "%-9s %4s %12.1f %10.1f %15.2fx\n", a, m, o, p, p / o}'
	done
done
