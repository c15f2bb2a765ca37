/*
 * preload/rwlock.c: pthread_rwlock_* on latchkit's RW latches.
 *
 * Which latch serves an object depends on its kind, as glibc's do:
 *   - the default kind (PTHREAD_RWLOCK_PREFER_READER_NP, the kind of
 *     PTHREAD_RWLOCK_INITIALIZER; glibc treats PREFER_WRITER_NP the same):
 *     lk_rprwlock, reader-preferring. A thread that holds a read lock may
 *     take it again while a writer waits (POSIX allows it, glibc does it);
 *     on a writer-preferring latch that thread would deadlock.
 *   - PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP (no recursive reads):
 *     the latch LATCHKIT_RWLOCK names: rwmutex (default), rwlock, pfrwlock
 *     or brlock, each writer-preferring or phase-fair.
 * LATCHKIT_RWLOCK=rprwlock puts every object on lk_rprwlock, =glibc leaves
 * every RW lock to glibc. The kind is read from the object's __flags, which
 * pthread_rwlock_init and the static initialisers set.
 *
 * rprwlock (4 bytes), rwmutex (12), rwlock (4) and pfrwlock (24) live in
 * the first 24 bytes of the pthread_rwlock_t; all zero is a free latch, so
 * PTHREAD_RWLOCK_INITIALIZER needs no init call. brlock (4,160 bytes) does
 * not fit: a side table keyed by the object's address holds it, made on
 * first use (so static initialisers work too) and kept for the address
 * (destroy frees the latch for a re-init there; an entry is never removed,
 * so lookups need no lock: a chained hash table whose chains only grow, by
 * CAS at the head).
 *
 * pthread_rwlock_unlock does not say which mode it releases: the writer
 * stores its thread id in glibc's __cur_writer (offset 24) once it holds
 * the latch and clears it before releasing; an unlock that finds its own
 * id there releases the write hold, any other a read hold. That is exact:
 * only the writer writes the field while it holds. It also gives glibc's
 * EDEADLK for a writer that asks again (read or write).
 *
 * A process-shared RW lock (__shared, offset 28, set by glibc's init) is
 * glibc's.
 */
#include "preload.h"

#include <latchkit/brlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define WRITER_OFF offsetof(struct __pthread_rwlock_arch_t, __cur_writer)
_Static_assert(sizeof(lk_rwmutex_t) <= WRITER_OFF, "rwmutex fits");
_Static_assert(sizeof(lk_rwlock_t) <= WRITER_OFF, "rwlock fits");
_Static_assert(sizeof(lk_pfrwlock_t) <= WRITER_OFF, "pfrwlock fits");
_Static_assert(sizeof(lk_rprwlock_t) <= WRITER_OFF, "rprwlock fits");

/* Every RW lock is glibc's: LATCHKIT_LOCK or LATCHKIT_RWLOCK says so. */
static inline bool glibc_all(void)
{
	return pl_alg == PL_GLIBC || pl_rwalg == PL_RW_GLIBC;
}

static inline bool glibc_rw(const pthread_rwlock_t *l)
{
	return glibc_all() || l->__data.__shared != 0;
}

/* The object's kind allows recursive reads (see the top): lk_rprwlock. */
static inline bool reads_recurse(const pthread_rwlock_t *l)
{
	return l->__data.__flags != PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP;
}

/* The latch of a latchkit object. */
static inline int rw_alg_of(const pthread_rwlock_t *l)
{
	return reads_recurse(l) ? PL_RW_RPRWLOCK : pl_rwalg;
}

/* ---- the side table ----------------------------------------------------- */

#define NBUCKET 4096
struct side {
	lk_brlock_t latch; /* first: cache-line aligned */
	pthread_rwlock_t *key;
	struct side *next;
};
static struct side *buckets[NBUCKET];

/* The last lookup of each thread: entries are never removed, so a kept
 * pointer stays good (a lock and its unlock look up the same object). */
static __thread struct side *side_last __attribute__((tls_model("initial-exec")));

static struct side *side_find(pthread_rwlock_t *l);
static inline struct side *side_of(pthread_rwlock_t *l)
{
	struct side *s = side_last;
	if (pl_likely(s && s->key == l))
		return s;
	return side_last = side_find(l);
}

