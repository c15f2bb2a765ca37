/* Unit tests of the lock table (lockmgr/), one thread: modes, bad input,
 * hierarchy and escalation, pools, tokens, views, trace.
 * test_lockmgr_threads.c: queues, policies and views with threads that
 * block. */
#include "lockmgr_unit.h"

#include <stdio.h>
#include <string.h>

/* ---- modes ----------------------------------------------------------------- */

/* The seed notes' matrix (IS IX S SIX X) plus U (compatible with IS and S). */
static const char *const compat_default[6] = {
	/* IS IX S SIX U X */
	"+++++-", /* IS  */
	"++----", /* IX  */
	"+-+-+-", /* S   */
	"+-----", /* SIX */
	"+-+---", /* U   */
	"------", /* X   */
};

Test(lockmgr_modes, default_matrix_every_pair)
{
	const lk_modetable_t *t = lk_modetable_default();
	cr_assert_eq(t->nmodes, 6);
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++) {
			bool ok = compat_default[a][b] == '+';
			cr_assert_eq(!lk_mode_conflicts(t, a, b), ok, "%s vs %s",
				     t->names[a], t->names[b]);
			/* and the manager behaves so */
			lk_txn_t *x = begin(m), *y = begin(m);
			cr_assert_eq(lk_lock(x, &R1, b, 0, 0), LK_OK);
			int rc = lk_lock(y, &R1, a, 0, 0);
			cr_assert_eq(rc, ok ? LK_OK : LK_WOULDBLOCK, "%s held, %s asked: %d",
				     t->names[b], t->names[a], rc);
			cr_assert_eq(lk_txn_commit(x), LK_OK);
			cr_assert_eq(lk_txn_commit(y), LK_OK);
		}
	lk_lockmgr_destroy(m);
}

