/*
 * latchkit/ttas.h: test-and-test-and-set spinlock with exponential backoff.
 *
 * Algorithm: test-and-test-and-set (Rudolph & Segall 1984) with randomless
 * exponential backoff after a lost exchange, as measured by Anderson ("The
 * performance of spin lock alternatives for shared-memory multiprocessors",
 * IEEE TPDS 1990). The first attempt is the exchange itself, so an
 * uncontended acquire costs one atomic; a loser then waits on plain loads
 * (the line stays shared in every waiter's cache) and retries the exchange
 * only when the word reads free, backing off (lk__backoff) after each lost
 * retry so that a release is not followed by a burst of exchanges.
 *
 * Progress: deadlock-free, not starvation-free: no fairness. Waiting goes
 * through lk__wait() with no futex word (spin for a time, then naps):
 * the release is a plain store, so nobody could be told to wake.
 *
 * Process-shared: yes, as it is: one word, no pointer, never parks.
 *
 * Size: 4 bytes (one uint32_t word); LK_DEBUG adds an owner field.
 *
 * Memory orders:
 *   exchange(word, 1, acquire)  the winner must see the previous holder's
 *                               critical section; a failed one publishes
 *                               nothing.
 *   load(word, relaxed)         the test while waiting only decides when to
 *                               retry; the exchange that follows acquires.
 *   store(word, 0, release)     unlock: publishes the critical section.
 *   load(word, relaxed)         is_locked: a hint that orders nothing;
 *                               coherence alone makes it exact about the
 *                               caller's own hold (it reads its own 1, or
 *                               a later value: only its unlock stores 0).
 *   debug owner                 relaxed: compared with the caller's own id.
 */
#ifndef LATCHKIT_TTAS_H
#define LATCHKIT_TTAS_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	LK_ATOMIC(uint32_t) word; /* 0 free, 1 held */
	LK__OWNER_FIELD
} lk_ttas_t;

#define LK_TTAS_INIT {LK__AINIT(0) LK__OWNER_INIT}

static inline void lk_ttas_init(lk_ttas_t *l)
{
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* After a lost exchange: wait for the word to read free, back off, retry.
 * deadline 0: none. */
LK__COLD bool lk_ttas_lock_slow_(lk_ttas_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	lk__backoff_t b = LK__BACKOFF_INIT;
	for (;;) {
		while (atomic_load_explicit(&l->word, memory_order_relaxed))
			if (!lk__wait(&w, NULL, 0))
				return false;
		if (!atomic_exchange_explicit(&l->word, 1,
					      memory_order_acquire))
			return true;
		lk__backoff(&b);
	}
}

static inline void lk_ttas_lock(lk_ttas_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_ttas_lock");
	if (lk__unlikely(atomic_exchange_explicit(&l->word, 1,
						  memory_order_acquire)))
		lk_ttas_lock_slow_(l, 0);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_ttas_trylock(lk_ttas_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_relock(&l->owner_, "lk_ttas_trylock");
	/* Test first: a trylock on a held lock then costs no write. */
	if (atomic_load_explicit(&l->word, memory_order_relaxed) ||
	    atomic_exchange_explicit(&l->word, 1, memory_order_acquire)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_ttas_timedlock(lk_ttas_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk__owner_check_relock(&l->owner_, "lk_ttas_timedlock");
	if (atomic_exchange_explicit(&l->word, 1, memory_order_acquire) &&
	    !lk_ttas_lock_slow_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_ttas_unlock(lk_ttas_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(atomic_load_explicit(&l->word, memory_order_relaxed),
		  "lk_ttas_unlock", "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_ttas_unlock");
	atomic_store_explicit(&l->word, 0, memory_order_release);
	lk__tsan_post_unlock(l, 0);
}

/* Is it held, by any thread? A racy hint, for assertions
 * (assert(lk_ttas_is_locked(&l))): true while the caller holds it, false
 * while nobody does; about other threads it may be stale when it returns. */
static inline bool lk_ttas_is_locked(const lk_ttas_t *l)
{
	/* relaxed: see the header comment */
	return atomic_load_explicit(&l->word, memory_order_relaxed) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_ttas_is_held_by_me(const lk_ttas_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_TTAS_H */
