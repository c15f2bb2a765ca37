/*
 * tests/test_lockmgr_shm_kill.c: the shared lock table's kill tests
 * (lockmgr/SHARED.md): processes running random txns are SIGKILLed, at
 * pauses holding locks (kill_test) or anywhere, inside latches too
 * (kill_anywhere, _hier, _lease), and after each recovery no lock of a
 * dead process is left, holders are compatible, exclusive tokens only
 * increase; at the end every live process finishes (no waiter stuck) and
 * the pools are whole. LK_SHM_KILLS sets the kill count (make stress-shm:
 * 1000). Kills at named points: test_lockmgr_shm_killat.c.
 */
#include "lockmgr_shm.h"

/* ---- the kill test ---------------------------------------------------------- */

static void pools_whole(lk_lockmgr_t *m, const char *who, int kills); /* below */

#define KCH 4   /* worker processes */
#define KRES 6  /* resources */
enum { K_RUN = 0, K_PAUSED = 1 };

struct karea {
	atomic_int state[KCH];
	atomic_ullong id[KCH];         /* the worker's current txn */
	atomic_ullong last_tok[KRES];  /* the last exclusive token seen */
	atomic_int bad;                /* a token that did not increase */
	atomic_int stop;
};
static struct karea *g_k;

/* Random txns on KRES resources under wait-die (a waiter is woken by a
 * grant or its timeout only); now and then it pauses holding its locks,
 * to be killed, with other workers parked behind it. */
static int worker(void *arg)
{
	orphan_dies();
	int c = (int)(intptr_t)arg;
	unsigned seed = (unsigned)getpid() * 2654435761u;
	while (!atomic_load(&g_k->stop)) {
		lk_txn_t *t;
		if (lk_txn_begin(g_m, &t) != LK_OK)
			return 40;
		atomic_store(&g_k->id[c], lk_txn_id(t));
		/* age a little: under wait-die only an older txn waits, and
		 * the kills want waiters parked behind paused (younger) ones */
		lkp_sleep_ms(rand_r(&seed) % 2 ? 0 : 4 + rand_r(&seed) % 8);
		int n = 1 + (int)(rand_r(&seed) % 3), rc = LK_OK;
		for (int i = 0; i < n && rc == LK_OK; i++) {
			uint32_t k = (uint32_t)rand_r(&seed) % KRES;
			int mode = rand_r(&seed) % 2 ? LK_X : LK_S;
			lk_res_t r = R(k);
			uint64_t tok = 0;
			rc = lk_lock_ex(t, &r, mode, 30 * SEC, 0, &tok);
			if (rc == LK_OK && mode == LK_X && tok &&
			    lk_held_mode(t, &r) == LK_X) {
				/* exclusive: recorded while held, so in grant order */
				uint64_t prev = atomic_exchange(&g_k->last_tok[k], tok);
				if (tok < prev)
					atomic_fetch_add(&g_k->bad, 1);
			}
		}
		if (rc != LK_OK && rc != LK_DEADLOCK)
			return 41;
		if (rc == LK_OK && rand_r(&seed) % 4 == 0 && !atomic_load(&g_k->stop)) {
			atomic_store(&g_k->state[c], K_PAUSED);
			for (;;)
				pause(); /* holding: wait to be killed */
		}
		if ((rc == LK_OK ? lk_txn_commit(t) : lk_txn_abort(t)) != LK_OK)
			return 42;
		atomic_store(&g_k->id[c], 0);
	}
	return 0;
}

/* Is worker c parked behind paused workers only, so that it holds no
 * latch of the table and nothing can wake it (wait-die: no wounds, no
 * detector; its timeout is far; its recovery poll finds no dead process,
 * since the parent recovers after every kill)? *blocker: a worker it
 * waits for. */
static bool parked_behind_paused(int c, int *blocker)
{
	uint64_t ids[16];
	uint64_t id = atomic_load(&g_k->id[c]);
	size_t n = id ? lk_blocking_set_id(g_m, id, ids, 16) : 0;
	if (!n || n > 16)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool paused = false;
		for (int d = 0; d < KCH; d++)
			if (atomic_load(&g_k->state[d]) == K_PAUSED &&
			    atomic_load(&g_k->id[d]) == ids[i]) {
				paused = true;
				*blocker = d;
			}
		if (!paused)
			return false;
	}
	/* still behind the same txn, and the same txn */
	return atomic_load(&g_k->id[c]) == id;
}

