/*
 * lockmgr/reclaim.c: a dead process's pool entries (SHARED.md "Pool
 * entries in flight", "The pool stop"): the requests its txns held
 * outside every list when it died, found by their ownership tag and given
 * back; the pool stop, under which the census finds what a kill left in
 * no place (the residue) and gives it back too; and the census itself,
 * which counts where every request, head and txn slot is, so that a test
 * can say which pool lost what.
 */
#include "heads_int.h"
#include "pool_int.h"
#include "queue_int.h"
#include "shared_int.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Is request ri in cache c (at most c->n links from its first)? */
static bool in_rcache(const lk_lockmgr_t *m, const struct lk__cache *c, uint32_t ri)
{
	uint32_t n = atomic_load_explicit(&c->n, memory_order_relaxed);
	for (uint32_t p = c->first, k = 0; p && p <= m->nreqs && k < n;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed), k++)
		if (p == ri)
			return true;
	return false;
}

/* A request a lapse took from a dead txn pins its head (lease.c): the
 * pin goes, as the txn's end would have taken it (txn.c). */
static void unpin(lk_lockmgr_t *m, uint32_t hi, uint32_t own)
{
	if (!hi || hi > m->nheads)
		return;
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_acquire);
	if ((w & LK__L_DEAD) || !head_latch_gen(m, h, w, own))
		return;
	if (h->revoked)
		h->revoked--;
	head_unlatch(h);
}

/* Under the recovery mutex, after every live head was purged of the dead
 * txns' requests (recover.c): a request still tagged by a dead txn (status
 * not FREE, txn a dead txn's slot) is in no head's lists, so it is one that
 * txn took and had not linked yet, or had unlinked and not yet freed. Each
 * goes back to the shared stack, unless it is in the txn's own cache
 * (its take or put was cut short; the cache keeps it). A request another
 * txn owns is never tagged with a dead txn: tags are written by the taker
 * before the take, and FREE before any push (pool_int.h). */
uint32_t lk__reclaim_reqs(lk_lockmgr_t *m, bool (*dead)(lk_lockmgr_t *, uint32_t, uint32_t),
			  uint32_t procs, uint32_t own)
{
	uint32_t n = 0;
	for (uint32_t ri = 1; ri <= m->nreqs; ri++) {
		struct lk__req *q = &m->reqs[ri];
		if (req_status_own(q) == LK__R_FREE || q->txn >= m->ntxns ||
		    !dead(m, q->txn, procs))
			continue;
		struct lk__txn *t = txn_at(m, q->txn);
		if (q->status == LK__R_REVOKED) /* a lapse took it: its pin */
			unpin(m, q->head, own);
		bool cached = in_rcache(m, &t->rc, ri);
		q->status = LK__R_FREE; /* FREE before the push, as everywhere */
		LK__KILL_ORDER();
		if (cached)
			continue;
		lk__stk_push(&m->rstk, ri, ri);
		n++;
	}
	return n;
}

/* ---- the pool stop ------------------------------------------------------ */

LK_THREAD_LOCAL uint32_t lk__sec_depth __attribute__((tls_model("initial-exec")));

/* The stopper (process slot + 1) is dead: registered and dead, or its
 * slot already freed by a recovery. */
static bool stopper_dead(struct lk__shm *s, uint32_t o)
{
	return (o && o <= LK__SHM_PROCS &&
		!atomic_load_explicit(&s->procs[o - 1], memory_order_acquire)) ||
	       lk__shm_owner_dead(s, o);
}

/* Wait until the stop is lifted; a dead stopper's stop is lifted here
 * (its census was cut short: a later recovery runs it again). */
static void unstopped(lk_lockmgr_t *m)
{
	struct lk__shm *s = m->shm;
	for (;;) {
		uint32_t o = atomic_load_explicit(&s->pool_stop, memory_order_acquire);
		if (!o)
			return;
		if (stopper_dead(s, o)) {
			if (atomic_compare_exchange_strong_explicit(&s->pool_stop, &o, 0,
								    memory_order_acq_rel,
								    memory_order_relaxed)) {
				atomic_store_explicit(&s->pool_due, 1, memory_order_relaxed);
				lk__futex_wake_shared(&s->pool_stop, INT32_MAX, LK__FUTEX_ANY);
			}
			continue;
		}
		/* 1 ms at a time: the stopper's liveness is looked at again */
		lk__futex_wait_shared(&s->pool_stop, o, lk__now_ns() + 1000000u,
				      LK__FUTEX_ANY);
	}
}

