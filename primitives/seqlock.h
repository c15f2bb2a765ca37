/*
 * latchkit/seqlock.h: a sequence lock (lk_seqlock_t: counter + writer latch)
 * and a sequence counter for single-writer data (lk_seqcount_t).
 *
 * Algorithm: Lameter's seqlock (Linux 2.6), in the C11-clean form of Boehm,
 * "Can seqlocks get along with programming language memory models?",
 * MSPC 2012. The protected data must be read and written as relaxed atomic
 * words (lk_seq_load / lk_seq_store copy buffers of LK_ATOMIC(uint64_t)):
 * torn reads are then discarded by the retry, and the program has no data
 * race, so ThreadSanitizer has nothing to report.
 *
 * Progress: readers are lock-free, not wait-free: a reader retries while
 * writers keep writing, and waits (lk__wait, never parks: writer sections are
 * meant to be short) while a write is in progress. Readers never delay a
 * writer. Writers of lk_seqlock_t serialise on a futex latch (spin, then
 * park; not FIFO, so no fairness promise between writers). Writers of
 * lk_seqcount_t must be serialised by the caller (one writer at a time).
 *
 * Process-shared: lk_seqcount_t holds no pointer and never parks, so it
 * may be shared as is. lk_seqlock_t with LK_SEQLOCK_INIT_SHARED or
 * lk_seqlock_init_shared(): its writers' latch word carries SHARED (bit
 * 2) beside its state (bits 0-1: 0 free, 1 held, 2 held and maybe
 * sleepers), for memory that processes share; writers park and wake on
 * shared futexes, and the lock holds no pointer. The private fast paths
 * compare whole words (CAS 0 -> 1 to take, CAS 1 -> 0 to release; a
 * release that finds 2, or a shared word, takes the slow path, an
 * exchange that keeps SHARED), so a private latch runs no more
 * instructions than it did with a bare exchange to release (callgrind:
 * one fewer per lock and unlock), and a shared one takes the slow paths.
 * Readers are the same in both. Under LK_DEBUG the writer's pid is kept
 * beside its owner, and a writer that would wait for a private latch held
 * by another process aborts with a message. Not robust: a writer that
 * dies holding the latch blocks the other writers, and readers for good
 * (the count stays odd).
 *
 * Size: lk_seqlock_t 8 bytes (24 with LK_DEBUG: owner and pid);
 * lk_seqcount_t 4.
 * The counter is 32 bits: a reader is fooled only if exactly 2^31 writes
 * complete during one of its reads.
 *
 * Memory orders:
 *   reader  seq load (begin)       acquire  data read after it sees the
 *                                           writes before the seq store read
 *           data loads             relaxed  atomic only to be race-free
 *           fence before re-load   acquire  a data load that saw a writer's
 *                                           store orders the re-load after
 *                                           that writer's seq+1 (Boehm)
 *           seq re-load (retry)    relaxed  ordered by the fence above
 *   writer  seq store seq+1        relaxed  ordered by the next fence
 *           fence after seq+1      release  data stores come after seq+1 for
 *                                           any reader that sees one of them
 *           data stores            relaxed
 *           seq store seq+2        release  publishes the data to begin()
 *   latch   CAS/exchange to take   acquire  see the previous writer's work
 *           CAS or exchange to     release  hand this writer's work over
 *           release
 *           load for SHARED        relaxed  a bit set at init: which futex
 *           load (is_locked)       relaxed  a hint that orders nothing;
 *                                           exact about the caller's own
 *                                           hold by coherence (only the
 *                                           holder's unlock stores 0)
 *
 * Under ThreadSanitizer (which does not model fences; gcc even refuses them
 * with -Werror=tsan) the two fences go and the data loads become acquire,
 * the data stores release: a stronger program, correct without fences.
 *
 * ThreadSanitizer: the writer latch of lk_seqlock_t is annotated as a
 * mutex (base.h): TSan names it in reports and checks lock order across
 * writers. Only the latch: the sequence counter's stores (write_begin,
 * write_end) stay outside the annotation, so TSan sees them as the
 * atomics they are and a reader's acquire load of seq pairs with the
 * writer's release store, as in the algorithm. Readers are not annotated
 * at all: a read section excludes no writer and no writer waits for it,
 * so calling it a read lock would invent an edge from each reader to the
 * next writer (hiding real races) and lock-order edges from sections that
 * block nobody. What readers may read they read as atomics (lk_seq_load),
 * which TSan checks as such. lk_seqcount_t has no latch and no
 * annotation. Not seen: a reader that waits in read_begin behind a writer
 * is invisible to TSan's deadlock detector.
 */
