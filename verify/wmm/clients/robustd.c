/* verify/wmm: robust.h with a dead owner. Thread 0 locks, writes the plain
 * datum and unlocks; thread 1, once it has read thread 0's "done" (relaxed:
 * it only prunes the executions where 1 runs first), locks and dies
 * holding: it marks its id dead (robust_mock.h) and ends. Thread 2 tries
 * the lock: when it takes the word over from the dead owner (EOWNERDEAD),
 * it must see thread 0's datum, released by 0's unlock and carried by 1's
 * acquiring RMW in that unlock's release sequence to the takeover's
 * acquire (robust.h "Memory orders"). It then unlocks without making the
 * state consistent, so the lock becomes NOTRECOVERABLE, and its next try
 * says so. Every lock is a trylock, and the executions where one finds the
 * word held by a live owner (EBUSY) are dropped: the takeover is in the
 * try path too, and blocking waits with polls left GenMC undecided after
 * 250 s. */
#include "robust_mock.h"

static lk_robust_t l = LK_ROBUST_INIT;
static int datum;              /* plain: an access the latch does not order
				* is a race GenMC reports */
static atomic_int done0;       /* thread 0 has unlocked */

static void *thread(void *arg)
{
	long i = (long)arg;
	if (i == 0) {
		int r = lk_robust_trylock(&l);
		LK_WMM_ASSUME(r != EBUSY);
		assert(r == 0);
		datum = 1;
		assert(lk_robust_unlock(&l) == 0);
		atomic_store_explicit(&done0, 1, memory_order_relaxed);
	} else if (i == 1) {
		LK_WMM_ASSUME(atomic_load_explicit(&done0, memory_order_relaxed));
		int r = lk_robust_trylock(&l);
		LK_WMM_ASSUME(r != EBUSY);
		assert(r == 0); /* 0 and 2 are alive: never EOWNERDEAD */
		/* dies holding it */
		atomic_store_explicit(&lk_mock_dead_, (unsigned)lk_mock_gettid_(),
				      memory_order_relaxed);
	} else {
		int r = lk_robust_trylock(&l);
		LK_WMM_ASSUME(r != EBUSY);
		if (r == EOWNERDEAD) {
			assert(datum == 1);
			assert(lk_robust_unlock(&l) == 0); /* not consistent */
			assert(lk_robust_trylock(&l) == ENOTRECOVERABLE);
		} else {
			assert(r == 0);
			assert(lk_robust_unlock(&l) == 0);
		}
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(3, thread);
	return 0;
}
