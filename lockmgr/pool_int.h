/*
 * lockmgr/pool_int.h: the free stacks' and the txn caches' inline
 * operations, for the fast paths; the rest is in pool.c.
 */
#ifndef LATCHKIT_LOCKMGR_POOL_INT_H
#define LATCHKIT_LOCKMGR_POOL_INT_H

#include "lockmgr_int.h"

#include <stddef.h>

typedef struct lk__stack stk_t;

#define PACK(idx, tag) ((uint64_t)(idx) | ((uint64_t)(tag) << 32))

/* A kill stops a process between two of its instructions: the steps that
 * keep a pool entry findable (SHARED.md "Pool entries in flight") must be
 * in that order in the code, so the compiler may not swap them. */
#define LK__KILL_ORDER() atomic_signal_fence(memory_order_seq_cst)

/* Only a shared table's entries outlive a killed process: a private table
 * skips the marks and their barriers. The hot paths (lock_fresh, txn_end)
 * are inlined twice, with marks a constant, so a private table pays no
 * test there. */
#define LK__MARKS(m) lk__unlikely((m)->shm != NULL)

/* bk->pend = hi if marks (SHARED.md "Pool entries in flight"). */
static inline void lk__pend_set(const bool marks, struct lk__bucket *bk, uint32_t hi)
{
	if (marks) {
		bk->pend = hi;
		LK__KILL_ORDER();
	}
}

/* t's pool section on a shared table (the caller tests m->shm; SHARED.md
 * "The pool stop"): the counter made odd, then the stop read. A stopper's
 * membarrier orders the two for it, as a fence between them would: so
 * either this section sees the stop, or the stopper sees the section. No
 * nesting: one section per slot at a time. */
/* this thread's sections open (initial-exec: no TLS call; reclaim.c) */
LK__HIDDEN extern LK_THREAD_LOCAL uint32_t lk__sec_depth
	__attribute__((tls_model("initial-exec")));

static inline void sec_enter(lk_lockmgr_t *m, const struct lk__txn *t)
{
	LK_ATOMIC(uint32_t) *n = &m->sec[t->idx].n;
	lk__sec_depth++; /* a latch takeover inside needs no section of its own */
	atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	atomic_signal_fence(memory_order_seq_cst);
	if (lk__unlikely(atomic_load_explicit(m->pool_stop, memory_order_relaxed)))
		lk__sec_wait(m, n);
}

static inline void sec_leave(lk_lockmgr_t *m, const struct lk__txn *t)
{
	LK_ATOMIC(uint32_t) *n = &m->sec[t->idx].n;
	/* release: the section's stores before a stopper that reads it even */
	atomic_store_explicit(n, atomic_load_explicit(n, memory_order_relaxed) + 1,
			      memory_order_release);
	lk__sec_depth--;
}

LK__HIDDEN void lk__stk_push(const stk_t *s, uint32_t first, uint32_t last);
LK__HIDDEN bool lk__cache_refill(lk_lockmgr_t *m, const stk_t *s,
				 struct lk__cache *c);
LK__HIDDEN void lk__cache_trim(const stk_t *s, struct lk__cache *c, uint32_t keep);
LK__HIDDEN bool lk__cache_flush(const stk_t *s, struct lk__cache *c);
LK__HIDDEN bool lk__cache_remove(const stk_t *s, struct lk__cache *c, uint32_t i);
LK__HIDDEN void lk__stacks_init(lk_lockmgr_t *m);
LK__HIDDEN uint32_t lk__req_take_shared(lk_lockmgr_t *m);
LK__HIDDEN uint32_t lk__head_alloc(lk_lockmgr_t *m, struct lk__txn *t,
				   struct lk__bucket *bk);

static inline LK_ATOMIC(uint32_t) *stk_link(const stk_t *s, uint32_t i)
{
	return (LK_ATOMIC(uint32_t) *)(void *)(s->base + (size_t)i * s->stride + s->off);
}

/* Take the first element (the cache is not empty). last is meaningful
 * only while first is not 0 (every reader tests first; cache_put and a
 * refill set it on an empty cache), so emptying leaves it as it is. */
