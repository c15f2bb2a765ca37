/*
 * lockmgr/wait.c: a request that cannot be granted at once: the policy's
 * verdict (no-wait, wait-die, wound-wait, detect), queueing, publishing
 * the wait, spinning then parking (README "Waiting"), and cancelling it on
 * a timeout or as a victim; and the hand-off a txn's end makes after it
 * granted a parked waiter.
 */
#include "heads_int.h"
#include "lease_int.h"
#include "queue_int.h"

#include <sched.h>

struct age_ctx {
	lk_lockmgr_t *m;
	uint64_t my_id;
	bool older_seen;   /* a blocker older than me */
	struct lk__txn *me;
	struct lk__head *h;
};

static void age_check(void *c, uint32_t tidx)
{
	struct age_ctx *a = (struct age_ctx *)c;
	struct lk__txn *b = txn_at(a->m, tidx);
	uint64_t id = atomic_load_explicit(&b->id, memory_order_relaxed);
	if (id < a->my_id)
		a->older_seen = true;
}

static void age_wound(void *c, uint32_t tidx)
{
	struct age_ctx *a = (struct age_ctx *)c;
	struct lk__txn *b = txn_at(a->m, tidx);
	uint64_t id = atomic_load_explicit(&b->id, memory_order_relaxed);
	if (id > a->my_id)
		lk__wound(a->m, a->me, b, a->h);
}

/* Eager detection's filter: does one of the txns a new wait waits for
 * wait itself? If none does, the new wait closes no cycle now, and a cycle
 * it later joins is closed by another txn starting to wait, which then sees
 * its successor in the cycle waiting. seq_cst: each waiter stores its
 * wait_req, then loads its blockers'; of two waits in one cycle the later
 * one in that order sees the earlier (README, Deadlocks). */
struct waits_ctx {
	lk_lockmgr_t *m;
	bool any;
};

static void blocker_waits(void *c, uint32_t tidx)
{
	struct waits_ctx *x = (struct waits_ctx *)c;
	if (atomic_load_explicit(&txn_at(x->m, tidx)->wait_req, memory_order_seq_cst))
		x->any = true;
}

/* Grant order LDSF's weights (README "Grant order"): a wait adds
 * 1 + its own txn's weight to each holder it waits for when it begins (up
 * to LK__DEP_MAX of them) and takes the same back when it ends, whatever
 * the order is by then. Holders only: a request queued ahead is not
 * waited for under LDSF unless pinned, and crediting it would hand the
 * waiters behind it their own weight. relaxed: a weight is a hint for the
 * grant pass; the RMWs keep the sums exact. */
#define LK__DEP_MAX 4
#define LK__DEP_CAP (1u << 20)
struct dep_ctx {
	uint32_t n, w;
	uint32_t to[LK__DEP_MAX];
};

static void dep_begin(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
		      uint32_t ri, struct dep_ctx *d)
{
	const struct lk__req *q = &m->reqs[ri];
	uint16_t c = m->mt.conflicts[q->want];
	for (uint32_t p = h->holders; p && d->n < LK__DEP_MAX;
	     p = m->reqs[p].rnext) {
		const struct lk__req *o = &m->reqs[p];
		if (p != ri && (((c >> o->mode) & 1u) ||
				(o->status == LK__R_CONVERTING &&
				 ((c >> o->want) & 1u))))
			d->to[d->n++] = o->txn;
	}
	uint32_t own = atomic_load_explicit(&t->dep, memory_order_relaxed);
	d->w = 1 + (own < LK__DEP_CAP ? own : LK__DEP_CAP);
	for (uint32_t i = 0; i < d->n; i++) {
		LK__RMW_SHARED();
		atomic_fetch_add_explicit(&txn_at(m, d->to[i])->dep, d->w,
					  memory_order_relaxed);
	}
}

static void dep_end(lk_lockmgr_t *m, const struct dep_ctx *d)
{
	for (uint32_t i = 0; i < d->n; i++) {
		LK__RMW_SHARED();
		atomic_fetch_sub_explicit(&txn_at(m, d->to[i])->dep, d->w,
					  memory_order_relaxed);
	}
}

/* Undo a wait (h latched): remove a queued request or cancel a conversion. */
static void wait_cancel(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
			uint32_t ri, bool is_new)
{
	struct lk__req *q = &m->reqs[ri];
	if (is_new) {
		list_del(m, &h->qhead, &h->qtail, ri);
	} else {
		q->status = LK__R_GRANTED;
		q->want = q->mode;
		h->nconv--;
	}
	atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
	if (h->qhead || h->nconv)
		lk__grant_pass(m, h);
	if (h->woken) /* granted a parked waiter: t's end hands off */
		t->handoff = 1;
}

/* lock_one's tail when the request cannot be granted at once (h latched):
 * the policy decides, then it queues and waits. Out of line: the fast
 * path stays small. */
