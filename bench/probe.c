/*
 * bench/probe.c: what every figure of a run depends on, measured before the
 * cells, printed in the run header and kept in bench.json's meta block:
 *
 *   clock     ns per lkb_ns() (clock_gettime, CLOCK_MONOTONIC)
 *   relax     ns per lk__cpu_relax() (the same call the wait policy spins
 *             on: `pause` on x86, `yield` on aarch64): median of 9 trials of
 *             20000 relaxes.
 *   wake-up   thread B parks in FUTEX_WAIT on a word; thread A (another CPU
 *             when there is one) stamps the time, changes the word and calls
 *             FUTEX_WAKE; B records now - stamp when it runs again. Two ways,
 *             200 samples each: A busy-spins after the wake (as a lock
 *             holder going on with its work), and A sleeps after it (both
 *             CPUs idle, as a hand-off on a quiet machine). A sample counts
 *             only when FUTEX_WAKE reports it woke B (B was in the kernel).
 *   wake      the FUTEX_WAKE syscall itself: when it wakes B (p50, p90 over
 *             the samples above), and with no waiter (median per call).
 *   line      one cache line's round trip between the two CPUs (A writes
 *             odd, B answers even): median of 5 trials of 20000. What a
 *             contended hand-off costs at least; measured again after the
 *             cells, since a VM's can change within a run.
 *
 * The probes run in a child process (as every cell does), so the runner
 * stays single-threaded, under a cap; together they take about 0.1 s.
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#if __has_include(<latchkit/base.h>)
#include <latchkit/base.h>
#define LKB_RELAX() lk__cpu_relax()
#else
#define LKB_RELAX() __asm__ __volatile__("" ::: "memory")
#endif

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#define LKB_HAVE_FUTEX 1
#else
#define LKB_HAVE_FUTEX 0
#endif

double lkb_park_estimate_ns(void)
{
#ifdef LK_HAVE_PARK_ESTIMATE
	return (double)lk__park_cost_ns();
#else
	return NAN;
#endif
}

/* ---- relax ------------------------------------------------------------------ */

#define RELAX_N 20000
#define RELAX_TRIALS 9

static double probe_relax(void)
{
	double t[RELAX_TRIALS];
	for (int k = 0; k < RELAX_TRIALS; k++) {
		uint64_t t0 = lkb_ns();
		for (int i = 0; i < RELAX_N; i++)
			LKB_RELAX();
		t[k] = (double)(lkb_ns() - t0) / RELAX_N;
	}
	return lkb_median(t, RELAX_TRIALS);
}

/* One lkb_ns() (clock_gettime(CLOCK_MONOTONIC)): the granularity of a hold
 * workload's section and the cost of a latency sample. */
static double probe_clock(void)
{
	double t[RELAX_TRIALS];
	for (int k = 0; k < RELAX_TRIALS; k++) {
		uint64_t t0 = lkb_ns(), x = 0;
		for (int i = 0; i < 10000; i++)
			x += lkb_ns();
		__asm__ __volatile__("" ::"r"(x));
		t[k] = (double)(lkb_ns() - t0) / 10000;
	}
	return lkb_median(t, RELAX_TRIALS);
}

/* ---- futex wake-up ---------------------------------------------------------- */

#define WAKE_SAMPLES 200
#define WAKE_WARMUP 8
#define WAKE_SETTLE_NS 50000 /* B has parked, and its CPU gone idle */

#if LKB_HAVE_FUTEX
static long fx(_Atomic uint32_t *w, int op, uint32_t v)
{
	return syscall(SYS_futex, (uint32_t *)w, op, v, NULL, NULL, 0);
}

typedef struct {
	_Atomic uint32_t word __attribute__((aligned(128))); /* generation */
	_Atomic uint32_t done __attribute__((aligned(128))); /* B's last seen */
	_Atomic uint64_t stamp __attribute__((aligned(128)));
	int total;
	int cpu_b;
	uint64_t lat[WAKE_SAMPLES + WAKE_WARMUP];
} wake_t;

