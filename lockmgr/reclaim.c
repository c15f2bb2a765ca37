/*
 * lockmgr/reclaim.c: a dead process's pool entries (SHARED.md "Pool
 * entries in flight"): the requests its txns held outside every list when
 * it died, found by their ownership tag and given back; and the census
 * that counts where every request, head and txn slot of a table at rest
 * is, so that a test can say which pool lost what.
 */
#include "heads_int.h"
#include "pool_int.h"
#include "queue_int.h"
#include "shared_int.h"

/* Is request ri in cache c (at most c->n links from its first)? */
static bool in_rcache(const lk_lockmgr_t *m, const struct lk__cache *c, uint32_t ri)
{
	uint32_t n = atomic_load_explicit(&c->n, memory_order_relaxed);
	for (uint32_t p = c->first, k = 0; p && p <= m->nreqs && k < n;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed), k++)
		if (p == ri)
			return true;
	return false;
}

/* A request a lapse took from a dead txn pins its head (lease.c): the
 * pin goes, as the txn's end would have taken it (txn.c). */
static void unpin(lk_lockmgr_t *m, uint32_t hi, uint32_t own)
{
	if (!hi || hi > m->nheads)
		return;
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(h, w, own))
		return;
	if (h->revoked)
		h->revoked--;
	head_unlatch(h);
}

/* Under the recovery mutex, after every live head was purged of the dead
 * txns' requests (recover.c): a request still tagged by a dead txn (status
 * not FREE, txn a dead txn's slot) is in no head's lists, so it is one that
 * txn took and had not linked yet, or had unlinked and not yet freed. Each
 * goes back to the shared stack, unless it is in the txn's own cache
 * (its take or put was cut short; the cache keeps it). A request another
 * txn owns is never tagged with a dead txn: tags are written by the taker
 * before the take, and FREE before any push (pool_int.h). */
uint32_t lk__reclaim_reqs(lk_lockmgr_t *m, bool (*dead)(lk_lockmgr_t *, uint32_t, uint32_t),
			  uint32_t procs, uint32_t own)
{
	uint32_t n = 0;
	for (uint32_t ri = 1; ri <= m->nreqs; ri++) {
		struct lk__req *q = &m->reqs[ri];
		if (req_status_own(q) == LK__R_FREE || q->txn >= m->ntxns ||
		    !dead(m, q->txn, procs))
			continue;
		struct lk__txn *t = txn_at(m, q->txn);
		if (q->status == LK__R_REVOKED) /* a lapse took it: its pin */
			unpin(m, q->head, own);
		bool cached = in_rcache(m, &t->rc, ri);
		q->status = LK__R_FREE; /* FREE before the push, as everywhere */
		LK__KILL_ORDER();
		if (cached)
			continue;
		lk__stk_push(&m->rstk, ri, ri);
		n++;
	}
	return n;
}

/* ---- the census (tests) ------------------------------------------------- */

/* Mark element i once; a second mark is an element in two places. */
static void mark(unsigned char *seen, uint32_t i, uint32_t max, uint32_t *dup)
{
	if (!i || i > max)
		return;
	if (seen[i])
		(*dup)++;
	seen[i] = 1;
}

/* Where every entry of m is, with no call in progress in any process
 * (a table at rest: every worker ended or dead and recovered): each
 * request on the free stack, in a slot's cache or in a live head's lists;
 * each head on the free stack, in a cache or in a bucket's chain; each
 * txn slot on the free stack, kept or active. out[0..2]: requests, heads,
 * slots found nowhere (lost); out[3]: entries found twice; out[4..6]: of
 * the lost, those the reclaim should have given back (a request still
 * tagged, a head not dead, a slot still claimed); the rest were lost in
 * the residue windows SHARED.md lists. out[7..8]: the lost requests and
 * heads as chains (a lost entry whose link names another lost entry
 * continues that one's chain): a kill between a refill's pop and its
 * cache store loses a whole batch as one chain, the other windows one
 * entry each, so the chains count the kills that hit a window. 0 if m is
 * not a live manager, else 1. */
