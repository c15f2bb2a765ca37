/*
 * tests/test_lockmgr_lease.c: leases on the lock table (lockmgr.h,
 * lk_txn_begin_lease; lockmgr/SHARED.md "Leases"). The contract (bad
 * durations, renew without a lease, a lapsed txn's calls change nothing);
 * in a private table: a holder that does not renew loses its lock to a
 * waiter, which gets a larger fencing token, and the fenced store refuses
 * the holder's token afterwards; a renewed lease keeps the lock; a leased
 * txn that lapses while it waits. In a shared table (processes): a holder
 * that renews and is then stopped (SIGSTOP: alive, so the dead-process
 * recovery does not free it) loses the lock the same way, and finds out
 * when it runs again; a stopped waiter's queued request is taken off the
 * queue. Leases are tens of ms; every wait has a cap of seconds.
 */
#include <latchkit/lockmgr.h>
#include <stdint.h>
#include "fenced.h"
#include "lockmgr_entries.h"
#include "pshared.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define MS 1000000ull
#define SEC 1000000000ull

static lk_lockmgr_t *mk_private(void)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.max_txns = 16;
	cfg.max_requests = 256;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&cfg, &m), LK_OK);
	return m;
}

struct evcount {
	int lapsed_release, lapsed_victim;
};

static void count_ev(void *ctx, const lk_trace_t *ev)
{
	struct evcount *c = (struct evcount *)ctx;
	if (ev->status == LK_LEASE_LAPSED && ev->event == LK_EV_RELEASE)
		c->lapsed_release++;
	if (ev->status == LK_LEASE_LAPSED && ev->event == LK_EV_VICTIM)
		c->lapsed_victim++;
}

