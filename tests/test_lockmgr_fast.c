/* Tests of the lock table's fast paths (lockmgr/lock.c): the O(1)
 * handle check, the uncontended lock path and its fall-backs, the plain
 * store latch release under contention. */
#include "harness.h"

#include <latchkit/lockmgr.h>
#include <string.h>

static lk_lockmgr_t *mk(int policy)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = policy;
	c.max_txns = 64;
	c.max_requests = 4096;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	return m;
}

static lk_txn_t *begin(lk_lockmgr_t *m)
{
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	return t;
}

static const lk_res_t R1 = {LK_RES_ADVISORY, {1, 0, 0, 0}};
static const lk_res_t R2 = {LK_RES_ADVISORY, {2, 0, 0, 0}};

/* A handle outlives neither its txn nor its manager, even when a new
 * manager takes the same registry slot and a new txn the same txn slot. */
Test(fast, stale_handles_rejected)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_txn_t *a = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	/* same slot again (the free stack is LIFO): the old handle is stale */
	lk_txn_t *b = begin(m);
	cr_assert_neq(a, b);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, LK_F_NOHIER), LK_INVAL);
	cr_assert_eq(lk_txn_commit(a), LK_INVAL);
	cr_assert_eq(lk_txn_id(a), 0);
	cr_assert_eq(lk_lock(b, &R1, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_lockmgr_destroy(m);
	/* a new manager in the same registry slot: b's handle stays dead */
	lk_lockmgr_t *m2 = mk(LK_POLICY_DETECT);
	lk_txn_t *c = begin(m2);
	cr_assert_neq(b, c);
	cr_assert_eq(lk_lock(b, &R1, LK_X, 0, LK_F_NOHIER), LK_INVAL);
	cr_assert_eq(lk_unlock(b, &R1), LK_INVAL);
	cr_assert_eq(lk_txn_abort(b), LK_INVAL);
	cr_assert_neq(lk_txn_id(c), 0);
	/* forged values: odd generation bits, bad registry slot, bad index */
	uintptr_t v = (uintptr_t)c;
	cr_assert_eq(lk_lock((lk_txn_t *)(v + (2ull << 32)), &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock((lk_txn_t *)(v + (1ull << 32)), &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock((lk_txn_t *)(v | (0xffull << 16)), &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock((lk_txn_t *)(v | 0xffffu), &R1, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	lk_lockmgr_destroy(m2);
}

/* The fast path grants only when nothing conflicts and nothing waits;
 * otherwise the general path decides (compatible holders share, a
 * conflict is LK_WOULDBLOCK, a relock is a no-op, a queued request is
 * not passed). */
static atomic_int bg_rc;
static void *bg_lock(void *p)
{
	lk_txn_t *t = (lk_txn_t *)p;
	atomic_store(&bg_rc, lk_lock(t, &R1, LK_X, 10000000000ull, LK_F_NOHIER));
	return NULL;
}

static bool waiting(lk_lockmgr_t *m, uint64_t id)
{
	lk_lockinfo_t info[16];
	size_t n = lk_snapshot(m, info, 16);
	for (size_t i = 0; i < n && i < 16; i++)
		if (info[i].txn_id == id && info[i].waiting)
			return true;
	return false;
}

Test(fast, falls_back_when_not_free, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_txn_t *a = begin(m), *b = begin(m), *c = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, LK_F_NOHIER), LK_OK); /* shares */
	cr_assert_eq(lk_lock(c, &R1, LK_X, 0, LK_F_NOHIER), LK_WOULDBLOCK);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, LK_F_NOHIER), LK_OK); /* relock */
	cr_assert_eq(lk_held_mode(a, &R1), LK_S);
	/* c queues for X; a later S must not pass it (fifo_strict) */
	atomic_store(&bg_rc, -1);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, bg_lock, c), 0);
	uint64_t end = lkt_now_ns() + 10000000000ull;
	while (!waiting(m, lk_txn_id(c))) {
		cr_assert(lkt_now_ns() < end, "c never queued");
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	lk_txn_t *d = begin(m);
	cr_assert_eq(lk_lock(d, &R1, LK_S, 0, LK_F_NOHIER), LK_WOULDBLOCK);
	cr_assert_eq(lk_unlock(a, &R1), LK_OK);
	cr_assert_eq(lk_unlock(b, &R1), LK_OK);
	lkt_join(th, 0, "its lock and wait calls");
	cr_assert_eq(atomic_load(&bg_rc), LK_OK);
	cr_assert_eq(lk_held_mode(c, &R1), LK_X);
	cr_assert_eq(lk_unlock(c, &R1), LK_OK);
	/* free again: the fast path grants and counts it */
	cr_assert_eq(lk_lock(d, &R1, LK_S, 0, LK_F_NOHIER), LK_OK);
	lk_stats_t st;
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	cr_assert_eq(lk_txn_commit(d), LK_OK);
	lk_lockmgr_stats(m, &st);
	/* a S, b S, c X (waited), d S */
	cr_assert_eq(st.acquired, 4);
	cr_assert_eq(st.waited, 1);
	cr_assert_eq(st.wouldblocks, 2);
	lk_lockmgr_destroy(m);
}

/* The fast path emits the same events as the general one: REQUEST then
 * GRANT (with the fencing token of an exclusive mode), RELEASE on unlock. */
static lk_trace_t evs[16];
static int nev;
static void rec(void *ctx, const lk_trace_t *e)
{
	(void)ctx;
	if (nev < 16)
		evs[nev] = *e;
	nev++;
}

Test(fast, trace_and_tokens)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_lockmgr_set_trace(m, rec, NULL);
	lk_txn_t *a = begin(m);
	uint64_t tok1 = 0, tok2 = 0;
	cr_assert_eq(lk_lock_ex(a, &R2, LK_X, 0, LK_F_NOHIER, &tok1), LK_OK);
	cr_assert_neq(tok1, 0);
	cr_assert_eq(lk_lock_token(a, &R2), tok1);
	cr_assert_eq(lk_unlock(a, &R2), LK_OK);
	cr_assert_eq(lk_lock_ex(a, &R2, LK_X, 0, LK_F_NOHIER, &tok2), LK_OK);
	cr_assert_gt(tok2, tok1);
	cr_assert_eq(nev, 5);
	cr_assert_eq(evs[0].event, LK_EV_REQUEST);
	cr_assert_eq(evs[0].mode, LK_X);
	cr_assert_eq(evs[0].prev_mode, -1);
	cr_assert_eq(evs[1].event, LK_EV_GRANT);
	cr_assert_eq(evs[1].token, tok1);
	cr_assert(lk_res_equal(&evs[1].res, &R2));
	cr_assert_eq(evs[1].txn_id, lk_txn_id(a));
	cr_assert_eq(evs[2].event, LK_EV_RELEASE);
	cr_assert_eq(evs[3].event, LK_EV_REQUEST);
	cr_assert_eq(evs[4].event, LK_EV_GRANT);
	cr_assert_eq(evs[4].token, tok2);
	cr_assert(evs[0].seq < evs[1].seq && evs[1].seq < evs[2].seq);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Many threads hammer one resource in X through the fast path and the
 * latch (spinning, parking, and the plain store release): mutual
 * exclusion holds and every thread finishes (no lost latch wake). */
#define HAM_THREADS 8
#define HAM_ITERS 20000
static lk_lockmgr_t *ham_m;
static long ham_in, ham_sum;
static void *ham(void *ctx, int id)
{
	(void)ctx;
	(void)id;
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(ham_m, &t), LK_OK);
	for (int i = 0; i < HAM_ITERS; i++) {
		int rc = lk_lock(t, &R1, LK_X, LK_FOREVER, LK_F_NOHIER);
		cr_assert_eq(rc, LK_OK, "lk_lock: %s", lk_strerror(rc));
		long v = __atomic_add_fetch(&ham_in, 1, __ATOMIC_RELAXED);
		cr_assert_eq(v, 1, "two X holders");
		ham_sum++; /* protected by the X lock */
		__atomic_sub_fetch(&ham_in, 1, __ATOMIC_RELAXED);
		cr_assert_eq(lk_unlock(t, &R1), LK_OK);
	}
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	return NULL;
}