static inline uint32_t cache_take(const stk_t *s, struct lk__cache *c)
{
	uint32_t i = c->first;
	c->first = atomic_load_explicit(stk_link(s, i), memory_order_relaxed);
	atomic_store_explicit(&c->n, atomic_load_explicit(&c->n, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	return i;
}

/* Put the chain first..last of n elements in front. */
static inline void cache_put(const stk_t *s, struct lk__cache *c, uint32_t first,
			     uint32_t last, uint32_t n)
{
	/* relaxed: owner-only links (a stale head reader finds it dead) */
	atomic_store_explicit(stk_link(s, last), c->first, memory_order_relaxed);
	if (!c->first)
		c->last = last;
	c->first = first;
	atomic_store_explicit(&c->n, atomic_load_explicit(&c->n, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* The stacks' layout as constants, for the inlined cache operations on
 * the fast paths (m->rstk and m->hstk serve the out-of-line ones). */
static inline stk_t req_stk(const lk_lockmgr_t *m)
{
	stk_t s = {NULL, (unsigned char *)m->reqs, sizeof(struct lk__req),
		   offsetof(struct lk__req, tnext), 0};
	return s;
}

static inline stk_t head_stk(const lk_lockmgr_t *m)
{
	stk_t s = {NULL, (unsigned char *)m->heads, sizeof(struct lk__head),
		   offsetof(struct lk__head, next), 0};
	return s;
}

/* A request for t, tagged TAKEN by t before it leaves the cache: a kill
 * between the take and the link leaves it findable (reclaim.c). */
static inline uint32_t req_alloc(lk_lockmgr_t *m, struct lk__txn *t)
{
	if (lk__unlikely(!t->rc.first) && !lk__cache_refill(m, &m->rstk, &t->rc))
		return 0;
	if (LK__MARKS(m)) {
		struct lk__req *q = &m->reqs[t->rc.first];
		q->txn = t->idx;
		__atomic_store_n(&q->status, LK__R_TAKEN, __ATOMIC_RELAXED);
		LK__KILL_ORDER();
	}
	stk_t s = req_stk(m);
	return cache_take(&s, &t->rc);
}

/* A free head for t to link into bucket bk (its latch held): from its
 * cache inline; lk__head_alloc refills it. Named in bk->pend before it
 * leaves the cache; the caller clears that just before the unlock that
 * links it (SHARED.md "Pool entries in flight"). */
static inline uint32_t head_alloc(lk_lockmgr_t *m, struct lk__txn *t, struct lk__bucket *bk,
				  const bool marks)
{
	if (lk__unlikely(!t->hc.first))
		return lk__head_alloc(m, t, bk);
	lk__pend_set(marks, bk, t->hc.first);
	stk_t s = head_stk(m);
	return cache_take(&s, &t->hc);
}

/* Request i of t into t's cache, then FREE: a kill between leaves it
 * tagged and cached, never in neither (reclaim.c). Both kinds of table:
 * the order costs a private one no instruction, a test of m->shm would. */
static inline void req_to_cache(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i)
{
	stk_t s = req_stk(m);
	cache_put(&s, &t->rc, i, i, 1);
	LK__KILL_ORDER();
	m->reqs[i].status = LK__R_FREE;
}

/* Free request i of running txn t. A running txn's frees keep its cache
 * below req_batch (it may start with up to two batches, what its slot
 * kept from the txn before); the rest go back to the shared stack at once,
 * where any txn can take them (drain_idle reaches only idle slots, so a
 * running txn's cache is out of others' reach: lk_lockmgr_stats counts it
 * as used). So a txn that frees what it locked (lk_unlock, a failed wait,
 * escalation) cannot starve the others. */
static inline void req_cache(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i)
{
	if (lk__unlikely(atomic_load_explicit(&t->rc.n, memory_order_relaxed) + 1 >=
			 m->req_batch)) {
		m->reqs[i].status = LK__R_FREE; /* FREE before any push */
		lk__stk_push(&m->rstk, i, i);
		return;
	}
	req_to_cache(m, t, i);
}

/* Give back request i that t took from its cache in this same call and
 * did not use: to the cache, whatever its size (it was there a moment
 * ago). req_cache's bound could send it to the shared stack, and the txn
 * would later refill from there (README "Memory": whole lines). A small
 * pool keeps none. */
static inline void req_untake(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i)
{
	if (lk__unlikely(!m->req_keep))
		req_cache(m, t, i);
	else
		req_to_cache(m, t, i);
}

/* Freed heads first..last (n, chained through next) join t's cache. A txn
 * frees heads other txns made, so the head cache is trimmed too: past
 * twice the batch, back to one batch (the slack keeps a txn that frees a
 * few more heads than it makes off the shared stack). */
static inline void heads_cache(lk_lockmgr_t *m, struct lk__txn *t, uint32_t first,
			       uint32_t last, uint32_t n)
{
	if (lk__unlikely(!m->req_keep)) { /* a small pool keeps nothing */
		lk__stk_push(&m->hstk, first, last);
		return;
	}
	stk_t s = head_stk(m);
	cache_put(&s, &t->hc, first, last, n);
	if (lk__unlikely(atomic_load_explicit(&t->hc.n, memory_order_relaxed) >
			 2 * m->req_batch))
		lk__cache_trim(&m->hstk, &t->hc, m->req_batch);
}

#endif
