/*
 * Lost wake-ups (issue 14 item 2): a parked waiter is woken by the step that
 * hands it the latch (the unlock, post, set, signal, last arrival), not by
 * a later one. Built with LK_DEBUG, so every thread counts the futex waits
 * (parks) and wakes it issues (lk__wait_stats()).
 *
 * Each test: the main thread holds the latch (or the event is unset); LW_N
 * waiters block on it and the test waits until every one sleeps in futex(2)
 * (/proc/self/task/TID/syscall), so each is a parked waiter, not a spinner.
 * Then the main thread makes the one hand-off step, and
 *   - that step must issue a futex wake (its wake count rises);
 *   - every waiter must get through, though no further step comes from
 *     outside: each passes the latch on to the next as it leaves (unlock,
 *     post, ...), so a hand-off whose wake is missing or late leaves a
 *     waiter asleep for ever. The test then fails, naming the latch and
 *     the waiter, after LW_PATIENCE_S seconds without progress (generous:
 *     a correct hand-off takes microseconds, even on a loaded machine);
 *   - every waiter counted at least one park.
 * Latches that never park (tas, ttas, rwlock, brlock, optlock, leftright:
 * they spin and nap, with no futex word) have no wake to lose.
 */
#define LK_DEBUG 1
#include <latchkit/barrier.h>
#include <latchkit/clh.h>
#include <latchkit/cond.h>
#include <latchkit/event.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/once.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>
#include <latchkit/ticket.h>
#include "harness.h"
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LW_N 3
/* Seconds without progress before a waiter counts as lost: LKT_WATCHDOG_S
 * (the harness's watchdog period, default 10), as generous. */
static int lw_patience_s(void)
{
	const char *e = getenv("LKT_WATCHDOG_S");
	return e && atoi(e) > 0 ? atoi(e) : 10;
}
#define LW_PATIENCE_S lw_patience_s()

typedef struct lw lw_t;
struct lw {
	const char *latch;
	void (*step)(lw_t *w, int i); /* a waiter's blocking step, and its release */
	void *obj;
	pid_t tid[LW_N];
	atomic_int ready[LW_N];
	atomic_int done[LW_N];
	uint64_t parks[LW_N];
	int kind[LW_N]; /* for RW latches: 0 reader, 1 writer */
};

typedef struct {
	lw_t *w;
	int i;
} lw_arg_t;

static void *lw_thread(void *p)
{
	lw_arg_t *a = (lw_arg_t *)p;
	lw_t *w = a->w;
	int i = a->i;
	w->tid[i] = (pid_t)syscall(SYS_gettid);
	uint64_t p0 = lk__wait_stats().parks;
	atomic_store(&w->ready[i], 1);
	w->step(w, i);
	w->parks[i] = lk__wait_stats().parks - p0;
	atomic_store(&w->done[i], 1);
	return NULL;
}

/* Starts the waiters and returns once every one sleeps in futex(2). */
static void lw_start(lw_t *w, pthread_t *th, lw_arg_t *args)
{
	for (int i = 0; i < LW_N; i++) {
		atomic_init(&w->ready[i], 0);
		atomic_init(&w->done[i], 0);
		args[i].w = w;
		args[i].i = i;
		cr_assert_eq(pthread_create(&th[i], NULL, lw_thread, &args[i]), 0);
	}
	for (int i = 0; i < LW_N; i++) {
		uint64_t give_up = lkt_now_ns() + (uint64_t)LW_PATIENCE_S * 1000000000ull;
		while (!atomic_load(&w->ready[i]) || !lkt_in_futex((int)w->tid[i])) {
			cr_assert(!atomic_load(&w->done[i]),
				  "%s: waiter %d got through while the latch "
				  "was held", w->latch, i);
			cr_assert(lkt_now_ns() < give_up,
				  "%s: waiter %d never parked in futex(2) in "
				  "%d s", w->latch, i, LW_PATIENCE_S);
			lkt_sleep_ms(1);
		}
	}
	/* Each stays asleep: nothing wakes it until the hand-off. */
	lkt_sleep_ms(20);
	for (int i = 0; i < LW_N; i++)
		cr_assert(lkt_in_futex((int)w->tid[i]) && !atomic_load(&w->done[i]),
			  "%s: waiter %d woke before the hand-off", w->latch, i);
}