/* Per resource, the holders are compatible (an X alone), and no txn of a
 * dead process (ids in dead[0..nd)) is left. */
static void check_table(const uint64_t *dead, size_t nd)
{
	lk_lockinfo_t info[256];
	size_t n = lk_snapshot(g_m, info, 256);
	cr_assert(n <= 256);
	for (size_t i = 0; i < n; i++) {
		for (size_t d = 0; d < nd; d++)
			cr_assert_neq(info[i].txn_id, dead[d],
				      "a dead process's txn %llu is still in the table",
				      (unsigned long long)dead[d]);
		if (!info[i].granted)
			continue;
		for (size_t j = 0; j < n; j++)
			if (j != i && info[j].granted &&
			    lk_res_equal(&info[i].res, &info[j].res))
				cr_assert(!lk_mode_conflicts(lk_modetable_default(),
							     info[i].mode, info[j].mode),
					  "incompatible holders");
	}
}

Test(lockmgr_shm, kill_test, .timeout = 300)
{
	const char *e = getenv("LK_SHM_KILLS");
	int kills = e ? atoi(e) : 40;
	g_m = mk(&g_fd, LK_POLICY_WAIT_DIE);
	g_k = (struct karea *)lkp_shared(sizeof *g_k);
	pid_t pid[KCH];
	for (int c = 0; c < KCH; c++)
		pid[c] = lkp_spawn(worker, (void *)(intptr_t)c);
	unsigned seed = 12345;
	uint64_t dead[64];
	size_t nd = 0;
	int done = 0, waiters_killed = 0, holders_killed = 0, pairs = 0;
	uint64_t t0 = lkt_now_ns_();
	while (done < kills || !waiters_killed) {
		cr_assert(lkt_now_ns_() - t0 < 240 * SEC, "%d kills in 240 s", done);
		lkp_sleep_ms(1 + rand_r(&seed) % 4);
		/* a parked waiter if there is one; else, now and then, a
		 * paused holder (not at once: waiters pile up behind it) */
		int c = -1, b = -1, start = (int)(rand_r(&seed) % KCH);
		for (int i = 0; i < KCH && c < 0; i++) {
			int d = (start + i) % KCH;
			if (atomic_load(&g_k->state[d]) != K_PAUSED &&
			    parked_behind_paused(d, &b))
				c = d;
		}
		if (c < 0) {
			c = start;
			if (atomic_load(&g_k->state[c]) != K_PAUSED || rand_r(&seed) % 3)
				continue;
		}
		bool paused = atomic_load(&g_k->state[c]) == K_PAUSED;
		int victims[2] = {c, -1};
		/* a parked waiter, and every other time the paused worker it
		 * waits for too, before any recovery: the recovery that
		 * aborts the holder may grant the dead waiter first */
		if (!paused && rand_r(&seed) % 2)
			victims[1] = b;
		for (int v = 0; v < 2 && victims[v] >= 0; v++) {
			int d = victims[v];
			uint64_t id = atomic_load(&g_k->id[d]);
			bool p = atomic_load(&g_k->state[d]) == K_PAUSED;
			kill_join(pid[d]);
			if (id && nd < 64)
				dead[nd++] = id;
			p ? holders_killed++ : waiters_killed++;
			done++;
		}
		pairs += victims[1] >= 0;
		uint32_t np = 0;
		cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
		check_table(dead, nd);
		nd = 0;
		for (int v = 0; v < 2 && victims[v] >= 0; v++) {
			int d = victims[v];
			atomic_store(&g_k->state[d], K_RUN);
			atomic_store(&g_k->id[d], 0);
			pid[d] = lkp_spawn(worker, (void *)(intptr_t)d);
		}
	}
	atomic_store(&g_k->stop, 1);
	for (int c = 0; c < KCH; c++)
		if (atomic_load(&g_k->state[c]) == K_PAUSED) {
			uint64_t id = atomic_load(&g_k->id[c]);
			kill_join(pid[c]);
			if (nd < 64)
				dead[nd++] = id;
			pid[c] = 0;
		}
	uint32_t np = 0;
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	/* no waiter stuck: every live worker finishes */
	for (int c = 0; c < KCH; c++)
		if (pid[c])
			cr_assert_eq(lkp_join_within(pid[c], 30000), 0, "worker %d", c);
	check_table(dead, nd);
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u, "the table is empty at the end");
	cr_assert_eq(atomic_load(&g_k->bad), 0, "tokens went backwards");
	cr_assert_gt(holders_killed, 0);
	cr_assert_gt(waiters_killed, 0);
	cr_log_info("kill_test: %d kills (%d paused holders, %d parked waiters, "
		    "%d waiter+holder pairs)\n", done, holders_killed,
		    waiters_killed, pairs);
	pools_whole(g_m, "kill_test", done);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* ---- kills anywhere ----------------------------------------------------- */

