/*
 * lockmgr/heads.c: resource heads, the slow parts: waiting for a head or
 * bucket latch, inserting a head under its bucket latch, killing an idle
 * head, and the sweep that frees idle heads when none is left. The fast
 * parts (latch-free lookup, the latches' uncontended paths) are inline in
 * heads_int.h.
 */
#include "heads_int.h"

#include <string.h>

/* A reserved head h (its bucket latch held): taken from its reserver,
 * latched by the caller. Relaxed: the bucket latch orders it. */
void lk__head_unreserve(struct lk__head *h, uint32_t own)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	atomic_store_explicit(&h->lw, (w & ~LK__L_RSV) | own, memory_order_relaxed);
}

/* Take reserved head h, seen with word w, from its reserver: under its
 * bucket latch, if the word is still w (the same generation, still
 * reserved; it changes only under that latch), it becomes latched by the
 * caller. False: it changed (the reserver ended, or another took it).
 * acquire (blatch_lock): the reserver's grant, published by its bucket
 * latch's release when it made the head. */
bool lk__head_take_reserved(lk_lockmgr_t *m, struct lk__head *h, uint32_t w,
			    uint32_t own)
{
	uint32_t b = __atomic_load_n(&h->bucket, __ATOMIC_RELAXED);
	if (b > m->bmask)
		return false;
	struct lk__bucket *bk = &m->buckets[b];
	uint32_t first = blatch_lock(bk, LK__B_OWN_OF(own));
	bool ok = atomic_load_explicit(&h->lw, memory_order_relaxed) == w;
	if (ok)
		lk__head_unreserve(h, own);
	blatch_unlock(bk, first);
	return ok;
}

/* Take h's latch. check_gen: fail (false) if h stops being generation gen;
 * otherwise the caller knows h cannot be recycled under it. A reserved
 * head is taken from its reserver (lk__head_take_reserved), never waited for:
 * its reserver keeps it until its txn ends. On a shared table a waiter
 * that would park asks whether the holder's process is dead (at most once
 * a nap), and takes the latch over if so. */