Test(lockmgr_lease, contract)
{
	lk_lockmgr_t *m = mk_private();
	lk_txn_t *sentinel = (lk_txn_t *)(uintptr_t)0x5, *t = sentinel;
	cr_assert_eq(lk_txn_begin_lease(m, 0, &t), LK_INVAL, "zero duration");
	cr_assert_eq(lk_txn_begin_lease(m, (uint64_t)(int64_t)-5, &t), LK_INVAL,
		     "a negative duration");
	cr_assert_eq(lk_txn_begin_lease(NULL, SEC, &t), LK_INVAL);
	cr_assert_eq(lk_txn_begin_lease(m, SEC, NULL), LK_INVAL);
	cr_assert_eq(t, sentinel, "*out untouched on failure");
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.txns_active, 0u, "nothing began");

	lk_txn_t *plain;
	cr_assert_eq(lk_txn_begin(m, &plain), LK_OK);
	cr_assert_eq(lk_lease_renew(plain, SEC), LK_INVAL, "no lease to renew");
	cr_assert_eq(lk_lease_renew(NULL, SEC), LK_INVAL);
	cr_assert_eq(lk_lease_renew(sentinel, SEC), LK_INVAL);

	cr_assert_eq(lk_txn_begin_lease(m, 10 * SEC, &t), LK_OK);
	cr_assert_eq(lk_lease_renew(t, 0), LK_INVAL);
	cr_assert_eq(lk_lease_renew(t, (uint64_t)(int64_t)-1), LK_INVAL);
	cr_assert_eq(lk_lease_renew(t, 10 * SEC), LK_OK);
	lk_res_t r = lk_res_advisory(1, 1);
	uint64_t tok = 0;
	cr_assert_eq(lk_lock_ex(t, &r, LK_X, 0, 0, &tok), LK_OK);
	cr_assert_eq(lk_lock(plain, &r, LK_S, 0, 0), LK_WOULDBLOCK,
		     "a running lease is not taken");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	cr_assert_eq(lk_lease_renew(t, SEC), LK_INVAL, "an ended txn");

	/* past its end, with nobody waiting: the renew itself finds it */
	cr_assert_eq(lk_txn_begin_lease(m, MS, &t), LK_OK);
	cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK);
	lkp_sleep_ms(5);
	cr_assert_eq(lk_lease_renew(t, 10 * SEC), LK_LEASE_LAPSED, "too late");
	cr_assert_eq(lk_lease_renew(t, 10 * SEC), LK_LEASE_LAPSED, "for good");
	cr_assert_eq(lk_held_mode(t, &r), LK_X, "nobody took it yet");
	cr_assert_eq(lk_txn_commit(t), LK_LEASE_LAPSED);
	cr_assert_eq(lk_txn_abort(t), LK_OK);
	cr_assert_eq(lk_txn_commit(plain), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A holder that never renews (its thread does other work): the waiter
 * takes the lock at the lease's end, with a larger token, and the fenced
 * store then refuses the holder's. A row: its ancestors' intention locks
 * stay with the holder until it aborts. */
Test(lockmgr_lease, lapse_hands_on)
{
	lk_lockmgr_t *m = mk_private();
	struct evcount ec = {0, 0};
	lk_lockmgr_set_trace(m, count_ev, &ec);
	struct lkt_fenced store = {0, 0};
	lk_txn_t *h, *w;
	lk_res_t row = lk_res_row(1, 2, 3, 4), other = lk_res_row(1, 2, 3, 5);
	uint64_t t1 = 0, t2 = 0;
	cr_assert_eq(lk_txn_begin_lease(m, 20 * MS, &h), LK_OK);
	cr_assert_eq(lk_lock_ex(h, &row, LK_X, 0, 0, &t1), LK_OK);
	cr_assert(lkt_fenced_write(&store, t1));
	uint64_t hid = lk_txn_id(h);

	cr_assert_eq(lk_txn_begin(m, &w), LK_OK);
	cr_assert_eq(lk_lock_ex(w, &row, LK_X, 10 * SEC, 0, &t2), LK_OK,
		     "the waiter takes the lapsed holder's lock");
	cr_assert_gt(t2, t1, "the next holder's token is larger");
	cr_assert(lkt_fenced_write(&store, t2));
	cr_assert_not(lkt_fenced_write(&store, t1), "the stale token is refused");
	cr_assert_eq(ec.lapsed_release, 1, "one lock taken from the lapsed txn");

	/* the stale holder: every call says so and changes nothing */
	cr_assert_eq(lk_lock(h, &other, LK_S, 0, 0), LK_LEASE_LAPSED);
	cr_assert_eq(lk_unlock(h, &row), LK_LEASE_LAPSED);
	cr_assert_eq(lk_lease_renew(h, SEC), LK_LEASE_LAPSED);
	cr_assert_eq(lk_txn_commit(h), LK_LEASE_LAPSED, "its work must not commit");
	cr_assert_eq(lk_txn_commit(h), LK_LEASE_LAPSED, "still running: not ended");
	cr_assert_eq(lk_lock_token(h, &row), 0u, "it holds no token");
	cr_assert_eq(lk_held_mode(h, &row), -1);
	cr_assert_eq(lk_held_mode(w, &row), LK_X);
	cr_assert_eq(entries_of(m, hid, NULL), 3u, "its IX on db, table, page stay");
	cr_assert_eq(lk_txn_abort(h), LK_OK, "abort ends it");
	cr_assert_eq(entries_of(m, hid, NULL), 0u);
	cr_assert_eq(lk_txn_commit(w), LK_OK);
	cr_assert_eq(entries_of(m, 0, NULL), 0u);

	/* the pool got every request and head back: a fresh txn can lock */
	lk_txn_t *x;
	cr_assert_eq(lk_txn_begin(m, &x), LK_OK);
	uint64_t t3 = 0;
	cr_assert_eq(lk_lock_ex(x, &row, LK_X, 0, 0, &t3), LK_OK);
	cr_assert_gt(t3, t2);
	cr_assert_eq(lk_txn_commit(x), LK_OK);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.txns_active, 0u);
	lk_lockmgr_destroy(m);
}

/* A lock call that finds the holder's lease already over takes the lock
 * at once, even one that may not wait (timeout 0, or policy NO_WAIT),
 * and its trace shows one REQUEST and one GRANT. */
