/*
 * lockmgr/lease_int.h: leases (lease.c; SHARED.md "Leases"): the lease
 * word's states, the lapse check the calls make, and what a waiter does
 * about a holder whose lease ran out.
 */
#ifndef LATCHKIT_LOCKMGR_LEASE_INT_H
#define LATCHKIT_LOCKMGR_LEASE_INT_H

#include "lockmgr_int.h"

/* t->lease: 0 none, else one of these, else the lease's end (ns) */
#define LK__LEASE_LAPSED 1u
#define LK__LEASE_ENDING 2u
/* A waiter in a table with leases rereads its head this often, for a
 * holder with a lease that it did not see when it began to wait. */
#define LK__LEASE_POLL_NS 10000000u
/* lock_one's retry: the wait freed lapsed requests, judge afresh */
#define LK__LEASE_AGAIN (-3)

/* true if t's lease has run out; the first to see it past its end makes
 * it lapsed for good (a CAS, so a renew in between wins instead) */
LK__HIDDEN bool lk__lease_lapse(struct lk__txn *t, uint64_t now);
/* LK_LEASE_LAPSED or LK_OK, for a call of a txn with a lease */
LK__HIDDEN int lk__lease_check(struct lk__txn *t);
/* Txn end: commit of a lapsed txn is LK_LEASE_LAPSED (nothing changed);
 * otherwise LK_OK, and a running lease is closed (no lapse from now). */
LK__HIDDEN int lk__lease_close(struct lk__txn *t, bool commit);
/* h latched, self waits (or is about to) on h: every request on h of a
 * txn whose lease ran out is taken from it (*revoked: how many), the
 * waiters granted. Returns when self must look again: the earliest end
 * of a lease on h still running (self's own too), capped at
 * now + LK__LEASE_POLL_NS. */
LK__HIDDEN uint64_t lk__lease_hand_on(lk_lockmgr_t *m, struct lk__txn *self,
				      struct lk__head *h, uint64_t now,
				      uint32_t *revoked);

/* The table's first lease: lease_on is set, and every txn already
 * waiting is woken to look for leases from now on (lk_txn_begin_lease). */
LK__HIDDEN void lk__lease_enable(lk_lockmgr_t *m);

static inline bool lease_on(lk_lockmgr_t *m)
{
	/* seq_cst: a waiter publishes its wait_req, then reads this; the
	 * first lease sets it, then reads every wait_req (lk__lease_enable):
	 * one of the two sees the other (a plain load on x86) */
	return atomic_load_explicit(&m->lease_on, memory_order_seq_cst) != 0;
}

#endif
