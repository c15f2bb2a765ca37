/*
 * bench/bench.h: the one comparison harness. Every implementation, ours or a
 * peer's, plugs in through an adapter: a macro given the lock type and the
 * statements that init, lock and unlock it (read-lock/unlock for RW). The
 * macro expands into that implementation's measurement loops with the lock
 * calls inlined, as a hand-written loop would have them, and into one
 * lkb_impl_t that the runner schedules. Only whole loops are called through
 * a pointer, never a single lock operation.
 *
 * Loops per family:
 *   pairs(n)       single thread, n lock+unlock pairs; returns ns per pair
 *   read_pairs(n)  single thread, n read-lock+unlock pairs (RW, seqlock)
 *   run(p, r)      p->threads threads for p->dur_ms, fixed duration: counts
 *                  operations, per-thread counts (fairness), a sample of
 *                  acquire latencies (histogram), and checks the invariant
 *                  the lock protects (a broken one makes the cell fail)
 */
#ifndef LKB_BENCH_H
#define LKB_BENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

#define LKB_MAX_THREADS 256

/* What one cell asks for. */
typedef struct {
	int threads;       /* workers (seqlock: readers; a writer is added) */
	double dur_ms;     /* fixed-duration measurement */
	int cs_lines;      /* cache lines written in the critical section */
	int noncs;         /* iterations of private work between operations */
	uint64_t hold_ns;  /* the section lasts this long (0: no hold) */
	int read_pct;      /* RW: share of reads */
	int writer_mode;   /* seqlock: 0 busy writer, 1 paced writer;
			    * cond: 0 ping-pong pairs, 1 bounded queue */
	double theta;      /* lock table: Zipf skew */
	int policy;        /* lock table: index into the impl's policy list */
	uint64_t iters;    /* single-thread loops */
	int shape;         /* lock table: LKB_SHAPE_* */
	uint32_t strong_every; /* hot-table: 1 txn in N takes S on the table */
} lkb_params_t;

/* Lock table workload shapes (bench/lockmgr_work.c): YCSB (16 Zipf rows
 * of one table) and hot-table (8 uniform rows under one table, now and
 * then an S lock on the whole table). */
enum { LKB_SHAPE_YCSB = 0, LKB_SHAPE_HOT = 1 };

/* What one cell returns (through a pipe from the child that ran it). */
typedef struct {
	double value;      /* the cell's metric, in the workload's unit */
	double fairness;   /* max/min per-thread ops; NaN if not measured */
	double aux;        /* retries per read, aborts per txn, ... */
	bool pinned;
	int broken;        /* the protected invariant failed */
	char msg[96];
	double park_ns;    /* lk__park_cost_ns() after the cell (NaN: none) */
	lkb_hist_t hist;   /* acquire latency, ns, sampled */
} lkb_result_t;

/* What the run's figures depend on (probe.c), measured in a child process
 * before the cells; NaN where not measured. */
typedef struct {
	double relax_ns;                 /* one lk__cpu_relax(), median */
	double clock_ns;                 /* one lkb_ns(), median */
	int busy_n, idle_n;              /* wake-up samples that counted */
	double busy_p50_us, busy_p90_us; /* wake-up to running, waker spins */
	double idle_p50_us, idle_p90_us; /* the same, waker sleeps */
	double sys_p50_us, sys_p90_us;   /* FUTEX_WAKE that woke a sleeper */
	double empty_ns;                 /* FUTEX_WAKE with no sleeper */
	double park_est_ns;              /* lk__park_cost_ns(), fresh process */
	double line_ns;                  /* a cache line's round trip between
					    the two CPUs, median */
	double ms;                       /* time the probes took */
} lkb_probe_t;

/* futex: false measures the relax cost only. cpu_a, cpu_b: where the waker
 * and the sleeper run (-1: anywhere). */
void lkb_probe(lkb_probe_t *pr, int cpu_a, int cpu_b, bool futex);
void lkb_probe_fill_nan(lkb_probe_t *pr);
/* latchkit's own estimate of what parking costs (lk__park_cost_ns(), when
 * base.h defines LK_HAVE_PARK_ESTIMATE), in this process; NaN otherwise. */
double lkb_park_estimate_ns(void);

