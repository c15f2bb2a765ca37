/* Unit tests of the lock table (lockmgr/) with threads that block: FIFO
 * queues and group grant, conversions, timeouts, the four deadlock
 * policies, views and trace while threads wait, and eight threads that
 * must not hang. test_lockmgr.c: the single-thread part. */
#include "lockmgr_unit.h"

#include <stdio.h>
#include <string.h>

/* ---- threads that block --------------------------------------------------------- */

typedef struct {
	lk_txn_t *t;
	const lk_res_t *r;
	int mode;
	uint64_t timeout;
	atomic_int started, done, rc;
	pthread_t th;
} locker_t;

static void *locker_fn(void *p)
{
	locker_t *l = (locker_t *)p;
	atomic_store(&l->started, 1);
	atomic_store(&l->rc, lk_lock(l->t, l->r, l->mode, l->timeout, 0));
	atomic_store(&l->done, 1);
	return NULL;
}

static void locker_go(locker_t *l, lk_txn_t *t, const lk_res_t *r, int mode,
		      uint64_t timeout)
{
	memset(l, 0, sizeof *l);
	l->t = t;
	l->r = r;
	l->mode = mode;
	l->timeout = timeout;
	atomic_store(&l->rc, -1);
	cr_assert_eq(pthread_create(&l->th, NULL, locker_fn, l), 0);
}

static int locker_join(locker_t *l)
{
	lkt_join(l->th, 0, "its lock and wait calls");
	return atomic_load(&l->rc);
}

/* Wait (bounded) until txn is queued on something. */
static void await_waiting(lk_lockmgr_t *m, lk_txn_t *t, int nwaiters)
{
	for (int i = 0; i < 20000; i++) {
		lk_lockinfo_t info[64];
		size_t n = lk_snapshot(m, info, 64);
		int w = 0;
		for (size_t k = 0; k < n && k < 64; k++)
			if (info[k].waiting && (!t || info[k].txn_id == lk_txn_id(t)))
				w++;
		if (w >= nwaiters)
			return;
		lkt_sleep_ms(1);
	}
	cr_assert_fail("no waiter appeared");
}

Test(lockmgr_queue, group_grant_and_single_wake)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	lk_txn_t *w = begin(m), *a = begin(m), *b = begin(m), *x = begin(m);
	cr_assert_eq(lk_lock(w, &R1, LK_X, 0, 0), LK_OK);
	locker_t la, lb, lx;
	locker_go(&la, a, &R1, LK_S, LK_FOREVER);
	await_waiting(m, a, 1);
	locker_go(&lb, b, &R1, LK_S, LK_FOREVER);
	await_waiting(m, b, 1);
	locker_go(&lx, x, &R1, LK_X, LK_FOREVER);
	await_waiting(m, x, 1);
	cr_assert_eq(lk_txn_commit(w), LK_OK);
	cr_assert_eq(locker_join(&la), LK_OK);
	cr_assert_eq(locker_join(&lb), LK_OK);
	/* both S granted together; X still waits */
	lkt_sleep_ms(20);
	cr_assert_eq(atomic_load(&lx.done), 0);
	cr_assert_eq(lk_held_mode(a, &R1), LK_S);
	cr_assert_eq(lk_held_mode(b, &R1), LK_S);
	lk_txn_commit(a);
	lkt_sleep_ms(10);
	cr_assert_eq(atomic_load(&lx.done), 0);
	lk_txn_commit(b);
	cr_assert_eq(locker_join(&lx), LK_OK);
	lk_txn_commit(x);
	lk_lockmgr_destroy(m);
}

