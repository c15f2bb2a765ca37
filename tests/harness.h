/*
 * tests/harness.h: the validation harness every Criterion test shares.
 * Threads start together behind a barrier; helpers time and count.
 *
 * Watchdog: lkt_run() watches its threads. A thread's lkt_doing("what")
 * calls are its progress; one that makes none for LKT_WATCHDOG_S seconds
 * (default 10; the environment variable of that name overrides) while it
 * runs is a hang: the watchdog prints "WATCHDOG: lock SUITE (test TEST):
 * thread I made no progress for S s; it was doing: WHAT" and aborts the
 * test. SUITE is the Criterion suite, which the suites name after the
 * latch; lkt_watch_name() names it otherwise. A thread that never calls
 * lkt_doing() is watched the same way, "doing: its body". Threads a test
 * makes itself get the same watch through lkt_watch_begin() and friends,
 * or lkt_join().
 */
#ifndef LK_TEST_HARNESS_H
#define LK_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define LKT_MAX_THREADS 64

/* One thread's progress, read by the watchdog. */
typedef struct {
	atomic_ulong steps;
	_Atomic(const char *) doing;
	atomic_int running;
} lkt_slot_t;

static _Thread_local lkt_slot_t *lkt_me_;
static _Atomic(const char *) lkt_watch_name_;

/* Names the lock the next lkt_run() exercises (default: the suite's name). */
static inline void lkt_watch_name(const char *name)
{
	atomic_store(&lkt_watch_name_, name);
}

/* The calling lkt_run() thread starts a step: `what` it is about to do. */
static inline void lkt_doing(const char *what)
{
	if (lkt_me_) {
		atomic_store_explicit(&lkt_me_->doing, what,
				      memory_order_relaxed);
		atomic_fetch_add_explicit(&lkt_me_->steps, 1,
					  memory_order_relaxed);
	}
}

/* One watch: its threads' slots and its watchdog. Each lkt_run() has its
 * own, so runs may nest or overlap (a thread of one run may call another). */
typedef struct {
	int n;
	atomic_int stop;
	pthread_t th;
	lkt_slot_t slot[LKT_MAX_THREADS];
} lkt_watch_t;

static void *lkt_watchdog_(void *p)
{
	lkt_watch_t *w = (lkt_watch_t *)p;
	const char *env = getenv("LKT_WATCHDOG_S");
	double lim_s = env && atof(env) > 0 ? atof(env) : 10.0;
	uint64_t lim = (uint64_t)(lim_s * 1e9);
	unsigned long seen[LKT_MAX_THREADS];
	uint64_t since[LKT_MAX_THREADS];
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	for (int i = 0; i < w->n; i++) {
		seen[i] = atomic_load(&w->slot[i].steps);
		since[i] = now;
	}
	while (!atomic_load(&w->stop)) {
		struct timespec d = {0, 50 * 1000000L};
		nanosleep(&d, NULL);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		for (int i = 0; i < w->n; i++) {
			unsigned long s = atomic_load(&w->slot[i].steps);
			if (s != seen[i] || !atomic_load(&w->slot[i].running)) {
				seen[i] = s;
				since[i] = now;
			} else if (now - since[i] >= lim) {
				const char *name = atomic_load(&lkt_watch_name_);
				const char *doing = atomic_load(&w->slot[i].doing);
				fprintf(stderr,
					"WATCHDOG: lock %s (test %s): thread %d "
					"made no progress for %.1f s; it was "
					"doing: %s\n",
					name ? name : criterion_current_test->category,
					criterion_current_test->name, i, lim_s,
					doing ? doing : "its body");
				fflush(stderr);
				abort();
			}
		}
	}
	return NULL;
}

/* Watch n threads made by hand (lkt_run() does this itself): each calls
 * lkt_watch_me(w, i) first and lkt_watch_done() last; lkt_watch_end(w)
 * after joining them. */
static inline void lkt_watch_begin(lkt_watch_t *w, int n)
{
	cr_assert(n > 0 && n <= LKT_MAX_THREADS);
	w->n = n;
	atomic_init(&w->stop, 0);
	for (int i = 0; i < n; i++) {
		atomic_init(&w->slot[i].steps, 0);
		atomic_init(&w->slot[i].doing, (const char *)NULL);
		atomic_init(&w->slot[i].running, 1);
	}
	cr_assert_eq(pthread_create(&w->th, NULL, lkt_watchdog_, w), 0);
}

