/*
 * bench/bench.c: the runner behind `make bench`. It schedules every cell
 * (family, workload, thread count, implementation), runs each in a child
 * process under a time cap, repeats cells interleaved across
 * implementations (A B C A B C ...), and hands the rows to report.c, which
 * writes the table (stdout), CSV, JSON and the data files the gnuplot
 * scripts draw. This file: options, the cells, the schedule and main;
 * team.c: the registry, CPUs and teams of threads.
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
 *        bench-count --rmw [--workload W] [--impl A] [--iters TXNS]
 *              (the counting build: lock table RMWs per txn, one thread;
 *              bench runs it itself for its rmw/txn column)
 *        lock table: --strong-every N (hot-table), --count-bin PATH
 */
#include "bench.h"
#include "works.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

lkb_shared_t lkb_shared;

/* ---- options --------------------------------------------------------------- */

static lkb_opts_t O;

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
	int n = lkb_ncpus();
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

/* A pipe, then a child (stdio flushed first, so that nothing is written
 * twice); exits on failure. */
static pid_t fork_piped(int fd[2])
{
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
	return pid;
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
	if (loop && lkb_cpus[0] >= 0) { /* single thread: pin it too */
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(lkb_cpus[0], &set);
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
	pid_t pid = fork_piped(fd);
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

static bool in_list(const char *list, const char *name);

static bool supports(const lkb_impl_t *im, const work_t *w)
{
	if (w->only && !in_list(w->only, im->name))
		return false;
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
		int y[4] = {1, 2, 8, 4 * lkb_ncpus()};
		for (int i = 0; i < 4; i++)
			add_count(tlist, &nt, y[i]);
	} else if (w->tsel == TS_SCALE) {
		int y[3] = {1, 2, 4 * lkb_ncpus()};
		for (int i = 0; i < 3; i++)
			add_count(tlist, &nt, y[i]);
	} else if (w->tsel == TS_HOLD && !O.threads_given) {
		add_count(tlist, &nt, 2);
		add_count(tlist, &nt, 4 * lkb_ncpus());
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
	lkb_cdf_t *cdf = (lkb_cdf_t *)calloc((size_t)ni, sizeof(lkb_cdf_t));
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
		p.shape = w->shape;
		p.strong_every = O.strong_every;
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
			lkb_write_cdf(O.out, w->family, w->workload, T, cdf, ni);
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

/* ---- main ------------------------------------------------------------------- */


/* ---- RMWs per txn: the counting build ---------------------------------------- */

#ifndef LKB_MUTEX_ONLY
/* bench --rmw, in the counting build (build/bench/bench-count): for each
 * selected lock table workload and implementation, the atomic RMWs per txn
 * on shared lines, on one thread (lkb_lockmgr_count); one line each:
 * "rmw WORKLOAD IMPL TXNS RMW_PER_TXN ANC_PER_TXN". */
static int rmw_main(uint64_t txns)
{
	lkb_lockmgr_prepare();
	for (int wi = 0; wi < lkb_nworks; wi++) {
		const work_t *w = &lkb_works[wi];
		if (strcmp(w->family, "lockmgr") || w->kind != K_RUN ||
		    (w->full_only && !O.full && !O.work_sel) ||
		    !in_list(O.work_sel, w->workload))
			continue;
		for (int i = 0; i < lkb_n_impls; i++) {
			const lkb_impl_t *im = lkb_impls[i];
			if (strcmp(im->family, "lockmgr") || !supports(im, w) ||
			    !in_list(O.impl_sel, im->name))
				continue;
			lkb_params_t p;
			memset(&p, 0, sizeof(p));
			p.threads = 1;
			p.theta = w->theta;
			p.shape = w->shape;
			p.strong_every = O.strong_every;
			double r = NAN, a = NAN;
			int rc = lkb_lockmgr_count(im->name, &p, txns, &r, &a);
			if (rc < 0) {
				fprintf(stderr, "bench --rmw: not a counting "
						"build (build/bench/bench-count)\n");
				return 2;
			}
			if (rc == 0)
				printf("rmw %s %s %llu %.3f %.3f\n", w->workload,
				       im->name, (unsigned long long)txns, r, a);
			fflush(stdout);
		}
	}
	return 0;
}

static const char *count_bin; /* --count-bin; default: beside this binary */
static char rmw_note[400];

/* Fills the lock table rows' rmw/txn columns from the counting build, run
 * as a child process (bench-count --rmw) over the same selection. */
static void fill_rmw(void)
{
	bool want = false;
	for (int i = 0; i < n_rows && !want; i++)
		want = !strcmp(rows[i].family, "lockmgr") &&
		       !strncmp(rows[i].impl, "lk/", 3) &&
		       !strcmp(rows[i].unit, "ktxn/s");
	if (!want)
		return;
	char path[4096];
	if (count_bin) {
		snprintf(path, sizeof(path), "%s", count_bin);
	} else {
		ssize_t k = readlink("/proc/self/exe", path, sizeof(path) - 16);
		path[k > 0 ? k : 0] = 0;
		char *sl = strrchr(path, '/');
		snprintf(sl ? sl + 1 : path, 16, "bench-count");
	}
	if (access(path, X_OK)) {
		snprintf(rmw_note, sizeof(rmw_note),
			 "rmw/txn: not measured: no counting build at %.200s "
			 "(make build/bench/bench-count)", path);
		return;
	}
	uint64_t txns = O.smoke ? 300 : 10000;
	char n_s[32], se_s[32];
	snprintf(n_s, sizeof(n_s), "%llu", (unsigned long long)txns);
	snprintf(se_s, sizeof(se_s), "%u", O.strong_every);
	const char *av[16];
	int ac = 0;
	av[ac++] = path;
	av[ac++] = "--rmw";
	av[ac++] = "--iters";
	av[ac++] = n_s;
	av[ac++] = "--strong-every";
	av[ac++] = se_s;
	if (O.work_sel) {
		av[ac++] = "--workload";
		av[ac++] = O.work_sel;
	}
	if (O.impl_sel) {
		av[ac++] = "--impl";
		av[ac++] = O.impl_sel;
	}
	if (O.full)
		av[ac++] = "--full";
	av[ac] = NULL;
	int fd[2];
	pid_t pid = fork_piped(fd);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 1);
		execv(path, (char *const *)(uintptr_t)av);
		_exit(127);
	}
	close(fd[1]);
	static char out[65536];
	size_t got = 0;
	uint64_t deadline = lkb_ns() + (uint64_t)(O.cap_s * 3e9);
	bool timed_out = false;
	for (;;) {
		uint64_t now = lkb_ns();
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		struct pollfd pf = {fd[0], POLLIN, 0};
		int k = poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1);
		if (k <= 0)
			continue;
		ssize_t n = read(fd[0], out + got, sizeof(out) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = 0;
	close(fd[0]);
	int st = 0;
	if (timed_out)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		failures++;
		snprintf(rmw_note, sizeof(rmw_note),
			 "rmw/txn: FAILED: %.200s --rmw %s", path,
			 timed_out ? "did not finish" : "crashed or failed");
		fprintf(stderr, "bench: %s\n", rmw_note);
		return;
	}
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		char wl[48], im[32];
		unsigned long long t;
		double r, a;
		if (sscanf(l, "rmw %47s %31s %llu %lf %lf", wl, im, &t, &r, &a) != 5)
			continue;
		for (int i = 0; i < n_rows; i++)
			if (!strcmp(rows[i].family, "lockmgr") &&
			    !strcmp(rows[i].workload, wl) &&
			    !strcmp(rows[i].impl, im)) {
				rows[i].rmw = r;
				rows[i].rmw_anc = a;
			}
	}
	snprintf(rmw_note, sizeof(rmw_note),
		 "rmw/txn: atomic read-modify-writes per committed txn on "
		 "lines other txns also write (latch words, free stacks, txn "
		 "ids, ...), counted by bench-count (the library built with "
		 "-DLK_COUNT_RMW) on one thread over %llu txns after a "
		 "warm-up; the same on every thread count's row; anc/txn: of "
		 "them, on database and table heads",
		 (unsigned long long)txns);
}
#endif

