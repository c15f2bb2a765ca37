/*
 * latchkit/event.h: a one-shot event (notification) and a countdown latch,
 * both one futex word that only moves toward "open".
 *
 * Algorithm: one 32-bit word, the futex word, whose low 31 bits only ever
 * move toward the open value: an event's from 0 (unset) to 1 (set), a
 * latch's from its count down to 0. Bit 31, WAITERS, says a thread may be
 * parked on it. A waiter loads the word with acquire and returns once it
 * reads open; otherwise it waits through lk__wait(): it spins for the
 * learnt cost of parking, then sets WAITERS (a CAS) and parks on the word
 * while it holds the value it saw. The opener's atomic step that makes the
 * word open also clears WAITERS and returns the old word; if WAITERS was
 * set it wakes every sleeper (one FUTEX_WAKE, all of them). That step is
 * an RMW on the same word as the waiter's CAS, so either the opener sees
 * WAITERS or the waiter's CAS fails (and the kernel's compare refuses a
 * sleep on a changed word): no wake is lost, and an open with no sleeper
 * makes no system call. A step that only lowers a latch's count changes
 * the word too, which at worst sends a sleeper's next futex wait back for
 * a fresh look. (The futex protocol of Drepper, "Futexes Are Tricky",
 * 2011; the shape of Abseil's Notification, folly's Baton and folly's
 * Latch.)
 *
 * One algorithm, so one header: the event and the latch are the same word
 * and share the waiting code. They are two types so that an event is
 * unset when zero (LK_EVENT_INIT, or zeroed memory) while a latch is open
 * when zero, and so that an event's set is one exchange where a latch's
 * count_down is a CAS loop (it refuses to go below zero).
 *
 * Event: lk_event_set() opens it for good (a second set does nothing: an
 * event may be set from several places, e.g. a shutdown signal); wait,
 * the timed waits and trywait return once it is set. One-shot: no reset while
 * it may be in use (lk_event_init() makes it unset again when nobody
 * waits or sets). Latch (folly::Latch, C++20 std::latch): lk_latch_init(l,
 * n) sets n; lk_latch_count_down(l, k) subtracts k, refusing with EINVAL
 * (and changing nothing) when k exceeds what is left; the step that
 * reaches 0 opens it, and wait, the timed waits and try_wait return once
 * open.
 *
 * Timed waits come in the two forms of every wait on an event or a
 * condition (cond.h's too): _timedwait takes a relative timeout in ns,
 * like every timed verb of latchkit, and returns true (open) or false
 * (timed out); _timedwait_until takes an absolute CLOCK_MONOTONIC
 * deadline, a struct timespec (like pthread_cond_timedwait on a
 * CLOCK_MONOTONIC condattr), which stays put when a loop waits again, and
 * returns 0 (open), ETIMEDOUT (the deadline passed first) or EINVAL (NULL,
 * tv_nsec outside [0, 1e9) or tv_sec negative: nothing is done, the object
 * is unchanged). A timeout or deadline already past still reports open if
 * the word is open.
 *
 * Guarantees: whatever a thread did before its set (or its count_down)
 * happens before the return of every wait that reports open (a
 * _timedwait_until that returns 0, a _timedwait, trywait, is_set or
 * try_wait that returns true). A wait never reports open before the word
 * is open, and returns once it is (when it runs).
 * Progress: set is wait-free (one exchange, plus one futex wake when
 * someone parked); count_down is lock-free (a CAS loop, plus the wake
 * when it opens); the queries are one acquire load; waits block.
 * Fairness: the opening step releases every waiter at once.
 *
 * Process-shared: the event, with LK_EVENT_INIT_SHARED or
 * lk_event_init_shared(): its unset word carries SHARED (bit 30), so its
 * waits park and set wakes on shared futexes (no _PRIVATE); set stores SET
 * alone (set is final: nothing parks after it), so is_set and the wait's
 * fast path compare as before. The latch, with LK_LATCH_INIT_SHARED(n) or
 * lk_latch_init_shared(): the same, with SHARED in every word before it
 * opens; the step that opens it stores 0 alone, so try_wait and the
 * wait's fast path compare as before. So a count takes 30 bits:
 * LK_LATCH_MAX is 2^30 - 1 for both forms. Only slow paths read the bit
 * (count_down masks it with the count, one constant as before). Nothing
 * owns either, so LK_DEBUG cannot tell a private one used across
 * processes.
 *
 * Size: 4 bytes each (one uint32_t).
 *
 * ThreadSanitizer: neither is a mutex (nothing is held, and the opener is
 * rarely the waiter), so each is annotated (base.h) as sem.h's post and
 * wait are: happens-before edges on the word's address. set releases it,
 * then frames its exchange and wake as a signal, which TSan ignores;
 * count_down releases it before each CAS it tries, framing the CAS as a
 * signal (a count_down that subtracts nothing, n = 0 or n above what is
 * left, releases nothing unless it lost a CAS first); every wait that
 * reports open (0 or true), and every trywait, is_set or try_wait that
 * returns true, acquires it. So a set, and every count_down, happens before the return
 * of every wait that sees the word open, as TSan sees it; what an opener
 * does after its step is ordered with nobody. The waiters' own loads and
 * CASes stay visible to TSan (they publish nothing). No lock order: a
 * wait is not a lock.
 *
 * Memory orders:
 *   set: exchange(word, SET, release): publishes the setter's work; it
 *       returns WAITERS as set by any sleeper before it (one word).
 *   count_down: CAS(word, v, v - k, release / relaxed): each count_down
 *       publishes its thread's work; the CASes form one release sequence,
 *       so a waiter that reads 0 sees every count_down's work; a failed
 *       CAS publishes nothing (it reloads).
 *   waits, trywait, is_set, try_wait: load(word, acquire): reading open
 *       shows the work above.
 *   CAS(word, v, v|WAITERS, relaxed / relaxed): only announces a sleeper;
 *       the wait loop loads again with acquire.
 *   count load(word, relaxed): lk_latch_count(), a snapshot only.
 */