#ifndef LATCHKIT_SEQLOCK_H
#define LATCHKIT_SEQLOCK_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- fences, or their ThreadSanitizer substitutes ------------------------ */

/* base.h defines LK__TSAN in a ThreadSanitizer build. */
#ifdef LK__TSAN
#define LK__SEQ_DATA_LOAD memory_order_acquire
#define LK__SEQ_DATA_STORE memory_order_release
#define lk__seq_fence_acquire() ((void)0)
#define lk__seq_fence_release() ((void)0)
#else
#define LK__SEQ_DATA_LOAD memory_order_relaxed
#define LK__SEQ_DATA_STORE memory_order_relaxed
#define lk__seq_fence_acquire() atomic_thread_fence(memory_order_acquire)
#define lk__seq_fence_release() atomic_thread_fence(memory_order_release)
#endif

/* ---- copying protected data as relaxed atomic words --------------------- */

/* Reader side: copy n words out of shared data, relaxed (may be torn; the
 * retry decides). */
static inline void lk_seq_load(uint64_t *dst, const LK_ATOMIC(uint64_t) *src,
			       size_t n)
{
#pragma GCC unroll 8 /* small constant n: straight loads, as by hand */
	for (size_t i = 0; i < n; i++)
		/* relaxed: ordered by begin's acquire and retry's fence */
		dst[i] = atomic_load_explicit(&src[i], LK__SEQ_DATA_LOAD);
}

/* Writer side: copy n words into shared data inside a write section. */
static inline void lk_seq_store(LK_ATOMIC(uint64_t) *dst, const uint64_t *src,
				size_t n)
{
#pragma GCC unroll 8 /* as in lk_seq_load */
	for (size_t i = 0; i < n; i++)
		/* relaxed: ordered by the release fence after seq+1 and the
		 * release store of seq+2 */
		atomic_store_explicit(&dst[i], src[i], LK__SEQ_DATA_STORE);
}

/* ---- the sequence counter (shared by both types) ------------------------ */

typedef struct {
	LK_ATOMIC(uint32_t) seq; /* odd: a write is in progress */
} lk_seqcount_t;
#define LK_SEQCOUNT_INIT {LK__AINIT(0)}

static inline void lk_seqcount_init(lk_seqcount_t *s)
{
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&s->seq, 0, memory_order_relaxed);
}

/* Not inline, on purpose (the one exception to "static inline"): out of
 * line and cold, the wait keeps the read fast path free of saved registers
 * (gcc: the same instruction count as ck_sequence's read). */
LK__COLD uint32_t
lk_seqcount_read_wait_(const LK_ATOMIC(uint32_t) *p)
{
	uint32_t v;
	lk__wait_t w = lk__wait_start(0);
	do {
		/* readers never park: the writer does not wake anyone */
		lk__wait(&w, NULL, 0);
		/* acquire: as in read_begin */
		v = atomic_load_explicit(p, memory_order_acquire);
	} while (v & 1);
	return v;
}

/* Returns an even sequence number, waiting while a write is in progress. */
static inline uint32_t lk_seqcount_read_begin(const lk_seqcount_t *s)
{
	const LK_ATOMIC(uint32_t) *p = &s->seq;
	/* acquire: the data loads that follow see everything written before
	 * the seq+2 store this load reads */
	uint32_t v = atomic_load_explicit(p, memory_order_acquire);
	if (lk__likely(!(v & 1)))
		return v;
	return lk_seqcount_read_wait_(p);
}

