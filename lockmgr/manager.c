/*
 * lockmgr/manager.c: a manager's life: config defaults, the registry of
 * live managers (which makes any pointer checkable as a handle), create
 * (one pool, laid out once) and destroy.
 */
#include "lockmgr_int.h"
#include "fastpath_int.h"
#include "pool_int.h"

#include <string.h>

_Static_assert(sizeof(struct lk__req) == 32, "a request is 32 bytes");
_Static_assert(sizeof(struct lk__head) % 64 == 0, "a head is whole cache lines");
_Static_assert(sizeof(struct lk__txn) <= LK__TXN_SLOT, "txn slot fits");
/* request 1 starts a line: with 32-byte requests and even batches, a batch
 * is whole lines (README "Memory") */
#define LK__REQ_SKEW (64 - sizeof(struct lk__req))
_Static_assert(64 % sizeof(struct lk__req) == 0, "requests tile a line");
_Static_assert(sizeof(lk_res_t) == 20, "resource is 20 bytes, no padding");

void lk_lockmgr_config_init(lk_lockmgr_config_t *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof *cfg);
	cfg->max_txns = 1024;
	cfg->max_requests = 65536;
	cfg->policy = LK_POLICY_DETECT;
	cfg->deadlock_timeout_ns = 0;
	cfg->victim = LK_VICTIM_CLOSER;
	cfg->escalation_threshold = 0;
	cfg->fifo_strict = true;
	cfg->hierarchy = true;
	cfg->strict_2pl = false;
	cfg->modes = NULL;
	cfg->fast_path = true;
}

/* Live managers, so that any pointer can be checked as a txn handle. Written
 * under reg_mu at create/destroy only; read latch-free by handle checks. */
static LK_ATOMIC(lk_lockmgr_t *) registry[LK__MAX_MGRS];
static LK_ATOMIC(int) registry_hi;

LK_ATOMIC(uintptr_t) lk__reg_base[LK__MAX_MGRS]; /* txn slot range; len 0: free */

LK_ATOMIC(uintptr_t) lk__reg_len[LK__MAX_MGRS];
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

/* The config's check: LK_OK with *mtp the mode table, or LK_INVAL. */
int lk__mgr_check(const lk_lockmgr_config_t *cfg, const lk_modetable_t **mtp)
{
	if (!cfg || cfg->max_txns < 1 || cfg->max_txns > 65535 ||
	    cfg->max_requests < 1 || cfg->max_requests > (1u << 28) ||
	    cfg->policy < LK_POLICY_NO_WAIT || cfg->policy > LK_POLICY_DETECT ||
	    cfg->victim < LK_VICTIM_YOUNGEST ||
	    cfg->victim > LK_VICTIM_CLOSER)
		return LK_INVAL;
	const lk_modetable_t *mt = cfg->modes ? cfg->modes : lk_modetable_default();
	if (!mt_valid(mt))
		return LK_INVAL;
	*mtp = mt;
	return LK_OK;
}

/* m zeroed: fills its config and sizes and returns its pool's size.
 * Called again with m->pool set to zeroed memory of that size, it lays the
 * pool out and fills it (free stacks, txn slots); the same values twice. */
