/*
 * lockmgr/txn.c: transactions: begin (the slot this thread keeps, or one
 * off the free stack; an id from the slot's block; a handle), and commit
 * or abort (every request released, the slot's caches refilled, the slot
 * kept for the thread's next begin or put back on the stack).
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "lease_int.h"
#include "queue_int.h"

/* Per thread, per manager (4 entries, by registry slot): the slot this
 * thread keeps off the stack (index + 1, 0 none) and the last id it was
 * given. A hint: a kept slot is claimed by CAS on its state, which fails if
 * another begin or a drain took it; the ids' uniqueness never rests on it
 * (README "Txn slots"). initial-exec: a begin costs no TLS call. */
struct lk__me {
	uintptr_t key; /* me_key(m) */
	uint32_t slot;
	uint64_t last_id;
};
static LK_THREAD_LOCAL struct lk__me lk__me_[4]
	__attribute__((tls_model("initial-exec")));

/* ids come in blocks of LK__ID_BLOCK from next_id; a slot's block older
 * than LK__ID_SKEW ids is dropped, so a txn's age stays within that of its
 * begin order across threads */
#define LK__ID_BLOCK 16u
#define LK__ID_SKEW 256u

static inline struct lk__me *me_of(const lk_lockmgr_t *m)
{
	return &lk__me_[(unsigned)m->reg_slot & 3u];
}

/* m's address with its uid in the top bits (user addresses have 47) */
static inline uintptr_t me_key(const lk_lockmgr_t *m)
{
	return (uintptr_t)m ^ ((uintptr_t)m->uid << 48);
}

/* Claim a kept slot: acquire, the slot (its caches) as its last owner or
 * a drain left it. */
static inline bool slot_claim(struct lk__txn *t, uint8_t proc)
{
	uint32_t k = LK__TS_KEPT;
	return atomic_compare_exchange_strong_explicit(&t->state, &k,
						       LK__TS_CLAIMED_BY(proc),
						       memory_order_acquire,
						       memory_order_relaxed);
}

/* A slot off the free stack, claimed in proc's name, or NULL (empty). */
static struct lk__txn *slot_pop(lk_lockmgr_t *m, uint8_t proc)
{
	/* acquire: the slot as its last owner left it */
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
	while ((uint32_t)top) {
		struct lk__txn *t = txn_at(m, (uint32_t)top - 1);
		uint32_t nx = atomic_load_explicit(&t->free_next, memory_order_relaxed);
		LK__RMW_SHARED();
		if (atomic_compare_exchange_weak_explicit(
			    &m->txn_free, &top, PACK(nx, (top >> 32) + 1),
			    memory_order_acquire, memory_order_acquire)) {
			/* relaxed: only a recovery reads it, under its mutex
			 * (a shared table's; proc is 0 on a private one) */
			if (proc)
				atomic_store_explicit(&t->state, LK__TS_CLAIMED_BY(proc),
						      memory_order_relaxed);
			return t;
		}
	}
	return NULL;
}

/* The stack is empty: a slot another thread keeps (it left, or keeps one
 * it does not need now), scanning from `from`; NULL if none. */
static struct lk__txn *slot_steal(lk_lockmgr_t *m, uint32_t from, uint8_t proc)
{
	for (uint32_t k = 0; k < m->ntxns; k++) {
		struct lk__txn *t = txn_at(m, (from + k) % m->ntxns);
		/* acquire: a 3 a drain wrote shows its flag raised (slot_get) */
		if (atomic_load_explicit(&t->state, memory_order_acquire) != LK__TS_KEPT)
			continue;
		LK__RMW_SHARED();
		if (slot_claim(t, proc))
			return t;
	}
	return NULL;
}

/* A slot for a new txn of this thread: the one it keeps (one CAS on a line
 * no other thread writes while it keeps it), else the free stack, else one
 * kept by another thread; a drain in progress is waited out. NULL: every
 * slot is active. */
