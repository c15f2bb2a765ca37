/*
 * bench/team.c: the registry of implementations, the CPUs this process may
 * use, and teams of pinned threads that run one cell's workers for a fixed
 * duration (lkb_team_run, lkb_team_result; bench.h).
 */
#include "bench.h"

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

/* ---- registry ------------------------------------------------------------ */

const lkb_impl_t *lkb_impls[LKB_MAX_IMPLS];
int lkb_n_impls;

void lkb_register(const lkb_impl_t *im)
{
	if (lkb_n_impls < LKB_MAX_IMPLS)
		lkb_impls[lkb_n_impls++] = im;
}

const lkb_impl_t *lkb_find_impl(const char *name)
{
	for (int i = 0; i < lkb_n_impls; i++)
		if (!strcmp(lkb_impls[i]->name, name))
			return lkb_impls[i];
	return NULL;
}

void *lkb_alloc(size_t n)
{
	size_t sz = (n + 127) & ~(size_t)127;
	void *p = aligned_alloc(128, sz ? sz : 128);
	if (!p) {
		perror("bench: aligned_alloc");
		exit(2);
	}
	memset(p, 0, sz ? sz : 128);
	return p;
}

/* ---- CPUs and teams ------------------------------------------------------ */

int lkb_cpus[LKB_MAX_THREADS];
static int n_cpus;

void lkb_init_cpus(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int c = 0; c < CPU_SETSIZE && n_cpus < LKB_MAX_THREADS;
		     c++)
			if (CPU_ISSET(c, &set))
				lkb_cpus[n_cpus++] = c;
	}
	if (n_cpus == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		n_cpus = n > 0 ? (int)n : 1;
		for (int c = 0; c < n_cpus; c++)
			lkb_cpus[c] = -1; /* unknown: do not pin */
	}
}

int lkb_ncpus(void)
{
	return n_cpus;
}

typedef struct {
	lkb_team_t *t;
	int id;
} team_arg_t;

static void *team_tramp(void *p)
{
	team_arg_t *a = (team_arg_t *)p;
	lkb_team_t *t = a->t;
	if (t->pinned && lkb_cpus[a->id] >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(lkb_cpus[a->id], &set);
		if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set))
			t->pinned = false; /* read after join */
	}
	pthread_barrier_wait(&t->bar);
	t->fn(t, a->id, &t->st[a->id]);
	return NULL;
}

void lkb_team_run(lkb_team_t *t, int n, double dur_ms)
{
	pthread_t th[LKB_MAX_THREADS];
	team_arg_t args[LKB_MAX_THREADS];
	if (n > LKB_MAX_THREADS)
		n = LKB_MAX_THREADS;
	t->n = n;
	t->st = (lkb_tstat_t *)lkb_alloc(sizeof(lkb_tstat_t) * (size_t)n);
	t->pinned = n <= n_cpus && lkb_cpus[0] >= 0;
	atomic_store_explicit(&t->stop, 0, memory_order_relaxed);
	pthread_barrier_init(&t->bar, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		args[i].t = t;
		args[i].id = i;
		if (pthread_create(&th[i], NULL, team_tramp, &args[i])) {
			fprintf(stderr, "bench: pthread_create failed\n");
			exit(2);
		}
	}
	pthread_barrier_wait(&t->bar);
	uint64_t t0 = lkb_ns();
	uint64_t end = t0 + (uint64_t)(dur_ms * 1e6);
	for (uint64_t now = t0; now < end; now = lkb_ns())
		lkb_sleep_until(end);
	/* release: pairs with nothing in particular; the workers only need
	 * to see the flag eventually */
	atomic_store_explicit(&t->stop, 1, memory_order_release);
	t->elapsed_ns = (double)(lkb_ns() - t0);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&t->bar);
}

void lkb_sleep_until(uint64_t deadline)
{
	uint64_t now = lkb_ns();
	if (now >= deadline)
		return;
	struct timespec ts;
	uint64_t left = deadline - now;
	ts.tv_sec = (time_t)(left / 1000000000u);
	ts.tv_nsec = (long)(left % 1000000000u);
	nanosleep(&ts, NULL);
}

void lkb_team_result(lkb_team_t *t, int nworkers, lkb_result_t *r, bool mega)
{
	uint64_t total = 0, mn = UINT64_MAX, mx = 0;
	for (int i = 0; i < nworkers; i++) {
		uint64_t o = t->st[i].ops;
		total += o;
		if (o < mn)
			mn = o;
		if (o > mx)
			mx = o;
		lkb_hist_merge(&r->hist, &t->st[i].hist);
		if (t->st[i].broken)
			r->broken = 1;
	}
	double secs = t->elapsed_ns / 1e9;
	r->value = (double)total / secs / (mega ? 1e6 : 1.0);
	r->fairness = nworkers < 2 ? NAN
		      : mn == 0     ? INFINITY
				    : (double)mx / (double)mn;
	r->pinned = t->pinned;
}

