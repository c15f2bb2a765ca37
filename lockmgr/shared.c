/*
 * lockmgr/shared.c: a lock table in a shared segment (SHARED.md): create
 * it in a file, attach to it at the creator's address, detach; the process
 * slots; the ranges of shared segments this process maps, which choose
 * shared futexes for the table's wakes and parks.
 */
#include "shared_int.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux 4.17; older kernels ignore it */
#endif

/* ---- the ranges of shared segments mapped here ------------------------- */

#define LK__SHM_RANGES LK__MAX_MGRS
static LK_ATOMIC(uintptr_t) rng_lo[LK__SHM_RANGES], rng_hi[LK__SHM_RANGES];
static LK_ATOMIC(uint32_t) rng_n; /* ranges in use: 0 = no check at all */
static pthread_mutex_t shm_mu = PTHREAD_MUTEX_INITIALIZER; /* below */

bool lk__lm_in_shared(const void *p)
{
	if (lk__likely(!atomic_load_explicit(&rng_n, memory_order_relaxed)))
		return false;
	uintptr_t a = (uintptr_t)p;
	for (int i = 0; i < LK__SHM_RANGES; i++) {
		uintptr_t lo = atomic_load_explicit(&rng_lo[i], memory_order_relaxed);
		if (lo && a >= lo &&
		    a < atomic_load_explicit(&rng_hi[i], memory_order_relaxed))
			return true;
	}
	return false;
}

LK_ATOMIC(uint64_t) *lk__lm_wake_stamp(const void *p)
{
	if (lk__likely(!atomic_load_explicit(&rng_n, memory_order_relaxed)))
		return NULL;
	struct lk__shm *s = lk__shm_at(p);
	return s ? &s->wake_stamp : NULL;
}

/* The segment header of the shared segment holding p, or NULL (a range
 * starts at its segment's header). */
struct lk__shm *lk__shm_at(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	for (int i = 0; i < LK__SHM_RANGES; i++) {
		uintptr_t lo = atomic_load_explicit(&rng_lo[i], memory_order_relaxed);
		if (lo && a >= lo &&
		    a < atomic_load_explicit(&rng_hi[i], memory_order_relaxed))
			return (struct lk__shm *)lo;
	}
	return NULL;
}

/* under shm_mu */
static void rng_add(uintptr_t lo, uintptr_t hi)
{
	for (int i = 0; i < LK__SHM_RANGES; i++)
		if (!atomic_load_explicit(&rng_lo[i], memory_order_relaxed)) {
			atomic_store_explicit(&rng_hi[i], hi, memory_order_relaxed);
			atomic_store_explicit(&rng_lo[i], lo, memory_order_relaxed);
			atomic_fetch_add_explicit(&rng_n, 1, memory_order_relaxed);
			return;
		}
}

static void rng_del(uintptr_t lo)
{
	for (int i = 0; i < LK__SHM_RANGES; i++)
		if (atomic_load_explicit(&rng_lo[i], memory_order_relaxed) == lo) {
			atomic_store_explicit(&rng_lo[i], 0, memory_order_relaxed);
			atomic_fetch_sub_explicit(&rng_n, 1, memory_order_relaxed);
			return;
		}
}

/* ---- process slots ------------------------------------------------------- */

/* per registry slot: (fork generation + 1) << 8 | process slot + 1; a fork
 * bumps the generation, so a child takes its own slot */
static LK_ATOMIC(uint64_t) me_cache[LK__MAX_MGRS];
static LK_ATOMIC(uint32_t) fork_gen;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void)
{
	atomic_fetch_add_explicit(&fork_gen, 1, memory_order_relaxed);
}

static void atfork_setup(void)
{
	pthread_atfork(NULL, NULL, on_fork_child);
}

/* This process's slot + 1 in m, taken on first use; 0 if all are taken
 * by live processes. */
uint8_t lk__shm_me(lk_lockmgr_t *m)
{
	uint64_t g = atomic_load_explicit(&fork_gen, memory_order_relaxed) + 1u;
	uint64_t c = atomic_load_explicit(&me_cache[m->reg_slot], memory_order_relaxed);
	if (lk__likely(c >> 8 == g))
		return (uint8_t)c;
	struct lk__shm *s = m->shm;
	uint64_t id = lk__shm_self_id();
	uint8_t got = 0;
	for (int round = 0; round < 2 && !got; round++) {
		for (int k = 0; k < LK__SHM_PROCS && !got; k++) {
			uint64_t v = atomic_load_explicit(&s->procs[k], memory_order_relaxed);
			if (v == id ||
			    (!v && atomic_compare_exchange_strong_explicit(
					   &s->procs[k], &v, id, memory_order_acq_rel,
					   memory_order_relaxed)))
				got = (uint8_t)(k + 1);
		}
		if (!got)
			lk__shm_recover(m, false); /* dead processes free their slots */
	}
	if (got)
		atomic_store_explicit(&me_cache[m->reg_slot], g << 8 | got,
				      memory_order_relaxed);
	return got;
}

