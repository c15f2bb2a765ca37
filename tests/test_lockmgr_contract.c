/*
 * The lock table's contract, part 1 (issue 12): lockmgr.h read one promise
 * at a time, each test quoting the sentence it checks. This file: status
 * codes, resources, mode tables, configs, txns, every verb's bad input,
 * every error code, views and trace. Part 2 (test_lockmgr_contract_pool.c):
 * fencing tokens, the pool, stats; part 3 (test_lockmgr_contract_hier.c):
 * hierarchy, U, conversions, escalation.
 *
 * Rules applied throughout (issue 12, "What to build"):
 * - a call that fails leaves its output parameters as they were (they are
 *   prefilled with LKC_SENTINEL and compared);
 * - every invalid argument, kind and handle is LK_INVAL, from every verb;
 * - an invalid call changes nothing: LKC_UNCHANGED compares the snapshot,
 *   the stats and the probed txns' held modes and tokens before and after.
 */
#include "lockmgr_contract.h"

#include <limits.h>

static const lk_res_t A1 = {LK_RES_ADVISORY, {1, 0, 0, 0}};
static const lk_res_t A2 = {LK_RES_ADVISORY, {2, 0, 0, 0}};

/* ---- status codes ---------------------------------------------------------- */

/* "A static string naming the code ("LK_OK: ..."); never NULL." */
Test(contract_status, strerror_names_every_code)
{
	static const char *const names[LK_NSTATUS] = {
		"LK_OK", "LK_WOULDBLOCK", "LK_TIMEOUT", "LK_DEADLOCK",
		"LK_WOUNDED", "LK_NOMEM", "LK_INVAL", "LK_NOTHELD"};
	cr_assert_eq(LK_NSTATUS, 8);
	cr_assert_eq(LK_NOTHELD, 7);
	for (int s = 0; s < LK_NSTATUS; s++) {
		const char *m = lk_strerror(s);
		cr_assert_not_null(m);
		size_t k = strlen(names[s]);
		cr_assert(strncmp(m, names[s], k) == 0 && m[k] == ':', "%d: %s", s, m);
		cr_assert_eq(lk_strerror(s), m, "static: the same string each time");
	}
	const int bad[] = {-1, LK_NSTATUS, 99, INT_MIN, INT_MAX};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_assert_not_null(lk_strerror(bad[i]));
}

/* ---- resources ---------------------------------------------------------------- */

/* "A resource: a kind and four 32-bit fields, 20 bytes, no padding. Unused
 * fields are zero, so two resources are equal iff memcmp() says so";
 * lk_res_parent: "The granule above res in row -> page -> table ->
 * database. Returns false (and leaves *parent alone) for a database,
 * advisory or user resource." */
Test(contract_res, constructors_equality_and_parent)
{
	cr_assert_eq(sizeof(lk_res_t), 20);
	lk_res_t r = lk_res_row(1, 2, 3, 4), p, want;
	cr_assert_eq(r.kind, LK_RES_ROW);
	cr_assert(r.f[0] == 1 && r.f[1] == 2 && r.f[2] == 3 && r.f[3] == 4);
	lk_res_t d = lk_res_db(9), a = lk_res_advisory(5, 6);
	cr_assert(d.kind == LK_RES_DATABASE && d.f[0] == 9 && !d.f[1] && !d.f[2] && !d.f[3]);
	cr_assert(a.kind == LK_RES_ADVISORY && a.f[0] == 5 && a.f[1] == 6 && !a.f[2] && !a.f[3]);
	lk_res_t t = lk_res_table(1, 2);
	cr_assert(t.kind == LK_RES_TABLE && !t.f[2] && !t.f[3]);
	cr_assert(lk_res_equal(&r, &r));
	lk_res_t r2 = lk_res_row(1, 2, 3, 5);
	cr_assert(!lk_res_equal(&r, &r2));
	cr_assert(lk_res_parent(&r, &p));
	want = lk_res_page(1, 2, 3);
	cr_assert(lk_res_equal(&p, &want));
	cr_assert(lk_res_parent(&want, &p));
	want = lk_res_table(1, 2);
	cr_assert(lk_res_equal(&p, &want));
	cr_assert(lk_res_parent(&want, &p));
	want = lk_res_db(1);
	cr_assert(lk_res_equal(&p, &want));
	const lk_res_t tops[] = {lk_res_db(1), lk_res_advisory(1, 2),
				 lk_res_user(LK_RES_USER, 1, 2, 3, 4),
				 lk_res_user(LK_RES_USER + 7, 1, 0, 0, 0)};
	for (size_t i = 0; i < sizeof tops / sizeof tops[0]; i++) {
		memset(&p, 0xA5, sizeof p);
		lk_res_t keep = p;
		cr_assert(!lk_res_parent(&tops[i], &p), "kind %u has no parent",
			  tops[i].kind);
		cr_assert(memcmp(&p, &keep, sizeof p) == 0, "kind %u: *parent written",
			  tops[i].kind);
	}
}

