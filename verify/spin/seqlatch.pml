/*
 * seqlatch.pml: the seqlock's writer latch (a three-state futex mutex with
 * timed waits), 3 processes, ROUNDS rounds each. seqlock.pml takes this
 * latch as one atomic step; this model checks the latch itself.
 * Models primitives/seqlock.h: lk_seqlock_write_lock / _timedlock (fast
 * CAS), lk_seqlock_latch_ (slow path and its timeout exit),
 * lk_seqlock_write_unlock. latch: 0 free, 1 held, 2 held and maybe sleepers.
 *   label    atomic step                                 C operation
 *   fast     atomic { latch == 0 -> latch = 1 }          CAS(latch, 0, 1, acquire, relaxed)
 *   hint     v = latch                                   load(latch, relaxed)
 *   take     atomic { latch == 0 -> latch = 1 or 2 }     CAS_weak(latch, 0, announced ? 2 : 1, acquire)
 *   announce atomic { v = latch; latch = 2 }             exchange(latch, 2, acquire); v == 0: taken
 *   park     atomic { latch == v -> sleep }              lk__futex_wait(&latch, v): compare and sleep in one step
 *   woken    (!sleeping[i])                              futex_wait returns (woken, or a timed sleeper's timeout)
 *   tmo      leave                                       lk__wait() returns false (deadline): return false;
 *                                                        announce ran first, so latch is 2 or the waiter got it
 *   rel      atomic { latch == 1 -> latch = 0, else v = latch }  CAS(latch, 1, 0, release / relaxed)
 *   relslow  atomic { v = latch; latch = 0 }             lk_seqlock_unlock_slow_: exchange(latch, 0, release)
 *   wake     v == 2 -> wake one sleeper                  lk__futex_wake(&latch, 1)
 * A process-shared latch carries SHARED (bit 2) in every value it stores
 * and its fast paths always fail to the slow ones; a constant bit, left
 * out here.
 * The spin/yield phases before lk__wait_would_park() are a nondeterministic
 * choice to retry without announcing. P0 uses write_timedlock: its deadline
 * may pass at any lk__wait step and its futex sleep may end by timeout.
 * The kernel wakes some sleeper (any one: covers every queue order).
 * Property (safety): mutual exclusion; no invalid end state, i.e. no writer
 * is left asleep after everyone else finished: a lost wakeup.
 * Seeded bugs: BUG_TAKE1: a waiter that announced takes the latch as 1 (the
 * code before the fix: the next unlock wakes nobody, and a sleeper strands).
 * BUG_SPLITREL: the release's fast path as a load of 1 and a store of 0
 * (two steps, not one CAS): a sleeper announced in between is never woken.
 * A timed waiter that absorbed a wake and then leaves needs no extra step:
 * once announced, every miss re-announces (stores 2) before lk__wait checks
 * the deadline, so the holder's unlock wakes the next sleeper.
 */
// @check mutual-exclusion+no-lost-wakeup pass - safety
// @check bug-announced-takes-as-1 fail -DBUG_TAKE1 safety
// @check bug-split-release fail -DBUG_SPLITREL safety

#define N 3
#ifndef ROUNDS
#define ROUNDS 2
#endif

byte latch = 0;
bool sleeping[N];
byte inside = 0;

inline wake_one() {
	atomic {
		if
		:: sleeping[0] -> sleeping[0] = false
		:: sleeping[1] -> sleeping[1] = false
		:: sleeping[2] -> sleeping[2] = false
		:: else -> skip
		fi
	}
}

active [N] proctype W()
{
	byte k = 0, v;
	bool got, announced, expired;
	bool timed = (_pid == 0);
	do
	:: k == ROUNDS -> break
	:: k < ROUNDS ->
		got = false; announced = false; expired = false;
		atomic { if :: latch == 0 -> latch = 1; got = true :: else -> skip fi };
		do
		:: got -> break
		:: !got && expired -> break
		:: !got && !expired ->
			v = latch;
			if
			:: v == 0 ->
#ifdef BUG_TAKE1
				atomic { if :: latch == 0 -> latch = 1; got = true :: else -> skip fi }
#else
				atomic { if :: latch == 0 -> latch = (announced -> 2 : 1); got = true :: else -> skip fi }
#endif
			:: v != 0 ->
				if
				:: !announced -> skip	/* still spinning or yielding; would_park, once true, stays true */
				:: atomic { v = latch; latch = 2 };
					if
					:: v == 0 -> got = true
					:: else -> announced = true; v = 2
					fi
				fi;
				if
				:: !got && timed -> expired = true	/* deadline passed */
				:: !got && announced ->
					atomic { if :: latch == v -> sleeping[_pid] = true :: else -> skip fi };
					if
					:: !sleeping[_pid] -> skip
					:: timed -> atomic { sleeping[_pid] = false }	/* futex timeout */
					fi
				:: else -> skip
				fi
			fi
		od;
		if
		:: got ->
			inside++;
			assert(inside == 1);
			inside--;
#ifdef BUG_SPLITREL
			v = latch;
			if :: v == 1 -> latch = 0 :: else -> skip fi;
#else
			atomic { if :: latch == 1 -> latch = 0; v = 1 :: else -> v = latch fi };
#endif
			if
			:: v != 1 -> atomic { v = latch; latch = 0 }	/* the slow path's exchange */
			:: else -> skip
			fi;
			if :: v == 2 -> wake_one() :: else -> skip fi
		:: else -> skip	/* timed out: return false */
		fi;
		k++
	od
}