static inline void lkt_watch_me(lkt_watch_t *w, int i)
{
	lkt_me_ = &w->slot[i];
	lkt_doing("its body");
}

static inline void lkt_watch_done(void)
{
	if (lkt_me_)
		atomic_store(&lkt_me_->running, 0);
	lkt_me_ = NULL;
}

static inline void lkt_watch_end(lkt_watch_t *w)
{
	atomic_store(&w->stop, 1);
	pthread_join(w->th, NULL);
}

typedef struct {
	pthread_barrier_t start;
	void *(*fn)(void *ctx, int id);
	void *ctx;
	void *watch; /* lkt_watch_t */
} lkt_group_t;

typedef struct {
	lkt_group_t *g;
	int id;
} lkt_thread_arg_t;

static void *lkt_trampoline_(void *p)
{
	lkt_thread_arg_t *a = (lkt_thread_arg_t *)p;
	pthread_barrier_wait(&a->g->start);
	lkt_watch_me((lkt_watch_t *)a->g->watch, a->id);
	void *r = a->g->fn(a->g->ctx, a->id);
	lkt_watch_done();
	return r;
}

/* pthread_join under the watchdog, for threads a test makes itself: if
 * thread `th` (index `idx`, for the report) neither finishes nor has
 * finished within LKT_WATCHDOG_S seconds of the last join, the test fails
 * with "WATCHDOG: lock SUITE (test TEST): thread IDX made no progress ...;
 * it was doing: WHAT" (WHAT: what the thread does, as the caller says). */
static inline void lkt_join(pthread_t th, int idx, const char *what)
{
	const char *env = getenv("LKT_WATCHDOG_S");
	double lim_s = env && atof(env) > 0 ? atof(env) : 10.0;
	struct timespec t0, now, until;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 50 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_timedjoin_np(th, NULL, &until) == 0)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - t0.tv_sec) +
			    (double)(now.tv_nsec - t0.tv_nsec) * 1e-9 >=
		    lim_s) {
			const char *name = atomic_load(&lkt_watch_name_);
			fprintf(stderr,
				"WATCHDOG: lock %s (test %s): thread %d made no "
				"progress for %.1f s; it was doing: %s\n",
				name ? name : criterion_current_test->category,
				criterion_current_test->name, idx, lim_s, what);
			fflush(stderr);
			abort();
		}
	}
}

/* Runs fn(ctx, id) on n threads (id 0..n-1) released together; joins all.
 * Under the watchdog (above). */
static inline void lkt_run(int n, void *(*fn)(void *ctx, int id), void *ctx)
{
	lkt_group_t g;
	pthread_t th[LKT_MAX_THREADS];
	lkt_thread_arg_t args[LKT_MAX_THREADS];
	lkt_watch_t *w = (lkt_watch_t *)malloc(sizeof *w); /* large */
	cr_assert(w != NULL);
	lkt_watch_begin(w, n);
	g.watch = w;
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
	lkt_watch_end(w);
	free(w);
	pthread_barrier_destroy(&g.start);
}

/* Clock c in ns: CLOCK_MONOTONIC for wall time, the CPU-time clocks for
 * how much a thread (or the process) ran. */
static inline uint64_t lkt_clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t lkt_now_ns(void)
{
	return lkt_clock_ns(CLOCK_MONOTONIC);
}

static inline void lkt_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Is thread tid (of this process) asleep in futex(2)? Read from
 * /proc/self/task/TID/syscall: a test's way to know a waiter has parked. */
static inline bool lkt_in_futex(int tid)
{
	char path[64], buf[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	bool yes = fgets(buf, sizeof buf, f) && atol(buf) == SYS_futex &&
		   buf[0] != '-';
	fclose(f);
	return yes;
}

/* Spin until *flag becomes nonzero (a test-side wait, never in the library). */
static inline void lkt_await(atomic_int *flag)
{
	while (!atomic_load(flag))
		sched_yield();
}

#endif
