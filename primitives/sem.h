/*
 * latchkit/sem.h: a counting semaphore on a futex (Dijkstra's P/V).
 *
 * Algorithm: the count is the futex word. wait() takes a permit with a CAS
 * when the count is positive; otherwise it waits through lk__wait(), and
 * once lk__wait would park it announces itself in `sleepers` and parks on
 * the count while it reads 0. post() adds a permit and calls futex wake only
 * when some thread announced itself: a post with no sleepers is one atomic
 * add and one load, no system call. (The same shape as Drepper, "Futexes
 * Are Tricky", 2011, with the sleeper count kept beside the word.)
 *
 * Guarantees: the count never exceeds the permits posted minus those taken;
 * a wait that returns false (trywait on zero, a timed-out timedwait) leaves
 * the count unchanged. A waiter woken by post() that then times out takes
 * the permit if one is left (it returns true), so no wake is lost.
 * Progress: post is wait-free (one fetch_add, one load, maybe one wake);
 * wait is blocking and not fair (a running thread may take a permit ahead
 * of a woken sleeper).
 *
 * Process-shared: LK_SEM_INIT_SHARED(n) or lk_sem_init_shared() sets
 * SHARED (bit 31) in `sleepers` (a count that never gets near it): waits
 * and wakes use shared futexes (no _PRIVATE); no pointer. Only the slow
 * paths and post's wake read the bit: post tests sleepers & ~SHARED, one
 * test as before.
 *
 * Size: 8 bytes (count, sleepers).
 *
 * Memory orders:
 *   post fetch_add count      seq_cst  release: the poster's work reaches
 *                                      the taker; seq_cst: with the sleeper
 *                                      count it is a store-load pair
 *   post load sleepers        seq_cst  the other half of that pair: either it
 *                                      sees the sleeper, or the sleeper's
 *                                      futex check sees the new count
 *   wait CAS count-1          acquire  see the poster's work
 *   wait fetch_add sleepers   seq_cst  the sleeper half of the pair;
 *                                      stronger than needed on Linux,
 *                                      whose futex wait puts a full barrier
 *                                      before its check of count (GenMC
 *                                      finds acq_rel enough with it:
 *                                      verify/wmm/REPORT.md); kept, so as
 *                                      not to lean on the kernel's barrier
 *   wait fetch_sub sleepers   relaxed  only a hint for later posts
 *   value load count          relaxed  a snapshot for assertions and
 *                                      diagnostics; orders nothing
 *
 * A semaphore has no holder, so no is_locked: lk_sem_value() is its query
 * (assert(lk_sem_value(&s) == 0) where all permits must be taken).
 *
 * ThreadSanitizer: not a mutex (it has no owner, and a permit may be
 * posted by one thread and taken by another), so it is annotated as
 * ThreadSanitizer's interceptors treat sem_post and sem_wait: each post
 * is a release on the semaphore and each wait that takes a permit (every
 * one goes through trywait) an acquire, so a taker is ordered after every
 * post before its take. post's own atomics and wake are framed as a
 * signal, which TSan ignores. No lock order: a wait is not a lock.
 */
#ifndef LATCHKIT_SEM_H
#define LATCHKIT_SEM_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	LK_ATOMIC(uint32_t) count;    /* permits; the futex word */
	LK_ATOMIC(uint32_t) sleepers; /* threads that may be parked on count;
				       * SHARED, in a process-shared one */
} lk_sem_t;

#define LK_SEM_SHARED_ 0x80000000u /* in sleepers: set at init, never cleared */

#define LK_SEM_INIT(n) {LK__AINIT(n), LK__AINIT(0)}
/* A semaphore that processes share (in MAP_SHARED memory): parks and wakes
 * on shared futexes. */
#define LK_SEM_INIT_SHARED(n) {LK__AINIT(n), LK__AINIT(LK_SEM_SHARED_)}