static struct lk__txn *slot_get(lk_lockmgr_t *m, struct lk__me *me, uint8_t proc)
{
	/* in range: another table at m's address with the same uid (a
	 * shared one from another creator) may have fewer slots */
	if (me->slot) {
		if (lk__likely(me->slot <= m->ntxns && slot_claim(txn_at(m, me->slot - 1), proc)))
			return txn_at(m, me->slot - 1);
		me->slot = 0; /* active (a txn of ours), or taken: end keeps one */
	}
	lk__wait_t dw = lk__wait_start(0);
	for (bool last = false;;) {
		struct lk__txn *t = slot_pop(m, proc);
		/* the scan starts where this thread's record lies, spread by
		 * the process slot: forked processes share that address */
		if (!t)
			t = slot_steal(m, (uint32_t)(uintptr_t)me / 64u + proc * 0x9e3779b9u,
				       proc);
		if (t) {
			/* ours while it runs (admission reads it), kept at
			 * its end as when the end found none kept */
			me->slot = t->idx + 1;
			return t;
		}
		if (last)
			return NULL;
		/* a drain holds the free slots for a moment: not a real NOMEM
		 * (seq_cst: pairs with drain_idle's flag); wait it out (no
		 * word to park on: spin, then nap), then look once more */
		if (atomic_load_explicit(&m->draining, memory_order_seq_cst))
			lk__wait(&dw, NULL, 0);
		else
			last = true;
	}
}

/* lease_ns: 0, or the lease (lk_txn_begin_lease checked it) */
static int txn_begin(lk_lockmgr_t *m, lk_txn_t **out, uint64_t lease_ns)
{
	if (!out)
		return LK_INVAL;
	if (!m || !lk__mgr_live(m))
		return LK_INVAL;
	uint8_t proc = 0; /* a shared table: this process's slot + 1 */
	if (lk__unlikely(m->shm != NULL) && !(proc = lk__shm_me(m)))
		return LK_NOMEM;
	struct lk__me *me = me_of(m);
	uintptr_t key = me_key(m);
	if (lk__unlikely(me->key != key)) {
		me->key = key; /* another manager had the entry: forget its */
		me->slot = 0;  /* hint; this thread's last id here is unknown, */
		me->last_id = UINT64_MAX; /* so the next id is a new block's */
	}
	/* Admission (admit.c): while a chained wait is under way, a begin
	 * waits before it takes a slot and an id, unless the txn this thread
	 * began last here is live (a chain may wait for it) */
	if (lk__unlikely(atomic_load_explicit(&m->admit, memory_order_relaxed) &
			 LK__ADMIT_COUNT) &&
	    !(me->slot && me->slot <= m->ntxns &&
	      atomic_load_explicit(&txn_at(m, me->slot - 1)->state,
				   memory_order_relaxed) == LK__TS_ACTIVE))
		lk__admit_wait(m);
	/* a shared table: taking a slot moves it (SHARED.md "The pool
	 * stop"); with no slot yet, the section is the process's */
	if (proc)
		lk__proc_enter(m);
	struct lk__txn *t = slot_get(m, me, proc);
	if (!t) {
		if (proc)
			lk__proc_leave(m);
		return LK_NOMEM;
	}
	t->locks = 0; /* the slot's caches and counters carry over */
	t->bloom = 0;
	t->token_out = 0;
	t->anc[0] = t->anc[1] = t->anc[2] = 0;
	hcache_clear(t);
	t->fp_main = 0; /* fp_used and fp_counted were cleared at the end */
	t->fp_bloom = 0; /* an end with no record left did not clear it */
	t->proc = proc;  /* before state: recovery reads state, then proc */
	t->own = (uint8_t)(proc << LK__L_OWN_SHIFT);
	atomic_store_explicit(&t->nlocks, 0, memory_order_relaxed);
	atomic_store_explicit(&t->wake, 0, memory_order_relaxed);
	atomic_store_explicit(&t->flags, lease_ns ? LK__T_LEASED : 0,
			      memory_order_relaxed);
	/* relaxed: a waiter reads it under a head latch the grant took */
	atomic_store_explicit(&t->lease, lease_ns ? lk__deadline(lease_ns) : 0,
			      memory_order_relaxed);
	atomic_store_explicit(&t->wait_req, 0, memory_order_relaxed);
	atomic_store_explicit(&t->wait_head, 0, memory_order_relaxed);
	atomic_store_explicit(&t->victim_of, 0, memory_order_relaxed);
	/* The next id of the slot's block: unique (blocks are disjoint),
	 * above this thread's last one (else a new block, which starts above
	 * every block taken before), and at most LK__ID_SKEW behind next_id.
	 * relaxed: ids only need to be unique and increasing. */
	uint64_t id = atomic_load_explicit(&t->id, memory_order_relaxed) + 1;
	if (!t->id_left || id <= me->last_id ||
	    id + LK__ID_SKEW < atomic_load_explicit(&m->next_id, memory_order_relaxed)) {
		LK__RMW_SHARED();
		id = atomic_fetch_add_explicit(&m->next_id, LK__ID_BLOCK, memory_order_relaxed) + 1;
		t->id_left = LK__ID_BLOCK;
	}
	t->id_left--; /* one byte: LK__ID_BLOCK <= 255 */
	atomic_store_explicit(&t->id, id, memory_order_relaxed);
	me->last_id = id;
	/* release: viewers that see the slot active see it initialized;
	 * seq_cst: a strong locker that reads it idle after counting a
	 * partition is seen counted by this txn's fast path (README "Fast
	 * path") */
	atomic_store_explicit(&t->state, LK__TS_ACTIVE, memory_order_seq_cst);
	if (proc)
		lk__proc_leave(m);
	/* relaxed: only the handle's holder reads it (odd: active) */
	uint32_t gen = atomic_load_explicit(&t->gen, memory_order_relaxed) + 1;
	atomic_store_explicit(&t->gen, gen, memory_order_relaxed);
	*out = txn_handle(m, t, gen);
	return LK_OK;
}

