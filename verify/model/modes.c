/*
 * verify/model/modes.c: the fixed parts of the model. The resource
 * universe, the mode tables written out from lockmgr.h's text (not read
 * from the library, so a changed table in the library is a mismatch), and
 * the configurations every run is drawn from.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the resource universe --------------------------------------------------
 * Small on purpose, so that txns meet: two databases, three tables, four
 * pages, eight rows (five under table (1,1), enough for "more than 3"),
 * two advisory and two user resources, and three of invalid kinds. */
#define R(k, a, b, c, d) {(k), {(a), (b), (c), (d)}}
static const lk_res_t universe[RES_NALL] = {
	R(LK_RES_DATABASE, 1, 0, 0, 0), R(LK_RES_DATABASE, 2, 0, 0, 0),
	R(LK_RES_TABLE, 1, 1, 0, 0),    R(LK_RES_TABLE, 1, 2, 0, 0),
	R(LK_RES_TABLE, 2, 1, 0, 0),    R(LK_RES_PAGE, 1, 1, 1, 0),
	R(LK_RES_PAGE, 1, 1, 2, 0),     R(LK_RES_PAGE, 1, 2, 1, 0),
	R(LK_RES_PAGE, 2, 1, 1, 0),     R(LK_RES_ROW, 1, 1, 1, 1),
	R(LK_RES_ROW, 1, 1, 1, 2),      R(LK_RES_ROW, 1, 1, 1, 3),
	R(LK_RES_ROW, 1, 1, 2, 1),      R(LK_RES_ROW, 1, 1, 2, 2),
	R(LK_RES_ROW, 1, 2, 1, 1),      R(LK_RES_ROW, 1, 2, 1, 2),
	R(LK_RES_ROW, 2, 1, 1, 1),      R(LK_RES_ADVISORY, 1, 2, 0, 0),
	R(LK_RES_ADVISORY, 3, 4, 0, 0), R(LK_RES_USER, 5, 0, 0, 0),
	R(LK_RES_USER + 184, 1, 2, 3, 4),
	/* invalid kinds: LK_RES_NONE and two below LK_RES_USER */
	R(LK_RES_NONE, 0, 0, 0, 0),     R(6, 1, 0, 0, 0),
	R(15, 1, 1, 0, 0),
};

const lk_res_t *res_at(int i)
{
	return (i >= 0 && i < RES_NALL) ? &universe[i] : NULL;
}

int res_index(const lk_res_t *r)
{
	for (int i = 0; i < RES_NALL; i++)
		if (lk_res_equal(r, &universe[i]))
			return i;
	return -1;
}

int res_parent(int i)
{
	lk_res_t p;
	if (i < 0 || i >= RES_NVALID || !lk_res_parent(&universe[i], &p))
		return -1;
	return res_index(&p);
}

/* ---- mode tables, from the header ------------------------------------------ */

static mtab_t tabs[3];
static bool tabs_built;

/* supremum[a][b]: "the weakest mode conflicting with everything either
 * conflicts with" (lockmgr.h): among the modes whose conflict set covers
 * the union, the one with the fewest conflicts; a, then b, if they
 * qualify, then the lowest index. */
static void derive_sup(mtab_t *t)
{
	for (int a = 0; a < t->n; a++)
		for (int b = 0; b < t->n; b++) {
			uint16_t u = t->conf[a] | t->conf[b];
			int best = -1;
			if ((t->conf[a] & u) == u)
				best = a;
			else if ((t->conf[b] & u) == u)
				best = b;
			else
				for (int c = 0; c < t->n; c++)
					if ((t->conf[c] & u) == u &&
					    (best < 0 ||
					     __builtin_popcount(t->conf[c]) <
						     __builtin_popcount(t->conf[best])))
						best = c;
			t->sup[a][b] = (uint8_t)best;
		}
}

