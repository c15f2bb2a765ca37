/*
 * bench/bench.c: the runner behind `make bench`. It schedules every cell
 * (family, workload, thread count, implementation), runs each in a child
 * process under a time cap, repeats cells interleaved across
 * implementations (A B C A B C ...), and writes the table (stdout), CSV,
 * JSON and the data files the gnuplot scripts draw.
 *
 * A cell runs in its own process so that a lock that collapses when
 * oversubscribed can be stopped (SIGKILL after the cap; reported as "did not
 * finish in N s", a finding), and a crash fails that cell without taking
 * the run down (reported, and the exit status is non-zero).
 *
 * Usage: bench [--smoke|--full] [--threads "1 2 8"] [--reps N] [--dur MS]
 *              [--cap S] [--out DIR] [--family F] [--probe all|relax|none]
 *              [--impl A,B] [--workload W,V] [--quiet]
 *        bench --list | --list-workloads
 *        bench --instr IMPL --kind pairs|read|lock16|mem [--iters N]
 *              (single thread, in process, for callgrind)
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef LKB_CFLAGS
#define LKB_CFLAGS "?"
#endif

lkb_shared_t lkb_shared;

/* ---- registry ------------------------------------------------------------ */

#define LKB_MAX_IMPLS 96
static const lkb_impl_t *impls[LKB_MAX_IMPLS];
static int n_impls;

void lkb_register(const lkb_impl_t *im)
{
	if (n_impls < LKB_MAX_IMPLS)
		impls[n_impls++] = im;
}

static const lkb_impl_t *find_impl(const char *name)
{
	for (int i = 0; i < n_impls; i++)
		if (!strcmp(impls[i]->name, name))
			return impls[i];
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

static int cpus[LKB_MAX_THREADS];
static int n_cpus;

static void init_cpus(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int c = 0; c < CPU_SETSIZE && n_cpus < LKB_MAX_THREADS;
		     c++)
			if (CPU_ISSET(c, &set))
				cpus[n_cpus++] = c;
	}
	if (n_cpus == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		n_cpus = n > 0 ? (int)n : 1;
		for (int c = 0; c < n_cpus; c++)
			cpus[c] = -1; /* unknown: do not pin */
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
	if (t->pinned && cpus[a->id] >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpus[a->id], &set);
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
	t->pinned = n <= n_cpus && cpus[0] >= 0;
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

/* ---- options --------------------------------------------------------------- */

typedef struct {
	int threads[16];
	int n_threads;
	int reps;
	double dur_ms;
	double lm_dur_ms; /* lock table cells */
	double hold_dur_ms; /* hold workloads' cells */
	double cap_s;
	uint64_t iters;   /* most single-thread iterations */
	double single_ms; /* single-thread cell length, calibrated */
	int cs_lines, noncs, read_pct;
	const char *out;
	const char *family;
	const char *probe; /* all, relax, none */
	const char *impl_sel, *work_sel; /* comma lists, NULL: all */
	bool smoke, full, quiet;
	bool threads_given; /* --threads or THREADS */
} opts_t;

static opts_t O;

static void parse_threads(const char *s)
{
	O.n_threads = 0;
	while (*s && O.n_threads < 16) {
		char *e;
		long v = strtol(s, &e, 10);
		if (e == s) {
			s++;
			continue;
		}
		if (v >= 1 && v <= LKB_MAX_THREADS - 1)
			O.threads[O.n_threads++] = (int)v;
		s = e;
	}
}

static void default_threads(void)
{
	int n = n_cpus;
	/* the long sweep adds 2, n/2 and 8n */
	int c[7] = {1, n, 2 * n, 4 * n, 2, n / 2, 8 * n};
	int nc = O.full ? 7 : 4;
	O.n_threads = 0;
	for (int i = 0; i < nc; i++) {
		bool dup = false;
		for (int j = 0; j < O.n_threads; j++)
			dup |= O.threads[j] == c[i];
		if (!dup && c[i] >= 1 && c[i] < LKB_MAX_THREADS)
			O.threads[O.n_threads++] = c[i];
	}
	for (int i = 1; i < O.n_threads; i++) /* ascending, for the plots */
		for (int j = i; j > 0 && O.threads[j - 1] > O.threads[j]; j--) {
			int t = O.threads[j];
			O.threads[j] = O.threads[j - 1];
			O.threads[j - 1] = t;
		}
}

/* ---- one cell in a child process ------------------------------------------ */

enum { K_PAIRS, K_READ, K_RUN, K_LOCK16, K_MEM };

typedef struct {
	const char *family, *workload, *unit;
	int kind;
	int read_pct, writer_mode;
	double theta;
	int tsel;          /* thread counts: TS_ALL, TS_YCSB, TS_HOLD */
	double scale;      /* value multiplier for the unit */
	bool full_only;    /* only in the long sweep */
	int cs_lines;      /* -1: the run's default */
	int noncs;         /* -1: the run's default */
	double hold_ns;    /* the section lasts this long; 0: no hold */
} work_t;

/* Thread counts of a threaded workload. TS_ALL: the run's list (1, n, 2n,
 * 4n by default). TS_YCSB: 1, 2 and 8 as issue 4 fixed them, and 4n.
 * TS_HOLD: 2 (pinned) and 4n (oversubscribed); with an explicit --threads
 * list, its counts above 1. */
enum { TS_ALL, TS_YCSB, TS_HOLD };

static int failures;

/*
 * glibc skips the atomic instructions of pthread_mutex (and of other
 * internal locks) while a process has one thread, so a single-thread cell
 * would time pthread_mutex at the cost of two plain stores. A thread that
 * stays blocked on a pipe read for the whole cell makes the process
 * multi-threaded, and every implementation pays its real cost. It takes no
 * CPU; the cell's process exits under it.
 */
static void *idle_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char c;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void start_idle_thread(void)
{
	int fd[2];
	pthread_t th;
	if (pipe(fd) || pthread_create(&th, NULL, idle_main,
				       (void *)(intptr_t)fd[0])) {
		fprintf(stderr, "bench: cannot start the idle thread\n");
		exit(2);
	}
	pthread_detach(th); /* fd[1] stays open: the read never returns */
}

static void run_in_child(const lkb_impl_t *im, const work_t *w,
			 const lkb_params_t *p, lkb_result_t *r)
{
	double (*loop)(uint64_t) = w->kind == K_PAIRS	 ? im->pairs
				   : w->kind == K_READ	 ? im->read_pairs
				   : w->kind == K_LOCK16 ? im->lock16
							 : NULL;
	if (loop)
		start_idle_thread();
	if (loop && cpus[0] >= 0) { /* single thread: pin it too */
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpus[0], &set);
		r->pinned = sched_setaffinity(0, sizeof(set), &set) == 0;
	}
	if (loop) {
		/* A short first run warms up and estimates the cost; the
		 * measured run then lasts about O.single_ms (at most
		 * p->iters iterations), so slow implementations do not take
		 * minutes and fast ones are not timed over microseconds. */
		uint64_t n = p->iters;
		uint64_t n0 = w->kind == K_LOCK16 ? 64 : 1000;
		if (n0 > n)
			n0 = n;
		double est = loop(n0) * (w->kind == K_LOCK16 ? 16 : 1);
		if (est > 0) {
			double want = O.single_ms * 1e6 / est;
			if (want < (double)n)
				n = want < (double)n0 ? n0 : (uint64_t)want;
		}
		r->value = loop(n);
		r->value *= w->scale;
		return;
	}
	switch (w->kind) {
	case K_MEM:
		r->value = im->memory();
		break;
	case K_RUN:
		im->run(p, r);
		break;
	}
	r->value *= w->scale;
}

