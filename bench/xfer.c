/*
 * bench/xfer.c: cache-line transfers per txn between two threads under one
 * lock table (make bench-xfer). There are no hardware counters here, so a
 * model counts them: the library is built with gcc's -fsanitize=thread
 * instrumentation, and the hooks below stand in for TSan's runtime. They
 * keep, per 64-byte line, the set of threads holding a copy, and count an
 * access by a thread that must take the line from the other (a write with
 * another holder, a read of a line it does not hold that the other does),
 * by code address. Two threads run the hot-table txns (8 uniform rows of
 * table 1, 50% S / 50% X, hierarchy on, one txn in --strong-every (1000,
 * as the bench; 0: none) first taking S on the table; --flat: the S/X
 * table, no hierarchy, no strong txn) in strict alternation, one call
 * each: both running at once, caches without limit. Output: "xfer TOTAL per txn", then one line per
 * code address "ADDR PER_TXN REGION" (bench/xfer.sh names the lines).
 *
 * --price: what a modelled transfer costs on this machine, timed (no
 * model): two threads on two CPUs each read and then CAS a random 16-byte
 * slot of a 1 MB array, the next slot depending on the value read (as a
 * lock call's bucket walk depends on the bucket's word), on arrays of their
 * own and then on one array. On the shared one half of the accesses find
 * the line last written by the other CPU, which the model counts as two
 * transfers (the read, then the write while the other holds a copy): one
 * modelled transfer per access, so the time an access gains is the price.
 */
#include "../lockmgr/lockmgr_int.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

/* ---- the model: lines and their holders ---------------------------------- */

#define XF_LINES (1u << 22) /* open addressing, lines ever touched */
#define XF_PCS (1u << 16)
typedef struct {
	uintptr_t line;
	uint8_t mask; /* threads holding a copy */
} xf_line_t;
static xf_line_t *xf_tab;
static struct {
	uintptr_t pc, line;
	uint64_t n;
} xf_pc[XF_PCS];
static __thread int xf_me = -1;
static int xf_nthreads, xf_on;
static uint64_t xf_total;

static xf_line_t *xf_get(uintptr_t line)
{
	uint32_t h = (uint32_t)((line * 0x9E3779B97F4A7C15ull) >> 40) & (XF_LINES - 1);
	while (xf_tab[h].line && xf_tab[h].line != line)
		h = (h + 1) & (XF_LINES - 1);
	xf_tab[h].line = line;
	return &xf_tab[h];
}

static void xf_note(uintptr_t pc, uintptr_t line)
{
	xf_total++;
	uint32_t h = (uint32_t)((pc * 0x9E3779B97F4A7C15ull) >> 40) & (XF_PCS - 1);
	while (xf_pc[h].pc && xf_pc[h].pc != pc)
		h = (h + 1) & (XF_PCS - 1);
	xf_pc[h].pc = pc;
	xf_pc[h].line = line;
	xf_pc[h].n++;
}

/* Only one thread runs library code at a time (strict alternation), so
 * the model needs no latch. */
static void xf_acc(const volatile void *a, int write, void *pc)
{
	if (xf_me < 0)
		xf_me = __atomic_fetch_add(&xf_nthreads, 1, __ATOMIC_RELAXED);
	uintptr_t line = (uintptr_t)a >> 6;
	xf_line_t *e = xf_get(line);
	uint8_t me = (uint8_t)(1u << (xf_me & 7));
	if (write) {
		if ((e->mask & ~me) && xf_on)
			xf_note((uintptr_t)pc, line);
		e->mask = me;
	} else if (!(e->mask & me)) {
		if ((e->mask & ~me) && xf_on)
			xf_note((uintptr_t)pc, line);
		e->mask |= me;
	}
}

/* ---- the hooks gcc's -fsanitize=thread calls ------------------------------ */

#define XF_PC __builtin_return_address(0)
void __tsan_init(void);
void __tsan_init(void) {}
void __tsan_func_entry(void *p);
void __tsan_func_entry(void *p) { (void)p; }
void __tsan_func_exit(void);
void __tsan_func_exit(void) {}
void __tsan_mutex_pre_divert(void *a, unsigned f);
void __tsan_mutex_pre_divert(void *a, unsigned f) { (void)a, (void)f; }
void __tsan_mutex_post_divert(void *a, unsigned f);
void __tsan_mutex_post_divert(void *a, unsigned f) { (void)a, (void)f; }
#define XF_RW(n)                                                               \
	void __tsan_read##n(void *a);                                          \
	void __tsan_read##n(void *a) { xf_acc(a, 0, XF_PC); }                  \
	void __tsan_write##n(void *a);                                         \
	void __tsan_write##n(void *a) { xf_acc(a, 1, XF_PC); }
