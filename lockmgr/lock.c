/*
 * lockmgr/lock.c: the lock calls: lk_lock's inlined fast path, the
 * general grant of one resource (lock_one) and intention locks on the
 * ancestors. held.c has the calls on a lock already held.
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "lease_int.h"
#include "queue_int.h"

#define LK__COVERED (-1)

/* The main path is about to work on database or table resource r for t:
 * a strong mode counts r's partition and moves every txn's record on r
 * into the main table first (fastpath.c), and t's own record on r becomes
 * its main-table request, so t never holds r twice. */
static __attribute__((noinline)) int fp_before_main(lk_lockmgr_t *m,
						     struct lk__txn *t,
						     const lk_res_t *r,
						     unsigned mode)
{
	if ((m->strong >> mode) & 1u) {
		int rc = lk__fp_strong(m, t, r);
		if (rc != LK_OK)
			return rc;
	}
	uint32_t ri;
	int rc = t->fp_used ? lk__fp_to_main(m, t, r, &ri) : LK_OK;
	t->fp_main = 1;
	return rc;
}

/*
 * Lock one resource. On LK_OK *rq = the txn's request on it, *got = what
 * the grant did (LK__GOT_*). deadline: 0 = forever; nowait: never wait.
 * cover: for an ancestor of a request in mode cover (NONE otherwise): if t
 * holds r in a non-intention mode covering it, LK__COVERED (*rq set) and
 * nothing is asked for.
 */
static int lock_one(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
		    unsigned mode, unsigned cover, bool nowait, uint64_t deadline,
		    uint64_t *token, uint32_t *rq, unsigned *got)
{
	if (lk__unlikely(m->weak && fp_kind(r->kind))) {
		int rc = fp_before_main(m, t, r, mode);
		if (rc != LK_OK)
			return rc;
	}
	uint32_t hash = res_hash(r);
	bool again = false; /* judged afresh after a lapsed lease went: its
			       REQUEST event is out already */
retry:;
	uint32_t ri = req_alloc(m, t); /* 0: none left; fine for a relock */
	uint32_t hi = head_get(m, t, r, hash, true);
	if (lk__unlikely(!hi)) {
		if (ri)
			req_untake(m, t, ri);
		return LK_NOMEM;
	}
	struct lk__head *h = &m->heads[hi];
	uint64_t bit = 1ull << (hi & 63);
	uint32_t own = (t->bloom & bit) ? find_holder(m, h, t->idx) : 0;
	*got = LK__GOT_NONE;
	bool is_new = !own;
	unsigned target;
	if (!own && lk__unlikely(!ri)) {
		head_unlatch(h);
		return LK_NOMEM;
	}
	if (own) {
		if (ri)
			req_untake(m, t, ri);
		ri = own;
		struct lk__req *q = &m->reqs[ri];
		if (cover != NONE && !((m->intent >> q->mode) & 1u) &&
		    m->mt.supremum[q->mode][cover] == q->mode) {
			head_unlatch(h);
			*rq = ri;
			return LK__COVERED;
		}
		target = m->mt.supremum[q->mode][mode];
		if (!again)
			EMIT(m, t, h, LK_EV_REQUEST, mode, q->mode, LK_OK, false, 0);
		if (target == q->mode) {
			uint64_t tok = ((m->excl >> target) & 1u) ? h->token : 0;
			EMIT(m, t, h, LK_EV_GRANT, q->mode, q->mode, LK_OK, false, tok);
			head_unlatch(h);
			if (token)
				*token = tok;
			*rq = ri;
			return LK_OK;
		}
		if (!(m->mt.conflicts[target] & granted_but(h, q->mode))) {
			unsigned prev = q->mode;
			count_del(h, prev);
			count_add(h, target);
			q->mode = (uint8_t)target;
			q->want = (uint8_t)target;
			uint64_t tok = next_token(m, h, target);
			EMIT(m, t, h, LK_EV_CONVERT, target, prev, LK_OK, false, tok);
			if (h->qhead || h->nconv)
				lk__bypass_edges(m, t, h, ri, target, true);
			head_unlatch(h);
			if (token)
				*token = tok;
			*rq = ri;
			*got = LK__GOT_CONV;
			return LK_OK;
		}
		q->want = (uint8_t)target;
	} else {
		target = mode;
		if (!again)
			EMIT(m, t, h, LK_EV_REQUEST, mode, NONE, LK_OK, false, 0);
		uint16_t c = m->mt.conflicts[mode];
		if (!(c & h->granted) &&
		    (!(h->qhead | h->nconv) ||
		     !(c & (lk__conv_wants(m, h) |
			    (m->cfg.fifo_strict ? lk__queue_wants(m, h, 0) : 0))))) {
			struct lk__req *q = &m->reqs[ri];
			q->head = hi;
			q->txn = t->idx;
			q->mode = q->want = (uint8_t)mode;
			q->status = LK__R_GRANTED;
			q->kind = req_kind(r->kind);
			q->nchild = 0;
			list_push(m, &h->holders, ri);
			count_add(h, mode);
			uint64_t tok = next_token(m, h, mode);
			EMIT(m, t, h, LK_EV_GRANT, mode, NONE, LK_OK, false, tok);
			if (!m->cfg.fifo_strict && h->qhead)
				lk__bypass_edges(m, t, h, ri, mode, false);
			head_unlatch(h);
			t->bloom |= bit;
			tlist_add(m, t, ri);
			if (token)
				*token = tok;
			*rq = ri;
			*got = LK__GOT_NEW;
			return LK_OK;
		}
		struct lk__req *q = &m->reqs[ri];
		q->head = hi;
		q->txn = t->idx;
		q->mode = NONE;
		q->want = (uint8_t)mode;
		q->status = LK__R_WAITING;
		q->kind = req_kind(r->kind);
		q->nchild = 0;
	}
	int rc = lk__lock_wait(m, t, h, hi, ri, is_new, target, nowait, deadline,
			       token, rq, got, bit);
	if (lk__unlikely(rc == LK__LEASE_AGAIN)) { /* a lapsed holder went */
		again = true;
		goto retry;
	}
	return rc;
}