static void fifo_case(bool strict)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, strict, 0);
	lk_txn_t *h = begin(m), *xw = begin(m), *s = begin(m);
	cr_assert_eq(lk_lock(h, &R1, LK_S, 0, 0), LK_OK);
	locker_t lx;
	locker_go(&lx, xw, &R1, LK_X, LK_FOREVER);
	await_waiting(m, xw, 1);
	/* S is compatible with the holder but an X is queued */
	int rc = lk_lock(s, &R1, LK_S, 0, 0);
	cr_assert_eq(rc, strict ? LK_WOULDBLOCK : LK_OK, "strict=%d rc=%d", strict, rc);
	lk_txn_commit(s);
	lk_txn_commit(h);
	cr_assert_eq(locker_join(&lx), LK_OK);
	lk_txn_commit(xw);
	lk_lockmgr_destroy(m);
}
/* fifo_strict only keeps a new request behind queued ones it conflicts
 * with: the seed notes' IX held, S waiting, IS proceeds. */
Test(lockmgr_queue, strict_passes_only_compatible_waiters)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	lk_res_t tab = lk_res_table(1, 5);
	lk_txn_t *t1 = begin(m), *t2 = begin(m), *t3 = begin(m), *t4 = begin(m);
	cr_assert_eq(lk_lock(t1, &tab, LK_IX, 0, 0), LK_OK);
	locker_t l2;
	locker_go(&l2, t2, &tab, LK_S, LK_FOREVER);
	await_waiting(m, t2, 1);
	cr_assert_eq(lk_lock(t3, &tab, LK_IS, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t4, &tab, LK_IX, 0, 0), LK_WOULDBLOCK,
		     "IX conflicts with the queued S");
	lk_txn_commit(t1);
	cr_assert_eq(locker_join(&l2), LK_OK);
	lk_txn_commit(t2);
	lk_txn_commit(t3);
	lk_txn_commit(t4);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_queue, fifo_strict_on)
{
	fifo_case(true);
}
Test(lockmgr_queue, fifo_strict_off)
{
	fifo_case(false);
}

Test(lockmgr_queue, conversion_ahead_of_new_requests)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	lk_txn_t *a = begin(m), *b = begin(m), *c = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, 0), LK_OK);
	locker_t lc, la;
	locker_go(&lc, c, &R1, LK_X, LK_FOREVER); /* new request, queued first */
	await_waiting(m, c, 1);
	locker_go(&la, a, &R1, LK_X, LK_FOREVER); /* conversion, asked later */
	await_waiting(m, a, 1);
	lk_txn_commit(b);
	cr_assert_eq(locker_join(&la), LK_OK, "the conversion goes first");
	cr_assert_eq(lk_held_mode(a, &R1), LK_X);
	lkt_sleep_ms(10);
	cr_assert_eq(atomic_load(&lc.done), 0);
	lk_txn_commit(a);
	cr_assert_eq(locker_join(&lc), LK_OK);
	lk_txn_commit(c);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_queue, timeout_leaves_queue_consistent)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	lk_txn_t *h = begin(m), *x = begin(m), *s = begin(m);
	cr_assert_eq(lk_lock(h, &R1, LK_S, 0, 0), LK_OK);
	locker_t ls;
	/* X waits with a timeout; S queues behind it forever */
	uint64_t t0 = lkt_now_ns();
	locker_t lx;
	locker_go(&lx, x, &R1, LK_X, 100 * 1000000ull);
	await_waiting(m, x, 1);
	locker_go(&ls, s, &R1, LK_S, LK_FOREVER);
	cr_assert_eq(locker_join(&lx), LK_TIMEOUT);
	uint64_t el = lkt_now_ns() - t0;
	cr_assert_geq(el, 100 * 1000000ull);
	cr_assert_lt(el, 2100 * 1000000ull);
	/* the S behind the timed-out X is granted by the cleanup */
	cr_assert_eq(locker_join(&ls), LK_OK);
	/* the timed-out txn continues */
	cr_assert_eq(lk_lock(x, &R2, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(x, &R1, LK_S, 0, 0), LK_OK);
	lk_lockinfo_t info[16];
	size_t n = lk_snapshot(m, info, 16);
	for (size_t k = 0; k < n; k++)
		cr_assert(!info[k].waiting);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.timeouts, 1);
	lk_txn_commit(h);
	lk_txn_commit(x);
	lk_txn_commit(s);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_queue, conversion_timeout_keeps_old_mode)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	lk_txn_t *a = begin(m), *b = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 30 * 1000000ull, 0), LK_TIMEOUT);
	cr_assert_eq(lk_held_mode(a, &R1), LK_S);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, 0), LK_WOULDBLOCK);
	lk_txn_commit(b);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, 0), LK_OK);
	lk_txn_commit(a);
	lk_lockmgr_destroy(m);
}

