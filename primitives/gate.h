/*
 * latchkit/gate.h: the lock word in front of a FIFO queue (internal; the
 * ticket, MCS and CLH locks stand on it).
 *
 * Algorithm: a separate lock word with a bounded steal, after ShflLock
 * (Kashyap, Calciu, Cheng, Min & Kim, "Scalable and practical locking with
 * shuffling", SOSP 2019) and Linux's qspinlock, with a steal rule that
 * tolerates preemption in the spirit of MCS-TP (He, Scherer & Scott,
 * "Preemption adaptivity in time-published queue-based spin locks", HiPC
 * 2005). The queue (tickets, MCS or CLH nodes) only decides who is the
 * queue's HEAD; the head alone waits on the lock word, and passes headship
 * to its successor as soon as it has the word, so that successor (woken
 * now if it sleeps: wake-ahead) is running by the time the word frees.
 *
 * Word: LOCKED (bit 0); the head's state HS (bits 1-2): NONE, RUNNING
 * (announced and spinning), PARKED (asleep on the word), WAKING (an unlock
 * woke it, it has not run yet); NOSTEAL (bit 3); SHARED (bit 4): set at
 * init for a word in memory that processes share, never cleared (ticket.h
 * sets it): the head parks and the unlock wakes on shared futexes. The
 * fast paths compare whole words (0 <-> LOCKED); a shared word fails
 * them and, on that failure branch, tries SHARED <-> SHARED|LOCKED with a
 * CAS of its own before the slow paths, which keep the bit.
 *
 * Stealing: a locker that finds the word free takes it without queueing
 * unless a running head is announced (or NOSTEAL is set). A running head
 * therefore gets every hand-off in FIFO order; a head that sleeps, is being
 * woken, or did not take a free word within LK__GATE_STALE_STEPS of the
 * arrival's own relax steps (it was preempted) is passed over, so when
 * threads outnumber cores the lock goes to a thread that runs instead of
 * waiting for the scheduler. The bound: a head that has been head for
 * LK_STEAL_WINDOW_NS (1 ms) sets NOSTEAL when it next looks (a sleeping
 * head looks when an unlock wakes it: one more steal may happen while it
 * wakes); from then on nobody steals and it takes the next release.
 * Waiters behind the head are never overtaken by each other.
 *
 * A head that parked is woken by the next unlock; if the word was stolen
 * while it woke, it spins again before it parks again, twice as long each
 * time (at most LK__RESPIN_MAX times the cost of parking: base_wait.h),
 * and, running, takes the next release in order. Parking again at once
 * had every unlock of the thief pay a FUTEX_WAKE for a head that then
 * found the word taken once more, until its window closed: with the lock
 * held 20 us by two threads, 0.76x of ck's same lock, which never parks.
 *
 * Progress: starvation-free. Order: FIFO among queued waiters; a thread
 * that has not queued may take the lock ahead of the head only while the
 * head is not running, and only during its first LK_STEAL_WINDOW_NS as head
 * (plus one steal while it wakes after that).
 *
 * ThreadSanitizer: the latches on it annotate their own verbs (base.h);
 * this word has none of its own.
 *
 * Memory orders:
 *   CAS(word, w, LOCKED or w|LOCKED, acquire / relaxed): taking the lock
 *       must see the previous critical section. GenMC catches each made
 *       relaxed, under RC11 and IMM (verify/wmm/REPORT.md; the take of a
 *       stale head's word needs three threads: clh3).
 *   CAS(word, w, w with HS or NOSTEAL changed, relaxed): only the head's
 *       state; the unlock's RMW on the same word orders after it.
 *   load(word, relaxed): decides what to try; a CAS then acquires.
 *   unlock: CAS(word, w, w & ~LOCKED (PARKED -> WAKING), release / relaxed):
 *       publishes the critical section; an RMW, so a PARKED set just
 *       before cannot be missed.
 *   is_locked: load(word, relaxed): a hint for assertions; orders nothing.
 *   the head's look at SHARED: load(word, relaxed): a bit set at init that
 *       only says which futex.
 */
#ifndef LATCHKIT_GATE_H
#define LATCHKIT_GATE_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_STEAL_WINDOW_NS
#define LK_STEAL_WINDOW_NS 1000000u /* a head this long: no more steals */
#endif
/* A running head polls the word once per relax step, so a free word it
 * has not taken in this many of the watcher's own relax steps means it is
 * not running. Counted in relax steps on purpose: it compares two pollers
 * on the same CPU type, whatever one pause costs. (A model checker's
 * build may set fewer: verify/wmm/mock.h.) */
#ifndef LK__GATE_STALE_STEPS
#define LK__GATE_STALE_STEPS 128u
#endif

#define LK__GATE_LOCKED 1u
#define LK__GATE_HS 6u
#define LK__GATE_RUNNING 2u
#define LK__GATE_PARKED 4u
#define LK__GATE_WAKING 6u
#define LK__GATE_NOSTEAL 8u
#define LK__GATE_SHARED 16u /* process-shared: set at init, never cleared */

static inline bool lk__gate_fast(LK_ATOMIC(uint32_t) *g)
{
	uint32_t w = 0;
	return atomic_compare_exchange_strong_explicit(
		g, &w, LK__GATE_LOCKED, memory_order_acquire,
		memory_order_relaxed) ||
	       /* a free shared word (SHARED alone), on the failure branch:
		* its own CAS, so the private path is as it was */
	       (w == LK__GATE_SHARED &&
		atomic_compare_exchange_strong_explicit(
			g, &w, LK__GATE_SHARED | LK__GATE_LOCKED,
			memory_order_acquire, memory_order_relaxed));
}

