/*
 * verify/stress/stress.h: what every sanitizer stress program shares.
 * A program takes -d SECONDS and -t THREADS, runs its threads until the
 * deadline, checks its invariant on every step, prints one line of counts,
 * and exits 0. An invariant broken is reported and exits 1; a sanitizer
 * report exits non-zero by itself (halt_on_error).
 *
 * Watchdog: stress_run() starts a watchdog thread beside the workers. Each
 * worker's steps are progress (every stress_jitter() and stress_doing()
 * counts one); a worker that makes none for STRESS_WATCHDOG_S seconds
 * (default 10, the environment variable of that name overrides) is a hang:
 * the watchdog prints "WATCHDOG: lock NAME: thread I made no progress for
 * S s; it was doing: WHAT" and exits 2. NAME is stress_watch_name()'s (the
 * latch under test), WHAT the worker's last stress_doing() label.
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

/* One worker's progress, read by the watchdog. */
typedef struct {
	atomic_ulong steps;
	_Atomic(const char *) doing;
	atomic_int running;
} stress_slot_t;

static stress_slot_t stress_slots_[STRESS_MAX_THREADS];
static _Thread_local stress_slot_t *stress_me_;
static _Atomic(const char *) stress_name_ = "(unnamed)";

/* Names the latch (or object) the next stress_run() exercises. */
static inline void stress_watch_name(const char *name)
{
	atomic_store(&stress_name_, name);
}

/* The calling worker starts a step: `what` is what it is about to do. */
static inline void stress_doing(const char *what)
{
	if (stress_me_) {
		atomic_store_explicit(&stress_me_->doing, what,
				      memory_order_relaxed);
		atomic_fetch_add_explicit(&stress_me_->steps, 1,
					  memory_order_relaxed);
	}
}

static inline void stress_tick_(void)
{
	if (stress_me_)
		atomic_fetch_add_explicit(&stress_me_->steps, 1,
					  memory_order_relaxed);
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
	stress_tick_();
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
	stress_me_ = &stress_slots_[a->id];
	void *r = a->fn(a->ctx, a->id);
	atomic_store(&stress_slots_[a->id].running, 0);
	return r;
}

typedef struct {
	int n;
	atomic_int stop;
} stress_watch_t;

static void *stress_watchdog_(void *p)
{
	stress_watch_t *w = (stress_watch_t *)p;
	const char *env = getenv("STRESS_WATCHDOG_S");
	double lim_s = env && atof(env) > 0 ? atof(env) : 10.0;
	uint64_t lim = (uint64_t)(lim_s * 1e9);
	unsigned long seen[STRESS_MAX_THREADS];
	uint64_t since[STRESS_MAX_THREADS];
	uint64_t now = stress_now_ns();
	for (int i = 0; i < w->n; i++) {
		seen[i] = atomic_load(&stress_slots_[i].steps);
		since[i] = now;
	}
	while (!atomic_load(&w->stop)) {
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
		now = stress_now_ns();
		for (int i = 0; i < w->n; i++) {
			unsigned long s = atomic_load(&stress_slots_[i].steps);
			if (s != seen[i] || !atomic_load(&stress_slots_[i].running)) {
				seen[i] = s;
				since[i] = now;
			} else if (now - since[i] >= lim) {
				const char *d = atomic_load(&stress_slots_[i].doing);
				fprintf(stderr,
					"WATCHDOG: lock %s: thread %d made no "
					"progress for %.1f s; it was doing: %s\n",
					atomic_load(&stress_name_), i, lim_s,
					d ? d : "(its loop)");
				fflush(stderr);
				_exit(2);
			}
		}
	}
	return NULL;
}

/* Runs fn(ctx, id) on n threads and joins them, under the watchdog. */
static inline void stress_run(int n, void *(*fn)(void *ctx, int id), void *ctx)
{
	pthread_t th[STRESS_MAX_THREADS], wd;
	stress_arg_t a[STRESS_MAX_THREADS];
	stress_watch_t w;
	w.n = n;
	atomic_init(&w.stop, 0);
	for (int i = 0; i < n; i++) {
		atomic_store(&stress_slots_[i].steps, 0);
		atomic_store(&stress_slots_[i].doing, (const char *)NULL);
		atomic_store(&stress_slots_[i].running, 1);
	}
	if (pthread_create(&wd, NULL, stress_watchdog_, &w))
		stress_fail("pthread_create");
	for (int i = 0; i < n; i++) {
		a[i].fn = fn;
		a[i].ctx = ctx;
		a[i].id = i;
		if (pthread_create(&th[i], NULL, stress_tramp_, &a[i]))
			stress_fail("pthread_create");
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	atomic_store(&w.stop, 1);
	pthread_join(wd, NULL);
}

#endif
