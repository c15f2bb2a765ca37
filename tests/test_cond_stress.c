/*
 * Condition variable under threads: a bounded-queue stress with N
 * producers and N consumers that counts every item (no lost wake-up),
 * under a watchdog that names the thread that is stuck; and timed waiters
 * racing signals. test_cond.c has the verbs, one by one.
 */
#include <latchkit/cond.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cond_util.h"
#include "harness.h"

/* ---- lost wake-ups: a bounded queue, N producers, N consumers ----------- */

#define QCAP 4
#define PRODUCERS 4
#define CONSUMERS 4
#define PER_PRODUCER 15000
#define ITEMS (PRODUCERS * PER_PRODUCER)

enum { S_RUN, S_WAIT_FULL, S_WAIT_EMPTY, S_DONE };
static const char *const sname[] = {"running",
				    "in lk_cond_wait(not_full)",
				    "in lk_cond_wait(not_empty)", "done"};

typedef struct {
	lk_mutex_t m;
	lk_cond_t not_full, not_empty;
	uint32_t buf[QCAP]; /* under m */
	int head, count;
	int producers_left;
	unsigned char seen[ITEMS];
	unsigned long consumed, dup;
	atomic_int state[PRODUCERS + CONSUMERS];
	atomic_ulong progress[PRODUCERS + CONSUMERS];
	atomic_int finished;
} bq_t;
static bq_t bq;

static bool bq_wait(lk_cond_t *c, int id, int i)
{
	/* vary the verb: untimed, short relative, short absolute */
	switch ((i + id) % 3) {
	case 0:
		lk_cond_wait(c, &bq.m);
		return true;
	case 1:
		return lk_cond_timedwait(c, &bq.m, 200000);
	default: {
		struct timespec ts = abs_in(300000);
		return lk_cond_timedwait_until(c, &bq.m, &ts) == 0;
	}
	}
}

static void *bq_worker(void *ctx, int id)
{
	(void)ctx;
	if (id < PRODUCERS) {
		for (int i = 0; i < PER_PRODUCER; i++) {
			uint32_t item = (uint32_t)(id * PER_PRODUCER + i);
			lk_mutex_lock(&bq.m);
			while (bq.count == QCAP) {
				atomic_store(&bq.state[id], S_WAIT_FULL);
				bq_wait(&bq.not_full, id, i);
				atomic_store(&bq.state[id], S_RUN);
			}
			bq.buf[(bq.head + bq.count) % QCAP] = item;
			bq.count++;
			if (i & 1) {
				lk_cond_signal(&bq.not_empty);
				lk_mutex_unlock(&bq.m);
			} else {
				lk_mutex_unlock(&bq.m);
				lk_cond_signal(&bq.not_empty);
			}
			atomic_fetch_add(&bq.progress[id], 1);
		}
		lk_mutex_lock(&bq.m);
		if (--bq.producers_left == 0)
			lk_cond_broadcast(&bq.not_empty); /* the end */
		lk_mutex_unlock(&bq.m);
	} else {
		for (int i = 0;; i++) {
			lk_mutex_lock(&bq.m);
			while (bq.count == 0 && bq.producers_left > 0) {
				atomic_store(&bq.state[id], S_WAIT_EMPTY);
				bq_wait(&bq.not_empty, id, i);
				atomic_store(&bq.state[id], S_RUN);
			}
			if (bq.count == 0) {
				lk_mutex_unlock(&bq.m);
				break;
			}
			uint32_t item = bq.buf[bq.head];
			bq.head = (bq.head + 1) % QCAP;
			bq.count--;
			if (bq.seen[item])
				bq.dup++;
			bq.seen[item] = 1;
			bq.consumed++;
			/* one in 16 a broadcast: several producers may wait */
			if ((i & 15) == 0) {
				lk_cond_broadcast(&bq.not_full);
				lk_mutex_unlock(&bq.m);
			} else {
				lk_mutex_unlock(&bq.m);
				lk_cond_signal(&bq.not_full);
			}
			atomic_fetch_add(&bq.progress[id], 1);
		}
	}
	atomic_store(&bq.state[id], S_DONE);
	atomic_fetch_add(&bq.finished, 1);
	return NULL;
}

