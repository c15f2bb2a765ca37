/*
 * lockmgr/recover.c: dead processes of a shared table (SHARED.md): who
 * this process is (PID and start time), whether a registered one is dead,
 * and the recovery that aborts a dead process's txns.
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "queue_int.h"
#include "shared_int.h"

#include <unistd.h>

/* start << 32 | pid of the calling process: its start time as
 * /proc/PID/stat gives it, so that a reused PID is another process. */
uint64_t lk__shm_self_id(void)
{
	static LK_ATOMIC(uint64_t) cached; /* keyed by the PID: a fork relearns */
	uint32_t pid = (uint32_t)getpid(), start = 0;
	uint64_t c = atomic_load_explicit(&cached, memory_order_relaxed);
	if ((uint32_t)c == pid)
		return c;
	lk__proc_stat_(pid, &start);
	c = (uint64_t)start << 32 | pid;
	atomic_store_explicit(&cached, c, memory_order_relaxed);
	return c;
}

/* Gone, a zombie, or its PID now names a process that started at another
 * time. Unreadable counts as alive: never take locks on a doubt. */
bool lk__shm_dead(uint64_t id)
{
	uint32_t start = 0;
	int r = lk__proc_stat_((uint32_t)id, &start);
	return r == 1 || (r == 0 && start != (uint32_t)(id >> 32));
}

static void rec_lock(struct lk__shm *s)
{
	/* a recoverer that died: its aborts were each complete or not begun
	 * at a latch boundary; the scan below starts over */
	if (pthread_mutex_lock(&s->rec_mu) == EOWNERDEAD)
		pthread_mutex_consistent(&s->rec_mu);
}

/* A txn of a dead process (bit k of dead: process slot k). */
static bool txn_dead(lk_lockmgr_t *m, uint32_t ti, uint32_t dead)
{
	const struct lk__txn *t = txn_at(m, ti);
	/* acquire: begin stores proc before state */
	return atomic_load_explicit(&t->state, memory_order_acquire) == 1 && t->proc &&
	       ((dead >> (t->proc - 1)) & 1u);
}

/* A dead txn's cache as its owner left it: the chain from first to the
 * link that is 0, recounted. Every change to a cache keeps that chain
 * the owner's and 0-terminated (pool.c, pool_int.h); a kill may leave n
 * or last stale, never the chain. Past max links it is not a chain
 * (dropped; cannot happen by that argument). */
static void cache_fix(const lk_lockmgr_t *m, struct lk__cache *c, bool reqs)
{
	uint32_t max = reqs ? m->nreqs : m->nheads, p = c->first, last = 0, n = 0;
	while (p && p <= max && n <= max) {
		last = p;
		n++;
		p = reqs ? atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed)
			 : atomic_load_explicit(&m->heads[p].next, memory_order_relaxed);
	}
	if (p) {
		c->first = last = n = 0;
	}
	c->last = last;
	atomic_store_explicit(&c->n, n, memory_order_relaxed);
}

/* Take every request of a dead txn off head hi (latched with takeover
 * on the way, if its holder died too) and pass the lock on. The requests
 * keep their tag; the reclaim gives them back. */
static void head_purge(lk_lockmgr_t *m, uint32_t hi, uint32_t dead, uint32_t own)
{
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(m, h, w, own))
		return;
	bool any = false;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t *first = pass ? &h->qhead : &h->holders;
		for (uint32_t p = *first; p;) {
			struct lk__req *q = &m->reqs[p];
			uint32_t nx = q->rnext;
			if (txn_dead(m, q->txn, dead)) {
				if (pass) {
					list_del(m, &h->qhead, &h->qtail, p);
				} else {
					list_del(m, &h->holders, NULL, p);
					count_del(h, q->mode);
					if (q->status == LK__R_CONVERTING)
						h->nconv--;
				}
				/* still tagged by its dead txn: the reclaim
				 * (reclaim.c) frees it, so a recoverer that dies
				 * here leaves it for the next one */
				any = true;
			}
			p = nx;
		}
	}
	if (any && (h->qhead || h->nconv))
		lk__grant_pass(m, h);
	head_unlatch(h);
}

/* A dead txn's slot, its requests gone: back on the free stack, as
 * txn_end leaves it. */
static void slot_free(lk_lockmgr_t *m, struct lk__txn *t)
{
	t->locks = 0;
	atomic_store_explicit(&t->nlocks, 0, memory_order_relaxed);
	st_inc(t, LK__ST_ABORTS);
	uint32_t gen = atomic_load_explicit(&t->gen, memory_order_relaxed);
	atomic_store_explicit(&t->gen, (gen | 1u) + 1u, memory_order_relaxed);
	lk__slot_push(m, t);
}

/* Slot t, held by no live process, back on the free stack; its section
 * counter even (its process may have died inside a section). */
void lk__slot_push(lk_lockmgr_t *m, struct lk__txn *t)
{
	LK_ATOMIC(uint32_t) *n = &m->sec[t->idx].n;
	uint32_t v = atomic_load_explicit(n, memory_order_relaxed);
	atomic_store_explicit(n, v + (v & 1u), memory_order_relaxed);
	/* release: as txn_end */
	atomic_store_explicit(&t->state, LK__TS_FREE, memory_order_release);
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_relaxed);
	do {
		atomic_store_explicit(&t->free_next, (uint32_t)top, memory_order_relaxed);
		/* release: the slot's reset before the next begin pops it */
	} while (!atomic_compare_exchange_weak_explicit(
		&m->txn_free, &top, PACK(t->idx + 1, (top >> 32) + 1),
		memory_order_release, memory_order_relaxed));
}

