/*
 * lockmgr/fastpath.c: weak locks with no shared write (README "Fast
 * path"). A txn keeps its weak locks (IS, IX in the default table) on
 * database and table resources as records in its own block, under its own
 * fp latch, as long as no strong lock is counted in the resource's
 * partition. A strong locker counts the partition first, then moves every
 * record on its resource into the main table, where wait-die, wound-wait,
 * the detector, the blocking set and the snapshot see them as holders.
 * The transfer follows PostgreSQL's fast path for relation locks
 * (src/backend/storage/lmgr/lock.c, FastPathTransferRelationLocks).
 */
#include "fastpath_int.h"
#include "heads_int.h"
#include "queue_int.h"

/* The weak modes: mutually compatible ones, taken greedily by index from
 * the intention modes (or from all modes when the table has none: then
 * there is no hierarchy and the fast path serves plain database and table
 * locks, as PostgreSQL's does its three weakest relation modes). With
 * intention modes only, a record never covers a child request. */
void lk__fp_modes(lk_lockmgr_t *m)
{
	uint16_t pool = m->intent ? m->intent
				  : (uint16_t)((1u << m->mt.nmodes) - 1);
	uint16_t w = 0;
	for (unsigned i = 0; i < m->mt.nmodes; i++)
		if (((pool >> i) & 1u) && !(m->mt.conflicts[i] & (w | (1u << i))))
			w |= (uint16_t)(1u << i);
	uint16_t s = 0;
	for (unsigned i = 0; i < m->mt.nmodes; i++)
		if (m->mt.conflicts[i] & w)
			s |= (uint16_t)(1u << i);
	m->weak = w;
	m->strong = s;
}

static inline uint32_t fp_part(const lk_res_t *r)
{
	return fp_part_of(fp_hash(r));
}

/* A txn's fp latch: taken by its owner for each record change (a line no
 * other txn writes while no strong lock is counted), and by strong
 * lockers and views for a moment. acquire: the records as the last holder
 * left them. The word is 1 | the taker's owner bits (lk__own: 0 on a
 * private table); on a shared table a waiter takes a latch held by a dead
 * process over (repair.c): a record is made or dropped by one store of
 * fp_used, so there is nothing to repair (SHARED.md). */
static void fp_repair(struct lk__txn *o, uint32_t own);

__attribute__((noinline, cold)) void lk__fp_latch_slow(struct lk__txn *t, uint32_t own)
{
	lk__wait_t w = lk__wait_start(0);
	bool shared = own && lk__lm_in_shared(&t->fp_latch);
	uint64_t next_look = 0;
	for (;;) {
		lk__wait(&w, NULL, 0); /* held for a few stores: no word to park on */
		uint32_t z = atomic_load_explicit(&t->fp_latch, memory_order_relaxed);
		if (!z && atomic_compare_exchange_weak_explicit(&t->fp_latch, &z, 1u | own,
								memory_order_acquire,
								memory_order_relaxed))
			return;
		if (lk__unlikely(shared && (z & LK__L_OWN)) && lk__wait_would_park(&w)) {
			uint64_t now = lk__now_ns();
			if (now >= next_look) {
				next_look = now + LK__LATCH_NAP_NS;
				if (lk__shm_take_word(&t->fp_latch, z, LK__L_OWN,
						      LK__L_OWN_SHIFT, own)) {
					fp_repair(t, own);
					return;
				}
			}
		}
	}
}

/* o's fp latch was taken over from a dead holder (fp_latch_slow): a
 * strong locker that died in fp_move after it linked o's main-table
 * request and before it marked the record moved left o holding r twice.
 * Such a record (not moved, and o a holder of its resource) is marked
 * moved now: o adopts the request as if the move had finished. */
