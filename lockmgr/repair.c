/*
 * lockmgr/repair.c: a shared table's latches held by a dead process
 * (SHARED.md "The hard case"): taking a head or bucket latch over from a
 * dead owner, and repairing what the owner was changing under it.
 *
 * The repair rebuilds a head from the one part that every latched change
 * keeps well formed at each store: the forward links. Every change of a
 * holder list or wait queue (list_push, list_del, queue_append) moves a
 * request in or out of the forward chain with a single store, after the
 * request's own links are set; so a walk from h->holders or h->qhead meets
 * exactly the requests that are in, whatever store the owner died after.
 * Everything else of the head is derived from them and rebuilt: back
 * links, the queue's tail, the per-mode counts and granted bits, the
 * converter count. A grant the owner had begun is finished (roll forward,
 * with a fresh token from the head's counter, which only moves up); a
 * waiter the owner had taken out of the queue and not yet put among the
 * holders is found through its txn's wait_req and queued again. A bucket
 * is repaired by dropping dead heads from its chain.
 */
#include "heads_int.h"
#include "queue_int.h"
#include "shared_int.h"

static lk_lockmgr_t *shm_mgr(struct lk__shm *s)
{
	return (lk_lockmgr_t *)(void *)((unsigned char *)s + s->off_mgr);
}

/* Owner o (process slot + 1) is registered and dead. A free slot is not:
 * a slot is freed only after its latches were taken over (recovery). */
bool lk__shm_owner_dead(struct lk__shm *s, uint32_t o)
{
	if (!o || o > LK__SHM_PROCS)
		return false;
	uint64_t id = atomic_load_explicit(&s->procs[o - 1], memory_order_acquire);
	return id && id != lk__shm_self_id() && lk__shm_dead(id);
}

/* A repair moves pool entries: inside a pool section (SHARED.md "The
 * pool stop"), the process's when the thread is in no call's section (a
 * read-only call, a recovery); true if it entered one. */
static bool take_enter(lk_lockmgr_t *m)
{
	if (lk__sec_depth)
		return false;
	lk__proc_enter(m);
	return true;
}

static void take_leave(lk_lockmgr_t *m, bool ps)
{
	if (ps)
		lk__proc_leave(m);
}

static bool req_on(const lk_lockmgr_t *m, uint32_t ri, uint32_t hi)
{
	return ri >= 1 && ri <= m->nreqs && m->reqs[ri].head == hi;
}

/* Walk a forward chain from *first; keep what passes keep(), fix back
 * links; returns the last kept. A broken link (out of range, another
 * head's request, a cycle's excess) ends the chain there. */
static uint32_t relink(lk_lockmgr_t *m, uint32_t hi, uint32_t *first, bool queue,
		       uint16_t *counts, uint32_t *nconv)
{
	uint32_t prev = 0, steps = 0;
	uint32_t *link = first;
	for (uint32_t p = *first; p;) {
		if (!req_on(m, p, hi) || ++steps > m->nreqs) {
			*link = 0;
			break;
		}
		struct lk__req *q = &m->reqs[p];
		uint32_t nx = q->rnext;
		if (queue) {
			if (q->status != LK__R_WAITING) { /* not a waiter: drop */
				*link = nx;
				p = nx;
				continue;
			}
		} else {
			if (q->status == LK__R_WAITING) {
				/* grant_queued died after linking it: finish */
				q->mode = q->want;
				q->status = LK__R_GRANTED;
			}
			if ((q->status != LK__R_GRANTED && q->status != LK__R_CONVERTING) ||
			    q->mode >= LK_MAX_MODES) {
				*link = nx;
				p = nx;
				continue;
			}
			counts[q->mode]++;
			if (q->status == LK__R_CONVERTING)
				(*nconv)++;
		}
		q->rprev = prev;
		prev = p;
		link = &q->rnext;
		p = nx;
	}
	return prev;
}

