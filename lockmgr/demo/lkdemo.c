/*
 * lkdemo: the lock table, live. A few threads run short transactions on a
 * small database (one table of 2 pages x 4 rows, plus an advisory key),
 * hold their locks a little while, and sometimes collide; the main thread
 * prints the table a few times the way PostgreSQL's pg_locks would show
 * it, each waiter's blocking set (pg_blocking_pids), the wait-for graph as
 * Graphviz DOT and the counters, then stops the workload and exits.
 *
 *   lkdemo [-n SNAPSHOTS] [-i INTERVAL_MS] [-t THREADS] [-p detect|wait_die|wound_wait|no_wait]
 */
#include <latchkit/lockmgr.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_THREADS 32
#define SNAP_CAP 1024

static lk_lockmgr_t *mgr;
static atomic_int stop;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static uint32_t rnd(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x ? x : 1u;
}

static void res_str(const lk_res_t *r, char *buf, size_t n)
{
	switch (r->kind) {
	case LK_RES_DATABASE:
		snprintf(buf, n, "database %u", r->f[0]);
		break;
	case LK_RES_TABLE:
		snprintf(buf, n, "table %u.%u", r->f[0], r->f[1]);
		break;
	case LK_RES_PAGE:
		snprintf(buf, n, "page %u.%u.%u", r->f[0], r->f[1], r->f[2]);
		break;
	case LK_RES_ROW:
		snprintf(buf, n, "row %u.%u.%u.%u", r->f[0], r->f[1], r->f[2], r->f[3]);
		break;
	case LK_RES_ADVISORY:
		snprintf(buf, n, "advisory %u/%u", r->f[0], r->f[1]);
		break;
	default:
		snprintf(buf, n, "kind%u %u.%u.%u.%u", r->kind, r->f[0], r->f[1], r->f[2],
			 r->f[3]);
	}
}

/* One txn: read a few rows, sometimes update one, sometimes take the table
 * or the advisory key; hold it all a few ms; commit (or abort if told). */
static void *worker(void *arg)
{
	uint32_t s = (uint32_t)(uintptr_t)arg * 2654435761u + 1;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		lk_txn_t *t;
		if (lk_txn_begin(mgr, &t) != LK_OK) {
			sleep_ms(1);
			continue;
		}
		int rc = LK_OK;
		for (int i = 0; i < 3 && rc == LK_OK; i++) {
			uint32_t x = rnd(&s);
			lk_res_t r;
			int mode;
			switch (x % 10) {
			case 0:
				r = lk_res_table(1, 1);
				mode = (x >> 8) % 3 == 0 ? LK_X : LK_S;
				break;
			case 1:
				r = lk_res_advisory(42, 0);
				mode = LK_X;
				break;
			default:
				r = lk_res_row(1, 1, 1 + ((x >> 4) & 1), 1 + ((x >> 5) % 4));
				mode = (x >> 9) % 3 == 0 ? LK_X : LK_S;
			}
			rc = lk_lock(t, &r, mode, 300000000u /* 300 ms */, 0);
			sleep_ms(2 + (x >> 12) % 8); /* "work" while holding */
		}
		if (rc == LK_DEADLOCK || rc == LK_WOUNDED)
			lk_txn_abort(t);
		else
			lk_txn_commit(t);
	}
	return NULL;
}

static void show(int k)
{
	static lk_lockinfo_t info[SNAP_CAP];
	const lk_modetable_t *mt = lk_modetable_default();
	size_t n = lk_snapshot(mgr, info, SNAP_CAP);
	if (n > SNAP_CAP)
		n = SNAP_CAP;
	printf("\n=== snapshot %d: %zu lock requests ===\n", k, n);
	printf("%-20s %6s %-6s %-6s %-8s %10s\n", "resource", "txn", "mode", "want",
	       "granted", "waited_ms");
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	for (size_t i = 0; i < n; i++) {
		char rs[48];
		res_str(&info[i].res, rs, sizeof rs);
		const lk_lockinfo_t *e = &info[i];
		double w = e->waiting && e->wait_start_ns ? (double)(now - e->wait_start_ns) / 1e6 : 0;
		printf("%-20s %6llu %-6s %-6s %-8s %10.1f\n", rs, (unsigned long long)e->txn_id,
		       e->granted || !e->waiting ? mt->names[e->mode] : "-",
		       mt->names[e->want], e->granted ? "yes" : "waiting", w);
	}
	printf("--- blocking sets (like pg_blocking_pids) ---\n");
	int shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!info[i].waiting)
			continue;
		uint64_t ids[16];
		size_t b = lk_blocking_set_id(mgr, info[i].txn_id, ids, 16);
		printf("txn %llu waits for:", (unsigned long long)info[i].txn_id);
		for (size_t j = 0; j < b && j < 16; j++)
			printf(" %llu", (unsigned long long)ids[j]);
		printf("%s\n", b ? "" : " (granted meanwhile)");
		shown++;
	}
	if (!shown)
		printf("(nobody waits right now)\n");
	printf("--- wait-for graph (DOT) ---\n");
	fflush(stdout);
	lk_waitfor_dot(mgr, stdout);
	lk_stats_t st;
	lk_lockmgr_stats(mgr, &st);
	printf("--- counters ---\nacquired %llu, waited %llu, deadlocks %llu, timeouts %llu, "
	       "wouldblocks %llu, wounds %llu, escalations %llu, commits %llu, aborts %llu; "
	       "txns %u/%u, requests %u/%u, heads %u/%u\n",
	       (unsigned long long)st.acquired, (unsigned long long)st.waited,
	       (unsigned long long)st.deadlocks, (unsigned long long)st.timeouts,
	       (unsigned long long)st.wouldblocks, (unsigned long long)st.wounds,
	       (unsigned long long)st.escalations, (unsigned long long)st.commits,
	       (unsigned long long)st.aborts, st.txns_active, st.txns_max, st.requests_used,
	       st.requests_max, st.heads_used, st.heads_max);
}

int main(int argc, char **argv)
{
	int snaps = 3, interval = 150, threads = 6, policy = LK_POLICY_DETECT;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			snaps = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-i"))
			interval = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-t"))
			threads = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-p")) {
			const char *p = argv[i + 1];
			policy = !strcmp(p, "wait_die")     ? LK_POLICY_WAIT_DIE
				 : !strcmp(p, "wound_wait") ? LK_POLICY_WOUND_WAIT
				 : !strcmp(p, "no_wait")    ? LK_POLICY_NO_WAIT
							    : LK_POLICY_DETECT;
		}
	}
	if (threads < 1 || threads > MAX_THREADS)
		threads = 6;
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.policy = policy;
	cfg.max_txns = 64;
	cfg.max_requests = 4096;
	int rc = lk_lockmgr_create(&cfg, &mgr);
	if (rc != LK_OK) {
		fprintf(stderr, "lk_lockmgr_create: %s\n", lk_strerror(rc));
		return 1;
	}
	static const char *const pn[4] = {"no_wait", "wait_die", "wound_wait", "detect"};
	printf("lkdemo: %d threads, policy %s, %d snapshots %d ms apart\n", threads, pn[policy],
	       snaps, interval);
	pthread_t th[MAX_THREADS];
	for (int i = 0; i < threads; i++)
		pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)(i + 1));
	for (int k = 1; k <= snaps; k++) {
		sleep_ms((unsigned)interval);
		show(k);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	size_t left = lk_snapshot(mgr, NULL, 0);
	printf("\nstopped: %zu lock requests left (expect 0)\n", left);
	lk_lockmgr_destroy(mgr);
	return left == 0 ? 0 : 1;
}