static void fp_repair(struct lk__txn *o, uint32_t own)
{
	lk_lockmgr_t *m = o->mgr;
	for (uint32_t u = o->fp_used; u; u &= u - 1) {
		struct lk__fprec *e = &m->fp[o->idx].rec[__builtin_ctz(u)];
		if (atomic_load_explicit(&e->moved, memory_order_relaxed))
			continue;
		lk_res_t r;
		fp_key(e, &r);
		uint32_t i = bucket_first(m, &m->buckets[res_hash(&r) & m->bmask]);
		for (uint32_t steps = 0; i && i <= m->nheads && steps <= m->nheads; steps++) {
			struct lk__head *h = &m->heads[i];
			uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
			if (!(w & LK__L_DEAD) && key_eq(h, &r)) {
				if (head_latch_gen(m, h, w, own)) {
					uint32_t ri = find_holder(m, h, o->idx);
					head_unlatch(h);
					if (ri) /* release: as fp_move's */
						atomic_store_explicit(&e->moved, ri,
								      memory_order_release);
				}
				break;
			}
			i = atomic_load_explicit(&h->next, memory_order_acquire);
		}
	}
}

/* The RELEASE event of record e (under t's fp latch). */
static inline void fp_emit_release(lk_lockmgr_t *m, struct lk__txn *t,
				   const struct lk__fprec *e)
{
	if (lk__unlikely(m->trace != NULL)) {
		lk_res_t r;
		fp_key(e, &r);
		lk__emit_res(m, t, &r, LK_EV_RELEASE, e->mode, e->mode, LK_OK, false, 0);
	}
}

static void fp_clear(struct lk__txn *t, uint32_t i)
{
	t->fp_used &= ~(1u << i);
	for (int k = 0; k < 3; k++)
		if (t->anc[k] == (LK__ANC_FP | i)) {
			t->anc[k] = 0;
			hcache_clear(t);
		}
}

int lk__fp_lock(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
		unsigned mode, unsigned *got, uint32_t *rec)
{
	struct lk__fprec *e;
	uint32_t fh = fp_hash(r); /* the bloom bit and the partition */
	uint64_t bb = fp_bloom_of(fh);
	int i = t->fp_used ? fp_find_bb(m, t, r, bb) : -1;
	if (i >= 0) {
		e = &m->fp[t->idx].rec[i];
		if (atomic_load_explicit(&e->moved, memory_order_relaxed))
			return LK__FP_MISS; /* lock_one adopts it */
		unsigned held = e->mode, nm = m->mt.supremum[held][mode];
		if (nm == held) {
			EMIT_RES(m, t, r, LK_EV_REQUEST, mode, held, LK_OK, false, 0);
			EMIT_RES(m, t, r, LK_EV_GRANT, held, held, LK_OK, false, 0);
			*got = LK__GOT_NONE;
			*rec = (uint32_t)i;
			return LK_OK;
		}
		if (!((m->weak >> nm) & 1u))
			return LK__FP_MISS;
		fp_latch(t, lk__own(t));
		if (fp_strong_counted(m, fp_part_of(fh)) ||
		    atomic_load_explicit(&e->moved, memory_order_relaxed)) {
			fp_unlatch(t);
			return LK__FP_MISS;
		}
		EMIT_RES(m, t, r, LK_EV_REQUEST, mode, held, LK_OK, false, 0);
		e->mode = (uint8_t)nm;
		EMIT_RES(m, t, r, LK_EV_CONVERT, nm, held, LK_OK, false, 0);
		fp_unlatch(t);
		*got = LK__GOT_CONV;
		*rec = (uint32_t)i;
		return LK_OK;
	}
	/* t may hold r in the main table, or has no record free */
	if (t->fp_main || t->fp_used == (uint32_t)((1ull << LK__FP_RECS) - 1))
		return LK__FP_MISS;
	if (fp_new(m, t, r, mode, fh, rec) != LK_OK)
		return LK__FP_MISS;
	*got = LK__GOT_NEW;
	return LK_OK;
}

/* Move o's record i on r (o's fp latch held) into the main table: a
 * granted request of o, allocated from by's cache (o's own move), or on a
 * private table lent from the shared stack (another txn's move: README
 * "Memory", lent requests). No event: nothing was granted or released. */