Test(fast, contended_exclusion, .timeout = 120)
{
	ham_m = mk(LK_POLICY_DETECT);
	ham_in = ham_sum = 0;
	lkt_run(HAM_THREADS, ham, NULL);
	cr_assert_eq(ham_sum, (long)HAM_THREADS * HAM_ITERS);
	lk_stats_t st;
	lk_lockmgr_stats(ham_m, &st);
	cr_assert_eq(st.acquired, (uint64_t)HAM_THREADS * HAM_ITERS);
	lk_lockmgr_destroy(ham_m);
}

/* A new head on a private table is reserved by the txn that made it
 * (README "Reserved heads"): its end frees the head under the bucket latch
 * alone, and anyone else who needs the head (a sharer, a conflicting
 * request, the snapshot, the maker's own upgrade) takes it first. Every
 * way leaves the same state as an ordinary head would: the grants, the
 * views, and no head left behind. */
static uint32_t heads_now(lk_lockmgr_t *m)
{
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	return st.heads_used;
}

static size_t holders_of(lk_lockmgr_t *m, const lk_res_t *r, uint64_t *ids)
{
	lk_lockinfo_t info[16];
	size_t n = lk_snapshot(m, info, 16), k = 0;
	for (size_t i = 0; i < n && i < 16; i++)
		if (!memcmp(&info[i].res, r, sizeof *r) && info[i].granted)
			ids[k++] = info[i].txn_id;
	return k;
}

