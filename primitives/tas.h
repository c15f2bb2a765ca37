/*
 * latchkit/tas.h: test-and-set spinlock.
 *
 * Algorithm: the test-and-set lock (as surveyed by Anderson, "The performance
 * of spin lock alternatives for shared-memory multiprocessors", IEEE TPDS
 * 1990): acquire by atomically exchanging 1 into a word until the old value
 * was 0; release by storing 0.
 *
 * Progress: deadlock-free, not starvation-free: no fairness at all, any
 * waiter may win any release. Waiters retry the exchange, so under contention
 * every retry bounces the cache line; prefer ttas.h when that matters.
 * Waiting goes through lk__wait() with no futex word (spin for a time, then
 * naps): the release is a plain store, so nobody could be told to wake.
 *
 * Process-shared: yes, as it is: one word, no pointer, and it never parks
 * (naps need no futex).
 *
 * Size: 4 bytes (one uint32_t word); LK_DEBUG adds an owner field.
 *
 * Memory orders:
 *   lock/trylock/timedlock  exchange(word, 1, acquire): the winner must see
 *                           the previous holder's critical section; a failed
 *                           exchange wrote 1 over 1 and publishes nothing.
 *   unlock                  store(word, 0, release): publishes the critical
 *                           section to the next winner's acquire exchange.
 *   is_locked               load(word, relaxed): a hint that orders nothing;
 *                           coherence alone makes it exact about the
 *                           caller's own hold (it reads its own store of 1,
 *                           or a later one: only its unlock stores 0).
 *   debug owner             relaxed loads/stores: only read by checks that
 *                           compare it with the caller's own id.
 */
#ifndef LATCHKIT_TAS_H
#define LATCHKIT_TAS_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	LK_ATOMIC(uint32_t) word; /* 0 free, 1 held */
	LK__OWNER_FIELD
} lk_tas_t;

#define LK_TAS_INIT {LK__AINIT(0) LK__OWNER_INIT}

static inline void lk_tas_init(lk_tas_t *l)
{
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* Slow path, kept out of line of the fast path; deadline 0: none. */
LK__COLD bool lk_tas_lock_slow_(lk_tas_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	do {
		if (!lk__wait(&w, NULL, 0))
			return false;
	} while (atomic_exchange_explicit(&l->word, 1, memory_order_acquire));
	return true;
}

static inline void lk_tas_lock(lk_tas_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_tas_lock");
	if (lk__unlikely(atomic_exchange_explicit(&l->word, 1,
						  memory_order_acquire)))
		lk_tas_lock_slow_(l, 0);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_tas_trylock(lk_tas_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_relock(&l->owner_, "lk_tas_trylock");
	if (atomic_exchange_explicit(&l->word, 1, memory_order_acquire)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_tas_timedlock(lk_tas_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk__owner_check_relock(&l->owner_, "lk_tas_timedlock");
	if (atomic_exchange_explicit(&l->word, 1, memory_order_acquire) &&
	    !lk_tas_lock_slow_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_tas_unlock(lk_tas_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(atomic_load_explicit(&l->word, memory_order_relaxed),
		  "lk_tas_unlock", "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_tas_unlock");
	atomic_store_explicit(&l->word, 0, memory_order_release);
	lk__tsan_post_unlock(l, 0);
}

/* Is it held, by any thread? A racy hint, for assertions
 * (assert(lk_tas_is_locked(&l))): true while the caller holds it, false
 * while nobody does; about other threads it may be stale when it returns. */
static inline bool lk_tas_is_locked(const lk_tas_t *l)
{
	/* relaxed: see the header comment */
	return atomic_load_explicit(&l->word, memory_order_relaxed) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_tas_is_held_by_me(const lk_tas_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_TAS_H */