static int fp_move(lk_lockmgr_t *m, struct lk__txn *by, struct lk__txn *o,
		   uint32_t i, const lk_res_t *r)
{
	struct lk__fprec *e = &m->fp[o->idx].rec[i];
	bool lent = by != o && !LK__MARKS(m);
	uint32_t ri = lent ? lk__req_take_shared(m) : 0;
	if (!ri)
		ri = req_alloc(m, by);
	if (!ri)
		return LK_NOMEM;
	uint32_t hi = head_get(m, by, r, res_hash(r), true);
	if (!hi) {
		req_cache(m, by, ri);
		return LK_NOMEM;
	}
	struct lk__head *h = &m->heads[hi];
	struct lk__req *q = &m->reqs[ri];
	q->head = hi;
	q->mode = q->want = e->mode;
	q->status = LK__R_GRANTED;
	q->kind = req_kind(r->kind);
	q->nchild = 0; /* the owner's count comes with the adoption */
	list_push(m, &h->holders, ri);
	count_add(h, e->mode);
	/* o's only once linked: until then by's tag (req_alloc) names it,
	 * so a recovery of a dead by gives it back (SHARED.md "Pool entries
	 * in flight"); linked and still by's, the head scan removes it and
	 * fp_repair leaves the record unmoved */
	atomic_signal_fence(memory_order_seq_cst);
	q->txn = o->idx;
	head_unlatch(h);
	LK__TEST_NAP();
	e->lent = lent;
	/* release: the request's fields (and lent) before the owner adopts it */
	atomic_store_explicit(&e->moved, ri, memory_order_release);
	return LK_OK;
}

/*
 * Before t asks for a strong mode on r: count r's partition (once per txn;
 * the count stays until t ends), then move every running txn's record on r
 * into the main table, t's own included (t adopts it in lk__fp_to_main).
 * The move runs every time: t's count stops new records in the partition,
 * but records on r made before t counted it (for another resource) are
 * still there. LK_NOMEM if a move found no request or head; the records
 * moved so far stay moved, which is harmless.
 */
int lk__fp_strong(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r)
{
	uint32_t p = fp_part(r);
	uint64_t *cw = &m->fp[t->idx].counted[p / 64], bit = 1ull << (p % 64);
	if (!(*cw & bit)) {
		/* seq_cst: before the state reads below (FASTPATH.md) */
		LK__RMW_SHARED_KIND(r->kind);
		atomic_fetch_add_explicit(&m->fp_count[p], 1, memory_order_seq_cst);
		/* the bit after the count: a kill between leaves it one high
		 * (lk__fp_uncount) */
		LK__KILL_ORDER();
		*cw |= bit;
		t->fp_counted = 1;
	}
	for (uint32_t k = 0; k < m->ntxns; k++) {
		struct lk__txn *o = txn_at(m, k);
		/* an idle txn adds no record without seeing our count */
		if (atomic_load_explicit(&o->state, memory_order_seq_cst) != 1)
			continue;
		if (o != t)
			LK__RMW_SHARED_KIND(r->kind);
		fp_latch(o, lk__own(t));
		int rc = LK_OK;
		for (uint32_t u = o->fp_used; u && rc == LK_OK; u &= u - 1) {
			uint32_t i = (uint32_t)__builtin_ctz(u);
			struct lk__fprec *e = &m->fp[k].rec[i];
			if (!atomic_load_explicit(&e->moved, memory_order_relaxed) &&
			    fp_key_eq(e, r))
				rc = fp_move(m, t, o, i, r);
		}
		fp_unlatch(o);
		if (rc != LK_OK)
			return rc;
	}
	return LK_OK;
}

/* Remember a lent request that t now owns: txn end returns it (fp_main
 * tells txn end to look; it is set for an adopted request anyway). */
static inline void fp_note_lent(lk_lockmgr_t *m, struct lk__txn *t,
				const struct lk__fprec *e, uint32_t ri)
{
	struct lk__fpblk *b = &m->fp[t->idx];
	if (lk__unlikely(e->lent) && b->nlent < LK__FP_LENT) {
		b->lent[b->nlent++] = ri;
		t->fp_main = 1;
	}
}

/* t's record i was moved: the main-table request becomes t's own. */
void lk__fp_adopt(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i)
{
	struct lk__fprec *e = &m->fp[t->idx].rec[i];
	/* acquire: the request fp_move filled in */
	uint32_t ri = atomic_load_explicit(&e->moved, memory_order_acquire);
	fp_note_lent(m, t, e, ri);
	m->reqs[ri].nchild = e->nchild;
	hcache_clear(t);
	for (int k = 0; k < 3; k++)
		if (t->anc[k] == (LK__ANC_FP | i))
			t->anc[k] = ri;
	fp_latch(t, lk__own(t));
	fp_clear(t, i);
	fp_unlatch(t);
	tlist_add(m, t, ri);
	t->bloom |= 1ull << (m->reqs[ri].head & 63);
	t->fp_main = 1;
}