static void pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *sleeper(void *arg)
{
	wake_t *s = (wake_t *)arg;
	pin(s->cpu_b);
	uint32_t g = 0;
	for (int i = 0; i < s->total; i++) {
		uint32_t w;
		/* acquire: pairs with the waker's release store of the
		 * generation, so the stamp stored before it is seen */
		while ((w = atomic_load_explicit(&s->word,
						 memory_order_acquire)) == g)
			fx(&s->word, FUTEX_WAIT_PRIVATE, g);
		uint64_t now = lkb_ns();
		s->lat[i] = now - atomic_load_explicit(&s->stamp,
						      memory_order_relaxed);
		g = w;
		/* release: the waker reads lat[i] after it sees done */
		atomic_store_explicit(&s->done, g, memory_order_release);
	}
	return NULL;
}

static void nap(uint64_t ns)
{
	struct timespec ts = {0, (long)ns};
	nanosleep(&ts, NULL);
}

/* One way of waking (busy: the waker spins after the wake, else it sleeps).
 * Fills lat (µs) of the samples where FUTEX_WAKE woke B, and sys (µs) of
 * those wake calls; returns how many. */
static int probe_wake(int cpu_a, int cpu_b, bool busy, uint64_t deadline,
		      double *lat, double *sys)
{
	wake_t *s = (wake_t *)lkb_alloc(sizeof(*s));
	s->total = WAKE_SAMPLES + WAKE_WARMUP;
	s->cpu_b = cpu_b;
	pin(cpu_a);
	pthread_t th;
	if (pthread_create(&th, NULL, sleeper, s))
		return 0;
	bool *woke = (bool *)calloc((size_t)s->total, sizeof(bool));
	double *sc = (double *)calloc((size_t)s->total, sizeof(double));
	int i;
	for (i = 0; i < s->total; i++) {
		/* acquire: pairs with the sleeper's release of done */
		while (atomic_load_explicit(&s->done, memory_order_acquire) !=
		       (uint32_t)i) {
			if (!busy)
				nap(20000);
		}
		if (busy) {
			uint64_t end = lkb_ns() + WAKE_SETTLE_NS;
			while (lkb_ns() < end)
				;
		} else {
			nap(WAKE_SETTLE_NS);
		}
		if (lkb_ns() > deadline)
			break; /* the sleeper is left parked; we exit anyway */
		uint64_t t0 = lkb_ns();
		atomic_store_explicit(&s->stamp, t0, memory_order_relaxed);
		/* release: the stamp above is seen with the new generation */
		atomic_store_explicit(&s->word, (uint32_t)i + 1,
				      memory_order_release);
		uint64_t t1 = lkb_ns();
		long r = fx(&s->word, FUTEX_WAKE_PRIVATE, 1);
		sc[i] = (double)(lkb_ns() - t1) / 1e3;
		woke[i] = r == 1;
		if (busy) {
			while (atomic_load_explicit(&s->done,
						    memory_order_acquire) !=
			       (uint32_t)i + 1)
				;
		} else {
			while (atomic_load_explicit(&s->done,
						    memory_order_acquire) !=
			       (uint32_t)i + 1)
				nap(20000);
		}
	}
	int n = 0;
	if (i == s->total) {
		pthread_join(th, NULL);
		for (int k = WAKE_WARMUP; k < s->total; k++)
			if (woke[k]) {
				lat[n] = (double)s->lat[k] / 1e3;
				sys[n] = sc[k];
				n++;
			}
	}
	free(woke);
	free(sc);
	return n;
}

static double probe_wake_empty(void)
{
	_Atomic uint32_t *w = (_Atomic uint32_t *)lkb_alloc(sizeof(*w));
	double t[9];
	for (int k = 0; k < 9; k++) {
		uint64_t t0 = lkb_ns();
		for (int i = 0; i < 200; i++)
			fx(w, FUTEX_WAKE_PRIVATE, 1);
		t[k] = (double)(lkb_ns() - t0) / 200;
	}
	return lkb_median(t, 9);
}
#endif

/* ---- line ------------------------------------------------------------------- */

#define LINE_N 20000
#define LINE_TRIALS 5

typedef struct {
	_Atomic uint32_t v __attribute__((aligned(128)));
	int cpu_b;
	int rounds;
} line_t;

static void *line_echo(void *arg)
{
	line_t *l = (line_t *)arg;
	pin(l->cpu_b);
	for (uint32_t i = 1; i < 2u * (uint32_t)l->rounds; i += 2) {
		/* relaxed: the value alone is the message */
		while (atomic_load_explicit(&l->v, memory_order_relaxed) != i)
			LKB_RELAX();
		atomic_store_explicit(&l->v, i + 1, memory_order_relaxed);
	}
	return NULL;
}

