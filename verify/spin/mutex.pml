/*
 * mutex.pml: the spin-then-park futex mutex with starvation hand-off,
 * 3 processes. Models primitives/mutex.h: lk_mutex_lock, lk_mutex_trylock,
 * lk_mutex_timedlock, lk_mutex_lock_slow_, lk_mutex_unlock(_slow_).
 * word bits: L = LOCKED 1, W = WAITERS 2, H = HANDOFF 4.
 *   label    atomic step                                  C operation
 *   fast     atomic { word == 0 -> word = L }             CAS(word, 0, LOCKED, acquire, relaxed) (lock, trylock, timedlock)
 *   load+acq atomic { s = word; word = ns }               load(word, relaxed) then, if !L and (heir or !H),
 *                                                         CAS_weak(word, s, s|L [|W if parked] [&~H if heir], acquire),
 *                                                         retried until it succeeds
 *   load+announce atomic { s = word; word = s|W[|H] }     load then CAS_weak(word, s, s|W [|H if starving and H clear:
 *                                                         the claim, heir = true], relaxed)
 *   park     atomic { word == s -> enqueue, sleep }       lk__futex_wait(&word, s): the kernel compares and sleeps in one step
 *   woken    (!sleeping[i])                               futex_wait returns (woken, or timed out: self-dequeue)
 *   tmo      atomic { o = word; word = word & ~H }        fetch_and(word, ~HANDOFF, relaxed) when the heir times out
 *            !(o & L) -> wake every sleeper               lk__futex_wake(&word, INT32_MAX)
 *   rel      atomic { s = word; word = s & ~(L|W) }       unlock: CAS(word, L, 0) or the CAS loop of unlock_slow_
 *   wake     s & W, no H -> wake the futex queue's head   lk__futex_wake(&word, 1)
 *            s & W, H -> wake the heir if it sleeps,      lk__futex_wake_bits(&word, 1, STARVING): only the heir
 *            and the first other sleeper              parks with that bit (ghost heirp names it); then
 *                                                         lk__futex_wake_bits(&word, 1, NORMAL)
 * The futex wait queue is FIFO (as the kernel's, for one priority).
 * lk__wait_would_park() turns true at some iteration and stays true (a local
 * bit flipped nondeterministically). For the hand-off checks (-DSPIN_BOUND)
 * it turns true after at most one spin step, as the C spin phase is bounded
 * (a time budget, lk__wait): otherwise Spin starves a thread that never stops
 * spinning, which says nothing about hand-off. "Parked longer than 1 ms" (starving) is
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
 * only the heir acquires) (safety); no lost wakeup: a sleeper
 * is eventually woken (ltl nolost, weak fairness).
 * Hand-off (ltl handoff: [] (want[0] -> <> cs[0]), weak fairness): only
 * one starving waiter holds the HANDOFF claim (the heir); while H is set
 * nobody else acquires, and unlock wakes the heir. With 2 threads that makes
 * P0 starvation-free (check handoff-strict-2p). Seeded bug BUG_ANY_STARVING:
 * the old rule (any starving waiter may take a reserved lock, starving
 * sleepers all park with the STARVING bit): P0 can starve (fails).
 * With 3 threads (check handoff-3p, expected to fail, a documented limit)
 * P0 can keep losing the claim to P1 and P2 in turn: in C each of them
 * must have waited LK_MUTEX_HANDOFF_NS first, and then gets the lock.
 * Seeded bugs: BUG_SPLIT_FUTEX: futex wait compares, then sleeps in a second
 * step (lost wakeup); BUG_NO_WAITERS: a thread that has parked acquires
 * without keeping WAITERS set, so the other sleepers are forgotten;
 * BUG_BARGE: the slow path ignores HANDOFF (a non-heir takes a reserved lock).
 */