/* ---- mode tables ---------------------------------------------------------------- */

/* The default table: the matrix in lockmgr.h; "Conversion: ... converts to
 * supremum[h][m]"; "Intention mode taken on ancestors: IS for IS and S, IX
 * for IX, SIX, U and X. Escalation (row locks -> table lock): S rows give
 * S, U and X rows give X."; "A mode conflicting with itself is
 * 'exclusive'". Written out by hand in lockmgr_contract.h. */
Test(contract_modes, default_table_by_hand)
{
	const lk_modetable_t *t = lk_modetable_default();
	cr_assert_eq(t->nmodes, 6);
	for (int a = 0; a < 6; a++) {
		cr_assert_str_eq(t->names[a], lkc_mode_name(a));
		for (int b = 0; b < 6; b++) {
			cr_assert_eq(lk_mode_conflicts(t, a, b), LKC_COMPAT[a][b] == '-',
				     "%s vs %s", lkc_mode_name(a), lkc_mode_name(b));
			cr_assert_eq(t->supremum[a][b], LKC_SUP[a][b], "sup(%s,%s) = %s",
				     lkc_mode_name(a), lkc_mode_name(b),
				     lkc_mode_name(t->supremum[a][b]));
		}
		cr_assert_eq(lk_mode_conflicts(t, a, a), lkc_excl(a), "%s exclusive",
			     lkc_mode_name(a));
		cr_assert_eq(t->intention[a], LKC_INT[a], "intention[%s] = %s",
			     lkc_mode_name(a), lkc_mode_name(t->intention[a]));
	}
	cr_assert_eq(t->intention[LK_U], LK_IX, "U is a pending write: IX above it");
	cr_assert_eq(t->escalate[LK_IS], LK_MODE_NONE);
	cr_assert_eq(t->escalate[LK_IX], LK_MODE_NONE);
	cr_assert_eq(t->escalate[LK_S], LK_S);
	cr_assert_eq(t->escalate[LK_U], LK_X);
	cr_assert_eq(t->escalate[LK_X], LK_X, "X rows escalate to X, never S");
	/* "escalate[i]: the table mode that covers a row held in mode i" */
	int e = t->escalate[LK_SIX];
	cr_assert(e < 6 && LKC_SUP[e][LK_SIX] == e, "escalate[SIX] covers SIX");
}

/* "lk_modetable_postgres(): ... No intention mapping: hierarchy and
 * escalation are off for this table."; lk_modetable_sx(): "plain
 * shared/exclusive; hierarchy and escalation off."; lk_mode_conflicts:
 * "false for unknown modes". */
Test(contract_modes, postgres_sx_and_unknown_modes)
{
	const lk_modetable_t *tabs[2] = {lk_modetable_postgres(), lk_modetable_sx()};
	cr_assert_eq(tabs[0]->nmodes, 8);
	cr_assert_eq(tabs[1]->nmodes, 2);
	for (int k = 0; k < 2; k++)
		for (unsigned i = 0; i < tabs[k]->nmodes; i++) {
			cr_assert_eq(tabs[k]->intention[i], LK_MODE_NONE);
			cr_assert_eq(tabs[k]->escalate[i], LK_MODE_NONE);
		}
	const lk_modetable_t *d = lk_modetable_default();
	const int bad[] = {-1, 6, 15, 16, 255, INT_MAX, INT_MIN};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_assert(!lk_mode_conflicts(d, bad[i], LK_X));
		cr_assert(!lk_mode_conflicts(d, LK_X, bad[i]));
	}
	cr_assert(!lk_mode_conflicts(tabs[1], LK_SX_X, 2));
}

