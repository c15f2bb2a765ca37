/*
 * bench/lockmgr_work.c: the lock table family's threaded workloads
 * (impl_lockmgr.c lists them): Zipf keys, each txn's requests, and the
 * YCSB and hot-table driver over one back end at a time (the lock table,
 * Berkeley DB, the coarse baseline), which it also sets up.
 *
 * The counting build (build/bench/bench-count, linked with the library
 * built with -DLK_COUNT_RMW) runs these workloads on one thread and counts
 * the atomic read-modify-writes per txn on lines other txns also write
 * (lkb_lockmgr_count): the table's rmw/txn column.
 */
#include "lockmgr_work.h"

#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "coarse.h"

#define LKB_ROWS (1u << 20)

/* ---- Zipf (Gray et al., "Quickly generating billion-record synthetic
 * databases", SIGMOD 1994), zeta precomputed in the parent before fork ---- */

typedef struct {
	double theta, zetan, alpha, eta, half_pow;
} lkb_zipf_t;

static lkb_zipf_t zipfs[4];
static const double thetas[4] = {0.0, 0.6, 0.8, 0.99};

static void zipf_init(lkb_zipf_t *z, uint32_t n, double theta)
{
	double zn = 0, z2 = 1.0 + pow(0.5, theta);
	for (uint32_t i = 1; i <= n; i++)
		zn += pow((double)i, -theta);
	z->theta = theta;
	z->zetan = zn;
	z->alpha = 1.0 / (1.0 - theta);
	z->eta = (1.0 - pow(2.0 / n, 1.0 - theta)) / (1.0 - z2 / zn);
	z->half_pow = pow(0.5, theta);
}

static const lkb_zipf_t *zipf_for(double theta)
{
	for (int i = 0; i < 4; i++)
		if (fabs(zipfs[i].theta - theta) < 1e-9 && zipfs[i].zetan > 0)
			return &zipfs[i];
	/* not precomputed: compute here (costs ~20 ms) */
	static lkb_zipf_t z;
	zipf_init(&z, LKB_ROWS, theta);
	return &z;
}