/* The table's own view, for the watchdog and the log (lockmgr/repair.c;
 * in the static library, not exported by the shared one). */
size_t lk__shm_latched(lk_lockmgr_t *m, char *buf, size_t cap);
uint64_t lk__shm_takeovers(const lk_lockmgr_t *m);
uint64_t lk__shm_given_back(const lk_lockmgr_t *m);
int lk__pool_census(lk_lockmgr_t *m, uint32_t out[9]);

/* After every kill and recovery, with every worker ended: each request,
 * head and txn slot is free or held by a live txn (there are none now)
 * (SHARED.md "Pool entries in flight", "The pool stop"). A kill inside a
 * move (a CAS and a store apart: the residue windows) left an entry, or a
 * refill's batch, in no place; the recovery's pool stop gave it back. A
 * stop that found a section under way for too long gave up and left it to
 * the next recovery: one more, now that no section can be under way, and
 * then nothing may be lost, nor in two places. */
static void pools_whole(lk_lockmgr_t *m, const char *who, int kills)
{
	uint32_t c[9], np = 0;
	cr_assert_eq(lk_lockmgr_recover(m, &np), LK_OK);
	cr_assert_eq(lk__pool_census(m, c), 1);
	cr_log_info("%s: %d kills; the pool stops gave back %llu entries; census: %u requests "
		    "(%u chains), %u heads (%u chains), %u txn slots lost (%u, %u, %u of them the "
		    "reclaim's); %u entries in two places\n",
		    who, kills, (unsigned long long)lk__shm_given_back(m), c[0], c[7], c[1], c[8],
		    c[2], c[4], c[5], c[6], c[3]);
	cr_assert_eq(c[3], 0u, "%s: %u pool entries in two places", who, c[3]);
	cr_assert_eq(c[0], 0u, "%s: %u requests (%u chains) lost to the kills", who, c[0], c[7]);
	cr_assert_eq(c[1], 0u, "%s: %u heads (%u chains) lost to the kills", who, c[1], c[8]);
	cr_assert_eq(c[2], 0u, "%s: %u txn slots lost to the kills", who, c[2]);
}

#define ACH 4    /* worker processes */
#define ARES 24  /* resources: heads are made and freed (bucket latches) */

struct aarea {
	atomic_ullong id[ACH];        /* the worker's current txn (0: none) */
	atomic_ullong txns;           /* txns ended, all workers */
	atomic_ullong last_tok[ARES]; /* the last exclusive token seen */
	atomic_int bad;               /* a token that did not increase */
	atomic_int stop;
};
static struct aarea *g_x;
static bool g_hier; /* rows of two tables, intention locks on the fast path */
static bool g_lease; /* txns on leases of 1-3 ms: lapses revoke their locks */

/* Resource k: an advisory one, or (g_hier) a row of table 1 or 2 (its
 * database and table get IS/IX records on the fast path), or now and then
 * a table itself in S or X (a strong lock: records move to the table). */
