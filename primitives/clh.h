/*
 * latchkit/clh.h: CLH queue lock.
 *
 * Algorithm: Craig, "Building FIFO and priority-queuing spin locks from
 * atomic swap" (TR 93-02-02, U. Washington, 1993) and Magnusson, Landin &
 * Hagersten, "Queue locks on cache coherent multiprocessors" (IPPS 1994).
 * Each thread brings a node marked HELD and swaps it into `tail`; the node
 * it gets back is its predecessor's, and it waits until that node reads
 * FREE. Unlike MCS a waiter spins on its predecessor's node and nobody ever
 * writes a link, so unlock is one store and needs no wait for a successor.
 *
 * Variant: `tail` may be NULL, meaning free with an empty queue (so the
 * static initializer needs no dummy node). Unlock first tries to swing
 * `tail` from its own node back to NULL; only when a successor has queued
 * does it mark its node FREE.
 *
 * Node ownership (why nodes cannot live on a stack): a releaser cannot know
 * when its successor has finished reading the released node, so the node
 * passes to the successor. In this API:
 *   lk_clh_lock_node(l, n)   n goes into the queue. Returns the predecessor's
 *                            node, which now belongs to the caller (its last
 *                            reader was the caller), or NULL.
 *   lk_clh_unlock_node(l, n) returns true when n came back to the caller (no
 *                            successor), false when n now belongs to the
 *                            successor, whose lock call returned it.
 * Nodes therefore wander between threads: allocate them on the heap or in
 * static storage, never on a stack that may die first.
 * The convenience API lk_clh_lock(l) / trylock / unlock does this
 * bookkeeping with per-thread spares: one in a fast slot plus a list of up
 * to LK_CLH_POOL (heap, cache-line aligned): lock pops a spare (allocates
 * when none),
 * nodes gained are pushed, a full list frees the extra, and a pthread key
 * destructor frees a thread's spares when it exits. The list is ONE object
 * per thread for the whole program (LK__PROGRAM_WIDE: a weak thread-local,
 * lk__clh_pool_, merged across C and C++ translation units), so lock and unlock
 * may sit in different translation units. The holder's node is kept in the
 * lock's `holder_` field, written only by the holder.
 *
 * Progress: starvation-free, FIFO in the order of the swap on `tail`.
 * Waiting goes through lk__wait(), with no yield phase (lk__wait_park_early,
 * as in mcs.h): past its spin phase a waiter marks its
 * predecessor's node PARKED and sleeps on it (futex); the releaser exchanges
 * the state and calls the kernel only when it saw PARKED. That wake may
 * reach memory already reused or freed by the new owner: FUTEX_WAKE on any
 * address is harmless (a spurious wake; every waiter re-checks).
 *
 * No timedlock: a CLH waiter cannot leave the queue without its successor's
 * cooperation (it would have to hand its predecessor's node on: Scott's
 * abortable CLH, 2002); use mutex.h for timeouts.
 *
 * Size: lock 16 bytes (tail + holder_), node one cache line (64 bytes, so a
 * spinning successor shares the line with nothing else); LK_DEBUG adds an
 * owner field to the lock.
 *
 * Memory orders:
 *   lock: store(n->state, HELD, relaxed), published by the exchange.
 *         exchange(tail, n, acq_rel): release publishes n's HELD state to the
 *         successor that finds n in tail; acquire pairs with the release CAS
 *         of the last unlock when the queue was empty.
 *         load(pred->state, acquire): FREE must show the previous critical
 *         section. CAS(pred->state, HELD->PARKED, relaxed): only announces a
 *         sleeper; the releaser's exchange orders after it on the same word.
 *   trylock: load(tail, relaxed) first, to fail on a held lock without a
 *         write; then CAS(tail, NULL, n, acq_rel / relaxed), as the exchange.
 *   unlock: CAS(tail, n, NULL, release / relaxed): publishes the critical
 *         section to the next thread that swaps tail.
 *         exchange(n->state, FREE, release): hands the critical section to
 *         the successor; the old value says whether to wake it.
 *   debug owner: relaxed, compared with the caller's own id.
 */