typedef struct lkb_impl {
	const char *family; /* mutex, rw, seqlock, lockmgr, cond */
	const char *name;
	const char *peer;   /* ratio denominators, measured in the same run */
	const char *peer2;
	size_t size;        /* bytes of one lock */
	double (*pairs)(uint64_t n);
	double (*read_pairs)(uint64_t n);
	void (*run)(const lkb_params_t *p, lkb_result_t *r);
	const char *note;   /* printed under the table when set */
	/* lock table only */
	double (*lock16)(uint64_t n); /* n txns of 16 locks + release all */
	double (*memory)(void);       /* bytes per granted request */
} lkb_impl_t;

void lkb_register(const lkb_impl_t *im);
void lkb_register_mutex(void);
void lkb_register_rw(void);
void lkb_register_seq(void);
void lkb_register_lockmgr(void);
void lkb_register_sync(void);
void lkb_register_cond(void);
void lkb_lockmgr_prepare(void); /* parent, before lock table cells fork */
/* The counting build (-DLK_COUNT_RMW, build/bench/bench-count): runs impl's
 * workload p on one thread for txns committed txns (after a warm-up) and
 * sets *rmw to the atomic read-modify-writes per txn on lines other txns
 * also write, *anc to those on database and table heads. 0: done; 1: impl
 * is not the lock table; -1: not a counting build. */
int lkb_lockmgr_count(const char *impl, const lkb_params_t *p, uint64_t txns,
		      double *rmw, double *anc);

/* ---- time, work, memory -------------------------------------------------- */

static inline uint64_t lkb_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Private work outside the lock: n iterations the compiler must keep. */
static inline void lkb_work(int n)
{
	for (int i = 0; i < n; i++)
		__asm__ __volatile__("" ::: "memory");
}

static inline uint32_t lkb_rand(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ? x : 0x9e3779b9u;
}

void lkb_sleep_until(uint64_t deadline_ns);

/* Zeroed, 128-byte aligned (no false sharing with neighbours); never freed:
 * every cell runs in its own short-lived process. */
void *lkb_alloc(size_t n);

/* ---- the shared data the critical sections touch ------------------------- */

#define LKB_MAX_LINES 64
typedef struct {
	/* mutex: counter written under the lock; lines[i][0] touched */
	volatile uint64_t counter __attribute__((aligned(128)));
	volatile uint64_t lines[LKB_MAX_LINES][16] __attribute__((aligned(128)));
} lkb_shared_t;

/* RW data: writers keep a == b; a reader that sees them differ caught a
 * writer inside its read section. Atomics (relaxed) so that the lock-free
 * read paths (seqlock, optlock, urcu) are not data races in C11. */
typedef struct {
	_Atomic uint64_t a __attribute__((aligned(128)));
	_Atomic uint64_t b;
	_Atomic uint64_t w[4];
} lkb_rwdata_t;

extern lkb_shared_t lkb_shared;

/* Hold the CPU for ns of wall-clock time (CLOCK_MONOTONIC), working between
 * clock reads; 0 returns at once. */
static inline void lkb_hold(uint64_t ns)
{
	if (!ns)
		return;
	uint64_t end = lkb_ns() + ns;
	do
		lkb_work(16);
	while (lkb_ns() < end);
}

/* Read the counter, touch the lines, hold, write the counter back: a lock
 * that lets two threads in loses an increment, which the cell then
 * reports; the longer the hold, the surer. */
static inline void lkb_cs(int lines, uint64_t hold_ns)
{
	uint64_t c = lkb_shared.counter;
	for (int i = 0; i < lines; i++)
		lkb_shared.lines[i][0]++;
	lkb_hold(hold_ns);
	lkb_shared.counter = c + 1;
}

static inline void lkb_rw_write(lkb_rwdata_t *d, int lines)
{
	/* relaxed: the lock under test orders these */
	uint64_t a = atomic_load_explicit(&d->a, memory_order_relaxed);
	atomic_store_explicit(&d->a, a + 1, memory_order_relaxed);
	for (int i = 0; i < lines; i++)
		lkb_shared.lines[i][0]++;
	atomic_store_explicit(&d->b, a + 1, memory_order_relaxed);
}

