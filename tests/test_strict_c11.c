/*
 * A consumer in strict ISO C: built like every test (-std=c11 -D_GNU_SOURCE
 * -pthread) but undoing the feature macros before any header (-pthread
 * defines _REENTRANT, which glibc takes for _POSIX_C_SOURCE=199506L), so
 * glibc hides clock_gettime, CLOCK_MONOTONIC, nanosleep and syscall, and
 * base.h must declare them itself (issue 17). These tests link and run those
 * declarations: the clock, the sleep, and futex parking with a timeout and
 * with a wake.
 */
#undef _GNU_SOURCE
#undef _REENTRANT
#include <latchkit/sem.h>
#ifdef CLOCK_MONOTONIC
#error "not strict: base.h's own declarations would go untested"
#endif

#include <criterion/criterion.h>
#include <pthread.h>

#define MS 1000000u

Test(strict_c11, clock_and_sleep)
{
	uint64_t t0 = lk__now_ns();
	lk__sleep_ns(2 * MS);
	uint64_t t1 = lk__now_ns();
	cr_assert_geq(t1 - t0, 2 * MS, "slept %llu ns",
		      (unsigned long long)(t1 - t0));
	cr_assert_lt(t1 - t0, 2000 * MS);
}

Test(strict_c11, futex_wait_times_out)
{
	LK_ATOMIC(uint32_t) word = 7;
	uint64_t t0 = lk__now_ns();
	lk__futex_wait(&word, 7, lk__deadline(3 * MS));
	uint64_t t1 = lk__now_ns();
	/* a spurious return is allowed, but not the usual case */
	cr_assert_geq(t1 - t0, 2 * MS, "returned after %llu ns",
		      (unsigned long long)(t1 - t0));
	t0 = lk__now_ns();
	lk__futex_wait_bits(&word, 7, lk__deadline(3 * MS), 1u);
	t1 = lk__now_ns();
	cr_assert_geq(t1 - t0, 2 * MS);
}

/* A timed wait parks (it outlasts the spin and yield phases) and times out. */
Test(strict_c11, sem_timedwait_parks_and_times_out)
{
	lk_sem_t s = LK_SEM_INIT(0);
	uint64_t t0 = lk__now_ns();
	cr_assert(!lk_sem_timedwait(&s, 20 * MS));
	cr_assert_geq(lk__now_ns() - t0, 20 * MS);
}

static void *post_later(void *p)
{
	lk__sleep_ns(20 * MS);
	lk_sem_post((lk_sem_t *)p);
	return NULL;
}

/* A parked waiter is woken by post (futex wake through syscall). */
Test(strict_c11, sem_wait_is_woken)
{
	static lk_sem_t s = LK_SEM_INIT(0);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, post_later, &s), 0);
	uint64_t t0 = lk__now_ns();
	lk_sem_wait(&s);
	cr_assert_lt(lk__now_ns() - t0, 5000 * MS);
	pthread_join(th, NULL);
	cr_assert_eq(lk_sem_value(&s), 0);
}
