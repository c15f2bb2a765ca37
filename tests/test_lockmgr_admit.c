/* The lock table's admission gate (lockmgr/ADMIT.md,
 * lk_lockmgr_set_admission): while a txn waits for a txn that is itself
 * waiting, a begin by a thread whose last txn is not live waits, until
 * no such chained wait is left, or the gate's time has passed with none
 * ending (64 such windows at most).
 *
 * The chain: the main thread's txn holds R1; thread A holds R2 and waits
 * for R1 (its holder runs: not chained); thread B waits for R2 (its
 * holder, A, waits: chained). A thread is known asleep when it sleeps in
 * futex(2) (/proc/self/task/TID/syscall), as in test_lockmgr_handoff.c;
 * a begin sleeps there only on the gate. lk__admit_chained reads the
 * gate's count of chained waits (lockmgr/admit.c). */
#include "lockmgr_unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

uint32_t lk__admit_chained(lk_lockmgr_t *m);

typedef struct {
	lk_lockmgr_t *m;
	const lk_res_t *hold, *want; /* hold (may be NULL), then wait for want */
	atomic_int tid, rc, done;
	atomic_int nested, go;       /* the beginner: begin one txn first, then
					on go a second one (nested) */
} role_t;

/* A or B: begin, take `hold`, wait for `want`, commit. */
static void *waiter_fn(void *p)
{
	role_t *r = (role_t *)p;
	atomic_store(&r->tid, (int)syscall(SYS_gettid));
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(r->m, &t), LK_OK);
	if (r->hold)
		cr_assert_eq(lk_lock(t, r->hold, LK_X, 0, 0), LK_OK);
	atomic_store(&r->rc, lk_lock(t, r->want, LK_X, LK_FOREVER, 0));
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	atomic_store(&r->done, 1);
	return NULL;
}

/* C: begin (held while the chain stands), commit. With `nested`, it
 * begins a first txn before the chain forms and the held one inside it. */
static void *beginner_fn(void *p)
{
	role_t *r = (role_t *)p;
	atomic_store(&r->tid, (int)syscall(SYS_gettid));
	lk_txn_t *outer = NULL, *t = NULL;
	if (atomic_load(&r->nested)) {
		cr_assert_eq(lk_txn_begin(r->m, &outer), LK_OK);
		atomic_store(&r->go, 1);
		while (atomic_load(&r->go) != 2)
			lkt_sleep_ms(1);
	}
	atomic_store(&r->rc, lk_txn_begin(r->m, &t));
	atomic_store(&r->done, 1);
	if (t)
		cr_assert_eq(lk_txn_commit(t), LK_OK);
	if (outer)
		cr_assert_eq(lk_txn_commit(outer), LK_OK);
	return NULL;
}

static void start(pthread_t *th, role_t *r, lk_lockmgr_t *m, void *(*fn)(void *))
{
	r->m = m;
	atomic_store(&r->rc, -1);
	cr_assert_eq(pthread_create(th, NULL, fn, r), 0);
}

/* Until thread r sleeps in futex(2) and the table counts `waits` waits. */
static void until_parked(lk_lockmgr_t *m, role_t *r, uint64_t waits, const char *who)
{
	lk_stats_t st;
	for (int i = 0;; i++) {
		cr_assert(i < 30000, "%s never slept", who);
		lk_lockmgr_stats(m, &st);
		int tid = atomic_load(&r->tid);
		if (st.waited >= waits && tid && lkt_in_futex(tid))
			return;
		lkt_sleep_ms(1);
	}
}

/* Until thread r's begin returned (true) or r sleeps in futex(2). */
static bool returned_or_asleep(role_t *r)
{
	for (int i = 0;; i++) {
		cr_assert(i < 30000, "the begin neither returned nor slept");
		if (atomic_load(&r->done))
			return true;
		int tid = atomic_load(&r->tid);
		if (tid && lkt_in_futex(tid))
			return atomic_load(&r->done) != 0;
		lkt_sleep_ms(1);
	}
}

typedef struct {
	lk_lockmgr_t *m;
	lk_txn_t *t1;
	pthread_t ta, tb;
	role_t a, b;
} chain_t;

/* The chain above on c->m; checks the count: A's wait is not chained,
 * B's is. */
