/*
 * tests/test_lockmgr_shm.c: the lock table in shared memory
 * (lockmgr/SHARED.md): create, attach at the same address, detach; a
 * waiter in one process granted by a commit in another; a dead holder's
 * locks released and its waiters granted; a grant made to a dead waiter
 * passed on; a woken waiter learns its spin budget from the segment's
 * stamp; a dead txn's revoked request unpins its head at the recovery.
 * The kill tests are in test_lockmgr_shm_kill.c.
 */
#include "harness.h" /* lkt_in_futex */
#include "lockmgr_shm.h"

/* Waits (up to 10 s) until txn id waits in the table. */
static bool await_waiting(lk_lockmgr_t *m, uint64_t id)
{
	for (int i = 0; i < 10000; i++) {
		size_t w = 0;
		if (id && entries_of(m, id, &w) && w)
			return true;
		lkp_sleep_ms(1);
	}
	return false;
}

struct area {
	atomic_int ready[8];
	atomic_ullong id[8];
	atomic_ullong tok[8];
};

Test(lockmgr_shm, contract)
{
	int fd;
	lk_lockmgr_t *m = mk(&fd, LK_POLICY_DETECT), *o = NULL;
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cr_assert_eq(lk_lockmgr_create_shared(-1, &cfg, &o), LK_INVAL);
	cr_assert_eq(lk_lockmgr_create_shared(fd, &cfg, &o), LK_INVAL,
		     "a file that holds a table already");
	cr_assert_eq(lk_lockmgr_create_shared(fd, NULL, &o), LK_INVAL);
	int big = memfd_create("lk-big", 0);
	lk_lockmgr_config_t bc = cfg;
	bc.max_requests = 1u << 26; /* a bucket word holds the latch owner */
	cr_assert_eq(lk_lockmgr_create_shared(big, &bc, &o), LK_INVAL);
	struct stat bst;
	cr_assert_eq(fstat(big, &bst), 0);
	cr_assert_eq(bst.st_size, 0, "a refused create changes nothing");
	close(big);
	cr_assert_null(o);
	int junk = memfd_create("lk-junk", 0);
	cr_assert_eq(write(junk, "not a table, not at all", 24), 24);
	cr_assert_eq(lk_lockmgr_attach(junk, &o), LK_INVAL);
	cr_assert_eq(lk_lockmgr_attach(-1, &o), LK_INVAL);
	cr_assert_null(o);
	cr_assert_eq(lk_lockmgr_attach(fd, &o), LK_OK, "mapped here already");
	cr_assert_eq(o, m);

	lk_lockmgr_t *p = NULL;
	lk_lockmgr_create(&cfg, &p);
	uint32_t n = 9;
	cr_assert_eq(lk_lockmgr_recover(p, &n), LK_INVAL);
	cr_assert_eq(n, 9u);
	cr_assert_eq(lk_lockmgr_detach(p), LK_INVAL, "a private table");
	lk_lockmgr_destroy(p);
	cr_assert_eq(lk_lockmgr_recover(m, &n), LK_OK);
	cr_assert_eq(n, 0u);

	lk_txn_t *t;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	lk_res_t r = R(1);
	cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lockmgr_detach(m), LK_BUSY, "a txn is active");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	cr_assert_eq(lk_lockmgr_detach(m), LK_OK);
	cr_assert_eq(lk_txn_begin(m, &t), LK_INVAL, "detached");
	cr_assert_eq(lk_lockmgr_detach(m), LK_INVAL);
	/* attach again, at the same address, and find the table as it was */
	cr_assert_eq(lk_lockmgr_attach(fd, &o), LK_OK);
	cr_assert_eq(o, m);
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	uint64_t tok = 0;
	cr_assert_eq(lk_lock_ex(t, &r, LK_X, 0, 0, &tok), LK_OK);
	cr_assert_gt(tok, 1u, "the token goes on from the first grant");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
	close(fd);
	close(junk);
}

