/*
 * lockmgr/fastpath_int.h: the weak-lock fast path, the inline parts (a
 * txn's lookup of its own records); the protocol is fastpath.c's and
 * FASTPATH.md.
 */
#ifndef LATCHKIT_LOCKMGR_FASTPATH_INT_H
#define LATCHKIT_LOCKMGR_FASTPATH_INT_H

#include "lockmgr_int.h"

/* what lk__fp_lock did not do: the caller takes the main path */
#define LK__FP_MISS (-3)

LK__HIDDEN void lk__fp_modes(lk_lockmgr_t *m);
LK__HIDDEN int lk__fp_lock(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
			   unsigned mode, unsigned *got, uint32_t *rec);
LK__HIDDEN int lk__fp_strong(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r);
LK__HIDDEN int lk__fp_to_main(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
			      uint32_t *ri);
LK__HIDDEN void lk__fp_adopt(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i);
LK__HIDDEN int lk__fp_unlock(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r);
LK__HIDDEN void lk__fp_release_under(lk_lockmgr_t *m, struct lk__txn *t,
				     const lk_res_t *tab, unsigned target);
LK__HIDDEN void lk__fp_end(lk_lockmgr_t *m, struct lk__txn *t);
LK__HIDDEN void lk__fp_end_by(lk_lockmgr_t *m, struct lk__txn *t, uint32_t own);
LK__HIDDEN void lk__fp_touch(struct lk__txn *t, uint32_t own);
LK__HIDDEN void lk__fp_return(lk_lockmgr_t *m, struct lk__txn *t);
LK__HIDDEN void lk__fp_uncount(lk_lockmgr_t *m, struct lk__txn *t);
LK__HIDDEN void lk__fp_freeze(lk_lockmgr_t *m);
LK__HIDDEN void lk__fp_thaw(lk_lockmgr_t *m);
LK__HIDDEN size_t lk__fp_snapshot(lk_lockmgr_t *m, lk_lockinfo_t *out, size_t cap,
				  size_t n);

/* Only the hierarchy's ancestors: database, table and page resources. */
static inline bool fp_kind(uint32_t kind)
{
	return kind >= LK_RES_DATABASE && kind <= LK_RES_PAGE;
}

/* The fast path's own hash of a database, table or page resource (f[3]
 * is 0 for them): its top 6 bits pick a record's bit in its txn's
 * fp_bloom, its top 10 the strong-lock partition (fp_part), so that a new
 * record costs one hash, not also res_hash (3 multiplies instead of 5). */
static inline uint32_t fp_hash(const lk_res_t *r)
{
	return r->f[0] * 0x27D4EB2Fu + r->f[1] * 0x9E3779B1u +
	       r->f[2] * 0x85EBCA77u + r->kind;
}

_Static_assert(LK__FP_PARTS == 1024, "fp_part takes fp_hash's top 10 bits");

static inline uint64_t fp_bloom_of(uint32_t h)
{
	return 1ull << (h >> 26);
}

static inline uint32_t fp_part_of(uint32_t h)
{
	return h >> 22;
}

/* a record's bit in its txn's fp_bloom */
static inline uint64_t fp_bloom_bit(const lk_res_t *r)
{
	return fp_bloom_of(fp_hash(r));
}

/* The page and table ids first: a txn's records mostly share a database
 * (and its pages a table), so they differ there. */
static inline bool fp_key_eq(const struct lk__fprec *e, const lk_res_t *r)
{
	return e->key[3] == r->f[2] && e->key[2] == r->f[1] &&
	       e->key[0] == r->kind && e->key[1] == r->f[0] &&
	       e->key[4] == r->f[3];
}

static inline void fp_key(const struct lk__fprec *e, lk_res_t *r)
{
	r->kind = e->key[0];
	for (int k = 0; k < 4; k++)
		r->f[k] = e->key[k + 1];
}

/* t's record for r (bb: fp_bloom_bit(r)), or -1. Owner only: it alone
 * writes keys and fp_used, so it reads them without its latch. */