/* 0 ok; 1 did not finish (r->msg says); 2 crashed or broken */
static int run_cell(const lkb_impl_t *im, const work_t *w,
		    const lkb_params_t *p, lkb_result_t *r)
{
	int fd[2];
	memset(r, 0, sizeof(*r));
	r->value = r->fairness = r->aux = NAN;
	if (pipe(fd)) {
		perror("bench: pipe");
		exit(2);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench: fork");
		exit(2);
	}
	if (pid == 0) {
		close(fd[0]);
		lkb_result_t *res = (lkb_result_t *)lkb_alloc(sizeof(*res));
		res->value = res->fairness = res->aux = NAN;
		run_in_child(im, w, p, res);
		res->park_ns = lkb_park_estimate_ns();
		const char *b = (const char *)res;
		size_t left = sizeof(*res);
		while (left) {
			ssize_t k = write(fd[1], b, left);
			if (k <= 0)
				_exit(3);
			b += k;
			left -= (size_t)k;
		}
		_exit(0);
	}
	close(fd[1]);
	uint64_t deadline = lkb_ns() + (uint64_t)(O.cap_s * 1e9);
	char *b = (char *)r;
	size_t got = 0;
	bool timed_out = false;
	while (got < sizeof(*r)) {
		uint64_t now = lkb_ns();
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		struct pollfd pf = {fd[0], POLLIN, 0};
		int ms = (int)((deadline - now) / 1000000u) + 1;
		int k = poll(&pf, 1, ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			continue; /* the deadline check above decides */
		ssize_t n = read(fd[0], b + got, sizeof(*r) - got);
		if (n <= 0)
			break; /* child died before it wrote everything */
		got += (size_t)n;
	}
	close(fd[0]);
	int st = 0;
	if (timed_out) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		memset(r, 0, sizeof(*r));
		r->value = NAN;
		snprintf(r->msg, sizeof(r->msg), "did not finish in %g s",
			 O.cap_s);
		return 1;
	}
	waitpid(pid, &st, 0);
	if (got < sizeof(*r) || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		memset(r, 0, sizeof(*r));
		r->value = NAN;
		if (WIFSIGNALED(st))
			snprintf(r->msg, sizeof(r->msg), "crashed: signal %d",
				 WTERMSIG(st));
		else
			snprintf(r->msg, sizeof(r->msg), "crashed: exit %d",
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return 2;
	}
	return r->broken ? 2 : 0;
}

/* ---- the schedule ---------------------------------------------------------- */

static lkb_row_t *rows;
static int n_rows, cap_rows;

static lkb_row_t *new_row(void)
{
	if (n_rows == cap_rows) {
		cap_rows = cap_rows ? 2 * cap_rows : 256;
		rows = (lkb_row_t *)realloc(rows, sizeof(*rows) *
							  (size_t)cap_rows);
		if (!rows)
			exit(2);
	}
	lkb_row_t *r = &rows[n_rows++];
	lkb_row_init(r);
	return r;
}

static bool supports(const lkb_impl_t *im, const work_t *w)
{
	switch (w->kind) {
	case K_PAIRS:
		return im->pairs != NULL;
	case K_READ:
		return im->read_pairs != NULL;
	case K_LOCK16:
		return im->lock16 != NULL;
	case K_MEM:
		return im->memory != NULL;
	default:
		return im->run != NULL;
	}
}

static uint64_t run_start_ns;

/* On a terminal: one line, rewritten per cell. Otherwise (a log): one line
 * per repetition round (major). */
static void progress(bool major, const char *fmt, ...)
{
	if (O.quiet || (!major && !isatty(2)))
		return;
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	double el = (double)(lkb_ns() - run_start_ns) / 1e9;
	if (isatty(2))
		fprintf(stderr, "\r\033[K%s  elapsed %.0f s", buf, el);
	else
		fprintf(stderr, "%s  elapsed %.0f s\n", buf, el);
}

/* Latency histograms of the throughput cells, kept for the CDF plot. */
typedef struct {
	const char *impl;
	lkb_hist_t h;
} cdf_t;

static void write_cdf(const work_t *w, int threads, cdf_t *c, int n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cdf_%s_%s_t%d.dat", O.out, w->family,
		 w->workload, threads);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	int blocks = 0;
	for (int i = 0; i < n; i++) {
		if (!c[i].h.count)
			continue;
		fprintf(f, "%s%s\n", blocks ? "\n\n" : "", c[i].impl);
		blocks++;
		uint64_t seen = 0;
		for (unsigned b = 0; b < LKB_HIST_BUCKETS; b++) {
			if (!c[i].h.b[b])
				continue;
			seen += c[i].h.b[b];
			fprintf(f, "%llu %.6f\n",
				(unsigned long long)lkb_hist_bucket_top(b),
				(double)seen / (double)c[i].h.count);
		}
	}
	fclose(f);
}

