/*
 * latchkit/base_tsan.h: what every latch tells ThreadSanitizer, through
 * TSan's custom-mutex interface; nothing at all outside a TSan build.
 * Internal, one part of base.h (include that): not API.
 *
 * Compile-time knob, in a ThreadSanitizer build only:
 *   LK_TSAN_ANNOTATE 0: the latches do not tell TSan they are mutexes
 *                   ("ThreadSanitizer annotations" below), so that TSan
 *                   checks their own atomics instead; all translation
 *                   units of a program must agree
 */
#ifndef LATCHKIT_BASE_TSAN_H
#define LATCHKIT_BASE_TSAN_H

#include "base_lang.h"

/* A ThreadSanitizer build: gcc says so with __SANITIZE_THREAD__, clang
 * (and gcc 14) with __has_feature(thread_sanitizer). LK__TSAN also makes
 * seqlock.h trade its fences (TSan does not model them) for acquire and
 * release data copies; LK__TSAN_ANNOTATE turns the annotations on. */
#ifndef LK_TSAN_ANNOTATE
#define LK_TSAN_ANNOTATE 1
#endif
#if defined(__SANITIZE_THREAD__)
#define LK__TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LK__TSAN_BUILD 1
#endif
#endif
#ifdef LK__TSAN_BUILD
#ifndef LK__TSAN
#define LK__TSAN 1
#endif
#if LK_TSAN_ANNOTATE
#define LK__TSAN_ANNOTATE 1
#include <sanitizer/tsan_interface.h>
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif


/* ---- ThreadSanitizer annotations ----------------------------------------- */

/*
 * Every latch tells ThreadSanitizer what it is, through TSan's interface for
 * custom mutexes (<sanitizer/tsan_interface.h>, as Abseil's Mutex does):
 * init creates the mutex, each lock verb is a pre_lock/post_lock pair around
 * the acquisition and each unlock a pre_unlock/post_unlock pair around the
 * release, with the read_lock flag for the read verbs and try_lock for the
 * try verbs. TSan then orders the critical sections by the latch itself,
 * names it in its reports ("Mutex M12 created at ... lk_mutex_init"), checks
 * misuse (unlock of a free latch, a double lock) and feeds its deadlock
 * detector (lock-order inversions). Between pre and post it ignores the
 * latch's own memory accesses and atomics: annotated, the latch code is
 * trusted, not checked (LK_TSAN_ANNOTATE=0 has TSan check it instead;
 * all translation units of a program must agree on it).
 *
 *   lk__tsan_init(l)             in lk_NAME_init: forgets any mutex TSan
 *                                still has at that address (a latch that
 *                                lived there before; re-initialising a held
 *                                latch is reported), then creates one. A
 *                                latch set up by its static initializer is
 *                                created by its first lock.
 *   lk__tsan_pre_lock(l, f)      before the acquisition; f: 0 (lock),
 *                                LK__TSAN_TRY (trylock), LK__TSAN_TIMED
 *                                (timedlock), each or'ed with LK__TSAN_RD
 *                                for a read verb
 *   lk__tsan_post_lock(l, f, ok) after it, with the same f; ok false: it
 *                                failed (a trylock, a timedlock that timed
 *                                out)
 *   return lk__tsan_locked(l, f, ok);  the same, where a verb returns ok
 *   lk__tsan_pre_unlock(l, f)    before the release; f: 0 or LK__TSAN_RD
 *   lk__tsan_post_unlock(l, f)   after it
 *   lk__tsan_pre_signal(l) / lk__tsan_post_signal(l)  around a wake-up
 *                                that is not part of a lock or unlock
 *                                (sem.h's post), or around a primitive's
 *                                own bookkeeping that is no edge of its
 *                                guarantee (cond.h's queue and internal
 *                                lock); l's value only: it may be gone by
 *                                post_signal
 *   lk__tsan_release(a) / lk__tsan_acquire(a)  a happens-before edge
 *                                between two points that are not a mutex
 *                                (sem.h: post to the wait that takes it)
 *   return lk__tsan_acquired(a, ok);  acquire(a) if ok, in an expression
 *                                that yields ok: a verb that returns
 *                                whether it saw the thing open (event.h's
 *                                is_set); a may be const
 *   while (!lk__tsan_signalled(l, ok))  post_signal(l), in an expression
 *                                that yields ok: closes a signal opened
 *                                before a CAS in a loop's condition
 *                                (event.h's count_down)
 * A release or an acquire inside a pre/post pair is ignored, as are the
 * atomics there: a primitive that is not a mutex (sem.h, once.h,
 * barrier.h, event.h, cond.h) releases before it opens the signal that frames its
 * publishing step, and acquires outside any pair.
 * Blocking inside a lock or unlock (a futex park or a nap in lk__wait())
 * is framed by pre_divert/post_divert, so that TSan does not count the
 * sleep as part of the ignored latch code: lk__tsan_depth_ tells lk__wait()
 * whether the thread is inside a pre/post pair. Pairs nest: only the
 * outermost reaches TSan, so a latch built on another (pfrwlock.h's writers'
 * ticket lock) is one mutex to TSan, not two.
 *
 * Without TSan (or with LK_TSAN_ANNOTATE=0) every one of them is ((void)0)
 * and its arguments are not evaluated: an ordinary build has not one
 * instruction more.
 */
