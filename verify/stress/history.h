/*
 * verify/stress/history.h: a recorded history of the lock table (from its
 * trace hook) and a checker that replays it per resource against the rules
 * of verify/tla/LockTable.tla:
 *   - granted modes on a resource are pairwise compatible at every point
 *     (grants, conversions and escalations alike);
 *   - FIFO group grant (fifo_strict): a new request is granted only if
 *     compatible with every request still waiting ahead of it (every
 *     waiting conversion is ahead; conversions themselves may pass);
 *   - each request is REQUEST, optional WAIT, then exactly one of GRANT,
 *     CONVERT, TIMEOUT, VICTIM; its modes agree with what the txn holds;
 *     a RELEASE releases what is held;
 *   - every wait ends (nothing is left waiting at the end);
 *   - no lock outlives its transaction (an END record, written after
 *     lk_txn_commit/abort returned, finds the txn holding nothing).
 * Recording: lkh_record() is the trace hook; it appends with one relaxed
 * fetch_add on the buffer index into a preallocated buffer and never
 * blocks. The checker sorts by the library's global sequence number, which
 * it takes under the resource latch, so per resource it is the order of the
 * state changes.
 */
#ifndef LK_STRESS_HISTORY_H
#define LK_STRESS_HISTORY_H

#include <latchkit/lockmgr.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LKH_END 100 /* not a trace event: the txn ended (commit or abort) */
#define LKH_MAX_RES 256
#define LKH_MAX_ENT 128 /* txns with state on one resource at once */

typedef struct {
	uint64_t seq;
	uint64_t txn;
	lk_res_t res;
	int8_t ev;
	int8_t mode;
	int8_t prev;
	int8_t status;
	bool waiting;
} lkh_ev_t;

typedef struct {
	lkh_ev_t *ev;
	size_t cap;
	atomic_size_t n; /* slots claimed; > cap means lost events */
	atomic_uint_fast64_t endseq; /* END records sort after everything */
} lkh_hist_t;

static inline int lkh_init(lkh_hist_t *h, size_t cap)
{
	h->ev = (lkh_ev_t *)calloc(cap, sizeof(lkh_ev_t));
	h->cap = cap;
	atomic_store_explicit(&h->n, 0, memory_order_relaxed);
	atomic_store_explicit(&h->endseq, UINT64_MAX / 2, memory_order_relaxed);
	return h->ev ? 0 : -1;
}
static inline void lkh_reset(lkh_hist_t *h)
{
	atomic_store_explicit(&h->n, 0, memory_order_relaxed);
	atomic_store_explicit(&h->endseq, UINT64_MAX / 2, memory_order_relaxed);
}
static inline void lkh_free(lkh_hist_t *h) { free(h->ev); }

static inline lkh_ev_t *lkh_slot_(lkh_hist_t *h)
{
	/* relaxed: only a unique slot is needed; the checker runs after
	 * pthread_join, which orders every store before it */
	size_t i = atomic_fetch_add_explicit(&h->n, 1, memory_order_relaxed);
	return i < h->cap ? &h->ev[i] : NULL;
}

/* The trace hook (lk_lockmgr_set_trace(mgr, lkh_record, hist)). */
static inline void lkh_record(void *ctx, const lk_trace_t *t)
{
	lkh_ev_t *e = lkh_slot_((lkh_hist_t *)ctx);
	if (!e)
		return;
	e->seq = t->seq;
	e->txn = t->txn_id;
	e->res = t->res;
	e->ev = (int8_t)t->event;
	e->mode = (int8_t)t->mode;
	e->prev = (int8_t)t->prev_mode;
	e->status = (int8_t)t->status;
	e->waiting = t->waiting;
}

/* After lk_txn_commit/abort of txn id returned. */
static inline void lkh_end(lkh_hist_t *h, uint64_t txn)
{
	lkh_ev_t *e = lkh_slot_(h);
	if (!e)
		return;
	memset(e, 0, sizeof(*e));
	/* relaxed: a unique number above every trace seq is all it needs */
	e->seq = atomic_fetch_add_explicit(&h->endseq, 1, memory_order_relaxed);
	e->txn = txn;
	e->ev = LKH_END;
	e->mode = e->prev = -1;
}

