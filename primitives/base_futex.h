/*
 * latchkit/base_futex.h: park and wake on a 32-bit word: futex(2), private,
 * bitset and process-shared forms. Internal, one part of base.h (include
 * that): not API.
 *
 * Linux parks on futex(2). Elsewhere lk__futex_wait() degrades to a short
 * nanosleep and lk__futex_wake() to nothing, which stays correct because every
 * caller re-checks its condition in a loop. Every wake stamps the time for
 * the park-cost estimate (base_park.h).
 */
#ifndef LATCHKIT_BASE_FUTEX_H
#define LATCHKIT_BASE_FUTEX_H

#include "base_lang.h"
#include "base_sys.h"
#include "base_time.h"
#include "base_park.h"

#ifdef __cplusplus
extern "C" {
#endif

#if LK_HAVE_FUTEX
/* futex(2). The word's address goes as an integer: the kernel takes a plain
 * u32 *, and a pointer cast would discard _Atomic (-Wcast-qual); an atomic
 * uint32_t has uint32_t's size and representation, in C and in C++. */
static inline long lk__futex_(LK_ATOMIC(uint32_t) *word, int op, uint32_t val,
			      const struct timespec *tp, uint32_t val3)
{
	return lk__syscall(SYS_futex, LK__PTR_CAST(uintptr_t, word), op, val, tp,
		    NULL, val3);
}
#endif

/*
 * Sleep while *word == seen, until woken or until deadline (0 = none).
 * True when the kernel woke us (not when it refused the sleep or timed out).
 * The kernel compares and sleeps as one step, so a wake that follows a store
 * to *word cannot be lost. Spurious returns are allowed: callers re-check.
 */
static inline bool lk__futex_wait(LK_ATOMIC(uint32_t) *word, uint32_t seen,
				  uint64_t deadline)
{
#if LK_HAVE_FUTEX
	struct timespec ts, *tp = NULL;
	if (deadline) {
		uint64_t now = lk__now_ns();
		if (now >= deadline)
			return false;
		ts = lk__timespec_(deadline - now);
		tp = &ts;
	}
	return lk__futex_(word, FUTEX_WAIT_PRIVATE, seen, tp, 0) == 0;
#else
	(void)word;
	(void)seen;
	(void)deadline;
	lk__sleep_ns(LK_SLEEP_NS);
	return false;
#endif
}

/* Wake up to n sleepers on word (INT32_MAX: all). */
static inline void lk__futex_wake(LK_ATOMIC(uint32_t) *word, int n)
{
#if LK_HAVE_FUTEX
	lk__park_stamp_();
	lk__futex_(word, FUTEX_WAKE_PRIVATE, LK__CAST(uint32_t, n), NULL, 0);
#else
	(void)word;
	(void)n;
#endif
}

/*
 * Bitset variants (Linux FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET): a wake for
 * `bits` reaches only sleepers whose own bits intersect it, so a latch whose
 * waiters share one word can wake just the one whose turn it is.
 * LK__FUTEX_ANY matches every sleeper. Same rules as above otherwise.
 */
#define LK__FUTEX_ANY 0xffffffffu

static inline bool lk__futex_wait_bits(LK_ATOMIC(uint32_t) *word,
				       uint32_t seen, uint64_t deadline,
				       uint32_t bits)
{
#if LK_HAVE_FUTEX
	struct timespec ts, *tp = NULL;
	if (deadline) { /* the bitset op takes an absolute CLOCK_MONOTONIC time */
		ts = lk__timespec_(deadline);
		tp = &ts;
	}
	return lk__futex_(word, FUTEX_WAIT_BITSET_PRIVATE, seen, tp, bits) == 0;
#else
	(void)bits;
	return lk__futex_wait(word, seen, deadline);
#endif
}

static inline void lk__futex_wake_bits(LK_ATOMIC(uint32_t) *word, int n,
				       uint32_t bits)
{
#if LK_HAVE_FUTEX
	lk__park_stamp_();
	lk__futex_(word, FUTEX_WAKE_BITSET_PRIVATE, LK__CAST(uint32_t, n), NULL,
		   bits);
#else
	(void)word;
	(void)n;
	(void)bits;
#endif
}

/*
 * Process-shared forms (issue 15): the bitset ops without _PRIVATE, for a
 * word in memory that several processes map. The kernel keys a private
 * sleep by address space and a shared one by page, so the two never meet:
 * a latch parks and wakes with one kind all its life. deadline as above.
 */
static inline bool lk__futex_wait_shared(LK_ATOMIC(uint32_t) *word,
					 uint32_t seen, uint64_t deadline,
					 uint32_t bits)
{
#if LK_HAVE_FUTEX
	struct timespec ts, *tp = NULL;
	if (deadline) {
		ts = lk__timespec_(deadline);
		tp = &ts;
	}
	return lk__futex_(word, FUTEX_WAIT_BITSET, seen, tp, bits) == 0;
#else
	(void)bits;
	return lk__futex_wait(word, seen, deadline);
#endif
}

static inline void lk__futex_wake_shared(LK_ATOMIC(uint32_t) *word, int n,
					 uint32_t bits)
{
#if LK_HAVE_FUTEX
	lk__park_stamp_();
	lk__futex_(word, FUTEX_WAKE_BITSET, LK__CAST(uint32_t, n), NULL, bits);
#else
	(void)word;
	(void)n;
	(void)bits;
#endif
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_FUTEX_H */
