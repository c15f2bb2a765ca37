/*
 * latchkit/cond.h: a condition variable on futex: FIFO wake-ups, no lost
 * or stolen ones, and broadcast by wait morphing.
 *
 * Algorithm: a FIFO queue of waiters, each with a futex word of its own
 * (a node on its stack), under a short internal lock: Birrell's queue of
 * per-thread semaphores ("Implementing Condition Variables with
 * Semaphores", 2003, the version he shows correct after the broken ones),
 * which is Cargill's "specific notification" (1996), as musl builds it on
 * futexes (Felker, 2014). A waiter appends its node while it still holds
 * the mutex, then releases the mutex and waits on its own word: it spins
 * for the learnt cost of parking (lk__wait, base.h), then marks the node
 * PARKED and futex-waits on it. lk_cond_signal takes the oldest node off
 * the queue (the choice, made under the internal lock) and hands it over:
 * one CAS WAITING -> SIGNALED when the waiter is still running; when it
 * has parked, SIGNALED and then a futex wake (a broadcast that moves the
 * sleeper onto the mutex: BUSY, the requeue, then REQUEUED; below).
 * lk_cond_broadcast takes the whole queue. A waiter returns only when a
 * signal or broadcast chose it, or when its deadline passes while it is
 * still queued.
 *
 * The wake after the store: a woken waiter runs on at once, and does not
 * wait for its waker to come back from the futex call (it used to: the
 * waker stored BUSY, woke, then stored SIGNALED, and the woken waiter
 * waited for that store; with FUTEX_WAKE taking 7.6 us on a 2-core VM and
 * the waker often preempted by the thread it woke, RocksDB's db_bench
 * fillrandom at 8 threads on 2 cores ran at 0.53x glibc that way and at
 * 0.99x this way, medians of the same 9 interleaved runs; 0.87x to 0.99x
 * over five such runs). The price: a waiter that sees SIGNALED before the
 * wake arrives may return, and the wake then reaches whatever sleeps at
 * that stack address later, as a spurious wake-up, which futex(2) tells
 * every futex user to expect (every latchkit wait re-checks its word). A
 * requeue would not be harmless that way (it could move an unrelated
 * sleeper onto the mutex for good), so the morphing broadcast keeps the
 * node BUSY until its requeue is done.
 *
 * Why this and not a sequence word: waiters that read a 32-bit sequence
 * under the mutex and futex-wait on it, with signal bumping it and waking
 * one, lose nothing, but the kernel's wake picks any sleeper on the word,
 * also one that arrived after the bump, which then returns (or, if it
 * re-checks, sleeps again and the wake is lost): the signal was meant for
 * an earlier waiter (verify/tla/Cond.tla, config Cond_seqsteal, finds it).
 * glibc 2.25's condvar (Riegel) closes that window with two groups of
 * waiters (G1/G2) and a quiescence protocol, on shared words; its
 * broadcast wakes every waiter at once. A queue of nodes states the
 * guarantee directly (a signal can only choose a waiter that was queued
 * when it chose), adds FIFO order, and lets broadcast move each sleeper
 * from its own word to the mutex's.
 *
 * Wait morphing: broadcast (not signal) moves a sleeper whose mutex is held
 * onto the lk_mutex's futex word with FUTEX_CMP_REQUEUE instead of waking
 * it, so the waiters do not stampede onto a held mutex and then park there
 * again; each is woken by an unlock, one at a time (measured here, 8
 * waiters parked, a broadcast under the mutex, 2 cores: 7.8 voluntary
 * context switches and 170 us per round, against 17 and 430 us when the
 * same broadcast wakes them all). lk_mutex's unlock wakes only when
 * WAITERS is set, so after the requeue broadcast sets WAITERS (fetch_or)
 * and, if it finds the mutex free by then (the holder left between the
 * look and the requeue), wakes one sleeper on the mutex word itself. A
 * requeued waiter, once it holds the mutex again, sets WAITERS (the unlock
 * that woke it cleared it, and others it was requeued with may still sleep
 * there), as lk_mutex's own sleepers acquire with WAITERS set (Drepper's
 * rule). So every sleeper on the mutex word is woken by a later unlock. A
 * waiter with an lk_mutex parks with the mutex's "normal" futex bit
 * (LK_MUTEX_BIT_NORMAL_), so that once requeued it is exactly one of the
 * mutex's own sleepers: a hand-off unlock's wake for the heir (the other
 * bit) cannot land on it and leave the heir asleep (stress_cond hangs
 * within seconds without this). A waiter on another latch (the _with
 * forms) and a sleeper whose mutex is free are woken instead. The waker
 * keeps the node BUSY until the requeue and the WAITERS fix-up are done,
 * and never touches the node after REQUEUED: a stale requeue could move an
 * unrelated sleeper that reused the address onto the mutex word for good
 * (a plain wake's only touch after SIGNALED is the wake itself: above).
 *
 * Guarantees: no lost wake-up (a chosen waiter always returns) and no
 * spurious one (a waiter returns when chosen, or timed out while
 * queued); a signal chooses the oldest waiter queued at its choice, so it
 * never wakes a waiter that arrived after it, and waiters are woken in
 * the order they arrived. A timed waiter whose deadline passes after a
 * signal chose it takes the wake (returns true), so the signal is not
 * lost. Checked by verify/spin/cond.pml and verify/tla/Cond.tla.
 * Memory: whatever a thread did before a signal or broadcast happens
 * before the return of each waiter that this call chose (the waker's
 * release on the waiter's node, the waiter's acquire: see Memory orders),
 * so data written after the mutex was released, or without it, and before
 * the signal is seen by the waiter it wakes (POSIX lists signal and
 * broadcast among the calls that synchronize memory; C11's cnd_signal and
 * C++'s notify_one promise less, and TSan's model of pthread_cond gives
 * no such edge). Nothing more: a signal or broadcast that chose nobody
 * orders nothing, a waiter that timed out unchosen is ordered with the
 * others by the mutex alone, and what the waker does after its call is
 * ordered with nobody.
 * Progress: waits block; signal and broadcast block only on the internal
 * lock (held for a few instructions per waiter, never across a system
 * call), and signal with no waiter is one relaxed load. Fairness: FIFO
 * among waiters; reacquiring the mutex is lk_mutex's (barging).
 *
 * Timeouts: lk_cond_timedwait takes a relative timeout in ns, like every
 * timed verb of latchkit; lk_cond_timedwait_until an absolute deadline, a
 * struct timespec on CLOCK_MONOTONIC, which stays put when a predicate
 * loop waits again (woken, it found the item taken by another thread).
 * One with tv_nsec outside [0, 1e9), a negative tv_sec or NULL
 * returns EINVAL and changes nothing: the mutex stays held, nothing is
 * queued. A deadline that has passed returns at once (false, or
 * ETIMEDOUT) without releasing the mutex. Every other return holds the
 * mutex again.
 *
 * Lifetime: as POSIX, destroy (or free) a cond only when no thread waits
 * on it and no signal or broadcast is in progress. A waiter that returns
 * may destroy it at once: signal and broadcast touch neither the cond nor
 * the node after handing the node back (a parked waiter's wake after
 * SIGNALED names the node's address to the kernel, which reads nothing
 * there). The mutex must outlive the waits.
 * All waiters on one cond at one time must use the same latch.
 *
 * Process-shared: no. Its waiters queue their nodes, on their own stacks,
 * by pointer; pointers mean nothing in another process. Waiting with a
 * process-shared lk_mutex works within one process (a broadcast then wakes
 * rather than requeues: the requeue is private, the mutex's sleepers not).
 * No cheap shared form: offsets would need every waiter's node inside the
 * shared segment (a stack is not), so it would be another algorithm, the
 * counter-based one of glibc's PTHREAD_PROCESS_SHARED cond (no FIFO
 * signal). Across processes use that, or a shared sem.h or event.h.
 *
 * Size: 24 bytes (the internal lk_mutex, the waiter count, the queue's
 * head and tail); 40 with LK_DEBUG. A waiter's node is 40 bytes on its
 * stack.
 *
 * Memory orders:
 *   internal lock: lk_mutex (acquire/release); it orders the queue, the
 *       nodes' links and their queued flag, all plain.
 *   waiters: stored relaxed under the internal lock; signal and broadcast
 *       load it relaxed and return when it is 0. A waiter queues before it
 *       releases the mutex, so a signaler that changed the predicate under
 *       the mutex acquired it after the queueing: coherence makes the load
 *       see it (or a later value: then a signal or timeout took the node).
 *   node state, waiter's CAS WAITING -> PARKED: relaxed; it only tells
 *       the waker that a futex wake is needed; the two CASes on the word
 *       order themselves.
 *   waker's CAS WAITING -> SIGNALED, store SIGNALED/REQUEUED: release;
 *       waiter's loads: acquire: the waker's reads of the node (links,
 *       mutex) happen before the waiter's stack frame is reused, and
 *       what the waker did before its signal or broadcast happens before
 *       the chosen waiter's return (the Memory guarantee). The store of
 *       SIGNALED before the wake: release, the edge itself (the waiter
 *       may see it without sleeping). REQUEUED's release is more than
 *       Linux needs (GenMC, verify/wmm): the requeue's full barrier just
 *       before it provides it (kept for builds without futex), and so is
 *       the BUSY loop's acquire, as the loop it returns to loads the state
 *       again with acquire before leaving.
 *   waker's store BUSY (a morphing broadcast): relaxed; the requeue that
 *       follows compares and moves in the kernel.
 *   fix-up fetch_or(mutex word, WAITERS): relaxed, as lk_mutex's own
 *       WAITERS announcements: RMWs on the word order themselves, and the
 *       requeue before it is a system call.
 *   waiters query: relaxed, a snapshot.
 *
 * ThreadSanitizer: not a mutex (the caller's latch is the mutex, and its
 * own annotations order the critical sections), so it is annotated
 * (base.h) as sem.h and event.h are, with exactly the edge above: the
 * waker releases the chosen node's word before it hands the node over,
 * the hand-over framed as a signal; a waiter that returns chosen acquires
 * that word. The rest of the cond's own work (its internal lk_mutex and
 * the queue, on both sides; the waker's atomics on the node) runs inside
 * signal frames, which TSan ignores: the internal lock is no mutex to
 * TSan, so it neither orders threads that merely passed through it (two
 * waiters, a signal that chose another waiter) nor enters lock orders.
 * The waiter's own loads and CAS on its node stay visible; the stores
 * they read were made inside frames, so the only edge an acquire load
 * there can take is the annotation's release at that address. The caller's
 * latch is released and taken again outside the frames, as the
 * caller's. The node is on the waiter's stack: TSan keeps a release
 * at that address after the frame is gone, so a later wait there (by the
 * same thread, or one whose stack took the place of an exited thread's)
 * acquires it again: edges from signals that are long over.
 *
 * LK_DEBUG: lk_cond_wait and the timed forms abort (lk__misuse) when the
 * caller does not hold the lk_mutex, and any wait when the waiters on the
 * cond use different latches; lk_cond_destroy aborts when threads wait.
 * The _with forms cannot tell who holds a foreign latch: no check there.
 */
