/*
 * stress_lockmgr: the lock table under random load, checked from outside.
 * Rounds of about 0.12 s until -d SECONDS are up; each round a new manager
 * with the next policy (NO_WAIT, WAIT_DIE, WOUND_WAIT, DETECT; escalation
 * on for every other one, swapped each cycle; grant order LDSF in rounds
 * 4-7 of every 8), -t THREADS running random transactions
 * on a small hierarchy (1 db, 2 tables, 2 pages each, 3 rows each, plus 2
 * advisory keys) so conflicts are frequent: random modes, timeouts 0 / 1 ms
 * / 20 ms / "forever" (10 s, only where the policy rules deadlocks out: a
 * timeout there is a deadlock and fails the run),
 * early unlocks, commits and aborts, jitter between calls.
 * Checked on every step: lock return codes are legal for the policy, a
 * granted lock shows in lk_held_mode; a monitor thread reads lk_snapshot
 * and checks that no resource shows incompatible granted modes. At the end
 * of each round the trace history is replayed by history.h (compatibility
 * at every point, FIFO group grant (FIFO rounds), request protocol, every wait ended, no
 * lock outliving its txn) and the counters are compared with it.
 */
#include "stress.h"
#include "snapshot.h"
#include "history.h"

#include <latchkit/lockmgr.h>

#define HIST_CAP (1u << 19)
/* "Forever" for the policies that rule deadlocks out: long enough that
 * only a deadlock they failed to prevent or break can time it out, finite
 * so that such a deadlock fails the run instead of hanging it. */
#define LONG_WAIT (10 * 1000000000ull)
#define ROUND_NS 120000000ull /* 2 s covers all 16 policy x escalation x order combinations */

typedef struct {
	lk_lockmgr_t *m;
	lkh_hist_t *h;
	int policy;
	atomic_int stop;
	atomic_uint_fast64_t ops, oks, waits_to, victims, nomem;
} ctx_t;

static const char *pol_name[4] = {"no_wait", "wait_die", "wound_wait", "detect"};

static lk_res_t pick_res(uint32_t *rnd)
{
	uint32_t x = stress_rand(rnd);
	uint32_t tab = 1 + (x & 1), page = 1 + ((x >> 1) & 1), row = 1 + (x >> 2) % 3;
	switch ((x >> 8) % 8) {
	case 0:
		return lk_res_table(1, tab);
	case 1:
		return lk_res_page(1, tab, page);
	case 2:
		return lk_res_advisory(1 + ((x >> 12) & 1), 0);
	default:
		return lk_res_row(1, tab, page, row);
	}
}

static int pick_mode(uint32_t *rnd, const lk_res_t *r)
{
	uint32_t x = stress_rand(rnd) % 16;
	if (r->kind == LK_RES_ROW) /* rows: mostly S and X, some U */
		return x < 8 ? LK_S : x < 11 ? LK_U : LK_X;
	static const int m[16] = {LK_IS, LK_IS, LK_IS, LK_IX, LK_IX, LK_IX, LK_S, LK_S,
				  LK_S, LK_SIX, LK_U, LK_U, LK_X, LK_X, LK_IS, LK_S};
	return m[x];
}

static uint64_t pick_timeout(uint32_t *rnd, int policy)
{
	uint32_t x = stress_rand(rnd) % 8;
	if (x < 2)
		return 0;
	if (x < 5)
		return 1000000;
	if (x < 7 || policy == LK_POLICY_NO_WAIT)
		return 20000000;
	return LONG_WAIT; /* wait-die, wound-wait, detect: no deadlock stays */
}

/* Does an ancestor of r hold a non-intention mode that covers mode? */
static bool covered_above(lk_txn_t *t, const lk_res_t *r, int mode)
{
	const lk_modetable_t *mt = lk_modetable_default();
	lk_res_t cur = *r, up;
	while (lk_res_parent(&cur, &up)) {
		int a = lk_held_mode(t, &up);
		if (a >= 0 && mt->intention[a] != a && mt->supremum[a][mode] == a)
			return true;
		cur = up;
	}
	return false;
}

