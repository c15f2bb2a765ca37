/*
 * stress_lease: leases on the lock table under random load (SHARED.md
 * "Leases"), white-box. Rounds of about 0.1 s until -d SECONDS are up;
 * each round a new manager with the next policy (NO_WAIT, WAIT_DIE,
 * WOUND_WAIT, DETECT), escalation on in every other cycle of four.
 * -t THREADS run random txns on a small hierarchy (1 db, 2 tables, 2 pages
 * each, 2 rows each, 2 advisory keys): half with a lease of 0.2-2 ms, that
 * now and then sleep past it (so their locks are handed on while they run:
 * in the middle of an unlock, a commit, an escalation), renew, unlock
 * early, commit or abort.
 * Checked on every step: return codes are legal (LK_LEASE_LAPSED only for
 * a leased txn; a lapsed txn's commit fails and its abort succeeds); every
 * exclusive token on a resource goes to one txn (a hand-on takes the next
 * one: a token given twice would let a fenced store accept two holders); a
 * monitor thread reads lk_snapshot: no resource shows incompatible
 * granted modes. At the end of each round: no lock is left, no txn
 * active, and no head is pinned by a revoked request (h->revoked: read
 * from the manager's heads, hence the internal header).
 */
#include "stress.h"
#include "snapshot.h"

#include <latchkit/lockmgr.h>
#include "../../lockmgr/lockmgr_int.h"

#define ROUND_NS 100000000ull
#define NRES 16
#define TOKCAP 65536 /* tokens remembered per resource */

typedef struct {
	lk_lockmgr_t *m;
	atomic_int stop;
	bool esc; /* escalation on: a row lock may return its table's token */
	atomic_uint_fast64_t seen[NRES][TOKCAP]; /* the txn granted it */
	atomic_uint_fast64_t ops, lapsed, handed, commits;
} ctx_t;

static lk_res_t res_of(uint32_t i)
{
	if (i < 2)
		return lk_res_advisory(1 + i, 0);
	i -= 2; /* 2 tables x 2 pages x (the page, 2 rows) + 2 tables */
	if (i < 2)
		return lk_res_table(1, 1 + i);
	i -= 2;
	uint32_t tab = 1 + (i & 1), page = 1 + ((i >> 1) & 1), k = i >> 2;
	return k == 0 ? lk_res_page(1, tab, page) : lk_res_row(1, tab, page, k);
}

static uint32_t res_index(const lk_res_t *r)
{
	for (uint32_t i = 0; i < NRES; i++) {
		lk_res_t x = res_of(i);
		if (lk_res_equal(&x, r))
			return i;
	}
	return NRES;
}

/* A relock returns its txn's token again; another txn never gets it. */
static void token_seen(ctx_t *c, const lk_res_t *r, uint64_t tok, uint64_t id)
{
	uint32_t i = res_index(r);
	if (!tok || i >= NRES || tok >= TOKCAP || (c->esc && r->kind == LK_RES_ROW))
		return;
	uint64_t was = atomic_exchange(&c->seen[i][tok], id);
	if (was && was != id)
		stress_fail("token %llu on resource %u granted to txns %llu and %llu",
			    (unsigned long long)tok, i, (unsigned long long)was,
			    (unsigned long long)id);
}

static void nap_us(uint32_t us)
{
	struct timespec ts = {0, (long)us * 1000};
	nanosleep(&ts, NULL);
}