static lk_res_t any_res(uint32_t k, unsigned *seed)
{
	if (!g_hier)
		return R(k);
	if (rand_r(seed) % 8 == 0)
		return lk_res_table(1, 1 + k % 2);
	return lk_res_row(1, 1 + k % 2, 0, k);
}

/* Random txns with no pause: lock (S or X, a wait of up to 30 s), now and
 * then an early unlock, commit or abort; killed anywhere in that. */
/* A worker that quits says why: the parent finds it only at its next
 * kill, and a watchdog report would show it exited. */
static int any_quits(int c, int code, int rc)
{
	fprintf(stderr, "kill_anywhere: worker %d quits (%d): %s (%d)\n", c, code,
		lk_strerror(rc), rc);
	return code;
}

static int worker_any(void *arg)
{
	orphan_dies();
	int c = (int)(intptr_t)arg;
	unsigned seed = (unsigned)getpid() * 2654435761u;
	while (!atomic_load(&g_x->stop)) {
		lk_txn_t *t;
		/* drawn only with leases: the others' random txns stay as
		 * they were */
		uint64_t lease = g_lease ? (1 + rand_r(&seed) % 3) * (SEC / 1000) : 0;
		int b = g_lease ? lk_txn_begin_lease(g_m, lease, &t) : lk_txn_begin(g_m, &t);
		if (b != LK_OK)
			return any_quits(c, 40, b);
		atomic_store(&g_x->id[c], lk_txn_id(t));
		int n = 1 + (int)(rand_r(&seed) % 4), rc = LK_OK;
		for (int i = 0; i < n && rc == LK_OK; i++) {
			uint32_t k = (uint32_t)rand_r(&seed) % ARES;
			int mode = rand_r(&seed) % 2 ? LK_X : LK_S;
			lk_res_t r = any_res(k, &seed);
			uint64_t tok = 0;
			rc = lk_lock_ex(t, &r, mode, 30 * SEC, 0, &tok);
			if (g_lease && rc == LK_OK && rand_r(&seed) % 2 == 0)
				rc = lk_lease_renew(t, lease);
			/* a lapse may hand the lock on before the token is
			 * recorded: leased txns check no order here */
			if (!g_lease && rc == LK_OK && mode == LK_X && tok && r.kind != LK_RES_TABLE &&
			    lk_held_mode(t, &r) == LK_X) {
				uint64_t prev = atomic_exchange(&g_x->last_tok[k], tok);
				if (tok < prev)
					atomic_fetch_add(&g_x->bad, 1);
			}
			if (rc == LK_OK && rand_r(&seed) % 8 == 0) {
				/* NOTHELD: a row its table lock covers */
				int u = lk_unlock(t, &r);
				rc = u == LK_OK || u == LK_NOTHELD		? LK_OK
				     : g_lease && u == LK_LEASE_LAPSED ? u
									: 43;
			}
		}
		if (rc != LK_OK && rc != LK_DEADLOCK && !(g_lease && rc == LK_LEASE_LAPSED))
			return any_quits(c, rc == 43 ? 43 : 41, rc);
		int e = rc == LK_OK && rand_r(&seed) % 4 ? lk_txn_commit(t) : lk_txn_abort(t);
		if (g_lease && e == LK_LEASE_LAPSED) /* no commit: it ends by abort */
			e = lk_txn_abort(t);
		if (e != LK_OK)
			return any_quits(c, 42, e);
		atomic_store(&g_x->id[c], 0);
		atomic_fetch_add(&g_x->txns, 1);
	}
	return 0;
}

/* The watchdog: the live workers end txns again within 10 s of a
 * recovery; if not, the failure names the latches held. */
static void await_progress(const char *when)
{
	uint64_t t0 = atomic_load(&g_x->txns);
	for (int i = 0; i < 10000; i++) {
		if (atomic_load(&g_x->txns) > t0 + ACH)
			return;
		lkp_sleep_ms(1);
	}
	char buf[2048];
	lk__shm_latched(g_m, buf, sizeof buf);
	cr_assert_fail("no progress for 10 s %s; latched: %s", when,
		       buf[0] ? buf : "none");
}

/* The watchdog thread: if neither the parent's kills nor the workers'
 * txns move for 10 s (a recovery stuck on a latch, say), it names the
 * latches held and aborts the test. */
