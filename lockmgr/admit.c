/*
 * lockmgr/admit.c: admission (ADMIT.md). While a txn waits for
 * a txn that is itself waiting (a chained wait), a begin waits before it
 * starts a txn, until no chained wait is left or admit_ns has passed.
 *
 * The word m->admit: LK__ADMIT_SLEEPERS, set by a begin before it sleeps
 * on the word, and below it
 * - on a private table, the number of chained waits under way;
 * - on a shared table, bit k for process slot k while that process has
 *   chained waits under way, counted in admit_proc[k + 1]: a process that
 *   dies takes its count and its bit with it (lk__admit_forget, run by the
 *   recovery), which one shared count could not tell apart.
 * The leave that empties the word's low bits with SLEEPERS set clears it
 * and wakes one sleeper; a begin woken that finds the gate open wakes the
 * next before it goes (the relay), so the held begins start one per
 * wake-up, in the futex queue's order, and a gate that shuts again stops
 * the relay: the rest stay asleep (the one that found it shut sets
 * SLEEPERS again, so the next opening resumes it). Waking every sleeper at
 * once started them all together and rebuilt the chains at once (ADMIT.md).
 * A private table's RMWs are relaxed: the word
 * publishes no data, only "look again"; they touch one location, whose
 * modification order is total, and the kernel compares the word and
 * sleeps as one step, so a sleeper whose bit a leaver read is woken, and
 * one that set the bit after the leaver's decrement saw that decrement
 * (its CAS expected the new count). A shared table's are seq_cst: a
 * process's bit must be set before its count can next return to 0, and
 * the count and the bit are two locations. verify/spin/admit.pml and
 * verify/tla/Admit.tla model both forms.
 *
 * A hold lasts while chained waits keep ending: admit_ns with none
 * ending lets the begin go (a chain that stands: a holder at work for
 * long, not thrashing, where chains come and go), and so does
 * LK__ADMIT_SPAN windows in all. One that lets a begin go with none ended
 * marks the gate futile: no begin is held until a chained wait next ends,
 * so a chain that stands for seconds costs the begins of unrelated txns
 * one hold, not one each. A flag beside the word, not in it: holding or
 * not changes no wake-up (the models leave it out); set late, it only
 * lets a begin through.
 */
#include "lockmgr_int.h"

/* A hold's windows in all, at most (ADMIT.md). */
#define LK__ADMIT_SPAN 64u

/* a chained wait ended: the gate holds again */
static void admit_rearm(lk_lockmgr_t *m)
{
	if (atomic_load_explicit(&m->admit_futile, memory_order_relaxed))
		atomic_store_explicit(&m->admit_futile, 0, memory_order_relaxed);
}

/* the word's low bits emptied with sleepers: let them go, n at once (1:
 * the first of a relay; INT32_MAX: every sleeper looks again) */
static void admit_open(lk_lockmgr_t *m, int n)
{
	LK__RMW_SHARED();
	atomic_fetch_and_explicit(&m->admit, ~LK__ADMIT_SLEEPERS, memory_order_relaxed);
	lk__lm_wake(&m->admit, n);
}

bool lk__admit_enter(lk_lockmgr_t *m, uint8_t proc)
{
	/* relaxed: a setting; a wait counted here is uncounted by its own
	 * leave whatever the setting is by then */
	if (!atomic_load_explicit(&m->admit_ns, memory_order_relaxed))
		return false;
	LK__RMW_SHARED();
	if (!proc) {
		atomic_fetch_add_explicit(&m->admit, 1, memory_order_relaxed);
		return true;
	}
	if (atomic_fetch_add_explicit(&m->admit_proc[proc], 1, memory_order_seq_cst) == 0) {
		LK__RMW_SHARED();
		atomic_fetch_or_explicit(&m->admit, 1u << (proc - 1), memory_order_seq_cst);
	}
	return true;
}

void lk__admit_leave(lk_lockmgr_t *m, uint8_t proc)
{
	LK__RMW_SHARED();
	atomic_fetch_add_explicit(&m->admit_leaves, 1, memory_order_relaxed);
	/* chains come and go (what the gate is for): not one that stands */
	admit_rearm(m);
	LK__RMW_SHARED();
	if (!proc) {
		uint32_t v = atomic_fetch_sub_explicit(&m->admit, 1, memory_order_relaxed);
		if (((v - 1) & LK__ADMIT_COUNT) != 0)
			return;
		/* a chained wait that begins now and a begin that sleeps on
		 * it are woken too: they look again (spurious) */
		if (v & LK__ADMIT_SLEEPERS)
			admit_open(m, 1);
		return;
	}
	if (atomic_fetch_sub_explicit(&m->admit_proc[proc], 1, memory_order_seq_cst) != 1)
		return;
	/* another chained wait of this process may have counted itself
	 * since: its bit is then cleared under it, and the gate misses it
	 * until the process's count next leaves 0 (a begin not held, never
	 * one held for nothing) */
	uint32_t bit = 1u << (proc - 1);
	LK__RMW_SHARED();
	uint32_t v = atomic_fetch_and_explicit(&m->admit, ~bit, memory_order_seq_cst);
	if ((v & ~bit & LK__ADMIT_COUNT) != 0)
		return;
	if (v & LK__ADMIT_SLEEPERS)
		admit_open(m, 1);
}

