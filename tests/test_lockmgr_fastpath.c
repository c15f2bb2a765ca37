/*
 * Tests of the weak-lock fast path (lockmgr/fastpath.c, README "Fast
 * path"): weak database and table locks held as records take no pool
 * request and no head; a strong request moves them into the main table
 * first, so that the snapshot, the blocking set, the detector and the
 * age policies see them; the records' holders keep every verb's answer.
 */
#include "harness.h"

#include <latchkit/lockmgr.h>
#include <pthread.h>
#include <string.h>

static lk_lockmgr_t *mk(int policy, uint32_t esc)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = policy;
	c.escalation_threshold = esc;
	c.max_txns = 16;
	c.max_requests = 256;
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

static lk_lockinfo_t snap[256];

static bool res_eq(const lk_res_t *a, const lk_res_t *b)
{
	return a->kind == b->kind && !memcmp(a->f, b->f, sizeof a->f);
}

/* the snapshot's entry of txn id on res, or NULL */
static const lk_lockinfo_t *entry(lk_lockmgr_t *m, uint64_t id, const lk_res_t *res,
				  size_t *n_out)
{
	size_t n = lk_snapshot(m, snap, 256);
	cr_assert_leq(n, 256);
	if (n_out)
		*n_out = n;
	for (size_t i = 0; i < n; i++)
		if (snap[i].txn_id == id && res_eq(&snap[i].res, res))
			return &snap[i];
	return NULL;
}

/* A lock call in its own thread, so that the test can watch it wait. */
struct bg {
	lk_txn_t *t;
	lk_res_t res;
	int mode;
	uint64_t timeout;
	int rc;
	pthread_t th;
	bool abort_victim; /* a victim aborts at once, as a client would */
};
static void *bg_main(void *p)
{
	struct bg *b = p;
	b->rc = lk_lock(b->t, &b->res, b->mode, b->timeout, 0);
	if (b->abort_victim && b->rc == LK_DEADLOCK)
		lk_txn_abort(b->t);
	return NULL;
}
static void bg_start(struct bg *b)
{
	b->rc = -1;
	cr_assert_eq(pthread_create(&b->th, NULL, bg_main, b), 0);
}
static int bg_join(struct bg *b)
{
	lkt_join(b->th, 0, "its lock and wait calls");
	return b->rc;
}
/* wait until txn id waits (it shows in the snapshot as waiting) */
static void until_waiting(lk_lockmgr_t *m, uint64_t id, const lk_res_t *res)
{
	for (int i = 0; i < 5000; i++) {
		const lk_lockinfo_t *e = entry(m, id, res, NULL);
		if (e && e->waiting)
			return;
		lkt_sleep_ms(1);
	}
	cr_assert_fail("txn %llu never waited", (unsigned long long)id);
}

Test(fastpath, weak_locks_take_no_request_and_show_in_the_snapshot)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, 0);
	lk_txn_t *a = begin(m), *b = begin(m);
	lk_res_t db = lk_res_db(1), tab = lk_res_table(1, 7);
	cr_assert_eq(lk_lock(a, &tab, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &tab, LK_IS, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &tab, LK_IX, 0, 0), LK_OK, "IS -> IX in place");
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.requests_used, 0, "records take no pool request");
	cr_assert_eq(st.heads_used, 0, "nor a head");
	cr_assert_eq(st.acquired, 3);
	cr_assert_eq(st.intention_acquired, 3, "db IX for a; db IS, then IX, for b");
	size_t n;
	const lk_lockinfo_t *e = entry(m, lk_txn_id(a), &tab, &n);
	cr_assert_eq(n, 4, "two tables and two databases");
	cr_assert(e && e->granted && !e->waiting && e->mode == LK_IX);
	e = entry(m, lk_txn_id(b), &db, NULL);
	cr_assert(e && e->granted && e->mode == LK_IX);
	cr_assert_eq(lk_held_mode(b, &tab), LK_IX);
	cr_assert_eq(lk_lock_token(b, &tab), 0, "weak modes are not exclusive");
	cr_assert_eq(lk_unlock(b, &tab), LK_OK);
	cr_assert_eq(lk_held_mode(b, &tab), -1);
	cr_assert_eq(lk_unlock(b, &tab), LK_NOTHELD);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(lk_snapshot(m, NULL, 0), 0);
	lk_lockmgr_destroy(m);
}

