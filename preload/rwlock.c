/*
 * preload/rwlock.c: pthread_rwlock_* on the RW latch LATCHKIT_RWLOCK
 * names: rwmutex (default), rwlock, pfrwlock, brlock.
 *
 * rwmutex (12 bytes), rwlock (4) and pfrwlock (24) live in the first 24
 * bytes of the pthread_rwlock_t; all zero is a free latch, so
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
 * glibc's. The writer-preference flags of PTHREAD_RWLOCK_WRITER_*_NP are
 * kept in the object but not honoured: each latch has its own policy
 * (README's table).
 */
#include "preload.h"

#include <latchkit/brlock.h>
#include <latchkit/pfrwlock.h>
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

static inline bool glibc_rw(const pthread_rwlock_t *l)
{
	return pl_alg == PL_GLIBC || l->__data.__shared != 0;
}

/* ---- the side table ----------------------------------------------------- */

#define NBUCKET 4096
struct side {
	lk_brlock_t latch; /* first: cache-line aligned */
	pthread_rwlock_t *key;
	struct side *next;
};
static struct side *buckets[NBUCKET];

static struct side *side_of(pthread_rwlock_t *l)
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
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: return lk_rwlock_rdtrylock(R(lk_rwlock_t));
	case PL_RW_PFRWLOCK: return lk_pfrwlock_rdtrylock(R(lk_pfrwlock_t));
	case PL_RW_BRLOCK: return lk_brlock_rdtrylock(BR);
	default: return lk_rwmutex_rdtrylock(R(lk_rwmutex_t));
	}
}

static inline void rd_lock(pthread_rwlock_t *l)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: lk_rwlock_rdlock(R(lk_rwlock_t)); break;
	case PL_RW_PFRWLOCK: lk_pfrwlock_rdlock(R(lk_pfrwlock_t)); break;
	case PL_RW_BRLOCK: lk_brlock_rdlock(BR); break;
	default: lk_rwmutex_rdlock(R(lk_rwmutex_t)); break;
	}
}

static inline bool rd_timed(pthread_rwlock_t *l, uint64_t ns)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: return lk_rwlock_rdtimedlock(R(lk_rwlock_t), ns);
	case PL_RW_PFRWLOCK:
		return lk_pfrwlock_rdtimedlock(R(lk_pfrwlock_t), ns);
	case PL_RW_BRLOCK: return lk_brlock_rdtimedlock(BR, ns);
	default: return lk_rwmutex_rdtimedlock(R(lk_rwmutex_t), ns);
	}
}

static inline void rd_unlock(pthread_rwlock_t *l)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: lk_rwlock_rdunlock(R(lk_rwlock_t)); break;
	case PL_RW_PFRWLOCK: lk_pfrwlock_rdunlock(R(lk_pfrwlock_t)); break;
	case PL_RW_BRLOCK: lk_brlock_rdunlock(BR); break;
	default: lk_rwmutex_rdunlock(R(lk_rwmutex_t)); break;
	}
}

static inline bool wr_try(pthread_rwlock_t *l)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: return lk_rwlock_wrtrylock(R(lk_rwlock_t));
	case PL_RW_PFRWLOCK: return lk_pfrwlock_wrtrylock(R(lk_pfrwlock_t));
	case PL_RW_BRLOCK: return lk_brlock_wrtrylock(BR);
	default: return lk_rwmutex_wrtrylock(R(lk_rwmutex_t));
	}
}

static inline void wr_lock(pthread_rwlock_t *l)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: lk_rwlock_wrlock(R(lk_rwlock_t)); break;
	case PL_RW_PFRWLOCK: lk_pfrwlock_wrlock(R(lk_pfrwlock_t)); break;
	case PL_RW_BRLOCK: lk_brlock_wrlock(BR); break;
	default: lk_rwmutex_wrlock(R(lk_rwmutex_t)); break;
	}
}

static inline bool wr_timed(pthread_rwlock_t *l, uint64_t ns)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: return lk_rwlock_wrtimedlock(R(lk_rwlock_t), ns);
	case PL_RW_PFRWLOCK:
		return lk_pfrwlock_wrtimedlock(R(lk_pfrwlock_t), ns);
	case PL_RW_BRLOCK: return lk_brlock_wrtimedlock(BR, ns);
	default: return lk_rwmutex_wrtimedlock(R(lk_rwmutex_t), ns);
	}
}

static inline void wr_unlock(pthread_rwlock_t *l)
{
	switch (pl_rwalg) {
	case PL_RW_RWLOCK: lk_rwlock_wrunlock(R(lk_rwlock_t)); break;
	case PL_RW_PFRWLOCK: lk_pfrwlock_wrunlock(R(lk_pfrwlock_t)); break;
	case PL_RW_BRLOCK: lk_brlock_wrunlock(BR); break;
	default: lk_rwmutex_wrunlock(R(lk_rwmutex_t)); break;
	}
}

static inline bool is_locked(pthread_rwlock_t *l)
{
	switch (pl_rwalg) {
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
	if (pl_alg == PL_GLIBC || pshared != PTHREAD_PROCESS_PRIVATE)
		return PL_REAL.rw_init(l, attr);
	int kind = PTHREAD_RWLOCK_DEFAULT_NP;
	if (attr)
		pthread_rwlockattr_getkind_np(attr, &kind);
	memset(l, 0, sizeof *l);
	l->__data.__flags = (unsigned)kind;
	if (pl_rwalg == PL_RW_BRLOCK)
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

PL_EXPORT int pthread_rwlock_rdlock(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_rdlock(l);
	if (am_writer(l))
		return EDEADLK;
	rd_lock(l);
	return 0;
}

PL_EXPORT int pthread_rwlock_tryrdlock(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_tryrdlock(l);
	return rd_try(l) ? 0 : EBUSY;
}

PL_EXPORT int pthread_rwlock_wrlock(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_wrlock(l);
	if (am_writer(l))
		return EDEADLK;
	wr_lock(l);
	wrote(l);
	return 0;
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

PL_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *l)
{
	pl_ready();
	if (glibc_rw(l))
		return PL_REAL.rw_unlock(l);
	if (am_writer(l)) {
		__atomic_store_n(writer(l), 0, __ATOMIC_RELAXED);
		wr_unlock(l);
	} else
		rd_unlock(l);
	return 0;
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
