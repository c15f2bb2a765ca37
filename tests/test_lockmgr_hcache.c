/*
 * Tests of the hierarchy cache (lockmgr/lock.c, README "Hierarchy
 * cache"): a row lock under a database, table and page that the txn's
 * last row lock left held takes lock_fast with no walk and no lookup. The
 * cache must never answer for ancestors that changed since: each test
 * makes a row lock fill it, changes an ancestor (a conversion, a release,
 * a move by a strong locker, an escalation, the txn's end), and checks
 * that the next row lock in the same page does what the walk does
 * (lockmgr.h: coverage, intention locks on the ancestors). Each runs with
 * the weak-lock fast path on (ancestors held as records) and off (held as
 * main-table requests).
 */
#include "harness.h"

#include <latchkit/lockmgr.h>

static lk_lockmgr_t *mk(bool fast_path, uint32_t esc, bool strict)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_NO_WAIT;
	c.max_txns = 16;
	c.max_requests = 256;
	c.fast_path = fast_path;
	c.escalation_threshold = esc;
	c.strict_2pl = strict;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	return m;
}

static lk_txn_t *begin(lk_lockmgr_t *m)
{
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	return t;
}

static const lk_res_t DB = {LK_RES_DATABASE, {1, 0, 0, 0}};
static const lk_res_t TAB = {LK_RES_TABLE, {1, 2, 0, 0}};
static const lk_res_t PAGE = {LK_RES_PAGE, {1, 2, 3, 0}};

static lk_res_t row(uint32_t r)
{
	return lk_res_row(1, 2, 3, r);
}

/* t's modes on the database, table and page are a, b, c */
static void expect_anc(lk_txn_t *t, int a, int b, int c, const char *when)
{
	cr_expect_eq(lk_held_mode(t, &DB), a, "%s: database", when);
	cr_expect_eq(lk_held_mode(t, &TAB), b, "%s: table", when);
	cr_expect_eq(lk_held_mode(t, &PAGE), c, "%s: page", when);
}

/* "If one of them is already held by the txn in a mode covering `mode`,
 * nothing is locked": an ancestor converted to a covering mode after the
 * cache was filled covers the next row (not locked: lk_held_mode -1). */
Test(hcache, converted_table_covers_the_next_row)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 0, true);
		lk_txn_t *t = begin(m);
		lk_res_t r1 = row(1), r2 = row(2), r3 = row(3);
		cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r2, LK_X, 0, 0), LK_OK); /* cached */
		expect_anc(t, LK_IX, LK_IX, LK_IX, "rows");
		cr_assert_eq(lk_lock(t, &TAB, LK_X, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &TAB), LK_X);
		uint64_t tok = 1;
		cr_assert_eq(lk_lock_ex(t, &r3, LK_X, 0, 0, &tok), LK_OK);
		cr_expect_eq(lk_held_mode(t, &r3), -1, "fp %d: covered row locked", fp);
		cr_expect_eq(tok, 0);
		cr_expect_eq(lk_held_mode(t, &r2), LK_X);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* The same one level down, and a mode the page does not cover: "IS for
 * IS and S, IX for IX, SIX, U and X" on the ancestors, so page S with a
 * row X below becomes SIX. */
Test(hcache, converted_page_covers_reads_and_raises_for_writes)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 0, true);
		lk_txn_t *t = begin(m);
		lk_res_t r1 = row(1), r2 = row(2), r3 = row(3), r4 = row(4), r5 = row(5);
		cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
		expect_anc(t, LK_IS, LK_IS, LK_IS, "reads");
		cr_assert_eq(lk_lock(t, &PAGE, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r3, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &r3), -1, "fp %d: covered row locked", fp);
		cr_assert_eq(lk_lock(t, &r4, LK_X, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &r4), LK_X);
		expect_anc(t, LK_IX, LK_IX, LK_SIX, "write under page S");
		/* SIX covers reads: the cache filled by r4 must not pass them */
		cr_assert_eq(lk_lock(t, &r5, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &r5), -1, "fp %d: read under SIX locked", fp);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* A row mode whose intention the cached ancestors do not hold: IS ones
 * become IX, and another txn's S on the table is then refused. */
