/* tests/test_rw_debug.c: LK_DEBUG misuse checks of the RW latches. Each
 * misuse must abort (SIGABRT via lk__misuse); correct use must not. */
#define LK_DEBUG 1
#include <latchkit/brlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "misuse.h"

/* Write-lock on another thread, which then exits still holding it. */
#define HOLD_ELSEWHERE(NAME, lp)                                               \
	static void *NAME##_hold_fn(void *arg)                                 \
	{                                                                      \
		lk_##NAME##_wrlock((lk_##NAME##_t *)arg);                      \
		return NULL;                                                   \
	}                                                                      \
	static void NAME##_hold_elsewhere(void)                                \
	{                                                                      \
		pthread_t th;                                                  \
		cr_assert_eq(pthread_create(&th, NULL, NAME##_hold_fn, lp), 0); \
		pthread_join(th, NULL);                                        \
	}

/* Stamps the misuse death tests and a correct-use test for one latch. */
#define RW_DEBUG_TESTS(NAME, lp)                                               \
	HOLD_ELSEWHERE(NAME, lp)                                               \
	Test(NAME##_debug, rdunlock_of_free_latch, .signal = SIGABRT)          \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_rdunlock(lp);                                      \
	}                                                                      \
	Test(NAME##_debug, wrunlock_of_free_latch, .signal = SIGABRT)          \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_wrunlock(lp);                                      \
	}                                                                      \
	Test(NAME##_debug, wrunlock_of_read_locked_latch, .signal = SIGABRT)   \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_rdlock(lp);                                        \
		lk_##NAME##_wrunlock(lp);                                      \
	}                                                                      \
	Test(NAME##_debug, wrunlock_by_non_owner, .signal = SIGABRT)           \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		NAME##_hold_elsewhere();                                       \
		lk_##NAME##_wrunlock(lp);                                      \
	}                                                                      \
	Test(NAME##_debug, wrlock_relock_by_owner, .signal = SIGABRT)          \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_wrlock(lp);                                        \
		lk_##NAME##_wrlock(lp);                                        \
	}                                                                      \
	Test(NAME##_debug, wrtrylock_relock_by_owner, .signal = SIGABRT)       \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_wrlock(lp);                                        \
		(void)lk_##NAME##_wrtrylock(lp);                               \
	}                                                                      \
	Test(NAME##_debug, rdlock_by_write_owner, .signal = SIGABRT)           \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_wrlock(lp);                                        \
		lk_##NAME##_rdlock(lp);                                        \
	}                                                                      \
	Test(NAME##_debug, correct_use_does_not_abort)                         \
	{                                                                      \
		lk_##NAME##_init(lp);                                          \
		lk_##NAME##_rdlock(lp);                                        \
		lk_##NAME##_rdlock(lp);                                        \
		cr_assert(lk_##NAME##_rdtrylock(lp));                          \
		lk_##NAME##_rdunlock(lp);                                      \
		lk_##NAME##_rdunlock(lp);                                      \
		lk_##NAME##_rdunlock(lp);                                      \
		lk_##NAME##_wrlock(lp);                                        \
		lk_##NAME##_wrunlock(lp);                                      \
		cr_assert(lk_##NAME##_wrtimedlock(lp, 1000000u));              \
		lk_##NAME##_wrunlock(lp);                                      \
		cr_assert(lk_##NAME##_rdtimedlock(lp, 1000000u));              \
		lk_##NAME##_rdunlock(lp);                                      \
		/* Another thread's write lock, released by it: fine. */       \
		lkt_run(4, NAME##_churn, lp);                                  \
		cr_assert(lk_##NAME##_wrtrylock(lp));                          \
		lk_##NAME##_wrunlock(lp);                                      \
	}

/* Correct concurrent use with the debug bookkeeping on. */
#define CHURN(NAME)                                                            \
	static void *NAME##_churn(void *ctx, int id)                           \
	{                                                                      \
		lk_##NAME##_t *l = (lk_##NAME##_t *)ctx;                       \
		for (int i = 0; i < 2000; i++) {                               \
			if ((i + id) % 4 == 0) {                               \
				lk_##NAME##_wrlock(l);                         \
				lk_##NAME##_wrunlock(l);                       \
			} else {                                               \
				lk_##NAME##_rdlock(l);                         \
				lk_##NAME##_rdunlock(l);                       \
			}                                                      \
		}                                                              \
		return NULL;                                                   \
	}

static lk_rwlock_t rw;
static lk_pfrwlock_t pf;
static lk_rprwlock_t rp;
static lk_brlock_t br;
static lk_rwmutex_t rm;

CHURN(rwlock)
CHURN(pfrwlock)
CHURN(rprwlock)
CHURN(brlock)
CHURN(rwmutex)
RW_DEBUG_TESTS(rwlock, &rw)
RW_DEBUG_TESTS(pfrwlock, &pf)
RW_DEBUG_TESTS(rprwlock, &rp)
RW_DEBUG_TESTS(brlock, &br)
RW_DEBUG_TESTS(rwmutex, &rm)

/* ---- rwmutex's U mode ------------------------------------------------------- */

static void *rm_up_fn(void *arg)
{
	lk_rwmutex_uplock((lk_rwmutex_t *)arg);
	return NULL;
}

Test(rwmutex_debug, upunlock_of_free_latch, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_upunlock(&rm);
}

Test(rwmutex_debug, upunlock_by_non_owner, .signal = SIGABRT)
{
	pthread_t th;
	lk_rwmutex_init(&rm);
	cr_assert_eq(pthread_create(&th, NULL, rm_up_fn, &rm), 0);
	pthread_join(th, NULL);
	lk_rwmutex_upunlock(&rm);
}

Test(rwmutex_debug, upunlock_of_write_locked_latch, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_wrlock(&rm);
	lk_rwmutex_upunlock(&rm);
}

Test(rwmutex_debug, wrunlock_of_u_locked_latch, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_uplock(&rm);
	lk_rwmutex_wrunlock(&rm);
}

Test(rwmutex_debug, uplock_relock_by_owner, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_uplock(&rm);
	lk_rwmutex_uplock(&rm);
}

Test(rwmutex_debug, rdlock_by_u_owner, .signal = SIGABRT)
{
	/* It would deadlock its own upgrade. */
	lk_rwmutex_init(&rm);
	lk_rwmutex_uplock(&rm);
	lk_rwmutex_rdlock(&rm);
}

Test(rwmutex_debug, upgrade_without_u, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_rdlock(&rm);
	lk_rwmutex_upgrade(&rm);
}

Test(rwmutex_debug, downgrade_without_x, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_uplock(&rm);
	lk_rwmutex_downgrade(&rm);
}

Test(rwmutex_debug, updowngrade_without_u, .signal = SIGABRT)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_updowngrade(&rm);
}

Test(rwmutex_debug, u_mode_correct_use_does_not_abort)
{
	lk_rwmutex_init(&rm);
	lk_rwmutex_uplock(&rm);
	lk_rwmutex_upgrade(&rm);
	lk_rwmutex_downgrade(&rm);
	lk_rwmutex_rdunlock(&rm);
	cr_assert(lk_rwmutex_uptrylock(&rm));
	lk_rwmutex_updowngrade(&rm);
	lk_rwmutex_rdunlock(&rm);
	cr_assert(lk_rwmutex_uptimedlock(&rm, 1000000u));
	lk_rwmutex_upunlock(&rm);
	cr_assert(lk_rwmutex_wrtrylock(&rm));
	lk_rwmutex_wrunlock(&rm);
}

/* ---- rprwlock: each report names the call and the misuse -------------- */

static void rp_rdunlock_free(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_rdunlock(&rp);
}

static void rp_rdunlock_wrlocked(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_wrlock(&rp);
	lk_rprwlock_rdunlock(&rp);
}

static void rp_wrunlock_free(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_wrunlock(&rp);
}

static void rp_wrunlock_rdlocked(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_rdlock(&rp);
	lk_rprwlock_wrunlock(&rp);
}

static void rp_wrunlock_other(void)
{
	lk_rprwlock_init(&rp);
	rprwlock_hold_elsewhere();
	lk_rprwlock_wrunlock(&rp);
}

static void rp_wrlock_relock(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_wrlock(&rp);
	lk_rprwlock_wrlock(&rp);
}

static void rp_wrtimedlock_relock(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_wrlock(&rp);
	(void)lk_rprwlock_wrtimedlock(&rp, 1000000u);
}

static void rp_rdtrylock_by_writer(void)
{
	lk_rprwlock_init(&rp);
	lk_rprwlock_wrlock(&rp);
	(void)lk_rprwlock_rdtrylock(&rp);
}

Test(rprwlock_debug, reports_name_the_call)
{
	expect_misuse(rp_rdunlock_free,
		      "latchkit: lk_rprwlock_rdunlock: read-unlock of a latch "
		      "not read-locked");
	expect_misuse(rp_rdunlock_wrlocked,
		      "latchkit: lk_rprwlock_rdunlock: read-unlock of a latch "
		      "held for writing");
	expect_misuse(rp_wrunlock_free,
		      "latchkit: lk_rprwlock_wrunlock: write-unlock of a latch "
		      "not write-locked");
	expect_misuse(rp_wrunlock_rdlocked,
		      "latchkit: lk_rprwlock_wrunlock: write-unlock of a latch "
		      "held for reading");
	expect_misuse(rp_wrunlock_other,
		      "latchkit: lk_rprwlock_wrunlock: write-unlock by a thread "
		      "that does not hold it");
	expect_misuse(rp_wrlock_relock,
		      "latchkit: lk_rprwlock_wrlock: re-lock by the thread that "
		      "holds it for writing");
	expect_misuse(rp_wrtimedlock_relock,
		      "latchkit: lk_rprwlock_wrtimedlock: re-lock by the thread "
		      "that holds it for writing");
	expect_misuse(rp_rdtrylock_by_writer,
		      "latchkit: lk_rprwlock_rdtrylock: re-lock by the thread "
		      "that holds it for writing");
}
