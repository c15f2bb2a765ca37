/*
 * latchkit/rwlock.h: a writer-preferring spinning reader-writer latch in one
 * 32-bit word.
 *
 * Algorithm: the classic counter-and-flag RW spinlock (Mellor-Crummey and
 * Scott, "Scalable reader-writer synchronization for shared-memory
 * multiprocessors", PPoPP 1991, section 2: the centralized writer-preference
 * lock), with the writer-waiting flag widened into a count so that several
 * waiting writers (and a timed one that withdraws) stay exact.
 *
 *   bit 0        WR    a writer holds the latch
 *   bits 1..11   WW    writers waiting (at most 2047 counted; more still wait,
 *                      uncounted, and only lose their preference)
 *   bits 12..31  RD    readers inside (at most 2^20 - 1)
 *
 * Progress and fairness: deadlock-free. Writers are preferred: a reader does
 * not enter while a writer holds or waits, so a steady stream of writers can
 * starve readers. A waiting writer is not starved by readers, timed ones
 * included: rdtimedlock looks before it adds, and a reader that finds a
 * writer in or waiting waits without touching RD, so RD drains. (rdlock
 * adds optimistically and undoes at most once per call: it then waits.) Writers among themselves race (no FIFO). Waiting spins
 * through lk__wait() with no futex word (a spinning latch: it never parks,
 * and an unlock never makes a system call).
 *
 * Process-shared: yes, as it is: one word, no pointer, never parks.
 *
 * Size: 4 bytes (16 with LK_DEBUG: the write owner for misuse checks).
 *
 * Memory order:
 *   rdlock     fetch_add RD   acquire: the reader must see the last writer's
 *                             data; the add itself is the read admission.
 *   rdtimedlock load first    relaxed: only decides whether to add at all.
 *              undo fetch_sub relaxed: a reader that backs off read nothing.
 *   rdunlock   fetch_sub RD   release: publishes the end of its reads to the
 *                             writer that next sees RD == 0.
 *   wrlock     CAS 0 -> WR / CAS (WW, no RD) -> WR   acquire: pairs with the
 *                             releases of the last readers and writer.
 *                             GenMC: relaxed, each of the three is caught
 *                             under RC11 and IMM with two writers (a stale
 *                             read of the last writer's data).
 *              fetch_add/sub WW relaxed: only a gate for readers; no data.
 *   wrunlock   fetch_sub WR   release: publishes the writer's data.
 *   waits      load           relaxed: only a hint; the CAS/fetch_add that
 *                             follows carries the ordering.
 *   is_*locked load           relaxed: a hint that orders nothing; exact
 *                             about the caller's own hold by coherence (its
 *                             WR bit or RD count stays until it unlocks).
 */
#ifndef LATCHKIT_RWLOCK_H
#define LATCHKIT_RWLOCK_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK__RWL_WR 1u
#define LK__RWL_WW1 2u
#define LK__RWL_WWMASK 0xffeu
#define LK__RWL_RD1 0x1000u
#define LK__RWL_RDMASK 0xfffff000u

typedef struct {
	LK_ATOMIC(uint32_t) word;
	LK__OWNER_FIELD /* write owner, 0 when none */
} lk_rwlock_t;

#define LK_RWLOCK_INIT {LK__AINIT(0) LK__OWNER_INIT}