static void *worker(void *p, int id)
{
	ctx_t *c = (ctx_t *)p;
	uint32_t rnd = 0x9e3779b9u * (uint32_t)(id + 1) ^ (uint32_t)stress_now_ns();
	lk_res_t held[16];
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		lk_txn_t *t = NULL;
		int rc = lk_txn_begin(c->m, &t);
		if (rc == LK_NOMEM) {
			sched_yield();
			continue;
		}
		if (rc != LK_OK)
			stress_fail("lk_txn_begin: %s", lk_strerror(rc));
		uint64_t id64 = lk_txn_id(t);
		int nheld = 0, nlocks = 1 + (int)(stress_rand(&rnd) % 6);
		bool dead = false;
		for (int i = 0; i < nlocks && !dead; i++) {
			lk_res_t r = pick_res(&rnd);
			int mode = pick_mode(&rnd, &r);
			uint64_t to = pick_timeout(&rnd, c->policy);
			stress_jitter(&rnd);
			int before = lk_held_mode(t, &r);
			rc = lk_lock(t, &r, mode, to, 0);
			atomic_fetch_add_explicit(&c->ops, 1, memory_order_relaxed);
			switch (rc) {
			case LK_OK: {
				atomic_fetch_add_explicit(&c->oks, 1, memory_order_relaxed);
				int hm = lk_held_mode(t, &r);
				/* held in a mode covering `mode`, or covered by a
				 * non-intention mode on an ancestor */
				if ((hm < 0 || lk_modetable_default()->supremum[hm][mode] != hm) &&
				    !covered_above(t, &r, mode))
					stress_fail("lk_lock OK in %d but holds %d (policy %s, res %u:%u.%u.%u.%u, timeout %llu, held before %d)",
						    mode, hm, pol_name[c->policy], r.kind, r.f[0], r.f[1],
						    r.f[2], r.f[3], (unsigned long long)to, before);
				if (hm >= 0 && nheld < 16)
					held[nheld++] = r;
				break;
			}
			case LK_WOULDBLOCK:
				if (to != 0 && c->policy != LK_POLICY_NO_WAIT)
					stress_fail("LK_WOULDBLOCK with timeout %llu, policy %s",
						    (unsigned long long)to, pol_name[c->policy]);
				break;
			case LK_TIMEOUT:
				if (to == 0)
					stress_fail("LK_TIMEOUT with timeout 0");
				if (to == LONG_WAIT) {
					/* what is still stuck, for the report */
					lk_waitfor_dot(c->m, stderr);
					stress_fail("a %s wait of 10 s timed out: a deadlock the policy "
						    "should have prevented or broken (res %u:%u.%u.%u.%u, mode %d)",
						    pol_name[c->policy], r.kind, r.f[0], r.f[1], r.f[2],
						    r.f[3], mode);
				}
				atomic_fetch_add_explicit(&c->waits_to, 1, memory_order_relaxed);
				break;
			case LK_DEADLOCK:
				if (c->policy != LK_POLICY_WAIT_DIE && c->policy != LK_POLICY_DETECT)
					stress_fail("LK_DEADLOCK under %s", pol_name[c->policy]);
				dead = true;
				break;
			case LK_WOUNDED:
				if (c->policy != LK_POLICY_WOUND_WAIT)
					stress_fail("LK_WOUNDED under %s", pol_name[c->policy]);
				dead = true;
				break;
			case LK_NOMEM:
				atomic_fetch_add_explicit(&c->nomem, 1, memory_order_relaxed);
				break;
			default:
				stress_fail("lk_lock: %s", lk_strerror(rc));
			}
			/* sometimes an early release (read-committed style) */
			if (!dead && nheld > 0 && (stress_rand(&rnd) & 15) == 0) {
				int k = (int)(stress_rand(&rnd) % (uint32_t)nheld);
				rc = lk_unlock(t, &held[k]);
				/* NOTHELD: escalation may have taken the row away */
				if (rc != LK_OK && rc != LK_NOTHELD)
					stress_fail("lk_unlock: %s", lk_strerror(rc));
				held[k] = held[--nheld];
			}
		}
		if (dead) {
			atomic_fetch_add_explicit(&c->victims, 1, memory_order_relaxed);
			rc = lk_txn_abort(t);
		} else {
			stress_jitter(&rnd);
			rc = (stress_rand(&rnd) & 7) ? lk_txn_commit(t) : lk_txn_abort(t);
		}
		if (rc != LK_OK)
			stress_fail("commit/abort: %s", lk_strerror(rc));
		lkh_end(c->h, id64);
		/* stop early rather than lose events */
		if (lkh_count(c->h) > c->h->cap / 2)
			atomic_store_explicit(&c->stop, 1, memory_order_relaxed);
	}
	return NULL;
}

#define SNAP_CAP 8192
static lk_lockinfo_t snap[SNAP_CAP];

/* The monitor: what lk_snapshot shows is compatible per resource. */
static void *monitor(void *p, int id)
{
	ctx_t *c = (ctx_t *)p;
	(void)id;
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		stress_snapshot_check(c->m, snap, SNAP_CAP);
		stress_doing("snapshot");
		sched_yield();
	}
	return NULL;
}

typedef struct {
	ctx_t *c;
	int workers;
	uint64_t until;
} all_t;

/* Thread ids 0..workers-1 run transactions; id workers is the monitor;
 * id workers+1 ends the round at `until`. */