Test(lockmgr_modes, supremum)
{
	const lk_modetable_t *t = lk_modetable_default();
	cr_assert_eq(t->supremum[LK_S][LK_IX], LK_SIX);
	cr_assert_eq(t->supremum[LK_IX][LK_S], LK_SIX);
	cr_assert_eq(t->supremum[LK_IS][LK_S], LK_S);
	cr_assert_eq(t->supremum[LK_S][LK_U], LK_U);
	cr_assert_eq(t->supremum[LK_U][LK_X], LK_X);
	cr_assert_eq(t->supremum[LK_SIX][LK_S], LK_SIX);
	cr_assert_eq(t->supremum[LK_IS][LK_IS], LK_IS);
	for (int a = 0; a < 6; a++)
		for (int b = 0; b < 6; b++) {
			int s = t->supremum[a][b];
			/* conflicts at least as much as both */
			cr_assert_eq(t->conflicts[s] & (t->conflicts[a] | t->conflicts[b]),
				     t->conflicts[a] | t->conflicts[b]);
		}
	/* conversion through the manager: S then IX gives SIX */
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	lk_txn_t *x = begin(m);
	cr_assert_eq(lk_lock(x, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(x, &R1, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(x, &R1), LK_SIX);
	cr_assert_eq(lk_lock(x, &R1, LK_IS, 0, 0), LK_OK); /* no-op */
	cr_assert_eq(lk_held_mode(x, &R1), LK_SIX);
	lk_txn_commit(x);
	lk_lockmgr_destroy(m);
}

/* PostgreSQL's table (lock.c LockConflicts), written out independently. */
Test(lockmgr_modes, postgres_table)
{
	const lk_modetable_t *t = lk_modetable_postgres();
	cr_assert_eq(t->nmodes, 8);
	static const char *const c[8] = {
		/* AS RS RE SUE S SRE E AE */
		"-------X", "------XX", "----XXXX", "---XXXXX",
		"--XX-XXX", "--XXXXXX", "-XXXXXXX", "XXXXXXXX"};
	for (int a = 0; a < 8; a++)
		for (int b = 0; b < 8; b++)
			cr_assert_eq(lk_mode_conflicts(t, a, b), c[a][b] == 'X',
				     "%s vs %s", t->names[a], t->names[b]);
	cr_assert_str_eq(t->names[LK_PG_SHARE_UPDATE_EXCLUSIVE], "ShareUpdateExclusive");
	cr_assert_eq(t->supremum[LK_PG_ROW_EXCLUSIVE][LK_PG_SHARE],
		     LK_PG_SHARE_ROW_EXCLUSIVE);
	/* works in a manager; hierarchy is off for it (no intention map) */
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.modes = t;
	cfg.policy = LK_POLICY_NO_WAIT;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&cfg, &m), LK_OK);
	lk_txn_t *x = begin(m), *y = begin(m);
	lk_res_t tab = lk_res_table(1, 2);
	cr_assert_eq(lk_lock(x, &tab, LK_PG_ROW_EXCLUSIVE, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(y, &tab, LK_PG_ROW_EXCLUSIVE, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(y, &tab, LK_PG_SHARE, 0, 0), LK_WOULDBLOCK);
	lk_res_t db = lk_res_db(1);
	cr_assert_eq(lk_held_mode(x, &db), -1, "no intention lock with pg table");
	lk_txn_commit(x);
	lk_txn_commit(y);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_modes, sx_and_custom_tables)
{
	const lk_modetable_t *t = lk_modetable_sx();
	cr_assert(!lk_mode_conflicts(t, LK_SX_S, LK_SX_S));
	cr_assert(lk_mode_conflicts(t, LK_SX_S, LK_SX_X));
	cr_assert(lk_mode_conflicts(t, LK_SX_X, LK_SX_X));
	lk_modetable_t mt;
	uint16_t asym[2] = {0x2, 0x0};
	cr_assert_eq(lk_modetable_init(&mt, 2, NULL, asym), LK_INVAL);
	uint16_t ok[2] = {0x2, 0x3};
	cr_assert_eq(lk_modetable_init(&mt, 2, NULL, ok), LK_OK);
	cr_assert_str_eq(mt.names[1], "M1");
	cr_assert_eq(mt.supremum[0][1], 1);
	cr_assert_eq(lk_modetable_init(&mt, 17, NULL, ok), LK_INVAL);
}

/* ---- bad input ------------------------------------------------------------------ */

Test(lockmgr_inval, handles_modes_and_double_commit)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	lk_txn_t *x = begin(m);
	cr_assert_eq(lk_lock(NULL, &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(x, NULL, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(x, &R1, 6, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(x, &R1, -1, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(x, &R1, LK_S, 0, 0x80), LK_INVAL);
	lk_res_t none = lk_res_user(LK_RES_NONE, 0, 0, 0, 0);
	cr_assert_eq(lk_lock(x, &none, LK_S, 0, 0), LK_INVAL);
	int junk[64];
	cr_assert_eq(lk_lock((lk_txn_t *)(void *)junk, &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_txn_commit((lk_txn_t *)(void *)junk), LK_INVAL);
	cr_assert_eq(lk_unlock(x, &R1), LK_NOTHELD);
	cr_assert_eq(lk_lock(x, &R1, LK_X, 0, 0), LK_OK);
	uint64_t id = lk_txn_id(x);
	cr_assert_neq(id, 0);
	cr_assert_eq(lk_txn_commit(x), LK_OK);
	cr_assert_eq(lk_txn_commit(x), LK_INVAL, "double commit");
	cr_assert_eq(lk_txn_abort(x), LK_INVAL);
	cr_assert_eq(lk_lock(x, &R1, LK_S, 0, 0), LK_INVAL, "stale handle");
	cr_assert_eq(lk_txn_id(x), 0);
	/* the slot is reused: the stale handle still fails */
	lk_txn_t *y = begin(m);
	cr_assert_eq(lk_lock(x, &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(y, &R1, LK_X, 0, 0), LK_OK, "released at commit");
	cr_assert_gt(lk_txn_id(y), id);
	lk_txn_commit(y);
	cr_assert_eq(lk_txn_begin(NULL, &y), LK_INVAL);
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.max_txns = 0;
	lk_lockmgr_t *bad;
	cr_assert_eq(lk_lockmgr_create(&c, &bad), LK_INVAL);
	cr_assert_str_eq(lk_strerror(LK_NOTHELD), "LK_NOTHELD: lock not held");
	cr_assert_not_null(lk_strerror(99));
	lk_lockmgr_destroy(m);
}

Test(lockmgr_inval, strict_2pl_rejects_unlock)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.strict_2pl = true;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_txn_t *x = begin(m);
	cr_assert_eq(lk_lock(x, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_unlock(x, &R1), LK_INVAL);
	cr_assert_eq(lk_held_mode(x, &R1), LK_X);
	lk_txn_commit(x);
	lk_lockmgr_destroy(m);
}

/* ---- hierarchy, escalation --------------------------------------------------------- */

Test(lockmgr_hier, intention_locks_on_and_off)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	lk_txn_t *a = begin(m);
	lk_res_t row = lk_res_row(1, 2, 3, 4), page = lk_res_page(1, 2, 3),
		 tab = lk_res_table(1, 2), db = lk_res_db(1);
	cr_assert_eq(lk_lock(a, &row, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(a, &db), LK_IX);
	cr_assert_eq(lk_held_mode(a, &tab), LK_IX);
	cr_assert_eq(lk_held_mode(a, &page), LK_IX);
	cr_assert_eq(lk_held_mode(a, &row), LK_X);
	lk_res_t row2 = lk_res_row(1, 3, 1, 1), tab2 = lk_res_table(1, 3);
	cr_assert_eq(lk_lock(a, &row2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(a, &tab2), LK_IS);
	/* another txn cannot S-lock table 2 (IX held) but can table 3 (IS) */
	lk_txn_t *b = begin(m);
	cr_assert_eq(lk_lock(b, &tab, LK_S, 0, 0), LK_WOULDBLOCK);
	cr_assert_eq(lk_lock(b, &tab2, LK_S, 0, 0), LK_OK);
	/* a table S lock covers its rows: no row lock is taken */
	lk_res_t row3 = lk_res_row(1, 3, 9, 9);
	cr_assert_eq(lk_lock(b, &row3, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(b, &row3), -1);
	/* NOHIER: no intention locks */
	lk_txn_t *c = begin(m);
	lk_res_t row4 = lk_res_row(2, 1, 1, 1), db2 = lk_res_db(2);
	cr_assert_eq(lk_lock(c, &row4, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_held_mode(c, &db2), -1);
	lk_txn_commit(a);
	lk_txn_commit(b);
	lk_txn_commit(c);
	/* hierarchy off in the config */
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.hierarchy = false;
	lk_lockmgr_t *m2;
	cr_assert_eq(lk_lockmgr_create(&cfg, &m2), LK_OK);
	lk_txn_t *d = begin(m2);
	cr_assert_eq(lk_lock(d, &row, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(d, &db), -1);
	lk_txn_commit(d);
	lk_lockmgr_destroy(m2);
	lk_lockmgr_destroy(m);
}

static int ntrace_esc;
static void count_esc(void *ctx, const lk_trace_t *e)
{
	(void)ctx;
	if (e->event == LK_EV_ESCALATE)
		ntrace_esc++;
}

Test(lockmgr_hier, escalation_at_threshold)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 5);
	lk_lockmgr_set_trace(m, count_esc, NULL);
	lk_txn_t *a = begin(m);
	lk_res_t tab = lk_res_table(1, 7);
	for (uint32_t i = 0; i < 5; i++) {
		lk_res_t r = lk_res_row(1, 7, i / 2, i);
		cr_assert_eq(lk_lock(a, &r, LK_X, 0, 0), LK_OK);
	}
	cr_assert_eq(lk_held_mode(a, &tab), LK_IX, "threshold not passed yet");
	lk_res_t r5 = lk_res_row(1, 7, 3, 5);
	cr_assert_eq(lk_lock(a, &r5, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(a, &tab), LK_X, "escalated");
	lk_res_t r0 = lk_res_row(1, 7, 0, 0);
	cr_assert_eq(lk_held_mode(a, &r0), -1, "row locks released");
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.escalations, 1);
	cr_assert_eq(ntrace_esc, 1);
	/* others are now kept off the table's rows */
	lk_txn_t *b = begin(m);
	cr_assert_eq(lk_lock(b, &r0, LK_S, 0, 0), LK_WOULDBLOCK);
	lk_txn_commit(a);
	cr_assert_eq(lk_lock(b, &r0, LK_S, 0, 0), LK_OK);
	lk_txn_commit(b);

	/* blocked escalation changes nothing */
	lk_txn_t *c = begin(m), *d = begin(m);
	lk_res_t other = lk_res_row(1, 7, 50, 50);
	cr_assert_eq(lk_lock(d, &other, LK_S, 0, 0), LK_OK); /* IS on table */
	for (uint32_t i = 0; i < 8; i++) {
		lk_res_t r = lk_res_row(1, 7, 1, i);
		cr_assert_eq(lk_lock(c, &r, LK_X, 0, 0), LK_OK);
	}
	cr_assert_eq(lk_held_mode(c, &tab), LK_IX);
	lk_res_t r1 = lk_res_row(1, 7, 1, 1);
	cr_assert_eq(lk_held_mode(c, &r1), LK_X);
	lk_txn_commit(c);
	lk_txn_commit(d);
	lk_lockmgr_destroy(m);
}

/* ---- pools ------------------------------------------------------------------------ */

Test(lockmgr_pool, nomem_then_recovery)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.max_txns = 4;
	c.max_requests = 40;
	c.hierarchy = false;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_txn_t *t[5];
	for (int i = 0; i < 4; i++)
		t[i] = begin(m);
	cr_assert_eq(lk_txn_begin(m, &t[4]), LK_NOMEM);
	int got = 0, rc = LK_OK;
	for (uint32_t i = 0; i < 100 && rc == LK_OK; i++) {
		lk_res_t r = lk_res_advisory(i, 0);
		rc = lk_lock(t[0], &r, LK_X, 0, 0);
		if (rc == LK_OK)
			got++;
	}
	cr_assert_eq(rc, LK_NOMEM);
	cr_assert_eq(got, 40);
	/* nothing disturbed: others see the locks, the txn still works */
	lk_res_t r0 = lk_res_advisory(0, 0);
	cr_assert_eq(lk_lock(t[1], &r0, LK_S, 0, 0), LK_NOMEM, "pool is full");
	cr_assert_eq(lk_held_mode(t[0], &r0), LK_X);
	lk_lockinfo_t info[64];
	cr_assert_eq(lk_snapshot(m, info, 64), 40);
	cr_assert_eq(lk_lock(t[0], &r0, LK_X, 0, 0), LK_OK, "relock needs nothing");
	cr_assert_eq(lk_txn_commit(t[0]), LK_OK);
	/* recovery: new resources (idle heads get swept) */
	for (uint32_t i = 0; i < 30; i++) {
		lk_res_t r = lk_res_advisory(1000 + i, 0);
		cr_assert_eq(lk_lock(t[1], &r, LK_X, 0, 0), LK_OK);
	}
	lk_txn_commit(t[1]);
	cr_assert_eq(lk_txn_begin(m, &t[0]), LK_OK);
	lk_txn_commit(t[0]);
	lk_txn_commit(t[2]);
	lk_txn_commit(t[3]);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.requests_used, 0);
	cr_assert_eq(st.txns_active, 0);
	lk_lockmgr_destroy(m);
}

/* Txn slots keep caches of free requests and heads across txns; when the
 * shared stacks run dry the idle slots' caches are drained, so one txn can
 * still take the whole pool, and a begin racing nothing never fails. */
Test(lockmgr_pool, idle_slot_caches_are_drained)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.max_txns = 8;
	c.max_requests = 64;
	c.hierarchy = false;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	/* run a txn in every slot at once, each with a few locks, so that
	 * every slot ends with full caches */
	lk_txn_t *t[8];
	for (int i = 0; i < 8; i++)
		t[i] = begin(m);
	for (int i = 0; i < 8; i++)
		for (uint32_t k = 0; k < 4; k++) {
			lk_res_t r = lk_res_advisory(100 * (uint32_t)i + k, 0);
			cr_assert_eq(lk_lock(t[i], &r, LK_X, 0, 0), LK_OK);
		}
	for (int i = 0; i < 8; i++)
		cr_assert_eq(lk_txn_commit(t[i]), LK_OK);
	/* one txn takes all 64 requests (and 64 heads) */
	lk_txn_t *a = begin(m);
	int rc = LK_OK;
	uint32_t got = 0;
	for (uint32_t k = 0; k < 100 && rc == LK_OK; k++) {
		lk_res_t r = lk_res_advisory(5000 + k, 0);
		if ((rc = lk_lock(a, &r, LK_X, 0, 0)) == LK_OK)
			got++;
	}
	cr_assert_eq(rc, LK_NOMEM);
	cr_assert_eq(got, 64, "idle caches kept %u requests", 64 - got);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.requests_used, 64);
	cr_assert_eq(st.heads_used, 64);
	/* the other slots still begin (a drain put them back) */
	lk_txn_t *b = begin(m);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.requests_used, 0);
	cr_assert_eq(st.heads_used, 0);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_pool, sizes)
{
	cr_assert_leq(lk_request_size(), 32);
	/* whole cache lines, so that no line holds parts of two heads
	 * that two threads' caches hand out (README "Memory") */
	cr_assert_eq(lk_head_size() % 64, 0);
	cr_log_info("request %zu bytes, head %zu bytes", lk_request_size(),
		    lk_head_size());
}

/* ---- tokens, views, trace ------------------------------------------------------------ */

Test(lockmgr_view, fencing_tokens_increase)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	uint64_t last = 0;
	for (int i = 0; i < 5; i++) {
		lk_txn_t *a = begin(m);
		uint64_t tok = 0;
		cr_assert_eq(lk_lock_ex(a, &R1, LK_X, 0, 0, &tok), LK_OK);
		cr_assert_gt(tok, last);
		cr_assert_eq(lk_lock_token(a, &R1), tok);
		last = tok;
		lk_txn_commit(a);
	}
	lk_txn_t *s = begin(m);
	uint64_t tok = 99;
	cr_assert_eq(lk_lock_ex(s, &R1, LK_S, 0, 0, &tok), LK_OK);
	cr_assert_eq(tok, 0, "S is not exclusive");
	cr_assert_eq(lk_lock_ex(s, &R1, LK_X, 0, 0, &tok), LK_OK);
	cr_assert_gt(tok, last, "a conversion to X takes a token");
	lk_txn_commit(s);
	lk_lockmgr_destroy(m);
}

#define TR_MAX 64
static lk_trace_t tr[TR_MAX];
static int ntr;
static void rec(void *ctx, const lk_trace_t *e)
{
	(void)ctx;
	if (ntr < TR_MAX)
		tr[ntr++] = *e;
}

Test(lockmgr_view, trace_events)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	lk_lockmgr_set_trace(m, rec, NULL);
	lk_txn_t *a = begin(m), *b = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, 0), LK_WOULDBLOCK);
	lk_txn_commit(a);
	int want[] = {LK_EV_REQUEST, LK_EV_GRANT, LK_EV_REQUEST, LK_EV_CONVERT,
		      LK_EV_REQUEST, LK_EV_TIMEOUT, LK_EV_RELEASE};
	cr_assert_eq(ntr, 7);
	for (int i = 0; i < 7; i++) {
		cr_assert_eq(tr[i].event, want[i], "event %d", i);
		if (i)
			cr_assert_gt(tr[i].seq, tr[i - 1].seq);
	}
	cr_assert_eq(tr[3].prev_mode, LK_S);
	cr_assert_eq(tr[3].mode, LK_X);
	cr_assert_neq(tr[3].token, 0);
	cr_assert_eq(tr[5].status, LK_WOULDBLOCK);
	cr_assert_eq(tr[5].txn_id, lk_txn_id(b));
	lk_txn_commit(b);
	lk_lockmgr_destroy(m);
}

