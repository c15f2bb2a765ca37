/*
 * preload/mutex.c: pthread_mutex_* on the latchkit latch LATCHKIT_LOCK
 * names (mutex ticket mcs clh tas ttas).
 *
 * The latch is the first 16 bytes of the pthread_mutex_t (all zero is a
 * free latch of every algorithm, so PTHREAD_MUTEX_INITIALIZER needs no
 * init call); glibc's __kind (offset 16) stays as the program left it and
 * says per object whose it is (preload.h). A normal, default or adaptive,
 * process-private mutex without a priority protocol is latchkit's;
 * recursive, error-checking, robust, process-shared and PI/PP mutexes are
 * glibc's (pthread_mutex_init passes them to glibc's init, which writes a
 * nonzero __kind; their static initialisers have one too).
 *
 * Verbs: lock, trylock (EBUSY), timedlock and clocklock (ETIMEDOUT; EINVAL
 * for a bad time, only when the lock is not free at once, as POSIX asks),
 * unlock, destroy (EBUSY while held). ticket, mcs and clh have no timed
 * verb (their headers say why): a timed lock on them polls trylock,
 * napping from 1 us to 1 ms between tries.
 *
 * MCS and CLH: the node serves only while a thread queues (mcs.h: on the
 * stack; clh.h: from a per-thread spare list with no cap), so a thread may
 * hold any number of locks. fork(): the latch is in the object, so the
 * child sees each lock as it was.
 */
#include "preload.h"

/* clh.h's spare nodes from pl_node_alloc, not malloc: a mutex of the
 * allocator's own (jemalloc's) is taken inside malloc, and a CLH node
 * allocated there re-entered it. */
static void *pl_node_alloc(void);
static void pl_node_free(void *p);
#define LK_CLH_NODE_ALLOC() pl_node_alloc()
#define LK_CLH_NODE_FREE(p) pl_node_free(p)
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <sys/mman.h>

/* CLH nodes: carved from mmap'd chunks, a free list under a TAS latch
 * (neither calls malloc); never returned to the system. */
typedef union pl_node {
	union pl_node *next;
	lk_clh_node_t node;
} pl_node_t;
static lk_tas_t pl_node_latch = LK_TAS_INIT;
static pl_node_t *pl_node_list;

static void *pl_node_alloc(void)
{
	lk_tas_lock(&pl_node_latch);
	if (!pl_node_list) {
		size_t len = (size_t)1 << 16;
		void *c = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED) {
			lk_tas_unlock(&pl_node_latch);
			return NULL;
		}
		pl_node_t *n = (pl_node_t *)c;
		for (size_t i = 0; i < len / sizeof(pl_node_t); i++) {
			n[i].next = pl_node_list;
			pl_node_list = &n[i];
		}
	}
	pl_node_t *n = pl_node_list;
	pl_node_list = n->next;
	lk_tas_unlock(&pl_node_latch);
	return n;
}

static void pl_node_free(void *p)
{
	if (!p)
		return;
	pl_node_t *n = (pl_node_t *)p;
	lk_tas_lock(&pl_node_latch);
	n->next = pl_node_list;
	pl_node_list = n;
	lk_tas_unlock(&pl_node_latch);
}

#define KIND_OFF offsetof(struct __pthread_mutex_s, __kind)
_Static_assert(sizeof(lk_mutex_t) <= KIND_OFF, "lk_mutex fits");
_Static_assert(sizeof(lk_ticket_t) <= KIND_OFF, "lk_ticket fits");
_Static_assert(sizeof(lk_mcs_t) <= KIND_OFF, "lk_mcs fits");
_Static_assert(sizeof(lk_clh_t) <= KIND_OFF, "lk_clh fits");
_Static_assert(sizeof(lk_tas_t) <= KIND_OFF, "lk_tas fits");
_Static_assert(sizeof(lk_ttas_t) <= KIND_OFF, "lk_ttas fits");

/* latchkit's: __kind normal (0) or adaptive (3), nothing else. */
static inline bool ours(const pthread_mutex_t *m)
{
	int k = m->__data.__kind;
	return k == PTHREAD_MUTEX_NORMAL || k == PTHREAD_MUTEX_ADAPTIVE_NP;
}

bool pl_mutex_is_glibc(const pthread_mutex_t *m)
{
	return pl_alg == PL_GLIBC || !ours(m);
}