static void chain_build(chain_t *c)
{
	memset(&c->a, 0, sizeof c->a);
	memset(&c->b, 0, sizeof c->b);
	c->t1 = begin(c->m);
	cr_assert_eq(lk_lock(c->t1, &R1, LK_X, 0, 0), LK_OK);
	c->a.hold = &R2;
	c->a.want = &R1;
	start(&c->ta, &c->a, c->m, waiter_fn);
	until_parked(c->m, &c->a, 1, "A (waiting for R1)");
	cr_assert_eq(lk__admit_chained(c->m), 0,
		     "a wait for a running holder counted as chained");
	c->b.hold = &R3;
	c->b.want = &R2;
	start(&c->tb, &c->b, c->m, waiter_fn);
	until_parked(c->m, &c->b, 2, "B (waiting for R2)");
	cr_assert_eq(lk__admit_chained(c->m), 1,
		     "B waits for A, which waits: one chained wait");
}

static void chain_make(chain_t *c, int policy, uint64_t admit_ns)
{
	memset(c, 0, sizeof *c);
	c->m = mk(policy, true, 0);
	cr_assert_eq(lk_lockmgr_set_admission(c->m, admit_ns), LK_OK);
	chain_build(c);
}

/* The main thread's commit lets A through, A's lets B: no chain left. */
static void chain_end(chain_t *c)
{
	cr_assert_eq(lk_txn_commit(c->t1), LK_OK);
	lkt_join(c->ta, 0, "A's lock of R1 and commit");
	lkt_join(c->tb, 1, "B's lock of R2 and commit");
	cr_assert_eq(atomic_load(&c->a.rc), LK_OK);
	cr_assert_eq(atomic_load(&c->b.rc), LK_OK);
	cr_assert_eq(lk__admit_chained(c->m), 0, "a chained wait left uncounted");
}

/* A begin sleeps while the chain stands, and goes when it ends: the
 * gate's time (60 s) is not what lets it go. */
static void held_until_chain_ends(int policy)
{
	chain_t c;
	chain_make(&c, policy, 60ull * 1000000000u);
	role_t cr;
	memset(&cr, 0, sizeof cr);
	pthread_t tc;
	start(&tc, &cr, c.m, beginner_fn);
	cr_assert(!returned_or_asleep(&cr),
		  "a begin went ahead while a chained wait stood");
	cr_assert_eq(atomic_load(&cr.done), 0);
	chain_end(&c);
	lkt_join(tc, 2, "C's begin after the chain ended");
	cr_assert_eq(atomic_load(&cr.rc), LK_OK);
	lk_lockmgr_destroy(c.m);
}

Test(lockmgr_admit, begin_held_until_chain_ends_detect, .timeout = 60)
{
	held_until_chain_ends(LK_POLICY_DETECT);
}

Test(lockmgr_admit, begin_held_until_chain_ends_wound_wait, .timeout = 60)
{
	held_until_chain_ends(LK_POLICY_WOUND_WAIT);
}

/* Several begins held at once all go when the chain ends: the leave
 * that opens the gate wakes one, and each begin woken wakes the next
 * (the relay); the gate's time (60 s) is not what lets any of them go. */
Test(lockmgr_admit, held_begins_all_go_by_relay, .timeout = 60)
{
	enum { N = 3 };
	chain_t c;
	chain_make(&c, LK_POLICY_DETECT, 60ull * 1000000000u);
	role_t cr[N];
	pthread_t tc[N];
	memset(cr, 0, sizeof cr);
	for (int i = 0; i < N; i++) {
		start(&tc[i], &cr[i], c.m, beginner_fn);
		cr_assert(!returned_or_asleep(&cr[i]),
			  "begin %d went ahead while a chained wait stood", i);
	}
	chain_end(&c);
	for (int i = 0; i < N; i++) {
		lkt_join(tc[i], 2 + i, "a held begin after the chain ended");
		cr_assert_eq(atomic_load(&cr[i].rc), LK_OK);
	}
	lk_lockmgr_destroy(c.m);
}

/* The chain with a 20 ms gate, and a begin whose hold runs out while it
 * stands, no chained wait ending: the gate is then futile. */