XF_RW(1)
XF_RW(2)
XF_RW(4)
XF_RW(8)
XF_RW(16)
void __tsan_read_range(void *a, unsigned long n);
void __tsan_read_range(void *a, unsigned long n)
{
	for (unsigned long i = 0; i < n; i += 8)
		xf_acc((char *)a + i, 0, XF_PC);
}
void __tsan_write_range(void *a, unsigned long n);
void __tsan_write_range(void *a, unsigned long n)
{
	for (unsigned long i = 0; i < n; i += 8)
		xf_acc((char *)a + i, 1, XF_PC);
}
/* atomics: done seq_cst (the model needs no weaker order), counted as a
 * read (load) or a write (everything else, a failed CAS included: it
 * takes the line exclusive) */
#define XF_AT(n, T)                                                            \
	T __tsan_atomic##n##_load(const volatile T *a, int mo);                \
	T __tsan_atomic##n##_load(const volatile T *a, int mo)                 \
	{ (void)mo; xf_acc(a, 0, XF_PC); return __atomic_load_n(a, __ATOMIC_SEQ_CST); } \
	void __tsan_atomic##n##_store(volatile T *a, T v, int mo);             \
	void __tsan_atomic##n##_store(volatile T *a, T v, int mo)              \
	{ (void)mo; xf_acc(a, 1, XF_PC); __atomic_store_n(a, v, __ATOMIC_SEQ_CST); } \
	T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo);             \
	T __tsan_atomic##n##_exchange(volatile T *a, T v, int mo)              \
	{ (void)mo; xf_acc(a, 1, XF_PC); return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); } \
	T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo);            \
	T __tsan_atomic##n##_fetch_add(volatile T *a, T v, int mo)             \
	{ (void)mo; xf_acc(a, 1, XF_PC); return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); } \
	T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo);            \
	T __tsan_atomic##n##_fetch_sub(volatile T *a, T v, int mo)             \
	{ (void)mo; xf_acc(a, 1, XF_PC); return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); } \
	T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo);             \
	T __tsan_atomic##n##_fetch_or(volatile T *a, T v, int mo)              \
	{ (void)mo; xf_acc(a, 1, XF_PC); return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST); } \
	T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo);            \
	T __tsan_atomic##n##_fetch_and(volatile T *a, T v, int mo)             \
	{ (void)mo; xf_acc(a, 1, XF_PC); return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST); } \
	int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int f); \
	int __tsan_atomic##n##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int f) \
	{ (void)mo, (void)f; xf_acc(a, 1, XF_PC);                              \
	  return __atomic_compare_exchange_n(a, c, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); } \
	int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int f); \
	int __tsan_atomic##n##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int f) \
	{ (void)mo, (void)f; xf_acc(a, 1, XF_PC);                              \
	  return __atomic_compare_exchange_n(a, c, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
XF_AT(8, uint8_t)
XF_AT(16, uint16_t)
XF_AT(32, uint32_t)
XF_AT(64, uint64_t)
/* a compiler barrier (the pool's order of stores for a killed process)
 * moves no line */
void __tsan_atomic_signal_fence(int mo);
void __tsan_atomic_signal_fence(int mo) { (void)mo; }

/* ---- the workload --------------------------------------------------------- */

#define XF_ROWS (1u << 20)
static lk_lockmgr_t *m;
static bool flat;
static uint64_t warm = 2000, meas = 5000, strong_every = 1000;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;

static void step_begin(int id)
{
	pthread_mutex_lock(&mu);
	while (turn != id)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static void step_end(int id)
{
	pthread_mutex_lock(&mu);
	turn = 1 - id;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

static double rnd01(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

static void *worker(void *a)
{
	int id = (int)(intptr_t)a;
	uint64_t seed = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1) + 12345;
	for (uint64_t n = 0; n < warm + meas; n++) {
		if (id == 0 && n == warm)
			xf_on = 1;
		lk_txn_t *t = NULL;
		step_begin(id);
		if (lk_txn_begin(m, &t) != LK_OK)
			exit(3);
		step_end(id);
		if (!flat && strong_every && (n + 1) % strong_every == 0) {
			lk_res_t tab = lk_res_table(0, 1);
			step_begin(id);
			/* the other thread is between calls of a txn that holds
			 * IX on the table: no wait, a refusal (the txn goes on
			 * without it) */
			(void)lk_lock(t, &tab, LK_S, 0, 0);
			step_end(id);
		}
		for (int i = 0; i < 8; i++) {
			uint32_t k = (uint32_t)(rnd01(&seed) * XF_ROWS);
			bool wr = rnd01(&seed) < 0.5;
			lk_res_t r = lk_res_row(0, 1, k >> 6, k);
			step_begin(id);
			(void)lk_lock(t, &r, flat ? (wr ? LK_SX_X : LK_SX_S) : (wr ? LK_X : LK_S), 0, 0);
			step_end(id);
		}
		step_begin(id);
		lk_txn_commit(t);
		step_end(id);
	}
	return NULL;
}

static const char *region(uintptr_t a)
{
	if (a >= (uintptr_t)m && a < (uintptr_t)(m + 1))
		return "manager";
	if (a >= (uintptr_t)m->txns && a < (uintptr_t)m->txns + (size_t)m->ntxns * LK__TXN_SLOT)
		return "txn-slot";
	if (a >= (uintptr_t)m->reqs && a < (uintptr_t)(m->reqs + m->nreqs + 1))
		return "request";
	if (a >= (uintptr_t)m->heads && a < (uintptr_t)(m->heads + m->nheads + 1))
		return "head";
	if (a >= (uintptr_t)m->buckets && a < (uintptr_t)(m->buckets + m->bmask + 1))
		return "bucket";
	if (a >= (uintptr_t)m->fp && a < (uintptr_t)(m->fp + m->ntxns))
		return "fp-records";
	if (a >= (uintptr_t)m->fp_count && a < (uintptr_t)(m->fp_count + LK__FP_PARTS))
		return "fp-count";
	return "other";
}

/* ---- --price ---------------------------------------------------------------- */

#define PR_SLOTS (1u << 16) /* 16 bytes each: 1 MB */
#define PR_N 2000000
typedef struct {
	_Atomic uint64_t *arr;
	int cpu;
	double ns; /* per access */
} pr_arg_t;
static _Atomic int pr_go;

static void *pr_thread(void *a)
{
	pr_arg_t *p = (pr_arg_t *)a;
	cpu_set_t cs;
	CPU_ZERO(&cs);
	CPU_SET(p->cpu, &cs);
	pthread_setaffinity_np(pthread_self(), sizeof cs, &cs);
	uint64_t s = 0x9e3779b97f4a7c15ull * (uint64_t)(p->cpu + 1);
	while (!atomic_load(&pr_go))
		;
	uint64_t t0 = lk__now_ns();
	for (int i = 0; i < PR_N; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		_Atomic uint64_t *w = &p->arr[2 * (s % PR_SLOTS)];
		uint64_t v = atomic_load_explicit(w, memory_order_acquire);
		atomic_compare_exchange_strong(w, &v, v + 1);
		s += v & 1; /* the next slot waits for this one */
	}
	p->ns = (double)(lk__now_ns() - t0) / PR_N;
	return NULL;
}

/* ns per access, two threads, each on its own array or both on arr[0] */
static double pr_run(_Atomic uint64_t *arr[2], bool shared)
{
	pr_arg_t a[2];
	pthread_t th[2];
	atomic_store(&pr_go, 0);
	for (int i = 0; i < 2; i++) {
		a[i] = (pr_arg_t){shared ? arr[0] : arr[i], i, 0};
		if (pthread_create(&th[i], NULL, pr_thread, &a[i]))
			exit(1);
	}
	atomic_store(&pr_go, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	return (a[0].ns + a[1].ns) / 2;
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static int price(void)
{
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
		printf("price: one CPU, no transfers to time\n");
		return 0;
	}
	_Atomic uint64_t *arr[2];
	for (int i = 0; i < 2; i++) {
		arr[i] = (_Atomic uint64_t *)calloc(2 * PR_SLOTS, sizeof(uint64_t));
		if (!arr[i])
			return 1;
	}
	double own[5], one[5]; /* interleaved, medians */
	for (int k = 0; k < 5; k++) {
		own[k] = pr_run(arr, false);
		one[k] = pr_run(arr, true);
	}
	qsort(own, 5, sizeof(double), cmp_d);
	qsort(one, 5, sizeof(double), cmp_d);
	printf("price %.1f ns per modelled transfer (a dependent read+CAS of a random "
	       "line of 1 MB, 2 CPUs: %.1f ns on their own arrays, %.1f on one; medians of 5)\n",
	       one[2] - own[2], own[2], one[2]);
	return 0;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--price"))
			return price();
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--flat"))
			flat = true;
		else if (!strcmp(argv[i], "--txns") && i + 1 < argc)
			meas = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--strong-every") && i + 1 < argc)
			strong_every = strtoull(argv[++i], NULL, 10);
	xf_tab = (xf_line_t *)calloc(XF_LINES, sizeof *xf_tab);
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.hierarchy = !flat;
	c.modes = flat ? lk_modetable_sx() : lk_modetable_default();
	if (!xf_tab || lk_lockmgr_create(&c, &m) != LK_OK)
		return 1;
	if (!flat) { /* the bench's bystander: IS on the table for the run */
		lk_txn_t *b = NULL;
		lk_res_t tab = lk_res_table(0, 1);
		if (lk_txn_begin(m, &b) != LK_OK || lk_lock(b, &tab, LK_IS, 0, 0) != LK_OK)
			return 2;
	}
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	double txns = 2.0 * (double)meas;
	printf("xfer %.3f per txn (%s, %llu txns per thread, strong every %llu)\n",
	       (double)xf_total / txns, flat ? "flat" : "hot-table",
	       (unsigned long long)meas, (unsigned long long)(flat ? 0 : strong_every));
	for (uint32_t i = 0; i < XF_PCS; i++)
		if (xf_pc[i].n)
			printf("%lx %.4f %s\n", (unsigned long)xf_pc[i].pc,
			       (double)xf_pc[i].n / txns, region(xf_pc[i].line << 6));
	return 0;
}