void lk__sec_wait(lk_lockmgr_t *m, LK_ATOMIC(uint32_t) *n)
{
	for (;;) {
		/* back out (even: the stopper need not wait for us), wait,
		 * raise it again and look again */
		uint32_t v = atomic_load_explicit(n, memory_order_relaxed);
		atomic_store_explicit(n, v + 1, memory_order_release);
		unstopped(m);
		atomic_store_explicit(n, v + 2, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
		if (!atomic_load_explicit(m->pool_stop, memory_order_relaxed))
			return;
	}
}

void lk__proc_enter(lk_lockmgr_t *m)
{
	uint8_t me = lk__shm_me_cached(m);
	if (!me)
		return; /* no slot: it moves nothing (lk__proc_leave knows) */
	LK_ATOMIC(uint32_t) *n = &m->shm->pool_in[me - 1].n;
	for (;;) {
		/* seq_cst, both: either the stopper sees the count, or this
		 * sees the stop (no membarrier needed for a read-modify-write) */
		atomic_fetch_add_explicit(n, 1, memory_order_seq_cst);
		if (!atomic_load_explicit(m->pool_stop, memory_order_seq_cst))
			return;
		atomic_fetch_sub_explicit(n, 1, memory_order_release);
		unstopped(m);
	}
}

void lk__proc_leave(lk_lockmgr_t *m)
{
	uint8_t me = lk__shm_me_cached(m);
	if (me) /* release: the section's stores before the stopper reads 0 */
		atomic_fetch_sub_explicit(&m->shm->pool_in[me - 1].n, 1,
					  memory_order_release);
}

static int census(lk_lockmgr_t *m, uint32_t out[9], bool give_back);

/* The longest a stop waits for the sections under way: past it (a
 * process stopped inside one, SIGSTOP), it gives up and a later recovery
 * tries again (pool_due) */
#define LK__STOP_WAIT_NS 100000000u

/* Under the recovery mutex, dead the processes it just recovered (bit k:
 * slot k): stop every section, wait for those under way to end (a dead
 * process's are not waited for: its txns and latches are gone by now;
 * those recovered earlier left no section, their counters reset), then
 * give back every entry no place holds. */
bool lk__pool_stop(lk_lockmgr_t *m, uint32_t dead)
{
	struct lk__shm *s = m->shm;
	uint8_t me = lk__shm_me_cached(m);
	uint32_t z = 0;
	if (!me || !atomic_compare_exchange_strong_explicit(&s->pool_stop, &z, me,
							    memory_order_seq_cst,
							    memory_order_relaxed))
		return false;
	LK__TEST_KILL_AT("pool_stop"); /* a stopper that dies: sections clear it */
	bool done = false;
	/* the sections' counter stores are plain: this orders every running
	 * thread's last one before its read of the stop, for our reads below
	 * (liburcu's memb flavour does the same for its readers) */
	if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) != 0)
		goto out;
	uint64_t end = lk__now_ns() + LK__STOP_WAIT_NS;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		const struct lk__txn *t = txn_at(m, i);
		/* acquire: an even count shows the section's stores */
		while (atomic_load_explicit(&m->sec[i].n, memory_order_acquire) & 1u) {
			if (t->proc && ((dead >> (t->proc - 1)) & 1u))
				break; /* died inside it: recovered already */
			if (lk__now_ns() > end)
				goto out;
			lk__sleep_ns(20000);
		}
	}
	for (uint32_t k = 0; k < LK__SHM_PROCS; k++)
		while (!((dead >> k) & 1u) &&
		       atomic_load_explicit(&s->pool_in[k].n, memory_order_acquire)) {
			if (lk__now_ns() > end)
				goto out;
			lk__sleep_ns(20000);
		}
	uint32_t c[9];
	done = census(m, c, true) == 1;
out:
	atomic_store_explicit(&s->pool_stop, 0, memory_order_release);
	lk__futex_wake_shared(&s->pool_stop, INT32_MAX, LK__FUTEX_ANY);
	return done;
}

/* ---- the census ---------------------------------------------------------- */
/* Mark element i once; a second mark is an element in two places. */
static void mark(unsigned char *seen, uint32_t i, uint32_t max, uint32_t *dup)
{
	if (!i || i > max)
		return;
	if (seen[i])
		(*dup)++;
	seen[i] = 1;
}