static void chain_futile(chain_t *c)
{
	chain_make(c, LK_POLICY_DETECT, 20u * 1000000u);
	role_t cr;
	memset(&cr, 0, sizeof cr);
	pthread_t tc;
	start(&tc, &cr, c->m, beginner_fn);
	lkt_join(tc, 2, "C's begin, held at most 20 ms");
	cr_assert_eq(atomic_load(&cr.rc), LK_OK);
}

/* The gate's time runs out with the chain still standing: the begin
 * goes (LK_OK) and the chain is still counted. The gate is then futile:
 * the next begin is not held while that chain stands; once a chained
 * wait ends (here the chain's own, as it ends), it holds again. */
Test(lockmgr_admit, begin_goes_when_time_runs_out, .timeout = 60)
{
	chain_t c;
	chain_futile(&c);
	cr_assert_eq(lk__admit_chained(c.m), 1, "the chain was not meant to end");
	role_t cd;
	memset(&cd, 0, sizeof cd);
	pthread_t td;
	start(&td, &cd, c.m, beginner_fn);
	cr_assert(returned_or_asleep(&cd),
		  "a begin held again by the chain that outlived a hold");
	lkt_join(td, 3, "D's begin");
	chain_end(&c);
	/* rearmed: a new chain holds a begin until it ends */
	cr_assert_eq(lk_lockmgr_set_admission(c.m, 60ull * 1000000000u), LK_OK);
	chain_build(&c);
	role_t ce;
	memset(&ce, 0, sizeof ce);
	pthread_t te;
	start(&te, &ce, c.m, beginner_fn);
	cr_assert(!returned_or_asleep(&ce), "the gate was not rearmed");
	chain_end(&c);
	lkt_join(te, 4, "E's begin after the second chain ended");
	cr_assert_eq(atomic_load(&ce.rc), LK_OK);
	lk_lockmgr_destroy(c.m);
}

/* A chained wait that ends by its timeout: a txn (begun before the gate
 * shut, unless `late`) waits for R3, held by B, which waits: chained. With
 * `loops`, it waits again and again until `stop`; each end is a leave. */
typedef struct {
	lk_lockmgr_t *m;
	atomic_int tid, begun, stop, late, ends, bad;
	int loops;
	unsigned wait_ms; /* each wait's timeout */
} ender_t;

static void *ender_fn(void *p)
{
	ender_t *e = (ender_t *)p;
	atomic_store(&e->tid, (int)syscall(SYS_gettid));
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(e->m, &t), LK_OK);
	atomic_store(&e->begun, 1);
	while (!atomic_load(&e->late) && atomic_load(&e->begun) != 2)
		lkt_sleep_ms(1); /* until the chain stands */
	do {
		int rc = lk_lock(t, &R3, LK_X, (uint64_t)e->wait_ms * 1000000u, 0);
		if (rc != LK_TIMEOUT)
			atomic_store(&e->bad, rc + 100);
		atomic_fetch_add(&e->ends, 1);
	} while (e->loops && !atomic_load(&e->stop));
	cr_assert_eq(lk_txn_commit(t), LK_OK);
	return NULL;
}

/* A table with the gate at window_ms, H's txn live (begun before the
 * chain, so never held) and waiting for R3 again and again every wait_ms,
 * the chain built, and C's begin started: the two tests of a hold's
 * length. */
typedef struct {
	chain_t c;
	ender_t h;
	role_t cr;
	pthread_t th, tc;
} holds_t;

static void holds_start(holds_t *x, unsigned window_ms, unsigned wait_ms)
{
	memset(x, 0, sizeof *x);
	x->c.m = mk(LK_POLICY_DETECT, true, 0);
	x->h.m = x->c.m;
	x->h.loops = 1;
	x->h.wait_ms = wait_ms;
	cr_assert_eq(pthread_create(&x->th, NULL, ender_fn, &x->h), 0);
	while (!atomic_load(&x->h.begun))
		lkt_sleep_ms(1); /* H's txn is live before the gate can shut */
	cr_assert_eq(lk_lockmgr_set_admission(x->c.m, (uint64_t)window_ms * 1000000u),
		     LK_OK);
	chain_build(&x->c);
	atomic_store(&x->h.begun, 2);
	start(&x->tc, &x->cr, x->c.m, beginner_fn);
}