/* A table lock ai on tab that t just made while it holds rows under it
 * (LK_F_NOHIER ones) starts its escalation count with them. */
static inline void table_count_new(lk_lockmgr_t *m, struct lk__txn *t, uint32_t ai,
				   const lk_res_t *tab, unsigned got)
{
	if (got == LK__GOT_NEW && tab->kind == LK_RES_TABLE &&
	    m->cfg.escalation_threshold &&
	    atomic_load_explicit(&t->nlocks, memory_order_relaxed) > 0)
		*table_count(m, t, ai) = lk__rows_under(m, t, tab);
}

/* Intention locks on res's ancestors, root first. LK__COVERED: an ancestor
 * held by t covers res in mode (checked before its intention lock is
 * asked for, so that a covering U is not raised to SIX). *tri: t's table
 * request, if any. up: res is a row whose database and table the
 * hierarchy cache vouches for (hm_up): only its page is looked at. */
static __attribute__((noinline)) int
lock_ancestors(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res,
	       unsigned mode, bool nowait, uint64_t deadline, uint32_t *tri,
	       bool up)
{
	unsigned im = m->mt.intention[mode];
	lk_res_t anc[3], cur = *res;
	unsigned got;
	int na = 0;
	if (up) {
		lk_res_parent(res, &anc[0]);
		na = 1;
		*tri = t->anc[1];
	}
	while (na < 3 && !up && lk_res_parent(&cur, &anc[na])) {
		cur = anc[na];
		na++;
	}
	for (int k = na - 1; k >= 0; k--) {
		int level = (int)anc[k].kind - LK_RES_DATABASE;
		uint32_t ai = t->anc[level];
		unsigned held = NONE;
		/* the cache holds only granted requests or records of t
		 * (tlist_del, fp_clear and commit clear it); coverage is judged
		 * on what t held before this call, never on a mode this call
		 * raised. A moved record still holds its mode: only t changes
		 * it, and t adopts it first. */
		if (ai & LK__ANC_FP) {
			uint32_t i = ai & ~LK__ANC_FP;
			if (((t->fp_used >> i) & 1u) &&
			    fp_key_eq(&m->fp[t->idx].rec[i], &anc[k]))
				held = m->fp[t->idx].rec[i].mode;
		} else if (ai && key_eq(&m->heads[m->reqs[ai].head], &anc[k])) {
			held = m->reqs[ai].mode;
		}
		if (held != NONE) {
			if (!((m->intent >> held) & 1u) &&
			    m->mt.supremum[held][mode] == held)
				return LK__COVERED;
			if (m->mt.supremum[held][im] == held) {
				if (anc[k].kind == LK_RES_TABLE)
					*tri = ai;
				continue;
			}
		}
		int rc = LK__FP_MISS;
		if (((m->weak >> im) & 1u) && fp_kind(anc[k].kind)) {
			uint32_t rec;
			rc = fp_lock(m, t, &anc[k], im, &got, &rec);
			if (rc == LK_OK)
				ai = LK__ANC_FP | rec;
		}
		if (rc == LK__FP_MISS) {
			rc = lock_one(m, t, &anc[k], im, mode, nowait, deadline,
				      NULL, &ai, &got);
			if (rc == LK__COVERED) {
				t->anc[level] = ai;
				return rc;
			}
			if (rc != LK_OK)
				return rc;
		}
		t->anc[level] = ai;
		if (got != LK__GOT_NONE)
			st_inc(t, LK__ST_INTENTIONS);
		table_count_new(m, t, ai, &anc[k], got);
		if (anc[k].kind == LK_RES_TABLE)
			*tri = ai;
	}
	return LK_OK;
}

