/*
 * bench/impl_lockmgr.c: the lock table (liblatchkit) against Berkeley DB's
 * lock subsystem and the coarse baseline (bench/coarse.c).
 *
 *   uncontended           one txn, lock + unlock of one row, repeated
 *   16-locks-release-all  begin, 16 row locks, commit (release all); per lock
 *   memory                bytes per granted request
 *   ycsb-tTHETA           DBx1000's YCSB shape: 16 requests per txn on a table
 *                         of LKB_ROWS rows, 50% S / 50% X, keys drawn from
 *                         Zipf(theta) (Gray et al.'s generator), distinct
 *                         within a txn; an aborted txn is retried with the
 *                         same keys after a yield and a short backoff.
 *                         Committed txn/s, aborts per committed txn,
 *                         lock-call latency.
 *   hot-table             every txn under one table: 8 rows uniform over
 *                         LKB_ROWS, 50% S / 50% X (row conflicts are rare),
 *                         IS/IX on the database, table and page through the
 *                         hierarchy; one txn in --strong-every (1000) first
 *                         takes S on the whole table (the strong path).
 *
 * lk/no_wait .. lk/detect run the table flat (hierarchy off, the S/X mode
 * table) as Berkeley DB's lock_get does: one lock per call on both sides.
 * lk/hier runs it as shipped (default modes, hierarchy on): the same row
 * requests, plus the intention locks the table takes itself.
 *
 * The threaded workloads' driver, and the back ends' setup, are
 * lockmgr_work.c's; this file: the implementations, their single-thread
 * loops and the registration.
 */
#include "lockmgr_work.h"

#include <malloc.h>
#include <stdio.h>

#include "coarse.h"

/* ---- single-thread loops ------------------------------------------------- */

#if __has_include(<latchkit/lockmgr.h>)
/* flat: the S/X table, hierarchy off (one lock per call, as Berkeley DB) */
static lk_lockmgr_t *lk_make(int policy)
{
	return lkb_lm_make(policy, false);
}

static double lk_pairs(uint64_t n)
{
	lk_lockmgr_t *m = lk_make(LK_POLICY_DETECT);
	lk_txn_t *tx;
	lkb_lm_check(lk_txn_begin(m, &tx), "lk_txn_begin");
	lk_res_t r = lk_res_row(0, 1, 7, 42);
	uint64_t t0 = lkb_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (lk_lock(tx, &r, LK_SX_X, 0, 0) != LK_OK ||
		    lk_unlock(tx, &r) != LK_OK)
			exit(4);
	}
	uint64_t t1 = lkb_ns();
	lkb_lm_check(lk_txn_commit(tx), "lk_txn_commit");
	lk_lockmgr_destroy(m);
	return (double)(t1 - t0) / (double)n;
}

/* n txns of begin, 16 X row locks (rows numbered on, 64 to a page, or
 * one to a page: lkb_l16_key), commit; hier: with the hierarchy, each row
 * lock takes IX on the database, the table and the page itself (the
 * bystander keeps the first two in the table, as under YCSB-hier). */
static void lk_txns16(lk_lockmgr_t *m, bool hier, uint64_t n)
{
	int x = hier ? LK_X : LK_SX_X;
	for (uint64_t i = 0; i < n; i++) {
		lk_txn_t *tx;
		if (lk_txn_begin(m, &tx) != LK_OK)
			exit(4);
		uint32_t base = (uint32_t)(i & (LKB_L16_TXNS - 1)) * LKB_REQS;
		for (uint32_t k = 0; k < LKB_REQS; k++) {
			uint32_t key = lkb_l16_key(base + k);
			lk_res_t r = lk_res_row(0, 1, key >> 6, key);
			if (lk_lock(tx, &r, x, 0, 0) != LK_OK)
				exit(4);
		}
		if (lk_txn_commit(tx) != LK_OK)
			exit(4);
	}
}

static double lk_lock16_loop(uint64_t n, bool hier)
{
	lk_lockmgr_t *m = lkb_lm_make(LK_POLICY_DETECT, hier);
	if (hier)
		lkb_lm_bystander(m);
	lk_txns16(m, hier, LKB_L16_TXNS); /* warm: see LKB_L16_TXNS */
	uint64_t t0 = lkb_ns();
	lk_txns16(m, hier, n);
	uint64_t t1 = lkb_ns();
	lk_lockmgr_destroy(m); /* (the bystander's txn goes with it) */
	return (double)(t1 - t0) / (double)(n * LKB_REQS);
}

