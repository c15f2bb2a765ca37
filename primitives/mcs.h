/*
 * latchkit/mcs.h: MCS queue lock, in front of a lock word that survives
 * preemption.
 *
 * Algorithm: Mellor-Crummey & Scott, "Algorithms for scalable
 * synchronization on shared-memory multiprocessors" (ACM TOCS 1991) as the
 * queue, and gate.h's lock word (ShflLock's separate lock word with a
 * bounded steal, SOSP 2019) as the lock. A locker first tries the word with
 * one CAS. Otherwise it swaps its node into `tail`, links itself behind its
 * predecessor and waits on a flag in its OWN node (a line nobody else
 * writes) until the predecessor makes it the queue's head. The head alone
 * waits on the word; once it has it, it hands headship to its successor
 * (waiting for the successor's link if the successor has swapped but not
 * linked yet, the release race of the paper) or swings `tail` back to
 * NULL, and its node is free: the node serves only while its thread queues,
 * never while it holds the lock.
 *
 * Progress: starvation-free. Order: FIFO in the order of the swap on
 * `tail` among queued waiters. A thread that has not queued takes a free
 * lock ahead of the head only while the head is not running (asleep, being
 * woken, or preempted), and only during the head's first
 * LK_STEAL_WINDOW_NS (1 ms) as head, and once more as it wakes after that
 * (gate.h).
 *
 * Waiting goes through lk__wait(): spin for the learnt cost of parking,
 * then park. A queued waiter past its spin phase marks its flag PARKED and
 * sleeps on it (futex); the one that hands it headship exchanges the flag
 * and calls the kernel only when it saw PARKED, so a new head that sleeps
 * is woken while the lock is still held (wake-ahead). That wake may reach
 * a node whose owner has already seen HEAD and reused the memory:
 * FUTEX_WAKE on such an address is harmless (a spurious wake, and every
 * waiter re-checks).
 *
 * No timedlock: a waiter that leaves must unlink its node from the middle
 * of the queue while its neighbours are arriving and handing over (Scott's
 * abortable MCS, 2002), which roughly doubles the protocol; use mutex.h for
 * timeouts.
 *
 * Two APIs: lk_mcs_lock(l) / trylock / unlock, whose node lives on the
 * locking thread's stack while it queues; and the explicit-node forms
 * lk_mcs_lock_node(l, n) / lk_mcs_trylock_node / lk_mcs_unlock_node(l, n),
 * whose node must stay valid from the lock call until the matching unlock
 * returns (it is in fact free again when the lock call returns). Lock and
 * unlock may be in different translation units and in any order.
 *
 * Process-shared: no. The queue links nodes by pointer, and the nodes come
 * from a per-thread pool: neither means anything in another process. No
 * offset-based form: use mutex.h's shared form (LK_MUTEX_INIT_SHARED).
 *
 * Size: lock 16 bytes (lock word + tail), node 16 bytes; LK_DEBUG adds an
 * owner field to the lock.
 *
 * Memory orders (the lock word's are in gate.h):
 *   node init stores relaxed; exchange(tail, n, acq_rel): release
 *         publishes n's initialised fields to the successor that finds n
 *         in tail; acquire: the same for the predecessor's node, whose
 *         next this thread writes.
 *   store(pred->next, n, release): the predecessor's acquire load of next
 *         must see n's initialised flag before handing it headship.
 *   load(n->flag, acquire): pairs with the hand-over exchange.
 *   CAS(flag, WAITING->PARKED, relaxed): only announces a sleeper; the
 *         hand-over's exchange orders after it on the same word.
 *   load(n->next, acquire): pairs with the successor's link store.
 *   CAS(tail, n, NULL, release / relaxed): publishes n's last use to the
 *         next thread that swaps tail.
 *   exchange(next->flag, HEAD, release): hands headship over; the old value
 *         says whether to wake.
 *   Stronger than needed: the flag's acquire load, the hand-over's release
 *         and the CAS's release. The old head runs both while it holds the
 *         word, so the word's release (unlock) and the new head's acquire
 *         (its CAS) order the old head's uses of n before n's next use,
 *         even as plain memory; and after the CAS no other thread touches
 *         n. GenMC: relaxed is caught by neither RC11 nor IMM (mcs21, its
 *         node queued again and then written as plain data; verify/wmm).
 *   Needed under C11, not under IMM: the link store's release and the
 *         head's acquire loads of next. Relaxed, RC11 reports a race on
 *         the node (GenMC, mcs21g; IMM passes): the tail exchange's acq_rel
 *         and the address dependency (the head exchanges the flag of the
 *         node its load returned) order the successor's init first. C11
 *         promises no dependency order: kept. The tail exchange's acq_rel
 *         is needed under both: under IMM a missing half loses the link
 *         (the predecessor's init of next lands after it), a hang that
 *         GenMC's bounded loops show only as a blocked execution.
 *   debug owner: relaxed, compared with the caller's own id.
 */
#ifndef LATCHKIT_MCS_H
#define LATCHKIT_MCS_H

#include "gate.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { LK_MCS_WAITING_ = 0, LK_MCS_HEAD_ = 1, LK_MCS_PARKED_ = 2 };

typedef struct lk_mcs_node {
	LK_ATOMIC(struct lk_mcs_node *) next;
	LK_ATOMIC(uint32_t) flag;
} lk_mcs_node_t;