/* Where every entry of m is, with no call in progress in any process
 * (a table at rest: every worker ended or dead and recovered, or the pool
 * stopped: no section under way, a waiter's request queued): each
 * request on the free stack, in a slot's cache or in a live head's lists;
 * each head on the free stack, in a cache or in a bucket's chain; each
 * txn slot on the free stack, kept or active. out[0..2]: requests, heads,
 * slots found nowhere (lost); out[3]: entries found twice; out[4..6]: of
 * the lost, those the reclaim should have given back (a request still
 * tagged, a head not dead, a slot still claimed); the rest were lost in
 * the residue windows SHARED.md lists. out[7..8]: the lost requests and
 * heads as chains (a lost entry whose link names another lost entry
 * continues that one's chain): a kill between a refill's pop and its
 * cache store loses a whole batch as one chain, the other windows one
 * entry each, so the chains count the kills that hit a window. 0 if m is
 * not a live manager, else 1. */
LK__HIDDEN int lk__pool_census(lk_lockmgr_t *m, uint32_t out[9]);
int lk__pool_census(lk_lockmgr_t *m, uint32_t out[9])
{
	return census(m, out, false);
}

/* A lost head: its token folded into its bucket's floor under the bucket
 * latch (a dead one's is there already: a head is killed after the fold),
 * then idled, killed and pushed. False: the bucket latch is busy (a later
 * stop gives it back). */
static bool head_give_back(lk_lockmgr_t *m, uint32_t hi)
{
	struct lk__head *h = &m->heads[hi];
	uint32_t w = atomic_load_explicit(&h->lw, memory_order_relaxed), first;
	if (!(w & LK__L_DEAD)) {
		if (h->bucket > m->bmask)
			return false;
		struct lk__bucket *bk = &m->buckets[h->bucket];
		uint32_t bown = LK__B_OWN_OF((uint32_t)lk__shm_me_cached(m) << LK__L_OWN_SHIFT);
		if (!blatch_try(bk, &first, bown))
			return false;
		if (bk->floor < h->token)
			bk->floor = h->token;
		blatch_unlock(bk, first);
	}
	lk__head_free_lost(m, hi);
	return true;
}

/* give_back (the pool stop): what is found nowhere goes back to its free
 * stack, except a request tagged by an active txn (a lapse took it off its
 * head: its txn's end frees it); nothing if an entry is found twice. */