#ifndef LATCHKIT_COND_H
#define LATCHKIT_COND_H

#include "base.h"
#include "mutex.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK_COND_WAITING_ 0u   /* queued; the waiter runs */
#define LK_COND_PARKED_ 1u    /* queued; parked, or about to, on state */
#define LK_COND_BUSY_ 2u      /* chosen; the waker still uses the node */
#define LK_COND_SIGNALED_ 3u  /* chosen; the node is the waiter's again */
#define LK_COND_REQUEUED_ 4u  /* chosen and moved onto the mutex's word */

/* A waiter's node, on its stack while it waits. */
typedef struct lk__cond_node {
	struct lk__cond_node *prev, *next; /* the queue, under the lock */
	LK_ATOMIC(uint32_t) state;         /* its futex word */
	bool queued;                       /* under the lock */
	lk_mutex_t *m;                     /* NULL: a _with latch */
	void *latch;                       /* what it waits with */
} lk__cond_node_t;

typedef struct {
	lk_mutex_t lock;             /* guards the queue */
	LK_ATOMIC(uint32_t) waiters; /* nodes queued */
	lk__cond_node_t *head, *tail;
} lk_cond_t;

#define LK_COND_INIT {LK_MUTEX_INIT, LK__AINIT(0), NULL, NULL}