/* lk__park_cost_ns() as each contended cell's process left it. */
static double *park_vals;
static int n_park, cap_park;

static void park_add(double v)
{
	if (n_park == cap_park) {
		cap_park = cap_park ? 2 * cap_park : 256;
		park_vals = (double *)realloc(park_vals, sizeof(double) *
								 (size_t)cap_park);
		if (!park_vals)
			exit(2);
	}
	park_vals[n_park++] = v;
}

/* Adds c to an ascending list of distinct thread counts. */
static void add_count(int *l, int *n, int c)
{
	if (c < 1 || c >= LKB_MAX_THREADS || *n >= 16)
		return;
	int i = 0;
	while (i < *n && l[i] < c)
		i++;
	if (i < *n && l[i] == c)
		return;
	memmove(&l[i + 1], &l[i], sizeof(int) * (size_t)(*n - i));
	l[i] = c;
	(*n)++;
}

/* Is name one of the comma-separated list's items? (NULL list: yes) */
static bool in_list(const char *list, const char *name)
{
	if (!list)
		return true;
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return true;
		p += k;
		if (*p)
			p++;
	}
	return false;
}

/* Runs one workload over its thread counts; appends rows. */
static void run_work(const work_t *w, const lkb_impl_t **fam, int nf)
{
	int tlist[16], nt = 0;
	if (w->kind != K_RUN) {
		tlist[nt++] = 1;
	} else if (w->tsel == TS_YCSB) {
		int y[4] = {1, 2, 8, 4 * n_cpus};
		for (int i = 0; i < 4; i++)
			add_count(tlist, &nt, y[i]);
	} else if (w->tsel == TS_HOLD && !O.threads_given) {
		add_count(tlist, &nt, 2);
		add_count(tlist, &nt, 4 * n_cpus);
	} else if (w->tsel == TS_HOLD) {
		for (int i = 0; i < O.n_threads; i++)
			if (O.threads[i] > 1)
				add_count(tlist, &nt, O.threads[i]);
	} else {
		for (int i = 0; i < O.n_threads; i++)
			tlist[nt++] = O.threads[i];
	}
	const lkb_impl_t *ims[LKB_MAX_IMPLS];
	int ni = 0;
	for (int i = 0; i < nf; i++)
		if (supports(fam[i], w) && in_list(O.impl_sel, fam[i]->name))
			ims[ni++] = fam[i];
	if (!ni)
		return;
	bool *dnf = (bool *)calloc((size_t)ni, sizeof(bool));
	int *dnf_at = (int *)calloc((size_t)ni, sizeof(int));
	double *vals = (double *)calloc((size_t)(ni * O.reps), sizeof(double));
	double *fair = (double *)calloc((size_t)(ni * O.reps), sizeof(double));
	double *aux = (double *)calloc((size_t)(ni * O.reps), sizeof(double));
	int *nv = (int *)calloc((size_t)ni, sizeof(int));
	cdf_t *cdf = (cdf_t *)calloc((size_t)ni, sizeof(cdf_t));
	lkb_result_t *r = (lkb_result_t *)lkb_alloc(sizeof(*r));
	char (*msg)[96] = (char (*)[96])calloc((size_t)ni, 96);
	bool *pinned = (bool *)calloc((size_t)ni, sizeof(bool));
	for (int ti = 0; ti < nt; ti++) {
		int T = tlist[ti];
		lkb_params_t p;
		memset(&p, 0, sizeof(p));
		p.threads = T;
		p.dur_ms = !strcmp(w->family, "lockmgr") ? O.lm_dur_ms
							  : O.dur_ms;
		p.cs_lines = w->cs_lines >= 0 ? w->cs_lines : O.cs_lines;
		p.noncs = w->noncs >= 0 ? w->noncs : O.noncs;
		p.hold_ns = (uint64_t)w->hold_ns;
		if (w->hold_ns > 0)
			p.dur_ms = O.hold_dur_ms;
		p.read_pct = w->read_pct;
		p.writer_mode = w->writer_mode;
		p.theta = w->theta;
		p.iters = w->kind == K_LOCK16 ? O.iters / 16 : O.iters;
		if (!p.iters)
			p.iters = 1;
		memset(nv, 0, sizeof(int) * (size_t)ni);
		for (int i = 0; i < ni; i++) {
			cdf[i].impl = ims[i]->name;
			lkb_hist_clear(&cdf[i].h);
			msg[i][0] = 0;
			pinned[i] = false;
		}
		for (int rep = 0; rep < O.reps; rep++) {
			for (int i = 0; i < ni; i++) {
				if (dnf[i])
					continue;
				progress(i == 0, "[%s] %s t=%d rep %d/%d %s",
					 w->family,
					 w->workload, T, rep + 1, O.reps,
					 ims[i]->name);
				int rc = run_cell(ims[i], w, &p, r);
				if (rc == 1 && O.smoke) {
					/* tiny cells: a hang is a bug */
					failures++;
					if (!O.quiet)
						fprintf(stderr,
							"\nbench: %s %s t=%d: "
							"%s (smoke)\n",
							ims[i]->name,
							w->workload, T, r->msg);
				}
				if (rc == 1) {
					dnf[i] = true;
					dnf_at[i] = T;
					snprintf(msg[i], 96, "%s", r->msg);
					continue;
				}
				if (rc == 2) {
					failures++;
					snprintf(msg[i], 96, "FAILED: %.80s",
						 r->msg);
					dnf[i] = true;
					dnf_at[i] = -T;
					if (!O.quiet)
						fprintf(stderr,
							"\nbench: %s %s t=%d: "
							"%s\n",
							ims[i]->name,
							w->workload, T, r->msg);
					continue;
				}
				if (w->kind == K_RUN && !isnan(r->park_ns))
					park_add(r->park_ns);
				vals[i * O.reps + nv[i]] = r->value;
				fair[i * O.reps + nv[i]] = r->fairness;
				aux[i * O.reps + nv[i]] = r->aux;
				nv[i]++;
				pinned[i] = r->pinned;
				lkb_hist_merge(&cdf[i].h, &r->hist);
			}
		}
		int first = n_rows;
		for (int i = 0; i < ni; i++) {
			lkb_row_t *row = new_row();
			lkb_strcpy(row->family, w->family, sizeof(row->family));
			lkb_strcpy(row->workload, w->workload,
				   sizeof(row->workload));
			lkb_strcpy(row->impl, ims[i]->name, sizeof(row->impl));
			lkb_strcpy(row->unit, w->unit, sizeof(row->unit));
			row->threads = T;
			row->pinned = pinned[i];
			row->reps = nv[i];
			if (nv[i]) {
				double *v = &vals[i * O.reps];
				row->median = lkb_median(v, nv[i]);
				row->min = lkb_min(v, nv[i]);
				row->max = lkb_max(v, nv[i]);
				row->fairness =
					lkb_median(&fair[i * O.reps], nv[i]);
				row->aux = lkb_median(&aux[i * O.reps], nv[i]);
			}
			if (cdf[i].h.count) {
				row->p50 = (double)lkb_hist_percentile(
					&cdf[i].h, 50);
				row->p99 = (double)lkb_hist_percentile(
					&cdf[i].h, 99);
				row->p999 = (double)lkb_hist_percentile(
					&cdf[i].h, 99.9);
			}
			if (w->kind == K_RUN && !strcmp(w->family, "seqlock"))
				lkb_strcpy(row->aux_name, "retries/read",
					   sizeof(row->aux_name));
			if (w->kind == K_RUN && !strcmp(w->family, "lockmgr"))
				lkb_strcpy(row->aux_name, "aborts/txn",
					   sizeof(row->aux_name));
			if (msg[i][0])
				lkb_strcpy(row->status, msg[i],
					   sizeof(row->status));
			else if (dnf[i] && dnf_at[i] > 0 && dnf_at[i] < T)
				snprintf(row->status, sizeof(row->status),
					 "skipped: did not finish at t=%d",
					 dnf_at[i]);
			else if (dnf[i] && dnf_at[i] < 0)
				snprintf(row->status, sizeof(row->status),
					 "skipped: failed at t=%d", -dnf_at[i]);
		}
		/* ratios to peers measured in this same group */
		for (int i = 0; i < ni; i++) {
			lkb_row_t *row = &rows[first + i];
			const char *pn[2] = {ims[i]->peer, ims[i]->peer2};
			for (int k = 0; k < 2; k++) {
				if (!pn[k])
					continue;
				for (int j = 0; j < ni; j++) {
					if (strcmp(ims[j]->name, pn[k]))
						continue;
					double q = lkb_ratio(
						row->median,
						rows[first + j].median);
					if (k == 0) {
						lkb_strcpy(row->peer, pn[k],
							   sizeof(row->peer));
						row->ratio = q;
					} else {
						lkb_strcpy(row->peer2, pn[k],
							   sizeof(row->peer2));
						row->ratio2 = q;
					}
				}
			}
		}
		if (w->kind == K_RUN)
			write_cdf(w, T, cdf, ni);
	}
	free(dnf);
	free(dnf_at);
	free(vals);
	free(fair);
	free(aux);
	free(nv);
	free(cdf);
	free(msg);
	free(pinned);
	free(r);
}

