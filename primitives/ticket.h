/*
 * latchkit/ticket.h: ticket lock with proportional backoff, in front of a
 * lock word that survives preemption.
 *
 * Algorithm: the ticket lock with proportional backoff of Mellor-Crummey &
 * Scott ("Algorithms for scalable synchronization on shared-memory
 * multiprocessors", ACM TOCS 1991) as the queue, and gate.h's lock word
 * (ShflLock's separate lock word with a bounded steal, SOSP 2019) as the
 * lock. A locker first tries the word with one CAS. Otherwise it takes a
 * ticket with one fetch-and-add and waits until `serving` reaches it: it
 * is then the queue's head, the one thread that waits on the word. Once
 * it has the word it advances `serving`, so the next ticket becomes head
 * while this one is still in its critical section (and is woken now if it
 * sleeps). A waiter d places from the front looks at `serving` once per
 * min(d, LK_TICKET_BACKOFF_CAP) wait steps.
 *
 * Progress: starvation-free. Order: FIFO in ticket order among queued
 * waiters. A thread that has not queued takes a free lock ahead of the
 * head only while the head is not running (asleep, being woken, or
 * preempted), and only during the head's first LK_STEAL_WINDOW_NS (1 ms)
 * as head, and once more as it wakes after that (gate.h). So while every waiter runs, hand-offs are FIFO; when
 * threads outnumber cores, the lock goes to a thread that runs.
 *
 * Waiting goes through lk__wait(): spin for the learnt cost of parking,
 * then park. Tickets and `serving` step by 2 so that bit 0 of `serving`
 * can say SLEEPERS: a queued waiter past its spin phase sets it and
 * sleeps on `serving` with the futex bitset bit of its own ticket
 * (ticket/2 mod 32), so the new head is woken alone; SLEEPERS stays set
 * while others sleep further back, and is cleared (with a wake of
 * everyone, who re-check) once the queue looks empty.
 *
 * No timedlock: a taken ticket cannot be given back. Every later ticket
 * becomes head only after this one, so a waiter that left on a timeout
 * would leave a hole that blocks the queue. trylock never takes a ticket:
 * it is gate.h's steal (free word, no running head).
 *
 * Process-shared: LK_TICKET_INIT_SHARED or lk_ticket_init_shared() sets
 * gate.h's SHARED bit in the lock word, for a lock in memory that
 * processes share (mmap MAP_SHARED, shm_open): the head parks on the word,
 * and queued waiters on `serving`, with shared futexes (no _PRIVATE), and
 * the lock holds no pointer. Only slow paths read the bit: the private
 * fast paths (CAS 0 -> LOCKED, LOCKED -> 0) run the same instructions; a
 * shared lock, whose free word is SHARED, fails that CAS and tries its own
 * (SHARED -> SHARED|LOCKED, or back) on the failure branch: a failed CAS
 * more per lock and per unlock. Under LK_DEBUG the
 * holder's pid is kept beside its owner, and a lock that would queue
 * behind a private ticket lock held by another process aborts with a
 * message. Not robust: a holder (or a queued waiter) that dies blocks the
 * queue for good.
 *
 * Size: 12 bytes (lock word, `serving`, `next`; the counters wrap,
 * compared by difference); LK_DEBUG adds an owner field and the holder's
 * pid.
 *
 * Memory orders (the lock word's are in gate.h):
 *   fetch_add(next, 2, relaxed)      takes a place; publishes nothing.
 *   load(serving, acquire)           pairs with the head hand-over below;
 *                                    the critical section's order comes
 *                                    from the word, not from `serving`.
 *   CAS(serving, o, o|SLEEPERS, relaxed) only announces a sleeper; the
 *                                    hand-over's RMW orders after it.
 *   fetch_add(serving, 2, release)   hands headship on; an RMW so a
 *                                    SLEEPERS set just before is seen.
 *                                    Neither `serving` order is needed
 *                                    for safety: the head's CAS on the
 *                                    word acquires (GenMC: relaxed is
 *                                    safe, RC11 and IMM; verify/wmm); they
 *                                    save a retry on a stale word.
 *   load(next, relaxed)              when SLEEPERS was set: only chooses
 *                                    between waking one ticket and
 *                                    clearing SLEEPERS + waking all.
 *   fetch_and(serving, ~SLEEPERS, relaxed) before the wake-all: the bit
 *                                    only guards sleeping.
 *   load(word, relaxed) for SHARED   a bit set at init: which futex.
 *   debug owner, pid                 relaxed: compared with the caller's.
 */
