/*
 * stress_cond: the condition variable under sanitizers.
 *  - A bounded queue (capacity 3) on one lk_mutex and two conds: of the
 *    -t threads, one in four produces, two consume, one "hammers" the
 *    mutex (takes it, sometimes holds it for a while so that waiters
 *    starve into lk_mutex's hand-off mode, and broadcasts both conds for
 *    nothing, which requeues their sleepers onto the held mutex). Waits
 *    mix lk_cond_wait, lk_cond_timedwait and lk_cond_timedwait_until;
 *    signals come under the mutex and after it. Every item is consumed
 *    exactly once (checked as it is taken), and the queue's bounds hold.
 *  - A ping-pong pair on lk_rwmutex's write side (lk_cond_wait_with):
 *    the turn alternates exactly.
 *  - A churn pair: each round a fresh heap cond, one waiter, one signaler
 *    holding the mutex; the waiter frees the cond as soon as it returns
 *    (ASan sees a use after free if the signaler touched it after).
 * A watchdog fails the run, naming the threads that are stuck, if they do
 * not all finish within 30 s of the deadline (a lost wake-up).
 */
#include <latchkit/cond.h>
#include <latchkit/rwmutex.h>

#include "stress.h"

#define QCAP 3
#define MAX_ITEMS (1u << 24)

static atomic_int stop;

/* ---- bounded queue ---------------------------------------------------- */

static lk_mutex_t m = LK_MUTEX_INIT;
static lk_cond_t not_full = LK_COND_INIT, not_empty = LK_COND_INIT;
static uint32_t buf[QCAP]; /* plain: under m */
static int qhead, qcount, producers_left;
static int holder; /* plain: under m; checks that m excludes */
static unsigned char *seen;
static uint32_t next_item;
static unsigned long consumed, timeouts;

enum { S_RUN, S_LOCK, S_WAIT_FULL, S_WAIT_EMPTY, S_PING, S_CHURN, S_DONE };
static const char *const sname[] = {"running",
				    "in lk_mutex_lock",
				    "waiting on not_full",
				    "waiting on not_empty",
				    "waiting for its ping-pong turn",
				    "in a churn round",
				    "done"};
static atomic_int state[STRESS_MAX_THREADS + 3];
static atomic_int finished;

/* Queue threads are numbered from 1 (0: no holder); their state slot is
 * their thread index, id - 1. */
#define QSTATE(id, st) atomic_store(&state[(id) - 1], (st))

static void qlock(int id)
{
	QSTATE(id, S_LOCK);
	lk_mutex_lock(&m);
	QSTATE(id, S_RUN);
}

static void enter(int id)
{
	if (holder != 0)
		stress_fail("mutex: %d inside with %d", id, holder);
	holder = id;
}
static void leave(int id)
{
	if (holder != id)
		stress_fail("mutex: holder %d, expected %d", holder, id);
	holder = 0;
}

/* A wait on c by thread id, its verb picked at random. */
static void qwait(lk_cond_t *c, int id, uint32_t *rs)
{
	uint32_t r = stress_rand(rs);
	leave(id);
	switch (r % 3) {
	case 0:
		lk_cond_wait(c, &m);
		break;
	case 1:
		if (!lk_cond_timedwait(c, &m, (r >> 8) % 300000))
			timeouts++; /* under m again */
		break;
	default: {
		uint64_t d = stress_now_ns() + (r >> 8) % 400000;
		struct timespec ts = {(time_t)(d / 1000000000u),
				      (long)(d % 1000000000u)};
		int rc = lk_cond_timedwait_until(c, &m, &ts);
		if (rc == ETIMEDOUT)
			timeouts++;
		else if (rc)
			stress_fail("timedwait_until: %d", rc);
	}
	}
	enter(id);
}

static void producer(int id, uint32_t *rs)
{
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		qlock(id);
		enter(id);
		while (qcount == QCAP) {
			QSTATE(id, S_WAIT_FULL);
			qwait(&not_full, id, rs);
			QSTATE(id, S_RUN);
		}
		if (next_item >= MAX_ITEMS)
			stress_fail("too many items");
		buf[(qhead + qcount) % QCAP] = next_item++;
		qcount++;
		bool under = stress_rand(rs) & 1;
		if (under)
			lk_cond_signal(&not_empty);
		leave(id);
		lk_mutex_unlock(&m);
		if (!under)
			lk_cond_signal(&not_empty);
		stress_jitter(rs);
	}
	qlock(id);
	if (--producers_left == 0)
		lk_cond_broadcast(&not_empty);
	lk_mutex_unlock(&m);
}