static double lk_lock16(uint64_t n)
{
	return lk_lock16_loop(n, false);
}

static double lk_hier_lock16(uint64_t n)
{
	return lk_lock16_loop(n, true);
}

static double lk_mem_request(void)
{
	return (double)lk_request_size();
}

/* The whole table (one allocation sized from the config: requests, heads,
 * txns, hash) divided by the requests it can hold. */
static double lk_mem_table(void)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.hierarchy = false;
	cfg.modes = lk_modetable_sx();
	struct mallinfo2 a = mallinfo2();
	lk_lockmgr_t *m = NULL;
	if (lk_lockmgr_create(&cfg, &m) != LK_OK)
		exit(4);
	struct mallinfo2 b = mallinfo2();
	double bytes = (double)(b.uordblks - a.uordblks) +
		       (double)(b.hblkhd - a.hblkhd);
	return bytes / (double)cfg.max_requests;
}

#define LK_POLICY_IMPL(ID, NAME, POL)                                          \
	static void ID##_run(const lkb_params_t *p, lkb_result_t *r)           \
	{                                                                      \
		lkb_ycsb_run(BE_LK, POL, false, p, r);                         \
	}                                                                      \
	static const lkb_impl_t ID##_impl = {                                  \
		"lockmgr", NAME, "bdb", "coarse", 0, NULL, NULL, ID##_run,     \
		NULL,	   NULL, NULL};
LK_POLICY_IMPL(lk_nowait, "lk/no_wait", LK_POLICY_NO_WAIT)
LK_POLICY_IMPL(lk_waitdie, "lk/wait_die", LK_POLICY_WAIT_DIE)
LK_POLICY_IMPL(lk_woundwait, "lk/wound_wait", LK_POLICY_WOUND_WAIT)
LK_POLICY_IMPL(lk_detect_ldsf, "lk/detect+ldsf", LK_POLICY_DETECT | LKB_LDSF)
static void lk_detect_run(const lkb_params_t *p, lkb_result_t *r)
{
	lkb_ycsb_run(BE_LK, LK_POLICY_DETECT, false, p, r);
}
static const lkb_impl_t lk_detect_impl = {
	"lockmgr",
	"lk/detect",
	"bdb",
	"coarse",
	0,
	lk_pairs,
	NULL,
	lk_detect_run,
	"lk/no_wait .. lk/detect: the lock table, flat (no hierarchy), S/X "
	"modes; single-thread "
	"rows use lk/detect (the policy does not matter there); 16-locks rows "
	"include lk_txn_begin and lk_txn_commit",
	lk_lock16,
	lk_mem_request};
static void lk_hier_run(const lkb_params_t *p, lkb_result_t *r)
{
	lkb_ycsb_run(BE_LK, LK_POLICY_DETECT, true, p, r);
}
static const lkb_impl_t lk_hier_impl = {
	"lockmgr",
	"lk/hier",
	"bdb",
	"coarse",
	0,
	NULL,
	NULL,
	lk_hier_run,
	"lk/hier: the lock table as shipped: default modes, hierarchy on, "
	"LK_POLICY_DETECT; a row lock (row r on page r/64 of table 1, db 0) "
	"takes IS/IX on the database, the table and the page itself; a "
	"bystander txn holds IS on the database and table for the whole cell "
	"(another session), so their heads stay at one thread as at many; "
	"bdb and coarse stay flat (one lock per row, no table or page "
	"locks); hot-table: lk/hier and lk/hier-apart only",
	lk_hier_lock16,
	NULL};
/* lk/hier-apart: lk/hier with each thread on a table of its own */
static void lk_hier_apart_run(const lkb_params_t *p, lkb_result_t *r)
{
	lkb_ycsb_run_apart(LK_POLICY_DETECT, true, p, r);
}
static const lkb_impl_t lk_hier_apart_impl = {
	"lockmgr", "lk/hier-apart", "lk/hier", NULL, 0, NULL, NULL,
	lk_hier_apart_run,
	"lk/hier-apart: lk/hier's threaded cells with each thread on a table "
	"of its own (nothing shared: what this machine gives the workload at "
	"that thread count); ratio: against lk/hier on one table",
	NULL, NULL};