Test(fast, reserved_heads)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WAIT_DIE);
	uint32_t h0 = heads_now(m);
	uint64_t ids[16];
	/* the maker alone: its end frees the head */
	lk_txn_t *a = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(heads_now(m), h0 + 1);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(heads_now(m), h0, "the maker's end left its head");
	/* a sharer takes it; both hold it; each end releases its own grant */
	a = begin(m);
	lk_txn_t *b = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK); /* no view in between */
	lk_txn_t *c = begin(m);
	cr_assert_eq(lk_lock(c, &R1, LK_X, 0, LK_F_NOHIER), LK_WOULDBLOCK);
	cr_assert_eq(lk_txn_abort(c), LK_OK);
	cr_assert_eq(holders_of(m, &R1, ids), 1);
	cr_assert_eq(ids[0], lk_txn_id(b));
	cr_assert_eq(lk_held_mode(b, &R1), LK_S);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(heads_now(m), h0);
	/* a conflict on a reserved head: the younger dies (wait-die), the
	 * maker keeps its grant and ends as ever */
	a = begin(m);
	b = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_S, LK_FOREVER, LK_F_NOHIER), LK_DEADLOCK);
	cr_assert_eq(lk_held_mode(a, &R1), LK_X);
	cr_assert_eq(lk_txn_abort(b), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(heads_now(m), h0);
	/* the snapshot takes it; the maker's end still frees it */
	a = begin(m);
	cr_assert_eq(lk_lock(a, &R2, LK_S, 0, LK_F_NOHIER), LK_OK);
	b = begin(m);
	cr_assert_eq(lk_lock(b, &R2, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(holders_of(m, &R2, ids), 2);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(holders_of(m, &R2, ids), 1);
	cr_assert_eq(ids[0], lk_txn_id(a));
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(heads_now(m), h0);
	/* the maker's own upgrade and relock, then a second maker's head in
	 * the same txn: its end frees both */
	a = begin(m);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_lock(a, &R1, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_lock(a, &R1, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_held_mode(a, &R1), LK_X);
	cr_assert_eq(lk_lock(a, &R2, LK_S, 0, LK_F_NOHIER), LK_OK);
	b = begin(m);
	cr_assert_eq(lk_lock(b, &R1, LK_S, 0, LK_F_NOHIER), LK_WOULDBLOCK);
	cr_assert_eq(lk_lock(b, &R2, LK_S, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_lock(b, &R1, LK_X, 0, LK_F_NOHIER), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(heads_now(m), h0);
	lk_lockmgr_destroy(m);
}
