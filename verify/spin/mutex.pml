/*
 * mutex.pml: the spin-then-park futex mutex with starvation hand-off,
 * 3 processes. Models primitives/mutex.h: lk_mutex_lock, lk_mutex_trylock,
 * lk_mutex_timedlock, lk_mutex_lock_slow_, lk_mutex_unlock(_slow_).
 * word bits: L = LOCKED 1, W = WAITERS 2, H = HANDOFF 4.
 *   label    atomic step                                  C operation
 *   fast     atomic { word == 0 -> word = L }             CAS(word, 0, LOCKED, acquire, relaxed) (lock, trylock, timedlock)
 *   load+acq atomic { s = word; word = ns }               load(word, relaxed) then CAS_weak(word, s, s|L [|W if parked]
 *                                                         [&~H if starving], acquire), retried until it succeeds
 *   load+announce atomic { s = word; word = s|W[|H] }     load then CAS_weak(word, s, s|W [|H if starving], relaxed)
 *   park     atomic { word == s -> enqueue, sleep }       lk__futex_wait(&word, s): the kernel compares and sleeps in one step
 *   woken    (!sleeping[i])                               futex_wait returns (woken, or timed out: self-dequeue)
 *   tmo      atomic { o = word; word = word & ~H }        fetch_and(word, ~HANDOFF, relaxed) when a starving waiter times out
 *   rel      atomic { s = word; word = s & ~(L|W) }       unlock: CAS(word, L, 0) or the CAS loop of unlock_slow_
 *   wake     s & W -> wake the head of the futex queue    lk__futex_wake(&word, 1)
 * The futex wait queue is FIFO (as the kernel's, for one priority).
 * lk__wait_would_park() turns true at some iteration and stays true (a local
 * bit flipped nondeterministically). "Parked longer than 1 ms" (starving) is
 * nondeterministic in the safety checks; for the liveness checks (-DSTARVE1)
 * it becomes true on the first re-park, i.e. time passes.
 * Each "load, decide, CAS, on failure reload" loop is one atomic step: a CAS
 * that succeeds saw the word unchanged since the load, so the pair acts as
 * if done at the CAS; a failing CAS only repeats the loop (spurious failures
 * of the weak CAS too). So the liveness checks assume these retry loops are
 * lock-free (some CAS wins), not an adversary that fails one thread's CAS
 * forever. The futex sleep keeps its own step with the s it last saw.
 * P0 and P2 call lk_mutex_lock; P1 each round picks lock or timedlock
 * (timeout: any lk__wait step may return false; a timed sleeper may wake by
 * itself). trylock is the fast-path CAS alone: a failing one changes nothing
 * and a winning one is the fast path, so it adds no behaviour to model.
 * Properties: mutual exclusion, no deadlock, hand-off (while HANDOFF is set
 * only a thread that has parked acquires) (safety); no lost wakeup: a sleeper
 * is eventually woken (ltl nolost, weak fairness).
 * Known limit, checked as an expected failure (limit-handoff-not-strict-2p):
 * HANDOFF does not make the lock starvation-free. "Parked" means "has set
 * WAITERS once", not "has slept": a thread whose announce was followed by a
 * word change never sleeps, and another thread that just announced (even one
 * that then times out and retries) competes with it on equal terms, so with
 * as few as 2 threads a schedule exists where P0 starves (ltl handoff:
 * [] (want[0] -> <> cs[0]) fails under weak fairness). Fairness is in
 * practice (the starving thread usually sleeps and is woken first), not by
 * construction.
 * Seeded bugs: BUG_SPLIT_FUTEX: futex wait compares, then sleeps in a second
 * step (lost wakeup); BUG_NO_WAITERS: a thread that has parked acquires
 * without keeping WAITERS set, so the other sleepers are forgotten;
 * BUG_BARGE: the slow path ignores HANDOFF (the starving waiter can starve).
 */