#define LK__FAST_MISS (-2)

/* Grant new request ri (the first of t's cache, taken here) on h, latched
 * or not yet published: the fast paths' common tail. Tagged t's before it
 * leaves the cache, as req_alloc does (a kill between the take and the
 * link leaves it findable, reclaim.c); unlike there, on every table: the
 * txn store moved up and one status store cost less than a test here. */
static inline __attribute__((always_inline)) uint64_t
grant_new(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t hi,
	  uint32_t ri, const lk_res_t *r, unsigned mode)
{
	struct lk__req *q = &m->reqs[ri];
	q->txn = t->idx;
	__atomic_store_n(&q->status, LK__R_TAKEN, __ATOMIC_RELAXED);
	LK__KILL_ORDER();
	stk_t s = req_stk(m);
	cache_take(&s, &t->rc); /* ri: the caller read it from t->rc.first */
	q->head = hi;
	q->mode = q->want = (uint8_t)mode;
	q->status = LK__R_GRANTED;
	q->kind = req_kind(r->kind);
	q->nchild = 0;
	list_push(m, &h->holders, ri);
	count_add(h, mode);
	uint64_t tok = next_token(m, h, mode);
	if (lk__unlikely(m->trace != NULL)) {
		lk__emit(m, t, h, LK_EV_REQUEST, (int)mode, NONE, LK_OK, false, 0);
		lk__emit(m, t, h, LK_EV_GRANT, (int)mode, NONE, LK_OK, false, tok);
	}
	return tok;
}

/* lock_fast for a resource with no head: under the bucket latch, a head
 * from t's cache is filled in with t's grant already on it and published,
 * so a new resource costs one read-modify-write (the bucket latch), as an
 * existing one does (its head latch). On a private table it is published
 * reserved (LK__L_RSV), so that t's end frees it under the bucket latch
 * alone (README "Reserved heads"); on a shared one, unlatched.
 * LK__FAST_MISS when another thread inserted it meanwhile or t has no
 * cached head. */