static void *worker(ctx_t *c, int id)
{
	uint32_t rnd = 0x9e3779b9u * (uint32_t)(id + 1);
	const int modes[6] = {LK_IS, LK_IX, LK_S, LK_U, LK_X, LK_X};
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		bool leased = stress_rand(&rnd) & 1;
		lk_txn_t *t;
		stress_doing("begin");
		int rc = leased ? lk_txn_begin_lease(c->m, 200000 + stress_rand(&rnd) % 1800000, &t)
				: lk_txn_begin(c->m, &t);
		if (rc == LK_NOMEM)
			continue;
		if (rc != LK_OK)
			stress_fail("begin: %s", lk_strerror(rc));
		bool lapsed = false, dead = false;
		int n = 1 + (int)(stress_rand(&rnd) % 4);
		for (int k = 0; k < n && !dead; k++) {
			lk_res_t r = res_of(stress_rand(&rnd) % NRES);
			int mode = modes[stress_rand(&rnd) % 6];
			uint64_t to = (uint64_t[]){0, 100000, 1000000, 5000000}[stress_rand(&rnd) % 4];
			uint64_t tok = 0;
			stress_doing("lock");
			rc = lk_lock_ex(t, &r, mode, to, 0, &tok);
			atomic_fetch_add(&c->ops, 1);
			switch (rc) {
			case LK_OK:
				token_seen(c, &r, tok, lk_txn_id(t));
				break;
			case LK_LEASE_LAPSED:
				if (!leased)
					stress_fail("LK_LEASE_LAPSED for a txn without a lease");
				lapsed = true;
				dead = true;
				break;
			case LK_DEADLOCK:
			case LK_WOUNDED:
				dead = true;
				break;
			case LK_WOULDBLOCK:
			case LK_TIMEOUT:
			case LK_NOMEM:
				break;
			default:
				stress_fail("lock: %s", lk_strerror(rc));
			}
			uint32_t x = stress_rand(&rnd) % 16;
			if (leased && x < 3) {
				stress_doing("sleep past the lease");
				nap_us(500 + stress_rand(&rnd) % 2500);
			} else if (leased && x < 6) {
				rc = lk_lease_renew(t, 1000000);
				if (rc == LK_LEASE_LAPSED)
					lapsed = true;
				else if (rc != LK_OK)
					stress_fail("renew: %s", lk_strerror(rc));
			} else if (x < 8 && rc == LK_OK) {
				stress_doing("unlock");
				rc = lk_unlock(t, &r);
				if (rc == LK_LEASE_LAPSED && !leased)
					stress_fail("unlock: lapsed without a lease");
				if (rc != LK_OK && rc != LK_NOTHELD && rc != LK_LEASE_LAPSED)
					stress_fail("unlock: %s", lk_strerror(rc));
			}
			stress_jitter(&rnd);
		}
		stress_doing("end");
		if (stress_rand(&rnd) % 4 == 0) {
			rc = lk_txn_abort(t);
			if (rc != LK_OK)
				stress_fail("abort: %s", lk_strerror(rc));
			continue;
		}
		rc = lk_txn_commit(t);
		if (rc == LK_LEASE_LAPSED) {
			if (!leased)
				stress_fail("commit: lapsed without a lease");
			atomic_fetch_add(&c->lapsed, 1);
			rc = lk_txn_abort(t);
			if (rc != LK_OK)
				stress_fail("abort after a lapse: %s", lk_strerror(rc));
		} else if (rc != LK_OK) {
			stress_fail("commit: %s", lk_strerror(rc));
		} else {
			if (lapsed)
				stress_fail("a txn that saw its lease lapse committed");
			atomic_fetch_add(&c->commits, 1);
		}
	}
	return NULL;
}

static lk_lockinfo_t snap[512];

static void *monitor(ctx_t *c)
{
	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		stress_snapshot_check(c->m, snap, 512);
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

static void *dispatch(void *p, int id)
{
	all_t *a = (all_t *)p;
	if (id == a->workers)
		return monitor(a->c);
	if (id == a->workers + 1) {
		while (stress_now_ns() < a->until) {
			stress_doing("timer");
			nap_us(5000);
		}
		atomic_store_explicit(&a->c->stop, 1, memory_order_relaxed);
		return NULL;
	}
	return worker(a->c, id);
}

/* A lapsed lease's requests went back: no head is pinned any more. */
static void no_pins(lk_lockmgr_t *m)
{
	for (uint32_t i = 1; i <= m->nheads; i++)
		if (m->heads[i].revoked)
			stress_fail("head %u still pinned by %u revoked requests", i,
				    m->heads[i].revoked);
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	int workers = o.threads;
	if (workers > STRESS_MAX_THREADS - 2)
		workers = STRESS_MAX_THREADS - 2;
	uint64_t end = stress_now_ns() + (uint64_t)(o.seconds * 1e9);
	unsigned rounds = 0;
	uint64_t ops = 0, lapsed = 0, commits = 0;
	static ctx_t c; /* 8 MB of tokens: static */
	do {
		lk_lockmgr_config_t cfg;
		lk_lockmgr_config_init(&cfg);
		cfg.policy = (int)(rounds % 4);
		cfg.max_txns = 64;
		cfg.max_requests = 1024;
		cfg.escalation_threshold = (rounds / 4) % 2 ? 1 : 0;
		memset(&c, 0, sizeof c);
		c.esc = cfg.escalation_threshold != 0;
		int rc = lk_lockmgr_create(&cfg, &c.m);
		if (rc != LK_OK)
			stress_fail("lk_lockmgr_create: %s", lk_strerror(rc));
		all_t a = {&c, workers, stress_now_ns() + ROUND_NS};
		if (a.until > end)
			a.until = end;
		stress_watch_name("lockmgr leases");
		stress_run(workers + 2, dispatch, &a);
		if (lk_snapshot(c.m, snap, 512) != 0)
			stress_fail("locks left in the table after every txn ended");
		lk_stats_t st;
		lk_lockmgr_stats(c.m, &st);
		if (st.txns_active != 0)
			stress_fail("%u txns still active", st.txns_active);
		no_pins(c.m);
		ops += atomic_load(&c.ops);
		lapsed += atomic_load(&c.lapsed);
		commits += atomic_load(&c.commits);
		lk_lockmgr_destroy(c.m);
		rounds++;
	} while (stress_now_ns() < end);
	printf("stress_lease: %u rounds, %llu lock calls, %llu commits, %llu commits refused (lapsed)\n",
	       rounds, (unsigned long long)ops, (unsigned long long)commits,
	       (unsigned long long)lapsed);
	return 0;
}
