/*
 * latchkit/mcs.h: MCS queue lock.
 *
 * Algorithm: Mellor-Crummey & Scott, "Algorithms for scalable synchronization
 * on shared-memory multiprocessors" (ACM TOCS 1991). Waiters form a linked
 * queue of nodes; `tail` names the last. An arriving thread swaps its node
 * into `tail`, links itself behind its predecessor and waits on a flag in its
 * OWN node, so each waiter spins on a line nobody else writes until its
 * predecessor hands the lock over. Unlock with no successor swings `tail`
 * back to NULL with a CAS; when that CAS fails a successor has swapped itself
 * in but may not have linked yet, so unlock waits for the link (the release
 * race of the paper) before granting.
 *
 * Progress: starvation-free, FIFO in the order of the swap on `tail`.
 * Waiting goes through lk__wait(), with no yield phase
 * (lk__wait_park_early: a next-in-line waiter that yields is runnable but
 * not running when granted, and the whole queue waits for the scheduler). A
 * waiter past its spin phase marks its flag PARKED and sleeps on it (futex); the granter exchanges the flag and
 * calls the kernel only when it saw PARKED, so the hand-off costs a syscall
 * only when the next waiter really sleeps. That keeps the queue moving when
 * waiters outnumber cores. The wake may reach a node whose owner has
 * already seen GRANTED, returned and reused the memory: FUTEX_WAKE on such
 * an address is harmless (a spurious wake for whoever waits there, and every
 * waiter re-checks).
 *
 * No timedlock: a waiter that leaves must unlink its node from the middle of
 * the queue while its neighbours are arriving and granting (Scott's abortable
 * MCS, 2002), which roughly doubles the protocol; use mutex.h for timeouts.
 *
 * Two APIs:
 *  - explicit node: lk_mcs_lock_node(l, n) / lk_mcs_trylock_node /
 *    lk_mcs_unlock_node(l, n). The node must stay valid and untouched from
 *    the lock call until the matching unlock returns; then it is the
 *    caller's again (a stack node is fine).
 *  - convenience: lk_mcs_lock(l) / trylock / unlock take a node from a
 *    per-thread pool of LK_MCS_POOL nodes (a free list linked through the
 *    nodes' own `next`) and remember it in the lock's `holder_` field
 *    (written only by the holder), so unlock finds it in O(1) and unlock
 *    order need not be LIFO. The pool
 *    is ONE object per thread for the whole program (LK__PROGRAM_WIDE: a
 *    weak thread-local, lk__mcs_pool_, merged across C and C++ translation
 *    units by the linker), so a
 *    lock taken in one file may be released in another. Holding more than
 *    LK_MCS_POOL convenience-API MCS locks at once aborts.
 *
 * Size: lock 16 bytes (tail + holder_), node 16 bytes; LK_DEBUG adds an
 * owner field to the lock.
 *
 * Memory orders:
 *   lock: node init stores relaxed; exchange(tail, n, acq_rel): acquire
 *         pairs with the release CAS of the last unlock when the queue was
 *         empty; release publishes n's initialised fields to the successor
 *         that will find n in tail.
 *         store(pred->next, n, release): the predecessor's acquire load of
 *         next must see n's initialised flag before granting it.
 *         load(n->flag, acquire): GRANTED must show the previous critical
 *         section. CAS(flag, WAITING->PARKED, relaxed): only announces a
 *         sleeper; the granter's exchange orders after it on the same word.
 *   trylock: load(tail, relaxed) first, to fail on a held lock without a
 *         write; then CAS(tail, NULL, n, acq_rel / relaxed) as the exchange.
 *   pool: relaxed load/store of a free node's `next`: the free list is
 *         private to its thread.
 *   unlock: load(n->next, acquire) pairs with the successor's link store.
 *         CAS(tail, n, NULL, release / relaxed): publishes the critical
 *         section to the next thread that swaps tail.
 *         exchange(next->flag, GRANTED, release): hands over the critical
 *         section; the old value says whether to wake.
 *   debug owner: relaxed, compared with the caller's own id.
 */
#ifndef LATCHKIT_MCS_H
#define LATCHKIT_MCS_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_MCS_POOL
#define LK_MCS_POOL 8 /* convenience-API MCS locks one thread may hold */
#endif

enum { LK_MCS_WAITING_ = 0, LK_MCS_GRANTED_ = 1, LK_MCS_PARKED_ = 2 };

typedef struct lk_mcs_node {
	LK_ATOMIC(struct lk_mcs_node *) next;
	LK_ATOMIC(uint32_t) flag;
} lk_mcs_node_t;

typedef struct {
	LK_ATOMIC(lk_mcs_node_t *) tail;
	lk_mcs_node_t *holder_; /* convenience API: the holder's node */
	LK__OWNER_FIELD
} lk_mcs_t;

#define LK_MCS_INIT {NULL, NULL LK__OWNER_INIT}

static inline void lk_mcs_init(lk_mcs_t *l)
{
	atomic_store_explicit(&l->tail, (lk_mcs_node_t *)NULL,
			      memory_order_relaxed);
	l->holder_ = NULL;
	lk__owner_clear(&l->owner_);
}