static inline __attribute__((always_inline)) int
lock_fresh(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, unsigned mode,
	   uint32_t b, uint32_t ri, uint64_t *tok, const bool marks)
{
	struct lk__bucket *bk = &m->buckets[b];
	uint32_t first = blatch_lock(bk, LK__B_OWN_OF(lk__own(t)));
	for (uint32_t i = first; i;) {
		if (key_eq(&m->heads[i], r)) {
			blatch_unlock(bk, first);
			return LK__FAST_MISS;
		}
		i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed);
	}
	uint32_t hi = head_alloc(m, t, bk, marks);
	if (lk__unlikely(!hi)) {
		blatch_unlock(bk, first);
		return LK__FAST_MISS; /* lock_one sweeps, or says LK_NOMEM */
	}
	struct lk__head *h = &m->heads[hi];
	head_init(h, r, b, bk);
	*tok = grant_new(m, t, h, hi, ri, r, mode);
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	/* relaxed: blatch_unlock's release publishes the word with the head */
	atomic_store_explicit(&h->lw,
			      (w & ~(LK__L_DEAD | LK__L_PARKED | LK__L_LATCHED | LK__L_OWN)) |
				      (marks ? 0 : LK__L_LATCHED | LK__L_RSV),
			      memory_order_relaxed);
	atomic_store_explicit(&h->next, first, memory_order_relaxed);
	lk__pend_set(marks, bk, 0); /* pool_int.h, head_alloc */
	/* a residue window (SHARED.md): a kill here leaves the head in no
	 * place, its first grant on it; the pool stop gives it back */
	LK__TEST_KILL_AT("head_link");
	blatch_unlock(bk, hi);
	t->bloom |= 1ull << (hi & 63);
	tlist_add(m, t, ri);
	st_inc(t, LK__ST_ACQUIRED);
	return LK_OK;
}

/*
 * The uncontended fast path of lk_lock: res's head exists, its latch is
 * free, nothing conflicting is granted, nothing queued or converting, t
 * does not hold res yet and has a cached request. Then it grants under the
 * head latch exactly as lock_one does (the same state, the same events);
 * otherwise it returns LK__FAST_MISS having changed nothing (a latch it took is
 * dropped again), and lock_one decides.
 */
static inline __attribute__((always_inline)) int
lock_fast(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, unsigned mode,
	  uint64_t *token)
{
	if (lk__unlikely(!t->rc.first)) {
		const stk_t *s = &m->rstk;
		if (!lk__cache_refill(m, s, &t->rc))
			return LK__FAST_MISS;
	}
	uint32_t ri = t->rc.first;
	/* latch-free walk as in head_get; acquire: a head reached is initialized */
	uint32_t b = res_hash(r) & m->bmask;
	uint32_t hi = bucket_first(m, &m->buckets[b]);
	struct lk__head *h;
	uint32_t w;
	for (int steps = 0;; steps++) {
		if (!hi) {
			uint64_t tok = 0;
			/* marks a constant in each copy (pool_int.h) */
			int rc = LK__MARKS(m) ? lock_fresh(m, t, r, mode, b, ri, &tok, true)
					      : lock_fresh(m, t, r, mode, b, ri, &tok, false);
			if (token && rc == LK_OK)
				*token = tok;
			return rc;
		}
		if (lk__unlikely(hi > m->nheads || steps > 8))
			return LK__FAST_MISS; /* long chain, or a race */
		h = &m->heads[hi];
		w = atomic_load_explicit(&h->lw, memory_order_acquire);
		if (!(w & LK__L_DEAD) && key_eq(h, r))
			break;
		hi = atomic_load_explicit(&h->next, memory_order_acquire);
	}
	LK__RMW_SHARED_AT(h);
	/* acquire: the previous critical section; the CAS expecting the
	 * generation seen proves the key compared is h's live key (a
	 * reserved head's: the word still w under its bucket latch) */
	if (lk__unlikely(w & LK__L_LATCHED)) {
		if (!(w & LK__L_RSV) || !lk__head_take_reserved(m, h, w, lk__own(t)))
			return LK__FAST_MISS;
	} else if (!atomic_compare_exchange_strong_explicit(&h->lw, &w,
							     w | LK__L_LATCHED | lk__own(t),
							     memory_order_acquire,
							     memory_order_relaxed)) {
		return LK__FAST_MISS;
	}
	uint16_t c = m->mt.conflicts[mode];
	uint64_t bit = 1ull << (hi & 63);
	if (lk__unlikely((c & h->granted) | h->qhead | h->nconv) ||
	    ((t->bloom & bit) && find_holder(m, h, t->idx))) {
		head_unlatch(h);
		return LK__FAST_MISS;
	}
	uint64_t tok = grant_new(m, t, h, hi, ri, r, mode);
	head_unlatch(h);
	t->bloom |= bit;
	tlist_add(m, t, ri);
	st_inc(t, LK__ST_ACQUIRED);
	if (token)
		*token = tok;
	return LK_OK;
}