/* Returns false when the read saw a torn write. */
static inline bool lkb_rw_read(const lkb_rwdata_t *d, int lines)
{
	uint64_t a = atomic_load_explicit(&d->a, memory_order_relaxed);
	uint64_t s = 0;
	for (int i = 0; i < lines; i++)
		s += lkb_shared.lines[i][1];
	uint64_t b = atomic_load_explicit(&d->b, memory_order_relaxed);
	__asm__ __volatile__("" ::"r"(s)); /* keep the line reads */
	return a == b;
}

/* ---- teams of threads ---------------------------------------------------- */

typedef struct {
	uint64_t ops;
	uint64_t aux;
	uint64_t aux2;
	int broken;
	lkb_hist_t hist;
} __attribute__((aligned(128))) lkb_tstat_t;

typedef struct lkb_team {
	int n;
	const lkb_params_t *p;
	void *obj;          /* the lock (or lock table) under test */
	void *data;         /* what it protects, if not lkb_shared */
	_Atomic int stop __attribute__((aligned(128)));
	void (*fn)(struct lkb_team *t, int id, lkb_tstat_t *st);
	lkb_tstat_t *st;
	pthread_barrier_t bar;
	bool pinned;
	double elapsed_ns;
} lkb_team_t;

static inline bool lkb_stopped(lkb_team_t *t)
{
	/* relaxed: a late stop only costs a few extra operations */
	return atomic_load_explicit(&t->stop, memory_order_relaxed) != 0;
}

/* Runs fn on n threads (pinned when n <= CPUs) for dur_ms; fills t->st. */
void lkb_team_run(lkb_team_t *t, int n, double dur_ms);
/* Sums a team's stats into r: ops/s (Mop/s when mega), fairness, hist. */
void lkb_team_result(lkb_team_t *t, int nworkers, lkb_result_t *r, bool mega);
int lkb_ncpus(void);

/* Sample one acquisition in 8 for the latency histogram. */
#define LKB_SAMPLE_MASK 7

/* ---- adapters ------------------------------------------------------------ */

/*
 * A mutual-exclusion latch. T: the lock's type; INIT, LOCK, UNLOCK:
 * statements on `l` (a T *); TDECL: per-thread declarations (a queue node);
 * TFINI: per-thread cleanup. NOTE: a string for the table's notes.
 */
#define LKB_MUTEX(ID, NAME, PEER, T, INIT, TDECL, LOCK, UNLOCK, TFINI, NOTE)  \
	static double ID##_pairs(uint64_t n)                                   \
	{                                                                      \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		INIT;                                                          \
		TDECL;                                                         \
		uint64_t t0 = lkb_ns();                                        \
		for (uint64_t i = 0; i < n; i++) {                             \
			LOCK;                                                  \
			UNLOCK;                                                \
		}                                                              \
		uint64_t t1 = lkb_ns();                                        \
		TFINI;                                                         \
		return (double)(t1 - t0) / (double)n;                          \
	}                                                                      \
	static void ID##_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)       \
	{                                                                      \
		T *l = (T *)tm->obj;                                           \
		TDECL;                                                         \
		const int cs = tm->p->cs_lines, nc = tm->p->noncs;             \
		const uint64_t hold = tm->p->hold_ns;                          \
		uint64_t ops = 0;                                              \
		(void)id;                                                      \
		while (!lkb_stopped(tm)) {                                     \
			lkb_work(nc);                                          \
			if ((ops & LKB_SAMPLE_MASK) == 0) {                    \
				uint64_t t0 = lkb_ns();                        \
				LOCK;                                          \
				lkb_hist_add(&st->hist, lkb_ns() - t0);        \
			} else {                                               \
				LOCK;                                          \
			}                                                      \
			lkb_cs(cs, hold);                                      \
			UNLOCK;                                                \
			ops++;                                                 \
		}                                                              \
		st->ops = ops;                                                 \
		TFINI;                                                         \
	}                                                                      \
	static void ID##_run(const lkb_params_t *p, lkb_result_t *r)           \
	{                                                                      \
		lkb_team_t tm;                                                 \
		memset(&tm, 0, sizeof(tm));                                    \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		INIT;                                                          \
		tm.obj = (void *)(uintptr_t)l;                                                 \
		tm.p = p;                                                      \
		tm.fn = ID##_worker;                                           \
		lkb_shared.counter = 0;                                        \
		lkb_team_run(&tm, p->threads, p->dur_ms);                      \
		lkb_team_result(&tm, p->threads, r, true);                     \
		uint64_t total = 0;                                            \
		for (int i = 0; i < p->threads; i++)                           \
			total += tm.st[i].ops;                                 \
		if (lkb_shared.counter != total) {                             \
			r->broken = 1;                                         \
			snprintf(r->msg, sizeof(r->msg),                       \
				 "mutual exclusion broken: %llu != %llu",      \
				 (unsigned long long)lkb_shared.counter,       \
				 (unsigned long long)total);                   \
		}                                                              \
	}                                                                      \
	static const lkb_impl_t ID##_impl = {"mutex", NAME,  PEER,             \
					     NULL,    sizeof(T), ID##_pairs,   \
					     NULL,    ID##_run,  NOTE,     \
					     NULL,    NULL};