/* After the hand-off (which issued `wakes` futex wakes): everyone must get
 * through with no later step from outside. */
static void lw_finish(lw_t *w, pthread_t *th, uint64_t wakes,
		      const char *handoff)
{
	cr_assert(wakes >= 1,
		  "%s: %s handed the latch to a parked waiter and issued no "
		  "futex wake", w->latch, handoff);
	uint64_t last = lkt_now_ns();
	int seen = 0;
	for (;;) {
		int n = 0;
		for (int i = 0; i < LW_N; i++)
			n += atomic_load(&w->done[i]);
		if (n == LW_N)
			break;
		if (n != seen) {
			seen = n;
			last = lkt_now_ns();
		}
		if (lkt_now_ns() - last > (uint64_t)LW_PATIENCE_S * 1000000000ull) {
			for (int i = 0; i < LW_N; i++)
				if (!atomic_load(&w->done[i]))
					cr_assert_fail("%s: lost wake-up: waiter %d "
						 "(%s) still parked %d s after "
						 "the hand-off (%s), with no "
						 "later step to wake it",
						 w->latch, i,
						 w->kind[i] ? "writer" : "reader/locker",
						 LW_PATIENCE_S, handoff);
		}
		lkt_sleep_ms(1);
	}
	for (int i = 0; i < LW_N; i++) {
		pthread_join(th[i], NULL);
		cr_assert(w->parks[i] >= 1, "%s: waiter %d counted no park",
			  w->latch, i);
	}
}

#define LW_RUN(w, handoff_stmt, what)                                          \
	do {                                                                   \
		pthread_t th_[LW_N];                                           \
		lw_arg_t args_[LW_N];                                          \
		lw_start(w, th_, args_);                                       \
		uint64_t k0_ = lk__wait_stats().wakes;                          \
		handoff_stmt;                                                  \
		lw_finish(w, th_, lk__wait_stats().wakes - k0_, what);          \
	} while (0)

/* ---- mutual exclusion: the unlock wakes the next locker --------------- */

