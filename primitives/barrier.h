/*
 * latchkit/barrier.h: a reusable, generation-counted barrier that spins
 * briefly and then parks on a futex.
 *
 * Algorithm: the centralized barrier with a generation number in place of
 * a sense bit (Mellor-Crummey & Scott, "Algorithms for Scalable
 * Synchronization on Shared-Memory Multiprocessors", TOCS 1991, fig. 8;
 * glibc's pthread_barrier keeps a round number the same way), parking on
 * the generation word as a futex. Words: `gen` (the generation times 4;
 * bit 0, SLEEPERS: a thread may be parked on it; bit 1, SHARED: the
 * barrier is process-shared, kept as generations step by 4) and `arrived` (threads of
 * the current generation that have arrived). A thread reads gen, then
 * adds itself to arrived. The count-th arrival is the serial thread: it
 * resets arrived to 0 and swaps in the next generation, clearing
 * SLEEPERS; if the swap returns SLEEPERS it wakes every sleeper. Every
 * other thread waits until gen differs from the value it read before
 * arriving: through lk__wait(), spinning for the learnt cost of parking,
 * then setting SLEEPERS (a CAS) and parking on the word while it reads
 * that generation with SLEEPERS. A thread reads gen before it arrives, so
 * the generation it waits for cannot have ended before it read it (the
 * count-th arrival comes after its own); and because the generation
 * changes at every use, a waiter that has not yet looked when the next
 * generation starts (a fast thread already arriving again) still sees its
 * own generation's end: no thread leaves early and none is left behind.
 *
 * Spinning pays only while the threads still to come can run: when the
 * barrier has more parties than the CPUs this process may use (read once
 * by sched_getaffinity), some party is necessarily waiting for a CPU, and
 * a spinner would only delay it, so waiters park at once (pthread_barrier
 * never spins). Measured here on 2 CPUs, 8 threads (bench: sync/barrier):
 * spinning first made 1-2 thousand generations a second, 0.02-0.07x
 * pthread_barrier's rate; parking at once 0.9-1.16x in short noisy runs,
 * with pthread's 7 voluntary context switches per generation and its CPU
 * time. At 2 threads on 2 CPUs spinning first makes about 800 thousand
 * generations a second, 80x pthread_barrier (which parks every waiter).
 *
 * Guarantees: lk_barrier_wait() returns in generation k only after all
 * count parties have called it for generation k; everything each party
 * did before its call happens before every party's return. It returns
 * LK_BARRIER_SERIAL_THREAD to exactly one party per generation (the last
 * to arrive) and 0 to the others, like PTHREAD_BARRIER_SERIAL_THREAD.
 * The serial thread's return does not wait for the others to leave: a
 * party may destroy or free the barrier only once every party has
 * returned from its last wait (after joining them, or after another
 * barrier), as POSIX and C++20's std::barrier require; LK_DEBUG checks
 * that (glibc's destroy waits for them instead, at the cost of a second
 * atomic per wait).
 *
 * No timed wait (neither _timedwait nor _timedwait_until, the two forms of
 * the waits on an event or a condition): a party that gave up would have
 * to take back its arrival, which the others have counted and which may
 * be the one that ends the generation (the serial thread's swap races
 * with the give-up); left counted, it lets the generation end without the
 * party, which is C++20's arrive_and_drop, not a wait that timed out.
 * pthread_barrier and std::barrier have no timed wait either. A one-shot
 * rendezvous with a bound is an lk_latch (event.h), which has both forms.
 *
 * Progress: blocking; the serial thread does one fetch_add, one store,
 * one swap and, only if someone parked, one futex wake. Waiters spin for
 * at most the park budget, or not at all when oversubscribed.
 * Fairness: every party of a generation is released by the same swap.
 *
 * Process-shared: LK_BARRIER_INIT_SHARED(n) or lk_barrier_init_shared()
 * sets SHARED (bit 1) in gen, which generations (steps of 4) never touch:
 * parks and wakes use shared futexes (no _PRIVATE); no pointer. No
 * instruction more in a wait.
 *
 * Size: 12 bytes; LK_DEBUG adds a count of the threads inside a wait.
 *
 * ThreadSanitizer: not a mutex (no party holds anything), so it is
 * annotated (base.h) as happens-before edges through two addresses, the
 * words' own: each arrival releases &arrived before its fetch_add, which
 * is framed as a signal (TSan ignores it); the serial thread acquires
 * &arrived (every arrival of its generation), releases &gen before its
 * store and swap (framed as a signal with the wake), and every waiter
 * acquires &gen once it reads the new generation. So every arrival of a
 * generation happens before every departure of it, as TSan sees it, and
 * nothing more: a fast party's next arrival lands on &arrived, which only
 * the next serial thread acquires (after every party's next arrival), so
 * a slow party's departure is not ordered after what the fast one did
 * since it left. No lock order: a wait is not a lock.
 *
 * Memory orders:
 *   load(gen, relaxed) before arriving: the value is only compared; it
 *       cannot be a later generation's (that needs this arrival), nor an
 *       earlier one's (this thread saw that one end, or was created after
 *       init).
 *   fetch_add(arrived, 1, acq_rel): release: the arrival publishes what
 *       the thread did before it; acquire: the serial thread, whose add
 *       reads the others' (a release sequence on one word), sees it all.
 *   store(arrived, 0, relaxed): by the serial thread before its release
 *       swap; the next generation's arrivals come after reading that swap.
 *   swap(gen, next, release): publishes every arrival's work and the
 *       reset; returns SLEEPERS as set by any sleeper before it (one word:
 *       no store-load pair needed).
 *   waiter load(gen, acquire): reading the new generation, it sees all
 *       that the serial thread saw.
 *   CAS(gen, g, g|SLEEPERS, relaxed / relaxed): only announces a
 *       sleeper; a failure is followed by a fresh acquire load.
 *   load(arrived, relaxed) in destroy: a hint for misuse only.
 *   debug inside count: relaxed RMWs, read only by destroy's check.
 */