/* True when the data read since read_begin(start) may be torn: read again. */
static inline bool lk_seqcount_read_retry(const lk_seqcount_t *s,
					  uint32_t start)
{
	/* acquire fence: if a data load above saw a store of a later writer,
	 * the re-load below sees that writer's seq+1 (or later) */
	lk__seq_fence_acquire();
	/* relaxed: ordered by the fence */
	return atomic_load_explicit(&s->seq, memory_order_relaxed) != start;
}

/* Single writer only. */
static inline void lk_seqcount_write_begin(lk_seqcount_t *s)
{
	/* relaxed: only this writer stores seq */
	uint32_t v = atomic_load_explicit(&s->seq, memory_order_relaxed);
	LK__CHECK(!(v & 1), "lk_seqcount_write_begin",
		  "write already in progress");
	/* relaxed: the release fence below orders it before the data */
	atomic_store_explicit(&s->seq, v + 1, memory_order_relaxed);
	/* release fence: a reader that sees any data store below also sees
	 * seq odd (or later) when it re-loads seq */
	lk__seq_fence_release();
}

static inline void lk_seqcount_write_end(lk_seqcount_t *s)
{
	/* relaxed: only this writer stores seq */
	uint32_t v = atomic_load_explicit(&s->seq, memory_order_relaxed);
	LK__CHECK(v & 1, "lk_seqcount_write_end", "no write in progress");
	/* release: publishes the data stores to the next read_begin */
	atomic_store_explicit(&s->seq, v + 1, memory_order_release);
}

/* One call for the common read: copies n words until untorn; returns the
 * number of retries. */
static inline unsigned lk_seqcount_read_copy(const lk_seqcount_t *s,
					     uint64_t *dst,
					     const LK_ATOMIC(uint64_t) *src,
					     size_t n)
{
	unsigned retries = 0;
	for (;;) {
		uint32_t v = lk_seqcount_read_begin(s);
		lk_seq_load(dst, src, n);
		if (!lk_seqcount_read_retry(s, v))
			return retries;
		retries++;
	}
}

static inline void lk_seqcount_write_copy(lk_seqcount_t *s,
					  LK_ATOMIC(uint64_t) *dst,
					  const uint64_t *src, size_t n)
{
	lk_seqcount_write_begin(s);
	lk_seq_store(dst, src, n);
	lk_seqcount_write_end(s);
}

/* ---- the seqlock: counter plus a writer latch ---------------------------- */

#define LK_SEQLOCK_STATE_ 3u  /* the latch's state bits: 0, 1 or 2 */
#define LK_SEQLOCK_SHARED_ 4u /* process-shared: set at init, never cleared */

typedef struct {
	lk_seqcount_t sc;
	LK_ATOMIC(uint32_t) latch; /* state (0 free, 1 held, 2 held and maybe
				    * sleepers) | SHARED */
	LK__PID_FIELD /* LK_DEBUG: the writer's pid (base_debug.h) */
	LK__OWNER_FIELD
} lk_seqlock_t;

#define LK_SEQLOCK_INIT                                                        \
	{LK_SEQCOUNT_INIT, LK__AINIT(0) LK__PID_INIT LK__OWNER_INIT}
/* A seqlock that processes share (in MAP_SHARED memory): its writers park
 * and wake on shared futexes. The same verbs. */
#define LK_SEQLOCK_INIT_SHARED                                                 \
	{LK_SEQCOUNT_INIT,                                                     \
	 LK__AINIT(LK_SEQLOCK_SHARED_) LK__PID_INIT LK__OWNER_INIT}


static inline void lk_seqlock_init(lk_seqlock_t *l)
{
	lk_seqcount_init(&l->sc);
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&l->latch, 0, memory_order_relaxed);
	lk__owner_pid_set(l, 0u);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* As lk_seqlock_init, for a process-shared seqlock (LK_SEQLOCK_INIT_SHARED). */
