/*
 * tests/test_bench_stats.c: the bench harness's statistics and its CSV and
 * JSON output, on known inputs. The harness's numbers are only as good as
 * these: a wrong median or a shifted CSV column would mislead every table.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../bench/stats.c"

Test(bench_stats, median_odd_even_and_order_kept)
{
	double v[5] = {9, 1, 5, 3, 7};
	cr_assert_float_eq(lkb_median(v, 5), 5.0, 1e-12);
	cr_assert_float_eq(v[0], 9.0, 1e-12, "median must not reorder input");
	double w[4] = {4, 1, 3, 2};
	cr_assert_float_eq(lkb_median(w, 4), 2.5, 1e-12);
	double one = 42;
	cr_assert_float_eq(lkb_median(&one, 1), 42.0, 1e-12);
	cr_assert(isnan(lkb_median(v, 0)));
}

Test(bench_stats, min_max_ratio)
{
	double v[6] = {3, -1, 8, 8, 0.5, 2};
	cr_assert_float_eq(lkb_min(v, 6), -1.0, 1e-12);
	cr_assert_float_eq(lkb_max(v, 6), 8.0, 1e-12);
	cr_assert_float_eq(lkb_ratio(10, 4), 2.5, 1e-12);
	cr_assert(isnan(lkb_ratio(1, 0)));
	cr_assert(isnan(lkb_ratio(NAN, 2)));
	cr_assert(isnan(lkb_ratio(2, NAN)));
}

Test(bench_stats, percentile_nearest_rank)
{
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = 100 - i; /* 100..1, unsorted on purpose */
	cr_assert_float_eq(lkb_percentile(v, 100, 50), 50.0, 1e-12);
	cr_assert_float_eq(lkb_percentile(v, 100, 99), 99.0, 1e-12);
	cr_assert_float_eq(lkb_percentile(v, 100, 99.9), 100.0, 1e-12);
	cr_assert_float_eq(lkb_percentile(v, 100, 0), 1.0, 1e-12);
	cr_assert_float_eq(lkb_percentile(v, 100, 100), 100.0, 1e-12);
	double s[3] = {10, 30, 20};
	cr_assert_float_eq(lkb_percentile(s, 3, 50), 20.0, 1e-12);
}

Test(bench_stats, hist_buckets_cover_and_bound_error)
{
	/* every value lands in a bucket whose top is >= it and within 1/16 */
	for (uint64_t v = 0; v < 200000; v += (v < 100 ? 1 : 37)) {
		unsigned b = lkb_hist_bucket(v);
		uint64_t top = lkb_hist_bucket_top(b);
		cr_assert(top >= v, "v=%lu top=%lu", (unsigned long)v,
			  (unsigned long)top);
		cr_assert(top - v <= v / 16, "v=%lu top=%lu",
			  (unsigned long)v, (unsigned long)top);
		if (b > 0)
			cr_assert(lkb_hist_bucket_top(b - 1) < v);
	}
	uint64_t big = (uint64_t)1 << 62;
	cr_assert(lkb_hist_bucket(big) < LKB_HIST_BUCKETS);
}

