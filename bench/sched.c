/*
 * bench/sched.c: the schedule (bench.c's runner): for one workload, its
 * thread counts and implementations, each repetition running every cell
 * once (T1: A B C, T2: A B C, ..., then again), and the lkb_rows with
 * their ratios to peers measured in the same group.
 */
#include "runner.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int lkb_failures;
lkb_row_t *lkb_rows;
int lkb_n_rows;
static int cap_rows;
/* lk__park_cost_ns() as each contended cell's process left it. */
double *lkb_park_vals;
int lkb_n_park;
static int cap_park;
uint64_t lkb_run_start_ns;

static lkb_row_t *new_row(void)
{
	if (lkb_n_rows == cap_rows) {
		cap_rows = cap_rows ? 2 * cap_rows : 256;
		lkb_rows = (lkb_row_t *)realloc(
			lkb_rows, sizeof(*lkb_rows) * (size_t)cap_rows);
		if (!lkb_rows)
			exit(2);
	}
	lkb_row_t *r = &lkb_rows[lkb_n_rows++];
	lkb_row_init(r);
	return r;
}

bool lkb_supports(const lkb_impl_t *im, const work_t *w)
{
	if (w->only && !lkb_in_list(w->only, im->name))
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

/* On a terminal: one line, rewritten per cell. Otherwise (a log): one line
 * per repetition round (major). */
static void progress(const lkb_opts_t *o, bool major, const char *fmt, ...)
{
	if (o->quiet || (!major && !isatty(2)))
		return;
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	double el = (double)(lkb_ns() - lkb_run_start_ns) / 1e9;
	if (isatty(2))
		fprintf(stderr, "\r\033[K%s  elapsed %.0f s", buf, el);
	else
		fprintf(stderr, "%s  elapsed %.0f s\n", buf, el);
}

static void park_add(double v)
{
	if (lkb_n_park == cap_park) {
		cap_park = cap_park ? 2 * cap_park : 256;
		lkb_park_vals = (double *)realloc(
			lkb_park_vals, sizeof(double) * (size_t)cap_park);
		if (!lkb_park_vals)
			exit(2);
	}
	lkb_park_vals[lkb_n_park++] = v;
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
bool lkb_in_list(const char *list, const char *name)
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

/* One cell's parameters: workload w at T threads. */
static lkb_params_t cell_params(const lkb_opts_t *o, const work_t *w, int T)
{
	lkb_params_t p;
	memset(&p, 0, sizeof(p));
	p.threads = T;
	p.dur_ms = !strcmp(w->family, "lockmgr") ? o->lm_dur_ms : o->dur_ms;
	p.cs_lines = w->cs_lines >= 0 ? w->cs_lines : o->cs_lines;
	p.noncs = w->noncs >= 0 ? w->noncs : o->noncs;
	p.hold_ns = (uint64_t)w->hold_ns;
	if (w->hold_ns > 0)
		p.dur_ms = o->hold_dur_ms;
	p.read_pct = w->read_pct;
	p.writer_mode = w->writer_mode;
	p.theta = w->theta;
	p.shape = w->shape;
	p.strong_every = o->strong_every;
	p.iters = w->kind == K_LOCK16 ? o->iters / 16 : o->iters;
	if (!p.iters)
		p.iters = 1;
	return p;
}

/* Runs one workload over its thread counts; appends rows. */
void lkb_run_work(const lkb_opts_t *o, const work_t *w,
		  const lkb_impl_t **fam, int nf)
{
	int tlist[16], nt = 0;
	if (w->kind != K_RUN) {
		tlist[nt++] = 1;
	} else if (w->tsel != TS_HOLD && o->threads_given) {
		/* an explicit list: its counts (a lock-table run at 16n, say) */
		for (int i = 0; i < o->n_threads; i++)
			add_count(tlist, &nt, o->threads[i]);
	} else if (w->tsel == TS_YCSB) {
		int far = 16 * lkb_ncpus(); /* far past the cores: admission */
		int y[5] = {1, 2, 8, 4 * lkb_ncpus(),
			    far < LKB_MAX_THREADS ? far : LKB_MAX_THREADS - 1};
		for (int i = 0; i < 5; i++)
			add_count(tlist, &nt, y[i]);
	} else if (w->tsel == TS_SCALE) {
		int y[3] = {1, 2, 4 * lkb_ncpus()};
		for (int i = 0; i < 3; i++)
			add_count(tlist, &nt, y[i]);
	} else if (w->tsel == TS_HOLD && !o->threads_given) {
		add_count(tlist, &nt, 2);
		add_count(tlist, &nt, 4 * lkb_ncpus());
	} else if (w->tsel == TS_HOLD) {
		for (int i = 0; i < o->n_threads; i++)
			if (o->threads[i] > 1)
				add_count(tlist, &nt, o->threads[i]);
	} else {
		for (int i = 0; i < o->n_threads; i++)
			tlist[nt++] = o->threads[i];
	}
	const lkb_impl_t *ims[LKB_MAX_IMPLS];
	int ni = 0;
	for (int i = 0; i < nf; i++)
		if (lkb_supports(fam[i], w) &&
		    lkb_in_list(o->impl_sel, fam[i]->name))
			ims[ni++] = fam[i];
	if (!ni)
		return;
	/* cell (ti, i): thread count tlist[ti], implementation ims[i] */
	int nc = nt * ni;
	/* implementation i stopped at thread count T: T (did not finish) or
	 * -T (failed); 0 while it runs */
	int *dnf_at = (int *)calloc((size_t)ni, sizeof(int));
	double *vals = (double *)calloc((size_t)(nc * o->reps), sizeof(double));
	double *fair = (double *)calloc((size_t)(nc * o->reps), sizeof(double));
	double *aux = (double *)calloc((size_t)(nc * o->reps), sizeof(double));
	int *nv = (int *)calloc((size_t)nc, sizeof(int));
	lkb_cdf_t *cdf = (lkb_cdf_t *)calloc((size_t)nc, sizeof(lkb_cdf_t));
	lkb_result_t *r = (lkb_result_t *)lkb_alloc(sizeof(*r));
	char (*msg)[96] = (char (*)[96])calloc((size_t)nc, 96);
	bool *pinned = (bool *)calloc((size_t)nc, sizeof(bool));
	for (int c = 0; c < nc; c++) {
		cdf[c].impl = ims[c % ni]->name;
		lkb_hist_clear(&cdf[c].h);
	}
	/* Each repetition runs every thread count and implementation once
	 * (rep-major: T1 A B C, T2 A B C, ..., then the next rep), so a
	 * machine that changes speed during the run moves every cell's
	 * median alike, and the ratios across thread counts (8 threads
	 * against 2) compare the same stretches of time. */
	for (int rep = 0; rep < o->reps; rep++) {
		for (int ti = 0; ti < nt; ti++) {
			int T = tlist[ti];
			lkb_params_t p = cell_params(o, w, T);
			for (int i = 0; i < ni; i++) {
				int c = ti * ni + i;
				/* a DNF or failure at some T skips that T and
				 * every higher one, in this rep and the next */
				if (dnf_at[i] && T >= abs(dnf_at[i]))
					continue;
				progress(o, i == 0, "[%s] %s t=%d rep %d/%d %s",
					 w->family,
					 w->workload, T, rep + 1, o->reps,
					 ims[i]->name);
				int rc = lkb_run_cell(o, ims[i], w, &p, r);
				if (rc == 1 && o->smoke) {
					/* tiny cells: a hang is a bug */
					lkb_failures++;
					if (!o->quiet)
						fprintf(stderr,
							"\nbench: %s %s t=%d: "
							"%s (smoke)\n",
							ims[i]->name,
							w->workload, T, r->msg);
				}
				if (rc == 1) {
					dnf_at[i] = T;
					snprintf(msg[c], 96, "%s", r->msg);
					continue;
				}
				if (rc == 2) {
					lkb_failures++;
					snprintf(msg[c], 96, "FAILED: %.80s",
						 r->msg);
					dnf_at[i] = -T;
					if (!o->quiet)
						fprintf(stderr,
							"\nbench: %s %s t=%d: "
							"%s\n",
							ims[i]->name,
							w->workload, T, r->msg);
					continue;
				}
				if (w->kind == K_RUN && !isnan(r->park_ns))
					park_add(r->park_ns);
				vals[c * o->reps + nv[c]] = r->value;
				fair[c * o->reps + nv[c]] = r->fairness;
				aux[c * o->reps + nv[c]] = r->aux;
				nv[c]++;
				pinned[c] = r->pinned;
				lkb_hist_merge(&cdf[c].h, &r->hist);
			}
		}
	}
	for (int ti = 0; ti < nt; ti++) {
		int T = tlist[ti];
		int first = lkb_n_rows;
		for (int i = 0; i < ni; i++) {
			int c = ti * ni + i;
			lkb_row_t *row = new_row();
			lkb_strcpy(row->family, w->family, sizeof(row->family));
			lkb_strcpy(row->workload, w->workload,
				   sizeof(row->workload));
			lkb_strcpy(row->impl, ims[i]->name, sizeof(row->impl));
			lkb_strcpy(row->unit, w->unit, sizeof(row->unit));
			row->threads = T;
			row->pinned = pinned[c];
			row->reps = nv[c];
			if (nv[c]) {
				double *v = &vals[c * o->reps];
				row->median = lkb_median(v, nv[c]);
				row->min = lkb_min(v, nv[c]);
				row->max = lkb_max(v, nv[c]);
				row->fairness =
					lkb_median(&fair[c * o->reps], nv[c]);
				row->aux = lkb_median(&aux[c * o->reps], nv[c]);
			}
			if (cdf[c].h.count) {
				row->p50 = (double)lkb_hist_percentile(
					&cdf[c].h, 50);
				row->p99 = (double)lkb_hist_percentile(
					&cdf[c].h, 99);
				row->p999 = (double)lkb_hist_percentile(
					&cdf[c].h, 99.9);
			}
			if (w->kind == K_RUN && !strcmp(w->family, "seqlock"))
				lkb_strcpy(row->aux_name, "retries/read",
					   sizeof(row->aux_name));
			if (w->kind == K_RUN && !strcmp(w->family, "lockmgr"))
				lkb_strcpy(row->aux_name, "aborts/txn",
					   sizeof(row->aux_name));
			if (msg[c][0])
				lkb_strcpy(row->status, msg[c],
					   sizeof(row->status));
			else if (dnf_at[i] && abs(dnf_at[i]) < T)
				snprintf(row->status, sizeof(row->status),
					 "%s: %s at t=%d",
					 nv[c] ? "stopped" : "skipped",
					 dnf_at[i] > 0 ? "did not finish" : "failed",
					 abs(dnf_at[i]));
		}
		/* ratios to peers measured in this same group */
		for (int i = 0; i < ni; i++) {
			lkb_row_t *row = &lkb_rows[first + i];
			const char *pn[2] = {ims[i]->peer, ims[i]->peer2};
			for (int k = 0; k < 2; k++) {
				if (!pn[k])
					continue;
				for (int j = 0; j < ni; j++) {
					if (strcmp(ims[j]->name, pn[k]))
						continue;
					double q = lkb_ratio(
						row->median,
						lkb_rows[first + j].median);
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
			lkb_write_cdf(o->out, w->family, w->workload, T,
				      &cdf[ti * ni], ni);
	}
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
