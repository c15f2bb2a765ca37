/*
 * The lock table's contract, part 3 (issue 12): the hierarchy with each of
 * the six modes on every level, coverage by an ancestor, U, conversions in
 * both directions, escalation with each mode mix. Each test quotes the
 * sentence of lockmgr.h it checks; the default mode table is written out
 * by hand in lockmgr_contract.h, so a change to the library's table (say,
 * U's intention IS instead of IX, or X rows escalating to S) fails here.
 *
 * U, read as Gray & Reuter read it (issue 12: "U is a read mode with a
 * pending write: it needs IX on the ancestors (it may convert to X); it
 * covers S-requests on its subtree the way S does, and it never turns an
 * ancestor into SIX"):
 * - a U lock on a node implicitly locks its whole subtree in U, as S does
 *   in S: no other txn can take IX on the node (U conflicts with IX), so
 *   none can take U, SIX or X anywhere below it, while readers (IS, S)
 *   still can. So the holder's own IS, S and U requests below it add
 *   nothing: they are covered ("A non-intention mode a held on an ancestor
 *   covers a child request in mode m iff supremum[a][m] == a": sup(U, IS),
 *   sup(U, S) and sup(U, U) are all U), the child is not locked
 *   (lk_held_mode = -1, as for S under S) and the U ancestor is left as it
 *   is: no IX is taken on it, so it never becomes SIX that way, and
 *   another txn's S on it does not block the request;
 * - requests U does not cover (IX, SIX, X) take intention[m] = IX on the
 *   U ancestor, which becomes sup(U, IX) = SIX, and the child is locked;
 * - coverage is decided on the modes the txn held before the call ("If one
 *   of them is already held by the txn in a mode covering `mode`"), not
 *   on what the intention lock of this very call made of the ancestor: a
 *   page S (or U) with a row IX below becomes SIX and the row is locked IX;
 * - a U row under a page held S (not U) is not covered (sup(S, U) = U):
 *   it needs IX on the page, so the page becomes SIX, the price of "it
 *   needs IX on the ancestors (it may convert to X)": the later X then
 *   needs nothing more above it.
 */
#include "lockmgr_contract.h"

static const uint32_t LEVELS[4] = {LK_RES_DATABASE, LK_RES_TABLE, LK_RES_PAGE,
				   LK_RES_ROW};

/* ---- intention locks: every mode on every level --------------------------- */

/* "Hierarchy (config.hierarchy, mode table with intention map, no
 * LK_F_NOHIER, a page/row/table resource): first takes intention[mode] on
 * the database, table and page above res, root first"; "Intention mode
 * taken on ancestors: IS for IS and S, IX for IX, SIX, U and X". Checked
 * through lk_held_mode and through what another txn can then lock. */
Test(contract_hier, every_mode_on_every_level_takes_its_intention)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	for (int lv = 0; lv < 4; lv++)
		for (int mode = 0; mode < 6; mode++) {
			uint32_t db = 100 + (uint32_t)lv * 10 + (uint32_t)mode;
			lk_res_t res = lkc_at(LEVELS[lv], db);
			lk_txn_t *t = lkc_begin(m);
			uint64_t tok = LKC_SENTINEL;
			cr_assert_eq(lk_lock_ex(t, &res, mode, 0, 0, &tok), LK_OK);
			cr_expect_eq(lk_held_mode(t, &res), mode);
			cr_expect_eq(tok != 0, lkc_excl(mode), "%s %s token %llu",
				     lkc_kind_name(LEVELS[lv]), lkc_mode_name(mode),
				     (unsigned long long)tok);
			for (int up = 0; up < lv; up++) {
				lk_res_t anc = lkc_at(LEVELS[up], db);
				int held = lk_held_mode(t, &anc);
				cr_expect_eq(held, LKC_INT[mode], "%s %s: %s holds %s, want %s",
					     lkc_kind_name(LEVELS[lv]), lkc_mode_name(mode),
					     lkc_kind_name(LEVELS[up]), lkc_mode_name(held),
					     lkc_mode_name(LKC_INT[mode]));
				/* another txn: IS intention admits S, IX does not */
				lk_txn_t *o = lkc_begin(m);
				int want = LKC_INT[mode] == LK_IS ? LK_OK : LK_WOULDBLOCK;
				cr_expect_eq(lk_lock(o, &anc, LK_S, 0, 0), want,
					     "%s %s: another txn's S on the %s",
					     lkc_kind_name(LEVELS[lv]), lkc_mode_name(mode),
					     lkc_kind_name(LEVELS[up]));
				cr_assert_eq(lk_txn_abort(o), LK_OK);
				o = lkc_begin(m);
				cr_expect_eq(lk_lock(o, &anc, LK_X, 0, 0), LK_WOULDBLOCK);
				cr_assert_eq(lk_txn_abort(o), LK_OK);
			}
			/* the resource itself: the matrix */
			for (int n = 0; n < 6; n++) {
				lk_txn_t *o = lkc_begin(m);
				int want = LKC_COMPAT[mode][n] == '+' ? LK_OK : LK_WOULDBLOCK;
				cr_expect_eq(lk_lock(o, &res, n, 0, 0), want,
					     "%s held %s, another asks %s",
					     lkc_kind_name(LEVELS[lv]), lkc_mode_name(mode),
					     lkc_mode_name(n));
				cr_assert_eq(lk_txn_abort(o), LK_OK);
			}
			cr_assert_eq(lk_txn_commit(t), LK_OK);
		}
	lk_lockmgr_destroy(m);
}

