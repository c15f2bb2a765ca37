/*
 * The history checker of verify/stress/history.h on hand-made histories:
 * good ones (group grant, conversion ahead of the queue, timeout, victims,
 * wound of a running holder, escalation) are accepted; each corruption (an
 * incompatible grant, a grant past a queued conflicting request, a wait
 * that never ends, a lock that outlives its txn, a release of what is not
 * held, a grant without a request, a repeated sequence number, escalation
 * or conversion to a conflicting mode, a request that disagrees about the
 * held mode) is rejected with the matching reason.
 */
#include "harness.h"

#include "../verify/stress/history.h"

#define MAXEV 64
typedef struct {
	lkh_ev_t ev[MAXEV];
	size_t n;
	uint64_t seq;
} hb_t;

static const lk_res_t RA = {LK_RES_ADVISORY, {1, 0, 0, 0}};
static const lk_res_t RT = {LK_RES_TABLE, {1, 7, 0, 0}};

static void add(hb_t *h, lk_res_t r, uint64_t txn, int ev, int mode, int prev)
{
	cr_assert_lt(h->n, MAXEV);
	lkh_ev_t *e = &h->ev[h->n++];
	memset(e, 0, sizeof(*e));
	e->seq = ++h->seq;
	e->txn = txn;
	e->res = r;
	e->ev = (int8_t)ev;
	e->mode = (int8_t)mode;
	e->prev = (int8_t)prev;
	e->waiting = ev == LK_EV_VICTIM;
}
static void end(hb_t *h, uint64_t txn)
{
	add(h, RA, txn, LKH_END, -1, -1);
	h->ev[h->n - 1].seq = 1000000 + txn;
}
/* a new request granted on arrival / queued */
static void get(hb_t *h, lk_res_t r, uint64_t t, int m)
{
	add(h, r, t, LK_EV_REQUEST, m, -1);
	add(h, r, t, LK_EV_GRANT, m, -1);
}
static void wait_(hb_t *h, lk_res_t r, uint64_t t, int m)
{
	add(h, r, t, LK_EV_REQUEST, m, -1);
	add(h, r, t, LK_EV_WAIT, m, -1);
}
static void rel(hb_t *h, lk_res_t r, uint64_t t, int m) { add(h, r, t, LK_EV_RELEASE, m, m); }

/* Runs the checker on a reversed copy (it must sort by seq itself). */
static int run(hb_t *h, bool strict, lkh_result_t *r)
{
	lkh_ev_t tmp[MAXEV];
	for (size_t i = 0; i < h->n; i++)
		tmp[i] = h->ev[h->n - 1 - i];
	return lkh_check(tmp, h->n, lk_modetable_default(), strict, r);
}
static void accept(hb_t *h)
{
	lkh_result_t r;
	int rc = run(h, true, &r);
	cr_assert_eq(rc, 0, "good history rejected: %s", r.why);
}
static void reject(hb_t *h, const char *why)
{
	lkh_result_t r;
	cr_assert_eq(run(h, true, &r), -1, "corrupt history accepted (want: %s)", why);
	cr_assert(strstr(r.why, why) != NULL, "rejected for \"%s\", want \"%s\"", r.why, why);
}

/* ---- good histories ------------------------------------------------------- */

Test(history, good_group_grant, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_X);
	wait_(&h, RA, 2, LK_S);
	wait_(&h, RA, 3, LK_S);
	wait_(&h, RA, 4, LK_X);
	rel(&h, RA, 1, LK_X);
	add(&h, RA, 2, LK_EV_GRANT, LK_S, -1); /* both S at once */
	add(&h, RA, 3, LK_EV_GRANT, LK_S, -1);
	get(&h, RT, 5, LK_IS); /* another resource, independent */
	rel(&h, RA, 2, LK_S);
	rel(&h, RA, 3, LK_S);
	add(&h, RA, 4, LK_EV_GRANT, LK_X, -1);
	rel(&h, RA, 4, LK_X);
	rel(&h, RT, 5, LK_IS);
	for (uint64_t t = 1; t <= 5; t++)
		end(&h, t);
	accept(&h);
	lkh_result_t r;
	cr_assert_eq(run(&h, true, &r), 0);
	cr_assert_eq(r.grants, 5);
	cr_assert_eq(r.waits, 3);
	cr_assert_eq(r.ends, 5);
}

Test(history, good_conversion_ahead_of_queue, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	get(&h, RA, 2, LK_S);
	wait_(&h, RA, 3, LK_X);                /* new request queued */
	add(&h, RA, 1, LK_EV_REQUEST, LK_X, LK_S); /* conversion S -> X */
	add(&h, RA, 1, LK_EV_WAIT, LK_X, LK_S);
	rel(&h, RA, 2, LK_S);
	add(&h, RA, 1, LK_EV_CONVERT, LK_X, LK_S); /* passes 3's X: allowed */
	rel(&h, RA, 1, LK_X);
	add(&h, RA, 3, LK_EV_GRANT, LK_X, -1);
	add(&h, RA, 3, LK_EV_REQUEST, LK_S, LK_X); /* no-op relock */
	add(&h, RA, 3, LK_EV_GRANT, LK_X, LK_X);
	rel(&h, RA, 3, LK_X);
	end(&h, 1);
	end(&h, 2);
	end(&h, 3);
	accept(&h);
}