LK__HIDDEN int lk__pool_census(lk_lockmgr_t *m, uint32_t out[9]);
int lk__pool_census(lk_lockmgr_t *m, uint32_t out[9])
{
	for (int k = 0; k < 9; k++)
		out[k] = 0;
	if (!m || !lk__mgr_live(m))
		return 0;
	uint32_t nr = m->nreqs, nh = m->nheads, dup = 0;
	unsigned char *rs = calloc((size_t)nr + 1, 1), *hs = calloc((size_t)nh + 1, 1),
		      *ts = calloc((size_t)m->ntxns + 1, 1),
		      *tg = calloc((size_t)(nr > nh ? nr : nh) + 1, 1);
	if (!rs || !hs || !ts || !tg) {
		free(rs);
		free(hs);
		free(ts);
		free(tg);
		return 0;
	}
	uint32_t k = 0;
	for (uint32_t p = (uint32_t)atomic_load_explicit(&m->req_free, memory_order_acquire);
	     p && p <= nr && k++ <= nr;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed))
		mark(rs, p, nr, &dup);
	k = 0;
	for (uint32_t p = (uint32_t)atomic_load_explicit(&m->head_free, memory_order_acquire);
	     p && p <= nh && k++ <= nh;
	     p = atomic_load_explicit(&m->heads[p].next, memory_order_relaxed))
		mark(hs, p, nh, &dup);
	k = 0;
	for (uint32_t p = (uint32_t)atomic_load_explicit(&m->txn_free, memory_order_acquire);
	     p && p <= m->ntxns && k++ <= m->ntxns;
	     p = atomic_load_explicit(&txn_at(m, p - 1)->free_next, memory_order_relaxed))
		mark(ts, p, m->ntxns, &dup);
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		uint32_t st = atomic_load_explicit(&t->state, memory_order_acquire);
		if (st == LK__TS_ACTIVE || st == LK__TS_KEPT)
			mark(ts, i + 1, m->ntxns, &dup);
		uint32_t n = atomic_load_explicit(&t->rc.n, memory_order_relaxed), p = t->rc.first;
		for (uint32_t j = 0; j < n && p && p <= nr; j++) {
			mark(rs, p, nr, &dup);
			p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed);
		}
		n = atomic_load_explicit(&t->hc.n, memory_order_relaxed);
		p = t->hc.first;
		for (uint32_t j = 0; j < n && p && p <= nh; j++) {
			mark(hs, p, nh, &dup);
			p = atomic_load_explicit(&m->heads[p].next, memory_order_relaxed);
		}
	}
	for (uint32_t b = 0; b <= m->bmask; b++) {
		k = 0;
		for (uint32_t i = bucket_first(m, &m->buckets[b]); i && i <= nh && k++ <= nh;
		     i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed)) {
			mark(hs, i, nh, &dup);
			const struct lk__head *h = &m->heads[i];
			for (int pass = 0; pass < 2; pass++) {
				uint32_t j = 0;
				for (uint32_t p = pass ? h->qhead : h->holders; p && p <= nr && j++ <= nr;
				     p = m->reqs[p].rnext)
					mark(rs, p, nr, &dup);
			}
		}
	}
	/* a lost entry named by another lost entry's link is not a chain's
	 * first: chains = lost - such links (at least 1 if any is lost, in
	 * case stale links close a cycle) */
	uint32_t linked = 0;
	for (uint32_t i = 1; i <= nr; i++)
		if (!rs[i]) {
			out[0]++;
			out[4] += req_status_own(&m->reqs[i]) != LK__R_FREE;
			uint32_t n = atomic_load_explicit(&m->reqs[i].tnext, memory_order_relaxed);
			if (n && n <= nr && n != i && !rs[n] && !tg[n]) {
				tg[n] = 1; /* a distinct target: two stale links
					    * to one entry count once */
				linked++;
			}
		}
	out[7] = out[0] ? (out[0] - linked ? out[0] - linked : 1) : 0;
	memset(tg, 0, (size_t)(nr > nh ? nr : nh) + 1);
	linked = 0;
	for (uint32_t i = 1; i <= nh; i++)
		if (!hs[i]) {
			out[1]++;
			out[5] += !(atomic_load_explicit(&m->heads[i].lw, memory_order_relaxed) &
				    LK__L_DEAD);
			uint32_t n = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed);
			if (n && n <= nh && n != i && !hs[n] && !tg[n]) {
				tg[n] = 1;
				linked++;
			}
		}
	out[8] = out[1] ? (out[1] - linked ? out[1] - linked : 1) : 0;
	for (uint32_t i = 1; i <= m->ntxns; i++)
		if (!ts[i]) {
			out[2]++;
			out[6] += (atomic_load_explicit(&txn_at(m, i - 1)->state,
							memory_order_relaxed) &
				   0xffu) == LK__TS_CLAIMED;
		}
	out[3] = dup;
	free(rs);
	free(hs);
	free(ts);
	free(tg);
	return 1;
}