int lk_txn_begin(lk_lockmgr_t *m, lk_txn_t **out)
{
	return txn_begin(m, out, 0);
}

int lk_txn_begin_lease(lk_lockmgr_t *m, uint64_t lease_ns, lk_txn_t **out)
{
	if (!lease_ns || lease_ns > (uint64_t)INT64_MAX || !m || !lk__mgr_live(m))
		return LK_INVAL;
	lk__lease_enable(m); /* the table's first lease wakes its waiters */
	return txn_begin(m, out, lease_ns);
}

/* t's request q, h's only holder with nobody waiting, released: the
 * head goes idle with no grant pass (release_req's effect) */
static inline void release_sole(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
				const struct lk__req *q)
{
	EMIT(m, t, h, LK_EV_RELEASE, q->mode, q->mode, LK_OK, false, 0);
	h->holders = 0;
	h->counts[q->mode] = 0;
	h->granted = 0;
}

/* t's end on head hi that t reserved (lock_fresh), seen with word w:
 * under its bucket latch, if still reserved, t's grant q goes and the head
 * is unlinked and killed there, with no head latch (README "Reserved
 * heads"). Returns hi for the caller to cache, or 0: it was taken from t
 * meanwhile, and the caller ends it the ordinary way. */
static inline __attribute__((always_inline)) uint32_t
head_end_reserved(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t hi,
		  const struct lk__req *q, uint32_t w)
{
	struct lk__bucket *bk = &m->buckets[h->bucket];
	uint32_t first = blatch_lock(bk, 0); /* a private table's: no owner bits */
	if (lk__unlikely(atomic_load_explicit(&h->lw, memory_order_relaxed) != w)) {
		blatch_unlock(bk, first);
		return 0;
	}
#ifdef LK_DEBUG
	if (h->holders != (uint32_t)(q - m->reqs) || q->rnext || h->qhead || h->nconv ||
	    h->revoked || q->status != LK__R_GRANTED) {
		fprintf(stderr, "latchkit: lk_txn_commit/abort: a reserved head "
				"has more than its reserver's grant\n");
		abort();
	}
#endif
	release_sole(m, t, h, q);
	if (lk__likely(first == hi)) {
		/* lk__head_kill's common case, as head_release's (no sleeper:
		 * none parks on a reserved word) */
		first = atomic_load_explicit(&h->next, memory_order_relaxed);
		if (bk->floor < h->token)
			bk->floor = h->token;
		/* release: as lk__head_kill's store */
		atomic_store_explicit(&h->lw, LK__L_KILLED(w), memory_order_release);
	} else {
		lk__head_kill(m, bk, &first, h, hi);
	}
	blatch_unlock(bk, first);
	return hi;
}

/* Freed head hi joins the chain hf..hl (hn heads) that a private table's
 * txn end caches at once */