static void build(void)
{
	if (tabs_built)
		return;
	/* The default table: the matrix in lockmgr.h, order IS IX S SIX U X.
	 *            IS  IX  S   SIX U   X
	 *      IS    +   +   +   +   +   -
	 *      IX    +   +   -   -   -   -
	 *      S     +   -   +   -   +   -
	 *      SIX   +   -   -   -   -   -
	 *      U     +   -   +   -   -   -
	 *      X     -   -   -   -   -   -                                 */
	mtab_t *d = &tabs[TAB_DEFAULT];
	static const char *const dn[] = {"LK_IS", "LK_IX", "LK_S", "LK_SIX", "LK_U", "LK_X"};
	static const uint16_t dc[] = {0x20, 0x3C, 0x2A, 0x3E, 0x3A, 0x3F};
	d->n = 6;
	for (int i = 0; i < 6; i++) {
		d->conf[i] = dc[i];
		d->names[i] = dn[i];
	}
	derive_sup(d);
	/* "Intention mode taken on ancestors: IS for IS and S, IX for IX, SIX,
	 * U and X." (issue 12: U needs IX on its ancestors.) */
	static const uint8_t din[] = {LK_IS, LK_IX, LK_IS, LK_IX, LK_IX, LK_IX};
	/* "Escalation (row locks -> table lock): S rows give S, U and X rows
	 * give X." The header says nothing of SIX rows; SIX (its read part and
	 * its own intention) is what the table keeps; IS/IX rows give none. */
	static const uint8_t des[] = {LK_MODE_NONE, LK_MODE_NONE, LK_S, LK_SIX, LK_X, LK_X};
	memcpy(d->intent, din, sizeof din);
	memcpy(d->esc, des, sizeof des);

	/* PostgreSQL's table-level conflicts (src/backend/storage/lmgr/lock.c
	 * LockConflicts, lockdefs.h order); no intention map, no escalation. */
	mtab_t *p = &tabs[TAB_PG];
	static const char *const pn[] = {
		"LK_PG_ACCESS_SHARE", "LK_PG_ROW_SHARE", "LK_PG_ROW_EXCLUSIVE",
		"LK_PG_SHARE_UPDATE_EXCLUSIVE", "LK_PG_SHARE",
		"LK_PG_SHARE_ROW_EXCLUSIVE", "LK_PG_EXCLUSIVE",
		"LK_PG_ACCESS_EXCLUSIVE"};
	static const uint16_t pc[] = {
		1u << 7,                                  /* AccessShare  */
		1u << 6 | 1u << 7,                        /* RowShare     */
		1u << 4 | 1u << 5 | 1u << 6 | 1u << 7,    /* RowExclusive */
		0xF8,                                     /* ShareUpdateEx */
		1u << 2 | 1u << 3 | 1u << 5 | 1u << 6 | 1u << 7, /* Share */
		0xFC,                                     /* ShareRowEx   */
		0xFE,                                     /* Exclusive    */
		0xFF,                                     /* AccessEx     */
	};
	p->n = 8;
	for (int i = 0; i < 8; i++) {
		p->conf[i] = pc[i];
		p->names[i] = pn[i];
		p->intent[i] = p->esc[i] = LK_MODE_NONE;
	}
	derive_sup(p);

	mtab_t *s = &tabs[TAB_SX];
	s->n = 2;
	s->conf[0] = 0x2;
	s->conf[1] = 0x3;
	s->names[0] = "LK_SX_S";
	s->names[1] = "LK_SX_X";
	s->intent[0] = s->intent[1] = s->esc[0] = s->esc[1] = LK_MODE_NONE;
	derive_sup(s);
	tabs_built = true;
}

const mtab_t *mtab_get(int table)
{
	build();
	return &tabs[table];
}

const lk_modetable_t *mtab_lib(int table)
{
	return table == TAB_PG ? lk_modetable_postgres()
	       : table == TAB_SX ? lk_modetable_sx()
				 : lk_modetable_default();
}

bool mtab_check(int table, char *why, size_t n)
{
	const mtab_t *t = mtab_get(table);
	const lk_modetable_t *l = mtab_lib(table);
	if ((int)l->nmodes != t->n) {
		snprintf(why, n, "nmodes: header %d, library %u", t->n, l->nmodes);
		return false;
	}
	for (int a = 0; a < t->n; a++) {
		if (l->conflicts[a] != t->conf[a]) {
			snprintf(why, n, "conflicts[%s]: header 0x%x, library 0x%x",
				 t->names[a], t->conf[a], l->conflicts[a]);
			return false;
		}
		if (l->intention[a] != t->intent[a]) {
			snprintf(why, n, "intention[%s]: header %d, library %d",
				 t->names[a], t->intent[a], l->intention[a]);
			return false;
		}
		if (l->escalate[a] != t->esc[a]) {
			snprintf(why, n, "escalate[%s]: header %d, library %d",
				 t->names[a], t->esc[a], l->escalate[a]);
			return false;
		}
		for (int b = 0; b < t->n; b++)
			if (l->supremum[a][b] != t->sup[a][b]) {
				snprintf(why, n, "supremum[%s][%s]: header %s, library %d",
					 t->names[a], t->names[b],
					 t->names[t->sup[a][b]], l->supremum[a][b]);
				return false;
			}
	}
	return true;
}

