/*
 * lockmgr/grant.c: granting on one resource, under its head latch: the
 * grant pass that lets converters and then the queue in, who blocks a
 * request, and the wait-for edges a grant or a queued conversion makes
 * (with wait-die's and wound-wait's age rule applied to each).
 */
#include "queue_int.h"

uint16_t lk__conv_wants(lk_lockmgr_t *m, const struct lk__head *h)
{
	uint16_t w = 0;
	if (!h->nconv)
		return 0;
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext)
		if (m->reqs[p].status == LK__R_CONVERTING)
			w |= (uint16_t)(1u << m->reqs[p].want);
	return w;
}

/* wanted modes of the queued requests before `upto` (0: all) */
uint16_t lk__queue_wants(lk_lockmgr_t *m, const struct lk__head *h,
			    uint32_t upto)
{
	uint16_t w = 0;
	for (uint32_t p = h->qhead; p && p != upto; p = m->reqs[p].rnext)
		w |= (uint16_t)(1u << m->reqs[p].want);
	return w;
}

void lk__wound(lk_lockmgr_t *m, struct lk__txn *by, struct lk__txn *v,
		  struct lk__head *h)
{
	LK__RMW_SHARED();
	if (atomic_fetch_or_explicit(&v->flags, LK__T_WOUNDED,
				     memory_order_seq_cst) & LK__T_WOUNDED)
		return;
	if (by) /* the running txn: its counters are written by it alone */
		st_inc(by, LK__ST_WOUNDS);
	EMIT(m, v, h, LK_EV_VICTIM, NONE, NONE, LK_WOUNDED, false, 0);
	txn_signal_latched(h, v);
}

/* Blockers of request ri on h (latched): txns it waits for. Calls
 * fn(ctx, txn index) for each; returns how many. */

uint32_t lk__blockers(lk_lockmgr_t *m, const struct lk__head *h, uint32_t ri,
			 blk_fn fn, void *ctx)
{
	const struct lk__req *q = &m->reqs[ri];
	uint16_t c = m->mt.conflicts[q->want];
	uint32_t n = 0;
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
		const struct lk__req *o = &m->reqs[p];
		if (p == ri)
			continue;
		bool b = (c >> o->mode) & 1u;
		/* a new request also waits for converters ahead of it */
		if (q->status == LK__R_WAITING && o->status == LK__R_CONVERTING &&
		    ((c >> o->want) & 1u))
			b = true;
		if (b) {
			fn(ctx, o->txn);
			n++;
		}
	}
	if (q->status == LK__R_WAITING && m->cfg.fifo_strict)
		for (uint32_t p = h->qhead; p && p != ri; p = m->reqs[p].rnext)
			if ((c >> m->reqs[p].want) & 1u) {
				fn(ctx, m->reqs[p].txn);
				n++;
			}
	return n;
}

/* One new wait-for edge waiter ot -> gt: the age rule of wait-die /
 * wound-wait. self: the running txn (its wound counter; NULL: ot's). */
static void age_edge(lk_lockmgr_t *m, struct lk__txn *self, struct lk__head *h,
		     struct lk__txn *ot, struct lk__txn *gt, uint64_t gid)
{
	uint64_t oid = atomic_load_explicit(&ot->id, memory_order_relaxed);
	if (m->cfg.policy == LK_POLICY_WAIT_DIE && oid > gid) {
		/* younger waits for older: it dies */
		atomic_store_explicit(&ot->victim_of,
				      atomic_load_explicit(&ot->wait_seq, memory_order_relaxed),
				      memory_order_seq_cst);
		txn_signal_latched(h, ot);
	} else if (m->cfg.policy == LK_POLICY_WOUND_WAIT && oid < gid) {
		lk__wound(m, self ? self : ot, gt, h);
	}
}

/* New edges waiter -> txn of request gi, for waiters that conflict with
 * `mode`. A grant that passes queued requests (a conversion, or any grant
 * without fifo_strict; mode = the granted mode) makes them for the queue,
 * and a granted conversion (grant = true) also for the other waiting
 * converters, which wait for every holder's mode. A conversion that
 * queues ahead of new requests (mode = its wanted mode, grant = false)
 * makes them for the queue. Applies the age rule of wait-die /
 * wound-wait to each. */
