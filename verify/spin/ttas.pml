/*
 * ttas.pml: test-and-test-and-set spinlock (Anderson), 3 processes.
 * Models primitives/ttas.h: lk_ttas_lock (+ lk_ttas_lock_slow_),
 * lk_ttas_trylock, lk_ttas_timedlock, lk_ttas_unlock.
 *   label    atomic step                      C operation
 *   fast     atomic { old = lk; lk = 1 }      atomic_exchange_explicit(&l->word, 1, acquire) (lock, timedlock)
 *   test     (lk == 0)                        atomic_load_explicit(&l->word, relaxed) loop in lk__wait
 *   tas      atomic { old = lk; lk = 1 }      atomic_exchange_explicit(&l->word, 1, acquire), then backoff
 *   trylock  lk == 0 ?, then exchange         load(word, relaxed) || exchange(word, 1, acquire)
 *   release  lk = 0                           atomic_store_explicit(&l->word, 0, release)
 * Waiting (lk__wait) is the blocking guard at `test`; a timed lock may give
 * up there instead. Each round a process picks lock, trylock or timedlock.
 * Properties: mutual exclusion, no deadlock (safety); someone always gets
 * in again (ltl progress, weak fairness). TTAS is not starvation-free.
 * Seeded bug BUG_NO_TAS: the exchange is a plain load then store.
 */
// @check mutual-exclusion pass - safety
// @check progress pass - ltl:progress
// @check bug-test-then-store fail -DBUG_NO_TAS safety

#define N 3
bit lk;
byte incs;   /* ghost: processes in the critical section */

#ifdef BUG_NO_TAS
#define XCHG old = lk; lk = 1
#else
#define XCHG atomic { old = lk; lk = 1 }
#endif

active [N] proctype P()
{
	bit old, timed;
	do
	:: skip;
		timed = 0;
		if
		:: true -> goto fast
		:: true -> timed = 1; goto fast
		:: true /* trylock */
		fi;
		if
		:: lk == 0 -> XCHG;
			if
			:: old == 0 -> goto cs
			:: else -> goto out
			fi
		:: lk != 0 -> goto out
		fi;
fast:		XCHG;
		if
		:: old == 0 -> goto cs
		:: else
		fi;
test:		if
		:: (lk == 0)
		:: timed -> goto out
		fi;
tas:		XCHG;
		if
		:: old == 1 -> goto test
		:: else
		fi;
cs:		incs++;
		assert(incs == 1);
		incs--;
release:	lk = 0;
out:		atomic { old = 0; timed = 0 }
	od
}

/* someone always enters again: no livelock or deadlock */
ltl progress { []<> (incs == 1) }
