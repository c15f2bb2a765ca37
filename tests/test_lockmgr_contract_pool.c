/*
 * The lock table's contract, part 2 (issue 12): lockmgr.h read one promise
 * at a time, each test quoting the sentence it checks. This file: fencing
 * tokens (across commits, conversions, escalation, head recycling), the
 * pool at its edges with several live txns, and the stats. Part 1
 * (test_lockmgr_contract.c): codes, verbs, bad input, errors, views, trace;
 * part 3 (test_lockmgr_contract_hier.c): hierarchy, U, conversions,
 * escalation. Helpers and the rules they apply: lockmgr_contract.h.
 */
#include "lockmgr_contract.h"

static const lk_res_t A1 = {LK_RES_ADVISORY, {1, 0, 0, 0}};
static const lk_res_t A2 = {LK_RES_ADVISORY, {2, 0, 0, 0}};

/* ---- fencing tokens ------------------------------------------------------------ */

/* lk_lock_ex: "each grant of an exclusive mode (one that conflicts with
 * itself: SIX, U, X in the default table) on a resource takes the next
 * number of that resource's counter, so successive exclusive holders see
 * strictly increasing tokens ... Grants of non-exclusive modes ... give
 * 0"; lk_lock_token: "The token of the txn's current exclusive grant; 0
 * when it does not hold res in an exclusive mode." */
Test(contract_tokens, exclusive_modes_take_increasing_tokens)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 16, 256, 0, true);
	const lk_res_t res[] = {A1, lk_res_user(LK_RES_USER + 1, 1, 2, 3, 4),
				lk_res_db(5), lk_res_table(5, 1), lk_res_page(5, 1, 1),
				lk_res_row(5, 1, 1, 1)};
	for (size_t k = 0; k < sizeof res / sizeof res[0]; k++) {
		uint64_t last = 0;
		for (int round = 0; round < 3; round++)
			for (int mode = 0; mode < 6; mode++) {
				lk_txn_t *t = lkc_begin(m);
				uint64_t tok = LKC_SENTINEL;
				cr_assert_eq(lk_lock_ex(t, &res[k], mode, 0, 0, &tok), LK_OK);
				if (lkc_excl(mode)) {
					cr_assert_gt(tok, last, "kind %u %s: token %llu after %llu",
						     res[k].kind, lkc_mode_name(mode),
						     (unsigned long long)tok,
						     (unsigned long long)last);
					last = tok;
				} else {
					cr_assert_eq(tok, 0, "%s is not exclusive", lkc_mode_name(mode));
				}
				cr_assert_eq(lk_lock_token(t, &res[k]), tok);
				/* a no-op relock reports the grant it already has */
				uint64_t again = LKC_SENTINEL;
				cr_assert_eq(lk_lock_ex(t, &res[k], mode, 0, 0, &again), LK_OK);
				cr_assert_eq(again, tok, "relock of %s", lkc_mode_name(mode));
				cr_assert_eq(lk_txn_commit(t), LK_OK);
			}
	}
	lk_lockmgr_destroy(m);
}

/* "successive exclusive holders see strictly increasing tokens": a holder
 * that releases early and locks again is a later holder; a conversion to an
 * exclusive mode is a new exclusive grant (S -> U -> X, IX -> SIX -> X);
 * asking a weaker mode keeps the grant and its token. */