static bool in_chain(const lk_lockmgr_t *m, uint32_t first, uint32_t ri)
{
	for (uint32_t p = first, n = 0; p && n <= m->nreqs; p = m->reqs[p].rnext, n++)
		if (p == ri)
			return true;
	return false;
}

/* Rebuild head hi (latched by the caller, its previous owner dead). */
static void head_repair(lk_lockmgr_t *m, struct lk__head *h, uint32_t hi)
{
	uint16_t counts[LK_MAX_MODES] = {0};
	uint32_t nconv = 0;
	relink(m, hi, &h->holders, false, counts, &nconv);
	h->qtail = relink(m, hi, &h->qhead, true, counts, &nconv);
	/* waiters on h whose request fell out of both lists */
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		uint32_t ri = atomic_load_explicit(&t->wait_req, memory_order_seq_cst);
		if (!ri || atomic_load_explicit(&t->wait_head, memory_order_relaxed) != hi ||
		    !req_on(m, ri, hi) || m->reqs[ri].txn != i ||
		    m->reqs[ri].status != LK__R_WAITING || in_chain(m, h->qhead, ri) ||
		    in_chain(m, h->holders, ri))
			continue;
		queue_append(m, h, ri);
	}
	h->granted = 0;
	for (unsigned k = 0; k < LK_MAX_MODES; k++) {
		h->counts[k] = counts[k];
		if (counts[k])
			h->granted |= (uint16_t)(1u << k);
	}
	h->nconv = (uint16_t)nconv;
	h->woken = h->nudged = NULL;
	/* a grant begun and not signalled (its waiter still publishes the
	 * wait): finished with a fresh token; the owner's, if it took one,
	 * was never seen (the waiter reads it under this latch) */
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
		struct lk__req *q = &m->reqs[p];
		struct lk__txn *t = txn_at(m, q->txn);
		if (q->status == LK__R_GRANTED &&
		    atomic_load_explicit(&t->wait_req, memory_order_seq_cst) == p) {
			t->token_out = next_token(m, h, q->mode);
			atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
			txn_signal(t);
		}
	}
	if (h->qhead || h->nconv)
		lk__grant_pass(m, h);
	/* a wake the owner deferred to its unlatch is lost: wake every
	 * waiter; each rechecks under the latch (a spare wake is harmless) */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t p = pass ? h->qhead : h->holders; p; p = m->reqs[p].rnext)
			if (pass || m->reqs[p].status == LK__R_CONVERTING)
				lk__lm_wake(&txn_at(m, m->reqs[p].txn)->wake, 1);
}

bool lk__shm_take_head(struct lk__head *h, uint32_t w, uint32_t own)
{
	struct lk__shm *s = lk__shm_at(h);
	uint32_t o = (w & LK__L_OWN) >> LK__L_OWN_SHIFT;
	if (!s || !own || !lk__shm_owner_dead(s, o))
		return false;
	/* acquire: the dead owner's stores (its process is gone, so every
	 * one it made is visible); one CAS: of two waiters, one takes it */
	if (!atomic_compare_exchange_strong_explicit(&h->lw, &w, (w & ~LK__L_OWN) | own,
						     memory_order_acquire,
						     memory_order_relaxed))
		return false;
	lk_lockmgr_t *m = shm_mgr(s);
	bool ps = take_enter(m);
	head_repair(m, h, (uint32_t)(h - m->heads));
	take_leave(m, ps);
	atomic_fetch_add_explicit(&s->takeovers, 1, memory_order_relaxed);
	return true;
}

/* The head a dead bucket latch holder was linking in or unlinking
 * (bk->pend; SHARED.md "Pool entries in flight"), chain first..: still
 * chained, or still first in a slot's head cache (not taken yet), it stays;
 * else it is in no place (taken and not linked, or unlinked and not yet
 * cached): killed if it was not, and freed. */
