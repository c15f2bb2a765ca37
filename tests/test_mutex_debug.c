/*
 * LK_DEBUG misuse of the mutual-exclusion latches: each must abort through
 * lk__misuse (SIGABRT) on an unlock of a free lock, an unlock by a thread
 * that does not hold it, and a re-lock or trylock by its owner.
 */
#define LK_DEBUG 1
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>
#include <signal.h>
#include "harness.h"

/* Runs fn(arg) on another thread and waits for it. */
static void on_other_thread(void *(*fn)(void *), void *arg)
{
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, fn, arg), 0);
	pthread_join(th, NULL);
}

#define LKT_MISUSE_TESTS(name, type, INIT, lock, trylock, unlock)             \
	Test(name##_debug, unlock_of_free_lock, .signal = SIGABRT)             \
	{                                                                      \
		static type l = INIT;                                          \
		unlock(&l);                                                    \
	}                                                                      \
	Test(name##_debug, unlock_after_unlock, .signal = SIGABRT)             \
	{                                                                      \
		static type l = INIT;                                          \
		lock(&l);                                                      \
		unlock(&l);                                                    \
		unlock(&l);                                                    \
	}                                                                      \
	static void *name##_other_unlock(void *p)                              \
	{                                                                      \
		unlock((type *)p);                                             \
		return NULL;                                                   \
	}                                                                      \
	Test(name##_debug, unlock_by_non_owner, .signal = SIGABRT)             \
	{                                                                      \
		static type l = INIT;                                          \
		lock(&l);                                                      \
		on_other_thread(name##_other_unlock, &l);                      \
	}                                                                      \
	Test(name##_debug, relock_by_owner, .signal = SIGABRT)                 \
	{                                                                      \
		static type l = INIT;                                          \
		lock(&l);                                                      \
		lock(&l);                                                      \
	}                                                                      \
	Test(name##_debug, trylock_by_owner, .signal = SIGABRT)                \
	{                                                                      \
		static type l = INIT;                                          \
		lock(&l);                                                      \
		(void)trylock(&l);                                             \
	}                                                                      \
	/* Correct use under LK_DEBUG must not abort. */                      \
	static void *name##_proper(void *p)                                    \
	{                                                                      \
		for (int i = 0; i < 2000; i++) {                               \
			lock((type *)p);                                       \
			unlock((type *)p);                                     \
			if (trylock((type *)p))                                \
				unlock((type *)p);                             \
		}                                                              \
		return NULL;                                                   \
	}                                                                      \
	static void *name##_proper_grp(void *ctx, int id)                      \
	{                                                                      \
		(void)id;                                                      \
		return name##_proper(ctx);                                     \
	}                                                                      \
	Test(name##_debug, proper_use_does_not_abort)                          \
	{                                                                      \
		static type l = INIT;                                          \
		lkt_run(4, name##_proper_grp, &l);                             \
		cr_assert(trylock(&l));                                        \
		unlock(&l);                                                    \
	}

LKT_MISUSE_TESTS(tas, lk_tas_t, LK_TAS_INIT, lk_tas_lock, lk_tas_trylock,
		 lk_tas_unlock)
LKT_MISUSE_TESTS(ttas, lk_ttas_t, LK_TTAS_INIT, lk_ttas_lock, lk_ttas_trylock,
		 lk_ttas_unlock)
LKT_MISUSE_TESTS(ticket, lk_ticket_t, LK_TICKET_INIT, lk_ticket_lock,
		 lk_ticket_trylock, lk_ticket_unlock)
LKT_MISUSE_TESTS(mcs, lk_mcs_t, LK_MCS_INIT, lk_mcs_lock, lk_mcs_trylock,
		 lk_mcs_unlock)
LKT_MISUSE_TESTS(clh, lk_clh_t, LK_CLH_INIT, lk_clh_lock, lk_clh_trylock,
		 lk_clh_unlock)
LKT_MISUSE_TESTS(mutex, lk_mutex_t, LK_MUTEX_INIT, lk_mutex_lock,
		 lk_mutex_trylock, lk_mutex_unlock)

/* The timed verbs check re-lock too. */
Test(tas_debug, timedlock_by_owner, .signal = SIGABRT)
{
	static lk_tas_t l = LK_TAS_INIT;
	lk_tas_lock(&l);
	(void)lk_tas_timedlock(&l, 1000);
}
Test(ttas_debug, timedlock_by_owner, .signal = SIGABRT)
{
	static lk_ttas_t l = LK_TTAS_INIT;
	lk_ttas_lock(&l);
	(void)lk_ttas_timedlock(&l, 1000);
}
Test(mutex_debug, timedlock_by_owner, .signal = SIGABRT)
{
	static lk_mutex_t l = LK_MUTEX_INIT;
	lk_mutex_lock(&l);
	(void)lk_mutex_timedlock(&l, 1000);
}

/* The explicit-node APIs are checked as well. */
Test(mcs_debug, unlock_node_of_free_lock, .signal = SIGABRT)
{
	static lk_mcs_t l = LK_MCS_INIT;
	lk_mcs_node_t n;
	lk_mcs_unlock_node(&l, &n);
}
Test(mcs_debug, lock_node_by_owner, .signal = SIGABRT)
{
	static lk_mcs_t l = LK_MCS_INIT;
	lk_mcs_node_t a, b;
	lk_mcs_lock_node(&l, &a);
	lk_mcs_lock_node(&l, &b);
}
Test(clh_debug, unlock_node_of_free_lock, .signal = SIGABRT)
{
	static lk_clh_t l = LK_CLH_INIT;
	static lk_clh_node_t n;
	(void)lk_clh_unlock_node(&l, &n);
}
Test(clh_debug, lock_node_by_owner, .signal = SIGABRT)
{
	static lk_clh_t l = LK_CLH_INIT;
	static lk_clh_node_t a, b;
	(void)lk_clh_lock_node(&l, &a);
	(void)lk_clh_lock_node(&l, &b);
}