Test(contract_tokens, unlock_relock_and_conversions)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 16, 256, 0, false);
	lk_txn_t *t = lkc_begin(m);
	uint64_t a = 0, b = 0, c = 0, d = 0;
	cr_assert_eq(lk_lock_ex(t, &A1, LK_X, 0, 0, &a), LK_OK);
	cr_assert_eq(lk_unlock(t, &A1), LK_OK);
	cr_assert_eq(lk_lock_token(t, &A1), 0, "not held: 0");
	cr_assert_eq(lk_lock_ex(t, &A1, LK_X, 0, 0, &b), LK_OK);
	cr_assert_gt(b, a);
	cr_assert_eq(lk_unlock(t, &A1), LK_OK);
	cr_assert_eq(lk_lock_ex(t, &A1, LK_S, 0, 0, &c), LK_OK);
	cr_assert_eq(c, 0);
	cr_assert_eq(lk_lock_ex(t, &A1, LK_U, 0, 0, &c), LK_OK);
	cr_assert_gt(c, b, "S -> U takes a token");
	cr_assert_eq(lk_lock_ex(t, &A1, LK_X, 0, 0, &d), LK_OK);
	cr_assert_gt(d, c, "U -> X takes the next");
	cr_assert_eq(lk_lock_token(t, &A1), d);
	uint64_t e = LKC_SENTINEL;
	cr_assert_eq(lk_lock_ex(t, &A1, LK_S, 0, 0, &e), LK_OK);
	cr_assert_eq(lk_held_mode(t, &A1), LK_X, "asking S while holding X keeps X");
	cr_assert_eq(e, d, "... and its token");
	uint64_t f = 0, g = 0, h = 0;
	cr_assert_eq(lk_lock_ex(t, &A2, LK_IX, 0, 0, &f), LK_OK);
	cr_assert_eq(f, 0);
	cr_assert_eq(lk_lock_ex(t, &A2, LK_S, 0, 0, &g), LK_OK);
	cr_assert_eq(lk_held_mode(t, &A2), LK_SIX);
	cr_assert_gt(g, 0, "IX -> SIX takes a token");
	cr_assert_eq(lk_lock_ex(t, &A2, LK_X, 0, 0, &h), LK_OK);
	cr_assert_gt(h, g);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* "Grants ... and requests covered by an ancestor, give 0." */
Test(contract_tokens, covered_requests_give_zero)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1), row = lk_res_row(1, 1, 1, 1);
	uint64_t tok = 0;
	cr_assert_eq(lk_lock_ex(t, &tab, LK_X, 0, 0, &tok), LK_OK);
	cr_assert_gt(tok, 0);
	for (int mode = 0; mode < 6; mode++) {
		uint64_t r = LKC_SENTINEL;
		cr_assert_eq(lk_lock_ex(t, &row, mode, 0, 0, &r), LK_OK);
		cr_assert_eq(r, 0, "row %s under table X: covered", lkc_mode_name(mode));
		cr_assert_eq(lk_held_mode(t, &row), -1);
	}
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A trace hook that only counts: "The hook ... should be quick" and must
 * not change what the calls do. */
static atomic_int n_events;
static void count_events(void *ctx, const lk_trace_t *ev)
{
	(void)ctx;
	(void)ev;
	atomic_fetch_add(&n_events, 1);
}

/* Issue 12 item 5: "fencing tokens are strictly increasing per resource,
 * escalation included". Threshold 1: T1 takes table X, commits; T2's two
 * X rows escalate to table X: the escalating lk_lock_ex's *token is the
 * table's new token, larger than T1's; T3's table X is larger still. The
 * same with a trace hook set: the tokens do not depend on it. */
static void escalation_tokens(bool traced, uint64_t out[3])
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 16, 256, 1, true);
	if (traced)
		lk_lockmgr_set_trace(m, count_events, NULL);
	lk_res_t tab = lk_res_table(1, 1), r1 = lk_res_row(1, 1, 1, 1),
		 r2 = lk_res_row(1, 1, 1, 2);
	lk_txn_t *t1 = lkc_begin(m);
	uint64_t a = 0, r = 0, b = LKC_SENTINEL, c = 0;
	cr_assert_eq(lk_lock_ex(t1, &tab, LK_X, 0, 0, &a), LK_OK);
	cr_assert_gt(a, 0);
	cr_assert_eq(lk_txn_commit(t1), LK_OK);
	lk_txn_t *t2 = lkc_begin(m);
	cr_assert_eq(lk_lock_ex(t2, &r1, LK_X, 0, 0, &r), LK_OK);
	cr_assert_eq(lk_held_mode(t2, &tab), LK_IX, "one row: no escalation yet");
	cr_assert_eq(lk_lock_ex(t2, &r2, LK_X, 0, 0, &b), LK_OK);
	cr_assert_eq(lk_held_mode(t2, &tab), LK_X, "two rows > 1: escalated to X");
	cr_assert_eq(lk_held_mode(t2, &r2), -1, "the rows were released");
	cr_assert_eq(b, lk_lock_token(t2, &tab),
		     "traced %d: the escalating call's token %llu is not the table's %llu",
		     traced, (unsigned long long)b,
		     (unsigned long long)lk_lock_token(t2, &tab));
	cr_assert_gt(lk_lock_token(t2, &tab), a,
		     "traced %d: escalation reused token %llu (T1 had %llu)", traced,
		     (unsigned long long)lk_lock_token(t2, &tab), (unsigned long long)a);
	uint64_t bt = lk_lock_token(t2, &tab);
	cr_assert_eq(lk_txn_commit(t2), LK_OK);
	lk_txn_t *t3 = lkc_begin(m);
	cr_assert_eq(lk_lock_ex(t3, &tab, LK_X, 0, 0, &c), LK_OK);
	cr_assert_gt(c, bt, "traced %d: T3 %llu after the escalation's %llu", traced,
		     (unsigned long long)c, (unsigned long long)bt);
	cr_assert_eq(lk_txn_commit(t3), LK_OK);
	lk_lockmgr_destroy(m);
	out[0] = a;
	out[1] = bt;
	out[2] = c;
}

