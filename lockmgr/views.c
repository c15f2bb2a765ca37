/*
 * lockmgr/views.c: what the table shows: the trace events, the snapshot,
 * the blocking set, the wait-for graph as DOT, and the counters.
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "queue_int.h"

#include <string.h>

void lk__emit(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
		      int ev, int mode, int prev, int status, bool waiting,
		      uint64_t token)
{
	lk_res_t r;
	head_key(h, &r);
	lk__emit_res(m, t, &r, ev, mode, prev, status, waiting, token);
}

void lk__emit_res(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
		  int ev, int mode, int prev, int status, bool waiting,
		  uint64_t token)
{
	lk_trace_t e;
	memset(&e, 0, sizeof e);
	LK__RMW_SHARED();
	/* relaxed: the head latch, or for a fast-path record the owner's fp
	 * latch (held), orders events of one resource */
	e.seq = atomic_fetch_add_explicit(&m->seq, 1, memory_order_relaxed) + 1;
	e.txn_id = atomic_load_explicit(&t->id, memory_order_relaxed);
	e.res = *r;
	e.event = ev;
	e.mode = mode == NONE ? -1 : mode;
	e.prev_mode = prev == NONE ? -1 : prev;
	e.status = status;
	e.waiting = waiting;
	e.token = token;
	m->trace(m->trace_ctx, &e);
}

size_t lk_snapshot(lk_lockmgr_t *m, lk_lockinfo_t *out, size_t cap)
{
	if (!m || !lk__mgr_live(m))
		return 0;
	size_t n = 0;
	uint32_t own = lk__own_m(m);
	lk__fp_freeze(m);
	for (uint32_t b = 0; b <= m->bmask; b++) {
		struct lk__bucket *bk = &m->buckets[b];
		if (!bucket_first(m, bk))
			continue;
		uint32_t first = blatch_lock(bk, LK__B_OWN_OF(own));
		for (uint32_t i = first;
		     i; i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed)) {
			struct lk__head *h = &m->heads[i];
			head_latch_b(m, h, own);
			lk_res_t r;
			head_key(h, &r);
			for (int pass = 0; pass < 2; pass++)
				for (uint32_t p = pass ? h->qhead : h->holders; p;
				     p = m->reqs[p].rnext) {
					const struct lk__req *q = &m->reqs[p];
					struct lk__txn *t = txn_at(m, q->txn);
					if (n < cap && out) {
						lk_lockinfo_t *o = &out[n];
						o->res = r;
						o->txn_id = atomic_load_explicit(&t->id, memory_order_relaxed);
						o->granted = pass == 0;
						o->waiting = pass == 1 || q->status == LK__R_CONVERTING;
						o->want = q->want;
						o->mode = pass == 0 ? q->mode : q->want;
						o->wait_start_ns = o->waiting
							? atomic_load_explicit(&t->wait_start, memory_order_relaxed)
							: 0;
					}
					n++;
				}
			head_unlatch(h);
		}
		blatch_unlock(bk, first);
	}
	/* weak locks still on the fast path (fastpath.c) */
	n = lk__fp_snapshot(m, out, cap, n);
	lk__fp_thaw(m);
	return n;
}

size_t lk_blocking_set_id(lk_lockmgr_t *m, uint64_t id, uint64_t *ids, size_t n)
{
	if (!m || !lk__mgr_live(m))
		return 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (atomic_load_explicit(&t->state, memory_order_acquire) != 1 ||
		    atomic_load_explicit(&t->id, memory_order_relaxed) != id)
			continue;
		uint32_t *tmp = (uint32_t *)malloc(sizeof(uint32_t) * m->ntxns);
		if (!tmp)
			return 0;
		uint32_t k = lk__txn_edges(m, i, tmp, m->ntxns, NULL, NULL, NULL);
		if (k == UINT32_MAX)
			k = 0;
		for (uint32_t j = 0; j < k && j < n && ids; j++)
			ids[j] = atomic_load_explicit(&txn_at(m, tmp[j])->id,
						      memory_order_relaxed);
		free(tmp);
		return k;
	}
	return 0;
}

size_t lk_blocking_set(lk_txn_t *txn, uint64_t *ids, size_t n)
{
	struct lk__txn *t = txn_get(txn);
	if (!t)
		return 0;
	return lk_blocking_set_id(t->mgr, atomic_load_explicit(&t->id, memory_order_relaxed),
				  ids, n);
}

