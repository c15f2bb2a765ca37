/*
 * The lock table's grant order LK_GRANT_LDSF (lockmgr.h,
 * lk_lockmgr_set_grant_order): a queue where LDSF must grant a different
 * waiter than FIFO, the bypass bound (a waiter passed LK_LDSF_MAX_BYPASS
 * times goes next, ahead of a heavier one), the setter's bad input, and
 * threads under every waiting policy with LDSF on finishing with the table
 * empty. Who holds what is read through lk_snapshot after the releasing
 * commit has returned (its grant pass is over by then).
 */
#include "harness.h"

#include <latchkit/lockmgr.h>

#define SEC 1000000000ull

static lk_lockmgr_t *mk_order(int policy, int order)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = policy;
	c.max_txns = 64;
	c.max_requests = 4096;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	cr_assert_eq(lk_lockmgr_set_grant_order(m, order), LK_OK);
	return m;
}

static lk_txn_t *begin(lk_lockmgr_t *m)
{
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	return t;
}

static lk_res_t adv(uint32_t k) { return lk_res_advisory(k, 0); }

/* ---- snapshot -------------------------------------------------------------- */

static lk_lockinfo_t snap[256];

/* 1: txn t holds r; 2: it waits for r; 0: neither */
static int state_on(lk_lockmgr_t *m, lk_txn_t *t, lk_res_t r)
{
	size_t n = lk_snapshot(m, snap, 256);
	cr_assert_leq(n, 256);
	uint64_t id = lk_txn_id(t);
	for (size_t i = 0; i < n; i++)
		if (snap[i].txn_id == id && lk_res_equal(&snap[i].res, &r))
			return snap[i].granted ? 1 : snap[i].waiting ? 2 : 0;
	return 0;
}

static void await_waiting(lk_lockmgr_t *m, lk_txn_t *t, lk_res_t r)
{
	uint64_t end = lkt_now_ns() + 10 * SEC;
	while (state_on(m, t, r) != 2) {
		cr_assert(lkt_now_ns() < end, "txn %llu never started waiting",
			  (unsigned long long)lk_txn_id(t));
		lkt_sleep_ms(1);
	}
}

/* ---- a lock call on another thread ------------------------------------------- */

typedef struct {
	pthread_t th;
	lk_txn_t *txn;
	lk_res_t res;
	atomic_int done;
	int rc;
} bg_t;

static void *bg_main(void *p)
{
	bg_t *b = (bg_t *)p;
	b->rc = lk_lock(b->txn, &b->res, LK_X, 20 * SEC, 0);
	atomic_store(&b->done, 1);
	return NULL;
}

/* Start t's X lock on r on its own thread and wait until it queues. */
static void bg_wait(lk_lockmgr_t *m, bg_t *b, lk_txn_t *t, lk_res_t r)
{
	b->txn = t;
	b->res = r;
	atomic_store(&b->done, 0);
	cr_assert_eq(pthread_create(&b->th, NULL, bg_main, b), 0);
	await_waiting(m, t, r);
}

static int bg_join(bg_t *b)
{
	uint64_t end = lkt_now_ns() + 10 * SEC;
	while (!atomic_load(&b->done)) {
		cr_assert(lkt_now_ns() < end, "lock call still blocked");
		lkt_sleep_ms(1);
	}
	lkt_join(b->th, 0, "its lock call");
	return b->rc;
}

/* ---- LDSF against FIFO ---------------------------------------------------------- */

/* H holds X on R. A queues for X on R first; then B, which holds Q, on
 * which C waits: B blocks one txn, A none. H's commit lets one of A and B
 * in: FIFO grants A (first in the queue), LDSF grants B. */
static void one_pass(int order, int policy)
{
	lk_lockmgr_t *m = mk_order(policy, order);
	lk_res_t r = adv(1), q = adv(2);
	lk_txn_t *h = begin(m), *a = begin(m), *b = begin(m), *c = begin(m);
	bg_t ba, bb, bc;
	cr_assert_eq(lk_lock(h, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &q, LK_X, 0, 0), LK_OK);
	bg_wait(m, &ba, a, r);
	bg_wait(m, &bc, c, q);
	bg_wait(m, &bb, b, r);
	cr_assert_eq(lk_txn_commit(h), LK_OK);
	lk_txn_t *won = order == LK_GRANT_LDSF ? b : a;
	lk_txn_t *lost = order == LK_GRANT_LDSF ? a : b;
	cr_assert_eq(state_on(m, won, r), 1, "%s: the %s waiter was not granted",
		     order == LK_GRANT_LDSF ? "LDSF" : "FIFO",
		     order == LK_GRANT_LDSF ? "most blocking" : "first");
	cr_assert_eq(state_on(m, lost, r), 2);
	bg_t *bw = won == a ? &ba : &bb, *bl = won == a ? &bb : &ba;
	cr_assert_eq(bg_join(bw), LK_OK);
	cr_assert_eq(lk_txn_commit(won), LK_OK);
	cr_assert_eq(bg_join(bl), LK_OK);
	cr_assert_eq(lk_txn_commit(lost), LK_OK); /* B's commit frees Q */
	cr_assert_eq(bg_join(&bc), LK_OK);
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	cr_assert_eq(lk_snapshot(m, snap, 256), 0);
	lk_lockmgr_destroy(m);
}

