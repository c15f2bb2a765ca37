/*
 * tests/is_locked_suite.h: the is-locked queries (issue 17), shared by
 * test_is_locked.c and test_is_locked_debug.c (which defines LK_DEBUG first
 * and so also checks the held-by-me queries, and the queries on the debug
 * layouts). For each latch: false while free, true while held (by the
 * caller or by another thread, in each mode the query names), false again
 * once released.
 */
#ifndef LK_TEST_IS_LOCKED_SUITE_H
#define LK_TEST_IS_LOCKED_SUITE_H

#include <latchkit/brlock.h>
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/optlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/reentrant.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/seqlock.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

#include "harness.h"

/* ---- holding a latch on another thread ---------------------------------- */

/* The other thread takes the latch with lock(l), reports it held, and
 * releases it with unlock(l) when told to. */
typedef struct {
	void (*lock)(void *);
	void (*unlock)(void *);
	void *l;
	atomic_int held, release;
	pthread_t th;
} lkt_holder_t;

static void *lkt_holder_fn_(void *p)
{
	lkt_holder_t *h = (lkt_holder_t *)p;
	h->lock(h->l);
	atomic_store(&h->held, 1);
	lkt_await(&h->release);
	h->unlock(h->l);
	return NULL;
}

static void lkt_hold(lkt_holder_t *h, void (*lock)(void *),
		     void (*unlock)(void *), void *l)
{
	h->lock = lock;
	h->unlock = unlock;
	h->l = l;
	atomic_init(&h->held, 0);
	atomic_init(&h->release, 0);
	cr_assert_eq(pthread_create(&h->th, NULL, lkt_holder_fn_, h), 0);
	lkt_await(&h->held);
}

static void lkt_unhold(lkt_holder_t *h)
{
	atomic_store(&h->release, 1);
	lkt_join(h->th, 0, "its lock and wait calls");
}

/* void f(void *) over a verb, for lkt_hold. */
#define LKT_VERB(T, verb)                                                      \
	static void lkt_##T##_##verb(void *l)                                  \
	{                                                                      \
		lk_##T##_##verb((lk_##T##_t *)l);                              \
	}

/* ---- mutual exclusion --------------------------------------------------- */

/* The held-by-me query, where it exists: with LK_DEBUG, or always (the
 * reentrant latches track their owner in any build). */
