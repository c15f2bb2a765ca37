#!/bin/bash
# preload/test.sh SO BINDIR: liblatchkit-preload.so's tests (make
# test-preload, part of make test); about 15 s on 2 cores.
#  1. preload_verbs (every interposed verb) under every LATCHKIT_LOCK, and
#     under every LATCHKIT_RWLOCK, and profiled; it checks that its mutexes are latchkit's
#     (PRELOAD_EXPECT=latchkit), so it cannot pass on glibc's.
#     preload_cxx: libstdc++'s mutexes, condition variable and shared_mutex
#     under every LATCHKIT_LOCK (profiled, to show they reach the preload).
#     preload_plt (and preload_plt_now, linked -z now): got.c points the
#     program's PLT slots at the algorithm's functions, or leaves them.
#  2. an unknown and an empty LATCHKIT_LOCK: one line on stderr, the program
#     runs on glibc (PRELOAD_EXPECT=glibc), exit 0.
#  3. the profile of preload_hot names its hot lock (take_hot) first, in the
#     table and in the CSV, and counts every acquisition (2,481,400: the
#     threads' own counters all reach the records); a mutex made a thousand
#     times at one stack address is one record with its 1,000 acquisitions.
#  4. kccachetest wicked -th 4 under every algorithm passes its own check
#     ("ok"); a profiled run shows its mutexes reach the preload; and with
#     jemalloc (whose own mutexes are pthread ones) preloaded too.
set -u
so=$(realpath "$1"); bin=$2
algs="mutex ticket mcs clh tas ttas"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
run() { # run NAME ENV... CMD...: 60 s cap: a hang fails too
	local name=$1; shift
	timeout 60 env "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
}

for a in $algs; do
	if run "verbs-$a" PRELOAD_EXPECT=latchkit LATCHKIT_LOCK=$a LD_PRELOAD="$so" \
		"$bin/preload_verbs"; then echo "ok verbs LATCHKIT_LOCK=$a"
	else bad "verbs LATCHKIT_LOCK=$a"; cat "$tmp/verbs-$a.err"; fi
done
for rw in rwmutex rwlock pfrwlock brlock rprwlock glibc; do
	if run "verbs-rw-$rw" PRELOAD_EXPECT=latchkit LATCHKIT_LOCK=ticket \
		LATCHKIT_RWLOCK=$rw LD_PRELOAD="$so" "$bin/preload_verbs"
	then echo "ok verbs LATCHKIT_RWLOCK=$rw"
	else bad "verbs LATCHKIT_RWLOCK=$rw"; cat "$tmp/verbs-rw-$rw.err"; fi
done
for a in mutex mcs; do # the profiled path: every verb off the fast path
	if run "verbs-prof-$a" PRELOAD_EXPECT=latchkit LATCHKIT_LOCK=$a \
		LATCHKIT_PROFILE="$tmp/verbs-prof-$a.txt" LD_PRELOAD="$so" "$bin/preload_verbs" &&
	   grep -q "^latchkit profile (pid [0-9]*, lock $a): [1-9]" "$tmp/verbs-prof-$a.txt"
	then echo "ok verbs LATCHKIT_LOCK=$a LATCHKIT_PROFILE"
	else bad "verbs LATCHKIT_LOCK=$a LATCHKIT_PROFILE"; cat "$tmp/verbs-prof-$a.err"; fi
done

# got.c: the program's PLT slots lead to the algorithm's own functions
# (lazy, and -z now: a RELRO page), not under LATCHKIT_PRELOAD_PLT=0 or an
# unknown lock; the exported verbs alone carry preload_verbs too.
for b in preload_plt preload_plt_now; do
	for c in "patched LATCHKIT_LOCK=mutex" "patched LATCHKIT_LOCK=ttas" \
		"patched LATCHKIT_LOCK=clh LATCHKIT_PROFILE=$tmp/plt.prof" \
		"exported LATCHKIT_LOCK=mutex LATCHKIT_PRELOAD_PLT=0" \
		"exported LATCHKIT_LOCK=bogus"; do
		if run plt PRELOAD_PLT=$c LD_PRELOAD="$so" "$bin/$b"
		then echo "ok $b PRELOAD_PLT=$c"
		else bad "$b PRELOAD_PLT=$c"; cat "$tmp/plt.out" "$tmp/plt.err"; fi
	done
done
for a in mutex mcs; do
	if run "verbs-noplt-$a" PRELOAD_EXPECT=latchkit LATCHKIT_LOCK=$a \
		LATCHKIT_PRELOAD_PLT=0 LD_PRELOAD="$so" "$bin/preload_verbs"
	then echo "ok verbs LATCHKIT_LOCK=$a LATCHKIT_PRELOAD_PLT=0"
	else bad "verbs LATCHKIT_LOCK=$a LATCHKIT_PRELOAD_PLT=0"; cat "$tmp/verbs-noplt-$a.err"; fi