/* ---- deadlock policies ------------------------------------------------------------ */

Test(lockmgr_policy, wait_die_by_age)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WAIT_DIE, true, 0);
	lk_txn_t *old = begin(m), *young = begin(m);
	cr_assert_lt(lk_txn_id(old), lk_txn_id(young));
	cr_assert_eq(lk_lock(old, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(young, &R2, LK_X, 0, 0), LK_OK);
	/* young asks what old holds: dies */
	cr_assert_eq(lk_lock(young, &R1, LK_S, LK_FOREVER, 0), LK_DEADLOCK);
	/* old asks what young holds: waits */
	locker_t lo;
	locker_go(&lo, old, &R2, LK_X, LK_FOREVER);
	await_waiting(m, old, 1);
	lk_txn_abort(young);
	cr_assert_eq(locker_join(&lo), LK_OK);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.deadlocks, 1);
	lk_txn_commit(old);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_policy, wound_wait_by_age)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WOUND_WAIT, true, 0);
	lk_txn_t *old = begin(m), *young = begin(m);
	cr_assert_eq(lk_lock(old, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(young, &R2, LK_X, 0, 0), LK_OK);
	/* young waits for old */
	locker_t ly;
	locker_go(&ly, young, &R1, LK_X, LK_FOREVER);
	await_waiting(m, young, 1);
	/* old asks what young holds: wounds it; young (waiting) wakes wounded */
	locker_t lo;
	locker_go(&lo, old, &R2, LK_X, LK_FOREVER);
	cr_assert_eq(locker_join(&ly), LK_WOUNDED);
	cr_assert_eq(lk_lock(young, &R3, LK_S, 0, 0), LK_WOUNDED, "stays wounded");
	lk_txn_abort(young);
	cr_assert_eq(locker_join(&lo), LK_OK);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.wounds, 1);
	lk_txn_commit(old);
	lk_lockmgr_destroy(m);
}

Test(lockmgr_policy, no_wait)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, true, 0);
	lk_txn_t *a = begin(m), *b = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, LK_FOREVER, 0), LK_WOULDBLOCK);
	lk_txn_commit(a);
	cr_assert_eq(lk_lock(b, &R1, LK_S, LK_FOREVER, 0), LK_OK);
	lk_txn_commit(b);
	lk_lockmgr_destroy(m);
}

/* n txns in a ring: txn i holds R[i], then asks R[i+1]; txn `last`
 * (0 oldest .. n-1 youngest) starts to wait last, closing the cycle.
 * Exactly one victim returns LK_DEADLOCK; after it aborts the rest
 * finish. */