/* ---- output ----------------------------------------------------------------- */

static char cpu_model[128] = "unknown";
static char kernel[400] = "unknown";
static char perf_ok[8] = "no";
static char cores_s[64];
static char threads_s[96];

static void probe_machine(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			if (c) {
				c++;
				while (*c == ' ')
					c++;
				c[strcspn(c, "\n")] = 0;
				lkb_strcpy(cpu_model, c, sizeof(cpu_model));
			}
			break;
		}
	}
	if (f)
		fclose(f);
	struct utsname u;
	if (!uname(&u))
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname,
			 u.release, u.machine);
	if (system("perf stat -e instructions true >/dev/null 2>&1") == 0)
		lkb_strcpy(perf_ok, "yes", sizeof(perf_ok));
	snprintf(cores_s, sizeof(cores_s), "%d usable (%ld online)", n_cpus,
		 sysconf(_SC_NPROCESSORS_ONLN));
	int k = 0;
	for (int i = 0; i < O.n_threads; i++)
		k += snprintf(threads_s + k, sizeof(threads_s) - (size_t)k,
			      "%s%d", i ? " " : "", O.threads[i]);
}

static void fmt_num(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else if (isinf(v))
		snprintf(b, n, "inf");
	else if (fabs(v) >= 1e5)
		snprintf(b, n, "%.3g", v);
	else if (fabs(v) >= 100)
		snprintf(b, n, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(b, n, "%.1f", v);
	else
		snprintf(b, n, "%.3g", v);
}

static void print_table(FILE *f)
{
	const char *last_fam = "", *last_work = "";
	int last_t = -1;
	for (int i = 0; i < n_rows; i++) {
		lkb_row_t *r = &rows[i];
		if (strcmp(r->family, last_fam)) {
			fprintf(f, "\n== %s ==\n", r->family);
			last_work = "";
		}
		if (strcmp(r->workload, last_work) || r->threads != last_t) {
			fprintf(f, "-- %s, %d thread%s%s [%s]%s\n", r->workload,
				r->threads, r->threads > 1 ? "s" : "",
				!strcmp(r->family, "seqlock") &&
						!strstr(r->workload,
							"uncontended")
					? " + 1 writer"
					: "",
				r->unit,
				(r->threads > 1 || !strcmp(r->family, "seqlock")) &&
						!strstr(r->workload,
							"uncontended")
					? (r->pinned ? ", pinned" : ", not pinned")
					: "");
			fprintf(f, "   %-20s %9s %9s %9s %-14s %6s %-14s %6s "
				   "%6s %8s %8s %s\n",
				"impl", "median", "min", "max", "peer",
				"ratio", "peer2", "ratio2", "fair",
				"p99ns", "aux", "status");
		}
		last_fam = r->family;
		last_work = r->workload;
		last_t = r->threads;
		char md[16], mn[16], mx[16], q1[16], q2[16], fa[16], p99[16],
			ax[16];
		fmt_num(md, sizeof(md), r->median);
		fmt_num(mn, sizeof(mn), r->min);
		fmt_num(mx, sizeof(mx), r->max);
		snprintf(q1, sizeof(q1), isnan(r->ratio) ? "-" : "%.2fx",
			 r->ratio);
		snprintf(q2, sizeof(q2), isnan(r->ratio2) ? "-" : "%.2fx",
			 r->ratio2);
		fmt_num(fa, sizeof(fa), r->fairness);
		fmt_num(p99, sizeof(p99), r->p99);
		fmt_num(ax, sizeof(ax), r->aux);
		fprintf(f,
			"   %-20s %9s %9s %9s %-14s %6s %-14s %6s %6s %8s "
			"%8s %s\n",
			r->impl, md, mn, mx, r->peer[0] ? r->peer : "-", q1,
			r->peer2[0] ? r->peer2 : "-", q2, fa, p99, ax,
			strcmp(r->status, "ok") ? r->status : "");
	}
}

/* One gnuplot data file per threaded workload: threads, then one column per
 * implementation (median), "?" where missing. */
static void write_tput(const work_t *w)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tput_%s_%s.dat", O.out, w->family,
		 w->workload);
	const char *names[LKB_MAX_IMPLS];
	int nn = 0;
	int ts[64], nts = 0;
	for (int i = 0; i < n_rows; i++) {
		lkb_row_t *r = &rows[i];
		if (strcmp(r->family, w->family) ||
		    strcmp(r->workload, w->workload))
			continue;
		bool seen = false;
		for (int k = 0; k < nn; k++)
			seen |= !strcmp(names[k], r->impl);
		if (!seen && nn < LKB_MAX_IMPLS)
			names[nn++] = r->impl;
		seen = false;
		for (int k = 0; k < nts; k++)
			seen |= ts[k] == r->threads;
		if (!seen && nts < 64)
			ts[nts++] = r->threads;
	}
	if (!nn)
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "threads");
	for (int k = 0; k < nn; k++)
		fprintf(f, " %s", names[k]);
	fprintf(f, "\n");
	for (int t = 0; t < nts; t++) {
		fprintf(f, "%d", ts[t]);
		for (int k = 0; k < nn; k++) {
			double v = NAN;
			for (int i = 0; i < n_rows; i++) {
				lkb_row_t *r = &rows[i];
				if (!strcmp(r->family, w->family) &&
				    !strcmp(r->workload, w->workload) &&
				    !strcmp(r->impl, names[k]) &&
				    r->threads == ts[t])
					v = r->median;
			}
			if (isnan(v))
				fprintf(f, " ?");
			else
				fprintf(f, " %.6g", v);
		}
		fprintf(f, "\n");
	}
	fclose(f);
}