/* lk/shared: lk/detect's cells on a table made by
 * lk_lockmgr_create_shared (one process, its threads) */
static double lk_sh_pairs(uint64_t n)
{
	lkb_lm_shared_next = true;
	double r = lk_pairs(n);
	lkb_lm_shared_next = false;
	return r;
}
static double lk_sh_lock16(uint64_t n)
{
	lkb_lm_shared_next = true;
	double r = lk_lock16_loop(n, false);
	lkb_lm_shared_next = false;
	return r;
}
static void lk_sh_run(const lkb_params_t *p, lkb_result_t *r)
{
	lkb_lm_shared_next = true;
	lkb_ycsb_run(BE_LK, LK_POLICY_DETECT, false, p, r);
	lkb_lm_shared_next = false;
}
static const lkb_impl_t lk_shared_impl = {
	"lockmgr", "lk/shared", "lk/detect", NULL, 0, lk_sh_pairs, NULL,
	lk_sh_run,
	"lk/shared: lk/detect's cells with the table in a shared segment "
	"(lk_lockmgr_create_shared on a memfd; one process, its threads)",
	lk_sh_lock16, NULL};
static const lkb_impl_t lk_table_impl = {
	"lockmgr",	"lk/whole-table", "bdb", NULL, 0, NULL, NULL, NULL,
	"lk/whole-table: memory = the table's one allocation / max_requests "
	"(heads, txns and hash included)",
	NULL,		lk_mem_table};
#endif

/* Berkeley DB: one locker per thread; lock_get/lock_put, lock_vec
 * DB_LOCK_PUT_ALL to release all; deadlocks found at each conflict
 * (DB_LOCK_YOUNGEST). */
static double bdb_pairs(uint64_t n)
{
	DB_ENV *e = lkb_bdb_open();
	u_int32_t locker;
	if (e->lock_id(e, &locker))
		exit(4);
	uint32_t key = 42;
	DBT obj;
	memset(&obj, 0, sizeof(obj));
	obj.data = &key;
	obj.size = sizeof(key);
	DB_LOCK l;
	uint64_t t0 = lkb_ns();
	for (uint64_t i = 0; i < n; i++)
		if (e->lock_get(e, locker, 0, &obj, DB_LOCK_WRITE, &l) ||
		    e->lock_put(e, &l))
			exit(4);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)n;
}

static void bdb_txns16(DB_ENV *e, u_int32_t locker, uint64_t n)
{
	DB_LOCK l;
	DB_LOCKREQ req;
	memset(&req, 0, sizeof(req));
	req.op = DB_LOCK_PUT_ALL;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t base = (uint32_t)(i & (LKB_L16_TXNS - 1)) * LKB_REQS;
		for (uint32_t k = 0; k < LKB_REQS; k++) {
			uint32_t key = lkb_l16_key(base + k);
			DBT obj;
			memset(&obj, 0, sizeof(obj));
			obj.data = &key;
			obj.size = sizeof(key);
			if (e->lock_get(e, locker, 0, &obj, DB_LOCK_WRITE, &l))
				exit(4);
		}
		if (e->lock_vec(e, locker, 0, &req, 1, NULL))
			exit(4);
	}
}

static double bdb_lock16(uint64_t n)
{
	DB_ENV *e = lkb_bdb_open();
	u_int32_t locker;
	if (e->lock_id(e, &locker))
		exit(4);
	bdb_txns16(e, locker, LKB_L16_TXNS); /* warm: see LKB_L16_TXNS */
	uint64_t t0 = lkb_ns();
	bdb_txns16(e, locker, n);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)(n * LKB_REQS);
}

/* Heap growth per granted lock, N locks on distinct objects by one locker
 * (a private environment's region lives on the heap). */
static double bdb_mem(void)
{
	DB_ENV *e = lkb_bdb_open();
	u_int32_t locker;
	if (e->lock_id(e, &locker))
		exit(4);
	const uint32_t n = 50000;
	struct mallinfo2 a = mallinfo2();
	for (uint32_t i = 0; i < n; i++) {
		DB_LOCK l;
		DBT obj;
		memset(&obj, 0, sizeof(obj));
		obj.data = &i;
		obj.size = sizeof(i);
		if (e->lock_get(e, locker, 0, &obj, DB_LOCK_WRITE, &l))
			exit(4);
	}
	struct mallinfo2 b = mallinfo2();
	return ((double)(b.uordblks - a.uordblks) +
		(double)(b.hblkhd - a.hblkhd)) /
	       n;
}