static atomic_ullong g_beat;
static atomic_int g_wd_stop;
static pid_t g_pid[ACH];           /* the workers, for the watchdog's report */
static const char *_Atomic g_phase; /* where the parent is */

/* What each worker is doing: its process state (R, S, Z: exited) and
 * kernel wait channel, its txn and the txns it waits for. */
static void report_workers(void)
{
	fprintf(stderr, "kill_anywhere: parent: %s\n", atomic_load(&g_phase));
	for (int c = 0; c < ACH; c++) {
		char path[64], st[256] = "?", wch[64] = "?";
		snprintf(path, sizeof path, "/proc/%d/stat", (int)g_pid[c]);
		FILE *f = fopen(path, "r");
		if (f) {
			if (!fgets(st, sizeof st, f))
				st[0] = 0;
			fclose(f);
		}
		char *rp = strrchr(st, ')');
		char state = rp && rp[1] ? rp[2] : '?';
		snprintf(path, sizeof path, "/proc/%d/wchan", (int)g_pid[c]);
		f = fopen(path, "r");
		if (f) {
			size_t n = fread(wch, 1, sizeof wch - 1, f);
			wch[n] = 0;
			fclose(f);
		}
		uint64_t id = atomic_load(&g_x->id[c]), ids[8];
		size_t nb = id ? lk_blocking_set_id(g_m, id, ids, 8) : 0;
		fprintf(stderr, "  worker %d pid %d state %c wchan %s txn %llu waits for %zu:",
			c, (int)g_pid[c], state, wch, (unsigned long long)id, nb);
		for (size_t i = 0; i < nb && i < 8; i++)
			fprintf(stderr, " %llu", (unsigned long long)ids[i]);
		fprintf(stderr, "\n");
	}
	lk_lockinfo_t info[64];
	size_t n = lk_snapshot(g_m, info, 64);
	fprintf(stderr, "  the table: %zu entries\n", n);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, "    res kind %d key %llu txn %llu mode %d want %d%s%s\n",
			(int)info[i].res.kind, (unsigned long long)info[i].res.f[0],
			(unsigned long long)info[i].txn_id, info[i].mode, info[i].want,
			info[i].granted ? " granted" : "", info[i].waiting ? " waiting" : "");
}

static void *watchdog(void *arg)
{
	(void)arg;
	uint64_t last = 0, since = lkt_now_ns_();
	while (!atomic_load(&g_wd_stop)) {
		uint64_t b = atomic_load(&g_beat) + atomic_load(&g_x->txns);
		if (b != last) {
			last = b;
			since = lkt_now_ns_();
		} else if (lkt_now_ns_() - since > 10 * SEC) {
			char buf[2048];
			lk__shm_latched(g_m, buf, sizeof buf);
			fprintf(stderr, "kill_anywhere: watchdog: nothing moved for 10 s; "
				"latched: %s\n", buf[0] ? buf : "none");
			report_workers();
			abort();
		}
		lkp_sleep_ms(100);
	}
	return NULL;
}

