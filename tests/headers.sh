#!/bin/bash
# headers.sh INCDIR OUTDIR HEADER...: the public headers must compile
# warning-free (-Werror) for every consumer (issue 17). Covered:
#  - one TU including ALL headers, per combination of
#      compiler   gcc, clang (C); g++, clang++ (C++)
#      standard   c11 c17 gnu11; c++11 c++14 c++17 c++20
#      -D_GNU_SOURCE or not, -pthread or not, -DLK_DEBUG or not
#      order      (C without -D_GNU_SOURCE) <time.h>, <pthread.h>,
#                 <unistd.h>, <sched.h> included before the latchkit
#                 headers, or after them
#    = C 2*3*2*2*(1+2) + C++ 2*4*2*2*2 = 72 + 64 = 136 TUs; the TU also
#    defines a const latch of each type with its static initializer (C++11
#    and 14 cannot copy an atomic member) and calls each is-locked query
#    (and with LK_DEBUG each held-by-me one);
#  - each header alone, as the strictest consumer (-std=c11 / -std=c++11,
#    no feature macro, no -pthread), with and without LK_DEBUG, with all
#    four compilers: 8 TUs per header (one per header in primitives/);
#  - under ThreadSanitizer (-fsanitize=thread: base.h's annotations and
#    <sanitizer/tsan_interface.h>): the all-headers TU with gcc and clang
#    -std=c11, g++ and clang++ -std=c++11 and -std=c++20, with and without
#    LK_DEBUG, annotated or not (-DLK_TSAN_ANNOTATE=0): 24 TUs; and each
#    header alone, annotated, as gcc -std=c11 (TSan known by
#    __SANITIZE_THREAD__) and clang++ -std=c++11 (by __has_feature): 2 TUs
#    per header.
# Warnings, always: -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion
# -Wcast-qual -Wshadow; in C++ also -Wold-style-cast, and -Wuseless-cast
# with g++ (clang has no such warning). The all-headers TUs compile with -O2
# (middle-end warnings too, on the functions the TU calls); a header alone
# calls nothing, so its TUs are -fsyntax-only.
# Runs the compilations in parallel (JOBS, default nproc); prints one line
# per failing compilation with its first error, and exits 1 if any failed.
set -u
inc=$1 out=$2; shift 2
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$out"
rm -f "$out"/*.fail "$out"/*.log

W="-Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wcast-qual -Wshadow -Werror"
WXX="$W -Wold-style-cast"

# The all-headers TU; LKH_SYS_FIRST puts the system headers first.
sys='#include <time.h>
#include <pthread.h>
#include <unistd.h>
#include <sched.h>'
{
	echo '#ifdef LKH_SYS_FIRST'; echo "$sys"; echo '#endif'
	for h in "$@"; do echo "#include <latchkit/$h>"; done
	echo '#ifndef LKH_SYS_FIRST'; echo "$sys"; echo '#endif'
	cat <<'LKH_EOF'
/* What a consumer writes: each static initializer (C++11/14 cannot copy an
 * atomic member), and the queries on a const latch. Each under its header's
 * guard, so that any list of headers compiles. */
