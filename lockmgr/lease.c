/*
 * lockmgr/lease.c: leases (SHARED.md "Leases"): renewing one, the lapse
 * (a CAS on the txn's lease word, so that a renew and a lapse never both
 * win), closing it at txn end, and the hand-on: a waiter takes the
 * requests of a lapsed txn off its head, and the grant pass gives the lock
 * to the next with a larger fencing token. Who may touch what: the lapsed
 * txn's own list (tlist) stays its owner's; a revoked request leaves the
 * head's lists only, and pins the head (h->revoked) until its owner's
 * next call that finds it (txn end, a wait) takes it back.
 */
#include "heads_int.h"
#include "lease_int.h"
#include "queue_int.h"

bool lk__lease_lapse(struct lk__txn *t, uint64_t now)
{
	/* acquire: a renew's CAS is a release; pairs so that a lapse is
	 * judged on the latest end */
	uint64_t e = atomic_load_explicit(&t->lease, memory_order_acquire);
	for (;;) {
		if (e == LK__LEASE_LAPSED)
			return true;
		if (e == 0 || e == LK__LEASE_ENDING || now < e)
			return false;
		/* acq_rel: one modification order decides renew vs lapse */
		if (atomic_compare_exchange_weak_explicit(&t->lease, &e, LK__LEASE_LAPSED,
							  memory_order_acq_rel,
							  memory_order_acquire))
			return true;
	}
}

int lk__lease_check(struct lk__txn *t)
{
	return lk__lease_lapse(t, lk__now_ns()) ? LK_LEASE_LAPSED : LK_OK;
}

int lk__lease_close(struct lk__txn *t, bool commit)
{
	uint64_t now = lk__now_ns();
	uint64_t e = atomic_load_explicit(&t->lease, memory_order_acquire);
	for (;;) {
		if (e == LK__LEASE_LAPSED || (e > LK__LEASE_ENDING && now >= e)) {
			if (!lk__lease_lapse(t, now))
				continue; /* not reachable: only the owner renews */
			return commit ? LK_LEASE_LAPSED : LK_OK;
		}
		/* acq_rel: after this no waiter lapses it (its commit point) */
		if (atomic_compare_exchange_weak_explicit(&t->lease, &e, LK__LEASE_ENDING,
							  memory_order_acq_rel,
							  memory_order_acquire))
			return LK_OK;
	}
}

/* A lease_ns that is a duration: 1 .. INT64_MAX (a negative one cast to
 * uint64_t is above) */
static bool lease_ns_ok(uint64_t ns)
{
	return ns > 0 && ns <= (uint64_t)INT64_MAX;
}

int lk_lease_renew(lk_txn_t *txn, uint64_t lease_ns)
{
	struct lk__txn *t = txn_get(txn);
	if (!t || !lease_ns_ok(lease_ns) ||
	    !(atomic_load_explicit(&t->flags, memory_order_relaxed) & LK__T_LEASED))
		return LK_INVAL;
	uint64_t now = lk__now_ns();
	uint64_t e = atomic_load_explicit(&t->lease, memory_order_acquire);
	for (;;) {
		if (e == LK__LEASE_LAPSED || now >= e)
			return lk__lease_lapse(t, now) ? LK_LEASE_LAPSED : LK_INVAL;
		uint64_t end = now + lease_ns < now ? UINT64_MAX : now + lease_ns;
		/* release: pairs with a waiter's acquire in lk__lease_lapse */
		if (atomic_compare_exchange_weak_explicit(&t->lease, &e, end,
							  memory_order_acq_rel,
							  memory_order_acquire))
			return LK_OK;
	}
}

void lk__lease_enable(lk_lockmgr_t *m)
{
	uint32_t off = 0;
	/* seq_cst: see lease_on() */
	if (atomic_load_explicit(&m->lease_on, memory_order_relaxed) ||
	    !atomic_compare_exchange_strong_explicit(&m->lease_on, &off, 1,
						     memory_order_seq_cst,
						     memory_order_relaxed))
		return;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		if (atomic_load_explicit(&t->wait_req, memory_order_seq_cst))
			txn_signal(t); /* it looks again (a spurious wake) */
	}
}

/* The earlier of a and b, 0 meaning none. */
static uint64_t earlier(uint64_t a, uint64_t b)
{
	return !a || (b && b < a) ? b : a;
}

/* o's request q stops waiting (h latched): as a grant does, it is told */
static void stop_wait(struct lk__head *h, struct lk__txn *o)
{
	/* seq_cst: as every wait_req store (README, Deadlocks) */
	atomic_store_explicit(&o->wait_req, 0, memory_order_seq_cst);
	txn_signal_latched(h, o);
}

/* Take request p of lapsed txn o off h (latched). */
static void take_off(lk_lockmgr_t *m, struct lk__txn *o, struct lk__head *h,
		   uint32_t p)
{
	struct lk__req *q = &m->reqs[p];
	if (q->status == LK__R_WAITING) {
		EMIT(m, o, h, LK_EV_VICTIM, q->want, NONE, LK_LEASE_LAPSED, true, 0);
		list_del(m, &h->qhead, &h->qtail, p);
		stop_wait(h, o);
	} else {
		if (q->status == LK__R_CONVERTING) {
			EMIT(m, o, h, LK_EV_VICTIM, q->want, q->mode, LK_LEASE_LAPSED,
			     true, 0);
			h->nconv--;
			q->want = q->mode;
			stop_wait(h, o);
		}
		list_del(m, &h->holders, NULL, p);
		count_del(h, q->mode);
		EMIT(m, o, h, LK_EV_RELEASE, q->mode, q->mode, LK_LEASE_LAPSED, false, 0);
	}
	/* atomic: its owner may read it unlatched (req_status_own) */
	__atomic_store_n(&q->status, (uint8_t)LK__R_REVOKED, __ATOMIC_RELAXED);
	h->revoked++;
}

/* One list of h (holders or queue): revoke what lapsed, and fold the
 * running leases' ends into *next. */
static uint32_t hand_on_list(lk_lockmgr_t *m, struct lk__txn *self,
			     struct lk__head *h, uint32_t first, uint64_t now,
			     uint64_t *next)
{
	uint32_t n = 0;
	for (uint32_t p = first, nx; p; p = nx) {
		nx = m->reqs[p].rnext;
		struct lk__txn *o = txn_at(m, m->reqs[p].txn);
		if (o == self)
			continue;
		if (lk__lease_lapse(o, now)) {
			take_off(m, o, h, p);
			n++;
			continue;
		}
		uint64_t e = atomic_load_explicit(&o->lease, memory_order_relaxed);
		if (e > LK__LEASE_ENDING)
			*next = earlier(*next, e);
	}
	return n;
}

uint64_t lk__lease_hand_on(lk_lockmgr_t *m, struct lk__txn *self,
			   struct lk__head *h, uint64_t now, uint32_t *revoked)
{
	uint64_t next = now + LK__LEASE_POLL_NS;
	uint32_t n = hand_on_list(m, self, h, h->holders, now, &next);
	n += hand_on_list(m, self, h, h->qhead, now, &next);
	uint64_t e = atomic_load_explicit(&self->lease, memory_order_relaxed);
	if (e > LK__LEASE_ENDING)
		next = earlier(next, e);
	if (n && (h->qhead || h->nconv))
		lk__grant_pass(m, h);
	*revoked = n;
	return next;
}