void lk__bypass_edges(lk_lockmgr_t *m, struct lk__txn *self, struct lk__head *h,
			 uint32_t gi, unsigned mode, bool grant)
{
	int pol = m->cfg.policy;
	if (pol != LK_POLICY_WAIT_DIE && pol != LK_POLICY_WOUND_WAIT)
		return;
	struct lk__req *g = &m->reqs[gi];
	struct lk__txn *gt = txn_at(m, g->txn);
	uint64_t gid = atomic_load_explicit(&gt->id, memory_order_relaxed);
	for (uint32_t p = h->qhead; p; p = m->reqs[p].rnext) {
		struct lk__req *o = &m->reqs[p];
		if ((m->mt.conflicts[o->want] >> mode) & 1u)
			age_edge(m, self, h, txn_at(m, o->txn), gt, gid);
	}
	if (!grant || !h->nconv)
		return;
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
		struct lk__req *o = &m->reqs[p];
		if (p != gi && o->status == LK__R_CONVERTING &&
		    ((m->mt.conflicts[o->want] >> mode) & 1u))
			age_edge(m, self, h, txn_at(m, o->txn), gt, gid);
	}
}

/* Grant queued request p (h latched): it joins the holders and is told. */
static inline void grant_queued(lk_lockmgr_t *m, struct lk__head *h, uint32_t p)
{
	struct lk__req *o = &m->reqs[p];
	list_del(m, &h->qhead, &h->qtail, p);
	list_push(m, &h->holders, p);
	LK__TEST_NAP();
	o->mode = o->want;
	o->status = LK__R_GRANTED;
	count_add(h, o->mode);
	struct lk__txn *ot = txn_at(m, o->txn);
	ot->token_out = next_token(m, h, o->mode);
	EMIT(m, ot, h, LK_EV_GRANT, o->mode, NONE, LK_OK, false, ot->token_out);
	grant_signal(h, ot);
}

/* LDSF's order: the highest weight first; ties in queue order. pos: the
 * place in the queue. Smaller goes first. */
static inline uint64_t ldsf_key(lk_lockmgr_t *m, const struct lk__req *o,
				uint32_t pos)
{
	/* relaxed: a weight is a hint, written by waits on other heads */
	uint32_t d = atomic_load_explicit(&txn_at(m, o->txn)->dep,
					  memory_order_relaxed);
	return ((uint64_t)(UINT32_MAX - d) << 32) | pos;
}

/* The queue under LK_GRANT_LDSF (README "Grant order"): take the requests
 * in ldsf_key order; each goes if compatible with the holders (those
 * granted so far included), the converters and every pinned request
 * (passed LK_LDSF_MAX_BYPASS times) queued ahead of it. The waits are
 * then covered by FIFO's wait-for edges (lk__blockers): a request left
 * waiting conflicts with a holder, a converter or a request queued ahead.
 * Passing a request queued ahead that it conflicts with counts a bypass
 * against that one. Returns the first request left waiting in that
 * order: the next in line, for the wake-ahead. */
static uint32_t grant_ldsf(lk_lockmgr_t *m, struct lk__head *h, uint16_t cw)
{
	uint32_t next = 0;
	for (;;) {
		uint32_t best = 0, pos = 0;
		uint64_t bk = UINT64_MAX;
		for (uint32_t p = h->qhead; p; p = m->reqs[p].rnext, pos++) {
			if (txn_at(m, m->reqs[p].txn)->ldsf_seen)
				continue;
			uint64_t k = ldsf_key(m, &m->reqs[p], pos);
			if (k < bk) {
				bk = k;
				best = p;
			}
		}
		if (!best)
			break;
		struct lk__req *o = &m->reqs[best];
		txn_at(m, o->txn)->ldsf_seen = 1;
		uint16_t c = m->mt.conflicts[o->want];
		bool go = !(c & h->granted) && !(c & cw);
		for (uint32_t p = h->qhead; go && p != best; p = m->reqs[p].rnext)
			if (((c >> m->reqs[p].want) & 1u) &&
			    txn_at(m, m->reqs[p].txn)->bypassed >= LK_LDSF_MAX_BYPASS)
				go = false;
		if (!go) {
			if (!next)
				next = best;
			continue;
		}
		bool passed = false;
		for (uint32_t p = h->qhead; p != best; p = m->reqs[p].rnext)
			if ((c >> m->reqs[p].want) & 1u) {
				txn_at(m, m->reqs[p].txn)->bypassed++;
				passed = true;
			}
		grant_queued(m, h, best);
		txn_at(m, o->txn)->ldsf_seen = 0; /* it left the queue */
		if (passed || !m->cfg.fifo_strict)
			lk__bypass_edges(m, NULL, h, best, o->mode, false);
	}
	for (uint32_t p = h->qhead; p; p = m->reqs[p].rnext)
		txn_at(m, m->reqs[p].txn)->ldsf_seen = 0;
	return next;
}