/* lk_modetable_init: "LK_INVAL if n is out of range, the relation is not
 * symmetric, or some pair has no supremum"; "(it derives supremum from the
 * conflicts, sets intention/escalate to none)"; names "may be NULL:
 * "M0".."M15"". A failed call leaves *t as it was. */
Test(contract_modes, init_errors_leave_the_table_alone)
{
	lk_modetable_t t, keep;
	uint16_t ok[2] = {0x2, 0x3};
	uint16_t asym[2] = {0x2, 0x0};
	uint16_t nosup[2] = {0x2, 0x1}; /* M0-M1 conflict; none conflicts with both */
	struct {
		unsigned n;
		const uint16_t *c;
		const char *what;
	} bad[] = {{0, ok, "n = 0"},
		   {17, ok, "n = 17"},
		   {2, asym, "asymmetric"},
		   {2, nosup, "no supremum for (M0, M1)"},
		   {2, NULL, "NULL conflicts"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&t, 0xA5, sizeof t);
		keep = t;
		cr_assert_eq(lk_modetable_init(&t, bad[i].n, NULL, bad[i].c), LK_INVAL,
			     "%s", bad[i].what);
		cr_expect(memcmp(&t, &keep, sizeof t) == 0,
			  "%s: failed lk_modetable_init wrote *t", bad[i].what);
	}
	cr_assert_eq(lk_modetable_init(NULL, 2, NULL, ok), LK_INVAL);
	/* success: derived supremum, no hierarchy, default names, up to 16 */
	cr_assert_eq(lk_modetable_init(&t, 2, NULL, ok), LK_OK);
	cr_assert_eq(t.nmodes, 2);
	cr_assert_str_eq(t.names[0], "M0");
	cr_assert_eq(t.supremum[0][1], 1);
	cr_assert_eq(t.supremum[0][0], 0);
	cr_assert_eq(t.intention[0], LK_MODE_NONE);
	cr_assert_eq(t.escalate[1], LK_MODE_NONE);
	uint16_t sixteen[16];
	for (int i = 0; i < 16; i++)
		sixteen[i] = 0xFFFF;
	cr_assert_eq(lk_modetable_init(&t, 16, NULL, sixteen), LK_OK);
	cr_assert_str_eq(t.names[15], "M15");
}

/* ---- config and create -------------------------------------------------------- */

/* lk_lockmgr_config_t's defaults as the header states them: "(default
 * 1024; 1..65535)", "(65536)", "(default LK_POLICY_DETECT)", "0 = at once
 * (default)", "(default LK_VICTIM_YOUNGEST)", "0 = off (default)",
 * "default true" (fifo_strict, hierarchy), "default false" (strict_2pl),
 * "NULL = lk_modetable_default()". lk_request_size / lk_head_size: "The
 * size in bytes of one request ... and one resource head". */
Test(contract_config, defaults)
{
	lk_lockmgr_config_t c;
	memset(&c, 0xA5, sizeof c);
	lk_lockmgr_config_init(&c);
	cr_assert_eq(c.max_txns, 1024);
	cr_assert_eq(c.max_requests, 65536);
	cr_assert_eq(c.policy, LK_POLICY_DETECT);
	cr_assert_eq(c.deadlock_timeout_ns, 0);
	cr_assert_eq(c.victim, LK_VICTIM_YOUNGEST);
	cr_assert_eq(c.escalation_threshold, 0);
	cr_assert(c.fifo_strict);
	cr_assert(c.hierarchy);
	cr_assert(!c.strict_2pl);
	cr_assert_null(c.modes);
	lk_lockmgr_config_init(NULL); /* no crash */
	cr_assert_gt(lk_request_size(), 0);
	cr_assert_gt(lk_head_size(), 0);
}