struct reqcount {
	uint64_t id;
	int requests, grants;
};

static void count_req(void *ctx, const lk_trace_t *ev)
{
	struct reqcount *c = (struct reqcount *)ctx;
	if (ev->txn_id != c->id)
		return;
	c->requests += ev->event == LK_EV_REQUEST;
	c->grants += ev->event == LK_EV_GRANT;
}

Test(lockmgr_lease, nowait_takes_lapsed)
{
	for (int pol = LK_POLICY_NO_WAIT; pol <= LK_POLICY_DETECT; pol++) {
		lk_lockmgr_config_t cfg;
		lk_lockmgr_config_init(&cfg);
		cfg.policy = pol;
		lk_lockmgr_t *m = NULL;
		cr_assert_eq(lk_lockmgr_create(&cfg, &m), LK_OK);
		struct reqcount rc = {0, 0, 0};
		lk_lockmgr_set_trace(m, count_req, &rc);
		lk_res_t r = lk_res_advisory(5, 5);
		lk_txn_t *h, *w;
		uint64_t t1 = 0, t2 = 0;
		cr_assert_eq(lk_txn_begin_lease(m, MS, &h), LK_OK);
		cr_assert_eq(lk_lock_ex(h, &r, LK_X, 0, 0, &t1), LK_OK);
		lkp_sleep_ms(5);
		/* W is younger: wait-die would have it die for an older holder */
		cr_assert_eq(lk_txn_begin(m, &w), LK_OK);
		rc.id = lk_txn_id(w);
		cr_assert_eq(lk_lock_ex(w, &r, LK_X, 0, 0, &t2), LK_OK, "policy %d", pol);
		cr_assert_gt(t2, t1);
		cr_assert_eq(rc.requests, 1, "one REQUEST event for one call");
		cr_assert_eq(rc.grants, 1);
		cr_assert_eq(lk_txn_commit(h), LK_LEASE_LAPSED);
		cr_assert_eq(lk_txn_abort(h), LK_OK);
		cr_assert_eq(lk_txn_commit(w), LK_OK);
		lk_lockmgr_destroy(m);
	}
}

/* A renewed lease holds past its first end; a waiter times out. A
 * machine that stalls past the first lease before the renew (it then
 * lapses, correctly) gets another try. */