static inline void chain_head(struct lk__head *h, uint32_t hi, uint32_t *hf, uint32_t *hl,
			      uint32_t *hn)
{
	atomic_store_explicit(&h->next, *hf, memory_order_relaxed);
	if (!*hf)
		*hl = hi;
	*hf = hi;
	++*hn;
}

/* t's end on request p (q) of head hi the ordinary way: under the head
 * latch, released (or unpinned, or taken off the queue), then the head
 * freed if that left it idle (head_release): returns hi for the caller to
 * cache, or 0. */
static inline __attribute__((always_inline)) uint32_t
end_latched(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t hi, uint32_t p,
	    struct lk__req *q, uint32_t bown, const bool marks)
{
	head_latch(m, h, lk__own(t));
	if (lk__likely(h->holders == p && !q->rnext && q->status == LK__R_GRANTED &&
		       !(h->qhead | h->nconv))) {
		release_sole(m, t, h, q);
	} else if (q->status == LK__R_REVOKED) {
		/* taken by a lapse (lease.c): its pin; TAKEN first,
		 * so a recovery never unpins twice (reclaim.c) */
		q->status = LK__R_TAKEN;
		LK__KILL_ORDER();
		h->revoked--;
	} else if (q->status == LK__R_WAITING) { /* not reachable: owner waits */
		list_del(m, &h->qhead, &h->qtail, p);
		if (h->qhead || h->nconv)
			lk__grant_pass(m, h);
		if (h->woken) /* a parked waiter granted or told */
			t->handoff = 1;
	} else {
		if (q->status == LK__R_CONVERTING) {
			q->status = LK__R_GRANTED;
			h->nconv--;
		}
		release_req(m, t, h, p);
		if (h->woken) /* a parked waiter granted or told */
			t->handoff = 1;
	}
	return head_release(m, h, hi, bown, marks);
}

/* txn_end's work, inlined twice (txn_end): marks a constant in each
 * copy, so a private table's copy has no test and no barrier of the
 * shared table's marks (pool_int.h) */
