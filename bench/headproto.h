/*
 * bench/headproto.h: the models headproto.c compares, one lock+unlock of
 * each: the latch model (a head latch over a request list), the latch-free
 * packed word (Jung et al., SIGMOD 2013), and the lock table itself.
 * Included by headproto.c only; everything is static.
 */
#ifndef LATCHKIT_BENCH_HEADPROTO_H
#define LATCHKIT_BENCH_HEADPROTO_H

#include <latchkit/base.h>
#include <latchkit/lockmgr.h>

#include <stdio.h>
#include <stdlib.h>

/* The models' spin, in pauses: they model the head latch, not lk__wait. */
#define HP_SPIN_LIMIT 256

enum {
	V_LATCH,
	V_LATCH_COUNTS,
	V_PACKED,
	V_PACKED_CAS,
	V_LOCKMGR,
	V_LOCKMGR_DT,
	NV
};
static const char *const vname[NV] = {"latch",	    "latch-counts",
				      "packed",	    "packed-cas",
				      "lockmgr",    "lockmgr-dt"};

enum { W_PRIVATE, W_SHARED_S, W_SHARED_X, W_HOT16, NW };
static const char *const wname[NW] = {"private", "shared-S", "shared-X",
				      "hot16"};

enum { M_S = 0, M_X = 1 }; /* = LK_SX_S, LK_SX_X */

#define NRES 16     /* resources: >= the largest thread count of "private" */
#define MAXT 64
#define REQ_STRIDE 16 /* a thread's requests are its own block of 16, as a
		       * txn's cached batch is in lockmgr */

/* ---- waiting, shared by both models --------------------------------------- */

/* Spin with a pause, then yield; never park. Not lk__wait(): past its yield
 * phase it naps (nothing to park on here), which would add sleeps. */
typedef struct {
	uint32_t n;
} hp_wait_t;

static inline void hp_wait(hp_wait_t *w)
{
	if (w->n < HP_SPIN_LIMIT) {
		w->n++;
		lk__cpu_relax();
	} else {
		sched_yield();
	}
}

/* ---- the latch model ------------------------------------------------------- */

#define HP_LATCHED 1u
#define HP_PARKED 2u /* never set here; tested on release as lockmgr does */

typedef struct {
	uint32_t rprev, rnext; /* holder list (head latch) */
	uint32_t head, txn;
	uint8_t mode, want, status, kind;
	uint32_t pad[3]; /* 32 bytes, as lockmgr's request */
} hp_req_t;

typedef struct {
	LK_ATOMIC(uint32_t) lw; /* latch word */
	uint32_t holders;       /* holder list, request index, 0: none */
	uint32_t qhead;         /* wait queue: always empty here, but tested */
	uint16_t granted;       /* bit m: counts[m] > 0 */
	uint16_t nconv;         /* converting holders: always 0, but tested */
	uint16_t counts[2];
	uint64_t token; /* fencing counter, bumped on X grants */
} LK_CACHE_ALIGNED hp_lhead_t;

static hp_lhead_t lheads[NRES];
static hp_req_t reqs[1 + MAXT * REQ_STRIDE]; /* index 0: none */
static const uint16_t sx_conflicts[2] = {2u, 3u}; /* S: X; X: S and X */

static __attribute__((noinline)) void hp_latch_slow(hp_lhead_t *h)
{
	hp_wait_t wt = {0};
	for (;;) {
		uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
		/* acquire: see the previous critical section */
		if (!(w & HP_LATCHED) &&
		    atomic_compare_exchange_weak_explicit(
			    &h->lw, &w, w | HP_LATCHED, memory_order_acquire,
			    memory_order_relaxed))
			return;
		hp_wait(&wt);
	}
}

static inline void hp_latch(hp_lhead_t *h)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	/* acquire: see the previous critical section */
	if (lk__likely(!(w & HP_LATCHED)) &&
	    atomic_compare_exchange_strong_explicit(&h->lw, &w, w | HP_LATCHED,
						    memory_order_acquire,
						    memory_order_relaxed))
		return;
	hp_latch_slow(h);
}

static inline void hp_unlatch(hp_lhead_t *h)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	if (lk__likely(!(w & HP_PARKED))) {
		/* release: publish the critical section; a plain store, as
		 * lockmgr's head_unlatch when nobody parked */
		atomic_store_explicit(&h->lw, w & ~HP_LATCHED,
				      memory_order_release);
		return;
	}
	abort(); /* nobody parks in this model */
}