/* The hierarchy cache's bits for t's ancestor lock ai (0 for none). */
static inline uint16_t anc_bits(const lk_lockmgr_t *m, const struct lk__txn *t,
				uint32_t ai)
{
	if (!ai)
		return 0;
	if (ai & LK__ANC_FP)
		return m->anc_ok[m->fp[t->idx].rec[ai & ~LK__ANC_FP].mode];
	return m->anc_ok[m->reqs[ai].mode];
}

/* lock_ancestors just made anc[] row res's database, table and page
 * locks: the hierarchy cache vouches for them until they change. up: the
 * database and table's bits, when the walk took them from the cache (it
 * left those two alone). */
static inline void hcache_fill(const lk_lockmgr_t *m, struct lk__txn *t,
			       const lk_res_t *res, uint16_t up)
{
	t->hkey[0] = res->f[0];
	t->hkey[1] = res->f[1];
	t->hkey[2] = res->f[2];
	if (!up)
		up = anc_bits(m, t, t->anc[0]) & anc_bits(m, t, t->anc[1]);
	t->hm_up = up;
	t->hm_row = up & anc_bits(m, t, t->anc[2]);
}

/* A row lock in mode under ancestors that the hierarchy cache vouches
 * for: lock_ancestors would find each held, none covering. */
static inline bool hcache_row(const struct lk__txn *t, const lk_res_t *res,
			      unsigned mode)
{
	return res->kind == LK_RES_ROW && ((t->hm_row >> mode) & 1u) &&
	       res->f[2] == t->hkey[2] && res->f[1] == t->hkey[1] &&
	       res->f[0] == t->hkey[0];
}

/* A row in mode on another page under the database and table that the
 * hierarchy cache vouches for (hm_up), whose page's intention lock can be
 * a record: lock_row_page. */
static inline bool hcache_page(const lk_lockmgr_t *m, const struct lk__txn *t,
			       const lk_res_t *res, unsigned mode)
{
	return res->kind == LK_RES_ROW && ((t->hm_up >> mode) & 1u) &&
	       res->f[2] != t->hkey[2] && res->f[1] == t->hkey[1] &&
	       res->f[0] == t->hkey[0] && ((m->weak >> m->mt.intention[mode]) & 1u);
}

/* A row lock under ancestors that the hierarchy cache vouches for:
 * lock_fast, then the escalation count (lock_slow's tail for a row). */
static inline __attribute__((always_inline)) int
lock_row_cached(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res,
		unsigned mode, uint64_t *token)
{
	uint64_t tok = 0;
	int rc = lock_fast(m, t, res, mode, &tok);
	if (rc == LK_OK && m->cfg.escalation_threshold)
		lk__row_count(m, t, res, t->anc[1], &tok);
	if (token && rc == LK_OK)
		*token = tok;
	return rc;
}

/* A row's database, table and page, root first */
static inline void row_ancestors(const lk_res_t *res, lk_res_t anc[3])
{
	anc[0] = lk_res_db(res->f[0]);
	anc[1] = lk_res_table(res->f[0], res->f[1]);
	anc[2] = lk_res_page(res->f[0], res->f[1], res->f[2]);
}

/* lock_ancestors for the two common shapes of a row that the hierarchy
 * cache does not vouch for, without its generic walk. LK_OK: anc[] holds
 * t's records on the row's database, table and page, each in at least
 * mode's intention; LK__FAST_MISS: a step was refused (a strong lock
 * counted in a partition, a record moved), and lock_ancestors goes on
 * from what is held by then (the records made or raised before it).
 *
 * anc_first: t's first lock, a row. No record and no main-table request
 * of t on any database, table or page (fp_used, fp_main) and no lock at
 * all (nlocks): lock_ancestors would find nothing held and make a record
 * on each in turn. */
