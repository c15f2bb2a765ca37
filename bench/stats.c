/* bench/stats.c: see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, int n)
{
	double *c = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
	if (!c)
		abort();
	memcpy(c, v, sizeof(double) * (size_t)(n > 0 ? n : 0));
	qsort(c, (size_t)n, sizeof(double), cmp_double);
	return c;
}

double lkb_median(const double *v, int n)
{
	if (n <= 0)
		return NAN;
	double *c = sorted_copy(v, n);
	double m = (n & 1) ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

double lkb_min(const double *v, int n)
{
	if (n <= 0)
		return NAN;
	double m = v[0];
	for (int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double lkb_max(const double *v, int n)
{
	if (n <= 0)
		return NAN;
	double m = v[0];
	for (int i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

double lkb_ratio(double a, double b)
{
	if (isnan(a) || isnan(b) || b == 0)
		return NAN;
	return a / b;
}

double lkb_percentile(const double *v, int n, double p)
{
	if (n <= 0)
		return NAN;
	double *c = sorted_copy(v, n);
	/* nearest rank: the ceil(p/100 * n)-th smallest, 1-based */
	long k = (long)ceil(p / 100.0 * n);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	double r = c[k - 1];
	free(c);
	return r;
}

void lkb_hist_clear(lkb_hist_t *h)
{
	memset(h, 0, sizeof(*h));
}

unsigned lkb_hist_bucket(uint64_t v)
{
	if (v < LKB_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v); /* >= SUB_BITS */
	unsigned shift = msb - LKB_SUB_BITS;
	unsigned sub = (unsigned)(v >> shift) & (LKB_SUB - 1);
	return (shift + 1) * LKB_SUB + sub;
}

uint64_t lkb_hist_bucket_top(unsigned idx)
{
	if (idx < LKB_SUB)
		return idx;
	unsigned shift = idx / LKB_SUB - 1;
	uint64_t sub = idx % LKB_SUB;
	uint64_t lo = (LKB_SUB + sub) << shift;
	return lo + ((uint64_t)1 << shift) - 1;
}

void lkb_hist_add(lkb_hist_t *h, uint64_t v)
{
	unsigned i = lkb_hist_bucket(v);
	if (i >= LKB_HIST_BUCKETS)
		i = LKB_HIST_BUCKETS - 1;
	h->b[i]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

void lkb_hist_merge(lkb_hist_t *into, const lkb_hist_t *from)
{
	for (unsigned i = 0; i < LKB_HIST_BUCKETS; i++)
		into->b[i] += from->b[i];
	into->count += from->count;
	if (from->max > into->max)
		into->max = from->max;
}

uint64_t lkb_hist_percentile(const lkb_hist_t *h, double p)
{
	if (!h->count)
		return 0;
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < LKB_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t top = lkb_hist_bucket_top(i);
			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}

void lkb_strcpy(char *dst, const char *src, size_t n)
{
	if (!n)
		return;
	size_t l = strlen(src);
	if (l >= n)
		l = n - 1;
	memcpy(dst, src, l);
	dst[l] = 0;
}

void lkb_row_init(lkb_row_t *r)
{
	memset(r, 0, sizeof(*r));
	r->median = r->min = r->max = NAN;
	r->ratio = r->ratio2 = r->fairness = NAN;
	r->p50 = r->p99 = r->p999 = r->aux = NAN;
	r->rmw = r->rmw_anc = NAN;
	lkb_strcpy(r->status, "ok", sizeof(r->status));
}

/* CSV: strings quoted when they hold a comma, quote or newline; a missing
 * number is an empty field. */
static void csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	if (!isnan(v))
		fprintf(f, "%.6g", v);
}

void lkb_csv_header(FILE *f)
{
	fputs("family,workload,impl,threads,pinned,reps,unit,median,min,max,"
	      "peer,ratio,peer2,ratio2,fairness,p50_ns,p99_ns,p999_ns,"
	      "aux_name,aux,status,rmw_per_txn,rmw_anc_per_txn\n",
	      f);
}