/* Before the main path works on r for t: t's record on r, if any, becomes
 * a main-table request of t (moved by t itself if still a record), so that
 * t never has two requests on r. *ri: that request, or 0. */
int lk__fp_to_main(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
		   uint32_t *ri)
{
	*ri = 0;
	int i = fp_find(m, t, r);
	if (i < 0)
		return LK_OK;
	struct lk__fprec *e = &m->fp[t->idx].rec[i];
	if (!atomic_load_explicit(&e->moved, memory_order_relaxed)) {
		fp_latch(t, lk__own(t));
		int rc = atomic_load_explicit(&e->moved, memory_order_relaxed)
				 ? LK_OK
				 : fp_move(m, t, t, (uint32_t)i, r);
		fp_unlatch(t);
		if (rc != LK_OK)
			return rc;
	}
	*ri = atomic_load_explicit(&e->moved, memory_order_relaxed);
	lk__fp_adopt(m, t, (uint32_t)i);
	return LK_OK;
}

/* lk_unlock of a record: LK_OK, or LK__FP_MISS (no record on r, or it was
 * moved and is now adopted: the main path releases it). */
int lk__fp_unlock(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r)
{
	int i = fp_find(m, t, r);
	if (i < 0)
		return LK__FP_MISS;
	struct lk__fprec *e = &m->fp[t->idx].rec[i];
	if (atomic_load_explicit(&e->moved, memory_order_relaxed)) {
		lk__fp_adopt(m, t, (uint32_t)i);
		return LK__FP_MISS;
	}
	fp_latch(t, lk__own(t));
	if (atomic_load_explicit(&e->moved, memory_order_relaxed)) {
		fp_unlatch(t);
		lk__fp_adopt(m, t, (uint32_t)i);
		return LK__FP_MISS;
	}
	EMIT_RES(m, t, r, LK_EV_RELEASE, e->mode, e->mode, LK_OK, false, 0);
	fp_clear(t, (uint32_t)i);
	fp_unlatch(t);
	return LK_OK;
}

/* Escalation to target on table tab, before it releases t's covered row
 * and page requests: t's page records under the table that target covers
 * go; moved ones are adopted, so that the caller's walk releases them. */
void lk__fp_release_under(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *tab,
			  unsigned target)
{
	struct lk__fprec *rec = m->fp[t->idx].rec;
	for (uint32_t u = t->fp_used; u; u &= u - 1) {
		uint32_t i = (uint32_t)__builtin_ctz(u);
		if (rec[i].key[0] == LK_RES_PAGE && rec[i].key[1] == tab->f[0] &&
		    rec[i].key[2] == tab->f[1] &&
		    atomic_load_explicit(&rec[i].moved, memory_order_relaxed))
			lk__fp_adopt(m, t, i);
	}
	fp_latch(t, lk__own(t));
	for (uint32_t u = t->fp_used; u; u &= u - 1) {
		uint32_t i = (uint32_t)__builtin_ctz(u);
		struct lk__fprec *e = &rec[i];
		if (e->key[0] != LK_RES_PAGE || e->key[1] != tab->f[0] ||
		    e->key[2] != tab->f[1] || m->mt.supremum[target][e->mode] != target ||
		    atomic_load_explicit(&e->moved, memory_order_relaxed))
			continue;
		fp_emit_release(m, t, e);
		fp_clear(t, i);
	}
	fp_unlatch(t);
}

/* Txn end, before the main-table release walk: records are released here,
 * moved ones join the txn's list for the walk. */
void lk__fp_end(lk_lockmgr_t *m, struct lk__txn *t)
{
	lk__fp_end_by(m, t, lk__own(t));
}

/* Recovery: t's fp latch, held by a dead process, taken over (and the
 * record it was moving repaired) and released. */
void lk__fp_touch(struct lk__txn *t, uint32_t own)
{
	fp_latch(t, own);
	fp_unlatch(t);
}

