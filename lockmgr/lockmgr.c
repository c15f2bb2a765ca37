/*
 * lockmgr/lockmgr.c: the lock table. Design, invariants and latch order are
 * in lockmgr/README.md; this file follows it section by section.
 */
#include "lockmgr_int.h"

#include <assert.h>
#include <string.h>

_Static_assert(sizeof(struct lk__req) == 32, "a request is 32 bytes");
_Static_assert(sizeof(struct lk__txn) <= LK__TXN_SLOT, "txn slot fits");
_Static_assert(sizeof(lk_res_t) == 20, "resource is 20 bytes, no padding");

#define NONE LK_MODE_NONE

/* ---- status strings -------------------------------------------------------- */

const char *lk_strerror(int s)
{
	static const char *const msg[LK_NSTATUS] = {
		"LK_OK: success",
		"LK_WOULDBLOCK: not grantable without waiting",
		"LK_TIMEOUT: lock wait timed out",
		"LK_DEADLOCK: deadlock victim (abort the transaction)",
		"LK_WOUNDED: wounded by an older transaction (abort it)",
		"LK_NOMEM: lock table pool exhausted",
		"LK_INVAL: invalid argument or handle",
		"LK_NOTHELD: lock not held",
	};
	if (s < 0 || s >= LK_NSTATUS)
		return "LK_?: unknown status";
	return msg[s];
}

/* ---- mode tables ------------------------------------------------------------ */

static unsigned popc16(uint16_t x)
{
	return (unsigned)__builtin_popcount(x);
}

int lk_modetable_init(lk_modetable_t *t, unsigned n, const char *const *names,
		      const uint16_t *conflicts)
{
	if (!t || !conflicts || n < 1 || n > LK_MAX_MODES)
		return LK_INVAL;
	memset(t, 0, sizeof *t);
	t->nmodes = n;
	uint16_t all = (uint16_t)((1u << n) - 1);
	for (unsigned i = 0; i < n; i++) {
		t->conflicts[i] = conflicts[i] & all;
		if (names && names[i])
			snprintf(t->names[i], LK_MODE_NAME_MAX, "%s", names[i]);
		else
			snprintf(t->names[i], LK_MODE_NAME_MAX, "M%u", i);
		t->intention[i] = NONE;
		t->escalate[i] = NONE;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++)
			if (((t->conflicts[i] >> j) & 1u) !=
			    ((t->conflicts[j] >> i) & 1u))
				return LK_INVAL;
	/* supremum: a mode whose conflicts cover both; prefer a or b, else
	 * the fewest conflicts, then the lowest index */
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++) {
			uint16_t u = t->conflicts[a] | t->conflicts[b];
			unsigned best = NONE;
			if ((t->conflicts[a] & u) == u)
				best = a;
			else if ((t->conflicts[b] & u) == u)
				best = b;
			else
				for (unsigned c = 0; c < n; c++)
					if ((t->conflicts[c] & u) == u &&
					    (best == NONE ||
					     popc16(t->conflicts[c]) <
						     popc16(t->conflicts[best])))
						best = c;
			if (best == NONE)
				return LK_INVAL;
			t->supremum[a][b] = (uint8_t)best;
		}
	return LK_OK;
}

static lk_modetable_t mt_default, mt_pg, mt_sx;
static pthread_once_t mt_once = PTHREAD_ONCE_INIT;

static void mt_build(void)
{
	static const char *const dn[] = {"IS", "IX", "S", "SIX", "U", "X"};
	/* bit j of [i]: i conflicts with j; order IS IX S SIX U X */
	static const uint16_t dc[] = {0x20, 0x3C, 0x2A, 0x3E, 0x3A, 0x3F};
	lk_modetable_init(&mt_default, 6, dn, dc);
	static const uint8_t din[] = {LK_IS, LK_IX, LK_IS, LK_IX, LK_IX, LK_IX};
	static const uint8_t des[] = {NONE, NONE, LK_S, LK_SIX, LK_X, LK_X};
	memcpy(mt_default.intention, din, sizeof din);
	memcpy(mt_default.escalate, des, sizeof des);

	static const char *const pn[] = {
		"AccessShare", "RowShare", "RowExclusive",
		"ShareUpdateExclusive", "Share", "ShareRowExclusive",
		"Exclusive", "AccessExclusive"};
	static const uint16_t pc[] = {0x80, 0xC0, 0xF0, 0xF8,
				      0xEC, 0xFC, 0xFE, 0xFF};
	lk_modetable_init(&mt_pg, 8, pn, pc);

	static const char *const sn[] = {"S", "X"};
	static const uint16_t sc[] = {0x2, 0x3};
	lk_modetable_init(&mt_sx, 2, sn, sc);
}

const lk_modetable_t *lk_modetable_default(void)
{
	pthread_once(&mt_once, mt_build);
	return &mt_default;
}
const lk_modetable_t *lk_modetable_postgres(void)
{
	pthread_once(&mt_once, mt_build);
	return &mt_pg;
}
const lk_modetable_t *lk_modetable_sx(void)
{
	pthread_once(&mt_once, mt_build);
	return &mt_sx;
}

/* ---- config, registry, create/destroy ------------------------------------ */

void lk_lockmgr_config_init(lk_lockmgr_config_t *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof *cfg);
	cfg->max_txns = 1024;
	cfg->max_requests = 65536;
	cfg->policy = LK_POLICY_DETECT;
	cfg->deadlock_timeout_ns = 0;
	cfg->victim = LK_VICTIM_YOUNGEST;
	cfg->escalation_threshold = 0;
	cfg->fifo_strict = true;
	cfg->hierarchy = true;
	cfg->strict_2pl = false;
	cfg->modes = NULL;
}

/* Live managers, so that any pointer can be checked as a txn handle. Written
 * under reg_mu at create/destroy only; read latch-free by handle checks. */
#define LK__MAX_MGRS 64
static LK_ATOMIC(lk_lockmgr_t *) registry[LK__MAX_MGRS];
static LK_ATOMIC(int) registry_hi;
static LK_ATOMIC(uintptr_t) reg_base[LK__MAX_MGRS]; /* txn slot range; len 0: free */
static LK_ATOMIC(uintptr_t) reg_len[LK__MAX_MGRS];
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static uint32_t reg_epoch; /* under reg_mu: creates so far */

static bool mt_valid(const lk_modetable_t *t)
{
	if (t->nmodes < 1 || t->nmodes > LK_MAX_MODES)
		return false;
	for (unsigned i = 0; i < t->nmodes; i++) {
		for (unsigned j = 0; j < t->nmodes; j++) {
			if (((t->conflicts[i] >> j) & 1u) !=
			    ((t->conflicts[j] >> i) & 1u))
				return false;
			if (t->supremum[i][j] >= t->nmodes)
				return false;
		}
		if (t->conflicts[i] >> t->nmodes)
			return false;
		if (t->intention[i] != NONE && t->intention[i] >= t->nmodes)
			return false;
		if (t->escalate[i] != NONE && t->escalate[i] >= t->nmodes)
			return false;
	}
	return true;
}

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static void stacks_init(lk_lockmgr_t *m);

int lk_lockmgr_create(const lk_lockmgr_config_t *cfg, lk_lockmgr_t **out)
{
	if (!out)
		return LK_INVAL;
	*out = NULL;
	if (!cfg || cfg->max_txns < 1 || cfg->max_txns > 65535 ||
	    cfg->max_requests < 1 || cfg->max_requests > (1u << 28) ||
	    cfg->policy < LK_POLICY_NO_WAIT || cfg->policy > LK_POLICY_DETECT ||
	    cfg->victim < LK_VICTIM_YOUNGEST ||
	    cfg->victim > LK_VICTIM_FEWEST_LOCKS)
		return LK_INVAL;
	const lk_modetable_t *mt = cfg->modes ? cfg->modes : lk_modetable_default();
	if (!mt_valid(mt))
		return LK_INVAL;

	lk_lockmgr_t *m = (lk_lockmgr_t *)aligned_alloc(
		LK_CACHELINE, align_up(sizeof *m, LK_CACHELINE));
	if (!m)
		return LK_NOMEM;
	memset(m, 0, sizeof *m);
	m->cfg = *cfg;
	m->mt = *mt;
	m->cfg.modes = &m->mt;
	for (unsigned i = 0; i < mt->nmodes; i++) {
		if ((mt->conflicts[i] >> i) & 1u)
			m->excl |= (uint16_t)(1u << i);
		if (mt->intention[i] == i)
			m->intent |= (uint16_t)(1u << i);
	}
	m->ntxns = cfg->max_txns;
	m->nreqs = cfg->max_requests;
	m->nheads = cfg->max_requests;
	uint32_t nb = 16;
	while (nb < m->nheads)
		nb <<= 1;
	m->bmask = nb - 1;
	/* per-txn cache batch: 16, less when the pool is small, so that the
	 * caches of idle txns cannot hold a large share of it */
	m->req_batch = m->nreqs / (m->ntxns * 4u);
	m->req_batch = m->req_batch < 1 ? 1 : m->req_batch > 16 ? 16 : m->req_batch;

	/* one pool: txns | reqs | heads | buckets | graph scratch */
	size_t o_txn = 0;
	size_t o_req = align_up(o_txn + (size_t)m->ntxns * LK__TXN_SLOT, 64);
	size_t o_head = align_up(o_req + (size_t)(m->nreqs + 1) * sizeof(struct lk__req), 64);
	size_t o_bkt = align_up(o_head + (size_t)(m->nheads + 1) * sizeof(struct lk__head), 64);
	size_t o_goff = align_up(o_bkt + (size_t)nb * sizeof(struct lk__bucket), 64);
	size_t o_gadj = o_goff + (size_t)(m->ntxns + 1) * 4;
	size_t o_gseq = o_gadj + (size_t)(m->nreqs + 1) * 4;
	size_t o_greq = o_gseq + (size_t)m->ntxns * 4;
	size_t o_ghead = o_greq + (size_t)m->ntxns * 4;
	size_t o_gstk = o_ghead + (size_t)m->ntxns * 4;
	size_t o_gcol = o_gstk + (size_t)m->ntxns * 8;
	size_t total = align_up(o_gcol + m->ntxns, LK__TXN_SLOT);
	m->pool = (unsigned char *)aligned_alloc(LK__TXN_SLOT, total);
	if (!m->pool) {
		free(m);
		return LK_NOMEM;
	}
	memset(m->pool, 0, total);
	m->txns = m->pool + o_txn;
	m->reqs = (struct lk__req *)(void *)(m->pool + o_req);
	m->heads = (struct lk__head *)(void *)(m->pool + o_head);
	m->buckets = (struct lk__bucket *)(void *)(m->pool + o_bkt);
	m->g_off = (uint32_t *)(void *)(m->pool + o_goff);
	m->g_adj = (uint32_t *)(void *)(m->pool + o_gadj);
	m->g_seq = (uint32_t *)(void *)(m->pool + o_gseq);
	m->g_req = (uint32_t *)(void *)(m->pool + o_greq);
	m->g_head = (uint32_t *)(void *)(m->pool + o_ghead);
	m->g_stk = (uint32_t *)(void *)(m->pool + o_gstk);
	m->g_color = m->pool + o_gcol;

	/* free stacks: chains 1 -> 2 -> ... -> n, tag 0 */
	for (uint32_t i = 1; i <= m->nreqs; i++)
		atomic_store_explicit(&m->reqs[i].tnext, i < m->nreqs ? i + 1 : 0,
				      memory_order_relaxed);
	atomic_store_explicit(&m->req_free, 1, memory_order_relaxed);
	for (uint32_t i = 1; i <= m->nheads; i++) {
		atomic_store_explicit(&m->heads[i].next, i < m->nheads ? i + 1 : 0,
				      memory_order_relaxed);
		atomic_store_explicit(&m->heads[i].lw, (1u << 8) | LK__L_DEAD,
				      memory_order_relaxed);
	}
	atomic_store_explicit(&m->head_free, 1, memory_order_relaxed);
	stacks_init(m);
	/* generations start at a per-manager epoch, so a handle of a
	 * destroyed manager does not match the slots of one created later in
	 * its registry slot (until 4096 creates or 2^19 txns per slot) */
	pthread_mutex_lock(&reg_mu);
	uint32_t gen0 = ++reg_epoch << 20; /* even: free */
	pthread_mutex_unlock(&reg_mu);
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = (struct lk__txn *)(void *)(m->txns + (size_t)i * LK__TXN_SLOT);
		t->mgr = m;
		t->idx = i;
		atomic_store_explicit(&t->gen, gen0, memory_order_relaxed);
		atomic_store_explicit(&t->free_next, i + 1 < m->ntxns ? i + 2 : 0,
				      memory_order_relaxed);
	}
	atomic_store_explicit(&m->txn_free, 1, memory_order_relaxed);
	pthread_mutex_init(&m->det_mu, NULL);

	pthread_mutex_lock(&reg_mu);
	int slot = -1;
	for (int i = 0; i < LK__MAX_MGRS; i++)
		if (!atomic_load_explicit(&registry[i], memory_order_relaxed)) {
			slot = i;
			break;
		}
	if (slot < 0) {
		pthread_mutex_unlock(&reg_mu);
		pthread_mutex_destroy(&m->det_mu);
		free(m->pool);
		free(m);
		return LK_NOMEM;
	}
	m->reg_slot = slot;
	atomic_store_explicit(&reg_base[slot], (uintptr_t)m->txns, memory_order_relaxed);
	/* release: txn_get reads the length first, then this base */
	atomic_store_explicit(&reg_len[slot], (uintptr_t)m->ntxns * LK__TXN_SLOT,
			      memory_order_release);
	/* release: a thread that finds m in the registry sees it built */
	atomic_store_explicit(&registry[slot], m, memory_order_release);
	if (slot + 1 > atomic_load_explicit(&registry_hi, memory_order_relaxed))
		atomic_store_explicit(&registry_hi, slot + 1, memory_order_release);
	pthread_mutex_unlock(&reg_mu);
	*out = m;
	return LK_OK;
}

