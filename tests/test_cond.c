/*
 * Condition variable, its verbs: every verb; FIFO wake-ups and no wake-up
 * taken by a later arrival (deterministic: lk_cond_waiters() tells when a
 * waiter has queued); broadcast wakes all, with the mutex held (requeue)
 * and free; timeouts on time; bad timespecs change nothing; the _with
 * forms on lk_rwmutex's write side. test_cond_stress.c has the threaded
 * stress (lost wake-ups, timed waiters racing signals).
 */
#include <latchkit/cond.h>
#include <latchkit/rwmutex.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cond_util.h"
#include "harness.h"

/* Another thread's view of the mutex: held? (trylock fails) */
typedef struct {
	lk_mutex_t *m;
	bool got;
} probe_t;
static void *probe_main(void *p)
{
	probe_t *pr = (probe_t *)p;
	pr->got = lk_mutex_trylock(pr->m);
	if (pr->got)
		lk_mutex_unlock(pr->m);
	return NULL;
}
static bool held_elsewhere(lk_mutex_t *m)
{
	probe_t pr = {m, false};
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, probe_main, &pr), 0);
	lkt_join(th, 0, "its lock and wait calls");
	return !pr.got;
}

Test(cond, init_and_no_waiters)
{
	static lk_cond_t s = LK_COND_INIT;
	lk_cond_t c;
	lk_cond_init(&c);
	cr_assert_eq(lk_cond_waiters(&s), 0);
	cr_assert_eq(lk_cond_waiters(&c), 0);
	lk_cond_signal(&c); /* nobody: nothing happens, nothing is kept */
	lk_cond_broadcast(&c);
	lk_cond_signal(&s);
	cr_assert_eq(lk_cond_waiters(&c), 0);
	lk_cond_destroy(&c);
	lk_cond_destroy(&s);
	cr_assert_leq(sizeof(lk_cond_t), 24);
}

/* ---- every wait verb, woken by signal ------------------------------------ */

enum { V_WAIT, V_TIMED, V_UNTIL, V_WITH, V_TIMED_WITH, V_UNTIL_WITH, V_N };
static const char *const vname[V_N] = {
	"wait", "timedwait", "timedwait_until", "wait_with", "timedwait_with",
	"timedwait_until_with"};

typedef struct {
	lk_cond_t c;
	lk_mutex_t m;
	lk_rwmutex_t rw;
	int verb;
	int flag;       /* the predicate, under the latch */
	int rc;         /* what the verb returned */
	bool held;      /* the latch was held again on return */
	atomic_int done;
} one_t;

static void rw_unlock(void *l) { lk_rwmutex_wrunlock((lk_rwmutex_t *)l); }
static void rw_lock(void *l) { lk_rwmutex_wrlock((lk_rwmutex_t *)l); }

static void *one_waiter(void *p)
{
	one_t *o = (one_t *)p;
	bool with = o->verb >= V_WITH;
	if (with)
		lk_rwmutex_wrlock(&o->rw);
	else
		lk_mutex_lock(&o->m);
	struct timespec ts = abs_in(30ull * 1000000000u);
	while (!o->flag) {
		switch (o->verb) {
		case V_WAIT:
			lk_cond_wait(&o->c, &o->m);
			o->rc = 0;
			break;
		case V_TIMED:
			o->rc = lk_cond_timedwait(&o->c, &o->m,
						  30ull * 1000000000u)
					? 0
					: ETIMEDOUT;
			break;
		case V_UNTIL:
			o->rc = lk_cond_timedwait_until(&o->c, &o->m, &ts);
			break;
		case V_WITH:
			lk_cond_wait_with(&o->c, &o->rw, rw_unlock, rw_lock);
			o->rc = 0;
			break;
		case V_TIMED_WITH:
			o->rc = lk_cond_timedwait_with(&o->c, &o->rw, rw_unlock,
						       rw_lock,
						       30ull * 1000000000u)
					? 0
					: ETIMEDOUT;
			break;
		default:
			o->rc = lk_cond_timedwait_until_with(
				&o->c, &o->rw, rw_unlock, rw_lock, &ts);
		}
		if (o->rc)
			break;
	}
	o->held = with ? lk_rwmutex_is_wrlocked(&o->rw)
		       : lk_mutex_is_locked(&o->m);
	if (with)
		lk_rwmutex_wrunlock(&o->rw);
	else
		lk_mutex_unlock(&o->m);
	atomic_store(&o->done, 1);
	return NULL;
}