/* A strong request arriving while weak holders sit on the fast path: it
 * moves them into the main table and waits for them like for any holder;
 * the blocking set names them; it is granted when they end. */
Test(fastpath, strong_request_waits_for_moved_records)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, 0);
	lk_txn_t *w[3], *s = begin(m);
	lk_res_t tab = lk_res_table(1, 7);
	for (int i = 0; i < 3; i++) {
		w[i] = begin(m);
		cr_assert_eq(lk_lock(w[i], &tab, i ? LK_IX : LK_IS, 0, 0), LK_OK);
	}
	cr_assert_eq(lk_lock(s, &tab, LK_S, 0, 0), LK_WOULDBLOCK, "IX holders");
	cr_assert_eq(lk_held_mode(w[1], &tab), LK_IX, "a moved record still holds");
	struct bg b = {s, tab, LK_X, LK_FOREVER, 0, 0, false};
	bg_start(&b);
	until_waiting(m, lk_txn_id(s), &tab);
	uint64_t ids[8];
	size_t k = lk_blocking_set(s, ids, 8);
	cr_assert_eq(k, 3, "blocked by the three record holders");
	for (int i = 0; i < 3; i++) {
		bool found = false;
		for (size_t j = 0; j < k; j++)
			found |= ids[j] == lk_txn_id(w[i]);
		cr_assert(found, "holder %d in the blocking set", i);
		const lk_lockinfo_t *e = entry(m, lk_txn_id(w[i]), &tab, NULL);
		cr_assert(e && e->granted, "holder %d in the snapshot", i);
	}
	/* a weak request now queues behind the strong one (FIFO) */
	lk_txn_t *late = begin(m);
	cr_assert_eq(lk_lock(late, &tab, LK_IS, 0, 0), LK_WOULDBLOCK);
	cr_assert_eq(lk_unlock(w[0], &tab), LK_OK, "a moved record unlocks");
	cr_assert_eq(lk_txn_commit(w[1]), LK_OK);
	cr_assert_eq(lk_txn_abort(w[2]), LK_OK);
	cr_assert_eq(bg_join(&b), LK_OK);
	cr_assert_eq(lk_held_mode(s, &tab), LK_X);
	cr_assert_gt(lk_lock_token(s, &tab), 0);
	cr_assert_eq(lk_txn_commit(s), LK_OK);
	/* the count is dropped: weak locks take the fast path again */
	cr_assert_eq(lk_lock(late, &tab, LK_IS, 0, 0), LK_OK);
	const lk_lockinfo_t *e = entry(m, lk_txn_id(late), &tab, NULL);
	cr_assert(e && e->granted && e->mode == LK_IS);
	cr_assert_eq(lk_txn_commit(late), LK_OK);
	cr_assert_eq(lk_txn_commit(w[0]), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A deadlock whose cycle passes through fast-path holders: each txn holds
 * IX on one table as a record and asks for X on the other's. Either may
 * be the victim (LK_VICTIM_CLOSER: the one whose search finds the cycle;
 * a found it after the backstop's 50 ms here, b not searching at once):
 * a, in the background, aborts as soon as it is chosen, or b would wait
 * for it forever. */
Test(fastpath, deadlock_through_records_is_found)
{
	/* b's wait closes the cycle, and b holds only a record (moved by a's
	 * X, not yet adopted): b's own search must find it at once, so under
	 * the default victim (the closer) b is the victim. A search skipped
	 * there leaves the cycle to a's backstop search 50 ms later, which
	 * picks a. So b must be the victim in most of five tries (a try can
	 * lose to the backstop when this thread is descheduled for 50 ms; with
	 * the search skipped, b was the victim in 0 of 80 tries). */
	int closer_victim = 0;
	for (int round = 0; round < 5; round++) {
		lk_lockmgr_t *m = mk(LK_POLICY_DETECT, 0);
		lk_txn_t *a = begin(m), *b = begin(m);
		lk_res_t ta = lk_res_table(1, 1), tb = lk_res_table(1, 2);
		cr_assert_eq(lk_lock(a, &ta, LK_IX, 0, 0), LK_OK);
		cr_assert_eq(lk_lock(b, &tb, LK_IX, 0, 0), LK_OK);
		struct bg x = {a, tb, LK_X, LK_FOREVER, 0, 0, true};
		bg_start(&x);
		until_waiting(m, lk_txn_id(a), &tb);
		int rc = lk_lock(b, &ta, LK_X, LK_FOREVER, 0);
		if (rc == LK_DEADLOCK) {
			closer_victim++;
			cr_assert_eq(lk_txn_abort(b), LK_OK);
			cr_assert_eq(bg_join(&x), LK_OK);
			cr_assert_eq(lk_txn_commit(a), LK_OK);
		} else {
			cr_assert_eq(rc, LK_OK);
			cr_assert_eq(bg_join(&x), LK_DEADLOCK); /* a aborted itself */
			cr_assert_eq(lk_txn_commit(b), LK_OK);
		}
		lk_stats_t st;
		lk_lockmgr_stats(m, &st);
		cr_assert_eq(st.deadlocks, 1);
		lk_lockmgr_destroy(m);
	}
	cr_assert_geq(closer_victim, 3, "the wait that closed the cycle found it "
		      "in %d of 5 tries; the 50 ms backstop found the others",
		      closer_victim);
}

/* Wait-die and wound-wait judge record holders by age too. */
Test(fastpath, age_policies_see_record_holders)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WAIT_DIE, 0);
	lk_txn_t *old = begin(m), *young = begin(m);
	lk_res_t tab = lk_res_table(1, 7);
	cr_assert_eq(lk_lock(old, &tab, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(young, &tab, LK_S, LK_FOREVER, 0), LK_DEADLOCK,
		     "younger waits for an older record holder: dies");
	cr_assert_eq(lk_txn_abort(young), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	lk_lockmgr_destroy(m);

	m = mk(LK_POLICY_WOUND_WAIT, 0);
	old = begin(m);
	young = begin(m);
	cr_assert_eq(lk_lock(young, &tab, LK_IX, 0, 0), LK_OK);
	struct bg b = {old, tab, LK_X, LK_FOREVER, 0, 0, false};
	bg_start(&b);
	/* the older one wounds the younger record holder */
	lk_res_t other = lk_res_row(9, 9, 9, 9);
	for (int i = 0; i < 5000; i++) {
		if (lk_lock(young, &other, LK_S, 0, 0) == LK_WOUNDED)
			break;
		lkt_sleep_ms(1);
	}
	cr_assert_eq(lk_lock(young, &tab, LK_IX, 0, 0), LK_WOUNDED);
	cr_assert_eq(lk_txn_abort(young), LK_OK);
	cr_assert_eq(bg_join(&b), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	lk_lockmgr_destroy(m);
}

/* A txn converting its own record: IX -> SIX moves it and converts in the
 * main table; IS -> IX stays a record. */
Test(fastpath, own_record_converts)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, 0);
	lk_txn_t *t = begin(m), *o = begin(m);
	lk_res_t tab = lk_res_table(1, 7);
	cr_assert_eq(lk_lock(t, &tab, LK_IS, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &tab, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(o, &tab, LK_IS, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t, &tab, LK_S, 0, 0), LK_OK, "IX + S = SIX");
	cr_assert_eq(lk_held_mode(t, &tab), LK_SIX);
	cr_assert_eq(lk_held_mode(o, &tab), LK_IS, "o's record moved, still IS");
	uint64_t tok = lk_lock_token(t, &tab);
	cr_assert_gt(tok, 0);
	lk_txn_t *x = begin(m);
	cr_assert_eq(lk_lock(x, &tab, LK_IX, 0, 0), LK_WOULDBLOCK, "SIX held");
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	cr_assert_eq(lk_lock(x, &tab, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(x), LK_OK);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Escalation of a table held as a record: the record becomes the txn's
 * request, converts, and takes a fresh token. */
Test(fastpath, escalation_of_a_record)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, 2);
	lk_txn_t *t = begin(m), *o = begin(m);
	lk_res_t tab = lk_res_table(1, 7);
	cr_assert_eq(lk_lock(o, &tab, LK_IS, 0, 0), LK_OK);
	for (uint32_t r = 0; r < 2; r++) {
		lk_res_t row = lk_res_row(1, 7, 0, r);
		cr_assert_eq(lk_lock(t, &row, LK_X, 0, 0), LK_OK);
	}
	cr_assert_eq(lk_held_mode(t, &tab), LK_IX, "not yet");
	lk_res_t row = lk_res_row(1, 7, 0, 2);
	uint64_t tok = 0;
	/* o's IS conflicts with X: no escalation, the row is locked */
	cr_assert_eq(lk_lock_ex(t, &row, LK_X, 0, 0, &tok), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_IX);
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	row = lk_res_row(1, 7, 0, 3);
	cr_assert_eq(lk_lock_ex(t, &row, LK_X, 0, 0, &tok), LK_OK);
	cr_assert_eq(lk_held_mode(t, &tab), LK_X, "escalated");
	cr_assert_eq(lk_held_mode(t, &row), -1, "rows released into the table");
	cr_assert_gt(tok, 0);
	cr_assert_eq(tok, lk_lock_token(t, &tab));
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.escalations, 1);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	lk_lockmgr_destroy(m);
}

/* More weak locks than a txn has records: the rest go to the main table. */
Test(fastpath, records_run_out_into_the_main_table)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, 0);
	lk_txn_t *t = begin(m), *s = begin(m);
	for (uint32_t i = 0; i < 40; i++) {
		lk_res_t tab = lk_res_table(2, i);
		cr_assert_eq(lk_lock(t, &tab, LK_IX, 0, 0), LK_OK);
	}
	size_t n = lk_snapshot(m, NULL, 0);
	cr_assert_eq(n, 41, "40 tables and the database");
	for (uint32_t i = 0; i < 40; i++) {
		lk_res_t tab = lk_res_table(2, i);
		cr_assert_eq(lk_held_mode(t, &tab), LK_IX);
		cr_assert_eq(lk_lock(s, &tab, LK_S, 0, 0), LK_WOULDBLOCK, "table %u", i);
	}
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	for (uint32_t i = 0; i < 40; i++) {
		lk_res_t tab = lk_res_table(2, i);
		cr_assert_eq(lk_lock(s, &tab, LK_S, 0, 0), LK_OK, "table %u", i);
	}
	cr_assert_eq(lk_txn_commit(s), LK_OK);
	lk_lockmgr_destroy(m);
}