static inline double rnd01(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

/* A row in [0, LKB_ROWS); hot rows scattered so they do not share buckets
 * by accident of numbering. */
static inline uint32_t zipf_next(const lkb_zipf_t *z, uint64_t *s)
{
	double u = rnd01(s), uz = u * z->zetan;
	uint64_t v;
	if (uz < 1.0)
		v = 0;
	else if (uz < 1.0 + z->half_pow)
		v = 1;
	else
		v = (uint64_t)((double)LKB_ROWS *
			       pow(z->eta * u - z->eta + 1.0, z->alpha));
	if (v >= LKB_ROWS)
		v = LKB_ROWS - 1;
	return (uint32_t)((v * 2654435761u) & (LKB_ROWS - 1));
}

/* One txn's requests: n rows, each read (S) or written (X); strong: it
 * first takes S on the whole table (hot-table; its rows are reads, which
 * the table lock covers). */
typedef struct {
	int n;
	bool strong;
	uint32_t key[LKB_REQS];
	bool write[LKB_REQS];
} lkb_txnspec_t;

static void make_txn(const lkb_zipf_t *z, uint64_t *s, lkb_txnspec_t *t)
{
	t->n = LKB_REQS;
	t->strong = false;
	for (int i = 0; i < LKB_REQS; i++) {
		uint32_t k;
		bool dup;
		do {
			k = zipf_next(z, s);
			dup = false;
			for (int j = 0; j < i; j++)
				dup |= t->key[j] == k;
		} while (dup);
		t->key[i] = k;
		t->write[i] = rnd01(s) < 0.5;
	}
}

/* hot-table: LKB_HOT_REQS rows uniform over LKB_ROWS, distinct, 50% S /
 * 50% X; the nth txn of a thread (from 1) is strong when every divides n. */
#define LKB_HOT_REQS 8
static void make_hot_txn(uint64_t *s, uint64_t nth, uint32_t every,
			 lkb_txnspec_t *t)
{
	t->n = LKB_HOT_REQS;
	t->strong = every && nth % every == 0;
	for (int i = 0; i < LKB_HOT_REQS; i++) {
		uint32_t k;
		bool dup;
		do {
			k = (uint32_t)(rnd01(s) * LKB_ROWS);
			dup = false;
			for (int j = 0; j < i; j++)
				dup |= t->key[j] == k;
		} while (dup);
		t->key[i] = k;
		t->write[i] = !t->strong && rnd01(s) < 0.5;
	}
}

/* Before a retry: give the CPU away once (with more threads than cores,
 * the txn we conflicted with may be preempted while holding its locks;
 * spinning here only delays it), then a randomized exponential backoff. */
static void backoff(int streak, uint64_t *s)
{
	sched_yield();
	int n = streak < 8 ? (1 << streak) * 64 : 16384;
	lkb_work((int)(rnd01(s) * n));
}

/* ---- the YCSB and hot-table driver, one back end at a time ---------------- */

typedef struct {
	int be;
	int policy;
	bool hier;         /* lock table: default modes, hierarchy on */
	int shape;         /* LKB_SHAPE_* */
	uint32_t strong_every;
	lkb_zipf_t zipf;
#if __has_include(<latchkit/lockmgr.h>)
	struct lk_lockmgr *mgr;
	struct lk_txn *bystander;
	struct lk_lockmgr **apart; /* lkb_ycsb_run_apart: thread i's table */
#endif
	DB_ENV *env;
	lkc_table_t *coarse;
} ycsb_t;

/* One thread's handles and counters. */
typedef struct {
	uint64_t seed, nth, calls;
	u_int32_t locker;
	DB_LOCK *bl;
	lkc_txn_t ct;
} ycsb_thread_t;

#if __has_include(<latchkit/lockmgr.h>)

/* flat: the S/X table, hierarchy off (one lock per call, as Berkeley DB);
 * hier: the default table with the hierarchy on, as the library ships */
bool lkb_lm_shared_next;

lk_lockmgr_t *lkb_lm_make(int policy, bool hier)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.policy = policy & ~LKB_LDSF;
	cfg.hierarchy = hier;
	cfg.modes = hier ? lk_modetable_default() : lk_modetable_sx();
	lk_lockmgr_t *m = NULL;
	int rc;
	if (lkb_lm_shared_next) { /* lk/shared: the table in a memfd segment */
		int fd = memfd_create("lkb-shared", 0);
		rc = fd < 0 ? LK_NOMEM : lk_lockmgr_create_shared(fd, &cfg, &m);
		if (fd >= 0)
			close(fd); /* the mapping keeps it */
	} else {
		rc = lk_lockmgr_create(&cfg, &m);
	}
	if (rc != LK_OK) {
		fprintf(stderr, "lk_lockmgr_create: %s\n", lk_strerror(rc));
		exit(4);
	}
	if ((policy & LKB_LDSF) &&
	    lk_lockmgr_set_grant_order(m, LK_GRANT_LDSF) != LK_OK)
		exit(4);
	return m;
}

void lkb_lm_check(int rc, const char *what)
{
	if (rc != LK_OK) {
		fprintf(stderr, "%s: %s\n", what, lk_strerror(rc));
		exit(4);
	}
}

/* The hierarchical cells' other session: a txn that holds IS on the
 * database and the table for the whole cell, as a server's other sessions
 * would, so that the ancestors' heads stay in the table at one thread as
 * they do at many (without it, one thread would make and free them in
 * every txn). It conflicts with nothing the workloads ask for. */
lk_txn_t *lkb_lm_bystander(lk_lockmgr_t *m)
{
	lk_txn_t *b = NULL;
	lk_res_t tab = lk_res_table(0, 1);
	lkb_lm_check(lk_txn_begin(m, &b), "lk_txn_begin");
	lkb_lm_check(lk_lock(b, &tab, LK_IS, 0, 0), "bystander lk_lock");
	return b;
}

/* one lock call of a txn; false: the txn must abort */
static bool lk_req(lk_txn_t *tx, const lk_res_t *r, int mode)
{
	int rc = lk_lock(tx, r, mode, LK_FOREVER, 0);
	if (rc != LK_OK && rc != LK_WOULDBLOCK && rc != LK_DEADLOCK &&
	    rc != LK_WOUNDED)
		lkb_lm_check(rc, "lk_lock");
	return rc == LK_OK;
}
#endif

