/* Barrier: count 0 refused, one serial thread per generation, nobody
 * through early, reuse 100,000 times, waiters park, destroy. */
#include <latchkit/barrier.h>
#include <string.h>

#include "harness.h"

Test(barrier, count_zero_refused_object_unchanged)
{
	lk_barrier_t b;
	cr_assert_eq(lk_barrier_init(&b, 3), 0);
	unsigned char before[sizeof b];
	memcpy(before, &b, sizeof b);
	cr_assert_eq(lk_barrier_init(&b, 0), EINVAL);
	cr_assert(!memcmp(before, &b, sizeof b), "init(0) changed the barrier");
	/* a static barrier of 0 parties: wait refuses, arriving nowhere */
	static lk_barrier_t z = LK_BARRIER_INIT(0);
	cr_assert_eq(lk_barrier_wait(&z), EINVAL);
	cr_assert_eq(atomic_load(&z.arrived), 0);
}

Test(barrier, one_party_is_always_serial)
{
	static lk_barrier_t b = LK_BARRIER_INIT(1);
	for (int i = 0; i < 1000; i++)
		cr_assert_eq(lk_barrier_wait(&b), LK_BARRIER_SERIAL_THREAD);
	cr_assert_eq(lk_barrier_destroy(&b), 0);
}

/*
 * The reuse test: THREADS parties, ROUNDS generations. Before its wait in
 * round r a thread records arrived[id] = r + 1; after it, it checks that
 * every thread has arrived in round r (no one through early), counts the
 * serial return of round r, and checks that the plain value round r-1's
 * serial thread wrote (after its own wait r-1, so before its wait r) is
 * visible. Two slots, by parity: round r's serial thread writes while
 * the others may still read round r-1's slot.
 */
#define ROUNDS 100000
#define THREADS 3
typedef struct {
	lk_barrier_t b;
	atomic_int arrived[THREADS];
	atomic_uchar serial[ROUNDS];
	int plain[2]; /* plain: written by each round's serial thread */
	atomic_int early, stale, extra;
} reuse_t;

static void *reuser(void *p, int id)
{
	reuse_t *c = (reuse_t *)p;
	for (int r = 0; r < ROUNDS; r++) {
		atomic_store_explicit(&c->arrived[id], r + 1,
				      memory_order_relaxed);
		int ret = lk_barrier_wait(&c->b);
		for (int j = 0; j < THREADS; j++)
			if (atomic_load_explicit(&c->arrived[j],
						 memory_order_relaxed) < r + 1)
				atomic_fetch_add(&c->early, 1);
		if (r > 0 && c->plain[(r - 1) & 1] != r)
			atomic_fetch_add(&c->stale, 1);
		if (ret == LK_BARRIER_SERIAL_THREAD) {
			if (atomic_fetch_add(&c->serial[r], 1) != 0)
				atomic_fetch_add(&c->extra, 1);
			c->plain[r & 1] = r + 1;
		} else if (ret != 0) {
			atomic_fetch_add(&c->extra, 1);
		}
	}
	return NULL;
}

Test(barrier, reused_100000_times, .timeout = 120)
{
	static reuse_t c;
	cr_assert_eq(lk_barrier_init(&c.b, THREADS), 0);
	uint64_t t0 = lkt_now_ns();
	lkt_run(THREADS, reuser, &c);
	cr_log_info("%d threads, %d rounds: %.2f s", THREADS, ROUNDS,
		    (double)(lkt_now_ns() - t0) / 1e9);
	cr_assert_eq(atomic_load(&c.early), 0, "a thread left a generation "
					       "before all had arrived");
	cr_assert_eq(atomic_load(&c.extra), 0, "two serial threads in a round");
	cr_assert_eq(atomic_load(&c.stale), 0, "the serial thread's write was "
					       "not visible after the barrier");
	for (int r = 0; r < ROUNDS; r++)
		cr_assert_eq(atomic_load(&c.serial[r]), 1,
			     "round %d had %d serial threads", r,
			     atomic_load(&c.serial[r]));
	cr_assert_eq(atomic_load(&c.b.arrived), 0);
	cr_assert_eq(lk_barrier_destroy(&c.b), 0);
}

/* A waiter whose partner comes late parks: the CPU time its wait takes
 * stays far below the 300 ms it waits. Its own thread's time, not the
 * process's: the main thread's yields until the waiter arrives burn CPU
 * of their own when the machine is loaded and the waiter starts late. */
static lk_barrier_t late_b;
static atomic_int late_serial;
static _Atomic uint64_t late_cpu;

static void *late_waiter(void *p)
{
	(void)p;
	uint64_t c0 = lkt_clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (lk_barrier_wait(&late_b) == LK_BARRIER_SERIAL_THREAD)
		atomic_fetch_add(&late_serial, 1);
	atomic_store(&late_cpu, lkt_clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0);
	return NULL;
}

Test(barrier, waiter_parks_and_destroy_waits_for_none)
{
	cr_assert_eq(lk_barrier_init(&late_b, 2), 0);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, late_waiter, NULL), 0);
	while (atomic_load(&late_b.arrived) != 1)
		sched_yield();
	lkt_sleep_ms(300);
	/* a thread waits: destroy refuses and changes nothing */
	cr_assert_eq(lk_barrier_destroy(&late_b), EBUSY);
	cr_assert_eq(late_b.count, 2);
	if (lk_barrier_wait(&late_b) == LK_BARRIER_SERIAL_THREAD)
		atomic_fetch_add(&late_serial, 1);
	lkt_join(th, 0, "its lock and wait calls");
	uint64_t cpu = atomic_load(&late_cpu);
	cr_log_info("waited 300 ms: the waiter's cpu %.1f ms", (double)cpu / 1e6);
	cr_assert_lt(cpu, 100000000u, "the waiter burnt %.0f ms of CPU",
		     (double)cpu / 1e6);
	cr_assert_eq(atomic_load(&late_serial), 1);
	cr_assert_eq(atomic_load(&late_b.gen) & ~1u, LK_BARRIER_STEP_,
		     "one generation");
	cr_assert_eq(lk_barrier_destroy(&late_b), 0);
	/* a destroyed barrier refuses waits instead of hanging */
	cr_assert_eq(lk_barrier_wait(&late_b), EINVAL);
}

/* Many parties, more than the CPUs: everyone parks, generations still
 * complete, one serial thread each. */
#define MANY 12
static lk_barrier_t many_b = LK_BARRIER_INIT(MANY);
static atomic_int many_serial, many_early;
static atomic_int many_arrived[MANY];

static void *many_waiter(void *p, int id)
{
	(void)p;
	for (int r = 0; r < 2000; r++) {
		atomic_store(&many_arrived[id], r + 1);
		if (lk_barrier_wait(&many_b) == LK_BARRIER_SERIAL_THREAD)
			atomic_fetch_add(&many_serial, 1);
		for (int j = 0; j < MANY; j++)
			if (atomic_load(&many_arrived[j]) < r + 1)
				atomic_fetch_add(&many_early, 1);
	}
	return NULL;
}

Test(barrier, many_parties_oversubscribed)
{
	lkt_run(MANY, many_waiter, NULL);
	cr_assert_eq(atomic_load(&many_serial), 2000);
	cr_assert_eq(atomic_load(&many_early), 0);
}