Test(lockmgr_lease, renew_keeps_lock)
{
	lk_lockmgr_t *m = mk_private();
	lk_res_t r = lk_res_advisory(7, 7);
	int tries = 0, rc;
	lk_txn_t *h, *w;
	do {
		cr_assert_eq(lk_txn_begin_lease(m, 200 * MS, &h), LK_OK);
		cr_assert_eq(lk_lock(h, &r, LK_X, 0, 0), LK_OK);
		rc = lk_lease_renew(h, 30 * SEC);
		if (rc != LK_OK) {
			cr_assert_eq(rc, LK_LEASE_LAPSED);
			cr_assert_eq(lk_txn_abort(h), LK_OK);
		}
	} while (rc != LK_OK && ++tries < 5);
	cr_assert_eq(rc, LK_OK);
	lkp_sleep_ms(250); /* past the first end */
	cr_assert_eq(lk_txn_begin(m, &w), LK_OK);
	cr_assert_eq(lk_lock(w, &r, LK_X, 0, 0), LK_WOULDBLOCK);
	cr_assert_eq(lk_lock(w, &r, LK_X, 20 * MS, 0), LK_TIMEOUT);
	cr_assert_eq(lk_txn_commit(h), LK_OK, "a running lease commits");
	cr_assert_eq(lk_lock(w, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(w), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A leased txn whose lease runs out while it waits: its wait ends with
 * LK_LEASE_LAPSED, its request gone; the holder (no lease) keeps its lock
 * however long it takes. */
Test(lockmgr_lease, lapse_while_waiting)
{
	lk_lockmgr_t *m = mk_private();
	lk_res_t r = lk_res_advisory(3, 3);
	lk_txn_t *a, *h;
	cr_assert_eq(lk_txn_begin(m, &a), LK_OK);
	cr_assert_eq(lk_lock(a, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_begin_lease(m, 20 * MS, &h), LK_OK);
	cr_assert_eq(lk_lock(h, &r, LK_X, 10 * SEC, 0), LK_LEASE_LAPSED);
	cr_assert_eq(entries_of(m, lk_txn_id(h), NULL), 0u);
	cr_assert_eq(lk_held_mode(a, &r), LK_X);
	cr_assert_eq(lk_txn_commit(h), LK_LEASE_LAPSED);
	cr_assert_eq(lk_txn_abort(h), LK_OK);
	lk_txn_t *w;
	cr_assert_eq(lk_txn_begin(m, &w), LK_OK);
	cr_assert_eq(lk_lock(w, &r, LK_X, 30 * MS, 0), LK_TIMEOUT,
		     "no lease, nothing taken");
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(w), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A waiter that began before the table had any lease: the first leased
 * txn passes it (fifo_strict off) and lapses; the waiter, woken by that
 * first lease to look for leases, takes the lock. */
struct bg {
	lk_lockmgr_t *m;
	lk_res_t r;
	uint64_t id, tok;
	atomic_int rc;
};

static void *bg_lock(void *p)
{
	struct bg *b = (struct bg *)p;
	lk_txn_t *t;
	if (lk_txn_begin(b->m, &t) != LK_OK)
		return NULL;
	b->id = lk_txn_id(t);
	atomic_store(&b->rc, lk_lock_ex(t, &b->r, LK_X, 10 * SEC, 0, &b->tok) + 100);
	lk_txn_commit(t);
	return NULL;
}

Test(lockmgr_lease, first_lease_wakes_waiter)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.max_txns = 16;
	cfg.max_requests = 256;
	cfg.fifo_strict = false;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&cfg, &m), LK_OK);
	struct bg b = {m, lk_res_advisory(9, 9), 0, 0, 0};
	lk_txn_t *a, *l;
	cr_assert_eq(lk_txn_begin(m, &a), LK_OK);
	cr_assert_eq(lk_lock(a, &b.r, LK_S, 0, 0), LK_OK);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, bg_lock, &b), 0);
	size_t w = 0;
	for (int i = 0; i < 10000 && !(entries_of(m, 0, &w) == 2 && w == 1); i++)
		lkp_sleep_ms(1);
	cr_assert_eq(w, 1u, "the waiter queues");
	cr_assert_eq(lk_txn_begin_lease(m, 20 * MS, &l), LK_OK);
	cr_assert_eq(lk_lock(l, &b.r, LK_S, 0, 0), LK_OK, "passes the waiter");
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(pthread_join(th, NULL), 0);
	cr_assert_eq(atomic_load(&b.rc), 100 + LK_OK, "the lapsed lease was taken");
	cr_assert_eq(lk_txn_commit(l), LK_LEASE_LAPSED);
	cr_assert_eq(lk_txn_abort(l), LK_OK);
	cr_assert_eq(entries_of(m, 0, NULL), 0u);
	lk_lockmgr_destroy(m);
}

/* ---- a shared table: processes, SIGSTOP ----------------------------------- */

struct area {
	struct lkt_fenced store;
	atomic_int ready[4];
	atomic_int go[4];
	atomic_ullong id[4];
	atomic_ullong tok[4];
	atomic_int rc[4][6]; /* the stale holder's calls */
};

static lk_lockmgr_t *g_m;
static struct area *g_a;
static int g_fd;

static lk_lockmgr_t *mk_shared(int *fdp)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.max_txns = 16;
	cfg.max_requests = 256;
	cfg.hierarchy = false;
	int fd = memfd_create("lk-lease-test", 0);
	cr_assert(fd >= 0);
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create_shared(fd, &cfg, &m), LK_OK);
	*fdp = fd;
	return m;
}

static lk_res_t R(uint32_t i)
{
	return lk_res_advisory(i, 0);
}

/* After it ran again: what a stale holder's calls say, and its token at
 * the store. rc[k]: renew-or-lock, write, unlock, lock, commit, abort. */