/* lk_lockmgr_create: "LK_INVAL for a bad config"; "concurrent txns
 * (default 1024; 1..65535)"; a bad policy, victim or mode table is a bad
 * config. A failed create leaves *out as it was. */
Test(contract_config, bad_configs_are_inval_and_leave_out_alone)
{
	lk_modetable_t asym;
	cr_assert_eq(lk_modetable_init(&asym, 2, NULL, (const uint16_t[]){0x2, 0x3}),
		     LK_OK);
	asym.conflicts[0] = 0x0; /* M1 conflicts with M0, not back */
	lk_modetable_t badint = *lk_modetable_default();
	badint.intention[LK_S] = 9; /* no such mode */
	for (int k = 0; k < 11; k++) {
		lk_lockmgr_config_t c;
		lk_lockmgr_config_init(&c);
		switch (k) {
		case 0: c.max_txns = 0; break;
		case 1: c.max_txns = 65536; break;
		case 2: c.max_requests = 0; break;
		case 3: c.policy = -1; break;
		case 4: c.policy = LK_POLICY_DETECT + 1; break;
		case 5: c.victim = -1; break;
		case 6: c.victim = LK_VICTIM_FEWEST_LOCKS + 1; break;
		case 7: c.modes = &asym; break;
		case 8: c.modes = &badint; break;
		case 9: c.max_txns = UINT32_MAX; break;
		default: c.policy = INT_MAX; break;
		}
		lk_lockmgr_t *m = (lk_lockmgr_t *)(uintptr_t)LKC_SENTINEL;
		cr_assert_eq(lk_lockmgr_create(&c, &m), LK_INVAL, "config %d", k);
		cr_expect_eq((uintptr_t)m, (uintptr_t)LKC_SENTINEL,
			     "config %d: failed create wrote *out", k);
	}
	lk_lockmgr_t *m = (lk_lockmgr_t *)(uintptr_t)LKC_SENTINEL;
	cr_assert_eq(lk_lockmgr_create(NULL, &m), LK_INVAL);
	cr_expect_eq((uintptr_t)m, (uintptr_t)LKC_SENTINEL, "NULL cfg: *out written");
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	cr_assert_eq(lk_lockmgr_create(&c, NULL), LK_INVAL);
	/* the edges that are fine */
	c.max_txns = 1;
	c.max_requests = 1;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_stats_t st = lkc_stats(m);
	cr_assert_eq(st.txns_max, 1);
	cr_assert_eq(st.requests_max, 1);
	cr_assert_eq(st.heads_max, 1, "\"also the number of resource heads\"");
	lk_lockmgr_destroy(m);
	lk_lockmgr_destroy(NULL); /* no crash */
}

/* ---- transactions ------------------------------------------------------------- */

/* "Each txn gets a unique, increasing 64-bit id"; "after commit/abort every
 * call with it returns LK_INVAL"; "lk_txn_commit / lk_txn_abort release
 * every lock of the txn ... and end it; they differ only in the trace and
 * stats"; lk_txn_id: "0 for an invalid handle". */
Test(contract_txn, ids_commit_abort_and_stale_handles)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_txn_t *a = lkc_begin(m), *b = lkc_begin(m);
	uint64_t ia = lk_txn_id(a), ib = lk_txn_id(b);
	cr_assert(ia && ib > ia);
	lk_res_t row = lk_res_row(1, 1, 1, 1);
	cr_assert_eq(lk_lock(a, &A1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &row, LK_X, 0, 0), LK_OK);
	lk_stats_t s0 = lkc_stats(m);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_abort(b), LK_OK);
	lk_stats_t s1 = lkc_stats(m);
	cr_assert_eq(s1.commits, s0.commits + 1);
	cr_assert_eq(s1.aborts, s0.aborts + 1);
	cr_assert_eq(s1.txns_active, 0);
	cr_assert_eq(s1.requests_used, 0);
	lk_lockinfo_t info[4];
	cr_assert_eq(lk_snapshot(m, info, 4), 0, "both released everything");
	/* stale: every verb */
	lk_txn_t *c = lkc_begin(m); /* may reuse a's or b's slot */
	cr_assert_gt(lk_txn_id(c), ib);
	cr_assert_eq(lk_lock(c, &A1, LK_X, 0, 0), LK_OK, "a's lock was released");
	lkc_probe_t pr[] = {{c, A1}, {a, A1}, {b, row}};
	uint64_t tok = LKC_SENTINEL;
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_txn_commit(a));
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_txn_abort(a));
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_txn_commit(b));
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_txn_abort(b));
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_lock(a, &A2, LK_S, 0, 0));
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_lock_ex(b, &A2, LK_X, 0, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL, "failed lk_lock_ex wrote *token");
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_unlock(a, &A1));
	LKC_UNCHANGED(m, pr, 3, -1, lk_held_mode(a, &A1));
	LKC_UNCHANGED(m, pr, 3, 0, lk_lock_token(a, &A1));
	LKC_UNCHANGED(m, pr, 3, 0, lk_txn_id(a));
	LKC_UNCHANGED(m, pr, 3, 0, lk_blocking_set(a, NULL, 0));
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	lk_lockmgr_destroy(m);
}

