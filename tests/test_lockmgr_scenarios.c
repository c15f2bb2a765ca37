/*
 * Black-box scenarios for the lock table, written against lockmgr.h only:
 * the seed notes' examples, every mode pair against an independent copy of
 * the seed matrix and of PostgreSQL's conflict table, the deadlock policies
 * by age, escalation, timeouts, bad input. After each scenario the table is
 * checked through lk_snapshot (granted modes pairwise compatible, nothing
 * left waiting, the expected number of holders).
 */
#include "harness.h"

#include <latchkit/lockmgr.h>
#include <stdio.h>
#include <string.h>

#include "../verify/stress/history.h"

#define SEC 1000000000ull
#define MS 1000000ull

static lk_lockmgr_t *mkcfg(int policy, uint32_t esc, uint32_t max_txns,
			   uint32_t max_req)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = policy;
	c.escalation_threshold = esc;
	c.max_txns = max_txns;
	c.max_requests = max_req;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	return m;
}
static lk_lockmgr_t *mk(int policy) { return mkcfg(policy, 0, 64, 4096); }

static lk_txn_t *begin(lk_lockmgr_t *m)
{
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	cr_assert_neq(t, NULL);
	return t;
}

/* ---- snapshot checks ------------------------------------------------------ */

#define SNAP_MAX 4096
static lk_lockinfo_t snap_buf[SNAP_MAX];

/* Granted modes on each resource pairwise compatible (per the manager's own
 * table, which the pair tests below pin to the seed matrix); returns the
 * number of granted entries and of waiting ones. */
static void check_table(lk_lockmgr_t *m, const lk_modetable_t *mt,
			size_t *granted, size_t *waiting)
{
	size_t n = lk_snapshot(m, snap_buf, SNAP_MAX);
	cr_assert_leq(n, SNAP_MAX);
	size_t g = 0, w = 0;
	for (size_t i = 0; i < n; i++) {
		const lk_lockinfo_t *a = &snap_buf[i];
		if (a->granted)
			g++;
		if (a->waiting)
			w++;
		cr_assert(a->granted || a->waiting, "entry neither granted nor waiting");
		for (size_t j = i + 1; j < n; j++) {
			const lk_lockinfo_t *b = &snap_buf[j];
			if (!a->granted || !b->granted || !lk_res_equal(&a->res, &b->res))
				continue;
			cr_assert_neq(a->txn_id, b->txn_id, "one txn twice on a resource");
			cr_assert(!lk_mode_conflicts(mt, a->mode, b->mode),
				  "snapshot: txn %llu %s and txn %llu %s both granted",
				  (unsigned long long)a->txn_id, mt->names[a->mode],
				  (unsigned long long)b->txn_id, mt->names[b->mode]);
		}
	}
	if (granted)
		*granted = g;
	if (waiting)
		*waiting = w;
}

/* Quiescent and empty: nothing granted, nothing waiting. */
static void check_empty(lk_lockmgr_t *m)
{
	size_t g, w;
	check_table(m, lk_modetable_default(), &g, &w);
	cr_assert_eq(g, 0, "%zu locks left granted", g);
	cr_assert_eq(w, 0, "%zu requests left waiting", w);
}

/* Is txn id waiting on something, per the snapshot? */
static bool snap_waiting(lk_lockmgr_t *m, uint64_t id)
{
	size_t n = lk_snapshot(m, snap_buf, SNAP_MAX);
	for (size_t i = 0; i < n && i < SNAP_MAX; i++)
		if (snap_buf[i].txn_id == id && snap_buf[i].waiting)
			return true;
	return false;
}

/* Wait (test side) until txn id shows as waiting; fails after 10 s. */
static void await_waiting(lk_lockmgr_t *m, uint64_t id)
{
	uint64_t end = lkt_now_ns() + 10 * SEC;
	while (!snap_waiting(m, id)) {
		cr_assert(lkt_now_ns() < end, "txn %llu never started waiting",
			  (unsigned long long)id);
		lkt_sleep_ms(1);
	}
}

/* ---- a lock call on another thread -------------------------------------- */

typedef struct {
	pthread_t th;
	lk_txn_t *txn;
	lk_res_t res;
	int mode;
	uint64_t timeout;
	atomic_int done;
	int rc;
	uint64_t took_ns;
} bg_t;

static void *bg_main(void *p)
{
	bg_t *b = (bg_t *)p;
	uint64_t t0 = lkt_now_ns();
	b->rc = lk_lock(b->txn, &b->res, b->mode, b->timeout, 0);
	b->took_ns = lkt_now_ns() - t0;
	atomic_store(&b->done, 1);
	return NULL;
}

