/*
 * bench/headproto.c: the lock table's head latch bit against a latch-free
 * packed word (Jung, Han, Fekete, Heiser and Yeom, "A Scalable Lock Manager
 * for Multicores", SIGMOD 2013), measured in one run, for lockmgr/README.md.
 *
 * Variants, each a lock+unlock of one resource in S or X:
 *   latch       a model of one lockmgr head under its latch bit (lockmgr/lock.c
 *               lock_fast / lk_unlock / release_req): a 32-bit latch word
 *               taken by a CAS expecting it unlatched and dropped by a plain
 *               release store; under it the grant tests granted/qhead/nconv,
 *               links the request at the head of a doubly linked, index-
 *               linked holder list, bumps counts[mode], sets the granted
 *               bit and, for X, bumps a 64-bit token; release unlinks it.
 *   latch-counts the latch model less the holder record: the same latch,
 *               tests, counts, granted bits and token, but no request is
 *               written and no list linked. latch minus latch-counts is
 *               what the holder list costs; latch-counts minus packed is
 *               what the latch itself costs.
 *   packed      Jung et al.'s packed word: one 64-bit word per resource, S
 *               count in the low half, an X bit and a "slow" bit (waiters:
 *               the fast path must find it clear; nothing here sets it).
 *               S = fetch_add, then undo if X/slow was set; X = CAS from 0;
 *               release = fetch_sub. No holder list: who holds is unknown.
 *   packed-cas  the same word, S taken by a CAS loop instead; then nobody
 *               writes the word while X is held and X releases by a store.
 *   lockmgr     the real lock table (liblatchkit), flat, S/X modes, DETECT,
 *               one txn per thread, lk_lock(LK_FOREVER, LK_F_NOHIER) +
 *               lk_unlock. For context: it also does the handle check,
 *               hashing, the txn list, the request cache and real waiting
 *               (FIFO queue, park, hand-off). deadlock_timeout_ns is the
 *               default 0: every wait runs the deadlock detector at once.
 *   lockmgr-dt  the same with deadlock_timeout_ns = 1 s (PostgreSQL's
 *               default deadlock_timeout): the detector runs only for a
 *               wait that long, so the contended rows show the queue.
 * The two models wait alike on a conflict or a held latch: HP_SPIN_LIMIT
 * pauses (256: the count base.h used before its budget became time), then
 * sched_yield; they never park (no queue is modelled).
 *
 * Workloads (fixed-duration cells, threads behind a start flag):
 *   private   each thread its own resource, X    (no sharing)
 *   shared-S  all threads one resource, S        (what the packed word is for)
 *   shared-X  all threads one resource, X
 *   hot16     16 resources, uniform pick, 80% S / 20% X
 * Every cell checks exclusion: an X holder marks its resource's guard word
 * and bumps a plain counter, S holders check the mark; at the end each
 * resource's counter must equal the X grants made on it.
 *
 * Cells are interleaved (rep 1 of each variant, rep 2 of each, ..., the
 * variant order rotated per rep); a row is the median, min and max over the
 * reps and its ratio to the latch model's median in the same workload and
 * thread count. Each row also gives Mop per second of the threads' own CPU
 * time: on a box shared with other work, the wall-clock figure depends on
 * how much of the CPUs a cell got (8 threads take a bigger share from other
 * processes than 1 does), the per-CPU-second one much less.
 * -DHP_BUG_NOEXCL seeds a bug (packed X takes nothing) that the exclusion
 * check must catch (exit 2; make bench-head-selftest).
 *
 * Usage: headproto [--reps N] [--dur MS] [--threads "1 2 8"]
 *                  [--variants "latch latch-counts packed ..."]
 *                  [--workloads "private shared-S shared-X hot16"] [CSV]
 *        headproto --instr VARIANT --mode S|X --iters N   (for callgrind)
 */
#include "headproto.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- cells -------------------------------------------------------------------------- */

typedef struct {
	int v, w, nthreads;
	lk_lockmgr_t *mgr;
	LK_ATOMIC(int) ready;
	LK_ATOMIC(int) go;
	LK_ATOMIC(int) stop;
} hp_cell_t;

typedef struct {
	hp_cell_t *cell;
	uint32_t tid;
	uint64_t ops;
	uint64_t cpu_ns; /* this thread's CPU time in the loop */
	uint64_t xops[NRES];
	pthread_t th;
} LK_CACHE_ALIGNED hp_thread_t;