/* H stops; its waits all timed out */
static void holds_stop_h(holds_t *x)
{
	atomic_store(&x->h.stop, 1);
	lkt_join(x->th, 3, "H's last chained wait and commit");
	cr_assert_eq(atomic_load(&x->h.bad), 0, "H's wait for R3 did not time out");
}

/* A gate made futile by a chain that stood through a hold holds again
 * once any chained wait ends (chains come and go again), not only once
 * none is left: with many threads per CPU a storm's chains never all
 * end, and a gate futile until then held nothing for good. */
Test(lockmgr_admit, futile_gate_rearmed_when_a_chained_wait_ends, .timeout = 60)
{
	chain_t c;
	chain_futile(&c);
	cr_assert_eq(lk_lockmgr_set_admission(c.m, 60ull * 1000000000u), LK_OK);
	/* futile: X's begin goes; its wait for R3 is chained and times out */
	ender_t x;
	memset(&x, 0, sizeof x);
	x.m = c.m;
	x.wait_ms = 20;
	atomic_store(&x.late, 1);
	pthread_t tx;
	cr_assert_eq(pthread_create(&tx, NULL, ender_fn, &x), 0);
	lkt_join(tx, 3, "X's begin (the gate futile) and its chained wait");
	cr_assert_eq(atomic_load(&x.bad), 0, "X's wait for R3 did not time out");
	cr_assert_eq(lk__admit_chained(c.m), 1, "only B's wait is left");
	role_t cg;
	memset(&cg, 0, sizeof cg);
	pthread_t tg;
	start(&tg, &cg, c.m, beginner_fn);
	cr_assert(!returned_or_asleep(&cg),
		  "a chained wait ended, yet the gate stayed futile");
	chain_end(&c);
	lkt_join(tg, 4, "G's begin after the chain ended");
	cr_assert_eq(atomic_load(&cg.rc), LK_OK);
	lk_lockmgr_destroy(c.m);
}

/* A hold lasts while chained waits keep ending, past its window: a begin
 * held with a 200 ms window is still held 700 ms on while another txn's
 * chained waits end every 20 ms; it goes when the chain ends. */
Test(lockmgr_admit, hold_lasts_while_chained_waits_end, .timeout = 60)
{
	holds_t x;
	holds_start(&x, 200, 20);
	cr_assert(!returned_or_asleep(&x.cr), "a begin went ahead of the chain");
	lkt_sleep_ms(700);
	cr_assert_eq(atomic_load(&x.cr.done), 0,
		     "a begin let go while chained waits kept ending");
	cr_assert(atomic_load(&x.h.ends) >= 5, "H's chained waits did not end: %d",
		  atomic_load(&x.h.ends));
	holds_stop_h(&x);
	chain_end(&x.c);
	lkt_join(x.tc, 2, "C's begin after the chain ended");
	cr_assert_eq(atomic_load(&x.cr.rc), LK_OK);
	lk_lockmgr_destroy(x.c.m);
}

/* ... but not for ever: LK__ADMIT_SPAN (64) windows in all. With a 20 ms
 * window and chained waits ending every 2 ms all the while, the begin goes
 * while the chain still stands (after 1.28 s, inside the watchdog's 10 s). */
Test(lockmgr_admit, hold_ends_after_its_span, .timeout = 60)
{
	holds_t x;
	holds_start(&x, 20, 2);
	lkt_join(x.tc, 2, "C's begin, held at most 64 windows");
	cr_assert_eq(atomic_load(&x.cr.rc), LK_OK);
	cr_assert(atomic_load(&x.h.ends) >= 64, "H's chained waits did not keep ending: %d",
		  atomic_load(&x.h.ends));
	cr_assert(lk__admit_chained(x.c.m) >= 1, "the chain was not meant to end");
	holds_stop_h(&x);
	chain_end(&x.c);
	lk_lockmgr_destroy(x.c.m);
}

/* A thread whose last txn begun here is live is never held: it may hold
 * what the chain waits for. */
