/*
 * lockmgr/deadlock.c: the deadlock detector: the wait-for graph of every
 * waiting txn, a cycle search, the check that a cycle is still real, and
 * the choice of a victim (README "Deadlocks").
 */
#include "heads_int.h"
#include "queue_int.h"

#include <string.h>

struct edge_ctx {
	lk_lockmgr_t *m;
	uint32_t n, cap;
	uint32_t *out;
};

static void edge_add(void *c, uint32_t tidx)
{
	struct edge_ctx *e = (struct edge_ctx *)c;
	if (e->n < e->cap)
		e->out[e->n] = tidx;
	e->n++;
}

/* Blockers of txn ti's current wait into out[0..cap); returns the count,
 * or UINT32_MAX when ti is not (or no longer) waiting. *seq, *head, *want
 * (may be NULL) say which wait it was. */
uint32_t lk__txn_edges(lk_lockmgr_t *m, uint32_t ti, uint32_t *out,
			  uint32_t cap, uint32_t *seq_out, uint32_t *head_out,
			  uint32_t *want_out)
{
	struct lk__txn *t = txn_at(m, ti);
	/* seq_cst: pairs with the waiter's publication (README, Deadlocks) */
	uint32_t seq = atomic_load_explicit(&t->wait_seq, memory_order_seq_cst);
	uint32_t ri = atomic_load_explicit(&t->wait_req, memory_order_seq_cst);
	uint32_t hi = atomic_load_explicit(&t->wait_head, memory_order_seq_cst);
	if (!ri || !hi || hi > m->nheads ||
	    atomic_load_explicit(&t->victim_of, memory_order_seq_cst) == seq)
		return UINT32_MAX;
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(m, h, w, lk__own_m(m)))
		return UINT32_MAX;
	/* under the latch the wait is stable: recheck it is the same one */
	if (atomic_load_explicit(&t->wait_seq, memory_order_seq_cst) != seq ||
	    atomic_load_explicit(&t->wait_req, memory_order_seq_cst) != ri ||
	    m->reqs[ri].txn != ti ||
	    (m->reqs[ri].status != LK__R_WAITING &&
	     m->reqs[ri].status != LK__R_CONVERTING)) {
		head_unlatch(h);
		return UINT32_MAX;
	}
	struct edge_ctx e = {m, 0, cap, out};
	lk__blockers(m, h, ri, edge_add, &e);
	if (want_out)
		*want_out = m->reqs[ri].want;
	head_unlatch(h);
	if (seq_out)
		*seq_out = seq;
	if (head_out)
		*head_out = hi;
	return e.n;
}

/* Build the wait-for graph of every waiting txn into g_off/g_adj. The
 * wait sequence numbers of all txns are read first, before any edge: a txn
 * whose wait is still that one when the cycle is verified has waited since
 * before every edge was read, so it released nothing in between and the
 * edges into it still hold (an edge to a txn that was running when read
 * may be gone: it can release and queue again behind its waiter). */
void lk__graph_build(lk_lockmgr_t *m)
{
	uint32_t used = 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		m->g_req[i] = 0;
		if (atomic_load_explicit(&t->state, memory_order_acquire) != 1)
			continue;
		/* seq_cst: pairs with the waiter's publication (seq, then req) */
		m->g_seq[i] = atomic_load_explicit(&t->wait_seq, memory_order_seq_cst);
		if (atomic_load_explicit(&t->wait_req, memory_order_seq_cst))
			m->g_req[i] = 1; /* waiting at the snapshot */
	}
	for (uint32_t i = 0; i < m->ntxns; i++) {
		m->g_off[i] = used;
		if (!m->g_req[i])
			continue;
		m->g_req[i] = 0;
		uint32_t want = 0, seq = 0;
		uint32_t n = lk__txn_edges(m, i, m->g_adj + used, m->nreqs - used,
				       &seq, &m->g_head[i], &want);
		if (n == UINT32_MAX || seq != m->g_seq[i])
			continue; /* not waiting, or a wait begun after the snapshot */
		if (n > m->nreqs - used)
			n = m->nreqs - used; /* cannot happen: edges <= requests */
		m->g_req[i] = want + 1;
		used += n;
	}
	m->g_off[m->ntxns] = used;
}

/* Is txn ti still in the wait graph_build read (same wait, not granted
 * yet)? Takes its head's latch; the caller holds none. */
static bool still_waiting(lk_lockmgr_t *m, uint32_t ti)
{
	struct lk__txn *t = txn_at(m, ti);
	uint32_t seq = m->g_seq[ti];
	if (!m->g_req[ti])
		return false;
	struct lk__head *h = &m->heads[m->g_head[ti]];
	/* the wait may have ended and the head been recycled: latch only the
	 * live generation seen; if ti is still in the wait, its request is on
	 * this head, which then cannot have been recycled */
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(m, h, w, lk__own_m(m)))
		return false;
	uint32_t ri = atomic_load_explicit(&t->wait_req, memory_order_seq_cst);
	bool ok = atomic_load_explicit(&t->wait_seq, memory_order_seq_cst) == seq &&
		  ri && ri <= m->nreqs && m->reqs[ri].txn == ti &&
		  m->reqs[ri].head == m->g_head[ti] &&
		  (m->reqs[ri].status == LK__R_WAITING ||
		   m->reqs[ri].status == LK__R_CONVERTING) &&
		  atomic_load_explicit(&t->victim_of, memory_order_seq_cst) != seq;
	head_unlatch(h);
	return ok;
}

