#include <latchkit/mutex.h>
#include "mutex_suite.h"

LKT_MUTEX_SUITE(mutex, lk_mutex_t, LK_MUTEX_INIT, lk_mutex_init,
		lk_mutex_lock, lk_mutex_trylock, lk_mutex_unlock)
LKT_MUTEX_SUITE_TIMED(mutex, lk_mutex_t, LK_MUTEX_INIT, lk_mutex_init,
		      lk_mutex_lock, lk_mutex_timedlock, lk_mutex_unlock)

Test(mutex, size)
{
	cr_assert_leq(sizeof(lk_mutex_t), 4);
}

Test(mutex, uncontended_leaves_word_clear)
{
	lk_mutex_t l = LK_MUTEX_INIT;
	lk_mutex_lock(&l);
	cr_assert_eq(atomic_load(&l.word), LK_MUTEX_LOCKED_);
	lk_mutex_unlock(&l);
	cr_assert_eq(atomic_load(&l.word), 0u);
}

/* Eventual fairness: 8 threads on (typically) 2 cores, each taking the
 * lock a fixed number of times with a little work inside and outside.
 * Every thread must complete; the spread of completion times is printed,
 * not asserted (speed depends on the machine). */
#define FAIR_THREADS 8
#define FAIR_ITERS 5000

typedef struct {
	lk_mutex_t l;
	long counter;
	uint64_t start;
	uint64_t done[FAIR_THREADS];
} fair_t;

static void *fair_fn(void *ctx, int id)
{
	fair_t *f = (fair_t *)ctx;
	for (int i = 0; i < FAIR_ITERS; i++) {
		lk_mutex_lock(&f->l);
		for (volatile int k = 0; k < 50; k++)
			;
		f->counter++;
		lk_mutex_unlock(&f->l);
		for (volatile int k = 0; k < 50; k++)
			;
	}
	f->done[id] = lkt_now_ns() - f->start;
	return NULL;
}

Test(mutex, fairness_every_thread_completes)
{
	static fair_t f;
	lk_mutex_init(&f.l);
	f.counter = 0;
	f.start = lkt_now_ns();
	lkt_run(FAIR_THREADS, fair_fn, &f);
	cr_assert_eq(f.counter, (long)FAIR_THREADS * FAIR_ITERS);
	uint64_t mn = UINT64_MAX, mx = 0;
	for (int i = 0; i < FAIR_THREADS; i++) {
		cr_assert_gt(f.done[i], 0);
		if (f.done[i] < mn)
			mn = f.done[i];
		if (f.done[i] > mx)
			mx = f.done[i];
	}
	cr_log_info("mutex fairness: %d threads x %d, completion min %.1f ms "
		    "max %.1f ms ratio %.2f",
		    FAIR_THREADS, FAIR_ITERS, mn / 1e6, mx / 1e6,
		    (double)mx / (double)mn);
	cr_assert_eq(atomic_load(&f.l.word) & LK_MUTEX_LOCKED_, 0u);
}

/* Hand-off, deterministically: a waiter parks; the holder keeps the lock
 * past LK_MUTEX_HANDOFF_NS and then wakes the waiter without releasing (a
 * spurious wake, as the kernel may deliver). The waiter, now starving, must
 * announce HANDOFF. From then on a barging trylock must not get the lock
 * ahead of it: after the holder's unlock, the first successful trylock
 * comes only after the waiter has been in. */
typedef struct {
	lk_mutex_t l;
	atomic_int waiter_got;
} hand_t;

static void *hand_fn(void *ctx, int id)
{
	hand_t *h = (hand_t *)ctx;
	(void)id;
	lk_mutex_lock(&h->l);
	atomic_store(&h->waiter_got, 1);
	lk_mutex_unlock(&h->l);
	return NULL;
}

static void *hand_thread(void *p)
{
	return hand_fn(p, 1);
}