static inline void lk_sem_init(lk_sem_t *s, uint32_t count)
{
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&s->count, count, memory_order_relaxed);
	atomic_store_explicit(&s->sleepers, 0, memory_order_relaxed);
}

/* As lk_sem_init, for a process-shared semaphore (LK_SEM_INIT_SHARED). */
static inline void lk_sem_init_shared(lk_sem_t *s, uint32_t count)
{
	atomic_store_explicit(&s->count, count, memory_order_relaxed);
	atomic_store_explicit(&s->sleepers, LK_SEM_SHARED_,
			      memory_order_relaxed);
}

/* Takes a permit if there is one. */
static inline bool lk_sem_trywait(lk_sem_t *s)
{
	/* relaxed: the CAS decides */
	uint32_t v = atomic_load_explicit(&s->count, memory_order_relaxed);
	while (v > 0)
		/* acquire: see the poster's work; relaxed on failure (v
		 * reloaded) */
		if (atomic_compare_exchange_weak_explicit(
			    &s->count, &v, v - 1, memory_order_acquire,
			    memory_order_relaxed)) {
			lk__tsan_acquire(s); /* every wait takes here */
			return true;
		}
	return false;
}

static inline bool lk_sem_wait_slow_(lk_sem_t *s, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	/* relaxed: the flag never changes after init */
	w.shared = atomic_load_explicit(&s->sleepers, memory_order_relaxed) &
		   LK_SEM_SHARED_;
	for (;;) {
		if (lk_sem_trywait(s))
			return true;
		bool more;
		if (lk__wait_would_park(&w)) {
			/* seq_cst: announce before the futex compares count
			 * with 0 (pairs with post's load of sleepers) */
			atomic_fetch_add_explicit(&s->sleepers, 1,
						  memory_order_seq_cst);
			more = lk__wait(&w, &s->count, 0);
			/* relaxed: a hint for posters only */
			atomic_fetch_sub_explicit(&s->sleepers, 1,
						  memory_order_relaxed);
		} else {
			more = lk__wait(&w, &s->count, 0);
		}
		if (!more)
			/* timed out; a post may have woken us just now: take
			 * its permit rather than lose the wake */
			return lk_sem_trywait(s);
	}
}

static inline void lk_sem_wait(lk_sem_t *s)
{
	if (lk__likely(lk_sem_trywait(s)))
		return;
	lk_sem_wait_slow_(s, 0);
}

/* timeout_ns relative. True: a permit was taken. False: the count is as it
 * was (nothing taken). */
static inline bool lk_sem_timedwait(lk_sem_t *s, uint64_t timeout_ns)
{
	if (lk_sem_trywait(s))
		return true;
	return lk_sem_wait_slow_(s, lk__deadline(timeout_ns));
}

static inline void lk_sem_post(lk_sem_t *s)
{
	lk__tsan_release(s);
	lk__tsan_pre_signal(s);
	/* seq_cst: release for the taker, and ordered before the load of
	 * sleepers (store-load pair with the sleeper's announcement) */
	uint32_t old = atomic_fetch_add_explicit(&s->count, 1,
						 memory_order_seq_cst);
	LK__CHECK(old != UINT32_MAX, "lk_sem_post", "count overflow");
	(void)old;
	/* seq_cst: see an announced sleeper, or it sees our count */
	uint32_t sl = atomic_load_explicit(&s->sleepers, memory_order_seq_cst);
	if (sl & ~LK_SEM_SHARED_) {
		if (sl & LK_SEM_SHARED_)
			lk__futex_wake_shared(&s->count, 1, LK__FUTEX_ANY);
		else
			lk__futex_wake(&s->count, 1);
	}
	lk__tsan_post_signal(s);
}

/* A snapshot, for tests and diagnostics only. */
static inline uint32_t lk_sem_value(const lk_sem_t *s)
{
	/* relaxed: a snapshot, stale by the time it is used */
	return atomic_load_explicit(&s->count, memory_order_relaxed);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_SEM_H */