DB_ENV *lkb_bdb_open(void)
{
	DB_ENV *e = NULL;
	char dir[] = "/tmp/lkb-bdb-XXXXXX";
	if (db_env_create(&e, 0) || !mkdtemp(dir)) {
		fprintf(stderr, "bdb: cannot create an environment\n");
		exit(4);
	}
	e->set_lk_max_locks(e, 200000);
	e->set_lk_max_lockers(e, 20000);
	e->set_lk_max_objects(e, 200000);
	e->set_lk_detect(e, DB_LOCK_YOUNGEST); /* detect at each conflict */
	int rc = e->open(e, dir, DB_CREATE | DB_PRIVATE | DB_INIT_LOCK | DB_THREAD,
			 0);
	rmdir(dir); /* private: nothing is kept in it */
	if (rc) {
		fprintf(stderr, "bdb: open: %s\n", db_strerror(rc));
		exit(4);
	}
	return e;
}

/* One attempt at txn spec: begin, its locks, commit (or abort at the first
 * lock refused). Samples one lock call in 8 into hist (if not NULL). */
static bool ycsb_try(ycsb_t *y, ycsb_thread_t *w, const lkb_txnspec_t *spec,
		     lkb_hist_t *hist)
{
	bool ok = true;
#if __has_include(<latchkit/lockmgr.h>)
	lk_txn_t *tx = NULL;
	if (y->be == BE_LK)
		lkb_lm_check(lk_txn_begin(y->mgr, &tx), "lk_txn_begin");
	if (y->be == BE_LK && spec->strong) {
		lk_res_t tab = lk_res_table(0, 1);
		ok = lk_req(tx, &tab, LK_S);
	}
#endif
	if (y->be == BE_COARSE)
		lkc_txn_begin(y->coarse, &w->ct);
	for (int i = 0; i < spec->n && ok; i++) {
		bool samp = hist && (w->calls++ & LKB_SAMPLE_MASK) == 0;
		uint64_t t0 = samp ? lkb_ns() : 0;
		if (y->be == BE_LK) {
#if __has_include(<latchkit/lockmgr.h>)
			lk_res_t r = lk_res_row(0, 1, spec->key[i] >> 6,
						spec->key[i]);
			int mode = y->hier ? (spec->write[i] ? LK_X : LK_S)
					   : (spec->write[i] ? LK_SX_X : LK_SX_S);
			ok = lk_req(tx, &r, mode);
#endif
		} else if (y->be == BE_BDB) {
			DBT obj;
			memset(&obj, 0, sizeof(obj));
			obj.data = (void *)(uintptr_t)&spec->key[i];
			obj.size = sizeof(spec->key[i]);
			int rc = y->env->lock_get(
				y->env, w->locker, 0, &obj,
				spec->write[i] ? DB_LOCK_WRITE : DB_LOCK_READ,
				&w->bl[i]);
			if (rc && rc != DB_LOCK_DEADLOCK &&
			    rc != DB_LOCK_NOTGRANTED) {
				fprintf(stderr, "bdb lock_get: %s\n",
					db_strerror(rc));
				exit(4);
			}
			ok = rc == 0;
		} else {
			ok = lkc_lock(&w->ct, spec->key[i],
				      spec->write[i] ? LKC_X : LKC_S) == LKC_OK;
		}
		if (samp)
			lkb_hist_add(hist, lkb_ns() - t0);
	}
	if (y->be == BE_LK) {
#if __has_include(<latchkit/lockmgr.h>)
		lkb_lm_check(ok ? lk_txn_commit(tx) : lk_txn_abort(tx),
			     "lk_txn_commit/abort");
#endif
	} else if (y->be == BE_BDB) {
		DB_LOCKREQ req;
		memset(&req, 0, sizeof(req));
		req.op = DB_LOCK_PUT_ALL;
		if (y->env->lock_vec(y->env, w->locker, 0, &req, 1, NULL))
			exit(4);
	} else {
		lkc_release_all(&w->ct);
	}
	return ok;
}

/* The next txn of thread w, retried (same requests) until it commits or
 * *stop (if not NULL) stops the cell. Returns whether it committed;
 * *aborts counts the failed attempts. */