/* "lk_txn_begin: LK_NOMEM when max_txns are active"; "LK_NOMEM: a pool
 * (txns, requests, resource heads) is full; nothing was changed";
 * lk_txn_begin's *out is left alone when it fails (NOMEM or INVAL). */
Test(contract_txn, begin_at_max_txns_and_bad_begin)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 3, 64, 0, true);
	lk_txn_t *t[3];
	for (int i = 0; i < 3; i++) {
		t[i] = lkc_begin(m);
		lk_res_t r = lk_res_advisory((uint32_t)i, 0);
		cr_assert_eq(lk_lock(t[i], &r, LK_X, 0, 0), LK_OK);
	}
	lkc_probe_t pr[3];
	for (int i = 0; i < 3; i++)
		pr[i] = (lkc_probe_t){t[i], lk_res_advisory((uint32_t)i, 0)};
	lk_txn_t *x = (lk_txn_t *)(uintptr_t)LKC_SENTINEL;
	LKC_UNCHANGED(m, pr, 3, LK_NOMEM, lk_txn_begin(m, &x));
	cr_expect_eq((uintptr_t)x, (uintptr_t)LKC_SENTINEL, "LK_NOMEM begin wrote *out");
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_txn_begin(NULL, &x));
	cr_expect_eq((uintptr_t)x, (uintptr_t)LKC_SENTINEL, "LK_INVAL begin wrote *out");
	LKC_UNCHANGED(m, pr, 3, LK_INVAL, lk_txn_begin(m, NULL));
	cr_assert_eq(lk_txn_commit(t[1]), LK_OK);
	cr_assert_eq(lk_txn_begin(m, &x), LK_OK, "a slot is free again");
	cr_assert_gt(lk_txn_id(x), lk_txn_id(t[2]));
	cr_assert_eq(lk_txn_commit(x), LK_OK);
	cr_assert_eq(lk_txn_commit(t[0]), LK_OK);
	cr_assert_eq(lk_txn_commit(t[2]), LK_OK);
	/* a destroyed manager: "outstanding txn handles become invalid" */
	lk_txn_t *y = lkc_begin(m);
	lk_lockmgr_destroy(m);
	x = (lk_txn_t *)(uintptr_t)LKC_SENTINEL;
	cr_assert_eq(lk_txn_begin(m, &x), LK_INVAL);
	cr_expect_eq((uintptr_t)x, (uintptr_t)LKC_SENTINEL, "begin on a destroyed manager wrote *out");
	uint64_t tok = LKC_SENTINEL;
	cr_assert_eq(lk_lock_ex(y, &A1, LK_S, 0, 0, &tok), LK_INVAL);
	cr_expect_eq(tok, LKC_SENTINEL);
	cr_assert_eq(lk_unlock(y, &A1), LK_INVAL);
	cr_assert_eq(lk_txn_commit(y), LK_INVAL);
	cr_assert_eq(lk_txn_id(y), 0);
	cr_assert_eq(lk_held_mode(y, &A1), -1);
}

/* ---- bad input, every verb ------------------------------------------------------ */