static void consumer(int id, uint32_t *rs)
{
	for (;;) {
		qlock(id);
		enter(id);
		while (qcount == 0 && producers_left > 0) {
			QSTATE(id, S_WAIT_EMPTY);
			qwait(&not_empty, id, rs);
			QSTATE(id, S_RUN);
		}
		if (qcount == 0) {
			leave(id);
			lk_mutex_unlock(&m);
			return;
		}
		if (qcount < 0 || qcount > QCAP)
			stress_fail("queue count %d", qcount);
		uint32_t item = buf[qhead];
		qhead = (qhead + 1) % QCAP;
		qcount--;
		if (item >= next_item || seen[item])
			stress_fail("item %u taken twice (or never made)", item);
		seen[item] = 1;
		consumed++;
		uint32_t r = stress_rand(rs);
		if ((r & 15) == 0)
			lk_cond_broadcast(&not_full);
		else if (r & 1)
			lk_cond_signal(&not_full);
		leave(id);
		lk_mutex_unlock(&m);
		if ((r & 15) && !(r & 1))
			lk_cond_signal(&not_full);
		stress_jitter(rs);
	}
}

static void hammer(int id, uint32_t *rs)
{
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		qlock(id);
		enter(id);
		uint32_t r = stress_rand(rs);
		if ((r & 7) == 0) { /* broadcast for nothing: requeues */
			lk_cond_broadcast(&not_empty);
			lk_cond_broadcast(&not_full);
		}
		if ((r & 63) == 0) { /* hold: waiters starve into hand-off */
			uint64_t end = stress_now_ns() + 1500000;
			while (stress_now_ns() < end)
				;
		}
		stress_jitter(rs);
		leave(id);
		lk_mutex_unlock(&m);
		stress_jitter(rs);
	}
}

/* ---- ping-pong on lk_rwmutex's write side ------------------------------ */

static lk_rwmutex_t rw = LK_RWMUTEX_INIT;
static lk_cond_t turn_c = LK_COND_INIT;
static int turn, pp_done; /* plain: under rw (write) */
static unsigned long rounds[2];

static void rw_unlock(void *l) { lk_rwmutex_wrunlock((lk_rwmutex_t *)l); }
static void rw_lock(void *l) { lk_rwmutex_wrlock((lk_rwmutex_t *)l); }

static void pingpong(int me, int id, uint32_t *rs)
{
	for (;;) {
		lk_rwmutex_wrlock(&rw);
		while (turn != me && !pp_done) {
			atomic_store(&state[id], S_PING);
			stress_doing(sname[S_PING]);
			if (stress_rand(rs) & 1)
				lk_cond_wait_with(&turn_c, &rw, rw_unlock,
						  rw_lock);
			else
				(void)lk_cond_timedwait_with(
					&turn_c, &rw, rw_unlock, rw_lock,
					stress_rand(rs) % 200000);
			atomic_store(&state[id], S_RUN);
			stress_doing(sname[S_RUN]);
		}
		if (pp_done || atomic_load_explicit(&stop,
						    memory_order_relaxed)) {
			pp_done = 1;
			lk_cond_broadcast(&turn_c);
			lk_rwmutex_wrunlock(&rw);
			return;
		}
		rounds[me]++;
		if (me == 0 ? rounds[0] != rounds[1] + 1 : rounds[1] != rounds[0])
			stress_fail("ping-pong: turns %lu/%lu out of step",
				    rounds[0], rounds[1]);
		turn = 1 - me;
		lk_cond_signal(&turn_c);
		lk_rwmutex_wrunlock(&rw);
		stress_jitter(rs);
	}
}

/* ---- churn: a fresh cond per round, freed by its waiter ------------------ */

/* The waiter waits untimed, so it returns only once the signal chose it
 * (no spurious wake-ups); the signal comes after the mutex is released,
 * and the waiter frees the cond as soon as it has returned. */
typedef struct {
	lk_cond_t *c;
	int go;
} round_t;
static lk_mutex_t churn_m = LK_MUTEX_INIT;
static round_t *cur; /* under churn_m */
static atomic_int churn_over;
static unsigned long churned;