static inline __attribute__((always_inline)) int
anc_first(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res, unsigned im)
{
	if (t->fp_used || t->fp_main || atomic_load_explicit(&t->nlocks, memory_order_relaxed))
		return LK__FAST_MISS;
	lk_res_t anc[3];
	row_ancestors(res, anc);
	for (int k = 0; k < 3; k++) {
		uint32_t rec;
		if (fp_new(m, t, &anc[k], im, fp_hash(&anc[k]), &rec) != LK_OK)
			return LK__FAST_MISS;
		t->anc[k] = LK__ANC_FP | rec;
		st_inc(t, LK__ST_INTENTIONS);
	}
	return LK_OK;
}

/* anc_raise: a row under the cache's database and table whose records
 * there are too weak for im (an S txn's IS, now asked for an X row; the
 * cache was cleared by the caller, which checked the database and table
 * against it). Each record that needs it is raised in place
 * (lk__fp_lock, under t's fp latch), one that suffices is left alone, and
 * the page is taken as lock_ancestors would. */
static inline __attribute__((always_inline)) int
anc_raise(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res, unsigned im,
	  bool same_page)
{
	if (!(t->anc[0] & LK__ANC_FP) || !(t->anc[1] & LK__ANC_FP))
		return LK__FAST_MISS;
	lk_res_t anc[3];
	row_ancestors(res, anc);
	same_page = same_page && (t->anc[2] & LK__ANC_FP);
	for (int k = 0; k < 3; k++) {
		uint32_t rec;
		unsigned got;
		int rc;
		if (k < 2 || same_page) {
			unsigned held = m->fp[t->idx].rec[t->anc[k] & ~LK__ANC_FP].mode;
			if (m->mt.supremum[held][im] == held)
				continue;
			rc = lk__fp_lock(m, t, &anc[k], im, &got, &rec);
		} else {
			rc = fp_lock(m, t, &anc[k], im, &got, &rec);
		}
		if (rc != LK_OK)
			return LK__FAST_MISS;
		t->anc[k] = LK__ANC_FP | rec;
		if (got != LK__GOT_NONE)
			st_inc(t, LK__ST_INTENTIONS);
	}
	return LK_OK;
}

/* lk_lock_ex past the checks, when the fast path does not apply */
static __attribute__((noinline)) int
lock_slow(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res, unsigned mode,
	  uint64_t timeout_ns, bool hier, uint64_t *token)
{
	bool nowait = timeout_ns == 0;
	uint64_t deadline = (nowait || timeout_ns == LK_FOREVER) ? 0
								 : lk__deadline(timeout_ns);
	uint32_t tri = 0, ri = 0;
	unsigned got = LK__GOT_NONE;
	/* the cache's database and table, for a row under them; then it is
	 * stale until lock_ancestors is done (any held mode may change) */
	bool row = hier && res->kind == LK_RES_ROW;
	bool in_up = row && res->f[1] == t->hkey[1] && res->f[0] == t->hkey[0];
	bool up = in_up && ((t->hm_up >> mode) & 1u);
	uint16_t up_bits = up ? t->hm_up : 0;
	/* a row the cache does not vouch for, with a weak intention:
	 * anc_raise under the cache's database and table, anc_first with no
	 * cache at all */
	unsigned im = m->mt.intention[mode];
	bool weak_im = row && !up && im != NONE && ((m->weak >> im) & 1u);
	bool raise = weak_im && in_up && t->hm_up, first = weak_im && !t->hm_up;
	bool same_page = res->f[2] == t->hkey[2];
	hcache_clear(t);
	if (hier) {
		int rc = raise	 ? anc_raise(m, t, res, im, same_page)
			 : first ? anc_first(m, t, res, im)
				 : LK__FAST_MISS;
		if (rc == LK_OK)
			tri = t->anc[1];
		else
			rc = lock_ancestors(m, t, res, mode, nowait, deadline, &tri, up);
		if (rc == LK__COVERED) {
			if (token)
				*token = 0;
			return LK_OK;
		}
		if (rc != LK_OK)
			return rc;
		if (res->kind == LK_RES_ROW)
			hcache_fill(m, t, res, up_bits);
	}
	uint64_t tok = 0;
	int rc = LK__FP_MISS;
	bool counted = false;
	if (fp_kind(res->kind)) {
		if ((m->weak >> mode) & 1u) {
			uint32_t rec;
			rc = lk__fp_lock(m, t, res, mode, &got, &rec);
			if (rc == LK_OK)
				ri = LK__ANC_FP | rec;
		}
	} else if (hier) {
		/* a row under ancestors now held: the inlined grant */
		rc = lock_fast(m, t, res, mode, &tok);
		if (rc == LK_OK) {
			got = LK__GOT_NEW;
			counted = true; /* lock_fast counted it */
		} else {
			rc = LK__FP_MISS;
		}
	}
	if (rc == LK__FP_MISS)
		rc = lock_one(m, t, res, mode, NONE, nowait, deadline, &tok, &ri, &got);
	if (rc != LK_OK)
		return rc;
	if (got != LK__GOT_NONE && !counted)
		st_inc(t, LK__ST_ACQUIRED);
	table_count_new(m, t, ri, res, got);
	/* every new row lock counts toward escalation, LK_F_NOHIER ones
	 * too (they find the table lock themselves) */
	if (got == LK__GOT_NEW && res->kind == LK_RES_ROW &&
	    m->cfg.escalation_threshold && m->cfg.hierarchy)
		lk__row_count(m, t, res, tri, &tok);
	if (token)
		*token = tok;
	return rc;
}