static inline void lk_seqlock_init_shared(lk_seqlock_t *l)
{
	lk_seqcount_init(&l->sc);
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&l->latch, LK_SEQLOCK_SHARED_,
			      memory_order_relaxed);
	lk__owner_pid_set(l, 0u);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

static inline uint32_t lk_seqlock_read_begin(const lk_seqlock_t *l)
{
	return lk_seqcount_read_begin(&l->sc);
}

static inline bool lk_seqlock_read_retry(const lk_seqlock_t *l, uint32_t start)
{
	return lk_seqcount_read_retry(&l->sc, start);
}

static inline void lk_seqlock_debug_own_(lk_seqlock_t *l, const char *fn)
{
	lk__owner_check_relock(&l->owner_, fn);
	(void)l;
	(void)fn;
}

static inline void lk_seqlock_enter_(lk_seqlock_t *l)
{
	lk__owner_acquired(&l->owner_);
	lk__owner_pid_set(l, lk__debug_pid());
	lk_seqcount_write_begin(&l->sc);
}

static inline bool lk_seqlock_write_trylock(lk_seqlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk_seqlock_debug_own_(l, "lk_seqlock_write_trylock");
	uint32_t z = 0;
	/* acquire: see the previous writer's data and seq; relaxed on failure
	 * (a free shared latch reads SHARED: its own CAS) */
	if (!atomic_compare_exchange_strong_explicit(&l->latch, &z, 1,
						     memory_order_acquire,
						     memory_order_relaxed) &&
	    (z != LK_SEQLOCK_SHARED_ ||
	     !atomic_compare_exchange_strong_explicit(
		     &l->latch, &z, LK_SEQLOCK_SHARED_ | 1u,
		     memory_order_acquire, memory_order_relaxed))) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	lk_seqlock_enter_(l);
	return true;
}

/* deadline 0: none. The latch is the classic three-state futex mutex
 * (Drepper's mutex #3). A waiter that has announced itself (stored 2) takes
 * the latch as 2, never as 1: other sleepers may be parked behind it, and 1
 * would make the next unlock wake nobody. A waiter that times out has just
 * stored 2 (announce comes before lk__wait's deadline check), so a wake it
 * absorbed is passed on by the holder's unlock (verify/spin/seqlatch.pml).
 * A shared latch's SHARED bit rides along in every value it stores. */