Test(ldsf, fifo_grants_the_first_waiter, .timeout = 30)
{
	one_pass(LK_GRANT_FIFO, LK_POLICY_DETECT);
}

Test(ldsf, ldsf_grants_the_most_blocking_waiter, .timeout = 30)
{
	one_pass(LK_GRANT_LDSF, LK_POLICY_DETECT);
}

/* Under wound-wait: B passing A makes the new edge A -> B, older waiting
 * for younger, so A wounds B (the age rule on a bypass); B holds R by
 * then and its commit still succeeds, and A gets R after it. */
Test(ldsf, ldsf_under_wound_wait, .timeout = 30)
{
	one_pass(LK_GRANT_LDSF, LK_POLICY_WOUND_WAIT);
}

/* The bypass bound. E queues for X on R first and blocks nobody. Each
 * round a txn B_i that blocks one other (C_i waits on its Q_i) queues
 * behind E, and R's holder commits: LDSF grants B_i, passing E. After
 * LK_LDSF_MAX_BYPASS passes E is pinned: the next commit grants E, though
 * B_{MAX+1} is heavier. */
Test(ldsf, bypass_bound_then_the_passed_waiter_goes, .timeout = 60)
{
	enum { K = LK_LDSF_MAX_BYPASS };
	lk_lockmgr_t *m = mk_order(LK_POLICY_DETECT, LK_GRANT_LDSF);
	lk_res_t r = adv(1);
	lk_txn_t *holder = begin(m), *e = begin(m);
	lk_txn_t *bt[K + 1], *ct[K + 1];
	bg_t be, bb[K + 1], bc[K + 1];
	cr_assert_eq(lk_lock(holder, &r, LK_X, 0, 0), LK_OK);
	bg_wait(m, &be, e, r);
	for (int i = 0; i <= K; i++) {
		lk_res_t q = adv(100 + (uint32_t)i);
		bt[i] = begin(m);
		ct[i] = begin(m);
		cr_assert_eq(lk_lock(bt[i], &q, LK_X, 0, 0), LK_OK);
		bg_wait(m, &bc[i], ct[i], q);
		bg_wait(m, &bb[i], bt[i], r);
		cr_assert_eq(lk_txn_commit(holder), LK_OK);
		if (i < K) {
			cr_assert_eq(state_on(m, bt[i], r), 1,
				     "round %d: the heavier waiter was not granted", i);
			cr_assert_eq(state_on(m, e, r), 2);
			cr_assert_eq(bg_join(&bb[i]), LK_OK);
			holder = bt[i];
		} else {
			cr_assert_eq(state_on(m, e, r), 1,
				     "passed %d times, E was passed again", K);
			cr_assert_eq(state_on(m, bt[i], r), 2);
		}
	}
	/* E holds R; B_K waits behind it; the other B_i are committed
	 * (each commit let its C_i in) but B_K. */
	cr_assert_eq(bg_join(&be), LK_OK);
	cr_assert_eq(lk_txn_commit(e), LK_OK);
	cr_assert_eq(bg_join(&bb[K]), LK_OK);
	cr_assert_eq(lk_txn_commit(bt[K]), LK_OK);
	for (int i = 0; i <= K; i++) {
		cr_assert_eq(bg_join(&bc[i]), LK_OK);
		cr_assert_eq(lk_txn_commit(ct[i]), LK_OK);
	}
	cr_assert_eq(lk_snapshot(m, snap, 256), 0);
	lk_lockmgr_destroy(m);
}