Test(mutex, starving_waiter_gets_handoff)
{
	static hand_t h;
	pthread_t th;
	lk_mutex_init(&h.l);
	atomic_init(&h.waiter_got, 0);
	lk_mutex_lock(&h.l);
	cr_assert_eq(pthread_create(&th, NULL, hand_thread, &h), 0);
	uint64_t t0 = lkt_now_ns();
	while (!(atomic_load(&h.l.word) & LK_MUTEX_WAITERS_))
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "the waiter never parked");
	/* past the starvation threshold (bounded, should it be tuned huge) */
	lkt_sleep_ms(LK_MUTEX_HANDOFF_NS > 50000000u
			     ? 50u
			     : (unsigned)(LK_MUTEX_HANDOFF_NS / 1000000) + 2);
	t0 = lkt_now_ns();
	while (!(atomic_load(&h.l.word) & LK_MUTEX_HANDOFF_)) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "a starving waiter never set HANDOFF");
		lk__futex_wake(&h.l.word, 1); /* spurious wake, lock kept */
		lkt_sleep_ms(1);
	}
	cr_assert_eq(atomic_load(&h.waiter_got), 0);
	lk_mutex_unlock(&h.l);
	t0 = lkt_now_ns();
	while (!lk_mutex_trylock(&h.l)) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "the lock never came free");
		sched_yield();
	}
	cr_assert_eq(atomic_load(&h.waiter_got), 1,
		     "trylock barged ahead of a starving waiter");
	lk_mutex_unlock(&h.l);
	lkt_join(th, 0, "its lock and wait calls");
	cr_assert_eq(atomic_load(&h.l.word), 0u);
}

/* Strict hand-off: of two starving waiters, only the one that set HANDOFF
 * (the heir) may take the reserved lock; the other, starving too, stands
 * aside, so the heir is the first in after the holder's unlock. */
typedef struct {
	lk_mutex_t l;
	atomic_int n;
	int order[2];
} heir_t;

static heir_t hr;
static void *heir_fn(void *p)
{
	int id = (int)(intptr_t)p;
	lk_mutex_lock(&hr.l);
	hr.order[atomic_fetch_add(&hr.n, 1)] = id;
	lk_mutex_unlock(&hr.l);
	return NULL;
}

static void past_handoff_ns(void)
{
	lkt_sleep_ms(LK_MUTEX_HANDOFF_NS > 50000000u
			     ? 50u
			     : (unsigned)(LK_MUTEX_HANDOFF_NS / 1000000) + 2);
}

Test(mutex, only_the_heir_takes_a_reserved_lock)
{
	pthread_t a, b;
	lk_mutex_init(&hr.l);
	atomic_init(&hr.n, 0);
	lk_mutex_lock(&hr.l);
	cr_assert_eq(pthread_create(&a, NULL, heir_fn, (void *)(intptr_t)1), 0);
	uint64_t t0 = lkt_now_ns();
	while (!(atomic_load(&hr.l.word) & LK_MUTEX_WAITERS_))
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "A never parked");
	past_handoff_ns();
	t0 = lkt_now_ns();
	while (!(atomic_load(&hr.l.word) & LK_MUTEX_HANDOFF_)) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "A never claimed HANDOFF");
		lk__futex_wake(&hr.l.word, 1); /* spurious wake, lock kept */
		lkt_sleep_ms(1);
	}
	/* A is the heir. B arrives, parks, and starves too. */
	cr_assert_eq(pthread_create(&b, NULL, heir_fn, (void *)(intptr_t)2), 0);
	lkt_sleep_ms(20);
	past_handoff_ns();
	for (int i = 0; i < 20; i++) { /* let B look at its clock */
		lk__futex_wake(&hr.l.word, INT32_MAX);
		lkt_sleep_ms(1);
	}
	cr_assert_eq(atomic_load(&hr.n), 0);
	cr_assert_neq(atomic_load(&hr.l.word) & LK_MUTEX_HANDOFF_, 0u);
	lk_mutex_unlock(&hr.l);
	lkt_join(a, 0, "its lock and wait calls");
	lkt_join(b, 0, "its lock and wait calls");
	cr_assert_eq(atomic_load(&hr.n), 2);
	cr_assert_eq(hr.order[0], 1, "a starving non-heir took the reserved lock");
	cr_assert_eq(atomic_load(&hr.l.word), 0u);
}