/* ---- configurations ------------------------------------------------------------
 * Every policy, escalation thresholds 0..3, pools of 4..64 requests and
 * 2..8 txns (so LK_NOMEM happens), hierarchy off, strict 2PL, fifo off,
 * the PostgreSQL and S/X tables, and no trace hook (the tokens are then
 * read through lk_lock_token). Escalation is left off where the
 * header leaves it undefined: with the hierarchy off (no table request
 * counts the rows) and with a table without escalate[] ("hierarchy and
 * escalation are off for this table"). */
const mcfg_t model_cfgs[] = {
	/* name            policy               txns reqs esc fifo  hier  2pl   table  notrace */
	{"nowait",         LK_POLICY_NO_WAIT,    5, 256, 0, true,  true,  false, TAB_DEFAULT, false},
	{"nowait-esc1",    LK_POLICY_NO_WAIT,    5, 256, 1, true,  true,  false, TAB_DEFAULT, false},
	{"nowait-esc2",    LK_POLICY_NO_WAIT,    4, 256, 2, true,  true,  false, TAB_DEFAULT, false},
	{"waitdie",        LK_POLICY_WAIT_DIE,   5, 256, 0, true,  true,  false, TAB_DEFAULT, false},
	{"waitdie-esc3",   LK_POLICY_WAIT_DIE,   5, 256, 3, true,  true,  false, TAB_DEFAULT, false},
	{"woundwait",      LK_POLICY_WOUND_WAIT, 5, 256, 0, true,  true,  false, TAB_DEFAULT, false},
	{"woundwait-esc2", LK_POLICY_WOUND_WAIT, 4, 256, 2, true,  true,  false, TAB_DEFAULT, false},
	{"detect",         LK_POLICY_DETECT,     5, 256, 0, true,  true,  false, TAB_DEFAULT, false},
	{"detect-esc1",    LK_POLICY_DETECT,     5, 256, 1, true,  true,  false, TAB_DEFAULT, false},
	{"pool4",          LK_POLICY_NO_WAIT,    3,   4, 0, true,  true,  false, TAB_DEFAULT, false},
	{"pool8-esc1",     LK_POLICY_DETECT,     3,   8, 1, true,  true,  false, TAB_DEFAULT, false},
	{"pool16-esc2",    LK_POLICY_WAIT_DIE,   4,  16, 2, true,  true,  false, TAB_DEFAULT, false},
	{"pool32",         LK_POLICY_WOUND_WAIT, 6,  32, 0, true,  true,  false, TAB_DEFAULT, false},
	{"pool64-esc3",    LK_POLICY_DETECT,     8,  64, 3, true,  true,  false, TAB_DEFAULT, false},
	{"txns2",          LK_POLICY_NO_WAIT,    2,  64, 0, true,  true,  false, TAB_DEFAULT, false},
	{"flat",           LK_POLICY_DETECT,     5, 256, 0, true,  false, false, TAB_DEFAULT, false},
	{"strict2pl-esc1", LK_POLICY_WOUND_WAIT, 5, 256, 1, true,  true,  true,  TAB_DEFAULT, false},
	{"nofifo",         LK_POLICY_WAIT_DIE,   5, 256, 0, false, true,  false, TAB_DEFAULT, false},
	{"pg",             LK_POLICY_NO_WAIT,    4,  32, 0, true,  true,  false, TAB_PG, false},
	{"sx",             LK_POLICY_WAIT_DIE,   4,  16, 0, true,  true,  false, TAB_SX, false},
	/* without a trace hook: what the table does must not hang on it */
	{"nowait-esc1-notrace", LK_POLICY_NO_WAIT, 5, 256, 1, true, true,  false, TAB_DEFAULT, true},
	{"woundwait-notrace", LK_POLICY_WOUND_WAIT, 5, 256, 0, true, true, false, TAB_DEFAULT, true},
	{"pool8-esc2-notrace", LK_POLICY_WAIT_DIE, 3,   8, 2, true, true,  false, TAB_DEFAULT, true},
};
const int model_ncfgs = (int)(sizeof model_cfgs / sizeof model_cfgs[0]);

int cfg_by_name(const char *s)
{
	for (int i = 0; i < model_ncfgs; i++)
		if (!strcmp(s, model_cfgs[i].name))
			return i;
	char *end;
	long v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v < model_ncfgs)
		return (int)v;
	return -1;
}

mcfg_t cfg_effective(int cfg, unsigned tolerate)
{
	mcfg_t c = model_cfgs[cfg];
	if (tolerate & TOL_ESC)
		c.esc = 0;
	return c;
}