Test(contract_tokens, escalation_takes_the_next_token)
{
	uint64_t plain[3], traced[3];
	escalation_tokens(false, plain);
	escalation_tokens(true, traced);
	cr_assert(memcmp(plain, traced, sizeof plain) == 0,
		  "tokens depend on the trace hook: %llu %llu %llu vs %llu %llu %llu",
		  (unsigned long long)plain[0], (unsigned long long)plain[1],
		  (unsigned long long)plain[2], (unsigned long long)traced[0],
		  (unsigned long long)traced[1], (unsigned long long)traced[2]);
}

/* "(also across the resource head being recycled)", with other txns live
 * and holding locks while the head is swept and reused. */
Test(contract_tokens, increase_across_head_recycling_with_live_txns)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 4, 8, 0, false);
	lk_txn_t *l1 = lkc_begin(m), *l2 = lkc_begin(m);
	lk_res_t k1 = lk_res_advisory(900, 0), k2 = lk_res_advisory(901, 0);
	cr_assert_eq(lk_lock(l1, &k1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(l2, &k1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(l2, &k2, LK_X, 0, 0), LK_OK);
	uint64_t last = 0;
	for (uint32_t round = 0; round < 8; round++) {
		lk_txn_t *t = lkc_begin(m);
		uint64_t tok = 0;
		cr_assert_eq(lk_lock_ex(t, &A1, LK_X, 0, 0, &tok), LK_OK);
		cr_assert_gt(tok, last, "round %u: %llu after %llu", round,
			     (unsigned long long)tok, (unsigned long long)last);
		last = tok;
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		/* 5 other resources: with the live txns' 2 heads, every head */
		t = lkc_begin(m);
		for (uint32_t k = 0; k < 5; k++) {
			lk_res_t r = lk_res_advisory(1000 + round * 5 + k, 1);
			cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK, "round %u lock %u",
				     round, k);
		}
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	}
	cr_assert_eq(lk_txn_commit(l1), LK_OK);
	cr_assert_eq(lk_txn_commit(l2), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A grant made while waiting (by the releasing thread) stores its token
 * too: "on LK_OK stores the fencing token in *token". */
Test(contract_tokens, granted_after_a_wait, .timeout = 30)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_DETECT, 16, 256, 0, false);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	uint64_t ta = 0;
	cr_assert_eq(lk_lock_ex(a, &A1, LK_X, 0, 0, &ta), LK_OK);
	lkc_locker_t l;
	lkc_locker_go(&l, b, A1, LK_X, LK_FOREVER);
	lkc_await_waiting(m, b);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lkc_locker_join(&l), LK_OK);
	cr_assert_gt(l.token, ta);
	cr_assert_neq(l.token, LKC_SENTINEL);
	cr_assert_eq(lk_lock_token(b, &A1), l.token);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_lockmgr_destroy(m);
}

/* ---- the pool ---------------------------------------------------------------------- */

/* Lock a new resource; on LK_NOMEM check that the pool was really full:
 * issue 12, "a request freed by any transaction can be used by any other
 * transaction before LK_NOMEM is returned ... requests_used counts what is
 * cached as used if it cannot be taken". */
static int lock_new(lk_lockmgr_t *m, lk_txn_t *t, const lk_res_t *r, int mode)
{
	lk_stats_t before = lkc_stats(m);
	int rc = lk_lock(t, r, mode, 0, 0);
	if (rc == LK_NOMEM)
		cr_assert_eq(before.requests_used, before.requests_max,
			     "LK_NOMEM while requests_used = %u of %u",
			     before.requests_used, before.requests_max);
	return rc;
}