/* ---- the run header's measured costs ---------------------------------------- */

static char relax_s[160], relax_ns_s[32], clock_ns_s[32], wakeup_s[320], fxwake_s[200],
	park0_s[64], parkend_s[256], parkmed_s[32], wk[8][32];

static void probe_strings(const lkb_probe_t *pr, bool fx)
{
#if defined(__x86_64__) || defined(__i386__)
	const char *insn = "pause";
#elif defined(__aarch64__)
	const char *insn = "yield";
#else
	const char *insn = "compiler barrier";
#endif
	const double v[8] = {pr->busy_p50_us, pr->busy_p90_us,
			     pr->idle_p50_us, pr->idle_p90_us,
			     pr->sys_p50_us,  pr->sys_p90_us,
			     pr->empty_ns,    pr->park_est_ns};
	for (int i = 0; i < 8; i++) {
		if (isnan(v[i]))
			wk[i][0] = 0;
		else
			snprintf(wk[i], sizeof(wk[i]), "%.3g", v[i]);
	}
	if (!isnan(pr->clock_ns))
		snprintf(clock_ns_s, sizeof(clock_ns_s), "%.3g", pr->clock_ns);
	if (isnan(pr->relax_ns)) {
		snprintf(relax_s, sizeof(relax_s), "not measured");
	} else {
		snprintf(relax_ns_s, sizeof(relax_ns_s), "%.3g", pr->relax_ns);
		snprintf(relax_s, sizeof(relax_s),
			 "%.3g ns per lk__cpu_relax() (%s%s), median of 9 "
			 "trials of 20000",
			 pr->relax_ns, insn,
#ifdef LK_RELAX_REPEAT
			 LK_RELAX_REPEAT != 1 ? "; built with LK_RELAX_REPEAT"
					       : ""
#else
			 ""
#endif
		);
	}
	if (fx)
		snprintf(wakeup_s, sizeof(wakeup_s),
			 "futex wake to running, waker spinning after: p50 %.3g "
			 "us, p90 %.3g us (%d samples); waker idle after: p50 "
			 "%.3g us, p90 %.3g us (%d); sleeper on CPU %d, waker "
			 "on CPU %d",
			 pr->busy_p50_us, pr->busy_p90_us, pr->busy_n,
			 pr->idle_p50_us, pr->idle_p90_us, pr->idle_n,
			 n_cpus > 1 ? cpus[1] : cpus[0], cpus[0]);
	if (fx)
		snprintf(fxwake_s, sizeof(fxwake_s),
			 "FUTEX_WAKE syscall waking one: p50 %.3g us, p90 %.3g "
			 "us; with no waiter: %.3g ns (probes took %.0f ms)",
			 pr->sys_p50_us, pr->sys_p90_us, pr->empty_ns, pr->ms);
	if (!isnan(pr->park_est_ns))
		snprintf(park0_s, sizeof(park0_s),
			 "lk__park_cost_ns() = %.0f ns in a fresh process",
			 pr->park_est_ns);
}