#ifdef LK__TSAN_ANNOTATE
#define LK__TSAN_RD __tsan_mutex_read_lock
#define LK__TSAN_TRY __tsan_mutex_try_lock
/* A timedlock is a trylock to TSan, as in TSan's own pthread_mutex_timedlock
 * and pthread_rwlock_timed*lock interceptors: it cannot deadlock (it gives
 * up), so it adds no lock-order edge; when it succeeds TSan knows the latch
 * held all the same. */
#define LK__TSAN_TIMED __tsan_mutex_try_lock
/* Open pre/post pairs of this thread. Only the outermost pair reaches
 * TSan: a latch used inside another's pair (pfrwlock.h's writer ticket) is
 * part of that latch's code, as invisible as its atomics. */
LK__PROGRAM_WIDE LK_THREAD_LOCAL unsigned lk__tsan_depth_;
static inline void lk__tsan_init(void *l)
{
	__tsan_mutex_destroy(l, 0);
	__tsan_mutex_create(l, 0);
}
static inline void lk__tsan_pre_lock(void *l, unsigned f)
{
	if (lk__tsan_depth_++ == 0)
		__tsan_mutex_pre_lock(l, f);
}
static inline void lk__tsan_post_lock(void *l, unsigned f, bool ok)
{
	if (--lk__tsan_depth_ == 0)
		__tsan_mutex_post_lock(
			l, ok ? f : f | __tsan_mutex_try_lock_failed, 0);
}
static inline void lk__tsan_pre_unlock(void *l, unsigned f)
{
	if (lk__tsan_depth_++ == 0)
		__tsan_mutex_pre_unlock(l, f);
}
static inline void lk__tsan_post_unlock(void *l, unsigned f)
{
	if (--lk__tsan_depth_ == 0)
		__tsan_mutex_post_unlock(l, f);
}
static inline void lk__tsan_pre_signal(void *l)
{
	if (lk__tsan_depth_++ == 0)
		__tsan_mutex_pre_signal(l, 0);
}
static inline void lk__tsan_post_signal(void *l)
{
	if (--lk__tsan_depth_ == 0)
		__tsan_mutex_post_signal(l, 0);
}
/* post_lock in a return statement: the value is ok. */
static inline bool lk__tsan_locked(void *l, unsigned f, bool ok)
{
	lk__tsan_post_lock(l, f, ok);
	return ok;
}
#define lk__tsan_release(a) __tsan_release(a)
#define lk__tsan_acquire(a) __tsan_acquire(a)
/* acquire in a return statement; a through an integer: it may be const */
static inline bool lk__tsan_acquired(const void *a, bool ok)
{
	if (ok)
		__tsan_acquire(LK__PTR_CAST(void *, LK__PTR_CAST(uintptr_t, a)));
	return ok;
}
/* post_signal in a loop's condition: the value is ok. */
static inline bool lk__tsan_signalled(void *l, bool ok)
{
	lk__tsan_post_signal(l);
	return ok;
}
/* Around a blocking call in lk__wait(): leave the ignore region, if any. */
static inline void lk__tsan_block_begin(void *a)
{
	if (lk__tsan_depth_)
		__tsan_mutex_pre_divert(a, 0);
}
static inline void lk__tsan_block_end(void *a)
{
	if (lk__tsan_depth_)
		__tsan_mutex_post_divert(a, 0);
}
#else
#define LK__TSAN_RD 0u
#define LK__TSAN_TRY 0u
#define LK__TSAN_TIMED 0u
#define lk__tsan_init(l) ((void)0)
#define lk__tsan_pre_lock(l, f) ((void)0)
#define lk__tsan_post_lock(l, f, ok) ((void)0)
#define lk__tsan_locked(l, f, ok) (ok)
#define lk__tsan_pre_unlock(l, f) ((void)0)
#define lk__tsan_post_unlock(l, f) ((void)0)
#define lk__tsan_pre_signal(l) ((void)0)
#define lk__tsan_post_signal(l) ((void)0)
#define lk__tsan_release(a) ((void)0)
#define lk__tsan_acquire(a) ((void)0)
#define lk__tsan_acquired(a, ok) (ok)
#define lk__tsan_signalled(l, ok) (ok)
#define lk__tsan_block_begin(a) ((void)0)
#define lk__tsan_block_end(a) ((void)0)
#endif

/* ---- futex --------------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_TSAN_H */
