/*
 * The lock table's contract (issue 12), lockmgr.h read one promise at a
 * time: every error code and what it leaves, the views, the trace, and
 * txn ids. The rules applied throughout are test_lockmgr_contract.c's.
 */
#include "lockmgr_contract.h"

#include <limits.h>

static const lk_res_t A1 = {LK_RES_ADVISORY, {1, 0, 0, 0}};
static const lk_res_t A2 = {LK_RES_ADVISORY, {2, 0, 0, 0}};

/* ---- every error code, and what it leaves --------------------------------------- */

/* LK_WOULDBLOCK: "not grantable now and the caller may not wait: timeout 0,
 * or policy LK_POLICY_NO_WAIT"; "after the others the txn is unchanged".
 * Counted in wouldblocks; *token untouched. */
Test(contract_errors, wouldblock)
{
	for (int pol = LK_POLICY_NO_WAIT; pol <= LK_POLICY_DETECT; pol++) {
		lk_lockmgr_t *m = lkc_mgr(pol, 16, 256, 0, false);
		lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
		/* a older than b: wait-die makes b die, so b holds, a asks */
		cr_assert_eq(lk_lock(b, &A1, LK_X, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(a, &A2, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(b, &A2, LK_S, 0, 0), LK_OK);
		lkc_probe_t pr[] = {{a, A1}, {a, A2}, {b, A1}, {b, A2}};
		lkc_delta_t d1 = LKC_NOTHING;
		d1.wouldblocks = 1;
		uint64_t tok = LKC_SENTINEL;
		/* a new request, then a conversion (a keeps S) */
		LKC_CHECK(m, pr, 4, d1, LK_WOULDBLOCK, lk_lock_ex(a, &A1, LK_S, 0, 0, &tok));
		cr_expect_eq(tok, LKC_SENTINEL, "policy %d: WOULDBLOCK wrote *token", pol);
		LKC_CHECK(m, pr, 4, d1, LK_WOULDBLOCK, lk_lock_ex(a, &A2, LK_X, 0, 0, &tok));
		cr_expect_eq(tok, LKC_SENTINEL, "policy %d: WOULDBLOCK wrote *token", pol);
		if (pol == LK_POLICY_NO_WAIT) {
			LKC_CHECK(m, pr, 4, d1, LK_WOULDBLOCK,
				  lk_lock_ex(a, &A1, LK_S, LK_FOREVER, 0, &tok));
			cr_expect_eq(tok, LKC_SENTINEL);
		}
		cr_assert_eq(lk_held_mode(a, &A2), LK_S);
		cr_assert_eq(lk_txn_commit(b), LK_OK);
		cr_assert_eq(lk_lock(a, &A1, LK_S, 0, 0), LK_OK, "the txn continues");
		cr_assert_eq(lk_txn_commit(a), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* LK_TIMEOUT: "waited until the timeout; nothing granted, the txn keeps
 * what it held and may continue"; counted in timeouts (and waited). */
Test(contract_errors, timeout)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_DETECT, 16, 256, 0, false);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	cr_assert_eq(lk_lock(a, &A1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &A2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &A2, LK_S, 0, 0), LK_OK);
	lkc_probe_t pr[] = {{a, A1}, {a, A2}, {b, A1}, {b, A2}};
	lkc_delta_t d = LKC_NOTHING;
	d.timeouts = 1;
	d.waited = 1;
	uint64_t tok = LKC_SENTINEL;
	uint64_t t0 = lkt_now_ns();
	LKC_CHECK(m, pr, 4, d, LK_TIMEOUT, lk_lock_ex(b, &A1, LK_S, 5 * LKC_MS, 0, &tok));
	cr_assert_geq(lkt_now_ns() - t0, 5 * LKC_MS);
	cr_expect_eq(tok, LKC_SENTINEL, "TIMEOUT wrote *token");
	LKC_CHECK(m, pr, 4, d, LK_TIMEOUT, lk_lock_ex(b, &A2, LK_X, 5 * LKC_MS, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "TIMEOUT wrote *token");
	cr_assert_eq(lk_held_mode(b, &A2), LK_S, "a timed-out conversion keeps S");
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_lock(b, &A1, LK_X, 0, 0), LK_OK, "and may continue");
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_lockmgr_destroy(m);
}

/* LK_DEADLOCK: "died (LK_POLICY_WAIT_DIE): the caller must abort";
 * deadlocks: "cycle victims + wait-die deaths". *token untouched; the
 * dead request leaves no trace in the table. */
Test(contract_errors, deadlock_wait_die)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_WAIT_DIE, 16, 256, 0, false);
	lk_txn_t *old = lkc_begin(m), *young = lkc_begin(m);
	cr_assert_eq(lk_lock(old, &A1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(young, &A2, LK_S, 0, 0), LK_OK);
	lkc_probe_t pr[] = {{old, A1}, {young, A1}, {young, A2}};
	lkc_delta_t d = LKC_NOTHING;
	d.deadlocks = 1;
	uint64_t tok = LKC_SENTINEL;
	LKC_CHECK(m, pr, 3, d, LK_DEADLOCK,
		  lk_lock_ex(young, &A1, LK_X, LK_FOREVER, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "DEADLOCK wrote *token");
	cr_assert_eq(lk_txn_abort(young), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	lk_lockmgr_destroy(m);
}

/* LK_DEADLOCK: "chosen as a deadlock victim (LK_POLICY_DETECT)";
 * LK_VICTIM_CLOSER (the default): "the txn whose search found the cycle
 * (its wait closed it)", here also the youngest. The victim's
 * request is gone, it keeps what it held, *token is untouched; once it
 * aborts, the other waiter is granted. */
Test(contract_errors, deadlock_detect_victim, .timeout = 30)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_DETECT, 16, 256, 0, false);
	lk_txn_t *old = lkc_begin(m), *young = lkc_begin(m);
	cr_assert_eq(lk_lock(old, &A1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(young, &A2, LK_X, 0, 0), LK_OK);
	lkc_locker_t l;
	lkc_locker_go(&l, old, A2, LK_S, LK_FOREVER);
	lkc_await_waiting(m, old);
	lk_stats_t s0 = lkc_stats(m);
	uint64_t tok = LKC_SENTINEL;
	cr_assert_eq(lk_lock_ex(young, &A1, LK_S, LK_FOREVER, 0, &tok), LK_DEADLOCK);
	cr_expect_eq(tok, LKC_SENTINEL, "DEADLOCK wrote *token");
	cr_assert_eq(lkc_stats(m).deadlocks, s0.deadlocks + 1);
	cr_assert_eq(lk_held_mode(young, &A1), -1);
	cr_assert_eq(lk_held_mode(young, &A2), LK_X, "the victim keeps what it held");
	cr_assert_eq(lk_txn_abort(young), LK_OK);
	cr_assert_eq(lkc_locker_join(&l), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	lk_lockmgr_destroy(m);
}

/* LK_WOUNDED: "wounded by an older txn (LK_POLICY_WOUND_WAIT): every later
 * lock call fails so; must abort"; wounds: "txns wounded"; "Commit of a
 * wounded txn still succeeds (it finished first)". */
Test(contract_errors, wounded)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_WOUND_WAIT, 16, 256, 0, false);
	lk_txn_t *old = lkc_begin(m), *young = lkc_begin(m);
	cr_assert_eq(lk_lock(young, &A1, LK_X, 0, 0), LK_OK);
	lk_stats_t s0 = lkc_stats(m);
	/* old asks what young holds: wounds it, waits, times out */
	cr_assert_eq(lk_lock(old, &A1, LK_S, 5 * LKC_MS, 0), LK_TIMEOUT);
	cr_assert_eq(lkc_stats(m).wounds, s0.wounds + 1);
	lk_res_t user = lk_res_user(LK_RES_USER, 1, 0, 0, 0), row = lk_res_row(3, 3, 3, 3);
	lkc_probe_t pr[] = {{old, A1}, {young, A1}, {young, A2}, {young, row}};
	uint64_t tok = LKC_SENTINEL;
	/* on a free resource, on the one it holds, with any mode or kind */
	LKC_UNCHANGED(m, pr, 4, LK_WOUNDED, lk_lock_ex(young, &A2, LK_S, 0, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "WOUNDED wrote *token");
	LKC_UNCHANGED(m, pr, 4, LK_WOUNDED, lk_lock_ex(young, &A1, LK_X, 0, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "WOUNDED wrote *token");
	LKC_UNCHANGED(m, pr, 4, LK_WOUNDED, lk_lock(young, &user, LK_S, LK_FOREVER, 0));
	LKC_UNCHANGED(m, pr, 4, LK_WOUNDED, lk_lock(young, &row, LK_S, 0, 0));
	cr_assert_eq(lk_held_mode(young, &A1), LK_X, "still holds until it ends");
	cr_assert_eq(lk_txn_commit(young), LK_OK, "commit of a wounded txn succeeds");
	cr_assert_eq(lk_lock(old, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	lk_lockmgr_destroy(m);
}

/* LK_NOMEM: "a pool (txns, requests, resource heads) is full; nothing was
 * changed". *token untouched. */
Test(contract_errors, nomem)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 4, 8, 0, false);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	for (uint32_t i = 0; i < 8; i++) {
		lk_res_t r = lk_res_advisory(i, 0);
		cr_assert_eq(lk_lock(i < 5 ? a : b, &r, LK_S, 0, 0), LK_OK, "lock %u", i);
	}
	lkc_probe_t pr[] = {{a, lk_res_advisory(0, 0)}, {b, lk_res_advisory(7, 0)},
			    {a, lk_res_advisory(9, 0)}};
	lkc_delta_t d = LKC_NOTHING;
	d.heads = true;
	uint64_t tok = LKC_SENTINEL;
	lk_res_t r9 = lk_res_advisory(9, 0), r0 = lk_res_advisory(0, 0);
	LKC_CHECK(m, pr, 3, d, LK_NOMEM, lk_lock_ex(a, &r9, LK_X, 0, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "NOMEM wrote *token");
	/* a new request on an existing resource needs a request too */
	LKC_CHECK(m, pr, 3, d, LK_NOMEM, lk_lock_ex(b, &r0, LK_S, 0, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "NOMEM wrote *token");
	lk_res_t row = lk_res_row(1, 1, 1, 1);
	LKC_CHECK(m, pr, 3, d, LK_NOMEM, lk_lock_ex(b, &row, LK_X, 0, LK_F_NOHIER, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "NOMEM wrote *token");
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_lockmgr_destroy(m);
}

/* ---- views ------------------------------------------------------------------------- */

/* lk_snapshot: "Fills out[0..cap) with the manager's requests ... and
 * returns how many there are (may exceed cap"; lk_lockinfo_t: "mode:
 * granted mode; for a waiting new request: wanted"; "want: wanted mode if
 * waiting (a conversion: mode is granted, want is the target), else ==
 * mode"; "wait_start_ns: ... 0 if not waiting". lk_blocking_set: "Returns
 * how many (0 if not waiting); stores at most n". */
Test(contract_views, snapshot_fields_and_blocking_set, .timeout = 30)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_DETECT, 16, 256, 0, false);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m), *c = lkc_begin(m),
		 *w = lkc_begin(m);
	cr_assert_eq(lk_lock(a, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(c, &A1, LK_S, 0, 0), LK_OK);
	lkc_locker_t lc, lw;
	lkc_locker_go(&lc, c, A1, LK_X, LK_FOREVER); /* a conversion */
	lkc_await_waiting(m, c);
	lkc_locker_go(&lw, w, A1, LK_U, LK_FOREVER); /* a new request */
	lkc_await_waiting(m, w);
	lk_lockinfo_t info[8];
	memset(info, 0xA5, sizeof info);
	lk_lockinfo_t keep = info[2];
	cr_assert_eq(lk_snapshot(m, info, 2), 4, "the count exceeds cap");
	cr_assert(memcmp(&info[2], &keep, sizeof keep) == 0, "wrote past cap");
	cr_assert_eq(lk_snapshot(m, info, 8), 4);
	int seen = 0;
	for (int i = 0; i < 4; i++) {
		lk_lockinfo_t *x = &info[i];
		cr_assert(lk_res_equal(&x->res, &A1));
		if (x->txn_id == lk_txn_id(c)) {
			cr_assert(x->granted && x->waiting);
			cr_assert(x->mode == LK_S && x->want == LK_X);
			cr_assert_neq(x->wait_start_ns, 0);
			seen |= 1;
		} else if (x->txn_id == lk_txn_id(w)) {
			cr_assert(!x->granted && x->waiting);
			cr_assert(x->mode == LK_U && x->want == LK_U);
			cr_assert_neq(x->wait_start_ns, 0);
			seen |= 2;
		} else {
			cr_assert(x->granted && !x->waiting);
			cr_assert(x->mode == LK_S && x->want == LK_S);
			cr_assert_eq(x->wait_start_ns, 0);
		}
	}
	cr_assert_eq(seen, 3);
	uint64_t ids[3] = {LKC_SENTINEL, LKC_SENTINEL, LKC_SENTINEL};
	cr_assert_eq(lk_blocking_set(c, ids, 1), 2, "c waits for a and b");
	cr_assert(ids[0] == lk_txn_id(a) || ids[0] == lk_txn_id(b));
	cr_assert_eq(ids[1], LKC_SENTINEL, "stored more than n");
	cr_assert_eq(lk_blocking_set_id(m, lk_txn_id(c), NULL, 0), 2);
	/* lk_waitfor_dot: "one node per waiting or blocking txn ("T<id>"), one
	 * edge per wait (labelled with the resource and wanted mode)" */
	char buf[4096] = {0}, edge[64];
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	cr_assert_not_null(f);
	cr_assert_eq(lk_waitfor_dot(m, f), LK_OK);
	fclose(f);
	snprintf(edge, sizeof edge, "T%llu -> T%llu", (unsigned long long)lk_txn_id(c),
		 (unsigned long long)lk_txn_id(a));
	cr_assert(strstr(buf, edge) != NULL, "%s", buf);
	cr_assert(strstr(buf, " X\"") != NULL && strstr(buf, " U\"") != NULL, "%s", buf);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(lkc_locker_join(&lc), LK_OK);
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	cr_assert_eq(lkc_locker_join(&lw), LK_OK);
	cr_assert_eq(lk_txn_commit(w), LK_OK);
	lk_lockmgr_destroy(m);
}

/* ---- trace ------------------------------------------------------------------------- */

#define EV_MAX 64
static lk_trace_t evs[EV_MAX];
static int nev;
static void record(void *ctx, const lk_trace_t *e)
{
	(void)ctx;
	if (nev < EV_MAX)
		evs[nev++] = *e;
}

/* LK_EV_REQUEST: "a lock call reached res (after the handle and mode
 * checks)" (so no event for a bad call); "Per request: REQUEST, then
 * optionally WAIT, then exactly one of GRANT, CONVERT, TIMEOUT, VICTIM";
 * GRANT: "or a no-op relock (prev_mode == mode); token set if exclusive";
 * the intention locks are requests of their own, root first; set_trace
 * with NULL clears the hook. */
Test(contract_trace, events_of_each_kind_of_call)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_lockmgr_set_trace(m, record, NULL);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	lk_res_t row = lk_res_row(1, 2, 3, 4), none = lk_res_user(LK_RES_NONE, 0, 0, 0, 0);
	cr_assert_eq(lk_lock(a, &A1, 99, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(a, &none, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(NULL, &A1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(nev, 0, "bad calls emit nothing");
	uint64_t tok = 0;
	cr_assert_eq(lk_lock_ex(a, &row, LK_X, 0, 0, &tok), LK_OK);
	/* db, table, page IX, then the row X */
	cr_assert_eq(nev, 8);
	const uint32_t kinds[4] = {LK_RES_DATABASE, LK_RES_TABLE, LK_RES_PAGE, LK_RES_ROW};
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(evs[2 * i].event, LK_EV_REQUEST);
		cr_assert_eq(evs[2 * i + 1].event, LK_EV_GRANT);
		cr_assert_eq(evs[2 * i].res.kind, kinds[i], "root first");
		cr_assert_eq(evs[2 * i + 1].mode, i < 3 ? LK_IX : LK_X);
		cr_assert_eq(evs[2 * i + 1].prev_mode, -1);
		cr_assert_eq(evs[2 * i + 1].txn_id, lk_txn_id(a));
		if (i)
			cr_assert_gt(evs[2 * i].seq, evs[2 * i - 1].seq);
	}
	cr_assert_eq(evs[7].token, tok);
	cr_assert_eq(evs[1].token, 0, "IX is not exclusive");
	nev = 0;
	cr_assert_eq(lk_lock(a, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &A1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &A1, LK_S, 0, 0), LK_WOULDBLOCK);
	const int want[] = {LK_EV_REQUEST, LK_EV_GRANT,   LK_EV_REQUEST, LK_EV_GRANT,
			    LK_EV_REQUEST, LK_EV_CONVERT, LK_EV_REQUEST, LK_EV_TIMEOUT};
	cr_assert_eq(nev, 8);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(evs[i].event, want[i], "event %d", i);
	cr_assert(evs[3].mode == LK_S && evs[3].prev_mode == LK_S, "no-op relock");
	cr_assert(evs[5].mode == LK_X && evs[5].prev_mode == LK_S && evs[5].token);
	cr_assert_eq(evs[7].status, LK_WOULDBLOCK);
	nev = 0;
	cr_assert_eq(lk_unlock(a, &A1), LK_OK);
	cr_assert(nev == 1 && evs[0].event == LK_EV_RELEASE && evs[0].mode == LK_X);
	lk_lockmgr_set_trace(m, NULL, NULL);
	nev = 0;
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(nev, 0, "hook cleared");
	lk_lockmgr_destroy(m);
}

/* "Each txn gets a unique, increasing 64-bit id": unique across threads,
 * increasing on each thread, and a manager created in a destroyed one's
 * place starts afresh. */
#define IDS_T 4
#define IDS_N 500
static lk_lockmgr_t *ids_m;
static uint64_t ids[IDS_T][IDS_N];
static void *ids_thread(void *arg)
{
	uint64_t *out = arg;
	for (int i = 0; i < IDS_N; i++) {
		lk_txn_t *t = NULL;
		if (lk_txn_begin(ids_m, &t) != LK_OK)
			return NULL;
		out[i] = lk_txn_id(t);
		lk_txn_commit(t);
	}
	return NULL;
}
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}
Test(contract_txn, ids_unique_across_threads_increasing_on_each)
{
	ids_m = lkc_mgr(LK_POLICY_NO_WAIT, 8, 64, 0, true);
	pthread_t th[IDS_T];
	for (int k = 0; k < IDS_T; k++)
		cr_assert_eq(pthread_create(&th[k], NULL, ids_thread, ids[k]), 0);
	for (int k = 0; k < IDS_T; k++)
		lkt_join(th[k], k, "its lock and wait calls");
	static uint64_t all[IDS_T * IDS_N];
	for (int k = 0; k < IDS_T; k++)
		for (int i = 0; i < IDS_N; i++) {
			cr_assert_neq(ids[k][i], 0, "thread %d txn %d has an id", k, i);
			if (i)
				cr_assert_gt(ids[k][i], ids[k][i - 1], "thread %d, txn %d", k, i);
			all[k * IDS_N + i] = ids[k][i];
		}
	qsort(all, IDS_T * IDS_N, sizeof all[0], cmp_u64);
	for (int i = 1; i < IDS_T * IDS_N; i++)
		cr_assert_neq(all[i], all[i - 1], "id %llu twice", (unsigned long long)all[i]);
	lk_lockmgr_destroy(ids_m);
	/* a new manager in its place: ids start afresh */
	for (int round = 0; round < 3; round++) {
		lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 8, 64, 0, true);
		lk_txn_t *t = lkc_begin(m);
		cr_assert_eq(lk_txn_id(t), 1, "round %d", round);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		t = lkc_begin(m);
		cr_assert_eq(lk_txn_id(t), 2);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}
