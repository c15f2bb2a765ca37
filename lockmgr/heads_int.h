/*
 * lockmgr/heads_int.h: resource heads, the inline parts: the head and
 * bucket latches' uncontended paths, the latch-free lookup, filling a new
 * head, and freeing one a release left idle. The slow parts are heads.c.
 */
#ifndef LATCHKIT_LOCKMGR_HEADS_INT_H
#define LATCHKIT_LOCKMGR_HEADS_INT_H

#include "lockmgr_int.h"
#include "pool_int.h"

#include <string.h>

LK__HIDDEN bool lk__head_latch_slow(lk_lockmgr_t *m, struct lk__head *h,
				   bool check_gen, uint32_t gen, uint32_t own);
LK__HIDDEN void lk__head_unreserve(struct lk__head *h, uint32_t own);
LK__HIDDEN bool lk__head_take_reserved(lk_lockmgr_t *m, struct lk__head *h, uint32_t w,
				       uint32_t own);
LK__HIDDEN uint32_t lk__blatch_lock_slow(struct lk__bucket *bk, uint32_t bown);
LK__HIDDEN void lk__head_kill(lk_lockmgr_t *m, struct lk__bucket *bk,
			      uint32_t *first, struct lk__head *h, uint32_t hi);
LK__HIDDEN void lk__head_unlatch_slow(struct lk__head *h, uint32_t w);
LK__HIDDEN uint32_t lk__head_get_slow(lk_lockmgr_t *m, struct lk__txn *t,
				      const lk_res_t *r, uint32_t b, bool create);

#define LK__LATCH_NAP_NS 1000000u /* a parked latch waiter rechecks after 1 ms */

/* own: the caller's owner bits (lk__own, lk__own_m), 0 on a private
 * table; the same CAS sets them with the latch bit. A reserved head
 * (LK__L_RSV) is taken from its reserver under its bucket latch (the
 * slow path): the caller holds no bucket latch (head_latch_b if it does)
 * and no other head latch (README "Latch order"). */
static inline void head_latch(lk_lockmgr_t *m, struct lk__head *h, uint32_t own)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	LK__RMW_SHARED_AT(h);
	/* acquire: see the previous critical section */
	if (lk__likely(!(w & LK__L_LATCHED)) &&
	    atomic_compare_exchange_strong_explicit(&h->lw, &w, w | LK__L_LATCHED | own,
						    memory_order_acquire,
						    memory_order_relaxed))
		return;
	lk__head_latch_slow(m, h, false, 0, own);
}

static inline bool head_latch_gen(lk_lockmgr_t *m, struct lk__head *h, uint32_t w,
				  uint32_t own)
{
	uint32_t gen = LK__L_GEN(w);
	LK__RMW_SHARED_AT(h);
	if (lk__likely(!(w & (LK__L_LATCHED | LK__L_DEAD))) &&
	    atomic_compare_exchange_strong_explicit(&h->lw, &w, w | LK__L_LATCHED | own,
						    memory_order_acquire,
						    memory_order_relaxed))
		return true;
	return lk__head_latch_slow(m, h, true, gen, own);
}

/* head_latch for a caller that holds h's bucket latch: a reserved head
 * changes only under it, so it is taken from its reserver by a store. */
static inline void head_latch_b(lk_lockmgr_t *m, struct lk__head *h, uint32_t own)
{
	if (lk__unlikely(atomic_load_explicit(&h->lw, memory_order_relaxed) & LK__L_RSV))
		lk__head_unreserve(h, own);
	else
		head_latch(m, h, own);
}

/* Release h's latch. Fast case (nobody announced a sleep, no grant to
 * wake): a plain release store, no read-modify-write. A PARKED bit that a
 * waiter CASes in between our load and our store is overwritten: that
 * waiter's futex wait then either sees the word changed and returns, or
 * sleeps until its backstop (LK__LATCH_NAP_NS, head_latch_slow) and
 * retries. Only parkers write the word of a latched head, so nothing else
 * can be lost. A parked waiter granted under the latch (h->woken) is woken
 * after the release: the futex syscall (several us) then holds up nobody
 * who wants this head (README, Waiting). */
static inline void head_unlatch(struct lk__head *h)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	if (lk__likely(!(w & LK__L_PARKED) && !h->woken && !h->nudged)) {
		/* release: publish the critical section */
		atomic_store_explicit(&h->lw, w & ~(LK__L_LATCHED | LK__L_OWN),
				      memory_order_release);
		return;
	}
	lk__head_unlatch_slow(h, w);
}

/* Bucket latch: the top bit of the bucket word. Taking it returns the
 * chain's first head; dropping it stores the (possibly new) first head,
 * which publishes a chain change and frees the latch in one store. One
 * attempt inline; the wait (lk__wait) is heads.c's. */
/* bown: the caller's owner bits in a bucket word's place (t->bown,
 * LK__B_OWN_OF), 0 on a private table. */
static inline uint32_t blatch_lock(struct lk__bucket *bk, uint32_t bown)
{
	uint32_t w = atomic_load_explicit(&bk->w, memory_order_relaxed);
	LK__RMW_SHARED();
	/* acquire: the chain and floor as the last holder left them */
	if (lk__likely(!(w & LK__B_LATCHED)) &&
	    atomic_compare_exchange_weak_explicit(&bk->w, &w,
						  w | LK__B_LATCHED | bown,
						  memory_order_acquire,
						  memory_order_relaxed))
		return w;
	return lk__blatch_lock_slow(bk, bown);
}