static void stale_calls(int k, lk_txn_t *t, int first)
{
	lk_res_t r = R(1), o = R(2);
	g_a->rc[k][0] = first;
	g_a->rc[k][1] = lkt_fenced_write(&g_a->store, atomic_load(&g_a->tok[k]));
	g_a->rc[k][2] = lk_unlock(t, &r);
	g_a->rc[k][3] = lk_lock(t, &o, LK_X, 0, 0);
	g_a->rc[k][4] = lk_txn_commit(t);
	g_a->rc[k][5] = lk_txn_abort(t);
}

/* Holder: a 50 ms lease on R(1) in X, renewed every 5 ms until a renew
 * fails (it was stopped past its lease: the parent's waiter took it).
 * Its stale calls wait for go: starved of the CPU, its lease can lapse
 * before the stop, and its write must still come after the new holder's. */
static int holder(void *arg)
{
	int k = (int)(intptr_t)arg;
	lk_txn_t *t;
	uint64_t tok = 0;
	lk_res_t r = R(1);
	if (lk_txn_begin_lease(g_m, 50 * MS, &t) != LK_OK ||
	    lk_lock_ex(t, &r, LK_X, 0, 0, &tok) != LK_OK)
		return 2;
	atomic_store(&g_a->tok[k], tok);
	if (!lkt_fenced_write(&g_a->store, tok))
		return 3;
	atomic_store(&g_a->ready[k], 1);
	int rc;
	while ((rc = lk_lease_renew(t, 50 * MS)) == LK_OK)
		lkp_sleep_ms(5);
	lkp_await(&g_a->go[k], 1);
	stale_calls(k, t, rc);
	return 0;
}

Test(lockmgr_lease, sigstop_holder_loses_lock)
{
	g_m = mk_shared(&g_fd);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	pid_t h = lkp_spawn(holder, (void *)(intptr_t)0);
	cr_assert(lkp_await(&g_a->ready[0], 1));
	lkp_sleep_ms(80); /* it renews: past its first lease, still held */
	cr_assert_eq(kill(h, SIGSTOP), 0);
	lk_txn_t *w;
	uint64_t t2 = 0;
	lk_res_t r = R(1);
	cr_assert_eq(lk_txn_begin(g_m, &w), LK_OK);
	/* alive (stopped), so no recovery frees it: only the lease does */
	cr_assert_eq(lk_lock_ex(w, &r, LK_X, 10 * SEC, 0, &t2), LK_OK);
	uint64_t t1 = atomic_load(&g_a->tok[0]);
	cr_assert_gt(t2, t1);
	cr_assert(lkt_fenced_write(&g_a->store, t2));
	atomic_store(&g_a->go[0], 1);
	cr_assert_eq(kill(h, SIGCONT), 0);
	cr_assert_eq(lkp_join_within(h, 10000), 0);
	cr_assert_eq(g_a->rc[0][0], LK_LEASE_LAPSED, "its renew fails");
	cr_assert_eq(g_a->rc[0][1], 0, "the store refuses its token");
	cr_assert_eq(g_a->rc[0][2], LK_LEASE_LAPSED, "unlock");
	cr_assert_eq(g_a->rc[0][3], LK_LEASE_LAPSED, "lock");
	cr_assert_eq(g_a->rc[0][4], LK_LEASE_LAPSED, "commit");
	cr_assert_eq(g_a->rc[0][5], LK_OK, "abort");
	cr_assert_eq(lk_held_mode(w, &r), LK_X, "the stale holder took nothing back");
	cr_assert_eq(entries_of(g_m, 0, NULL), 1u);
	cr_assert_eq(lk_txn_commit(w), LK_OK);
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* A waiter with a 50 ms lease, queued behind the parent's lock (it is
 * stopped there); its lk_lock's result once it runs again. */
