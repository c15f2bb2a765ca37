/*
 * latchkit/base_time.h: the monotonic clock in ns, deadlines (relative and
 * absolute timeouts) and naps. Internal, one part of base.h (include that):
 * not API.
 */
#ifndef LATCHKIT_BASE_TIME_H
#define LATCHKIT_BASE_TIME_H

#include "base_lang.h"
#include "base_sys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- time -------------------------------------------------------------- */

static inline uint64_t lk__now_ns(void)
{
	struct timespec ts;
	lk__clock_gettime(LK__CLOCK_MONOTONIC, &ts);
	return LK__CAST(uint64_t, ts.tv_sec) * 1000000000u +
	       LK__CAST(uint64_t, ts.tv_nsec);
}

/* A relative timeout becomes an absolute monotonic deadline; never 0. */
static inline uint64_t lk__deadline(uint64_t timeout_ns)
{
	uint64_t d = lk__now_ns() + timeout_ns;
	return d < timeout_ns ? UINT64_MAX : d;
}

/* An absolute CLOCK_MONOTONIC time, as the _timedwait_until verbs take it,
 * as a deadline in lk__now_ns() time (never 0). Returns EINVAL, and leaves
 * *deadline alone, for NULL, tv_nsec outside [0, 1e9) or a negative
 * tv_sec; else 0. */
static inline int lk__abstime_deadline(const struct timespec *abstime,
				       uint64_t *deadline)
{
	if (!abstime || abstime->tv_sec < 0 || abstime->tv_nsec < 0 ||
	    abstime->tv_nsec >= 1000000000L)
		return EINVAL;
	uint64_t s = LK__CAST(uint64_t, abstime->tv_sec);
	uint64_t ns = LK__CAST(uint64_t, abstime->tv_nsec);
	if (s > (UINT64_MAX - ns) / 1000000000u)
		*deadline = UINT64_MAX; /* beyond any clock: never */
	else
		*deadline = s * 1000000000u + ns;
	if (*deadline == 0)
		*deadline = 1; /* 0 means none to lk__wait; 1 ns has passed */
	return 0;
}

/* A timespec from nanoseconds. */
static inline struct timespec lk__timespec_(uint64_t ns)
{
	struct timespec ts;
	ts.tv_sec = LK__CAST(time_t, ns / 1000000000u);
	ts.tv_nsec = LK__CAST(long, ns % 1000000000u);
	return ts;
}

static inline void lk__sleep_ns(uint64_t ns)
{
#ifdef LK_FUTEX_MOCK /* GenMC cannot load a struct returned by value */
	lk_mock_sleep_ns(ns);
#else
	struct timespec ts = lk__timespec_(ns);
	lk__nanosleep(&ts, NULL);
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_TIME_H */
