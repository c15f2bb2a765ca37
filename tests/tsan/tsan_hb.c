/*
 * tests/tsan/tsan_hb.c: once, barrier, event and latch order without
 * excluding: data published through them is clean, data written after
 * the publish is a race TSan must report (race-after).
 */
#include <latchkit/barrier.h>
#include <latchkit/brlock.h>
#include <latchkit/clh.h>
#include <latchkit/cond.h>
#include <latchkit/event.h>
#include <latchkit/leftright.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/once.h>
#include <latchkit/optlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/reentrant.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsan.h"

/* ---- once, barrier, event, latch: happens-before without exclusion ------ */

long *shared;                 /* this kind's tsan_shared */
atomic_int flag, done;         /* relaxed only: no happens-before */
bool late;                    /* race-after, not clean */

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* An absolute CLOCK_MONOTONIC deadline ms from now (the _timedwait_until
 * verbs). */
static struct timespec deadline_ms(long ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void hb_fail(const char *what, long got, long want)
{
	fprintf(stderr, "%s: %ld, not %ld\n", what, got, want);
	exit(1);
}

/* race-after: thread 0 publishes, then writes *shared; thread 1 waits for
 * the publish, then (once thread 0 has written: a relaxed flag, no edge)
 * reads it. Both stay alive until the read (see race_locked). */
static void (*late_publish)(void);
static void (*late_wait)(void);
long tsan_sink;

static void *late_thread(void *arg)
{
	if (!arg) {
		late_publish();
		*shared = 1; /* after the publish: ordered with nobody */
		atomic_store_explicit(&flag, 1, memory_order_relaxed);
		while (!atomic_load_explicit(&done, memory_order_relaxed))
			sched_yield();
	} else {
		late_wait();
		while (!atomic_load_explicit(&flag, memory_order_relaxed))
			sched_yield();
		tsan_sink = *shared;
		atomic_store_explicit(&done, 1, memory_order_relaxed);
	}
	return NULL;
}

static void late_run(void (*publish)(void), void (*wait)(void))
{
	late_publish = publish;
	late_wait = wait;
	run_threads(2, late_thread);
}

/* once: fn's plain writes, read after every call's return. Threads 0 and
 * 1 race to run fn (lk_once, lk_once_ctx; fn naps, so the loser parks),
 * 2 polls lk_once_is_done, 3 calls lk_once on the done path only once 0
 * has returned (told by a relaxed flag: the edge is the done path's). */
static lk_once_t once_o, once_late;
static long once_runs, once_data[4];

static void once_body(void)
{
	nap_ms(20);
	once_runs++;
	for (int i = 0; i < 4; i++)
		once_data[i] = i + 1;
}
static void once_fn(void) { once_body(); }
static void once_fn_ctx(void *arg)
{
	if (arg != &once_o)
		abort();
	once_body();
}
static void once_check(void)
{
	if (once_runs != 1)
		hb_fail("once: fn ran", once_runs, 1);
	for (int i = 0; i < 4; i++)
		if (once_data[i] != i + 1)
			hb_fail("once: data", once_data[i], i + 1);
}

static void *once_thread(void *arg)
{
	switch ((long)arg) {
	case 0:
		lk_once(&once_o, once_fn);
		once_check();
		atomic_store_explicit(&flag, 1, memory_order_relaxed);
		break;
	case 1:
		lk_once_ctx(&once_o, once_fn_ctx, &once_o);
		once_check();
		break;
	case 2:
		while (!lk_once_is_done(&once_o))
			sched_yield();
		once_check();
		break;
	default:
		while (!atomic_load_explicit(&flag, memory_order_relaxed))
			sched_yield();
		lk_once(&once_o, once_fn); /* the done path */
		once_check();
	}
	return NULL;
}

static void once_nop(void) {}
static void once_late_call(void) { lk_once(&once_late, once_nop); }

void once_run(void)
{
	lk_once_init(late ? &once_late : &once_o);
	if (late)
		late_run(once_late_call, once_late_call);
	else
		run_threads(4, once_thread);
}

/* barrier: each party writes its slot before arriving and reads every slot
 * after departing, for BAR_GENS generations (a second wait keeps the next
 * writes after the reads); now and then one party naps before arriving,
 * so that the others park (3 parties on 2 CPUs park at once anyway). */
#define BAR_N 3
#define BAR_GENS 60
static lk_barrier_t bar, bar_late;
static long bar_slot[BAR_N];
static atomic_int bar_serial;

static void *bar_thread(void *arg)
{
	long id = (long)arg;
	for (long g = 1; g <= BAR_GENS; g++) {
		bar_slot[id] = g;
		if (g % 10 == id)
			nap_ms(2);
		if (lk_barrier_wait(&bar) == LK_BARRIER_SERIAL_THREAD)
			atomic_fetch_add(&bar_serial, 1);
		for (int j = 0; j < BAR_N; j++)
			if (bar_slot[j] != g)
				hb_fail("barrier: slot", bar_slot[j], g);
		if (lk_barrier_wait(&bar) == LK_BARRIER_SERIAL_THREAD)
			atomic_fetch_add(&bar_serial, 1);
	}
	return NULL;
}

static void bar_late_wait(void) { lk_barrier_wait(&bar_late); }

void barrier_run(void)
{
	if (late) {
		lk_barrier_init(&bar_late, 2);
		late_run(bar_late_wait, bar_late_wait);
		lk_barrier_destroy(&bar_late);
		return;
	}
	lk_barrier_init(&bar, BAR_N);
	atomic_store(&bar_serial, 0);
	run_threads(BAR_N, bar_thread);
	if (atomic_load(&bar_serial) != 2 * BAR_GENS)
		hb_fail("barrier: serial threads", atomic_load(&bar_serial),
			2 * BAR_GENS);
	lk_barrier_destroy(&bar);
}

/* event: thread 0 writes, then sets (after a nap, so that waiters park);
 * 1 waits, 2 timedwaits (timedwait_until with a deadline already past,
 * then timedwait, then timedwait_until), 3 polls trywait, then is_set;
 * each reads after. */
static lk_event_t ev, ev_late;
static long ev_data[2];

static void ev_check(void)
{
	if (ev_data[0] != 7 || ev_data[1] != 8)
		hb_fail("event: data", ev_data[0] * 10 + ev_data[1], 78);
}

static void *ev_thread(void *arg)
{
	struct timespec t;
	switch ((long)arg) {
	case 0:
		nap_ms(20);
		ev_data[0] = 7;
		ev_data[1] = 8;
		lk_event_set(&ev);
		lk_event_set(&ev); /* does nothing */
		break;
	case 1:
		lk_event_wait(&ev);
		ev_check();
		break;
	case 2:
		t = deadline_ms(0);
		if (lk_event_timedwait_until(&ev, &t) == 0)
			ev_check();
		if (!lk_event_timedwait(&ev, 10000u * (uint64_t)MS))
			hb_fail("event: timedwait (relative)", 0, 1);
		ev_check();
		t = deadline_ms(10000);
		if (lk_event_timedwait_until(&ev, &t) != 0)
			hb_fail("event: timedwait", 1, 0);
		ev_check();
		break;
	default:
		while (!lk_event_trywait(&ev))
			sched_yield();
		ev_check();
		if (!lk_event_is_set(&ev))
			hb_fail("event: is_set", 0, 1);
		ev_check();
	}
	return NULL;
}

static void ev_late_set(void) { lk_event_set(&ev_late); }
static void ev_late_wait(void) { lk_event_wait(&ev_late); }

void event_run(void)
{
	lk_event_init(late ? &ev_late : &ev);
	if (late)
		late_run(ev_late_set, ev_late_wait);
	else
		run_threads(4, ev_thread);
}

/* latch: threads 0-2 write their slot, then count down 1, 1 and 2 (0 also
 * counts down 0 first, which does nothing; 2 naps first, so that waiters
 * park); 3 waits, 4 timedwaits (relative, then until), 5 polls try_wait;
 * each reads every slot. */
static lk_latch_t lat, lat_late;
static long lat_slot[3];

static void lat_check(void)
{
	for (int i = 0; i < 3; i++)
		if (lat_slot[i] != i + 1)
			hb_fail("latch: slot", lat_slot[i], i + 1);
}

static void *lat_thread(void *arg)
{
	long id = (long)arg;
	struct timespec t;
	switch (id) {
	case 0:
	case 1:
	case 2:
		if (id == 2)
			nap_ms(20);
		lat_slot[id] = id + 1;
		if (id == 0 && lk_latch_count_down(&lat, 0) != 0)
			hb_fail("latch: count_down(0)", 1, 0);
		if (lk_latch_count_down(&lat, id == 2 ? 2 : 1) != 0)
			hb_fail("latch: count_down", 1, 0);
		break;
	case 3:
		lk_latch_wait(&lat);
		lat_check();
		break;
	case 4:
		if (!lk_latch_timedwait(&lat, 10000u * (uint64_t)MS))
			hb_fail("latch: timedwait (relative)", 0, 1);
		lat_check();
		t = deadline_ms(10000);
		if (lk_latch_timedwait_until(&lat, &t) != 0)
			hb_fail("latch: timedwait", 1, 0);
		lat_check();
		break;
	default:
		while (!lk_latch_try_wait(&lat))
			sched_yield();
		lat_check();
		if (lk_latch_count(&lat) != 0)
			hb_fail("latch: count", lk_latch_count(&lat), 0);
	}
	return NULL;
}

static void lat_late_count_down(void) { lk_latch_count_down(&lat_late, 1); }
static void lat_late_wait(void) { lk_latch_wait(&lat_late); }

void latch_run(void)
{
	if (late) {
		lk_latch_init(&lat_late, 1);
		late_run(lat_late_count_down, lat_late_wait);
		return;
	}
	lk_latch_init(&lat, 4);
	run_threads(6, lat_thread);
}