Test(ldsf, setter_rejects_bad_input, .timeout = 30)
{
	cr_assert_eq(lk_lockmgr_set_grant_order(NULL, LK_GRANT_LDSF), LK_INVAL);
	lk_lockmgr_t *m = mk_order(LK_POLICY_DETECT, LK_GRANT_FIFO);
	cr_assert_eq(lk_lockmgr_set_grant_order(m, 2), LK_INVAL);
	cr_assert_eq(lk_lockmgr_set_grant_order(m, -1), LK_INVAL);
	int not_a_manager = 0;
	cr_assert_eq(lk_lockmgr_set_grant_order((lk_lockmgr_t *)(void *)&not_a_manager,
						LK_GRANT_LDSF),
		     LK_INVAL);
	/* the refused calls changed nothing: still FIFO */
	lk_res_t r = adv(1), q = adv(2);
	lk_txn_t *h = begin(m), *a = begin(m), *b = begin(m), *c = begin(m);
	bg_t ba, bb, bc;
	cr_assert_eq(lk_lock(h, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &q, LK_X, 0, 0), LK_OK);
	bg_wait(m, &ba, a, r);
	bg_wait(m, &bc, c, q);
	bg_wait(m, &bb, b, r);
	cr_assert_eq(lk_txn_commit(h), LK_OK);
	cr_assert_eq(state_on(m, a, r), 1, "a refused setter call changed the order");
	cr_assert_eq(bg_join(&ba), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(bg_join(&bb), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(bg_join(&bc), LK_OK);
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	lk_lockmgr_destroy(m);
	cr_assert_eq(lk_lockmgr_set_grant_order(m, LK_GRANT_LDSF), LK_INVAL,
		     "a destroyed manager");
}

/* ---- threads: every waiting policy with LDSF on ----------------------------------- */

typedef struct {
	lk_lockmgr_t *m;
	atomic_int ok, dead;
	atomic_int inside[8]; /* X holders per row: never above 1 */
	atomic_int twice;     /* times a second X holder was seen */
} mt_ctx;

static void *mt_worker(void *p, int id)
{
	mt_ctx *c = (mt_ctx *)p;
	uint32_t s = 4242u + (uint32_t)id * 7919u;
	for (int it = 0; it < 300; it++) {
		lk_txn_t *t;
		if (lk_txn_begin(c->m, &t) != LK_OK)
			continue;
		int rc = LK_OK, held[4], nh = 0;
		for (int k = 0; k < 4 && rc == LK_OK; k++) {
			s = s * 1103515245u + 12345u;
			uint32_t row = (s >> 12) % 8;
			lk_res_t r = adv(row);
			int mode = ((s >> 20) & 3) ? LK_S : LK_X;
			rc = lk_lock(t, &r, mode, 2 * SEC, 0);
			if (rc == LK_OK && mode == LK_X &&
			    lk_held_mode(t, &r) == LK_X) {
				bool mine = true;
				for (int j = 0; j < nh; j++)
					mine &= held[j] != (int)row;
				if (mine) {
					if (atomic_fetch_add(&c->inside[row], 1))
						atomic_fetch_add(&c->twice, 1);
					held[nh++] = (int)row;
				}
			}
		}
		for (int j = 0; j < nh; j++)
			atomic_fetch_sub(&c->inside[held[j]], 1);
		if (rc == LK_OK) {
			lk_txn_commit(t);
			atomic_fetch_add(&c->ok, 1);
		} else {
			lk_txn_abort(t);
			atomic_fetch_add(&c->dead, 1);
		}
	}
	return NULL;
}

static void threads_case(int policy)
{
	mt_ctx c;
	memset(&c, 0, sizeof c);
	c.m = mk_order(policy, LK_GRANT_LDSF);
	lkt_run(8, mt_worker, &c);
	cr_assert_eq(atomic_load(&c.ok) + atomic_load(&c.dead), 8 * 300);
	cr_assert_gt(atomic_load(&c.ok), 0);
	cr_assert_eq(atomic_load(&c.twice), 0, "two X holders on one row");
	lk_stats_t st;
	lk_lockmgr_stats(c.m, &st);
	cr_assert_eq(st.txns_active, 0);
	cr_assert_eq(st.requests_used, 0);
	cr_assert_eq(lk_snapshot(c.m, snap, 256), 0);
	lk_lockmgr_destroy(c.m);
}

Test(ldsf_threads, eight_detect, .timeout = 60)
{
	threads_case(LK_POLICY_DETECT);
}
Test(ldsf_threads, eight_wait_die, .timeout = 60)
{
	threads_case(LK_POLICY_WAIT_DIE);
}
Test(ldsf_threads, eight_wound_wait, .timeout = 60)
{
	threads_case(LK_POLICY_WOUND_WAIT);
}