/* No intention locks with LK_F_NOHIER ("no automatic intention locks on
 * ancestors"), with config.hierarchy false, or for a kind outside the
 * hierarchy (advisory, user: "no hierarchy"). */
Test(contract_hier, no_intention_locks_when_off)
{
	lk_lockmgr_t *on = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_lockmgr_t *off = lkc_mgr(LK_POLICY_NO_WAIT, 64, 4096, 0, false);
	for (int lv = 1; lv < 4; lv++)
		for (int mode = 0; mode < 6; mode++) {
			uint32_t db = 200 + (uint32_t)lv * 10 + (uint32_t)mode;
			lk_res_t res = lkc_at(LEVELS[lv], db);
			lk_txn_t *a = lkc_begin(on), *b = lkc_begin(off);
			cr_assert_eq(lk_lock(a, &res, mode, 0, LK_F_NOHIER), LK_OK);
			cr_assert_eq(lk_lock(b, &res, mode, 0, 0), LK_OK);
			cr_expect_eq(lk_held_mode(a, &res), mode);
			cr_expect_eq(lk_held_mode(b, &res), mode);
			for (int up = 0; up < lv; up++) {
				lk_res_t anc = lkc_at(LEVELS[up], db);
				cr_expect_eq(lk_held_mode(a, &anc), -1, "NOHIER %s %s",
					     lkc_kind_name(LEVELS[lv]), lkc_mode_name(mode));
				cr_expect_eq(lk_held_mode(b, &anc), -1, "hierarchy off");
			}
			cr_assert_eq(lk_txn_commit(a), LK_OK);
			cr_assert_eq(lk_txn_commit(b), LK_OK);
		}
	lk_txn_t *t = lkc_begin(on);
	lk_res_t adv = lk_res_advisory(1, 2), user = lk_res_user(LK_RES_USER + 1, 1, 2, 3, 4);
	cr_assert_eq(lk_lock(t, &adv, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &user, LK_X, 0, 0), LK_OK);
	lk_lockinfo_t info[4];
	cr_expect_eq(lk_snapshot(on, info, 4), 2, "nothing but the two");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(on);
	lk_lockmgr_destroy(off);
}

/* ---- coverage by an ancestor, every mode pair ---------------------------- */

/* "If one of them is already held by the txn in a mode covering `mode`,
 * the resource itself is not locked and LK_OK is returned"; "A mode i with
 * intention[i] == i is an intention mode: it never covers children. A
 * non-intention mode a held on an ancestor covers a child request in mode
 * m iff supremum[a][m] == a; the child is then not locked at all".
 * For an ancestor A held in a and a request m on a descendant C:
 * covered: nothing at all changes (no intention lock either: a U ancestor
 * stays U); not covered: C is locked in m, A becomes sup(a, intention[m]),
 * the levels between hold intention[m], those above A
 * sup(intention[a], intention[m]). */
Test(contract_hier, ancestor_coverage_every_mode_pair)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	uint32_t db = 1000;
	for (int al = 0; al < 3; al++)
		for (int cl = al + 1; cl < 4; cl++)
			for (int a = 0; a < 6; a++)
				for (int mode = 0; mode < 6; mode++, db++) {
					lk_res_t lv[4];
					for (int k = 0; k < 4; k++)
						lv[k] = lkc_at(LEVELS[k], db);
					lk_txn_t *t = lkc_begin(m);
					cr_assert_eq(lk_lock(t, &lv[al], a, 0, 0), LK_OK);
					char what[96];
					snprintf(what, sizeof what, "%s held %s, %s asks %s",
						 lkc_kind_name(LEVELS[al]), lkc_mode_name(a),
						 lkc_kind_name(LEVELS[cl]), lkc_mode_name(mode));
					if (lkc_covers(a, mode)) {
						lkc_probe_t pr[4];
						for (int k = 0; k < 4; k++)
							pr[k] = (lkc_probe_t){t, lv[k]};
						uint64_t tok = LKC_SENTINEL;
						lkc_state_t *b = lkc_capture(m, pr, 4);
						cr_expect_eq(lk_lock_ex(t, &lv[cl], mode, 0, 0, &tok),
							     LK_OK, "%s", what);
						lkc_state_t *after = lkc_capture(m, pr, 4);
						/* stats aside: whether a covered request is
						 * "acquired" is not this test's business */
						after->st = b->st;
						lkc_same(b, after, LKC_NOTHING, what);
						lkc_free(b);
						lkc_free(after);
						cr_expect_eq(tok, 0, "%s: covered, token 0", what);
					} else {
						cr_expect_eq(lk_lock(t, &lv[cl], mode, 0, 0), LK_OK,
							     "%s", what);
						for (int k = 0; k <= cl; k++) {
							int want = k == cl   ? mode
								   : k > al  ? LKC_INT[mode]
								   : k == al ? LKC_SUP[a][LKC_INT[mode]]
									     : LKC_SUP[LKC_INT[a]][LKC_INT[mode]];
							int held = lk_held_mode(t, &lv[k]);
							cr_expect_eq(held, want, "%s: %s holds %s, want %s",
								     what, lkc_kind_name(LEVELS[k]),
								     lkc_mode_name(held),
								     lkc_mode_name(want));
						}
					}
					cr_assert_eq(lk_txn_commit(t), LK_OK);
				}
	lk_lockmgr_destroy(m);
}

