/*
 * latchkit/brlock.h: a big-reader ("brlock") reader-writer latch for
 * read-mostly data.
 *
 * Algorithm: the big-reader lock ("brlock") of Linux 2.4,
 * in the distributed form of Hsieh and Weihl, "Scalable reader-writer locks
 * for parallel systems", IPPS 1992: every reader counts itself in a stripe of
 * its own, on its own cache line; a writer raises one writer flag, then sweeps
 * all stripes and waits for each to drain. A reader touches only its stripe
 * and reads the (shared, rarely written) flag line, so reads scale with cores:
 * no cache line is written by two readers of different stripes.
 *
 * Stripes: LK_BRLOCK_STRIPES (compile-time, default 64, a power of two).
 * A thread gets its stripe on first use, round-robin over all brlocks of the
 * program, and keeps it: up to LK_BRLOCK_STRIPES threads never share one.
 * The stripe (as a byte offset) lives in one weak thread-local shared by every
 * translation unit, so a read-lock in one file and its unlock in another
 * agree.
 *
 * Progress and fairness: deadlock-free; writer-preferring: a reader does not
 * enter while the flag is up, so writers can starve readers (acceptable for
 * read-mostly data, which is the point of this latch). Writers race for the
 * flag (no FIFO). Spinning only (lk__wait() with no futex word).
 *
 * Process-shared: yes, as it is: no pointer and no futex (it spins, then
 * naps). Stripes are per-thread counters: threads of two processes that
 * draw the same stripe only share its line.
 *
 * Size: (LK_BRLOCK_STRIPES + 1) * LK_CACHELINE bytes: 4160 with the defaults.
 * It is large by design; embed it in nothing that is copied or packed tight.
 * With LK_DEBUG, the flag line also holds the write owner (same size).
 *
 * Memory order: reader and writer meet in a Dekker pattern (the reader
 * stores its count then loads the flag; the writer stores the flag then loads
 * the counts), which needs store-to-load order on both sides: seq_cst.
 *   rdlock    fetch_add stripe +1   seq_cst (Dekker; also acquire)
 *             load flag             seq_cst (Dekker; also acquire: pairs
 *                                   with wrunlock's release)
 *             fetch_sub stripe (undo) relaxed: backing off, we read nothing
 *   rdunlock  fetch_sub stripe -1   release: reads before the writer's entry
 *   wrlock    CAS flag 0 -> 1       seq_cst (Dekker)
 *             load stripe (sweep)   seq_cst (Dekker; also acquire: pairs
 *                                   with rdunlock's release)
 *   wrunlock  store flag 0          release: publishes the writer's data
 *   is_*locked load flag, stripes   relaxed: a hint that orders nothing;
 *                                   exact about the caller's own hold by
 *                                   coherence (its flag or its stripe's
 *                                   count stays up until it unlocks)
 */
#ifndef LATCHKIT_BRLOCK_H
#define LATCHKIT_BRLOCK_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_BRLOCK_STRIPES
#define LK_BRLOCK_STRIPES 64
#endif
#if (LK_BRLOCK_STRIPES & (LK_BRLOCK_STRIPES - 1)) != 0 || LK_BRLOCK_STRIPES < 1
#error "LK_BRLOCK_STRIPES must be a power of two"
#endif

typedef struct {
	LK_ATOMIC(uint32_t) n; /* readers of this stripe inside */
	char pad_[LK_CACHELINE - sizeof(uint32_t)];
} LK_CACHE_ALIGNED lk__brstripe_t;

typedef struct {
	struct {
		LK_ATOMIC(uint32_t) flag; /* 1: a writer holds or drains */
		LK__OWNER_FIELD
	} LK_CACHE_ALIGNED w;
	lk__brstripe_t stripe[LK_BRLOCK_STRIPES];
} lk_brlock_t;

/* Zero is the free state; the braces give each member its zero. */
#define LK_BRLOCK_INIT {}
#ifndef __cplusplus
#undef LK_BRLOCK_INIT
#define LK_BRLOCK_INIT {{0}, {{0}}}
#endif

/* Shared by all translation units (weak): the next stripe to hand out, and
 * the calling thread's stripe as a byte offset in lk_brlock_t (0: none yet). */
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__brlock_next_;
LK__PROGRAM_WIDE LK_THREAD_LOCAL uint32_t lk__brlock_slot_;