static bool ycsb_txn(ycsb_t *y, ycsb_thread_t *w, const _Atomic int *stop,
		     lkb_hist_t *hist, uint64_t *aborts)
{
	lkb_txnspec_t spec;
	if (y->shape == LKB_SHAPE_HOT)
		make_hot_txn(&w->seed, ++w->nth, y->strong_every, &spec);
	else
		make_txn(&y->zipf, &w->seed, &spec);
	for (int streak = 0;; streak++) {
		if (ycsb_try(y, w, &spec, hist))
			return true;
		++*aborts;
		/* relaxed: as lkb_stopped */
		if (stop && atomic_load_explicit(stop, memory_order_relaxed))
			return false;
		backoff(streak, &w->seed);
	}
}

static void ycsb_thread_init(ycsb_t *y, ycsb_thread_t *w, int id)
{
	memset(w, 0, sizeof(*w));
	w->seed = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1) + 12345;
	if (y->be == BE_BDB) {
		if (y->env->lock_id(y->env, &w->locker))
			exit(4);
		w->bl = (DB_LOCK *)calloc(LKB_REQS, sizeof(DB_LOCK));
	}
	if (y->be == BE_COARSE)
		lkc_txn_init(&w->ct);
}

/* Worker id's txns until *stop: commits in st->ops, aborts in st->aux. */
static void ycsb_loop(ycsb_t *y, int id, const _Atomic int *stop,
		      lkb_tstat_t *st)
{
	uint64_t commits = 0, aborts = 0;
	ycsb_thread_t w;
	ycsb_thread_init(y, &w, id);
	while (!atomic_load_explicit(stop, memory_order_relaxed))
		commits += ycsb_txn(y, &w, stop, &st->hist, &aborts);
	st->ops = commits;
	st->aux = aborts;
	if (y->be == BE_BDB)
		y->env->lock_id_free(y->env, w.locker);
}

static void ycsb_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)
{
	ycsb_t *y = (ycsb_t *)tm->obj;
#if __has_include(<latchkit/lockmgr.h>)
	if (y->apart) { /* this thread's own table, the rest shared read-only */
		ycsb_t mine = *y;
		mine.mgr = y->apart[id];
		ycsb_loop(&mine, id, &tm->stop, st);
		return;
	}
#endif
	ycsb_loop(y, id, &tm->stop, st);
}

void lkb_ycsb_proc(int be, const lkb_params_t *p, struct lk_lockmgr *m,
		   DB_ENV *env, int id, const _Atomic int *stop,
		   lkb_tstat_t *st)
{
	ycsb_t y;
	memset(&y, 0, sizeof(y));
	y.be = be;
	y.shape = p->shape;
	y.strong_every = p->strong_every;
	if (p->shape == LKB_SHAPE_YCSB)
		y.zipf = *zipf_for(p->theta);
#if __has_include(<latchkit/lockmgr.h>)
	y.mgr = m;
#else
	(void)m;
#endif
	y.env = env;
	ycsb_loop(&y, id, stop, st);
}

static ycsb_t *ycsb_setup(int be, int policy, bool hier,
			  const lkb_params_t *p)
{
	ycsb_t *y = (ycsb_t *)lkb_alloc(sizeof(*y));
	y->be = be;
	y->policy = policy;
	y->hier = hier;
	y->shape = p->shape;
	y->strong_every = p->strong_every;
	if (p->shape == LKB_SHAPE_YCSB)
		y->zipf = *zipf_for(p->theta);
#if __has_include(<latchkit/lockmgr.h>)
	if (be == BE_LK)
		y->mgr = lkb_lm_make(policy, hier);
	if (be == BE_LK && hier)
		y->bystander = lkb_lm_bystander(y->mgr);
#endif
	if (be == BE_BDB)
		y->env = lkb_bdb_open();
	if (be == BE_COARSE) {
		y->coarse = (lkc_table_t *)lkb_alloc(sizeof(lkc_table_t));
		lkc_init(y->coarse, 16);
	}
	return y;
}