Test(cond, every_wait_verb_is_woken_by_signal)
{
	for (int v = 0; v < V_N; v++) {
		for (int parked = 0; parked < 2; parked++) {
			static one_t o;
			memset(&o, 0, sizeof(o));
			lk_cond_init(&o.c);
			lk_mutex_init(&o.m);
			lk_rwmutex_init(&o.rw);
			o.verb = v;
			pthread_t th;
			cr_assert_eq(pthread_create(&th, NULL, one_waiter, &o),
				     0);
			await_waiters(&o.c, 1);
			if (parked)
				lkt_sleep_ms(20); /* past the spin phase */
			if (v >= V_WITH)
				lk_rwmutex_wrlock(&o.rw);
			else
				lk_mutex_lock(&o.m);
			o.flag = 1;
			lk_cond_signal(&o.c);
			cr_assert_eq(lk_cond_waiters(&o.c), 0,
				     "%s: signal took the waiter off", vname[v]);
			if (v >= V_WITH)
				lk_rwmutex_wrunlock(&o.rw);
			else
				lk_mutex_unlock(&o.m);
			lkt_join(th, 0, "its lock and wait calls");
			cr_assert_eq(o.rc, 0, "%s returned %d", vname[v], o.rc);
			cr_assert(o.held, "%s: latch not held on return",
				  vname[v]);
			lk_cond_destroy(&o.c);
		}
	}
}

/* ---- FIFO: a signal wakes the oldest waiter, never a later one ----------- */

#define FIFO_N 5
typedef struct {
	lk_cond_t c;
	lk_mutex_t m;
	int tokens;           /* under m */
	atomic_int order[FIFO_N];
	atomic_int slots, returned; /* order[] written, then returned */
	int ids[FIFO_N];
} fifo_t;
static fifo_t fifo;

static void *fifo_waiter(void *p)
{
	int id = *(int *)p;
	lk_mutex_lock(&fifo.m);
	/* one wait, no predicate loop: the test checks who is chosen */
	lk_cond_wait(&fifo.c, &fifo.m);
	fifo.tokens--;
	int k = atomic_fetch_add(&fifo.slots, 1);
	atomic_store(&fifo.order[k], id);
	atomic_fetch_add(&fifo.returned, 1);
	lk_mutex_unlock(&fifo.m);
	return NULL;
}

Test(cond, signal_wakes_oldest_first)
{
	for (int round = 0; round < 4; round++) {
		memset(&fifo, 0, sizeof(fifo));
		lk_cond_init(&fifo.c);
		lk_mutex_init(&fifo.m);
		pthread_t th[FIFO_N];
		for (int i = 0; i < FIFO_N; i++) {
			fifo.ids[i] = i;
			cr_assert_eq(pthread_create(&th[i], NULL, fifo_waiter,
						    &fifo.ids[i]),
				     0);
			await_waiters(&fifo.c, (uint32_t)i + 1); /* i queued */
		}
		if (round & 1)
			lkt_sleep_ms(20); /* all parked in the kernel */
		for (int i = 0; i < FIFO_N; i++) {
			lk_mutex_lock(&fifo.m);
			fifo.tokens++;
			if (round & 2) {
				lk_cond_signal(&fifo.c); /* under the mutex */
				lk_mutex_unlock(&fifo.m);
			} else {
				lk_mutex_unlock(&fifo.m);
				lk_cond_signal(&fifo.c); /* after it */
			}
			/* the choice is made inside the call */
			cr_assert_eq(lk_cond_waiters(&fifo.c),
				     (uint32_t)(FIFO_N - 1 - i));
			uint64_t end = lkt_now_ns() + 10000000000ull;
			while (atomic_load(&fifo.returned) < i + 1)
				cr_assert(lkt_now_ns() < end,
					  "signal %d: no waiter returned", i);
			cr_assert_eq(atomic_load(&fifo.order[i]), i,
				     "signal %d woke waiter %d, not the oldest",
				     i, atomic_load(&fifo.order[i]));
		}
		for (int i = 0; i < FIFO_N; i++)
			lkt_join(th[i], i, "its lock and wait calls");
		cr_assert_eq(fifo.tokens, 0);
	}
}