/* Take every request of m's pool in one txn: exactly max_requests
 * distinct locks succeed, the next is LK_NOMEM. A request lost from the
 * pool makes it fewer; one in two places (a stack and a cache) makes it
 * more, or hands one request to two resources (the snapshot shows each
 * resource once, granted). */
static void whole_pool(lk_lockmgr_t *m, uint32_t max_requests, uint32_t round)
{
	lk_txn_t *c = begin(m);
	uint32_t got = 0;
	for (uint32_t i = 0; i < max_requests + 2; i++) {
		lk_res_t r = lk_res_advisory(i, 100 + round);
		int rc = lk_lock(c, &r, LK_X, 0, 0);
		if (rc != LK_OK) {
			cr_assert_eq(rc, LK_NOMEM, "round %u lock %u: %d", round, i, rc);
			break;
		}
		got++;
	}
	cr_assert_eq(got, max_requests, "round %u: %u of %u requests", round, got,
		     max_requests);
	size_t n = lk_snapshot(m, snap, 256);
	cr_assert_eq(n, max_requests);
	for (size_t i = 0; i < n; i++) {
		cr_assert(snap[i].granted && snap[i].mode == LK_X);
		cr_assert_eq(snap[i].res.f[1], 100 + round);
	}
	cr_assert_eq(lk_txn_commit(c), LK_OK);
}

