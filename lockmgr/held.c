/*
 * lockmgr/held.c: the calls on a lock the txn already holds: lk_unlock
 * (an early release), and the held-mode and token queries.
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "lease_int.h"
#include "queue_int.h"

uint32_t lk__find_own(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res,
		      struct lk__head **hp)
{
	uint32_t hi = head_get(m, t, res, res_hash(res), false);
	if (!hi)
		return 0;
	struct lk__head *h = &m->heads[hi];
	uint32_t ri = find_holder(m, h, t->idx);
	if (!ri) {
		head_unlatch(h);
		return 0;
	}
	*hp = h;
	return ri;
}

static inline __attribute__((always_inline)) int unlock_(struct lk__txn *t, const lk_res_t *res)
{
	lk_lockmgr_t *m = t->mgr;
	if (m->cfg.strict_2pl) {
#ifdef LK_DEBUG
		lk__misuse("lk_unlock", "early release under strict_2pl");
#endif
		return LK_INVAL;
	}
	if (lk__unlikely(atomic_load_explicit(&t->flags, memory_order_relaxed) &
			 LK__T_LEASED) &&
	    lk__lease_check(t) != LK_OK)
		return LK_LEASE_LAPSED;
	if (fp_kind(res->kind) && t->fp_used &&
	    lk__fp_unlock(m, t, res) == LK_OK)
		return LK_OK;
	struct lk__head *h;
	uint32_t ri = t->locks;
	/* the request locked last is the likeliest: no hash lookup for it
	 * (its head cannot be recycled while t holds a request on it) */
	if (ri && req_status_own(&m->reqs[ri]) == LK__R_GRANTED &&
	    key_eq(&m->heads[m->reqs[ri].head], res)) {
		h = &m->heads[m->reqs[ri].head];
		head_latch(m, h, lk__own(t));
		if (lk__unlikely(m->reqs[ri].status == LK__R_REVOKED)) {
			head_unlatch(h); /* lapsed since the check: txn end unpins */
			return LK_LEASE_LAPSED;
		}
	} else {
		ri = lk__find_own(m, t, res, &h);
		if (!ri)
			return (atomic_load_explicit(&t->flags, memory_order_relaxed) &
				LK__T_LEASED) && lk__lease_check(t) != LK_OK
				       ? LK_LEASE_LAPSED
				       : LK_NOTHELD;
	}
	struct lk__req *q = &m->reqs[ri];
	release_req(m, t, h, ri);
	/* an early release keeps an idle head: the txn is still running and
	 * likely to come back; txn_end frees it (head_release) */
	head_unlatch(h);
	tlist_del(m, t, ri);
	if (q->kind == LK_RES_ROW && m->cfg.escalation_threshold && m->cfg.hierarchy)
		lk__row_uncount(m, t, res);
	req_cache(m, t, ri);
	return LK_OK;
}

int lk_unlock(lk_txn_t *txn, const lk_res_t *res)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !res || !res_kind_ok(res->kind))
		return LK_INVAL;
	lk_lockmgr_t *m = t->mgr;
	if (lk__likely(!m->shm))
		return unlock_(t, res);
	sec_enter(m, t); /* SHARED.md "The pool stop" */
	int rc = unlock_(t, res);
	sec_leave(m, t);
	return rc;
}

/* t's mode on res if it is a record still in place (-1 otherwise; a
 * moved record is adopted, so the main table answers). */
static int fp_held(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res)
{
	if (!fp_kind(res->kind) || !t->fp_used)
		return -1;
	int i = fp_find(m, t, res);
	if (i < 0)
		return -1;
	if (atomic_load_explicit(&m->fp[t->idx].rec[i].moved, memory_order_relaxed)) {
		lk__fp_adopt(m, t, (uint32_t)i);
		return -1;
	}
	return m->fp[t->idx].rec[i].mode;
}

uint64_t lk_lock_token(lk_txn_t *txn, const lk_res_t *res)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !res || !res_kind_ok(res->kind))
		return 0;
	lk_lockmgr_t *m = t->mgr;
	if (fp_held(m, t, res) >= 0)
		return 0; /* weak modes are not exclusive */
	struct lk__head *h;
	uint32_t ri = lk__find_own(m, t, res, &h);
	if (!ri)
		return 0;
	uint64_t tok = ((m->excl >> m->reqs[ri].mode) & 1u) ? h->token : 0;
	head_unlatch(h);
	return tok;
}

int lk_held_mode(lk_txn_t *txn, const lk_res_t *res)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !res || !res_kind_ok(res->kind))
		return -1;
	int fm = fp_held(t->mgr, t, res);
	if (fm >= 0)
		return fm;
	struct lk__head *h;
	uint32_t ri = lk__find_own(t->mgr, t, res, &h);
	if (!ri)
		return -1;
	int mode = t->mgr->reqs[ri].mode;
	head_unlatch(h);
	return mode;
}
