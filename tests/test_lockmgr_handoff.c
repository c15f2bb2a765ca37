/* The lock table's hand-off (lockmgr/README.md, "Waiting"): a txn end
 * that grants a lock to a parked waiter gives its CPU away once
 * (sched_yield, after everything is released), so that the grantee runs
 * before the ended txn's thread starts new work; an end that wakes
 * nobody does not. sched_yield is interposed here to count the calls of
 * each thread; the waiter is known parked when it sleeps in futex(2)
 * (/proc/self/task/TID/syscall), as in test_lost_wake.c. */
#include "lockmgr_unit.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Thread_local int yields;

/* The library's calls land here (the executable's definition wins). */
int sched_yield(void)
{
	yields++;
	return (int)syscall(SYS_sched_yield);
}

typedef struct {
	lk_txn_t *t;
	atomic_int tid, rc, yields_at_commit;
} grantee_t;

/* Waits for R1 in X, then commits: it wakes nobody, so no yield. */
static void *grantee_fn(void *p)
{
	grantee_t *g = (grantee_t *)p;
	atomic_store(&g->tid, (int)syscall(SYS_gettid));
	atomic_store(&g->rc, lk_lock(g->t, &R1, LK_X, LK_FOREVER, 0));
	int y0 = yields;
	cr_assert_eq(lk_txn_commit(g->t), LK_OK);
	atomic_store(&g->yields_at_commit, yields - y0);
	return NULL;
}

/* One waiter parks behind the main thread's X on R1; the main thread
 * ends its txn (commit or abort) and must yield once, the grantee's
 * commit (nobody behind it) never. */
static void handoff(int policy, bool commit)
{
	lk_lockmgr_t *m = mk(policy, true, 0);
	lk_txn_t *a = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &R2, LK_S, 0, 0), LK_OK);
	grantee_t g;
	memset(&g, 0, sizeof g);
	g.t = begin(m);
	atomic_store(&g.rc, -1);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, grantee_fn, &g), 0);
	lk_stats_t st;
	for (int i = 0;; i++) {
		cr_assert(i < 30000, "the waiter never parked");
		lk_lockmgr_stats(m, &st);
		if (st.waited == 1 && atomic_load(&g.tid) && lkt_in_futex(atomic_load(&g.tid)))
			break;
		lkt_sleep_ms(1);
	}
	int y0 = yields;
	cr_assert_eq(commit ? lk_txn_commit(a) : lk_txn_abort(a), LK_OK);
	cr_assert_eq(yields - y0, 1, "the end that granted a parked waiter "
		     "yielded %d times", yields - y0);
	lkt_join(th, 0, "the grantee's lock and commit");
	cr_assert_eq(atomic_load(&g.rc), LK_OK);
	cr_assert_eq(atomic_load(&g.yields_at_commit), 0,
		     "an end that woke nobody yielded");
	lk_lockmgr_destroy(m);
}

Test(lockmgr_handoff, commit_yields_to_parked_grantee_detect, .timeout = 60)
{
	handoff(LK_POLICY_DETECT, true);
}

Test(lockmgr_handoff, abort_yields_to_parked_grantee_wound_wait, .timeout = 60)
{
	handoff(LK_POLICY_WOUND_WAIT, false);
}

/* A waiter that gives up (here: times out) lets a parked waiter behind it
 * through: its cancel grants, so its txn's end yields, though the end
 * itself releases nothing. The main thread's X waits behind a held S,
 * a second S queues behind the X and parks; when the X times out, the S
 * is granted. If the S had not parked by then (a machine too loaded for
 * the timeout), the premise failed and it tries again with a longer one. */
typedef struct {
	lk_lockmgr_t *m;
	lk_txn_t *w;
	atomic_int parked, quit, rc;
} behind_t;

static void *behind_fn(void *p)
{
	behind_t *b = (behind_t *)p;
	lk_stats_t st;
	do {
		lk_lockmgr_stats(b->m, &st);
		lkt_sleep_ms(1);
	} while (st.waited < 1); /* the main thread's X is queued */
	atomic_store(&b->rc, lk_lock(b->w, &R1, LK_S, LK_FOREVER, 0));
	cr_assert_eq(lk_txn_commit(b->w), LK_OK);
	return NULL;
}

static void *watch_fn(void *p)
{
	behind_t *b = (behind_t *)p;
	int tid = atomic_load(&b->parked); /* the S thread's tid, negated */
	while (!atomic_load(&b->quit)) {
		lk_stats_t st;
		lk_lockmgr_stats(b->m, &st);
		if (st.waited >= 2 && lkt_in_futex(-tid)) {
			atomic_store(&b->parked, 1);
			return NULL;
		}
		lkt_sleep_ms(1);
	}
	return NULL;
}

typedef struct {
	behind_t *b;
	atomic_int tid;
} tid_arg_t;

static void *behind_tid_fn(void *p)
{
	tid_arg_t *a = (tid_arg_t *)p;
	atomic_store(&a->tid, (int)syscall(SYS_gettid));
	return behind_fn(a->b);
}

Test(lockmgr_handoff, cancel_that_grants_makes_the_end_yield, .timeout = 120)
{
	for (uint64_t ms = 1000;; ms *= 4) {
		cr_assert(ms <= 16000, "the queued S never parked in time");
		lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
		lk_txn_t *h = begin(m), *x = begin(m);
		behind_t b;
		memset(&b, 0, sizeof b);
		b.m = m;
		b.w = begin(m);
		atomic_store(&b.rc, -1);
		cr_assert_eq(lk_lock(h, &R1, LK_S, 0, 0), LK_OK);
		tid_arg_t a;
		memset(&a, 0, sizeof a);
		a.b = &b;
		pthread_t tb, tw;
		cr_assert_eq(pthread_create(&tb, NULL, behind_tid_fn, &a), 0);
		while (!atomic_load(&a.tid))
			lkt_sleep_ms(1);
		atomic_store(&b.parked, -atomic_load(&a.tid));
		cr_assert_eq(pthread_create(&tw, NULL, watch_fn, &b), 0);
		int rc = lk_lock(x, &R1, LK_X, ms * 1000000u, 0);
		atomic_store(&b.quit, 1);
		lkt_join(tw, 1, "the watcher");
		bool premise = atomic_load(&b.parked) == 1;
		cr_assert_eq(rc, LK_TIMEOUT);
		int y0 = yields;
		cr_assert_eq(lk_txn_abort(x), LK_OK);
		int dy = yields - y0;
		lkt_join(tb, 0, "the queued S");
		cr_assert_eq(atomic_load(&b.rc), LK_OK);
		cr_assert_eq(lk_txn_commit(h), LK_OK);
		lk_lockmgr_destroy(m);
		if (!premise)
			continue;
		cr_assert_eq(dy, 1, "the end after a cancel that granted a parked "
			     "waiter yielded %d times", dy);
		return;
	}
}

/* Ends that wake nobody: no locks, uncontended locks, an early release. */
Test(lockmgr_handoff, uncontended_ends_do_not_yield)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	int y0 = yields;
	lk_txn_t *t = begin(m);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	t = begin(m);
	cr_assert_eq(lk_lock(t, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &R2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &R3, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_unlock(t, &R3), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	t = begin(m);
	cr_assert_eq(lk_lock(t, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_abort(t), LK_OK);
	cr_assert_eq(yields, y0);
	lk_lockmgr_destroy(m);
}