static inline size_t lkh_count(lkh_hist_t *h)
{
	return atomic_load_explicit(&h->n, memory_order_relaxed);
}
static inline bool lkh_overflowed(lkh_hist_t *h) { return lkh_count(h) > h->cap; }

/* ---- checker -------------------------------------------------------------- */

typedef struct {
	uint64_t txn;
	int held;    /* -1: none */
	int want;    /* while waiting */
	bool waiting, conv, pending;
	uint64_t ticket; /* seq of its WAIT, for FIFO order */
} lkh_ent_t;

typedef struct {
	lk_res_t res;
	int n;
	lkh_ent_t e[LKH_MAX_ENT];
} lkh_rstate_t;

typedef struct {
	char why[512];
	size_t grants, waits, converts, timeouts, victims, releases, escalations, ends;
	bool has_bad; /* the failing event's resource and seq, for lkh_dump */
	lk_res_t bad_res;
	uint64_t bad_seq;
} lkh_result_t;

static const char *const lkh_evname_[8] = {"REQUEST", "WAIT", "GRANT", "TIMEOUT",
					    "VICTIM", "RELEASE", "CONVERT", "ESCALATE"};

/* Prints the last `last` events on the failing resource up to the failing
 * one (ev sorted, as lkh_check leaves it). */
static inline void lkh_dump(const lkh_ev_t *ev, size_t n, const lkh_result_t *r,
			    size_t last, FILE *f)
{
	if (!r->has_bad)
		return;
	size_t k = 0, cnt = 0, start;
	while (k < n && ev[k].seq <= r->bad_seq)
		k++;
	start = k;
	while (start > 0 && cnt < last) {
		start--;
		if (lk_res_equal(&ev[start].res, &r->bad_res))
			cnt++;
	}
	for (size_t i = start; i < k; i++) {
		const lkh_ev_t *e = &ev[i];
		if (!lk_res_equal(&e->res, &r->bad_res))
			continue;
		fprintf(f, "  seq %llu txn %llu %s mode %d prev %d status %d%s\n",
			(unsigned long long)e->seq, (unsigned long long)e->txn,
			e->ev >= 0 && e->ev < 8 ? lkh_evname_[e->ev] : "?", e->mode, e->prev,
			e->status, e->waiting ? " waiting" : "");
	}
}

static inline int lkh_fail_(lkh_result_t *r, const lkh_ev_t *e, const char *fmt, ...)
{
	char msg[360];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (e) {
		r->bad_res = e->res;
		r->bad_seq = e->seq;
		r->has_bad = true;
	}
	snprintf(r->why, sizeof r->why, "seq %llu txn %llu res %u:%u.%u.%u.%u ev %d: %s",
		 (unsigned long long)(e ? e->seq : 0), (unsigned long long)(e ? e->txn : 0),
		 e ? e->res.kind : 0, e ? e->res.f[0] : 0, e ? e->res.f[1] : 0,
		 e ? e->res.f[2] : 0, e ? e->res.f[3] : 0, e ? e->ev : -1, msg);
	return -1;
}

static inline int lkh_cmp_(const void *a, const void *b)
{
	uint64_t x = ((const lkh_ev_t *)a)->seq, y = ((const lkh_ev_t *)b)->seq;
	return x < y ? -1 : x > y;
}

static inline lkh_ent_t *lkh_find_(lkh_rstate_t *s, uint64_t txn, bool make)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i].txn == txn)
			return &s->e[i];
	if (!make || s->n == LKH_MAX_ENT)
		return NULL;
	lkh_ent_t *x = &s->e[s->n++];
	memset(x, 0, sizeof(*x));
	x->txn = txn;
	x->held = x->want = -1;
	return x;
}