static void *dispatch(void *p, int id)
{
	all_t *a = (all_t *)p;
	if (id == a->workers)
		return monitor(a->c, id);
	if (id == a->workers + 1) {
		while (!atomic_load_explicit(&a->c->stop, memory_order_relaxed) &&
		       stress_now_ns() < a->until) {
			struct timespec ts = {0, 5000000};
			stress_doing("timer");
			nanosleep(&ts, NULL);
		}
		atomic_store_explicit(&a->c->stop, 1, memory_order_relaxed);
		return NULL;
	}
	return worker(a->c, id);
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	int workers = o.threads;
	if (workers > STRESS_MAX_THREADS - 2)
		workers = STRESS_MAX_THREADS - 2;
	static lkh_hist_t hist;
	if (lkh_init(&hist, HIST_CAP))
		stress_fail("no memory for the history");
	uint64_t end = stress_now_ns() + (uint64_t)(o.seconds * 1e9);
	unsigned rounds = 0;
	size_t events = 0;
	lkh_result_t tot;
	memset(&tot, 0, sizeof tot);
	uint64_t ops = 0, oks = 0, vict = 0, tmo = 0;
	do {
		int policy = (int)(rounds % 4);
		/* escalation on for every other policy, swapped each 4 rounds:
		 * a short run still sees every policy, half with escalation */
		bool esc = (rounds + rounds / 4) % 2 == 1;
		lk_lockmgr_config_t cfg;
		lk_lockmgr_config_init(&cfg);
		cfg.policy = policy;
		cfg.max_txns = 64;
		/* every third round a pool too small for the load: LK_NOMEM,
		 * sweeps and drains of idle slots' caches under contention */
		cfg.max_requests = rounds % 3 == 2 ? 24 : 1024;
		cfg.escalation_threshold = esc ? 2 : 0;
		static ctx_t c;
		memset(&c, 0, sizeof c);
		int rc = lk_lockmgr_create(&cfg, &c.m);
		if (rc != LK_OK)
			stress_fail("lk_lockmgr_create: %s", lk_strerror(rc));
		bool ldsf = rounds % 8 >= 4; /* every policy, in 8 rounds */
		if (ldsf && lk_lockmgr_set_grant_order(c.m, LK_GRANT_LDSF) != LK_OK)
			stress_fail("lk_lockmgr_set_grant_order refused LDSF");
		lkh_reset(&hist);
		lk_lockmgr_set_trace(c.m, lkh_record, &hist);
		c.h = &hist;
		c.policy = policy;
		all_t a = {&c, workers, stress_now_ns() + ROUND_NS};
		if (a.until > end)
			a.until = end;
		stress_watch_name("lockmgr (the lock table)");
		stress_run(workers + 2, dispatch, &a);

		/* quiescent: counters, snapshot and history must agree */
		if (lkh_overflowed(&hist))
			stress_fail("history buffer overflowed (%zu events)", lkh_count(&hist));
		size_t n = lkh_count(&hist);
		lkh_result_t r;
		/* LDSF passes waiters by design: no FIFO check then */
		if (lkh_check(hist.ev, n, lk_modetable_default(),
			      cfg.fifo_strict && !ldsf, &r)) {
			lkh_dump(hist.ev, n, &r, 40, stderr);
			stress_fail("history (%s%s%s, round %u): %s", pol_name[policy],
				    esc ? "+escalation" : "", ldsf ? "+ldsf" : "",
				    rounds, r.why);
		}
		if (lk_snapshot(c.m, snap, SNAP_CAP) != 0)
			stress_fail("locks left in the table after every txn ended");
		lk_stats_t st;
		lk_lockmgr_stats(c.m, &st);
		if (st.txns_active != 0)
			stress_fail("%u txns still active", st.txns_active);
		if (st.timeouts != r.timeouts - st.wouldblocks)
			stress_fail("stats: %llu timeouts, history %zu (minus %llu wouldblocks)",
				    (unsigned long long)st.timeouts, r.timeouts,
				    (unsigned long long)st.wouldblocks);
		if (st.escalations != r.escalations)
			stress_fail("stats: %llu escalations, history %zu",
				    (unsigned long long)st.escalations, r.escalations);
		events += n;
		tot.grants += r.grants;
		tot.waits += r.waits;
		tot.converts += r.converts;
		tot.escalations += r.escalations;
		tot.victims += r.victims;
		ops += atomic_load(&c.ops);
		oks += atomic_load(&c.oks);
		vict += atomic_load(&c.victims);
		tmo += atomic_load(&c.waits_to);
		lk_lockmgr_destroy(c.m);
		rounds++;
	} while (stress_now_ns() < end);
	printf("stress_lockmgr: %u rounds, %zu events checked; %llu lock calls, %llu ok, "
	       "%zu grants, %zu conversions, %zu waits, %llu timeouts, %llu aborted "
	       "victims, %zu escalations\n",
	       rounds, events, (unsigned long long)ops, (unsigned long long)oks, tot.grants,
	       tot.converts, tot.waits, (unsigned long long)tmo, (unsigned long long)vict,
	       tot.escalations);
	lkh_free(&hist);
	return 0;
}