static void bg_start(bg_t *b, lk_txn_t *t, lk_res_t r, int mode, uint64_t timeout)
{
	b->txn = t;
	b->res = r;
	b->mode = mode;
	b->timeout = timeout;
	atomic_store(&b->done, 0);
	cr_assert_eq(pthread_create(&b->th, NULL, bg_main, b), 0);
}

/* Join; the call must have ended within `within` ns from now. */
static int bg_join(bg_t *b, uint64_t within)
{
	uint64_t end = lkt_now_ns() + within;
	while (!atomic_load(&b->done)) {
		cr_assert(lkt_now_ns() < end, "lock call still blocked (mode %d)", b->mode);
		lkt_sleep_ms(1);
	}
	lkt_join(b->th, 0, "its lock and wait calls");
	return b->rc;
}

static lk_res_t adv(uint32_t k) { return lk_res_advisory(k, 0); }

/* ---- the seed notes' examples -------------------------------------------- */

/* T1 holds IX on table T; T2 asks S and must wait; T3 asks IS, compatible
 * with IX (and with the waiting S), and proceeds. */
Test(scenario, seed_ix_s_is, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_res_t tab = lk_res_table(1, 5);
	lk_txn_t *t1 = begin(m), *t2 = begin(m), *t3 = begin(m);
	cr_assert_eq(lk_lock(t1, &tab, LK_IX, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t2, &tab, LK_S, 0, 0), LK_WOULDBLOCK);
	bg_t b;
	bg_start(&b, t2, tab, LK_S, 20 * SEC);
	await_waiting(m, lk_txn_id(t2));
	/* the seed note: "T3 requests IS ... IS vs IX = OK -> T3 can proceed" */
	int rc3 = lk_lock(t3, &tab, LK_IS, 0, 0);
	cr_expect_eq(rc3, LK_OK,
		     "seed example: IS behind a waiting S with IX held: got %s",
		     lk_strerror(rc3));
	cr_assert_eq(lk_held_mode(t1, &tab), LK_IX);
	cr_assert_eq(lk_txn_commit(t1), LK_OK);
	/* S is compatible with T3's IS: granted at T1's commit either way */
	cr_assert_eq(bg_join(&b, 10 * SEC), LK_OK);
	cr_assert_eq(lk_held_mode(t2, &tab), LK_S);
	cr_assert_eq(lk_txn_commit(t2), LK_OK);
	cr_assert_eq(lk_txn_commit(t3), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* Two S holders both upgrading to X: a deadlock. DETECT picks one victim
 * (LK_DEADLOCK); the other gets X once the victim aborts. */
Test(scenario, s_to_x_upgrade_deadlock_detect, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_res_t r = lk_res_row(1, 1, 1, 42);
	lk_txn_t *t1 = begin(m), *t2 = begin(m);
	cr_assert_eq(lk_lock(t1, &r, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t2, &r, LK_S, 0, 0), LK_OK);
	bg_t b1, b2;
	bg_start(&b1, t1, r, LK_X, 20 * SEC);
	await_waiting(m, lk_txn_id(t1));
	bg_start(&b2, t2, r, LK_X, 20 * SEC);
	/* exactly one is the victim; abort it and the other proceeds */
	uint64_t end = lkt_now_ns() + 15 * SEC;
	while (!atomic_load(&b1.done) && !atomic_load(&b2.done)) {
		cr_assert(lkt_now_ns() < end, "upgrade deadlock not detected");
		lkt_sleep_ms(1);
	}
	bg_t *vic = atomic_load(&b1.done) ? &b1 : &b2;
	bg_t *win = vic == &b1 ? &b2 : &b1;
	cr_assert_eq(bg_join(vic, SEC), LK_DEADLOCK, "victim got %s", lk_strerror(vic->rc));
	cr_assert_eq(lk_txn_abort(vic->txn), LK_OK);
	cr_assert_eq(bg_join(win, 10 * SEC), LK_OK);
	cr_assert_eq(lk_held_mode(win->txn, &r), LK_X);
	cr_assert_eq(lk_txn_commit(win->txn), LK_OK);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_geq(st.deadlocks, 1);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* Wait-die: a younger requester dies at once; an older one waits. */
Test(scenario, wait_die_decides_by_age, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WAIT_DIE);
	lk_res_t r = adv(1), q = adv(2);
	lk_txn_t *old = begin(m), *young = begin(m);
	cr_assert_lt(lk_txn_id(old), lk_txn_id(young));
	cr_assert_eq(lk_lock(old, &r, LK_X, 0, 0), LK_OK);
	uint64_t t0 = lkt_now_ns();
	cr_assert_eq(lk_lock(young, &r, LK_S, 5 * SEC, 0), LK_DEADLOCK);
	cr_assert_lt(lkt_now_ns() - t0, 2 * SEC, "the younger one waited before dying");
	cr_assert_eq(lk_txn_abort(young), LK_OK);
	/* now the younger (a new txn) holds q; the older one waits for it */
	young = begin(m);
	cr_assert_eq(lk_lock(young, &q, LK_X, 0, 0), LK_OK);
	bg_t b;
	bg_start(&b, old, q, LK_S, 20 * SEC);
	await_waiting(m, lk_txn_id(old));
	cr_assert_eq(lk_txn_commit(young), LK_OK);
	cr_assert_eq(bg_join(&b, 10 * SEC), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* Wound-wait: an older requester wounds the younger holder; a younger
 * requester waits for the older holder. */
Test(scenario, wound_wait_decides_by_age, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WOUND_WAIT);
	lk_res_t r = adv(1), q = adv(2);
	lk_txn_t *old = begin(m), *young = begin(m);
	cr_assert_eq(lk_lock(young, &r, LK_X, 0, 0), LK_OK);
	bg_t b;
	bg_start(&b, old, r, LK_X, 20 * SEC);
	await_waiting(m, lk_txn_id(old));
	/* the younger one learns at its next lock call */
	cr_assert_eq(lk_lock(young, &q, LK_S, 0, 0), LK_WOUNDED);
	cr_assert_eq(lk_txn_abort(young), LK_OK);
	cr_assert_eq(bg_join(&b, 10 * SEC), LK_OK);
	/* a younger requester against the older holder waits (times out) */
	young = begin(m);
	uint64_t t0 = lkt_now_ns();
	cr_assert_eq(lk_lock(young, &r, LK_S, 100 * MS, 0), LK_TIMEOUT);
	cr_assert_geq(lkt_now_ns() - t0, 100 * MS);
	cr_assert_eq(lk_lock(young, &q, LK_S, 0, 0), LK_OK, "the waiter was wounded");
	cr_assert_eq(lk_txn_commit(young), LK_OK);
	cr_assert_eq(lk_txn_commit(old), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/*
 * Wound-wait and a conversion (the trace TLC found with
 * verify/tla/LockTable_bugconvedge.cfg, redone with the six default modes
 * so that it needs no race): a conversion is checked against the holders
 * only, so it can be granted past an OLDER queued waiter it conflicts with.
 * That makes an old -> young wait edge that no wound covers; when the young
 * converter then waits for the old waiter elsewhere, wound-wait has a
 * deadlock. Ages H < Q < W < C (begin order).
 *   W: X on r1.  H: S on r2.  C: IS on r2.
 *   Q: IX on r2  (waits for H, older: no wound)
 *   W: U on r2   (waits for Q's IX ahead, older: no wound; U is
 *                 compatible with the holders' S and IS)
 *   C: U on r2   (conversion IS -> U: compatible with the holders (S),
 *                 granted past W's waiting U, which it conflicts with)
 *   C: X on r1   (held by the older W: C waits)  -> W waits for C, C for W.
 * Correct wound-wait breaks it: C is wounded (W is older). The waits have
 * 3 s timeouts so that the test cannot hang.
 */
Test(scenario, wound_wait_conversion_edge, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WOUND_WAIT);
	lk_res_t r1 = adv(1), r2 = adv(2);
	lk_txn_t *h = begin(m), *q = begin(m), *w = begin(m), *c = begin(m);
	cr_assert_eq(lk_lock(w, &r1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(h, &r2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(c, &r2, LK_IS, 0, 0), LK_OK);
	bg_t bq, bw, bc;
	bg_start(&bq, q, r2, LK_IX, 20 * SEC);
	await_waiting(m, lk_txn_id(q));
	bg_start(&bw, w, r2, LK_U, 3 * SEC);
	await_waiting(m, lk_txn_id(w));
	int rcu = lk_lock(c, &r2, LK_U, 0, 0);
	if (rcu != LK_OK) {
		/* the conversion was not let past W: no young edge was made */
		cr_assert(rcu == LK_WOULDBLOCK || rcu == LK_WOUNDED, "%s", lk_strerror(rcu));
		lk_txn_abort(c);
		lk_txn_commit(h);
		cr_assert_eq(bg_join(&bq, 10 * SEC), LK_OK);
		lk_txn_commit(q);
		cr_assert_eq(bg_join(&bw, 10 * SEC), LK_OK);
		lk_txn_commit(w);
		check_empty(m);
		lk_lockmgr_destroy(m);
		return;
	}
	bg_start(&bc, c, r1, LK_X, 3 * SEC);
	int rcw = bg_join(&bw, 10 * SEC);
	int rcc = bg_join(&bc, 10 * SEC);
	cr_expect(!(rcw == LK_TIMEOUT && rcc == LK_TIMEOUT),
		  "wound-wait deadlocked (both 3 s waits timed out): the "
		  "conversion granted to the younger C past the older waiting W "
		  "made a wait edge old -> young that wounded nobody");
	cr_expect_eq(rcc, LK_WOUNDED, "younger converter C: %s", lk_strerror(rcc));
	lk_txn_abort(c);
	lk_txn_commit(h);
	bg_join(&bq, 10 * SEC);
	lk_txn_abort(q);
	lk_txn_abort(w);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/*
 * Wound-wait, a conversion that QUEUES ahead of an older waiter (TLC's
 * trace for LockTable_asbuilt.cfg at 4 txns, redone with 5 txns so that
 * it needs no race): the converter becomes a blocker of the older waiter
 * behind it; if no age rule is applied when it queues (only when it is
 * granted), the waiter never wounds it, and a cycle closes through a third
 * txn. Ages A < Q < W < B < C.
 *   W: X on r1.  A: S on r2.  B: IS on r2.  C: IS on r2.
 *   Q: IX on r2  (waits for A, older: no wound)
 *   W: S on r2   (waits behind Q's IX, older: no wound)
 *   C: X on r2   (conversion IS -> X, blocked by A and B, older: no wound;
 *                 queued ahead of Q and W, which now wait for C)
 *   B: S on r1   (held X by the older W: B waits)
 * Cycle W -> C -> B -> W. Correct wound-wait: W (older) wounds C.
 */
Test(scenario, wound_wait_conversion_queued_ahead, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_WOUND_WAIT);
	lk_res_t r1 = adv(1), r2 = adv(2);
	lk_txn_t *a = begin(m), *q = begin(m), *w = begin(m), *b = begin(m), *c = begin(m);
	cr_assert_eq(lk_lock(w, &r1, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(a, &r2, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(b, &r2, LK_IS, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(c, &r2, LK_IS, 0, 0), LK_OK);
	bg_t bq, bw, bc, bb;
	bg_start(&bq, q, r2, LK_IX, 3 * SEC);
	await_waiting(m, lk_txn_id(q));
	bg_start(&bw, w, r2, LK_S, 3 * SEC);
	await_waiting(m, lk_txn_id(w));
	bg_start(&bc, c, r2, LK_X, 3 * SEC);
	/* C either queues (the case under test) or is wounded at once */
	uint64_t end = lkt_now_ns() + 10 * SEC;
	while (!snap_waiting(m, lk_txn_id(c)) && !atomic_load(&bc.done)) {
		cr_assert(lkt_now_ns() < end, "C neither waits nor returns");
		lkt_sleep_ms(1);
	}
	bg_start(&bb, b, r1, LK_S, 3 * SEC);
	int rcc = bg_join(&bc, 10 * SEC);
	if (rcc == LK_WOUNDED)
		cr_assert_eq(lk_txn_abort(c), LK_OK); /* lets the others go */
	int rcb = bg_join(&bb, 10 * SEC);
	int rcw = bg_join(&bw, 10 * SEC);
	cr_expect(!(rcw == LK_TIMEOUT && rcc == LK_TIMEOUT && rcb == LK_TIMEOUT),
		  "wound-wait deadlocked (W, C and B all timed out after 3 s): "
		  "C's conversion queued ahead of the older waiter W without "
		  "the age rule");
	cr_expect_eq(rcc, LK_WOUNDED, "youngest converter C: %s", lk_strerror(rcc));
	bg_join(&bq, 10 * SEC);
	lk_txn_abort(a);
	lk_txn_abort(q);
	lk_txn_abort(w);
	lk_txn_abort(b);
	if (rcc != LK_WOUNDED)
		lk_txn_abort(c);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* Escalation: above the threshold of row locks under one table, the txn's
 * table lock becomes S and its row locks go; a conflicting intention lock
 * held by another txn blocks the escalation (never an incompatible grant). */
Test(scenario, escalation_at_threshold, .timeout = 30)
{
	lk_lockmgr_t *m = mkcfg(LK_POLICY_DETECT, 4, 64, 4096);
	lk_res_t tab = lk_res_table(1, 7);
	lk_txn_t *t1 = begin(m);
	for (uint32_t i = 1; i <= 4; i++) {
		lk_res_t row = lk_res_row(1, 7, i, i);
		cr_assert_eq(lk_lock(t1, &row, LK_S, 0, 0), LK_OK);
	}
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.escalations, 0, "escalated at the threshold, not above it");
	cr_assert_eq(lk_held_mode(t1, &tab), LK_IS);
	lk_res_t row5 = lk_res_row(1, 7, 5, 5);
	cr_assert_eq(lk_lock(t1, &row5, LK_S, 0, 0), LK_OK);
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.escalations, 1);
	cr_assert_eq(lk_held_mode(t1, &tab), LK_S);
	lk_res_t row1 = lk_res_row(1, 7, 1, 1);
	cr_assert_eq(lk_held_mode(t1, &row1), -1, "row lock kept after escalation");
	/* another txn may read rows (IS is compatible with S) but not write */
	lk_txn_t *t2 = begin(m);
	cr_assert_eq(lk_lock(t2, &row1, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(t2, &row5, LK_X, 0, 0), LK_WOULDBLOCK);
	size_t g, w;
	check_table(m, lk_modetable_default(), &g, &w);
	cr_assert_eq(w, 0);
	cr_assert_eq(lk_txn_commit(t1), LK_OK);
	cr_assert_eq(lk_txn_commit(t2), LK_OK);
	check_empty(m);

	/* an IX holder on the table: escalation to S must not happen */
	lk_txn_t *w1 = begin(m), *r = begin(m);
	lk_res_t wrow = lk_res_row(1, 7, 100, 100);
	cr_assert_eq(lk_lock(w1, &wrow, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_held_mode(w1, &tab), LK_IX);
	for (uint32_t i = 1; i <= 6; i++) {
		lk_res_t row = lk_res_row(1, 7, i, i);
		cr_assert_eq(lk_lock(r, &row, LK_S, 0, 0), LK_OK);
	}
	cr_assert_eq(lk_held_mode(r, &tab), LK_IS, "escalated past an IX holder");
	check_table(m, lk_modetable_default(), &g, &w);
	cr_assert_eq(w, 0);
	cr_assert_eq(lk_txn_commit(w1), LK_OK);
	cr_assert_eq(lk_txn_commit(r), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* ---- every pair of built-in modes --------------------------------------- */

/* Typed in from the seed notes' matrix (IS IX S SIX X), with U as in SQL
 * Server (U compatible with IS and S, S with U; U not with U). 1 = ok. */
static const int seed_ok[6][6] = {
	/*         IS IX S SIX U X */
	/* IS  */ {1, 1, 1, 1, 1, 0},
	/* IX  */ {1, 1, 0, 0, 0, 0},
	/* S   */ {1, 0, 1, 0, 1, 0},
	/* SIX */ {1, 0, 0, 0, 0, 0},
	/* U   */ {1, 0, 1, 0, 0, 0},
	/* X   */ {0, 0, 0, 0, 0, 0},
};

/* PostgreSQL's table-level conflict table (the manual's "Conflicting Lock
 * Modes"): bit j of pg_conf[i] set when mode i conflicts with mode j.
 * Order: AccessShare RowShare RowExclusive ShareUpdateExclusive Share
 * ShareRowExclusive Exclusive AccessExclusive. */
#define B(x) (1u << (x))
static const unsigned pg_conf[8] = {
	B(7),
	B(6) | B(7),
	B(4) | B(5) | B(6) | B(7),
	B(3) | B(4) | B(5) | B(6) | B(7),
	B(2) | B(3) | B(5) | B(6) | B(7),
	B(2) | B(3) | B(4) | B(5) | B(6) | B(7),
	B(1) | B(2) | B(3) | B(4) | B(5) | B(6) | B(7),
	0xff,
};

/* Holder in mode a, requester in mode b: granted at once iff compatible. */
static void pairs(const lk_modetable_t *mt, int n, bool (*ok)(int, int))
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_NO_WAIT;
	c.max_txns = 8;
	c.max_requests = 256;
	c.modes = mt;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	cr_assert_eq((int)mt->nmodes, n);
	lk_res_t r = adv(9);
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++) {
			cr_assert_eq(!lk_mode_conflicts(mt, a, b), ok(a, b), "table: %s vs %s",
				     mt->names[a], mt->names[b]);
			lk_txn_t *x = begin(m), *y = begin(m);
			cr_assert_eq(lk_lock(x, &r, a, 0, 0), LK_OK);
			int rc = lk_lock(y, &r, b, 0, 0);
			cr_assert_eq(rc, ok(a, b) ? LK_OK : LK_WOULDBLOCK,
				     "held %s, asked %s: %s", mt->names[a], mt->names[b],
				     lk_strerror(rc));
			size_t g, w;
			check_table(m, mt, &g, &w);
			cr_assert_eq(g, ok(a, b) ? 2u : 1u);
			cr_assert_eq(w, 0);
			cr_assert_eq(lk_txn_commit(x), LK_OK);
			cr_assert_eq(lk_txn_commit(y), LK_OK);
		}
	size_t g, w;
	check_table(m, mt, &g, &w);
	cr_assert_eq(g + w, 0);
	lk_lockmgr_destroy(m);
}
static bool seed_pair(int a, int b) { return seed_ok[a][b]; }
static bool pg_pair(int a, int b) { return !((pg_conf[a] >> b) & 1u); }
static bool sx_pair(int a, int b) { return a == LK_SX_S && b == LK_SX_S; }

Test(scenario, every_default_pair_vs_seed_matrix, .timeout = 30)
{
	pairs(lk_modetable_default(), 6, seed_pair);
}
Test(scenario, every_postgres_pair, .timeout = 30)
{
	for (int a = 0; a < 8; a++) /* the copy itself is symmetric */
		for (int b = 0; b < 8; b++)
			cr_assert_eq(pg_pair(a, b), pg_pair(b, a));
	pairs(lk_modetable_postgres(), 8, pg_pair);
}
Test(scenario, every_sx_pair, .timeout = 30)
{
	pairs(lk_modetable_sx(), 2, sx_pair);
}

/* ---- timeouts --------------------------------------------------------------- */

/* A timed-out X leaves the queue so that the S queued behind it (blocked
 * only by the X, under FIFO) is granted; the timed-out txn goes on. */
Test(scenario, timeout_keeps_queue_consistent, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_res_t r = adv(1), other = adv(2);
	lk_txn_t *t1 = begin(m), *t2 = begin(m), *t3 = begin(m);
	cr_assert_eq(lk_lock(t1, &r, LK_S, 0, 0), LK_OK);
	bg_t bx, bs;
	bg_start(&bx, t2, r, LK_X, 300 * MS);
	await_waiting(m, lk_txn_id(t2));
	bg_start(&bs, t3, r, LK_S, 20 * SEC);
	int rc = bg_join(&bx, 10 * SEC);
	cr_assert_eq(rc, LK_TIMEOUT, "%s", lk_strerror(rc));
	cr_assert_geq(bx.took_ns, 300 * MS, "returned before its deadline");
	cr_assert_lt(bx.took_ns, 300 * MS + 2 * SEC, "absurdly late");
	/* the S behind it must not stay stuck */
	cr_assert_eq(bg_join(&bs, 10 * SEC), LK_OK);
	cr_assert(!snap_waiting(m, lk_txn_id(t2)));
	size_t g, w;
	check_table(m, lk_modetable_default(), &g, &w);
	cr_assert_eq(g, 2);
	cr_assert_eq(w, 0);
	/* the txn that timed out continues */
	cr_assert_eq(lk_lock(t2, &other, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(t1), LK_OK);
	cr_assert_eq(lk_txn_commit(t3), LK_OK);
	cr_assert_eq(lk_lock(t2, &r, LK_X, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(t2), LK_OK);
	lk_stats_t st;
	lk_lockmgr_stats(m, &st);
	cr_assert_eq(st.timeouts, 1);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* ---- bad input -------------------------------------------------------------- */

Test(scenario, bad_input_codes, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_res_t r = adv(1), q = adv(2);
	lk_txn_t *t = begin(m);
	cr_assert_eq(lk_lock(t, &r, LK_S, 0, 0), LK_OK);
	/* unknown modes */
	cr_assert_eq(lk_lock(t, &q, 6, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(t, &q, -1, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(t, &q, 1000, 0, 0), LK_INVAL);
	/* NULLs */
	cr_assert_eq(lk_lock(NULL, &q, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_lock(t, NULL, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_unlock(NULL, &r), LK_INVAL);
	cr_assert_eq(lk_txn_commit(NULL), LK_INVAL);
	cr_assert_eq(lk_txn_begin(m, NULL), LK_INVAL);
	cr_assert_eq(lk_txn_id(NULL), 0);
	/* a pointer that is no handle at all */
	static uint64_t junk[64];
	cr_assert_eq(lk_lock((lk_txn_t *)(void *)&junk[8], &q, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_txn_commit((lk_txn_t *)(void *)&junk[8]), LK_INVAL);
	/* not held */
	cr_assert_eq(lk_unlock(t, &q), LK_NOTHELD);
	/* nothing changed by the errors */
	size_t g, w;
	check_table(m, lk_modetable_default(), &g, &w);
	cr_assert_eq(g, 1);
	cr_assert_eq(w, 0);
	cr_assert_eq(lk_held_mode(t, &r), LK_S);
	cr_assert_eq(lk_held_mode(t, &q), -1);
	/* stale handle and double commit */
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_INVAL);
	cr_assert_eq(lk_txn_abort(t), LK_INVAL);
	cr_assert_eq(lk_lock(t, &r, LK_S, 0, 0), LK_INVAL);
	cr_assert_eq(lk_unlock(t, &r), LK_INVAL);
	cr_assert_eq(lk_txn_id(t), 0);
	check_empty(m);
	/* a handle of another manager, after that manager is gone */
	lk_lockmgr_t *m2 = mk(LK_POLICY_DETECT);
	lk_txn_t *f = begin(m2);
	lk_lockmgr_destroy(m2);
	cr_assert_eq(lk_lock(f, &r, LK_S, 0, 0), LK_INVAL);
	check_empty(m);
	/* bad config */
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = 42;
	lk_lockmgr_t *bad = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &bad), LK_INVAL);
	lk_lockmgr_destroy(m);
}

Test(scenario, pool_exhaustion, .timeout = 30)
{
	/* txn slots */
	lk_lockmgr_t *m = mkcfg(LK_POLICY_DETECT, 0, 2, 256);
	lk_txn_t *a = begin(m), *b = begin(m), *c = NULL;
	cr_assert_eq(lk_txn_begin(m, &c), LK_NOMEM);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(lk_txn_begin(m, &c), LK_OK, "slot not reusable after commit");
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	cr_assert_eq(lk_txn_commit(c), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);

	/* requests: lock distinct resources until LK_NOMEM */
	m = mkcfg(LK_POLICY_DETECT, 0, 4, 64);
	lk_txn_t *t = begin(m);
	uint32_t ok = 0;
	int rc = LK_OK;
	for (uint32_t i = 1; i <= 1000 && rc == LK_OK; i++) {
		lk_res_t r = adv(i);
		rc = lk_lock(t, &r, LK_X, 0, 0);
		if (rc == LK_OK)
			ok++;
	}
	cr_assert_eq(rc, LK_NOMEM, "%s", lk_strerror(rc));
	cr_assert_gt(ok, 0);
	cr_assert_leq(ok, 64);
	size_t g, w;
	check_table(m, lk_modetable_default(), &g, &w);
	cr_assert_eq(g, ok, "snapshot shows %zu, granted %u", g, ok);
	cr_assert_eq(w, 0);
	/* the failed call changed nothing; the txn still works and releases all */
	lk_res_t r1 = adv(1);
	cr_assert_eq(lk_held_mode(t, &r1), LK_X);
	cr_assert_eq(lk_unlock(t, &r1), LK_OK);
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	check_empty(m);
	t = begin(m);
	for (uint32_t i = 1; i <= ok; i++) {
		lk_res_t r = adv(5000 + i);
		cr_assert_eq(lk_lock(t, &r, LK_S, 0, 0), LK_OK, "pool not recovered at %u", i);
	}
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* ---- the trace ----------------------------------------------------------------- */

/*
 * The trace of a timeout that lets the queue behind it go: per resource the
 * trace order must be the state-change order (lockmgr.h), so the waiter's
 * TIMEOUT comes before the GRANT it made possible, and the whole history
 * passes the stress checker (verify/stress/history.h).
 */
Test(scenario, trace_timeout_before_the_grant_it_allows, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lkh_hist_t hs;
	cr_assert_eq(lkh_init(&hs, 1024), 0);
	lk_lockmgr_set_trace(m, lkh_record, &hs);
	lk_res_t r = adv(1);
	lk_txn_t *t1 = begin(m), *t2 = begin(m), *t3 = begin(m);
	cr_assert_eq(lk_lock(t1, &r, LK_S, 0, 0), LK_OK);
	bg_t bx, bs;
	bg_start(&bx, t2, r, LK_X, 200 * MS);
	await_waiting(m, lk_txn_id(t2));
	bg_start(&bs, t3, r, LK_S, 20 * SEC); /* behind the X */
	await_waiting(m, lk_txn_id(t3));
	cr_assert_eq(bg_join(&bx, 10 * SEC), LK_TIMEOUT);
	cr_assert_eq(bg_join(&bs, 10 * SEC), LK_OK);
	uint64_t ids[3] = {lk_txn_id(t1), lk_txn_id(t2), lk_txn_id(t3)};
	cr_assert_eq(lk_txn_commit(t1), LK_OK);
	cr_assert_eq(lk_txn_commit(t2), LK_OK);
	cr_assert_eq(lk_txn_commit(t3), LK_OK);
	for (int i = 0; i < 3; i++)
		lkh_end(&hs, ids[i]);
	size_t n = lkh_count(&hs);
	cr_assert(!lkh_overflowed(&hs));
	uint64_t s_timeout = 0, s_grant = 0;
	for (size_t i = 0; i < n; i++) {
		if (hs.ev[i].txn == ids[1] && hs.ev[i].ev == LK_EV_TIMEOUT)
			s_timeout = hs.ev[i].seq;
		if (hs.ev[i].txn == ids[2] && hs.ev[i].ev == LK_EV_GRANT)
			s_grant = hs.ev[i].seq;
	}
	cr_assert(s_timeout && s_grant);
	cr_expect_lt(s_timeout, s_grant,
		     "trace: T3's GRANT (seq %llu) comes before the TIMEOUT of the X "
		     "ahead of it (seq %llu): the waiter's event is emitted after "
		     "the grant pass its cancel ran",
		     (unsigned long long)s_grant, (unsigned long long)s_timeout);
	lkh_result_t res;
	int rc = lkh_check(hs.ev, n, lk_modetable_default(), true, &res);
	cr_expect_eq(rc, 0, "history checker: %s", res.why);
	check_empty(m);
	lk_lockmgr_destroy(m);
	lkh_free(&hs);
}

/* ---- grant passes: who may pass whom (issue 14 mutants) ------------------- */

/* Strict FIFO: a waiter never passes one ahead of it that it conflicts
 * with, also when a release makes it grantable (the grant pass). H1 and H2
 * hold S; W1 waits for X, then W2 for S behind it. H1's commit grants
 * nobody: W1 still conflicts with H2, and W2 with W1 ahead. */
Test(scenario, strict_fifo_grant_pass_keeps_order, .timeout = 30)
{
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT);
	lk_res_t r = adv(41);
	lk_txn_t *h1 = begin(m), *h2 = begin(m), *w1 = begin(m), *w2 = begin(m);
	cr_assert_eq(lk_lock(h1, &r, LK_S, 0, 0), LK_OK);
	cr_assert_eq(lk_lock(h2, &r, LK_S, 0, 0), LK_OK);
	bg_t b1, b2;
	bg_start(&b1, w1, r, LK_X, 20 * SEC);
	await_waiting(m, lk_txn_id(w1));
	bg_start(&b2, w2, r, LK_S, 20 * SEC);
	await_waiting(m, lk_txn_id(w2));
	cr_assert_eq(lk_txn_commit(h1), LK_OK);
	/* the commit's grant pass is over: W2 must still wait behind W1 */
	cr_assert(snap_waiting(m, lk_txn_id(w2)),
		  "strict FIFO: the grant pass let S pass a waiting X ahead");
	cr_assert(snap_waiting(m, lk_txn_id(w1)));
	cr_assert_eq(lk_txn_commit(h2), LK_OK);
	cr_assert_eq(bg_join(&b1, 10 * SEC), LK_OK);
	cr_assert_eq(lk_txn_commit(w1), LK_OK);
	cr_assert_eq(bg_join(&b2, 10 * SEC), LK_OK);
	cr_assert_eq(lk_txn_commit(w2), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}

/* Wait-die without strict FIFO: a grant that passes a waiter makes the
 * waiter wait for the grantee; it dies only if it is the younger. Old O
 * waits for X behind young Y's S (older waits: allowed); younger Z's S
 * passes O. O is older than Z: it keeps waiting, and gets X once Y and Z
 * are gone. */
Test(scenario, wait_die_bypass_kills_only_a_younger_waiter, .timeout = 30)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = LK_POLICY_WAIT_DIE;
	c.fifo_strict = false;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	lk_res_t r = adv(42);
	lk_txn_t *o = begin(m), *y = begin(m), *z = begin(m);
	cr_assert_lt(lk_txn_id(o), lk_txn_id(y));
	cr_assert_lt(lk_txn_id(y), lk_txn_id(z));
	cr_assert_eq(lk_lock(y, &r, LK_S, 0, 0), LK_OK);
	bg_t b;
	bg_start(&b, o, r, LK_X, 20 * SEC);
	await_waiting(m, lk_txn_id(o));
	cr_assert_eq(lk_lock(z, &r, LK_S, 0, 0), LK_OK,
		     "non-strict FIFO: S compatible with the holders waits");
	cr_assert_eq(lk_txn_commit(y), LK_OK);
	/* O now waits for Z alone. A wrong victim mark is signalled at once:
	 * give it 200 ms to show, then O must still be waiting. */
	lkt_sleep_ms(200);
	cr_assert(!atomic_load(&b.done),
		  "wait-die: the older waiter, passed by a younger grant, was "
		  "aborted (%s)", lk_strerror(b.rc));
	cr_assert(snap_waiting(m, lk_txn_id(o)));
	cr_assert_eq(lk_txn_commit(z), LK_OK);
	int rc = bg_join(&b, 10 * SEC);
	cr_assert_eq(rc, LK_OK,
		     "wait-die: the older waiter passed by a younger grant got "
		     "%s", lk_strerror(rc));
	cr_assert_eq(lk_txn_commit(o), LK_OK);
	check_empty(m);
	lk_lockmgr_destroy(m);
}