static inline int fp_find_bb(const lk_lockmgr_t *m, const struct lk__txn *t,
			     const lk_res_t *r, uint64_t bb)
{
	if (!(t->fp_bloom & bb))
		return -1;
	const struct lk__fprec *e = m->fp[t->idx].rec;
	for (uint32_t u = t->fp_used; u; u &= u - 1) {
		int i = __builtin_ctz(u);
		if (fp_key_eq(&e[i], r))
			return i;
	}
	return -1;
}

static inline int fp_find(const lk_lockmgr_t *m, const struct lk__txn *t,
			  const lk_res_t *r)
{
	return fp_find_bb(m, t, r, fp_bloom_bit(r));
}

/* A txn's fp latch (fastpath.c): its owner's uncontended take inline. */
LK__HIDDEN void lk__fp_latch_slow(struct lk__txn *t, uint32_t own);

static inline void fp_latch(struct lk__txn *t, uint32_t own)
{
	uint32_t z = 0;
	if (lk__likely(atomic_compare_exchange_strong_explicit(
		    &t->fp_latch, &z, 1u | own, memory_order_acquire, memory_order_relaxed)))
		return;
	lk__fp_latch_slow(t, own);
}

static inline void fp_unlatch(struct lk__txn *t)
{
	/* release: the records' changes before the next holder */
	atomic_store_explicit(&t->fp_latch, 0, memory_order_release);
}

/* Is a strong lock counted in r's partition? Read under the owner's fp
 * latch. seq_cst: pairs with lk__fp_strong's increment and its seq_cst
 * read of the txn's state (a strong locker skips idle txns; lk_txn_begin
 * stores the state seq_cst), see FASTPATH.md. */
static inline bool fp_strong_counted(lk_lockmgr_t *m, uint32_t part)
{
	return atomic_load_explicit(&m->fp_count[part], memory_order_seq_cst) != 0;
}

/* A new record for r in mode (t holds none on r: fp_find missed; fh:
 * fp_hash(r)), under t's fp latch unless a strong lock is counted in r's
 * partition (then LK__FP_MISS, nothing changed). Inline: lock.c's
 * lock_row_page calls it for each new page (FASTPATH.md). */
static inline __attribute__((always_inline)) int
fp_new(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, unsigned mode,
       uint32_t fh, uint32_t *rec)
{
	/* t may hold r in the main table, or has no record free */
	if (t->fp_main || t->fp_used == (uint32_t)((1ull << LK__FP_RECS) - 1))
		return LK__FP_MISS;
	fp_latch(t, lk__own(t));
	if (fp_strong_counted(m, fp_part_of(fh))) {
		fp_unlatch(t);
		return LK__FP_MISS;
	}
	uint32_t i = (uint32_t)__builtin_ctz(~t->fp_used);
	struct lk__fprec *e = &m->fp[t->idx].rec[i];
	e->key[0] = r->kind;
	e->key[1] = r->f[0];
	e->key[2] = r->f[1];
	e->key[3] = r->f[2];
	e->key[4] = r->f[3];
	e->mode = (uint8_t)mode;
	e->nchild = 0;
	atomic_store_explicit(&e->moved, 0, memory_order_relaxed);
	LK__TEST_NAP();
	t->fp_used |= 1u << i;
	t->fp_bloom |= fp_bloom_of(fh);
	/* the events under the latch: a strong locker that moves the record
	 * later also emits later (README "Trace") */
	EMIT_RES(m, t, r, LK_EV_REQUEST, mode, NONE, LK_OK, false, 0);
	EMIT_RES(m, t, r, LK_EV_GRANT, mode, NONE, LK_OK, false, 0);
	fp_unlatch(t);
	*rec = i;
	return LK_OK;
}

/* lk__fp_lock with a new record's common case inline: no bit for r in
 * t's fp bloom means t has no record on r (fp_find_bb). */
static inline __attribute__((always_inline)) int
fp_lock(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, unsigned mode,
	unsigned *got, uint32_t *rec)
{
	uint32_t fh = fp_hash(r);
	if (t->fp_bloom & fp_bloom_of(fh))
		return lk__fp_lock(m, t, r, mode, got, rec);
	*got = LK__GOT_NEW;
	return fp_new(m, t, r, mode, fh, rec);
}

#endif
