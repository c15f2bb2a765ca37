/*
 * LK_DEBUG misuse of once and the barrier: each aborts through lk__misuse
 * with a report that names the call. fn calling lk_once (or lk_once_ctx)
 * on the object it is running for; destroying a barrier while a thread
 * waits on it. Each case runs in a child whose stderr is read back, so
 * the test checks the report's text, not just the signal. Correct use
 * under LK_DEBUG does not abort.
 */
#define LK_DEBUG 1
#include <latchkit/barrier.h>
#include <latchkit/event.h>
#include <latchkit/once.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "misuse.h"

static lk_once_t rec_once = LK_ONCE_INIT;

static void recurse_plain(void)
{
	lk_once(&rec_once, recurse_plain);
}

static void call_recurse_plain(void)
{
	lk_once(&rec_once, recurse_plain);
}

Test(sync_debug, once_recursion_aborts_naming_lk_once)
{
	expect_misuse(call_recurse_plain,
		      "latchkit: lk_once: fn called lk_once on the object it is "
		      "running for");
}

static void recurse_ctx(void *arg)
{
	lk_once_ctx((lk_once_t *)arg, recurse_ctx, arg);
}

static void call_recurse_ctx(void)
{
	static lk_once_t o = LK_ONCE_INIT;
	lk_once_ctx(&o, recurse_ctx, &o);
}

Test(sync_debug, once_ctx_recursion_aborts_naming_lk_once_ctx)
{
	expect_misuse(call_recurse_ctx, "latchkit: lk_once_ctx: fn called");
}

static lk_barrier_t busy_b;

static void *busy_waiter(void *p)
{
	(void)p;
	lk_barrier_wait(&busy_b);
	return NULL;
}

static void destroy_with_waiter(void)
{
	lk_barrier_init(&busy_b, 2);
	pthread_t th;
	pthread_create(&th, NULL, busy_waiter, NULL);
	while (atomic_load(&busy_b.arrived) != 1)
		sched_yield();
	lk_barrier_destroy(&busy_b);
}

Test(sync_debug, barrier_destroy_with_waiter_aborts_naming_the_call)
{
	expect_misuse(destroy_with_waiter,
		      "latchkit: lk_barrier_destroy: destroy while threads "
		      "wait on it");
}

/* Correct use under LK_DEBUG: nothing aborts. */
static atomic_int runs;
static void count_run(void)
{
	atomic_fetch_add(&runs, 1);
}
static lk_once_t ok_once = LK_ONCE_INIT;
static lk_barrier_t ok_b = LK_BARRIER_INIT(3);
static lk_event_t ok_e = LK_EVENT_INIT;

static void *ok_user(void *p, int id)
{
	(void)p;
	for (int i = 0; i < 1000; i++) {
		lk_once(&ok_once, count_run);
		lk_barrier_wait(&ok_b);
	}
	if (id == 0)
		lk_event_set(&ok_e);
	lk_event_wait(&ok_e);
	return NULL;
}

Test(sync_debug, correct_use_does_not_abort)
{
	lkt_run(3, ok_user, NULL);
	cr_assert_eq(atomic_load(&runs), 1);
	cr_assert_eq(atomic_load(&ok_b.inside_), 0);
	cr_assert_eq(lk_barrier_destroy(&ok_b), 0);
}