#ifndef LATCHKIT_EVENT_H
#define LATCHKIT_EVENT_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK_EVENT_WAITERS_ 0x80000000u
#define LK_EVENT_SET_ 1u /* an event's open value; a latch's is 0 */
/* A process-shared event's unset word carries SHARED; set stores SET
 * alone (set is final, so nothing parks after it). A shared latch's word
 * carries it until it opens (0). */
#define LK_EVENT_SHARED_ 0x40000000u

typedef struct {
	LK_ATOMIC(uint32_t) word; /* 0 unset, 1 set; WAITERS; futex word */
} lk_event_t;

typedef struct {
	LK_ATOMIC(uint32_t) word; /* count left (0: open); WAITERS; futex word */
} lk_latch_t;

#define LK_EVENT_INIT {LK__AINIT(0)}
/* An event that processes share (in MAP_SHARED memory): parks and wakes on
 * shared futexes. */
#define LK_EVENT_INIT_SHARED {LK__AINIT(LK_EVENT_SHARED_)}
/* A latch that opens after n count-downs (n <= LK_LATCH_MAX). */
#define LK_LATCH_INIT(n) {LK__AINIT(n)}
/* A latch that processes share (in MAP_SHARED memory): parks and wakes on
 * shared futexes (n <= LK_LATCH_MAX). */
#define LK_LATCH_INIT_SHARED(n)                                                \
	{LK__AINIT((n) ? (n) | LK_EVENT_SHARED_ : 0u)}
/* The largest count a latch takes (2^30 - 1: bit 30 is SHARED). */
#define LK_LATCH_MAX 0x3fffffffu

/* Waits until the word reads `open`. deadline: 0 none. Returns 0 or
 * ETIMEDOUT. shared: the bit that marks a process-shared word (0: none). */