static inline bool lk__gate_stealable(uint32_t w)
{
	return !(w & (LK__GATE_LOCKED | LK__GATE_NOSTEAL)) &&
	       (w & LK__GATE_HS) != LK__GATE_RUNNING;
}

/* trylock: take the word if no running head has the right to it. */
static inline bool lk__gate_trylock(LK_ATOMIC(uint32_t) *g)
{
	uint32_t w = atomic_load_explicit(g, memory_order_relaxed);
	return lk__gate_stealable(w) &&
	       atomic_compare_exchange_strong_explicit(
		       g, &w, w | LK__GATE_LOCKED, memory_order_acquire,
		       memory_order_relaxed);
}

/* An arriving locker's look before it queues: true if it took the word. */
LK__COLD bool lk__gate_arrive(LK_ATOMIC(uint32_t) *g)
{
	uint32_t w = atomic_load_explicit(g, memory_order_relaxed);
	if (lk__gate_stealable(w))
		return atomic_compare_exchange_strong_explicit(
			g, &w, w | LK__GATE_LOCKED, memory_order_acquire,
			memory_order_relaxed);
	if ((w & ~LK__GATE_SHARED) != LK__GATE_RUNNING)
		return false; /* held, or NOSTEAL: queue */
	/* Free with a running head announced: it should take it at once. */
	for (uint32_t i = 0; i < LK__GATE_STALE_STEPS; i++) {
		lk__cpu_relax();
		if (atomic_load_explicit(g, memory_order_relaxed) != w)
			return false;
	}
	return atomic_compare_exchange_strong_explicit(
		g, &w, w | LK__GATE_LOCKED, memory_order_acquire,
		memory_order_relaxed);
}

/* The queue head takes the word. Returns with it held (HS and NOSTEAL
 * cleared: the next head announces itself; SHARED kept). */
LK__COLD void lk__gate_head(LK_ATOMIC(uint32_t) *g)
{
	lk__wait_t w = lk__wait_start(0);
	uint64_t since = 0; /* head since (its first clock read) */
	uint32_t shared = atomic_load_explicit(g, memory_order_relaxed) &
			  LK__GATE_SHARED; /* constant for the word's life */
	w.shared = shared != 0;
	bool slept = false; /* the last wait step was a park */
	for (;;) {
		uint32_t s = atomic_load_explicit(g, memory_order_relaxed);
		if (!(s & LK__GATE_LOCKED)) {
			if (atomic_compare_exchange_weak_explicit(
				    g, &s, LK__GATE_LOCKED | shared,
				    memory_order_acquire, memory_order_relaxed))
				return;
			continue;
		}
		if (slept) {
			/* Woken, and the word was taken while this head woke
			 * (a steal): parking again would cost the next unlock
			 * a FUTEX_WAKE and this head the same wake-up. Spin
			 * again, twice as long; running, no one steals. */
			slept = false;
			lk__wait_respin(&w);
		}
		uint32_t want = s & ~LK__GATE_HS;
		if (lk__wait_would_park(&w)) {
			want |= LK__GATE_PARKED;
			/* The spin budget is far below the window, so the
			 * window only needs checking once parking starts. */
			uint64_t now = lk__now_ns();
			if (!since)
				since = w.t0 ? w.t0 : now;
			else if (now - since >= LK_STEAL_WINDOW_NS)
				want |= LK__GATE_NOSTEAL;
		} else {
			want |= LK__GATE_RUNNING;
		}
		if (want != s) {
			if (!atomic_compare_exchange_weak_explicit(
				    g, &s, want, memory_order_relaxed,
				    memory_order_relaxed))
				continue;
			s = want;
		}
		lk__wait(&w, g, s); /* parks only once PARKED is in s */
		slept = (s & LK__GATE_HS) == LK__GATE_PARKED;
	}
}

LK__COLD void lk__gate_unlock_slow(LK_ATOMIC(uint32_t) *g, uint32_t s)
{
	uint32_t ns;
	do {
		ns = s & ~LK__GATE_LOCKED;
		if ((s & LK__GATE_HS) == LK__GATE_PARKED)
			ns |= LK__GATE_WAKING;
	} while (!atomic_compare_exchange_weak_explicit(
		g, &s, ns, memory_order_release, memory_order_relaxed));
	if ((s & LK__GATE_HS) == LK__GATE_PARKED) {
		/* only the head sleeps on the word */
		if (s & LK__GATE_SHARED)
			lk__futex_wake_shared(g, 1, LK__FUTEX_ANY);
		else
			lk__futex_wake(g, 1);
	}
}

static inline void lk__gate_unlock(LK_ATOMIC(uint32_t) *g)
{
	uint32_t s = LK__GATE_LOCKED;
	if (lk__unlikely(!atomic_compare_exchange_strong_explicit(
		    g, &s, 0, memory_order_release, memory_order_relaxed)) &&
	    (s != (LK__GATE_SHARED | LK__GATE_LOCKED) || /* shared: own CAS */
	     !atomic_compare_exchange_strong_explicit(
		     g, &s, LK__GATE_SHARED, memory_order_release,
		     memory_order_relaxed)))
		lk__gate_unlock_slow(g, s);
}

static inline bool lk__gate_is_locked(const LK_ATOMIC(uint32_t) *g)
{
	return atomic_load_explicit(g, memory_order_relaxed) &
	       LK__GATE_LOCKED;
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_GATE_H */