static inline void lk_brlock_init(lk_brlock_t *l)
{
	atomic_store_explicit(&l->w.flag, 0u, memory_order_relaxed);
	lk__owner_clear(&l->w.owner_);
	for (int i = 0; i < LK_BRLOCK_STRIPES; i++)
		atomic_store_explicit(&l->stripe[i].n, 0u,
				      memory_order_relaxed);
	lk__tsan_init(l);
}

/* The thread's stripe, as its byte offset in lk_brlock_t (never 0: the
 * flag line comes first), so that finding it is one add. */
LK__COLD uint32_t lk__br_assign_(void)
{
	/* relaxed: a unique number is all we need. */
	uint32_t i = atomic_fetch_add_explicit(&lk__brlock_next_, 1u,
					       memory_order_relaxed) %
		     LK_BRLOCK_STRIPES;
	uint32_t s = LK__CAST(uint32_t, offsetof(lk_brlock_t, stripe) +
					    i * sizeof(lk__brstripe_t));
	lk__brlock_slot_ = s;
	return s;
}

static inline LK_ATOMIC(uint32_t) *lk__br_at_(lk_brlock_t *l, uint32_t s)
{
	return &LK__PTR_CAST(lk__brstripe_t *,
			     LK__PTR_CAST(void *, LK__PTR_CAST(char *, l) + s))
			->n;
}

static inline LK_ATOMIC(uint32_t) *lk__br_mine_(lk_brlock_t *l)
{
	uint32_t s = lk__brlock_slot_;
	if (lk__unlikely(s == 0))
		s = lk__br_assign_();
	return lk__br_at_(l, s);
}

/* ---- readers ------------------------------------------------------------ */

/* A writer is in or draining: back off and retry once the flag is down. */
LK__COLD bool lk__br_rdslow_(lk_brlock_t *l,
			     LK_ATOMIC(uint32_t) *n,
			     uint64_t deadline, bool try_)
{
	lk__wait_t w = lk__wait_start(deadline);
	for (;;) {
		/* relaxed: backing off, we read nothing. */
		atomic_fetch_sub_explicit(n, 1u, memory_order_relaxed);
		if (try_)
			return false;
		do {
			if (!lk__wait(&w, NULL, 0))
				return false;
		} while (atomic_load_explicit(&l->w.flag, memory_order_relaxed));
		/* seq_cst: as in lk__br_rdlock_ (Dekker). */
		atomic_fetch_add_explicit(n, 1u, memory_order_seq_cst);
		if (!atomic_load_explicit(&l->w.flag, memory_order_seq_cst))
			return true;
	}
}

static inline bool lk__br_rdlock_(lk_brlock_t *l, uint64_t deadline, bool try_)
{
	LK_ATOMIC(uint32_t) *n = lk__br_mine_(l);
	/* seq_cst: count ourselves in, then look at the flag (Dekker). */
	atomic_fetch_add_explicit(n, 1u, memory_order_seq_cst);
	if (lk__likely(!atomic_load_explicit(&l->w.flag, memory_order_seq_cst)))
		return true;
	return lk__br_rdslow_(l, n, deadline, try_);
}

static inline void lk_brlock_rdlock(lk_brlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD);
	lk__owner_check_wrrelock(&l->w.owner_, "lk_brlock_rdlock");
	lk__br_rdlock_(l, 0, false);
	lk__tsan_post_lock(l, LK__TSAN_RD, true);
}

static inline bool lk_brlock_rdtrylock(lk_brlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TRY);
	lk__owner_check_wrrelock(&l->w.owner_, "lk_brlock_rdtrylock");
	return lk__tsan_locked(l, LK__TSAN_RD | LK__TSAN_TRY,
			       lk__br_rdlock_(l, 0, true));
}

static inline bool lk_brlock_rdtimedlock(lk_brlock_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TIMED);
	lk__owner_check_wrrelock(&l->w.owner_, "lk_brlock_rdtimedlock");
	return lk__tsan_locked(
		l, LK__TSAN_RD | LK__TSAN_TIMED,
		lk__br_rdlock_(l, lk__deadline(timeout_ns), false));
}

static inline void lk_brlock_rdunlock(lk_brlock_t *l)
{
	lk__tsan_pre_unlock(l, LK__TSAN_RD);
	/* A reader has its stripe already (0 here: no read lock; LK_DEBUG
	 * reports it below as the stripe's count of 0 would). */
	uint32_t s = lk__brlock_slot_;
	LK__CHECK(s != 0, "lk_brlock_rdunlock",
		  "read-unlock of a latch not read-locked");
	LK_ATOMIC(uint32_t) *n = lk__br_at_(l, s);
	/* release: our reads happen before the writer that sees us gone. */
	uint32_t o = atomic_fetch_sub_explicit(n, 1u, memory_order_release);
	LK__CHECK(o != 0, "lk_brlock_rdunlock",
		  "read-unlock of a latch not read-locked");
	(void)o;
	lk__tsan_post_unlock(l, LK__TSAN_RD);
}

