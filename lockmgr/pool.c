/*
 * lockmgr/pool.c: the free requests and heads: two tagged Treiber stacks,
 * each txn slot's private caches in front of them, and the drain that
 * empties idle slots' caches when a stack runs dry (README "Memory"). The
 * caches' inline operations are in pool_int.h.
 */
#include "pool_int.h"
#include "shared_int.h"

/* Pop up to max elements as a chain; returns its first index, its length
 * and its last index. */
static uint32_t stk_pop(const stk_t *s, uint32_t max, uint32_t *n_out,
			uint32_t *last_out)
{
	/* acquire: the pushers' link writes are visible */
	uint64_t top = atomic_load_explicit(s->top, memory_order_acquire);
	for (;;) {
		uint32_t first = (uint32_t)top, last = first, n = 1;
		if (!first)
			return 0;
		while (n < max) {
			/* relaxed: racy if another thread pops these; the
			 * tagged CAS below then fails */
			uint32_t nx = atomic_load_explicit(stk_link(s, last),
							   memory_order_relaxed);
			if (!nx || nx > s->n)
				break;
			last = nx;
			n++;
		}
		uint32_t rest = atomic_load_explicit(stk_link(s, last), memory_order_relaxed);
		if (rest > s->n)
			rest = 0; /* garbage from a race; the CAS will fail */
		LK__RMW_SHARED();
		if (atomic_compare_exchange_weak_explicit(
			    s->top, &top, PACK(rest, (top >> 32) + 1),
			    memory_order_acquire, memory_order_acquire)) {
			atomic_store_explicit(stk_link(s, last), 0, memory_order_relaxed);
			*n_out = n;
			*last_out = last;
			return first;
		}
	}
}

void lk__stk_push(const stk_t *s, uint32_t first, uint32_t last)
{
	uint64_t top = atomic_load_explicit(s->top, memory_order_relaxed);
	do {
		atomic_store_explicit(stk_link(s, last), (uint32_t)top,
				      memory_order_relaxed);
		LK__RMW_SHARED();
		/* release: the chain's links and contents before it is poppable */
	} while (!atomic_compare_exchange_weak_explicit(
		s->top, &top, PACK(first, (top >> 32) + 1),
		memory_order_release, memory_order_relaxed));
}

static bool drain_idle(lk_lockmgr_t *m);

/* A txn slot keeps a cache of free requests and one of free heads, across
 * the txns it runs: in a steady state a txn takes and gives back its
 * requests and heads without touching a shared line. A slot that runs dry
 * pops a batch (req_batch) from the shared stack, and when that is empty
 * too, drain_idle empties the caches of the slots no txn is using. The
 * caches are bounded (see README "Memory"): cache_trim gives the rest back. */
bool lk__cache_refill(lk_lockmgr_t *m, const stk_t *s, struct lk__cache *c)
{
	for (int tries = 0; tries < 2; tries++) {
		uint32_t n = 0, last = 0, first = stk_pop(s, m->req_batch, &n, &last);
		if (first) {
			/* a residue window (SHARED.md): a kill here loses
			 * the popped chain */
			LK__TEST_KILL_AT("cache_refill");
			c->first = first;
			c->last = last;
			atomic_store_explicit(&c->n, n, memory_order_relaxed);
			return true;
		}
		if (!drain_idle(m))
			break;
	}
	return false;
}

/* Give back all but the keep (>= 1) newest elements. */
void lk__cache_trim(const stk_t *s, struct lk__cache *c, uint32_t keep)
{
	uint32_t k = c->first;
	for (uint32_t n = 1; n < keep; n++)
		k = atomic_load_explicit(stk_link(s, k), memory_order_relaxed);
	uint32_t rest = atomic_load_explicit(stk_link(s, k), memory_order_relaxed);
	atomic_store_explicit(stk_link(s, k), 0, memory_order_relaxed);
	lk__stk_push(s, rest, c->last);
	c->last = k;
	atomic_store_explicit(&c->n, keep, memory_order_relaxed);
}

/* Give back everything; true if there was anything. */
bool lk__cache_flush(const stk_t *s, struct lk__cache *c)
{
	uint32_t first = c->first, last = c->last;
	if (!first)
		return false;
	/* emptied before the push: a kill between loses the chain, never
	 * leaves a cache naming what the stack holds (SHARED.md "Pool
	 * entries in flight") */
	c->first = c->last = 0;
	atomic_store_explicit(&c->n, 0, memory_order_relaxed);
	LK__KILL_ORDER();
	lk__stk_push(s, first, last);
	return true;
}

/* One request from the shared stack (0 if it is empty), bypassing every
 * cache: a fast-path move lends it (fastpath.c fp_move). */
uint32_t lk__req_take_shared(lk_lockmgr_t *m)
{
	uint32_t n = 0, last = 0;
	return stk_pop(&m->rstk, 1, &n, &last);
}

/* Take element i out of the cache, wherever it is; false if it is not
 * there. A walk: for the rare caller (fastpath.c lk__fp_return). */