static void ring_closed_by(int n, int victim_policy, uint64_t dl_timeout,
			   int last)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_DETECT;
	c.victim = victim_policy;
	c.deadlock_timeout_ns = dl_timeout;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_txn_t *t[4];
	lk_res_t r[4];
	for (int i = 0; i < n; i++) {
		t[i] = begin(m);
		r[i] = lk_res_advisory(100 + (uint32_t)i, 0);
		cr_assert_eq(lk_lock(t[i], &r[i], LK_X, 0, 0), LK_OK);
	}
	if (victim_policy == LK_VICTIM_FEWEST_LOCKS)
		for (int i = 1; i < n; i++) /* all but the oldest hold more */
			for (uint32_t k = 0; k < 3; k++) {
				lk_res_t extra = lk_res_advisory(200 + k, 0);
				cr_assert_eq(lk_lock(t[i], &extra, LK_S, 0, 0), LK_OK);
			}
	locker_t l[4];
	for (int j = 0; j < n; j++) {
		int i = (last + 1 + j) % n;
		locker_go(&l[i], t[i], &r[(i + 1) % n], LK_X, 10ull * 1000000000ull);
		if (j < n - 1)
			await_waiting(m, t[i], 1);
	}
	/* find the victim as the first to finish */
	int victim = -1;
	for (int k = 0; k < 10000 && victim < 0; k++) {
		for (int i = 0; i < n; i++)
			if (atomic_load(&l[i].done))
				victim = i;
		lkt_sleep_ms(1);
	}
	cr_assert_geq(victim, 0, "no victim chosen");
	cr_assert_eq(locker_join(&l[victim]), LK_DEADLOCK);
	if (victim_policy == LK_VICTIM_YOUNGEST)
		cr_assert_eq(victim, n - 1, "youngest is the victim");
	else if (victim_policy == LK_VICTIM_CLOSER)
		cr_assert_eq(victim, last, "the closer (%d) is the victim", last);
	else
		cr_assert_eq(victim, 0, "the oldest holds the fewest locks");
	lk_txn_abort(t[victim]);
	/* commit in order so the chain unwinds: the waiter on the victim's
	 * resource got it; commit it so the next can go, etc. */
	int cur = (victim - 1 + n) % n;
	for (int k = 0; k < n - 1; k++) {
		cr_assert_eq(locker_join(&l[cur]), LK_OK);
		lk_txn_commit(t[cur]);
		cur = (cur - 1 + n) % n;
	}
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.deadlocks, 1);
	lk_lockmgr_destroy(m);
}

static void ring(int n, int victim_policy, uint64_t dl_timeout)
{
	ring_closed_by(n, victim_policy, dl_timeout, n - 1);
}

Test(lockmgr_policy, detect_two_cycle)
{
	ring(2, LK_VICTIM_YOUNGEST, 0);
}
Test(lockmgr_policy, detect_three_cycle)
{
	ring(3, LK_VICTIM_YOUNGEST, 0);
}
Test(lockmgr_policy, detect_three_cycle_after_timeout)
{
	ring(3, LK_VICTIM_YOUNGEST, 20 * 1000000ull);
}
/* the youngest's wait is not the last: still the youngest */
Test(lockmgr_policy, detect_youngest_not_closer)
{
	ring_closed_by(3, LK_VICTIM_YOUNGEST, 0, 0);
}
/* CLOSER (the default): the txn whose wait closed the cycle, the oldest
 * or one in the middle, not the youngest */
Test(lockmgr_policy, detect_closer_oldest)
{
	ring_closed_by(2, LK_VICTIM_CLOSER, 0, 0);
}
Test(lockmgr_policy, detect_closer_middle)
{
	ring_closed_by(3, LK_VICTIM_CLOSER, 0, 1);
}
Test(lockmgr_policy, detect_closer_youngest)
{
	ring_closed_by(3, LK_VICTIM_CLOSER, 0, 2);
}
/* CLOSER, a searcher off the cycle: s waits for a (R3), then 100 ms
 * later a and b deadlock (R2, R1); with a 300 ms deadlock_timeout s
 * searches first (unless the cycle is not closed by then) and finds the
 * a-b cycle without itself: the victim is a member (b, the youngest; a
 * if a searched first), never s, which gets R3 once a ends. */