Test(bench_stats, hist_percentiles_known_input)
{
	static lkb_hist_t h, g;
	lkb_hist_clear(&h);
	cr_assert_eq(lkb_hist_percentile(&h, 50), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		lkb_hist_add(&h, v);
	cr_assert_eq(h.count, 1000);
	uint64_t p50 = lkb_hist_percentile(&h, 50);
	uint64_t p99 = lkb_hist_percentile(&h, 99);
	cr_assert(p50 >= 500 && p50 <= 500 + 500 / 16, "p50=%lu",
		  (unsigned long)p50);
	cr_assert(p99 >= 990 && p99 <= 1000, "p99=%lu", (unsigned long)p99);
	cr_assert_eq(lkb_hist_percentile(&h, 100), 1000);
	/* small values are exact */
	lkb_hist_clear(&g);
	for (int i = 0; i < 9; i++)
		lkb_hist_add(&g, 3);
	lkb_hist_add(&g, 1000000);
	cr_assert_eq(lkb_hist_percentile(&g, 50), 3);
	cr_assert_eq(lkb_hist_percentile(&g, 90), 3);
	cr_assert(lkb_hist_percentile(&g, 99.9) >= 1000000 - 1000000 / 16);
	lkb_hist_merge(&h, &g);
	cr_assert_eq(h.count, 1010);
	cr_assert_eq(h.max, 1000000);
}

static char *write_to_string(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void csv_two_rows(FILE *f, void *arg)
{
	lkb_row_t *r = (lkb_row_t *)arg;
	lkb_csv_header(f);
	lkb_csv_row(f, &r[0]);
	lkb_csv_row(f, &r[1]);
}

static void fill_rows(lkb_row_t r[2])
{
	lkb_row_init(&r[0]);
	lkb_strcpy(r[0].family, "mutex", sizeof(r[0].family));
	lkb_strcpy(r[0].workload, "uncontended", sizeof(r[0].workload));
	lkb_strcpy(r[0].impl, "lk_ticket", sizeof(r[0].impl));
	r[0].threads = 1;
	r[0].pinned = true;
	r[0].reps = 5;
	lkb_strcpy(r[0].unit, "ns/op", sizeof(r[0].unit));
	r[0].median = 12.5;
	r[0].min = 12;
	r[0].max = 14;
	lkb_strcpy(r[0].peer, "ck_ticket", sizeof(r[0].peer));
	r[0].ratio = 1.04;
	lkb_row_init(&r[1]);
	lkb_strcpy(r[1].family, "lockmgr", sizeof(r[1].family));
	lkb_strcpy(r[1].workload, "ycsb,\"x\"", sizeof(r[1].workload));
	lkb_strcpy(r[1].impl, "bdb", sizeof(r[1].impl));
	r[1].threads = 8;
	lkb_strcpy(r[1].status, "did not finish in 10 s",
		   sizeof(r[1].status));
	r[1].rmw = 33.5;
	r[1].rmw_anc = 4;
}

Test(bench_stats, csv_columns_quoting_and_missing)
{
	lkb_row_t r[2];
	fill_rows(r);
	char *s = write_to_string(csv_two_rows, r);
	const char *want =
		"family,workload,impl,threads,pinned,reps,unit,median,min,max,"
		"peer,ratio,peer2,ratio2,fairness,p50_ns,p99_ns,p999_ns,"
		"aux_name,aux,status,rmw_per_txn,rmw_anc_per_txn\n"
		"mutex,uncontended,lk_ticket,1,1,5,ns/op,12.5,12,14,"
		"ck_ticket,1.04,,,,,,,,,ok,,\n"
		"lockmgr,\"ycsb,\"\"x\"\"\",bdb,8,0,0,,,,,,,,,,,,,,,"
		"did not finish in 10 s,33.5,4\n";
	cr_assert_str_eq(s, want);
	/* every line has the header's column count, commas in quotes aside */
	int cols = 1, line_cols = -1, in_q = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			in_q = !in_q;
		else if (*p == ',' && !in_q)
			cols++;
		else if (*p == '\n') {
			if (line_cols < 0)
				line_cols = cols;
			cr_assert_eq(cols, line_cols);
			cols = 1;
		}
	}
	cr_assert_eq(line_cols, 23);
	free(s);
}

static void json_rows(FILE *f, void *arg)
{
	lkb_row_t *r = (lkb_row_t *)arg;
	const char *meta[] = {"cpu", "Test \"CPU\"", "cores", "2"};
	lkb_json_write(f, meta, 2, r, 2);
}

Test(bench_stats, json_escapes_and_null_for_missing)
{
	lkb_row_t r[2];
	fill_rows(r);
	char *s = write_to_string(json_rows, r);
	cr_assert(strstr(s, "{\"meta\": {\"cpu\": \"Test \\\"CPU\\\"\", "
			    "\"cores\": \"2\"},") == s,
		  "%s", s);
	cr_assert_not_null(strstr(s, "\"impl\": \"lk_ticket\", \"threads\": 1, "
				     "\"pinned\": true, \"reps\": 5, "
				     "\"unit\": \"ns/op\", \"median\": 12.5, "
				     "\"min\": 12, \"max\": 14, "
				     "\"peer\": \"ck_ticket\", \"ratio\": 1.04, "
				     "\"peer2\": \"\", \"ratio2\": null"),
			   "%s", s);
	cr_assert_not_null(strstr(s, "\"workload\": \"ycsb,\\\"x\\\"\""), "%s",
			   s);
	cr_assert_not_null(strstr(s, "\"status\": \"did not finish in 10 s\", "
				     "\"rmw_per_txn\": 33.5, "
				     "\"rmw_anc_per_txn\": 4}"));
	/* balanced braces and brackets: a parser would accept the shape */
	int depth = 0, in_str = 0;
	for (const char *p = s; *p; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = 0;
			continue;
		}
		if (*p == '"')
			in_str = 1;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			cr_assert(--depth >= 0);
	}
	cr_assert_eq(depth, 0);
	cr_assert_eq(in_str, 0);
	free(s);
}