size_t lk__mgr_layout(lk_lockmgr_t *m, const lk_lockmgr_config_t *cfg,
		      const lk_modetable_t *mt)
{
	m->cfg = *cfg;
	m->mt = *mt;
	m->cfg.modes = &m->mt;
	for (unsigned i = 0; i < mt->nmodes; i++) {
		if ((mt->conflicts[i] >> i) & 1u)
			m->excl |= (uint16_t)(1u << i);
		if (mt->intention[i] == i)
			m->intent |= (uint16_t)(1u << i);
	}
	/* anc_ok[h]: child modes c that an ancestor held in h neither covers
	 * (lock_ancestors' LK__COVERED) nor must convert for (its intention
	 * is held) */
	for (unsigned h = 0; h < mt->nmodes; h++)
		for (unsigned c = 0; c < mt->nmodes; c++) {
			unsigned im = mt->intention[c];
			if (im == NONE || mt->supremum[h][im] != h ||
			    (!((m->intent >> h) & 1u) && mt->supremum[h][c] == h))
				continue;
			m->anc_ok[h] |= (uint16_t)(1u << c);
		}
	m->ntxns = cfg->max_txns;
	m->nreqs = cfg->max_requests;
	m->nheads = cfg->max_requests;
	/* Buckets for chains of 8 heads at a full pool, not 1: the heads in
	 * use are far fewer (an idle head is freed at txn end), and at 16
	 * bytes a bucket the array is what a lookup misses in the cache
	 * (65,536 heads: 128 KB, not 1 MB; one-thread YCSB +5%, hot-table
	 * +11%, lockmgr/MEASURED.md "Bucket array") */
	uint32_t nb0 = 16;
	while (nb0 < m->nheads / LK__HEADS_PER_BUCKET)
		nb0 <<= 1;
	m->bmask = nb0 - 1;
	m->bidx = ~LK__B_LATCHED; /* a shared table narrows it (shared.c) */
	/* per-txn cache batch: 16, less when the pool is small, so that the
	 * caches of idle txns cannot hold a large share of it */
	m->req_batch = m->nreqs / (m->ntxns * 4u);
	m->req_batch = m->req_batch < 1 ? 1 : m->req_batch > 16 ? 16 : m->req_batch;
	/* below 4 per txn the caches would hold a large share of a small
	 * pool out of the others' reach: keep none, pop one at a time */
	if (m->req_batch < 4)
		m->req_batch = 1;
	if (m->req_batch > 1)
		m->req_batch &= ~1u; /* even: whole lines (README "Memory") */
	m->req_keep = m->req_batch > 1 ? m->req_batch : 0;

	uint32_t nb = m->bmask + 1;
	/* one pool: txns | reqs | heads | buckets | graph scratch | fp records
	 * and counters | section counters */
	size_t o_txn = 0;
	size_t o_req = align_up(o_txn + (size_t)m->ntxns * LK__TXN_SLOT, 64);
	size_t o_head = align_up(o_req + LK__REQ_SKEW + (size_t)(m->nreqs + 1) * sizeof(struct lk__req), 64);
	size_t o_bkt = align_up(o_head + (size_t)(m->nheads + 1) * sizeof(struct lk__head), 64);
	size_t o_goff = align_up(o_bkt + (size_t)nb * sizeof(struct lk__bucket), 64);
	size_t o_gadj = o_goff + (size_t)(m->ntxns + 1) * 4;
	size_t o_gseq = o_gadj + (size_t)(m->nreqs + 1) * 4;
	size_t o_greq = o_gseq + (size_t)m->ntxns * 4;
	size_t o_ghead = o_greq + (size_t)m->ntxns * 4;
	size_t o_gstk = o_ghead + (size_t)m->ntxns * 4;
	size_t o_gcol = o_gstk + (size_t)m->ntxns * 8;
	size_t o_fp = align_up(o_gcol + m->ntxns, 64);
	size_t o_fpc = align_up(o_fp + (size_t)m->ntxns * sizeof(struct lk__fpblk), 64);
	size_t o_sec = align_up(o_fpc + LK__FP_PARTS * sizeof(uint32_t), 64);
	size_t total = align_up(o_sec + (size_t)m->ntxns * sizeof(struct lk__sec), LK__TXN_SLOT);
	if (!m->pool)
		return total;
	m->txns = m->pool + o_txn;
	m->reqs = (struct lk__req *)(void *)(m->pool + o_req + LK__REQ_SKEW);
	m->heads = (struct lk__head *)(void *)(m->pool + o_head);
	m->buckets = (struct lk__bucket *)(void *)(m->pool + o_bkt);
	m->g_off = (uint32_t *)(void *)(m->pool + o_goff);
	m->g_adj = (uint32_t *)(void *)(m->pool + o_gadj);
	m->g_seq = (uint32_t *)(void *)(m->pool + o_gseq);
	m->g_req = (uint32_t *)(void *)(m->pool + o_greq);
	m->g_head = (uint32_t *)(void *)(m->pool + o_ghead);
	m->g_stk = (uint32_t *)(void *)(m->pool + o_gstk);
	m->g_color = m->pool + o_gcol;
	m->fp = (struct lk__fpblk *)(void *)(m->pool + o_fp);
	m->fp_count = (LK_ATOMIC(uint32_t) *)(void *)(m->pool + o_fpc);
	m->sec = (struct lk__sec *)(void *)(m->pool + o_sec);
	if (cfg->fast_path)
		lk__fp_modes(m);
	if (m->weak)
		m->slow_kinds |= 1u << LK_RES_DATABASE | 1u << LK_RES_TABLE |
				 1u << LK_RES_PAGE;
	if (cfg->escalation_threshold)
		m->slow_kinds |= 1u << LK_RES_TABLE | 1u << LK_RES_ROW;
	/* res_kind_ok's kinds below 32: 1..5, 16..31 (lk_lock_ex) */
	m->fast_kinds = cfg->hierarchy ? 0 : 0xFFFF003Eu & ~m->slow_kinds;

	/* free stacks: chains 1 -> 2 -> ... -> n, tag 0 */
	for (uint32_t i = 1; i <= m->nreqs; i++)
		atomic_store_explicit(&m->reqs[i].tnext, i < m->nreqs ? i + 1 : 0,
				      memory_order_relaxed);
	atomic_store_explicit(&m->req_free, 1, memory_order_relaxed);
	for (uint32_t i = 1; i <= m->nheads; i++) {
		atomic_store_explicit(&m->heads[i].next, i < m->nheads ? i + 1 : 0,
				      memory_order_relaxed);
		atomic_store_explicit(&m->heads[i].lw, (1u << LK__L_GEN_SHIFT) | LK__L_DEAD,
				      memory_order_relaxed);
	}
	atomic_store_explicit(&m->head_free, 1, memory_order_relaxed);
	lk__stacks_init(m);
	/* generations start at a per-manager epoch, so a handle of a
	 * destroyed manager does not match the slots of one created later in
	 * its registry slot (until 4096 creates or 2^19 txns per slot) */
	pthread_mutex_lock(&reg_mu);
	uint32_t gen0 = ++reg_epoch << 20; /* even: free */
	m->uid = reg_epoch;
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
	return total;
}