#define LKH_ADD(x) (n += (x))
int lkh_queries(const void *p);
int lkh_queries(const void *p)
{
	int n = 0;
	(void)p;
#ifdef LATCHKIT_TAS_H
	static const lk_tas_t tas = LK_TAS_INIT;
	LKH_ADD(lk_tas_is_locked(&tas));
#ifdef LK_DEBUG
	LKH_ADD(lk_tas_is_held_by_me(&tas));
#endif
#endif
#ifdef LATCHKIT_TTAS_H
	static const lk_ttas_t ttas = LK_TTAS_INIT;
	LKH_ADD(lk_ttas_is_locked(&ttas));
#ifdef LK_DEBUG
	LKH_ADD(lk_ttas_is_held_by_me(&ttas));
#endif
#endif
#ifdef LATCHKIT_TICKET_H
	static const lk_ticket_t ticket = LK_TICKET_INIT;
	static const lk_ticket_t ticket_sh = LK_TICKET_INIT_SHARED;
	LKH_ADD(lk_ticket_is_locked(&ticket) + lk_ticket_is_locked(&ticket_sh));
#ifdef LK_DEBUG
	LKH_ADD(lk_ticket_is_held_by_me(&ticket));
#endif
#endif
#ifdef LATCHKIT_MCS_H
	static const lk_mcs_t mcs = LK_MCS_INIT;
	LKH_ADD(lk_mcs_is_locked(&mcs));
#ifdef LK_DEBUG
	LKH_ADD(lk_mcs_is_held_by_me(&mcs));
#endif
#endif
#ifdef LATCHKIT_CLH_H
	static const lk_clh_t clh = LK_CLH_INIT;
	LKH_ADD(lk_clh_is_locked(&clh));
#ifdef LK_DEBUG
	LKH_ADD(lk_clh_is_held_by_me(&clh));
#endif
#endif
#ifdef LATCHKIT_MUTEX_H
	static const lk_mutex_t mutex = LK_MUTEX_INIT;
	LKH_ADD(lk_mutex_is_locked(&mutex));
#ifdef LK_DEBUG
	LKH_ADD(lk_mutex_is_held_by_me(&mutex));
#endif
#endif
#ifdef LATCHKIT_RWLOCK_H
	static const lk_rwlock_t rwlock = LK_RWLOCK_INIT;
	LKH_ADD(lk_rwlock_is_locked(&rwlock) + lk_rwlock_is_rdlocked(&rwlock) +
		lk_rwlock_is_wrlocked(&rwlock));
#ifdef LK_DEBUG
	LKH_ADD(lk_rwlock_is_wrlocked_by_me(&rwlock));
#endif
#endif
#ifdef LATCHKIT_PFRWLOCK_H
	static const lk_pfrwlock_t pf = LK_PFRWLOCK_INIT;
	static const lk_pfrwlock_t pf_sh = LK_PFRWLOCK_INIT_SHARED;
	LKH_ADD(lk_pfrwlock_is_locked(&pf) + lk_pfrwlock_is_rdlocked(&pf) +
		lk_pfrwlock_is_wrlocked(&pf) + lk_pfrwlock_is_locked(&pf_sh));
#ifdef LK_DEBUG
	LKH_ADD(lk_pfrwlock_is_wrlocked_by_me(&pf));
#endif
#endif
#ifdef LATCHKIT_RPRWLOCK_H
	static const lk_rprwlock_t rp = LK_RPRWLOCK_INIT;
	static const lk_rprwlock_t rp_sh = LK_RPRWLOCK_INIT_SHARED;
	LKH_ADD(lk_rprwlock_is_locked(&rp) + lk_rprwlock_is_rdlocked(&rp) +
		lk_rprwlock_is_wrlocked(&rp) + lk_rprwlock_is_locked(&rp_sh));
#ifdef LK_DEBUG
	LKH_ADD(lk_rprwlock_is_wrlocked_by_me(&rp));
#endif
#endif
#ifdef LATCHKIT_BRLOCK_H
	static const lk_brlock_t br = LK_BRLOCK_INIT;
	LKH_ADD(lk_brlock_is_locked(&br) + lk_brlock_is_rdlocked(&br) +
		lk_brlock_is_wrlocked(&br));
#ifdef LK_DEBUG
	LKH_ADD(lk_brlock_is_wrlocked_by_me(&br));
#endif
#endif
#ifdef LATCHKIT_RWMUTEX_H
	static const lk_rwmutex_t rwm = LK_RWMUTEX_INIT;
	LKH_ADD(lk_rwmutex_is_locked(&rwm) + lk_rwmutex_is_rdlocked(&rwm) +
		lk_rwmutex_is_uplocked(&rwm) + lk_rwmutex_is_wrlocked(&rwm));
#ifdef LK_DEBUG
	LKH_ADD(lk_rwmutex_is_wrlocked_by_me(&rwm) +
		lk_rwmutex_is_uplocked_by_me(&rwm));
#endif
#endif
#ifdef LATCHKIT_SEQLOCK_H
	static const lk_seqcount_t sc = LK_SEQCOUNT_INIT;
	static const lk_seqlock_t sl = LK_SEQLOCK_INIT;
	static const lk_seqlock_t sl_sh = LK_SEQLOCK_INIT_SHARED;
	LKH_ADD(lk_seqlock_is_locked(&sl) + lk_seqlock_is_locked(&sl_sh) +
		((lk_seqcount_read_begin(&sc) & 1u) != 0));
#ifdef LK_DEBUG
	LKH_ADD(lk_seqlock_is_held_by_me(&sl));
#endif
#endif
#ifdef LATCHKIT_OPTLOCK_H
	static const lk_optlock_t opt = LK_OPTLOCK_INIT;
	LKH_ADD(lk_optlock_is_locked(&opt));
#ifdef LK_DEBUG
	LKH_ADD(lk_optlock_is_held_by_me(&opt));
#endif
#endif
#ifdef LATCHKIT_SEM_H
	static const lk_sem_t sem = LK_SEM_INIT(1);
	LKH_ADD(lk_sem_value(&sem) != 0);
#endif
#ifdef LATCHKIT_ONCE_H
	static const lk_once_t once = LK_ONCE_INIT;
	LKH_ADD(lk_once_is_done(&once));
#endif
#ifdef LATCHKIT_BARRIER_H
	static const lk_barrier_t barrier = LK_BARRIER_INIT(2);
	LKH_ADD(barrier.count != 0);
#endif
#ifdef LATCHKIT_EVENT_H
	static const lk_event_t event = LK_EVENT_INIT;
	static const lk_latch_t latch = LK_LATCH_INIT(2);
	static const lk_latch_t latch_sh = LK_LATCH_INIT_SHARED(2);
	LKH_ADD(lk_event_is_set(&event) + lk_event_trywait(&event) +
		lk_latch_try_wait(&latch) + (lk_latch_count(&latch) != 0) +
		(lk_latch_count(&latch_sh) != 0));
#endif
#ifdef LATCHKIT_COND_H
	static const lk_cond_t cond = LK_COND_INIT;
	LKH_ADD(lk_cond_waiters(&cond) != 0);
#endif
#ifdef LATCHKIT_REENTRANT_H
	static const lk_rmutex_t rm = LK_RMUTEX_INIT;
	static const lk_rttas_t rt = LK_RTTAS_INIT;
	LKH_ADD(lk_rmutex_is_locked(&rm) + lk_rmutex_is_held_by_me(&rm) +
		lk_rttas_is_locked(&rt) + lk_rttas_is_held_by_me(&rt));
#endif
	return n;
}
LKH_EOF
} >"$out/all.c"
cp "$out/all.c" "$out/all.cpp"
for h in "$@"; do
	printf '#include <latchkit/%s>\nint lkh_one_header_tu;\n' "$h" >"$out/${h%.h}.c"
	cp "$out/${h%.h}.c" "$out/${h%.h}.cpp"
