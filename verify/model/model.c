/*
 * verify/model/model.c: the reference model of the lock table, from
 * lockmgr/lockmgr.h and lockmgr/README.md alone, with the semantics issue
 * 12 requires where the header is being corrected:
 *   - a failed call leaves its output parameters alone (*token, *out);
 *   - every invalid argument, kind (LK_RES_NONE, 6..15) and handle is
 *     LK_INVAL from every verb, and changes nothing;
 *   - U needs IX on its ancestors, covers S-requests below it as S does,
 *     and a U ancestor covers U requests, so it never turns into SIX
 *     for them (HIERARCHY RULES);
 *   - a freed request serves any txn before LK_NOMEM: LK_NOMEM exactly
 *     when every request is held, and requests_used = requests held;
 *   - fencing tokens strictly increase per resource, escalation included;
 *   - escalation at "more than N" rows under one table, NOHIER rows
 *     counted, to the supremum of all their escalate[] modes;
 *   - acquired counts the caller's grants; intention grants are counted
 *     apart (intention_acquired).
 * One thread drives it, so nothing is ever left waiting: a request that
 * conflicts fails at once (timeout 0: LK_WOULDBLOCK under every policy)
 * or after a short wait whose end the policy fixes (WAIT_DIE: dies if an
 * older txn blocks it; WOUND_WAIT: wounds the younger blockers, then times
 * out; DETECT: no cycle can form, times out).
 *
 * What the header leaves open is not compared: exact token values (only
 * "fresh" = above every token the resource gave before, and lk_lock_token
 * equal to what the grant gave), the order of a commit's or escalation's
 * RELEASE events, whether an ancestor already held strongly enough is
 * re-requested (an optional REQUEST + no-op GRANT pair), which heads exist
 * (heads_used is only bounded), and the txn ids (only increasing).
 */
#include "model.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define NONE LK_MODE_NONE

static bool res_hier_kind(int r)
{
	uint32_t k = res_at(r)->kind;
	return k == LK_RES_TABLE || k == LK_RES_PAGE || k == LK_RES_ROW;
}

/* ---- HIERARCHY RULES (issue 12) ----------------------------------------------
 * The one place that says how a held ancestor meets a child request. */

/* An ancestor held in a covers a child request in m: a non-intention mode
 * whose supremum with m is itself (lockmgr.h). U covers IS, S (and U): "it
 * covers S-requests on its subtree the way S does". The check uses the
 * mode held before this call ("already held by the txn in a mode
 * covering"), so an intention the call itself adds never covers its own
 * request (issue 12: page U, then row IX must lock the row). */
static bool covers(const mtab_t *t, int a, int m)
{
	return !mt_isint(t, a) && t->sup[a][m] == a;
}

/* The mode an ancestor held in h goes to when a child request in m needs
 * intention im there: supremum[h][im]. U needs IX above it (it may become
 * X; lockmgr.h), so an S ancestor under a U request becomes SIX; a U
 * ancestor never does, because it covers the U request (covers() above,
 * checked first). */
static int anc_target(const mtab_t *t, int h, int im, int m)
{
	(void)m;
	return t->sup[h][im];
}

/* ---- ESCALATION RULES (issue 12) ----------------------------------------------
 * On when the threshold is set, the hierarchy is on and the table has an
 * escalate[] map. A new row grant of txn T (LK_F_NOHIER or not) counts
 * T's rows under the row's table; more than the threshold, and T holding
 * that table, escalates: the table goes, without waiting, to the supremum
 * of its mode and escalate[] of each of T's row and page modes under it;
 * an intention result or a conflict with another txn's table mode means
 * no escalation (tried again at the next row). Then T's row and page
 * locks that the table mode covers (supremum(target, m) == target) are
 * released. Pages are not counted ("row locks" in lockmgr.h). */
#define ESC_COUNT_PAGES 0