void lk_lockmgr_destroy(lk_lockmgr_t *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&reg_mu);
	int slot = -1; /* found by address: m itself is not read before */
	for (int i = 0; i < LK__MAX_MGRS; i++)
		if (atomic_load_explicit(&registry[i], memory_order_relaxed) == m)
			slot = i;
	bool ours = slot >= 0;
	if (ours) {
		atomic_store_explicit(&reg_len[slot], 0, memory_order_relaxed);
		atomic_store_explicit(&registry[slot], NULL, memory_order_relaxed);
	}
	pthread_mutex_unlock(&reg_mu);
	if (!ours)
		return; /* not a live manager: leave it alone */
	pthread_mutex_destroy(&m->det_mu);
	free(m->pool);
	free(m);
}

static bool mgr_live(const lk_lockmgr_t *m);

void lk_lockmgr_set_trace(lk_lockmgr_t *m, lk_trace_fn fn, void *ctx)
{
	if (!m || !mgr_live(m))
		return;
	m->trace = fn;
	m->trace_ctx = ctx;
}

size_t lk_request_size(void)
{
	return sizeof(struct lk__req);
}
size_t lk_head_size(void)
{
	return sizeof(struct lk__head);
}

/* ---- small helpers ------------------------------------------------------------ */

static inline struct lk__txn *txn_at(lk_lockmgr_t *m, uint32_t i)
{
	return (struct lk__txn *)(void *)(m->txns + (size_t)i * LK__TXN_SLOT);
}

/* A handle is not an address: (gen << 32) | (registry slot + 1) << 16 |
 * txn index. Checked arithmetically against the registry entry (static
 * memory, so a destroyed manager is never read): O(1), no scan. gen is
 * odd while the txn is active (begin and end each bump it), so one load
 * rejects stale handles until the 32-bit generation wraps. */
_Static_assert(sizeof(uintptr_t) >= 8, "handles pack 64 bits");
static inline struct lk__txn *txn_get(const lk_txn_t *h)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	uint32_t gen = (uint32_t)(v >> 32);
	uint32_t s = (uint32_t)(v >> 16) & 0xffffu; /* 1..LK__MAX_MGRS */
	uint32_t i = (uint32_t)v & 0xffffu;
	if (lk__unlikely(s - 1u >= LK__MAX_MGRS || !(gen & 1u)))
		return NULL;
	/* acquire: pairs with create's release of the length, so the base
	 * read after it is the one published with it */
	uintptr_t len = atomic_load_explicit(&reg_len[s - 1], memory_order_acquire);
	if (lk__unlikely((uintptr_t)i * LK__TXN_SLOT >= len))
		return NULL;
	/* relaxed: ordered by the length load above */
	struct lk__txn *t = (struct lk__txn *)(atomic_load_explicit(
		&reg_base[s - 1], memory_order_relaxed) + (uintptr_t)i * LK__TXN_SLOT);
	/* relaxed: only the owner thread uses a live handle; a stale one
	 * just has to fail */
	if (lk__unlikely(atomic_load_explicit(&t->gen, memory_order_relaxed) != gen))
		return NULL;
	return t;
}

static inline lk_txn_t *txn_handle(const lk_lockmgr_t *m, const struct lk__txn *t,
				   uint32_t gen)
{
	return (lk_txn_t *)(uintptr_t)(((uint64_t)gen << 32) |
				       ((uint64_t)(m->reg_slot + 1) << 16) | t->idx);
}