/* ---- the algorithms, by switch (inlined fast paths) --------------------- */

#define L(T) ((T *)(void *)m)

static inline void alg_lock(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: lk_mutex_lock(L(lk_mutex_t)); break;
	case PL_TICKET: lk_ticket_lock(L(lk_ticket_t)); break;
	case PL_MCS: lk_mcs_lock(L(lk_mcs_t)); break;
	case PL_CLH: lk_clh_lock(L(lk_clh_t)); break;
	case PL_TAS: lk_tas_lock(L(lk_tas_t)); break;
	default: lk_ttas_lock(L(lk_ttas_t)); break;
	}
}

static inline bool alg_trylock(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: return lk_mutex_trylock(L(lk_mutex_t));
	case PL_TICKET: return lk_ticket_trylock(L(lk_ticket_t));
	case PL_MCS: return lk_mcs_trylock(L(lk_mcs_t));
	case PL_CLH: return lk_clh_trylock(L(lk_clh_t));
	case PL_TAS: return lk_tas_trylock(L(lk_tas_t));
	default: return lk_ttas_trylock(L(lk_ttas_t));
	}
}

static inline void alg_unlock(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: lk_mutex_unlock(L(lk_mutex_t)); break;
	case PL_TICKET: lk_ticket_unlock(L(lk_ticket_t)); break;
	case PL_MCS: lk_mcs_unlock(L(lk_mcs_t)); break;
	case PL_CLH: lk_clh_unlock(L(lk_clh_t)); break;
	case PL_TAS: lk_tas_unlock(L(lk_tas_t)); break;
	default: lk_ttas_unlock(L(lk_ttas_t)); break;
	}
}

static bool alg_is_locked(int a, const pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: return lk_mutex_is_locked(L(const lk_mutex_t));
	case PL_TICKET: return lk_ticket_is_locked(L(const lk_ticket_t));
	case PL_MCS: return lk_mcs_is_locked(L(const lk_mcs_t));
	case PL_CLH: return lk_clh_is_locked(L(const lk_clh_t));
	case PL_TAS: return lk_tas_is_locked(L(const lk_tas_t));
	default: return lk_ttas_is_locked(L(const lk_ttas_t));
	}
}

/* Until the monotonic deadline d; true: acquired. */
static bool alg_lock_until(int a, pthread_mutex_t *m, uint64_t d)
{
	uint64_t now = lk__now_ns();
	uint64_t left = d > now ? d - now : 0;
	switch (a) {
	case PL_MUTEX: return lk_mutex_timedlock(L(lk_mutex_t), left);
	case PL_TAS: return lk_tas_timedlock(L(lk_tas_t), left);
	case PL_TTAS: return lk_ttas_timedlock(L(lk_ttas_t), left);
	default: break;
	}
	/* ticket, mcs, clh: no timed verb; poll with growing naps. */
	uint64_t nap = 1000;
	for (;;) {
		if (alg_trylock(a, m))
			return true;
		now = lk__now_ns();
		if (now >= d)
			return false;
		uint64_t n = d - now < nap ? d - now : nap;
		struct timespec ts = lk__timespec_(n);
		nanosleep(&ts, NULL);
		if (nap < 1000000)
			nap *= 2;
	}
}

/* ---- the verbs ---------------------------------------------------------- */

static int lock_slow(pthread_mutex_t *m);
static int unlock_slow(pthread_mutex_t *m);

PL_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	int a = __atomic_load_n(&pl_fast, __ATOMIC_RELAXED);
	if (pl_likely(a && ours(m))) {
		if (a == PL_MUTEX) /* the default: no jump table */
			lk_mutex_lock(L(lk_mutex_t));
		else
			alg_lock(a, m);
		return 0;
	}
	return lock_slow(m);
}

PL_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	int a = __atomic_load_n(&pl_fast, __ATOMIC_RELAXED);
	if (pl_likely(a && ours(m))) {
		if (a == PL_MUTEX)
			lk_mutex_unlock(L(lk_mutex_t));
		else
			alg_unlock(a, m);
		return 0;
	}
	return unlock_slow(m);
}

/* Profiled, not yet initialised, or glibc's: out of the fast function,
 * so that its frame stays small. */