// @check mutual-exclusion pass - safety
// @check no-lost-wakeup pass -DSTARVE1 ltl:nolost
// @check limit-handoff-not-strict-2p fail -DN=2,-DSTARVE1 ltl:handoff
// @check bug-split-futex-wait fail -DSTARVE1,-DBUG_SPLIT_FUTEX ltl:nolost
// @check bug-parked-acquire-drops-waiters fail -DSTARVE1,-DBUG_NO_WAITERS ltl:nolost
// @check bug-barge-past-handoff fail -DBUG_BARGE safety

#ifndef N
#define N 3
#endif
#define L 1
#define W 2
#define H 4
byte word;
bit sleeping[N];
chan futexq = [N] of { byte };
byte incs;
bool want[N], cs[N];

inline wake_one()
{
	if
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq)
	fi
}

active [N] proctype P()
{
	byte s, ns, x;
	bit parked, starving, wpark, timed;
	do
	::
		want[_pid] = true;
		timed = 0;
		if
		:: _pid == 1 -> timed = 1
		:: true
		fi;
fast:		if
		:: atomic { word == 0 -> word = L }; goto enter
		:: word != 0
		fi;
		/* lk_mutex_lock_slow_ */
		parked = 0; starving = 0; wpark = 0;
		do
		::
			/* lk__wait_would_park: false, or turns (and stays) true;
			 * "starving" depends on time only, so it is decided here */
			if
			:: wpark == 0 -> wpark = 1
			:: true
			fi;
			if
			:: wpark && parked ->
#ifdef STARVE1
				starving = 1
#else
				if :: starving = 1 :: true fi
#endif
			:: else
			fi;
load:			atomic {
				s = word;
#ifdef BUG_BARGE
				if
				:: (s & L) == 0 ->
#else
				if
				:: (s & L) == 0 && (parked || (s & H) == 0) ->
#endif
					ns = s | L;
#ifndef BUG_NO_WAITERS
					if :: parked -> ns = ns | W :: else fi;
#endif
					if :: starving -> ns = ns & ~H :: else fi;
					/* hand-off: a reserved lock goes only to a thread that has parked */
					assert((s & H) == 0 || parked);
acq:					word = ns; ns = 0;
					goto enter
				:: else
				fi;
				if
				:: wpark ->
					ns = s | W;
					if :: starving -> ns = ns | H :: else fi;
announce:				word = ns;
					s = ns; ns = 0;
					parked = 1
				:: else
				fi
			};
			/* lk__wait(&w, &word, s): a timed wait may return false */
			if
			:: timed -> goto tmout
			:: true
			fi;
			if
			:: wpark ->
#ifdef BUG_SPLIT_FUTEX
				if
				:: word == s ->
park:					atomic { futexq!_pid; sleeping[_pid] = 1 };
#else
				if
				:: /* park */ atomic { word == s -> futexq!_pid; sleeping[_pid] = 1 };
#endif
					if
					:: /* woken */ (!sleeping[_pid])
					:: atomic { timed && sleeping[_pid] -> futexq??eval(_pid); sleeping[_pid] = 0 }
					fi
				:: word != s
				fi
			:: else
			fi
		od;
tmout:		if
		:: starving ->
tmo:			atomic { s = word; word = word & ~H };
			atomic { if :: (s & (L | W)) == W -> wake_one() :: else fi; x = 0 }
		:: else
		fi;
		goto giveup;
enter:		atomic { incs++; cs[_pid] = true; want[_pid] = false };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false };
rel:		atomic { s = word; word = s & ~(L | W) };
wake:		atomic { if :: (s & W) -> wake_one() :: else fi; x = 0 };
giveup:		atomic { want[_pid] = false; s = 0; ns = 0; parked = 0; starving = 0; wpark = 0; timed = 0 }
	od
}

ltl nolost { [] (sleeping[0] -> <> !sleeping[0]) }
ltl handoff { [] (want[0] -> <> cs[0]) }