/* This process's slot + 1 in m if it holds one already, else 0: for a
 * recovery, which must not take a slot (lk__shm_me may recover). */
uint8_t lk__shm_me_cached(const lk_lockmgr_t *m)
{
	uint64_t g = atomic_load_explicit(&fork_gen, memory_order_relaxed) + 1u;
	uint64_t c = atomic_load_explicit(&me_cache[m->reg_slot], memory_order_relaxed);
	return c >> 8 == g ? (uint8_t)c : 0;
}

void lk__shm_forget(lk_lockmgr_t *m)
{
	atomic_store_explicit(&me_cache[m->reg_slot], 0, memory_order_relaxed);
}

/* ---- create, attach, detach ------------------------------------------------ */

/* Every page of the segment made and mapped writable now, as
 * lk_lockmgr_create's memset does for a private pool, not by faults on
 * the lock path (MAP_POPULATE maps a shared file's pages read-only).
 * Where the kernel lacks MADV_POPULATE_WRITE, an atomic add of 0 to a byte
 * of each page (the table may be in use: the add changes nothing). */
static void prefault(unsigned char *base, size_t total)
{
	if (madvise(base, total, MADV_POPULATE_WRITE) == 0)
		return;
	for (size_t o = 0; o < total; o += LK__SHM_PAGE)
		atomic_fetch_add_explicit((LK_ATOMIC(unsigned char) *)(void *)(base + o),
					  0, memory_order_relaxed);
}

static size_t page_up(size_t x)
{
	return (x + LK__SHM_PAGE - 1) & ~(size_t)(LK__SHM_PAGE - 1);
}

static void shm_header(struct lk__shm *s)
{
	s->magic = LK__SHM_MAGIC;
	s->version = LK__SHM_VERSION;
	s->mgr_size = (uint32_t)sizeof(struct lk_lockmgr);
	s->head_size = (uint32_t)sizeof(struct lk__head);
	s->req_size = (uint32_t)sizeof(struct lk__req);
	s->txn_slot = LK__TXN_SLOT;
}

static bool robust_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t a;
	if (pthread_mutexattr_init(&a))
		return false;
	bool ok = !pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) &&
		  !pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST) &&
		  !pthread_mutex_init(mu, &a);
	pthread_mutexattr_destroy(&a);
	return ok;
}

int lk_lockmgr_create_shared(int fd, const lk_lockmgr_config_t *cfg,
			     lk_lockmgr_t **out)
{
	const lk_modetable_t *mt;
	struct stat st;
	if (!out || fd < 0 || lk__mgr_check(cfg, &mt) != LK_OK ||
	    cfg->max_requests > LK__B_IDX_SHARED) /* owner bits in bucket words */
		return LK_INVAL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 0)
		return LK_INVAL; /* not a file, or it holds something already */
	pthread_once(&atfork_once, atfork_setup);
	/* size it with a scratch manager: the layout needs only the config */
	lk_lockmgr_t *tmp = (lk_lockmgr_t *)aligned_alloc(LK__SHM_PAGE,
							  page_up(sizeof *tmp));
	if (!tmp)
		return LK_NOMEM;
	memset(tmp, 0, sizeof *tmp);
	size_t pool = lk__mgr_layout(tmp, cfg, mt);
	free(tmp);
	size_t off_mgr = page_up(sizeof(struct lk__shm));
	size_t off_pool = off_mgr + page_up(sizeof(struct lk_lockmgr));
	size_t total = page_up(off_pool + pool);
	if (ftruncate(fd, (off_t)total) != 0)
		return LK_NOMEM;
	void *base = mmap(NULL, total, PROT_READ | PROT_WRITE,
			  MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		(void)ftruncate(fd, 0);
		return LK_NOMEM;
	}
	prefault((unsigned char *)base, total);
	/* and written, as lk_lockmgr_create's memset: pages the kernel zeroed
	 * left a fresh table's first lookups cold (64 txns of 16 locks: 1.6 us
	 * a lock without this, 0.13 us with it, as a private table) */
	memset((unsigned char *)base + off_pool, 0, total - off_pool);
	struct lk__shm *s = (struct lk__shm *)base;
	lk_lockmgr_t *m = (lk_lockmgr_t *)(void *)((unsigned char *)base + off_mgr);
	/* the file is new: every byte is zero */
	lk__mgr_layout(m, cfg, mt);
	m->pool = (unsigned char *)base + off_pool;
	lk__mgr_layout(m, cfg, mt);
	m->shm = s;
	m->pool_stop = &s->pool_stop;
	m->bidx = LK__B_IDX_SHARED;
	/* relaxed: no other process can see the segment before ready */
	atomic_store_explicit(&m->admit_ns, LK_ADMIT_DEFAULT_NS, memory_order_relaxed);
	shm_header(s);
	s->total = total;
	s->addr = (uint64_t)(uintptr_t)base;
	s->off_mgr = off_mgr;
	s->off_pool = off_pool;
	int rc = LK_NOMEM;
	if (!robust_init(&m->det_mu) || !robust_init(&s->rec_mu))
		goto fail;
	pthread_mutex_lock(&shm_mu);
	rc = lk__mgr_register(m, -1);
	if (rc == LK_OK)
		rng_add((uintptr_t)base, (uintptr_t)base + total);
	pthread_mutex_unlock(&shm_mu);
	if (rc != LK_OK)
		goto fail;
	s->reg_slot = (uint32_t)m->reg_slot;
	lk__shm_forget(m);
	lk__shm_me(m); /* the slot now, not in the first begin (a /proc read) */
	/* release: an attacher that reads ready sees the table built */
	atomic_store_explicit(&s->ready, 1, memory_order_release);
	*out = m;
	return LK_OK;
