/* Event and latch: each verb, waiters woken and seeing the setter's work,
 * timed waits (relative _timedwait, absolute _timedwait_until) that time
 * out on time (checked against the clock), bad timespecs and counts
 * refused with the object unchanged. */
#include <latchkit/event.h>
#include <string.h>

#include "harness.h"

/* An absolute CLOCK_MONOTONIC time ms from now. */
static struct timespec in_ms(uint64_t ms)
{
	uint64_t t = lkt_now_ns() + ms * 1000000u;
	struct timespec ts;
	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	return ts;
}

static uint64_t ts_ns(struct timespec ts)
{
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- event ------------------------------------------------------------------ */

Test(event, verbs)
{
	static lk_event_t e = LK_EVENT_INIT;
	cr_assert(!lk_event_is_set(&e));
	cr_assert(!lk_event_trywait(&e));
	struct timespec past = {0, 0};
	cr_assert_eq(lk_event_timedwait_until(&e, &past), ETIMEDOUT);
	cr_assert(!lk_event_timedwait(&e, 0), "unset: 0 ns only looks");
	cr_assert(!lk_event_timedwait(&e, 1000), "unset: 1 us times out");
	lk_event_set(&e);
	cr_assert(lk_event_is_set(&e));
	cr_assert(lk_event_trywait(&e));
	lk_event_wait(&e);
	cr_assert_eq(lk_event_timedwait_until(&e, &past), 0, "set: 0 even when past");
	struct timespec later = in_ms(1000);
	cr_assert_eq(lk_event_timedwait_until(&e, &later), 0);
	cr_assert(lk_event_timedwait(&e, 0), "set: true even with 0 ns");
	cr_assert(lk_event_timedwait(&e, UINT64_MAX), "set: true at once");
	lk_event_set(&e); /* a second set does nothing */
	cr_assert(lk_event_is_set(&e));
	lk_event_init(&e);
	cr_assert(!lk_event_is_set(&e));
	/* zeroed memory is an unset event */
	lk_event_t z;
	memset(&z, 0, sizeof z);
	cr_assert(!lk_event_is_set(&z));
}

Test(event, timedwait_times_out_on_time)
{
	lk_event_t e;
	lk_event_init(&e);
	for (int ms = 1; ms <= 100; ms *= 10) {
		struct timespec dl = in_ms((uint64_t)ms);
		int rc = lk_event_timedwait_until(&e, &dl);
		uint64_t now = lkt_now_ns();
		cr_assert_eq(rc, ETIMEDOUT);
		cr_assert_geq(now, ts_ns(dl), "returned %.3f ms early",
			      (double)(ts_ns(dl) - now) / 1e6);
		cr_assert_lt(now, ts_ns(dl) + 2000000000u,
			     "absurdly late: %.1f ms",
			     (double)(now - ts_ns(dl)) / 1e6);
		cr_log_info("timedwait_until %d ms: late by %.3f ms", ms,
			    (double)(now - ts_ns(dl)) / 1e6);
		uint64_t t0 = lkt_now_ns();
		cr_assert(!lk_event_timedwait(&e, (uint64_t)ms * 1000000u));
		now = lkt_now_ns();
		cr_assert_geq(now - t0, (uint64_t)ms * 1000000u,
			      "relative: returned %.3f ms early",
			      (double)((uint64_t)ms * 1000000u - (now - t0)) /
				      1e6);
		cr_assert_lt(now - t0, (uint64_t)ms * 1000000u + 2000000000u,
			     "relative: absurdly late");
	}
	cr_assert(!lk_event_is_set(&e));
}

/* Bad deadlines: EINVAL, before looking at the event, which is left as it
 * was (unset, set, or with a waiter announced). */
Test(event, bad_timespec_refused)
{
	struct timespec bad[4] = {{0, -1}, {0, 1000000000L}, {-1, 0},
				  {1, 2000000000L}};
	for (int set = 0; set < 2; set++) {
		lk_event_t e;
		lk_event_init(&e);
		if (set)
			lk_event_set(&e);
		for (int i = 0; i < 4; i++) {
			uint32_t before = atomic_load(&e.word);
			cr_assert_eq(lk_event_timedwait_until(&e, &bad[i]), EINVAL,
				     "case %d", i);
			cr_assert_eq(atomic_load(&e.word), before);
		}
		cr_assert_eq(lk_event_timedwait_until(&e, NULL), EINVAL);
		cr_assert_eq(atomic_load(&e.word), set ? 1u : 0u);
	}
	/* the limits themselves are valid */
	lk_event_t e = LK_EVENT_INIT;
	struct timespec edge = {0, 999999999L};
	cr_assert_eq(lk_event_timedwait_until(&e, &edge), ETIMEDOUT);
	struct timespec zero = {0, 0};
	cr_assert_eq(lk_event_timedwait_until(&e, &zero), ETIMEDOUT);
}

/* Waiters (wait, timedwait, timedwait_until) parked before the set are all
 * woken, and each sees the setter's plain write. */
#define WAITERS 8
typedef struct {
	lk_event_t e;
	int payload; /* plain: written before set */
	atomic_int started, done, bad;
} wake_t;

static void *event_waiter(void *p, int id)
{
	wake_t *c = (wake_t *)p;
	atomic_fetch_add(&c->started, 1);
	if (id % 3 == 0) {
		lk_event_wait(&c->e);
	} else if (id % 3 == 1) {
		if (!lk_event_timedwait(&c->e, (uint64_t)30000 * 1000000u))
			atomic_fetch_add(&c->bad, 1);
	} else {
		struct timespec dl = in_ms(30000);
		if (lk_event_timedwait_until(&c->e, &dl) != 0)
			atomic_fetch_add(&c->bad, 1);
	}
	if (c->payload != 99)
		atomic_fetch_add(&c->bad, 1);
	atomic_fetch_add(&c->done, 1);
	return NULL;
}

static void *event_setter(void *p)
{
	wake_t *c = (wake_t *)p;
	while (atomic_load(&c->started) < WAITERS)
		sched_yield();
	lkt_sleep_ms(100); /* long enough to park */
	if (atomic_load(&c->done) != 0)
		atomic_fetch_add(&c->bad, 1); /* someone left before set */
	c->payload = 99;
	lk_event_set(&c->e);
	return NULL;
}

Test(event, set_wakes_every_waiter)
{
	static wake_t c;
	lk_event_init(&c.e);
	pthread_t st;
	cr_assert_eq(pthread_create(&st, NULL, event_setter, &c), 0);
	lkt_run(WAITERS, event_waiter, &c);
	lkt_join(st, 0, "its lock and wait calls");
	cr_assert_eq(atomic_load(&c.bad), 0);
	cr_assert_eq(atomic_load(&c.done), WAITERS);
	cr_assert_eq(atomic_load(&c.e.word), 1u, "set, and no waiter bit left");
}

/* ---- latch ------------------------------------------------------------------ */

Test(latch, verbs)
{
	static lk_latch_t l = LK_LATCH_INIT(3);
	cr_assert_eq(lk_latch_count(&l), 3);
	cr_assert(!lk_latch_try_wait(&l));
	struct timespec past = {0, 0};
	cr_assert_eq(lk_latch_timedwait_until(&l, &past), ETIMEDOUT);
	cr_assert(!lk_latch_timedwait(&l, 0), "closed: 0 ns only looks");
	cr_assert(!lk_latch_timedwait(&l, 1000), "closed: 1 us times out");
	cr_assert_eq(lk_latch_count(&l), 3, "a timed-out wait counts nothing");
	cr_assert_eq(lk_latch_count_down(&l, 0), 0); /* nothing */
	cr_assert_eq(lk_latch_count(&l), 3);
	cr_assert_eq(lk_latch_count_down(&l, 1), 0);
	cr_assert_eq(lk_latch_count_down(&l, 5), EINVAL, "more than is left");
	cr_assert_eq(lk_latch_count(&l), 2, "a refused count_down changes "
					    "nothing");
	cr_assert_eq(lk_latch_count_down(&l, 2), 0);
	cr_assert_eq(lk_latch_count(&l), 0);
	cr_assert(lk_latch_try_wait(&l));
	lk_latch_wait(&l);
	cr_assert_eq(lk_latch_timedwait_until(&l, &past), 0);
	cr_assert(lk_latch_timedwait(&l, 0), "open: true even with 0 ns");
	cr_assert_eq(lk_latch_count_down(&l, 1), EINVAL, "open: nothing left");
	cr_assert_eq(lk_latch_count_down(&l, 0), 0);
	/* init */
	lk_latch_t m;
	cr_assert_eq(lk_latch_init(&m, 0), 0);
	cr_assert(lk_latch_try_wait(&m), "a latch of 0 is open");
	cr_assert_eq(lk_latch_init(&m, LK_LATCH_MAX), 0);
	cr_assert_eq(lk_latch_count(&m), LK_LATCH_MAX);
	cr_assert_eq(lk_latch_count_down(&m, LK_LATCH_MAX), 0);
	cr_assert(lk_latch_try_wait(&m));
	cr_assert_eq(lk_latch_init(&m, 4), 0);
	cr_assert_eq(lk_latch_init(&m, LK_LATCH_MAX + 1u), EINVAL);
	cr_assert_eq(lk_latch_init(&m, UINT32_MAX), EINVAL);
	cr_assert_eq(lk_latch_count(&m), 4, "a refused init changes nothing");
}

Test(latch, timedwait_times_out_on_time)
{
	lk_latch_t l;
	lk_latch_init(&l, 1);
	struct timespec dl = in_ms(50);
	int rc = lk_latch_timedwait_until(&l, &dl);
	uint64_t now = lkt_now_ns();
	cr_assert_eq(rc, ETIMEDOUT);
	cr_assert_geq(now, ts_ns(dl));
	cr_assert_lt(now, ts_ns(dl) + 2000000000u);
	uint64_t t0 = lkt_now_ns();
	cr_assert(!lk_latch_timedwait(&l, 50000000u));
	now = lkt_now_ns();
	cr_assert_geq(now - t0, 50000000u, "relative: early");
	cr_assert_lt(now - t0, 50000000u + 2000000000u, "relative: late");
	cr_assert_eq(lk_latch_count(&l), 1);
}

Test(latch, bad_timespec_refused)
{
	struct timespec bad[3] = {{0, -5}, {0, 1000000000L}, {-3, 10}};
	lk_latch_t l;
	lk_latch_init(&l, 2);
	for (int i = 0; i < 3; i++) {
		uint32_t before = atomic_load(&l.word);
		cr_assert_eq(lk_latch_timedwait_until(&l, &bad[i]), EINVAL);
		cr_assert_eq(atomic_load(&l.word), before);
	}
	cr_assert_eq(lk_latch_timedwait_until(&l, NULL), EINVAL);
	cr_assert_eq(lk_latch_count(&l), 2);
	lk_latch_count_down(&l, 2);
	cr_assert_eq(lk_latch_timedwait_until(&l, &bad[0]), EINVAL, "open too");
}

/* COUNTERS threads count down 1000 times each, writing their slot before
 * each; WAITERS threads wait (plain and timed) and must see every slot's
 * last value once released, and not be released before the last. Counter
 * 0 pauses 50 ms before its last step, so the waiters park. */
#define COUNTERS 4
#define STEPS 1000
typedef struct {
	lk_latch_t l;
	int slot[COUNTERS]; /* plain: written before each count_down */
	atomic_int counted, bad, released;
} count_t;

static void *latch_worker(void *p, int id)
{
	count_t *c = (count_t *)p;
	if (id < COUNTERS) {
		for (int i = 1; i <= STEPS; i++) {
			c->slot[id] = i;
			int n = atomic_fetch_add(&c->counted, 1) + 1;
			if (atomic_load(&c->released) != 0 &&
			    n <= COUNTERS * STEPS)
				atomic_fetch_add(&c->bad, 1); /* open early */
			if (lk_latch_count_down(&c->l, 1) != 0)
				atomic_fetch_add(&c->bad, 1);
			if ((i & 63) == 0)
				sched_yield();
			if (id == 0 && i == STEPS - 1)
				lkt_sleep_ms(50); /* the waiters park */
		}
		return NULL;
	}
	if (id % 3 == 0) {
		lk_latch_wait(&c->l);
	} else if (id % 3 == 1) {
		if (!lk_latch_timedwait(&c->l, (uint64_t)30000 * 1000000u))
			atomic_fetch_add(&c->bad, 1);
	} else {
		struct timespec dl = in_ms(30000);
		if (lk_latch_timedwait_until(&c->l, &dl) != 0)
			atomic_fetch_add(&c->bad, 1);
	}
	atomic_fetch_add(&c->released, 1);
	if (atomic_load(&c->counted) != COUNTERS * STEPS)
		atomic_fetch_add(&c->bad, 1);
	for (int j = 0; j < COUNTERS; j++)
		if (c->slot[j] != STEPS)
			atomic_fetch_add(&c->bad, 1);
	return NULL;
}

Test(latch, count_downs_release_waiters)
{
	static count_t c;
	cr_assert_eq(lk_latch_init(&c.l, COUNTERS * STEPS), 0);
	lkt_run(COUNTERS + WAITERS, latch_worker, &c);
	cr_assert_eq(atomic_load(&c.bad), 0);
	cr_assert_eq(atomic_load(&c.released), WAITERS);
	cr_assert_eq(atomic_load(&c.l.word), 0u, "open, no waiter bit left");
}