static inline void lk_rwlock_init(lk_rwlock_t *l)
{
	atomic_store_explicit(&l->word, 0u, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* ---- readers ------------------------------------------------------------ */

/* Enter as a reader once no writer holds or waits; deadline 0: none.
 * added: the caller's optimistic RD1 is in the word and must come out. */
LK__COLD bool lk__rwl_rdslow_(lk_rwlock_t *l, uint64_t deadline,
			      bool added)
{
	/* Back out the optimistic add: a writer holds or waits. */
	if (added)
		atomic_fetch_sub_explicit(&l->word, LK__RWL_RD1,
					  memory_order_relaxed);
	lk__wait_t w = lk__wait_start(deadline);
	for (;;) {
		uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
		if (!(v & (LK__RWL_WR | LK__RWL_WWMASK))) {
			/* acquire: see the writer's data (pairs with wrunlock). */
			if (atomic_compare_exchange_weak_explicit(
				    &l->word, &v, v + LK__RWL_RD1,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (!lk__wait(&w, NULL, 0))
			return false;
	}
}

static inline void lk_rwlock_rdlock(lk_rwlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD);
	lk__owner_check_wrrelock(&l->owner_, "lk_rwlock_rdlock");
	/* acquire: admission; see the last writer's data. */
	uint32_t o = atomic_fetch_add_explicit(&l->word, LK__RWL_RD1,
					       memory_order_acquire);
	if (lk__likely(!(o & (LK__RWL_WR | LK__RWL_WWMASK)))) {
		lk__tsan_post_lock(l, LK__TSAN_RD, true);
		return;
	}
	lk__rwl_rdslow_(l, 0, true);
	lk__tsan_post_lock(l, LK__TSAN_RD, true);
}

static inline bool lk_rwlock_rdtrylock(lk_rwlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TRY);
	lk__owner_check_wrrelock(&l->owner_, "lk_rwlock_rdtrylock");
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	while (!(v & (LK__RWL_WR | LK__RWL_WWMASK))) {
		/* acquire: as rdlock. A failed CAS reloads v; retry only while
		 * the latch is still free of writers. */
		if (atomic_compare_exchange_weak_explicit(
			    &l->word, &v, v + LK__RWL_RD1, memory_order_acquire,
			    memory_order_relaxed)) {
			lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, true);
			return true;
		}
	}
	lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, false);
	return false;
}

static inline bool lk_rwlock_rdtimedlock(lk_rwlock_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TIMED);
	lk__owner_check_wrrelock(&l->owner_, "lk_rwlock_rdtimedlock");
	/* Look before adding: a timed reader that added, timed out and came
	 * back would make RD flicker, and a waiting writer that needs to see
	 * RD == 0 could starve. With a writer in or waiting, wait without
	 * touching RD. relaxed: only a hint; the add below carries acquire. */
	uint32_t o = atomic_load_explicit(&l->word, memory_order_relaxed);
	if (lk__unlikely(o & (LK__RWL_WR | LK__RWL_WWMASK)))
		return lk__tsan_locked(
			l, LK__TSAN_RD | LK__TSAN_TIMED,
			lk__rwl_rdslow_(l, lk__deadline(timeout_ns), false));
	o = atomic_fetch_add_explicit(&l->word, LK__RWL_RD1,
				      memory_order_acquire);
	if (lk__likely(!(o & (LK__RWL_WR | LK__RWL_WWMASK)))) {
		lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TIMED, true);
		return true;
	}
	/* A writer came between the look and the add: undo once, then wait
	 * without touching RD. */
	return lk__tsan_locked(
		l, LK__TSAN_RD | LK__TSAN_TIMED,
		lk__rwl_rdslow_(l, lk__deadline(timeout_ns), true));
}

static inline void lk_rwlock_rdunlock(lk_rwlock_t *l)
{
	lk__tsan_pre_unlock(l, LK__TSAN_RD);
	/* release: the reads happen before the next writer's entry. */
	uint32_t o = atomic_fetch_sub_explicit(&l->word, LK__RWL_RD1,
					       memory_order_release);
	LK__CHECK((o & LK__RWL_RDMASK) != 0, "lk_rwlock_rdunlock",
		  (o & LK__RWL_WR) ? "read-unlock of a latch held for writing"
				   : "read-unlock of a latch not read-locked");
	(void)o;
	lk__tsan_post_unlock(l, LK__TSAN_RD);
}

/* ---- writers ------------------------------------------------------------ */