static int leased_waiter(void *arg)
{
	int k = (int)(intptr_t)arg;
	lk_txn_t *t;
	lk_res_t r = R(1);
	if (lk_txn_begin_lease(g_m, 50 * MS, &t) != LK_OK)
		return 2;
	atomic_store(&g_a->id[k], lk_txn_id(t));
	int rc = lk_lock(t, &r, LK_X, 10 * SEC, 0);
	atomic_store(&g_a->ready[k], 1); /* its wait ended */
	stale_calls(k, t, rc);
	return 0;
}

/* A waiter without a lease: exits 0 once granted R(1), its token kept. */
static int plain_waiter(void *arg)
{
	int k = (int)(intptr_t)arg;
	lk_txn_t *t;
	uint64_t tok = 0;
	lk_res_t r = R(1);
	if (lk_txn_begin(g_m, &t) != LK_OK)
		return 2;
	atomic_store(&g_a->id[k], lk_txn_id(t));
	if (lk_lock_ex(t, &r, LK_X, 10 * SEC, 0, &tok) != LK_OK)
		return 3;
	atomic_store(&g_a->tok[k], tok);
	return lk_txn_commit(t) == LK_OK ? 0 : 4;
}

static bool await_id(int k)
{
	for (int i = 0; i < 10000 && !atomic_load(&g_a->id[k]); i++)
		lkp_sleep_ms(1);
	return atomic_load(&g_a->id[k]) != 0;
}

/* Waits (up to 10 s) until txn id has n entries in the table, w of them
 * waiting (true), or *ended (if not NULL) is set first (false). */
static bool await_entries(uint64_t id, size_t n, size_t w, atomic_int *ended)
{
	for (int i = 0; i < 10000 && !(ended && atomic_load(ended)); i++) {
		size_t ww = 0;
		if (entries_of(g_m, id, &ww) == n && ww == w)
			return true;
		lkp_sleep_ms(1);
	}
	return false;
}

Test(lockmgr_lease, sigstop_waiter_leaves_queue)
{
	g_m = mk_shared(&g_fd);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	lk_txn_t *a;
	lk_res_t r = R(1);
	cr_assert_eq(lk_txn_begin(g_m, &a), LK_OK);
	cr_assert_eq(lk_lock(a, &r, LK_X, 0, 0), LK_OK);
	/* a waiter starved past its 50 ms lease before this process saw it
	 * queued ends its own wait: that try shows nothing; another */
	pid_t h = 0;
	uint64_t hid = 0;
	for (int tries = 0; tries < 5 && !h; tries++) {
		atomic_store(&g_a->id[0], 0);
		atomic_store(&g_a->ready[0], 0);
		h = lkp_spawn(leased_waiter, (void *)(intptr_t)0);
		cr_assert(await_id(0));
		hid = atomic_load(&g_a->id[0]);
		if (await_entries(hid, 1, 1, &g_a->ready[0]))
			break;
		cr_assert(atomic_load(&g_a->ready[0]), "the leased txn queues");
		cr_assert_eq(lkp_join_within(h, 10000), 0);
		cr_assert_eq(g_a->rc[0][0], LK_LEASE_LAPSED, "its wait ends so");
		h = 0;
	}
	cr_assert(h != 0, "the leased txn queues");
	cr_assert_eq(kill(h, SIGSTOP), 0);
	pid_t w = lkp_spawn(plain_waiter, (void *)(intptr_t)1);
	cr_assert(await_id(1));
	/* the second waiter, queued behind it, takes its request off the
	 * queue once its lease has run out */
	cr_assert(await_entries(hid, 0, 0, NULL), "the stopped waiter's request went");
	cr_assert(await_entries(atomic_load(&g_a->id[1]), 1, 1, NULL));
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lkp_join_within(w, 10000), 0, "granted, FIFO, to the next");
	cr_assert_eq(kill(h, SIGCONT), 0);
	cr_assert_eq(lkp_join_within(h, 10000), 0);
	cr_assert_eq(g_a->rc[0][0], LK_LEASE_LAPSED, "its wait ends so");
	cr_assert_eq(g_a->rc[0][4], LK_LEASE_LAPSED, "commit");
	cr_assert_eq(g_a->rc[0][5], LK_OK, "abort");
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}