fail:
	munmap(base, total);
	(void)ftruncate(fd, 0);
	return rc;
}

int lk_lockmgr_attach(int fd, lk_lockmgr_t **out)
{
	struct lk__shm h;
	struct stat st;
	if (!out || fd < 0 || fstat(fd, &st) != 0 ||
	    pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
		return LK_INVAL;
	if (h.magic != LK__SHM_MAGIC || h.version != LK__SHM_VERSION ||
	    h.mgr_size != sizeof(struct lk_lockmgr) ||
	    h.head_size != sizeof(struct lk__head) ||
	    h.req_size != sizeof(struct lk__req) || h.txn_slot != LK__TXN_SLOT ||
	    (uint64_t)st.st_size != h.total || h.reg_slot >= LK__MAX_MGRS ||
	    !atomic_load_explicit(&h.ready, memory_order_relaxed))
		return LK_INVAL;
	pthread_once(&atfork_once, atfork_setup);
	lk_lockmgr_t *m = (lk_lockmgr_t *)(uintptr_t)(h.addr + h.off_mgr);
	if (lk__mgr_live(m)) { /* mapped here already: a forked child */
		*out = m;
		return LK_OK;
	}
	void *want = (void *)(uintptr_t)h.addr;
	void *base = mmap(want, h.total, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
	if (base == MAP_FAILED)
		return errno == EEXIST ? LK_BUSY : LK_NOMEM;
	if (base != want) { /* a kernel without MAP_FIXED_NOREPLACE */
		munmap(base, h.total);
		return LK_BUSY;
	}
	prefault((unsigned char *)base, h.total);
	pthread_mutex_lock(&shm_mu);
	int rc = lk__mgr_register(m, (int)h.reg_slot);
	if (rc == LK_OK)
		rng_add((uintptr_t)base, (uintptr_t)base + h.total);
	pthread_mutex_unlock(&shm_mu);
	if (rc != LK_OK) {
		munmap(base, h.total);
		return rc;
	}
	lk__shm_forget(m);
	lk__shm_me(m); /* if all 31 are live, lk_txn_begin says LK_NOMEM */
	lk__shm_recover(m, true);
	*out = m;
	return LK_OK;
}

/* This process's active txns in m. */
static uint32_t my_txns(lk_lockmgr_t *m, uint8_t me, bool abort)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (atomic_load_explicit(&t->state, memory_order_acquire) != 1 ||
		    t->proc != me)
			continue;
		n++;
		if (abort)
			lk_txn_abort(txn_handle(m, t, atomic_load_explicit(
							      &t->gen, memory_order_relaxed)));
	}
	return n;
}

static int detach(lk_lockmgr_t *m, bool force)
{
	struct lk__shm *s = m->shm;
	uint64_t g = atomic_load_explicit(&fork_gen, memory_order_relaxed) + 1u;
	uint64_t c = atomic_load_explicit(&me_cache[m->reg_slot], memory_order_relaxed);
	uint8_t me = c >> 8 == g ? (uint8_t)c : 0;
	if (me && my_txns(m, me, force) && !force)
		return LK_BUSY;
	if (me) {
		uint64_t id = lk__shm_self_id();
		atomic_compare_exchange_strong_explicit(&s->procs[me - 1], &id, 0,
							memory_order_release,
							memory_order_relaxed);
	}
	lk__shm_forget(m);
	uintptr_t base = (uintptr_t)s;
	size_t total = (size_t)s->total;
	pthread_mutex_lock(&shm_mu);
	lk__mgr_unregister(m);
	rng_del(base);
	pthread_mutex_unlock(&shm_mu);
	munmap((void *)base, total);
	return LK_OK;
}

int lk_lockmgr_detach(lk_lockmgr_t *m)
{
	if (!m || !lk__mgr_live(m) || !m->shm)
		return LK_INVAL;
	return detach(m, false);
}

void lk__shm_destroy(lk_lockmgr_t *m)
{
	detach(m, true);
}