/* A row on another page of the table the hierarchy cache vouches for
 * (hm_up): what lock_slow does for it, without its generic walk. The
 * page's intention lock is a record (lk__fp_lock, as lock_ancestors would
 * take it: t's cached page lock is another page's, so nothing is held
 * there to cover or to judge), then the row is lock_row_cached's. A miss
 * at either step, which has changed nothing at that step, goes to
 * lock_slow (after a page lock, the cache vouches for the page too). */
static inline __attribute__((always_inline)) int
lock_row_page(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res, unsigned mode,
	      uint64_t timeout_ns, uint64_t *token)
{
	lk_res_t pg = lk_res_page(res->f[0], res->f[1], res->f[2]);
	unsigned got;
	uint32_t rec;
	uint16_t up = t->hm_up;
	int rc = fp_lock(m, t, &pg, m->mt.intention[mode], &got, &rec);
	if (rc != LK_OK)
		return lock_slow(m, t, res, mode, timeout_ns, true, token);
	t->anc[2] = LK__ANC_FP | rec;
	if (got != LK__GOT_NONE)
		st_inc(t, LK__ST_INTENTIONS);
	hcache_fill(m, t, res, up);
	rc = lock_row_cached(m, t, res, mode, token);
	if (lk__likely(rc != LK__FAST_MISS))
		return rc;
	return lock_slow(m, t, res, mode, timeout_ns, true, token);
}

/* lk_lock_ex's work, inlined twice: as the call itself on a private
 * table, inside a pool section on a shared one (lock_ex_shared) */