/*
 * The property the sequence-word design lacks: waiter A queues; a signal
 * chooses A; waiter B arrives after it (it was blocked on the mutex the
 * signaler held, and may well get the mutex before A does). A must return,
 * and B must not: it waits on until a second signal. Whatever the
 * interleaving, the outcome is fixed; each round varies whether A has
 * parked and whether B queues before A runs.
 */
typedef struct {
	lk_cond_t c;
	lk_mutex_t m;
	atomic_int a_back, b_back, b_started;
} late_t;
static late_t late;

static void *late_a(void *p)
{
	(void)p;
	lk_mutex_lock(&late.m);
	lk_cond_wait(&late.c, &late.m);
	atomic_store(&late.a_back, 1);
	lk_mutex_unlock(&late.m);
	return NULL;
}

static void *late_b(void *p)
{
	(void)p;
	atomic_store(&late.b_started, 1);
	lk_mutex_lock(&late.m); /* blocks while the signaler holds it */
	lk_cond_wait(&late.c, &late.m);
	atomic_store(&late.b_back, 1);
	lk_mutex_unlock(&late.m);
	return NULL;
}

Test(cond, signal_never_wakes_a_later_arrival)
{
	for (int round = 0; round < 40; round++) {
		memset(&late, 0, sizeof(late));
		lk_cond_init(&late.c);
		lk_mutex_init(&late.m);
		pthread_t a, b;
		cr_assert_eq(pthread_create(&a, NULL, late_a, NULL), 0);
		await_waiters(&late.c, 1);
		if (round & 1)
			lkt_sleep_ms(5); /* A parked */
		lk_mutex_lock(&late.m);
		cr_assert_eq(pthread_create(&b, NULL, late_b, NULL), 0);
		lkt_await(&late.b_started);
		if (round & 2)
			lkt_sleep_ms(2); /* B spinning or parked on m */
		lk_cond_signal(&late.c); /* chooses A; B is not queued */
		cr_assert_eq(lk_cond_waiters(&late.c), 0);
		lk_mutex_unlock(&late.m);
		lkt_join(a, 0, "its lock and wait calls");
		cr_assert(atomic_load(&late.a_back));
		await_waiters(&late.c, 1); /* B queued, after the signal */
		lkt_sleep_ms(round < 4 ? 30 : 1);
		cr_assert(!atomic_load(&late.b_back),
			  "round %d: the later waiter returned on an earlier "
			  "signal",
			  round);
		cr_assert_eq(lk_cond_waiters(&late.c), 1);
		lk_cond_signal(&late.c);
		lkt_join(b, 0, "its lock and wait calls");
		cr_assert(atomic_load(&late.b_back));
	}
}

/* ---- broadcast ----------------------------------------------------------- */

#define BC_N 8
typedef struct {
	lk_cond_t c;
	lk_mutex_t m;
	lk_rwmutex_t rw;
	bool with;
	int go;        /* under the latch */
	int inside;    /* under the latch: never more than one */
	int max_inside;
	atomic_int back;
} bc_t;
static bc_t bc;

static void *bc_waiter(void *p)
{
	(void)p;
	if (bc.with)
		lk_rwmutex_wrlock(&bc.rw);
	else
		lk_mutex_lock(&bc.m);
	while (!bc.go) {
		if (bc.with)
			lk_cond_wait_with(&bc.c, &bc.rw, rw_unlock, rw_lock);
		else
			lk_cond_wait(&bc.c, &bc.m);
	}
	if (++bc.inside > bc.max_inside)
		bc.max_inside = bc.inside;
	sched_yield(); /* let the others try to get in */
	bc.inside--;
	atomic_fetch_add(&bc.back, 1);
	if (bc.with)
		lk_rwmutex_wrunlock(&bc.rw);
	else
		lk_mutex_unlock(&bc.m);
	return NULL;
}