static void churn(int me, int id, uint32_t *rs)
{
	atomic_store(&state[id], S_CHURN);
	stress_doing(sname[S_CHURN]);
	if (me == 0) { /* the waiter: makes each round, frees it */
		while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
			round_t *r = (round_t *)malloc(sizeof(*r));
			r->c = (lk_cond_t *)malloc(sizeof(lk_cond_t));
			lk_cond_init(r->c);
			r->go = 0;
			stress_doing("churn: lock, then wait for the signal");
			lk_mutex_lock(&churn_m);
			cur = r;
			while (!r->go)
				lk_cond_wait(r->c, &churn_m);
			cur = NULL;
			lk_mutex_unlock(&churn_m);
			lk_cond_destroy(r->c);
			memset(r->c, 0x5a, sizeof(*r->c));
			free(r->c);
			free(r);
			churned++;
		}
		atomic_store(&churn_over, 1);
		return;
	}
	while (!atomic_load(&churn_over)) { /* the signaler */
		lk_cond_t *c = NULL;
		stress_doing("churn: lock, then signal");
		lk_mutex_lock(&churn_m);
		if (cur && !cur->go && lk_cond_waiters(cur->c)) {
			cur->go = 1;
			c = cur->c;
		}
		lk_mutex_unlock(&churn_m);
		if (!c)
			sched_yield();
		else if (stress_rand(rs) & 1)
			lk_cond_signal(c); /* the waiter frees c once chosen */
		else
			lk_cond_broadcast(c);
	}
}

/* ---- roles, watchdog --------------------------------------------------- */

typedef struct {
	int n; /* queue threads */
	double secs;
} run_t;

static const char *role_name(int id, int n)
{
	if (id >= n)
		return id < n + 2 ? "ping-pong" : "churn";
	switch (id % 4) {
	case 0:
		return "producer";
	case 3:
		return "hammer";
	default:
		return "consumer";
	}
}

static void *dispatch(void *ctx, int id)
{
	run_t *r = (run_t *)ctx;
	int n = r->n;
	uint32_t rs = 0x9e3779b9u * (uint32_t)(id + 1);
	if (id < n) {
		switch (id % 4) {
		case 0:
			producer(id + 1, &rs);
			break;
		case 3:
			hammer(id + 1, &rs);
			break;
		default:
			consumer(id + 1, &rs);
		}
	} else if (id < n + 2) {
		pingpong(id - n, id, &rs);
	} else if (id < n + 4) {
		churn(id - n - 2, id, &rs);
	} else { /* the timer and watchdog */
		uint64_t end = stress_now_ns() + (uint64_t)(r->secs * 1e9);
		while (stress_now_ns() < end) {
			stress_doing("timer");
			usleep(10000);
		}
		atomic_store(&stop, 1);
		uint64_t hang = stress_now_ns() + 30000000000ull;
		while (atomic_load(&finished) < n + 4) {
			if (stress_now_ns() > hang) {
				for (int i = 0; i < n + 4; i++) {
					int s = atomic_load(&state[i]);
					if (s != S_DONE)
						fprintf(stderr,
							"stuck: %s thread %d, "
							"%s\n",
							role_name(i, n), i,
							sname[s]);
				}
				stress_fail("threads still blocked 30 s after "
					    "the end (lost wake-up?)");
			}
			stress_doing("waiting for the others to finish");
			usleep(10000);
		}
		return NULL;
	}
	atomic_store(&state[id], S_DONE);
	stress_doing(sname[S_DONE]);
	atomic_fetch_add(&finished, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	int n = o.threads < 4 ? 4 : o.threads; /* at least one of each role */
	if (n + 5 > STRESS_MAX_THREADS)
		n = STRESS_MAX_THREADS - 5;
	seen = (unsigned char *)calloc(MAX_ITEMS, 1);
	for (int i = 0; i < n; i++)
		if (i % 4 == 0)
			producers_left++;
	run_t r = {n, o.seconds};
	stress_watch_name("cond (lk_cond_t on lk_mutex_t)");
	stress_run(n + 5, dispatch, &r);
	if (qcount != 0 || consumed != next_item)
		stress_fail("queue: %lu consumed of %u made, %d left", consumed,
			    next_item, qcount);
	for (uint32_t i = 0; i < next_item; i++)
		if (!seen[i])
			stress_fail("item %u lost", i);
	if (lk_cond_waiters(&not_full) || lk_cond_waiters(&not_empty) ||
	    lk_cond_waiters(&turn_c))
		stress_fail("waiters left behind");
	printf("stress_cond: %u items through %d threads (%lu timed out waits), "
	       "%lu ping-pong rounds, %lu churn rounds\n",
	       next_item, n, timeouts, rounds[0] + rounds[1], churned);
	free(seen);
	return 0;
}