#define LKT_MINE_ALWAYS(T, l, expect)                                          \
	cr_assert_eq(lk_##T##_is_held_by_me(l), expect)
#ifdef LK_DEBUG
#define LKT_MINE_DEBUG(T, l, expect) LKT_MINE_ALWAYS(T, l, expect)
#else
#define LKT_MINE_DEBUG(T, l, expect) ((void)0)
#endif

/* T: lk_T_t; lock, unlock: its verbs; MINE: LKT_MINE_DEBUG or _ALWAYS. */
#define LKT_MUTEX_IS_LOCKED(T, lock, unlock, MINE)                             \
	LKT_VERB(T, lock)                                                      \
	LKT_VERB(T, unlock)                                                    \
	Test(T##_is_locked, free_held_free)                                    \
	{                                                                      \
		lk_##T##_t l;                                                  \
		lk_##T##_init(&l);                                             \
		cr_assert(!lk_##T##_is_locked(&l));                            \
		MINE(T, &l, false);                                            \
		lk_##T##_##lock(&l);                                           \
		cr_assert(lk_##T##_is_locked(&l));                             \
		MINE(T, &l, true);                                             \
		lk_##T##_##unlock(&l);                                         \
		cr_assert(!lk_##T##_is_locked(&l));                            \
		MINE(T, &l, false);                                            \
	}                                                                      \
	Test(T##_is_locked, held_by_another_thread)                            \
	{                                                                      \
		lk_##T##_t l;                                                  \
		lkt_holder_t h;                                                \
		lk_##T##_init(&l);                                             \
		lkt_hold(&h, lkt_##T##_##lock, lkt_##T##_##unlock, &l);        \
		cr_assert(lk_##T##_is_locked(&l));                             \
		MINE(T, &l, false);                                            \
		lkt_unhold(&h);                                                \
		cr_assert(!lk_##T##_is_locked(&l));                            \
	}

LKT_MUTEX_IS_LOCKED(tas, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(ticket, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(mcs, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(clh, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(mutex, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(ttas, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(seqlock, write_lock, write_unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(optlock, lock, unlock, LKT_MINE_DEBUG)
LKT_MUTEX_IS_LOCKED(rmutex, lock, unlock, LKT_MINE_ALWAYS)
LKT_MUTEX_IS_LOCKED(rttas, lock, unlock, LKT_MINE_ALWAYS)

/* Every way in counts: try and timed forms too. */
Test(tas_is_locked, trylock_and_timedlock)
{
	lk_tas_t l = LK_TAS_INIT;
	cr_assert(lk_tas_trylock(&l));
	cr_assert(lk_tas_is_locked(&l));
	lk_tas_unlock(&l);
	cr_assert(lk_tas_timedlock(&l, 1000000));
	cr_assert(lk_tas_is_locked(&l));
	lk_tas_unlock(&l);
	cr_assert(!lk_tas_is_locked(&l));
}

Test(ttas_is_locked, trylock_and_timedlock)
{
	lk_ttas_t l = LK_TTAS_INIT;
	cr_assert(lk_ttas_trylock(&l));
	cr_assert(lk_ttas_is_locked(&l));
	lk_ttas_unlock(&l);
	cr_assert(lk_ttas_timedlock(&l, 1000000));
	cr_assert(lk_ttas_is_locked(&l));
	lk_ttas_unlock(&l);
	cr_assert(!lk_ttas_is_locked(&l));
}

Test(seqlock_is_locked, trylock_and_timedlock)
{
	lk_seqlock_t l = LK_SEQLOCK_INIT;
	cr_assert(lk_seqlock_write_trylock(&l));
	cr_assert(lk_seqlock_is_locked(&l));
	lk_seqlock_write_unlock(&l);
	cr_assert(lk_seqlock_write_timedlock(&l, 1000000));
	cr_assert(lk_seqlock_is_locked(&l));
	lk_seqlock_write_unlock(&l);
	cr_assert(!lk_seqlock_is_locked(&l));
}

/* Optimistic reads hold nothing; an upgrade holds; unlock_obsolete frees. */
Test(optlock_is_locked, reads_upgrade_obsolete)
{
	lk_optlock_t l = LK_OPTLOCK_INIT;
	uint64_t v;
	cr_assert(lk_optlock_read_begin(&l, &v));
	cr_assert(!lk_optlock_is_locked(&l));
	cr_assert(lk_optlock_upgrade(&l, v));
	cr_assert(lk_optlock_is_locked(&l));
	LKT_MINE_DEBUG(optlock, &l, true);
	lk_optlock_unlock_obsolete(&l);
	cr_assert(!lk_optlock_is_locked(&l));
	cr_assert(lk_optlock_is_obsolete(&l));
	LKT_MINE_DEBUG(optlock, &l, false);
	cr_assert(lk_optlock_trylock(&l)); /* an obsolete node still locks */
	cr_assert(lk_optlock_is_locked(&l));
	lk_optlock_unlock(&l);
	cr_assert(!lk_optlock_is_locked(&l));
}

/* A nested hold stays held until the last unlock. */
Test(rmutex_is_locked, nested)
{
	lk_rmutex_t r = LK_RMUTEX_INIT;
	lk_rmutex_lock(&r);
	cr_assert(lk_rmutex_trylock(&r));
	lk_rmutex_unlock(&r);
	cr_assert(lk_rmutex_is_locked(&r));
	cr_assert(lk_rmutex_is_held_by_me(&r));
	lk_rmutex_unlock(&r);
	cr_assert(!lk_rmutex_is_locked(&r));
	cr_assert(!lk_rmutex_is_held_by_me(&r));
}

/* ---- reader-writer latches ------------------------------------------------ */

#ifdef LK_DEBUG
#define LKT_WRMINE(T, l, expect)                                               \
	cr_assert_eq(lk_##T##_is_wrlocked_by_me(l), expect)
#else
#define LKT_WRMINE(T, l, expect) ((void)0)
#endif

/* is_locked, is_rdlocked, is_wrlocked (and wrlocked_by_me) all as expected */
#define LKT_RW_STATE(T, l, any, rd, wr, mine)                                  \
	do {                                                                   \
		cr_assert_eq(lk_##T##_is_locked(l), any);                      \
		cr_assert_eq(lk_##T##_is_rdlocked(l), rd);                     \
		cr_assert_eq(lk_##T##_is_wrlocked(l), wr);                     \
		LKT_WRMINE(T, l, mine);                                        \
	} while (0)

#define LKT_RW_IS_LOCKED(T)                                                    \
	LKT_VERB(T, rdlock)                                                    \
	LKT_VERB(T, rdunlock)                                                  \
	LKT_VERB(T, wrlock)                                                    \
	LKT_VERB(T, wrunlock)                                                  \
	Test(T##_is_locked, modes)                                             \
	{                                                                      \
		static lk_##T##_t l;                                           \
		lk_##T##_init(&l);                                             \
		LKT_RW_STATE(T, &l, false, false, false, false);               \
		lk_##T##_rdlock(&l);                                           \
		LKT_RW_STATE(T, &l, true, true, false, false);                 \
		cr_assert(lk_##T##_rdtrylock(&l)); /* a second reader */       \
		lk_##T##_rdunlock(&l);                                         \
		LKT_RW_STATE(T, &l, true, true, false, false);                 \
		lk_##T##_rdunlock(&l);                                         \
		LKT_RW_STATE(T, &l, false, false, false, false);               \
		lk_##T##_wrlock(&l);                                           \
		LKT_RW_STATE(T, &l, true, false, true, true);                  \
		lk_##T##_wrunlock(&l);                                         \
		LKT_RW_STATE(T, &l, false, false, false, false);               \
		cr_assert(lk_##T##_wrtrylock(&l));                             \
		LKT_RW_STATE(T, &l, true, false, true, true);                  \
		lk_##T##_wrunlock(&l);                                         \
		cr_assert(lk_##T##_wrtimedlock(&l, 1000000));                  \
		LKT_RW_STATE(T, &l, true, false, true, true);                  \
		lk_##T##_wrunlock(&l);                                         \
		cr_assert(lk_##T##_rdtimedlock(&l, 1000000));                  \
		LKT_RW_STATE(T, &l, true, true, false, false);                 \
		lk_##T##_rdunlock(&l);                                         \
		LKT_RW_STATE(T, &l, false, false, false, false);               \
	}                                                                      \
	Test(T##_is_locked, reader_on_another_thread)                          \
	{                                                                      \
		static lk_##T##_t l;                                           \
		lkt_holder_t h;                                                \
		lk_##T##_init(&l);                                             \
		lkt_hold(&h, lkt_##T##_rdlock, lkt_##T##_rdunlock, &l);        \
		LKT_RW_STATE(T, &l, true, true, false, false);                 \
		lkt_unhold(&h);                                                \
		LKT_RW_STATE(T, &l, false, false, false, false);               \
	}                                                                      \
	Test(T##_is_locked, writer_on_another_thread)                          \
	{                                                                      \
		static lk_##T##_t l;                                           \
		lkt_holder_t h;                                                \
		lk_##T##_init(&l);                                             \
		lkt_hold(&h, lkt_##T##_wrlock, lkt_##T##_wrunlock, &l);        \
		LKT_RW_STATE(T, &l, true, false, true, false);                 \
		lkt_unhold(&h);                                                \
		LKT_RW_STATE(T, &l, false, false, false, false);               \
	}

LKT_RW_IS_LOCKED(rwlock)
LKT_RW_IS_LOCKED(pfrwlock)
LKT_RW_IS_LOCKED(rprwlock)
LKT_RW_IS_LOCKED(brlock)
LKT_RW_IS_LOCKED(rwmutex)

/* rwmutex's U mode, and its conversions. */
#ifdef LK_DEBUG
#define LKT_UPMINE(l, expect)                                                  \
	cr_assert_eq(lk_rwmutex_is_uplocked_by_me(l), expect)
#else
#define LKT_UPMINE(l, expect) ((void)0)
#endif

Test(rwmutex_is_locked, upgradable_mode_and_conversions)
{
	static lk_rwmutex_t l = LK_RWMUTEX_INIT;
	lk_rwmutex_uplock(&l);
	LKT_RW_STATE(rwmutex, &l, true, false, false, false);
	cr_assert(lk_rwmutex_is_uplocked(&l));
	LKT_UPMINE(&l, true);
	lkt_holder_t h; /* U shares with R (held elsewhere: LK_DEBUG forbids
			 * the U holder a read lock of its own) */
	lkt_hold(&h, lkt_rwmutex_rdlock, lkt_rwmutex_rdunlock, &l);
	LKT_RW_STATE(rwmutex, &l, true, true, false, false);
	cr_assert(lk_rwmutex_is_uplocked(&l));
	lkt_unhold(&h);
	lk_rwmutex_upgrade(&l); /* U -> X */
	LKT_RW_STATE(rwmutex, &l, true, false, true, true);
	cr_assert(!lk_rwmutex_is_uplocked(&l));
	LKT_UPMINE(&l, false);
	lk_rwmutex_downgrade(&l); /* X -> R */
	LKT_RW_STATE(rwmutex, &l, true, true, false, false);
	cr_assert(!lk_rwmutex_is_uplocked(&l));
	lk_rwmutex_rdunlock(&l);
	LKT_RW_STATE(rwmutex, &l, false, false, false, false);
	cr_assert(lk_rwmutex_uptrylock(&l));
	cr_assert(lk_rwmutex_is_uplocked(&l));
	lk_rwmutex_updowngrade(&l); /* U -> R */
	LKT_RW_STATE(rwmutex, &l, true, true, false, false);
	cr_assert(!lk_rwmutex_is_uplocked(&l));
	LKT_UPMINE(&l, false);
	lk_rwmutex_rdunlock(&l);
	cr_assert(lk_rwmutex_uptimedlock(&l, 1000000));
	cr_assert(lk_rwmutex_is_uplocked(&l));
	lk_rwmutex_upunlock(&l);
	LKT_RW_STATE(rwmutex, &l, false, false, false, false);
	cr_assert(!lk_rwmutex_is_uplocked(&l));
}

LKT_VERB(rwmutex, uplock)
LKT_VERB(rwmutex, upunlock)
Test(rwmutex_is_locked, upgrader_on_another_thread)
{
	static lk_rwmutex_t l = LK_RWMUTEX_INIT;
	lkt_holder_t h;
	lkt_hold(&h, lkt_rwmutex_uplock, lkt_rwmutex_upunlock, &l);
	LKT_RW_STATE(rwmutex, &l, true, false, false, false);
	cr_assert(lk_rwmutex_is_uplocked(&l));
	LKT_UPMINE(&l, false);
	lkt_unhold(&h);
	LKT_RW_STATE(rwmutex, &l, false, false, false, false);
	cr_assert(!lk_rwmutex_is_uplocked(&l));
}

#endif /* LK_TEST_IS_LOCKED_SUITE_H */