static void broadcast_round(bool with, bool under, bool parked)
{
	memset(&bc, 0, sizeof(bc));
	lk_cond_init(&bc.c);
	lk_mutex_init(&bc.m);
	lk_rwmutex_init(&bc.rw);
	bc.with = with;
	pthread_t th[BC_N];
	for (int i = 0; i < BC_N; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, bc_waiter, NULL), 0);
	await_waiters(&bc.c, BC_N);
	if (parked)
		lkt_sleep_ms(20);
	if (with)
		lk_rwmutex_wrlock(&bc.rw);
	else
		lk_mutex_lock(&bc.m);
	bc.go = 1;
	if (under) { /* with an lk_mutex held: the sleepers are requeued */
		lk_cond_broadcast(&bc.c);
		cr_assert_eq(lk_cond_waiters(&bc.c), 0);
		if (!with)
			lkt_sleep_ms(5); /* they sleep on m now */
	}
	if (with)
		lk_rwmutex_wrunlock(&bc.rw);
	else
		lk_mutex_unlock(&bc.m);
	if (!under)
		lk_cond_broadcast(&bc.c);
	for (int i = 0; i < BC_N; i++)
		lkt_join(th[i], i, "its lock and wait calls");
	cr_assert_eq(atomic_load(&bc.back), BC_N,
		     "broadcast (with %d under %d parked %d) woke %d of %d", with,
		     under, parked, atomic_load(&bc.back), BC_N);
	cr_assert_eq(bc.max_inside, 1);
	cr_assert_eq(lk_cond_waiters(&bc.c), 0);
	cr_assert(!lk_mutex_is_locked(&bc.m));
}

Test(cond, broadcast_wakes_all)
{
	for (int r = 0; r < 8; r++)
		broadcast_round(r & 1, r & 2, r & 4);
}

Test(cond, broadcast_requeue_rounds)
{
	/* many rounds of the requeue path: a lost wake-up hangs here */
	for (int r = 0; r < 60; r++)
		broadcast_round(false, true, (r % 3) == 0);
}

/* A waiter that returns may destroy the cond at once (POSIX's example):
 * the last one out frees it, right after a broadcast made under m. */
typedef struct {
	lk_cond_t *c;
	lk_mutex_t m;
	int go, out, n;
} free_t;

static void *free_waiter(void *p)
{
	free_t *f = (free_t *)p;
	lk_mutex_lock(&f->m);
	while (!f->go)
		lk_cond_wait(f->c, &f->m);
	if (++f->out == f->n) {
		lk_cond_destroy(f->c);
		memset(f->c, 0xa5, sizeof(*f->c)); /* as free would */
		free(f->c);
		f->c = NULL;
	}
	lk_mutex_unlock(&f->m);
	return NULL;
}

Test(cond, last_waiter_may_free_the_cond)
{
	for (int r = 0; r < 30; r++) {
		static free_t f;
		memset(&f, 0, sizeof(f));
		f.c = (lk_cond_t *)malloc(sizeof(lk_cond_t));
		lk_cond_init(f.c);
		lk_mutex_init(&f.m);
		f.n = 4;
		pthread_t th[4];
		for (int i = 0; i < f.n; i++)
			cr_assert_eq(pthread_create(&th[i], NULL, free_waiter,
						    &f),
				     0);
		await_waiters(f.c, (uint32_t)f.n);
		if (r & 1)
			lkt_sleep_ms(5);
		lk_mutex_lock(&f.m);
		f.go = 1;
		lk_cond_broadcast(f.c);
		lk_mutex_unlock(&f.m);
		for (int i = 0; i < f.n; i++)
			lkt_join(th[i], i, "its lock and wait calls");
		cr_assert_eq(f.out, f.n);
		cr_assert_null(f.c);
	}
}

/* ---- timeouts ---------------------------------------------------------- */

Test(cond, timedwait_times_out_on_time)
{
	lk_cond_t c = LK_COND_INIT;
	lk_mutex_t m = LK_MUTEX_INIT;
	const uint64_t to = 50000000; /* 50 ms */
	lk_mutex_lock(&m);
	uint64_t t0 = lkt_now_ns();
	cr_assert(!lk_cond_timedwait(&c, &m, to));
	uint64_t el = lkt_now_ns() - t0;
	cr_assert_geq(el, to, "returned early: %lu ns", (unsigned long)el);
	cr_assert_lt(el, to + 2000000000u, "absurdly late: %lu ns",
		     (unsigned long)el);
	cr_assert(held_elsewhere(&m), "mutex not held after the timeout");
	cr_assert_eq(lk_cond_waiters(&c), 0, "the timed-out waiter left");

	struct timespec ts = abs_in(to);
	cr_assert_eq(lk_cond_timedwait_until(&c, &m, &ts), ETIMEDOUT);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	cr_assert(now.tv_sec > ts.tv_sec ||
			  (now.tv_sec == ts.tv_sec && now.tv_nsec >= ts.tv_nsec),
		  "returned before the deadline");
	cr_assert(held_elsewhere(&m));
	cr_assert_eq(lk_cond_waiters(&c), 0);

	/* a deadline already past: at once, m never released */
	t0 = lkt_now_ns();
	cr_assert(!lk_cond_timedwait(&c, &m, 0));
	struct timespec past = {0, 0};
	cr_assert_eq(lk_cond_timedwait_until(&c, &m, &past), ETIMEDOUT);
	past.tv_sec = 1;
	cr_assert_eq(lk_cond_timedwait_until(&c, &m, &past), ETIMEDOUT);
	cr_assert_lt(lkt_now_ns() - t0, 1000000000u);
	cr_assert(held_elsewhere(&m));
	lk_mutex_unlock(&m);
	/* still works */
	cr_assert(!held_elsewhere(&m));
}