Test(history, good_timeout_victims_wound_escalation, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_X);
	wait_(&h, RA, 2, LK_S);
	add(&h, RA, 2, LK_EV_TIMEOUT, LK_S, -1);
	wait_(&h, RA, 3, LK_S);
	add(&h, RA, 3, LK_EV_VICTIM, LK_S, -1); /* died / victim while waiting */
	add(&h, RA, 4, LK_EV_REQUEST, LK_S, -1);
	add(&h, RA, 4, LK_EV_TIMEOUT, LK_S, -1); /* would block */
	lkh_ev_t *w = &h.ev[h.n];
	add(&h, RA, 1, LK_EV_VICTIM, -1, -1); /* wound of the running holder */
	w->waiting = false;
	rel(&h, RA, 1, LK_X);
	/* escalation: IS table -> S, compatible with another IS */
	get(&h, RT, 5, LK_IS);
	get(&h, RT, 6, LK_IS);
	add(&h, RT, 5, LK_EV_ESCALATE, LK_S, LK_IS);
	rel(&h, RT, 5, LK_S);
	rel(&h, RT, 6, LK_IS);
	for (uint64_t t = 1; t <= 6; t++)
		end(&h, t);
	accept(&h);
}

Test(history, nonstrict_allows_passing, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	wait_(&h, RA, 2, LK_X);
	get(&h, RA, 3, LK_S); /* passes the queued X */
	rel(&h, RA, 1, LK_S);
	rel(&h, RA, 3, LK_S);
	add(&h, RA, 2, LK_EV_GRANT, LK_X, -1);
	rel(&h, RA, 2, LK_X);
	end(&h, 1);
	end(&h, 2);
	end(&h, 3);
	lkh_result_t r;
	cr_assert_eq(run(&h, false, &r), 0, "%s", r.why);
	reject(&h, "FIFO"); /* and under fifo_strict it is a violation */
}

/* ---- corruptions ------------------------------------------------------------ */

Test(history, bad_incompatible_grant, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_X);
	get(&h, RA, 2, LK_S);
	reject(&h, "while txn 1 holds X");
}

Test(history, bad_grant_past_queued_on_arrival, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	wait_(&h, RA, 2, LK_X);
	get(&h, RA, 3, LK_IS); /* compatible with the S held, not the X queued */
	reject(&h, "FIFO: granted IS past txn 2");
}

Test(history, bad_grant_pass_skips_queued, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_X);
	wait_(&h, RA, 2, LK_X);
	wait_(&h, RA, 3, LK_S);
	rel(&h, RA, 1, LK_X);
	add(&h, RA, 3, LK_EV_GRANT, LK_S, -1); /* 2's X is ahead and waits */
	reject(&h, "FIFO: granted S past txn 2");
}

Test(history, bad_grant_past_waiting_conversion, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	get(&h, RA, 2, LK_S);
	add(&h, RA, 1, LK_EV_REQUEST, LK_X, LK_S);
	add(&h, RA, 1, LK_EV_WAIT, LK_X, LK_S);
	get(&h, RA, 3, LK_S); /* compatible with the holders, not with 1's X */
	reject(&h, "FIFO");
}

Test(history, bad_wait_never_ends, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_X);
	wait_(&h, RA, 2, LK_S);
	rel(&h, RA, 1, LK_X);
	end(&h, 1);
	reject(&h, "still waits");
}

Test(history, bad_lock_outlives_txn, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	end(&h, 1);
	reject(&h, "txn ended but still holds");
}

Test(history, bad_release_not_held, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	rel(&h, RA, 1, LK_X);
	reject(&h, "RELEASE of 5");
}

Test(history, bad_grant_without_request, .timeout = 30)
{
	hb_t h = {0};
	add(&h, RA, 1, LK_EV_GRANT, LK_S, -1);
	reject(&h, "GRANT without an open request");
}

Test(history, bad_repeated_seq, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	get(&h, RA, 2, LK_S);
	h.ev[3].seq = h.ev[2].seq;
	reject(&h, "repeated");
}

Test(history, bad_escalation_conflict, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RT, 1, LK_IS);
	get(&h, RT, 2, LK_IX);
	add(&h, RT, 1, LK_EV_ESCALATE, LK_S, LK_IS); /* S vs IX */
	reject(&h, "granted S while txn 2 holds IX");
}

Test(history, bad_conversion_conflict, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	get(&h, RA, 2, LK_S);
	add(&h, RA, 1, LK_EV_REQUEST, LK_X, LK_S);
	add(&h, RA, 1, LK_EV_CONVERT, LK_X, LK_S);
	reject(&h, "granted X while txn 2 holds S");
}

Test(history, bad_request_disagrees_on_held, .timeout = 30)
{
	hb_t h = {0};
	get(&h, RA, 1, LK_S);
	add(&h, RA, 1, LK_EV_REQUEST, LK_X, LK_IS);
	reject(&h, "REQUEST says held");
}

Test(history, bad_unknown_event_or_mode, .timeout = 30)
{
	hb_t h = {0};
	add(&h, RA, 1, LK_EV_REQUEST, 9, -1);
	reject(&h, "unknown mode");
	hb_t g = {0};
	add(&g, RA, 1, 42, LK_S, -1);
	reject(&g, "unknown event");
}

/* The recorder: slots are unique and overflow is reported, not written. */
Test(history, recorder_overflow, .timeout = 30)
{
	lkh_hist_t hs;
	cr_assert_eq(lkh_init(&hs, 4), 0);
	lk_trace_t t;
	memset(&t, 0, sizeof t);
	t.res = RA;
	t.mode = LK_S;
	t.prev_mode = -1;
	for (int i = 0; i < 4; i++) {
		t.seq = (uint64_t)i + 1;
		t.txn_id = 1;
		t.event = i % 2 ? LK_EV_GRANT : LK_EV_REQUEST;
		lkh_record(&hs, &t);
	}
	cr_assert(!lkh_overflowed(&hs));
	cr_assert_eq(hs.ev[3].seq, 4);
	lkh_record(&hs, &t);
	cr_assert(lkh_overflowed(&hs));
	lkh_free(&hs);
}