/* A latch's release or acquire, for the _with forms: called with the
 * latch the waiter passed. */
typedef void (*lk_cond_latch_fn)(void *latch);

static inline void lk_cond_init(lk_cond_t *c)
{
	lk_mutex_init(&c->lock);
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&c->waiters, 0, memory_order_relaxed);
	c->head = c->tail = NULL;
}

/* Nothing to free. With LK_DEBUG it aborts if threads wait on c. */
static inline void lk_cond_destroy(lk_cond_t *c)
{
	LK__CHECK(atomic_load_explicit(&c->waiters, memory_order_relaxed) == 0,
		  "lk_cond_destroy", "destroy of a cond with waiters");
	(void)c;
}

/* FUTEX_CMP_REQUEUE of at most one sleeper from `from` (while it holds
 * `expect`) to `to`; returns how many moved (or woke), or -1. */
static inline long lk__cond_requeue_(LK_ATOMIC(uint32_t) *from,
				     uint32_t expect, LK_ATOMIC(uint32_t) *to)
{
#if LK_HAVE_FUTEX
	return lk__syscall(SYS_futex, LK__PTR_CAST(uintptr_t, from),
			   FUTEX_CMP_REQUEUE_PRIVATE, 0,
			   LK__CAST(long, 1), /* nr_requeue, in timeout's slot */
			   LK__PTR_CAST(uintptr_t, to), expect);
#else
	(void)from;
	(void)expect;
	(void)to;
	return -1;
#endif
}

