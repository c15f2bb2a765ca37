/*
 * latchkit/clh.h: CLH queue lock, in front of a lock word that survives
 * preemption.
 *
 * Algorithm: Craig, "Building FIFO and priority-queuing spin locks from
 * atomic swap" (TR 93-02-02, U. Washington, 1993) and Magnusson, Landin &
 * Hagersten, "Queue locks on cache coherent multiprocessors" (IPPS 1994)
 * as the queue, and gate.h's lock word (ShflLock's separate lock word with
 * a bounded steal, SOSP 2019) as the lock. A locker first tries the word
 * with one CAS. Otherwise it marks its node HELD and swaps it into `tail`;
 * the node it gets back is its predecessor's, and it waits until that node
 * reads FREE: it is then the queue's head, the one thread that waits on
 * the word. Once it has the word it hands headship on: it swings `tail`
 * from its node back to NULL if nobody queued behind it, else marks its
 * node FREE for the successor. No link is ever written.
 *
 * Node ownership (why nodes cannot live on a stack): the successor reads
 * the node after it is marked FREE, so the node passes to the successor.
 * In this API:
 *   lk_clh_lock_node(l, n)   n goes into the queue (unless the word was
 *                            taken at once). Returns the predecessor's
 *                            node, which now belongs to the caller, or NULL.
 *   lk_clh_unlock_node(l, n) true when n came back to the caller (it did
 *                            not queue, or nobody queued behind it), false
 *                            when n now belongs to the successor. The lock
 *                            remembers which in `back_`, written by the
 *                            holder only.
 * Nodes therefore wander between threads: allocate them on the heap or in
 * static storage, never on a stack that may die first. The convenience API
 * lk_clh_lock(l) / trylock / unlock does this bookkeeping with per-thread
 * spares, and only when a lock call queues: one in a fast slot plus a list
 * of up to LK_CLH_POOL (heap, cache-line aligned); a full list frees the
 * extra, and a pthread key destructor frees a thread's spares when it
 * exits. The list is ONE object per thread for the whole program
 * (LK__PROGRAM_WIDE: a weak thread-local, lk__clh_pool_, merged across C
 * and C++ translation units).
 *
 * Progress: starvation-free. Order: FIFO in the order of the swap on
 * `tail` among queued waiters. A thread that has not queued takes a free
 * lock ahead of the head only while the head is not running (asleep, being
 * woken, or preempted), and only during the head's first
 * LK_STEAL_WINDOW_NS (1 ms) as head, and once more as it wakes after that
 * (gate.h).
 *
 * Waiting goes through lk__wait(): spin for the learnt cost of parking,
 * then park. A queued waiter past its spin phase marks its predecessor's
 * node PARKED and sleeps on it (futex); the one handing headship over
 * exchanges the state and calls the kernel only when it saw PARKED, so a
 * new head that sleeps is woken while the lock is still held
 * (wake-ahead). That wake may reach memory already reused or freed by the
 * new head: FUTEX_WAKE on any address is harmless (a spurious wake).
 *
 * No timedlock: a CLH waiter cannot leave the queue without its
 * successor's cooperation (it would have to hand its predecessor's node
 * on: Scott's abortable CLH, 2002); use mutex.h for timeouts.
 *
 * Process-shared: no. The queue links nodes by pointer (each waiter holds
 * its predecessor's), the nodes come from a per-thread pool: neither means
 * anything in another process. No offset-based form.
 *
 * Size: lock 16 bytes (lock word, back_, tail), node one cache line (64
 * bytes, so a spinning successor shares the line with nothing else);
 * LK_DEBUG adds an owner field to the lock.
 *
 * Memory orders (the lock word's are in gate.h):
 *   store(n->state, HELD, relaxed), published by the exchange.
 *   exchange(tail, n, acq_rel): release publishes n's HELD state to the
 *         successor that finds n in tail; acquire: the same for the
 *         predecessor's node, whose state this thread reads.
 *   load(pred->state, acquire): pairs with the hand-over exchange.
 *   CAS(pred->state, HELD->PARKED, relaxed): only announces a sleeper; the
 *         hand-over's exchange orders after it on the same word.
 *   CAS(tail, n, NULL, release / relaxed): publishes n's last use to the
 *         next thread that swaps tail.
 *   exchange(n->state, FREE, release): hands headship (and n) to the
 *         successor; the old value says whether to wake it.
 *   Stronger than needed: the state's acquire load, the hand-over's
 *         release and the CAS's release. The old head runs both while it
 *         holds the word, so the word's release (unlock) and the new
 *         head's acquire (its CAS) order the old head's uses of n before
 *         the new owner reuses or frees it; after the CAS no other thread
 *         touches n. GenMC: relaxed is caught by neither RC11 nor IMM
 *         (clh21: a node queued again, one taken over, then each written
 *         as plain data and freed; verify/wmm).
 *   debug owner: relaxed, compared with the caller's own id.
 */
