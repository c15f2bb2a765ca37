/*
 * bench/stats.h: the statistics and the output of the comparison harness.
 * Plain functions on plain data, so tests/test_bench_stats.c can check them
 * on known inputs: median/min/max of repetitions, ratios to a peer,
 * percentiles (exact on arrays, bucketed on a latency histogram), and the
 * CSV and JSON writers for result rows.
 */
#ifndef LKB_STATS_H
#define LKB_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Median of n values (n > 0); the mean of the middle two when n is even.
 * Does not reorder v. NaN for n == 0. */
double lkb_median(const double *v, int n);
double lkb_min(const double *v, int n);
double lkb_max(const double *v, int n);
/* a / b; NaN when either is missing (NaN) or b is 0. */
double lkb_ratio(double a, double b);
/* Nearest-rank percentile (p in [0,100]) of n values; does not reorder v. */
double lkb_percentile(const double *v, int n, double p);

/*
 * Latency histogram, log-linear: values below 2^LKB_SUB_BITS are exact;
 * above, each power of two is cut into 2^LKB_SUB_BITS buckets, so a
 * reported percentile is within 1/16 (6.25%) of the true value.
 */
#define LKB_SUB_BITS 4
#define LKB_SUB (1u << LKB_SUB_BITS)
#define LKB_HIST_BUCKETS (64 * LKB_SUB)
typedef struct {
	uint64_t count;
	uint64_t max;
	uint64_t b[LKB_HIST_BUCKETS];
} lkb_hist_t;

void lkb_hist_clear(lkb_hist_t *h);
void lkb_hist_add(lkb_hist_t *h, uint64_t v);
void lkb_hist_merge(lkb_hist_t *into, const lkb_hist_t *from);
/* The smallest bucket bound at or below which p% of values lie (0 if
 * empty); never above the largest value recorded. */
uint64_t lkb_hist_percentile(const lkb_hist_t *h, double p);
/* Bucket index of v and the largest value that bucket holds. */
unsigned lkb_hist_bucket(uint64_t v);
uint64_t lkb_hist_bucket_top(unsigned idx);

/* One result row: one cell (family, workload, impl, threads) over reps. */
typedef struct {
	char family[16];    /* mutex, rw, seqlock, lockmgr, memory */
	char workload[48];  /* e.g. uncontended, cs1, read95, ycsb-t0.8 */
	char impl[32];      /* e.g. lk_ticket, ck_ticket, pthread_mutex */
	int threads;
	bool pinned;
	int reps;           /* repetitions that finished */
	char unit[16];      /* ns/op, Mop/s, txn/s, B/req, ... */
	double median, min, max;
	char peer[32];      /* ratio = median / peer's median, same run */
	double ratio;
	char peer2[32];
	double ratio2;
	double fairness;    /* max/min per-thread ops (NaN: not measured) */
	double p50, p99, p999; /* acquire latency, ns (NaN: not measured) */
	char aux_name[16];  /* e.g. retries/read, aborts/txn */
	double aux;
	char status[48];    /* ok, "did not finish in 10 s", "crashed: ..." */
	double rmw;         /* lock table: atomic RMWs on shared lines per txn
			       (counting build, one thread; NaN: none) */
	double rmw_anc;     /* ... of which on database and table heads */
} lkb_row_t;

void lkb_row_init(lkb_row_t *r);
void lkb_csv_header(FILE *f);
void lkb_csv_row(FILE *f, const lkb_row_t *r);
/* Writes {"meta": {k: v...}, "rows": [...]} ; meta is n key/value pairs. */
void lkb_json_write(FILE *f, const char *const *meta_kv, int n_meta,
		    const lkb_row_t *rows, int n_rows);
/* Copies src into dst (size n), always terminated. */
void lkb_strcpy(char *dst, const char *src, size_t n);

#endif