static inline uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* The loop, specialised per variant and workload by constant arguments. */
static inline __attribute__((always_inline)) void
loop(hp_thread_t *me, const hp_ctx_t *c, const int v, const int w)
{
	hp_cell_t *cell = me->cell;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (me->tid + 1) + 1;
	uint64_t ops = 0;
	/* relaxed: a flag polled; its lateness only ends the cell a bit late */
	while (!atomic_load_explicit(&cell->stop, memory_order_relaxed)) {
		uint32_t r;
		unsigned mode;
		switch (w) {
		case W_PRIVATE:
			r = me->tid;
			mode = M_X;
			break;
		case W_SHARED_S:
			r = 0;
			mode = M_S;
			break;
		case W_SHARED_X:
			r = 0;
			mode = M_X;
			break;
		default: {
			uint64_t x = xorshift(&seed);
			r = (uint32_t)(x & (NRES - 1));
			mode = (x >> 8) % 5 == 0 ? M_X : M_S;
		}
		}
		op_lock(c, v, r, mode);
		hp_guard_t *g = &guards[r];
		/* relaxed: the lock under test orders these; a wrong value
		 * means it let a conflicting holder in */
		if (lk__unlikely(atomic_load_explicit(&g->xin,
						      memory_order_relaxed)))
			atomic_store_explicit(&broken, 1, memory_order_relaxed);
		if (mode == M_X) {
			atomic_store_explicit(&g->xin, 1, memory_order_relaxed);
			g->xops++;
			me->xops[r]++;
			atomic_store_explicit(&g->xin, 0, memory_order_relaxed);
		}
		op_unlock(c, v, r, mode);
		ops++;
	}
	me->ops = ops;
}

#define LOOPS(V)                                                               \
	static __attribute__((noinline)) void loop_##V(                        \
		hp_thread_t *me, const hp_ctx_t *c, int w)                     \
	{                                                                      \
		switch (w) {                                                   \
		case W_PRIVATE:                                                \
			loop(me, c, V, W_PRIVATE);                             \
			break;                                                 \
		case W_SHARED_S:                                               \
			loop(me, c, V, W_SHARED_S);                            \
			break;                                                 \
		case W_SHARED_X:                                               \
			loop(me, c, V, W_SHARED_X);                            \
			break;                                                 \
		default:                                                       \
			loop(me, c, V, W_HOT16);                               \
		}                                                              \
	}
LOOPS(V_LATCH)
LOOPS(V_LATCH_COUNTS)
LOOPS(V_PACKED)
LOOPS(V_PACKED_CAS)
LOOPS(V_LOCKMGR)
LOOPS(V_LOCKMGR_DT)

static int ncpus;

/* The calling thread's CPU time: on a box shared with other work, ops per
 * CPU-second does not depend on how much of the CPUs the cell got. */
static uint64_t cpu_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *worker(void *arg)
{
	hp_thread_t *me = (hp_thread_t *)arg;
	hp_cell_t *cell = me->cell;
	if (cell->nthreads <= ncpus) { /* pin when there is a CPU each */
		cpu_set_t cs;
		CPU_ZERO(&cs);
		CPU_SET((int)me->tid, &cs);
		pthread_setaffinity_np(pthread_self(), sizeof(cs), &cs);
	}
	hp_ctx_t c;
	memset(&c, 0, sizeof(c));
	c.v = cell->v;
	c.tid = me->tid;
	c.ri = 1 + me->tid * REQ_STRIDE;
	if (cell->mgr) {
		int rc = lk_txn_begin(cell->mgr, &c.tx);
		if (rc != LK_OK)
			lk_fail(rc, "lk_txn_begin");
	}
	/* release/acquire: the start handshake orders set-up before the loop */
	atomic_fetch_add_explicit(&cell->ready, 1, memory_order_release);
	while (!atomic_load_explicit(&cell->go, memory_order_acquire))
		sched_yield();
	uint64_t c0 = cpu_now_ns();
	switch (cell->v) {
	case V_LATCH:
		loop_V_LATCH(me, &c, cell->w);
		break;
	case V_LATCH_COUNTS:
		loop_V_LATCH_COUNTS(me, &c, cell->w);
		break;
	case V_PACKED:
		loop_V_PACKED(me, &c, cell->w);
		break;
	case V_PACKED_CAS:
		loop_V_PACKED_CAS(me, &c, cell->w);
		break;
	case V_LOCKMGR:
		loop_V_LOCKMGR(me, &c, cell->w);
		break;
	default:
		loop_V_LOCKMGR_DT(me, &c, cell->w);
	}
	me->cpu_ns = cpu_now_ns() - c0;
	if (c.tx) {
		int rc = lk_txn_commit(c.tx);
		if (rc != LK_OK)
			lk_fail(rc, "lk_txn_commit");
	}
	return NULL;
}