int lk_lockmgr_create(const lk_lockmgr_config_t *cfg, lk_lockmgr_t **out)
{
	const lk_modetable_t *mt;
	if (!out)
		return LK_INVAL;
	if (lk__mgr_check(cfg, &mt) != LK_OK)
		return LK_INVAL;
	lk_lockmgr_t *m = (lk_lockmgr_t *)aligned_alloc(
		LK_CACHELINE, align_up(sizeof *m, LK_CACHELINE));
	if (!m)
		return LK_NOMEM;
	memset(m, 0, sizeof *m);
	size_t total = lk__mgr_layout(m, cfg, mt);
	unsigned char *pool = (unsigned char *)aligned_alloc(LK__TXN_SLOT, total);
	if (!pool) {
		free(m);
		return LK_NOMEM;
	}
	memset(pool, 0, total);
	m->pool = pool;
	lk__mgr_layout(m, cfg, mt);
	/* relaxed: no thread can see m yet */
	atomic_store_explicit(&m->admit_ns, LK_ADMIT_DEFAULT_NS, memory_order_relaxed);
	pthread_mutex_init(&m->det_mu, NULL);
	if (lk__mgr_register(m, -1) != LK_OK) {
		pthread_mutex_destroy(&m->det_mu);
		free(m->pool);
		free(m);
		return LK_NOMEM;
	}
	*out = m;
	return LK_OK;
}

/* Puts m in this process's registry: in slot want, or (-1) the first free
 * one. LK_NOMEM when none is free, LK_BUSY when want is taken. */
int lk__mgr_register(lk_lockmgr_t *m, int want)
{
	pthread_mutex_lock(&reg_mu);
	int slot = -1;
	for (int i = 0; i < LK__MAX_MGRS; i++)
		if ((want < 0 || i == want) &&
		    !atomic_load_explicit(&registry[i], memory_order_relaxed)) {
			slot = i;
			break;
		}
	if (slot < 0) {
		pthread_mutex_unlock(&reg_mu);
		return want < 0 ? LK_NOMEM : LK_BUSY;
	}
	m->reg_slot = slot;
	atomic_store_explicit(&lk__reg_base[slot], (uintptr_t)m->txns, memory_order_relaxed);
	/* release: txn_get reads the length first, then this base */
	atomic_store_explicit(&lk__reg_len[slot], (uintptr_t)m->ntxns * LK__TXN_SLOT,
			      memory_order_release);
	/* release: a thread that finds m in the registry sees it built */
	atomic_store_explicit(&registry[slot], m, memory_order_release);
	if (slot + 1 > atomic_load_explicit(&registry_hi, memory_order_relaxed))
		atomic_store_explicit(&registry_hi, slot + 1, memory_order_release);
	pthread_mutex_unlock(&reg_mu);
	return LK_OK;
}

/* Takes m out of this process's registry: false if it was not there. */
bool lk__mgr_unregister(lk_lockmgr_t *m)
{
	pthread_mutex_lock(&reg_mu);
	int slot = -1; /* found by address: m itself is not read before */
	for (int i = 0; i < LK__MAX_MGRS; i++)
		if (atomic_load_explicit(&registry[i], memory_order_relaxed) == m)
			slot = i;
	bool ours = slot >= 0;
	if (ours) {
		atomic_store_explicit(&lk__reg_len[slot], 0, memory_order_relaxed);
		atomic_store_explicit(&registry[slot], NULL, memory_order_relaxed);
	}
	pthread_mutex_unlock(&reg_mu);
	return ours;
}

void lk_lockmgr_destroy(lk_lockmgr_t *m)
{
	if (!m || !lk__mgr_live(m))
		return; /* not a live manager: leave it alone */
	if (m->shm) {
		lk__shm_destroy(m); /* a shared table: this process detaches */
		return;
	}
	if (!lk__mgr_unregister(m))
		return;
	pthread_mutex_destroy(&m->det_mu);
	free(m->pool);
	free(m);
}

bool lk__mgr_live(const lk_lockmgr_t *m)
{
	int hi = atomic_load_explicit(&registry_hi, memory_order_acquire);
	for (int i = 0; i < hi; i++)
		if (atomic_load_explicit(&registry[i], memory_order_acquire) == m)
			return true;
	return false;
}

void lk_lockmgr_set_trace(lk_lockmgr_t *m, lk_trace_fn fn, void *ctx)
{
	/* a shared table: a function pointer means nothing in another process */
	if (!m || !lk__mgr_live(m) || m->shm)
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