LK__COLD int lk_event_wait_slow_(LK_ATOMIC(uint32_t) *word, uint32_t open,
				 uint64_t deadline, uint32_t shared)
{
	lk__wait_t w = lk__wait_start(deadline);
	for (;;) {
		/* acquire: reading open shows the opener's work */
		uint32_t v = atomic_load_explicit(word, memory_order_acquire);
		if (v == open) {
			lk__tsan_acquire(word); /* the opener's work */
			return 0;
		}
		if (lk__wait_would_park(&w) && !(v & LK_EVENT_WAITERS_)) {
			/* relaxed: announces a sleeper only; on failure the
			 * loop loads again */
			if (!atomic_compare_exchange_strong_explicit(
				    word, &v, v | LK_EVENT_WAITERS_,
				    memory_order_relaxed,
				    memory_order_relaxed))
				continue;
			v |= LK_EVENT_WAITERS_;
		}
		w.shared = v & shared;
		if (!lk__wait(&w, word, v))
			/* timed out; open meanwhile counts as open */
			return lk__tsan_acquired(
				       word, atomic_load_explicit(
						     word, memory_order_acquire) ==
						     open)
				       ? 0
				       : ETIMEDOUT;
	}
}

/* ---- event ---------------------------------------------------------------- */

/* Makes e unset, as LK_EVENT_INIT. Only while no thread uses it. */
static inline void lk_event_init(lk_event_t *e)
{
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&e->word, 0, memory_order_relaxed);
}

/* As lk_event_init, for a process-shared event (LK_EVENT_INIT_SHARED). */
static inline void lk_event_init_shared(lk_event_t *e)
{
	atomic_store_explicit(&e->word, LK_EVENT_SHARED_, memory_order_relaxed);
}

/* Sets e for good and wakes every waiter. Setting a set event does
 * nothing. */
static inline void lk_event_set(lk_event_t *e)
{
	lk__tsan_release(&e->word);
	lk__tsan_pre_signal(e);
	/* release: the setter's work reaches every waiter */
	uint32_t old = atomic_exchange_explicit(&e->word, LK_EVENT_SET_,
						memory_order_release);
	if (old & LK_EVENT_WAITERS_) {
		if (old & LK_EVENT_SHARED_)
			lk__futex_wake_shared(&e->word, INT32_MAX,
					      LK__FUTEX_ANY);
		else
			lk__futex_wake(&e->word, INT32_MAX);
	}
	lk__tsan_post_signal(e);
}

/* Is e set? True shows the setter's work (an acquire load). */
static inline bool lk_event_is_set(const lk_event_t *e)
{
	/* acquire: pairs with set's release */
	return lk__tsan_acquired(&e->word,
				 atomic_load_explicit(&e->word,
						      memory_order_acquire) ==
					 LK_EVENT_SET_);
}

/* The same as lk_event_is_set: true when e is set; never waits. */
static inline bool lk_event_trywait(const lk_event_t *e)
{
	return lk_event_is_set(e);
}

/* Waits until e is set. */
static inline void lk_event_wait(lk_event_t *e)
{
	if (lk__likely(lk_event_is_set(e)))
		return;
	lk_event_wait_slow_(&e->word, LK_EVENT_SET_, 0, LK_EVENT_SHARED_);
}

/* Waits until e is set, for at most timeout_ns (relative). True: set;
 * false: timed out. A timeout of 0 only looks. */
static inline bool lk_event_timedwait(lk_event_t *e, uint64_t timeout_ns)
{
	if (lk_event_is_set(e))
		return true;
	return lk_event_wait_slow_(&e->word, LK_EVENT_SET_,
				   lk__deadline(timeout_ns), LK_EVENT_SHARED_) == 0;
}

/* Waits until e is set or CLOCK_MONOTONIC reaches abstime. Returns 0 (set),
 * ETIMEDOUT, or EINVAL for a NULL or invalid abstime (nothing done). */
static inline int lk_event_timedwait_until(lk_event_t *e,
					   const struct timespec *abstime)
{
	uint64_t deadline;
	if (lk__abstime_deadline(abstime, &deadline))
		return EINVAL;
	if (lk_event_is_set(e))
		return 0;
	return lk_event_wait_slow_(&e->word, LK_EVENT_SET_, deadline,
				   LK_EVENT_SHARED_);
}

/* ---- latch ---------------------------------------------------------------- */

/* Sets l to open after count count-downs (0: open now). Returns 0, or
 * EINVAL when count > LK_LATCH_MAX (l is left as it was). Only while no
 * thread uses l. */