/* Iterative DFS over all txns; on a cycle, stores it in cyc (stack order)
 * and returns its length, else 0. */
static uint32_t graph_cycle(lk_lockmgr_t *m, uint32_t start, uint32_t *cyc)
{
	uint32_t n = m->ntxns;
	memset(m->g_color, 0, n);
	uint32_t *stk = m->g_stk; /* pairs: node, next edge offset */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t root = (start + k) % n;
		if (m->g_color[root])
			continue;
		uint32_t sp = 0;
		stk[0] = root;
		stk[1] = m->g_off[root];
		m->g_color[root] = 1;
		sp = 1;
		while (sp) {
			uint32_t u = stk[2 * (sp - 1)];
			uint32_t e = stk[2 * (sp - 1) + 1];
			uint32_t end = m->g_req[u] ? m->g_off[u + 1] : m->g_off[u];
			if (e >= end) {
				m->g_color[u] = 2;
				sp--;
				continue;
			}
			stk[2 * (sp - 1) + 1] = e + 1;
			uint32_t v = m->g_adj[e];
			if (v >= n)
				continue;
			if (m->g_color[v] == 1) {
				/* cycle: from v's frame to the top */
				uint32_t len = 0, f = 0;
				while (stk[2 * f] != v)
					f++;
				for (; f < sp; f++)
					cyc[len++] = stk[2 * f];
				return len;
			}
			if (m->g_color[v] == 0) {
				m->g_color[v] = 1;
				stk[2 * sp] = v;
				stk[2 * sp + 1] = m->g_off[v];
				sp++;
			}
		}
	}
	return 0;
}

/* The victim of a verified cycle (lockmgr.h, LK_VICTIM_*). CLOSER: the
 * searcher when it is on the cycle: its wait closed it (or it searched
 * after deadlock_timeout), it is running, and it gives its locks back at
 * once; any other member may be parked, and its locks stay held until
 * it is woken and scheduled (CONVOY.md, "The victim"). A cycle found
 * without the searcher (a later round, or one the searcher only waits
 * on): the youngest, as YOUNGEST. */
static uint32_t pick_victim(lk_lockmgr_t *m, const uint32_t *cyc, uint32_t len,
			    uint32_t self)
{
	if (m->cfg.victim == LK_VICTIM_CLOSER)
		for (uint32_t k = 0; k < len; k++)
			if (cyc[k] == self)
				return self;
	uint32_t v = cyc[0];
	for (uint32_t k = 1; k < len; k++) {
		struct lk__txn *a = txn_at(m, cyc[k]), *b = txn_at(m, v);
		uint64_t ia = atomic_load_explicit(&a->id, memory_order_relaxed);
		uint64_t ib = atomic_load_explicit(&b->id, memory_order_relaxed);
		if (m->cfg.victim == LK_VICTIM_FEWEST_LOCKS) {
			uint32_t la = atomic_load_explicit(&a->nlocks, memory_order_relaxed);
			uint32_t lb = atomic_load_explicit(&b->nlocks, memory_order_relaxed);
			if (la < lb || (la == lb && ia > ib))
				v = cyc[k];
		} else if (ia > ib) {
			v = cyc[k];
		}
	}
	return v;
}

/* Search for cycles and break each with one victim. Returns true if t
 * itself was chosen. */
bool lk__detect(lk_lockmgr_t *m, struct lk__txn *self)
{
	bool me = false;
	LK__RMW_SHARED(); /* det_mu's word: a CAS to lock, an exchange to unlock */
	lk__det_lock(m);
	uint32_t *cyc = (uint32_t *)malloc(sizeof(uint32_t) * m->ntxns);
	if (!cyc) {
		LK__RMW_SHARED();
		pthread_mutex_unlock(&m->det_mu);
		return false;
	}
	for (int round = 0; round < 16; round++) {
		lk__graph_build(m);
		uint32_t len = graph_cycle(m, self->idx, cyc);
		if (!len)
			break;
		/* real only if every member is still in the wait we read */
		bool real = true;
		for (uint32_t k = 0; k < len && real; k++)
			real = still_waiting(m, cyc[k]);
		if (!real)
			continue;
		uint32_t v = pick_victim(m, cyc, len, self->idx);
		struct lk__txn *vt = txn_at(m, v);
		atomic_store_explicit(&vt->victim_of, m->g_seq[v], memory_order_seq_cst);
		if (vt == self)
			me = true;
		else
			txn_signal(vt);
	}
	free(cyc);
	LK__RMW_SHARED();
	pthread_mutex_unlock(&m->det_mu);
	return me;
}