/* The earliest of the deadlines that are set (0: not set); l: the next
 * look for a lapsed lease (lease.c). */
static uint64_t wait_deadline(uint64_t a, uint64_t b, uint64_t c, uint64_t l)
{
	uint64_t d = a;
	if (b && (!d || b < d))
		d = b;
	if (c && (!d || c < d))
		d = c;
	if (l && (!d || l < d))
		d = l;
	return d;
}

/* The hand-off (README "Waiting"): a txn end that granted a lock to a
 * parked waiter (or woke one to die) gives its CPU away once, after it
 * has released everything. The grantee now holds the lock and others
 * queue behind it; with more threads than cores it would otherwise wait
 * for a CPU while this thread, holding nothing, starts new work. One
 * call, never a loop; with a CPU to spare it returns at once. */
void lk__handoff(void)
{
	sched_yield();
}

/* A wait on the txn's wake word: shared futexes on a shared table, whose
 * wakers stamp the segment for its park-cost sample (lk__lm_wake). */
static lk__wait_t wait_begin(lk_lockmgr_t *m, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	w.shared = m->shm != NULL;
	w.stamp = w.shared ? lk__lm_wake_stamp(m) : NULL;
	return w;
}

int
lk__lock_wait(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h, uint32_t hi,
	  uint32_t ri, bool is_new, unsigned target, bool nowait,
	  uint64_t deadline, uint64_t *token, uint32_t *rq, unsigned *got,
	  uint64_t bit)
{
	struct lk__req *q = &m->reqs[ri];
	int pol = m->cfg.policy;
	int fail = LK_OK;
	uint32_t freed = 0;
	/* a holder whose lease ran out goes first (lease.c); then the call
	 * judges again, as if it had released */
	if (lk__unlikely(lease_on(m)) &&
	    (lk__lease_hand_on(m, t, h, lk__now_ns(), &freed), freed)) {
		if (!is_new)
			q->want = q->mode;
		head_unlatch(h);
		if (is_new)
			req_cache(m, t, ri);
		return LK__LEASE_AGAIN;
	}
	if (nowait || pol == LK_POLICY_NO_WAIT) {
		fail = LK_WOULDBLOCK;
	} else if (pol == LK_POLICY_WAIT_DIE) {
		/* put it in place to see who it would wait for */
		struct age_ctx a = {m, atomic_load_explicit(&t->id, memory_order_relaxed),
				    false, t, h};
		if (is_new)
			queue_append(m, h, ri);
		else
			q->status = LK__R_CONVERTING;
		lk__blockers(m, h, ri, age_check, &a);
		if (is_new)
			list_del(m, &h->qhead, &h->qtail, ri);
		else
			q->status = LK__R_GRANTED;
		if (a.older_seen)
			fail = LK_DEADLOCK;
	}
	if (fail != LK_OK) {
		if (fail == LK_WOULDBLOCK)
			EMIT(m, t, h, LK_EV_TIMEOUT, target, is_new ? NONE : q->mode,
			     LK_WOULDBLOCK, false, 0);
		else
			EMIT(m, t, h, LK_EV_VICTIM, target, is_new ? NONE : q->mode,
			     LK_DEADLOCK, true, 0);
		if (!is_new)
			q->want = q->mode;
		head_unlatch(h);
		if (is_new)
			req_cache(m, t, ri);
		st_inc(t, fail == LK_WOULDBLOCK ? LK__ST_WOULDBLOCKS : LK__ST_DEADLOCKS);
		return fail;
	}
	if (is_new) {
		queue_append(m, h, ri);
		t->bypassed = 0; /* LDSF: passed so far (under h's latch) */
		t->ldsf_seen = 0;
		t->bloom |= bit;
		tlist_add(m, t, ri); /* so that abort finds it even mid-wait */
	} else {
		q->status = LK__R_CONVERTING;
		h->nconv++;
	}
	EMIT(m, t, h, LK_EV_WAIT, target, is_new ? NONE : q->mode, LK_OK, false, 0);
	if (pol == LK_POLICY_WOUND_WAIT) {
		struct age_ctx a = {m, atomic_load_explicit(&t->id, memory_order_relaxed),
				    false, t, h};
		lk__blockers(m, h, ri, age_wound, &a);
	}
	/* a conversion queues ahead of every new request: the conflicting
	 * ones now wait for it too (lk__blockers()), so the age rule applies to
	 * those edges when it queues, not only when it is granted */
	if (!is_new && h->qhead)
		lk__bypass_edges(m, t, h, ri, target, false);
	/* publish the wait; seq_cst: the detector and wounders (README) */
	LK__RMW_SHARED(); /* our own wake word, but granters write it */
	atomic_exchange_explicit(&t->wake, 0, memory_order_seq_cst);
	uint32_t seq = atomic_load_explicit(&t->wait_seq, memory_order_relaxed) + 1;
	atomic_store_explicit(&t->wait_seq, seq, memory_order_seq_cst);
	atomic_store_explicit(&t->wait_head, hi, memory_order_seq_cst);
	atomic_store_explicit(&t->wait_req, ri, memory_order_seq_cst);
	uint64_t now = lk__now_ns();
	atomic_store_explicit(&t->wait_start, now, memory_order_relaxed);
	st_inc(t, LK__ST_WAITED);
	bool wounded_now = (atomic_load_explicit(&t->flags, memory_order_seq_cst) &
			    LK__T_WOUNDED) != 0;
	bool det_on = pol == LK_POLICY_DETECT;
	/* a new request of a txn that holds nothing else needs no search:
	 * only requests queued after it can wait for it, and the later of
	 * two waits is the one that searches (README, Deadlocks). Fast-path
	 * records are held too (nlocks does not count them, nor a record a
	 * strong locker moved and t has not adopted yet): with one, search */
	struct waits_ctx wc = {m, false};
	if (det_on && m->cfg.deadlock_timeout_ns == 0 &&
	    (!is_new || atomic_load_explicit(&t->nlocks, memory_order_relaxed) > 1 ||
	     t->fp_used != 0))
		lk__blockers(m, h, ri, blocker_waits, &wc);
	/* the spin budget (README, Waiting): none when a txn we wait for
	 * waits itself, since it cannot release before it runs again */
	struct waits_ctx sc = wc;
	if (!sc.any)
		lk__blockers(m, h, ri, blocker_waits, &sc);
	uint64_t spin_ns = sc.any ? 0 : lk__park_cost_ns();
	struct dep_ctx dc = {0, 0, {0}};
	/* relaxed: a setting (lk_lockmgr_set_grant_order) */
	if (atomic_load_explicit(&m->grant_order, memory_order_relaxed) ==
	    LK_GRANT_LDSF)
		dep_begin(m, t, h, ri, &dc);
	/* leases: look again when the first one on h (ours too) may end */
	uint64_t lease_at = lease_on(m) ? lk__lease_hand_on(m, t, h, now, &freed) : 0;
	head_unlatch(h);
	/* a chained wait closes the admission gate until it ends (admit.c) */
	bool chained = sc.any && lk__admit_enter(m, t->proc);

	/* DETECT: search once after deadlock_timeout (0: now), then again
	 * with doubling gaps as a backstop (a search whose cycle could not be
	 * verified because its members moved is thus repeated) */
	uint64_t det_gap = m->cfg.deadlock_timeout_ns ? m->cfg.deadlock_timeout_ns
						      : 50000000u;
	uint64_t det_at = now + m->cfg.deadlock_timeout_ns;
	if (det_on && m->cfg.deadlock_timeout_ns == 0) {
		if (wc.any && lk__detect(m, t))
			wounded_now = true; /* victim: go check at once */
		det_at = now + det_gap;
	}
	/* a shared table: look for dead processes every LK__SHM_POLL_NS
	 * (the holder we wait for may be one; SHARED.md) */
	uint64_t poll_at = m->shm ? now + LK__SHM_POLL_NS : 0;
	uint64_t wdl = wait_deadline(deadline, det_on ? det_at : 0, poll_at, lease_at);
	lk__wait_t w = wait_begin(m, wdl);
	w.spin_ns = spin_ns;
	bool check = wounded_now, timed_out = false;
	for (;;) {
		uint32_t v = atomic_load_explicit(&t->wake, memory_order_acquire);
		if (v == 3) {
			/* nudged: next in line, spin again (the grant comes
			 * when its holder ends); a signal (1) that replaced
			 * the nudge fails the CAS and is read next round */
			uint32_t nudge = 3;
			LK__RMW_SHARED();
			if (atomic_compare_exchange_strong_explicit(
				    &t->wake, &nudge, 0, memory_order_relaxed,
				    memory_order_relaxed))
				w = wait_begin(m, wdl);
			continue;
		}
		if (v == 1 || check) {
			/* check under the latch what happened */
			check = false;
			head_latch(m, h, lk__own(t));
			LK__RMW_SHARED();
			atomic_exchange_explicit(&t->wake, 0, memory_order_seq_cst);
			uint32_t fl = atomic_load_explicit(&t->flags, memory_order_seq_cst);
			bool victim = atomic_load_explicit(&t->victim_of,
							   memory_order_seq_cst) == seq;
			if (q->status == LK__R_GRANTED && q->mode == target) {
				atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
				head_unlatch(h);
				dep_end(m, &dc);
				break;
			}
			if (lk__unlikely(q->status == LK__R_REVOKED)) {
				/* our lease lapsed and a waiter took the request
				 * (lease.c, its events too): we unpin h
				 * (TAKEN first: a recovery unpins once) */
				q->status = LK__R_TAKEN;
				LK__KILL_ORDER();
				h->revoked--;
				head_unlatch(h);
				dep_end(m, &dc);
				tlist_del(m, t, ri);
				req_cache(m, t, ri);
				if (chained)
					lk__admit_leave(m, t->proc);
				return LK_LEASE_LAPSED;
			}
			int rc = victim ? LK_DEADLOCK
				 : (fl & LK__T_WOUNDED) ? LK_WOUNDED
				 : ((fl & LK__T_LEASED) && lk__lease_check(t) != LK_OK)
					 ? LK_LEASE_LAPSED
				 : (timed_out || (deadline && lk__now_ns() >= deadline))
					 ? LK_TIMEOUT
					 : LK_OK;
			if (rc == LK_OK) { /* spurious */
				if (lk__unlikely(!lease_at && lease_on(m))) {
					/* the table's first lease began: look */
					lease_at = lk__lease_hand_on(m, t, h, lk__now_ns(),
								     &freed);
					wdl = wait_deadline(deadline, det_on ? det_at : 0,
							    poll_at, lease_at);
					w = wait_begin(m, wdl);
				}
				head_unlatch(h);
				continue;
			}
			unsigned prev = is_new ? NONE : q->mode;
			/* the event first: the grants the cancel lets through
			 * come after it in the resource's order */
			if (rc == LK_TIMEOUT)
				EMIT(m, t, h, LK_EV_TIMEOUT, target, prev, rc, false, 0);
			else
				EMIT(m, t, h, LK_EV_VICTIM, target, prev, rc, true, 0);
			wait_cancel(m, t, h, ri, is_new);
			head_unlatch(h);
			dep_end(m, &dc);
			if (is_new) {
				tlist_del(m, t, ri);
				req_cache(m, t, ri);
			}
			if (rc == LK_TIMEOUT)
				st_inc(t, LK__ST_TIMEOUTS);
			else if (rc == LK_DEADLOCK)
				st_inc(t, LK__ST_DEADLOCKS);
			if (chained)
				lk__admit_leave(m, t->proc);
			return rc;
		}
		if (lk__wait_would_park(&w) && v == 0) {
			uint32_t z = 0;
			LK__RMW_SHARED();
			/* relaxed: the futex syscall orders the sleep itself */
			if (!atomic_compare_exchange_strong_explicit(
				    &t->wake, &z, 2, memory_order_relaxed,
				    memory_order_relaxed))
				continue;
			v = 2;
		}
		/* a shared table: no pool entry of ours moves while we wait,
		 * so the wait is out of the call's pool section, and so is a
		 * recovery, which may stop the pool (SHARED.md "The pool stop") */
		if (m->shm)
			sec_leave(m, t);
		bool waited = lk__wait(&w, &t->wake, v);
		if (!waited && poll_at) {
			uint64_t tnow = lk__now_ns();
			if (tnow >= poll_at && (!deadline || tnow < deadline)) {
				lk__shm_recover(m, false);
				poll_at = tnow + LK__SHM_POLL_NS;
				wdl = wait_deadline(deadline, det_on ? det_at : 0, poll_at,
						    lease_at);
				w = wait_begin(m, wdl);
				w.spin_ns = 0;
				/* and look: a granter killed between our GRANTED
				 * and our wake word left us granted and asleep
				 * (SHARED.md, R5) */
				check = true;
				waited = true;
			}
		}
		if (m->shm)
			sec_enter(m, t);
		if (!waited) {
			uint64_t tnow = lk__now_ns();
			if (lease_at && tnow >= lease_at && (!deadline || tnow < deadline)) {
				/* a lease on h may have run out: hand it on,
				 * then check (a grant, or our own lapse) */
				head_latch(m, h, lk__own(t));
				lease_at = lk__lease_hand_on(m, t, h, tnow, &freed);
				head_unlatch(h);
				wdl = wait_deadline(deadline, det_on ? det_at : 0, poll_at,
						    lease_at);
				w = wait_begin(m, wdl);
				w.spin_ns = 0;
				check = true;
				continue;
			}
			if (det_on && tnow >= det_at && (!deadline || tnow < deadline)) {
				check = lk__detect(m, t); /* true: we are the victim */
				if (det_gap < 1000000000u)
					det_gap *= 2;
				det_at = tnow + det_gap;
				wdl = wait_deadline(deadline, det_at, poll_at, lease_at);
				w = wait_begin(m, wdl);
				w.spin_ns = 0; /* waited long already: park */
				continue;
			}
			timed_out = true;
			check = true;
		}
	}
	if (chained)
		lk__admit_leave(m, t->proc);
	if (token)
		*token = t->token_out;
	*rq = ri;
	*got = is_new ? LK__GOT_NEW : LK__GOT_CONV;
	return LK_OK;
}
