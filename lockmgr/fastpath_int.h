/*
 * lockmgr/fastpath_int.h: the weak-lock fast path, the inline parts (a
 * txn's lookup of its own records); the protocol is fastpath.c's and
 * README "Fast path".
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

#endif
