/* Txn slots and ids across threads (lockmgr/README.md "Txn slots"): a
 * thread keeps its slot for its next txn, yet every slot stays reachable
 * (begin takes a slot another thread keeps, a drain empties its caches),
 * and ids stay unique, increasing within a thread and close to the begin
 * order across threads. */
#include "lockmgr_unit.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* In another thread: one txn that locks n fresh resources and commits,
 * so that the thread's slot (kept when it ends) holds full caches. */
struct runner {
	lk_lockmgr_t *m;
	uint32_t n, base, txns;
	uint64_t last_id;
};

static void *run_txns(void *p)
{
	struct runner *r = (struct runner *)p;
	for (uint32_t i = 0; i < r->txns; i++) {
		lk_txn_t *t = NULL;
		cr_assert_eq(lk_txn_begin(r->m, &t), LK_OK);
		for (uint32_t k = 0; k < r->n; k++) {
			lk_res_t res = lk_res_advisory(r->base + k, 0);
			cr_assert_eq(lk_lock(t, &res, LK_X, 0, 0), LK_OK);
		}
		r->last_id = lk_txn_id(t);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	}
	return NULL;
}

static void run_in_thread(struct runner *r)
{
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, run_txns, r), 0);
	cr_assert_eq(pthread_join(th, NULL), 0);
}

/* The slot a finished thread kept serves another thread's begin once the
 * free ones are taken, and its caches are drained for a txn that needs
 * the whole pool. */
Test(lockmgr_slots, a_kept_slot_is_taken_and_drained)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.max_txns = 2;
	c.max_requests = 128; /* 16 per cache batch */
	c.hierarchy = false;
	lk_lockmgr_t *m;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	struct runner r = {m, 4, 1000, 1, 0};
	run_in_thread(&r); /* its slot is kept, with cached requests and heads */
	lk_txn_t *a = begin(m);
	uint32_t got = 0;
	int rc = LK_OK;
	for (uint32_t k = 0; k < 200 && rc == LK_OK; k++) {
		lk_res_t res = lk_res_advisory(5000 + k, 0);
		if ((rc = lk_lock(a, &res, LK_X, 0, 0)) == LK_OK)
			got++;
	}
	cr_assert_eq(rc, LK_NOMEM);
	cr_assert_eq(got, 128, "the kept slot's caches held %u requests", 128 - got);
	/* the stack is empty; the kept slot is the only one left */
	lk_txn_t *b = NULL, *x = NULL;
	cr_assert_eq(lk_txn_begin(m, &b), LK_OK);
	cr_assert_eq(lk_txn_begin(m, &x), LK_NOMEM);
	cr_assert_null(x);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	/* both slots again, each begun from this thread */
	a = begin(m);
	b = begin(m);
	lk_txn_commit(b);
	lk_txn_commit(a);
	lk_lockmgr_destroy(m);
}

/* Ids increase within a thread, nested txns and other threads' txns in
 * between included; a txn of a thread that was idle while others ran is
 * not much older than they are (within 256 ids). */
Test(lockmgr_slots, ids_across_threads)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WAIT_DIE, true, 0);
	lk_txn_t *x = begin(m), *y = begin(m);
	uint64_t ix = lk_txn_id(x), iy = lk_txn_id(y);
	cr_assert_gt(iy, ix);
	lk_txn_commit(x);
	lk_txn_t *z = begin(m); /* x's slot, whose next id is below y's */
	cr_assert_gt(lk_txn_id(z), iy);
	lk_txn_commit(y);
	lk_txn_commit(z);
	struct runner r = {m, 1, 100, 1000, 0};
	run_in_thread(&r);
	cr_assert_gt(r.last_id, lk_txn_id(z));
	lk_txn_t *w = begin(m);
	cr_assert_geq(lk_txn_id(w) + 256, r.last_id, "id %llu after %llu",
		      (unsigned long long)lk_txn_id(w), (unsigned long long)r.last_id);
	cr_assert_neq(lk_txn_id(w), r.last_id);
	lk_txn_commit(w);
	lk_lockmgr_destroy(m);
}

/* Two threads' ids never meet: each records its own, then they are
 * compared. */
struct idrec {
	lk_lockmgr_t *m;
	uint64_t ids[2000];
};

