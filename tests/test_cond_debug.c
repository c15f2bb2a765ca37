/*
 * LK_DEBUG misuse of the condition variable: each must abort through
 * lk__misuse (SIGABRT): a wait with a mutex the caller does not hold (free,
 * or held by another thread), waiters on one cond with different latches,
 * and destroying a cond that has waiters. Correct use must not abort.
 */
#define LK_DEBUG 1
#include <latchkit/cond.h>
#include <signal.h>

#include "harness.h"

static void await_waiters(lk_cond_t *c, uint32_t n)
{
	while (lk_cond_waiters(c) != n)
		sched_yield();
}

Test(cond_debug, wait_with_free_mutex, .signal = SIGABRT)
{
	static lk_cond_t c = LK_COND_INIT;
	static lk_mutex_t m = LK_MUTEX_INIT;
	lk_cond_wait(&c, &m);
}

Test(cond_debug, timedwait_with_free_mutex, .signal = SIGABRT)
{
	static lk_cond_t c = LK_COND_INIT;
	static lk_mutex_t m = LK_MUTEX_INIT;
	(void)lk_cond_timedwait(&c, &m, 1000);
}

Test(cond_debug, timedwait_until_with_free_mutex, .signal = SIGABRT)
{
	static lk_cond_t c = LK_COND_INIT;
	static lk_mutex_t m = LK_MUTEX_INIT;
	struct timespec ts = {0, 0};
	(void)lk_cond_timedwait_until(&c, &m, &ts);
}

static lk_mutex_t other_m = LK_MUTEX_INIT;
static atomic_int other_holds;
static void *hold_forever(void *p)
{
	(void)p;
	lk_mutex_lock(&other_m);
	atomic_store(&other_holds, 1);
	for (;;)
		lkt_sleep_ms(1000);
	return NULL;
}

Test(cond_debug, wait_with_mutex_held_by_another, .signal = SIGABRT)
{
	static lk_cond_t c = LK_COND_INIT;
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, hold_forever, NULL), 0);
	lkt_await(&other_holds);
	lk_cond_wait(&c, &other_m);
}

static lk_cond_t two_c = LK_COND_INIT;
static lk_mutex_t two_m1 = LK_MUTEX_INIT, two_m2 = LK_MUTEX_INIT;
static void *wait_m1(void *p)
{
	(void)p;
	lk_mutex_lock(&two_m1);
	lk_cond_wait(&two_c, &two_m1);
	lk_mutex_unlock(&two_m1);
	return NULL;
}

Test(cond_debug, waiters_with_different_mutexes, .signal = SIGABRT)
{
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, wait_m1, NULL), 0);
	await_waiters(&two_c, 1);
	lk_mutex_lock(&two_m2);
	lk_cond_wait(&two_c, &two_m2);
}

static lk_cond_t d_c = LK_COND_INIT;
static lk_mutex_t d_m = LK_MUTEX_INIT;
static void *wait_d(void *p)
{
	(void)p;
	lk_mutex_lock(&d_m);
	lk_cond_wait(&d_c, &d_m);
	lk_mutex_unlock(&d_m);
	return NULL;
}

Test(cond_debug, destroy_with_waiters, .signal = SIGABRT)
{
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, wait_d, NULL), 0);
	await_waiters(&d_c, 1);
	lk_cond_destroy(&d_c);
}

/* Correct use under LK_DEBUG: a ping-pong, timed waits, a broadcast. */
typedef struct {
	lk_cond_t c;
	lk_mutex_t m;
	int turn;
} pp_t;
static pp_t pp = {LK_COND_INIT, LK_MUTEX_INIT, 0};

static void *pp_worker(void *ctx, int id)
{
	(void)ctx;
	for (int i = 0; i < 2000; i++) {
		lk_mutex_lock(&pp.m);
		while (pp.turn != id) {
			if (i & 1)
				lk_cond_wait(&pp.c, &pp.m);
			else
				(void)lk_cond_timedwait(&pp.c, &pp.m, 100000);
		}
		pp.turn = 1 - id;
		if (i & 2)
			lk_cond_broadcast(&pp.c);
		else
			lk_cond_signal(&pp.c);
		lk_mutex_unlock(&pp.m);
	}
	return NULL;
}

Test(cond_debug, proper_use_does_not_abort)
{
	lkt_run(2, pp_worker, NULL);
	cr_assert_eq(lk_cond_waiters(&pp.c), 0);
	lk_cond_destroy(&pp.c);
	cr_assert(!lk_mutex_is_locked(&pp.m));
}