void lk__admit_forget(lk_lockmgr_t *m, uint32_t dead)
{
	for (uint32_t k = 0; k < 31; k++) {
		if (!((dead >> k) & 1u))
			continue;
		atomic_store_explicit(&m->admit_proc[k + 1], 0, memory_order_seq_cst);
		atomic_fetch_and_explicit(&m->admit, ~(1u << k), memory_order_seq_cst);
	}
	if (!(atomic_load_explicit(&m->admit, memory_order_seq_cst) & LK__ADMIT_COUNT))
		admit_rearm(m);
	/* every sleeper looks again, whatever the bits are: a dead process
	 * may have cleared SLEEPERS and died before its wake; one woken while
	 * other bits stand sets SLEEPERS again and sleeps (admit.pml) */
	admit_open(m, INT32_MAX);
}

/* The gate is closed (a chained wait was seen): sleep until none is left,
 * or until admit_ns passes with no chained wait ending (LK__ADMIT_SPAN
 * such windows at most): with many more threads than CPUs a thrashing
 * table's chains can take longer than one window to drain, while each
 * still ends now and then, and a begin let go then only rebuilds them.
 * No spin: a chain ends when txns that are not running get a CPU, and a
 * spinning begin would take it from them. A begin woken that finds the
 * gate open wakes the next sleeper (the relay: every wake-up a begin
 * spends is passed on while the gate is open). A shared table's begin
 * whose time ran out looks for dead processes: one
 * that died in a chained wait keeps the gate shut until recovered (a
 * process killed between its wake-up and its relay stops the relay: the
 * rest go when their time runs out, or at the next opening). */
void lk__admit_wait(lk_lockmgr_t *m)
{
	uint64_t max = atomic_load_explicit(&m->admit_ns, memory_order_relaxed);
	if (!max || atomic_load_explicit(&m->admit_futile, memory_order_relaxed))
		return;
	uint64_t now = lk__now_ns();
	uint64_t end = max > UINT64_MAX - now ? UINT64_MAX : now + max;
	uint64_t all = max > UINT64_MAX / LK__ADMIT_SPAN ? UINT64_MAX : max * LK__ADMIT_SPAN;
	uint64_t last = all > UINT64_MAX - now ? UINT64_MAX : now + all;
	uint32_t leaves = atomic_load_explicit(&m->admit_leaves, memory_order_relaxed);
	bool woken = false; /* returned from a sleep before its time ran out */
	for (;;) {
		uint32_t v = atomic_load_explicit(&m->admit, memory_order_relaxed);
		if (!atomic_load_explicit(&m->admit_ns, memory_order_relaxed))
			return; /* turned off while we slept: every sleeper woken */
		if (!(v & LK__ADMIT_COUNT)) {
			if (woken) /* the relay: a wake-up spent on us */
				lk__lm_wake(&m->admit, 1);
			return;
		}
		if (!(v & LK__ADMIT_SLEEPERS)) {
			LK__RMW_SHARED();
			if (!atomic_compare_exchange_weak_explicit(
				    &m->admit, &v, v | LK__ADMIT_SLEEPERS,
				    memory_order_relaxed, memory_order_relaxed))
				continue;
			v |= LK__ADMIT_SLEEPERS;
		}
		woken = m->shm ? lk__futex_wait_shared(&m->admit, v, end, LK__FUTEX_ANY)
			       : lk__futex_wait(&m->admit, v, end);
		if (!woken && (now = lk__now_ns()) >= end) {
			uint32_t l = atomic_load_explicit(&m->admit_leaves, memory_order_relaxed);
			if (l != leaves && now < last) { /* chains end: hold on */
				leaves = l;
				end = last - now < max ? last : now + max;
				continue;
			}
			if (l == leaves)
				atomic_store_explicit(&m->admit_futile, 1,
						      memory_order_relaxed);
			if (m->shm)
				lk__shm_recover(m, false); /* which rearms, if it opens */
			return;
		}
	}
}

uint32_t lk__admit_chained(lk_lockmgr_t *m)
{
	uint32_t v = atomic_load_explicit(&m->admit, memory_order_relaxed);
	if (!m->shm)
		return v & LK__ADMIT_COUNT;
	uint32_t n = 0;
	for (uint32_t k = 1; k <= 31; k++)
		n += atomic_load_explicit(&m->admit_proc[k], memory_order_relaxed);
	return n;
}

int lk_lockmgr_set_admission(lk_lockmgr_t *m, uint64_t max_wait_ns)
{
	if (!m || !lk__mgr_live(m))
		return LK_INVAL;
	/* relaxed: a setting; a begin reads it when it finds the gate closed */
	atomic_store_explicit(&m->admit_ns, max_wait_ns, memory_order_relaxed);
	if (!max_wait_ns)
		admit_open(m, INT32_MAX); /* off: every begin asleep on the gate goes now */
	return LK_OK;
}
