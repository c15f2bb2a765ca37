/*
 * tests/harness.h: the validation harness every Criterion test shares.
 * Threads start together behind a barrier; helpers time and count.
 */
#ifndef LK_TEST_HARNESS_H
#define LK_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#define LKT_MAX_THREADS 64

typedef struct {
	pthread_barrier_t start;
	void *(*fn)(void *ctx, int id);
	void *ctx;
} lkt_group_t;

typedef struct {
	lkt_group_t *g;
	int id;
} lkt_thread_arg_t;

static void *lkt_trampoline_(void *p)
{
	lkt_thread_arg_t *a = (lkt_thread_arg_t *)p;
	pthread_barrier_wait(&a->g->start);
	return a->g->fn(a->g->ctx, a->id);
}

/* Runs fn(ctx, id) on n threads (id 0..n-1) released together; joins all. */
static inline void lkt_run(int n, void *(*fn)(void *ctx, int id), void *ctx)
{
	lkt_group_t g;
	pthread_t th[LKT_MAX_THREADS];
	lkt_thread_arg_t args[LKT_MAX_THREADS];
	cr_assert(n > 0 && n <= LKT_MAX_THREADS);
	g.fn = fn;
	g.ctx = ctx;
	pthread_barrier_init(&g.start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		args[i].g = &g;
		args[i].id = i;
		cr_assert_eq(pthread_create(&th[i], NULL, lkt_trampoline_, &args[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&g.start);
}

static inline uint64_t lkt_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void lkt_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Spin until *flag becomes nonzero (a test-side wait, never in the library). */
static inline void lkt_await(atomic_int *flag)
{
	while (!atomic_load(flag))
		sched_yield();
}

#endif