static void pend_free(lk_lockmgr_t *m, struct lk__bucket *bk, uint32_t first, uint32_t hi)
{
	if (hi > m->nheads)
		return;
	for (uint32_t i = first, k = 0; i && i <= m->nheads && k <= m->nheads;
	     i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed), k++)
		if (i == hi)
			return;
	for (uint32_t ti = 0; ti < m->ntxns; ti++)
		if (txn_at(m, ti)->hc.first == hi)
			return;
	struct lk__head *h = &m->heads[hi];
	if (bk->floor < h->token) /* its token folds into the floor */
		bk->floor = h->token;
	lk__head_free_lost(m, hi);
}

/* Head hi, in no place (a process died between two stores of its move),
 * its token in its bucket's floor already: a new head may hold its
 * maker's first grant (lock.c lock_fresh), never reachable, so it is
 * idled (the request keeps its tag and the recovery's reclaim frees it),
 * killed if it was not, and pushed. */
void lk__head_free_lost(lk_lockmgr_t *m, uint32_t hi)
{
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	h->holders = h->qhead = h->qtail = 0;
	h->granted = h->nconv = 0;
	memset(h->counts, 0, sizeof h->counts);
	h->woken = h->nudged = NULL;
	h->revoked = 0;
	if (!(w & LK__L_DEAD))
		atomic_store_explicit(&h->lw, LK__L_KILLED(w),
				      memory_order_release);
	lk__stk_push(&m->hstk, hi, hi);
}

bool lk__shm_take_bucket(struct lk__bucket *bk, uint32_t w, uint32_t bown)
{
	struct lk__shm *s = lk__shm_at(bk);
	uint32_t o = (w & LK__B_OWN) >> LK__B_OWN_SHIFT;
	if (!s || !bown || !lk__shm_owner_dead(s, o))
		return false;
	uint32_t mine = (w & ~LK__B_OWN) | bown;
	if (!atomic_compare_exchange_strong_explicit(&bk->w, &w, mine,
						     memory_order_acquire,
						     memory_order_relaxed))
		return false;
	lk_lockmgr_t *m = shm_mgr(s);
	bool ps = take_enter(m);
	uint32_t b = (uint32_t)(bk - m->buckets);
	/* a dead head still chained (killed, not yet unlinked) goes, back
	 * to the pool: heads are freed only after the unlock (heads_int.h,
	 * head_release; sweep), so the dead holder had not freed it */
	uint32_t first = w & LK__B_IDX_SHARED, prev = 0, steps = 0, pend = bk->pend;
	uint32_t drop[16], nd = 0; /* pushed once the chain is published: a
				      taker killed between loses them, never
				      frees one twice */
	for (uint32_t i = first; i;) {
		if (i > m->nheads || ++steps > m->nheads) {
			i = 0; /* cut a broken tail */
		} else {
			struct lk__head *h = &m->heads[i];
			uint32_t nx = atomic_load_explicit(&h->next, memory_order_relaxed);
			uint32_t lw = atomic_load_explicit(&h->lw, memory_order_relaxed);
			if (h->bucket != b) {
				i = 0; /* killed, freed and reused: the rest is lost */
			} else if (!(lw & LK__L_DEAD)) {
				prev = i;
				i = nx;
				continue;
			} else {
				if (bk->floor < h->token)
					bk->floor = h->token;
				if (nd < 16)
					drop[nd++] = i;
				if (i == pend)
					pend = 0;
				i = nx;
			}
		}
		if (prev)
			atomic_store_explicit(&m->heads[prev].next, i, memory_order_release);
		else
			first = i;
	}
	atomic_store_explicit(&bk->w, first | LK__B_LATCHED | bown,
			      memory_order_relaxed);
	bk->pend = 0;
	atomic_signal_fence(memory_order_seq_cst); /* pool_int.h LK__KILL_ORDER */
	if (pend)
		pend_free(m, bk, first, pend);
	for (uint32_t k = 0; k < nd; k++)
		lk__stk_push(&m->hstk, drop[k], drop[k]);
	take_leave(m, ps);
	atomic_fetch_add_explicit(&s->takeovers, 1, memory_order_relaxed);
	return true;
}