static struct side *side_find(pthread_rwlock_t *l)
{
	uintptr_t h = ((uintptr_t)l >> 4) * 0x9E3779B97F4A7C15u;
	struct side **b = &buckets[h >> (64 - 12)];
	struct side *head = __atomic_load_n(b, __ATOMIC_ACQUIRE), *mine = NULL;
	for (;;) {
		for (struct side *s = head; s; s = s->next)
			if (s->key == l) {
				free(mine);
				return s;
			}
		if (!mine) {
			mine = aligned_alloc(LK_CACHELINE, sizeof *mine);
			if (!mine)
				abort();
			memset(mine, 0, sizeof *mine);
			lk_brlock_init(&mine->latch);
			mine->key = l;
		}
		mine->next = head;
		/* release: the entry's fields before it is found */
		if (__atomic_compare_exchange_n(b, &head, mine, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return mine;
		/* head reloaded: look again (another thread may have added l) */
	}
}

/* ---- the algorithms ----------------------------------------------------- */

#define R(T) ((T *)(void *)l)
#define BR (&side_of(l)->latch)

static inline bool rd_try(pthread_rwlock_t *l)
{
	switch (rw_alg_of(l)) {
	case PL_RW_RPRWLOCK: return lk_rprwlock_rdtrylock(R(lk_rprwlock_t));
	case PL_RW_RWLOCK: return lk_rwlock_rdtrylock(R(lk_rwlock_t));
	case PL_RW_PFRWLOCK: return lk_pfrwlock_rdtrylock(R(lk_pfrwlock_t));
	case PL_RW_BRLOCK: return lk_brlock_rdtrylock(BR);
	default: return lk_rwmutex_rdtrylock(R(lk_rwmutex_t));
	}
}

static inline bool rd_timed(pthread_rwlock_t *l, uint64_t ns)
{
	switch (rw_alg_of(l)) {
	case PL_RW_RPRWLOCK:
		return lk_rprwlock_rdtimedlock(R(lk_rprwlock_t), ns);
	case PL_RW_RWLOCK: return lk_rwlock_rdtimedlock(R(lk_rwlock_t), ns);
	case PL_RW_PFRWLOCK:
		return lk_pfrwlock_rdtimedlock(R(lk_pfrwlock_t), ns);
	case PL_RW_BRLOCK: return lk_brlock_rdtimedlock(BR, ns);
	default: return lk_rwmutex_rdtimedlock(R(lk_rwmutex_t), ns);
	}
}

static inline bool wr_try(pthread_rwlock_t *l)
{
	switch (rw_alg_of(l)) {
	case PL_RW_RPRWLOCK: return lk_rprwlock_wrtrylock(R(lk_rprwlock_t));
	case PL_RW_RWLOCK: return lk_rwlock_wrtrylock(R(lk_rwlock_t));
	case PL_RW_PFRWLOCK: return lk_pfrwlock_wrtrylock(R(lk_pfrwlock_t));
	case PL_RW_BRLOCK: return lk_brlock_wrtrylock(BR);
	default: return lk_rwmutex_wrtrylock(R(lk_rwmutex_t));
	}
}

static inline bool wr_timed(pthread_rwlock_t *l, uint64_t ns)
{
	switch (rw_alg_of(l)) {
	case PL_RW_RPRWLOCK:
		return lk_rprwlock_wrtimedlock(R(lk_rprwlock_t), ns);
	case PL_RW_RWLOCK: return lk_rwlock_wrtimedlock(R(lk_rwlock_t), ns);
	case PL_RW_PFRWLOCK:
		return lk_pfrwlock_wrtimedlock(R(lk_pfrwlock_t), ns);
	case PL_RW_BRLOCK: return lk_brlock_wrtimedlock(BR, ns);
	default: return lk_rwmutex_wrtimedlock(R(lk_rwmutex_t), ns);
	}
}

static inline bool is_locked(pthread_rwlock_t *l)
{
	switch (rw_alg_of(l)) {
	case PL_RW_RPRWLOCK: return lk_rprwlock_is_locked(R(lk_rprwlock_t));
	case PL_RW_RWLOCK: return lk_rwlock_is_locked(R(lk_rwlock_t));
	case PL_RW_PFRWLOCK: return lk_pfrwlock_is_locked(R(lk_pfrwlock_t));
	case PL_RW_BRLOCK: return lk_brlock_is_locked(BR);
	default: return lk_rwmutex_is_locked(R(lk_rwmutex_t));
	}
}

/* ---- the verbs ---------------------------------------------------------- */

static inline int *writer(pthread_rwlock_t *l)
{
	return &l->__data.__cur_writer;
}

static inline bool am_writer(pthread_rwlock_t *l)
{
	return __atomic_load_n(writer(l), __ATOMIC_RELAXED) == (int)pl_tid();
}

static inline void wrote(pthread_rwlock_t *l)
{
	__atomic_store_n(writer(l), (int)pl_tid(), __ATOMIC_RELAXED);
}

PL_EXPORT int pthread_rwlock_init(pthread_rwlock_t *l,
				  const pthread_rwlockattr_t *attr)
{
	pl_ready();
	int pshared = PTHREAD_PROCESS_PRIVATE;
	if (attr)
		pthread_rwlockattr_getpshared(attr, &pshared);
	if (glibc_all() || pshared != PTHREAD_PROCESS_PRIVATE)
		return PL_REAL.rw_init(l, attr);
	int kind = PTHREAD_RWLOCK_DEFAULT_NP;
	if (attr)
		pthread_rwlockattr_getkind_np(attr, &kind);
	memset(l, 0, sizeof *l);
	l->__data.__flags = (unsigned)kind;
	if (rw_alg_of(l) == PL_RW_BRLOCK)
		lk_brlock_init(BR);
	return 0;
}

PL_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_destroy(l);
	return is_locked(l) ? EBUSY : 0;
}

PL_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_tryrdlock(l);
	return rd_try(l) ? 0 : EBUSY;
}