#ifndef LATCHKIT_BARRIER_H
#define LATCHKIT_BARRIER_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned by lk_barrier_wait() to one party per generation, as
 * PTHREAD_BARRIER_SERIAL_THREAD; the others get 0. */
#define LK_BARRIER_SERIAL_THREAD (-1)

#define LK_BARRIER_SLEEPERS_ 1u
#define LK_BARRIER_SHARED_ 2u /* process-shared: set at init, kept by STEP */
#define LK_BARRIER_STEP_ 4u

typedef struct {
	LK_ATOMIC(uint32_t) gen;     /* generation * 4 | SHARED | SLEEPERS; futex word */
	LK_ATOMIC(uint32_t) arrived; /* arrivals in the current generation */
	uint32_t count;              /* parties; set at init */
#ifdef LK_DEBUG
	LK_ATOMIC(uint32_t) inside_; /* threads inside lk_barrier_wait */
#endif
} lk_barrier_t;

/* A barrier of n parties (n > 0: a static LK_BARRIER_INIT(0) makes every
 * wait return EINVAL). */
#ifdef LK_DEBUG
#define LK_BARRIER_INIT(n) {LK__AINIT(0), LK__AINIT(0), n, LK__AINIT(0)}
#define LK_BARRIER_INIT_SHARED(n)                                              \
	{LK__AINIT(LK_BARRIER_SHARED_), LK__AINIT(0), n, LK__AINIT(0)}
#else
#define LK_BARRIER_INIT(n) {LK__AINIT(0), LK__AINIT(0), n}
/* A barrier that processes share (in MAP_SHARED memory): parks and wakes
 * on shared futexes. */
#define LK_BARRIER_INIT_SHARED(n) {LK__AINIT(LK_BARRIER_SHARED_), LK__AINIT(0), n}
#endif

/* The CPUs this process may run on, read once per program (0: not yet;
 * UINT32_MAX: unknown, treated as plenty). */
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__barrier_ncpu_;

static inline uint32_t lk_barrier_ncpus_(void)
{
	/* relaxed: every thread computes the same value; a race only
	 * repeats the syscall */
	uint32_t n = atomic_load_explicit(&lk__barrier_ncpu_,
					  memory_order_relaxed);
	if (n)
		return n;
	n = UINT32_MAX;
#if LK_HAVE_FUTEX && defined(SYS_sched_getaffinity)
	unsigned long long mask[16] = {0}; /* 1024 CPUs */
	long k = lk__syscall(SYS_sched_getaffinity, 0L,
			     LK__CAST(long, sizeof mask), mask);
	if (k > 0) {
		uint32_t c = 0;
		size_t words = LK__CAST(size_t, k) / sizeof mask[0];
		for (size_t i = 0; i < words && i < 16; i++)
			c += LK__CAST(uint32_t, __builtin_popcountll(mask[i]));
		if (c)
			n = c;
	}
#endif
	atomic_store_explicit(&lk__barrier_ncpu_, n, memory_order_relaxed);
	return n;
}

/* Sets up b for count parties. Returns 0, or EINVAL when count is 0 (b is
 * then left as it was). Only while no thread waits on b. */
static inline int lk_barrier_init_as_(lk_barrier_t *b, uint32_t count,
				      uint32_t gen)
{
	if (count == 0)
		return EINVAL;
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&b->gen, gen, memory_order_relaxed);
	atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
	b->count = count;
#ifdef LK_DEBUG
	atomic_store_explicit(&b->inside_, 0, memory_order_relaxed);
#endif
	(void)lk_barrier_ncpus_(); /* the syscall now, not in a wait */
	return 0;
}