static inline bool lk_seqlock_latch_(lk_seqlock_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	bool announced = false;
	/* relaxed: SHARED is set at init and never changes */
	uint32_t sh = atomic_load_explicit(&l->latch, memory_order_relaxed) &
		      LK_SEQLOCK_SHARED_;
	w.shared = sh != 0;
	lk__owner_pid_check(l, w.shared, "lk_seqlock_write_lock");
	for (;;) {
		/* relaxed: only a hint before the CAS/exchange */
		uint32_t v = atomic_load_explicit(&l->latch,
						  memory_order_relaxed);
		if (v == sh) {
			uint32_t z = sh;
			/* acquire: as in trylock */
			if (atomic_compare_exchange_weak_explicit(
				    &l->latch, &z, sh | (announced ? 2u : 1u),
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (lk__wait_would_park(&w)) {
			/* announce a sleeper; acquire: we may take it here */
			if (atomic_exchange_explicit(&l->latch, sh | 2u,
						     memory_order_acquire) == sh)
				return true;
			announced = true;
			v = sh | 2u;
		}
		if (!lk__wait(&w, &l->latch, v))
			return false;
	}
}

static inline void lk_seqlock_write_lock(lk_seqlock_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk_seqlock_debug_own_(l, "lk_seqlock_write_lock");
	uint32_t z = 0;
	/* acquire: see the previous writer's data and seq */
	if (lk__unlikely(!atomic_compare_exchange_strong_explicit(
		    &l->latch, &z, 1, memory_order_acquire,
		    memory_order_relaxed)))
		lk_seqlock_latch_(l, 0);
	lk__tsan_post_lock(l, 0, true);
	lk_seqlock_enter_(l);
}

static inline bool lk_seqlock_write_timedlock(lk_seqlock_t *l,
					      uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk_seqlock_debug_own_(l, "lk_seqlock_write_timedlock");
	uint32_t z = 0;
	/* acquire: as in write_lock */
	if (!atomic_compare_exchange_strong_explicit(&l->latch, &z, 1,
						     memory_order_acquire,
						     memory_order_relaxed) &&
	    !lk_seqlock_latch_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	lk_seqlock_enter_(l);
	return true;
}

/* The release that found sleepers (2) or a shared word: an exchange that
 * keeps SHARED, and a wake if a writer may sleep. s: the value the
 * fast path's CAS found. */
LK__COLD void lk_seqlock_unlock_slow_(lk_seqlock_t *l, uint32_t s)
{
	uint32_t sh = s & LK_SEQLOCK_SHARED_;
	/* release: the next writer sees our data and seq */
	uint32_t o = atomic_exchange_explicit(&l->latch, sh,
					      memory_order_release);
	if ((o & LK_SEQLOCK_STATE_) != 2u)
		return;
	if (sh)
		lk__futex_wake_shared(&l->latch, 1, LK__FUTEX_ANY);
	else
		lk__futex_wake(&l->latch, 1);
}

static inline void lk_seqlock_write_unlock(lk_seqlock_t *l)
{
	/* relaxed: a misuse report needs no ordering */
	LK__CHECK(atomic_load_explicit(&l->latch, memory_order_relaxed) &
			  LK_SEQLOCK_STATE_,
		  "lk_seqlock_write_unlock", "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_seqlock_write_unlock");
	lk__owner_pid_set(l, 0u);
	lk_seqcount_write_end(&l->sc);
	lk__tsan_pre_unlock(l, 0);
	uint32_t s = 1;
	/* release: the next writer sees our data and seq */
	if (lk__unlikely(!atomic_compare_exchange_strong_explicit(
		    &l->latch, &s, 0, memory_order_release,
		    memory_order_relaxed)))
		lk_seqlock_unlock_slow_(l, s);
	lk__tsan_post_unlock(l, 0);
}

/* Is the writer latch held (a write section open), by any thread? A racy
 * hint, for assertions (assert(lk_seqlock_is_locked(&l))): true while the
 * caller holds it, false while nobody does; about other threads it may be
 * stale when it returns. */
static inline bool lk_seqlock_is_locked(const lk_seqlock_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->latch, memory_order_relaxed) &
		LK_SEQLOCK_STATE_) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_seqlock_is_held_by_me(const lk_seqlock_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

static inline unsigned lk_seqlock_read_copy(const lk_seqlock_t *l,
					    uint64_t *dst,
					    const LK_ATOMIC(uint64_t) *src,
					    size_t n)
{
	return lk_seqcount_read_copy(&l->sc, dst, src, n);
}

static inline void lk_seqlock_write_copy(lk_seqlock_t *l,
					 LK_ATOMIC(uint64_t) *dst,
					 const uint64_t *src, size_t n)
{
	lk_seqlock_write_lock(l);
	lk_seq_store(dst, src, n);
	lk_seqlock_write_unlock(l);
}

/*
 * LK_SEQLOCK_READ(lock, stmt): runs stmt until it ran with no write in
 * between. stmt must read shared data only with relaxed atomic loads (e.g.
 * lk_seq_load) and must have no effect that a retry would repeat wrongly.
 * LK_SEQCOUNT_READ is the same for an lk_seqcount_t.
 */
#define LK_SEQCOUNT_READ(sc, stmt)                                             \
	do {                                                                   \
		uint32_t lk__seq_;                                             \
		do {                                                           \
			lk__seq_ = lk_seqcount_read_begin(sc);                 \
			stmt;                                                  \
		} while (lk_seqcount_read_retry((sc), lk__seq_));              \
	} while (0)
#define LK_SEQLOCK_READ(l, stmt) LK_SEQCOUNT_READ(&(l)->sc, stmt)

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_SEQLOCK_H */