/* A table with something in it, for the bad calls to leave alone. */
typedef struct {
	lk_lockmgr_t *m;
	lk_txn_t *a, *b, *stale, *dead; /* dead: a txn of a destroyed manager */
	lkc_probe_t pr[8];
	size_t np;
} lkc_table_t;

static void table_setup(lkc_table_t *x, bool strict_2pl)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_NO_WAIT;
	c.max_txns = 16;
	c.max_requests = 256;
	c.strict_2pl = strict_2pl;
	cr_assert_eq(lk_lockmgr_create(&c, &x->m), LK_OK);
	lk_lockmgr_t *gone = lkc_mgr_default(LK_POLICY_NO_WAIT);
	x->dead = lkc_begin(gone);
	lk_lockmgr_destroy(gone);
	x->stale = lkc_begin(x->m);
	cr_assert_eq(lk_lock(x->stale, &A2, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(x->stale), LK_OK);
	x->a = lkc_begin(x->m);
	x->b = lkc_begin(x->m);
	lk_res_t row = lk_res_row(1, 2, 3, 4), user = lk_res_user(LK_RES_USER + 3, 1, 2, 3, 4);
	cr_assert_eq(lk_lock(x->a, &row, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(x->a, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(x->b, &A1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(x->b, &user, LK_U, 0, 0), LK_OK);
	lkc_probe_t pr[] = {{x->a, row},
			    {x->a, lk_res_page(1, 2, 3)},
			    {x->a, lk_res_table(1, 2)},
			    {x->a, lk_res_db(1)},
			    {x->a, A1},
			    {x->b, A1},
			    {x->b, user},
			    {x->stale, A2}};
	x->np = sizeof pr / sizeof pr[0];
	memcpy(x->pr, pr, sizeof pr);
}

static void table_teardown(lkc_table_t *x)
{
	cr_assert_eq(lk_txn_commit(x->a), LK_OK);
	cr_assert_eq(lk_txn_commit(x->b), LK_OK);
	lk_lockmgr_destroy(x->m);
}

/* Handles no live txn has: NULL, stale, of a destroyed manager, made up. */
static void bad_handles(lkc_table_t *x, lk_txn_t *out[6])
{
	static int local;
	out[0] = NULL;
	out[1] = x->stale;
	out[2] = x->dead;
	out[3] = (lk_txn_t *)(uintptr_t)1;
	out[4] = (lk_txn_t *)(uintptr_t)UINT64_MAX;
	out[5] = (lk_txn_t *)(void *)&local;
}

/* "bad input (NULL, a stale or foreign handle, an unknown mode, a double
 * commit) returns LK_INVAL and changes nothing"; LK_INVAL: "bad argument:
 * NULL, stale/foreign handle, unknown mode or kind"; lk_lock_ex: "on LK_OK
 * stores the fencing token in *token" (and only then). */
Test(contract_inval, lock_bad_handles_modes_flags_kinds)
{
	lkc_table_t x;
	table_setup(&x, false);
	lk_txn_t *h[6];
	bad_handles(&x, h);
	uint64_t tok = LKC_SENTINEL;
	for (int i = 0; i < 6; i++) {
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_lock(h[i], &A2, LK_S, 0, 0));
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL,
			      lk_lock_ex(h[i], &A2, LK_X, LK_FOREVER, 0, &tok));
		cr_expect_eq(tok, LKC_SENTINEL, "handle %d: failed lk_lock_ex wrote *token", i);
	}
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_lock(x.a, NULL, LK_S, 0, 0));
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_lock_ex(x.a, NULL, LK_S, 0, 0, &tok));
	cr_expect_eq(tok, LKC_SENTINEL);
	const int modes[] = {-1, 6, 7, 15, 16, 255, INT_MAX, INT_MIN};
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		/* on a resource the txn holds and one it does not */
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_lock(x.a, &A1, modes[i], 0, 0));
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL,
			      lk_lock_ex(x.a, &A2, modes[i], 0, 0, &tok));
		cr_expect_eq(tok, LKC_SENTINEL, "mode %d: *token written", modes[i]);
	}
	const unsigned flags[] = {2u, 0x80u, LK_F_NOHIER | 4u, ~0u};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL,
			      lk_lock_ex(x.a, &A2, LK_S, 0, flags[i], &tok));
		cr_expect_eq(tok, LKC_SENTINEL);
	}
	/* unknown kinds: LK_RES_NONE and every kind between ADVISORY and USER */
	for (uint32_t k = 0; k < LK_RES_USER; k++) {
		if (k >= LK_RES_DATABASE && k <= LK_RES_ADVISORY)
			continue;
		lk_res_t r = lk_res_user(k, 1, 0, 0, 0);
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_lock(x.a, &r, LK_S, 0, 0));
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL,
			      lk_lock_ex(x.b, &r, LK_X, 0, LK_F_NOHIER, &tok));
		cr_expect_eq(tok, LKC_SENTINEL, "kind %u: *token written", k);
	}
	/* "LK_RES_USER + n: application kinds": valid */
	lk_res_t u0 = lk_res_user(LK_RES_USER, 0, 0, 0, 0);
	lk_res_t un = lk_res_user(LK_RES_USER + 100000u, 9, 9, 9, 9);
	cr_assert_eq(lk_lock(x.a, &u0, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(x.a, &un, LK_S, 0, 0), LK_OK);
	table_teardown(&x);
}