/* ---- more edges ---------------------------------------------------------------- */

Test(lockmgr_view, tokens_increase_across_head_recycling)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.max_txns = 2;
	c.max_requests = 8; /* 8 heads: R1's head is swept and reused */
	c.hierarchy = false;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	uint64_t last = 0;
	for (int round = 0; round < 6; round++) {
		lk_txn_t *t = begin(m);
		uint64_t tok = 0;
		cr_assert_eq(lk_lock_ex(t, &R1, LK_X, 0, 0, &tok), LK_OK);
		cr_assert_gt(tok, last, "round %d: %llu after %llu", round,
			     (unsigned long long)tok, (unsigned long long)last);
		last = tok;
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		/* touch 8 other resources so that every head is needed */
		t = begin(m);
		for (uint32_t k = 0; k < 8; k++) {
			lk_res_t r = lk_res_advisory(5000 + (uint32_t)round * 8 + k, 1);
			cr_assert_eq(lk_lock(t, &r, LK_S, 0, 0), LK_OK);
		}
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	}
	lk_lockmgr_destroy(m);
}

Test(lockmgr_hier, escalation_of_shared_rows_gives_s)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 3);
	lk_txn_t *a = begin(m), *b = begin(m);
	lk_res_t tab = lk_res_table(2, 1);
	for (uint32_t i = 0; i < 4; i++) {
		lk_res_t r = lk_res_row(2, 1, 0, i);
		cr_assert_eq(lk_lock(a, &r, LK_S, 0, 0), LK_OK);
	}
	cr_assert_eq(lk_held_mode(a, &tab), LK_S);
	/* readers still welcome, writers not */
	lk_res_t r9 = lk_res_row(2, 1, 0, 9);
	cr_assert_eq(lk_lock(b, &r9, LK_S, 0, 0), LK_OK);
	lk_txn_t *w = begin(m);
	cr_assert_eq(lk_lock(w, &r9, LK_X, 0, 0), LK_WOULDBLOCK);
	/* a row write by a under its S table converts the table to SIX */
	lk_res_t r1 = lk_res_row(2, 1, 0, 1);
	lk_txn_commit(b);
	cr_assert_eq(lk_lock(a, &r1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(a, &tab), LK_SIX);
	cr_assert_eq(lk_held_mode(a, &r1), LK_X);
	lk_txn_commit(a);
	lk_txn_commit(w);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_inval, handle_of_destroyed_manager)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	lk_txn_t *t = begin(m);
	lk_lockmgr_destroy(m);
	cr_assert_eq(lk_lock(t, &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_txn_commit(t), LK_INVAL);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st); /* not live: zeroes, no read of m */
	cr_assert_eq(st.txns_max, 0);
	lk_lockmgr_destroy(m); /* a second destroy is ignored */
	lk_lockmgr_set_trace(m, NULL, NULL);
	lk_txn_t *t2;
	cr_assert_eq(lk_txn_begin(m, &t2), LK_INVAL);
	cr_assert_eq(lk_snapshot(m, NULL, 0), 0);
}