Test(hcache, stronger_row_mode_raises_the_intentions)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 0, true);
		lk_txn_t *t = begin(m), *o = begin(m);
		lk_res_t r1 = row(1), r2 = row(2), r3 = row(3);
		cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r3, LK_X, 0, 0), LK_OK);
		expect_anc(t, LK_IX, LK_IX, LK_IX, "write after reads");
		cr_expect_eq(lk_lock(o, &TAB, LK_S, 0, 0), LK_WOULDBLOCK);
		cr_assert_eq(lk_txn_abort(o), LK_OK);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* lk_unlock of an ancestor (strict_2pl off): the next row lock below it
 * takes its intention lock again. */
Test(hcache, released_ancestor_is_taken_again)
{
	const lk_res_t *anc[3] = {&PAGE, &TAB, &DB};
	for (int fp = 0; fp < 2; fp++)
		for (int a = 0; a < 3; a++) {
			lk_lockmgr_t *m = mk(fp, 0, false);
			lk_txn_t *t = begin(m);
			lk_res_t r1 = row(1), r2 = row(2), r3 = row(3);
			cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
			cr_assert_eq(lk_lock(t, &r2, LK_X, 0, 0), LK_OK);
			cr_assert_eq(lk_unlock(t, anc[a]), LK_OK);
			cr_expect_eq(lk_held_mode(t, anc[a]), -1);
			cr_assert_eq(lk_lock(t, &r3, LK_X, 0, 0), LK_OK);
			expect_anc(t, LK_IX, LK_IX, LK_IX, "after an unlock");
			cr_expect_eq(lk_held_mode(t, &r3), LK_X);
			cr_assert_eq(lk_txn_commit(t), LK_OK);
			lk_lockmgr_destroy(m);
		}
}

/* The cache belongs to one txn: the next txn in the same slot (the free
 * stack hands the slot straight back) takes its own intention locks, and
 * another txn then sees them. */
Test(hcache, a_new_txn_starts_with_none)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 0, true);
		lk_res_t r1 = row(1), r2 = row(2);
		for (int k = 0; k < 3; k++) {
			lk_txn_t *t = begin(m);
			cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
			cr_assert_eq(lk_lock(t, &r2, LK_X, 0, 0), LK_OK);
			expect_anc(t, LK_IX, LK_IX, LK_IX, "each txn");
			lk_txn_t *o = begin(m);
			cr_expect_eq(lk_lock(o, &PAGE, LK_S, 0, 0), LK_WOULDBLOCK);
			cr_assert_eq(lk_txn_abort(o), LK_OK);
			cr_assert_eq(k ? lk_txn_abort(t) : lk_txn_commit(t), LK_OK);
		}
		lk_lockmgr_destroy(m);
	}
}

/* Rows on another page or table are not the cached ones: each takes its
 * own page and table intention locks; the first page's stay. */
