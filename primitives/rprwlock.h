/*
 * latchkit/rprwlock.h: a reader-preferring parking reader-writer latch in one
 * 32-bit word; a thread may take it for reading again while a writer waits.
 *
 * Algorithm: the readers-priority solution of Courtois, Heymans and Parnas
 * ("Concurrent control with 'readers' and 'writers'", CACM 14(10), 1971,
 * problem 1) on one futex word in the style of Drepper's futex mutex
 * ("Futexes are tricky"): a reader enters whenever no writer HOLDS the
 * latch, whatever writers wait; a writer enters when nobody holds it.
 *   bit 0        WR     a writer holds the latch
 *   bit 1        RWAIT  readers may be parked (only while WR: RWAIT => WR)
 *   bit 2        WWAIT  writers may be parked
 *   bit 3        SHARED process-shared: set at init, never cleared
 *   bits 4..31   RD     readers inside (at most 2^28 - 1)
 * rdlock adds to RD in one fetch_add and is in unless WR was set; then it
 * takes its add back out and waits for WR to clear. A writer takes WR by CAS
 * from a word with no WR and no RD. Waiting goes through lk__wait() (spin
 * for the learnt cost of parking, then park on the word); a waiter sets its
 * bit before parking, and parks on the word value that has it, so a change
 * between its look and its sleep makes the kernel refuse the sleep. Readers
 * and writers park with futex bitsets of their own. Whoever clears a waiting
 * bit wakes: wrunlock clears WR, RWAIT and WWAIT in one RMW and wakes every
 * parked reader (all may enter) and ONE parked writer; the reader that takes
 * RD to 0 while WWAIT is set clears it and wakes one writer. As in
 * Drepper's mutex, a writer that has parked acquires with WWAIT set (others
 * may still sleep), so each release passes the wake on; one that times out
 * after parking sets WWAIT again before it leaves, and wakes one writer
 * itself if the latch is free by then: a woken writer looks once more
 * before it can give up, but that relaxed load may read the word from before
 * its waker's clear, and so it may leave with the one wake. Waking
 * every writer instead made all of them run to find one winner (Kyoto
 * Cabinet's kccachetest wicked through liblatchkit-preload, 8 threads on 2
 * cores, one interleaved run, medians of 9: 0.86x glibc waking all, 1.06x
 * waking one). Models: verify/spin/rprwlock.pml, verify/tla/RPRWLock.tla,
 * each with its seeded bugs; GenMC runs verify/wmm/clients/rprwlock*.c.
 *
 * Why it exists: glibc's default RW lock (PTHREAD_RWLOCK_PREFER_READER_NP,
 * the kind of PTHREAD_RWLOCK_INITIALIZER) lets a thread that holds a read
 * lock take it again while a writer waits, as POSIX allows; a program that
 * does so deadlocks on a writer-preferring latch (rwlock.h, rwmutex.h,
 * pfrwlock.h, brlock.h). liblatchkit-preload serves that kind with this one.
 *
 * Progress and fairness: deadlock-free. Readers are preferred: a reader
 * waits only while a writer holds the latch, so recursive read locking is
 * safe; a stream of overlapping readers can starve a writer (as under glibc's
 * default kind). Writers race among themselves and with readers woken by a
 * wrunlock (no FIFO), so a reader can in principle keep losing to writers
 * that take the latch before it runs again. wrtrylock may fail for a
 * moment while nobody holds the latch: a reader that arrived during a write
 * keeps its add in RD until it takes it back (and then enters).
 * Uncontended: rdlock is one fetch_add, wrlock one CAS, each unlock one RMW;
 * no unlock makes a system call unless someone may sleep.
 *
 * Process-shared: LK_RPRWLOCK_INIT_SHARED or lk_rprwlock_init_shared() sets
 * SHARED: waiters park and wakers wake on shared futexes, and the word holds
 * no pointer. wrlock's and wrtrylock's fast CAS expect a word of 0, so a
 * shared latch takes their slow path (one call more).
 *
 * Size: 4 bytes (16 with LK_DEBUG: the write owner, for misuse checks).
 *
 * Memory order:
 *   rdlock     fetch_add RD   acquire: admission; the last writer's data.
 *   rd slow    CAS v -> v+RD1 acquire: as rdlock. The add taken back out
 *              (fetch_sub) is relaxed: that reader read nothing.
 *   rdunlock   fetch_sub RD   release: the reads happen before the next
 *              writer's entry.
 *   wrlock     CAS -> WR      acquire: pairs with the releases of the last
 *              unlocks (the readers' fetch_subs are RMWs, so each heads a
 *              release sequence the writer's CAS reads from).
 *   wrunlock   fetch_and      release: publishes the writer's data.
 *   RWAIT/WWAIT set (CAS, fetch_or), WWAIT clear (fetch_and)   relaxed: they
 *              only ask for and answer a wake; no data.
 *   waits      load           relaxed: a hint; the RMW that follows orders.
 *   is_*locked load           relaxed: a hint that orders nothing; exact
 *              about the caller's own hold by coherence.
 */