/* Fails the test, naming every thread that has not finished, when no
 * thread has made progress for 10 s. */
static void *bq_watchdog(void *p)
{
	(void)p;
	unsigned long last = 0;
	uint64_t still = lkt_now_ns();
	while (atomic_load(&bq.finished) < PRODUCERS + CONSUMERS) {
		lkt_sleep_ms(50);
		unsigned long sum = 0;
		for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
			sum += atomic_load(&bq.progress[i]);
		if (sum != last) {
			last = sum;
			still = lkt_now_ns();
			continue;
		}
		if (lkt_now_ns() - still < 10000000000ull)
			continue;
		for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
			int s = atomic_load(&bq.state[i]);
			if (s != S_DONE)
				fprintf(stderr,
					"watchdog: %s %d stuck %s after %lu "
					"items (queue holds %d, waiters "
					"not_full %u not_empty %u)\n",
					i < PRODUCERS ? "producer" : "consumer",
					i < PRODUCERS ? i : i - PRODUCERS,
					sname[s],
					atomic_load(&bq.progress[i]), bq.count,
					lk_cond_waiters(&bq.not_full),
					lk_cond_waiters(&bq.not_empty));
		}
		fflush(stderr);
		abort(); /* the test fails as a crash, with the lines above */
	}
	return NULL;
}

Test(cond, bounded_queue_loses_no_wakeup, .timeout = 120)
{
	memset(&bq, 0, sizeof(bq));
	lk_mutex_init(&bq.m);
	lk_cond_init(&bq.not_full);
	lk_cond_init(&bq.not_empty);
	bq.producers_left = PRODUCERS;
	pthread_t wd;
	cr_assert_eq(pthread_create(&wd, NULL, bq_watchdog, NULL), 0);
	lkt_run(PRODUCERS + CONSUMERS, bq_worker, NULL);
	pthread_join(wd, NULL);
	cr_assert_eq(bq.consumed, (unsigned long)ITEMS);
	cr_assert_eq(bq.dup, 0);
	for (int i = 0; i < ITEMS; i++)
		cr_assert(bq.seen[i], "item %d never consumed", i);
	cr_assert_eq(bq.count, 0);
	cr_assert_eq(lk_cond_waiters(&bq.not_full), 0);
	cr_assert_eq(lk_cond_waiters(&bq.not_empty), 0);
}

/* Timed waiters racing signals: a signal that chose a waiter whose
 * deadline then passed is still taken (no token is left unclaimed while
 * someone waits untimed). */
typedef struct {
	lk_mutex_t m;
	lk_cond_t c;
	int tokens;      /* under m */
	int taken;       /* under m */
	atomic_int done;
} race_t;
static race_t race;

static void *race_worker(void *ctx, int id)
{
	(void)ctx;
	if (id == 0) { /* the poster */
		for (int i = 0; i < 20000; i++) {
			lk_mutex_lock(&race.m);
			race.tokens++;
			lk_cond_signal(&race.c);
			lk_mutex_unlock(&race.m);
			if ((i & 63) == 0)
				sched_yield();
		}
		return NULL;
	}
	for (;;) {
		lk_mutex_lock(&race.m);
		while (race.tokens == 0 && race.taken < 20000) {
			if (id & 1)
				(void)lk_cond_timedwait(&race.c, &race.m,
							(uint64_t)(id * 1000));
			else
				lk_cond_wait(&race.c, &race.m);
		}
		if (race.tokens == 0) {
			lk_cond_broadcast(&race.c); /* all taken: release all */
			lk_mutex_unlock(&race.m);
			return NULL;
		}
		race.tokens--;
		if (++race.taken == 20000)
			lk_cond_broadcast(&race.c);
		lk_mutex_unlock(&race.m);
	}
}

Test(cond, timed_waiters_racing_signals, .timeout = 120)
{
	memset(&race, 0, sizeof(race));
	lk_mutex_init(&race.m);
	lk_cond_init(&race.c);
	lkt_run(6, race_worker, NULL);
	cr_assert_eq(race.taken, 20000);
	cr_assert_eq(race.tokens, 0);
	cr_assert_eq(lk_cond_waiters(&race.c), 0);
}
