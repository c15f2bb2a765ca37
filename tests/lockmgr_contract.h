/*
 * tests/lockmgr_contract.h: what the lock table's contract tests
 * (tests/test_lockmgr_contract*.c) share: managers and txns, the default
 * mode table written out by hand (so that a change to the library's table
 * is caught, not followed), a capture of the whole visible state (snapshot,
 * stats, held modes and tokens of chosen (txn, resource) pairs) and
 * LKC_UNCHANGED, which checks that a call returned its code and left that
 * state as it was.
 */
#ifndef LK_TEST_LOCKMGR_CONTRACT_H
#define LK_TEST_LOCKMGR_CONTRACT_H

#include "harness.h"

#include <latchkit/lockmgr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LKC_MS 1000000ull
/* Prefilled into every output parameter of a call expected to fail. */
#define LKC_SENTINEL 0x5eed5eed5eed5eedull

/* ---- the default table, by hand (lockmgr.h's matrix and sentences) ---- */

/* "supremum[h][m]: the mode a holder of h converts to when it asks for m":
 * the weakest mode conflicting with everything h or m conflicts with
 * (S+IX = SIX, S+U = U, IX+U = SIX, anything+X = X). */
static const int LKC_SUP[6][6] = {
	/*          IS      IX      S       SIX     U       X    */
	/* IS  */ {LK_IS, LK_IX, LK_S, LK_SIX, LK_U, LK_X},
	/* IX  */ {LK_IX, LK_IX, LK_SIX, LK_SIX, LK_SIX, LK_X},
	/* S   */ {LK_S, LK_SIX, LK_S, LK_SIX, LK_U, LK_X},
	/* SIX */ {LK_SIX, LK_SIX, LK_SIX, LK_SIX, LK_SIX, LK_X},
	/* U   */ {LK_U, LK_SIX, LK_U, LK_SIX, LK_U, LK_X},
	/* X   */ {LK_X, LK_X, LK_X, LK_X, LK_X, LK_X},
};
/* "Intention mode taken on ancestors: IS for IS and S, IX for IX, SIX, U
 * and X." */
static const int LKC_INT[6] = {LK_IS, LK_IX, LK_IS, LK_IX, LK_IX, LK_IX};
/* "+" = compatible, rows and columns IS IX S SIX U X. */
static const char *const LKC_COMPAT[6] = {
	"+++++-", "++----", "+-+-+-", "+-----", "+-+---", "------",
};
/* "A mode conflicting with itself is exclusive": SIX, U, X. */
static inline bool lkc_excl(int m)
{
	return m == LK_SIX || m == LK_U || m == LK_X;
}
/* "A non-intention mode a held on an ancestor covers a child request in
 * mode m iff supremum[a][m] == a". */
static inline bool lkc_covers(int a, int m)
{
	return a != LK_IS && a != LK_IX && LKC_SUP[a][m] == a;
}

static inline const char *lkc_mode_name(int m)
{
	static const char *const n[6] = {"IS", "IX", "S", "SIX", "U", "X"};
	return m >= 0 && m < 6 ? n[m] : m == -1 ? "none" : "?";
}
static inline const char *lkc_kind_name(uint32_t k)
{
	static const char *const n[5] = {"none", "db", "table", "page", "row"};
	return k < 5 ? n[k] : "other";
}

/* The resource of kind k (db..row) on the path db/1/1/1. */
static inline lk_res_t lkc_at(uint32_t kind, uint32_t db)
{
	switch (kind) {
	case LK_RES_DATABASE:
		return lk_res_db(db);
	case LK_RES_TABLE:
		return lk_res_table(db, 1);
	case LK_RES_PAGE:
		return lk_res_page(db, 1, 1);
	default:
		return lk_res_row(db, 1, 1, 1);
	}
}

/* ---- managers and txns ------------------------------------------------ */

static inline lk_lockmgr_t *lkc_mgr(int policy, uint32_t max_txns,
				    uint32_t max_requests, uint32_t esc,
				    bool hierarchy)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = policy;
	c.max_txns = max_txns;
	c.max_requests = max_requests;
	c.escalation_threshold = esc;
	c.hierarchy = hierarchy;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	cr_assert_not_null(m);
	return m;
}
static inline lk_lockmgr_t *lkc_mgr_default(int policy)
{
	return lkc_mgr(policy, 64, 4096, 0, true);
}

static inline lk_txn_t *lkc_begin(lk_lockmgr_t *m)
{
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	cr_assert_not_null(t);
	return t;
}

static inline lk_stats_t lkc_stats(lk_lockmgr_t *m)
{
	lk_stats_t s;
	lk_lockmgr_stats(m, &s);
	return s;
}

/* ---- the visible state ------------------------------------------------ */

#define LKC_MAX_PROBES 32