static void res_print(FILE *f, const lk_res_t *r)
{
	static const char *const kn[] = {"none", "db", "table", "page", "row", "advisory"};
	if (r->kind <= LK_RES_ADVISORY)
		fprintf(f, "%s", kn[r->kind]);
	else
		fprintf(f, "kind%u", r->kind);
	fprintf(f, "(%u,%u,%u,%u)", r->f[0], r->f[1], r->f[2], r->f[3]);
}

int lk_waitfor_dot(lk_lockmgr_t *m, FILE *out)
{
	if (!m || !out || !lk__mgr_live(m))
		return LK_INVAL;
	lk__det_lock(m);
	lk__graph_build(m);
	fprintf(out, "digraph waitfor {\n");
	for (uint32_t i = 0; i < m->ntxns; i++) {
		if (!m->g_req[i])
			continue;
		uint64_t id = atomic_load_explicit(&txn_at(m, i)->id, memory_order_relaxed);
		lk_res_t r;
		head_key(&m->heads[m->g_head[i]], &r);
		fprintf(out, "  T%llu [label=\"T%llu\"];\n", (unsigned long long)id,
			(unsigned long long)id);
		for (uint32_t e = m->g_off[i]; e < m->g_off[i + 1]; e++) {
			uint64_t to = atomic_load_explicit(&txn_at(m, m->g_adj[e])->id,
							   memory_order_relaxed);
			fprintf(out, "  T%llu -> T%llu [label=\"", (unsigned long long)id,
				(unsigned long long)to);
			res_print(out, &r);
			fprintf(out, " %s\"];\n", m->mt.names[m->g_req[i] - 1]);
		}
	}
	fprintf(out, "}\n");
	pthread_mutex_unlock(&m->det_mu);
	return ferror(out) ? LK_INVAL : LK_OK;
}

void lk_lockmgr_stats(lk_lockmgr_t *m, lk_stats_t *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof *o);
	if (!m || !lk__mgr_live(m))
		return;
	/* every slot's counters, in use or not: they are never reset, so
	 * the totals need no shared counter on the txn path */
	uint64_t s[LK__NST] = {0}, used = 0;
	uint32_t active = 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (atomic_load_explicit(&t->state, memory_order_relaxed) == 1) {
			active++;
			/* a running txn's cached requests are out of the
			 * others' reach (pool_int.h, req_cache): used */
			used += atomic_load_explicit(&t->nlocks, memory_order_relaxed) +
				atomic_load_explicit(&t->rc.n, memory_order_relaxed);
		}
		for (int k = 0; k < LK__NST; k++)
			s[k] += atomic_load_explicit(&t->st[k], memory_order_relaxed);
	}
	o->acquired = s[LK__ST_ACQUIRED];
	o->intention_acquired = s[LK__ST_INTENTIONS];
	o->waited = s[LK__ST_WAITED];
	o->deadlocks = s[LK__ST_DEADLOCKS];
	o->timeouts = s[LK__ST_TIMEOUTS];
	o->wouldblocks = s[LK__ST_WOULDBLOCKS];
	o->escalations = s[LK__ST_ESCALATIONS];
	o->wounds = s[LK__ST_WOUNDS];
	o->commits = s[LK__ST_COMMITS];
	o->aborts = s[LK__ST_ABORTS];
	o->txns_active = active;
	o->txns_max = m->ntxns;
	o->requests_max = m->nreqs;
	o->requests_used = used < m->nreqs ? (uint32_t)used : m->nreqs;
	/* heads in use, idle ones included: count the chains (racy, bounded) */
	uint32_t nh = 0;
	for (uint32_t b = 0; b <= m->bmask; b++)
		for (uint32_t i = bucket_first(m, &m->buckets[b]), k = 0;
		     i && i <= m->nheads && k <= m->nheads;
		     i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed), k++)
			nh++;
	o->heads_used = nh < m->nheads ? nh : m->nheads;
	o->heads_max = m->nheads;
}

#ifdef LK_COUNT_RMW
_Thread_local uint64_t lk__rmw_shared, lk__rmw_shared_anc; /* lockmgr_int.h */
#endif
