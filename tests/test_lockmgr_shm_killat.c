/*
 * tests/test_lockmgr_shm_killat.c: the shared lock table's kills at named
 * points (lockmgr/SHARED.md): a child process dies where LK_SHM_KILL_AT
 * names (LK__TEST_KILL_AT, a no-op outside the nap build), and the
 * recovery must leave the table, its tokens and its pools whole. Built
 * with -DLK_SHM_TEST_NAP only (tests/tests.mk, make test-shm-killat).
 */
#include "lockmgr_shm.h"

#ifndef LK_SHM_TEST_NAP
#error "the kill points exist in the nap build only (-DLK_SHM_TEST_NAP)"
#endif

static atomic_int *g_held; /* shared: the child holds its lock */

/* The pools' census (lockmgr/reclaim.c; in the static library, not
 * exported by the shared one). */
uint64_t lk__shm_given_back(const lk_lockmgr_t *m);
int lk__pool_census(lk_lockmgr_t *m, uint32_t out[9]);

static int strong_then_die(void *arg)
{
	(void)arg;
	lk_txn_t *t;
	lk_res_t tab = lk_res_table(1, 1);
	setenv("LK_SHM_KILL_AT", "fp_uncount", 1);
	if (lk_txn_begin(g_m, &t) != LK_OK || lk_lock(t, &tab, LK_S, 0, 0) != LK_OK)
		return 40;
	lk_txn_commit(t); /* dies in it, between a partition's bit and count */
	return 41;
}

/* A txn killed while it gives its strong-lock counts back, and recovered:
 * another txn's strong lock on the same table still keeps weak lockers
 * off the fast path (SHARED.md "Strong counts"). Before, the count was
 * given back first and the recovery gave it back again: an IX record was
 * granted beside a live S. */
Test(lockmgr_shm, kill_at_fp_uncount)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.policy = LK_POLICY_WAIT_DIE;
	cfg.hierarchy = true;
	g_fd = memfd_create("lk-shm-killat", 0);
	cr_assert_eq(lk_lockmgr_create_shared(g_fd, &cfg, &g_m), LK_OK);
	lk_txn_t *a, *b;
	lk_res_t tab = lk_res_table(1, 1);
	cr_assert_eq(lk_txn_begin(g_m, &a), LK_OK);
	cr_assert_eq(lk_lock(a, &tab, LK_S, 0, 0), LK_OK); /* counts the partition */
	cr_assert_eq(lkp_join_within(lkp_spawn(strong_then_die, NULL), 10000), -1,
		     "the child dies at the kill point");
	uint32_t np = 0;
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	cr_assert_eq(np, 1u);
	cr_assert_eq(lk_txn_begin(g_m, &b), LK_OK);
	cr_assert_neq(lk_lock(b, &tab, LK_IX, 0, 0), LK_OK, "IX granted beside a live S");
	cr_assert_eq(lk_txn_abort(b), LK_OK);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* The holder that grants: it takes X on r, waits until the parent's
 * request queues behind it and has had time to park, then commits, and
 * dies in the grant (after the request is GRANTED, before the waiter's
 * wake word is set). */
static int hold_then_die_granting(void *arg)
{
	(void)arg;
	lk_txn_t *t;
	lk_res_t r = R(7);
	if (lk_txn_begin(g_m, &t) != LK_OK || lk_lock(t, &r, LK_X, 0, 0) != LK_OK)
		return 40;
	atomic_store(g_held, 1); /* held */
	size_t waiting = 0;
	for (int i = 0; i < 5000 && !waiting; i++) {
		entries_of(g_m, 0, &waiting);
		lkp_sleep_ms(1);
	}
	if (!waiting)
		return 42;
	lkp_sleep_ms(50); /* the waiter spends its spin budget and parks */
	setenv("LK_SHM_KILL_AT", "grant_signal", 1);
	lk_txn_commit(t); /* dies in the grant */
	return 41;
}

/* A granter killed between a waiter's GRANTED and its wake word: the
 * waiter learns of its grant at its next poll of the table (SHARED.md,
 * R5), not at its timeout. Before, it slept until the timeout (CI saw a
 * kill_anywhere worker asleep with its lock granted). */