done

# One job per line: NAME<TAB>COMMAND.
list=$out/jobs
: >"$list"
job() { printf '%s\t%s\n' "$(echo $1)" "$2" >>"$list"; }
for dbg in "" -DLK_DEBUG; do
	for gnu in "" -D_GNU_SOURCE; do
		for thr in "" -pthread; do
			f=" $dbg $gnu $thr"
			for cc in gcc clang; do
				for std in c11 c17 gnu11; do
					# -D_GNU_SOURCE settles the features
					# whichever header comes first
					ords="after -DLKH_SYS_FIRST"
					[ -n "$gnu" ] && ords=after
					for ord in $ords; do
						[ $ord = after ] && ord=
						job "all $cc -std=$std$f $ord" \
						    "$cc -std=$std $W$f $ord -O2 -I$inc -c $out/all.c -o /dev/null"
					done
				done
			done
			for cxx in g++ clang++; do
				wx=$WXX; [ $cxx = g++ ] && wx="$wx -Wuseless-cast"
				for std in c++11 c++14 c++17 c++20; do
					job "all $cxx -std=$std$f" \
					    "$cxx -std=$std $wx$f -O2 -I$inc -c $out/all.cpp -o /dev/null"
				done
			done
		done
	done
	for h in "$@"; do
		b=${h%.h}
		for cc in gcc clang; do
			job "$h $cc -std=c11 $dbg" \
			    "$cc -std=c11 $W $dbg -I$inc -fsyntax-only $out/$b.c"
		done
		job "$h g++ -std=c++11 $dbg" \
		    "g++ -std=c++11 $WXX -Wuseless-cast $dbg -I$inc -fsyntax-only $out/$b.cpp"
		job "$h clang++ -std=c++11 $dbg" \
		    "clang++ -std=c++11 $WXX $dbg -I$inc -fsyntax-only $out/$b.cpp"
	done
done

# ThreadSanitizer builds: the annotations compile for every consumer too.
for dbg in "" -DLK_DEBUG; do
	for ann in "" -DLK_TSAN_ANNOTATE=0; do
		f=" -fsanitize=thread $dbg $ann"
		for cc in gcc clang; do
			job "all $cc -std=c11$f" \
			    "$cc -std=c11 $W$f -pthread -O2 -I$inc -c $out/all.c -o /dev/null"
		done
		for cxx in g++ clang++; do
			wx=$WXX; [ $cxx = g++ ] && wx="$wx -Wuseless-cast"
			for std in c++11 c++20; do
				job "all $cxx -std=$std$f" \
				    "$cxx -std=$std $wx$f -pthread -O2 -I$inc -c $out/all.cpp -o /dev/null"
			done
		done
	done
done
for h in "$@"; do
	b=${h%.h}
	job "$h gcc -std=c11 -fsanitize=thread" \
	    "gcc -std=c11 $W -fsanitize=thread -I$inc -fsyntax-only $out/$b.c"
	job "$h clang++ -std=c++11 -fsanitize=thread" \
	    "clang++ -std=c++11 $WXX -fsanitize=thread -I$inc -fsyntax-only $out/$b.cpp"
done

n=$(wc -l <"$list")
# Each job logs to OUT/N.log and leaves OUT/N.fail when it fails.
nl -ba -w1 -s"$(printf '\t')" "$list" |
	xargs -d '\n' -P "$jobs" -n 1 sh -c '
		IFS="	" read -r i name cmd <<EOF
$1
EOF
		$cmd >"'"$out"'/$i.log" 2>&1 || echo "$name" >"'"$out"'/$i.fail"' sh
fails=$(ls "$out" | grep -c '\.fail$')
for f in $(ls "$out" | grep '\.fail$' | sort -n); do
	i=${f%.fail}
	printf 'FAIL %s\n     %s\n' "$(cat "$out/$f")" \
		"$(grep -m1 -E 'error|warning' "$out/$i.log")"
done
echo "$((n - fails)) of $n header compilations pass"
[ "$fails" -eq 0 ]