static void bdb_run(const lkb_params_t *p, lkb_result_t *r)
{
	lkb_ycsb_run(BE_BDB, 0, false, p, r);
}

static const lkb_impl_t bdb_impl = {
	"lockmgr", "bdb", NULL, NULL, 0, bdb_pairs, NULL, bdb_run,
	"bdb: " DB_VERSION_STRING ", lock subsystem, private "
	"environment, DB_THREAD, deadlock detection at each conflict; memory = "
	"heap growth per lock granted on a distinct object",
	bdb_lock16, bdb_mem};

/* The coarse baseline: one mutex over everything, wait-die. */
static double coarse_pairs(uint64_t n)
{
	lkc_table_t *t = (lkc_table_t *)lkb_alloc(sizeof(*t));
	lkc_init(t, 16);
	lkc_txn_t x;
	lkc_txn_init(&x);
	lkc_txn_begin(t, &x);
	uint64_t t0 = lkb_ns();
	for (uint64_t i = 0; i < n; i++)
		if (lkc_lock(&x, 42, LKC_X) || lkc_unlock(&x, 42))
			exit(4);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)n;
}

static void coarse_txns16(lkc_table_t *t, lkc_txn_t *x, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		lkc_txn_begin(t, x);
		uint32_t base = (uint32_t)(i & (LKB_L16_TXNS - 1)) * LKB_REQS;
		for (uint32_t k = 0; k < LKB_REQS; k++)
			if (lkc_lock(x, lkb_l16_key(base + k), LKC_X))
				exit(4);
		lkc_release_all(x);
	}
}

static double coarse_lock16(uint64_t n)
{
	lkc_table_t *t = (lkc_table_t *)lkb_alloc(sizeof(*t));
	lkc_init(t, 16);
	lkc_txn_t x;
	lkc_txn_init(&x);
	coarse_txns16(t, &x, LKB_L16_TXNS); /* warm: see LKB_L16_TXNS */
	uint64_t t0 = lkb_ns();
	coarse_txns16(t, &x, n);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)(n * LKB_REQS);
}

static void coarse_run(const lkb_params_t *p, lkb_result_t *r)
{
	lkb_ycsb_run(BE_COARSE, 0, false, p, r);
}

/* Heap growth per lock granted on a distinct key: request + entry. */
static double coarse_mem(void)
{
	lkc_table_t *t = (lkc_table_t *)lkb_alloc(sizeof(*t));
	lkc_init(t, 16);
	lkc_txn_t x;
	lkc_txn_init(&x);
	lkc_txn_begin(t, &x);
	const uint32_t n = 50000;
	struct mallinfo2 a = mallinfo2();
	for (uint32_t i = 0; i < n; i++)
		if (lkc_lock(&x, i, LKC_X))
			exit(4);
	struct mallinfo2 b = mallinfo2();
	return ((double)(b.uordblks - a.uordblks) +
		(double)(b.hblkhd - a.hblkhd)) /
	       n;
}

static const lkb_impl_t coarse_impl = {
	"lockmgr", "coarse", "bdb", NULL, 0, coarse_pairs, NULL, coarse_run,
	"coarse: bench/coarse.c, one pthread mutex over a hash table of FIFO "
	"queues, wait-die; memory = heap growth per lock granted on a distinct "
	"key (request + resource entry)",
	coarse_lock16, coarse_mem};


void lkb_register_lockmgr(void)
{
#if __has_include(<latchkit/lockmgr.h>)
	lkb_register(&lk_nowait_impl);
	lkb_register(&lk_waitdie_impl);
	lkb_register(&lk_woundwait_impl);
	lkb_register(&lk_detect_impl);
	lkb_register(&lk_detect_ldsf_impl);
	lkb_register(&lk_hier_impl);
	lkb_register(&lk_hier_apart_impl);
	lkb_register(&lk_shared_impl);
	lkb_register(&lk_table_impl);
#endif
	lkb_register(&bdb_impl);
	lkb_register(&coarse_impl);
}