/* ---- txns and slots ------------------------------------------------------------ */

static mtxn_t *txn_get(model_t *m, int label, bool create)
{
	if (label < 0)
		return NULL;
	if ((uint32_t)label >= m->ntx) {
		if (!create)
			return NULL;
		if ((uint32_t)label >= m->captx) {
			uint32_t c = m->captx ? m->captx : 64;
			while (c <= (uint32_t)label)
				c *= 2;
			m->tx = (mtxn_t *)realloc(m->tx, c * sizeof *m->tx);
			if (!m->tx)
				abort();
			memset(m->tx + m->captx, 0, (c - m->captx) * sizeof *m->tx);
			m->captx = c;
		}
		m->ntx = (uint32_t)label + 1;
	}
	return &m->tx[label];
}

mtxn_t *model_txn(model_t *m, int label)
{
	return txn_get(m, label, false);
}

void model_init(model_t *m, const mcfg_t *cfg, unsigned tolerate)
{
	memset(m, 0, sizeof *m);
	m->cfg = cfg;
	m->mt = mtab_get(cfg->table);
	m->tolerate = tolerate;
	m->next_order = 1;
}

void model_free(model_t *m)
{
	free(m->tx);
	m->tx = NULL;
}

void model_begun(model_t *m, int label, lk_txn_t *h, uint64_t id)
{
	mtxn_t *t = txn_get(m, label, false);
	if (!t)
		return;
	t->h = h;
	t->id = id;
	if (id > m->last_id)
		m->last_id = id;
}

void model_bind(model_t *m, const mev_t *ev, uint64_t tok)
{
	if (ev->bind_res >= 0 && tok > m->last_tok[ev->bind_res])
		m->last_tok[ev->bind_res] = tok;
	if (ev->bind_slot >= 0 && ev->bind_res >= 0)
		m->live[ev->bind_slot].tok[ev->bind_res] = tok;
}

/* ---- planning ------------------------------------------------------------------- */

typedef struct ctx {
	model_t *m;
	mexp_t *e;
	int label, nomem_at, nalloc, last_ev;
	mtxn_t *t;
	mslot_t *s;
	bool tmo; /* may wait (timeout > 0) */
} ctx_t;

static mev_t *ev_add(mexp_t *e, int event, int label, int res, int mode,
		     int prev, int status)
{
	if (e->nev >= M_MAXEV)
		abort(); /* the universe bounds it well below */
	mev_t *v = &e->ev[e->nev++];
	memset(v, 0, sizeof *v);
	v->event = event;
	v->label = label;
	v->res = res;
	v->mode = mode;
	v->prev = prev;
	v->status = status;
	v->tok_rule = TR_ZERO;
	v->bind_slot = v->bind_res = -1;
	return v;
}

/* An exclusive grant takes a fresh token into T's cell for res. */
static void ev_tok_fresh(ctx_t *c, mev_t *v, int res, int mode)
{
	if (!mt_excl(c->m->mt, mode))
		return;
	v->tok_rule = TR_FRESH;
	v->bind_slot = c->t->slot;
	v->bind_res = res;
}

static int other_holders(ctx_t *c, int res, int mode, int *who, int cap)
{
	int n = 0;
	for (int i = 0; i < M_MAXLIVE; i++) {
		if (!c->m->slot_used[i] || i == c->t->slot)
			continue;
		int h = c->m->live[i].held[res];
		if (h >= 0 && mt_conf(c->m->mt, mode, h) && n < cap)
			who[n++] = c->m->live[i].label;
	}
	return n;
}