/* ns per round trip; NaN on one CPU or if a thread cannot start */
static double probe_line(int cpu_a, int cpu_b)
{
	if (cpu_a < 0 || cpu_b < 0 || cpu_a == cpu_b)
		return NAN;
	double t[LINE_TRIALS];
	line_t *l = (line_t *)lkb_alloc(sizeof(*l));
	pin(cpu_a);
	for (int k = 0; k < LINE_TRIALS; k++) {
		atomic_store_explicit(&l->v, 0, memory_order_relaxed);
		l->cpu_b = cpu_b;
		l->rounds = LINE_N;
		pthread_t th;
		if (pthread_create(&th, NULL, line_echo, l))
			return NAN;
		uint64_t t0 = lkb_ns();
		for (uint32_t i = 0; i < 2u * LINE_N; i += 2) {
			atomic_store_explicit(&l->v, i + 1, memory_order_relaxed);
			while (atomic_load_explicit(&l->v, memory_order_relaxed) != i + 2)
				LKB_RELAX();
		}
		t[k] = (double)(lkb_ns() - t0) / LINE_N;
		pthread_join(th, NULL);
	}
	return lkb_median(t, LINE_TRIALS);
}

static void probe_child(lkb_probe_t *pr, int cpu_a, int cpu_b, bool futex)
{
	uint64_t t0 = lkb_ns();
	pr->relax_ns = probe_relax();
	pr->clock_ns = probe_clock();
#if LKB_HAVE_FUTEX
	if (futex) {
		uint64_t deadline = t0 + 2000000000u; /* 2 s: a loaded machine */
		static double lat[WAKE_SAMPLES], sys[2 * WAKE_SAMPLES];
		int nsys = 0;
		for (int m = 0; m < 2; m++) {
			int n = probe_wake(cpu_a, cpu_b, m == 0, deadline, lat,
					   sys + nsys);
			nsys += n;
			if (m == 0) {
				pr->busy_n = n;
				pr->busy_p50_us = lkb_percentile(lat, n, 50);
				pr->busy_p90_us = lkb_percentile(lat, n, 90);
			} else {
				pr->idle_n = n;
				pr->idle_p50_us = lkb_percentile(lat, n, 50);
				pr->idle_p90_us = lkb_percentile(lat, n, 90);
			}
		}
		pr->sys_p50_us = lkb_percentile(sys, nsys, 50);
		pr->sys_p90_us = lkb_percentile(sys, nsys, 90);
		pr->empty_ns = probe_wake_empty();
	}
#else
	(void)cpu_a;
	(void)cpu_b;
	(void)futex;
#endif
	pr->line_ns = probe_line(cpu_a, cpu_b);
	pr->park_est_ns = lkb_park_estimate_ns();
	pr->ms = (double)(lkb_ns() - t0) / 1e6;
}

void lkb_probe_fill_nan(lkb_probe_t *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->relax_ns = pr->busy_p50_us = pr->busy_p90_us = NAN;
	pr->idle_p50_us = pr->idle_p90_us = pr->sys_p50_us = NAN;
	pr->sys_p90_us = pr->empty_ns = pr->park_est_ns = pr->ms = NAN;
	pr->line_ns = NAN;
	pr->clock_ns = NAN;
}

void lkb_probe(lkb_probe_t *pr, int cpu_a, int cpu_b, bool futex)
{
	lkb_probe_fill_nan(pr);
	int fd[2];
	if (pipe(fd))
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (pid == 0) {
		close(fd[0]);
		lkb_probe_t *res = (lkb_probe_t *)lkb_alloc(sizeof(*res));
		*res = *pr;
		probe_child(res, cpu_a, cpu_b, futex);
		ssize_t k = write(fd[1], res, sizeof(*res));
		_exit(k == (ssize_t)sizeof(*res) ? 0 : 3);
	}
	close(fd[1]);
	lkb_probe_t got;
	struct pollfd pf = {fd[0], POLLIN, 0};
	int k;
	do
		k = poll(&pf, 1, 5000);
	while (k < 0 && errno == EINTR);
	if (k == 1 && read(fd[0], &got, sizeof(got)) == (ssize_t)sizeof(got))
		*pr = got;
	else
		kill(pid, SIGKILL);
	close(fd[0]);
	waitpid(pid, NULL, 0);
}