static inline int lk_barrier_init(lk_barrier_t *b, uint32_t count)
{
	return lk_barrier_init_as_(b, count, 0);
}

/* As lk_barrier_init, for a process-shared barrier (parks and wakes on
 * shared futexes; LK_BARRIER_INIT_SHARED). */
static inline int lk_barrier_init_shared(lk_barrier_t *b, uint32_t count)
{
	return lk_barrier_init_as_(b, count, LK_BARRIER_SHARED_);
}

/* Waits until generation g (gen without SLEEPERS) has ended. */
LK__COLD void lk_barrier_wait_slow_(lk_barrier_t *b, uint32_t g)
{
	lk__wait_t w = lk__wait_start(0);
	w.shared = g & LK_BARRIER_SHARED_;
	if (b->count > lk_barrier_ncpus_())
		lk__wait_park_now(&w); /* a party waits for a CPU: yield ours */
	for (;;) {
		/* acquire: the new generation shows every party's work */
		uint32_t v = atomic_load_explicit(&b->gen,
						  memory_order_acquire);
		if ((v & ~LK_BARRIER_SLEEPERS_) != g) {
			lk__tsan_acquire(&b->gen); /* every arrival's work */
			return;
		}
		if (lk__wait_would_park(&w) && !(v & LK_BARRIER_SLEEPERS_)) {
			/* relaxed: announces a sleeper only; on failure the
			 * loop loads again */
			if (!atomic_compare_exchange_strong_explicit(
				    &b->gen, &v, v | LK_BARRIER_SLEEPERS_,
				    memory_order_relaxed,
				    memory_order_relaxed))
				continue;
			v |= LK_BARRIER_SLEEPERS_;
		}
		lk__wait(&w, &b->gen, v);
	}
}

LK__COLD void lk__barrier_wake_(lk_barrier_t *b, uint32_t old)
{
	if (old & LK_BARRIER_SHARED_)
		lk__futex_wake_shared(&b->gen, INT32_MAX, LK__FUTEX_ANY);
	else
		lk__futex_wake(&b->gen, INT32_MAX);
}

/* Waits until count parties have called it in this generation. Returns
 * LK_BARRIER_SERIAL_THREAD to one of them and 0 to the others (EINVAL,
 * arriving nowhere, for a barrier of 0 parties). */
static inline int lk_barrier_wait(lk_barrier_t *b)
{
	if (lk__unlikely(b->count == 0))
		return EINVAL;
#ifdef LK_DEBUG
	atomic_fetch_add_explicit(&b->inside_, 1, memory_order_relaxed);
#endif
	/* relaxed: compared only (see the header) */
	uint32_t g = atomic_load_explicit(&b->gen, memory_order_relaxed) &
		     ~LK_BARRIER_SLEEPERS_;
	lk__tsan_release(&b->arrived);
	lk__tsan_pre_signal(b);
	/* acq_rel: publish our work; the serial thread sees everyone's */
	uint32_t a = atomic_fetch_add_explicit(&b->arrived, 1,
					       memory_order_acq_rel) + 1;
	lk__tsan_post_signal(b);
	int ret = 0;
	if (a == b->count) {
		lk__tsan_acquire(&b->arrived); /* every arrival's work */
		lk__tsan_release(&b->gen);
		lk__tsan_pre_signal(b);
		/* relaxed: the release swap below publishes it */
		atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
		/* release: every arrival's work and the reset */
		uint32_t old = atomic_exchange_explicit(
			&b->gen, g + LK_BARRIER_STEP_, memory_order_release);
		if (old & LK_BARRIER_SLEEPERS_)
			lk__barrier_wake_(b, old);
		lk__tsan_post_signal(b);
		ret = LK_BARRIER_SERIAL_THREAD;
	} else {
		lk_barrier_wait_slow_(b, g);
	}
#ifdef LK_DEBUG
	atomic_fetch_sub_explicit(&b->inside_, 1, memory_order_relaxed);
#endif
	return ret;
}

/* Ends b's use. Returns 0, or EBUSY when a thread is seen waiting in the
 * current generation (b is left as it was): a hint, not a guarantee;
 * destroy only after every party has returned from its last wait. With
 * LK_DEBUG, a thread still inside a wait (waiting, or released but not yet
 * returned) aborts instead. */
static inline int lk_barrier_destroy(lk_barrier_t *b)
{
#ifdef LK_DEBUG
	LK__CHECK(atomic_load_explicit(&b->inside_, memory_order_relaxed) == 0,
		  "lk_barrier_destroy", "destroy while threads wait on it");
#endif
	/* relaxed: a misuse hint */
	if (atomic_load_explicit(&b->arrived, memory_order_relaxed) != 0)
		return EBUSY;
	b->count = 0; /* a later wait returns EINVAL instead of hanging */
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BARRIER_H */