/* owner-only counter bump: relaxed load+store, no RMW (readers only sum) */
static inline void st_inc(struct lk__txn *t, int k)
{
	atomic_store_explicit(&t->st[k],
			      atomic_load_explicit(&t->st[k], memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline uint32_t res_hash(const lk_res_t *r)
{
	uint64_t a = (((uint64_t)r->f[0] << 32) | r->f[1]) ^ r->kind;
	uint64_t b = ((uint64_t)r->f[2] << 32) | r->f[3];
	uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) *
						       0xC2B2AE3D27D4EB4Full;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

static inline bool key_eq(const struct lk__head *h, const lk_res_t *r)
{
	/* relaxed: a racy key read is validated by the generation CAS */
	return atomic_load_explicit(&h->key[4], memory_order_relaxed) == r->f[3] &&
	       atomic_load_explicit(&h->key[3], memory_order_relaxed) == r->f[2] &&
	       atomic_load_explicit(&h->key[2], memory_order_relaxed) == r->f[1] &&
	       atomic_load_explicit(&h->key[1], memory_order_relaxed) == r->f[0] &&
	       atomic_load_explicit(&h->key[0], memory_order_relaxed) == r->kind;
}

static inline void head_key(const struct lk__head *h, lk_res_t *r)
{
	r->kind = atomic_load_explicit(&h->key[0], memory_order_relaxed);
	for (int i = 0; i < 4; i++)
		r->f[i] = atomic_load_explicit(&h->key[i + 1], memory_order_relaxed);
}

/* ---- latches ----------------------------------------------------------------- */

#define LK__LATCH_NAP_NS 1000000u /* a parked latch waiter rechecks after 1 ms */

/* Take h's latch. check_gen: fail (false) if h stops being generation gen;
 * otherwise the caller knows h cannot be recycled under it. */
static bool head_latch_slow(struct lk__head *h, bool check_gen, uint32_t gen)
{
	lk__wait_t wt = lk__wait_start(0);
	uint32_t extra = 0;
	for (;;) {
		uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
		if (check_gen && (LK__L_GEN(w) != gen || (w & LK__L_DEAD))) {
			/* a woken waiter must pass the wake on (it would have
			 * carried PARKED); the head died, so wake them all */
			if (extra)
				lk__futex_wake(&h->lw, INT32_MAX);
			return false;
		}
		if (!(w & LK__L_LATCHED)) {
			/* acquire: the critical section sees the last holder's writes */
			if (atomic_compare_exchange_weak_explicit(
				    &h->lw, &w, w | LK__L_LATCHED | extra,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (lk__wait_would_park(&wt)) {
			if (!(w & LK__L_PARKED)) {
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

static inline void head_latch(struct lk__head *h)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	/* acquire: see the previous critical section */
	if (lk__likely(!(w & LK__L_LATCHED)) &&
	    atomic_compare_exchange_strong_explicit(&h->lw, &w, w | LK__L_LATCHED,
						    memory_order_acquire,
						    memory_order_relaxed))
		return;
	head_latch_slow(h, false, 0);
}

static inline bool head_latch_gen(struct lk__head *h, uint32_t w)
{
	uint32_t gen = LK__L_GEN(w);
	if (lk__likely(!(w & (LK__L_LATCHED | LK__L_DEAD))) &&
	    atomic_compare_exchange_strong_explicit(&h->lw, &w, w | LK__L_LATCHED,
						    memory_order_acquire,
						    memory_order_relaxed))
		return true;
	return head_latch_slow(h, true, gen);
}

/* Release h's latch. Fast case (nobody announced a sleep): a plain release
 * store, no read-modify-write. A PARKED bit that a waiter CASes in between
 * our load and our store is overwritten: that waiter's futex wait then
 * either sees the word changed and returns, or sleeps until its backstop
 * (LK__LATCH_NAP_NS, head_latch_slow) and retries. Only parkers write the
 * word of a latched head, so nothing else can be lost. */
static inline void head_unlatch(struct lk__head *h)
{
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	if (lk__likely(!(w & LK__L_PARKED))) {
		/* release: publish the critical section */
		atomic_store_explicit(&h->lw, w & ~LK__L_LATCHED, memory_order_release);
		return;
	}
	uint32_t old = atomic_exchange_explicit(&h->lw, w & ~(LK__L_LATCHED | LK__L_PARKED),
						memory_order_release);
	if (old & LK__L_PARKED)
		lk__futex_wake(&h->lw, 1);
}

/* Bucket latch: the top bit of the bucket word. Taking it returns the
 * chain's first head; dropping it stores the (possibly new) first head,
 * which publishes a chain change and frees the latch in one store. */
static uint32_t blatch_lock(struct lk__bucket *bk)
{
	lk__wait_t wt = lk__wait_start(0);
	for (;;) {
		uint32_t w = atomic_load_explicit(&bk->w, memory_order_relaxed);
		/* acquire: the chain and floor as the last holder left them */
		if (!(w & LK__B_LATCHED) &&
		    atomic_compare_exchange_weak_explicit(&bk->w, &w, w | LK__B_LATCHED,
							  memory_order_acquire,
							  memory_order_relaxed))
			return w;
		lk__wait(&wt, NULL, 0);
	}
}

/* One attempt, for a thread that holds a head latch (the order is bucket
 * before head, so it must not wait). */
static inline bool blatch_try(struct lk__bucket *bk, uint32_t *first)
{
	uint32_t w = atomic_load_explicit(&bk->w, memory_order_relaxed);
	*first = w;
	/* acquire: as blatch_lock */
	return !(w & LK__B_LATCHED) &&
	       atomic_compare_exchange_strong_explicit(&bk->w, &w, w | LK__B_LATCHED,
						       memory_order_acquire,
						       memory_order_relaxed);
}

static inline void blatch_unlock(struct lk__bucket *bk, uint32_t first)
{
	/* release: the chain (and a new head's contents) before readers see it */
	atomic_store_explicit(&bk->w, first, memory_order_release);
}

/* A latch-free reader's view of a chain's first head. */
static inline uint32_t bucket_first(const struct lk__bucket *bk)
{
	/* acquire: a head reached is initialized (blatch_unlock's release) */
	return atomic_load_explicit(&bk->w, memory_order_acquire) & ~LK__B_LATCHED;
}

/* ---- free stacks (Treiber, tagged) ---------------------------------------- */

typedef struct lk__stack stk_t;

#define PACK(idx, tag) ((uint64_t)(idx) | ((uint64_t)(tag) << 32))

static inline LK_ATOMIC(uint32_t) *stk_link(const stk_t *s, uint32_t i)
{
	return (LK_ATOMIC(uint32_t) *)(void *)(s->base + (size_t)i * s->stride + s->off);
}

/* Pop up to max elements as a chain; returns its first index, its length
 * and its last index. */
static uint32_t stk_pop(const stk_t *s, uint32_t max, uint32_t *n_out,
			uint32_t *last_out)
{
	/* acquire: the pushers' link writes are visible */
	uint64_t top = atomic_load_explicit(s->top, memory_order_acquire);
	for (;;) {
		uint32_t first = (uint32_t)top, last = first, n = 1;
		if (!first)
			return 0;
		while (n < max) {
			/* relaxed: racy if another thread pops these; the
			 * tagged CAS below then fails */
			uint32_t nx = atomic_load_explicit(stk_link(s, last),
							   memory_order_relaxed);
			if (!nx || nx > s->n)
				break;
			last = nx;
			n++;
		}
		uint32_t rest = atomic_load_explicit(stk_link(s, last), memory_order_relaxed);
		if (rest > s->n)
			rest = 0; /* garbage from a race; the CAS will fail */
		if (atomic_compare_exchange_weak_explicit(
			    s->top, &top, PACK(rest, (top >> 32) + 1),
			    memory_order_acquire, memory_order_acquire)) {
			atomic_store_explicit(stk_link(s, last), 0, memory_order_relaxed);
			*n_out = n;
			*last_out = last;
			return first;
		}
	}
}

static void stk_push(const stk_t *s, uint32_t first, uint32_t last)
{
	uint64_t top = atomic_load_explicit(s->top, memory_order_relaxed);
	do {
		atomic_store_explicit(stk_link(s, last), (uint32_t)top,
				      memory_order_relaxed);
		/* release: the chain's links and contents before it is poppable */
	} while (!atomic_compare_exchange_weak_explicit(
		s->top, &top, PACK(first, (top >> 32) + 1),
		memory_order_release, memory_order_relaxed));
}

static bool drain_idle(lk_lockmgr_t *m);

/* A txn slot keeps a cache of free requests and one of free heads, across
 * the txns it runs: in a steady state a txn takes and gives back its
 * requests and heads without touching a shared line. A slot that runs dry
 * pops a batch (req_batch) from the shared stack, and when that is empty
 * too, drain_idle empties the caches of the slots no txn is using. The
 * caches are bounded (see README "Memory"): cache_trim gives the rest back. */
static bool cache_refill(lk_lockmgr_t *m, const stk_t *s, struct lk__cache *c)
{
	for (int tries = 0; tries < 2; tries++) {
		if ((c->first = stk_pop(s, m->req_batch, &c->n, &c->last)))
			return true;
		if (!drain_idle(m))
			break;
	}
	return false;
}

/* Take the first element (the cache is not empty). */
static inline uint32_t cache_take(const stk_t *s, struct lk__cache *c)
{
	uint32_t i = c->first;
	c->first = atomic_load_explicit(stk_link(s, i), memory_order_relaxed);
	if (!c->first)
		c->last = 0;
	c->n--;
	return i;
}

/* Put the chain first..last of n elements in front. */
static inline void cache_put(const stk_t *s, struct lk__cache *c, uint32_t first,
			     uint32_t last, uint32_t n)
{
	/* relaxed: owner-only links (a stale head reader finds it dead) */
	atomic_store_explicit(stk_link(s, last), c->first, memory_order_relaxed);
	if (!c->first)
		c->last = last;
	c->first = first;
	c->n += n;
}

/* Give back all but the keep (>= 1) newest elements. */
static void cache_trim(const stk_t *s, struct lk__cache *c, uint32_t keep)
{
	uint32_t k = c->first;
	for (uint32_t n = 1; n < keep; n++)
		k = atomic_load_explicit(stk_link(s, k), memory_order_relaxed);
	uint32_t rest = atomic_load_explicit(stk_link(s, k), memory_order_relaxed);
	atomic_store_explicit(stk_link(s, k), 0, memory_order_relaxed);
	stk_push(s, rest, c->last);
	c->last = k;
	c->n = keep;
}

/* Give back everything; true if there was anything. */
static bool cache_flush(const stk_t *s, struct lk__cache *c)
{
	if (!c->first)
		return false;
	stk_push(s, c->first, c->last);
	c->first = c->last = c->n = 0;
	return true;
}

/* The stacks' layout as constants, for the inlined cache operations on
 * the fast paths (m->rstk and m->hstk serve the out-of-line ones). */
static inline stk_t req_stk(const lk_lockmgr_t *m)
{
	stk_t s = {NULL, (unsigned char *)m->reqs, sizeof(struct lk__req),
		   offsetof(struct lk__req, tnext), 0};
	return s;
}

static inline stk_t head_stk(const lk_lockmgr_t *m)
{
	stk_t s = {NULL, (unsigned char *)m->heads, sizeof(struct lk__head),
		   offsetof(struct lk__head, next), 0};
	return s;
}

static void stacks_init(lk_lockmgr_t *m)
{
	m->rstk = req_stk(m);
	m->rstk.top = &m->req_free;
	m->rstk.n = m->nreqs;
	m->hstk = head_stk(m);
	m->hstk.top = &m->head_free;
	m->hstk.n = m->nheads;
}

static inline uint32_t req_alloc(lk_lockmgr_t *m, struct lk__txn *t)
{
	if (lk__unlikely(!t->rc.first) && !cache_refill(m, &m->rstk, &t->rc))
		return 0;
	stk_t s = req_stk(m);
	return cache_take(&s, &t->rc);
}

static inline void req_cache(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i)
{
	stk_t s = req_stk(m);
	m->reqs[i].status = LK__R_FREE;
	cache_put(&s, &t->rc, i, i, 1);
}

static uint32_t head_alloc(lk_lockmgr_t *m, struct lk__txn *t)
{
	if (!t->hc.first && !cache_refill(m, &m->hstk, &t->hc))
		return 0;
	stk_t s = head_stk(m);
	return cache_take(&s, &t->hc);
}

/* A txn frees heads other txns made, so the head cache is trimmed too: at
 * twice the batch, back to one batch (the slack keeps a txn that frees a
 * few more heads than it makes off the shared stack). */
static inline void head_cache(lk_lockmgr_t *m, struct lk__txn *t, uint32_t i)
{
	if (lk__unlikely(t->hc.n >= 2 * m->req_batch))
		cache_trim(&m->hstk, &t->hc, m->req_batch);
	stk_t s = head_stk(m);
	cache_put(&s, &t->hc, i, i, 1);
}

/* ---- trace ----------------------------------------------------------------- */

static void emit_slow(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
		      int ev, int mode, int prev, int status, bool waiting,
		      uint64_t token)
{
	lk_trace_t e;
	memset(&e, 0, sizeof e);
	/* relaxed: the head latch (held) orders events of one resource */
	e.seq = atomic_fetch_add_explicit(&m->seq, 1, memory_order_relaxed) + 1;
	e.txn_id = atomic_load_explicit(&t->id, memory_order_relaxed);
	head_key(h, &e.res);
	e.event = ev;
	e.mode = mode == NONE ? -1 : mode;
	e.prev_mode = prev == NONE ? -1 : prev;
	e.status = status;
	e.waiting = waiting;
	e.token = token;
	m->trace(m->trace_ctx, &e);
}

#define EMIT(m, t, h, ev, mode, prev, status, waiting, token)                   \
	do {                                                                   \
		if (lk__unlikely((m)->trace != NULL))                          \
			emit_slow(m, t, h, ev, mode, prev, status, waiting,    \
				  token);                                      \
	} while (0)

/* ---- resource heads: lookup, insert, free -------------------------------- */

/* Unlink idle head hi (h latched) from its chain, whose bucket latch is
 * held and whose first head is *first; fold its fencing counter into the
 * bucket's floor and kill it: bumping the generation makes every latch-free
 * reader's CAS on the old word fail. The caller frees hi. */
static void head_kill(lk_lockmgr_t *m, struct lk__bucket *bk, uint32_t *first,
		      struct lk__head *h, uint32_t hi)
{
	uint32_t nx = atomic_load_explicit(&h->next, memory_order_relaxed);
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
	if (bk->floor < h->token)
		bk->floor = h->token;
	/* As head_unlatch: a plain store unless a sleeper announced itself (a
	 * PARKED bit set after the load is lost to the store; that sleeper's
	 * nap ends its wait). release: readers that CAS the old generation
	 * fail, and the next owner of h sees it as left. */
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	uint32_t dead = ((LK__L_GEN(w) + 1) << 8) | LK__L_DEAD;
	if (lk__likely(!(w & LK__L_PARKED))) {
		atomic_store_explicit(&h->lw, dead, memory_order_release);
		return;
	}
	atomic_exchange_explicit(&h->lw, dead, memory_order_release);
	lk__futex_wake(&h->lw, INT32_MAX);
}

/* Drop h's latch after a release; if the release left it idle (no holder,
 * no waiter), free it when its bucket latch is free at once, so that the
 * table holds only heads in use and new heads come warm from the txn's
 * cache. If the bucket is busy it stays idle in its chain, and sweep finds
 * it when the heads run out. */
static inline void head_release(lk_lockmgr_t *m, struct lk__txn *t,
				struct lk__head *h)
{
	uint32_t first;
	if (h->holders | h->qhead) {
		head_unlatch(h);
		return;
	}
	struct lk__bucket *bk = &m->buckets[h->bucket];
	if (!blatch_try(bk, &first)) {
		head_unlatch(h);
		return;
	}
	uint32_t hi = (uint32_t)(h - m->heads);
	head_kill(m, bk, &first, h, hi);
	blatch_unlock(bk, first);
	head_cache(m, t, hi);
}

/* Free idle heads of a few buckets (a clock hand, one bucket latch at a
 * time); true if any. For heads left idle by a busy bucket latch, a
 * cancelled wait or an escalation. */
static bool sweep(lk_lockmgr_t *m)
{
	uint32_t freed = 0;
	const stk_t *s = &m->hstk;
	for (uint32_t n = 0; n <= m->bmask && freed < 64; n++) {
		/* relaxed: the hand only spreads sweepers over buckets */
		uint32_t b = atomic_fetch_add_explicit(&m->sweep_hand, 1,
						       memory_order_relaxed) & m->bmask;
		struct lk__bucket *bk = &m->buckets[b];
		if (!bucket_first(bk))
			continue;
		uint32_t first = blatch_lock(bk);
		for (uint32_t i = first; i;) {
			struct lk__head *h = &m->heads[i];
			uint32_t nx = atomic_load_explicit(&h->next, memory_order_relaxed);
			uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
			if (!(w & LK__L_LATCHED) &&
			    atomic_compare_exchange_strong_explicit(
				    &h->lw, &w, w | LK__L_LATCHED,
				    memory_order_acquire, memory_order_relaxed)) {
				if (!h->holders && !h->qhead) {
					head_kill(m, bk, &first, h, i);
					stk_push(s, i, i);
					freed++;
				} else {
					head_unlatch(h);
				}
			}
			i = nx;
		}
		blatch_unlock(bk, first);
	}
	return freed > 0;
}

/* Fill a free head for res in bucket b (its latch held): no holder, no
 * queue, tokens from the bucket's floor. Not yet reachable, so plain and
 * relaxed stores; publishing it is blatch_unlock's release. */
static inline void head_init(struct lk__head *h, const lk_res_t *r, uint32_t b,
			     const struct lk__bucket *bk)
{
	atomic_store_explicit(&h->key[0], r->kind, memory_order_relaxed);
	for (int k = 0; k < 4; k++)
		atomic_store_explicit(&h->key[k + 1], r->f[k], memory_order_relaxed);
	h->bucket = b;
	h->holders = h->qhead = h->qtail = 0;
	h->granted = 0;
	h->nconv = 0;
	memset(h->counts, 0, sizeof h->counts);
	h->token = bk->floor;
}

static uint32_t head_get_slow(lk_lockmgr_t *m, struct lk__txn *t,
			      const lk_res_t *r, uint32_t b, bool create);

/* Find (or, with create, make) res's head and return it latched; 0 when
 * absent (!create) or no head is left (create). */
static inline uint32_t head_get(lk_lockmgr_t *m, struct lk__txn *t,
				const lk_res_t *r, uint32_t hash, bool create)
{
	uint32_t b = hash & m->bmask;
	/* latch-free walk */
	uint32_t i = bucket_first(&m->buckets[b]);
	for (uint32_t steps = 0; i && steps <= m->nheads; steps++) {
		struct lk__head *h = &m->heads[i];
		uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
		if (!(w & LK__L_DEAD) && key_eq(h, r)) {
			if (lk__likely(head_latch_gen(h, w)))
				return i;
			break; /* recycled under us */
		}
		i = atomic_load_explicit(&h->next, memory_order_acquire);
		if (i > m->nheads)
			break;
	}
	return head_get_slow(m, t, r, b, create);
}

/* Under the bucket latch: find, or insert a new head (sweeping if none is
 * free). */
static __attribute__((noinline)) uint32_t
head_get_slow(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, uint32_t b,
	      bool create)
{
	struct lk__bucket *bk = &m->buckets[b];
	uint32_t i, first;
	for (;;) {
		first = blatch_lock(bk);
		for (i = first; i;) {
			struct lk__head *h = &m->heads[i];
			if (key_eq(h, r)) {
				/* linked heads only die under this bucket latch */
				head_latch(h);
				blatch_unlock(bk, first);
				return i;
			}
			i = atomic_load_explicit(&h->next, memory_order_relaxed);
		}
		if (!create) {
			blatch_unlock(bk, first);
			return 0;
		}
		i = head_alloc(m, t);
		if (i)
			break;
		blatch_unlock(bk, first); /* sweep takes bucket latches */
		if (!sweep(m))
			return 0;
	}
	struct lk__head *h = &m->heads[i];
	head_init(h, r, b, bk);
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	/* release: key before the live, latched word */
	atomic_store_explicit(&h->lw, (w & ~LK__L_DEAD & ~LK__L_PARKED) | LK__L_LATCHED,
			      memory_order_release);
	atomic_store_explicit(&h->next, first, memory_order_relaxed);
	blatch_unlock(bk, i); /* the head is initialized before it is reachable */
	return i;
}

/* ---- per-resource lists (head latch held) ---------------------------------- */

static inline void list_push(lk_lockmgr_t *m, uint32_t *headp, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	q->rprev = 0;
	q->rnext = *headp;
	if (*headp)
		m->reqs[*headp].rprev = ri;
	*headp = ri;
}

static inline void list_del(lk_lockmgr_t *m, uint32_t *headp, uint32_t *tailp,
			    uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	if (q->rprev)
		m->reqs[q->rprev].rnext = q->rnext;
	else
		*headp = q->rnext;
	if (q->rnext)
		m->reqs[q->rnext].rprev = q->rprev;
	else if (tailp)
		*tailp = q->rprev;
}

static inline void queue_append(lk_lockmgr_t *m, struct lk__head *h, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	q->rnext = 0;
	q->rprev = h->qtail;
	if (h->qtail)
		m->reqs[h->qtail].rnext = ri;
	else
		h->qhead = ri;
	h->qtail = ri;
}

static inline void count_add(struct lk__head *h, unsigned mode)
{
	h->counts[mode]++;
	h->granted |= (uint16_t)(1u << mode);
}

static inline void count_del(struct lk__head *h, unsigned mode)
{
	if (--h->counts[mode] == 0)
		h->granted &= (uint16_t)~(1u << mode);
}

/* granted modes, leaving out one holder in mode */
static inline uint16_t granted_but(const struct lk__head *h, unsigned mode)
{
	uint16_t g = h->granted;
	if (h->counts[mode] == 1)
		g &= (uint16_t)~(1u << mode);
	return g;
}

static uint16_t conv_wants(lk_lockmgr_t *m, const struct lk__head *h)
{
	uint16_t w = 0;
	if (!h->nconv)
		return 0;
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext)
		if (m->reqs[p].status == LK__R_CONVERTING)
			w |= (uint16_t)(1u << m->reqs[p].want);
	return w;
}

/* wanted modes of the queued requests before `upto` (0: all) */
static uint16_t queue_wants(lk_lockmgr_t *m, const struct lk__head *h,
			    uint32_t upto)
{
	uint16_t w = 0;
	for (uint32_t p = h->qhead; p && p != upto; p = m->reqs[p].rnext)
		w |= (uint16_t)(1u << m->reqs[p].want);
	return w;
}

static inline uint32_t find_holder(lk_lockmgr_t *m, const struct lk__head *h,
				   uint32_t tidx)
{
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext)
		if (m->reqs[p].txn == tidx)
			return p;
	return 0;
}

static inline uint64_t next_token(lk_lockmgr_t *m, struct lk__head *h,
				  unsigned mode)
{
	if (!((m->excl >> mode) & 1u))
		return 0;
	return ++h->token;
}

/* Set t's futex word and wake it if it parked. seq_cst: pairs with the
 * waiter's exchange-then-read of its flags (see README, Waiting). */
static inline void txn_signal(struct lk__txn *t)
{
	if (atomic_exchange_explicit(&t->wake, 1, memory_order_seq_cst) == 2)
		lk__futex_wake(&t->wake, 1);
}

/* A waiter was granted (its head latched): it stops waiting now, not when
 * it next runs, so eager detection's filter (blocker_waits) does not take
 * it for a waiter. seq_cst: as every wait_req store (README, Deadlocks). */
static inline void grant_signal(struct lk__txn *t)
{
	atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
	txn_signal(t);
}

static void wound(lk_lockmgr_t *m, struct lk__txn *by, struct lk__txn *v,
		  struct lk__head *h)
{
	if (atomic_fetch_or_explicit(&v->flags, LK__T_WOUNDED,
				     memory_order_seq_cst) & LK__T_WOUNDED)
		return;
	if (by) /* the running txn: its counters are written by it alone */
		st_inc(by, LK__ST_WOUNDS);
	EMIT(m, v, h, LK_EV_VICTIM, NONE, NONE, LK_WOUNDED, false, 0);
	txn_signal(v);
}

/* Blockers of request ri on h (latched): txns it waits for. Calls
 * fn(ctx, txn index) for each; returns how many. */
typedef void (*blk_fn)(void *ctx, uint32_t tidx);
static uint32_t blockers(lk_lockmgr_t *m, const struct lk__head *h, uint32_t ri,
			 blk_fn fn, void *ctx)
{
	const struct lk__req *q = &m->reqs[ri];
	uint16_t c = m->mt.conflicts[q->want];
	uint32_t n = 0;
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
		const struct lk__req *o = &m->reqs[p];
		if (p == ri)
			continue;
		bool b = (c >> o->mode) & 1u;
		/* a new request also waits for converters ahead of it */
		if (q->status == LK__R_WAITING && o->status == LK__R_CONVERTING &&
		    ((c >> o->want) & 1u))
			b = true;
		if (b) {
			fn(ctx, o->txn);
			n++;
		}
	}
	if (q->status == LK__R_WAITING && m->cfg.fifo_strict)
		for (uint32_t p = h->qhead; p && p != ri; p = m->reqs[p].rnext)
			if ((c >> m->reqs[p].want) & 1u) {
				fn(ctx, m->reqs[p].txn);
				n++;
			}
	return n;
}

/* One new wait-for edge waiter ot -> gt: the age rule of wait-die /
 * wound-wait. self: the running txn (its wound counter; NULL: ot's). */
static void age_edge(lk_lockmgr_t *m, struct lk__txn *self, struct lk__head *h,
		     struct lk__txn *ot, struct lk__txn *gt, uint64_t gid)
{
	uint64_t oid = atomic_load_explicit(&ot->id, memory_order_relaxed);
	if (m->cfg.policy == LK_POLICY_WAIT_DIE && oid > gid) {
		/* younger waits for older: it dies */
		atomic_store_explicit(&ot->victim_of,
				      atomic_load_explicit(&ot->wait_seq, memory_order_relaxed),
				      memory_order_seq_cst);
		txn_signal(ot);
	} else if (m->cfg.policy == LK_POLICY_WOUND_WAIT && oid < gid) {
		wound(m, self ? self : ot, gt, h);
	}
}

/* New edges waiter -> txn of request gi, for waiters that conflict with
 * `mode`. A grant that passes queued requests (a conversion, or any grant
 * without fifo_strict; mode = the granted mode) makes them for the queue,
 * and a granted conversion (grant = true) also for the other waiting
 * converters, which wait for every holder's mode. A conversion that
 * queues ahead of new requests (mode = its wanted mode, grant = false)
 * makes them for the queue. Applies the age rule of wait-die /
 * wound-wait to each. */
static void bypass_edges(lk_lockmgr_t *m, struct lk__txn *self, struct lk__head *h,
			 uint32_t gi, unsigned mode, bool grant)
{
	int pol = m->cfg.policy;
	if (pol != LK_POLICY_WAIT_DIE && pol != LK_POLICY_WOUND_WAIT)
		return;
	struct lk__req *g = &m->reqs[gi];
	struct lk__txn *gt = txn_at(m, g->txn);
	uint64_t gid = atomic_load_explicit(&gt->id, memory_order_relaxed);
	for (uint32_t p = h->qhead; p; p = m->reqs[p].rnext) {
		struct lk__req *o = &m->reqs[p];
		if ((m->mt.conflicts[o->want] >> mode) & 1u)
			age_edge(m, self, h, txn_at(m, o->txn), gt, gid);
	}
	if (!grant || !h->nconv)
		return;
	for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
		struct lk__req *o = &m->reqs[p];
		if (p != gi && o->status == LK__R_CONVERTING &&
		    ((m->mt.conflicts[o->want] >> mode) & 1u))
			age_edge(m, self, h, txn_at(m, o->txn), gt, gid);
	}
}

/* After anything left h: grant converters, then the queue (group grant). */
static __attribute__((noinline)) void grant_pass(lk_lockmgr_t *m, struct lk__head *h)
{
	if (h->nconv) {
		for (uint32_t p = h->holders; p; p = m->reqs[p].rnext) {
			struct lk__req *o = &m->reqs[p];
			if (o->status != LK__R_CONVERTING)
				continue;
			if (m->mt.conflicts[o->want] & granted_but(h, o->mode))
				continue;
			unsigned prev = o->mode;
			count_del(h, prev);
			count_add(h, o->want);
			o->mode = o->want;
			o->status = LK__R_GRANTED;
			h->nconv--;
			struct lk__txn *ot = txn_at(m, o->txn);
			ot->token_out = next_token(m, h, o->mode);
			EMIT(m, ot, h, LK_EV_CONVERT, o->mode, prev, LK_OK, false,
			     ot->token_out);
			grant_signal(ot);
			if (h->qhead || h->nconv)
				bypass_edges(m, NULL, h, p, o->mode, true);
		}
	}
	/* Strict: a waiter goes when compatible with the holders, the
	 * converters and every waiter still ahead of it (group grant, and no
	 * request ever passes one it conflicts with). */
	uint16_t cw = conv_wants(m, h), ahead = 0;
	uint32_t p = h->qhead;
	while (p) {
		struct lk__req *o = &m->reqs[p];
		uint32_t nx = o->rnext;
		uint16_t c = m->mt.conflicts[o->want];
		if (!(c & h->granted) && !(c & cw) &&
		    !(m->cfg.fifo_strict && (c & ahead))) {
			list_del(m, &h->qhead, &h->qtail, p);
			list_push(m, &h->holders, p);
			o->mode = o->want;
			o->status = LK__R_GRANTED;
			count_add(h, o->mode);
			struct lk__txn *ot = txn_at(m, o->txn);
			ot->token_out = next_token(m, h, o->mode);
			EMIT(m, ot, h, LK_EV_GRANT, o->mode, NONE, LK_OK, false,
			     ot->token_out);
			grant_signal(ot);
			if (!m->cfg.fifo_strict)
				bypass_edges(m, NULL, h, p, o->mode, false);
		} else {
			ahead |= (uint16_t)(1u << o->want);
		}
		p = nx;
	}
}

/* Release granted request ri (h latched); the caller frees it. */
static inline __attribute__((always_inline)) void
release_req(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	list_del(m, &h->holders, NULL, ri);
	count_del(h, q->mode);
	EMIT(m, t, h, LK_EV_RELEASE, q->mode, q->mode, LK_OK, false, 0);
	if (lk__unlikely(h->qhead | h->nconv))
		grant_pass(m, h);
}

/* ---- txn list (owner only) ----------------------------------------------------- */

static inline void tlist_add(lk_lockmgr_t *m, struct lk__txn *t, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	q->tprev = 0;
	atomic_store_explicit(&q->tnext, t->locks, memory_order_relaxed);
	if (t->locks)
		m->reqs[t->locks].tprev = ri;
	t->locks = ri;
	atomic_store_explicit(&t->nlocks,
			      atomic_load_explicit(&t->nlocks, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline void tlist_del(lk_lockmgr_t *m, struct lk__txn *t, uint32_t ri)
{
	struct lk__req *q = &m->reqs[ri];
	uint32_t nx = atomic_load_explicit(&q->tnext, memory_order_relaxed);
	if (q->tprev)
		atomic_store_explicit(&m->reqs[q->tprev].tnext, nx, memory_order_relaxed);
	else
		t->locks = nx;
	if (nx)
		m->reqs[nx].tprev = q->tprev;
	atomic_store_explicit(&t->nlocks,
			      atomic_load_explicit(&t->nlocks, memory_order_relaxed) - 1,
			      memory_order_relaxed);
	for (int k = 0; k < 3; k++)
		if (t->anc[k] == ri)
			t->anc[k] = 0;
}

/* ---- the deadlock detector ------------------------------------------------------- */

struct edge_ctx {
	lk_lockmgr_t *m;
	uint32_t n, cap;
	uint32_t *out;
};
static void edge_add(void *c, uint32_t tidx)
{
	struct edge_ctx *e = (struct edge_ctx *)c;
	if (e->n < e->cap)
		e->out[e->n] = tidx;
	e->n++;
}

/* Blockers of txn ti's current wait into out[0..cap); returns the count,
 * or UINT32_MAX when ti is not (or no longer) waiting. *seq, *head, *want
 * (may be NULL) say which wait it was. */
static uint32_t txn_edges(lk_lockmgr_t *m, uint32_t ti, uint32_t *out,
			  uint32_t cap, uint32_t *seq_out, uint32_t *head_out,
			  uint32_t *want_out)
{
	struct lk__txn *t = txn_at(m, ti);
	/* seq_cst: pairs with the waiter's publication (README, Deadlocks) */
	uint32_t seq = atomic_load_explicit(&t->wait_seq, memory_order_seq_cst);
	uint32_t ri = atomic_load_explicit(&t->wait_req, memory_order_seq_cst);
	uint32_t hi = atomic_load_explicit(&t->wait_head, memory_order_seq_cst);
	if (!ri || !hi || hi > m->nheads ||
	    atomic_load_explicit(&t->victim_of, memory_order_seq_cst) == seq)
		return UINT32_MAX;
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(h, w))
		return UINT32_MAX;
	/* under the latch the wait is stable: recheck it is the same one */
	if (atomic_load_explicit(&t->wait_seq, memory_order_seq_cst) != seq ||
	    atomic_load_explicit(&t->wait_req, memory_order_seq_cst) != ri ||
	    m->reqs[ri].txn != ti ||
	    (m->reqs[ri].status != LK__R_WAITING &&
	     m->reqs[ri].status != LK__R_CONVERTING)) {
		head_unlatch(h);
		return UINT32_MAX;
	}
	struct edge_ctx e = {m, 0, cap, out};
	blockers(m, h, ri, edge_add, &e);
	if (want_out)
		*want_out = m->reqs[ri].want;
	head_unlatch(h);
	if (seq_out)
		*seq_out = seq;
	if (head_out)
		*head_out = hi;
	return e.n;
}

/* Build the wait-for graph of every waiting txn into g_off/g_adj. The
 * wait sequence numbers of all txns are read first, before any edge: a txn
 * whose wait is still that one when the cycle is verified has waited since
 * before every edge was read, so it released nothing in between and the
 * edges into it still hold (an edge to a txn that was running when read
 * may be gone: it can release and queue again behind its waiter). */
static void graph_build(lk_lockmgr_t *m)
{
	uint32_t used = 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		m->g_req[i] = 0;
		if (atomic_load_explicit(&t->state, memory_order_acquire) != 1)
			continue;
		/* seq_cst: pairs with the waiter's publication (seq, then req) */
		m->g_seq[i] = atomic_load_explicit(&t->wait_seq, memory_order_seq_cst);
		if (atomic_load_explicit(&t->wait_req, memory_order_seq_cst))
			m->g_req[i] = 1; /* waiting at the snapshot */
	}
	for (uint32_t i = 0; i < m->ntxns; i++) {
		m->g_off[i] = used;
		if (!m->g_req[i])
			continue;
		m->g_req[i] = 0;
		uint32_t want = 0, seq = 0;
		uint32_t n = txn_edges(m, i, m->g_adj + used, m->nreqs - used,
				       &seq, &m->g_head[i], &want);
		if (n == UINT32_MAX || seq != m->g_seq[i])
			continue; /* not waiting, or a wait begun after the snapshot */
		if (n > m->nreqs - used)
			n = m->nreqs - used; /* cannot happen: edges <= requests */
		m->g_req[i] = want + 1;
		used += n;
	}
	m->g_off[m->ntxns] = used;
}

/* Is txn ti still in the wait graph_build read (same wait, not granted
 * yet)? Takes its head's latch; the caller holds none. */
static bool still_waiting(lk_lockmgr_t *m, uint32_t ti)
{
	struct lk__txn *t = txn_at(m, ti);
	uint32_t seq = m->g_seq[ti];
	if (!m->g_req[ti])
		return false;
	struct lk__head *h = &m->heads[m->g_head[ti]];
	/* the wait may have ended and the head been recycled: latch only the
	 * live generation seen; if ti is still in the wait, its request is on
	 * this head, which then cannot have been recycled */
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(h, w))
		return false;
	uint32_t ri = atomic_load_explicit(&t->wait_req, memory_order_seq_cst);
	bool ok = atomic_load_explicit(&t->wait_seq, memory_order_seq_cst) == seq &&
		  ri && ri <= m->nreqs && m->reqs[ri].txn == ti &&
		  m->reqs[ri].head == m->g_head[ti] &&
		  (m->reqs[ri].status == LK__R_WAITING ||
		   m->reqs[ri].status == LK__R_CONVERTING) &&
		  atomic_load_explicit(&t->victim_of, memory_order_seq_cst) != seq;
	head_unlatch(h);
	return ok;
}

/* Iterative DFS over all txns; on a cycle, stores it in cyc (stack order)
 * and returns its length, else 0. */
static uint32_t graph_cycle(lk_lockmgr_t *m, uint32_t start, uint32_t *cyc)
{
	uint32_t n = m->ntxns;
	memset(m->g_color, 0, n);
	uint32_t *stk = m->g_stk; /* pairs: node, next edge offset */
	for (uint32_t k = 0; k < n; k++) {
		uint32_t root = (start + k) % n;
		if (m->g_color[root])
			continue;
		uint32_t sp = 0;
		stk[0] = root;
		stk[1] = m->g_off[root];
		m->g_color[root] = 1;
		sp = 1;
		while (sp) {
			uint32_t u = stk[2 * (sp - 1)];
			uint32_t e = stk[2 * (sp - 1) + 1];
			uint32_t end = m->g_req[u] ? m->g_off[u + 1] : m->g_off[u];
			if (e >= end) {
				m->g_color[u] = 2;
				sp--;
				continue;
			}
			stk[2 * (sp - 1) + 1] = e + 1;
			uint32_t v = m->g_adj[e];
			if (v >= n)
				continue;
			if (m->g_color[v] == 1) {
				/* cycle: from v's frame to the top */
				uint32_t len = 0, f = 0;
				while (stk[2 * f] != v)
					f++;
				for (; f < sp; f++)
					cyc[len++] = stk[2 * f];
				return len;
			}
			if (m->g_color[v] == 0) {
				m->g_color[v] = 1;
				stk[2 * sp] = v;
				stk[2 * sp + 1] = m->g_off[v];
				sp++;
			}
		}
	}
	return 0;
}

/* Search for cycles and break each with one victim. Returns true if t
 * itself was chosen. */
static bool detect(lk_lockmgr_t *m, struct lk__txn *self)
{
	bool me = false;
	pthread_mutex_lock(&m->det_mu);
	uint32_t *cyc = (uint32_t *)malloc(sizeof(uint32_t) * m->ntxns);
	if (!cyc) {
		pthread_mutex_unlock(&m->det_mu);
		return false;
	}
	for (int round = 0; round < 16; round++) {
		graph_build(m);
		uint32_t len = graph_cycle(m, self->idx, cyc);
		if (!len)
			break;
		/* real only if every member is still in the wait we read */
		bool real = true;
		for (uint32_t k = 0; k < len && real; k++)
			real = still_waiting(m, cyc[k]);
		if (!real)
			continue;
		uint32_t v = cyc[0];
		for (uint32_t k = 1; k < len; k++) {
			struct lk__txn *a = txn_at(m, cyc[k]), *b = txn_at(m, v);
			uint64_t ia = atomic_load_explicit(&a->id, memory_order_relaxed);
			uint64_t ib = atomic_load_explicit(&b->id, memory_order_relaxed);
			if (m->cfg.victim == LK_VICTIM_FEWEST_LOCKS) {
				uint32_t la = atomic_load_explicit(&a->nlocks, memory_order_relaxed);
				uint32_t lb = atomic_load_explicit(&b->nlocks, memory_order_relaxed);
				if (la < lb || (la == lb && ia > ib))
					v = cyc[k];
			} else if (ia > ib) {
				v = cyc[k];
			}
		}
		struct lk__txn *vt = txn_at(m, v);
		atomic_store_explicit(&vt->victim_of, m->g_seq[v], memory_order_seq_cst);
		if (vt == self)
			me = true;
		else
			txn_signal(vt);
	}
	free(cyc);
	pthread_mutex_unlock(&m->det_mu);
	return me;
}

/* ---- acquire ---------------------------------------------------------------- */

struct age_ctx {
	lk_lockmgr_t *m;
	uint64_t my_id;
	bool older_seen;   /* a blocker older than me */
	struct lk__txn *me;
	struct lk__head *h;
};
static void age_check(void *c, uint32_t tidx)
{
	struct age_ctx *a = (struct age_ctx *)c;
	struct lk__txn *b = txn_at(a->m, tidx);
	uint64_t id = atomic_load_explicit(&b->id, memory_order_relaxed);
	if (id < a->my_id)
		a->older_seen = true;
}
static void age_wound(void *c, uint32_t tidx)
{
	struct age_ctx *a = (struct age_ctx *)c;
	struct lk__txn *b = txn_at(a->m, tidx);
	uint64_t id = atomic_load_explicit(&b->id, memory_order_relaxed);
	if (id > a->my_id)
		wound(a->m, a->me, b, a->h);
}

/* Eager detection's filter: does one of the txns a new wait waits for
 * wait itself? If none does, the new wait closes no cycle now, and a cycle
 * it later joins is closed by another txn starting to wait, which then sees
 * its successor in the cycle waiting. seq_cst: each waiter stores its
 * wait_req, then loads its blockers'; of two waits in one cycle the later
 * one in that order sees the earlier (README, Deadlocks). */
struct waits_ctx {
	lk_lockmgr_t *m;
	bool any;
};
static void blocker_waits(void *c, uint32_t tidx)
{
	struct waits_ctx *x = (struct waits_ctx *)c;
	if (atomic_load_explicit(&txn_at(x->m, tidx)->wait_req, memory_order_seq_cst))
		x->any = true;
}

/* Undo a wait (h latched): remove a queued request or cancel a conversion. */
static void wait_cancel(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
			uint32_t ri, bool is_new)
{
	struct lk__req *q = &m->reqs[ri];
	if (is_new) {
		list_del(m, &h->qhead, &h->qtail, ri);
	} else {
		q->status = LK__R_GRANTED;
		q->want = q->mode;
		h->nconv--;
	}
	atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
	if (h->qhead || h->nconv)
		grant_pass(m, h);
}

static int lock_wait(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
		     uint32_t hi, uint32_t ri, bool is_new, unsigned target,
		     bool nowait, uint64_t deadline, uint64_t *token, uint32_t *rq,
		     bool *fresh, uint64_t bit);

/*
 * Lock one resource. On LK_OK *rq = the txn's request on it, *fresh = a new
 * request was made. deadline: 0 = forever; nowait: never wait.
 */
static int lock_one(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r,
		    unsigned mode, bool nowait, uint64_t deadline, uint64_t *token,
		    uint32_t *rq, bool *fresh)
{
	uint32_t hash = res_hash(r);
	uint32_t ri = req_alloc(m, t); /* 0: none left; fine for a relock */
	uint32_t hi = head_get(m, t, r, hash, true);
	if (lk__unlikely(!hi)) {
		if (ri)
			req_cache(m, t, ri);
		return LK_NOMEM;
	}
	struct lk__head *h = &m->heads[hi];
	uint64_t bit = 1ull << (hi & 63);
	uint32_t own = (t->bloom & bit) ? find_holder(m, h, t->idx) : 0;
	*fresh = false;
	bool is_new = !own;
	unsigned target;
	if (!own && lk__unlikely(!ri)) {
		head_unlatch(h);
		return LK_NOMEM;
	}
	if (own) {
		if (ri)
			req_cache(m, t, ri);
		ri = own;
		struct lk__req *q = &m->reqs[ri];
		target = m->mt.supremum[q->mode][mode];
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
				bypass_edges(m, t, h, ri, target, true);
			head_unlatch(h);
			st_inc(t, LK__ST_ACQUIRED);
			if (token)
				*token = tok;
			*rq = ri;
			return LK_OK;
		}
		q->want = (uint8_t)target;
	} else {
		target = mode;
		EMIT(m, t, h, LK_EV_REQUEST, mode, NONE, LK_OK, false, 0);
		uint16_t c = m->mt.conflicts[mode];
		if (!(c & h->granted) &&
		    (!(h->qhead | h->nconv) ||
		     !(c & (conv_wants(m, h) |
			    (m->cfg.fifo_strict ? queue_wants(m, h, 0) : 0))))) {
			struct lk__req *q = &m->reqs[ri];
			q->head = hi;
			q->txn = t->idx;
			q->mode = q->want = (uint8_t)mode;
			q->status = LK__R_GRANTED;
			q->kind = (uint8_t)r->kind;
			q->nchild = 0;
			list_push(m, &h->holders, ri);
			count_add(h, mode);
			uint64_t tok = next_token(m, h, mode);
			EMIT(m, t, h, LK_EV_GRANT, mode, NONE, LK_OK, false, tok);
			if (!m->cfg.fifo_strict && h->qhead)
				bypass_edges(m, t, h, ri, mode, false);
			head_unlatch(h);
			t->bloom |= bit;
			tlist_add(m, t, ri);
			st_inc(t, LK__ST_ACQUIRED);
			if (token)
				*token = tok;
			*rq = ri;
			*fresh = true;
			return LK_OK;
		}
		struct lk__req *q = &m->reqs[ri];
		q->head = hi;
		q->txn = t->idx;
		q->mode = NONE;
		q->want = (uint8_t)mode;
		q->status = LK__R_WAITING;
		q->kind = (uint8_t)r->kind;
		q->nchild = 0;
	}
	return lock_wait(m, t, h, hi, ri, is_new, target, nowait, deadline, token,
			 rq, fresh, bit);
}

/* lock_one's tail when the request cannot be granted at once (h latched):
 * the policy decides, then it queues and waits. Out of line: the fast
 * path stays small. */
static __attribute__((noinline)) int
lock_wait(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t hi,
	  uint32_t ri, bool is_new, unsigned target, bool nowait,
	  uint64_t deadline, uint64_t *token, uint32_t *rq, bool *fresh,
	  uint64_t bit)
{
	struct lk__req *q = &m->reqs[ri];
	int pol = m->cfg.policy;
	int fail = LK_OK;
	if (nowait || pol == LK_POLICY_NO_WAIT) {
		fail = LK_WOULDBLOCK;
	} else if (pol == LK_POLICY_WAIT_DIE) {
		/* put it in place to see who it would wait for */
		struct age_ctx a = {m, atomic_load_explicit(&t->id, memory_order_relaxed),
				    false, t, h};
		if (is_new)
			queue_append(m, h, ri);
		else
			q->status = LK__R_CONVERTING;
		blockers(m, h, ri, age_check, &a);
		if (is_new)
			list_del(m, &h->qhead, &h->qtail, ri);
		else
			q->status = LK__R_GRANTED;
		if (a.older_seen)
			fail = LK_DEADLOCK;
	}
	if (fail != LK_OK) {
		if (fail == LK_WOULDBLOCK)
			EMIT(m, t, h, LK_EV_TIMEOUT, target, is_new ? NONE : q->mode,
			     LK_WOULDBLOCK, false, 0);
		else
			EMIT(m, t, h, LK_EV_VICTIM, target, is_new ? NONE : q->mode,
			     LK_DEADLOCK, true, 0);
		if (!is_new)
			q->want = q->mode;
		head_unlatch(h);
		if (is_new)
			req_cache(m, t, ri);
		st_inc(t, fail == LK_WOULDBLOCK ? LK__ST_WOULDBLOCKS : LK__ST_DEADLOCKS);
		return fail;
	}
	if (is_new) {
		queue_append(m, h, ri);
		t->bloom |= bit;
		tlist_add(m, t, ri); /* so that abort finds it even mid-wait */
	} else {
		q->status = LK__R_CONVERTING;
		h->nconv++;
	}
	EMIT(m, t, h, LK_EV_WAIT, target, is_new ? NONE : q->mode, LK_OK, false, 0);
	if (pol == LK_POLICY_WOUND_WAIT) {
		struct age_ctx a = {m, atomic_load_explicit(&t->id, memory_order_relaxed),
				    false, t, h};
		blockers(m, h, ri, age_wound, &a);
	}
	/* a conversion queues ahead of every new request: the conflicting
	 * ones now wait for it too (blockers()), so the age rule applies to
	 * those edges when it queues, not only when it is granted */
	if (!is_new && h->qhead)
		bypass_edges(m, t, h, ri, target, false);
	/* publish the wait; seq_cst: the detector and wounders (README) */
	atomic_exchange_explicit(&t->wake, 0, memory_order_seq_cst);
	uint32_t seq = atomic_load_explicit(&t->wait_seq, memory_order_relaxed) + 1;
	atomic_store_explicit(&t->wait_seq, seq, memory_order_seq_cst);
	atomic_store_explicit(&t->wait_head, hi, memory_order_seq_cst);
	atomic_store_explicit(&t->wait_req, ri, memory_order_seq_cst);
	uint64_t now = lk__now_ns();
	atomic_store_explicit(&t->wait_start, now, memory_order_relaxed);
	st_inc(t, LK__ST_WAITED);
	bool wounded_now = (atomic_load_explicit(&t->flags, memory_order_seq_cst) &
			    LK__T_WOUNDED) != 0;
	bool det_on = pol == LK_POLICY_DETECT;
	/* a new request of a txn that holds nothing else needs no search:
	 * only requests queued after it can wait for it, and the later of
	 * two waits is the one that searches (README, Deadlocks) */
	struct waits_ctx wc = {m, false};
	if (det_on && m->cfg.deadlock_timeout_ns == 0 &&
	    (!is_new || atomic_load_explicit(&t->nlocks, memory_order_relaxed) > 1))
		blockers(m, h, ri, blocker_waits, &wc);
	/* the spin budget (README, Waiting): none when a txn we wait for
	 * waits itself, since it cannot release before it runs again */
	struct waits_ctx sc = wc;
	if (!sc.any)
		blockers(m, h, ri, blocker_waits, &sc);
	uint64_t spin_ns = sc.any ? 0 : lk__park_cost_ns();
	head_unlatch(h);

	/* DETECT: search once after deadlock_timeout (0: now), then again
	 * with doubling gaps as a backstop (a search whose cycle could not be
	 * verified because its members moved is thus repeated) */
	uint64_t det_gap = m->cfg.deadlock_timeout_ns ? m->cfg.deadlock_timeout_ns
						      : 50000000u;
	uint64_t det_at = now + m->cfg.deadlock_timeout_ns;
	if (det_on && m->cfg.deadlock_timeout_ns == 0) {
		if (wc.any && detect(m, t))
			wounded_now = true; /* victim: go check at once */
		det_at = now + det_gap;
	}
	uint64_t wdl = deadline;
	if (det_on && (!wdl || det_at < wdl))
		wdl = det_at;
	lk__wait_t w = lk__wait_start(wdl);
	w.spin_ns = spin_ns;
	bool check = wounded_now, timed_out = false;
	for (;;) {
		uint32_t v = atomic_load_explicit(&t->wake, memory_order_acquire);
		if (v == 1 || check) {
			/* check under the latch what happened */
			check = false;
			head_latch(h);
			atomic_exchange_explicit(&t->wake, 0, memory_order_seq_cst);
			uint32_t fl = atomic_load_explicit(&t->flags, memory_order_seq_cst);
			bool victim = atomic_load_explicit(&t->victim_of,
							   memory_order_seq_cst) == seq;
			if (q->status == LK__R_GRANTED && q->mode == target) {
				atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
				head_unlatch(h);
				break;
			}
			int rc = victim ? LK_DEADLOCK
				 : (fl & LK__T_WOUNDED) ? LK_WOUNDED
				 : (timed_out || (deadline && lk__now_ns() >= deadline))
					 ? LK_TIMEOUT
					 : LK_OK;
			if (rc == LK_OK) { /* spurious */
				head_unlatch(h);
				continue;
			}
			unsigned prev = is_new ? NONE : q->mode;
			/* the event first: the grants the cancel lets through
			 * come after it in the resource's order */
			if (rc == LK_TIMEOUT)
				EMIT(m, t, h, LK_EV_TIMEOUT, target, prev, rc, false, 0);
			else
				EMIT(m, t, h, LK_EV_VICTIM, target, prev, rc, true, 0);
			wait_cancel(m, t, h, ri, is_new);
			head_unlatch(h);
			if (is_new) {
				tlist_del(m, t, ri);
				req_cache(m, t, ri);
			}
			if (rc == LK_TIMEOUT)
				st_inc(t, LK__ST_TIMEOUTS);
			else if (rc == LK_DEADLOCK)
				st_inc(t, LK__ST_DEADLOCKS);
			return rc;
		}
		if (lk__wait_would_park(&w) && v == 0) {
			uint32_t z = 0;
			/* relaxed: the futex syscall orders the sleep itself */
			if (!atomic_compare_exchange_strong_explicit(
				    &t->wake, &z, 2, memory_order_relaxed,
				    memory_order_relaxed))
				continue;
			v = 2;
		}
		if (!lk__wait(&w, &t->wake, v)) {
			uint64_t tnow = lk__now_ns();
			if (det_on && tnow >= det_at && (!deadline || tnow < deadline)) {
				check = detect(m, t); /* true: we are the victim */
				if (det_gap < 1000000000u)
					det_gap *= 2;
				det_at = tnow + det_gap;
				wdl = deadline && deadline < det_at ? deadline : det_at;
				w = lk__wait_start(wdl);
				w.spin_ns = 0; /* waited long already: park */
				continue;
			}
			timed_out = true;
			check = true;
		}
	}
	st_inc(t, LK__ST_ACQUIRED);
	if (token)
		*token = t->token_out;
	*rq = ri;
	*fresh = is_new;
	return LK_OK;
}

/* ---- escalation ---------------------------------------------------------------- */

static inline bool under_table(lk_lockmgr_t *m, const struct lk__req *o,
			       const lk_res_t *tab)
{
	const struct lk__head *oh = &m->heads[o->head];
	return (o->kind == LK_RES_ROW || o->kind == LK_RES_PAGE) &&
	       atomic_load_explicit(&oh->key[1], memory_order_relaxed) == tab->f[0] &&
	       atomic_load_explicit(&oh->key[2], memory_order_relaxed) == tab->f[1];
}

/* t's row count under table request tri passed the threshold: try to
 * convert the table lock, without waiting, to cover every row and page
 * lock of t under it; if granted, release those. Otherwise no change. */
static void escalate(lk_lockmgr_t *m, struct lk__txn *t, uint32_t tri)
{
	struct lk__req *tq = &m->reqs[tri];
	struct lk__head *th = &m->heads[tq->head];
	lk_res_t tab;
	head_key(th, &tab);
	unsigned target = tq->mode;
	for (uint32_t p = t->locks; p;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed)) {
		const struct lk__req *o = &m->reqs[p];
		if (o->status != LK__R_GRANTED || !under_table(m, o, &tab))
			continue;
		unsigned e = m->mt.escalate[o->mode];
		if (e != NONE)
			target = m->mt.supremum[target][e];
	}
	if ((m->intent >> target) & 1u)
		return; /* nothing a table lock could cover */
	head_latch(th);
	unsigned prev = tq->mode;
	if (target != prev) {
		if (m->mt.conflicts[target] & granted_but(th, prev)) {
			head_unlatch(th);
			return;
		}
		count_del(th, prev);
		count_add(th, target);
		tq->mode = tq->want = (uint8_t)target;
	}
	EMIT(m, t, th, LK_EV_ESCALATE, target, prev, LK_OK, false,
	     next_token(m, th, target));
	if (th->qhead || th->nconv)
		bypass_edges(m, t, th, tri, target, true);
	head_unlatch(th);
	uint32_t p = t->locks;
	while (p) {
		uint32_t nx = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed);
		struct lk__req *o = &m->reqs[p];
		if (o->status == LK__R_GRANTED && under_table(m, o, &tab) &&
		    m->mt.supremum[target][o->mode] == target) {
			struct lk__head *oh = &m->heads[o->head];
			head_latch(oh);
			release_req(m, t, oh, p);
			head_unlatch(oh);
			tlist_del(m, t, p);
			req_cache(m, t, p);
		}
		p = nx;
	}
	tq->nchild = 0;
	st_inc(t, LK__ST_ESCALATIONS);
}

/* ---- the public lock calls ------------------------------------------------------- */

#define LK__COVERED (-1)

/* Intention locks on res's ancestors, root first. LK__COVERED: an ancestor
 * held by t covers res in mode. *tri: t's table request, if any. */
static __attribute__((noinline)) int
lock_ancestors(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res,
	       unsigned mode, bool nowait, uint64_t deadline, uint32_t *tri)
{
	unsigned im = m->mt.intention[mode];
	lk_res_t anc[3], cur = *res;
	bool fresh;
	int na = 0;
	while (na < 3 && lk_res_parent(&cur, &anc[na])) {
		cur = anc[na];
		na++;
	}
	for (int k = na - 1; k >= 0; k--) {
		int level = (int)anc[k].kind - LK_RES_DATABASE;
		uint32_t ai = t->anc[level];
		/* the cache holds only granted requests of t (tlist_del and
		 * commit clear it) */
		if (!(ai && key_eq(&m->heads[m->reqs[ai].head], &anc[k]) &&
		      m->mt.supremum[m->reqs[ai].mode][im] == m->reqs[ai].mode)) {
			int rc = lock_one(m, t, &anc[k], im, nowait, deadline, NULL,
					  &ai, &fresh);
			if (rc != LK_OK)
				return rc;
			t->anc[level] = ai;
		}
		unsigned held = m->reqs[ai].mode;
		if (!((m->intent >> held) & 1u) && m->mt.supremum[held][mode] == held)
			return LK__COVERED;
		if (anc[k].kind == LK_RES_TABLE)
			*tri = ai;
	}
	return LK_OK;
}

#define LK__FAST_MISS (-2)

/* Grant new request ri (taken from t's cache by the caller) on h, latched
 * or not yet published: the fast paths' common tail. */
static inline __attribute__((always_inline)) uint64_t
grant_new(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t hi,
	  uint32_t ri, const lk_res_t *r, unsigned mode)
{
	struct lk__req *q = &m->reqs[ri];
	stk_t s = req_stk(m);
	cache_take(&s, &t->rc); /* ri: the caller read it from t->rc.first */
	q->head = hi;
	q->txn = t->idx;
	q->mode = q->want = (uint8_t)mode;
	q->status = LK__R_GRANTED;
	q->kind = (uint8_t)r->kind;
	q->nchild = 0;
	list_push(m, &h->holders, ri);
	count_add(h, mode);
	uint64_t tok = next_token(m, h, mode);
	if (lk__unlikely(m->trace != NULL)) {
		emit_slow(m, t, h, LK_EV_REQUEST, (int)mode, NONE, LK_OK, false, 0);
		emit_slow(m, t, h, LK_EV_GRANT, (int)mode, NONE, LK_OK, false, tok);
	}
	return tok;
}

/* lock_fast for a resource with no head: under the bucket latch, a head
 * from t's cache is filled in with t's grant already on it and published
 * unlatched, so a new resource costs one read-modify-write (the bucket
 * latch), as an existing one does (its head latch). LK__FAST_MISS when
 * another thread inserted it meanwhile or t has no cached head. */
static __attribute__((noinline)) int
lock_fresh(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *r, unsigned mode,
	   uint32_t b, uint32_t ri, uint64_t *tok)
{
	struct lk__bucket *bk = &m->buckets[b];
	uint32_t first = blatch_lock(bk);
	for (uint32_t i = first; i;) {
		if (key_eq(&m->heads[i], r)) {
			blatch_unlock(bk, first);
			return LK__FAST_MISS;
		}
		i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed);
	}
	uint32_t hi = head_alloc(m, t);
	if (lk__unlikely(!hi)) {
		blatch_unlock(bk, first);
		return LK__FAST_MISS; /* lock_one sweeps, or says LK_NOMEM */
	}
	struct lk__head *h = &m->heads[hi];
	head_init(h, r, b, bk);
	*tok = grant_new(m, t, h, hi, ri, r, mode);
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed);
	/* relaxed: blatch_unlock's release publishes the word with the head */
	atomic_store_explicit(&h->lw, w & ~(LK__L_DEAD | LK__L_PARKED | LK__L_LATCHED),
			      memory_order_relaxed);
	atomic_store_explicit(&h->next, first, memory_order_relaxed);
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
		if (!cache_refill(m, s, &t->rc))
			return LK__FAST_MISS;
	}
	uint32_t ri = t->rc.first;
	/* latch-free walk as in head_get; acquire: a head reached is initialized */
	uint32_t b = res_hash(r) & m->bmask;
	uint32_t hi = bucket_first(&m->buckets[b]);
	struct lk__head *h;
	uint32_t w;
	for (int steps = 0;; steps++) {
		if (!hi) {
			uint64_t tok = 0;
			int rc = lock_fresh(m, t, r, mode, b, ri, &tok);
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
	/* acquire: the previous critical section; the CAS expecting the
	 * generation seen proves the key compared is h's live key */
	if (lk__unlikely(w & LK__L_LATCHED) ||
	    !atomic_compare_exchange_strong_explicit(&h->lw, &w, w | LK__L_LATCHED,
						     memory_order_acquire,
						     memory_order_relaxed))
		return LK__FAST_MISS;
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

/* lk_lock_ex past the checks, when the fast path does not apply */
static __attribute__((noinline)) int
lock_slow(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res, unsigned mode,
	  uint64_t timeout_ns, bool hier, uint64_t *token)
{
	bool nowait = timeout_ns == 0;
	uint64_t deadline = (nowait || timeout_ns == LK_FOREVER) ? 0
								 : lk__deadline(timeout_ns);
	uint32_t tri = 0, ri = 0;
	bool fresh = false;
	if (hier) {
		int rc = lock_ancestors(m, t, res, mode, nowait, deadline, &tri);
		if (rc != LK_OK)
			return rc == LK__COVERED ? LK_OK : rc;
	}
	int rc = lock_one(m, t, res, mode, nowait, deadline, token, &ri, &fresh);
	if (rc == LK_OK && fresh && tri && res->kind == LK_RES_ROW &&
	    m->cfg.escalation_threshold &&
	    ++m->reqs[tri].nchild > m->cfg.escalation_threshold)
		escalate(m, t, tri);
	return rc;
}

int lk_lock_ex(lk_txn_t *txn, const lk_res_t *res, int mode, uint64_t timeout_ns,
	       unsigned flags, uint64_t *token)
{
	struct lk__txn *t = txn_get(txn);
	if (token)
		*token = 0;
	if (lk__unlikely(!t || !res))
		return LK_INVAL;
	lk_lockmgr_t *m = t->mgr;
	if (lk__unlikely(mode < 0 || (unsigned)mode >= m->mt.nmodes ||
			 res->kind == LK_RES_NONE || (flags & ~LK_F_NOHIER)))
		return LK_INVAL;
	if (lk__unlikely(atomic_load_explicit(&t->flags, memory_order_relaxed) &
			 LK__T_WOUNDED))
		return LK_WOUNDED;
	bool hier = m->cfg.hierarchy && !(flags & LK_F_NOHIER) &&
		    m->mt.intention[mode] != NONE &&
		    (res->kind == LK_RES_TABLE || res->kind == LK_RES_PAGE ||
		     res->kind == LK_RES_ROW);
	if (!hier) {
		int rc = lock_fast(m, t, res, (unsigned)mode, token);
		if (lk__likely(rc != LK__FAST_MISS))
			return rc;
	}
	return lock_slow(m, t, res, (unsigned)mode, timeout_ns, hier, token);
}

int lk_lock(lk_txn_t *txn, const lk_res_t *res, int mode, uint64_t timeout_ns,
	    unsigned flags)
{
	return lk_lock_ex(txn, res, mode, timeout_ns, flags, NULL);
}

/* res's head latched and t's request on it, or 0 (nothing latched). */
static uint32_t find_own(lk_lockmgr_t *m, struct lk__txn *t, const lk_res_t *res,
			 struct lk__head **hp)
{
	uint32_t hi = head_get(m, t, res, res_hash(res), false);
	if (!hi)
		return 0;
	struct lk__head *h = &m->heads[hi];
	uint32_t ri = find_holder(m, h, t->idx);
	if (!ri) {
		head_unlatch(h);
		return 0;
	}
	*hp = h;
	return ri;
}

int lk_unlock(lk_txn_t *txn, const lk_res_t *res)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !res)
		return LK_INVAL;
	lk_lockmgr_t *m = t->mgr;
	if (m->cfg.strict_2pl) {
#ifdef LK_DEBUG
		lk__misuse("lk_unlock", "early release under strict_2pl");
#endif
		return LK_INVAL;
	}
	struct lk__head *h;
	uint32_t ri = t->locks;
	/* the request locked last is the likeliest: no hash lookup for it
	 * (its head cannot be recycled while t holds a request on it) */
	if (ri && m->reqs[ri].status == LK__R_GRANTED &&
	    key_eq(&m->heads[m->reqs[ri].head], res)) {
		h = &m->heads[m->reqs[ri].head];
		head_latch(h);
	} else {
		ri = find_own(m, t, res, &h);
		if (!ri)
			return LK_NOTHELD;
	}
	struct lk__req *q = &m->reqs[ri];
	release_req(m, t, h, ri);
	/* an early release keeps an idle head: the txn is still running and
	 * likely to come back; txn_end frees it (head_release) */
	head_unlatch(h);
	tlist_del(m, t, ri);
	if (q->kind == LK_RES_ROW && t->anc[1]) {
		struct lk__req *tq = &m->reqs[t->anc[1]];
		const struct lk__head *th = &m->heads[tq->head];
		if (atomic_load_explicit(&th->key[1], memory_order_relaxed) == res->f[0] &&
		    atomic_load_explicit(&th->key[2], memory_order_relaxed) == res->f[1] &&
		    tq->nchild)
			tq->nchild--;
	}
	req_cache(m, t, ri);
	return LK_OK;
}