/* Records moved by another txn's strong request get requests lent from
 * the shared stack, and their holder's end gives them back there, not to
 * its own cache (README "Memory"). Every way a lent request can end: at
 * the commit, released early and reused before the commit, and more lent
 * to one txn than it remembers (4). The pool neither loses nor doubles a
 * request, whatever the order. */
Test(fastpath, lent_requests_go_back_to_the_pool)
{
	lk_lockmgr_t *m = mk(LK_POLICY_NO_WAIT, 0);
	for (uint32_t round = 0; round < 3; round++) {
		lk_txn_t *h = begin(m), *s = begin(m);
		for (uint32_t i = 0; i < 6; i++) {
			lk_res_t tab = lk_res_table(3, i), row = lk_res_row(3, i, 0, round);
			cr_assert_eq(lk_lock(h, &tab, LK_IX, 0, 0), LK_OK);
			cr_assert_eq(lk_lock(h, &row, LK_X, 0, 0), LK_OK);
		}
		/* s's strong requests move h's six table records (lent) */
		for (uint32_t i = 0; i < 6; i++) {
			lk_res_t tab = lk_res_table(3, i);
			cr_assert_eq(lk_lock(s, &tab, LK_S, 0, 0), LK_WOULDBLOCK, "table %u", i);
		}
		cr_assert_eq(lk_txn_commit(s), LK_OK);
		for (uint32_t i = 0; i < 6; i++) {
			lk_res_t tab = lk_res_table(3, i);
			const lk_lockinfo_t *e = entry(m, lk_txn_id(h), &tab, NULL);
			cr_assert(e && e->granted && e->mode == LK_IX, "table %u", i);
		}
		if (round > 0) { /* early release of a lent one, then a reuse */
			lk_res_t tab = lk_res_table(3, 0), row = lk_res_row(3, 0, 0, round);
			cr_assert_eq(lk_unlock(h, &row), LK_OK);
			cr_assert_eq(lk_unlock(h, &tab), LK_OK);
			cr_assert_eq(lk_held_mode(h, &tab), -1);
			lk_res_t other = lk_res_table(3, 9), orow = lk_res_row(3, 9, 0, 0);
			cr_assert_eq(lk_lock(h, &other, LK_IX, 0, 0), LK_OK);
			cr_assert_eq(lk_lock(h, &orow, LK_X, 0, 0), LK_OK);
		}
		for (uint32_t i = round > 0; i < 6; i++) {
			lk_res_t tab = lk_res_table(3, i);
			cr_assert_eq(lk_held_mode(h, &tab), LK_IX, "table %u", i);
		}
		cr_assert_eq(lk_txn_commit(h), LK_OK);
		lk_stats_t st;
		lk_lockmgr_stats(m, &st);
		cr_assert_eq(st.requests_used, 0);
		whole_pool(m, 256, round);
	}
	lk_lockmgr_destroy(m);
}