/* A running txn keeps what its last refill popped and did not use yet:
 * at most one batch less one, the batch being max_requests / (4 max_txns)
 * clamped to 16, and nothing when that is below 4 (lockmgr/README.md "Memory"; lockmgr.h: LK_NOMEM means
 * every request is held, waited for, or kept by a running txn, and
 * requests_used counts those). lock_new checks that at every LK_NOMEM. */
static uint32_t live_cache_max(uint32_t max_requests, uint32_t max_txns)
{
	uint32_t b = max_requests / (4 * max_txns);
	b = b > 16 ? 16 : b;
	return b < 4 ? 0 : b - 1; /* a small pool keeps none (lockmgr.h) */
}

/* Issue 12 item 4: with max_requests = 4, 32, 256, 2048, txn P locks the
 * whole pool, lk_unlocks every lock and stays live; txn Q's first lock must
 * succeed, and Q can then take the whole pool but what P's refill left in
 * its cache. */
Test(contract_pool, requests_freed_by_a_live_txn_serve_another)
{
	const uint32_t sizes[] = {4, 32, 256, 2048};
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		uint32_t n = sizes[s];
		lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 4, n, 0, false);
		lk_txn_t *p = lkc_begin(m);
		uint32_t got = 0;
		for (uint32_t i = 0; i < n + 4; i++) {
			lk_res_t r = lk_res_advisory(i, 1);
			int rc = lock_new(m, p, &r, LK_X);
			if (rc != LK_OK) {
				cr_assert_eq(rc, LK_NOMEM);
				break;
			}
			got++;
		}
		cr_assert_eq(got, n, "max_requests %u: P got %u", n, got);
		cr_assert_eq(lkc_stats(m).requests_used, n);
		for (uint32_t i = 0; i < n; i++) {
			lk_res_t r = lk_res_advisory(i, 1);
			cr_assert_eq(lk_unlock(p, &r), LK_OK);
		}
		lk_txn_t *q = lkc_begin(m);
		lk_res_t first = lk_res_advisory(0, 2);
		cr_assert_eq(lk_lock(q, &first, LK_X, 0, 0), LK_OK,
			     "max_requests %u: Q's first lock after P freed all (P live, "
			     "requests_used %u)",
			     n, lkc_stats(m).requests_used);
		got = 1;
		for (uint32_t i = 1; i < n + 4; i++) {
			lk_res_t r = lk_res_advisory(i, 2);
			int rc = lock_new(m, q, &r, LK_X);
			if (rc != LK_OK) {
				cr_assert_eq(rc, LK_NOMEM);
				break;
			}
			got++;
		}
		cr_assert(got + live_cache_max(n, 4) >= n,
			  "max_requests %u: Q got %u of the pool", n, got);
		cr_assert_eq(lk_txn_commit(q), LK_OK);
		cr_assert_eq(lk_txn_commit(p), LK_OK);
		cr_assert_eq(lkc_stats(m).requests_used, 0);
		lk_lockmgr_destroy(m);
	}
}

/* Issue 12 goal: "No LK_NOMEM while the pool has a free or cached request",
 * with several live txns that took, released early and shared requests:
 * the last one fills the pool, and when it gets LK_NOMEM every request is
 * held (the snapshot shows max_requests entries). A txn that ends frees
 * its requests for the others. */
