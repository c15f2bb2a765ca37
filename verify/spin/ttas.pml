/*
 * ttas.pml: test-and-test-and-set spinlock (Anderson), 3 processes.
 * Models primitives/ttas.h: lk_ttas_lock / lk_ttas_unlock.
 *   label    atomic step                      C operation
 *   test     (lk == 0)                        atomic_load_explicit(&l->v, relaxed) == 0
 *   tas      atomic { old = lk; lk = 1 }      atomic_exchange_explicit(&l->v, 1, acquire)
 *   release  lk = 0                           atomic_store_explicit(&l->v, 0, release)
 * Waiting (lk__wait) is the blocking guard at `test`.
 * Seeded bug BUG_NO_TAS: the exchange is a plain load then store.
 */
// @check mutual-exclusion pass - safety
// @check progress pass - ltl:progress
// @check bug-test-then-store fail -DBUG_NO_TAS safety

#define N 3
bit lk;
byte incs;   /* ghost: processes in the critical section */

active [N] proctype P()
{
	bit old;
	do
	:: skip; /* a label may not open an option */
test:		(lk == 0);
#ifdef BUG_NO_TAS
		old = lk;
		lk = 1;
#else
		atomic { old = lk; lk = 1 };
#endif
		if
		:: old == 1 -> goto test
		:: else
		fi;
		incs++;
		assert(incs == 1);
		incs--;
release:	lk = 0
	od
}

/* someone always enters again: no livelock or deadlock */
ltl progress { []<> (incs == 1) }