static inline void lkh_gc_(lkh_rstate_t *s, lkh_ent_t *x)
{
	if (x->held < 0 && !x->waiting && !x->pending)
		*x = s->e[--s->n];
}

static inline bool lkh_conf_(const lk_modetable_t *mt, int a, int b)
{
	return a >= 0 && b >= 0 && lk_mode_conflicts(mt, a, b);
}

/* mode granted to x: compatible with every other holder? */
static inline int lkh_holders_ok_(lkh_rstate_t *s, lkh_ent_t *x, int mode,
				  const lk_modetable_t *mt, lkh_result_t *r,
				  const lkh_ev_t *e)
{
	for (int i = 0; i < s->n; i++) {
		lkh_ent_t *o = &s->e[i];
		if (o != x && o->held >= 0 && lkh_conf_(mt, o->held, mode))
			return lkh_fail_(r, e, "granted %s while txn %llu holds %s",
					 mt->names[mode], (unsigned long long)o->txn,
					 mt->names[o->held]);
	}
	return 0;
}

/*
 * Checks ev[0..n) (sorted in place by seq). mt: the manager's mode table;
 * fifo_strict: check FIFO group grant. Returns 0, or -1 with r->why set.
 */
static inline int lkh_check(lkh_ev_t *ev, size_t n, const lk_modetable_t *mt,
			    bool fifo_strict, lkh_result_t *r)
{
	memset(r, 0, sizeof(*r));
	qsort(ev, n, sizeof(*ev), lkh_cmp_);
	lkh_rstate_t *rs = (lkh_rstate_t *)calloc(LKH_MAX_RES, sizeof(lkh_rstate_t));
	int nres = 0, rc = 0;
	if (!rs)
		return lkh_fail_(r, NULL, "out of memory");
	/* first: every sequence number once (the order is then total) */
	for (size_t k = 1; k < n && rc == 0; k++)
		if (ev[k - 1].seq == ev[k].seq)
			rc = lkh_fail_(r, &ev[k], "sequence number repeated");
	for (size_t k = 0; k < n && rc == 0; k++) {
		const lkh_ev_t *e = &ev[k];
		if (e->ev == LKH_END) {
			r->ends++;
			for (int i = 0; i < nres && rc == 0; i++) {
				lkh_ent_t *x = lkh_find_(&rs[i], e->txn, false);
				if (x)
					rc = lkh_fail_(r, e, "txn ended but still %s on res %d",
						       x->held >= 0 ? "holds a lock" : "waits", i);
			}
			continue;
		}
		if (e->ev < LK_EV_REQUEST || e->ev > LK_EV_ESCALATE) {
			rc = lkh_fail_(r, e, "unknown event");
			break;
		}
		bool known = e->mode < 0 || (unsigned)e->mode < mt->nmodes;
		known = known && (e->prev < 0 || (unsigned)e->prev < mt->nmodes);
		if (!known) {
			rc = lkh_fail_(r, e, "unknown mode %d/%d", e->mode, e->prev);
			break;
		}
		int ri = 0;
		while (ri < nres && !lk_res_equal(&rs[ri].res, &e->res))
			ri++;
		if (ri == nres) {
			if (nres == LKH_MAX_RES) {
				rc = lkh_fail_(r, e, "too many resources for the checker");
				break;
			}
			rs[nres].res = e->res;
			rs[nres].n = 0;
			nres++;
		}
		lkh_rstate_t *s = &rs[ri];
		lkh_ent_t *x = lkh_find_(s, e->txn, true);
		if (!x) {
			rc = lkh_fail_(r, e, "too many txns on one resource");
			break;
		}
		switch (e->ev) {
		case LK_EV_REQUEST:
			if (x->pending || x->waiting)
				rc = lkh_fail_(r, e, "REQUEST while a request is open");
			else if (e->prev != x->held)
				rc = lkh_fail_(r, e, "REQUEST says held %d, history says %d",
					       e->prev, x->held);
			x->pending = true;
			break;
		case LK_EV_WAIT:
			if (!x->pending || x->waiting)
				rc = lkh_fail_(r, e, "WAIT without an open request");
			else if (e->prev != x->held)
				rc = lkh_fail_(r, e, "WAIT: held mode disagrees");
			x->waiting = true;
			x->want = e->mode;
			x->conv = x->held >= 0;
			x->ticket = e->seq;
			r->waits++;
			break;
		case LK_EV_GRANT:
			if (!x->pending) {
				rc = lkh_fail_(r, e, "GRANT without an open request");
				break;
			}
			if (e->prev >= 0 && e->prev == e->mode) { /* no-op relock */
				if (x->held != e->mode)
					rc = lkh_fail_(r, e, "relock of a mode not held");
			} else {
				if (x->held >= 0) {
					rc = lkh_fail_(r, e, "GRANT of a new request to a holder");
					break;
				}
				rc = lkh_holders_ok_(s, x, e->mode, mt, r, e);
				if (rc == 0 && fifo_strict) {
					/* every request waiting ahead: all conversions, and
					 * new requests with an earlier ticket */
					for (int i = 0; i < s->n && rc == 0; i++) {
						lkh_ent_t *o = &s->e[i];
						if (o == x || !o->waiting)
							continue;
						bool ahead = o->conv || !x->waiting || o->ticket < x->ticket;
						if (ahead && lkh_conf_(mt, o->want, e->mode))
							rc = lkh_fail_(r, e,
								       "FIFO: granted %s past txn %llu waiting for %s",
								       mt->names[e->mode],
								       (unsigned long long)o->txn,
								       mt->names[o->want]);
					}
				}
				x->held = e->mode;
				r->grants++;
			}
			x->pending = x->waiting = false;
			break;
		case LK_EV_CONVERT:
			if (!x->pending)
				rc = lkh_fail_(r, e, "CONVERT without an open request");
			else if (x->held < 0 || x->held != e->prev)
				rc = lkh_fail_(r, e, "CONVERT from %d, history holds %d", e->prev,
					       x->held);
			else
				rc = lkh_holders_ok_(s, x, e->mode, mt, r, e);
			x->held = e->mode;
			x->pending = x->waiting = false;
			r->converts++;
			break;
		case LK_EV_TIMEOUT:
			if (!x->pending)
				rc = lkh_fail_(r, e, "TIMEOUT without an open request");
			x->pending = x->waiting = false;
			r->timeouts++;
			break;
		case LK_EV_VICTIM:
			if (e->waiting) {
				if (!x->pending)
					rc = lkh_fail_(r, e, "VICTIM without an open request");
				x->pending = x->waiting = false;
			}
			r->victims++;
			break;
		case LK_EV_RELEASE:
			if (x->held < 0 || x->held != e->mode)
				rc = lkh_fail_(r, e, "RELEASE of %d, history holds %d", e->mode,
					       x->held);
			else if (x->waiting)
				rc = lkh_fail_(r, e, "RELEASE while its conversion waits");
			x->held = -1;
			r->releases++;
			break;
		case LK_EV_ESCALATE:
			rc = lkh_holders_ok_(s, x, e->mode, mt, r, e);
			x->held = e->mode;
			r->escalations++;
			break;
		}
		lkh_gc_(s, x);
	}
	/* every wait ended, nothing outlives its txn */
	for (int i = 0; i < nres && rc == 0; i++)
		for (int j = 0; j < rs[i].n && rc == 0; j++) {
			lkh_ent_t *x = &rs[i].e[j];
			rc = lkh_fail_(r, NULL, "at the end txn %llu still %s on res %u:%u.%u.%u.%u",
				       (unsigned long long)x->txn,
				       x->waiting ? "waits" : x->pending ? "has an open request" : "holds",
				       rs[i].res.kind, rs[i].res.f[0], rs[i].res.f[1],
				       rs[i].res.f[2], rs[i].res.f[3]);
		}
	free(rs);
	return rc;
}

#endif