/* A child: detach the inherited mapping, attach again (the same address),
 * wait for X on R(1) and report its token. */
static struct area *g_a;

static int waiter_reattach(void *arg)
{
	(void)arg;
	orphan_dies();
	lk_lockmgr_t *m = NULL;
	if (lk_lockmgr_detach(g_m) != LK_OK)
		return 10;
	if (lk_lockmgr_attach(g_fd, &m) != LK_OK || m != g_m)
		return 11;
	lk_txn_t *t;
	if (lk_txn_begin(m, &t) != LK_OK)
		return 12;
	atomic_store(&g_a->id[1], lk_txn_id(t));
	lk_res_t r = R(1);
	uint64_t tok = 0;
	if (lk_lock_ex(t, &r, LK_X, 10 * SEC, 0, &tok) != LK_OK)
		return 13;
	atomic_store(&g_a->tok[1], tok);
	return lk_txn_commit(t) == LK_OK ? 0 : 14;
}

Test(lockmgr_shm, cross_process_grant)
{
	g_m = mk(&g_fd, LK_POLICY_DETECT);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	lk_txn_t *t;
	lk_res_t r = R(1);
	uint64_t tok = 0;
	cr_assert_eq(lk_txn_begin(g_m, &t), LK_OK);
	cr_assert_eq(lk_lock_ex(t, &r, LK_X, 0, 0, &tok), LK_OK);
	pid_t c = lkp_spawn(waiter_reattach, NULL);
	while (!atomic_load(&g_a->id[1]))
		lkp_sleep_ms(1);
	cr_assert(await_waiting(g_m, atomic_load(&g_a->id[1])));
	cr_assert_eq(lk_txn_commit(t), LK_OK); /* wakes the child's park */
	cr_assert_eq(lkp_join_within(c, 10000), 0);
	cr_assert_gt(atomic_load(&g_a->tok[1]), tok);
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* The spin budget across processes (base_park.h): a waiter woken by a
 * commit in another process learns the cost of its park from the stamp
 * the waker left in the segment; its own process's stamp says nothing
 * about that wake (here: none at all, so without the segment's it would
 * learn nothing). The child reports what it learnt. */
static int waiter_learns(void *arg)
{
	(void)arg;
	orphan_dies();
	atomic_store(&lk__park_ns_, 0u);
	atomic_store(&lk__wake_stamp_, 0u);
	lk_txn_t *t;
	if (lk_txn_begin(g_m, &t) != LK_OK)
		return 12;
	atomic_store(&g_a->id[2], lk_txn_id(t));
	lk_res_t r = R(2);
	if (lk_lock(t, &r, LK_X, 10 * SEC, 0) != LK_OK)
		return 13;
	atomic_store(&g_a->tok[2], atomic_load(&lk__park_ns_) + 1u);
	return lk_txn_commit(t) == LK_OK ? 0 : 14;
}

Test(lockmgr_shm, woken_waiter_learns_from_the_segment_stamp)
{
	g_m = mk(&g_fd, LK_POLICY_DETECT);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	uint64_t learnt = 0;
	/* a sample is dropped if the wake-up took past the sample bound (a
	 * loaded machine), or if the child got the lock before it parked:
	 * a few tries */
	for (int i = 0; i < 20 && !learnt; i++) {
		lk_txn_t *t;
		lk_res_t r = R(2);
		atomic_store(&g_a->id[2], 0u);
		atomic_store(&g_a->tok[2], 0u);
		cr_assert_eq(lk_txn_begin(g_m, &t), LK_OK);
		cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK);
		pid_t c = lkp_spawn(waiter_learns, NULL);
		while (!atomic_load(&g_a->id[2]))
			lkp_sleep_ms(1);
		cr_assert(await_waiting(g_m, atomic_load(&g_a->id[2])));
		lkp_sleep_ms(5); /* past its spin budget: parked */
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		cr_assert_eq(lkp_join_within(c, 10000), 0);
		learnt = atomic_load(&g_a->tok[2]) - 1u;
	}
	cr_assert(learnt > 0 && learnt < LK__PARK_SAMPLE_MAX_NS,
		  "learnt %llu ns from a wake by another process",
		  (unsigned long long)learnt);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* A child that locks X on R(1) (and R(2)), reports, and waits to be
 * killed. */
static int holder(void *arg)
{
	orphan_dies();
	int k = (int)(intptr_t)arg;
	lk_txn_t *t;
	lk_res_t r1 = R(1), r2 = R(2);
	uint64_t tok = 0;
	if (lk_txn_begin(g_m, &t) != LK_OK ||
	    lk_lock_ex(t, &r1, LK_X, 10 * SEC, 0, &tok) != LK_OK ||
	    lk_lock(t, &r2, LK_S, 10 * SEC, 0) != LK_OK)
		return 20;
	atomic_store(&g_a->id[k], lk_txn_id(t));
	atomic_store(&g_a->tok[k], tok);
	atomic_store(&g_a->ready[k], 1);
	for (;;)
		pause();
}

/* A child that waits for X on R(1) and reports its token. */
static int waiter(void *arg)
{
	orphan_dies();
	int k = (int)(intptr_t)arg;
	lk_txn_t *t;
	lk_res_t r = R(1);
	uint64_t tok = 0;
	if (lk_txn_begin(g_m, &t) != LK_OK)
		return 30;
	atomic_store(&g_a->id[k], lk_txn_id(t));
	int rc = lk_lock_ex(t, &r, LK_X, 10 * SEC, 0, &tok);
	if (rc != LK_OK)
		return 31;
	atomic_store(&g_a->tok[k], tok);
	return lk_txn_commit(t) == LK_OK ? 0 : 32;
}


Test(lockmgr_shm, dead_holder_released)
{
	g_m = mk(&g_fd, LK_POLICY_DETECT);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	pid_t h = lkp_spawn(holder, (void *)(intptr_t)0);
	cr_assert(lkp_await(&g_a->ready[0], 1));
	pid_t w = lkp_spawn(waiter, (void *)(intptr_t)1);
	while (!atomic_load(&g_a->id[1]))
		lkp_sleep_ms(1);
	cr_assert(await_waiting(g_m, atomic_load(&g_a->id[1])));
	uint64_t hid = atomic_load(&g_a->id[0]);
	cr_assert_eq(entries_of(g_m, hid, NULL), 2u);
	kill_join(h);
	/* the waiter's poll finds the holder dead and aborts its txn */
	cr_assert_eq(lkp_join_within(w, 10000), 0);
	cr_assert_gt(atomic_load(&g_a->tok[1]), atomic_load(&g_a->tok[0]));
	cr_assert_eq(entries_of(g_m, hid, NULL), 0u, "the dead txn's locks are gone");
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* A child that holds X on R(3) under a lease of 20 ms, reports, and
 * waits to be killed without renewing it. */
static int lease_holder(void *arg)
{
	(void)arg;
	orphan_dies();
	lk_txn_t *t;
	lk_res_t r = R(3);
	if (lk_txn_begin_lease(g_m, 20 * SEC / 1000, &t) != LK_OK ||
	    lk_lock(t, &r, LK_X, 0, 0) != LK_OK)
		return 50;
	atomic_store(&g_a->ready[0], 1);
	for (;;)
		pause();
}

/* A lapse takes R(3) from a holder that then dies: the holder's revoked
 * request pins R(3)'s head until the recovery gives the request back
 * (reclaim.c; SHARED.md, R5). After the recovery a txn's commit frees
 * the head, and the table holds as many heads as before. */
Test(lockmgr_shm, revoked_request_of_dead_txn_unpins_its_head)
{
	g_m = mk(&g_fd, LK_POLICY_DETECT);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	lk_stats_t st0, st;
	lk_lockmgr_stats(g_m, &st0);
	pid_t h = lkp_spawn(lease_holder, NULL);
	cr_assert(lkp_await(&g_a->ready[0], 1));
	lk_txn_t *t;
	lk_res_t r = R(3);
	cr_assert_eq(lk_txn_begin(g_m, &t), LK_OK);
	cr_assert_eq(lk_lock(t, &r, LK_X, 10 * SEC, 0), LK_OK,
		     "the lapse did not hand R(3) on");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_stats(g_m, &st);
	cr_assert_eq(st.heads_used, st0.heads_used + 1,
		     "R(3)'s head not pinned by the lapsed holder's request");
	kill_join(h);
	uint32_t np = 0;
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	cr_assert_eq(lk_txn_begin(g_m, &t), LK_OK);
	cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_stats(g_m, &st);
	cr_assert_eq(st.heads_used, st0.heads_used,
		     "R(3)'s head still pinned by the dead txn's revoked request");
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

Test(lockmgr_shm, grant_to_dead_waiter_passed_on)
{
	g_m = mk(&g_fd, LK_POLICY_DETECT);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	lk_txn_t *t;
	lk_res_t r = R(1);
	uint64_t tok = 0;
	cr_assert_eq(lk_txn_begin(g_m, &t), LK_OK);
	cr_assert_eq(lk_lock_ex(t, &r, LK_X, 0, 0, &tok), LK_OK);
	pid_t w1 = lkp_spawn(waiter, (void *)(intptr_t)1);
	while (!atomic_load(&g_a->id[1]))
		lkp_sleep_ms(1);
	cr_assert(await_waiting(g_m, atomic_load(&g_a->id[1])));
	pid_t w2 = lkp_spawn(waiter, (void *)(intptr_t)2);
	while (!atomic_load(&g_a->id[2]))
		lkp_sleep_ms(1);
	cr_assert(await_waiting(g_m, atomic_load(&g_a->id[2])));
	/* stopped (it holds no latch: it waits), the commit grants it (FIFO),
	 * then it dies without having seen the grant; the second waiter's
	 * poll finds it dead and its abort passes the lock on */
	cr_assert_eq(kill(w1, SIGSTOP), 0);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	kill_join(w1);
	cr_assert_eq(lkp_join_within(w2, 10000), 0);
	cr_assert_gt(atomic_load(&g_a->tok[2]), tok + 1, "the dead waiter's grant took a token");
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* ---- admission on a shared table (lockmgr/README.md "Admission") ------------ */

uint32_t lk__admit_chained(lk_lockmgr_t *m);

/* Child i: holds R(hold), then waits for R(want) (up to 60 s); commits. */
static int chain_child(void *arg)
{
	int i = (int)(intptr_t)arg;
	lk_txn_t *t;
	if (lk_txn_begin(g_m, &t) != LK_OK)
		return 20;
	lk_res_t hold = R((uint32_t)i + 1), want = R((uint32_t)i);
	if (lk_lock(t, &hold, LK_X, 0, 0) != LK_OK)
		return 21;
	atomic_store(&g_a->id[i], lk_txn_id(t));
	if (lk_lock(t, &want, LK_X, 60 * SEC, 0) != LK_OK)
		return 22;
	return lk_txn_commit(t) == LK_OK ? 0 : 23;
}

typedef struct {
	atomic_int tid, done, rc;
} held_t;

static void *held_begin(void *p)
{
	held_t *h = (held_t *)p;
	atomic_store(&h->tid, (int)syscall(SYS_gettid));
	lk_txn_t *t = NULL;
	atomic_store(&h->rc, lk_txn_begin(g_m, &t));
	atomic_store(&h->done, 1);
	if (t)
		lk_txn_commit(t);
	return NULL;
}

/* The held begin returned within 10 s (the gate's time is 60 s: only
 * a wake lets it go sooner). */
static void held_returned(pthread_t th, held_t *h, const char *why)
{
	for (int i = 0; !atomic_load(&h->done); i++) {
		cr_assert(i < 10000, "the held begin was not let go: %s", why);
		lkp_sleep_ms(1);
	}
	cr_assert_eq(pthread_join(th, NULL), 0);
}

/* The main thread's txn holds R(1); child 1 holds R(2) and waits for R(1)
 * (not chained), child 2 holds R(3) and waits for R(2) (chained: child 1
 * waits). A thread of this process then begins: it is held, the chain
 * being another process's. The chain ends by a kill of child 2 and the
 * recovery (its count and bit go with it), or by the commits. */
static void shared_chain(bool kill_it)
{
	g_m = mk(&g_fd, LK_POLICY_DETECT);
	g_a = (struct area *)lkp_shared(sizeof *g_a);
	cr_assert_eq(lk_lockmgr_set_admission(g_m, 60 * SEC), LK_OK);
	lk_txn_t *t;
	lk_res_t r1 = R(1);
	cr_assert_eq(lk_txn_begin(g_m, &t), LK_OK);
	cr_assert_eq(lk_lock(t, &r1, LK_X, 0, 0), LK_OK);
	pid_t c1 = lkp_spawn(chain_child, (void *)(intptr_t)1);
	while (!atomic_load(&g_a->id[1]))
		lkp_sleep_ms(1);
	cr_assert(await_waiting(g_m, atomic_load(&g_a->id[1])));
	cr_assert_eq(lk__admit_chained(g_m), 0, "a wait for a running holder counted");
	pid_t c2 = lkp_spawn(chain_child, (void *)(intptr_t)2);
	while (!atomic_load(&g_a->id[2]))
		lkp_sleep_ms(1);
	cr_assert(await_waiting(g_m, atomic_load(&g_a->id[2])));
	/* queued a moment before it counts itself chained (wait.c): a child
	 * preempted between the two is seen queued and not yet counted */
	for (int i = 0; lk__admit_chained(g_m) != 1; i++) {
		cr_assert(i < 10000, "the chained wait of another process not counted");
		lkp_sleep_ms(1);
	}
	held_t h;
	memset(&h, 0, sizeof h);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, held_begin, &h), 0);
	for (int i = 0;; i++) {
		cr_assert(i < 10000, "the begin neither returned nor slept");
		cr_assert_eq(atomic_load(&h.done), 0, "a begin went ahead of another process's chain");
		int tid = atomic_load(&h.tid);
		if (tid && lkt_in_futex(tid))
			break;
		lkp_sleep_ms(1);
	}
	if (kill_it) {
		kill_join(c2);
		/* recovered by this call, or already by child 1's poll (a
		 * waiter on a shared table looks for the dead every 10 ms) */
		uint32_t n = 0;
		cr_assert_eq(lk_lockmgr_recover(g_m, &n), LK_OK);
		cr_assert_leq(n, 1u);
		cr_assert_eq(lk__admit_chained(g_m), 0, "a dead process's chained wait still counted");
		held_returned(th, &h, "the recovery of the dead process");
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	} else {
		cr_assert_eq(lk_txn_commit(t), LK_OK); /* child 1, then child 2 */
		held_returned(th, &h, "the end of the chain in another process");
		cr_assert_eq(lkp_join_within(c2, 10000), 0);
	}
	cr_assert_eq(atomic_load(&h.rc), LK_OK);
	cr_assert_eq(lkp_join_within(c1, 10000), 0);
	cr_assert_eq(lk__admit_chained(g_m), 0);
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

Test(lockmgr_shm, admission_held_by_another_process_chain, .timeout = 60)
{
	shared_chain(false);
}

Test(lockmgr_shm, admission_dead_chained_waiter_recovered, .timeout = 60)
{
	shared_chain(true);
}