bool lk__head_latch_slow(lk_lockmgr_t *m, struct lk__head *h, bool check_gen,
			 uint32_t gen, uint32_t own)
{
	lk__wait_t wt = lk__wait_start(0);
	wt.stamp = lk__lm_wake_stamp(&h->lw); /* wakes come as lk__lm_wake's */
	wt.shared = wt.stamp != NULL;
	uint32_t extra = 0;
	for (;;) {
		uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
		if (check_gen && (LK__L_GEN(w) != gen || (w & LK__L_DEAD))) {
			/* a woken waiter must pass the wake on (it would have
			 * carried PARKED); the head died, so wake them all */
			if (extra)
				lk__lm_wake(&h->lw, INT32_MAX);
			return false;
		}
		if (!(w & LK__L_LATCHED)) {
			LK__RMW_SHARED_AT(h);
			/* acquire: the critical section sees the last holder's writes */
			if (atomic_compare_exchange_weak_explicit(
				    &h->lw, &w, w | LK__L_LATCHED | extra | own,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (w & LK__L_RSV) {
			/* nobody sleeps on it: a word is reserved only
			 * as its generation's first (lock_fresh) */
			if (lk__head_take_reserved(m, h, w, own))
				return true;
			continue;
		}
		if (lk__wait_would_park(&wt)) {
			if (lk__unlikely(wt.shared && (w & LK__L_OWN)) &&
			    lk__shm_take_head(h, w, own))
				return true; /* taken over, repaired */
			if (!(w & LK__L_PARKED)) {
				LK__RMW_SHARED_AT(h);
				/* relaxed: the bit only asks the holder for a wake */
				if (!atomic_compare_exchange_weak_explicit(
					    &h->lw, &w, w | LK__L_PARKED,
					    memory_order_relaxed, memory_order_relaxed))
					continue;
				w |= LK__L_PARKED;
			}
			/* we may leave sleepers behind: keep the bit on ours */
			extra = LK__L_PARKED;
			/* a timed sleep: head_unlatch's plain store may erase
			 * our bit and skip the wake; then the deadline ends it */
			wt.deadline = lk__now_ns() + LK__LATCH_NAP_NS;
			lk__wait(&wt, &h->lw, w);
		} else {
			lk__wait(&wt, NULL, 0);
		}
	}
}

/* head_unlatch's tail (heads_int.h): a sleeper announced itself on the
 * latch word (w, loaded while latched), or a waiter granted or nudged
 * under the latch is to be woken once it is released. */
void lk__head_unlatch_slow(struct lk__head *h, uint32_t w)
{
	struct lk__txn *woken = h->woken, *nudged = h->nudged;
	h->woken = h->nudged = NULL;
	if (!(w & LK__L_PARKED)) {
		atomic_store_explicit(&h->lw, w & ~(LK__L_LATCHED | LK__L_OWN),
				      memory_order_release);
	} else {
		LK__RMW_SHARED_AT(h);
		uint32_t old = atomic_exchange_explicit(
			&h->lw, w & ~(LK__L_LATCHED | LK__L_PARKED | LK__L_OWN),
			memory_order_release);
		if (old & LK__L_PARKED)
			lk__lm_wake(&h->lw, 1);
	}
	/* their slots may have moved on: a spare wake is harmless */
	if (woken)
		lk__lm_wake(&woken->wake, 1);
	if (nudged)
		lk__lm_wake(&nudged->wake, 1);
}

/* The bucket latch after blatch_lock's one attempt failed (heads_int.h).
 * On a shared table, a holder found dead once the wait naps is taken
 * over (the chain repaired): then the word read is returned as if free. */
uint32_t lk__blatch_lock_slow(struct lk__bucket *bk, uint32_t bown)
{
	lk__wait_t wt = lk__wait_start(0);
	bool shared = bown != 0 && lk__lm_in_shared(&bk->w);
	uint64_t next_look = 0;
	for (;;) {
		lk__wait(&wt, NULL, 0);
		uint32_t w = atomic_load_explicit(&bk->w, memory_order_relaxed);
		LK__RMW_SHARED();
		/* acquire: the chain and floor as the last holder left them */
		if (!(w & LK__B_LATCHED) &&
		    atomic_compare_exchange_weak_explicit(&bk->w, &w,
							  w | LK__B_LATCHED | bown,
							  memory_order_acquire,
							  memory_order_relaxed))
			return w;
		if (lk__unlikely(shared && (w & LK__B_OWN)) && lk__wait_would_park(&wt)) {
			uint64_t now = lk__now_ns();
			if (now >= next_look) {
				next_look = now + LK__LATCH_NAP_NS;
				if (lk__shm_take_bucket(bk, w, bown))
					return atomic_load_explicit(&bk->w,
								    memory_order_relaxed) &
					       LK__B_IDX_SHARED;
			}
		}
	}
}

/* Unlink idle head hi (h latched) from its chain, whose bucket latch is
 * held and whose first head is *first; fold its fencing counter into the
 * bucket's floor and kill it: bumping the generation makes every latch-free
 * reader's CAS on the old word fail. The caller frees hi. Killed before it
 * is unlinked: a process that dies in between leaves a dead head in the
 * chain, which latch-free readers skip and a takeover of the bucket drops
 * (repair.c), never a live head out of it. */
void lk__head_kill(lk_lockmgr_t *m, struct lk__bucket *bk, uint32_t *first,
		      struct lk__head *h, uint32_t hi)
{
	uint32_t nx = atomic_load_explicit(&h->next, memory_order_relaxed);
	if (bk->floor < h->token)
		bk->floor = h->token;
	/* As head_unlatch: a plain store unless a sleeper announced itself (a
	 * PARKED bit set after the load is lost to the store; that sleeper's
	 * nap ends its wait). release: readers that CAS the old generation
	 * fail, and the next owner of h sees it as left. */
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	uint32_t dead = LK__L_KILLED(w);
	bool wake = false;
	if (lk__likely(!(w & LK__L_PARKED))) {
		atomic_store_explicit(&h->lw, dead, memory_order_release);
	} else {
		LK__RMW_SHARED_AT(h);
		atomic_exchange_explicit(&h->lw, dead, memory_order_release);
		wake = true;
	}
	if (*first == hi) {
		*first = nx; /* published by blatch_unlock */
	} else {
		uint32_t p = *first;
		for (;;) {
			uint32_t q = atomic_load_explicit(&m->heads[p].next,
							  memory_order_relaxed);
			if (q == hi)
				break;
			p = q;
		}
		/* release: readers past p skip h from now on */
		atomic_store_explicit(&m->heads[p].next, nx, memory_order_release);
	}
	if (wake)
		lk__lm_wake(&h->lw, INT32_MAX);
}

/* Free idle heads of a few buckets (a clock hand, one bucket latch at a
 * time); true if any. For heads left idle by a busy bucket latch, a
 * cancelled wait or an escalation. */
static bool sweep(lk_lockmgr_t *m, uint32_t own)
{
	uint32_t freed = 0;
	const stk_t *s = &m->hstk;
	for (uint32_t n = 0; n <= m->bmask && freed < 64; n++) {
		LK__RMW_SHARED();
		/* relaxed: the hand only spreads sweepers over buckets */
		uint32_t b = atomic_fetch_add_explicit(&m->sweep_hand, 1,
						       memory_order_relaxed) & m->bmask;
		struct lk__bucket *bk = &m->buckets[b];
		if (!bucket_first(m, bk))
			continue;
		uint32_t first = blatch_lock(bk, LK__B_OWN_OF(own));
		/* freed after the bucket latch is dropped: a holder that dies
		 * with it leaves no freed head in the chain (repair.c) */
		uint32_t fr[8], nf = 0;
		for (uint32_t i = first; i && nf < 8;) {
			struct lk__head *h = &m->heads[i];
			uint32_t nx = atomic_load_explicit(&h->next, memory_order_relaxed);
			uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
			LK__RMW_SHARED_AT(h);
			if (!(w & LK__L_LATCHED) &&
			    atomic_compare_exchange_strong_explicit(
				    &h->lw, &w, w | LK__L_LATCHED | own,
				    memory_order_acquire, memory_order_relaxed)) {
				if (!h->holders && !h->qhead && !h->revoked) {
					lk__head_kill(m, bk, &first, h, i);
					fr[nf++] = i;
				} else {
					head_unlatch(h);
				}
			}
			i = nx;
		}
		blatch_unlock(bk, first);
		for (uint32_t k = 0; k < nf; k++)
			lk__stk_push(s, fr[k], fr[k]);
		freed += nf;
	}
	return freed > 0;
}

/* Under the bucket latch: find, or insert a new head (sweeping if none is
 * free). */
uint32_t
lk__head_get_slow(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, uint32_t b,
	      bool create)
{
	struct lk__bucket *bk = &m->buckets[b];
	uint32_t i, first, own = lk__own(t);
	for (;;) {
		first = blatch_lock(bk, LK__B_OWN_OF(own));
		for (i = first; i;) {
			struct lk__head *h = &m->heads[i];
			if (key_eq(h, r)) {
				/* linked heads only die under this bucket latch */
				head_latch_b(m, h, own);
				blatch_unlock(bk, first);
				return i;
			}
			i = atomic_load_explicit(&h->next, memory_order_relaxed);
		}
		if (!create) {
			blatch_unlock(bk, first);
			return 0;
		}
		i = lk__head_alloc(m, t, bk);
		if (i)
			break;
		blatch_unlock(bk, first); /* sweep takes bucket latches */
		if (!sweep(m, own))
			return 0;
	}
	struct lk__head *h = &m->heads[i];
	head_init(h, r, b, bk);
	LK__TEST_NAP();
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	/* release: key before the live, latched word */
	atomic_store_explicit(&h->lw,
			      (w & ~(LK__L_DEAD | LK__L_PARKED | LK__L_OWN)) | LK__L_LATCHED |
				      own,
			      memory_order_release);
	atomic_store_explicit(&h->next, first, memory_order_relaxed);
	lk__pend_set(LK__MARKS(m), bk, 0); /* pool_int.h, head_alloc */
	blatch_unlock(bk, i); /* the head is initialized before it is reachable */
	return i;
}