/* Grant ri on h in mode if nothing conflicts; true: granted. Latch held. */
static inline bool hp_grant(hp_lhead_t *h, uint32_t hi, uint32_t ri,
			    unsigned mode, uint32_t tid, uint64_t *tok)
{
	if (lk__unlikely((sx_conflicts[mode] & h->granted) | h->qhead |
			 h->nconv))
		return false;
	hp_req_t *q = &reqs[ri];
	q->head = hi;
	q->txn = tid;
	q->mode = q->want = (uint8_t)mode;
	q->status = 1;
	q->rprev = 0; /* push at the head of the holder list */
	q->rnext = h->holders;
	if (h->holders)
		reqs[h->holders].rprev = ri;
	h->holders = ri;
	h->counts[mode]++;
	h->granted |= (uint16_t)(1u << mode);
	*tok = mode == M_X ? ++h->token : 0;
	return true;
}

static inline uint64_t latch_lock(uint32_t hi, uint32_t ri, unsigned mode,
				  uint32_t tid)
{
	hp_lhead_t *h = &lheads[hi];
	hp_wait_t wt = {0};
	uint64_t tok;
	for (;;) {
		hp_latch(h);
		bool ok = hp_grant(h, hi, ri, mode, tid, &tok);
		hp_unlatch(h);
		if (lk__likely(ok))
			return tok;
		hp_wait(&wt); /* conflict: no queue modelled, retry */
	}
}

static inline void latch_unlock(uint32_t hi, uint32_t ri)
{
	hp_lhead_t *h = &lheads[hi];
	hp_req_t *q = &reqs[ri];
	hp_latch(h);
	if (q->rprev) /* unlink from the holder list */
		reqs[q->rprev].rnext = q->rnext;
	else
		h->holders = q->rnext;
	if (q->rnext)
		reqs[q->rnext].rprev = q->rprev;
	if (--h->counts[q->mode] == 0)
		h->granted &= (uint16_t)~(1u << q->mode);
	q->status = 0;
	if (lk__unlikely(h->qhead | h->nconv))
		abort(); /* the grant pass: never here */
	hp_unlatch(h);
}

/* The same head without the holder record (latch-counts). */
static inline uint64_t counts_lock(uint32_t hi, unsigned mode)
{
	hp_lhead_t *h = &lheads[hi];
	hp_wait_t wt = {0};
	for (;;) {
		hp_latch(h);
		if (lk__likely(!((sx_conflicts[mode] & h->granted) | h->qhead |
				 h->nconv))) {
			h->counts[mode]++;
			h->granted |= (uint16_t)(1u << mode);
			uint64_t tok = mode == M_X ? ++h->token : 0;
			hp_unlatch(h);
			return tok;
		}
		hp_unlatch(h);
		hp_wait(&wt); /* conflict: no queue modelled, retry */
	}
}

static inline void counts_unlock(uint32_t hi, unsigned mode)
{
	hp_lhead_t *h = &lheads[hi];
	hp_latch(h);
	if (--h->counts[mode] == 0)
		h->granted &= (uint16_t)~(1u << mode);
	if (lk__unlikely(h->qhead | h->nconv))
		abort(); /* the grant pass: never here */
	hp_unlatch(h);
}

/* ---- the packed word ----------------------------------------------------------- */

#define PK_X (1ull << 63)
#define PK_SLOW (1ull << 62) /* waiters: the fast path must find it clear */
#define PK_BLOCK_S (PK_X | PK_SLOW)

typedef struct {
	LK_ATOMIC(uint64_t) w; /* S count (low 32 bits) | PK_X | PK_SLOW */
} LK_CACHE_ALIGNED hp_pword_t;

static hp_pword_t pwords[NRES];

/* S by fetch_add: never fails against other readers; undo if X/slow. */
static inline void packed_lock_s(hp_pword_t *p)
{
	hp_wait_t wt = {0};
	for (;;) {
		/* acquire: see the last X holder's writes */
		uint64_t v = atomic_fetch_add_explicit(&p->w, 1,
						       memory_order_acquire);
		if (lk__likely(!(v & PK_BLOCK_S)))
			return;
		/* relaxed: the undone count published and protected nothing */
		atomic_fetch_sub_explicit(&p->w, 1, memory_order_relaxed);
		do
			hp_wait(&wt);
		while (atomic_load_explicit(&p->w, memory_order_relaxed) &
		       PK_BLOCK_S);
	}
}

/* S by CAS: the word changes only when S is really granted. */
static inline void packedcas_lock_s(hp_pword_t *p)
{
	hp_wait_t wt = {0};
	uint64_t v = atomic_load_explicit(&p->w, memory_order_relaxed);
	for (;;) {
		if (lk__unlikely(v & PK_BLOCK_S)) {
			hp_wait(&wt);
			v = atomic_load_explicit(&p->w, memory_order_relaxed);
			continue;
		}
		/* acquire: see the last X holder's writes */
		if (atomic_compare_exchange_weak_explicit(
			    &p->w, &v, v + 1, memory_order_acquire,
			    memory_order_relaxed))
			return;
	}
}

