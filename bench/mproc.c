/*
 * bench/mproc.c: the lock table shared by processes (issue 15). P
 * processes run the lock table's YCSB workloads (lockmgr_work.c: the code
 * of make bench's threaded rows) on one table in shared memory, against
 * Berkeley DB's lock subsystem in one multi-process environment, and
 * against both run by P threads of one process, all in one run:
 *
 *   lk/detect   P threads, a private table: make bench's lk/detect row
 *   lk/mproc    P processes, one table: lk_lockmgr_create_shared on a
 *               memfd; each worker attaches by the fd
 *   bdb         P threads, a private environment: make bench's bdb row
 *   bdb/mproc   P processes, one environment (DB_INIT_LOCK, not
 *               DB_PRIVATE) that each worker opens; its home is a
 *               temporary directory, on tmpfs when there is one
 *
 * Flat tables on both sides, one lock per call, deadlocks found at each
 * conflict (LK_POLICY_DETECT; DB_LOCK_YOUNGEST), as the threaded rows.
 * How cells run, and how a crashed worker fails one: mproc_team.c.
 * Repetitions are interleaved (A B C D A B C D ...); a row gives the
 * median, min and max; ratios are to peers measured in the same group.
 *
 *   mproc [--procs "1 2 4n"] [--workload ycsb-t0.8,...] [--impl A,B]
 *         [--reps N] [--dur MS] [--cap S] [--out DIR] [--full] [--quiet]
 *         [--no-touch]
 *   mproc --smoke   tiny cells that must pass, then one round per
 *                   multi-process row in which a worker crashes
 *                   (SIGSEGV mid-run), which must fail, naming it
 */
#include "mproc.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define rname lkb_mp_name
static const int rpeer[NR] = {R_BDB, R_LK, -1, R_BDB};
static const int rpeer2[NR] = {-1, R_BDBMP, -1, -1};

/* ---- the run ---------------------------------------------------------- */

static const struct {
	const char *name;
	double theta;
} works[] = {{"ycsb-t0", 0.0},
	     {"ycsb-t0.6", 0.6},
	     {"ycsb-t0.8", 0.8},
	     {"ycsb-t0.99", 0.99}};
#define NWORKS (int)(sizeof(works) / sizeof(works[0]))

typedef struct {
	int procs[16], nprocs;
	const char *works, *impls, *out;
	int reps;
	double dur_ms, cap_s;
	bool smoke, full, quiet;
} opts_t;

#define MAX_ROWS 256
static lkb_row_t rows[MAX_ROWS];
static int nrows, failures;

static int cmp_int(const void *x, const void *y)
{
	return *(const int *)x - *(const int *)y;
}

/* Adds the counts of list ("1 2 4n": n = usable CPUs), sorted, distinct,
 * capped at LKB_MP_MAX. */
static bool parse_procs(const char *list, opts_t *o)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	o->nprocs = 0;
	for (char *t = strtok(buf, " ,"); t; t = strtok(NULL, " ,")) {
		char *end;
		long v = strtol(t, &end, 10);
		if (end == t && *end == 'n')
			v = 1;
		if (*end == 'n' && !end[1])
			v *= lkb_ncpus();
		else if (*end)
			return false;
		if (v < 1)
			return false;
		if (v > LKB_MP_MAX)
			v = LKB_MP_MAX;
		bool dup = false;
		for (int i = 0; i < o->nprocs; i++)
			dup |= o->procs[i] == v;
		if (!dup && o->nprocs < 16)
			o->procs[o->nprocs++] = (int)v;
	}
	qsort(o->procs, (size_t)o->nprocs, sizeof(int), cmp_int);
	return o->nprocs > 0;
}

static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return true;
		p += k + (p[k] != 0);
	}
	return false;
}

static void num(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.3g", v);
}

static void print_row(const lkb_row_t *w)
{
	char md[16], mn[16], mx[16], q[16], q2[16], f[16], p99[16], ab[16];
	num(md, sizeof(md), w->median);
	num(mn, sizeof(mn), w->min);
	num(mx, sizeof(mx), w->max);
	num(f, sizeof(f), w->fairness);
	num(p99, sizeof(p99), w->p99);
	num(ab, sizeof(ab), w->aux);
	snprintf(q, sizeof(q), isnan(w->ratio) ? "-" : "%.2fx", w->ratio);
	snprintf(q2, sizeof(q2), isnan(w->ratio2) ? "-" : "%.2fx", w->ratio2);
	printf("   %-10s %9s %9s %9s %-10s %6s %-10s %6s %5s %8s %9s %s\n",
	       w->impl, md, mn, mx, w->peer[0] ? w->peer : "-", q,
	       w->peer2[0] ? w->peer2 : "-", q2, f, p99, ab, w->status);
}