static void *record_ids(void *p)
{
	struct idrec *r = (struct idrec *)p;
	for (int i = 0; i < 2000; i++) {
		lk_txn_t *t = NULL, *u = NULL;
		cr_assert_eq(lk_txn_begin(r->m, &t), LK_OK);
		if (i % 7 == 0) /* a nested one now and then */
			cr_assert_eq(lk_txn_begin(r->m, &u), LK_OK);
		r->ids[i] = lk_txn_id(t);
		cr_assert(i == 0 || r->ids[i] > r->ids[i - 1]);
		if (u)
			cr_assert_eq(lk_txn_commit(u), LK_OK);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

Test(lockmgr_slots, ids_are_unique_across_threads)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	static struct idrec r[2];
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		r[i].m = m;
		cr_assert_eq(pthread_create(&th[i], NULL, record_ids, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_join(th[i], NULL), 0);
	static uint64_t all[4000];
	memcpy(all, r[0].ids, sizeof r[0].ids);
	memcpy(all + 2000, r[1].ids, sizeof r[1].ids);
	qsort(all, 4000, sizeof all[0], cmp_u64);
	for (int i = 1; i < 4000; i++)
		cr_assert_neq(all[i], all[i - 1], "id %llu given twice",
			      (unsigned long long)all[i]);
	lk_lockmgr_destroy(m);
}

/* A thread's ids increase per manager even when it switches between
 * managers that share its per-thread hint (registry slots 0 and 4). */
Test(lockmgr_slots, ids_increase_across_manager_switches)
{
	lk_lockmgr_t *m[5];
	for (int i = 0; i < 5; i++)
		m[i] = mk(LK_POLICY_WAIT_DIE, true, 0);
	lk_txn_t *x = begin(m[0]), *y = begin(m[0]);
	uint64_t iy = lk_txn_id(y);
	lk_txn_commit(y); /* kept */
	lk_txn_commit(x); /* on the stack, with the rest of its block */
	for (int i = 1; i < 5; i++) {
		lk_txn_t *o = begin(m[i]);
		lk_txn_commit(o);
	}
	lk_txn_t *z = begin(m[0]);
	cr_assert_gt(lk_txn_id(z), iy, "id %llu after %llu", (unsigned long long)lk_txn_id(z),
		     (unsigned long long)iy);
	lk_txn_commit(z);
	for (int i = 0; i < 5; i++)
		lk_lockmgr_destroy(m[i]);
}

/* 8 threads on 4 slots: kept slots are taken from their threads all the
 * time, drains run, begins fail with LK_NOMEM and retry. No two live txns
 * ever share a slot (the handle's low 16 bits are its slot), and all is
 * given back at the end. */
static lk_lockmgr_t *race_m;
static _Atomic long race_owner[4];
static atomic_int race_bad;

static void *race_txns(void *p)
{
	long me = (long)(intptr_t)p + 1;
	unsigned s = (unsigned)me;
	for (int done = 0; done < 3000;) {
		lk_txn_t *t = NULL;
		int rc = lk_txn_begin(race_m, &t);
		if (rc == LK_NOMEM) {
			sched_yield();
			continue;
		}
		cr_assert_eq(rc, LK_OK);
		unsigned sl = (unsigned)((uintptr_t)t & 0xffffu);
		long z = 0;
		if (sl >= 4 || !atomic_compare_exchange_strong(&race_owner[sl], &z, me))
			atomic_fetch_add(&race_bad, 1);
		s = s * 1103515245u + 12345u;
		for (uint32_t i = 0; i < (s >> 28); i++) {
			lk_res_t r = lk_res_advisory((uint32_t)me * 100 + i, 0);
			(void)lk_lock(t, &r, LK_X, 0, 0); /* LK_NOMEM is fine here */
		}
		if ((s >> 20) % 5 == 0) { /* a nested one now and then */
			lk_txn_t *u = NULL;
			if (lk_txn_begin(race_m, &u) == LK_OK)
				cr_assert_eq(lk_txn_commit(u), LK_OK);
		}
		if (sl < 4)
			atomic_store(&race_owner[sl], 0);
		cr_assert_eq(lk_txn_commit(t), LK_OK);
		done++;
	}
	return NULL;
}

Test(lockmgr_slots, threads_race_for_few_slots, .timeout = 60)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.max_txns = 4;
	c.max_requests = 64;
	c.hierarchy = false;
	cr_assert_eq(lk_lockmgr_create(&c, &race_m), LK_OK);
	pthread_t th[8];
	for (int i = 0; i < 8; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, race_txns, (void *)(intptr_t)i), 0);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(pthread_join(th[i], NULL), 0);
	cr_assert_eq(atomic_load(&race_bad), 0, "two live txns shared a slot");
	lk_stats_t st;
	lk_lockmgr_stats(race_m, &st);
	cr_assert_eq(st.txns_active, 0);
	cr_assert_eq(st.requests_used, 0);
	/* Heads may stay linked and idle (a release that found the bucket
	 * latch busy: lockmgr/README.md "What is reclaimed when"), so
	 * heads_used need not be 0; the sweep must get every one back: one
	 * txn takes as many new resources as there are heads and requests. */
	uint32_t n = st.heads_max < st.requests_max ? st.heads_max : st.requests_max;
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(race_m, &t), LK_OK);
	for (uint32_t i = 0; i < n; i++) {
		lk_res_t r = lk_res_advisory(1000000 + i, 0);
		cr_assert_eq(lk_lock(t, &r, LK_X, 0, 0), LK_OK, "new resource %u of %u", i, n);
	}
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(race_m);
}