static inline void packed_lock_x(hp_pword_t *p)
{
#ifdef HP_BUG_NOEXCL
	/* seeded bug: X takes nothing; each cell's exclusion check must fail */
	atomic_fetch_add_explicit(&p->w, PK_X, memory_order_acquire);
	return;
#endif
	hp_wait_t wt = {0};
	for (;;) {
		uint64_t v = 0;
		/* acquire: see the previous holders' writes */
		if (lk__likely(atomic_compare_exchange_strong_explicit(
			    &p->w, &v, PK_X, memory_order_acquire,
			    memory_order_relaxed)))
			return;
		do
			hp_wait(&wt);
		while (atomic_load_explicit(&p->w, memory_order_relaxed) != 0);
	}
}

static inline void packed_unlock_s(hp_pword_t *p)
{
	/* release: our reads happen before a later X holder's writes */
	atomic_fetch_sub_explicit(&p->w, 1, memory_order_release);
}

/* fetch_add readers may hold a transient count while X is held: a store
 * of 0 would erase it and their undo would then underflow. */
static inline void packed_unlock_x(hp_pword_t *p)
{
	/* release: publish the critical section */
	atomic_fetch_sub_explicit(&p->w, PK_X, memory_order_release);
}

/* CAS readers never write a word with X set: a plain store releases. */
static inline void packedcas_unlock_x(hp_pword_t *p)
{
	/* release: publish the critical section */
	atomic_store_explicit(&p->w, 0, memory_order_release);
}

/* ---- the lock table --------------------------------------------------------------- */

static lk_res_t lkres[NRES];

static lk_lockmgr_t *lk_make(bool deferred)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.policy = LK_POLICY_DETECT;
	cfg.hierarchy = false;
	cfg.strict_2pl = false; /* lk_unlock is an early release */
	if (deferred)
		cfg.deadlock_timeout_ns = 1000000000u;
	cfg.modes = lk_modetable_sx();
	lk_lockmgr_t *m = NULL;
	int rc = lk_lockmgr_create(&cfg, &m);
	if (rc != LK_OK) {
		fprintf(stderr, "lk_lockmgr_create: %s\n", lk_strerror(rc));
		exit(4);
	}
	return m;
}

static void lk_fail(int rc, const char *what)
{
	fprintf(stderr, "headproto: %s: %s\n", what, lk_strerror(rc));
	exit(4);
}

/* ---- one lock+unlock, any variant ----------------------------------------------------- */

/* The exclusion check, the same work for every variant. */
typedef struct {
	LK_ATOMIC(uint32_t) xin; /* 1 while an X holder is inside */
	uint64_t xops;           /* X grants, bumped only by X holders */
} LK_CACHE_ALIGNED hp_guard_t;

static hp_guard_t guards[NRES];
static LK_ATOMIC(int) broken;

typedef struct {
	int v;
	uint32_t tid;
	uint32_t ri; /* latch model: this thread's request */
	lk_txn_t *tx;
} hp_ctx_t;

static inline void op_lock(const hp_ctx_t *c, const int v, uint32_t r,
			   unsigned mode)
{
	switch (v) {
	case V_LATCH:
		(void)latch_lock(r, c->ri, mode, c->tid);
		break;
	case V_LATCH_COUNTS:
		(void)counts_lock(r, mode);
		break;
	case V_PACKED:
		if (mode == M_X)
			packed_lock_x(&pwords[r]);
		else
			packed_lock_s(&pwords[r]);
		break;
	case V_PACKED_CAS:
		if (mode == M_X)
			packed_lock_x(&pwords[r]);
		else
			packedcas_lock_s(&pwords[r]);
		break;
	default: {
		int rc = lk_lock(c->tx, &lkres[r], (int)mode, LK_FOREVER,
				 LK_F_NOHIER);
		if (lk__unlikely(rc != LK_OK))
			lk_fail(rc, "lk_lock");
	}
	}
}

static inline void op_unlock(const hp_ctx_t *c, const int v, uint32_t r,
			     unsigned mode)
{
	switch (v) {
	case V_LATCH:
		latch_unlock(r, c->ri);
		break;
	case V_LATCH_COUNTS:
		counts_unlock(r, mode);
		break;
	case V_PACKED:
		if (mode == M_X)
			packed_unlock_x(&pwords[r]);
		else
			packed_unlock_s(&pwords[r]);
		break;
	case V_PACKED_CAS:
		if (mode == M_X)
			packedcas_unlock_x(&pwords[r]);
		else
			packed_unlock_s(&pwords[r]);
		break;
	default: {
		int rc = lk_unlock(c->tx, &lkres[r]);
		if (lk__unlikely(rc != LK_OK))
			lk_fail(rc, "lk_unlock");
	}
	}
}

#endif