Test(contract_pool, no_nomem_while_requests_are_free)
{
	const uint32_t n = 64;
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 8, n, 0, false);
	const lk_res_t shared = lk_res_advisory(7777, 7);
	lk_txn_t *t[4];
	for (int i = 0; i < 4; i++) {
		t[i] = lkc_begin(m);
		for (uint32_t k = 0; k < 10; k++) {
			lk_res_t r = lk_res_advisory(100 * (uint32_t)i + k, 0);
			cr_assert_eq(lock_new(m, t[i], &r, LK_X), LK_OK);
		}
		/* and a resource they all share */
		cr_assert_eq(lock_new(m, t[i], &shared, LK_S), LK_OK);
	}
	for (uint32_t k = 0; k < 5; k++) { /* t0 releases half, t1 all */
		lk_res_t r = lk_res_advisory(k, 0);
		cr_assert_eq(lk_unlock(t[0], &r), LK_OK);
	}
	for (uint32_t k = 0; k < 10; k++) {
		lk_res_t r = lk_res_advisory(100 + k, 0);
		cr_assert_eq(lk_unlock(t[1], &r), LK_OK);
	}
	cr_assert_eq(lk_unlock(t[1], &shared), LK_OK);
	cr_assert_eq(lk_txn_commit(t[2]), LK_OK);
	/* held now: t0 6, t1 0, t3 11 = 17 */
	lk_txn_t *e = lkc_begin(m);
	uint32_t got = 0;
	for (uint32_t k = 0; k < 2 * n; k++) {
		lk_res_t r = lk_res_advisory(5000 + k, 0);
		int rc = lock_new(m, e, &r, k % 2 ? LK_S : LK_X);
		if (rc != LK_OK) {
			cr_assert_eq(rc, LK_NOMEM);
			break;
		}
		got++;
	}
	/* t0, t1 and t3 run: each may keep a refill's rest */
	cr_assert(got <= n - 17 && got + 3 * live_cache_max(n, 8) >= n - 17,
		  "the last txn got %u of the %u free requests", got, n - 17);
	lk_lockinfo_t info[2 * 64];
	cr_assert_eq(lk_snapshot(m, info, 2 * n), 17 + got, "every lock listed");
	cr_assert_eq(lkc_stats(m).requests_used, n);
	/* t3 ends: its 11 requests serve e */
	cr_assert_eq(lk_txn_commit(t[3]), LK_OK);
	uint32_t more = 0;
	for (uint32_t k = 0; k < 2 * n; k++) {
		lk_res_t r = lk_res_advisory(9000 + k, 0);
		int rc = lock_new(m, e, &r, LK_X);
		if (rc != LK_OK) {
			cr_assert_eq(rc, LK_NOMEM);
			break;
		}
		more++;
	}
	/* t3's 11, and whatever its cache kept: an ended txn's cache is
	 * drained for the others */
	cr_assert(more >= 11 && more <= 11 + live_cache_max(n, 8),
		  "after t3 ended, e got %u more", more);
	cr_assert_eq(lk_txn_commit(e), LK_OK);
	cr_assert_eq(lk_txn_commit(t[0]), LK_OK);
	cr_assert_eq(lk_txn_commit(t[1]), LK_OK);
	lk_stats_t st = lkc_stats(m);
	cr_assert_eq(st.requests_used, 0);
	cr_assert_eq(st.txns_active, 0);
	lk_lockmgr_destroy(m);
}

/* max_requests = 4 and four live txns, one request each: when one txn
 * releases its lock early, another txn's next lock gets that request. */
Test(contract_pool, one_request_each_handed_over)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 4, 4, 0, false);
	lk_txn_t *t[4];
	for (int i = 0; i < 4; i++) {
		t[i] = lkc_begin(m);
		lk_res_t r = lk_res_advisory((uint32_t)i, 0);
		cr_assert_eq(lock_new(m, t[i], &r, LK_X), LK_OK, "txn %d", i);
	}
	for (int round = 0; round < 8; round++) {
		int from = round % 4, to = (round + 1) % 4;
		lk_res_t extra = lk_res_advisory(100 + (uint32_t)round, 0);
		cr_assert_eq(lock_new(m, t[to], &extra, LK_X), LK_NOMEM, "round %d: full", round);
		lk_res_t mine = lk_res_advisory((uint32_t)from, 0);
		cr_assert_eq(lk_unlock(t[from], &mine), LK_OK);
		cr_assert_eq(lock_new(m, t[to], &extra, LK_X), LK_OK,
			     "round %d: txn %d freed a request, txn %d cannot use it",
			     round, from, to);
		cr_assert_eq(lk_unlock(t[to], &extra), LK_OK);
		cr_assert_eq(lock_new(m, t[from], &mine, LK_X), LK_OK,
			     "round %d: txn %d takes its lock back", round, from);
	}
	for (int i = 0; i < 4; i++)
		cr_assert_eq(lk_txn_commit(t[i]), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A full pool still lets a holder relock and convert: "Holding res already
 * in h: asks for supremum[h][mode]; if that is h, LK_OK at once; otherwise
 * a conversion" (README: "A txn's relock of what it holds needs no
 * request"). */
Test(contract_pool, relock_and_conversion_need_no_request)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 2, 4, 0, false);
	lk_txn_t *t = lkc_begin(m);
	for (uint32_t i = 0; i < 4; i++) {
		lk_res_t r = lk_res_advisory(i, 0);
		cr_assert_eq(lock_new(m, t, &r, LK_S), LK_OK);
	}
	lk_res_t r4 = lk_res_advisory(4, 0), r0 = lk_res_advisory(0, 0);
	cr_assert_eq(lock_new(m, t, &r4, LK_S), LK_NOMEM);
	cr_assert_eq(lk_lock(t, &r0, LK_S, 0, 0), LK_OK, "relock");
	cr_assert_eq(lk_lock(t, &r0, LK_X, 0, 0), LK_OK, "conversion");
	cr_assert_eq(lk_held_mode(t, &r0), LK_X);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* "A failure part way leaves the intention locks already taken held
 * (released at commit/abort)". Without the fast path: max_requests 2, a
 * row needs 4 (database, table, page, itself). */