static void reset_state(void)
{
	memset(lheads, 0, sizeof(lheads));
	memset(reqs, 0, sizeof(reqs));
	for (int i = 0; i < NRES; i++) {
		atomic_store_explicit(&pwords[i].w, 0, memory_order_relaxed);
		atomic_store_explicit(&guards[i].xin, 0, memory_order_relaxed);
		guards[i].xops = 0;
	}
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "headproto: a cell did not finish in time\n";
	if (write(2, msg, sizeof(msg) - 1) < 0) {
	}
	_exit(3);
}

typedef struct {
	double mops;     /* all threads' operations per wall-clock second */
	double mops_cpu; /* ... per second of their CPU time */
} hp_res_t;

/* One cell. */
static hp_res_t run_cell(int v, int w, int nthreads, int dur_ms)
{
	static hp_thread_t th[MAXT];
	hp_cell_t cell;
	memset(&cell, 0, sizeof(cell));
	cell.v = v;
	cell.w = w;
	cell.nthreads = nthreads;
	reset_state();
	if (v >= V_LOCKMGR)
		cell.mgr = lk_make(v == V_LOCKMGR_DT);
	memset(th, 0, sizeof(th));
	alarm((unsigned)(dur_ms / 1000 + 30));
	for (int i = 0; i < nthreads; i++) {
		th[i].cell = &cell;
		th[i].tid = (uint32_t)i;
		if (pthread_create(&th[i].th, NULL, worker, &th[i])) {
			perror("pthread_create");
			exit(4);
		}
	}
	while (atomic_load_explicit(&cell.ready, memory_order_acquire) <
	       nthreads)
		sched_yield();
	uint64_t t0 = lk__now_ns();
	atomic_store_explicit(&cell.go, 1, memory_order_release);
	lk__sleep_ns((uint64_t)dur_ms * 1000000u);
	atomic_store_explicit(&cell.stop, 1, memory_order_relaxed);
	uint64_t t1 = lk__now_ns();
	uint64_t ops = 0, cpu = 0, x[NRES] = {0};
	for (int i = 0; i < nthreads; i++) {
		pthread_join(th[i].th, NULL);
		ops += th[i].ops;
		cpu += th[i].cpu_ns;
		for (int r = 0; r < NRES; r++)
			x[r] += th[i].xops[r];
	}
	alarm(0);
	if (cell.mgr)
		lk_lockmgr_destroy(cell.mgr);
	for (int r = 0; r < NRES; r++)
		if (guards[r].xops != x[r]) {
			fprintf(stderr,
				"headproto: %s %s t%d: resource %d: %llu X "
				"grants counted under the lock, %llu made\n",
				vname[v], wname[w], nthreads, r,
				(unsigned long long)guards[r].xops,
				(unsigned long long)x[r]);
			atomic_store_explicit(&broken, 1, memory_order_relaxed);
		}
	if (atomic_load_explicit(&broken, memory_order_relaxed)) {
		fprintf(stderr, "headproto: %s %s t%d: exclusion broken\n",
			vname[v], wname[w], nthreads);
		exit(2);
	}
	hp_res_t res;
	res.mops = (double)ops / ((double)(t1 - t0) / 1e3);
	res.mops_cpu = cpu ? (double)ops / ((double)cpu / 1e3) : 0;
	return res;
}

/* ---- single-thread pairs, for callgrind -------------------------------------------------- */

/* One loop per variant and mode, each its own function, so that the code
 * of one variant does not change when another is added. */
#define INSTR_LOOP(V)                                                          \
	static __attribute__((noinline)) void instr_##V(const hp_ctx_t *c,     \
							unsigned mode,         \
							uint64_t n)            \
	{                                                                      \
		if (mode == M_X)                                               \
			for (uint64_t i = 0; i < n; i++) {                     \
				op_lock(c, V, 0, M_X);                         \
				op_unlock(c, V, 0, M_X);                       \
			}                                                      \
		else                                                           \
			for (uint64_t i = 0; i < n; i++) {                     \
				op_lock(c, V, 0, M_S);                         \
				op_unlock(c, V, 0, M_S);                       \
			}                                                      \
	}
INSTR_LOOP(V_LATCH)
INSTR_LOOP(V_LATCH_COUNTS)
INSTR_LOOP(V_PACKED)
INSTR_LOOP(V_PACKED_CAS)
INSTR_LOOP(V_LOCKMGR)