static int census(lk_lockmgr_t *m, uint32_t out[9], bool give_back)
{
	for (int k = 0; k < 9; k++)
		out[k] = 0;
	if (!m || !lk__mgr_live(m))
		return 0;
	uint32_t nr = m->nreqs, nh = m->nheads, dup = 0;
	unsigned char *rs = calloc((size_t)nr + 1, 1), *hs = calloc((size_t)nh + 1, 1),
		      *ts = calloc((size_t)m->ntxns + 1, 1),
		      *tg = calloc((size_t)(nr > nh ? nr : nh) + 1, 1);
	if (!rs || !hs || !ts || !tg) {
		free(rs);
		free(hs);
		free(ts);
		free(tg);
		return 0;
	}
	uint32_t k = 0;
	for (uint32_t p = (uint32_t)atomic_load_explicit(&m->req_free, memory_order_acquire);
	     p && p <= nr && k++ <= nr;
	     p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed))
		mark(rs, p, nr, &dup);
	k = 0;
	for (uint32_t p = (uint32_t)atomic_load_explicit(&m->head_free, memory_order_acquire);
	     p && p <= nh && k++ <= nh;
	     p = atomic_load_explicit(&m->heads[p].next, memory_order_relaxed))
		mark(hs, p, nh, &dup);
	k = 0;
	for (uint32_t p = (uint32_t)atomic_load_explicit(&m->txn_free, memory_order_acquire);
	     p && p <= m->ntxns && k++ <= m->ntxns;
	     p = atomic_load_explicit(&txn_at(m, p - 1)->free_next, memory_order_relaxed))
		mark(ts, p, m->ntxns, &dup);
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		uint32_t st = atomic_load_explicit(&t->state, memory_order_acquire);
		if (st == LK__TS_ACTIVE || st == LK__TS_KEPT ||
		    (give_back && (st & 0xffu) == LK__TS_CLAIMED))
			mark(ts, i + 1, m->ntxns, &dup);
		uint32_t n = atomic_load_explicit(&t->rc.n, memory_order_relaxed), p = t->rc.first;
		for (uint32_t j = 0; j < n && p && p <= nr; j++) {
			mark(rs, p, nr, &dup);
			p = atomic_load_explicit(&m->reqs[p].tnext, memory_order_relaxed);
		}
		n = atomic_load_explicit(&t->hc.n, memory_order_relaxed);
		p = t->hc.first;
		for (uint32_t j = 0; j < n && p && p <= nh; j++) {
			mark(hs, p, nh, &dup);
			p = atomic_load_explicit(&m->heads[p].next, memory_order_relaxed);
		}
	}
	for (uint32_t b = 0; b <= m->bmask; b++) {
		k = 0;
		for (uint32_t i = bucket_first(m, &m->buckets[b]); i && i <= nh && k++ <= nh;
		     i = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed)) {
			mark(hs, i, nh, &dup);
			const struct lk__head *h = &m->heads[i];
			for (int pass = 0; pass < 2; pass++) {
				uint32_t j = 0;
				for (uint32_t p = pass ? h->qhead : h->holders; p && p <= nr && j++ <= nr;
				     p = m->reqs[p].rnext)
					mark(rs, p, nr, &dup);
			}
		}
	}
	if (give_back) /* a lapse's request: its active txn ends it */
		for (uint32_t i = 1; i <= nr; i++) {
			const struct lk__req *q = &m->reqs[i];
			if (!rs[i] && req_status_own(q) != LK__R_FREE && q->txn < m->ntxns &&
			    atomic_load_explicit(&txn_at(m, q->txn)->state,
						 memory_order_acquire) == LK__TS_ACTIVE)
				rs[i] = 1;
		}
	/* a lost entry named by another lost entry's link is not a chain's
	 * first: chains = lost - such links (at least 1 if any is lost, in
	 * case stale links close a cycle) */
	uint32_t linked = 0;
	for (uint32_t i = 1; i <= nr; i++)
		if (!rs[i]) {
			out[0]++;
			out[4] += req_status_own(&m->reqs[i]) != LK__R_FREE;
			uint32_t n = atomic_load_explicit(&m->reqs[i].tnext, memory_order_relaxed);
			if (n && n <= nr && n != i && !rs[n] && !tg[n]) {
				tg[n] = 1; /* a distinct target: two stale links
					    * to one entry count once */
				linked++;
			}
		}
	out[7] = out[0] ? (out[0] - linked ? out[0] - linked : 1) : 0;
	memset(tg, 0, (size_t)(nr > nh ? nr : nh) + 1);
	linked = 0;
	for (uint32_t i = 1; i <= nh; i++)
		if (!hs[i]) {
			out[1]++;
			out[5] += !(atomic_load_explicit(&m->heads[i].lw, memory_order_relaxed) &
				    LK__L_DEAD);
			uint32_t n = atomic_load_explicit(&m->heads[i].next, memory_order_relaxed);
			if (n && n <= nh && n != i && !hs[n] && !tg[n]) {
				tg[n] = 1;
				linked++;
			}
		}
	out[8] = out[1] ? (out[1] - linked ? out[1] - linked : 1) : 0;
	for (uint32_t i = 1; i <= m->ntxns; i++)
		if (!ts[i]) {
			out[2]++;
			out[6] += (atomic_load_explicit(&txn_at(m, i - 1)->state,
							memory_order_relaxed) &
				   0xffu) == LK__TS_CLAIMED;
		}
	out[3] = dup;
	if (give_back && !dup) {
		atomic_fetch_add_explicit(&m->shm->pool_back, out[0] + out[1] + out[2],
					  memory_order_relaxed);
		for (uint32_t i = 1; i <= nr; i++)
			if (!rs[i]) {
				m->reqs[i].status = LK__R_FREE; /* FREE before the push */
				LK__KILL_ORDER();
				lk__stk_push(&m->rstk, i, i);
			}
		for (uint32_t i = 1; i <= nh; i++)
			if (!hs[i] && !head_give_back(m, i))
				atomic_store_explicit(&m->shm->pool_due, 1, memory_order_relaxed);
		for (uint32_t i = 1; i <= m->ntxns; i++)
			if (!ts[i])
				lk__slot_push(m, txn_at(m, i - 1));
	}
	free(rs);
	free(hs);
	free(ts);
	free(tg);
	return dup && give_back ? 0 : 1;
}

/* Entries the pool stops gave back so far (a test's log); not exported. */
LK__HIDDEN uint64_t lk__shm_given_back(const lk_lockmgr_t *m);
uint64_t lk__shm_given_back(const lk_lockmgr_t *m)
{
	return m->shm ? atomic_load_explicit(&m->shm->pool_back, memory_order_relaxed) : 0;
}