/* Ends every txn of the dead processes (bit k: slot k), wherever they
 * died: in no latch, or in a head, bucket or fp latch, in any call
 * (SHARED.md "The hard case"). The fp latches and buckets the dead hold
 * first (taken over and repaired), then
 * every live head (its latch taken over if a dead process holds it; the
 * dead txns' requests removed, the lock passed on), then the slots. Not
 * the txns' own lists: a txn killed in a call may have a request linked
 * on a head and not yet in its list. Returns the txns ended. */
static uint32_t end_dead(lk_lockmgr_t *m, uint32_t dead)
{
	/* our owner bits: a latch a dead process holds is taken over in our
	 * name (lk__shm_recover runs only with a slot) */
	uint32_t own = (uint32_t)lk__shm_me_cached(m) << LK__L_OWN_SHIFT, n = 0;
	/* fp latches first (they come before head latches): one a dead
	 * strong locker holds on a live txn is taken over and repaired */
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		uint32_t w = atomic_load_explicit(&t->fp_latch, memory_order_relaxed);
		uint32_t o = (w & LK__L_OWN) >> LK__L_OWN_SHIFT;
		if (w && o && ((dead >> (o - 1)) & 1u))
			lk__fp_touch(t, own);
	}
	for (uint32_t b = 0; b <= m->bmask; b++) {
		struct lk__bucket *bk = &m->buckets[b];
		uint32_t w = atomic_load_explicit(&bk->w, memory_order_relaxed);
		uint32_t o = (w & LK__B_OWN) >> LK__B_OWN_SHIFT;
		if ((w & LK__B_LATCHED) && o && ((dead >> (o - 1)) & 1u))
			blatch_unlock(bk, blatch_lock(bk, LK__B_OWN_OF(own)));
	}
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (!txn_dead(m, i, dead))
			continue;
		/* it waits no more: the detector must not count it */
		atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
		/* its weak-lock records (fastpath.c); moved ones are main-table
		 * requests, which the head scan below ends */
		if (t->fp_used)
			lk__fp_end_by(m, t, own);
	}
	for (uint32_t hi = 1; hi <= m->nheads; hi++)
		head_purge(m, hi, dead, own);
	/* the caches as the dead left them, then the requests they held
	 * outside every list (reclaim.c) */
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (!txn_dead(m, i, dead))
			continue;
		cache_fix(m, &t->rc, true);
		cache_fix(m, &t->hc, false);
	}
	lk__reclaim_reqs(m, txn_dead, dead, own);
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (!txn_dead(m, i, dead))
			continue;
		if (t->fp_counted)
			lk__fp_uncount(m, t);
		slot_free(m, t);
		n++;
	}
	/* the slots a dead process had claimed (a begin, a drain) and not
	 * made active: their caches as it left them, and back on the stack */
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		uint32_t st = atomic_load_explicit(&t->state, memory_order_acquire), p = st >> 8;
		if ((st & 0xffu) != LK__TS_CLAIMED || !p || !((dead >> (p - 1)) & 1u))
			continue;
		cache_fix(m, &t->rc, true);
		cache_fix(m, &t->hc, false);
		lk__slot_push(m, t);
	}
	return n;
}

uint32_t lk__shm_recover(lk_lockmgr_t *m, bool due)
{
	struct lk__shm *s = m->shm;
	uint64_t me = lk__shm_self_id();
	bool any = false;
	for (int k = 0; k < LK__SHM_PROCS && !any; k++) {
		uint64_t v = atomic_load_explicit(&s->procs[k], memory_order_acquire);
		any = v && v != me && lk__shm_dead(v);
	}
	/* a process with no slot cannot take a dead holder's latch over in
	 * its name: it leaves the recovery to others (lk__shm_me). A stop
	 * that gave up is tried again only with a death, or when asked
	 * (lk_lockmgr_recover): not by every waiter's poll */
	if ((!any && !(due && atomic_load_explicit(&s->pool_due, memory_order_relaxed))) ||
	    !lk__shm_me_cached(m))
		return 0;
	uint32_t n = 0, dead = 0;
	uint64_t ids[LK__SHM_PROCS];
	rec_lock(s);
	for (uint32_t k = 0; k < LK__SHM_PROCS; k++) {
		ids[k] = atomic_load_explicit(&s->procs[k], memory_order_acquire);
		if (ids[k] && ids[k] != me && lk__shm_dead(ids[k]))
			dead |= 1u << k;
	}
	if (dead) {
		end_dead(m, dead);
		lk__admit_forget(m, dead); /* their chained waits are gone */
	}
	/* what a kill left in no place (SHARED.md "The pool stop") */
	if (dead || atomic_load_explicit(&s->pool_due, memory_order_relaxed))
		atomic_store_explicit(&s->pool_due, !lk__pool_stop(m, dead), memory_order_relaxed);
	for (uint32_t k = 0; k < LK__SHM_PROCS; k++) {
		/* the slot is free once its txns and latches are gone */
		if (((dead >> k) & 1u))
			atomic_store_explicit(&s->pool_in[k].n, 0, memory_order_relaxed);
		if (((dead >> k) & 1u) &&
		    atomic_compare_exchange_strong_explicit(&s->procs[k], &ids[k], 0,
							    memory_order_release,
							    memory_order_relaxed)) {
			atomic_fetch_add_explicit(&s->recovered, 1, memory_order_relaxed);
			n++;
		}
	}
	pthread_mutex_unlock(&s->rec_mu);
	return n;
}

int lk_lockmgr_recover(lk_lockmgr_t *m, uint32_t *procs)
{
	if (!m || !lk__mgr_live(m) || !m->shm)
		return LK_INVAL;
	lk__shm_me(m); /* a slot first: latches are taken over in its name */
	uint32_t n = lk__shm_recover(m, true);
	if (procs)
		*procs = n;
	return LK_OK;
}