/* Hands a parked (or parking) node back: SIGNALED, then a wake; or, to
 * move it onto its mutex (morph, while the mutex is held), BUSY, the
 * requeue, then REQUEUED (or SIGNALED and a wake, if it fails). */
LK__COLD void lk__cond_wake_parked_(lk__cond_node_t *n, bool morph)
{
	lk_mutex_t *m = morph ? n->m : NULL;
	/* relaxed: a hint; the fix-up below decides */
	if (!m || (atomic_load_explicit(&m->word, memory_order_relaxed) &
		   (LK_MUTEX_LOCKED_ | LK_MUTEX_SHARED_)) != LK_MUTEX_LOCKED_) {
		/* No morph (nor onto a process-shared mutex: its sleepers
		 * are on the shared futex, the requeue is private). release:
		 * see the header; the wake may land after the waiter has left
		 * (a spurious wake-up of the next sleeper there). */
		atomic_store_explicit(&n->state, LK_COND_SIGNALED_,
				      memory_order_release);
		lk__futex_wake(&n->state, 1);
		return;
	}
	/* relaxed: the waiter only waits while it reads BUSY */
	atomic_store_explicit(&n->state, LK_COND_BUSY_, memory_order_relaxed);
	long moved = lk__cond_requeue_(&n->state, LK_COND_BUSY_, &m->word);
	uint32_t done = LK_COND_SIGNALED_;
	if (moved > 0) {
		/* It sleeps on the mutex word: make the next unlock wake
		 * someone there, or wake someone now if the mutex is free.
		 * relaxed: see the header. */
		uint32_t o = atomic_fetch_or_explicit(
			&m->word, LK_MUTEX_WAITERS_, memory_order_relaxed);
		if (!(o & LK_MUTEX_LOCKED_))
			lk__futex_wake(&m->word, 1);
		done = LK_COND_REQUEUED_;
	} else if (moved < 0) {
		lk__futex_wake(&n->state, 1);
	} /* 0: not asleep; it sees BUSY, never sleeps on it */
	/* release: our uses of the node happen before its reuse */
	atomic_store_explicit(&n->state, done, memory_order_release);
}