__attribute__((noinline)) static int lock_slow(pthread_mutex_t *m)
{
	int a = __atomic_load_n(&pl_prof_alg, __ATOMIC_RELAXED);
	if (pl_likely(a && ours(m))) {
		uint64_t t0 = pl_ticks();
		bool contended = !alg_trylock(a, m);
		if (contended)
			alg_lock(a, m);
		pl_prof_acquired(m, t0, contended);
		return 0;
	}
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_lock(m);
	if (!pl_prof) {
		alg_lock(pl_alg, m);
		return 0;
	}
	uint64_t t0 = pl_ticks();
	bool contended = !alg_trylock(pl_alg, m);
	if (contended)
		alg_lock(pl_alg, m);
	pl_prof_acquired(m, t0, contended);
	return 0;
}

__attribute__((noinline)) static int unlock_slow(pthread_mutex_t *m)
{
	int a = __atomic_load_n(&pl_prof_alg, __ATOMIC_RELAXED);
	if (pl_likely(a && ours(m))) {
		pl_prof_release(m);
		alg_unlock(a, m);
		return 0;
	}
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_unlock(m);
	if (pl_prof)
		pl_prof_release(m);
	alg_unlock(pl_alg, m);
	return 0;
}

void pl_mutex_release(void *m)
{
	(void)pthread_mutex_unlock(m);
}

void pl_mutex_acquire(void *m)
{
	(void)pthread_mutex_lock(m);
}

PL_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_trylock(m);
	uint64_t t0 = pl_prof ? pl_ticks() : 0;
	if (!alg_trylock(pl_alg, m)) {
		if (pl_prof)
			pl_prof_busy(m);
		return EBUSY;
	}
	if (pl_prof)
		pl_prof_acquired(m, t0, false);
	return 0;
}

static int timed(pthread_mutex_t *m, clockid_t clock,
		 const struct timespec *abstime)
{
	uint64_t t0 = pl_prof ? pl_ticks() : 0;
	if (alg_trylock(pl_alg, m)) {
		if (pl_prof)
			pl_prof_acquired(m, t0, false);
		return 0;
	}
	uint64_t d;
	int rc = pl_deadline(clock, abstime, &d);
	if (rc)
		return rc;
	if (!alg_lock_until(pl_alg, m, d))
		return ETIMEDOUT;
	if (pl_prof)
		pl_prof_acquired(m, t0, true);
	return 0;
}

PL_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m,
				      const struct timespec *abstime)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_timedlock(m, abstime);
	return timed(m, CLOCK_REALTIME, abstime);
}

PL_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
				      const struct timespec *abstime)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_clocklock(m, clock, abstime);
	return timed(m, clock, abstime);
}

PL_EXPORT int pthread_mutex_init(pthread_mutex_t *m,
				 const pthread_mutexattr_t *attr)
{
	pl_ready();
	int type = PTHREAD_MUTEX_NORMAL, robust = PTHREAD_MUTEX_STALLED;
	int pshared = PTHREAD_PROCESS_PRIVATE, proto = PTHREAD_PRIO_NONE;
	if (attr) {
		pthread_mutexattr_gettype(attr, &type);
		pthread_mutexattr_getrobust(attr, &robust);
		pthread_mutexattr_getpshared(attr, &pshared);
		pthread_mutexattr_getprotocol(attr, &proto);
	}
	if (pl_alg == PL_GLIBC ||
	    (type != PTHREAD_MUTEX_NORMAL &&
	     type != PTHREAD_MUTEX_ADAPTIVE_NP) ||
	    robust != PTHREAD_MUTEX_STALLED ||
	    pshared != PTHREAD_PROCESS_PRIVATE || proto != PTHREAD_PRIO_NONE)
		return PL_REAL.mutex_init(m, attr);
	memset(m, 0, sizeof *m); /* a free latch, __kind normal, no record */
	if (pl_prof)
		(void)pl_prof_rec(m); /* the site where it was created */
	return 0;
}

PL_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_destroy(m);
	if (alg_is_locked(pl_alg, m))
		return EBUSY;
	/* The record stays (its counters are reported); the object may be
	 * freed. Mark the kind so that a use after destroy goes to glibc,
	 * which reports EINVAL, as for its own destroyed mutexes. */
	m->__data.__kind = -1;
	return 0;
}
