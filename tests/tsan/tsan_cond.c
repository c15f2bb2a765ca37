/*
 * tests/tsan/tsan_cond.c: what ThreadSanitizer sees of a condition
 * variable. Its mutex orders the critical sections; beyond that, cond.h
 * guarantees one edge: what a thread did before a signal or broadcast
 * happens before the return of each waiter that call chose. So:
 *
 *   clean cond         a bounded queue under one lk_mutex and two conds
 *                      (plain slots, the mutex orders them), then data
 *                      written after the mutex is released and before a
 *                      signal or broadcast, read by the waiters it chose
 *                      once they have released the mutex again (only the
 *                      cond's edge orders it), for every wait verb, the
 *                      _with form, and a broadcast that requeues its
 *                      waiters onto a held mutex: no report.
 *   race-after cond    the same, the data written after the signal: one
 *                      data race (nothing orders it).
 *   race-unchosen cond the data written before a signal that finds no
 *                      waiter, read by a later waiter that times out: one
 *                      data race (a signal that chose nobody, a waiter
 *                      nobody chose: no edge).
 *   race-before cond-unannotated  the clean run's signal case, with this
 *                      file compiled again (tsan_cond_unannotated.c)
 *                      with cond.h's release and acquire defined away:
 *                      one data race. The rest of cond.h is hidden from
 *                      TSan (signal frames), so this edge exists for
 *                      TSan only by its annotation.
 */
#include <latchkit/cond.h>
#include <latchkit/mutex.h>
#include <latchkit/tas.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsan.h"

static void cond_fail(const char *what, long got, long want)
{
	fprintf(stderr, "cond: %s: %ld, not %ld\n", what, got, want);
	exit(1);
}

static void cond_nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- the edge: written before the signal, read after the wait ---------- */

enum {
	CE_SIGNAL,         /* lk_cond_wait, a signal (the waiter parks) */
	CE_TIMED,          /* lk_cond_timedwait, a signal */
	CE_UNTIL,          /* lk_cond_timedwait_until, a signal (parks) */
	CE_WITH,           /* lk_cond_wait_with (an lk_tas), a signal */
	CE_BROADCAST,      /* two waiters, a broadcast, the mutex free */
	CE_BROADCAST_HELD, /* two parked waiters, a broadcast while a third
			    * thread holds the mutex (requeued onto it) */
	CE_N
};

static lk_mutex_t ce_mu;
static lk_tas_t ce_tas;
static lk_cond_t ce_cv;
static int ce_pred; /* under ce_mu (ce_tas for CE_WITH) */
static int ce_how;
static bool ce_late; /* write after the signal: race-after */
static atomic_int ce_written, ce_read, ce_held;

static void ce_tas_unlock(void *l) { lk_tas_unlock(l); }
static void ce_tas_lock(void *l) { lk_tas_lock(l); }

static int ce_waiters(void)
{
	return ce_how == CE_BROADCAST || ce_how == CE_BROADCAST_HELD ? 2 : 1;
}

/* An absolute CLOCK_MONOTONIC deadline s seconds from now. */
static struct timespec ce_deadline(long s)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += s;
	return ts;
}

static void ce_wait(long id)
{
	struct timespec t;
	if (ce_how == CE_WITH) {
		lk_tas_lock(&ce_tas);
		while (!ce_pred)
			lk_cond_wait_with(&ce_cv, &ce_tas, ce_tas_unlock,
					  ce_tas_lock);
		lk_tas_unlock(&ce_tas);
		return;
	}
	lk_mutex_lock(&ce_mu);
	while (!ce_pred) {
		int how = ce_how;
		if (how == CE_BROADCAST || how == CE_BROADCAST_HELD)
			how = id ? CE_TIMED : CE_SIGNAL;
		switch (how) {
		case CE_TIMED:
			if (!lk_cond_timedwait(&ce_cv, &ce_mu,
					       10000u * (uint64_t)MS))
				cond_fail("timedwait timed out", 0, 1);
			break;
		case CE_UNTIL:
			t = ce_deadline(10);
			if (lk_cond_timedwait_until(&ce_cv, &ce_mu, &t) != 0)
				cond_fail("timedwait_until", 1, 0);
			break;
		default:
			lk_cond_wait(&ce_cv, &ce_mu);
		}
	}
	lk_mutex_unlock(&ce_mu);
}

/* ce_held, relaxed (no edge), for CE_BROADCAST_HELD: 1 the predicate is
 * set, 2 the holder holds the mutex, 3 the broadcast is done. */
static void ce_step(int from, int to)
{
	if (from)
		while (atomic_load_explicit(&ce_held, memory_order_relaxed) !=
		       from)
			sched_yield();
	if (to)
		atomic_store_explicit(&ce_held, to, memory_order_relaxed);
}

static void ce_publish(void)
{
	bool held = ce_how == CE_BROADCAST_HELD;
	/* relaxed, no edge: the waiters are queued (they hold nothing) */
	while (lk_cond_waiters(&ce_cv) != (uint32_t)ce_waiters())
		sched_yield();
	if (ce_how == CE_WITH) {
		lk_tas_lock(&ce_tas);
		ce_pred = 1;
		lk_tas_unlock(&ce_tas);
	} else {
		lk_mutex_lock(&ce_mu);
		ce_pred = 1;
		lk_mutex_unlock(&ce_mu);
	}
	if (held) {
		ce_step(0, 1);
		ce_step(2, 0);
	}
	if (ce_how == CE_SIGNAL || ce_how == CE_UNTIL || held)
		cond_nap_ms(20); /* the waiters park */
	if (!ce_late)
		*shared = 100 + ce_how; /* after the mutex, before the call */
	if (ce_how == CE_BROADCAST || held)
		lk_cond_broadcast(&ce_cv);
	else
		lk_cond_signal(&ce_cv);
	if (ce_late)
		*shared = 100 + ce_how; /* after the call: ordered with nobody */
	atomic_store_explicit(&ce_written, 1, memory_order_relaxed);
	if (held)
		ce_step(0, 3);
	/* Stay alive until the readers are done (see race_locked). */
	while (atomic_load_explicit(&ce_read, memory_order_relaxed) <
	       ce_waiters())
		sched_yield();
}