/* Hands a node taken off the queue back to its waiter. */
static inline void lk__cond_hand_(lk__cond_node_t *n, bool morph)
{
	uint32_t s = LK_COND_WAITING_;
	lk__tsan_release(&n->state); /* the waker's work, to this waiter */
	lk__tsan_pre_signal(n);
	/* release: as above; relaxed on failure (then s is PARKED) */
	if (!atomic_compare_exchange_strong_explicit(
		    &n->state, &s, LK_COND_SIGNALED_, memory_order_release,
		    memory_order_relaxed))
		lk__cond_wake_parked_(n, morph);
	lk__tsan_post_signal(n); /* n's value only: n may be gone */
}

/* Unlinks n; the internal lock is held. */
static inline void lk__cond_unlink_(lk_cond_t *c, lk__cond_node_t *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		c->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		c->tail = n->prev;
	n->queued = false;
	/* relaxed: under the lock; readers only compare with 0 */
	atomic_store_explicit(
		&c->waiters,
		atomic_load_explicit(&c->waiters, memory_order_relaxed) - 1,
		memory_order_relaxed);
}

/*
 * The wait: queue, release the latch, wait to be chosen (or for the
 * deadline, 0: none), take the latch again. m: an lk_mutex (then latch ==
 * m), or NULL and the latch's functions. True: chosen; false: timed out.
 */
LK__COLD bool lk__cond_wait_(lk_cond_t *c, lk_mutex_t *m, void *latch,
			     lk_cond_latch_fn unlock_fn,
			     lk_cond_latch_fn lock_fn, uint64_t deadline,
			     const char *fn)
{
	lk__cond_node_t n;
	atomic_store_explicit(&n.state, LK_COND_WAITING_,
			      memory_order_relaxed); /* not yet shared */
	n.m = m;
	n.latch = latch;
	n.next = NULL;
	lk__tsan_pre_signal(c); /* queueing: the cond's own business */
	lk_mutex_lock(&c->lock);
	LK__CHECK(!c->tail || c->tail->latch == latch, fn,
		  "waiters on one cond with different latches");
	(void)fn;
	n.prev = c->tail;
	if (c->tail)
		c->tail->next = &n;
	else
		c->head = &n;
	c->tail = &n;
	n.queued = true;
	/* relaxed: under the lock (see the header) */
	atomic_store_explicit(
		&c->waiters,
		atomic_load_explicit(&c->waiters, memory_order_relaxed) + 1,
		memory_order_relaxed);
	lk_mutex_unlock(&c->lock);
	lk__tsan_post_signal(c);
	if (m)
		lk_mutex_unlock(m);
	else
		unlock_fn(latch);

	bool chosen = true;
	lk__wait_t w = lk__wait_start(deadline);
	if (m) /* requeued, it is one of the mutex's ordinary sleepers */
		w.bits = LK_MUTEX_BIT_NORMAL_;
	uint32_t s;
	for (;;) {
		/* acquire: the waker's last use of the node came first */
		s = atomic_load_explicit(&n.state, memory_order_acquire);
		if (s == LK_COND_SIGNALED_ || s == LK_COND_REQUEUED_)
			break;
		if (s == LK_COND_BUSY_) {
			/* Chosen; the waker is in its futex call. */
			lk__wait_t wb = lk__wait_start(0);
			while (atomic_load_explicit(&n.state,
						    memory_order_acquire) ==
			       LK_COND_BUSY_)
				lk__wait(&wb, NULL, 0);
			continue;
		}
		if (s == LK_COND_WAITING_ && lk__wait_would_park(&w)) {
			/* relaxed: tells the waker to wake (header) */
			if (!atomic_compare_exchange_strong_explicit(
				    &n.state, &s, LK_COND_PARKED_,
				    memory_order_relaxed, memory_order_relaxed))
				continue; /* chosen meanwhile */
			s = LK_COND_PARKED_;
		}
		if (lk__wait(&w, &n.state, s))
			continue;
		/* The deadline passed. Still queued: leave. Else a signal
		 * has chosen us and is on its way: take it, untimed. */
		lk__tsan_pre_signal(c);
		lk_mutex_lock(&c->lock);
		bool queued = n.queued;
		if (queued)
			lk__cond_unlink_(c, &n);
		lk_mutex_unlock(&c->lock);
		lk__tsan_post_signal(c);
		if (queued) {
			chosen = false;
			break;
		}
		w.deadline = 0;
	}
	if (m) {
		lk_mutex_lock(m);
		if (s == LK_COND_REQUEUED_)
			/* The unlock that woke us cleared WAITERS; those
			 * requeued with us may sleep there still. relaxed:
			 * as lk_mutex's own announcements. */
			atomic_fetch_or_explicit(&m->word, LK_MUTEX_WAITERS_,
						 memory_order_relaxed);
	} else {
		lock_fn(latch);
	}
	return lk__tsan_acquired(&n.state, chosen); /* the waker's work */
}