/* The request cannot be granted now: what the policy does. */
static int fail_path(ctx_t *c, int res, int want, int prev, const int *who,
		     int nwho)
{
	model_t *m = c->m;
	c->e->tags |= TAG_CONFLICT;
	if (!c->tmo || m->cfg->policy == LK_POLICY_NO_WAIT) {
		ev_add(c->e, LK_EV_TIMEOUT, c->label, res, want, prev, LK_WOULDBLOCK);
		m->st.wouldblocks++;
		return LK_WOULDBLOCK;
	}
	if (m->cfg->policy == LK_POLICY_WAIT_DIE) {
		bool older = false;
		for (int i = 0; i < nwho; i++)
			older |= model_txn(m, who[i])->order < c->t->order;
		if (older) { /* younger than a blocker: dies at once */
			mev_t *v = ev_add(c->e, LK_EV_VICTIM, c->label, res, want,
					  prev, LK_DEADLOCK);
			v->waiting = true;
			m->st.deadlocks++;
			c->t->doomed = true;
			c->e->tags |= TAG_DIE;
			return LK_DEADLOCK;
		}
	}
	ev_add(c->e, LK_EV_WAIT, c->label, res, want, prev, LK_OK);
	m->st.waited++;
	c->e->tags |= TAG_WAIT;
	if (m->cfg->policy == LK_POLICY_WOUND_WAIT)
		for (int i = 0; i < nwho; i++) {
			mtxn_t *b = model_txn(m, who[i]);
			if (b->order < c->t->order || b->wounded)
				continue;
			b->wounded = true;
			m->st.wounds++;
			mev_t *v = ev_add(c->e, LK_EV_VICTIM, who[i], res, -1, -1,
					  LK_WOUNDED);
			v->group = 1;
			c->e->tags |= TAG_WOUND;
		}
	/* the wait ends at its deadline: nothing else runs */
	ev_add(c->e, LK_EV_TIMEOUT, c->label, res, want, prev, LK_TIMEOUT);
	m->st.timeouts++;
	return LK_TIMEOUT;
}

static int req_new(ctx_t *c, int res, int mode, bool intention)
{
	model_t *m = c->m;
	if (m->used >= m->cfg->max_requests || c->nalloc++ == c->nomem_at) {
		c->e->tags |= TAG_NOMEM;
		return LK_NOMEM;
	}
	ev_add(c->e, LK_EV_REQUEST, c->label, res, mode, -1, LK_OK);
	int who[M_MAXLIVE];
	int n = other_holders(c, res, mode, who, M_MAXLIVE);
	if (n)
		return fail_path(c, res, mode, -1, who, n);
	c->s->held[res] = (int8_t)mode;
	c->s->tok[res] = 0;
	m->used++;
	if (m->used == m->cfg->max_requests)
		c->e->tags |= TAG_POOLEDGE;
	mev_t *v = ev_add(c->e, LK_EV_GRANT, c->label, res, mode, -1, LK_OK);
	ev_tok_fresh(c, v, res, mode);
	c->last_ev = c->e->nev - 1;
	if (intention) {
		m->st.intention_acquired++;
		c->e->tags |= TAG_INTENT;
	} else {
		m->st.acquired++;
	}
	return LK_OK;
}

static int req_convert(ctx_t *c, int res, int held, int asked, int target,
		       bool intention)
{
	model_t *m = c->m;
	ev_add(c->e, LK_EV_REQUEST, c->label, res, asked, held, LK_OK);
	int who[M_MAXLIVE];
	int n = other_holders(c, res, target, who, M_MAXLIVE);
	if (n)
		return fail_path(c, res, target, held, who, n);
	c->s->held[res] = (int8_t)target;
	c->s->tok[res] = 0;
	mev_t *v = ev_add(c->e, LK_EV_CONVERT, c->label, res, target, held, LK_OK);
	ev_tok_fresh(c, v, res, target);
	c->last_ev = c->e->nev - 1;
	c->e->tags |= intention ? TAG_INTENT : TAG_CONVERT;
	if (intention)
		m->st.intention_acquired++;
	else
		m->st.acquired++;
	return LK_OK;
}

/* A relock that changes nothing: REQUEST, GRANT(held, held), the current
 * token. optional: an ancestor pass may skip it altogether. */