Test(lockmgr_policy, detect_closer_off_cycle)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_DETECT;
	c.victim = LK_VICTIM_CLOSER;
	c.deadlock_timeout_ns = 300 * 1000000ull;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_res_t r0 = lk_res_advisory(300, 0), r1 = lk_res_advisory(301, 0),
		 r2 = lk_res_advisory(302, 0), r3 = lk_res_advisory(303, 0);
	lk_txn_t *s = begin(m), *a = begin(m), *b = begin(m);
	cr_assert_eq(lk_lock(s, &r0, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &r1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &r3, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &r2, LK_X, 0, 0), LK_OK);
	locker_t ls, la, lb;
	locker_go(&ls, s, &r3, LK_X, 10ull * 1000000000ull);
	await_waiting(m, s, 1);
	lkt_sleep_ms(100);
	locker_go(&la, a, &r2, LK_X, 10ull * 1000000000ull);
	await_waiting(m, a, 1);
	locker_go(&lb, b, &r1, LK_X, 10ull * 1000000000ull);
	int victim = -1;
	for (int k = 0; k < 10000 && victim < 0; k++) {
		if (atomic_load(&ls.done))
			victim = 0;
		else if (atomic_load(&la.done))
			victim = 1;
		else if (atomic_load(&lb.done))
			victim = 2;
		lkt_sleep_ms(1);
	}
	cr_assert_gt(victim, 0, "the victim is a member of the cycle, not s");
	lk_txn_t *v = victim == 1 ? a : b, *w = victim == 1 ? b : a;
	cr_assert_eq(locker_join(victim == 1 ? &la : &lb), LK_DEADLOCK);
	lk_txn_abort(v);
	cr_assert_eq(locker_join(victim == 1 ? &lb : &la), LK_OK);
	lk_txn_commit(w);
	cr_assert_eq(locker_join(&ls), LK_OK, "s gets R3 once a ends");
	lk_txn_commit(s);
	lk_lockmgr_destroy(m);
}
Test(lockmgr_policy, detect_fewest_locks)
{
	ring(2, LK_VICTIM_FEWEST_LOCKS, 0);
}
Test(lockmgr_policy, detect_fewest_locks_three)
{
	ring(3, LK_VICTIM_FEWEST_LOCKS, 5 * 1000000ull);
}

static void double_upgrade(int policy)
{
	lk_lockmgr_t *m = mk(policy, true, 0);
	lk_txn_t *a = begin(m), *b = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, 0), LK_OK);
	if (policy == LK_POLICY_NO_WAIT) {
		cr_assert_eq(lk_lock(a, &R1, LK_X, LK_FOREVER, 0), LK_WOULDBLOCK);
		lk_txn_commit(a);
		lk_txn_commit(b);
		lk_lockmgr_destroy(m);
		return;
	}
	locker_t la, lb;
	locker_go(&la, a, &R1, LK_X, 10ull * 1000000000ull);
	if (policy != LK_POLICY_WOUND_WAIT)
		await_waiting(m, a, 1);
	locker_go(&lb, b, &R1, LK_X, 10ull * 1000000000ull);
	if (policy == LK_POLICY_WOUND_WAIT) {
		/* a (older) wounds b whether b waits yet or not */
		int rb = locker_join(&lb);
		cr_assert(rb == LK_WOUNDED || rb == LK_OK, "rb=%d", rb);
		if (rb == LK_OK) { /* b converted first; a waits, b is wounded */
			cr_assert_eq(lk_lock(b, &R2, LK_S, 0, 0), LK_WOUNDED);
		}
		lk_txn_abort(b);
		cr_assert_eq(locker_join(&la), LK_OK);
	} else {
		/* DETECT: b, the youngest and the closer, is the victim;
		 * WAIT_DIE: b dies */
		cr_assert_eq(locker_join(&lb), LK_DEADLOCK);
		lk_txn_abort(b);
		cr_assert_eq(locker_join(&la), LK_OK);
	}
	cr_assert_eq(lk_held_mode(a, &R1), LK_X);
	lk_txn_commit(a);
	lk_lockmgr_destroy(m);
}
Test(lockmgr_policy, double_upgrade_detect)
{
	double_upgrade(LK_POLICY_DETECT);
}
Test(lockmgr_policy, double_upgrade_wait_die)
{
	double_upgrade(LK_POLICY_WAIT_DIE);
}
Test(lockmgr_policy, double_upgrade_wound_wait)
{
	double_upgrade(LK_POLICY_WOUND_WAIT);
}
Test(lockmgr_policy, double_upgrade_no_wait)
{
	double_upgrade(LK_POLICY_NO_WAIT);
}