LK__COLD void lk_mcs_wait_granted_(lk_mcs_node_t *n)
{
	lk__wait_t w = lk__wait_start(0);
	lk__wait_park_early(&w); /* FIFO: yielding only stalls the queue */
	uint32_t f;
	while ((f = atomic_load_explicit(&n->flag, memory_order_acquire)) !=
	       LK_MCS_GRANTED_) {
		if (f == LK_MCS_WAITING_ && lk__wait_would_park(&w)) {
			/* Announce the sleeper before sleeping; a failed CAS
			 * means GRANTED arrived, and the loop sees it. */
			uint32_t exp = LK_MCS_WAITING_;
			atomic_compare_exchange_strong_explicit(
				&n->flag, &exp, LK_MCS_PARKED_,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		lk__wait(&w, &n->flag, f);
	}
}

static inline void lk_mcs_lock_node(lk_mcs_t *l, lk_mcs_node_t *n)
{
	lk__owner_check_relock(&l->owner_, "lk_mcs_lock");
	atomic_store_explicit(&n->next, (lk_mcs_node_t *)NULL,
			      memory_order_relaxed);
	atomic_store_explicit(&n->flag, LK_MCS_WAITING_, memory_order_relaxed);
	lk_mcs_node_t *pred =
		atomic_exchange_explicit(&l->tail, n, memory_order_acq_rel);
	if (lk__unlikely(pred != NULL)) {
		atomic_store_explicit(&pred->next, n, memory_order_release);
		lk_mcs_wait_granted_(n);
	}
	lk__owner_acquired(&l->owner_);
}

static inline bool lk_mcs_trylock_node(lk_mcs_t *l, lk_mcs_node_t *n)
{
	lk__owner_check_relock(&l->owner_, "lk_mcs_trylock");
	lk_mcs_node_t *exp = NULL;
	if (atomic_load_explicit(&l->tail, memory_order_relaxed))
		return false; /* held: fail without writing the line */
	atomic_store_explicit(&n->next, (lk_mcs_node_t *)NULL,
			      memory_order_relaxed);
	atomic_store_explicit(&n->flag, LK_MCS_WAITING_, memory_order_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&l->tail, &exp, n,
						     memory_order_acq_rel,
						     memory_order_relaxed))
		return false;
	lk__owner_acquired(&l->owner_);
	return true;
}

/* A successor swapped itself into tail: wait for its link, then grant. */
LK__COLD void lk_mcs_grant_(lk_mcs_node_t *n)
{
	lk_mcs_node_t *next;
	lk__wait_t w = lk__wait_start(0);
	while (!(next = atomic_load_explicit(&n->next, memory_order_acquire)))
		lk__wait(&w, NULL, 0); /* the successor is between swap and link */
	if (atomic_exchange_explicit(&next->flag, LK_MCS_GRANTED_,
				     memory_order_release) == LK_MCS_PARKED_)
		lk__futex_wake(&next->flag, 1);
}

static inline void lk_mcs_release_(lk_mcs_t *l, lk_mcs_node_t *n)
{
	if (!atomic_load_explicit(&n->next, memory_order_acquire)) {
		lk_mcs_node_t *exp = n;
		if (lk__likely(atomic_compare_exchange_strong_explicit(
			    &l->tail, &exp, (lk_mcs_node_t *)NULL,
			    memory_order_release, memory_order_relaxed)))
			return;
	}
	lk_mcs_grant_(n);
}

static inline void lk_mcs_unlock_node(lk_mcs_t *l, lk_mcs_node_t *n)
{
	lk__owner_check_release(&l->owner_, "lk_mcs_unlock");
	lk_mcs_release_(l, n);
}

/* ---- convenience API: one node pool per thread, shared by every TU ---- */

typedef struct {
	lk_mcs_node_t node[LK_MCS_POOL];
	lk_mcs_node_t *free; /* free nodes, linked through their `next` */
	uint32_t ready;      /* the free list has been built */
} lk__mcs_pool_t;

LK__PROGRAM_WIDE LK_THREAD_LOCAL lk__mcs_pool_t lk__mcs_pool_;

/* First use in this thread builds the free list; later, an empty list
 * means every node is in some queue. */
LK__COLD lk_mcs_node_t *lk_mcs_pool_refill_(lk__mcs_pool_t *p)
{
	if (p->ready)
		lk__misuse("lk_mcs_lock",
			   "more than LK_MCS_POOL MCS locks held by one thread");
	p->ready = 1;
	for (int i = LK_MCS_POOL - 1; i > 0; i--) {
		atomic_store_explicit(&p->node[i].next, p->free,
				      memory_order_relaxed);
		p->free = &p->node[i];
	}
	return &p->node[0];
}

/* A free node is private to its thread: relaxed is enough for the link. */
static inline lk_mcs_node_t *lk_mcs_node_get_(void)
{
	lk__mcs_pool_t *p = &lk__mcs_pool_;
	lk_mcs_node_t *n = p->free;
	if (lk__unlikely(!n))
		return lk_mcs_pool_refill_(p);
	p->free = atomic_load_explicit(&n->next, memory_order_relaxed);
	return n;
}

static inline void lk_mcs_node_put_(lk_mcs_node_t *n)
{
	lk__mcs_pool_t *p = &lk__mcs_pool_;
	atomic_store_explicit(&n->next, p->free, memory_order_relaxed);
	p->free = n;
}

static inline void lk_mcs_lock(lk_mcs_t *l)
{
	lk_mcs_node_t *n = lk_mcs_node_get_();
	lk_mcs_lock_node(l, n);
	l->holder_ = n;
}

static inline bool lk_mcs_trylock(lk_mcs_t *l)
{
	lk_mcs_node_t *n = lk_mcs_node_get_();
	if (!lk_mcs_trylock_node(l, n)) {
		lk_mcs_node_put_(n);
		return false;
	}
	l->holder_ = n;
	return true;
}

static inline void lk_mcs_unlock(lk_mcs_t *l)
{
	lk__owner_check_release(&l->owner_, "lk_mcs_unlock");
	lk_mcs_node_t *n = l->holder_;
	lk_mcs_release_(l, n);
	lk_mcs_node_put_(n);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_MCS_H */
