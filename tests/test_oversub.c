/*
 * More threads than cores: 16 threads take every latch, with a short
 * critical section, and must all finish, counting exactly, within a cap
 * (Criterion's timeout: a latch that convoys, e.g. a FIFO hand-off to
 * waiters that are not running, fails here instead of hanging the run).
 * Behaviour only: the cap is far above what a working latch needs.
 */
#include <latchkit/brlock.h>
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>
#include "harness.h"

#define OS_THREADS 16
#define OS_ITERS 20000
#define OS_CAP_S 60

typedef struct {
	void *l;
	void (*lock)(void *);
	void (*unlock)(void *);
	void (*rdlock)(void *); /* NULL: mutual exclusion only */
	void (*rdunlock)(void *);
	long counter; /* written under the lock */
	atomic_long reads_ok;
} os_ctx_t;

static void *os_fn(void *p, int id)
{
	os_ctx_t *c = (os_ctx_t *)p;
	for (int i = 0; i < OS_ITERS; i++) {
		/* RW latches: every 4th operation of a thread writes */
		if (c->rdlock && ((i + id) & 3)) {
			c->rdlock(c->l);
			long v = c->counter;
			c->rdunlock(c->l);
			if (v >= 0)
				atomic_fetch_add(&c->reads_ok, 1);
			continue;
		}
		c->lock(c->l);
		c->counter++;
		c->unlock(c->l);
	}
	return NULL;
}

static void os_check(os_ctx_t *c)
{
	lkt_run(OS_THREADS, os_fn, c);
	long writes = 0, reads = 0;
	for (int id = 0; id < OS_THREADS; id++)
		for (int i = 0; i < OS_ITERS; i++)
			(c->rdlock && ((i + id) & 3)) ? reads++ : writes++;
	cr_assert_eq(c->counter, writes, "counted %ld of %ld", c->counter,
		     writes);
	cr_assert_eq(atomic_load(&c->reads_ok), reads);
}

#define OS_MUTEX(name, type, INIT)                                             \
	static void name##_lk(void *l) { lk_##name##_lock((type *)l); }        \
	static void name##_un(void *l) { lk_##name##_unlock((type *)l); }      \
	Test(oversub, name, .timeout = OS_CAP_S)                               \
	{                                                                      \
		static type l = INIT;                                          \
		os_ctx_t c = {&l, name##_lk, name##_un, NULL, NULL, 0, 0};     \
		os_check(&c);                                                  \
	}

#define OS_RW(name, type, INIT)                                                \
	static void name##_wl(void *l) { lk_##name##_wrlock((type *)l); }      \
	static void name##_wu(void *l) { lk_##name##_wrunlock((type *)l); }    \
	static void name##_rl(void *l) { lk_##name##_rdlock((type *)l); }      \
	static void name##_ru(void *l) { lk_##name##_rdunlock((type *)l); }    \
	Test(oversub, name, .timeout = OS_CAP_S)                               \
	{                                                                      \
		static type l = INIT;                                          \
		os_ctx_t c = {&l, name##_wl, name##_wu, name##_rl, name##_ru,  \
			      0, 0};                                           \
		os_check(&c);                                                  \
	}

OS_MUTEX(tas, lk_tas_t, LK_TAS_INIT)
OS_MUTEX(ttas, lk_ttas_t, LK_TTAS_INIT)
OS_MUTEX(ticket, lk_ticket_t, LK_TICKET_INIT)
OS_MUTEX(mcs, lk_mcs_t, LK_MCS_INIT)
OS_MUTEX(clh, lk_clh_t, LK_CLH_INIT)
OS_MUTEX(mutex, lk_mutex_t, LK_MUTEX_INIT)
OS_RW(rwlock, lk_rwlock_t, LK_RWLOCK_INIT)
OS_RW(pfrwlock, lk_pfrwlock_t, LK_PFRWLOCK_INIT)
OS_RW(rprwlock, lk_rprwlock_t, LK_RPRWLOCK_INIT)
OS_RW(brlock, lk_brlock_t, LK_BRLOCK_INIT)
OS_RW(rwmutex, lk_rwmutex_t, LK_RWMUTEX_INIT)