bool lk__shm_take_word(LK_ATOMIC(uint32_t) *word, uint32_t w, uint32_t mask,
		       unsigned shift, uint32_t own)
{
	struct lk__shm *s = lk__shm_at(word);
	if (!s || !own || !lk__shm_owner_dead(s, (w & mask) >> shift))
		return false;
	if (!atomic_compare_exchange_strong_explicit(word, &w, (w & ~mask) | own,
						     memory_order_acquire,
						     memory_order_relaxed))
		return false;
	atomic_fetch_add_explicit(&s->takeovers, 1, memory_order_relaxed);
	return true;
}

/* Latched words of m (a stuck latch names its owner: slot, PID, and
 * whether that process is dead), for a test's watchdog; not exported. */
LK__HIDDEN size_t lk__shm_latched(lk_lockmgr_t *m, char *buf, size_t cap);
size_t lk__shm_latched(lk_lockmgr_t *m, char *buf, size_t cap)
{
	size_t n = 0;
	if (cap)
		buf[0] = '\0';
	if (!m->shm)
		return 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		uint32_t w = atomic_load_explicit(&txn_at(m, i)->fp_latch, memory_order_relaxed);
		uint32_t o = (w & LK__L_OWN) >> LK__L_OWN_SHIFT;
		uint64_t id = o ? atomic_load_explicit(&m->shm->procs[o - 1],
						       memory_order_relaxed) : 0;
		if (w && n < cap)
			n += (size_t)snprintf(buf + n, cap - n,
					      "fp latch of txn slot %u by slot %u (pid %u%s); ", i,
					      o, (uint32_t)id, id && lk__shm_dead(id) ? ", dead" : "");
	}
	for (uint32_t i = 0; i <= m->bmask + m->nheads; i++) {
		bool bucket = i <= m->bmask;
		uint32_t w = bucket ? atomic_load_explicit(&m->buckets[i].w, memory_order_relaxed)
				    : atomic_load_explicit(&m->heads[i - m->bmask].lw,
							   memory_order_relaxed);
		uint32_t o = bucket ? (w & LK__B_OWN) >> LK__B_OWN_SHIFT
				    : (w & LK__L_OWN) >> LK__L_OWN_SHIFT;
		if (!(w & (bucket ? LK__B_LATCHED : LK__L_LATCHED)))
			continue;
		uint64_t id = o ? atomic_load_explicit(&m->shm->procs[o - 1],
						       memory_order_relaxed) : 0;
		if (n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s %u latched by slot %u (pid %u%s); ",
					      bucket ? "bucket" : "head",
					      bucket ? i : i - m->bmask, o, (uint32_t)id,
					      id && lk__shm_dead(id) ? ", dead" : "");
	}
	return n;
}

LK__HIDDEN uint64_t lk__shm_takeovers(const lk_lockmgr_t *m);
uint64_t lk__shm_takeovers(const lk_lockmgr_t *m)
{
	return m->shm ? atomic_load_explicit(&m->shm->takeovers, memory_order_relaxed) : 0;
}

#ifdef LK_SHM_TEST_NAP
#include <time.h>
void lk__test_nap(void)
{
	static _Thread_local uint32_t x;
	if (!x)
		x = (uint32_t)getpid() * 2654435761u | 1u;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	if (x % 8)
		return;
	struct timespec ts = {0, 50000 + (long)(x % 200000)};
	nanosleep(&ts, NULL);
}

#include <signal.h>
#include <stdlib.h>
#include <string.h>
void lk__test_kill_at(const char *p)
{
	const char *e = getenv("LK_SHM_KILL_AT");
	if (e && !strcmp(e, p))
		raise(SIGKILL);
	e = getenv("LK_SHM_STOP_AT"); /* stopped there, not killed */
	if (e && !strcmp(e, p))
		raise(SIGSTOP);
}
#endif