static void kill_anywhere(bool hier, bool lease)
{
	const char *e = getenv("LK_SHM_KILLS");
	int kills = e ? atoi(e) : 20;
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.max_txns = 256;        /* a kill in begin or end loses its slot */
	cfg.max_requests = 1 << 15; /* a kill in a call may lose a request */
	cfg.policy = LK_POLICY_WAIT_DIE;
	cfg.hierarchy = hier;
	cfg.escalation_threshold = hier ? 2 : 0; /* escalations, often */
	g_hier = hier;
	g_lease = lease;
	g_fd = memfd_create("lk-shm-any", 0);
	cr_assert(g_fd >= 0);
	cr_assert_eq(lk_lockmgr_create_shared(g_fd, &cfg, &g_m), LK_OK);
	g_x = (struct aarea *)lkp_shared(sizeof *g_x);
	pid_t *pid = g_pid;
	atomic_store(&g_phase, "start");
	for (int c = 0; c < ACH; c++)
		pid[c] = lkp_spawn(worker_any, (void *)(intptr_t)c);
	unsigned seed = 4242;
	uint64_t t0 = lkt_now_ns_(), tk0 = lk__shm_takeovers(g_m);
	pthread_t wd;
	atomic_store(&g_wd_stop, 0);
	cr_assert_eq(pthread_create(&wd, NULL, watchdog, NULL), 0);
	int done = 0;
	for (; done < kills; done++) {
		atomic_fetch_add(&g_beat, 1);
		cr_assert(lkt_now_ns_() - t0 < 240 * SEC, "%d kills in 240 s", done);
		/* a random moment: 0.1 to 3 ms into its run */
		struct timespec ts = {0, 100000 + (long)(rand_r(&seed) % 2900000)};
		nanosleep(&ts, NULL);
		/* one worker; every fifth time two, before one recovery */
		int c = (int)(rand_r(&seed) % ACH), nv = done % 5 == 4 ? 2 : 1;
		uint64_t dead[2];
		size_t nd = 0;
		for (int v = 0; v < nv; v++) {
			int d = (c + v) % ACH;
			atomic_store(&g_phase, "kill_join");
			kill_join(pid[d]);
			/* its txn: the one it published, or (killed in
			 * begin) none */
			if ((dead[nd] = atomic_load(&g_x->id[d])))
				nd++;
		}
		done += nv - 1;
		uint32_t np = 0;
		atomic_store(&g_phase, "recover");
		cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
		atomic_store(&g_phase, "check_table");
		check_table(dead, nd);
		atomic_store(&g_phase, "spawn");
		for (int v = 0; v < nv; v++) {
			int d = (c + v) % ACH;
			atomic_store(&g_x->id[d], 0);
			pid[d] = lkp_spawn(worker_any, (void *)(intptr_t)d);
		}
		atomic_store(&g_phase, "await_progress");
		if (done % 10 == 9)
			await_progress("after a kill");
		atomic_store(&g_phase, "sleep");
	}
	await_progress("at the end");
	atomic_store(&g_phase, "join the workers");
	atomic_store(&g_x->stop, 1);
	/* no waiter stuck: every live worker finishes */
	for (int c = 0; c < ACH; c++) {
		atomic_fetch_add(&g_beat, 1);
		cr_assert_eq(lkp_join_within(pid[c], 30000), 0, "worker %d", c);
	}
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u, "the table is empty at the end");
	cr_assert_eq(atomic_load(&g_x->bad), 0, "tokens went backwards");
	atomic_store(&g_wd_stop, 1);
	pthread_join(wd, NULL);
	lk_stats_t st;
	lk_lockmgr_stats(g_m, &st);
	cr_log_info("kill_anywhere%s: %d kills, %llu latches taken over from dead "
		    "holders, %llu txns; after: %u requests in use (lost to kills), "
		    "%u heads chained, %u txns active, %llu escalations\n",
		    lease ? "_lease" : hier ? "_hier" : "", done,
		    (unsigned long long)(lk__shm_takeovers(g_m) - tk0),
		    (unsigned long long)atomic_load(&g_x->txns), st.requests_used,
		    st.heads_used, st.txns_active, (unsigned long long)st.escalations);
	pools_whole(g_m, lease  ? "kill_anywhere_lease"
			 : hier ? "kill_anywhere_hier"
				: "kill_anywhere",
		    done);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

Test(lockmgr_shm, kill_anywhere, .timeout = 300)
{
	kill_anywhere(false, false);
}

/* The same on rows under tables: kills inside the fast path's latch and a
 * strong locker's move of records too. */
Test(lockmgr_shm, kill_anywhere_hier, .timeout = 300)
{
	kill_anywhere(true, false);
}

/* The same with every txn on a lease of 1-3 ms: waiters revoke the
 * locks of lapsed holders (lease.c) while holders are killed anywhere,
 * inside latches too; a revoked request of a dead txn pins its head until
 * the recovery gives it back (reclaim.c), so the heads' census and the
 * empty table at the end fail if it does not. */
Test(lockmgr_shm, kill_anywhere_lease, .timeout = 300)
{
	kill_anywhere(false, true);
}