done

for a in $algs; do # libstdc++'s mutexes, conds and shared_mutex
	if run "cxx-$a" LATCHKIT_LOCK=$a LATCHKIT_PROFILE="$tmp/cxx-$a.txt" \
		LD_PRELOAD="$so" "$bin/preload_cxx" &&
	   [ "$(sed -n 's/.* \([0-9]*\) acquisitions.*/\1/p' "$tmp/cxx-$a.txt")" -ge 80000 ]
	then echo "ok C++ std::mutex, recursive_mutex, timed_mutex, condition_variable, shared_mutex LATCHKIT_LOCK=$a"
	else bad "C++ LATCHKIT_LOCK=$a"; cat "$tmp/cxx-$a.err" "$tmp/cxx-$a.txt"; fi
done

for v in bogus ""; do
	if run glibc PRELOAD_EXPECT=glibc LATCHKIT_LOCK="$v" LD_PRELOAD="$so" \
		"$bin/preload_verbs" &&
	   [ "$(grep -c "unknown LATCHKIT_LOCK \"$v\".*running on glibc" "$tmp/glibc.err")" = 1 ] &&
	   [ "$(wc -l < "$tmp/glibc.err")" = 1 ]
	then echo "ok LATCHKIT_LOCK=\"$v\": one line, runs on glibc"
	else bad "LATCHKIT_LOCK=\"$v\""; cat "$tmp/glibc.err"; fi
done

for a in mutex mcs; do
	p="$tmp/prof-$a.txt"
	if run "hot-$a" LATCHKIT_PROFILE="$p" LATCHKIT_LOCK=$a LD_PRELOAD="$so" \
		"$bin/preload_hot" &&
	   head -1 "$p" | grep -q ': 7 mutex addresses, 2481400 acquisitions' &&
	   sed -n 3p "$p" | grep -q ' take_hot+' &&
	   sed -n 2p "$p.csv" | grep -q '^1,.*take_hot+' &&
	   ! sed -n '4,$p' "$p" | grep -q ' take_hot+' &&
	   [ "$(awk '/ take_fresh\+/ {print $3}' "$p")" = 1000 ]
	then echo "ok profile names the hot lock first, a mutex made again at one address one record ($a)"
	else bad "profile ($a)"; cat "$p" "$tmp/hot-$a.err"; fi
done

command -v kccachetest >/dev/null || { bad "kccachetest missing (make deps)"; exit 1; }
cd "$tmp"
for a in $algs; do
	if run "kc-$a" LATCHKIT_LOCK=$a LD_PRELOAD="$so" \
		kccachetest wicked -th 4 -it 2 10000 &&
	   grep -qx ok "$tmp/kc-$a.out"
	then echo "ok kccachetest wicked -th 4 LATCHKIT_LOCK=$a"
	else bad "kccachetest LATCHKIT_LOCK=$a"; tail -5 "$tmp/kc-$a.out" "$tmp/kc-$a.err"; fi
done
# An allocator that locks pthread mutexes itself (jemalloc): the preload's
# own start-up and the profile's first backtrace call malloc.
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1)
[ -n "$jemalloc" ] || bad "libjemalloc.so.2 missing (make deps)"
for a in mutex clh; do
	for order in "$jemalloc $so" "$so $jemalloc"; do
		for prof in "" "$tmp/kcj.prof"; do
			if [ -n "$jemalloc" ] && run kcj LATCHKIT_LOCK=$a LATCHKIT_PROFILE="$prof" \
				LD_PRELOAD="$order" kccachetest wicked -th 4 5000 &&
			   grep -qx ok "$tmp/kcj.out"
			then :; else bad "kccachetest with jemalloc [$order] $a ${prof:+profiled}"; tail -3 "$tmp/kcj.out" "$tmp/kcj.err"; fi
		done
	done
done
[ -n "$jemalloc" ] && echo "ok kccachetest with jemalloc preloaded before and after, mutex and clh, with and without the profile"
if run kc-prof LATCHKIT_PROFILE="$tmp/kc.prof" LATCHKIT_LOCK=mcs LD_PRELOAD="$so" \
	kccachetest wicked -th 4 10000 &&
   grep -qx ok "$tmp/kc-prof.out" &&
   [ "$(sed -n 's/.* \([0-9]*\) acquisitions.*/\1/p' "$tmp/kc.prof")" -gt 1000 ]
then echo "ok kccachetest's mutexes reach the preload: $(head -1 "$tmp/kc.prof" | cut -d: -f2)"
else bad "kccachetest profile"; cat "$tmp/kc.prof"; fi
exit $fail