#define LW_MUTEX(NAME)                                                         \
	static void NAME##_step(lw_t *w, int i)                                \
	{                                                                      \
		(void)i;                                                       \
		lk_##NAME##_lock((lk_##NAME##_t *)w->obj);                     \
		lk_##NAME##_unlock((lk_##NAME##_t *)w->obj);                   \
	}                                                                      \
	Test(lost_wake, NAME)                                                  \
	{                                                                      \
		static lk_##NAME##_t l;                                        \
		static lw_t w;                                                 \
		memset(&w, 0, sizeof w);                                       \
		lk_##NAME##_init(&l);                                          \
		w.latch = "lk_" #NAME;                                         \
		w.step = NAME##_step;                                          \
		w.obj = &l;                                                    \
		lk_##NAME##_lock(&l);                                          \
		LW_RUN(&w, lk_##NAME##_unlock(&l), "lk_" #NAME "_unlock");     \
	}

LW_MUTEX(mutex)
LW_MUTEX(ticket)
LW_MUTEX(mcs)
LW_MUTEX(clh)

static void seqlock_step(lw_t *w, int i)
{
	(void)i;
	lk_seqlock_write_lock((lk_seqlock_t *)w->obj);
	lk_seqlock_write_unlock((lk_seqlock_t *)w->obj);
}

Test(lost_wake, seqlock_writers)
{
	static lk_seqlock_t l;
	static lw_t w;
	memset(&w, 0, sizeof w);
	lk_seqlock_init(&l);
	w.latch = "lk_seqlock";
	w.step = seqlock_step;
	w.obj = &l;
	lk_seqlock_write_lock(&l);
	LW_RUN(&w, lk_seqlock_write_unlock(&l), "lk_seqlock_write_unlock");
}

/* ---- reader-writer: readers and writers behind a writer, writers behind
 * a reader ---------------------------------------------------------------- */

#define LW_RW(NAME)                                                            \
	static void NAME##_step(lw_t *w, int i)                                \
	{                                                                      \
		lk_##NAME##_t *l = (lk_##NAME##_t *)w->obj;                    \
		if (w->kind[i]) {                                              \
			lk_##NAME##_wrlock(l);                                 \
			lk_##NAME##_wrunlock(l);                               \
		} else {                                                       \
			lk_##NAME##_rdlock(l);                                 \
			lk_##NAME##_rdunlock(l);                               \
		}                                                              \
	}                                                                      \
	Test(lost_wake, NAME##_behind_writer)                                  \
	{                                                                      \
		static lk_##NAME##_t l;                                        \
		static lw_t w;                                                 \
		memset(&w, 0, sizeof w);                                       \
		lk_##NAME##_init(&l);                                          \
		w.latch = "lk_" #NAME " (readers and writers behind a writer)"; \
		w.step = NAME##_step;                                          \
		w.obj = &l;                                                    \
		for (int i = 0; i < LW_N; i++)                                 \
			w.kind[i] = i & 1;                                     \
		lk_##NAME##_wrlock(&l);                                        \
		LW_RUN(&w, lk_##NAME##_wrunlock(&l), "lk_" #NAME "_wrunlock"); \
	}                                                                      \
	Test(lost_wake, NAME##_writers_behind_reader)                          \
	{                                                                      \
		static lk_##NAME##_t l;                                        \
		static lw_t w;                                                 \
		memset(&w, 0, sizeof w);                                       \
		lk_##NAME##_init(&l);                                          \
		w.latch = "lk_" #NAME " (writers behind a reader)";            \
		w.step = NAME##_step;                                          \
		w.obj = &l;                                                    \
		for (int i = 0; i < LW_N; i++)                                 \
			w.kind[i] = 1;                                         \
		lk_##NAME##_rdlock(&l);                                        \
		LW_RUN(&w, lk_##NAME##_rdunlock(&l), "lk_" #NAME "_rdunlock"); \
	}

LW_RW(rwmutex)
LW_RW(pfrwlock)
LW_RW(rprwlock)

/* ---- semaphore: each post wakes a sleeper; each taker posts on --------- */

static void sem_step(lw_t *w, int i)
{
	(void)i;
	lk_sem_wait((lk_sem_t *)w->obj);
	lk_sem_post((lk_sem_t *)w->obj);
}

Test(lost_wake, sem)
{
	static lk_sem_t s;
	static lw_t w;
	memset(&w, 0, sizeof w);
	lk_sem_init(&s, 0);
	w.latch = "lk_sem";
	w.step = sem_step;
	w.obj = &s;
	LW_RUN(&w, lk_sem_post(&s), "lk_sem_post");
}

/* ---- condition variable: a signal (or broadcast) under the mutex ------ */

typedef struct {
	lk_cond_t c;
	lk_mutex_t m;
	int tokens; /* under m */
} lw_cond_t;

static void cond_step(lw_t *w, int i)
{
	lw_cond_t *x = (lw_cond_t *)w->obj;
	(void)i;
	lk_mutex_lock(&x->m);
	while (x->tokens == 0)
		lk_cond_wait(&x->c, &x->m);
	x->tokens--;
	if (w->kind[0] == 0) { /* signal mode: pass a token on */
		x->tokens++;
		lk_cond_signal(&x->c);
	}
	lk_mutex_unlock(&x->m);
}

static void cond_case(int broadcast)
{
	static lw_cond_t x;
	static lw_t w;
	memset(&w, 0, sizeof w);
	lk_cond_init(&x.c);
	lk_mutex_init(&x.m);
	x.tokens = 0;
	w.latch = broadcast ? "lk_cond (broadcast)" : "lk_cond (signal)";
	w.step = cond_step;
	w.obj = &x;
	w.kind[0] = broadcast;
	LW_RUN(&w,
	       (lk_mutex_lock(&x.m), x.tokens = broadcast ? LW_N : 1,
		broadcast ? lk_cond_broadcast(&x.c) : lk_cond_signal(&x.c),
		lk_mutex_unlock(&x.m)),
	       broadcast ? "lk_cond_broadcast + lk_mutex_unlock"
			 : "lk_cond_signal + lk_mutex_unlock");
}

Test(lost_wake, cond_signal)
{
	cond_case(0);
}

Test(lost_wake, cond_broadcast)
{
	cond_case(1);
}

/* ---- events: the last arrival, the set, the last count-down ----------- */

static void barrier_step(lw_t *w, int i)
{
	(void)i;
	lk_barrier_wait((lk_barrier_t *)w->obj);
}

Test(lost_wake, barrier)
{
	static lk_barrier_t b;
	static lw_t w;
	memset(&w, 0, sizeof w);
	cr_assert_eq(lk_barrier_init(&b, LW_N + 1), 0);
	w.latch = "lk_barrier";
	w.step = barrier_step;
	w.obj = &b;
	LW_RUN(&w, lk_barrier_wait(&b), "lk_barrier_wait (the last party)");
}

static void event_step(lw_t *w, int i)
{
	(void)i;
	lk_event_wait((lk_event_t *)w->obj);
}

Test(lost_wake, event)
{
	static lk_event_t e;
	static lw_t w;
	memset(&w, 0, sizeof w);
	lk_event_init(&e);
	w.latch = "lk_event";
	w.step = event_step;
	w.obj = &e;
	LW_RUN(&w, lk_event_set(&e), "lk_event_set");
}

static void latch_step(lw_t *w, int i)
{
	(void)i;
	lk_latch_wait((lk_latch_t *)w->obj);
}

Test(lost_wake, latch)
{
	static lk_latch_t l;
	static lw_t w;
	memset(&w, 0, sizeof w);
	cr_assert_eq(lk_latch_init(&l, 1), 0);
	w.latch = "lk_latch";
	w.step = latch_step;
	w.obj = &l;
	LW_RUN(&w, lk_latch_count_down(&l, 1), "lk_latch_count_down");
}

/* ---- once: callers wait while fn runs; its end wakes them ------------- */

static lk_once_t once_o;
static atomic_int once_go, once_in_fn;
static uint64_t once_wakes_in_fn;

static void once_fn(void)
{
	atomic_store(&once_in_fn, 1);
	while (!atomic_load(&once_go))
		lkt_sleep_ms(1);
	once_wakes_in_fn = lk__wait_stats().wakes;
}

static void once_step(lw_t *w, int i)
{
	(void)w;
	(void)i;
	lk_once(&once_o, once_fn);
}

static void *once_runner(void *p)
{
	uint64_t *wakes = (uint64_t *)p;
	lk_once(&once_o, once_fn);
	*wakes = lk__wait_stats().wakes - once_wakes_in_fn;
	return NULL;
}

Test(lost_wake, once)
{
	static lw_t w;
	static uint64_t runner_wakes;
	memset(&w, 0, sizeof w);
	lk_once_init(&once_o);
	atomic_store(&once_go, 0);
	atomic_store(&once_in_fn, 0);
	w.latch = "lk_once";
	w.step = once_step;
	w.obj = &once_o;
	pthread_t r;
	cr_assert_eq(pthread_create(&r, NULL, once_runner, &runner_wakes), 0);
	while (!atomic_load(&once_in_fn)) /* the runner first, then waiters */
		lkt_sleep_ms(1);
	pthread_t th[LW_N];
	lw_arg_t args[LW_N];
	lw_start(&w, th, args);
	atomic_store(&once_go, 1);
	pthread_join(r, NULL);
	lw_finish(&w, th, runner_wakes, "lk_once's end of fn");
}