#ifndef LATCHKIT_CLH_H
#define LATCHKIT_CLH_H

#include "gate.h"

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

/* Where spare nodes come from: aligned_alloc and free, unless the includer
 * defines both LK_CLH_NODE_ALLOC() (a cache-line aligned node, or NULL)
 * and LK_CLH_NODE_FREE(p) first: for a lock taken inside malloc itself (a
 * pthread interposer under an allocator that locks), which must not call
 * malloc back. */
#ifndef LK_CLH_NODE_ALLOC
#define LK_CLH_NODE_ALLOC() aligned_alloc(LK_CACHELINE, sizeof(lk_clh_node_t))
#define LK_CLH_NODE_FREE(p) free(p)
#endif

typedef struct {
	LK_ATOMIC(uint32_t) word; /* gate.h's lock word */
	uint32_t back_; /* the holder's node came back to it */
	LK_ATOMIC(lk_clh_node_t *) tail;
	LK__OWNER_FIELD
} lk_clh_t;

#define LK_CLH_INIT {LK__AINIT(0), 0, LK__AINIT(NULL) LK__OWNER_INIT}

static inline void lk_clh_init(lk_clh_t *l)
{
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	l->back_ = 0;
	atomic_store_explicit(&l->tail, LK__CAST(lk_clh_node_t *, NULL),
			      memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

LK__COLD void lk_clh_wait_head_(lk_clh_node_t *pred)
{
	lk__wait_t w = lk__wait_start(0);
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

/* Queue, become the head, take the word, hand headship on. Returns the
 * predecessor's node (now the caller's) or NULL; sets *back (back_). On
 * the lock's fields, passed apart, so that a lock laid out by another
 * (the pthread interposer's, inside a pthread_mutex_t) queues by the same
 * code. */
LK__COLD lk_clh_node_t *lk_clh_queue_(LK_ATOMIC(uint32_t) *word,
				      LK_ATOMIC(lk_clh_node_t *) *tail,
				      lk_clh_node_t *n, uint32_t *back)
{
	if (lk__gate_arrive(word)) {
		*back = 1;
		return NULL;
	}
	atomic_store_explicit(&n->state, LK_CLH_HELD_, memory_order_relaxed);
	lk_clh_node_t *pred =
		atomic_exchange_explicit(tail, n, memory_order_acq_rel);
	if (pred)
		lk_clh_wait_head_(pred);
	lk__gate_head(word);
	lk_clh_node_t *exp = n;
	if (atomic_compare_exchange_strong_explicit(
		    tail, &exp, LK__CAST(lk_clh_node_t *, NULL),
		    memory_order_release, memory_order_relaxed)) {
		*back = 1;
		return pred;
	}
	/* A successor waits on n: it is its head now, and n is its. */
	*back = 0;
	if (atomic_exchange_explicit(&n->state, LK_CLH_FREE_,
				     memory_order_release) == LK_CLH_PARKED_)
		lk__futex_wake(&n->state, 1);
	return pred;
}

LK__COLD lk_clh_node_t *lk_clh_lock_slow_(lk_clh_t *l, lk_clh_node_t *n)
{
	return lk_clh_queue_(&l->word, &l->tail, n, &l->back_);
}

static inline lk_clh_node_t *lk_clh_lock_node(lk_clh_t *l, lk_clh_node_t *n)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_clh_lock");
	lk_clh_node_t *pred = NULL;
	if (lk__likely(lk__gate_fast(&l->word)))
		l->back_ = 1;
	else
		pred = lk_clh_lock_slow_(l, n);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
	return pred;
}

static inline bool lk_clh_trylock_node(lk_clh_t *l, lk_clh_node_t *n)
{
	(void)n; /* trylock never queues */
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_relock(&l->owner_, "lk_clh_trylock");
	if (!lk__gate_trylock(&l->word)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	l->back_ = 1;
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_clh_release_(lk_clh_t *l, const char *fn)
{
	(void)fn; /* named in LK_DEBUG's reports only */
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(lk__gate_is_locked(&l->word), fn, "unlock of a free lock");
	lk__owner_check_release(&l->owner_, fn);
	bool back = l->back_ != 0;
	lk__gate_unlock(&l->word);
	lk__tsan_post_unlock(l, 0);
	return back;
}

static inline bool lk_clh_unlock_node(lk_clh_t *l, lk_clh_node_t *n)
{
	(void)n;
	return lk_clh_release_(l, "lk_clh_unlock");
}

/* Is the lock held by anyone? A racy hint for assertions (relaxed load:
 * it orders nothing; exact about the caller's own hold, by coherence). */
static inline bool lk_clh_is_locked(const lk_clh_t *l)
{
	return lk__gate_is_locked(&l->word);
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_clh_is_held_by_me(const lk_clh_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

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
	lk__clh_pool_t *p = LK__CAST(lk__clh_pool_t *, arg);
	LK_CLH_NODE_FREE(p->one);
	p->one = NULL;
	while (p->n)
		LK_CLH_NODE_FREE(p->spare[--p->n]);
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
	void *m = LK_CLH_NODE_ALLOC();
	if (!m)
		lk__misuse("lk_clh_lock", "out of memory for a node");
	return LK__CAST(lk_clh_node_t *, m);
}

/* The single spare is taken: keep n in the list, or free it. */
LK__COLD void lk_clh_node_less_(lk__clh_pool_t *p, lk_clh_node_t *n)
{
	if (p->n < LK_CLH_POOL)
		p->spare[p->n++] = n;
	else
		LK_CLH_NODE_FREE(n); /* nobody references a node we own */
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

/* Only a lock call that queues needs a node: take a spare, and keep what
 * comes back. On the lock's fields, as lk_clh_queue_. */
LK__COLD void lk_clh_queue_spare_(LK_ATOMIC(uint32_t) *word,
				  LK_ATOMIC(lk_clh_node_t *) *tail,
				  uint32_t *back)
{
	lk_clh_node_t *n = lk_clh_node_get_();
	lk_clh_node_t *pred = lk_clh_queue_(word, tail, n, back);
	if (pred)
		lk_clh_node_put_(pred);
	if (*back)
		lk_clh_node_put_(n);
}

LK__COLD void lk_clh_lock_queued_(lk_clh_t *l)
{
	lk_clh_queue_spare_(&l->word, &l->tail, &l->back_);
}

static inline void lk_clh_lock(lk_clh_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_clh_lock");
	if (lk__unlikely(!lk__gate_fast(&l->word)))
		lk_clh_lock_queued_(l);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_clh_trylock(lk_clh_t *l)
{
	return lk_clh_trylock_node(l, NULL);
}

static inline void lk_clh_unlock(lk_clh_t *l)
{
	lk_clh_release_(l, "lk_clh_unlock");
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_CLH_H */