static void noop(ctx_t *c, int res, int held, int asked, bool optional)
{
	mev_t *a = ev_add(c->e, LK_EV_REQUEST, c->label, res, asked, held, LK_OK);
	mev_t *b = ev_add(c->e, LK_EV_GRANT, c->label, res, held, held, LK_OK);
	if (mt_excl(c->m->mt, held)) {
		b->tok_rule = TR_EQ;
		b->tok_val = c->s->tok[res];
	}
	if (optional) {
		a->optional = 1;
		b->optional = 2;
	}
	c->last_ev = c->e->nev - 1;
}

static bool under_table(int r, int tab)
{
	const lk_res_t *a = res_at(r), *t = res_at(tab);
	return (a->kind == LK_RES_ROW || a->kind == LK_RES_PAGE) &&
	       a->f[0] == t->f[0] && a->f[1] == t->f[1];
}

static int table_of(int r)
{
	int p = res_parent(r);
	return res_at(r)->kind == LK_RES_ROW ? res_parent(p) : -1;
}

static void maybe_escalate(ctx_t *c, int row, int row_ev)
{
	model_t *m = c->m;
	const mtab_t *mt = m->mt;
	if (!m->cfg->esc || !m->cfg->hier || m->cfg->table != TAB_DEFAULT)
		return;
	int tab = table_of(row);
	int th = c->s->held[tab];
	if (th < 0)
		return;
	uint32_t n = 0;
	for (int r = 0; r < RES_NVALID; r++)
		if (c->s->held[r] >= 0 && under_table(r, tab) &&
		    (ESC_COUNT_PAGES || res_at(r)->kind == LK_RES_ROW))
			n++;
	if (n == m->cfg->esc)
		c->e->tags |= TAG_ESCNEAR;
	if (n <= m->cfg->esc)
		return;
	int target = th;
	for (int r = 0; r < RES_NVALID; r++)
		if (c->s->held[r] >= 0 && under_table(r, tab) &&
		    mt->esc[c->s->held[r]] != NONE)
			target = mt->sup[target][mt->esc[c->s->held[r]]];
	int who[M_MAXLIVE];
	if (mt_isint(mt, target) || other_holders(c, tab, target, who, M_MAXLIVE)) {
		c->e->tags |= TAG_ESCNO;
		return;
	}
	mev_t *v = ev_add(c->e, LK_EV_ESCALATE, c->label, tab, target, th, LK_OK);
	if (mt_excl(mt, target)) {
		v->tok_rule = target != th ? TR_FRESH : TR_SAME_FRESH;
		v->tok_val = c->s->tok[tab];
		v->bind_slot = c->t->slot;
		v->bind_res = tab;
	}
	int esc_ev = c->e->nev - 1;
	c->s->held[tab] = (int8_t)target;
	if (target != th)
		c->s->tok[tab] = 0;
	for (int r = 0; r < RES_NVALID; r++) {
		int h = c->s->held[r];
		if (h < 0 || !under_table(r, tab) || mt->sup[target][h] != target)
			continue;
		mev_t *rv = ev_add(c->e, LK_EV_RELEASE, c->label, r, h, h, LK_OK);
		rv->group = 2;
		c->s->held[r] = -1;
		c->s->tok[r] = 0;
		m->used--;
	}
	m->st.escalations++;
	c->e->tags |= TAG_ESC;
	/* *token: the row's grant or the table's new lock; the header does
	 * not say which a lock that escalated reports */
	c->e->tok_rule = TR_EVENT;
	c->e->ev_a = row_ev;
	c->e->ev_b = esc_ev;
}