/*
 * A reader-writer latch. RDLOCK/RDUNLOCK/WRLOCK/WRUNLOCK: statements on `l`
 * (and on `d`, the lkb_rwdata_t * the read or write uses: an adapter whose
 * readers are directed to an instance, like Left-Right, sets d in RDLOCK;
 * WRITE is the whole write, lock to unlock). CHECK: 0 when readers cannot
 * be told apart from a concurrent writer by design (urcu with a plain
 * writer), so torn reads are counted but do not fail the cell.
 */
#define LKB_RW(ID, NAME, PEER, PEER2, T, INIT, TDECL, RDLOCK, RDUNLOCK,      \
	       WRITE, WRPAIR, TFINI, CHECK, NOTE)                              \
	static double ID##_pairs(uint64_t n)                                   \
	{                                                                      \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		lkb_rwdata_t *d = (lkb_rwdata_t *)lkb_alloc(sizeof(*d) * 2);   \
		const int cs = 0;                                              \
		INIT;                                                          \
		TDECL;                                                         \
		uint64_t t0 = lkb_ns();                                        \
		for (uint64_t i = 0; i < n; i++) {                             \
			WRPAIR;                                                \
		}                                                              \
		uint64_t t1 = lkb_ns();                                        \
		TFINI;                                                         \
		(void)d;                                                       \
		(void)cs;                                                      \
		return (double)(t1 - t0) / (double)n;                          \
	}                                                                      \
	static double ID##_read_pairs(uint64_t n)                              \
	{                                                                      \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		lkb_rwdata_t *d = (lkb_rwdata_t *)lkb_alloc(sizeof(*d) * 2);   \
		INIT;                                                          \
		TDECL;                                                         \
		uint64_t t0 = lkb_ns();                                        \
		for (uint64_t i = 0; i < n; i++) {                             \
			RDLOCK;                                                \
			RDUNLOCK;                                              \
		}                                                              \
		uint64_t t1 = lkb_ns();                                        \
		TFINI;                                                         \
		(void)d;                                                       \
		return (double)(t1 - t0) / (double)n;                          \
	}                                                                      \
	static void ID##_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)       \
	{                                                                      \
		T *l = (T *)tm->obj;                                           \
		lkb_rwdata_t *d = (lkb_rwdata_t *)tm->data;                    \
		lkb_rwdata_t *const d0 = d;                                    \
		TDECL;                                                         \
		const int cs = tm->p->cs_lines, nc = tm->p->noncs;             \
		const uint32_t rp = (uint32_t)tm->p->read_pct;                 \
		uint32_t rnd = 0x9e3779b9u * (uint32_t)(id + 1);               \
		uint64_t ops = 0, torn = 0;                                    \
		while (!lkb_stopped(tm)) {                                     \
			lkb_work(nc);                                          \
			bool samp = (ops & LKB_SAMPLE_MASK) == 0;              \
			uint64_t t0 = samp ? lkb_ns() : 0;                     \
			d = d0;                                                \
			if (lkb_rand(&rnd) % 100 < rp) {                       \
				RDLOCK;                                        \
				if (samp)                                      \
					lkb_hist_add(&st->hist,                \
						     lkb_ns() - t0);           \
				torn += !lkb_rw_read(d, cs);                   \
				RDUNLOCK;                                      \
			} else {                                               \
				WRITE;                                         \
				if (samp)                                      \
					lkb_hist_add(&st->hist,                \
						     lkb_ns() - t0);           \
				st->aux2++;                                    \
			}                                                      \
			ops++;                                                 \
		}                                                              \
		st->ops = ops;                                                 \
		st->aux = torn;                                                \
		TFINI;                                                         \
	}                                                                      \
	static void ID##_run(const lkb_params_t *p, lkb_result_t *r)           \
	{                                                                      \
		lkb_team_t tm;                                                 \
		memset(&tm, 0, sizeof(tm));                                    \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		lkb_rwdata_t *d = (lkb_rwdata_t *)lkb_alloc(sizeof(*d) * 2);   \
		INIT;                                                          \
		tm.obj = (void *)(uintptr_t)l;                                                 \
		tm.data = d;                                                   \
		tm.p = p;                                                      \
		tm.fn = ID##_worker;                                           \
		lkb_team_run(&tm, p->threads, p->dur_ms);                      \
		lkb_team_result(&tm, p->threads, r, true);                     \
		uint64_t torn = 0;                                             \
		for (int i = 0; i < p->threads; i++)                           \
			torn += tm.st[i].aux;                                  \
		if (torn && (CHECK)) {                                         \
			r->broken = 1;                                         \
			snprintf(r->msg, sizeof(r->msg),                       \
				 "%llu torn reads",                            \
				 (unsigned long long)torn);                    \
		}                                                              \
	}                                                                      \
	static const lkb_impl_t ID##_impl = {                                  \
		"rw",		 NAME,	    PEER,     PEER2, sizeof(T),        \
		ID##_pairs, ID##_read_pairs, ID##_run, NOTE, NULL, NULL};