static bool selected(const opts_t *o, int be)
{
	return !o->impls || in_list(o->impls, rname[be]);
}

/* One cell of row be: a threaded cell, or the team's next round (the
 * team is started at the group's first repetition). */
static int cell(const opts_t *o, int be, const lkb_params_t *p,
		lkb_mp_team_t **team, lkb_result_t *r)
{
	if (!lkb_mp_multi[be])
		return lkb_mp_cell(be, p, o->cap_s, r);
	if (!*team)
		*team = lkb_mp_team_start(be, p, o->cap_s);
	return lkb_mp_round(*team, o->cap_s, r);
}

/* One workload at P processes (threads): every row, reps interleaved. */
static void run_group(const opts_t *o, int wi, int P)
{
	lkb_params_t p;
	memset(&p, 0, sizeof(p));
	p.threads = P;
	p.dur_ms = o->dur_ms;
	p.theta = works[wi].theta;
	p.shape = LKB_SHAPE_YCSB;
	double v[NR][64], fair[NR][64], aux[NR][64], med[NR];
	int nv[NR] = {0};
	bool dead[NR] = {false}, pinned[NR] = {false};
	char msg[NR][96] = {{0}};
	lkb_mp_team_t *team[NR] = {NULL};
	lkb_hist_t *h = (lkb_hist_t *)lkb_alloc(sizeof(lkb_hist_t) * NR);
	lkb_result_t *r = (lkb_result_t *)lkb_alloc(sizeof(*r));
	for (int rep = 0; rep < o->reps; rep++)
		for (int be = 0; be < NR; be++) {
			if (dead[be] || !selected(o, be))
				continue;
			if (!o->quiet)
				fprintf(stderr, "[mproc] %s P=%d rep %d/%d %s\n",
					works[wi].name, P, rep + 1, o->reps,
					rname[be]);
			if (cell(o, be, &p, &team[be], r)) {
				failures++;
				dead[be] = true;
				snprintf(msg[be], 96, "FAILED: %.80s", r->msg);
				fprintf(stderr, "mproc: %s %s P=%d: %s\n",
					rname[be], works[wi].name, P, r->msg);
				continue;
			}
			v[be][nv[be]] = r->value * 1e-3;
			fair[be][nv[be]] = r->fairness;
			aux[be][nv[be]] = r->aux;
			nv[be]++;
			pinned[be] = r->pinned;
			lkb_hist_merge(&h[be], &r->hist);
		}
	for (int be = 0; be < NR; be++) {
		if (team[be])
			lkb_mp_team_end(team[be]);
		med[be] = nv[be] ? lkb_median(v[be], nv[be]) : NAN;
	}
	int first = nrows;
	for (int be = 0; be < NR && nrows < MAX_ROWS; be++) {
		if (!selected(o, be))
			continue;
		lkb_row_t *w = &rows[nrows++];
		lkb_row_init(w);
		lkb_strcpy(w->family, "lockmgr", sizeof(w->family));
		lkb_strcpy(w->workload, works[wi].name, sizeof(w->workload));
		lkb_strcpy(w->impl, rname[be], sizeof(w->impl));
		lkb_strcpy(w->unit, "ktxn/s", sizeof(w->unit));
		lkb_strcpy(w->aux_name, "aborts/txn", sizeof(w->aux_name));
		w->threads = P;
		w->pinned = pinned[be];
		w->reps = nv[be];
		if (nv[be]) {
			w->median = med[be];
			w->min = lkb_min(v[be], nv[be]);
			w->max = lkb_max(v[be], nv[be]);
			w->fairness = lkb_median(fair[be], nv[be]);
			w->aux = lkb_median(aux[be], nv[be]);
		}
		if (h[be].count) {
			w->p50 = (double)lkb_hist_percentile(&h[be], 50);
			w->p99 = (double)lkb_hist_percentile(&h[be], 99);
			w->p999 = (double)lkb_hist_percentile(&h[be], 99.9);
		}
		if (msg[be][0])
			lkb_strcpy(w->status, msg[be], sizeof(w->status));
		/* ratios to peers of this group, when they ran */
		if (rpeer[be] >= 0 && selected(o, rpeer[be])) {
			lkb_strcpy(w->peer, rname[rpeer[be]], sizeof(w->peer));
			w->ratio = lkb_ratio(w->median, med[rpeer[be]]);
		}
		if (rpeer2[be] >= 0 && selected(o, rpeer2[be])) {
			lkb_strcpy(w->peer2, rname[rpeer2[be]],
				   sizeof(w->peer2));
			w->ratio2 = lkb_ratio(w->median, med[rpeer2[be]]);
		}
	}
	printf("-- %s, %d %s [ktxn/s]%s\n", works[wi].name, P,
	       P > 1 ? "processes or threads" : "process or thread",
	       P <= lkb_ncpus() ? ", pinned" : "");
	printf("   %-10s %9s %9s %9s %-10s %6s %-10s %6s %5s %8s %9s %s\n",
	       "impl", "median", "min", "max", "peer", "ratio", "peer2",
	       "ratio2", "fair", "p99ns", "aborts", "status");
	for (int i = first; i < nrows; i++)
		print_row(&rows[i]);
	fflush(stdout);
	free(h);
	free(r);
}