typedef struct {
	lk_txn_t *txn;
	lk_res_t res;
} lkc_probe_t;

typedef struct {
	size_t n;
	lk_lockinfo_t *info; /* sorted, n entries */
	lk_stats_t st;
	size_t np;
	int mode[LKC_MAX_PROBES];
	uint64_t token[LKC_MAX_PROBES];
	uint64_t id[LKC_MAX_PROBES];
} lkc_state_t;

static inline int lkc_info_cmp(const void *pa, const void *pb)
{
	const lk_lockinfo_t *a = (const lk_lockinfo_t *)pa;
	const lk_lockinfo_t *b = (const lk_lockinfo_t *)pb;
	int c = memcmp(&a->res, &b->res, sizeof a->res);
	if (c)
		return c;
	if (a->txn_id != b->txn_id)
		return a->txn_id < b->txn_id ? -1 : 1;
	if (a->granted != b->granted)
		return a->granted ? -1 : 1;
	return a->mode - b->mode;
}

/* Everything a caller can see of m, and of the probed (txn, resource)
 * pairs: held mode, token, txn id. */
static inline lkc_state_t *lkc_capture(lk_lockmgr_t *m, const lkc_probe_t *pr,
				       size_t np)
{
	lkc_state_t *s = (lkc_state_t *)calloc(1, sizeof *s);
	cr_assert_not_null(s);
	cr_assert_leq(np, LKC_MAX_PROBES);
	size_t cap = 64;
	for (;;) {
		s->info = (lk_lockinfo_t *)calloc(cap, sizeof *s->info);
		cr_assert_not_null(s->info);
		s->n = lk_snapshot(m, s->info, cap);
		if (s->n <= cap)
			break;
		free(s->info);
		cap = s->n * 2;
	}
	qsort(s->info, s->n, sizeof *s->info, lkc_info_cmp);
	lk_lockmgr_stats(m, &s->st);
	s->np = np;
	for (size_t i = 0; i < np; i++) {
		s->mode[i] = lk_held_mode(pr[i].txn, &pr[i].res);
		s->token[i] = lk_lock_token(pr[i].txn, &pr[i].res);
		s->id[i] = lk_txn_id(pr[i].txn);
	}
	return s;
}

static inline void lkc_free(lkc_state_t *s)
{
	free(s->info);
	free(s);
}

/* What a failed call may still count (lockmgr.h, lk_stats_t). */
typedef struct {
	uint64_t waited, deadlocks, timeouts, wouldblocks, wounds;
	bool heads; /* heads_used may differ (a sweep freed idle heads) */
} lkc_delta_t;

static const lkc_delta_t LKC_NOTHING = {0, 0, 0, 0, 0, false};

static inline void lkc_same(const lkc_state_t *b, const lkc_state_t *a,
			    lkc_delta_t d, const char *what)
{
	cr_expect_eq(a->n, b->n, "%s: the snapshot had %zu entries, now %zu",
		     what, b->n, a->n);
	for (size_t i = 0; i < a->n && a->n == b->n; i++) {
		const lk_lockinfo_t *x = &b->info[i], *y = &a->info[i];
		cr_expect(lk_res_equal(&x->res, &y->res) && x->txn_id == y->txn_id &&
				  x->mode == y->mode && x->want == y->want &&
				  x->granted == y->granted && x->waiting == y->waiting &&
				  x->wait_start_ns == y->wait_start_ns,
			  "%s: snapshot entry %zu changed: kind %u (%u,%u,%u,%u) "
			  "T%llu mode %d want %d -> kind %u (%u,%u,%u,%u) T%llu "
			  "mode %d want %d",
			  what, i, x->res.kind, x->res.f[0], x->res.f[1], x->res.f[2],
			  x->res.f[3], (unsigned long long)x->txn_id, x->mode, x->want,
			  y->res.kind, y->res.f[0], y->res.f[1], y->res.f[2],
			  y->res.f[3], (unsigned long long)y->txn_id, y->mode, y->want);
	}
	/* every stats field, those added later included: compare the bytes
	 * after applying the allowed deltas (lk_lockmgr_stats zeroes *out
	 * first, so the padding, if any, is zero in both) */
	lk_stats_t want = b->st;
	want.waited += d.waited;
	want.deadlocks += d.deadlocks;
	want.timeouts += d.timeouts;
	want.wouldblocks += d.wouldblocks;
	want.wounds += d.wounds;
	lk_stats_t got = a->st;
	if (d.heads)
		want.heads_used = got.heads_used;
	cr_expect(memcmp(&want, &got, sizeof want) == 0,
		  "%s: stats changed: acquired %llu->%llu waited %llu->%llu "
		  "deadlocks %llu->%llu timeouts %llu->%llu wouldblocks %llu->%llu "
		  "escalations %llu->%llu wounds %llu->%llu commits %llu->%llu "
		  "aborts %llu->%llu txns_active %u->%u requests_used %u->%u "
		  "heads_used %u->%u",
		  what, (unsigned long long)b->st.acquired,
		  (unsigned long long)a->st.acquired, (unsigned long long)b->st.waited,
		  (unsigned long long)a->st.waited, (unsigned long long)b->st.deadlocks,
		  (unsigned long long)a->st.deadlocks, (unsigned long long)b->st.timeouts,
		  (unsigned long long)a->st.timeouts,
		  (unsigned long long)b->st.wouldblocks,
		  (unsigned long long)a->st.wouldblocks,
		  (unsigned long long)b->st.escalations,
		  (unsigned long long)a->st.escalations, (unsigned long long)b->st.wounds,
		  (unsigned long long)a->st.wounds, (unsigned long long)b->st.commits,
		  (unsigned long long)a->st.commits, (unsigned long long)b->st.aborts,
		  (unsigned long long)a->st.aborts, b->st.txns_active, a->st.txns_active,
		  b->st.requests_used, a->st.requests_used, b->st.heads_used,
		  a->st.heads_used);
	for (size_t i = 0; i < a->np; i++) {
		cr_expect_eq(a->mode[i], b->mode[i], "%s: probe %zu held %s, now %s",
			     what, i, lkc_mode_name(b->mode[i]), lkc_mode_name(a->mode[i]));
		cr_expect_eq(a->token[i], b->token[i],
			     "%s: probe %zu token %llu, now %llu", what, i,
			     (unsigned long long)b->token[i],
			     (unsigned long long)a->token[i]);
		cr_expect_eq(a->id[i], b->id[i], "%s: probe %zu txn id changed", what, i);
	}
}