#ifndef LATCHKIT_CLH_H
#define LATCHKIT_CLH_H

#include "base.h"

#include <pthread.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_CLH_POOL
#define LK_CLH_POOL 4 /* spare nodes one thread keeps */
#endif

enum { LK_CLH_FREE_ = 0, LK_CLH_HELD_ = 1, LK_CLH_PARKED_ = 2 };

typedef struct lk_clh_node {
	LK_ATOMIC(uint32_t) state;
} LK_CACHE_ALIGNED lk_clh_node_t;

typedef struct {
	LK_ATOMIC(lk_clh_node_t *) tail;
	lk_clh_node_t *holder_; /* convenience API: the holder's node */
	LK__OWNER_FIELD
} lk_clh_t;

#define LK_CLH_INIT {NULL, NULL LK__OWNER_INIT}

static inline void lk_clh_init(lk_clh_t *l)
{
	atomic_store_explicit(&l->tail, (lk_clh_node_t *)NULL,
			      memory_order_relaxed);
	l->holder_ = NULL;
	lk__owner_clear(&l->owner_);
}

LK__COLD void lk_clh_wait_free_(lk_clh_node_t *pred)
{
	lk__wait_t w = lk__wait_start(0);
	lk__wait_park_early(&w); /* FIFO: yielding only stalls the queue */
	uint32_t s;
	while ((s = atomic_load_explicit(&pred->state,
					 memory_order_acquire)) != LK_CLH_FREE_) {
		if (s == LK_CLH_HELD_ && lk__wait_would_park(&w)) {
			/* Announce the sleeper first; a failed CAS means FREE
			 * arrived, and the loop sees it. */
			uint32_t exp = LK_CLH_HELD_;
			atomic_compare_exchange_strong_explicit(
				&pred->state, &exp, LK_CLH_PARKED_,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		lk__wait(&w, &pred->state, s);
	}
}

static inline lk_clh_node_t *lk_clh_lock_node(lk_clh_t *l, lk_clh_node_t *n)
{
	lk__owner_check_relock(&l->owner_, "lk_clh_lock");
	atomic_store_explicit(&n->state, LK_CLH_HELD_, memory_order_relaxed);
	lk_clh_node_t *pred =
		atomic_exchange_explicit(&l->tail, n, memory_order_acq_rel);
	if (lk__unlikely(pred != NULL))
		lk_clh_wait_free_(pred);
	lk__owner_acquired(&l->owner_);
	return pred;
}

static inline bool lk_clh_trylock_node(lk_clh_t *l, lk_clh_node_t *n)
{
	lk__owner_check_relock(&l->owner_, "lk_clh_trylock");
	lk_clh_node_t *exp = NULL;
	if (atomic_load_explicit(&l->tail, memory_order_relaxed))
		return false; /* held: fail without writing the line */
	atomic_store_explicit(&n->state, LK_CLH_HELD_, memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&l->tail, &exp, n,
						     memory_order_acq_rel,
						     memory_order_relaxed))
		return false;
	lk__owner_acquired(&l->owner_);
	return true;
}

static inline bool lk_clh_release_(lk_clh_t *l, lk_clh_node_t *n)
{
	lk_clh_node_t *exp = n;
	if (lk__likely(atomic_compare_exchange_strong_explicit(
		    &l->tail, &exp, (lk_clh_node_t *)NULL,
		    memory_order_release, memory_order_relaxed)))
		return true;
	/* A successor waits on n: hand over. n is its from here on, so the
	 * wake below only uses the address. */
	if (atomic_exchange_explicit(&n->state, LK_CLH_FREE_,
				     memory_order_release) == LK_CLH_PARKED_)
		lk__futex_wake(&n->state, 1);
	return false;
}

static inline bool lk_clh_unlock_node(lk_clh_t *l, lk_clh_node_t *n)
{
	lk__owner_check_release(&l->owner_, "lk_clh_unlock");
	return lk_clh_release_(l, n);
}

/* ---- convenience API: spare nodes per thread, shared by every TU ------ */

typedef struct {
	lk_clh_node_t *one; /* the usual single spare: the fast path */
	lk_clh_node_t *spare[LK_CLH_POOL];
	uint32_t n;
	uint32_t keyed; /* the exit destructor is registered */
} lk__clh_pool_t;

LK__PROGRAM_WIDE LK_THREAD_LOCAL lk__clh_pool_t lk__clh_pool_;
LK__PROGRAM_WIDE pthread_key_t lk__clh_key_;
LK__PROGRAM_WIDE pthread_once_t lk__clh_once_ = PTHREAD_ONCE_INIT;

static inline void lk_clh_pool_exit_(void *arg)
{
	lk__clh_pool_t *p = (lk__clh_pool_t *)arg;
	free(p->one);
	p->one = NULL;
	while (p->n)
		free(p->spare[--p->n]);
	p->keyed = 0;
}

static inline void lk_clh_key_create_(void)
{
	if (pthread_key_create(&lk__clh_key_, lk_clh_pool_exit_))
		lk__misuse("lk_clh_lock", "pthread_key_create failed");
}

/* No single spare: take one from the list, or allocate. */
LK__COLD lk_clh_node_t *lk_clh_node_more_(lk__clh_pool_t *p)
{
	if (p->n)
		return p->spare[--p->n];
	if (!p->keyed) {
		pthread_once(&lk__clh_once_, lk_clh_key_create_);
		pthread_setspecific(lk__clh_key_, p);
		p->keyed = 1;
	}
	void *m = aligned_alloc(LK_CACHELINE, sizeof(lk_clh_node_t));
	if (!m)
		lk__misuse("lk_clh_lock", "out of memory for a node");
	return (lk_clh_node_t *)m;
}

/* The single spare is taken: keep n in the list, or free it. */
LK__COLD void lk_clh_node_less_(lk__clh_pool_t *p, lk_clh_node_t *n)
{
	if (p->n < LK_CLH_POOL)
		p->spare[p->n++] = n;
	else
		free(n); /* nobody references a node we own */
}

static inline lk_clh_node_t *lk_clh_node_get_(void)
{
	lk__clh_pool_t *p = &lk__clh_pool_;
	lk_clh_node_t *n = p->one;
	if (lk__unlikely(!n))
		return lk_clh_node_more_(p);
	p->one = NULL;
	return n;
}

static inline void lk_clh_node_put_(lk_clh_node_t *n)
{
	lk__clh_pool_t *p = &lk__clh_pool_;
	if (lk__unlikely(p->one != NULL))
		lk_clh_node_less_(p, n);
	else
		p->one = n;
}

static inline void lk_clh_lock(lk_clh_t *l)
{
	lk_clh_node_t *n = lk_clh_node_get_();
	lk_clh_node_t *pred = lk_clh_lock_node(l, n);
	if (pred)
		lk_clh_node_put_(pred);
	l->holder_ = n;
}

static inline bool lk_clh_trylock(lk_clh_t *l)
{
	lk_clh_node_t *n = lk_clh_node_get_();
	if (!lk_clh_trylock_node(l, n)) {
		lk_clh_node_put_(n);
		return false;
	}
	l->holder_ = n;
	return true;
}

static inline void lk_clh_unlock(lk_clh_t *l)
{
	lk__owner_check_release(&l->owner_, "lk_clh_unlock");
	lk_clh_node_t *n = l->holder_;
	if (lk_clh_release_(l, n))
		lk_clh_node_put_(n);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_CLH_H */
