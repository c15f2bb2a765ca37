/*
 * lockmgr/escalate.c: lock escalation: a txn's row and page locks under
 * one table traded for one table lock, and the count of rows under each
 * table lock that decides it.
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "queue_int.h"

static inline bool under_table(lk_lockmgr_t *m, const struct lk__req *o,
			       const lk_res_t *tab)
{
	const struct lk__head *oh = &m->heads[o->head];
	return (o->kind == LK_RES_ROW || o->kind == LK_RES_PAGE) &&
	       (uint32_t)(atomic_load_explicit(&oh->key01, memory_order_relaxed) >> 32) ==
		       tab->f[0] &&
	       (uint32_t)atomic_load_explicit(&oh->key23, memory_order_relaxed) == tab->f[1];
}

/* How many row locks t holds under table tab (granted ones). */
uint32_t lk__rows_under(lk_lockmgr_t *m, const struct lk__txn *t,
			const lk_res_t *tab)
{
	uint32_t n = 0;
	for (uint32_t p = t->locks; p;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed)) {
		const struct lk__req *o = &m->reqs[p];
		if (req_status_own(o) == LK__R_GRANTED && o->kind == LK_RES_ROW &&
		    under_table(m, o, tab))
			n++;
	}
	return n;
}

/* t's row count under table request tri passed the threshold: try to
 * convert the table lock, without waiting, to the supremum of what every
 * row and page lock of t under it escalates to; if granted, release those
 * it covers and return true with *tok = the table's token (a fresh one
 * when the conversion made it exclusive). Otherwise no change. */
bool lk__escalate(lk_lockmgr_t *m, struct lk__txn *t, uint32_t tri, uint64_t *tok)
{
	struct lk__req *tq = &m->reqs[tri];
	struct lk__head *th = &m->heads[tq->head];
	lk_res_t tab;
	head_key(th, &tab);
	unsigned target = tq->mode;
	for (uint32_t p = t->locks; p;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed)) {
		const struct lk__req *o = &m->reqs[p];
		if (req_status_own(o) != LK__R_GRANTED || !under_table(m, o, &tab))
			continue;
		unsigned e = m->mt.escalate[o->mode];
		if (e != NONE)
			target = m->mt.supremum[target][e];
	}
	if ((m->intent >> target) & 1u)
		return false; /* nothing a table lock could cover */
	/* a strong table mode moves the others' records first (fastpath.c) */
	if (((m->strong >> target) & 1u) && m->weak &&
	    lk__fp_strong(m, t, &tab) != LK_OK)
		return false;
	head_latch(m, th, lk__own(t));
	if (lk__unlikely(tq->status != LK__R_GRANTED)) {
		head_unlatch(th); /* revoked: its lease lapsed (lease.c) */
		return false;
	}
	unsigned prev = tq->mode;
	uint64_t token = ((m->excl >> target) & 1u) ? th->token : 0;
	if (target != prev) {
		if (m->mt.conflicts[target] & granted_but(th, prev)) {
			head_unlatch(th);
			return false;
		}
		count_del(th, prev);
		count_add(th, target);
		tq->mode = tq->want = (uint8_t)target;
		/* a new exclusive grant on the table: its next token */
		token = next_token(m, th, target);
	}
	EMIT(m, t, th, LK_EV_ESCALATE, target, prev, LK_OK, false, token);
	if (th->qhead || th->nconv)
		lk__bypass_edges(m, t, th, tri, target, true);
	head_unlatch(th);
	/* page records under the table (fastpath.c) */
	if (t->fp_used)
		lk__fp_release_under(m, t, &tab, target);
	uint32_t p = t->locks;
	while (p) {
		uint32_t nx = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed);
		struct lk__req *o = &m->reqs[p];
		if (req_status_own(o) == LK__R_GRANTED && under_table(m, o, &tab) &&
		    m->mt.supremum[target][o->mode] == target) {
			struct lk__head *oh = &m->heads[o->head];
			head_latch(m, oh, lk__own(t));
			if (lk__unlikely(o->status != LK__R_GRANTED)) {
				head_unlatch(oh); /* revoked meanwhile: txn end unpins */
				p = nx;
				continue;
			}
			release_req(m, t, oh, p);
			head_unlatch(oh);
			tlist_del(m, t, p);
			req_cache(m, t, p);
		}
		p = nx;
	}
	/* rows it could not cover (an intention mode) still count */
	tq->nchild = lk__rows_under(m, t, &tab);
	st_inc(t, LK__ST_ESCALATIONS);
	*tok = token;
	return true;
}

/* t's granted request on the table above row res, or 0: the cached one
 * (t->anc[1]) if it is that table, else a lookup. */
static uint32_t table_req(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res)
{
	uint32_t ai = t->anc[1];
	lk_res_t tab = lk_res_table(res->f[0], res->f[1]);
	if (ai & LK__ANC_FP) {
		uint32_t i = ai & ~LK__ANC_FP;
		if (((t->fp_used >> i) & 1u) && fp_key_eq(&m->fp[t->idx].rec[i], &tab))
			return ai;
	} else if (ai && key_eq(&m->heads[m->reqs[ai].head], &tab)) {
		return ai;
	}
	int i = t->fp_used ? fp_find(m, t, &tab) : -1;
	if (i >= 0)
		return LK__ANC_FP | (uint32_t)i;
	struct lk__head *h;
	ai = lk__find_own(m, t, &tab, &h);
	if (!ai)
		return 0;
	bool granted = m->reqs[ai].status == LK__R_GRANTED;
	head_unlatch(h);
	return granted ? ai : 0;
}

/* Past the threshold the table converts (lk__escalate, *tok its token). */
void lk__row_count(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res,
		   uint32_t tri, uint64_t *tok)
{
	if (!tri)
		tri = table_req(m, t, res);
	if (tri && ++*table_count(m, t, tri) > m->cfg.escalation_threshold) {
		hcache_clear(t); /* the table's mode changes */
		/* a record becomes t's request to convert (fastpath.c) */
		if (tri & LK__ANC_FP) {
			lk_res_t tab = lk_res_table(res->f[0], res->f[1]);
			if (lk__fp_to_main(m, t, &tab, &tri) != LK_OK)
				tri = 0;
		}
		if (tri)
			lk__escalate(m, t, tri, tok);
	}
}

void lk__row_uncount(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res)
{
	uint32_t tri = table_req(m, t, res);
	if (tri && *table_count(m, t, tri))
		--*table_count(m, t, tri);
}