/* Releases m, waits until a signal or broadcast chooses the caller, and
 * takes m again. m must be held by the caller. Returns only when chosen:
 * no spurious wake-ups; still, re-check the predicate (another thread
 * may have taken what the signal announced before m was reacquired). */
static inline void lk_cond_wait(lk_cond_t *c, lk_mutex_t *m)
{
	LK__CHECK(lk__owner_is_self(&m->owner_), "lk_cond_wait",
		  "wait with a mutex the caller does not hold");
	(void)lk__cond_wait_(c, m, m, NULL, NULL, 0, "lk_cond_wait");
}

/* lk_cond_wait for at most timeout_ns (relative). True: chosen; false:
 * timed out (m held again either way). A timeout that has passed
 * already (0) returns false at once, without releasing m. */
static inline bool lk_cond_timedwait(lk_cond_t *c, lk_mutex_t *m,
				     uint64_t timeout_ns)
{
	LK__CHECK(lk__owner_is_self(&m->owner_), "lk_cond_timedwait",
		  "wait with a mutex the caller does not hold");
	uint64_t d = lk__deadline(timeout_ns);
	if (lk__now_ns() >= d)
		return false;
	return lk__cond_wait_(c, m, m, NULL, NULL, d, "lk_cond_timedwait");
}

/* lk_cond_wait until the absolute CLOCK_MONOTONIC time abstime. Returns
 * 0 when chosen, ETIMEDOUT when the deadline passed (m held again), and
 * EINVAL, changing nothing, for a NULL abstime, tv_nsec outside
 * [0, 999999999] or a negative tv_sec. */
static inline int lk_cond_timedwait_until(lk_cond_t *c, lk_mutex_t *m,
					  const struct timespec *abstime)
{
	LK__CHECK(lk__owner_is_self(&m->owner_), "lk_cond_timedwait_until",
		  "wait with a mutex the caller does not hold");
	uint64_t d;
	if (lk__abstime_deadline(abstime, &d))
		return EINVAL;
	if (lk__now_ns() >= d)
		return ETIMEDOUT;
	return lk__cond_wait_(c, m, m, NULL, NULL, d,
			      "lk_cond_timedwait_until")
		       ? 0
		       : ETIMEDOUT;
}

/* lk_cond_wait with any latch the caller holds: unlock_fn(latch)
 * releases it, lock_fn(latch) takes it again (say, wrappers of
 * lk_rwmutex_wrunlock and lk_rwmutex_wrlock). Broadcast wakes these
 * waiters rather than requeue them (it knows only lk_mutex's word). */