/* ---- the coarse baseline lock table the lock table is compared with ---- */

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "../bench/coarse.c"

Test(bench_coarse, wait_die_and_sharing)
{
	static lkc_table_t t;
	static lkc_txn_t a, b;
	lkc_init(&t, 4);
	lkc_txn_init(&a);
	lkc_txn_init(&b);
	lkc_txn_begin(&t, &a); /* older */
	lkc_txn_begin(&t, &b); /* younger */
	cr_assert_eq(lkc_lock(&a, 1, LKC_X), LKC_OK);
	cr_assert_eq(lkc_lock(&b, 1, LKC_S), LKC_DIE, "younger must die");
	cr_assert_eq(lkc_lock(&a, 2, LKC_S), LKC_OK);
	cr_assert_eq(lkc_lock(&b, 2, LKC_S), LKC_OK, "S and S share");
	cr_assert_eq(lkc_lock(&a, 2, LKC_S), LKC_OK, "re-lock is a no-op");
	cr_assert_eq(lkc_unlock(&b, 1), LKC_NOTHELD);
	cr_assert_eq(lkc_unlock(&b, 2), LKC_OK);
	lkc_release_all(&a);
	lkc_release_all(&b);
	/* everything released: the younger one may now take key 1 */
	lkc_txn_begin(&t, &b);
	cr_assert_eq(lkc_lock(&b, 1, LKC_X), LKC_OK);
	lkc_release_all(&b);
}

static lkc_txn_t w_old;
static atomic_int w_granted;

static void *older_waits(void *arg)
{
	(void)arg;
	int rc = lkc_lock(&w_old, 7, LKC_X);
	atomic_store(&w_granted, rc == LKC_OK ? 1 : -1);
	return NULL;
}

Test(bench_coarse, older_waits_until_release_all)
{
	static lkc_table_t t;
	static lkc_txn_t young;
	lkc_init(&t, 4);
	lkc_txn_init(&w_old);
	lkc_txn_init(&young);
	lkc_txn_begin(&t, &w_old);
	lkc_txn_begin(&t, &young);
	cr_assert_eq(lkc_lock(&young, 7, LKC_X), LKC_OK);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, older_waits, NULL), 0);
	usleep(50000);
	cr_assert_eq(atomic_load(&w_granted), 0, "older must wait, not pass");
	lkc_release_all(&young);
	pthread_join(th, NULL);
	cr_assert_eq(atomic_load(&w_granted), 1);
	lkc_release_all(&w_old);
}