static inline __attribute__((always_inline)) int
lock_ex(struct lk__txn *t, const lk_res_t *res, int mode, uint64_t timeout_ns,
	unsigned flags, uint64_t *token)
{
	lk_lockmgr_t *m = t->mgr;
	/* the common calls first, with fewer checks: a valid mode, no flag,
	 * no wound or lease, and either a kind that takes lock_fast on a flat
	 * table (fast_kinds: valid ones only) or a row under the hierarchy
	 * cache; the full checks below would send each the same way */
	uint32_t kind = res->kind;
	if (lk__likely((unsigned)mode < m->mt.nmodes && !flags &&
		       !(atomic_load_explicit(&t->flags, memory_order_relaxed) &
			 (LK__T_WOUNDED | LK__T_LEASED)))) {
		if (kind < 32 && ((m->fast_kinds >> kind) & 1u)) {
			int rc = lock_fast(m, t, res, (unsigned)mode, token);
			if (lk__likely(rc != LK__FAST_MISS))
				return rc;
			return lock_slow(m, t, res, (unsigned)mode, timeout_ns, false,
					 token);
		}
		if (m->cfg.hierarchy) {
			if (hcache_row(t, res, (unsigned)mode)) {
				int rc = lock_row_cached(m, t, res, (unsigned)mode, token);
				if (lk__likely(rc != LK__FAST_MISS))
					return rc;
				return lock_slow(m, t, res, (unsigned)mode, timeout_ns,
						 m->mt.intention[mode] != NONE, token);
			}
			if (hcache_page(m, t, res, (unsigned)mode))
				return lock_row_page(m, t, res, (unsigned)mode, timeout_ns,
						     token);
		}
	}
	if (lk__unlikely(mode < 0 || (unsigned)mode >= m->mt.nmodes ||
			 !res_kind_ok(res->kind) || (flags & ~LK_F_NOHIER)))
		return LK_INVAL;
	uint32_t fl = atomic_load_explicit(&t->flags, memory_order_relaxed);
	if (lk__unlikely(fl & (LK__T_WOUNDED | LK__T_LEASED))) {
		if (fl & LK__T_WOUNDED)
			return LK_WOUNDED;
		if (lk__lease_check(t) != LK_OK)
			return LK_LEASE_LAPSED;
	}
	/* row and table locks that escalation must count, and database and
	 * table locks (the fast path's records), take the slow path; so do
	 * hierarchical calls, except a row under ancestors that the
	 * hierarchy cache vouches for (no walk, no lookup: README
	 * "Hierarchy cache"), tried first: a cache bit for mode is set only
	 * with the hierarchy on and an intention mode for mode */
	bool hier = false;
	if (m->cfg.hierarchy && !(flags & LK_F_NOHIER)) {
		if (hcache_row(t, res, (unsigned)mode)) {
			int rc = lock_row_cached(m, t, res, (unsigned)mode, token);
			if (lk__likely(rc != LK__FAST_MISS))
				return rc;
		} else if (hcache_page(m, t, res, (unsigned)mode)) {
			return lock_row_page(m, t, res, (unsigned)mode, timeout_ns, token);
		}
		hier = m->mt.intention[mode] != NONE &&
		       (res->kind == LK_RES_TABLE || res->kind == LK_RES_PAGE ||
			res->kind == LK_RES_ROW);
	}
	if (!hier && !(res->kind < 32 && ((m->slow_kinds >> res->kind) & 1u))) {
		int rc = lock_fast(m, t, res, (unsigned)mode, token);
		if (lk__likely(rc != LK__FAST_MISS))
			return rc;
	}
	return lock_slow(m, t, res, (unsigned)mode, timeout_ns, hier, token);
}

/* A shared table: the call is a pool section (SHARED.md "The pool stop";
 * its waits step out of it, wait.c) */
static __attribute__((noinline)) int lock_ex_shared(struct lk__txn *t, const lk_res_t *res,
						    int mode, uint64_t timeout_ns,
						    unsigned flags, uint64_t *token)
{
	sec_enter(t->mgr, t);
	int rc = lock_ex(t, res, mode, timeout_ns, flags, token);
	sec_leave(t->mgr, t);
	return rc;
}

static __attribute__((noinline)) int lock_ex_private(struct lk__txn *t, const lk_res_t *res,
						     int mode, uint64_t timeout_ns,
						     unsigned flags, uint64_t *token)
{
	return lock_ex(t, res, mode, timeout_ns, flags, token);
}

/* Both forms out of line, each reached by a tail call: the call itself
 * saves no register for the other's sake */
int lk_lock_ex(lk_txn_t *txn, const lk_res_t *res, int mode, uint64_t timeout_ns,
	       unsigned flags, uint64_t *token)
{
	struct lk__txn *t = txn_get(txn);
	if (lk__unlikely(!t || !res))
		return LK_INVAL;
	if (lk__unlikely(t->mgr->shm != NULL))
		return lock_ex_shared(t, res, mode, timeout_ns, flags, token);
	return lock_ex_private(t, res, mode, timeout_ns, flags, token);
}

int lk_lock(lk_txn_t *txn, const lk_res_t *res, int mode, uint64_t timeout_ns,
	    unsigned flags)
{
	return lk_lock_ex(txn, res, mode, timeout_ns, flags, NULL);
}
