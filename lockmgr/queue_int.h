/*
 * lockmgr/queue_int.h: one resource's holder list and wait queue (under
 * its head latch), the per-mode counts, fencing tokens, signalling a
 * waiter, releasing a request, and the txn's own list of requests (owner
 * only). grant.c has the grant pass and the wait-for edges.
 */
#ifndef LATCHKIT_LOCKMGR_QUEUE_INT_H
#define LATCHKIT_LOCKMGR_QUEUE_INT_H

#include "lockmgr_int.h"

/* grant.c */
LK__HIDDEN uint16_t lk__conv_wants(lk_lockmgr_t *m, const struct lk__head *h);
LK__HIDDEN uint16_t lk__queue_wants(lk_lockmgr_t *m, const struct lk__head *h,
				    uint32_t upto);
LK__HIDDEN void lk__wound(lk_lockmgr_t *m, struct lk__txn *by, struct lk__txn *v,
			  struct lk__head *h);
typedef void (*blk_fn)(void *ctx, uint32_t tidx);
LK__HIDDEN uint32_t lk__blockers(lk_lockmgr_t *m, const struct lk__head *h,
				 uint32_t ri, blk_fn fn, void *ctx);
LK__HIDDEN void lk__bypass_edges(lk_lockmgr_t *m, struct lk__txn *self,
				 struct lk__head *h, uint32_t gi, unsigned mode,
				 bool grant);
LK__HIDDEN void lk__grant_pass(lk_lockmgr_t *m, struct lk__head *h);

static inline void list_push(lk_lockmgr_t *m, uint32_t *headp, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	q->rprev = 0;
	q->rnext = *headp;
	if (*headp)
		m->reqs[*headp].rprev = ri;
	LK__TEST_NAP();
	*headp = ri;
}

static inline void list_del(lk_lockmgr_t *m, uint32_t *headp, uint32_t *tailp,
			    uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	if (q->rprev)
		m->reqs[q->rprev].rnext = q->rnext;
	else
		*headp = q->rnext;
	LK__TEST_NAP();
	if (q->rnext)
		m->reqs[q->rnext].rprev = q->rprev;
	else if (tailp)
		*tailp = q->rprev;
}

static inline void queue_append(lk_lockmgr_t *m, struct lk__head *h, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	q->rnext = 0;
	q->rprev = h->qtail;
	if (h->qtail)
		m->reqs[h->qtail].rnext = ri;
	else
		h->qhead = ri;
	LK__TEST_NAP();
	h->qtail = ri;
}

static inline void count_add(struct lk__head *h, unsigned mode)
{
	h->counts[mode]++;
	h->granted |= (uint16_t)(1u << mode);
}

static inline void count_del(struct lk__head *h, unsigned mode)
{
	if (--h->counts[mode] == 0)
		h->granted &= (uint16_t)~(1u << mode);
}

/* granted modes, leaving out one holder in mode */
static inline uint16_t granted_but(const struct lk__head *h, unsigned mode)
{
	uint16_t g = h->granted;
	if (h->counts[mode] == 1)
		g &= (uint16_t)~(1u << mode);
	return g;
}

static inline uint32_t find_holder(lk_lockmgr_t *m, const struct lk__head *h,
				   uint32_t tidx)
{
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext)
		if (m->reqs[p].txn == tidx)
			return p;
	return 0;
}

static inline uint64_t next_token(lk_lockmgr_t *m, struct lk__head *h,
				  unsigned mode)
{
	if (!((m->excl >> mode) & 1u))
		return 0;
	return ++h->token;
}

/* Set t's futex word and wake it if it parked. seq_cst: pairs with the
 * waiter's exchange-then-read of its flags (see README, Waiting). */
static inline void txn_signal(struct lk__txn *t)
{
	LK__RMW_SHARED();
	if (atomic_exchange_explicit(&t->wake, 1, memory_order_seq_cst) == 2)
		lk__lm_wake(&t->wake, 1);
}

/* txn_signal with head h latched: the first parked txn signalled under
 * the latch is woken by head_unlatch, after the latch is released, so
 * the futex syscall holds up nobody who wants h; any other at once. */
static inline void txn_signal_latched(struct lk__head *h, struct lk__txn *t)
{
	LK__RMW_SHARED();
	/* seq_cst: as txn_signal */
	if (atomic_exchange_explicit(&t->wake, 1, memory_order_seq_cst) == 2) {
		if (!h->woken && h->nudged != t)
			h->woken = t;
		else
			lk__lm_wake(&t->wake, 1);
	}
}

/* A waiter was granted (its head h latched): it stops waiting now, not
 * when it next runs, so eager detection's filter (blocker_waits) does not
 * take it for a waiter. seq_cst: as every wait_req store (README,
 * Deadlocks). */
static inline void grant_signal(struct lk__head *h, struct lk__txn *t)
{
	atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
	LK__TEST_KILL_AT("grant_signal");
	txn_signal_latched(h, t);
}

/* Release granted request ri (h latched); the caller frees it. */
static inline __attribute__((always_inline)) void
release_req(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	list_del(m, &h->holders, NULL, ri);
	count_del(h, q->mode);
	EMIT(m, t, h, LK_EV_RELEASE, q->mode, q->mode, LK_OK, false, 0);
	if (lk__unlikely(h->qhead | h->nconv))
		lk__grant_pass(m, h);
}

static inline void tlist_add(lk_lockmgr_t *m, struct lk__txn *t, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	q->tprev = 0;
	atomic_store_explicit(&q->tnext, t->locks, memory_order_relaxed);
	if (t->locks)
		m->reqs[t->locks].tprev = ri;
	t->locks = ri;
	atomic_store_explicit(&t->nlocks,
			      atomic_load_explicit(&t->nlocks, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline void tlist_del(lk_lockmgr_t *m, struct lk__txn *t, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	uint32_t nx = atomic_load_explicit(&q->tnext, memory_order_relaxed);
	if (q->tprev)
		atomic_store_explicit(&m->reqs[q->tprev].tnext, nx, memory_order_relaxed);
	else
		t->locks = nx;
	if (nx)
		m->reqs[nx].tprev = q->tprev;
	atomic_store_explicit(&t->nlocks,
			      atomic_load_explicit(&t->nlocks, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	if (lk__unlikely((t->anc[0] == ri) | (t->anc[1] == ri) | (t->anc[2] == ri))) {
		for (int k = 0; k < 3; k++)
			if (t->anc[k] == ri)
				t->anc[k] = 0;
		hcache_clear(t);
	}
}

#endif