/* ---- main ------------------------------------------------------------------- */

static const work_t works[] = {
	/* family, workload, unit, kind, read_pct, writer_mode, theta, tsel,
	 * scale, full_only, cs_lines, noncs, hold_ns */
	{"mutex", "uncontended", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"mutex", "cs", "Mop/s", K_RUN, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"mutex", "hold1us", "Mop/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 1000},
	{"mutex", "hold5us", "Mop/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 5000},
	{"mutex", "hold20us", "Mop/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 20000},
	{"mutex", "cs0-hot", "Mop/s", K_RUN, 0, 0, 0, TS_ALL, 1, true, 0, 0, 0},
	{"mutex", "cs8", "Mop/s", K_RUN, 0, 0, 0, TS_ALL, 1, true, 8, 1000, 0},
	{"rw", "uncontended-read", "ns/op", K_READ, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"rw", "uncontended-write", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"rw", "read95", "Mop/s", K_RUN, 95, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"rw", "read50", "Mop/s", K_RUN, 50, 0, 0, TS_ALL, 1, true, -1, -1, 0},
	{"rw", "read99", "Mop/s", K_RUN, 99, 0, 0, TS_ALL, 1, true, -1, -1, 0},
	{"seqlock", "uncontended-read", "ns/op", K_READ, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"seqlock", "busy-writer", "Mread/s", K_RUN, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"seqlock", "paced-writer", "Mread/s", K_RUN, 0, 1, 0, TS_ALL, 1, false, -1, -1, 0},
	{"lockmgr", "uncontended", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"lockmgr", "16-locks-release-all", "ns/lock", K_LOCK16, 0, 0, 0,
	 TS_ALL, 1, false, -1, -1, 0},
	{"lockmgr", "memory", "B/req", K_MEM, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0},
	{"lockmgr", "ycsb-t0", "ktxn/s", K_RUN, 0, 0, 0.0, TS_YCSB, 1e-3, false, -1, -1, 0},
	{"lockmgr", "ycsb-t0.6", "ktxn/s", K_RUN, 0, 0, 0.6, TS_YCSB, 1e-3, false, -1, -1, 0},
	{"lockmgr", "ycsb-t0.8", "ktxn/s", K_RUN, 0, 0, 0.8, TS_YCSB, 1e-3, false, -1, -1, 0},
	{"lockmgr", "ycsb-t0.99", "ktxn/s", K_RUN, 0, 0, 0.99, TS_YCSB, 1e-3, false, -1, -1, 0},
};
#define N_WORKS ((int)(sizeof(works) / sizeof(works[0])))

static int instr_main(const char *name, const char *kind, uint64_t iters)
{
	const lkb_impl_t *im = find_impl(name);
	if (!im) {
		fprintf(stderr, "bench: no implementation %s\n", name);
		return 2;
	}
	double (*fn)(uint64_t) = !strcmp(kind, "read")	   ? im->read_pairs
				 : !strcmp(kind, "lock16") ? im->lock16
							   : im->pairs;
	if (!fn) {
		fprintf(stderr, "bench: %s has no %s loop\n", name, kind);
		return 2;
	}
	start_idle_thread(); /* as in a timed single-thread cell */
	fn(iters);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--smoke|--full] [--threads \"1 2 8\"] "
		"[--reps N] [--dur MS] [--cap S] [--out DIR] [--family F] "
		"[--probe all|relax|none] [--impl A,B] [--workload W,V] "
		"[--quiet]\n       bench --list | --list-workloads\n"
		"       bench --instr IMPL --kind pairs|read|lock16 "
		"[--iters N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	init_cpus();
	lkb_register_mutex();
#ifndef LKB_MUTEX_ONLY /* the sweep's binaries (bench/sweep.sh) */
	lkb_register_rw();
	lkb_register_seq();
	lkb_register_lockmgr();
#endif

	O.reps = 5;
	O.dur_ms = 100;
	O.lm_dur_ms = 150;
	O.hold_dur_ms = 60;
	O.cap_s = 10;
	O.iters = 20000000;
	O.single_ms = 50;
	O.cs_lines = 2;
	O.noncs = 200;
	O.out = "bench/results";
	O.probe = "all";
	default_threads();
	const char *instr = NULL, *kind = "pairs";
	const char *thr = getenv("THREADS");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--smoke")) {
			O.smoke = true;
			O.reps = 1;
			O.dur_ms = 15;
			O.lm_dur_ms = 15;
			O.hold_dur_ms = 15;
			O.iters = 20000;
			O.single_ms = 2;
			O.cap_s = 5;
			if (!thr)
				thr = "1 2";
		} else if (!strcmp(a, "--full")) {
			O.full = true;
			O.reps = 11;
			O.dur_ms = 1000;
			O.lm_dur_ms = 1000;
			O.hold_dur_ms = 1000;
			O.iters = 200000000;
			O.single_ms = 500;
			O.cap_s = 30;
		} else if (!strcmp(a, "--quiet")) {
			O.quiet = true;
		} else if (!strcmp(a, "--list")) {
			/* family name peer loops (for bench/instr.sh) */
			for (int k = 0; k < n_impls; k++) {
				const lkb_impl_t *im = impls[k];
				printf("%s %s %s %s%s%s\n", im->family,
				       im->name, im->peer ? im->peer : "-",
				       im->pairs ? "pairs," : "",
				       im->read_pairs ? "read," : "",
				       im->lock16 ? "lock16," : "");
			}
			return 0;
		} else if (v && !strcmp(a, "--threads")) {
			thr = v;
			i++;
		} else if (v && !strcmp(a, "--reps")) {
			O.reps = atoi(v) > 0 ? atoi(v) : 1;
			i++;
		} else if (v && !strcmp(a, "--dur")) {
			O.dur_ms = O.lm_dur_ms = O.hold_dur_ms = atof(v);
			i++;
		} else if (v && !strcmp(a, "--cap")) {
			O.cap_s = atof(v);
			i++;
		} else if (v && !strcmp(a, "--iters")) {
			O.iters = strtoull(v, NULL, 10);
			i++;
		} else if (v && !strcmp(a, "--out")) {
			O.out = v;
			i++;
		} else if (v && !strcmp(a, "--impl")) {
			O.impl_sel = v;
			i++;
		} else if (v && !strcmp(a, "--workload")) {
			O.work_sel = v;
			i++;
		} else if (!strcmp(a, "--list-workloads")) {
			for (int k = 0; k < N_WORKS; k++)
				printf("%s %s %s%s\n", works[k].family,
				       works[k].workload, works[k].unit,
				       works[k].full_only ? " (--full)" : "");
			return 0;
		} else if (v && !strcmp(a, "--probe")) {
			O.probe = v;
			i++;
		} else if (v && !strcmp(a, "--family")) {
			O.family = v;
			i++;
		} else if (v && !strcmp(a, "--instr")) {
			instr = v;
			i++;
		} else if (v && !strcmp(a, "--kind")) {
			kind = v;
			i++;
		} else {
			usage();
		}
	}
	if (instr)
		return instr_main(instr, kind, O.iters);
	if (thr && *thr)
		parse_threads(thr);
	O.threads_given = thr && *thr && O.n_threads;
	if (!thr || !*thr || !O.n_threads)
		default_threads(); /* again: --full may add counts */
	mkdir(O.out, 0755);
	probe_machine();
	lkb_probe_t pr;
	bool probe_fx = !strcmp(O.probe, "all");
	if (strcmp(O.probe, "none"))
		lkb_probe(&pr, cpus[0], n_cpus > 1 ? cpus[1] : cpus[0],
			  probe_fx);
	else
		lkb_probe_fill_nan(&pr);
	probe_strings(&pr, probe_fx);

	printf("latchkit bench%s\n", O.smoke ? " (smoke: tiny counts, no "
					      "speed claims)"
					    : O.full ? " (full sweep)" : "");
	printf("cpu:       %s\n", cpu_model);
	printf("cores:     %s\n", cores_s);
	printf("kernel:    %s\n", kernel);
	printf("compiler:  %s\n", __VERSION__);
	printf("flags:     %s\n", LKB_CFLAGS);
	printf("perf stat: %s (perf stat -e instructions true)\n", perf_ok);
	printf("threads:   %s (pinned when threads <= usable cores)\n",
	       threads_s);
	printf("per cell:  median of %d reps interleaved across "
	       "implementations; %g ms fixed-duration runs (lock table %g "
	       "ms); single-thread loops calibrated to ~%g ms (at most %llu "
	       "iterations); cap %g s\n",
	       O.reps, O.dur_ms, O.lm_dur_ms, O.single_ms,
	       (unsigned long long)O.iters, O.cap_s);
	printf("single:    single-thread cells run beside an idle thread "
	       "(blocked on a pipe read), so libc's one-thread shortcuts "
	       "(glibc's pthread_mutex skips its atomics) do not apply\n");
	printf("workload:  critical section = shared counter + %d cache "
	       "lines; %d iterations of private work between operations; "
	       "ratio = median / peer's median (same run)\n",
	       O.cs_lines, O.noncs);
	printf("hold:      holdNus workloads (mutex family, %s threads): the "
	       "section also works N us by CLOCK_MONOTONIC (one read: %.3g "
	       "ns); %g ms cells\n",
	       O.threads_given ? "the given" : "2 and 4n", pr.clock_ns,
	       O.hold_dur_ms);
	if (O.impl_sel || O.work_sel || O.family)
		printf("selected:  family %s; implementations %s; workloads %s\n",
		       O.family ? O.family : "all",
		       O.impl_sel ? O.impl_sel : "all",
		       O.work_sel ? O.work_sel : "all");
	printf("relax:     %s\n", relax_s);
	if (probe_fx) {
		printf("wake-up:   %s\n", wakeup_s);
		printf("futex:     %s\n", fxwake_s);
	}
	if (!isnan(pr.park_est_ns))
		printf("park est.: %s\n", park0_s);
	fflush(stdout);

#ifndef LKB_MUTEX_ONLY
	if (!O.family || !strcmp(O.family, "lockmgr"))
		lkb_lockmgr_prepare();
#endif
	run_start_ns = lkb_ns();
	for (int wi = 0; wi < N_WORKS; wi++) {
		const work_t *w = &works[wi];
		if (O.family && strcmp(O.family, w->family))
			continue;
		if (w->full_only && !O.full && !O.work_sel)
			continue;
		if (!in_list(O.work_sel, w->workload))
			continue;
		const lkb_impl_t *fam[LKB_MAX_IMPLS];
		int nf = 0;
		for (int i = 0; i < n_impls; i++)
			if (!strcmp(impls[i]->family, w->family))
				fam[nf++] = impls[i];
		run_work(w, fam, nf);
		if (w->kind == K_RUN)
			write_tput(w);
	}
	if (!O.quiet)
		fprintf(stderr, "%s", isatty(2) ? "\n" : "");

	print_table(stdout);
	printf("\nnotes:\n");
	for (int i = 0; i < n_impls; i++) {
		bool used = false;
		for (int k = 0; k < n_rows && !used; k++)
			used = !strcmp(rows[k].impl, impls[i]->name);
		if (impls[i]->note && used)
			printf("  %s\n", impls[i]->note);
	}
	if (!isnan(pr.park_est_ns) || n_park) {
		char b1[32], b2[32], b3[32], b4[32];
		fmt_num(b1, sizeof(b1), pr.park_est_ns);
		fmt_num(b2, sizeof(b2), lkb_median(park_vals, n_park));
		fmt_num(b3, sizeof(b3), lkb_min(park_vals, n_park));
		fmt_num(b4, sizeof(b4), lkb_max(park_vals, n_park));
		snprintf(parkend_s, sizeof(parkend_s),
			 "%s ns in a fresh process; as contended cells left "
			 "it: median %s ns (min %s, max %s; %d cells)",
			 b1, b2, b3, b4, n_park);
		printf("  park estimate (lk__park_cost_ns): %s\n", parkend_s);
		if (n_park)
			snprintf(parkmed_s, sizeof(parkmed_s), "%.6g",
				 lkb_median(park_vals, n_park));
	}
	printf("  ratio: median / the named peer's median in the same run and "
	       "cell (ns: lower is better; Mop/s, txn/s: higher is better)\n"
	       "  fair: max/min operations per thread in a fixed-duration "
	       "cell; p99ns: acquire latency (1 in 8 acquisitions timed)\n");

	char path[512];
	snprintf(path, sizeof(path), "%s/bench.csv", O.out);
	FILE *f = fopen(path, "w");
	if (f) {
		lkb_csv_header(f);
		for (int i = 0; i < n_rows; i++)
			lkb_csv_row(f, &rows[i]);
		fclose(f);
	}
	char reps_s[16], dur_s[32];
	snprintf(reps_s, sizeof(reps_s), "%d", O.reps);
	snprintf(dur_s, sizeof(dur_s), "%g", O.dur_ms);
	const char *meta[] = {"cpu",	   cpu_model,  "cores",	 cores_s,
			      "kernel",	   kernel,     "compiler", __VERSION__,
			      "flags",	   LKB_CFLAGS, "perf_stat", perf_ok,
			      "threads",   threads_s,  "reps",	  reps_s,
			      "dur_ms",	   dur_s,      "mode",
			      O.smoke ? "smoke" : O.full ? "full" : "default",
			      "relax_ns",  relax_ns_s, "relax",	  relax_s,
			      "clock_read_ns", clock_ns_s,
			      "futex_wakeup_busy_p50_us", wk[0],
			      "futex_wakeup_busy_p90_us", wk[1],
			      "futex_wakeup_idle_p50_us", wk[2],
			      "futex_wakeup_idle_p90_us", wk[3],
			      "futex_wake_syscall_p50_us", wk[4],
			      "futex_wake_syscall_p90_us", wk[5],
			      "futex_wake_nowaiter_ns", wk[6],
			      "wakeup",	   wakeup_s,   "futex",	  fxwake_s,
			      "park_estimate_ns", wk[7],
			      "park_estimate_after_cells", parkend_s,
			      "park_estimate_cells_median_ns", parkmed_s};
	snprintf(path, sizeof(path), "%s/bench.json", O.out);
	f = fopen(path, "w");
	if (f) {
		lkb_json_write(f, meta, (int)(sizeof(meta) / sizeof(meta[0]) / 2),
			       rows, n_rows);
		fclose(f);
	}
	int impl_rows = 0, ok_rows = 0;
	for (int i = 0; i < n_rows; i++) {
		impl_rows++;
		ok_rows += !strcmp(rows[i].status, "ok");
	}
	printf("results: %s/bench.csv, %s/bench.json (%d rows, %d ok, %.0f "
	       "s)\n",
	       O.out, O.out, impl_rows, ok_rows,
	       (double)(lkb_ns() - run_start_ns) / 1e9);
	if (failures) {
		printf("bench: %d cell(s) FAILED (crash, broken invariant%s)\n",
		       failures, O.smoke ? ", or a hang" : "");
		return 1;
	}
	return 0;
}