uint64_t lk_lock_token(lk_txn_t *txn, const lk_res_t *res)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !res)
		return 0;
	lk_lockmgr_t *m = t->mgr;
	struct lk__head *h;
	uint32_t ri = find_own(m, t, res, &h);
	if (!ri)
		return 0;
	uint64_t tok = ((m->excl >> m->reqs[ri].mode) & 1u) ? h->token : 0;
	head_unlatch(h);
	return tok;
}

int lk_held_mode(lk_txn_t *txn, const lk_res_t *res)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !res)
		return -1;
	struct lk__head *h;
	uint32_t ri = find_own(t->mgr, t, res, &h);
	if (!ri)
		return -1;
	int mode = t->mgr->reqs[ri].mode;
	head_unlatch(h);
	return mode;
}

/* ---- transactions -------------------------------------------------------------- */

static bool mgr_live(const lk_lockmgr_t *m)
{
	int hi = atomic_load_explicit(&registry_hi, memory_order_acquire);
	for (int i = 0; i < hi; i++)
		if (atomic_load_explicit(&registry[i], memory_order_acquire) == m)
			return true;
	return false;
}

/* The shared stacks ran dry: take every free txn slot off the free stack
 * (popping one makes it ours, as lk_txn_begin does), move its cached
 * requests and heads to the shared stacks, and put the slots back. True if
 * anything was moved. lk_txn_begin waits out a drain instead of failing. */