/* ---- U --------------------------------------------------------------------- */

/* "IX for IX, SIX, U and X": a U row puts IX on page, table and database;
 * so another txn's S on any of them waits, its IS does not, and its S on
 * the row itself is compatible ("U is compatible with IS and S only"). */
Test(contract_u, takes_ix_on_every_ancestor)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_res_t row = lk_res_row(1, 1, 1, 1);
	lk_txn_t *t = lkc_begin(m);
	cr_assert_eq(lk_lock(t, &row, LK_U, 0, 0), LK_OK);
	for (int k = 0; k < 3; k++) {
		lk_res_t anc = lkc_at(LEVELS[k], 1);
		cr_assert_eq(lk_held_mode(t, &anc), LK_IX, "%s", lkc_kind_name(LEVELS[k]));
		lk_txn_t *o = lkc_begin(m);
		cr_assert_eq(lk_lock(o, &anc, LK_S, 0, 0), LK_WOULDBLOCK,
			     "a U below makes the %s unreadable as a whole",
			     lkc_kind_name(LEVELS[k]));
		cr_assert_eq(lk_lock(o, &anc, LK_IS, 0, 0), LK_OK);
		cr_assert_eq(lk_txn_abort(o), LK_OK);
	}
	lk_txn_t *r = lkc_begin(m), *u = lkc_begin(m);
	cr_assert_eq(lk_lock(r, &row, LK_S, 0, 0), LK_OK, "readers of the row pass");
	cr_assert_eq(lk_lock(u, &row, LK_U, 0, 0), LK_WOULDBLOCK, "one U at a time");
	cr_assert_eq(lk_txn_commit(r), LK_OK);
	cr_assert_eq(lk_txn_commit(u), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Issue 12 item 3: a page held U, then a row under it locked U: the page
 * stays U (never SIX) and the row is covered (sup(U, U) = U), so it is not
 * locked: lk_held_mode says -1, as for an S row under an S page. Other
 * readers of the page still pass (SIX would stop them). */
Test(contract_u, u_page_covers_a_u_row_and_stays_u)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_res_t page = lk_res_page(1, 1, 1), row = lk_res_row(1, 1, 1, 1),
		 tab = lk_res_table(1, 1);
	lk_txn_t *t = lkc_begin(m);
	cr_assert_eq(lk_lock(t, &page, LK_U, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_IX);
	uint64_t tok = LKC_SENTINEL;
	cr_assert_eq(lk_lock_ex(t, &row, LK_U, 0, 0, &tok), LK_OK);
	cr_expect_eq(lk_held_mode(t, &page), LK_U, "page became %s",
		     lkc_mode_name(lk_held_mode(t, &page)));
	cr_expect_eq(lk_held_mode(t, &row), -1, "covered: not locked");
	cr_expect_eq(tok, 0, "covered: token 0");
	lk_txn_t *o = lkc_begin(m);
	cr_expect_eq(lk_lock(o, &page, LK_S, 0, 0), LK_OK, "readers of the page pass");
	cr_expect_eq(lk_lock(o, &row, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	o = lkc_begin(m);
	cr_expect_eq(lk_lock(o, &row, LK_U, 0, 0), LK_WOULDBLOCK,
		     "no other U below a U page");
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Issue 12 item 3: with another txn's S on the page, the same row U
 * request does not block: the page's U covers it. */
Test(contract_u, covered_u_row_does_not_wait_for_a_page_reader)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_res_t page = lk_res_page(1, 1, 1), row = lk_res_row(1, 1, 1, 1);
	lk_txn_t *t = lkc_begin(m), *o = lkc_begin(m);
	cr_assert_eq(lk_lock(t, &page, LK_U, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(o, &page, LK_S, 0, 0), LK_OK);
	lkc_probe_t pr[] = {{t, page}, {t, row}, {o, page}};
	LKC_UNCHANGED(m, pr, 3, LK_OK, lk_lock(t, &row, LK_U, 0, 0));
	cr_expect_eq(lk_held_mode(t, &page), LK_U);
	cr_expect_eq(lk_held_mode(o, &page), LK_S);
	/* S requests under it are covered too */
	lk_res_t row2 = lk_res_row(1, 1, 1, 2);
	LKC_UNCHANGED(m, pr, 3, LK_OK, lk_lock(t, &row2, LK_S, 0, 0));
	LKC_UNCHANGED(m, pr, 3, LK_OK, lk_lock(t, &row2, LK_IS, 0, 0));
	/* an X below needs IX on the page: that waits for the reader */
	cr_expect_eq(lk_lock(t, &row, LK_X, 0, 0), LK_WOULDBLOCK);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	cr_expect_eq(lk_lock(t, &row, LK_X, 0, 0), LK_OK);
	cr_expect_eq(lk_held_mode(t, &page), LK_SIX, "sup(U, IX)");
	cr_expect_eq(lk_held_mode(t, &row), LK_X);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Issue 12 item 3: page U, then row IX. U does not cover IX (sup(U, IX) =
 * SIX != U), so the row is locked IX and the page takes intention[IX] =
 * IX: it becomes supremum[U][IX], which lockmgr.h's conversion rule gives
 * as SIX ("IX+U = SIX"). The same for a page held S. */
Test(contract_u, u_page_then_ix_row_locks_the_row)
{
	const lk_modetable_t *mt = lk_modetable_default();
	cr_assert_eq(mt->supremum[LK_U][LK_IX], LK_SIX);
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	const int pages[2] = {LK_U, LK_S};
	for (int k = 0; k < 2; k++) {
		lk_res_t page = lk_res_page(1, 1, (uint32_t)k), row = lk_res_row(1, 1, (uint32_t)k, 1);
		lk_txn_t *t = lkc_begin(m);
		cr_assert_eq(lk_lock(t, &page, pages[k], 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &row, LK_IX, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &row), LK_IX, "page %s, row IX: row %s",
			     lkc_mode_name(pages[k]), lkc_mode_name(lk_held_mode(t, &row)));
		cr_expect_eq(lk_held_mode(t, &page), mt->supremum[pages[k]][LK_IX]);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	}
	lk_lockmgr_destroy(m);
}

/* "(it may convert to X)": a U row converts to X in place, with no new
 * lock above it (the ancestors already hold IX), and the conversion takes
 * a new token. */
Test(contract_u, u_row_converts_to_x_without_touching_ancestors)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_res_t row = lk_res_row(1, 1, 1, 1);
	lk_txn_t *t = lkc_begin(m), *r = lkc_begin(m);
	uint64_t tu = 0, tx = 0;
	cr_assert_eq(lk_lock_ex(t, &row, LK_U, 0, 0, &tu), LK_OK);
	cr_assert_eq(lk_lock(r, &row, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &row, LK_X, 0, 0), LK_WOULDBLOCK, "a reader is there");
	cr_assert_eq(lk_txn_commit(r), LK_OK);
	lk_res_t anc[3] = {lk_res_db(1), lk_res_table(1, 1), lk_res_page(1, 1, 1)};
	lkc_probe_t pr[3];
	for (int k = 0; k < 3; k++)
		pr[k] = (lkc_probe_t){t, anc[k]};
	lkc_state_t *b = lkc_capture(m, pr, 3);
	cr_assert_eq(lk_lock_ex(t, &row, LK_X, 0, 0, &tx), LK_OK);
	lkc_state_t *a = lkc_capture(m, pr, 3);
	for (int k = 0; k < 3; k++)
		cr_expect_eq(a->mode[k], LK_IX);
	cr_expect_eq(a->n, b->n, "no new lock");
	lkc_free(a);
	lkc_free(b);
	cr_assert_eq(lk_held_mode(t, &row), LK_X);
	cr_assert_gt(tx, tu);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A U row under a page held S: not covered (sup(S, U) = U != S), so the
 * row is locked U and the page takes IX: S + IX = SIX. (The choice this
 * file makes, see the top: "it needs IX on the ancestors".) */
Test(contract_u, u_row_under_an_s_page)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_res_t page = lk_res_page(1, 1, 1), row = lk_res_row(1, 1, 1, 1);
	lk_txn_t *t = lkc_begin(m);
	cr_assert_eq(lk_lock(t, &page, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &row, LK_U, 0, 0), LK_OK);
	cr_expect_eq(lk_held_mode(t, &row), LK_U);
	cr_expect_eq(lk_held_mode(t, &page), LK_SIX);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* ---- conversions, both directions ------------------------------------------ */

/* "Holding res already in h: asks for supremum[h][mode]; if that is h, LK_OK
 * at once; otherwise a conversion"; "a txn holds at most one mode per
 * resource". Every (held, asked) pair on every level: upward it converts
 * (ancestors to sup(intention[h], intention[m]), a new token when the new
 * mode is exclusive); downward (or equal) nothing changes at all (not
 * even the stats: acquired counts "not no-op relocks"), same token. */
Test(contract_conv, every_pair_on_every_level)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	uint32_t db = 3000;
	for (int lv = 0; lv < 4; lv++)
		for (int h = 0; h < 6; h++)
			for (int mode = 0; mode < 6; mode++, db++) {
				lk_res_t res = lkc_at(LEVELS[lv], db);
				lk_txn_t *t = lkc_begin(m);
				uint64_t t1 = 0, t2 = LKC_SENTINEL;
				cr_assert_eq(lk_lock_ex(t, &res, h, 0, 0, &t1), LK_OK);
				int sup = LKC_SUP[h][mode];
				char what[64];
				snprintf(what, sizeof what, "%s held %s, asks %s",
					 lkc_kind_name(LEVELS[lv]), lkc_mode_name(h),
					 lkc_mode_name(mode));
				lkc_probe_t pr[4];
				for (int k = 0; k < 4; k++)
					pr[k] = (lkc_probe_t){t, lkc_at(LEVELS[k], db)};
				if (sup == h) {
					LKC_UNCHANGED(m, pr, 4, LK_OK,
						      lk_lock_ex(t, &res, mode, 0, 0, &t2));
					cr_expect_eq(t2, t1, "%s: token", what);
				} else {
					cr_assert_eq(lk_lock_ex(t, &res, mode, 0, 0, &t2), LK_OK);
					cr_expect_eq(lk_held_mode(t, &res), sup, "%s: holds %s",
						     what, lkc_mode_name(lk_held_mode(t, &res)));
					for (int up = 0; up < lv; up++) {
						lk_res_t anc = lkc_at(LEVELS[up], db);
						cr_expect_eq(lk_held_mode(t, &anc),
							     LKC_SUP[LKC_INT[h]][LKC_INT[mode]],
							     "%s: %s", what, lkc_kind_name(LEVELS[up]));
					}
					if (lkc_excl(sup))
						cr_expect_gt(t2, t1, "%s: new token", what);
					else
						cr_expect_eq(t2, 0, "%s", what);
					cr_expect_eq(lk_lock_token(t, &res), t2);
					lk_lockinfo_t info[8];
					size_t n = lk_snapshot(m, info, 8);
					size_t mine = 0;
					for (size_t k = 0; k < n && k < 8; k++)
						if (lk_res_equal(&info[k].res, &res))
							mine++;
					cr_expect_eq(mine, 1, "%s: one request per resource", what);
				}
				cr_assert_eq(lk_txn_commit(t), LK_OK);
			}
	lk_lockmgr_destroy(m);
}

/* An ancestor locked after its children converts from its intention mode
 * (row X, then page S: IX + S = SIX); the children stay as they are (only
 * escalation releases them); a later child request it covers is LK_OK and
 * changes nothing; the child can still be unlocked. */
Test(contract_conv, ancestor_after_children)
{
	lk_lockmgr_t *m = lkc_mgr_default(LK_POLICY_NO_WAIT);
	lk_res_t row = lk_res_row(1, 1, 1, 1), page = lk_res_page(1, 1, 1),
		 tab = lk_res_table(1, 1), db = lk_res_db(1);
	lk_txn_t *t = lkc_begin(m);
	cr_assert_eq(lk_lock(t, &row, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &page, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(t, &page), LK_SIX);
	cr_assert_eq(lk_held_mode(t, &row), LK_X);
	cr_assert_eq(lk_lock(t, &tab, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_X);
	cr_assert_eq(lk_held_mode(t, &db), LK_IX);
	cr_assert_eq(lk_held_mode(t, &page), LK_SIX);
	cr_assert_eq(lk_held_mode(t, &row), LK_X);
	lkc_probe_t pr[] = {{t, row}, {t, page}, {t, tab}, {t, db}};
	lk_res_t row2 = lk_res_row(1, 1, 2, 2);
	LKC_CHECK(m, pr, 4, LKC_NOTHING, LK_OK, lk_lock(t, &row2, LK_X, 0, 0));
	cr_assert_eq(lk_held_mode(t, &row2), -1);
	cr_assert_eq(lk_unlock(t, &row), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* ---- escalation -------------------------------------------------------------- */

static lk_lockmgr_t *esc_mgr(uint32_t threshold)
{
	return lkc_mgr(LK_POLICY_NO_WAIT, 16, 1024, threshold, true);
}

/* escalation_threshold: "> this many row locks of one txn under one table
 * -> try a table lock; 0 = off". Issue 12: "more than N", counting every
 * row lock, LK_F_NOHIER ones included. Only NOHIER rows here (no page
 * locks at all), under a table the txn holds IS: 3 rows with threshold 3
 * do not escalate, the 4th does. */
Test(contract_esc, more_than_n_rows_nohier_included)
{
	lk_lockmgr_t *m = esc_mgr(3);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1);
	cr_assert_eq(lk_lock(t, &tab, LK_IS, 0, 0), LK_OK);
	for (uint32_t i = 0; i < 3; i++) {
		lk_res_t r = lk_res_row(1, 1, i, i);
		cr_assert_eq(lk_lock(t, &r, LK_S, 0, LK_F_NOHIER), LK_OK);
	}
	cr_expect_eq(lk_held_mode(t, &tab), LK_IS, "3 rows, threshold 3: not yet");
	lk_res_t r3 = lk_res_row(1, 1, 3, 3);
	cr_assert_eq(lk_lock(t, &r3, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_expect_eq(lk_held_mode(t, &tab), LK_S, "4 rows > 3: escalated to S");
	for (uint32_t i = 0; i < 4; i++) {
		lk_res_t r = lk_res_row(1, 1, i, i);
		cr_expect_eq(lk_held_mode(t, &r), -1, "row %u released", i);
	}
	cr_expect_eq(lkc_stats(m).escalations, 1);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Issue 12 items 6 and 7. Threshold 2 with one row: no escalation;
 * threshold 1 with two rows (one page or two): escalates; threshold 2 with
 * two rows and a NOHIER row under the table held IS: escalates. */
Test(contract_esc, issue_reproducers)
{
	lk_res_t tab = lk_res_table(1, 1);
	for (int mode = LK_S; mode <= LK_X; mode += LK_X - LK_S) {
		lk_lockmgr_t *m = esc_mgr(2);
		lk_txn_t *t = lkc_begin(m);
		lk_res_t r = lk_res_row(1, 1, 1, 1);
		cr_assert_eq(lk_lock(t, &r, mode, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &tab), LKC_INT[mode], "threshold 2, one %s row",
			     lkc_mode_name(mode));
		cr_expect_eq(lk_held_mode(t, &r), mode);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
	for (uint32_t pages = 1; pages <= 2; pages++) {
		lk_lockmgr_t *m = esc_mgr(1);
		lk_txn_t *t = lkc_begin(m);
		lk_res_t r1 = lk_res_row(1, 1, 1, 1), r2 = lk_res_row(1, 1, pages, 2);
		cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &tab), LK_S, "threshold 1, two rows, %u pages",
			     pages);
		cr_expect_eq(lk_held_mode(t, &r1), -1);
		cr_expect_eq(lk_held_mode(t, &r2), -1);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
	lk_lockmgr_t *m = esc_mgr(2);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t r1 = lk_res_row(1, 1, 1, 1), r2 = lk_res_row(1, 1, 1, 2),
		 r3 = lk_res_row(1, 1, 2, 3);
	cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_IS);
	cr_assert_eq(lk_lock(t, &r3, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_expect_eq(lk_held_mode(t, &tab), LK_S, "2 rows + 1 NOHIER row > 2");
	cr_expect_eq(lk_held_mode(t, &r3), -1);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* The threshold counts the row locks the txn holds: rows released early
 * (lk_unlock) no longer count, whichever table the txn touched last. */
Test(contract_esc, counts_rows_held_not_rows_ever_locked)
{
	for (int other = 0; other < 2; other++) {
		lk_lockmgr_t *m = esc_mgr(2);
		lk_txn_t *t = lkc_begin(m);
		lk_res_t a1 = lk_res_row(1, 1, 1, 1), a2 = lk_res_row(1, 1, 1, 2),
			 a3 = lk_res_row(1, 1, 1, 3), b1 = lk_res_row(1, 2, 1, 1),
			 tab = lk_res_table(1, 1);
		cr_assert_eq(lk_lock(t, &a1, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(t, &a2, LK_S, 0, 0), LK_OK);
		if (other) /* a row of another table in between */
			cr_assert_eq(lk_lock(t, &b1, LK_S, 0, 0), LK_OK);
		cr_assert_eq(lk_unlock(t, &a1), LK_OK);
		cr_assert_eq(lk_unlock(t, &a2), LK_OK);
		cr_assert_eq(lk_lock(t, &a3, LK_S, 0, 0), LK_OK);
		cr_expect_eq(lk_held_mode(t, &tab), LK_IS,
			     "one row held (other table touched: %d): table %s", other,
			     lkc_mode_name(lk_held_mode(t, &tab)));
		cr_expect_eq(lk_held_mode(t, &a3), LK_S);
		cr_expect_eq(lkc_stats(m).escalations, 0);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* "> this many row locks": page locks are not row locks. Threshold 2, two
 * rows in one page (page IS + 2 rows): no escalation. */
Test(contract_esc, page_locks_do_not_count)
{
	lk_lockmgr_t *m = esc_mgr(2);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1), r1 = lk_res_row(1, 1, 1, 1),
		 r2 = lk_res_row(1, 1, 1, 2), p2 = lk_res_page(1, 1, 2);
	cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &p2, LK_S, 0, 0), LK_OK);
	cr_expect_eq(lk_held_mode(t, &tab), LK_IS);
	cr_expect_eq(lk_held_mode(t, &r2), LK_S);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* "Escalation (row locks -> table lock): S rows give S, U and X rows give
 * X"; escalate[i]: "the table mode that covers a row held in mode i";
 * issue 12: the target is the supremum of all the rows' escalate[] modes
 * (with the table's own mode), not the last row's. Threshold = rows - 1,
 * so the last row triggers it; expected modes written by hand. After it,
 * every row is released, and another txn cannot lock what the new table
 * mode excludes. */
Test(contract_esc, target_is_the_supremum_of_every_row)
{
	static const struct {
		int rows[3];
		int n;
		int want;
	} cases[] = {
		{{LK_S, LK_S}, 2, LK_S},
		{{LK_X, LK_X}, 2, LK_X},
		{{LK_U, LK_U}, 2, LK_X},
		{{LK_S, LK_X}, 2, LK_X},
		{{LK_X, LK_S}, 2, LK_X},
		{{LK_S, LK_U}, 2, LK_X},
		{{LK_U, LK_S}, 2, LK_X},
		{{LK_U, LK_X}, 2, LK_X},
		{{LK_X, LK_U}, 2, LK_X},
		{{LK_X, LK_S, LK_S}, 3, LK_X},
		{{LK_S, LK_S, LK_X}, 3, LK_X},
		{{LK_U, LK_S, LK_S}, 3, LK_X},
		{{LK_S, LK_U, LK_S}, 3, LK_X},
		{{LK_S, LK_S, LK_S}, 3, LK_S},
		{{LK_X, LK_X, LK_X}, 3, LK_X},
		{{LK_SIX, LK_S}, 2, -1}, /* -1: from escalate[SIX], see below */
		{{LK_S, LK_SIX}, 2, -1},
	};
	const lk_modetable_t *mt = lk_modetable_default();
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		int n = cases[c].n, want = cases[c].want;
		if (want < 0) /* sup(IX, escalate[SIX], S): the table's value */
			want = LKC_SUP[LKC_SUP[LK_IX][mt->escalate[LK_SIX]]][LK_S];
		char what[64];
		int len = snprintf(what, sizeof what, "rows");
		for (int i = 0; i < n; i++)
			len += snprintf(what + len, sizeof what - (size_t)len, " %s",
					lkc_mode_name(cases[c].rows[i]));
		lk_lockmgr_t *m = esc_mgr((uint32_t)n - 1);
		lk_txn_t *t = lkc_begin(m);
		lk_res_t tab = lk_res_table(1, 1);
		for (int i = 0; i < n; i++) {
			lk_res_t r = lk_res_row(1, 1, 1, (uint32_t)i);
			cr_assert_eq(lk_lock(t, &r, cases[c].rows[i], 0, 0), LK_OK, "%s", what);
			if (i < n - 1)
				cr_assert_neq(lk_held_mode(t, &r), -1, "%s: early escalation", what);
		}
		int got = lk_held_mode(t, &tab);
		cr_expect_eq(got, want, "%s: table %s, want %s", what, lkc_mode_name(got),
			     lkc_mode_name(want));
		for (int i = 0; i < n; i++) {
			lk_res_t r = lk_res_row(1, 1, 1, (uint32_t)i);
			cr_expect_eq(lk_held_mode(t, &r), -1, "%s: row %d released", what, i);
		}
		cr_expect_eq(lkc_stats(m).escalations, 1, "%s", what);
		/* another txn: a row S elsewhere in the table passes iff the
		 * table mode admits IS */
		lk_txn_t *o = lkc_begin(m);
		lk_res_t far = lk_res_row(1, 1, 9, 9);
		int rc = lk_lock(o, &far, LK_S, 0, 0);
		cr_expect_eq(rc, want == LK_X ? LK_WOULDBLOCK : LK_OK, "%s: other's row S",
			     what);
		cr_assert_eq(lk_txn_commit(o), LK_OK);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* "(LK_MODE_NONE: not escalated)" and README: "if not [granted], nothing
 * changes and it tries again at the next row". Another txn's IS on the
 * table blocks the escalation to X: the rows stay; once it commits, the
 * next row escalates. */
Test(contract_esc, blocked_escalation_changes_nothing_then_retries)
{
	lk_lockmgr_t *m = esc_mgr(1);
	lk_txn_t *t = lkc_begin(m), *o = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1), far = lk_res_row(1, 1, 9, 9);
	cr_assert_eq(lk_lock(o, &far, LK_S, 0, 0), LK_OK);
	lk_res_t r[3];
	for (uint32_t i = 0; i < 3; i++)
		r[i] = lk_res_row(1, 1, 1, i);
	cr_assert_eq(lk_lock(t, &r[0], LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r[1], LK_X, 0, 0), LK_OK, "escalation failing is not an error");
	cr_expect_eq(lk_held_mode(t, &tab), LK_IX);
	cr_expect_eq(lk_held_mode(t, &r[0]), LK_X);
	cr_expect_eq(lk_held_mode(t, &r[1]), LK_X);
	cr_expect_eq(lkc_stats(m).escalations, 0);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	cr_assert_eq(lk_lock(t, &r[2], LK_X, 0, 0), LK_OK);
	cr_expect_eq(lk_held_mode(t, &tab), LK_X, "escalated at the next row");
	for (int i = 0; i < 3; i++)
		cr_expect_eq(lk_held_mode(t, &r[i]), -1);
	cr_expect_eq(lkc_stats(m).escalations, 1);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* lk_unlock: "LK_NOTHELD if the txn does not hold res (also when it is
 * covered by an escalated table lock)"; new rows under the escalated table
 * are covered: LK_OK, not locked. threshold 0: "off". */
Test(contract_esc, after_escalation_and_off)
{
	lk_lockmgr_t *m = esc_mgr(1);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1), r1 = lk_res_row(1, 1, 1, 1),
		 r2 = lk_res_row(1, 1, 1, 2), r3 = lk_res_row(1, 1, 5, 5);
	cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r2, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_X);
	lkc_probe_t pr[] = {{t, tab}, {t, r1}, {t, r2}, {t, r3}};
	LKC_UNCHANGED(m, pr, 4, LK_NOTHELD, lk_unlock(t, &r1));
	lkc_state_t *b = lkc_capture(m, pr, 4);
	cr_assert_eq(lk_lock(t, &r3, LK_X, 0, 0), LK_OK);
	lkc_state_t *a = lkc_capture(m, pr, 4);
	a->st = b->st;
	lkc_same(b, a, LKC_NOTHING, "row X under an escalated table X");
	lkc_free(a);
	lkc_free(b);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);

	m = esc_mgr(0);
	t = lkc_begin(m);
	for (uint32_t i = 0; i < 50; i++) {
		lk_res_t r = lk_res_row(1, 1, i / 8, i);
		cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK);
	}
	cr_expect_eq(lk_held_mode(t, &tab), LK_IX, "threshold 0: off");
	cr_expect_eq(lkc_stats(m).escalations, 0);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* LK_EV_ESCALATE: "txn's table lock on res became mode by escalation (the
 * row RELEASE events follow)"; "LK_EV_RELEASE ... (unlock, commit, abort,
 * escalation)". */
#define EV_MAX 64
static lk_trace_t evs[EV_MAX];
static int nev;
static void record(void *ctx, const lk_trace_t *e)
{
	(void)ctx;
	if (nev < EV_MAX)
		evs[nev++] = *e;
}

Test(contract_esc, trace_escalate_then_releases)
{
	lk_lockmgr_t *m = esc_mgr(2);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1);
	for (uint32_t i = 0; i < 2; i++) {
		lk_res_t r = lk_res_row(1, 1, 1, i);
		cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK);
	}
	lk_lockmgr_set_trace(m, record, NULL);
	uint64_t tok = 0;
	lk_res_t r2 = lk_res_row(1, 1, 1, 2);
	cr_assert_eq(lk_lock_ex(t, &r2, LK_X, 0, 0, &tok), LK_OK);
	lk_lockmgr_set_trace(m, NULL, NULL);
	int esc = -1, rows_released = 0;
	for (int i = 0; i < nev; i++) {
		if (evs[i].event == LK_EV_ESCALATE) {
			cr_expect_eq(esc, -1, "one ESCALATE");
			esc = i;
			cr_expect(lk_res_equal(&evs[i].res, &tab));
			cr_expect_eq(evs[i].mode, LK_X);
			cr_expect_eq(evs[i].prev_mode, LK_IX);
		}
		if (evs[i].event == LK_EV_RELEASE && evs[i].res.kind == LK_RES_ROW) {
			cr_expect_gt(i, esc, "RELEASE of a row before the ESCALATE");
			cr_expect_eq(evs[i].mode, LK_X);
			rows_released++;
		}
	}
	cr_assert_geq(esc, 0, "no ESCALATE event");
	cr_expect_eq(rows_released, 3);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* "LK_RES_USER + n: application kinds, no hierarchy": a user kind is never
 * a row or page of a table, whatever n is. Kind 259 once folded to 3 (a
 * page) in the request's 8-bit kind, and escalation released it. */
Test(contract_esc, user_kinds_are_never_rows_or_pages)
{
	lk_lockmgr_t *m = lkc_mgr(LK_POLICY_NO_WAIT, 4, 256, 1, true);
	lk_txn_t *t = lkc_begin(m);
	lk_res_t tab = lk_res_table(1, 1);
	lk_res_t u259 = lk_res_user(LK_RES_USER + 243, 1, 1, 0, 0);
	lk_res_t u260 = lk_res_user(LK_RES_USER + 244, 1, 1, 1, 0);
	lk_res_t r1 = lk_res_row(1, 1, 1, 1), r2 = lk_res_row(1, 1, 1, 2);
	cr_assert_eq(lk_lock(t, &tab, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &u259, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &u260, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &r2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_SIX, "escalated");
	cr_assert_eq(lk_held_mode(t, &u259), LK_X, "user kind 259 still held");
	cr_assert_eq(lk_held_mode(t, &u260), LK_S, "user kind 260 still held");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}