Test(contract_pool, hierarchy_partway_nomem)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_NO_WAIT;
	c.max_txns = 2;
	c.max_requests = 2;
	c.fast_path = false;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t row = lk_res_row(1, 1, 1, 1), db = lk_res_db(1), tab = lk_res_table(1, 1),
		 page = lk_res_page(1, 1, 1);
	uint64_t tok = LKC_SENTINEL;
	cr_assert_eq(lk_lock_ex(t, &row, LK_X, 0, 0, &tok), LK_NOMEM);
	cr_expect_eq(tok, LKC_SENTINEL);
	cr_assert_eq(lk_held_mode(t, &db), LK_IX);
	cr_assert_eq(lk_held_mode(t, &tab), LK_IX);
	cr_assert_eq(lk_held_mode(t, &page), -1);
	cr_assert_eq(lk_held_mode(t, &row), -1);
	cr_assert_eq(lkc_stats(m).requests_used, 2);
	cr_assert_eq(lk_txn_abort(t), LK_OK);
	lk_stats_t st = lkc_stats(m);
	cr_assert_eq(st.requests_used, 0);
	cr_assert_eq(st.heads_used, 0);
	lk_lockmgr_destroy(m);
}

/* The same with the fast path (FASTPATH.md): the database, table
 * and page intention locks are records and take no request, so a pool of
 * one serves the first row; the second row, on another page, fails after
 * its page's intention lock is taken, which stays held. */
Test(contract_pool, hierarchy_partway_nomem_fast_path)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 2, 1, 0, true);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t r1 = lk_res_row(1, 1, 1, 1), r2 = lk_res_row(1, 1, 2, 1),
		 p2 = lk_res_page(1, 1, 2), tab = lk_res_table(1, 1);
	cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
	uint64_t tok = LKC_SENTINEL;
	cr_assert_eq(lk_lock_ex(t, &r2, LK_X, 0, 0, &tok), LK_NOMEM);
	cr_expect_eq(tok, LKC_SENTINEL);
	cr_assert_eq(lk_held_mode(t, &tab), LK_IX);
	cr_assert_eq(lk_held_mode(t, &p2), LK_IX, "the page's intention stays");
	cr_assert_eq(lk_held_mode(t, &r2), -1);
	cr_assert_eq(lkc_stats(m).requests_used, 1);
	cr_assert_eq(lk_txn_abort(t), LK_OK);
	cr_assert_eq(lkc_stats(m).requests_used, 0);
	lk_lockmgr_destroy(m);
}

/* lk_stats_t's pool fields: txns_active/txns_max, requests_used /
 * requests_max ("held or waited for"), heads_used/heads_max. */
Test(contract_pool, stats_fields)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 5, 100, 0, false);
	lk_stats_t st = lkc_stats(m);
	cr_assert(st.txns_active == 0 && st.txns_max == 5 && st.requests_used == 0 &&
		  st.requests_max == 100 && st.heads_used == 0 && st.heads_max == 100);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	for (uint32_t i = 0; i < 7; i++) {
		lk_res_t r = lk_res_advisory(i, 0);
		cr_assert_eq(lk_lock(a, &r, LK_S, 0, 0), LK_OK);
		if (i < 3)
			cr_assert_eq(lk_lock(b, &r, LK_S, 0, 0), LK_OK);
	}
	st = lkc_stats(m);
	cr_assert_eq(st.txns_active, 2);
	cr_assert_geq(st.requests_used, 10, "10 requests held");
	cr_assert_eq(st.heads_used, 7);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	st = lkc_stats(m);
	cr_assert(st.txns_active == 0 && st.requests_used == 0 && st.heads_used == 0);
	lk_lockmgr_destroy(m);
}