static void plan_lock(ctx_t *c, int res, int mode, unsigned flags)
{
	model_t *m = c->m;
	const mtab_t *mt = m->mt;
	mexp_t *e = c->e;
	bool hier = m->cfg->hier && !(flags & LK_F_NOHIER) &&
		    mt->intent[mode] != NONE && res_hier_kind(res);
	int anc[3], na = 0;
	for (int p = res_parent(res); p >= 0; p = res_parent(p))
		anc[na++] = p;
	if (res_at(res)->kind == LK_RES_ROW && (flags & LK_F_NOHIER) &&
	    c->s->held[anc[1]] >= 0)
		e->tags |= TAG_NOHIERROW;
	if (hier) {
		if (mode == LK_U && m->cfg->table == TAB_DEFAULT)
			e->tags |= TAG_UHIER;
		for (int k = 0; k < na; k++)
			if (m->cfg->table == TAB_DEFAULT && c->s->held[anc[k]] == LK_U)
				e->tags |= TAG_UHIER;
		int im = mt->intent[mode];
		for (int k = na - 1; k >= 0; k--) {
			int a = anc[k], h = c->s->held[a];
			if (h >= 0 && covers(mt, h, mode)) {
				e->tags |= (h == LK_U && m->cfg->table == TAB_DEFAULT)
						   ? TAG_UCOVER
						   : TAG_COVER;
				/* whether the covering ancestor is asked again
				 * (a no-op relock) is not the header's business */
				noop(c, a, h, im, true);
				e->rc = LK_OK;
				e->tok_rule = TR_ZERO; /* "covered by an ancestor give 0" */
				return;
			}
			int rc;
			if (h < 0) {
				rc = req_new(c, a, im, true);
			} else {
				int tg = anc_target(mt, h, im, mode);
				if (tg != h && covers(mt, tg, mode))
					e->tags |= TAG_SELFCOVER;
				if (tg == h) {
					if (mt->sup[h][im] != h)
						e->tags |= TAG_UANC;
					noop(c, a, h, im, true);
					rc = LK_OK;
				} else {
					rc = req_convert(c, a, h, im, tg, true);
				}
			}
			if (rc != LK_OK) {
				e->rc = rc;
				return;
			}
		}
	}
	int h = c->s->held[res], rc;
	bool fresh = false;
	if (h < 0) {
		rc = req_new(c, res, mode, false);
		fresh = rc == LK_OK;
	} else if (mt->sup[h][mode] == h) {
		noop(c, res, h, mode, false);
		e->tags |= TAG_NOOP;
		e->rc = LK_OK;
		e->tok_rule = TR_EQ;
		e->tok_val = mt_excl(mt, h) ? c->s->tok[res] : 0;
		return;
	} else {
		rc = req_convert(c, res, h, mode, mt->sup[h][mode], false);
	}
	e->rc = rc;
	if (rc != LK_OK)
		return;
	e->tok_rule = TR_EVENT;
	e->ev_a = e->ev_b = c->last_ev;
	if (fresh && res_at(res)->kind == LK_RES_ROW)
		maybe_escalate(c, res, c->last_ev);
}

static int slot_alloc(model_t *m, int label)
{
	for (int i = 0; i < M_MAXLIVE; i++)
		if (!m->slot_used[i]) {
			m->slot_used[i] = true;
			memset(&m->live[i], 0, sizeof m->live[i]);
			memset(m->live[i].held, -1, sizeof m->live[i].held);
			m->live[i].label = label;
			return i;
		}
	abort(); /* configs keep max_txns below M_MAXLIVE */
}

static void plan_end(model_t *m, mexp_t *e, mtxn_t *t, int label, bool commit)
{
	mslot_t *s = &m->live[t->slot];
	for (int r = 0; r < RES_NVALID; r++)
		if (s->held[r] >= 0) {
			mev_t *v = ev_add(e, LK_EV_RELEASE, label, r, s->held[r],
					  s->held[r], LK_OK);
			v->group = 1;
			m->used--;
		}
	m->slot_used[t->slot] = false;
	t->slot = -1;
	t->state = 2;
	m->nlive--;
	if (commit)
		m->st.commits++;
	else
		m->st.aborts++;
	m->stale[m->nstale++ % 8] = label;
	e->rc = LK_OK;
}

