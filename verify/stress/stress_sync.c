/*
 * stress_sync: once, the barrier, the event and the latch under
 * sanitizers. All threads run rounds in lockstep on one lk_barrier_t:
 *   barrier  after it, every thread has arrived at this round (no one
 *            through early) and exactly one was the serial thread;
 *   once     every thread calls lk_once_ctx on this round's once: fn runs
 *            once and every caller sees the plain value it wrote;
 *   event    one thread (it changes each round) writes a plain value and
 *            sets this round's event; the others wait (wait, a
 *            timedwait_until with a deadline under 1 ms or a timedwait of
 *            under 1 ms, retried, or now and then trywait polling) and
 *            read it;
 *   latch    every thread writes its plain slot and counts down this
 *            round's latch of T, then waits (wait, timedwait_until or
 *            timedwait) and reads every slot.
 * Two sets of objects, by round parity: the serial thread of a round's
 * first barrier re-initializes the other set, which nobody touches until
 * the next round's barrier. The serial thread also reads the clock and
 * publishes "stop" for everyone to act on one round later, so all leave in
 * the same round. A watchdog fails the run, naming each thread's round
 * and step, if they have not all finished 30 s after the deadline (a lost
 * wake-up would hang a waiter). Plain data is what ThreadSanitizer checks:
 * each read is ordered after its write only by the primitive under test.
 */
#include <latchkit/barrier.h>
#include <latchkit/event.h>
#include <latchkit/once.h>

#include "stress.h"

enum { ST_BARRIER, ST_ONCE, ST_EVENT, ST_LATCH, ST_DONE };
static const char *const step_names[] = {"barrier", "once", "event",
					 "latch", "done"};

typedef struct {
	lk_once_t once;
	atomic_int runs;
	long once_val; /* plain: written by fn */
	lk_event_t ev;
	long ev_val; /* plain: written before set */
	lk_latch_t latch;
	long slot[STRESS_MAX_THREADS]; /* plain: written before count_down */
} set_t;

static set_t sets[2];
static lk_barrier_t bar;
static int nthreads;
static uint64_t end_ns;
static atomic_int quit[2];
static atomic_long arrived[STRESS_MAX_THREADS];
static atomic_long serials[2];
static atomic_int phase[STRESS_MAX_THREADS], finished;
static atomic_long rounds_done, timeouts;

static void set_reset(set_t *s)
{
	lk_once_init(&s->once);
	atomic_store_explicit(&s->runs, 0, memory_order_relaxed);
	lk_event_init(&s->ev);
	if (lk_latch_init(&s->latch, (uint32_t)nthreads) != 0)
		stress_fail("latch init refused %d", nthreads);
}

typedef struct {
	set_t *s;
	long r;
} once_arg_t;

static void once_fn(void *p)
{
	once_arg_t *a = (once_arg_t *)p;
	if (atomic_fetch_add(&a->s->runs, 1) != 0)
		stress_fail("once: fn ran twice in round %ld", a->r);
	a->s->once_val = a->r;
}