/* A mode is unknown relative to the manager's table: "unknown mode" with
 * lk_modetable_sx (2 modes) and lk_modetable_postgres (8 modes). */
Test(contract_inval, unknown_mode_of_the_managers_table)
{
	const lk_modetable_t *tabs[2] = {lk_modetable_sx(), lk_modetable_postgres()};
	for (int k = 0; k < 2; k++) {
		lk_lockmgr_config_t c;
		lk_lockmgr_config_init(&c);
		c.modes = tabs[k];
		c.policy = LK_POLICY_NO_WAIT;
		lk_lockmgr_t *m;
		cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
		lk_txn_t *t = lkc_begin(m);
		int n = (int)tabs[k]->nmodes;
		cr_assert_eq(lk_lock(t, &A1, n - 1, 0, 0), LK_OK);
		lkc_probe_t pr[] = {{t, A1}};
		uint64_t tok = LKC_SENTINEL;
		LKC_UNCHANGED(m, pr, 1, LK_INVAL, lk_lock_ex(t, &A2, n, 0, 0, &tok));
		cr_expect_eq(tok, LKC_SENTINEL);
		LKC_UNCHANGED(m, pr, 1, LK_INVAL, lk_lock(t, &A1, n, 0, 0));
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* lk_unlock: "LK_NOTHELD if the txn does not hold res"; "LK_INVAL under
 * strict_2pl"; and every invalid argument, kind and handle is LK_INVAL
 * (issue 12: LK_RES_NONE gave LK_NOTHELD). */
Test(contract_inval, unlock_bad_input_and_notheld)
{
	lkc_table_t x;
	table_setup(&x, false);
	lk_txn_t *h[6];
	bad_handles(&x, h);
	for (int i = 0; i < 6; i++)
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_unlock(h[i], &A1));
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_unlock(x.a, NULL));
	for (uint32_t k = 0; k < LK_RES_USER; k++) {
		if (k >= LK_RES_DATABASE && k <= LK_RES_ADVISORY)
			continue;
		lk_res_t r = lk_res_user(k, 1, 0, 0, 0);
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_unlock(x.a, &r));
	}
	/* valid, not held: by nobody, by another txn */
	lk_res_t user = lk_res_user(LK_RES_USER + 3, 1, 2, 3, 4);
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_NOTHELD, lk_unlock(x.a, &A2));
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_NOTHELD, lk_unlock(x.a, &user));
	lk_res_t row2 = lk_res_row(1, 2, 3, 5);
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_NOTHELD, lk_unlock(x.a, &row2));
	/* then a real one, and the second time it is not held */
	cr_assert_eq(lk_unlock(x.b, &user), LK_OK);
	cr_assert_eq(lk_held_mode(x.b, &user), -1);
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_NOTHELD, lk_unlock(x.b, &user));
	table_teardown(&x);
}