/* The transfer under a race (FASTPATH.md): a weak locker that
 * makes and drops its records as fast as it can while a strong locker
 * keeps taking S on the same table, with pauses (no count: records are
 * made). The two modes conflict, so at no moment may both be held: each
 * side says so in a shared word while it holds its lock and checks the
 * other's. A record made behind the strong locker's back (its move missed
 * it) shows as an overlap. In the nap build (make test-nap) the library
 * sleeps now and then inside a record change, which widens that race: a
 * record made without the owner's fp latch fails it there. */
static atomic_int strong_in, weak_in, overlaps;
static atomic_bool race_stop;

static void *weak_side(void *p)
{
	lk_lockmgr_t *m = p;
	for (uint32_t k = 0; !atomic_load(&race_stop); k++) {
		lk_txn_t *t = NULL;
		if (lk_txn_begin(m, &t) != LK_OK)
			continue;
		lk_res_t row = lk_res_row(0, 1, k & 7, k);
		int rc = lk_lock(t, &row, LK_X, LK_FOREVER, 0);
		if (rc == LK_OK) {
			atomic_store(&weak_in, 1);
			if (atomic_load(&strong_in))
				atomic_fetch_add(&overlaps, 1);
			atomic_store(&weak_in, 0);
		}
		lk_txn_commit(t);
	}
	return NULL;
}

Test(fastpath, records_against_a_racing_strong_lock, .timeout = 60)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, 0);
	pthread_t th;
	atomic_store(&race_stop, false);
	cr_assert_eq(pthread_create(&th, NULL, weak_side, m), 0);
	lk_res_t tab = lk_res_table(0, 1);
	uint64_t end = lkt_now_ns() + 400000000ull;
	int rounds = 0;
	while (lkt_now_ns() < end || rounds < 200) {
		lk_txn_t *t = begin(m);
		int rc = lk_lock(t, &tab, LK_S, LK_FOREVER, 0);
		if (rc == LK_OK) {
			atomic_store(&strong_in, 1);
			if (atomic_load(&weak_in))
				atomic_fetch_add(&overlaps, 1);
			/* held longer than the nap build's naps (250 us) */
			uint64_t until = lkt_now_ns() + 300000;
			while (lkt_now_ns() < until)
				if (atomic_load(&weak_in))
					atomic_fetch_add(&overlaps, 1);
			atomic_store(&strong_in, 0);
			rounds++;
		}
		lk_txn_commit(t);
		/* no strong count for a while: the weak side makes records */
		struct timespec ts = {0, 20000};
		nanosleep(&ts, NULL);
	}
	atomic_store(&race_stop, true);
	lkt_join(th, 0, "the weak side's loop");
	cr_assert_eq(atomic_load(&overlaps), 0, "IX and S held at once %d times",
		     atomic_load(&overlaps));
	lk_lockmgr_destroy(m);
}