static struct timespec soon(uint32_t *rs)
{
	uint64_t t = stress_now_ns() + stress_rand(rs) % 1000000; /* < 1 ms */
	struct timespec ts;
	ts.tv_sec = (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	return ts;
}

/* Plain slots each thread writes before a barrier and every thread reads
 * after it, by round parity: only the barrier orders them (TSan checks);
 * a slot is written again two rounds later, after the next barrier. */
static long bar_plain[2][STRESS_MAX_THREADS];

static void *worker(void *ctx, int id)
{
	(void)ctx;
	uint32_t rs = 0x9e3779b9u * (uint32_t)(id + 1);
	for (long r = 0;; r++) {
		set_t *s = &sets[r & 1];
		/* barrier */
		atomic_store(&phase[id], ST_BARRIER);
		stress_doing(step_names[ST_BARRIER]);
		atomic_store_explicit(&arrived[id], r + 1, memory_order_relaxed);
		bar_plain[r & 1][id] = r + 1;
		stress_jitter(&rs);
		int ret = lk_barrier_wait(&bar);
		for (int j = 0; j < nthreads; j++)
			if (bar_plain[r & 1][j] != r + 1)
				stress_fail("barrier: thread %d saw thread %d's "
					    "slot %ld in round %ld", id, j,
					    bar_plain[r & 1][j], r);
		for (int j = 0; j < nthreads; j++)
			if (atomic_load_explicit(&arrived[j],
						 memory_order_relaxed) < r + 1)
				stress_fail("barrier: thread %d left round %ld "
					    "before thread %d arrived",
					    id, r, j);
		if (ret == LK_BARRIER_SERIAL_THREAD) {
			if (atomic_fetch_add(&serials[r & 1], 1) != 0)
				stress_fail("barrier: two serial threads in "
					    "round %ld", r);
			atomic_store(&serials[(r + 1) & 1], 0);
			set_reset(&sets[(r + 1) & 1]);
			atomic_store_explicit(&quit[r & 1],
					      stress_now_ns() >= end_ns,
					      memory_order_relaxed);
			atomic_fetch_add(&rounds_done, 1);
		} else if (ret != 0) {
			stress_fail("barrier: wait returned %d", ret);
		}
		if (r > 0 && atomic_load_explicit(&quit[(r - 1) & 1],
						  memory_order_relaxed))
			break;
		/* once */
		atomic_store(&phase[id], ST_ONCE);
		stress_doing(step_names[ST_ONCE]);
		stress_jitter(&rs);
		once_arg_t a = {s, r};
		lk_once_ctx(&s->once, once_fn, &a);
		if (s->once_val != r)
			stress_fail("once: round %ld read %ld", r, s->once_val);
		if (!lk_once_is_done(&s->once))
			stress_fail("once: not done after lk_once");
		/* event */
		atomic_store(&phase[id], ST_EVENT);
		stress_doing(step_names[ST_EVENT]);
		if (id == (int)(r % nthreads)) {
			stress_jitter(&rs);
			s->ev_val = r;
			lk_event_set(&s->ev);
		} else {
			switch (stress_rand(&rs) % 8) {
			case 0: /* poll: rarely, it takes a CPU */
				while (!lk_event_trywait(&s->ev))
					sched_yield();
				break;
			case 1:
				while (!lk_event_timedwait(
					&s->ev, stress_rand(&rs) % 1000000))
					atomic_fetch_add_explicit(
						&timeouts, 1,
						memory_order_relaxed);
				break;
			case 2:
			case 3:
				for (;;) {
					struct timespec dl = soon(&rs);
					int rc = lk_event_timedwait_until(&s->ev, &dl);
					if (rc == 0)
						break;
					if (rc != ETIMEDOUT)
						stress_fail("event: timedwait %d",
							    rc);
					atomic_fetch_add_explicit(
						&timeouts, 1,
						memory_order_relaxed);
				}
				break;
			default:
				lk_event_wait(&s->ev);
			}
			if (s->ev_val != r)
				stress_fail("event: round %ld read %ld", r,
					    s->ev_val);
		}
		/* latch */
		atomic_store(&phase[id], ST_LATCH);
		stress_doing(step_names[ST_LATCH]);
		s->slot[id] = r;
		stress_jitter(&rs);
		if (lk_latch_count_down(&s->latch, 1) != 0)
			stress_fail("latch: count_down refused in round %ld", r);
		uint32_t how = stress_rand(&rs) % 3;
		if (how == 0) {
			lk_latch_wait(&s->latch);
		} else if (how == 1) {
			while (!lk_latch_timedwait(&s->latch,
						   stress_rand(&rs) % 1000000))
				atomic_fetch_add_explicit(&timeouts, 1,
							  memory_order_relaxed);
		} else {
			for (;;) {
				struct timespec dl = soon(&rs);
				int rc = lk_latch_timedwait_until(&s->latch, &dl);
				if (rc == 0)
					break;
				if (rc != ETIMEDOUT)
					stress_fail("latch: timedwait %d", rc);
				atomic_fetch_add_explicit(&timeouts, 1,
							  memory_order_relaxed);
			}
		}
		for (int j = 0; j < nthreads; j++)
			if (s->slot[j] != r)
				stress_fail("latch: round %ld, slot %d reads %ld",
					    r, j, s->slot[j]);
	}
	atomic_store(&phase[id], ST_DONE);
	stress_doing(step_names[ST_DONE]);
	atomic_fetch_add(&finished, 1);
	return NULL;
}

static void *watchdog(void *p)
{
	(void)p;
	uint64_t hang = end_ns + 30000000000ull;
	while (atomic_load(&finished) < nthreads) {
		if (stress_now_ns() > hang) {
			fprintf(stderr, "stuck threads, 30 s after the end:\n");
			for (int i = 0; i < nthreads; i++)
				fprintf(stderr, "  thread %d: round %ld, %s\n", i,
					atomic_load(&arrived[i]) - 1,
					step_names[atomic_load(&phase[i])]);
			stress_fail("threads still blocked (lost wake-up?)");
		}
		usleep(10000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	nthreads = o.threads;
	if (lk_barrier_init(&bar, (uint32_t)nthreads) != 0)
		stress_fail("barrier init refused %d", nthreads);
	set_reset(&sets[0]);
	set_reset(&sets[1]);
	end_ns = stress_now_ns() + (uint64_t)(o.seconds * 1e9);
	pthread_t wd;
	if (pthread_create(&wd, NULL, watchdog, NULL))
		stress_fail("pthread_create");
	stress_watch_name("sync (barrier, once, event, latch)");
	stress_run(nthreads, worker, NULL);
	pthread_join(wd, NULL);
	if (lk_barrier_destroy(&bar) != 0)
		stress_fail("barrier: destroy refused after the run");
	printf("stress_sync: %d threads, %ld rounds (barrier, once, event, "
	       "latch each), %ld timed waits timed out\n",
	       nthreads, atomic_load(&rounds_done), atomic_load(&timeouts));
	return 0;
}