void lkb_csv_row(FILE *f, const lkb_row_t *r)
{
	csv_str(f, r->family);
	fputc(',', f);
	csv_str(f, r->workload);
	fputc(',', f);
	csv_str(f, r->impl);
	fprintf(f, ",%d,%d,%d,", r->threads, r->pinned ? 1 : 0, r->reps);
	csv_str(f, r->unit);
	const double nums1[3] = {r->median, r->min, r->max};
	for (int i = 0; i < 3; i++) {
		fputc(',', f);
		csv_num(f, nums1[i]);
	}
	fputc(',', f);
	csv_str(f, r->peer);
	fputc(',', f);
	csv_num(f, r->ratio);
	fputc(',', f);
	csv_str(f, r->peer2);
	fputc(',', f);
	csv_num(f, r->ratio2);
	const double nums2[4] = {r->fairness, r->p50, r->p99, r->p999};
	for (int i = 0; i < 4; i++) {
		fputc(',', f);
		csv_num(f, nums2[i]);
	}
	fputc(',', f);
	csv_str(f, r->aux_name);
	fputc(',', f);
	csv_num(f, r->aux);
	fputc(',', f);
	csv_str(f, r->status);
	fputc(',', f);
	csv_num(f, r->rmw);
	fputc(',', f);
	csv_num(f, r->rmw_anc);
	fputc('\n', f);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_num(FILE *f, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static void json_kv_str(FILE *f, const char *k, const char *v, bool comma)
{
	json_str(f, k);
	fputs(": ", f);
	json_str(f, v);
	if (comma)
		fputs(", ", f);
}

static void json_kv_num(FILE *f, const char *k, double v, bool comma)
{
	json_str(f, k);
	fputs(": ", f);
	json_num(f, v);
	if (comma)
		fputs(", ", f);
}

void lkb_json_write(FILE *f, const char *const *meta_kv, int n_meta,
		    const lkb_row_t *rows, int n_rows)
{
	fputs("{\"meta\": {", f);
	for (int i = 0; i < n_meta; i++)
		json_kv_str(f, meta_kv[2 * i], meta_kv[2 * i + 1],
			    i + 1 < n_meta);
	fputs("},\n \"rows\": [", f);
	for (int i = 0; i < n_rows; i++) {
		const lkb_row_t *r = &rows[i];
		fputs(i ? ",\n  {" : "\n  {", f);
		json_kv_str(f, "family", r->family, true);
		json_kv_str(f, "workload", r->workload, true);
		json_kv_str(f, "impl", r->impl, true);
		json_kv_num(f, "threads", r->threads, true);
		json_str(f, "pinned");
		fputs(r->pinned ? ": true, " : ": false, ", f);
		json_kv_num(f, "reps", r->reps, true);
		json_kv_str(f, "unit", r->unit, true);
		json_kv_num(f, "median", r->median, true);
		json_kv_num(f, "min", r->min, true);
		json_kv_num(f, "max", r->max, true);
		json_kv_str(f, "peer", r->peer, true);
		json_kv_num(f, "ratio", r->ratio, true);
		json_kv_str(f, "peer2", r->peer2, true);
		json_kv_num(f, "ratio2", r->ratio2, true);
		json_kv_num(f, "fairness", r->fairness, true);
		json_kv_num(f, "p50_ns", r->p50, true);
		json_kv_num(f, "p99_ns", r->p99, true);
		json_kv_num(f, "p999_ns", r->p999, true);
		json_kv_str(f, "aux_name", r->aux_name, true);
		json_kv_num(f, "aux", r->aux, true);
		json_kv_str(f, "status", r->status, true);
		json_kv_num(f, "rmw_per_txn", r->rmw, true);
		json_kv_num(f, "rmw_anc_per_txn", r->rmw_anc, false);
		fputc('}', f);
	}
	fputs("\n]}\n", f);
}