/* One attempt, for a thread that holds a head latch (the order is bucket
 * before head, so it must not wait). */
static inline bool blatch_try(struct lk__bucket *bk, uint32_t *first, uint32_t bown)
{
	uint32_t w = atomic_load_explicit(&bk->w, memory_order_relaxed);
	*first = w;
	LK__RMW_SHARED();
	/* acquire: as blatch_lock */
	return !(w & LK__B_LATCHED) &&
	       atomic_compare_exchange_strong_explicit(&bk->w, &w,
						       w | LK__B_LATCHED | bown,
						       memory_order_acquire,
						       memory_order_relaxed);
}

static inline void blatch_unlock(struct lk__bucket *bk, uint32_t first)
{
	/* release: the chain (and a new head's contents) before readers see it */
	atomic_store_explicit(&bk->w, first, memory_order_release);
}

/* A latch-free reader's view of a chain's first head (bidx: without the
 * latch bit, and a shared table's owner bits). */
static inline uint32_t bucket_first(const lk_lockmgr_t *m, const struct lk__bucket *bk)
{
	/* acquire: a head reached is initialized (blatch_unlock's release) */
	return atomic_load_explicit(&bk->w, memory_order_acquire) & m->bidx;
}

/* Drop h's latch after a release at txn end; if the release left it idle
 * (no holder, no waiter, no revoked request pinning it), free it when its bucket latch is free at once,
 * so that the table holds only heads in use and new heads come warm from
 * the txn's cache: returns its index hi for the caller to cache, or 0.
 * If the bucket is busy it stays idle in its chain, and sweep finds it
 * when the heads run out. */
static inline __attribute__((always_inline)) uint32_t
head_release(lk_lockmgr_t *m, struct lk__head *h, uint32_t hi,
	     uint32_t bown, const bool marks)
{
	uint32_t first;
	if (h->holders | h->qhead | h->revoked) {
		head_unlatch(h);
		return 0;
	}
	struct lk__bucket *bk = &m->buckets[h->bucket];
	if (!blatch_try(bk, &first, bown)) {
		head_unlatch(h);
		return 0;
	}
	/* named while it is unlinked and not yet cached (SHARED.md "Pool
	 * entries in flight"); lk__head_kill's common case inline: h first
	 * in its chain, no sleeper announced (the same steps and orders) */
	lk__pend_set(marks, bk, hi);
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	if (lk__likely(first == hi && !(w & LK__L_PARKED))) {
		first = atomic_load_explicit(&h->next, memory_order_relaxed);
		if (bk->floor < h->token)
			bk->floor = h->token;
		LK__TEST_NAP();
		/* release: as lk__head_kill's store */
		atomic_store_explicit(&h->lw, LK__L_KILLED(w),
				      memory_order_release);
	} else {
		lk__head_kill(m, bk, &first, h, hi);
	}
	lk__pend_set(marks, bk, 0);
	blatch_unlock(bk, first);
	return hi;
}

/* Fill a free head for res in bucket b (its latch held): tokens from the
 * bucket's floor. A head is freed only idle (no holder, no queue, no
 * conversion, no wake pending), and every count of an idle head is zero
 * (counts[m] = its holders in mode m), as create's zeroed pool is: so
 * only the key, the bucket and the token are written. Not yet reachable,
 * so plain and relaxed stores; publishing it is blatch_unlock's release. */
static inline void head_init(struct lk__head *h, const lk_res_t *r, uint32_t b,
			     const struct lk__bucket *bk)
{
#ifdef LK_DEBUG
	static const uint16_t zero[LK_MAX_MODES];
	if (h->holders | h->qhead | h->qtail | h->granted | h->nconv ||
	    h->woken || h->nudged || h->revoked ||
	    memcmp(h->counts, zero, sizeof zero)) {
		fprintf(stderr, "latchkit: lockmgr: a free head is not idle\n");
		abort();
	}
#endif
	atomic_store_explicit(&h->key01, res_key01(r), memory_order_relaxed);
	atomic_store_explicit(&h->key23, res_key23(r), memory_order_relaxed);
	atomic_store_explicit(&h->key4, r->f[3], memory_order_relaxed);
	/* atomic: a revoker reads it before it knows h is still the head
	 * it saw (lk__head_latch_slow) */
	__atomic_store_n(&h->bucket, b, __ATOMIC_RELAXED);
	h->token = bk->floor;
}

/* Find (or, with create, make) res's head and return it latched; 0 when
 * absent (!create) or no head is left (create). */
static inline uint32_t head_get(lk_lockmgr_t *m, struct lk__txn *t,
				const lk_res_t *r, uint32_t hash, bool create)
{
	uint32_t b = hash & m->bmask;
	/* latch-free walk */
	uint32_t i = bucket_first(m, &m->buckets[b]);
	for (uint32_t steps = 0; i && steps <= m->nheads; steps++) {
		struct lk__head *h = &m->heads[i];
		uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
		if (!(w & LK__L_DEAD) && key_eq(h, r)) {
			if (lk__likely(head_latch_gen(m, h, w, lk__own(t))))
				return i;
			break; /* recycled under us */
		}
		i = atomic_load_explicit(&h->next, memory_order_acquire);
		if (i > m->nheads)
			break;
	}
	return lk__head_get_slow(m, t, r, b, create);
}

#endif
