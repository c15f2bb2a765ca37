/*
 * latchkit/ticket.h: ticket lock with proportional backoff.
 *
 * Algorithm: the ticket lock with proportional backoff of Mellor-Crummey &
 * Scott ("Algorithms for scalable synchronization on shared-memory
 * multiprocessors", ACM TOCS 1991). An arriving thread takes the next ticket
 * with one fetch-and-add and waits until `owner` (now serving) reaches it;
 * unlock advances `owner`. A waiter that is d places from the front looks
 * at `owner` only once per min(d, LK_TICKET_BACKOFF_CAP) wait steps, so the
 * ones far back do not hammer the line the next one in line is watching.
 *
 * Progress: starvation-free, strictly FIFO in ticket order.
 *
 * Waiting goes through lk__wait(), with no yield phase (lk__wait_park_early:
 * a next-in-line waiter that yields is runnable but not running when its
 * turn comes, and the queue waits for the scheduler). Tickets and `owner`
 * step by 2 so that bit 0 of `owner` can say PARKED: a waiter past its spin
 * phase sets it and
 * sleeps on `owner` (futex) with the value it saw. Unlock advances `owner`
 * with one fetch_add; only when the old value had PARKED does it call the
 * kernel. Each sleeper parks with the futex bitset bit of its own ticket
 * (ticket/2 mod 32), so unlock wakes just the ticket it now serves; PARKED
 * stays set while others sleep further back, and is cleared (with a wake
 * of everyone, who re-check) once the queue looks empty. So an unlock with
 * nobody asleep makes no syscall (while PARKED is set, every unlock makes
 * one, sleeper or not), and when threads outnumber cores the
 * waiters sleep instead of taking the CPU from the holder and the next in
 * line.
 *
 * No timedlock: a taken ticket cannot be given back. Every later ticket is
 * served only after this one, so a waiter that left on a timeout would leave
 * a hole that blocks the queue forever. trylock takes a ticket only when it
 * would be served at once: `owner` and `next` are the two 32-bit halves of
 * one 64-bit word, and trylock CASes the whole word from the value it read
 * (next == owner, no PARKED) to next + 2. Both halves equal to the snapshot
 * means the lock is free at the CAS, however far the counters wrapped in
 * between, so there is no ABA. lock and unlock still touch only their own
 * half (32-bit atomics on the halves, as futex needs a 32-bit word anyway),
 * so an owner wrap cannot carry into next.
 *
 * Size: 8 bytes (one 64-bit word = two uint32_t counters; they wrap,
 * compared by difference); LK_DEBUG adds an owner field.
 *
 * Memory orders:
 *   fetch_add(next, 2, relaxed)      takes a place; publishes nothing, and the
 *                                    acquire comes from reading owner.
 *   load(owner, acquire)             seeing our ticket served must show the
 *                                    previous holder's critical section.
 *   CAS(owner, o, o|PARKED, relaxed) only announces a sleeper; the unlock's
 *                                    RMW on the same word orders after it.
 *   trylock: load(word, acquire) then CAS(word, v, v + next 2, relaxed):
 *                                    the CAS proves both halves still hold
 *                                    what the load saw, so the load supplies
 *                                    the acquire.
 *   unlock: fetch_add(owner, 2, release) publishes the critical section; an
 *                                    RMW (not a store) so a PARKED set just
 *                                    before cannot be missed.
 *           load(next, relaxed) when PARKED was set: only chooses between
 *                                    waking one ticket and clearing PARKED +
 *                                    waking all; both are safe.
 *           fetch_and(owner, ~PARKED, relaxed) before the wake-all: the bit
 *                                    only guards sleeping.
 *   debug owner                      relaxed: compared with the caller's id.
 */
#ifndef LATCHKIT_TICKET_H
#define LATCHKIT_TICKET_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_TICKET_BACKOFF_CAP
#define LK_TICKET_BACKOFF_CAP 8 /* look at least every this many steps */
#endif
#define LK_TICKET_STEP_ 2u
#define LK_TICKET_PARKED_ 1u

/* The 64-bit word holds owner in its low half and next in its high half
 * (owner first in memory on little-endian: a 64-bit op then shares its
 * address, which TSan's pairing of release and acquire goes by). */
#define LK_TICKET_OWNER_IX_ LK__LO_HALF
#define LK_TICKET_NEXT_SHIFT_ 32

typedef struct {
	union {
		/* trylock's CAS: both counters at once */
		LK_ATOMIC(uint64_t) both;
		/* [LK_TICKET_OWNER_IX_]: ticket now served | PARKED (futex
		 * word); the other: next ticket to hand out (even) */
		LK_ATOMIC(uint32_t) half[2];
	} c_;
	LK__OWNER_FIELD
} lk_ticket_t;

#define lk_ticket_owner_(l) (&(l)->c_.half[LK_TICKET_OWNER_IX_])
#define lk_ticket_next_(l) (&(l)->c_.half[1 - LK_TICKET_OWNER_IX_])

#define LK_TICKET_INIT {{0} LK__OWNER_INIT}