/* Holds the mutex across the broadcast (CE_BROADCAST_HELD): the waiters,
 * parked, are requeued onto it and woken by its unlock. */
static void ce_hold(void)
{
	ce_step(1, 0);
	lk_mutex_lock(&ce_mu);
	ce_step(0, 2);
	ce_step(3, 0);
	lk_mutex_unlock(&ce_mu);
}

static void *ce_thread(void *arg)
{
	long id = (long)arg;
	if (id == 0) {
		ce_publish();
	} else if (id == 3) {
		ce_hold();
	} else {
		ce_wait(id - 1);
		while (!atomic_load_explicit(&ce_written, memory_order_relaxed))
			sched_yield();
		long v = *shared; /* the mutex released: the cond's edge only */
		if (!ce_late && v != 100 + ce_how)
			cond_fail("data after the wait", v, 100 + ce_how);
		atomic_fetch_add_explicit(&ce_read, 1, memory_order_relaxed);
	}
	return NULL;
}

static void cond_edge(int how, bool late_write)
{
	lk_mutex_init(&ce_mu);
	lk_tas_init(&ce_tas);
	lk_cond_init(&ce_cv);
	ce_pred = 0;
	ce_how = how;
	ce_late = late_write;
	*shared = 0;
	atomic_store(&ce_written, 0);
	atomic_store(&ce_read, 0);
	atomic_store(&ce_held, 0);
	run_threads(1 + ce_waiters() + (how == CE_BROADCAST_HELD),
		    ce_thread);
	lk_cond_destroy(&ce_cv);
}

#ifdef TSAN_COND_UNANNOTATED

void cond_unannotated_run(void) { cond_edge(CE_SIGNAL, false); }

#else

/* ---- clean: a bounded queue under the mutex, then every edge ------------ */

/* Two producers and two consumers, signals and a broadcast, a timed wait;
 * the slots are plain data ordered by the mutex alone, so TSan must report
 * nothing (and no lock-order inversion between the user's mutex and the
 * cond's own). */
#define CQ_N 4
static lk_mutex_t cq_mu;
static lk_cond_t cq_full, cq_empty;
static long cq_slot[CQ_N], cq_sum;
static unsigned cq_head, cq_tail, cq_left;

static void *cq_thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 200; i++) {
		lk_mutex_lock(&cq_mu);
		if (id < 2) { /* producer */
			while (cq_tail - cq_head == CQ_N)
				lk_cond_wait(&cq_full, &cq_mu);
			cq_slot[cq_tail++ % CQ_N] = i + 1;
			lk_cond_signal(&cq_empty);
		} else { /* consumer */
			while (cq_tail == cq_head)
				if (!lk_cond_timedwait(&cq_empty, &cq_mu, 50000000u) &&
				    cq_tail == cq_head)
					continue;
			cq_sum += cq_slot[cq_head++ % CQ_N];
			if (--cq_left % 16 == 0)
				lk_cond_broadcast(&cq_full);
			else
				lk_cond_signal(&cq_full);
		}
		lk_mutex_unlock(&cq_mu);
	}
	return NULL;
}

static void cond_queue(void)
{
	lk_mutex_init(&cq_mu);
	lk_cond_init(&cq_full);
	lk_cond_init(&cq_empty);
	cq_head = cq_tail = 0;
	cq_sum = 0;
	cq_left = 400;
	run_threads(4, cq_thread);
	if (cq_sum != 2 * 200 * 201 / 2)
		cond_fail("queue sum", cq_sum, 2 * 200 * 201 / 2);
}

/* ---- race-unchosen: a signal to nobody, a waiter nobody chose ----------- */

static void *cu_thread(void *arg)
{
	if (!arg) {
		*shared = 1; /* before a signal that finds no waiter */
		lk_cond_signal(&ce_cv);
		lk_cond_broadcast(&ce_cv);
		atomic_store_explicit(&ce_written, 1, memory_order_relaxed);
		while (!atomic_load_explicit(&ce_read, memory_order_relaxed))
			sched_yield();
	} else {
		while (!atomic_load_explicit(&ce_written, memory_order_relaxed))
			sched_yield();
		lk_mutex_lock(&ce_mu);
		if (lk_cond_timedwait(&ce_cv, &ce_mu, 2 * MS))
			cond_fail("timedwait chosen by nobody", 1, 0);
		lk_mutex_unlock(&ce_mu);
		tsan_sink = *shared;
		atomic_store_explicit(&ce_read, 1, memory_order_relaxed);
	}
	return NULL;
}

void cond_run(void)
{
	if (!strcmp(scenario, "race-after")) {
		cond_edge(CE_SIGNAL, true);
	} else if (!strcmp(scenario, "race-unchosen")) {
		lk_mutex_init(&ce_mu);
		lk_cond_init(&ce_cv);
		atomic_store(&ce_written, 0);
		atomic_store(&ce_read, 0);
		run_threads(2, cu_thread);
	} else {
		cond_queue();
		for (int how = 0; how < CE_N; how++)
			cond_edge(how, false);
	}
}

#endif