/* ---- stats ------------------------------------------------------------------------- */


Test(contract_stats, acquired_counts_the_callers_requests)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_txn_t *t = lkc_begin(m), *o = lkc_begin(m);
	lk_res_t r1 = lk_res_row(1, 1, 1, 1), r2 = lk_res_row(1, 1, 1, 2);
	struct {
		lk_txn_t *t;
		const lk_res_t *r;
		int mode, rc;
		uint64_t acq, intent;
		const char *what;
	} steps[] = {
		{t, &r1, LK_S, LK_OK, 1, 3, "row S: db, table, page IS"},
		{t, &r2, LK_S, LK_OK, 1, 0, "second row, ancestors held"},
		{t, &r1, LK_S, LK_OK, 0, 0, "no-op relock"},
		{t, &r1, LK_IS, LK_OK, 0, 0, "weaker: no-op"},
		{t, &r1, LK_X, LK_OK, 1, 3, "conversion S -> X, IS -> IX above"},
		{t, &A1, LK_X, LK_OK, 1, 0, "advisory: no hierarchy"},
		{o, &A1, LK_S, LK_WOULDBLOCK, 0, 0, "failed"},
		{o, &r2, LK_X, LK_WOULDBLOCK, 0, 3, "failed row, its intention locks stay"},
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		lk_stats_t b = lkc_stats(m);
		cr_assert_eq(lk_lock(steps[i].t, steps[i].r, steps[i].mode, 0, 0),
			     steps[i].rc, "%s", steps[i].what);
		lk_stats_t a = lkc_stats(m);
		cr_assert_eq(a.acquired - b.acquired, steps[i].acq, "%s: acquired +%llu",
			     steps[i].what, (unsigned long long)(a.acquired - b.acquired));
		cr_assert_eq(a.intention_acquired - b.intention_acquired,
			     steps[i].intent, "%s: intention_acquired +%llu",
			     steps[i].what,
			     (unsigned long long)(a.intention_acquired - b.intention_acquired));
	}
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Issue 12 item 8: three S rows (with db, table and page IS), threshold
 * 2, escalation IS -> S: acquired = 3, intention grants 3, escalations 1. */
Test(contract_stats, rows_intentions_and_an_escalation)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 16, 256, 2, true);
	lk_txn_t *t = lkc_begin(m);
	lk_stats_t b = lkc_stats(m);
	for (uint32_t i = 0; i < 3; i++) {
		lk_res_t r = lk_res_row(1, 1, 1, i);
		cr_assert_eq(lk_lock(t, &r, LK_S, 0, 0), LK_OK);
	}
	lk_res_t tab = lk_res_table(1, 1);
	cr_assert_eq(lk_held_mode(t, &tab), LK_S);
	lk_stats_t a = lkc_stats(m);
	cr_assert_eq(a.escalations - b.escalations, 1);
	cr_assert_eq(a.acquired - b.acquired, 3, "acquired +%llu for 3 rows",
		     (unsigned long long)(a.acquired - b.acquired));
	cr_assert_eq(a.intention_acquired - b.intention_acquired, 3);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* waited: "requests that had to wait"; commits, aborts. */
Test(contract_stats, waited_commits_aborts, .timeout = 30)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_DETECT, 16, 256, 0, false);
	lk_stats_t s0 = lkc_stats(m);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	cr_assert_eq(lk_lock(a, &A1, LK_X, 0, 0), LK_OK);
	lkc_locker_t l;
	lkc_locker_go(&l, b, A1, LK_S, LK_FOREVER);
	lkc_await_waiting(m, b);
	cr_assert_eq(lk_txn_abort(a), LK_OK);
	cr_assert_eq(lkc_locker_join(&l), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_stats_t s1 = lkc_stats(m);
	cr_assert_eq(s1.waited - s0.waited, 1);
	cr_assert_eq(s1.acquired - s0.acquired, 2);
	cr_assert_eq(s1.commits - s0.commits, 1);
	cr_assert_eq(s1.aborts - s0.aborts, 1);
	cr_assert(s1.timeouts == s0.timeouts && s1.wouldblocks == s0.wouldblocks &&
		  s1.deadlocks == s0.deadlocks && s1.wounds == s0.wounds);
	lk_lockmgr_destroy(m);
}