typedef struct {
	LK_ATOMIC(uint32_t) word; /* gate.h's lock word */
	LK_ATOMIC(lk_mcs_node_t *) tail;
	LK__OWNER_FIELD
} lk_mcs_t;

#define LK_MCS_INIT {LK__AINIT(0), LK__AINIT(NULL) LK__OWNER_INIT}

static inline void lk_mcs_init(lk_mcs_t *l)
{
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	atomic_store_explicit(&l->tail, LK__CAST(lk_mcs_node_t *, NULL),
			      memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

LK__COLD void lk_mcs_wait_head_(lk_mcs_node_t *n)
{
	lk__wait_t w = lk__wait_start(0);
	uint32_t f;
	while ((f = atomic_load_explicit(&n->flag, memory_order_acquire)) !=
	       LK_MCS_HEAD_) {
		if (f == LK_MCS_WAITING_ && lk__wait_would_park(&w)) {
			/* Announce the sleeper before sleeping; a failed CAS
			 * means HEAD arrived, and the loop sees it. */
			uint32_t exp = LK_MCS_WAITING_;
			atomic_compare_exchange_strong_explicit(
				&n->flag, &exp, LK_MCS_PARKED_,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		lk__wait(&w, &n->flag, f);
	}
}

/* Queue behind the others, become the head, take the word, hand headship
 * on. n is free again on return. On the lock's two fields, passed apart,
 * so that a lock laid out by another (the pthread interposer's, inside a
 * pthread_mutex_t) queues by the same code. */
LK__COLD void lk_mcs_queue_(LK_ATOMIC(uint32_t) *word,
			    LK_ATOMIC(lk_mcs_node_t *) *tail, lk_mcs_node_t *n)
{
	if (lk__gate_arrive(word))
		return;
	atomic_store_explicit(&n->next, LK__CAST(lk_mcs_node_t *, NULL),
			      memory_order_relaxed);
	atomic_store_explicit(&n->flag, LK_MCS_WAITING_, memory_order_relaxed);
	lk_mcs_node_t *pred =
		atomic_exchange_explicit(tail, n, memory_order_acq_rel);
	if (pred) {
		atomic_store_explicit(&pred->next, n, memory_order_release);
		lk_mcs_wait_head_(n);
	}
	lk__gate_head(word);
	lk_mcs_node_t *next = atomic_load_explicit(&n->next,
						   memory_order_acquire);
	if (!next) {
		lk_mcs_node_t *exp = n;
		if (atomic_compare_exchange_strong_explicit(
			    tail, &exp, LK__CAST(lk_mcs_node_t *, NULL),
			    memory_order_release, memory_order_relaxed))
			return;
		/* A successor swapped itself in: wait for its link. */
		lk__wait_t w = lk__wait_start(0);
		while (!(next = atomic_load_explicit(&n->next,
						     memory_order_acquire)))
			lk__wait(&w, NULL, 0);
	}
	if (atomic_exchange_explicit(&next->flag, LK_MCS_HEAD_,
				     memory_order_release) == LK_MCS_PARKED_)
		lk__futex_wake(&next->flag, 1);
}

LK__COLD void lk_mcs_lock_slow_(lk_mcs_t *l, lk_mcs_node_t *n)
{
	lk_mcs_queue_(&l->word, &l->tail, n);
}

static inline void lk_mcs_lock_node(lk_mcs_t *l, lk_mcs_node_t *n)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_mcs_lock");
	if (lk__unlikely(!lk__gate_fast(&l->word)))
		lk_mcs_lock_slow_(l, n);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_mcs_trylock_node(lk_mcs_t *l, lk_mcs_node_t *n)
{
	(void)n; /* trylock never queues */
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_relock(&l->owner_, "lk_mcs_trylock");
	if (!lk__gate_trylock(&l->word)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline void lk_mcs_unlock_node(lk_mcs_t *l, lk_mcs_node_t *n)
{
	(void)n; /* the node was free once the lock call returned */
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(lk__gate_is_locked(&l->word), "lk_mcs_unlock",
		  "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_mcs_unlock");
	lk__gate_unlock(&l->word);
	lk__tsan_post_unlock(l, 0);
}

/* The convenience API: the queue node is a local of the slow path. */
LK__COLD void lk_mcs_lock_queued_(lk_mcs_t *l)
{
	lk_mcs_node_t n;
	lk_mcs_lock_slow_(l, &n);
}

static inline void lk_mcs_lock(lk_mcs_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_mcs_lock");
	if (lk__unlikely(!lk__gate_fast(&l->word)))
		lk_mcs_lock_queued_(l);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_mcs_trylock(lk_mcs_t *l)
{
	return lk_mcs_trylock_node(l, NULL);
}

static inline void lk_mcs_unlock(lk_mcs_t *l)
{
	lk_mcs_unlock_node(l, NULL);
}

/* Is the lock held by anyone? A racy hint for assertions (relaxed load:
 * it orders nothing; exact about the caller's own hold, by coherence). */
static inline bool lk_mcs_is_locked(const lk_mcs_t *l)
{
	return lk__gate_is_locked(&l->word);
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_mcs_is_held_by_me(const lk_mcs_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_MCS_H */