Test(cond, timedwait_with_times_out)
{
	lk_cond_t c = LK_COND_INIT;
	static lk_rwmutex_t rw = LK_RWMUTEX_INIT;
	lk_rwmutex_wrlock(&rw);
	uint64_t t0 = lkt_now_ns();
	cr_assert(!lk_cond_timedwait_with(&c, &rw, rw_unlock, rw_lock,
					  20000000));
	cr_assert_geq(lkt_now_ns() - t0, 20000000u);
	struct timespec ts = abs_in(20000000);
	cr_assert_eq(lk_cond_timedwait_until_with(&c, &rw, rw_unlock, rw_lock,
						  &ts),
		     ETIMEDOUT);
	cr_assert(lk_rwmutex_is_wrlocked(&rw));
	cr_assert_eq(lk_cond_waiters(&c), 0);
	lk_rwmutex_wrunlock(&rw);
}

Test(cond, bad_timespec_is_einval_and_changes_nothing)
{
	lk_cond_t c = LK_COND_INIT;
	lk_mutex_t m = LK_MUTEX_INIT;
	static lk_rwmutex_t rw = LK_RWMUTEX_INIT;
	struct timespec bad[5] = {{0, -1},
				  {0, 1000000000L},
				  {1, 1500000000L},
				  {-1, 0},
				  {-1, -1}};
	lk_mutex_lock(&m);
	lk_rwmutex_wrlock(&rw);
	uint64_t t0 = lkt_now_ns();
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(lk_cond_timedwait_until(&c, &m, &bad[i]), EINVAL,
			     "bad[%d]", i);
		cr_assert_eq(lk_cond_timedwait_until_with(&c, &rw, rw_unlock,
							  rw_lock, &bad[i]),
			     EINVAL, "bad[%d] (with)", i);
	}
	cr_assert_eq(lk_cond_timedwait_until(&c, &m, NULL), EINVAL);
	cr_assert_eq(lk_cond_timedwait_until_with(&c, &rw, rw_unlock, rw_lock,
						  NULL),
		     EINVAL);
	cr_assert_lt(lkt_now_ns() - t0, 1000000000u, "EINVAL waited");
	cr_assert(held_elsewhere(&m), "EINVAL released the mutex");
	cr_assert(lk_rwmutex_is_wrlocked(&rw));
	cr_assert_eq(lk_cond_waiters(&c), 0, "EINVAL queued a waiter");
	/* the boundary values are fine */
	struct timespec ok = {0, 999999999L};
	cr_assert_eq(lk_cond_timedwait_until(&c, &m, &ok), ETIMEDOUT);
	lk_rwmutex_wrunlock(&rw);
	lk_mutex_unlock(&m);
}

/* A far deadline (tv_sec near its maximum) does not overflow into the
 * past: it waits, and a signal ends it. */
static lk_cond_t far_c = LK_COND_INIT;
static lk_mutex_t far_m = LK_MUTEX_INIT;
static int far_rc = -1;
static void *far_waiter(void *p)
{
	(void)p;
	struct timespec ts;
	ts.tv_sec = (time_t)(~(unsigned long long)0 >> 1);
	ts.tv_nsec = 999999999L;
	lk_mutex_lock(&far_m);
	far_rc = lk_cond_timedwait_until(&far_c, &far_m, &ts);
	lk_mutex_unlock(&far_m);
	return NULL;
}
Test(cond, far_deadline_waits)
{
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, far_waiter, NULL), 0);
	await_waiters(&far_c, 1);
	lkt_sleep_ms(20);
	cr_assert_eq(far_rc, -1, "returned at once: %d", far_rc);
	lk_cond_signal(&far_c);
	lkt_join(th, 0, "its lock and wait calls");
	cr_assert_eq(far_rc, 0);
}