static int instr_main(const char *name, const char *kind, uint64_t iters)
{
	const lkb_impl_t *im = lkb_find_impl(name);
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
		"[--iters N]\n"
		"       bench-count --rmw [--workload W] [--impl A] "
		"[--iters TXNS]\n"
		"       lock table: [--strong-every N] (hot-table, default "
		"1000) [--count-bin PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	lkb_init_cpus();
	lkb_register_mutex();
#ifndef LKB_MUTEX_ONLY /* the sweep's binaries (bench/sweep.sh) */
	lkb_register_rw();
	lkb_register_seq();
	lkb_register_lockmgr();
	lkb_register_sync();
	lkb_register_cond();
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
	O.strong_every = 1000;
	default_threads();
	const char *instr = NULL, *kind = "pairs";
	bool rmw = false, iters_given = false;
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
			for (int k = 0; k < lkb_n_impls; k++) {
				const lkb_impl_t *im = lkb_impls[k];
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
			iters_given = true;
			i++;
		} else if (v && !strcmp(a, "--strong-every")) {
			O.strong_every = (uint32_t)strtoul(v, NULL, 10);
			i++;
#ifndef LKB_MUTEX_ONLY
		} else if (v && !strcmp(a, "--count-bin")) {
			count_bin = v;
			i++;
		} else if (!strcmp(a, "--rmw")) {
			rmw = true;
#endif
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
			for (int k = 0; k < lkb_nworks; k++)
				printf("%s %s %s%s\n", lkb_works[k].family,
				       lkb_works[k].workload, lkb_works[k].unit,
				       lkb_works[k].full_only ? " (--full)" : "");
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
#ifndef LKB_MUTEX_ONLY
	if (rmw)
		return rmw_main(iters_given ? O.iters : 10000);
#else
	(void)rmw, (void)iters_given;
#endif
	if (thr && *thr)
		parse_threads(thr);
	O.threads_given = thr && *thr && O.n_threads;
	if (!thr || !*thr || !O.n_threads)
		default_threads(); /* again: --full may add counts */
	mkdir(O.out, 0755);
	lkb_probe_machine(&O);
	lkb_probe_t pr;
	bool probe_fx = !strcmp(O.probe, "all");
	if (strcmp(O.probe, "none"))
		lkb_probe(&pr, lkb_cpus[0], lkb_ncpus() > 1 ? lkb_cpus[1] : lkb_cpus[0],
			  probe_fx);
	else
		lkb_probe_fill_nan(&pr);

	lkb_print_header(&O, &pr, probe_fx);

#ifndef LKB_MUTEX_ONLY
	if (!O.family || !strcmp(O.family, "lockmgr"))
		lkb_lockmgr_prepare();
#endif
	run_start_ns = lkb_ns();
	for (int wi = 0; wi < lkb_nworks; wi++) {
		const work_t *w = &lkb_works[wi];
		if (O.family && strcmp(O.family, w->family))
			continue;
		if (w->full_only && !O.full && !O.work_sel)
			continue;
		if (!in_list(O.work_sel, w->workload))
			continue;
		const lkb_impl_t *fam[LKB_MAX_IMPLS];
		int nf = 0;
		for (int i = 0; i < lkb_n_impls; i++)
			if (!strcmp(lkb_impls[i]->family, w->family))
				fam[nf++] = lkb_impls[i];
		run_work(w, fam, nf);
		if (w->kind == K_RUN)
			lkb_write_tput(O.out, w->family, w->workload, rows,
				       n_rows);
	}
	if (!O.quiet)
		fprintf(stderr, "%s", isatty(2) ? "\n" : "");
#ifndef LKB_MUTEX_ONLY
	fill_rmw();
	O.rmw_note = rmw_note[0] ? rmw_note : NULL;
#endif

	lkb_report(&O, &pr, rows, n_rows, park_vals, n_park, run_start_ns);
	if (failures) {
		printf("bench: %d cell(s) FAILED (crash, broken invariant%s)\n",
		       failures, O.smoke ? ", or a hang" : "");
		return 1;
	}
	return 0;
}