PL_EXPORT int pthread_rwlock_trywrlock(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_trywrlock(l);
	if (!wr_try(l))
		return EBUSY;
	wrote(l);
	return 0;
}

/* ---- rdlock, wrlock and unlock, one set per algorithm ------------------- */

/* The three verbs a program calls most are one function per algorithm,
 * picked once (pl_rwlock_pick) and reached through a pointer, which the
 * constructor also writes into the programs' PLT slots (got.c): no test
 * of the algorithm per call. A process-shared object is still glibc's.
 * A locker looks for itself as the writer (EDEADLK) only when its try
 * fails: while it holds the write lock, every try does. An unlock compares
 * ids only when some writer holds: a read hold never sees its own id
 * there. (callgrind, make preload-cost: rwlock rd pair 85 -> 42
 * instructions, wr 93 -> 55.) */
#define RW_VERBS(name, RDTRY, RDLOCK, WRTRY, WRLOCK, RDUNLOCK, WRUNLOCK)        \
	static int rd_##name(pthread_rwlock_t *l)                              \
	{                                                                      \
		if (pl_unlikely(l->__data.__shared != 0))                      \
			return PL_REAL.rw_rdlock(l);                           \
		if (pl_likely(RDTRY))                                          \
			return 0;                                              \
		if (am_writer(l))                                              \
			return EDEADLK;                                        \
		RDLOCK;                                                        \
		return 0;                                                      \
	}                                                                      \
	static int wr_##name(pthread_rwlock_t *l)                              \
	{                                                                      \
		if (pl_unlikely(l->__data.__shared != 0))                      \
			return PL_REAL.rw_wrlock(l);                           \
		if (pl_unlikely(!(WRTRY))) {                                   \
			if (am_writer(l))                                      \
				return EDEADLK;                                \
			WRLOCK;                                                \
		}                                                              \
		wrote(l);                                                      \
		return 0;                                                      \
	}                                                                      \
	static int un_##name(pthread_rwlock_t *l)                              \
	{                                                                      \
		if (pl_unlikely(l->__data.__shared != 0))                      \
			return PL_REAL.rw_unlock(l);                           \
		if (__atomic_load_n(writer(l), __ATOMIC_RELAXED) != 0 &&       \
		    am_writer(l)) {                                            \
			__atomic_store_n(writer(l), 0, __ATOMIC_RELAXED);      \
			WRUNLOCK;                                              \
		} else {                                                       \
			RDUNLOCK;                                              \
		}                                                              \
		return 0;                                                      \
	}

RW_VERBS(rwmutex, lk_rwmutex_rdtrylock(R(lk_rwmutex_t)),
	 lk_rwmutex_rdlock(R(lk_rwmutex_t)), lk_rwmutex_wrtrylock(R(lk_rwmutex_t)),
	 lk_rwmutex_wrlock(R(lk_rwmutex_t)), lk_rwmutex_rdunlock(R(lk_rwmutex_t)),
	 lk_rwmutex_wrunlock(R(lk_rwmutex_t)))