static bool drain_idle(lk_lockmgr_t *m)
{
	/* seq_cst: a begin that finds the stack empty sees the flag */
	atomic_fetch_add_explicit(&m->draining, 1, memory_order_seq_cst);
	const stk_t *rs = &m->rstk, *hs = &m->hstk;
	uint32_t mine = 0, mine_last = 0;
	bool moved = false;
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
	while ((uint32_t)top) {
		struct lk__txn *t = txn_at(m, (uint32_t)top - 1);
		uint32_t nx = atomic_load_explicit(&t->free_next, memory_order_relaxed);
		/* acquire: the slot's caches as its last txn left them;
		 * seq_cst: a begin that sees the stack emptied by this pop
		 * sees the draining flag raised before it */
		if (!atomic_compare_exchange_weak_explicit(
			    &m->txn_free, &top, PACK(nx, (top >> 32) + 1),
			    memory_order_seq_cst, memory_order_acquire))
			continue;
		moved |= cache_flush(rs, &t->rc);
		moved |= cache_flush(hs, &t->hc);
		atomic_store_explicit(&t->free_next, mine, memory_order_relaxed);
		if (!mine)
			mine_last = t->idx + 1;
		mine = t->idx + 1;
		top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
	}
	if (mine) {
		struct lk__txn *l = txn_at(m, mine_last - 1);
		top = atomic_load_explicit(&m->txn_free, memory_order_relaxed);
		do {
			atomic_store_explicit(&l->free_next, (uint32_t)top, memory_order_relaxed);
			/* release: the emptied caches before a begin pops a slot */
		} while (!atomic_compare_exchange_weak_explicit(
			&m->txn_free, &top, PACK(mine, (top >> 32) + 1),
			memory_order_release, memory_order_relaxed));
	}
	atomic_fetch_sub_explicit(&m->draining, 1, memory_order_release);
	return moved;
}