/* Issue 15's goal: lk/mproc within 1.2x of lk/detect, same run. */
static void goal_line(const char *work)
{
	char fig[256] = "";
	int bad = 0, miss = 0;
	size_t k = 0;
	for (int i = 0; i < nrows; i++) {
		const lkb_row_t *w = &rows[i];
		if (strcmp(w->workload, work) || strcmp(w->impl, "lk/mproc"))
			continue;
		if (isnan(w->ratio)) {
			miss++;
			k += (size_t)snprintf(fig + k, sizeof(fig) - k,
					      " P=%d -", w->threads);
		} else {
			bad += w->ratio < 1 / 1.2;
			k += (size_t)snprintf(fig + k, sizeof(fig) - k,
					      " P=%d %.2fx", w->threads,
					      w->ratio);
		}
		if (k >= sizeof(fig))
			break;
	}
	printf("goal (issue 15): %s: lk/mproc / lk/detect >= 0.83 (within "
	       "1.2x):%s  %s\n",
	       work, fig, bad ? "MISSED" : miss ? "n/a" : "met");
}

static pid_t main_pid;

static void clean_home(void)
{
	/* a child that calls exit() runs this too: only the parent may */
	if (!lkb_mp_home[0] || getpid() != main_pid)
		return;
	lkb_mp_close_all();
	rmdir(lkb_mp_home);
}

static void on_signal(int sig)
{
	clean_home();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The environment's home: tmpfs when there is one (the shared table is a
 * memfd: memory on both sides), else $TMPDIR or /tmp. */
static const char *make_home(void)
{
	struct statfs fs;
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : P_tmpdir;
	if (statfs("/dev/shm", &fs) == 0 && fs.f_type == 0x01021994 &&
	    access("/dev/shm", W_OK) == 0)
		base = "/dev/shm";
	snprintf(lkb_mp_home, sizeof(lkb_mp_home), "%s/lkb-mproc-XXXXXX",
		 base);
	if (!mkdtemp(lkb_mp_home)) {
		perror("mproc: mkdtemp");
		exit(2);
	}
	main_pid = getpid();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	atexit(clean_home);
	return statfs(lkb_mp_home, &fs) == 0 && fs.f_type == 0x01021994 ? "tmpfs"
								 : "not tmpfs";
}

static void write_files(const opts_t *o, const char *fs)
{
	char path[512], cores[32], reps[16], dur[32];
	snprintf(path, sizeof(path), "%s/mproc.csv", o->out);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		failures++;
		return;
	}
	lkb_csv_header(f);
	for (int i = 0; i < nrows; i++)
		lkb_csv_row(f, &rows[i]);
	fclose(f);
	snprintf(path, sizeof(path), "%s/mproc.json", o->out);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		failures++;
		return;
	}
	snprintf(cores, sizeof(cores), "%d usable", lkb_ncpus());
	snprintf(reps, sizeof(reps), "%d", o->reps);
	snprintf(dur, sizeof(dur), "%g", o->dur_ms);
	const char *meta[] = {
		"section", "mproc: the lock table shared by processes",
		"cores", cores, "reps", reps, "dur_ms", dur,
		"threads", "processes in the /mproc rows, threads of one "
			   "process in the others",
		"bdb", DB_VERSION_STRING, "bdb_home", fs};
	lkb_json_write(f, meta, 7, rows, nrows);
	fclose(f);
	printf("results: %s/mproc.csv, %s/mproc.json\n", o->out, o->out);
}

/* --smoke: a worker crashes mid-run; the round must fail and name it. */
static void crash_check(int be)
{
	lkb_params_t p;
	memset(&p, 0, sizeof(p));
	p.threads = 2;
	p.dur_ms = 40;
	p.theta = 0.8;
	p.shape = LKB_SHAPE_YCSB;
	lkb_result_t *r = (lkb_result_t *)lkb_alloc(sizeof(*r));
	lkb_mp_crash_worker = 1;
	uint64_t t0 = lkb_ns();
	lkb_mp_team_t *t = lkb_mp_team_start(be, &p, 10);
	int rc = lkb_mp_round(t, 10, r);
	lkb_mp_team_end(t);
	lkb_mp_crash_worker = -1;
	bool ok = rc && strstr(r->msg, "worker 1 of 2: killed by signal 11");
	printf("crash check: %s, worker 1 of 2 crashes: %s (%s) in %.2f s\n",
	       rname[be], ok ? "the cell failed, as it must" : "WRONG",
	       rc ? r->msg : "the cell passed", (double)(lkb_ns() - t0) / 1e9);
	failures += !ok;
	free(r);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mproc [--procs LIST] [--workload W,V] [--reps N] "
		"[--dur MS] [--cap S] [--out DIR] [--full] [--quiet] "
		"[--no-touch] | "
		"--smoke\n");
	exit(1);
}

