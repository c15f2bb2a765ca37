/*
 * verify/stress/stress.h: what every sanitizer stress program shares.
 * A program takes -d SECONDS and -t THREADS, runs its threads until the
 * deadline, checks its invariant on every step, prints one line of counts,
 * and exits 0. An invariant broken is reported and exits 1; a sanitizer
 * report exits non-zero by itself (halt_on_error).
 */
#ifndef LK_STRESS_H
#define LK_STRESS_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>

#define STRESS_MAX_THREADS 64

typedef struct {
	double seconds;
	int threads;
} stress_opts_t;

static inline stress_opts_t stress_args(int argc, char **argv)
{
	stress_opts_t o = {2.0, 8};
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-d"))
			o.seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "-t"))
			o.threads = atoi(argv[i + 1]);
	}
	if (o.threads < 1)
		o.threads = 1;
	if (o.threads > STRESS_MAX_THREADS)
		o.threads = STRESS_MAX_THREADS;
	return o;
}

static inline uint64_t stress_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void stress_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "INVARIANT BROKEN: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	fflush(stderr);
	_exit(1);
}

/* xorshift; one state per thread */
static inline uint32_t stress_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ? x : 0x9e3779b9u;
}

/* A random short delay to widen race windows: mostly nothing, sometimes a
 * few hundred relaxes, rarely a yield. */
static inline void stress_jitter(uint32_t *s)
{
	uint32_t r = stress_rand(s) & 63;
	if (r < 40)
		return;
	if (r < 62) {
		for (volatile uint32_t i = 0; i < (r << 4); i++)
			;
		return;
	}
	sched_yield();
}

typedef struct {
	void *(*fn)(void *ctx, int id);
	void *ctx;
	int id;
} stress_arg_t;

static void *stress_tramp_(void *p)
{
	stress_arg_t *a = (stress_arg_t *)p;
	return a->fn(a->ctx, a->id);
}

/* Runs fn(ctx, id) on n threads and joins them. */
static inline void stress_run(int n, void *(*fn)(void *ctx, int id), void *ctx)
{
	pthread_t th[STRESS_MAX_THREADS];
	stress_arg_t a[STRESS_MAX_THREADS];
	for (int i = 0; i < n; i++) {
		a[i].fn = fn;
		a[i].ctx = ctx;
		a[i].id = i;
		if (pthread_create(&th[i], NULL, stress_tramp_, &a[i]))
			stress_fail("pthread_create");
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

#endif