Test(lockmgr_shm, kill_at_grant_signal)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.policy = LK_POLICY_WAIT_DIE; /* the parent's older txn waits */
	g_fd = memfd_create("lk-shm-killat", 0);
	cr_assert_eq(lk_lockmgr_create_shared(g_fd, &cfg, &g_m), LK_OK);
	g_held = (atomic_int *)lkp_shared(sizeof *g_held);
	lk_txn_t *a;
	lk_res_t r = R(7);
	cr_assert_eq(lk_txn_begin(g_m, &a), LK_OK); /* older than the child's */
	pid_t c = lkp_spawn(hold_then_die_granting, NULL);
	for (int i = 0; i < 5000 && !atomic_load(g_held); i++)
		lkp_sleep_ms(1);
	cr_assert_eq(atomic_load(g_held), 1, "the child holds r");
	uint64_t t0 = lkt_now_ns_(), tok = 0;
	int rc = lk_lock_ex(a, &r, LK_X, 20 * SEC, 0, &tok);
	uint64_t took = lkt_now_ns_() - t0;
	cr_assert_eq(lkp_join_within(c, 10000), -1, "the child dies at the kill point");
	cr_assert_eq(rc, LK_OK, "%s", lk_strerror(rc));
	cr_assert_eq(lk_held_mode(a, &r), LK_X);
	cr_assert_gt(tok, 1u, "a token after the child's");
	/* the poll is every 10 ms; the timeout 20 s: half of it is a lost
	 * grant, not a slow machine */
	cr_assert_lt(took, 10 * SEC, "the granted waiter slept %.1f s", took / 1e9);
	cr_assert_eq(lk_txn_commit(a), LK_OK);
	cr_assert_eq(entries_of(g_m, 0, NULL), 0u);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* arg: the mode (an int), or NULL for LK_X */
static int refill_then_die(void *arg)
{
	int mode = arg ? *(const int *)arg : LK_X;
	lk_txn_t *t;
	lk_res_t r = R(3);
	setenv("LK_SHM_KILL_AT", "cache_refill", 1);
	if (lk_txn_begin(g_m, &t) != LK_OK)
		return 40;
	lk_lock(t, &r, mode, 0, 0); /* its slot's caches are empty: dies in
				     * the first refill, after the pop */
	return 41;
}

/* A table with the default config, in g_m (a fresh memfd, g_fd). */
static void default_table(void)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	g_fd = memfd_create("lk-shm-killat", 0);
	cr_assert_eq(lk_lockmgr_create_shared(g_fd, &cfg, &g_m), LK_OK);
}

/* Recover the child's death; the pool stop gave back at least `want`
 * entries and the census finds none lost and none in two places. */
static void recovered_whole(const char *who, uint64_t back0, uint64_t want)
{
	uint32_t np = 0, c[9];
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	cr_assert_eq(np, 1u);
	cr_assert_eq(lk__pool_census(g_m, c), 1);
	uint64_t back = lk__shm_given_back(g_m) - back0;
	cr_log_info("%s: the stop gave back %llu; lost: %u requests, %u heads, %u slots\n", who,
		    (unsigned long long)back, c[0], c[1], c[2]);
	cr_assert_geq(back, want, "%s: the stop gave back %llu", who, (unsigned long long)back);
	cr_assert_eq(c[0] + c[1] + c[2], 0u, "%s: lost: requests %u, heads %u, slots %u", who,
		     c[0], c[1], c[2]);
	cr_assert_eq(c[3], 0u, "%s: %u entries in two places", who, c[3]);
}

/* The table still serves: a txn takes mode on R(n) and commits; then the
 * table goes. */