LK__COLD bool lk__rwl_wrslow_(lk_rwlock_t *l, uint64_t deadline)
{
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	/* Announce: readers stop entering. relaxed: a gate, no data. A full
	 * count leaves this writer waiting uncounted. */
	uint32_t ww = 0;
	if ((v & LK__RWL_WWMASK) != LK__RWL_WWMASK) {
		atomic_fetch_add_explicit(&l->word, LK__RWL_WW1,
					  memory_order_relaxed);
		ww = LK__RWL_WW1;
	}
	lk__wait_t w = lk__wait_start(deadline);
	for (;;) {
		v = atomic_load_explicit(&l->word, memory_order_relaxed);
		if (!(v & (LK__RWL_WR | LK__RWL_RDMASK))) {
			/* acquire: pairs with the last unlocks' releases. */
			if (atomic_compare_exchange_weak_explicit(
				    &l->word, &v, (v - ww) | LK__RWL_WR,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (!lk__wait(&w, NULL, 0)) {
			if (ww) /* withdraw; relaxed as the announce */
				atomic_fetch_sub_explicit(&l->word, ww,
							  memory_order_relaxed);
			return false;
		}
	}
}

static inline void lk_rwlock_wrlock(lk_rwlock_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_wrrelock(&l->owner_, "lk_rwlock_wrlock");
	uint32_t v = 0;
	/* acquire: pairs with the last unlock's release. */
	if (!atomic_compare_exchange_strong_explicit(&l->word, &v, LK__RWL_WR,
						     memory_order_acquire,
						     memory_order_relaxed))
		lk__rwl_wrslow_(l, 0);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_rwlock_wrtrylock(lk_rwlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_wrrelock(&l->owner_, "lk_rwlock_wrtrylock");
	uint32_t v = 0;
	/* acquire: as wrlock. Fails while anyone holds or a writer waits. */
	if (!atomic_compare_exchange_strong_explicit(&l->word, &v, LK__RWL_WR,
						     memory_order_acquire,
						     memory_order_relaxed)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_rwlock_wrtimedlock(lk_rwlock_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk__owner_check_wrrelock(&l->owner_, "lk_rwlock_wrtimedlock");
	uint32_t v = 0;
	if (!atomic_compare_exchange_strong_explicit(&l->word, &v, LK__RWL_WR,
						     memory_order_acquire,
						     memory_order_relaxed) &&
	    !lk__rwl_wrslow_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_rwlock_wrunlock(lk_rwlock_t *l)
{
	lk__tsan_pre_unlock(l, 0);
#ifdef LK_DEBUG
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	LK__CHECK(v & LK__RWL_WR, "lk_rwlock_wrunlock",
		  (v & LK__RWL_RDMASK) ? "write-unlock of a latch held for reading"
				       : "write-unlock of a latch not write-locked");
	lk__owner_wrrelease(&l->owner_, "lk_rwlock_wrunlock");
#endif
	/* release: publishes the writer's data. Only WR is ours to clear;
	 * readers' undo and writers' WW counts move concurrently. */
	atomic_fetch_sub_explicit(&l->word, LK__RWL_WR, memory_order_release);
	lk__tsan_post_unlock(l, 0);
}

/* ---- queries: racy hints, for assertions ---------------------------------
 *
 * assert(lk_rwlock_is_wrlocked(&l)) in code that must hold it for writing,
 * assert(lk_rwlock_is_locked(&l)) where reading suffices. Each is exact about
 * the caller's own hold: true while the caller holds it so, false while nobody
 * holds it. About other threads it may be stale when it returns; and while a
 * latch changes hands it may read either way: a reader arriving while a writer
 * holds or waits counts in RD for a moment before it backs off.
 */

/* Held in any mode: a writer, or readers. */
static inline bool lk_rwlock_is_locked(const lk_rwlock_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		(LK__RWL_WR | LK__RWL_RDMASK)) != 0;
}

/* Held for writing. */
static inline bool lk_rwlock_is_wrlocked(const lk_rwlock_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		LK__RWL_WR) != 0;
}

/* Held for reading, by one reader or more. */
static inline bool lk_rwlock_is_rdlocked(const lk_rwlock_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		LK__RWL_RDMASK) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it for writing? Exact.
 * (Readers are not tracked.) */
static inline bool lk_rwlock_is_wrlocked_by_me(const lk_rwlock_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_RWLOCK_H */