/* ---- threads: nothing hangs ----------------------------------------------------------- */

typedef struct {
	lk_lockmgr_t *m;
	atomic_int ok, dead;
} mt_ctx;

static void *mt_worker(void *p, int id)
{
	mt_ctx *c = (mt_ctx *)p;
	uint32_t s = 12345u + (uint32_t)id * 7919u;
	for (int it = 0; it < 300; it++) {
		lk_txn_t *t;
		if (lk_txn_begin(c->m, &t) != LK_OK)
			continue;
		int rc = LK_OK;
		for (int k = 0; k < 4 && rc == LK_OK; k++) {
			s = s * 1103515245u + 12345u;
			lk_res_t r = lk_res_row(1, (s >> 8) % 2, (s >> 12) % 4, (s >> 16) % 8);
			int mode = ((s >> 20) & 3) ? LK_S : LK_X;
			rc = lk_lock(t, &r, mode, 2000ull * 1000000ull, 0);
		}
		if (rc == LK_OK) {
			lk_txn_commit(t);
			atomic_fetch_add(&c->ok, 1);
		} else {
			lk_txn_abort(t);
			atomic_fetch_add(&c->dead, 1);
		}
	}
	return NULL;
}

static void threads_case(int policy)
{
	mt_ctx c;
	c.m = mk(policy, true, 0);
	atomic_init(&c.ok, 0);
	atomic_init(&c.dead, 0);
	lkt_run(8, mt_worker, &c);
	cr_assert_eq(atomic_load(&c.ok) + atomic_load(&c.dead), 8 * 300);
	cr_assert_gt(atomic_load(&c.ok), 0);
	lk_stats_t st;
	lk_lockmgr_stats(c.m, &st);
	cr_assert_eq(st.txns_active, 0);
	cr_assert_eq(st.requests_used, 0);
	lk_lockinfo_t info[4];
	cr_assert_eq(lk_snapshot(c.m, info, 4), 0);
	lk_lockmgr_destroy(c.m);
}
Test(lockmgr_threads, eight_detect, .timeout = 60)
{
	threads_case(LK_POLICY_DETECT);
}
Test(lockmgr_threads, eight_wait_die, .timeout = 60)
{
	threads_case(LK_POLICY_WAIT_DIE);
}
Test(lockmgr_threads, eight_wound_wait, .timeout = 60)
{
	threads_case(LK_POLICY_WOUND_WAIT);
}

/* ---- views and trace while threads wait ---------------------------------------- */