/* strict_2pl: "lk_unlock returns LK_INVAL (everything is held to
 * commit/abort)"; the lock stays. */
Test(contract_inval, unlock_under_strict_2pl)
{
	lkc_table_t x;
	table_setup(&x, true);
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_unlock(x.a, &A1));
	lk_res_t row = lk_res_row(1, 2, 3, 4);
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_unlock(x.a, &row));
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_unlock(x.b, &A2));
	table_teardown(&x);
}

/* The view verbs with bad input: lk_held_mode "-1 (not held, or bad
 * handle)"; lk_lock_token "0 when it does not hold res in an exclusive
 * mode"; lk_blocking_set "Returns how many (0 if not waiting); stores at
 * most n"; lk_waitfor_dot "Returns LK_OK or LK_INVAL"; lk_snapshot on a
 * value that is not a live manager returns 0. None changes anything or
 * writes its outputs. */
Test(contract_inval, views_bad_input)
{
	lkc_table_t x;
	table_setup(&x, false);
	lk_txn_t *h[6];
	bad_handles(&x, h);
	uint64_t ids[4] = {LKC_SENTINEL, LKC_SENTINEL, LKC_SENTINEL, LKC_SENTINEL};
	for (int i = 0; i < 6; i++) {
		LKC_UNCHANGED(x.m, x.pr, x.np, -1, lk_held_mode(h[i], &A1));
		LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_lock_token(h[i], &A1));
		LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_txn_id(h[i]));
		LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_blocking_set(h[i], ids, 4));
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_txn_commit(h[i]));
		LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_txn_abort(h[i]));
	}
	LKC_UNCHANGED(x.m, x.pr, x.np, -1, lk_held_mode(x.a, NULL));
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_lock_token(x.a, NULL));
	lk_res_t none = lk_res_user(LK_RES_NONE, 0, 0, 0, 0);
	LKC_UNCHANGED(x.m, x.pr, x.np, -1, lk_held_mode(x.a, &none));
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_lock_token(x.a, &none));
	/* not waiting: 0, nothing stored */
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_blocking_set(x.a, ids, 4));
	LKC_UNCHANGED(x.m, x.pr, x.np, 0,
		      lk_blocking_set_id(x.m, lk_txn_id(x.a), ids, 4));
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_blocking_set_id(x.m, 0, ids, 4));
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_blocking_set_id(x.m, UINT64_MAX, ids, 4));
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_blocking_set_id(NULL, 1, ids, 4));
	for (int i = 0; i < 4; i++)
		cr_assert_eq(ids[i], LKC_SENTINEL, "ids[%d] written", i);
	/* snapshot: not a manager; cap 0 counts without writing */
	lk_lockinfo_t info[2];
	memset(info, 0xA5, sizeof info);
	lk_lockinfo_t keep[2];
	memcpy(keep, info, sizeof info);
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, lk_snapshot(NULL, info, 2));
	size_t n = lk_snapshot(x.m, NULL, 0);
	cr_assert_gt(n, 2);
	LKC_UNCHANGED(x.m, x.pr, x.np, n, lk_snapshot(x.m, info, 0));
	cr_assert(memcmp(info, keep, sizeof info) == 0, "cap 0: out written");
	/* DOT */
	char buf[4096];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	cr_assert_not_null(f);
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_waitfor_dot(NULL, f));
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_INVAL, lk_waitfor_dot(x.m, NULL));
	LKC_UNCHANGED(x.m, x.pr, x.np, LK_OK, lk_waitfor_dot(x.m, f));
	fclose(f);
	/* stats with no *out; trace set and cleared */
	LKC_UNCHANGED(x.m, x.pr, x.np, 0, (lk_lockmgr_stats(x.m, NULL), 0));
	lk_stats_t st;
	memset(&st, 0xA5, sizeof st);
	lk_lockmgr_stats(NULL, &st);
	cr_assert_eq(st.txns_max, 0, "not a manager: zeroes");
	table_teardown(&x);
}

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
 * LK_VICTIM_YOUNGEST: "the txn in the cycle that began last". The victim's
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
		pthread_join(th[k], NULL);
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