int lk_txn_begin(lk_lockmgr_t *m, lk_txn_t **out)
{
	if (!out)
		return LK_INVAL;
	*out = NULL;
	if (!m || !mgr_live(m))
		return LK_INVAL;
	/* acquire: the slot as its last owner left it */
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
	struct lk__txn *t;
	lk__wait_t dw = lk__wait_start(0);
	for (;;) {
		uint32_t i1 = (uint32_t)top;
		if (!i1) {
			/* a drain holds the free slots for a moment: not a
			 * real NOMEM (seq_cst: pairs with drain_idle's flag);
			 * wait it out (no word to park on: spin, then nap) */
			if (atomic_load_explicit(&m->draining, memory_order_seq_cst))
				lk__wait(&dw, NULL, 0);
			else if (!(uint32_t)(top = atomic_load_explicit(
						    &m->txn_free, memory_order_seq_cst)))
				return LK_NOMEM;
			top = atomic_load_explicit(&m->txn_free, memory_order_acquire);
			continue;
		}
		t = txn_at(m, i1 - 1);
		uint32_t nx = atomic_load_explicit(&t->free_next, memory_order_relaxed);
		if (atomic_compare_exchange_weak_explicit(
			    &m->txn_free, &top, PACK(nx, (top >> 32) + 1),
			    memory_order_acquire, memory_order_acquire))
			break;
	}
	t->locks = 0; /* the slot's caches and counters carry over */
	t->bloom = 0;
	t->token_out = 0;
	t->anc[0] = t->anc[1] = t->anc[2] = 0;
	atomic_store_explicit(&t->nlocks, 0, memory_order_relaxed);
	atomic_store_explicit(&t->wake, 0, memory_order_relaxed);
	atomic_store_explicit(&t->flags, 0, memory_order_relaxed);
	atomic_store_explicit(&t->wait_req, 0, memory_order_relaxed);
	atomic_store_explicit(&t->wait_head, 0, memory_order_relaxed);
	atomic_store_explicit(&t->victim_of, 0, memory_order_relaxed);
	/* relaxed: ids only need to be unique and increasing */
	atomic_store_explicit(&t->id,
			      atomic_fetch_add_explicit(&m->next_id, 1, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	/* release: viewers that see the slot active see it initialized */
	atomic_store_explicit(&t->state, 1, memory_order_release);
	/* relaxed: only the handle's holder reads it (odd: active) */
	uint32_t gen = atomic_load_explicit(&t->gen, memory_order_relaxed) + 1;
	atomic_store_explicit(&t->gen, gen, memory_order_relaxed);
	*out = txn_handle(m, t, gen);
	return LK_OK;
}

static int txn_end(lk_txn_t *txn, bool commit)
{
	struct lk__txn *t = txn_get(txn);
	if (!t)
		return LK_INVAL;
	lk_lockmgr_t *m = t->mgr;
	uint32_t first = t->locks, last = 0, n = 0;
	for (uint32_t p = first; p; n++) {
		struct lk__req *q = &m->reqs[p];
		struct lk__head *h = &m->heads[q->head];
		head_latch(h);
		if (q->status == LK__R_WAITING) { /* not reachable: owner waits */
			list_del(m, &h->qhead, &h->qtail, p);
			if (h->qhead || h->nconv)
				grant_pass(m, h);
		} else {
			if (q->status == LK__R_CONVERTING) {
				q->status = LK__R_GRANTED;
				h->nconv--;
			}
			release_req(m, t, h, p);
		}
		head_release(m, t, h);
		q->status = LK__R_FREE;
		last = p;
		p = atomic_load_explicit(&q->tnext, memory_order_relaxed);
	}
	/* the released chain joins the slot's cache; past req_batch the
	 * rest goes back to the shared stack in one push */
	if (first) {
		stk_t rs = req_stk(m);
		cache_put(&rs, &t->rc, first, last, n);
		if (t->rc.n > m->req_batch)
			cache_trim(&m->rstk, &t->rc, m->req_batch);
	}
	t->locks = 0;
	atomic_store_explicit(&t->nlocks, 0, memory_order_relaxed);
	st_inc(t, commit ? LK__ST_COMMITS : LK__ST_ABORTS);
	atomic_store_explicit(&t->state, 0, memory_order_relaxed);
	/* relaxed, no RMW: only the owner ends its txn (even: ended) */
	atomic_store_explicit(&t->gen, atomic_load_explicit(&t->gen, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	uint64_t top = atomic_load_explicit(&m->txn_free, memory_order_relaxed);
	do {
		atomic_store_explicit(&t->free_next, (uint32_t)top, memory_order_relaxed);
		/* release: the slot's reset before the next begin pops it */
	} while (!atomic_compare_exchange_weak_explicit(
		&m->txn_free, &top, PACK(t->idx + 1, (top >> 32) + 1),
		memory_order_release, memory_order_relaxed));
	return LK_OK;
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

/* ---- views --------------------------------------------------------------------- */

size_t lk_snapshot(lk_lockmgr_t *m, lk_lockinfo_t *out, size_t cap)
{
	if (!m || !mgr_live(m))
		return 0;
	size_t n = 0;
	for (uint32_t b = 0; b <= m->bmask; b++) {
		struct lk__bucket *bk = &m->buckets[b];
		if (!bucket_first(bk))
			continue;
		uint32_t first = blatch_lock(bk);
		for (uint32_t i = first;
		     i; i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed)) {
			struct lk__head *h = &m->heads[i];
			head_latch(h);
			lk_res_t r;
			head_key(h, &r);
			for (int pass = 0; pass < 2; pass++)
				for (uint32_t p = pass ? h->qhead : h->holders; p;
				     p = m->reqs[p].rnext) {
					const struct lk__req *q = &m->reqs[p];
					struct lk__txn *t = txn_at(m, q->txn);
					if (n < cap && out) {
						lk_lockinfo_t *o = &out[n];
						o->res = r;
						o->txn_id = atomic_load_explicit(&t->id, memory_order_relaxed);
						o->granted = pass == 0;
						o->waiting = pass == 1 || q->status == LK__R_CONVERTING;
						o->want = q->want;
						o->mode = pass == 0 ? q->mode : q->want;
						o->wait_start_ns = o->waiting
							? atomic_load_explicit(&t->wait_start, memory_order_relaxed)
							: 0;
					}
					n++;
				}
			head_unlatch(h);
		}
		blatch_unlock(bk, first);
	}
	return n;
}

size_t lk_blocking_set_id(lk_lockmgr_t *m, uint64_t id, uint64_t *ids, size_t n)
{
	if (!m || !mgr_live(m))
		return 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (atomic_load_explicit(&t->state, memory_order_acquire) != 1 ||
		    atomic_load_explicit(&t->id, memory_order_relaxed) != id)
			continue;
		uint32_t *tmp = (uint32_t *)malloc(sizeof(uint32_t) * m->ntxns);
		if (!tmp)
			return 0;
		uint32_t k = txn_edges(m, i, tmp, m->ntxns, NULL, NULL, NULL);
		if (k == UINT32_MAX)
			k = 0;
		for (uint32_t j = 0; j < k && j < n && ids; j++)
			ids[j] = atomic_load_explicit(&txn_at(m, tmp[j])->id,
						      memory_order_relaxed);
		free(tmp);
		return k;
	}
	return 0;
}

size_t lk_blocking_set(lk_txn_t *txn, uint64_t *ids, size_t n)
{
	struct lk__txn *t = txn_get(txn);
	if (!t)
		return 0;
	return lk_blocking_set_id(t->mgr, atomic_load_explicit(&t->id, memory_order_relaxed),
				  ids, n);
}

static void res_print(FILE *f, const lk_res_t *r)
{
	static const char *const kn[] = {"none", "db", "table", "page", "row", "advisory"};
	if (r->kind <= LK_RES_ADVISORY)
		fprintf(f, "%s", kn[r->kind]);
	else
		fprintf(f, "kind%u", r->kind);
	fprintf(f, "(%u,%u,%u,%u)", r->f[0], r->f[1], r->f[2], r->f[3]);
}

int lk_waitfor_dot(lk_lockmgr_t *m, FILE *out)
{
	if (!m || !out || !mgr_live(m))
		return LK_INVAL;
	pthread_mutex_lock(&m->det_mu);
	graph_build(m);
	fprintf(out, "digraph waitfor {\n");
	for (uint32_t i = 0; i < m->ntxns; i++) {
		if (!m->g_req[i])
			continue;
		uint64_t id = atomic_load_explicit(&txn_at(m, i)->id, memory_order_relaxed);
		lk_res_t r;
		head_key(&m->heads[m->g_head[i]], &r);
		fprintf(out, "  T%llu [label=\"T%llu\"];\n", (unsigned long long)id,
			(unsigned long long)id);
		for (uint32_t e = m->g_off[i]; e < m->g_off[i + 1]; e++) {
			uint64_t to = atomic_load_explicit(&txn_at(m, m->g_adj[e])->id,
							   memory_order_relaxed);
			fprintf(out, "  T%llu -> T%llu [label=\"", (unsigned long long)id,
				(unsigned long long)to);
			res_print(out, &r);
			fprintf(out, " %s\"];\n", m->mt.names[m->g_req[i] - 1]);
		}
	}
	fprintf(out, "}\n");
	pthread_mutex_unlock(&m->det_mu);
	return ferror(out) ? LK_INVAL : LK_OK;
}

void lk_lockmgr_stats(lk_lockmgr_t *m, lk_stats_t *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof *o);
	if (!m || !mgr_live(m))
		return;
	/* every slot's counters, in use or not: they are never reset, so
	 * the totals need no shared counter on the txn path */
	uint64_t s[LK__NST] = {0}, used = 0;
	uint32_t active = 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (atomic_load_explicit(&t->state, memory_order_relaxed) == 1) {
			active++;
			used += atomic_load_explicit(&t->nlocks, memory_order_relaxed);
		}
		for (int k = 0; k < LK__NST; k++)
			s[k] += atomic_load_explicit(&t->st[k], memory_order_relaxed);
	}
	o->acquired = s[LK__ST_ACQUIRED];
	o->waited = s[LK__ST_WAITED];
	o->deadlocks = s[LK__ST_DEADLOCKS];
	o->timeouts = s[LK__ST_TIMEOUTS];
	o->wouldblocks = s[LK__ST_WOULDBLOCKS];
	o->escalations = s[LK__ST_ESCALATIONS];
	o->wounds = s[LK__ST_WOUNDS];
	o->commits = s[LK__ST_COMMITS];
	o->aborts = s[LK__ST_ABORTS];
	o->txns_active = active;
	o->txns_max = m->ntxns;
	o->requests_max = m->nreqs;
	o->requests_used = used < m->nreqs ? (uint32_t)used : m->nreqs;
	/* heads in use, idle ones included: count the chains (racy, bounded) */
	uint32_t nh = 0;
	for (uint32_t b = 0; b <= m->bmask; b++)
		for (uint32_t i = bucket_first(&m->buckets[b]), k = 0;
		     i && i <= m->nheads && k <= m->nheads;
		     i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed), k++)
			nh++;
	o->heads_used = nh < m->nheads ? nh : m->nheads;
	o->heads_max = m->nheads;
}