static void ycsb_team(ycsb_t *y, const lkb_params_t *p, lkb_result_t *r)
{
	lkb_team_t tm;
	memset(&tm, 0, sizeof(tm));
	tm.obj = y;
	tm.p = p;
	tm.fn = ycsb_worker;
	lkb_team_run(&tm, p->threads, p->dur_ms);
	lkb_team_result(&tm, p->threads, r, false);
	uint64_t commits = 0, aborts = 0;
	for (int i = 0; i < p->threads; i++) {
		commits += tm.st[i].ops;
		aborts += tm.st[i].aux;
	}
	r->aux = commits ? (double)aborts / (double)commits : NAN;
}

void lkb_ycsb_run(int be, int policy, bool hier, const lkb_params_t *p,
		  lkb_result_t *r)
{
	ycsb_team(ycsb_setup(be, policy, hier, p), p, r);
}

#if __has_include(<latchkit/lockmgr.h>)
void lkb_ycsb_run_apart(int policy, bool hier, const lkb_params_t *p,
			lkb_result_t *r)
{
	ycsb_t *y = ycsb_setup(BE_LK, policy, hier, p);
	y->apart = (struct lk_lockmgr **)lkb_alloc(sizeof(*y->apart) *
						   (size_t)p->threads);
	for (int i = 0; i < p->threads; i++) {
		y->apart[i] = i ? lkb_lm_make(policy, hier) : y->mgr;
		if (i && hier) /* each table its own other session */
			lkb_lm_bystander(y->apart[i]);
	}
	ycsb_team(y, p, r);
}
#endif

#if defined(LK_COUNT_RMW) && __has_include(<latchkit/lockmgr.h>)
/* lockmgr_int.h: this thread's RMWs on shared lines, all and on db/table
 * heads (only the counting build of the library defines them) */
extern _Thread_local uint64_t lk__rmw_shared, lk__rmw_shared_anc;

/* The lock table's implementations by name: policy, hierarchy. */
static const struct {
	const char *name;
	int policy;
	bool hier;
} lk_cfgs[] = {{"lk/no_wait", LK_POLICY_NO_WAIT, false},
	       {"lk/wait_die", LK_POLICY_WAIT_DIE, false},
	       {"lk/wound_wait", LK_POLICY_WOUND_WAIT, false},
	       {"lk/detect", LK_POLICY_DETECT, false},
	       {"lk/hier", LK_POLICY_DETECT, true}};

int lkb_lockmgr_count(const char *impl, const lkb_params_t *p, uint64_t txns,
		      double *rmw, double *anc)
{
	int k = -1;
	for (int i = 0; i < (int)(sizeof(lk_cfgs) / sizeof(lk_cfgs[0])); i++)
		if (!strcmp(lk_cfgs[i].name, impl))
			k = i;
	if (k < 0 || !txns)
		return 1;
	ycsb_t *y = ycsb_setup(BE_LK, lk_cfgs[k].policy, lk_cfgs[k].hier, p);
	ycsb_thread_t w;
	ycsb_thread_init(y, &w, 0);
	uint64_t aborts = 0;
	/* warm-up: the slot's request and head caches fill */
	for (uint64_t i = 0; i < txns / 10 + 100; i++)
		ycsb_txn(y, &w, NULL, NULL, &aborts);
	uint64_t r0 = lk__rmw_shared, a0 = lk__rmw_shared_anc;
	for (uint64_t i = 0; i < txns; i++)
		ycsb_txn(y, &w, NULL, NULL, &aborts);
	*rmw = (double)(lk__rmw_shared - r0) / (double)txns;
	*anc = (double)(lk__rmw_shared_anc - a0) / (double)txns;
	if (y->bystander)
		lkb_lm_check(lk_txn_commit(y->bystander), "lk_txn_commit");
	lk_lockmgr_destroy(y->mgr);
	return 0;
}
#else
int lkb_lockmgr_count(const char *impl, const lkb_params_t *p, uint64_t txns,
		      double *rmw, double *anc)
{
	(void)impl, (void)p, (void)txns, (void)rmw, (void)anc;
	return -1;
}
#endif

/* zeta(n, theta) once in the parent, before any cell forks */
void lkb_lockmgr_prepare(void)
{
	for (int i = 0; i < 4; i++)
		if (zipfs[i].zetan == 0)
			zipf_init(&zipfs[i], LKB_ROWS, thetas[i]);
}