static void still_serves_then_destroy(uint32_t n, int mode)
{
	lk_txn_t *b;
	lk_res_t r = R(n);
	cr_assert_eq(lk_txn_begin(g_m, &b), LK_OK);
	cr_assert_eq(lk_lock(b, &r, mode, 0, 0), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* A kill between a refill's pop and its cache store: the popped batch is
 * in no place (a residue window, SHARED.md). The recovery's pool stop
 * gives the whole batch back, and the slot; nothing is in two places. */
Test(lockmgr_shm, kill_at_cache_refill)
{
	default_table();
	uint64_t back0 = lk__shm_given_back(g_m);
	cr_assert_eq(lkp_join_within(lkp_spawn(refill_then_die, NULL), 10000), -1,
		     "the child dies at the kill point");
	recovered_whole("kill_at_cache_refill", back0, 2); /* a batch, not one entry */
	still_serves_then_destroy(3, LK_X);
}

/* A child that takes X on R(n) and dies at kill point `at`: in its lock
 * (head_link) or in its commit (head_cache). */
struct at_arg {
	int n, mode;
	const char *at;
};

static int lock_then_die_at(void *arg)
{
	const struct at_arg *a = (const struct at_arg *)arg;
	lk_txn_t *t;
	lk_res_t r = R(a->n);
	if (!strcmp(a->at, "head_link"))
		setenv("LK_SHM_KILL_AT", a->at, 1);
	if (lk_txn_begin(g_m, &t) != LK_OK || lk_lock(t, &r, a->mode, 0, 0) != LK_OK)
		return 40;
	setenv("LK_SHM_KILL_AT", a->at, 1);
	lk_txn_commit(t);
	return 41;
}

/* A kill in a commit after a head was unlinked and killed, before it
 * joined the slot's cache: the head is in no place; the stop gives it
 * back, and the table still serves R(11). */
Test(lockmgr_shm, kill_at_head_cache)
{
	default_table();
	uint64_t back0 = lk__shm_given_back(g_m);
	struct at_arg a = {11, LK_X, "head_cache"};
	cr_assert_eq(lkp_join_within(lkp_spawn(lock_then_die_at, &a), 10000), -1,
		     "the child dies at the kill point");
	recovered_whole("kill_at_head_cache", back0, 1);
	still_serves_then_destroy(11, LK_X);
}

/* A kill in a lock of a new resource after its head was filled in, with
 * the child's grant and its token, and before the unlock that links it:
 * the head is in no place. The stop gives it back with its token folded
 * into its bucket's floor: the next X grant on R(12) gets a token above
 * the dead child's (T0 + 1), not the same one. */
Test(lockmgr_shm, kill_at_head_link)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.hierarchy = false; /* a row lock is the fresh-head path itself */
	cfg.modes = lk_modetable_sx();
	g_fd = memfd_create("lk-shm-killat", 0);
	cr_assert_eq(lk_lockmgr_create_shared(g_fd, &cfg, &g_m), LK_OK);
	lk_txn_t *b;
	lk_res_t r = R(12);
	uint64_t t0 = 0, t2 = 0;
	cr_assert_eq(lk_txn_begin(g_m, &b), LK_OK);
	cr_assert_eq(lk_lock_ex(b, &r, LK_SX_X, 0, 0, &t0), LK_OK);
	cr_assert_eq(lk_txn_commit(b), LK_OK); /* the head goes: floor t0 */
	uint64_t back0 = lk__shm_given_back(g_m);
	struct at_arg a = {12, LK_SX_X, "head_link"};
	cr_assert_eq(lkp_join_within(lkp_spawn(lock_then_die_at, &a), 10000), -1,
		     "the child dies at the kill point");
	recovered_whole("kill_at_head_link", back0, 1);
	cr_assert_eq(lk_txn_begin(g_m, &b), LK_OK);
	cr_assert_eq(lk_lock_ex(b, &r, LK_SX_X, 0, 0, &t2), LK_OK);
	cr_log_info("kill_at_head_link: tokens %llu, then %llu after the dead grant\n",
		    (unsigned long long)t0, (unsigned long long)t2);
	cr_assert_geq(t2, t0 + 2, "token %llu after %llu and the dead child's", (unsigned long long)t2,
		      (unsigned long long)t0);
	cr_assert_eq(lk_txn_commit(b), LK_OK);
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

static int sx_x = LK_SX_X; /* refill_then_die's mode on the S/X table */

/* A flat S/X table: a row lock on a new resource is lock_fresh's path. */
static void flat_table(void)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.hierarchy = false;
	cfg.modes = lk_modetable_sx();
	g_fd = memfd_create("lk-shm-killat", 0);
	cr_assert_eq(lk_lockmgr_create_shared(g_fd, &cfg, &g_m), LK_OK);
}

/* Stops itself (SIGSTOP) inside lk_lock's pool section, its new head
 * not yet linked; once continued, commits and exits. */
static int lock_stopped_in_section(void *arg)
{
	(void)arg;
	lk_txn_t *t;
	lk_res_t r = R(21);
	setenv("LK_SHM_STOP_AT", "head_link", 1);
	if (lk_txn_begin(g_m, &t) != LK_OK || lk_lock(t, &r, LK_SX_X, 0, 0) != LK_OK)
		return 40;
	unsetenv("LK_SHM_STOP_AT");
	return lk_txn_commit(t) == LK_OK ? 0 : 41;
}

static void census_whole(const char *who)
{
	uint32_t c[9];
	cr_assert_eq(lk__pool_census(g_m, c), 1);
	cr_assert_eq(c[0] + c[1] + c[2], 0u, "%s: lost: requests %u, heads %u, slots %u", who,
		     c[0], c[1], c[2]);
	cr_assert_eq(c[3], 0u, "%s: %u entries in two places", who, c[3]);
}

/* A stop that finds a live process inside a section gives up after its
 * bound (SHARED.md "The pool stop", Bounds) and gives back nothing; the
 * next recovery, once that process has left its section, gives back the
 * dead one's batch. */
Test(lockmgr_shm, kill_at_refill_while_stopped_in_section)
{
	flat_table();
	pid_t b = lkp_spawn(lock_stopped_in_section, NULL);
	int st = 0;
	cr_assert_eq(waitpid(b, &st, WUNTRACED), b);
	cr_assert(WIFSTOPPED(st), "the live child stops in its section");
	cr_assert_eq(lkp_join_within(lkp_spawn(refill_then_die, &sx_x), 10000), -1,
		     "the other child dies at the kill point");
	uint64_t back0 = lk__shm_given_back(g_m), t0 = lkt_now_ns_();
	uint32_t np = 0, c[9];
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	uint64_t took = lkt_now_ns_() - t0;
	cr_assert_eq(np, 1u);
	cr_assert_eq(lk__shm_given_back(g_m), back0, "a stop went ahead beside a section");
	cr_assert_geq(took, 100000000u, "the stop waited its bound (%llu ns)",
		      (unsigned long long)took);
	cr_assert_eq(lk__pool_census(g_m, c), 1);
	cr_assert_geq(c[0], 2u, "the dead child's batch is still in no place");
	cr_assert_eq(c[3], 0u);
	kill(b, SIGCONT);
	cr_assert_eq(lkp_join_within(b, 10000), 0, "the live child finishes");
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	cr_log_info("kill_at_refill_while_stopped_in_section: the first stop gave up after "
		    "%llu ms; the next gave back %llu\n", (unsigned long long)(took / 1000000),
		    (unsigned long long)(lk__shm_given_back(g_m) - back0));
	cr_assert_geq(lk__shm_given_back(g_m) - back0, 2u);
	census_whole("kill_at_refill_while_stopped_in_section");
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}

/* A recoverer killed after it set the stop word: a section that finds
 * the stopper dead clears the word and goes on; the next recovery stops
 * the pool again and gives back what the first one did not. */
static int recover_then_die_stopping(void *arg)
{
	(void)arg;
	uint32_t np = 0;
	setenv("LK_SHM_KILL_AT", "pool_stop", 1);
	lk_lockmgr_recover(g_m, &np);
	return 41;
}

static int one_txn(void *arg)
{
	(void)arg;
	lk_txn_t *t;
	lk_res_t r = R(22);
	if (lk_txn_begin(g_m, &t) != LK_OK || lk_lock(t, &r, LK_SX_X, 0, 0) != LK_OK)
		return 40;
	return lk_txn_commit(t) == LK_OK ? 0 : 41;
}

Test(lockmgr_shm, kill_at_pool_stop)
{
	flat_table();
	cr_assert_eq(lkp_join_within(lkp_spawn(refill_then_die, &sx_x), 10000), -1,
		     "the first child dies at the refill");
	uint64_t back0 = lk__shm_given_back(g_m);
	cr_assert_eq(lkp_join_within(lkp_spawn(recover_then_die_stopping, NULL), 10000), -1,
		     "the recoverer dies with the stop set");
	cr_assert_eq(lkp_join_within(lkp_spawn(one_txn, NULL), 10000), 0,
		     "a txn after it runs: its sections clear a dead stopper's stop");
	uint32_t np = 0;
	cr_assert_eq(lk_lockmgr_recover(g_m, &np), LK_OK);
	cr_log_info("kill_at_pool_stop: the next recovery gave back %llu\n",
		    (unsigned long long)(lk__shm_given_back(g_m) - back0));
	cr_assert_geq(lk__shm_given_back(g_m) - back0, 2u);
	census_whole("kill_at_pool_stop");
	lk_lockmgr_destroy(g_m);
	close(g_fd);
}