void model_plan(model_t *m, const op_t *op, mexp_t *e, int nomem_at)
{
	memset(e, 0, offsetof(mexp_t, ev));
	e->tok_rule = TR_UNTOUCHED;
	e->ev_a = e->ev_b = -1;
	e->rc = LK_INVAL;
	if (op->kind == OP_BEGIN_NULLMGR || op->kind == OP_BEGIN_NULLOUT) {
		e->tags |= TAG_INVAL;
		return;
	}
	if (op->kind == OP_BEGIN) {
		mtxn_t *t = txn_get(m, op->txn, true);
		if (t->state != 0) { /* a label begins once */
			e->skip = true;
			return;
		}
		if (m->nlive >= m->cfg->max_txns) {
			t->state = 3;
			e->rc = LK_NOMEM;
			e->tags |= TAG_NOMEM;
			return;
		}
		t->state = 1;
		t->order = m->next_order++;
		t->slot = (int8_t)slot_alloc(m, op->txn);
		m->nlive++;
		e->rc = LK_OK;
		e->begin_out = true;
		return;
	}
	/* the handle */
	mtxn_t *t = NULL;
	if (op->hsel == H_LABEL) {
		t = txn_get(m, op->txn, false);
		if (!t || t->state == 0 || t->state == 3) {
			e->skip = true;
			return;
		}
		if (t->state == 2) {
			e->tags |= TAG_STALE | TAG_INVAL;
			return;
		}
	} else {
		e->tags |= TAG_INVAL;
		return;
	}
	if (op->kind == OP_COMMIT || op->kind == OP_ABORT) {
		if (t->doomed && op->kind == OP_COMMIT) {
			e->invalid_seq = true; /* "the caller must abort" */
			return;
		}
		plan_end(m, e, t, op->txn, op->kind == OP_COMMIT);
		return;
	}
	if (op->res == RES_NULL) {
		e->tags |= TAG_INVAL;
		return;
	}
	if (op->res >= RES_NVALID) {
		e->tags |= TAG_INVAL | TAG_BADKIND;
		return;
	}
	if (op->kind == OP_UNLOCK) {
		if (m->cfg->strict2pl) {
			e->tags |= TAG_INVAL | TAG_2PL;
			return;
		}
		if (t->doomed) {
			e->invalid_seq = true;
			return;
		}
		mslot_t *s = &m->live[t->slot];
		int h = s->held[op->res];
		if (h < 0) {
			e->rc = LK_NOTHELD;
			return;
		}
		ev_add(e, LK_EV_RELEASE, op->txn, op->res, h, h, LK_OK);
		s->held[op->res] = -1;
		s->tok[op->res] = 0;
		m->used--;
		e->rc = LK_OK;
		return;
	}
	/* lk_lock / lk_lock_ex */
	if (op->mode < 0 || op->mode >= m->mt->n || (op->flags & ~LK_F_NOHIER)) {
		e->tags |= TAG_INVAL;
		return;
	}
	if (t->doomed) {
		e->invalid_seq = true;
		return;
	}
	if (t->wounded) { /* "every later lock call fails so" */
		e->rc = LK_WOUNDED;
		e->tags |= TAG_WOUNDED;
		return;
	}
	ctx_t c = {m, e, op->txn, nomem_at, 0, -1, t, &m->live[t->slot],
		   op->tmo != TMO_ZERO};
	plan_lock(&c, op->res, op->mode, op->flags);
	if (e->rc != LK_OK)
		e->tok_rule = TR_UNTOUCHED;
}