/* ---- writers ------------------------------------------------------------ */

static inline bool lk__br_wrlock_(lk_brlock_t *l, uint64_t deadline, bool try_)
{
	lk__wait_t w = lk__wait_start(deadline);
	for (;;) {
		uint32_t z = 0;
		/* seq_cst: raise the flag, then sweep the stripes (Dekker). */
		if (atomic_compare_exchange_weak_explicit(
			    &l->w.flag, &z, 1u, memory_order_seq_cst,
			    memory_order_relaxed))
			break;
		if (try_ || !lk__wait(&w, NULL, 0))
			return false;
	}
	for (int i = 0; i < LK_BRLOCK_STRIPES; i++) {
		/* seq_cst: Dekker with the readers; acquire for their reads. */
		while (atomic_load_explicit(&l->stripe[i].n,
					    memory_order_seq_cst) != 0) {
			if (try_ || !lk__wait(&w, NULL, 0)) {
				/* relaxed: we wrote nothing under the flag. */
				atomic_store_explicit(&l->w.flag, 0u,
						      memory_order_relaxed);
				return false;
			}
		}
	}
	return true;
}

static inline void lk_brlock_wrlock(lk_brlock_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_wrrelock(&l->w.owner_, "lk_brlock_wrlock");
	lk__br_wrlock_(l, 0, false);
	lk__owner_acquired(&l->w.owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_brlock_wrtrylock(lk_brlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_wrrelock(&l->w.owner_, "lk_brlock_wrtrylock");
	if (!lk__br_wrlock_(l, 0, true)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->w.owner_);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_brlock_wrtimedlock(lk_brlock_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk__owner_check_wrrelock(&l->w.owner_, "lk_brlock_wrtimedlock");
	if (!lk__br_wrlock_(l, lk__deadline(timeout_ns), false)) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->w.owner_);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_brlock_wrunlock(lk_brlock_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(atomic_load_explicit(&l->w.flag, memory_order_relaxed),
		  "lk_brlock_wrunlock", "write-unlock of a latch not write-locked");
	lk__owner_wrrelease(&l->w.owner_, "lk_brlock_wrunlock");
	/* release: publishes the writer's data to the next readers. */
	atomic_store_explicit(&l->w.flag, 0u, memory_order_release);
	lk__tsan_post_unlock(l, 0);
}

/* ---- queries: racy hints, for assertions ---------------------------------
 *
 * assert(lk_brlock_is_wrlocked(&l)) in code that must hold it for writing,
 * assert(lk_brlock_is_locked(&l)) where reading suffices. Each is exact about
 * the caller's own hold: true while the caller holds it so, false while nobody
 * holds it. About other threads it may be stale when it returns; and while a
 * latch changes hands it may read either way: a reader that meets a writer
 * counts in its stripe for a moment before it backs off, and a writer raises
 * the flag before it drains the readers. is_rdlocked and is_locked read every
 * stripe (LK_BRLOCK_STRIPES loads, no write).
 */

/* Held for writing (or a writer is draining the readers before it). */
static inline bool lk_brlock_is_wrlocked(const lk_brlock_t *l)
{
	/* relaxed: see the header comment */
	return atomic_load_explicit(&l->w.flag, memory_order_relaxed) != 0;
}

/* Held for reading, by one reader or more. */
static inline bool lk_brlock_is_rdlocked(const lk_brlock_t *l)
{
	for (int i = 0; i < LK_BRLOCK_STRIPES; i++)
		/* relaxed: see the header comment */
		if (atomic_load_explicit(&l->stripe[i].n, memory_order_relaxed))
			return true;
	return false;
}

/* Held in any mode: a writer, or readers. */
static inline bool lk_brlock_is_locked(const lk_brlock_t *l)
{
	return lk_brlock_is_wrlocked(l) || lk_brlock_is_rdlocked(l);
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it for writing? Exact.
 * (Readers are not tracked.) */
static inline bool lk_brlock_is_wrlocked_by_me(const lk_brlock_t *l)
{
	return lk__owner_is_self(&l->w.owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BRLOCK_H */