// @check mutual-exclusion pass - safety
// @check no-lost-wakeup pass -DSTARVE1 ltl:nolost
// @check handoff-strict-2p pass -DN=2,-DSTARVE1,-DSPIN_BOUND ltl:handoff
// @check bug-any-starving-takes-handoff-2p fail -DN=2,-DSTARVE1,-DSPIN_BOUND,-DBUG_ANY_STARVING ltl:handoff
// @check limit-handoff-3p fail -DSTARVE1,-DSPIN_BOUND ltl:handoff
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
byte heirp = N;          /* ghost: the heir's pid (N: none); unlock's bitset wake reaches it */
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

inline wake_all()
{
	do
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq) -> break
	od
}

/* unlock in hand-off mode: futex_wake_bits(STARVING, 1) */
inline wake_heir()
{
#ifdef BUG_ANY_STARVING
	/* old code: every starving sleeper parked with the STARVING bit;
	 * the kernel wakes the first such in queue order */
	if
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq)
	fi
#else
	if
	:: heirp < N && sleeping[heirp] -> futexq??eval(heirp); sleeping[heirp] = 0
	:: else
	fi
#endif
}

active [N] proctype P()
{
	byte s, ns, x;
	bit parked, starving, wpark, timed, heir, spun;
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
		parked = 0; starving = 0; wpark = 0; heir = 0; spun = 0;
		do
		::
			/* lk__wait_would_park: false, or turns (and stays) true;
			 * "starving" depends on time only, so it is decided here */
			if
			:: wpark == 0 -> wpark = 1
#ifdef SPIN_BOUND
			:: wpark == 0 && spun == 0 -> spun = 1 /* a spin step; the phase is bounded */
			:: wpark == 1 -> skip
#else
			:: true
#endif
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
#if defined(BUG_BARGE)
				if
				:: (s & L) == 0 ->
#elif defined(BUG_ANY_STARVING)
				if
				:: (s & L) == 0 && (starving || (s & H) == 0) ->
#else
				if
				:: (s & L) == 0 && (heir || (s & H) == 0) ->
#endif
					ns = s | L;
#ifndef BUG_NO_WAITERS
					if :: parked -> ns = ns | W :: else fi;
#endif
#ifdef BUG_ANY_STARVING
					if :: starving -> ns = ns & ~H :: else fi;
					assert((s & H) == 0 || starving);
#else
					if :: heir -> ns = ns & ~H; heirp = N :: else fi;
					/* hand-off: a reserved lock goes only to the heir */
					assert((s & H) == 0 || heir);
#endif
acq:					word = ns; ns = 0;
					goto enter
				:: else
				fi;
				if
				:: wpark ->
					ns = s | W;
#ifdef BUG_ANY_STARVING
					if :: starving -> ns = ns | H :: else fi;
#else
					/* claim: only while nobody holds it */
					if
					:: starving && (s & H) == 0 -> ns = ns | H; heir = 1; heirp = _pid
					:: else
					fi;
#endif
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
#ifdef BUG_ANY_STARVING
		:: starving ->
#else
		:: heir -> heirp = N;
#endif
tmo:			atomic { s = word; word = word & ~H };
#ifdef BUG_ANY_STARVING
			atomic { if :: (s & (L | W)) == W -> wake_one() :: else fi; x = 0 }
#else
			/* an H-mode unlock may have cleared W for sleepers the
			 * heir was to wake on: with the lock free, wake all */
			atomic { if :: (s & L) == 0 -> wake_all() :: else fi; x = 0 }
#endif
		:: else
		fi;
		goto giveup;
enter:		atomic { incs++; cs[_pid] = true; want[_pid] = false };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false };
rel:		atomic { s = word; word = s & ~(L | W) };
wake:		atomic {
			if
#ifdef BUG_ANY_STARVING
			:: (s & W) && (s & H) -> wake_heir()
#else
			:: (s & W) && (s & H) -> wake_heir(); wake_one()
#endif
			:: (s & W) && !(s & H) -> wake_one()
			:: else
			fi;
			x = 0
		};
giveup:		atomic { want[_pid] = false; s = 0; ns = 0; parked = 0; starving = 0; wpark = 0; timed = 0; heir = 0; spun = 0 }
	od
}

ltl nolost { [] (sleeping[0] -> <> !sleeping[0]) }
ltl handoff { [] (want[0] -> <> cs[0]) }
