/*
 * latchkit/base_wait.h: the wait helper, lk__wait(), through which every
 * waiting loop in latchkit goes. It alone decides whether a waiter spins
 * or parks (or naps): it spins for the learnt cost of parking
 * (base_park.h), then parks on the futex word (base_futex.h). Internal,
 * one part of base.h (include that): not API.
 */
#ifndef LATCHKIT_BASE_WAIT_H
#define LATCHKIT_BASE_WAIT_H

#include "base_lang.h"
#include "base_sys.h"
#include "base_cpu.h"
#include "base_time.h"
#include "base_park.h"
#include "base_tsan.h"
#include "base_futex.h"

#ifndef LK__SPIN_CHECK_MASK
#define LK__SPIN_CHECK_MASK 7u /* lk__wait() reads the clock every 8 steps */
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the wait helper ------------------------------------------------------ */

/*
 * Usage, in every waiting loop of latchkit:
 *
 *	lk__wait_t w = lk__wait_start(deadline);   // deadline 0: wait forever
 *	while (!condition)
 *		if (!lk__wait(&w, word, seen))      // word NULL: cannot park
 *			return false;               // deadline passed
 *
 * Phase 1 spins with cpu_relax for the spin budget (lk__park_cost_ns()),
 * reading the clock once every 8 steps; phase 2 parks on the futex word
 * while it still holds `seen`, or, with no word, naps (doubling from 1 us
 * to LK_SLEEP_NS). The caller must arrange that whoever changes *word away
 * from `seen` calls lk__futex_wake() when a sleeper may be parked on it. A
 * caller may set w.bits after lk__wait_start() to park with that futex
 * bitset (woken by lk__futex_wake_bits() with an intersecting set, or by
 * lk__futex_wake()). Under LK_DEBUG each thread counts its spin steps,
 * parks and naps (lk__wait_stats()), so tests can see the phases.
 */
/* A caller may also lower w.spin_ns after lk__wait_start(), when it knows
 * the wait will be long (the lock table does when its blocker waits too). */
typedef struct {
	uint32_t n;        /* spin steps taken */
	uint32_t bits;     /* futex bitset to park with; LK__FUTEX_ANY */
	uint32_t nap_ns;   /* next nap, when there is no word to park on */
	bool parking;      /* the spin budget is spent */
	bool shared;       /* park with lk__futex_wait_shared (set after start) */
	/* a shared sleep's waker may be another process, whose lk__wake_stamp_
	 * this one cannot read (a sample against its own is noise: measured,
	 * lock table, 8 processes, budgets of 0 to 195 us against 8-48 us
	 * with threads); it learns from a stamp its wakers write in the shared
	 * memory (set after start), or, NULL, not at all */
	LK_ATOMIC(uint64_t) *stamp;
	uint64_t t0;       /* clock at the first check (0: not yet read) */
	uint64_t now;      /* clock at the last check, every 8 spin steps */
	uint64_t spin_ns;  /* this wait's spin budget */
	uint64_t deadline; /* 0: none */
} lk__wait_t;

static inline lk__wait_t lk__wait_start(uint64_t deadline)
{
	lk__wait_t w;
	w.n = 0;
	w.bits = LK__FUTEX_ANY;
	w.nap_ns = 1000;
	w.parking = false;
	w.shared = false;
	w.stamp = NULL;
	w.t0 = 0;
	w.now = 0;
	w.spin_ns = lk__park_cost_ns();
	w.deadline = deadline;
	return w;
}

/* Has the spin phase ended? Locks use it to announce a sleeper (set a
 * "parked" bit) before calling lk__wait() with a word. */
static inline bool lk__wait_would_park(const lk__wait_t *w)
{
	return w->parking;
}

/* End the spin phase now: the caller knows spinning will not pay. */
static inline void lk__wait_park_now(lk__wait_t *w)
{
	w->parking = true;
}

/* Back to spinning, for twice the last budget (at most LK__RESPIN_MAX
 * times the cost of parking): for a waiter whose park bought nothing,
 * because what it waits for was taken again while it slept or woke, and
 * parking again would cost its next waker one more FUTEX_WAKE. */
#ifndef LK__RESPIN_MAX
#define LK__RESPIN_MAX 8u
#endif
static inline void lk__wait_respin(lk__wait_t *w)
{
	uint64_t cap = lk__park_cost_ns() * LK__RESPIN_MAX;
	w->spin_ns = w->spin_ns < cap / 2 ? w->spin_ns * 2 : cap;
	w->parking = false;
	w->t0 = 0;
}

/* One step of waiting. Returns false once the deadline has passed. */
static inline bool lk__wait(lk__wait_t *w, LK_ATOMIC(uint32_t) *word,
			    uint32_t seen)
{
	if (!w->parking) {
		w->n++;
		LK__WAIT_COUNT(spins);
		lk__cpu_relax();
		if ((w->n & LK__SPIN_CHECK_MASK) == 0) {
			uint64_t now = lk__now_ns();
			w->now = now;
			if (w->t0 == 0)
				w->t0 = now;
			else if (now - w->t0 >= w->spin_ns)
				w->parking = true;
			if (w->deadline && now >= w->deadline)
				return false;
		}
		return true;
	}
	uint64_t now = w->deadline ? lk__now_ns() : 0;
	if (w->deadline && now >= w->deadline)
		return false;
	if (word) {
		LK__WAIT_COUNT(parks);
		lk__tsan_block_begin(w);
		bool woken = w->shared ? lk__futex_wait_shared(word, seen,
							       w->deadline,
							       w->bits)
			     : w->bits == LK__FUTEX_ANY
				     ? lk__futex_wait(word, seen, w->deadline)
				     : lk__futex_wait_bits(word, seen,
							   w->deadline, w->bits);
		lk__tsan_block_end(w);
		if (woken && !w->shared)
			lk__park_learn_();
		else if (woken && w->stamp)
			lk__park_learn_at_(w->stamp);
	} else {
		/* Nothing to park on (a spinning latch): nap, longer each
		 * time, so a holder that is not running gets the CPU. */
		LK__WAIT_COUNT(naps);
		uint64_t left = w->deadline ? w->deadline - now : UINT64_MAX;
		lk__tsan_block_begin(w);
		lk__sleep_ns(left < w->nap_ns ? left : w->nap_ns);
		lk__tsan_block_end(w);
		if (w->nap_ns < LK_SLEEP_NS)
			w->nap_ns *= 2;
	}
	return true;
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_WAIT_H */