#ifndef LATCHKIT_TICKET_H
#define LATCHKIT_TICKET_H

#include "gate.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_TICKET_BACKOFF_CAP
#define LK_TICKET_BACKOFF_CAP 8 /* look at least every this many steps */
#endif
#define LK_TICKET_STEP_ 2u
#define LK_TICKET_SLEEPERS_ 1u

typedef struct {
	LK_ATOMIC(uint32_t) word;    /* gate.h's lock word */
	LK_ATOMIC(uint32_t) serving; /* the head's ticket | SLEEPERS */
	LK_ATOMIC(uint32_t) next;    /* next ticket to hand out (even) */
	LK__PID_FIELD /* LK_DEBUG: the holder's pid (base_debug.h) */
	LK__OWNER_FIELD
} lk_ticket_t;

#define LK_TICKET_INIT                                                         \
	{LK__AINIT(0), LK__AINIT(0),                                           \
	 LK__AINIT(0) LK__PID_INIT LK__OWNER_INIT}
/* A ticket lock that processes share (in MAP_SHARED memory): parks and
 * wakes on shared futexes. The same verbs; each takes gate.h's slow path. */
#define LK_TICKET_INIT_SHARED                                                  \
	{LK__AINIT(LK__GATE_SHARED), LK__AINIT(0),                             \
	 LK__AINIT(0) LK__PID_INIT LK__OWNER_INIT}

/* LK_DEBUG: a waiter that would park behind a private lock held in another
 * process aborts (base_debug.h). fn: the verb that would wait. */
#define lk__ticket_check_process_(l, fn)                                       \
	lk__owner_pid_check(l,                                                 \
			    atomic_load_explicit(&(l)->word,                   \
						 memory_order_relaxed) &       \
				    LK__GATE_SHARED,                           \
			    fn)