static inline void lk_cond_wait_with(lk_cond_t *c, void *latch,
				     lk_cond_latch_fn unlock_fn,
				     lk_cond_latch_fn lock_fn)
{
	(void)lk__cond_wait_(c, NULL, latch, unlock_fn, lock_fn, 0,
			     "lk_cond_wait_with");
}

/* lk_cond_timedwait with any latch (see lk_cond_wait_with). */
static inline bool lk_cond_timedwait_with(lk_cond_t *c, void *latch,
					  lk_cond_latch_fn unlock_fn,
					  lk_cond_latch_fn lock_fn,
					  uint64_t timeout_ns)
{
	uint64_t d = lk__deadline(timeout_ns);
	if (lk__now_ns() >= d)
		return false;
	return lk__cond_wait_(c, NULL, latch, unlock_fn, lock_fn, d,
			      "lk_cond_timedwait_with");
}

/* lk_cond_timedwait_until with any latch (see lk_cond_wait_with). */
static inline int lk_cond_timedwait_until_with(lk_cond_t *c, void *latch,
					       lk_cond_latch_fn unlock_fn,
					       lk_cond_latch_fn lock_fn,
					       const struct timespec *abstime)
{
	uint64_t d;
	if (lk__abstime_deadline(abstime, &d))
		return EINVAL;
	if (lk__now_ns() >= d)
		return ETIMEDOUT;
	return lk__cond_wait_(c, NULL, latch, unlock_fn, lock_fn, d,
			      "lk_cond_timedwait_until_with")
		       ? 0
		       : ETIMEDOUT;
}

LK__COLD void lk__cond_signal_slow_(lk_cond_t *c)
{
	lk__tsan_pre_signal(c);
	lk_mutex_lock(&c->lock);
	lk__cond_node_t *n = c->head;
	if (n)
		lk__cond_unlink_(c, n);
	lk_mutex_unlock(&c->lock);
	lk__tsan_post_signal(c);
	if (n)
		lk__cond_hand_(n, false);
}

/* Wakes the oldest waiter, if any. Call it with the mutex held, or after
 * releasing it, having changed the predicate under it. */
static inline void lk_cond_signal(lk_cond_t *c)
{
	/* relaxed: see the header */
	if (atomic_load_explicit(&c->waiters, memory_order_relaxed) == 0)
		return;
	lk__cond_signal_slow_(c);
}

LK__COLD void lk__cond_broadcast_slow_(lk_cond_t *c)
{
	lk__tsan_pre_signal(c);
	lk_mutex_lock(&c->lock);
	lk__cond_node_t *n = c->head;
	for (lk__cond_node_t *p = n; p; p = p->next)
		p->queued = false;
	c->head = c->tail = NULL;
	/* relaxed: under the lock */
	atomic_store_explicit(&c->waiters, 0, memory_order_relaxed);
	lk_mutex_unlock(&c->lock);
	lk__tsan_post_signal(c);
	while (n) {
		lk__tsan_pre_signal(c);
		lk__cond_node_t *next = n->next; /* before n goes back */
		lk__tsan_post_signal(c);
		lk__cond_hand_(n, true);
		n = next;
	}
}

/* Wakes every waiter, oldest first; those parked with an lk_mutex that is
 * held are moved onto it (wait morphing) and woken by its unlocks. */
static inline void lk_cond_broadcast(lk_cond_t *c)
{
	/* relaxed: see the header */
	if (atomic_load_explicit(&c->waiters, memory_order_relaxed) == 0)
		return;
	lk__cond_broadcast_slow_(c);
}

/* Waiters queued and not yet chosen: a snapshot for assertions, tests and
 * diagnostics (relaxed: stale once returned). */
static inline uint32_t lk_cond_waiters(const lk_cond_t *c)
{
	return atomic_load_explicit(&c->waiters, memory_order_relaxed);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_COND_H */