RW_VERBS(rwlock, lk_rwlock_rdtrylock(R(lk_rwlock_t)),
	 lk_rwlock_rdlock(R(lk_rwlock_t)), lk_rwlock_wrtrylock(R(lk_rwlock_t)),
	 lk_rwlock_wrlock(R(lk_rwlock_t)), lk_rwlock_rdunlock(R(lk_rwlock_t)),
	 lk_rwlock_wrunlock(R(lk_rwlock_t)))
RW_VERBS(pfrwlock, lk_pfrwlock_rdtrylock(R(lk_pfrwlock_t)),
	 lk_pfrwlock_rdlock(R(lk_pfrwlock_t)),
	 lk_pfrwlock_wrtrylock(R(lk_pfrwlock_t)),
	 lk_pfrwlock_wrlock(R(lk_pfrwlock_t)),
	 lk_pfrwlock_rdunlock(R(lk_pfrwlock_t)),
	 lk_pfrwlock_wrunlock(R(lk_pfrwlock_t)))
RW_VERBS(brlock, lk_brlock_rdtrylock(BR), lk_brlock_rdlock(BR),
	 lk_brlock_wrtrylock(BR), lk_brlock_wrlock(BR), lk_brlock_rdunlock(BR),
	 lk_brlock_wrunlock(BR))
RW_VERBS(rprwlock, lk_rprwlock_rdtrylock(R(lk_rprwlock_t)),
	 lk_rprwlock_rdlock(R(lk_rprwlock_t)),
	 lk_rprwlock_wrtrylock(R(lk_rprwlock_t)),
	 lk_rprwlock_wrlock(R(lk_rprwlock_t)),
	 lk_rprwlock_rdunlock(R(lk_rprwlock_t)),
	 lk_rprwlock_wrunlock(R(lk_rprwlock_t)))

/* The verbs for LATCHKIT_RWLOCK=name: an object of the default kind goes to
 * lk_rprwlock, one of the nonrecursive kind to name. */
#define RW_KIND_VERBS(name)                                                    \
	static int rd_k##name(pthread_rwlock_t *l)                             \
	{                                                                      \
		return reads_recurse(l) ? rd_rprwlock(l) : rd_##name(l);     \
	}                                                                      \
	static int wr_k##name(pthread_rwlock_t *l)                             \
	{                                                                      \
		return reads_recurse(l) ? wr_rprwlock(l) : wr_##name(l);     \
	}                                                                      \
	static int un_k##name(pthread_rwlock_t *l)                             \
	{                                                                      \
		return reads_recurse(l) ? un_rprwlock(l) : un_##name(l);     \
	}
RW_KIND_VERBS(rwmutex)
RW_KIND_VERBS(rwlock)
RW_KIND_VERBS(pfrwlock)
RW_KIND_VERBS(brlock)

static int rd_glibc(pthread_rwlock_t *l)
{
	return PL_REAL.rw_rdlock(l);
}

static int wr_glibc(pthread_rwlock_t *l)
{
	return PL_REAL.rw_wrlock(l);
}

static int un_glibc(pthread_rwlock_t *l)
{
	return PL_REAL.rw_unlock(l);
}

/* Before pl_init has run (another library's constructor may lock). */
static int rd_first(pthread_rwlock_t *l);
static int wr_first(pthread_rwlock_t *l);
static int un_first(pthread_rwlock_t *l);

typedef int (*rw_verb_fn)(pthread_rwlock_t *);
static rw_verb_fn rd_fn = rd_first, wr_fn = wr_first, un_fn = un_first;

void pl_rwlock_pick(int alg, int rwalg)
{
	static const rw_verb_fn rds[] = {
		[PL_RW_RWMUTEX] = rd_krwmutex, [PL_RW_RWLOCK] = rd_krwlock,
		[PL_RW_PFRWLOCK] = rd_kpfrwlock, [PL_RW_BRLOCK] = rd_kbrlock,
		[PL_RW_RPRWLOCK] = rd_rprwlock,
	};
	static const rw_verb_fn wrs[] = {
		[PL_RW_RWMUTEX] = wr_krwmutex, [PL_RW_RWLOCK] = wr_krwlock,
		[PL_RW_PFRWLOCK] = wr_kpfrwlock, [PL_RW_BRLOCK] = wr_kbrlock,
		[PL_RW_RPRWLOCK] = wr_rprwlock,
	};
	static const rw_verb_fn uns[] = {
		[PL_RW_RWMUTEX] = un_krwmutex, [PL_RW_RWLOCK] = un_krwlock,
		[PL_RW_PFRWLOCK] = un_kpfrwlock, [PL_RW_BRLOCK] = un_kbrlock,
		[PL_RW_RPRWLOCK] = un_rprwlock,
	};
	bool g = alg == PL_GLIBC || rwalg == PL_RW_GLIBC;
	__atomic_store_n(&rd_fn, g ? rd_glibc : rds[rwalg], __ATOMIC_RELAXED);
	__atomic_store_n(&wr_fn, g ? wr_glibc : wrs[rwalg], __ATOMIC_RELAXED);
	__atomic_store_n(&un_fn, g ? un_glibc : uns[rwalg], __ATOMIC_RELAXED);
}

