/*
 * latchkit/base_park.h: the spin budget of every wait, the cost of parking
 * as this program measures it, and (LK_DEBUG) each thread's wait counts.
 * Internal, one part of base.h (include that): not API.
 *
 * A waiter spins for a budget of TIME, then parks (or naps, where it has
 * no futex word); it never loops on sched_yield. The budget is the
 * measured cost of parking: an average of how long a woken thread took to
 * run again after its waker's FUTEX_WAKE, learnt as the program runs.
 * Spinning up to the cost of blocking, then blocking, is never worse than
 * twice the best choice made in hindsight (Karlin, Li, Manasse & Owicki,
 * SOSP 1991); counting relax instructions instead gives a budget that
 * differs tenfold between CPUs (one pause lasts 10 to 140 cycles).
 * Compile-time knobs, for measuring, not tuning:
 *   LK_SPIN_NS      fixed spin budget in ns instead of the learnt one
 *   LK_SLEEP_NS     longest nap of a waiter with no futex word (50000)
 */
#ifndef LATCHKIT_BASE_PARK_H
#define LATCHKIT_BASE_PARK_H

#include "base_lang.h"
#include "base_time.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_SPIN_NS
#define LK_SPIN_NS 0 /* 0: learn the budget (the cost of parking) */
#endif
#ifndef LK_SLEEP_NS
#define LK_SLEEP_NS 50000
#endif

/* ---- LK_DEBUG wait stats ------------------------------------------------ */

/* Under LK_DEBUG each thread counts, in lk__wait(), its spin steps, futex
 * parks and naps, and the futex wakes it issues (every lk__futex_wake() and
 * lk__futex_wake_bits(), counted where the waker stamps the time below), so
 * tests can see the phases and that a hand-off to a sleeper woke it. */
#ifdef LK_DEBUG
typedef struct {
	uint64_t spins, parks, naps, wakes;
} lk__wait_stats_t;
LK__PROGRAM_WIDE LK_THREAD_LOCAL lk__wait_stats_t lk__wait_stats_;
static inline lk__wait_stats_t lk__wait_stats(void)
{
	return lk__wait_stats_;
}
#define LK__WAIT_COUNT(f) (lk__wait_stats_.f++)
#else
#define LK__WAIT_COUNT(f) ((void)0)
#endif

/* ---- the cost of parking, learnt ----------------------------------------- */

/*
 * lk__park_ns_ follows the lower envelope of wake-up latencies: the time
 * from a waker's FUTEX_WAKE call (stamped in lk__wake_stamp_ by every
 * latch) to the woken thread running again. It sets every waiter's spin
 * budget. It falls by 1/8 of a shorter sample and rises by 1/16 of a
 * longer one, so it settles near the third of the samples that were
 * fastest while their spread is modest (a heavy tail lifts it: half at
 * 10 us and half at 200 us settle at 76 us; a pure quantile step, which
 * stays at 10 us, lost lk_mutex and the lock table at 8 threads on 2
 * cores, so this rule stays), and a sample past LK__PARK_SAMPLE_MAX_NS is dropped: when
 * threads outnumber cores a woken thread also waits for a CPU, and a plain
 * average then grows with the spinning it causes (measured on the lock
 * table: 250-590 us, 8 threads on 2 cores); the cost of parking is what a
 * wake costs when a CPU is free. A process-shared sleep may be woken from
 * another process, whose stamp this one cannot read: it learns from a
 * stamp its wakers write in the shared memory, or not at all
 * (base_wait.h). One per program (LK__PROGRAM_WIDE); relaxed throughout:
 * the values are estimates, and a lost update or a sample matched with another
 * latch's stamp only makes one sample noisy. Until the first sample the
 * budget is LK__PARK_SEED_NS, a starting point the samples replace.
 */
#define LK__PARK_SEED_NS 10000u
/* A longer wake-up is a wait for a CPU, not the cost of parking (the
 * slowest idle wake-up measured here was about 50 us): learning from it
 * would make waiters spin longer exactly when spinning takes the CPU that
 * the woken thread needs. It also drops stamps of someone else's wake. */
#define LK__PARK_SAMPLE_MAX_NS 250000u
#define LK_HAVE_PARK_ESTIMATE 1
LK__PROGRAM_WIDE LK_ATOMIC(uint64_t) lk__wake_stamp_;
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__park_ns_;

/* The spin budget of a new wait, in ns. */
static inline uint64_t lk__park_cost_ns(void)
{
	if (LK_SPIN_NS)
		return LK_SPIN_NS;
	uint32_t p = atomic_load_explicit(&lk__park_ns_, memory_order_relaxed);
	return p ? p : LK__PARK_SEED_NS;
}

/* A waker calls this just before FUTEX_WAKE. */
static inline void lk__park_stamp_(void)
{
	LK__WAIT_COUNT(wakes);
	atomic_store_explicit(&lk__wake_stamp_, lk__now_ns(),
			      memory_order_relaxed);
}

/* A sleeper the kernel woke (not a refused or timed-out sleep) learns,
 * from the stamp its wakers write: lk__wake_stamp_, or for a process-shared
 * sleep one in the shared memory (base_wait.h, lk__wait_t.stamp). */
static inline void lk__park_learn_at_(LK_ATOMIC(uint64_t) *stamp)
{
	uint64_t now = lk__now_ns();
	uint64_t st = atomic_load_explicit(stamp, memory_order_relaxed);
	if (st == 0 || st > now || now - st >= LK__PARK_SAMPLE_MAX_NS)
		return;
	uint32_t d = LK__CAST(uint32_t, now - st);
	uint32_t p = atomic_load_explicit(&lk__park_ns_, memory_order_relaxed);
	if (p == 0)
		p = d;
	else if (d > p)
		p += (d - p) / 16;
	else
		p -= (p - d) / 8;
	atomic_store_explicit(&lk__park_ns_, p ? p : 1, memory_order_relaxed);
}

static inline void lk__park_learn_(void)
{
	lk__park_learn_at_(&lk__wake_stamp_);
}
#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_PARK_H */