static inline void lk_ticket_init(lk_ticket_t *l)
{
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	atomic_store_explicit(&l->serving, 0, memory_order_relaxed);
	atomic_store_explicit(&l->next, 0, memory_order_relaxed);
	lk__owner_pid_set(l, 0u);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* As lk_ticket_init, for a process-shared lock (LK_TICKET_INIT_SHARED). */
static inline void lk_ticket_init_shared(lk_ticket_t *l)
{
	atomic_store_explicit(&l->word, LK__GATE_SHARED, memory_order_relaxed);
	atomic_store_explicit(&l->serving, 0, memory_order_relaxed);
	atomic_store_explicit(&l->next, 0, memory_order_relaxed);
	lk__owner_pid_set(l, 0u);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* Is it process-shared? (Slow paths only: which futex to use.) */
static inline bool lk__ticket_shared_(const lk_ticket_t *l)
{
	return atomic_load_explicit(&l->word, memory_order_relaxed) &
	       LK__GATE_SHARED;
}

/* Wakes sleepers on w (a word of l) with futex bitset bits, private or
 * shared as l is. */
static inline void lk__ticket_futex_wake_(const lk_ticket_t *l,
					  LK_ATOMIC(uint32_t) *w, int n,
					  uint32_t bits)
{
	if (lk__ticket_shared_(l))
		lk__futex_wake_shared(w, n, bits);
	else if (bits == LK__FUTEX_ANY)
		lk__futex_wake(w, n);
	else
		lk__futex_wake_bits(w, n, bits);
}

/* The futex bit a sleeper holding ticket t parks with. Tickets 64 apart
 * share a bit: the price is a spurious wake, never a lost one. */
static inline uint32_t lk_ticket_bit_(uint32_t t)
{
	return 1u << ((t / LK_TICKET_STEP_) & 31);
}

/* Wait until ticket t is the head. */
LK__COLD void lk_ticket_wait_head_(lk_ticket_t *l, uint32_t t)
{
	lk__wait_t w = lk__wait_start(0);
	w.bits = lk_ticket_bit_(t); /* so the hand-over wakes just this one */
	w.shared = lk__ticket_shared_(l);
	uint32_t o;
	while (((o = atomic_load_explicit(&l->serving, memory_order_acquire)) &
		~LK_TICKET_SLEEPERS_) != t) {
		if (!(o & LK_TICKET_SLEEPERS_) && lk__wait_would_park(&w)) {
			/* Announce the sleeper first; a failed CAS means
			 * serving moved, and the loop looks again. */
			atomic_compare_exchange_strong_explicit(
				&l->serving, &o, o | LK_TICKET_SLEEPERS_,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		/* Proportional backoff, counted in wait steps: a waiter d
		 * places back looks at serving once per min(d, CAP) steps.
		 * Stop before the park phase: parking needs SLEEPERS set. */
		uint32_t ahead = (t - (o & ~LK_TICKET_SLEEPERS_)) /
				 LK_TICKET_STEP_;
		for (uint32_t i = 1; i < ahead && i < LK_TICKET_BACKOFF_CAP &&
				     !lk__wait_would_park(&w);
		     i++)
			lk__wait(&w, NULL, 0);
		if (!(o & LK_TICKET_SLEEPERS_) && lk__wait_would_park(&w))
			continue;
		lk__wait(&w, &l->serving, o);
	}
}

/* The head took the word: make ticket `t + 2` the head, waking it if it
 * may sleep. */
LK__COLD void lk_ticket_wake_(lk_ticket_t *l, uint32_t head)
{
	if (atomic_load_explicit(&l->next, memory_order_relaxed) - head >
	    LK_TICKET_STEP_) {
		/* More wait behind `head`: wake it if it sleeps; SLEEPERS
		 * stays set for the sleepers still further back. */
		lk__ticket_futex_wake_(l, &l->serving, INT32_MAX,
				       lk_ticket_bit_(head));
		return;
	}
	/* The queue looked empty: clear SLEEPERS, then wake everyone, since
	 * a thread may have queued and slept since we looked; they re-check. */
	atomic_fetch_and_explicit(&l->serving, ~LK_TICKET_SLEEPERS_,
				  memory_order_relaxed);
	lk__ticket_futex_wake_(l, &l->serving, INT32_MAX, LK__FUTEX_ANY);
}

LK__COLD void lk_ticket_lock_slow_(lk_ticket_t *l)
{
	lk__ticket_check_process_(l, "lk_ticket_lock");
	if (lk__gate_arrive(&l->word))
		return;
	uint32_t t = atomic_fetch_add_explicit(&l->next, LK_TICKET_STEP_,
					       memory_order_relaxed);
	if ((atomic_load_explicit(&l->serving, memory_order_acquire) &
	     ~LK_TICKET_SLEEPERS_) != t)
		lk_ticket_wait_head_(l, t);
	lk__gate_head(&l->word);
	uint32_t o = atomic_fetch_add_explicit(&l->serving, LK_TICKET_STEP_,
					       memory_order_release);
	if (o & LK_TICKET_SLEEPERS_)
		lk_ticket_wake_(l, t + LK_TICKET_STEP_);
}

static inline void lk_ticket_lock(lk_ticket_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_ticket_lock");
	if (lk__unlikely(!lk__gate_fast(&l->word)))
		lk_ticket_lock_slow_(l);
	lk__owner_acquired(&l->owner_);
	lk__owner_pid_set(l, lk__debug_pid());
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_ticket_trylock(lk_ticket_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_relock(&l->owner_, "lk_ticket_trylock");
	if (!lk__gate_trylock(&l->word)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__owner_pid_set(l, lk__debug_pid());
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline void lk_ticket_unlock(lk_ticket_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(lk__gate_is_locked(&l->word), "lk_ticket_unlock",
		  "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_ticket_unlock");
	lk__owner_pid_set(l, 0u);
	lk__gate_unlock(&l->word);
	lk__tsan_post_unlock(l, 0);
}

/* Is the lock held by anyone? A racy hint for assertions (relaxed load:
 * it orders nothing; exact about the caller's own hold, by coherence). */
static inline bool lk_ticket_is_locked(const lk_ticket_t *l)
{
	return lk__gate_is_locked(&l->word);
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_ticket_is_held_by_me(const lk_ticket_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_TICKET_H */