int main(int argc, char **argv)
{
	opts_t o;
	memset(&o, 0, sizeof(o));
	o.works = "ycsb-t0.8";
	o.out = "bench/results";
	o.reps = 5;
	o.dur_ms = 100;
	o.cap_s = 10;
	const char *procs = "1 2 4n";
	lkb_init_cpus();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--smoke"))
			o.smoke = true;
		else if (!strcmp(a, "--full"))
			o.full = true;
		else if (!strcmp(a, "--quiet"))
			o.quiet = true;
		else if (!strcmp(a, "--no-touch"))
			lkb_mp_touch = false;
		else if (!v)
			usage();
		else if (!strcmp(a, "--procs"))
			procs = v, i++;
		else if (!strcmp(a, "--impl"))
			o.impls = v, i++;
		else if (!strcmp(a, "--workload"))
			o.works = v, i++;
		else if (!strcmp(a, "--reps"))
			o.reps = atoi(v), i++;
		else if (!strcmp(a, "--dur"))
			o.dur_ms = atof(v), i++;
		else if (!strcmp(a, "--cap"))
			o.cap_s = atof(v), i++;
		else if (!strcmp(a, "--out"))
			o.out = v, i++;
		else
			usage();
	}
	if (o.full) { /* bench-full: every theta, 11 reps, 1 s cells */
		o.works = "ycsb-t0,ycsb-t0.6,ycsb-t0.8,ycsb-t0.99";
		o.reps = 11;
		o.dur_ms = 1000;
		o.cap_s = 30;
	}
	if (o.smoke) {
		o.works = "ycsb-t0.8";
		o.reps = 1;
		o.dur_ms = 20;
		procs = "2";
		o.quiet = true;
		lkb_mp_touch = false; /* speed, not figures */
	}
	if (!parse_procs(procs, &o) || o.reps < 1 || o.reps > 64 ||
	    !(o.dur_ms > 0) || !(o.cap_s > 0))
		usage();
	for (const char *p = o.works; *p;) {
		size_t k = strcspn(p, ",");
		bool known = false;
		for (int w = 0; w < NWORKS; w++)
			known |= strlen(works[w].name) == k &&
				 !strncmp(works[w].name, p, k);
		if (!known) {
			fprintf(stderr, "mproc: unknown workload %.*s\n",
				(int)k, p);
			return 1;
		}
		p += k + (p[k] != 0);
	}
	mkdir(o.out, 0755);
	const char *fs = make_home();
	lkb_lockmgr_prepare(); /* Zipf's zeta, once, before the forks */
	uint64_t t0 = lkb_ns();
	printf("the lock table shared by processes (bench/mproc.c, issue 15): "
	       "%d usable CPUs; P =", lkb_ncpus());
	for (int i = 0; i < o.nprocs; i++)
		printf(" %d", o.procs[i]);
	printf(" (at most %d); %d reps of %g ms, interleaved; Berkeley DB "
	       "%d.%d.%d, environment home on %s\n",
	       LKB_MP_MAX, o.reps, o.dur_ms, DB_VERSION_MAJOR, DB_VERSION_MINOR,
	       DB_VERSION_PATCH, fs);
	for (int w = 0; w < NWORKS; w++) {
		if (!in_list(o.works, works[w].name))
			continue;
		for (int i = 0; i < o.nprocs; i++)
			run_group(&o, w, o.procs[i]);
	}
	for (int w = 0; w < NWORKS; w++)
		if (in_list(o.works, works[w].name))
			goal_line(works[w].name);
	printf("rows: lk/detect and bdb: P threads of one process (make "
	       "bench's rows); lk/mproc and bdb/mproc: P processes on one "
	       "shared table or environment; ratio: median / peer's median "
	       "(throughput: higher is better); fair: max/min commits per "
	       "worker; p99ns: lock-call latency (1 call in 8 timed); "
	       "aborts: per committed txn; the /mproc rows' workers stay for "
	       "the reps of a group and wrote a byte of each page of the "
	       "table (region) before the first%s\n",
	       lkb_mp_touch ? "" : " (not in this run: --no-touch or --smoke)");
	if (o.smoke) {
		crash_check(R_LKMP);
		crash_check(R_BDBMP);
	}
	write_files(&o, fs);
	printf("mproc: %d cells failed, %.1f s\n", failures,
	       (double)(lkb_ns() - t0) / 1e9);
	return failures ? 1 : 0;
}
