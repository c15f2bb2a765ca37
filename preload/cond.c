/*
 * preload/cond.c: pthread_cond_* on latchkit's cond.h.
 *
 * The lk_cond_t is the first 24 bytes of the pthread_cond_t (all zero is
 * LK_COND_INIT, so PTHREAD_COND_INITIALIZER needs no init call); the
 * clock a condattr chose is kept at offset 40 (1: CLOCK_MONOTONIC). A
 * process-shared cond is glibc's: its init sets bit 0 of glibc's __wrefs
 * (offset 36), which a latchkit cond never touches.
 *
 * Waiting: with LATCHKIT_LOCK=mutex and no profile, lk_cond_wait on the
 * mutex's own lk_mutex_t (pl_mutex_latch; broadcast by wait morphing);
 * otherwise the _with forms with this library's unlock and lock of the
 * pthread mutex (any algorithm, glibc's kinds too, the profile's hold
 * times). Timed waits take the absolute time on the cond's clock
 * (pthread_cond_clockwait: the clock given) and turn it into cond.h's
 * CLOCK_MONOTONIC deadline.
 * cond.h has no spurious wake-ups and wakes in FIFO order.
 */
#include "preload.h"

#include <latchkit/cond.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

_Static_assert(sizeof(lk_cond_t) <= 24, "lk_cond fits before __g_size");

#define C(c) ((lk_cond_t *)(void *)(c))
#define CLOCK_OFF 40
#define WREFS_OFF offsetof(struct __pthread_cond_s, __wrefs)

static inline uint32_t *clock_word(pthread_cond_t *c)
{
	return (uint32_t *)(void *)((char *)c + CLOCK_OFF);
}

static inline bool glibc_cond(const pthread_cond_t *c)
{
	return pl_alg == PL_GLIBC ||
	       (*(const uint32_t *)(const void *)((const char *)c +
						  WREFS_OFF) &
		1u);
}

PL_EXPORT int pthread_cond_init(pthread_cond_t *c,
				const pthread_condattr_t *attr)
{
	pl_ready();
	int pshared = PTHREAD_PROCESS_PRIVATE;
	clockid_t clock = CLOCK_REALTIME;
	if (attr) {
		pthread_condattr_getpshared(attr, &pshared);
		pthread_condattr_getclock(attr, &clock);
	}
	if (pl_alg == PL_GLIBC || pshared != PTHREAD_PROCESS_PRIVATE)
		return PL_REAL.cond_init(c, attr);
	memset(c, 0, sizeof *c);
	*clock_word(c) = clock == CLOCK_MONOTONIC;
	return 0;
}

PL_EXPORT int pthread_cond_destroy(pthread_cond_t *c)
{
	pl_ready();
	if (glibc_cond(c))
		return PL_REAL.cond_destroy(c);
	return lk_cond_waiters(C(c)) ? EBUSY : 0;
}

PL_EXPORT int pthread_cond_signal(pthread_cond_t *c)
{
	pl_ready();
	if (glibc_cond(c))
		return PL_REAL.cond_signal(c);
	lk_cond_signal(C(c));
	return 0;
}

PL_EXPORT int pthread_cond_broadcast(pthread_cond_t *c)
{
	pl_ready();
	if (glibc_cond(c))
		return PL_REAL.cond_broadcast(c);
	lk_cond_broadcast(C(c));
	return 0;
}

/* Morphing applies when the pthread mutex is an lk_mutex_t and its unlock
 * is lk_mutex_unlock alone. */
static inline bool direct(pthread_mutex_t *m)
{
	return pl_fast == PL_MUTEX && !pl_mutex_is_glibc(m);
}

static void unlock_fn(void *m)
{
	pl_mutex_release(m);
}

static void lock_fn(void *m)
{
	pl_mutex_acquire(m);
}

/* deadline 0: none. */
static int wait(pthread_cond_t *c, pthread_mutex_t *m, uint64_t deadline)
{
	if (direct(m)) {
		lk_mutex_t *l = (lk_mutex_t *)pl_mutex_latch(m);
		if (!deadline) {
			lk_cond_wait(C(c), l);
			return 0;
		}
		struct timespec ts = lk__timespec_(deadline);
		return lk_cond_timedwait_until(C(c), l, &ts);
	}
	if (!deadline) {
		lk_cond_wait_with(C(c), m, unlock_fn, lock_fn);
		return 0;
	}
	struct timespec ts = lk__timespec_(deadline);
	return lk_cond_timedwait_until_with(C(c), m, unlock_fn, lock_fn, &ts);
}

PL_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	pl_ready();
	if (glibc_cond(c))
		return PL_REAL.cond_wait(c, m);
	return wait(c, m, 0);
}

static int timed(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clock,
		 const struct timespec *abstime)
{
	uint64_t d;
	int rc = pl_deadline(clock, abstime, &d);
	if (rc)
		return rc;
	return wait(c, m, d);
}

PL_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m,
				     const struct timespec *abstime)
{
	pl_ready();
	if (glibc_cond(c))
		return PL_REAL.cond_timedwait(c, m, abstime);
	return timed(c, m, *clock_word(c) ? CLOCK_MONOTONIC : CLOCK_REALTIME,
		     abstime);
}

PL_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m,
				     clockid_t clock,
				     const struct timespec *abstime)
{
	pl_ready();
	if (glibc_cond(c))
		return PL_REAL.cond_clockwait(c, m, clock, abstime);
	return timed(c, m, clock, abstime);
}