bool model_tolerated(const model_t *m, const op_t *op)
{
	bool lock = op->kind == OP_LOCK || op->kind == OP_LOCK_EX;
	if ((m->tolerate & TOL_BADKIND) && op->res != RES_NULL && op->res >= RES_NVALID &&
	    (lock || op->kind == OP_UNLOCK))
		return true;
	if (!(m->tolerate & TOL_UHIER) || !lock || m->cfg->table != TAB_DEFAULT ||
	    op->res >= RES_NVALID)
		return false;
	if (op->mode == LK_U && res_at(op->res)->kind <= LK_RES_ROW)
		return true;
	return op->hsel == H_LABEL &&
	       model_self_cover(m, op->txn, op->res, op->mode, op->flags);
}

bool model_self_cover(const model_t *m, int label, int res, int mode,
		      unsigned flags)
{
	const mtab_t *mt = m->mt;
	mtxn_t *t = txn_get((model_t *)m, label, false);
	if (!t || t->state != 1 || res >= RES_NVALID || mode < 0 || mode >= mt->n ||
	    !m->cfg->hier || (flags & LK_F_NOHIER) || mt->intent[mode] == NONE ||
	    !res_hier_kind(res))
		return false;
	const mslot_t *me = &m->live[t->slot];
	int anc[3], na = 0;
	for (int p = res_parent(res); p >= 0; p = res_parent(p))
		anc[na++] = p;
	while (na-- > 0) { /* root first, as the lock call goes */
		int a = anc[na], h = me->held[a];
		if (h < 0)
			continue;
		if (covers(mt, h, mode))
			return false;
		int tg = anc_target(mt, h, mt->intent[mode], mode);
		if (tg != h && covers(mt, tg, mode))
			return true;
	}
	return false;
}

bool model_would_wait(const model_t *m, int label, int res, int mode,
		      unsigned flags)
{
	const mtab_t *mt = m->mt;
	mtxn_t *t = txn_get((model_t *)m, label, false);
	if (!t || t->state != 1 || res >= RES_NVALID || mode < 0 || mode >= mt->n)
		return false;
	const mslot_t *me = &m->live[t->slot];
	bool hier = m->cfg->hier && !(flags & LK_F_NOHIER) &&
		    mt->intent[mode] != NONE && res_hier_kind(res);
	for (int r = res; r >= 0; r = hier ? res_parent(r) : -1) {
		int want = r == res ? mode : mt->intent[mode];
		if (me->held[r] >= 0)
			want = mt->sup[me->held[r]][want];
		for (int i = 0; i < M_MAXLIVE; i++)
			if (m->slot_used[i] && i != t->slot &&
			    m->live[i].held[r] >= 0 &&
			    mt_conf(mt, want, m->live[i].held[r]))
				return true;
	}
	return false;
}

const char *tag_name(uint32_t tags)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} order[] = {
		{TAG_BADKIND, "badkind"},   {TAG_STALE, "stale-handle"},
		{TAG_2PL, "strict2pl"},     {TAG_INVAL, "inval"},
		{TAG_UANC, "u-keeps-ancestor"}, {TAG_UCOVER, "u-covers"},
		{TAG_SELFCOVER, "own-intention-would-cover"},
		{TAG_ESC, "escalation"},    {TAG_ESCNO, "escalation-refused"},
		{TAG_ESCNEAR, "at-threshold"}, {TAG_NOHIERROW, "nohier-row"},
		{TAG_NOMEM, "nomem"},       {TAG_POOLEDGE, "pool-full"},
		{TAG_WOUND, "wound"},       {TAG_DIE, "wait-die"},
		{TAG_WOUNDED, "wounded"},   {TAG_UHIER, "u-hierarchy"},
		{TAG_COVER, "covered"},     {TAG_CONVERT, "conversion"},
		{TAG_WAIT, "wait"},         {TAG_CONFLICT, "conflict"},
		{TAG_INTENT, "intention"},  {TAG_NOOP, "relock"},
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (tags & order[i].bit)
			return order[i].name;
	return "plain";
}