#ifndef LATCHKIT_RPRWLOCK_H
#define LATCHKIT_RPRWLOCK_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK__RPW_WR 1u
#define LK__RPW_RWAIT 2u
#define LK__RPW_WWAIT 4u
#define LK__RPW_SHARED 8u
#define LK__RPW_RD1 0x10u
#define LK__RPW_RDMASK 0xfffffff0u

typedef struct {
	LK_ATOMIC(uint32_t) word;
	LK__OWNER_FIELD /* write owner, 0 when none */
} lk_rprwlock_t;

#define LK_RPRWLOCK_INIT {LK__AINIT(0) LK__OWNER_INIT}
/* A latch that processes share (in MAP_SHARED memory). */
#define LK_RPRWLOCK_INIT_SHARED {LK__AINIT(LK__RPW_SHARED) LK__OWNER_INIT}

static inline void lk_rprwlock_init(lk_rprwlock_t *l)
{
	atomic_store_explicit(&l->word, 0u, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* As lk_rprwlock_init, for a process-shared latch. */
static inline void lk_rprwlock_init_shared(lk_rprwlock_t *l)
{
	atomic_store_explicit(&l->word, LK__RPW_SHARED, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

#define LK__RPW_BIT_READER 1u /* futex bitset of parked readers */
#define LK__RPW_BIT_WRITER 2u /* futex bitset of parked writers */

/* Wakes n sleepers of bitset bits; v is a word value (for SHARED). */
static inline void lk__rpw_wake_(lk_rprwlock_t *l, uint32_t v, int n,
				 uint32_t bits)
{
	if (v & LK__RPW_SHARED)
		lk__futex_wake_shared(&l->word, n, bits);
	else
		lk__futex_wake_bits(&l->word, n, bits);
}

/* RD reached 0 with WWAIT set: clear it and wake one writer. */
LK__COLD void lk__rpw_last_reader_(lk_rprwlock_t *l)
{
	/* relaxed: answers a wake request; the reader's own fetch_sub
	 * carried the release. */
	uint32_t o = atomic_fetch_and_explicit(&l->word, ~LK__RPW_WWAIT,
					       memory_order_relaxed);
	if (o & LK__RPW_WWAIT)
		lk__rpw_wake_(l, o, 1, LK__RPW_BIT_WRITER);
}

/* Takes one reader out of RD: an unlock (release), or an add taken back
 * (relaxed: that reader read nothing). */
static inline void lk__rpw_rdout_(lk_rprwlock_t *l, bool unlock)
{
	uint32_t o = unlock ? atomic_fetch_sub_explicit(&l->word, LK__RPW_RD1,
							memory_order_release)
			    : atomic_fetch_sub_explicit(&l->word, LK__RPW_RD1,
							memory_order_relaxed);
	if (lk__unlikely((o & LK__RPW_RDMASK) == LK__RPW_RD1 &&
			 (o & LK__RPW_WWAIT)))
		lk__rpw_last_reader_(l);
}

static inline void lk__rpw_wait_init_(lk_rprwlock_t *l, lk__wait_t *w)
{
	w->shared = (atomic_load_explicit(&l->word, memory_order_relaxed) &
		     LK__RPW_SHARED) != 0;
}

/* ---- readers ------------------------------------------------------------ */

/* A reader whose add found WR set: take the add back out, then enter once
 * WR is clear. deadline 0: none. */
LK__COLD bool lk__rpw_rdslow_(lk_rprwlock_t *l, uint64_t deadline)
{
	lk__rpw_rdout_(l, false);
	lk__wait_t w = lk__wait_start(deadline);
	lk__rpw_wait_init_(l, &w);
	w.bits = LK__RPW_BIT_READER;
	for (;;) {
		uint32_t v = atomic_load_explicit(&l->word,
						  memory_order_relaxed);
		if (!(v & LK__RPW_WR)) {
			/* acquire: admission, as rdlock. */
			if (atomic_compare_exchange_weak_explicit(
				    &l->word, &v, v + LK__RPW_RD1,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (lk__wait_would_park(&w) && !(v & LK__RPW_RWAIT)) {
			/* relaxed: only asks the writer's unlock to wake us */
			if (!atomic_compare_exchange_weak_explicit(
				    &l->word, &v, v | LK__RPW_RWAIT,
				    memory_order_relaxed, memory_order_relaxed))
				continue;
			v |= LK__RPW_RWAIT;
		}
		if (!lk__wait(&w, &l->word, v))
			return false;
	}
}

static inline bool lk__rpw_rdlock_(lk_rprwlock_t *l, uint64_t deadline)
{
	/* acquire: admission; see the last writer's data. */
	uint32_t o = atomic_fetch_add_explicit(&l->word, LK__RPW_RD1,
					       memory_order_acquire);
	return lk__likely(!(o & LK__RPW_WR)) || lk__rpw_rdslow_(l, deadline);
}

static inline void lk_rprwlock_rdlock(lk_rprwlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD);
	lk__owner_check_wrrelock(&l->owner_, "lk_rprwlock_rdlock");
	(void)lk__rpw_rdlock_(l, 0);
	lk__tsan_post_lock(l, LK__TSAN_RD, true);
}

static inline bool lk_rprwlock_rdtrylock(lk_rprwlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TRY);
	lk__owner_check_wrrelock(&l->owner_, "lk_rprwlock_rdtrylock");
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	while (!(v & LK__RPW_WR)) {
		/* acquire: as rdlock. A failed CAS reloads v. */
		if (atomic_compare_exchange_weak_explicit(
			    &l->word, &v, v + LK__RPW_RD1, memory_order_acquire,
			    memory_order_relaxed)) {
			lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, true);
			return true;
		}
	}
	lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, false);
	return false;
}

static inline bool lk_rprwlock_rdtimedlock(lk_rprwlock_t *l,
					   uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TIMED);
	lk__owner_check_wrrelock(&l->owner_, "lk_rprwlock_rdtimedlock");
	return lk__tsan_locked(l, LK__TSAN_RD | LK__TSAN_TIMED,
			       lk__rpw_rdlock_(l, lk__deadline(timeout_ns)));
}

static inline void lk_rprwlock_rdunlock(lk_rprwlock_t *l)
{
	lk__tsan_pre_unlock(l, LK__TSAN_RD);
#ifdef LK_DEBUG
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	LK__CHECK((v & LK__RPW_RDMASK) != 0, "lk_rprwlock_rdunlock",
		  (v & LK__RPW_WR) ? "read-unlock of a latch held for writing"
				   : "read-unlock of a latch not read-locked");
#endif
	/* release: the reads happen before the next writer's entry. */
	lk__rpw_rdout_(l, true);
	lk__tsan_post_unlock(l, LK__TSAN_RD);
}

/* ---- writers ------------------------------------------------------------ */

/* Enter as the writer once nobody holds the latch; deadline 0: none. */
LK__COLD bool lk__rpw_wrslow_(lk_rprwlock_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	lk__rpw_wait_init_(l, &w);
	w.bits = LK__RPW_BIT_WRITER;
	uint32_t parked = 0; /* WWAIT once this writer has parked */
	for (;;) {
		uint32_t v = atomic_load_explicit(&l->word,
						  memory_order_relaxed);
		if (!(v & (LK__RPW_WR | LK__RPW_RDMASK))) {
			/* acquire: pairs with the last unlocks' releases. Once
			 * parked, keep WWAIT: other writers may sleep, and
			 * only one was woken. */
			if (atomic_compare_exchange_weak_explicit(
				    &l->word, &v, v | LK__RPW_WR | parked,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (lk__wait_would_park(&w)) {
			parked = LK__RPW_WWAIT;
			if (!(v & LK__RPW_WWAIT)) {
				/* relaxed: only asks for a wake */
				if (!atomic_compare_exchange_weak_explicit(
					    &l->word, &v, v | LK__RPW_WWAIT,
					    memory_order_relaxed,
					    memory_order_relaxed))
					continue;
				v |= LK__RPW_WWAIT;
			}
		}
		if (!lk__wait(&w, &l->word, v)) {
			if (parked) {
				/* The one wake may have come to us: ask again
				 * for the others, and pass it on now if no
				 * release is coming (relaxed: no data). */
				uint32_t o = atomic_fetch_or_explicit(
					&l->word, LK__RPW_WWAIT,
					memory_order_relaxed);
				if (!(o & (LK__RPW_WR | LK__RPW_RDMASK)))
					lk__rpw_wake_(l, o, 1,
						      LK__RPW_BIT_WRITER);
			}
			return false;
		}
	}
}

static inline bool lk__rpw_wrlock_(lk_rprwlock_t *l, uint64_t deadline)
{
	uint32_t v = 0;
	/* acquire: pairs with the last unlock's release. */
	return atomic_compare_exchange_strong_explicit(&l->word, &v, LK__RPW_WR,
						       memory_order_acquire,
						       memory_order_relaxed) ||
	       lk__rpw_wrslow_(l, deadline);
}

static inline void lk_rprwlock_wrlock(lk_rprwlock_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_wrrelock(&l->owner_, "lk_rprwlock_wrlock");
	(void)lk__rpw_wrlock_(l, 0);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_rprwlock_wrtrylock(lk_rprwlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_wrrelock(&l->owner_, "lk_rprwlock_wrtrylock");
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	while (!(v & (LK__RPW_WR | LK__RPW_RDMASK))) {
		/* acquire: as wrlock. A failed CAS reloads v. */
		if (atomic_compare_exchange_weak_explicit(
			    &l->word, &v, v | LK__RPW_WR, memory_order_acquire,
			    memory_order_relaxed)) {
			lk__owner_acquired(&l->owner_);
			lk__tsan_post_lock(l, LK__TSAN_TRY, true);
			return true;
		}
	}
	lk__tsan_post_lock(l, LK__TSAN_TRY, false);
	return false;
}

static inline bool lk_rprwlock_wrtimedlock(lk_rprwlock_t *l,
					   uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk__owner_check_wrrelock(&l->owner_, "lk_rprwlock_wrtimedlock");
	if (!lk__rpw_wrlock_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_rprwlock_wrunlock(lk_rprwlock_t *l)
{
	lk__tsan_pre_unlock(l, 0);
#ifdef LK_DEBUG
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	LK__CHECK(v & LK__RPW_WR, "lk_rprwlock_wrunlock",
		  (v & LK__RPW_RDMASK) ? "write-unlock of a latch held for reading"
				       : "write-unlock of a latch not write-locked");
	lk__owner_wrrelease(&l->owner_, "lk_rprwlock_wrunlock");
#endif
	/* release: publishes the writer's data. Clears both waiting bits:
	 * this unlock wakes every parked reader and one parked writer. */
	uint32_t o = atomic_fetch_and_explicit(
		&l->word, ~(LK__RPW_WR | LK__RPW_RWAIT | LK__RPW_WWAIT),
		memory_order_release);
	if (lk__unlikely(o & LK__RPW_RWAIT))
		lk__rpw_wake_(l, o, INT32_MAX, LK__RPW_BIT_READER);
	if (lk__unlikely(o & LK__RPW_WWAIT))
		lk__rpw_wake_(l, o, 1, LK__RPW_BIT_WRITER);
	lk__tsan_post_unlock(l, 0);
}

/* ---- queries: racy hints, for assertions ---------------------------------
 *
 * Each is exact about the caller's own hold: true while the caller holds it
 * so, false while nobody holds it. About other threads it may be stale when it
 * returns; a reader arriving while a writer holds counts in RD for a moment
 * before it takes its add back out.
 */

/* Held in any mode: a writer, or readers. */
static inline bool lk_rprwlock_is_locked(const lk_rprwlock_t *l)
{
	/* relaxed: see above */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		(LK__RPW_WR | LK__RPW_RDMASK)) != 0;
}

/* Held for writing. */
static inline bool lk_rprwlock_is_wrlocked(const lk_rprwlock_t *l)
{
	/* relaxed: see above */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		LK__RPW_WR) != 0;
}

/* Held for reading, by one reader or more. */
static inline bool lk_rprwlock_is_rdlocked(const lk_rprwlock_t *l)
{
	/* relaxed: see above */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		LK__RPW_RDMASK) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it for writing? Exact.
 * (Readers are not tracked.) */
static inline bool lk_rprwlock_is_wrlocked_by_me(const lk_rprwlock_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_RPRWLOCK_H */
