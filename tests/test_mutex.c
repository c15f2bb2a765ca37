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