/*
 * `call` returns `expect` and changes nothing visible: the snapshot, the
 * stats (but for the counters in delta) and the probes' held modes, tokens
 * and ids are as before. Any return type that converts to long long.
 */
#define LKC_CHECK(m, pr, np, delta, expect, call)                               \
	do {                                                                    \
		lkc_state_t *lkc_b_ = lkc_capture((m), (pr), (np));             \
		long long lkc_rc_ = (long long)(call);                          \
		cr_expect_eq(lkc_rc_, (long long)(expect),                      \
			     "line %d: %s returned %lld, want %lld", __LINE__,  \
			     #call, lkc_rc_, (long long)(expect));              \
		lkc_state_t *lkc_a_ = lkc_capture((m), (pr), (np));             \
		lkc_same(lkc_b_, lkc_a_, (delta), #call);                       \
		lkc_free(lkc_b_);                                               \
		lkc_free(lkc_a_);                                               \
	} while (0)
#define LKC_UNCHANGED(m, pr, np, expect, call)                                  \
	LKC_CHECK(m, pr, np, LKC_NOTHING, expect, call)

/* ---- a lock call on another thread ------------------------------------ */

typedef struct {
	lk_txn_t *t;
	lk_res_t r;
	int mode;
	uint64_t timeout;
	uint64_t token;
	atomic_int done, rc;
	pthread_t th;
} lkc_locker_t;

static inline void *lkc_locker_fn(void *p)
{
	lkc_locker_t *l = (lkc_locker_t *)p;
	atomic_store(&l->rc, lk_lock_ex(l->t, &l->r, l->mode, l->timeout, 0,
					&l->token));
	atomic_store(&l->done, 1);
	return NULL;
}

static inline void lkc_locker_go(lkc_locker_t *l, lk_txn_t *t, lk_res_t r,
				 int mode, uint64_t timeout)
{
	memset(l, 0, sizeof *l);
	l->t = t;
	l->r = r;
	l->mode = mode;
	l->timeout = timeout;
	l->token = LKC_SENTINEL;
	atomic_store(&l->rc, -1);
	cr_assert_eq(pthread_create(&l->th, NULL, lkc_locker_fn, l), 0);
}

static inline int lkc_locker_join(lkc_locker_t *l)
{
	lkt_join(l->th, 0, "its lock and wait calls");
	return atomic_load(&l->rc);
}

/* Wait (bounded, 10 s) until txn t has a waiting entry in the snapshot. */
static inline void lkc_await_waiting(lk_lockmgr_t *m, lk_txn_t *t)
{
	uint64_t id = lk_txn_id(t);
	for (int i = 0; i < 10000; i++) {
		lk_lockinfo_t info[64];
		size_t n = lk_snapshot(m, info, 64);
		for (size_t k = 0; k < n && k < 64; k++)
			if (info[k].waiting && info[k].txn_id == id)
				return;
		lkt_sleep_ms(1);
	}
	cr_assert_fail("T%llu never waited", (unsigned long long)id);
}

#endif