Test(lockmgr_view, snapshot_blocking_set_dot)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	lk_txn_t *a = begin(m), *b = begin(m), *w = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, 0), LK_OK);
	locker_t lw;
	locker_go(&lw, w, &R1, LK_X, LK_FOREVER);
	await_waiting(m, w, 1);
	lk_lockinfo_t info[8];
	size_t n = lk_snapshot(m, info, 8);
	cr_assert_eq(n, 3);
	int granted = 0, waiting = 0;
	for (size_t k = 0; k < n; k++) {
		cr_assert(lk_res_equal(&info[k].res, &R1));
		if (info[k].granted) {
			granted++;
			cr_assert_eq(info[k].mode, LK_S);
		}
		if (info[k].waiting) {
			waiting++;
			cr_assert_eq(info[k].txn_id, lk_txn_id(w));
			cr_assert_eq(info[k].mode, LK_X);
			cr_assert_neq(info[k].wait_start_ns, 0);
		}
	}
	cr_assert_eq(granted, 2);
	cr_assert_eq(waiting, 1);
	cr_assert_eq(lk_snapshot(m, info, 1), 3, "count beyond cap");
	uint64_t ids[4] = {0};
	size_t nb = lk_blocking_set(w, ids, 4);
	cr_assert_eq(nb, 2);
	cr_assert((ids[0] == lk_txn_id(a) && ids[1] == lk_txn_id(b)) ||
		  (ids[1] == lk_txn_id(a) && ids[0] == lk_txn_id(b)));
	cr_assert_eq(lk_blocking_set(a, ids, 4), 0);
	char buf[2048] = {0};
	FILE *f = fmemopen(buf, sizeof buf - 1, "w");
	cr_assert_eq(lk_waitfor_dot(m, f), LK_OK);
	fclose(f);
	char edge[64];
	snprintf(edge, sizeof edge, "T%llu -> T%llu", (unsigned long long)lk_txn_id(w),
		 (unsigned long long)lk_txn_id(a));
	cr_assert(strstr(buf, "digraph") != NULL);
	cr_assert(strstr(buf, edge) != NULL, "%s", buf);
	cr_assert(strstr(buf, "advisory(1,0,0,0) X") != NULL, "%s", buf);
	lk_txn_commit(a);
	lk_txn_commit(b);
	cr_assert_eq(locker_join(&lw), LK_OK);
	lk_txn_commit(w);
	lk_lockmgr_destroy(m);
}

static lk_trace_t tr2[256];
static atomic_int ntr2;
static void rec2(void *ctx, const lk_trace_t *e)
{
	(void)ctx;
	int i = atomic_fetch_add(&ntr2, 1);
	if (i < 256)
		tr2[i] = *e;
}

Test(lockmgr_view, trace_wait_grant_and_wound)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WOUND_WAIT, true, 0);
	lk_lockmgr_set_trace(m, rec2, NULL);
	lk_txn_t *old = begin(m), *young = begin(m);
	uint64_t old_id = lk_txn_id(old), young_id = lk_txn_id(young);
	cr_assert_eq(lk_lock(young, &R1, LK_X, 0, 0), LK_OK);
	/* old wants R1: wounds the running young holder, then waits */
	locker_t lo;
	locker_go(&lo, old, &R1, LK_S, LK_FOREVER);
	await_waiting(m, old, 1);
	cr_assert_eq(lk_lock(young, &R2, LK_S, 0, 0), LK_WOUNDED);
	lk_txn_abort(young);
	cr_assert_eq(locker_join(&lo), LK_OK);
	lk_txn_commit(old);
	int n = atomic_load(&ntr2);
	cr_assert_leq(n, 256);
	/* per resource R1: seq increasing; the wound is a non-waiting VICTIM
	 * of young; old: REQUEST, WAIT, GRANT */
	int saw_wound = 0, saw_wait = 0, saw_grant = 0;
	uint64_t last = 0;
	for (int i = 0; i < n; i++) {
		if (!lk_res_equal(&tr2[i].res, &R1))
			continue;
		cr_assert_gt(tr2[i].seq, last);
		last = tr2[i].seq;
		if (tr2[i].event == LK_EV_VICTIM && !tr2[i].waiting &&
		    tr2[i].txn_id == young_id && tr2[i].status == LK_WOUNDED)
			saw_wound++;
		if (tr2[i].event == LK_EV_WAIT && tr2[i].txn_id == old_id)
			saw_wait++;
		if (tr2[i].event == LK_EV_GRANT && tr2[i].txn_id == old_id) {
			cr_assert_eq(saw_wait, 1, "WAIT before GRANT");
			saw_grant++;
		}
	}
	cr_assert_eq(saw_wound, 1, "wound events: %d of %d events", saw_wound, n);
	cr_assert_eq(saw_wait, 1);
	cr_assert_eq(saw_grant, 1);
	lk_lockmgr_destroy(m);
}