Test(lockmgr_admit, nested_begin_not_held, .timeout = 60)
{
	lk_lockmgr_t *m0 = NULL;
	role_t cr;
	memset(&cr, 0, sizeof cr);
	atomic_store(&cr.nested, 1);
	chain_t c;
	memset(&c, 0, sizeof c);
	/* the outer txn begins before the chain forms */
	c.m = m0 = mk(LK_POLICY_DETECT, true, 0);
	pthread_t tc;
	start(&tc, &cr, m0, beginner_fn);
	while (!atomic_load(&cr.go))
		lkt_sleep_ms(1);
	cr_assert_eq(lk_lockmgr_set_admission(m0, 60ull * 1000000000u), LK_OK);
	c.t1 = begin(m0);
	cr_assert_eq(lk_lock(c.t1, &R1, LK_X, 0, 0), LK_OK);
	c.a.hold = &R2;
	c.a.want = &R1;
	start(&c.ta, &c.a, m0, waiter_fn);
	until_parked(m0, &c.a, 1, "A (waiting for R1)");
	c.b.hold = &R3;
	c.b.want = &R2;
	start(&c.tb, &c.b, m0, waiter_fn);
	until_parked(m0, &c.b, 2, "B (waiting for R2)");
	cr_assert_eq(lk__admit_chained(m0), 1);
	atomic_store(&cr.go, 2);
	cr_assert(returned_or_asleep(&cr),
		  "a nested begin was held by the gate");
	cr_assert_eq(atomic_load(&cr.rc), LK_OK);
	lkt_join(tc, 2, "C's commits");
	chain_end(&c);
	lk_lockmgr_destroy(m0);
}

/* Off (0): a begin goes at once; turning it off lets a held begin go. */
Test(lockmgr_admit, off_and_turned_off, .timeout = 60)
{
	chain_t c;
	chain_make(&c, LK_POLICY_DETECT, 60ull * 1000000000u);
	role_t cr;
	memset(&cr, 0, sizeof cr);
	pthread_t tc;
	start(&tc, &cr, c.m, beginner_fn);
	cr_assert(!returned_or_asleep(&cr), "a begin went ahead of the chain");
	cr_assert_eq(lk_lockmgr_set_admission(c.m, 0), LK_OK);
	lkt_join(tc, 2, "C's begin after the gate was turned off");
	cr_assert_eq(atomic_load(&cr.rc), LK_OK);
	/* off: another begin goes at once, the chain still standing */
	role_t cd;
	memset(&cd, 0, sizeof cd);
	pthread_t td;
	start(&td, &cd, c.m, beginner_fn);
	cr_assert(returned_or_asleep(&cd), "a begin was held with the gate off");
	lkt_join(td, 3, "D's begin");
	cr_assert_eq(atomic_load(&cd.rc), LK_OK);
	cr_assert_eq(lk__admit_chained(c.m), 1, "turning off changed the count");
	chain_end(&c);
	lk_lockmgr_destroy(c.m);
}

/* Bad input changes nothing; a shared table takes any setting too
 * (its chains across processes: test_lockmgr_shm.c). */
Test(lockmgr_admit, setter_contract)
{
	cr_assert_eq(lk_lockmgr_set_admission(NULL, 1), LK_INVAL);
	long not_a_manager[64] = {0};
	cr_assert_eq(lk_lockmgr_set_admission((lk_lockmgr_t *)(void *)not_a_manager, 1),
		     LK_INVAL);
	lk_lockmgr_t *m = mk(LK_POLICY_DETECT, true, 0);
	cr_assert_eq(lk_lockmgr_set_admission(m, 0), LK_OK);
	cr_assert_eq(lk_lockmgr_set_admission(m, UINT64_MAX), LK_OK);
	cr_assert_eq(lk_lockmgr_set_admission(m, LK_ADMIT_DEFAULT_NS), LK_OK);
	lk_lockmgr_destroy(m);
	cr_assert_eq(lk_lockmgr_set_admission(m, 1), LK_INVAL, "a destroyed manager");

	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.max_txns = 8;
	cfg.max_requests = 256;
	int fd = memfd_create("lk-admit", 0);
	cr_assert(fd >= 0);
	lk_lockmgr_t *s = NULL;
	cr_assert_eq(lk_lockmgr_create_shared(fd, &cfg, &s), LK_OK);
	cr_assert_eq(lk_lockmgr_set_admission(s, 1), LK_OK, "a shared table");
	cr_assert_eq(lk_lockmgr_set_admission(s, 0), LK_OK);
	lk_lockmgr_detach(s);
	close(fd);
}