static int instr(int v, unsigned mode, uint64_t n)
{
	hp_ctx_t c;
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.ri = 1;
	lk_lockmgr_t *m = NULL;
	if (v >= V_LOCKMGR) {
		m = lk_make(v == V_LOCKMGR_DT);
		int rc = lk_txn_begin(m, &c.tx);
		if (rc != LK_OK)
			lk_fail(rc, "lk_txn_begin");
	}
	switch (v) {
	case V_LATCH:
		instr_V_LATCH(&c, mode, n);
		break;
	case V_LATCH_COUNTS:
		instr_V_LATCH_COUNTS(&c, mode, n);
		break;
	case V_PACKED:
		instr_V_PACKED(&c, mode, n);
		break;
	case V_PACKED_CAS:
		instr_V_PACKED_CAS(&c, mode, n);
		break;
	default: /* lockmgr-dt: the same uncontended path */
		instr_V_LOCKMGR(&c, mode, n);
	}
	if (m) {
		lk_txn_commit(c.tx);
		lk_lockmgr_destroy(m);
	}
	/* the state must be back to free */
	if (lheads[0].holders || lheads[0].granted ||
	    atomic_load_explicit(&pwords[0].w, memory_order_relaxed)) {
		fprintf(stderr, "headproto: --instr: state not released\n");
		return 2;
	}
	return 0;
}

/* ---- driver -------------------------------------------------------------------------------- */

static int vindex(const char *s)
{
	for (int i = 0; i < NV; i++)
		if (!strcmp(s, vname[i]))
			return i;
	fprintf(stderr, "headproto: unknown variant '%s'\n", s);
	exit(1);
}

static int windex(const char *s)
{
	for (int i = 0; i < NW; i++)
		if (!strcmp(s, wname[i]))
			return i;
	fprintf(stderr, "headproto: unknown workload '%s'\n", s);
	exit(1);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sorts s[0..n) in place; returns its median. */
static double median(double *s, int n)
{
	qsort(s, (size_t)n, sizeof(double), cmp_d);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: headproto [--reps N] [--dur MS] [--threads LIST] "
		"[--variants LIST] [--workloads LIST] [CSV]\n"
		"       headproto --instr VARIANT --mode S|X --iters N\n");
	exit(1);
}

#define MAXREPS 64