Test(hcache, other_page_and_table)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 0, true);
		lk_txn_t *t = begin(m);
		lk_res_t r1 = row(1), r2 = row(2);
		lk_res_t p4 = lk_res_page(1, 2, 4), q = lk_res_row(1, 2, 4, 9);
		lk_res_t t5 = lk_res_table(1, 5), p5 = lk_res_page(1, 5, 3),
			 s = lk_res_row(1, 5, 3, 1);
		cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &q, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &p4), LK_IS);
		cr_expect_eq(lk_held_mode(t, &q), LK_S);
		cr_assert_eq(lk_lock(t, &q, LK_X, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &p4), LK_IX);
		cr_expect_eq(lk_held_mode(t, &PAGE), LK_IS);
		cr_expect_eq(lk_held_mode(t, &TAB), LK_IX);
		cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK); /* page 3 again */
		cr_assert_eq(lk_lock(t, &s, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &t5), LK_IS);
		cr_expect_eq(lk_held_mode(t, &p5), LK_IS);
		cr_expect_eq(lk_held_mode(t, &s), LK_S);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* A row on another page under the cached table takes that page's
 * intention lock without the walk (lock.c, lock_row_page), and the cache
 * then answers for the new page, not the old one: with page 3 held IX, a
 * read on page 4 leaves page 4 IS, and a write next to it must raise page
 * 4 to IX (the old page's IX does not vouch for it). */
Test(hcache, next_page_moves_the_cache)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 0, true);
		lk_txn_t *t = begin(m);
		lk_res_t r1 = row(1), p4 = lk_res_page(1, 2, 4);
		lk_res_t a = lk_res_row(1, 2, 4, 8), b = lk_res_row(1, 2, 4, 9);
		cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
		expect_anc(t, LK_IX, LK_IX, LK_IX, "write on page 3");
		cr_assert_eq(lk_lock(t, &a, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &p4), LK_IS, "read on page 4");
		cr_assert_eq(lk_lock(t, &b, LK_X, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &p4), LK_IX, "write on page 4");
		cr_expect_eq(lk_held_mode(t, &b), LK_X);
		expect_anc(t, LK_IX, LK_IX, LK_IX, "page 3 after page 4");
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* A strong locker moves t's records into the main table while the cache
 * vouches for them: t's next rows still need nothing more, its ancestors
 * stay IX (the strong locker is refused), and the snapshot lists each of
 * t's ancestors once. */
Test(hcache, moved_records_still_hold)
{
	lk_lockmgr_t *m = mk(true, 0, true);
	lk_txn_t *t = begin(m), *o = begin(m);
	lk_res_t r1 = row(1), r2 = row(2), r3 = row(3);
	cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r2, LK_X, 0, 0), LK_OK);
	cr_expect_eq(lk_lock(o, &TAB, LK_S, 0, 0), LK_WOULDBLOCK);
	cr_expect_eq(lk_lock(o, &PAGE, LK_S, 0, 0), LK_WOULDBLOCK);
	cr_assert_eq(lk_lock(t, &r3, LK_X, 0, 0), LK_OK);
	expect_anc(t, LK_IX, LK_IX, LK_IX, "after the moves");
	lk_lockinfo_t info[32];
	size_t n = lk_snapshot(m, info, 32);
	cr_assert_leq(n, 32);
	int tab = 0, page = 0;
	for (size_t i = 0; i < n; i++) {
		if (info[i].txn_id != lk_txn_id(t))
			continue; /* o keeps its IS on the database and table */
		tab += info[i].res.kind == LK_RES_TABLE;
		page += info[i].res.kind == LK_RES_PAGE;
	}
	cr_expect_eq(tab, 1);
	cr_expect_eq(page, 1);
	cr_expect_eq(lk_lock(o, &TAB, LK_S, 0, 0), LK_WOULDBLOCK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	cr_expect_eq(lk_lock(o, &TAB, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Escalation converts the table after a row that the cache let through:
 * "more than escalation_threshold row locks of one txn under one table"
 * trade them for the table lock, which then covers the next rows. */
Test(hcache, escalation_then_rows_are_covered)
{
	for (int fp = 0; fp < 2; fp++) {
		lk_lockmgr_t *m = mk(fp, 3, true);
		lk_txn_t *t = begin(m);
		for (uint32_t r = 1; r <= 4; r++) {
			lk_res_t x = row(r);
			cr_assert_eq(lk_lock(t, &x, LK_X, 0, 0), LK_OK);
		}
		cr_expect_eq(lk_held_mode(t, &TAB), LK_X, "fp %d: not escalated", fp);
		lk_res_t r5 = row(5), r1 = row(1);
		cr_expect_eq(lk_held_mode(t, &r1), -1);
		cr_assert_eq(lk_lock(t, &r5, LK_X, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &r5), -1);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}
