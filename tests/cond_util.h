/*
 * tests/cond_util.h: what test_cond.c and test_cond_stress.c share.
 */
#ifndef LATCHKIT_TESTS_COND_UTIL_H
#define LATCHKIT_TESTS_COND_UTIL_H

#include <latchkit/cond.h>

#include "harness.h"

/* An absolute CLOCK_MONOTONIC time ns from now (the _timedwait_until
 * verbs). */
static inline struct timespec abs_in(uint64_t ns)
{
	uint64_t t = lkt_now_ns() + ns;
	struct timespec ts = {(time_t)(t / 1000000000u),
			      (long)(t % 1000000000u)};
	return ts;
}

/* Polls until lk_cond_waiters(c) == n (a waiter has queued, and released
 * the mutex: it queues before it releases), at most 10 s. */
static inline void await_waiters(lk_cond_t *c, uint32_t n)
{
	uint64_t end = lkt_now_ns() + 10000000000ull;
	while (lk_cond_waiters(c) != n) {
		cr_assert(lkt_now_ns() < end, "waiters %u, expected %u",
			  lk_cond_waiters(c), n);
		sched_yield();
	}
}

#endif