int main(int argc, char **argv)
{
	int reps = 5, dur_ms = 150;
	int tlist[16] = {1, 2, 8}, nt = 3;
	int vlist[NV] = {V_LATCH,      V_LATCH_COUNTS, V_PACKED,
			 V_PACKED_CAS, V_LOCKMGR,      V_LOCKMGR_DT},
	    nvar = NV;
	int wlist[NW] = {W_PRIVATE, W_SHARED_S, W_SHARED_X, W_HOT16}, nwl = NW;
	const char *csv = "bench/results/headproto.csv";
	int instr_v = -1;
	unsigned instr_mode = M_X;
	uint64_t iters = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;
		if (!strcmp(a, "--reps") && more)
			reps = atoi(argv[++i]);
		else if (!strcmp(a, "--dur") && more)
			dur_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--threads") && more) {
			nt = 0;
			char *s = argv[++i], *tok, *save = NULL;
			for (tok = strtok_r(s, " ,", &save); tok && nt < 16;
			     tok = strtok_r(NULL, " ,", &save))
				tlist[nt++] = atoi(tok);
		} else if (!strcmp(a, "--variants") && more) {
			nvar = 0;
			char *s = argv[++i], *tok, *save = NULL;
			for (tok = strtok_r(s, " ,", &save); tok && nvar < NV;
			     tok = strtok_r(NULL, " ,", &save))
				vlist[nvar++] = vindex(tok);
		} else if (!strcmp(a, "--workloads") && more) {
			nwl = 0;
			char *s = argv[++i], *tok, *save = NULL;
			for (tok = strtok_r(s, " ,", &save); tok && nwl < NW;
			     tok = strtok_r(NULL, " ,", &save))
				wlist[nwl++] = windex(tok);
		} else if (!strcmp(a, "--instr") && more)
			instr_v = vindex(argv[++i]);
		else if (!strcmp(a, "--mode") && more) {
			i++;
			instr_mode = argv[i][0] == 'S' || argv[i][0] == 's'
					     ? M_S
					     : M_X;
		} else if (!strcmp(a, "--iters") && more)
			iters = strtoull(argv[++i], NULL, 10);
		else if (a[0] == '-')
			usage();
		else
			csv = a;
	}
	for (int r = 0; r < NRES; r++)
		lkres[r] = lk_res_row(0, 1, (uint32_t)r >> 6, (uint32_t)r);
	if (instr_v >= 0)
		return instr(instr_v, instr_mode, iters);
	if (reps < 1 || reps > MAXREPS || dur_ms < 1 || nt < 1 || nvar < 1)
		usage();
	for (int i = 0; i < nt; i++)
		if (tlist[i] < 1 || tlist[i] > NRES) {
			fprintf(stderr, "headproto: threads must be 1..%d\n",
				NRES);
			return 1;
		}
	if (nvar < 1 || vlist[0] != V_LATCH)
		fprintf(stderr, "headproto: note: ratios need the latch "
				"variant first in --variants\n");

	cpu_set_t cs;
	sched_getaffinity(0, sizeof(cs), &cs);
	ncpus = CPU_COUNT(&cs);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	/* the CSV's folder (one level) */
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", csv);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		mkdir(dir, 0777);
	}
	FILE *f = fopen(csv, "w");
	if (!f) {
		perror(csv);
		return 1;
	}
	fprintf(f, "workload,threads,variant,reps,median_mops,min_mops,"
		   "max_mops,ratio_to_latch,median_mops_per_cpu_s,"
		   "cpu_ratio_to_latch,samples_mops\n");
	printf("# headproto: head latch bit vs packed word; %d reps x %d ms "
	       "per cell, interleaved; %d CPUs usable; threads pinned when "
	       "threads <= CPUs\n",
	       reps, dur_ms, ncpus);
	printf("# sizes: latch-model head %zu B (cache-aligned; fields %zu B) "
	       "+ a %zu B request per holder; packed word 8 B (aligned %zu "
	       "B), nothing per holder; lockmgr request %zu B\n",
	       sizeof(hp_lhead_t), offsetof(hp_lhead_t, token) + 8,
	       sizeof(hp_req_t), sizeof(hp_pword_t), lk_request_size());
	printf("# Mop/s: all threads, wall clock (median, min, max of the "
	       "reps); Mop/cpu-s: per second of the threads' own CPU time\n");
	printf("%-9s %7s %-12s %9s %8s %8s %8s %10s %8s\n", "cell", "threads",
	       "variant", "Mop/s", "min", "max", "vs latch", "Mop/cpu-s",
	       "vs latch");
	fflush(stdout);
	static hp_res_t res[NV][MAXREPS];
	for (int wi = 0; wi < nwl; wi++) {
		int w = wlist[wi];
		for (int ti = 0; ti < nt; ti++) {
			int n = tlist[ti];
			for (int r = 0; r < reps; r++)
				for (int k = 0; k < nvar; k++) {
					int v = vlist[(k + r) % nvar];
					res[v][r] = run_cell(v, w, n, dur_ms);
				}
			double lmed = 0, lcmed = 0;
			for (int k = 0; k < nvar; k++) {
				int v = vlist[k];
				double s[MAXREPS], sc[MAXREPS];
				for (int r = 0; r < reps; r++) {
					s[r] = res[v][r].mops;
					sc[r] = res[v][r].mops_cpu;
				}
				double med = median(s, reps);
				double cmed = median(sc, reps);
				if (v == V_LATCH) {
					lmed = med;
					lcmed = cmed;
				}
				char ratio[32] = "", cratio[32] = "";
				if (lmed > 0)
					snprintf(ratio, sizeof(ratio), "%.2f",
						 med / lmed);
				if (lcmed > 0)
					snprintf(cratio, sizeof(cratio), "%.2f",
						 cmed / lcmed);
				printf("%-9s %7d %-12s %9.2f %8.2f %8.2f %7s%s "
				       "%10.2f %7s%s\n",
				       wname[w], n, vname[v], med, s[0],
				       s[reps - 1], ratio, ratio[0] ? "x" : " ",
				       cmed, cratio, cratio[0] ? "x" : " ");
				fprintf(f, "%s,%d,%s,%d,%.3f,%.3f,%.3f,%s,%.3f,%s,",
					wname[w], n, vname[v], reps, med, s[0],
					s[reps - 1], ratio, cmed, cratio);
				for (int r = 0; r < reps; r++)
					fprintf(f, "%s%.3f", r ? ";" : "",
						res[v][r].mops);
				fprintf(f, "\n");
			}
			fflush(stdout);
			fflush(f);
		}
	}
	fclose(f);
	printf("# csv: %s\n", csv);
	return 0;
}
