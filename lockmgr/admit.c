/*
 * lockmgr/admit.c: admission (README "Admission"). While a txn waits for
 * a txn that is itself waiting (a chained wait), a begin waits before it
 * starts a txn, until no chained wait is left or admit_ns has passed.
 *
 * The word m->admit: the number of chained waits under way, and
 * LK__ADMIT_SLEEPERS, set by a begin before it sleeps on the word. A wait
 * that leaves the count at 0 with the bit set clears it and wakes every
 * sleeper. All relaxed: the word publishes no data, only "look again";
 * the RMWs on it are ordered among themselves (one location), and the
 * kernel compares the word and sleeps as one step, so a sleeper whose
 * bit a leaver read is woken, and one that set the bit after the leaver's
 * decrement saw that decrement (its CAS expected the new count).
 * verify/spin/admit.pml and verify/tla/Admit.tla model the protocol.
 */
#include "lockmgr_int.h"

bool lk__admit_enter(lk_lockmgr_t *m)
{
	/* relaxed: a setting; a wait counted here is uncounted by its own
	 * leave whatever the setting is by then */
	if (!atomic_load_explicit(&m->admit_ns, memory_order_relaxed))
		return false;
	LK__RMW_SHARED();
	atomic_fetch_add_explicit(&m->admit, 1, memory_order_relaxed);
	return true;
}

void lk__admit_leave(lk_lockmgr_t *m)
{
	LK__RMW_SHARED();
	uint32_t v = atomic_fetch_sub_explicit(&m->admit, 1, memory_order_relaxed);
	if ((v & LK__ADMIT_SLEEPERS) && ((v - 1) & LK__ADMIT_COUNT) == 0) {
		/* a chained wait that begins now and a begin that sleeps on
		 * it are woken too: they look again (spurious) */
		LK__RMW_SHARED();
		atomic_fetch_and_explicit(&m->admit, ~LK__ADMIT_SLEEPERS,
					  memory_order_relaxed);
		lk__futex_wake(&m->admit, INT32_MAX);
	}
}

/* The gate is closed (a chained wait was seen): sleep until none is left,
 * or admit_ns from now. No spin: a chain ends when txns that are not
 * running get a CPU, and a spinning begin would take it from them. */
void lk__admit_wait(lk_lockmgr_t *m)
{
	uint64_t max = atomic_load_explicit(&m->admit_ns, memory_order_relaxed);
	if (!max)
		return;
	uint64_t now = lk__now_ns();
	uint64_t end = max > UINT64_MAX - now ? UINT64_MAX : now + max;
	for (;;) {
		uint32_t v = atomic_load_explicit(&m->admit, memory_order_relaxed);
		if (!(v & LK__ADMIT_COUNT) ||
		    !atomic_load_explicit(&m->admit_ns, memory_order_relaxed))
			return; /* open, or turned off while we slept */
		if (!(v & LK__ADMIT_SLEEPERS)) {
			LK__RMW_SHARED();
			if (!atomic_compare_exchange_weak_explicit(
				    &m->admit, &v, v | LK__ADMIT_SLEEPERS,
				    memory_order_relaxed, memory_order_relaxed))
				continue;
			v |= LK__ADMIT_SLEEPERS;
		}
		if (!lk__futex_wait(&m->admit, v, end) && lk__now_ns() >= end)
			return;
	}
}

uint32_t lk__admit_chained(lk_lockmgr_t *m)
{
	return atomic_load_explicit(&m->admit, memory_order_relaxed) & LK__ADMIT_COUNT;
}

int lk_lockmgr_set_admission(lk_lockmgr_t *m, uint64_t max_wait_ns)
{
	if (!m || !lk__mgr_live(m) || (m->shm && max_wait_ns))
		return LK_INVAL;
	/* relaxed: a setting; a begin reads it when it finds the gate closed */
	atomic_store_explicit(&m->admit_ns, max_wait_ns, memory_order_relaxed);
	if (!max_wait_ns) {
		/* off: a begin asleep on the gate goes now (it reads 0) */
		LK__RMW_SHARED();
		atomic_fetch_and_explicit(&m->admit, ~LK__ADMIT_SLEEPERS,
					  memory_order_relaxed);
		lk__futex_wake(&m->admit, INT32_MAX);
	}
	return LK_OK;
}