/* The same run by another process's recovery (own: its owner bits). */
void lk__fp_end_by(lk_lockmgr_t *m, struct lk__txn *t, uint32_t own)
{
	struct lk__fprec *rec = m->fp[t->idx].rec;
	fp_latch(t, own);
	for (uint32_t u = t->fp_used; u; u &= u - 1) {
		struct lk__fprec *e = &rec[__builtin_ctz(u)];
		/* acquire: the request fp_move filled in */
		uint32_t ri = atomic_load_explicit(&e->moved, memory_order_acquire);
		if (ri) {
			fp_note_lent(m, t, e, ri);
			tlist_add(m, t, ri);
		} else
			fp_emit_release(m, t, e);
	}
	t->fp_used = 0;
	t->fp_bloom = 0;
	fp_unlatch(t);
}

/* Txn end on a private table, after t's released requests joined its
 * cache (t->fp_main set: it adopted some): the lent ones leave the cache
 * for the shared stack. A lent request shares its cache line with one
 * that the lender's thread keeps using; cached here it would be written
 * by both threads at every use, for good (MEASURED.md "Two threads: the
 * bucket lines, and records that changed hands"). One released earlier
 * and since reused, or already trimmed, is simply not found. */
void lk__fp_return(lk_lockmgr_t *m, struct lk__txn *t)
{
	struct lk__fpblk *b = &m->fp[t->idx];
	for (uint32_t k = 0; k < b->nlent; k++)
		if (lk__cache_remove(&m->rstk, &t->rc, b->lent[k]))
			lk__stk_push(&m->rstk, b->lent[k], b->lent[k]);
	b->nlent = 0;
}

/* Txn end, after the main-table locks are released: drop t's counts (a
 * count dropped earlier would let a record coexist with t's strong lock).
 * Each bit is cleared before its decrement: a process killed between
 * leaves the count one high (the fast path off in that partition, safe),
 * never a bit whose count is gone, which a recovery's second uncount
 * would take from another txn's strong lock (SHARED.md "Strong counts").
 * lk__fp_strong is the mirror: increment, then the bit. */
void lk__fp_uncount(lk_lockmgr_t *m, struct lk__txn *t)
{
	uint64_t *c = m->fp[t->idx].counted;
	for (uint32_t w = 0; w < LK__FP_PARTS / 64; w++)
		while (c[w]) {
			uint32_t p = w * 64 + (uint32_t)__builtin_ctzll(c[w]);
			c[w] &= c[w] - 1;
			LK__KILL_ORDER();
			LK__TEST_NAP();
			LK__TEST_KILL_AT("fp_uncount");
			LK__RMW_SHARED_KIND(LK_RES_TABLE);
			atomic_fetch_sub_explicit(&m->fp_count[p], 1, memory_order_release);
		}
	t->fp_counted = 0;
}

/* The snapshot holds every txn's fp latch (in slot order, so two
 * snapshots cannot deadlock; fp latches come before head latches) while
 * it reads the main table: no record is made, moved or dropped meanwhile,
 * so a resource's records and its head are one picture (a strong holder
 * read under the head latch means no record on it in the whole window). */
void lk__fp_freeze(lk_lockmgr_t *m)
{
	uint32_t own = lk__own_m(m);
	for (uint32_t k = 0; k < m->ntxns; k++) {
		LK__RMW_SHARED();
		fp_latch(txn_at(m, k), own);
	}
}

void lk__fp_thaw(lk_lockmgr_t *m)
{
	for (uint32_t k = 0; k < m->ntxns; k++)
		fp_unlatch(txn_at(m, k));
}

/* The snapshot's records (every fp latch held: lk__fp_freeze): records
 * still in place (moved ones are in the main table), from out[n] on. */
size_t lk__fp_snapshot(lk_lockmgr_t *m, lk_lockinfo_t *out, size_t cap, size_t n)
{
	for (uint32_t k = 0; k < m->ntxns; k++) {
		struct lk__txn *o = txn_at(m, k);
		for (uint32_t u = o->fp_used; u; u &= u - 1) {
			const struct lk__fprec *e = &m->fp[k].rec[__builtin_ctz(u)];
			if (atomic_load_explicit(&e->moved, memory_order_relaxed))
				continue;
			if (n < cap && out) {
				lk_lockinfo_t *i = &out[n];
				memset(i, 0, sizeof *i);
				fp_key(e, &i->res);
				i->txn_id = atomic_load_explicit(&o->id, memory_order_relaxed);
				i->mode = i->want = e->mode;
				i->granted = true;
			}
			n++;
		}
	}
	return n;
}