static inline void lk_ticket_init(lk_ticket_t *l)
{
	atomic_store_explicit(&l->c_.both, 0, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
}

/* The futex bit a sleeper holding ticket t parks with. Tickets 64 apart
 * share a bit: the price is a spurious wake, never a lost one. */
static inline uint32_t lk_ticket_bit_(uint32_t t)
{
	return 1u << ((t / LK_TICKET_STEP_) & 31);
}

LK__COLD void lk_ticket_wait_(lk_ticket_t *l, uint32_t t)
{
	lk__wait_t w = lk__wait_start(0);
	w.bits = lk_ticket_bit_(t); /* so unlock can wake just this ticket */
	lk__wait_park_early(&w); /* FIFO: yielding only stalls the queue */
	uint32_t o;
	while (((o = atomic_load_explicit(lk_ticket_owner_(l),
					  memory_order_acquire)) &
		~LK_TICKET_PARKED_) != t) {
		if (!(o & LK_TICKET_PARKED_) && lk__wait_would_park(&w)) {
			/* Announce the sleeper first; a failed CAS means owner
			 * moved, and the loop looks again. */
			atomic_compare_exchange_strong_explicit(
				lk_ticket_owner_(l), &o, o | LK_TICKET_PARKED_,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		}
		/* Proportional backoff, counted in wait steps: a waiter d
		 * places back looks at owner once per min(d, CAP) steps, so it
		 * loads the line less and also runs through its spin budget
		 * sooner. (Extra relax loops per look instead made 8 threads
		 * on 2 cores up to 100x slower: the spinning took the CPU from
		 * the holder.) Stop before the park phase: parking needs the
		 * PARKED bit set first. */
		uint32_t ahead = (t - (o & ~LK_TICKET_PARKED_)) / LK_TICKET_STEP_;
		for (uint32_t i = 1; i < ahead && i < LK_TICKET_BACKOFF_CAP &&
				     !lk__wait_would_park(&w);
		     i++)
			lk__wait(&w, NULL, 0);
		if (!(o & LK_TICKET_PARKED_) && lk__wait_would_park(&w))
			continue;
		lk__wait(&w, lk_ticket_owner_(l), o);
	}
}

static inline void lk_ticket_lock(lk_ticket_t *l)
{
	lk__owner_check_relock(&l->owner_, "lk_ticket_lock");
	uint32_t t = atomic_fetch_add_explicit(
	    lk_ticket_next_(l), LK_TICKET_STEP_, memory_order_relaxed);
	if (lk__unlikely(atomic_load_explicit(lk_ticket_owner_(l),
					      memory_order_acquire) != t))
		lk_ticket_wait_(l, t);
	lk__owner_acquired(&l->owner_);
}

static inline bool lk_ticket_trylock(lk_ticket_t *l)
{
	lk__owner_check_relock(&l->owner_, "lk_ticket_trylock");
	uint64_t v = atomic_load_explicit(&l->c_.both, memory_order_acquire);
	/* Free: next == owner with PARKED clear (PARKED set: someone waits,
	 * so the lock is held, and the halves differ in bit 0 anyway). */
	if ((uint32_t)v != (uint32_t)(v >> LK_TICKET_NEXT_SHIFT_) ||
	    !atomic_compare_exchange_strong_explicit(
		    &l->c_.both, &v,
		    v + ((uint64_t)LK_TICKET_STEP_ << LK_TICKET_NEXT_SHIFT_),
		    memory_order_relaxed, memory_order_relaxed))
		return false;
	lk__owner_acquired(&l->owner_);
	return true;
}

/* Unlock saw PARKED: `served` is the ticket it just let in. */
LK__COLD void lk_ticket_wake_(lk_ticket_t *l, uint32_t served)
{
	if (atomic_load_explicit(lk_ticket_next_(l), memory_order_relaxed) -
		served >
	    LK_TICKET_STEP_) {
		/* More wait behind `served`: wake it if it sleeps; PARKED
		 * stays set for the sleepers still further back. */
		lk__futex_wake_bits(lk_ticket_owner_(l), INT32_MAX,
				    lk_ticket_bit_(served));
		return;
	}
	/* The queue looked empty: clear PARKED, then wake everyone, since a
	 * thread may have queued and slept since we looked; they re-check. */
	atomic_fetch_and_explicit(lk_ticket_owner_(l), ~LK_TICKET_PARKED_,
				  memory_order_relaxed);
	lk__futex_wake(lk_ticket_owner_(l), INT32_MAX);
}

static inline void lk_ticket_unlock(lk_ticket_t *l)
{
	LK__CHECK(
	    atomic_load_explicit(lk_ticket_next_(l), memory_order_relaxed) !=
		(atomic_load_explicit(lk_ticket_owner_(l),
				      memory_order_relaxed) &
		 ~LK_TICKET_PARKED_),
	    "lk_ticket_unlock", "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_ticket_unlock");
	uint32_t o = atomic_fetch_add_explicit(
	    lk_ticket_owner_(l), LK_TICKET_STEP_, memory_order_release);
	if (lk__unlikely(o & LK_TICKET_PARKED_))
		lk_ticket_wake_(l, (o & ~LK_TICKET_PARKED_) + LK_TICKET_STEP_);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_TICKET_H */
