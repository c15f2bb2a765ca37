/*
 * once.h, barrier.h and event.h in strict ISO C (the feature macros undone
 * before any header, as in test_strict_c11.c): the barrier's CPU count
 * through base.h's own syscall declaration, and the event's and latch's
 * timed waits on a struct timespec and base.h's own clock.
 */
#undef _GNU_SOURCE
#undef _REENTRANT
#include <latchkit/barrier.h>
#include <latchkit/event.h>
#include <latchkit/once.h>
#ifdef CLOCK_MONOTONIC
#error "not strict: base.h's own declarations would go untested"
#endif

#include <criterion/criterion.h>

Test(strict_sync, barrier_reads_the_cpu_count)
{
	lk_barrier_t b;
	cr_assert_eq(lk_barrier_init(&b, 1), 0);
	uint32_t n = lk_barrier_ncpus_();
	cr_assert(n >= 1 && n <= 1024, "CPUs: %u", n);
	cr_assert_eq(lk_barrier_wait(&b), LK_BARRIER_SERIAL_THREAD);
}

static int ran;
static void run_it(void)
{
	ran++;
}

Test(strict_sync, once_event_latch)
{
	static lk_once_t o = LK_ONCE_INIT;
	lk_once(&o, run_it);
	lk_once(&o, run_it);
	cr_assert_eq(ran, 1);

	lk_event_t e = LK_EVENT_INIT;
	uint64_t t = lk__now_ns() + 2000000u; /* 2 ms */
	struct timespec dl;
	dl.tv_sec = (time_t)(t / 1000000000u);
	dl.tv_nsec = (long)(t % 1000000000u);
	cr_assert_eq(lk_event_timedwait_until(&e, &dl), ETIMEDOUT);
	cr_assert_geq(lk__now_ns(), t);
	cr_assert(!lk_event_timedwait(&e, 1000000u)); /* 1 ms, relative */
	lk_event_set(&e);
	cr_assert_eq(lk_event_timedwait_until(&e, &dl), 0);
	cr_assert(lk_event_timedwait(&e, 0));

	lk_latch_t l = LK_LATCH_INIT(1);
	cr_assert_eq(lk_latch_timedwait_until(&l, &dl), ETIMEDOUT);
	cr_assert(!lk_latch_timedwait(&l, 1000000u));
	cr_assert_eq(lk_latch_count_down(&l, 1), 0);
	cr_assert_eq(lk_latch_timedwait_until(&l, &dl), 0);
	cr_assert(lk_latch_timedwait(&l, 0));
}