static inline int lk_latch_init(lk_latch_t *l, uint32_t count)
{
	if (count > LK_LATCH_MAX)
		return EINVAL;
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&l->word, count, memory_order_relaxed);
	return 0;
}

/* As lk_latch_init, for a process-shared latch (LK_LATCH_INIT_SHARED). */
static inline int lk_latch_init_shared(lk_latch_t *l, uint32_t count)
{
	if (count > LK_LATCH_MAX)
		return EINVAL;
	/* relaxed: initialisation precedes sharing; open (0) stays bare */
	atomic_store_explicit(&l->word, count ? count | LK_EVENT_SHARED_ : 0u,
			      memory_order_relaxed);
	return 0;
}

/* Wakes every sleeper of a latch that opened from word v. */
LK__COLD void lk_latch_wake_(lk_latch_t *l, uint32_t v)
{
	if (v & LK_EVENT_SHARED_)
		lk__futex_wake_shared(&l->word, INT32_MAX, LK__FUTEX_ANY);
	else
		lk__futex_wake(&l->word, INT32_MAX);
}

/* Subtracts n from the count; the call that reaches 0 opens the latch and
 * wakes every waiter. Returns 0, or EINVAL when n exceeds the count left
 * (nothing is subtracted). n = 0 does nothing. */
static inline int lk_latch_count_down(lk_latch_t *l, uint32_t n)
{
	/* relaxed: the CAS decides */
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	uint32_t nv;
	do {
		uint32_t left = v & LK_LATCH_MAX; /* not WAITERS, SHARED */
		if (n > left)
			return EINVAL;
		if (n == 0)
			return 0;
		/* opening clears WAITERS (the sleepers are woken below)
		 * and SHARED (nothing parks on an open latch) */
		nv = left == n ? 0 : v - n;
		lk__tsan_release(&l->word);
		lk__tsan_pre_signal(l);
		/* release: this thread's work reaches the waiters (one
		 * release sequence with the other count-downs); relaxed on
		 * failure: v reloaded */
	} while (!lk__tsan_signalled(
		l, atomic_compare_exchange_weak_explicit(&l->word, &v, nv,
							 memory_order_release,
							 memory_order_relaxed)));
	if (nv == 0 && (v & LK_EVENT_WAITERS_))
		lk_latch_wake_(l, v);
	return 0;
}

/* Is l open? True shows every count-down's work (an acquire load). */
static inline bool lk_latch_try_wait(const lk_latch_t *l)
{
	/* acquire: pairs with the count-downs' release */
	return lk__tsan_acquired(
		&l->word,
		atomic_load_explicit(&l->word, memory_order_acquire) == 0);
}

/* Waits until l is open. */
static inline void lk_latch_wait(lk_latch_t *l)
{
	if (lk__likely(lk_latch_try_wait(l)))
		return;
	lk_event_wait_slow_(&l->word, 0, 0, LK_EVENT_SHARED_);
}

/* Waits until l is open, for at most timeout_ns (relative). True: open;
 * false: timed out. A timeout of 0 only looks. */
static inline bool lk_latch_timedwait(lk_latch_t *l, uint64_t timeout_ns)
{
	if (lk_latch_try_wait(l))
		return true;
	return lk_event_wait_slow_(&l->word, 0, lk__deadline(timeout_ns),
				   LK_EVENT_SHARED_) == 0;
}

/* Waits until l is open or CLOCK_MONOTONIC reaches abstime. Returns 0
 * (open), ETIMEDOUT, or EINVAL for a NULL or invalid abstime (nothing
 * done). */
static inline int lk_latch_timedwait_until(lk_latch_t *l,
					   const struct timespec *abstime)
{
	uint64_t deadline;
	if (lk__abstime_deadline(abstime, &deadline))
		return EINVAL;
	if (lk_latch_try_wait(l))
		return 0;
	return lk_event_wait_slow_(&l->word, 0, deadline, LK_EVENT_SHARED_);
}

/* The count left: a snapshot for assertions and diagnostics. */
static inline uint32_t lk_latch_count(const lk_latch_t *l)
{
	/* relaxed: a snapshot, stale by the time it is used */
	return atomic_load_explicit(&l->word, memory_order_relaxed) &
	       LK_LATCH_MAX;
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_EVENT_H */