bool lk__cache_remove(const stk_t *s, struct lk__cache *c, uint32_t i)
{
	uint32_t prev = 0, p = c->first;
	while (p && p != i) {
		prev = p;
		p = atomic_load_explicit(stk_link(s, p), memory_order_relaxed);
	}
	if (!p)
		return false;
	uint32_t nx = atomic_load_explicit(stk_link(s, i), memory_order_relaxed);
	if (prev)
		atomic_store_explicit(stk_link(s, prev), nx, memory_order_relaxed);
	else
		c->first = nx;
	if (c->last == i)
		c->last = prev;
	atomic_store_explicit(&c->n, atomic_load_explicit(&c->n, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	atomic_store_explicit(stk_link(s, i), 0, memory_order_relaxed);
	return true;
}

void lk__stacks_init(lk_lockmgr_t *m)
{
	m->rstk = req_stk(m);
	m->rstk.top = &m->req_free;
	m->rstk.n = m->nreqs;
	m->hstk = head_stk(m);
	m->hstk.top = &m->head_free;
	m->hstk.n = m->nheads;
}

uint32_t lk__head_alloc(lk_lockmgr_t *m, struct lk__txn *t, struct lk__bucket *bk)
{
	if (!t->hc.first && !lk__cache_refill(m, &m->hstk, &t->hc))
		return 0;
	lk__pend_set(LK__MARKS(m), bk, t->hc.first);
	stk_t s = head_stk(m);
	return cache_take(&s, &t->hc);
}

/* The shared stacks ran dry: take every free txn slot off the free stack
 * (popping one makes it ours, as lk_txn_begin does) and claim every kept
 * one, move its cached requests and heads to the shared stacks, and put
 * the slots back. True if anything was moved. lk_txn_begin waits out a
 * drain instead of failing. */
static bool drain_idle(lk_lockmgr_t *m)
{
	LK__RMW_SHARED();
	/* seq_cst: a begin that finds the stack empty sees the flag */
	atomic_fetch_add_explicit(&m->draining, 1, memory_order_seq_cst);
	const stk_t *rs = &m->rstk, *hs = &m->hstk;
	uint32_t mine = 0, mine_last = 0;
	/* the slots it holds are claimed in its process's name (a recovery
	 * gives them back if it dies here) */
	uint32_t claimed = LK__TS_CLAIMED_BY(m->shm ? lk__shm_me_cached(m) : 0);
	bool moved = false;
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
	while ((uint32_t)top) {
		struct lk__txn *t = txn_at(m, (uint32_t)top - 1);
		uint32_t nx = atomic_load_explicit(&t->free_next, memory_order_relaxed);
		LK__RMW_SHARED();
		/* acquire: the slot's caches as its last txn left them;
		 * seq_cst: a begin that sees the stack emptied by this pop
		 * sees the draining flag raised before it */
		if (!atomic_compare_exchange_weak_explicit(
			    &m->txn_free, &top, PACK(nx, (top >> 32) + 1),
			    memory_order_seq_cst, memory_order_acquire))
			continue;
		atomic_store_explicit(&t->state, claimed, memory_order_relaxed);
		LK__KILL_ORDER();
		moved |= lk__cache_flush(rs, &t->rc);
		moved |= lk__cache_flush(hs, &t->hc);
		atomic_store_explicit(&t->free_next, mine, memory_order_relaxed);
		if (!mine)
			mine_last = t->idx + 1;
		mine = t->idx + 1;
		top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
	}
	/* the slots threads keep off the stack (txn.c): each claimed,
	 * emptied and kept again; its thread claims it back as it was */
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		uint32_t k = LK__TS_KEPT;
		if (atomic_load_explicit(&t->state, memory_order_relaxed) != k)
			continue;
		LK__RMW_SHARED();
		/* seq_cst: a begin that reads the 3 sees the flag raised */
		if (!atomic_compare_exchange_strong_explicit(&t->state, &k, claimed,
							     memory_order_seq_cst,
							     memory_order_relaxed))
			continue;
		moved |= lk__cache_flush(rs, &t->rc);
		moved |= lk__cache_flush(hs, &t->hc);
		/* release: the emptied caches before a begin claims it */
		atomic_store_explicit(&t->state, LK__TS_KEPT, memory_order_release);
	}
	if (mine) {
		for (uint32_t p = mine; p;) {
			struct lk__txn *t = txn_at(m, p - 1);
			atomic_store_explicit(&t->state, LK__TS_FREE, memory_order_relaxed);
			p = atomic_load_explicit(&t->free_next, memory_order_relaxed);
		}
		LK__KILL_ORDER();
		struct lk__txn *l = txn_at(m, mine_last - 1);
		top = atomic_load_explicit(&m->txn_free, memory_order_relaxed);
		do {
			atomic_store_explicit(&l->free_next, (uint32_t)top, memory_order_relaxed);
			LK__RMW_SHARED();
			/* release: the emptied caches before a begin pops a slot */
		} while (!atomic_compare_exchange_weak_explicit(
			&m->txn_free, &top, PACK(mine, (top >> 32) + 1),
			memory_order_release, memory_order_relaxed));
	}
	LK__RMW_SHARED();
	atomic_fetch_sub_explicit(&m->draining, 1, memory_order_release);
	return moved;
}