/* After anything left h: grant converters, then the queue (group grant). */
void lk__grant_pass(lk_lockmgr_t *m, struct lk__head *h)
{
	if (h->nconv) {
		for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
			struct lk__req *o = &m->reqs[p];
			if (o->status != LK__R_CONVERTING)
				continue;
			if (m->mt.conflicts[o->want] & granted_but(h, o->mode))
				continue;
			unsigned prev = o->mode;
			count_del(h, prev);
			count_add(h, o->want);
			o->mode = o->want;
			o->status = LK__R_GRANTED;
			h->nconv--;
			struct lk__txn *ot = txn_at(m, o->txn);
			ot->token_out = next_token(m, h, o->mode);
			EMIT(m, ot, h, LK_EV_CONVERT, o->mode, prev, LK_OK, false,
			     ot->token_out);
			grant_signal(h, ot);
			if (h->qhead || h->nconv)
				lk__bypass_edges(m, NULL, h, p, o->mode, true);
		}
	}
	/* Strict: a waiter goes when compatible with the holders, the
	 * converters and every waiter still ahead of it (group grant, and no
	 * request ever passes one it conflicts with). */
	uint16_t cw = lk__conv_wants(m, h), ahead = 0;
	uint32_t next;
	/* relaxed: the order is a setting; the latch orders the queue */
	if (atomic_load_explicit(&m->grant_order, memory_order_relaxed) ==
		    LK_GRANT_LDSF &&
	    h->qhead != h->qtail) {
		next = grant_ldsf(m, h, cw);
	} else {
		uint32_t p = h->qhead;
		while (p) {
			struct lk__req *o = &m->reqs[p];
			uint32_t nx = o->rnext;
			uint16_t c = m->mt.conflicts[o->want];
			if (!(c & h->granted) && !(c & cw) &&
			    !(m->cfg.fifo_strict && (c & ahead))) {
				grant_queued(m, h, p);
				if (!m->cfg.fifo_strict)
					lk__bypass_edges(m, NULL, h, p, o->mode,
							 false);
			} else {
				ahead |= (uint16_t)(1u << o->want);
			}
			p = nx;
		}
		next = h->qhead;
	}
	/* Wake-ahead: the first request still queued is next in line. If its
	 * txn has parked, nudge it to spin again, so that its grant finds it
	 * running instead of paying a wake-up while the resource waits
	 * (README, Waiting). Only a parked waiter (2 -> 3): a signalled one
	 * (1) is already on its way; relaxed: the nudge carries no data. */
	if (next && !h->nudged) {
		struct lk__txn *nt = txn_at(m, m->reqs[next].txn);
		uint32_t parked = 2;
		LK__RMW_SHARED();
		if (atomic_compare_exchange_strong_explicit(&nt->wake, &parked, 3,
							    memory_order_relaxed,
							    memory_order_relaxed))
			h->nudged = nt;
	}
}

int lk_lockmgr_set_grant_order(lk_lockmgr_t *m, int order)
{
	if (!m || !lk__mgr_live(m) ||
	    (order != LK_GRANT_FIFO && order != LK_GRANT_LDSF))
		return LK_INVAL;
	/* relaxed: a setting; each grant pass reads it under its latch */
	atomic_store_explicit(&m->grant_order, (uint32_t)order,
			      memory_order_relaxed);
	return LK_OK;
}