/* A write statement for the common case: lock, write, unlock. */
#define LKB_WRITE(WRLOCK, WRUNLOCK)                                            \
	do {                                                                   \
		WRLOCK;                                                        \
		lkb_rw_write(d, cs);                                           \
		WRUNLOCK;                                                      \
	} while (0)

/* ---- between the runner's files ------------------------------------------ */
/* bench.c: options, main; cell.c, sched.c, rmw.c: the cells (child
 * processes), the schedule, the rmw/txn column (runner.h); team.c: the
 * registry, CPUs and teams; report.c: the table and the files. */

#define LKB_MAX_IMPLS 96

/* team.c: the registered implementations, in registration order. */
/* The lock table's 16-lock loops: false, rows numbered on, 64 to a page;
 * true (bench --instr --kind scatter16), one row to a page, as a YCSB
 * txn's rows fall, so that the hierarchy takes a page lock per row. */
extern bool lkb_l16_scatter;
extern const lkb_impl_t *lkb_impls[LKB_MAX_IMPLS];
extern int lkb_n_impls;
const lkb_impl_t *lkb_find_impl(const char *name); /* NULL: none */
/* team.c: the usable CPUs, lkb_ncpus() of them (-1: unknown, do not pin),
 * filled by lkb_init_cpus() at start. */
extern int lkb_cpus[LKB_MAX_THREADS];
void lkb_init_cpus(void);

/* The run's options: bench.c parses them, report.c prints them. */
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
	uint32_t strong_every; /* hot-table: 1 txn in N locks the table S */
	const char *rmw_note; /* how the rmw/txn column was measured, or not */
} lkb_opts_t;

/* Latency histograms of the throughput cells, kept for the CDF plot. */
typedef struct {
	const char *impl;
	lkb_hist_t h;
} lkb_cdf_t;

/* report.c: the machine's description (before the probes), then the run
 * header on stdout (after them). */
void lkb_probe_machine(const lkb_opts_t *o);
void lkb_print_header(const lkb_opts_t *o, const lkb_probe_t *pr,
		      bool probe_fx);
/* report.c: gnuplot data files, in o->out: the CDF of one threaded cell
 * group, and one workload's throughput over thread counts. */
void lkb_write_cdf(const char *out, const char *family, const char *workload,
		   int threads, const lkb_cdf_t *c, int n);
void lkb_write_tput(const char *out, const char *family, const char *workload,
		    const lkb_row_t *rows, int n_rows);
/* report.c: the table and notes on stdout, bench.csv and bench.json.
 * park_vals: lk__park_cost_ns() as each contended cell left it; end: the
 * relax and line probes again after the cells (NULL: not taken). */
void lkb_report(const lkb_opts_t *o, const lkb_probe_t *pr,
		const lkb_probe_t *end, const lkb_row_t *rows, int n_rows,
		const double *park_vals, int n_park, uint64_t run_start_ns);

#endif
