/*
 * The lock table's contract, part 1 (issue 12): lockmgr.h read one promise
 * at a time, each test quoting the sentence it checks. This file: status
 * codes, resources, mode tables, configs, txns, every verb's bad input.
 * test_lockmgr_contract_errors.c: every error code, views, trace, txn ids;
 * test_lockmgr_contract_pool.c: fencing tokens, the pool, stats;
 * test_lockmgr_contract_hier.c: hierarchy, U, conversions, escalation.
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
		"LK_WOUNDED", "LK_NOMEM", "LK_INVAL", "LK_NOTHELD", "LK_BUSY",
		"LK_LEASE_LAPSED"};
	cr_assert_eq(LK_NSTATUS, 10);
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
 * (default)", "(default LK_VICTIM_CLOSER)", "0 = off (default)",
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
	cr_assert_eq(c.victim, LK_VICTIM_CLOSER);
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
		case 6: c.victim = LK_VICTIM_CLOSER + 1; break;
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