/* pl_ready's acquire load of pl_alg orders the pointers, set before it. */
static int rd_first(pthread_rwlock_t *l)
{
	pl_ready();
	return __atomic_load_n(&rd_fn, __ATOMIC_RELAXED)(l);
}

static int wr_first(pthread_rwlock_t *l)
{
	pl_ready();
	return __atomic_load_n(&wr_fn, __ATOMIC_RELAXED)(l);
}

static int un_first(pthread_rwlock_t *l)
{
	pl_ready();
	return __atomic_load_n(&un_fn, __ATOMIC_RELAXED)(l);
}

PL_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	return __atomic_load_n(&rd_fn, __ATOMIC_RELAXED)(l);
}

PL_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	return __atomic_load_n(&wr_fn, __ATOMIC_RELAXED)(l);
}

PL_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	return __atomic_load_n(&un_fn, __ATOMIC_RELAXED)(l);
}

/* This library's own verbs, for pl_got_patch (as mutex.c's). */
extern int pl_rd_entry_(pthread_rwlock_t *l)
	__attribute__((alias("pthread_rwlock_rdlock"), visibility("hidden"),
		       nonnull(1), nothrow));
extern int pl_wr_entry_(pthread_rwlock_t *l)
	__attribute__((alias("pthread_rwlock_wrlock"), visibility("hidden"),
		       nonnull(1), nothrow));
extern int pl_un_entry_(pthread_rwlock_t *l)
	__attribute__((alias("pthread_rwlock_unlock"), visibility("hidden"),
		       nonnull(1), nothrow));

void pl_rwlock_patch(void)
{
	if (glibc_all())
		return;
	const char *names[3] = {"pthread_rwlock_rdlock", "pthread_rwlock_wrlock",
				"pthread_rwlock_unlock"};
	void *exported[3] = {(void *)pl_rd_entry_, (void *)pl_wr_entry_,
			     (void *)pl_un_entry_};
	void *to[3] = {(void *)__atomic_load_n(&rd_fn, __ATOMIC_RELAXED),
		       (void *)__atomic_load_n(&wr_fn, __ATOMIC_RELAXED),
		       (void *)__atomic_load_n(&un_fn, __ATOMIC_RELAXED)};
	pl_got_patch(3, names, exported, to);
}

static int timed(pthread_rwlock_t *l, bool wr, clockid_t clock,
		 const struct timespec *abstime)
{
	if (am_writer(l))
		return EDEADLK;
	if (wr ? wr_try(l) : rd_try(l)) {
		if (wr)
			wrote(l);
		return 0;
	}
	uint64_t d;
	int rc = pl_deadline(clock, abstime, &d);
	if (rc)
		return rc;
	uint64_t now = lk__now_ns();
	uint64_t left = d > now ? d - now : 0;
	if (!(wr ? wr_timed(l, left) : rd_timed(l, left)))
		return ETIMEDOUT;
	if (wr)
		wrote(l);
	return 0;
}

PL_EXPORT int pthread_rwlock_timedrdlock(pthread_rwlock_t *l,
					 const struct timespec *abstime)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_timedrdlock(l, abstime);
	return timed(l, false, CLOCK_REALTIME, abstime);
}

PL_EXPORT int pthread_rwlock_timedwrlock(pthread_rwlock_t *l,
					 const struct timespec *abstime)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_timedwrlock(l, abstime);
	return timed(l, true, CLOCK_REALTIME, abstime);
}

PL_EXPORT int pthread_rwlock_clockrdlock(pthread_rwlock_t *l,
					 clockid_t clock,
					 const struct timespec *abstime)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_clockrdlock(l, clock, abstime);
	return timed(l, false, clock, abstime);
}

PL_EXPORT int pthread_rwlock_clockwrlock(pthread_rwlock_t *l,
					 clockid_t clock,
					 const struct timespec *abstime)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_clockwrlock(l, clock, abstime);
	return timed(l, true, clock, abstime);
}