static inline __attribute__((always_inline)) int
txn_end_(struct lk__txn *t, lk_lockmgr_t *m, bool commit, const bool marks)
{
	/* a lapsed lease: no commit, nothing changed; else no lapse now */
	if (lk__unlikely(atomic_load_explicit(&t->flags, memory_order_relaxed) &
			 LK__T_LEASED) &&
	    lk__lease_close(t, commit) != LK_OK) {
		if (marks)
			sec_leave(m, t);
		return LK_LEASE_LAPSED;
	}
	if (t->fp_used)
		lk__fp_end(m, t); /* records go; moved ones join the walk */
	/* One pass over t's list: each request released under its head
	 * latch, each head left idle freed (head_release). On a shared table
	 * each such head joins the slot's head cache at once and the
	 * requests keep their tag (not FREE) until their chain is in the
	 * slot's cache: a kill leaves every request in a list, tagged, or
	 * cached (SHARED.md "Pool entries in flight"). A private table
	 * chains the heads in hf..hl and frees each request as it goes. */
	uint32_t first = t->locks, last = 0, n = 0, hf = 0, hl = 0, hn = 0;
	stk_t rs = req_stk(m);
	uint32_t bown = LK__B_OWN_OF(lk__own(t)); /* latch owners (SHARED.md) */
	for (uint32_t p = first; p; n++) {
		struct lk__req *q = &m->reqs[p];
		uint32_t hi = q->head;
		struct lk__head *h = &m->heads[hi];
		uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
		if (!marks && (w & LK__L_RSV) && head_end_reserved(m, t, h, hi, q, w)) {
			/* its own tail: sharing the one below cost each
			 * fresh row an instruction (callgrind) */
			chain_head(h, hi, &hf, &hl, &hn);
			q->status = LK__R_FREE;
			last = p;
			p = atomic_load_explicit(&q->tnext, memory_order_relaxed);
			continue;
		}
		if (end_latched(m, t, h, hi, p, q, bown, marks)) {
			if (marks) {
				/* a residue window: unlinked, dead, not cached */
				LK__TEST_KILL_AT("head_cache");
				heads_cache(m, t, hi, hi, 1); /* at once */
			} else {
				chain_head(h, hi, &hf, &hl, &hn);
			}
		}
		if (!marks)
			q->status = LK__R_FREE;
		last = p;
		p = atomic_load_explicit(&q->tnext, memory_order_relaxed);
	}
	/* the released chain joins the slot's cache (on a shared table, then
	 * each is FREE: a kill before leaves them tagged, in the cache or
	 * not); past twice req_keep it goes back to req_keep in one push
	 * (README "Memory": the slack); lent requests leave it first */
	if (hf)
		heads_cache(m, t, hf, hl, hn);
	if (first) {
		cache_put(&rs, &t->rc, first, last, n);
		if (marks) {
			LK__KILL_ORDER();
			for (uint32_t p = first, k = 0; k < n; k++) {
				m->reqs[p].status = LK__R_FREE;
				p = atomic_load_explicit(&m->reqs[p].tnext,
							 memory_order_relaxed);
			}
			LK__KILL_ORDER();
		}
		if (!marks && lk__unlikely(t->fp_main))
			lk__fp_return(m, t); /* lent requests: not cached */
		if (!m->req_keep)
			lk__cache_flush(&m->rstk, &t->rc);
		else if (atomic_load_explicit(&t->rc.n, memory_order_relaxed) > 2 * m->req_keep)
			lk__cache_trim(&m->rstk, &t->rc, m->req_keep);
	}
	t->locks = 0;
	atomic_store_explicit(&t->nlocks, 0, memory_order_relaxed);
	if (t->fp_counted)
		lk__fp_uncount(m, t); /* after the release: FASTPATH.md */
	/* holding nothing now: the grantee runs first (the slot is still
	 * ours: another txn may take it once it is pushed below) */
	if (lk__unlikely(t->handoff)) {
		t->handoff = 0;
		lk__handoff();
	}
	st_inc(t, commit ? LK__ST_COMMITS : LK__ST_ABORTS);
	/* the slot's section ends before the slot is kept or pushed: its
	 * next txn may run on another thread (SHARED.md "The pool stop") */
	if (marks)
		sec_leave(m, t);
	/* relaxed, no RMW: only the owner ends its txn (even: ended) */
	atomic_store_explicit(&t->gen, atomic_load_explicit(&t->gen, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	/* The thread keeps the slot for its next begin if it keeps none in
	 * m (a recoverer ending another process's txn usually does). release:
	 * a strong locker that reads it idle sees the records gone; a begin
	 * or drain that claims it sees it reset. */
	struct lk__me *me = me_of(m);
	if (lk__likely(me->key == me_key(m) && (!me->slot || me->slot == t->idx + 1))) {
		me->slot = t->idx + 1;
		atomic_store_explicit(&t->state, LK__TS_KEPT, memory_order_release);
		return LK_OK;
	}
	if (marks)
		lk__proc_enter(m); /* FREE, then the push: a move */
	atomic_store_explicit(&t->state, LK__TS_FREE, memory_order_release);
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_relaxed);
	do {
		atomic_store_explicit(&t->free_next, (uint32_t)top, memory_order_relaxed);
		LK__RMW_SHARED();
		/* release: the slot's reset before the next begin pops it */
	} while (!atomic_compare_exchange_weak_explicit(
		&m->txn_free, &top, PACK(t->idx + 1, (top >> 32) + 1),
		memory_order_release, memory_order_relaxed));
	if (marks)
		lk__proc_leave(m);
	return LK_OK;
}

static int txn_end(lk_txn_t *txn, bool commit)
{
	struct lk__txn *t = txn_get(txn);
	if (!t)
		return LK_INVAL;
	lk_lockmgr_t *m = t->mgr;
	if (!LK__MARKS(m))
		return txn_end_(t, m, commit, false);
	sec_enter(m, t); /* txn_end_ leaves it (SHARED.md "The pool stop") */
	return txn_end_(t, m, commit, true);
}

int lk_txn_commit(lk_txn_t *txn)
{
	return txn_end(txn, true);
}

int lk_txn_abort(lk_txn_t *txn)
{
	return txn_end(txn, false);
}

uint64_t lk_txn_id(const lk_txn_t *txn)
{
	struct lk__txn *t = txn_get(txn);
	return t ? atomic_load_explicit(&t->id, memory_order_relaxed) : 0;
}
