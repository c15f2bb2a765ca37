/* Counting semaphore: bound, trywait, timed wait, wake-ups. */
#include <latchkit/sem.h>

#include "harness.h"

#define K 3
#define THREADS 8
#define ITERS 3000

typedef struct {
	lk_sem_t s;
	atomic_int inside, max_inside;
	atomic_ulong entries;
} bound_t;

static void *bound_worker(void *p, int id)
{
	bound_t *c = (bound_t *)p;
	for (int i = 0; i < ITERS; i++) {
		switch ((i + id) % 3) {
		case 0:
			lk_sem_wait(&c->s);
			break;
		case 1:
			while (!lk_sem_trywait(&c->s))
				sched_yield();
			break;
		default:
			while (!lk_sem_timedwait(&c->s, 200000))
				;
		}
		int n = atomic_fetch_add(&c->inside, 1) + 1;
		int m = atomic_load(&c->max_inside);
		while (n > m && !atomic_compare_exchange_weak(&c->max_inside, &m, n))
			;
		if ((i & 7) == 0)
			sched_yield(); /* let others pile up on the permits */
		atomic_fetch_add(&c->entries, 1);
		atomic_fetch_sub(&c->inside, 1);
		lk_sem_post(&c->s);
	}
	return NULL;
}

Test(sem, count_never_exceeded)
{
	static bound_t c;
	lk_sem_init(&c.s, K);
	lkt_run(THREADS, bound_worker, &c);
	cr_log_info("max inside %d of %d", c.max_inside, K);
	cr_assert_leq(c.max_inside, K, "%d threads inside, %d permits",
		      c.max_inside, K);
	cr_assert_geq(c.max_inside, 1);
	cr_assert_eq(c.entries, (unsigned long)THREADS * ITERS);
	cr_assert_eq(lk_sem_value(&c.s), K, "permits conserved");
}

Test(sem, trywait_on_zero_fails)
{
	lk_sem_t s = LK_SEM_INIT(0);
	cr_assert(!lk_sem_trywait(&s));
	cr_assert_eq(lk_sem_value(&s), 0);
	lk_sem_post(&s);
	lk_sem_post(&s);
	cr_assert(lk_sem_trywait(&s));
	cr_assert(lk_sem_trywait(&s));
	cr_assert(!lk_sem_trywait(&s));
	lk_sem_init(&s, 2);
	cr_assert(lk_sem_timedwait(&s, 0));
	lk_sem_wait(&s);
	cr_assert(!lk_sem_trywait(&s));
}

Test(sem, timedwait_times_out_and_leaves_count)
{
	lk_sem_t s = LK_SEM_INIT(0);
	const uint64_t to = 50000000; /* 50 ms */
	uint64_t t0 = lkt_now_ns();
	cr_assert(!lk_sem_timedwait(&s, to));
	uint64_t el = lkt_now_ns() - t0;
	cr_assert_geq(el, to, "returned early: %lu ns", (unsigned long)el);
	cr_assert_lt(el, to + 2000000000u, "absurdly late: %lu ns",
		     (unsigned long)el);
	cr_assert_eq(lk_sem_value(&s), 0);
	cr_assert(!lk_sem_timedwait(&s, 0));
	cr_assert_eq(lk_sem_value(&s), 0);
	lk_sem_post(&s);
	cr_assert(lk_sem_timedwait(&s, to));
	cr_assert_eq(lk_sem_value(&s), 0);
}

/* Sleepers (parked past the spin phase) are woken by posts, one per post. */
typedef struct {
	lk_sem_t s;
	atomic_int started, got, errors;
} wake_t;

static void *sleeper(void *p, int id)
{
	wake_t *c = (wake_t *)p;
	atomic_fetch_add(&c->started, 1);
	if (id & 1)
		lk_sem_wait(&c->s);
	else if (!lk_sem_timedwait(&c->s, 30ull * 1000000000u))
		atomic_fetch_add(&c->errors, 1); /* asserted in the test */
	atomic_fetch_add(&c->got, 1);
	return NULL;
}

static void *poster(void *p)
{
	wake_t *c = (wake_t *)p;
	while (atomic_load(&c->started) < 6)
		sched_yield();
	lkt_sleep_ms(100); /* long enough for the waiters to park */
	for (int i = 0; i < 6; i++) {
		lk_sem_post(&c->s);
		if (i == 2) {
			/* three posts: exactly three get through */
			while (atomic_load(&c->got) < 3)
				sched_yield();
			lkt_sleep_ms(50);
			if (atomic_load(&c->got) != 3)
				atomic_fetch_add(&c->errors, 1);
		}
	}
	return NULL;
}

Test(sem, posts_wake_waiters)
{
	static wake_t c;
	lk_sem_init(&c.s, 0);
	pthread_t pt;
	cr_assert_eq(pthread_create(&pt, NULL, poster, &c), 0);
	lkt_run(6, sleeper, &c);
	lkt_join(pt, 0, "its lock and wait calls");
	cr_assert_eq(atomic_load(&c.errors), 0);
	cr_assert_eq(atomic_load(&c.got), 6);
	cr_assert_eq(lk_sem_value(&c.s), 0);
	cr_assert_eq(atomic_load(&c.s.sleepers), 0);
}
