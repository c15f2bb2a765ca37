/*
 * latchkit/base.h: the one base every latch stands on. Internal: every name
 * here carries the lk__ prefix (or LK_ for tunables) and is not API.
 *
 * Holds: the atomics shim (C11 <stdatomic.h>, or <atomic> when included from
 * C++), the cache-line size, cpu_relax, exponential backoff, a monotonic
 * clock, futex park/wake, the ThreadSanitizer annotations, LK_DEBUG misuse
 * reporting, and lk__wait(): the one helper through which every waiting
 * loop in latchkit goes. It alone decides whether a waiter spins or parks
 * (or naps).
 *
 * Wait policy: a waiter spins for a budget of TIME, then parks (or naps,
 * where it has no futex word); it never loops on sched_yield. The budget is
 * the measured cost of parking: an average of how long a woken thread took
 * to run again after its waker's FUTEX_WAKE, learnt as the program runs.
 * Spinning up to the cost of blocking, then blocking, is never worse than
 * twice the best choice made in hindsight (Karlin, Li, Manasse & Owicki,
 * SOSP 1991); counting relax instructions instead gives a budget that
 * differs tenfold between CPUs (one pause lasts 10 to 140 cycles).
 * Compile-time knobs, for measuring, not tuning:
 *   LK_SPIN_NS      fixed spin budget in ns instead of the learnt one
 *   LK_RELAX_REPEAT relax instructions per spin step (default 1): emulates
 *                   a CPU with a slower pause, to show the budget ignores it
 *   LK_SLEEP_NS     longest nap of a waiter with no futex word (50000)
 * and, in a ThreadSanitizer build only:
 *   LK_TSAN_ANNOTATE 0: the latches do not tell TSan they are mutexes
 *                   (base.h's "ThreadSanitizer annotations"), so that TSan
 *                   checks their own atomics instead; all translation
 *                   units of a program must agree
 *
 * Linux parks on futex(2). Elsewhere lk__futex_wait() degrades to a short
 * nanosleep and lk__futex_wake() to nothing, which stays correct because every
 * caller re-checks its condition in a loop.
 *
 * Needs no feature macro: it compiles under strict -std=c11 too (see "POSIX
 * whatever the includer's feature macros" below), and as C++11 or later.
 */
#ifndef LATCHKIT_BASE_H
#define LATCHKIT_BASE_H

#ifdef __cplusplus
#include <atomic>
#define LK_ATOMIC(T) std::atomic<T>
using std::atomic_compare_exchange_strong_explicit;
using std::atomic_compare_exchange_weak_explicit;
using std::atomic_exchange_explicit;
using std::atomic_fetch_add_explicit;
using std::atomic_fetch_and_explicit;
using std::atomic_fetch_or_explicit;
using std::atomic_fetch_sub_explicit;
using std::atomic_load_explicit;
using std::atomic_signal_fence;
using std::atomic_store_explicit;
using std::atomic_thread_fence;
using std::memory_order_acq_rel;
using std::memory_order_acquire;
using std::memory_order_relaxed;
using std::memory_order_release;
using std::memory_order_seq_cst;
#define LK_THREAD_LOCAL thread_local
/* C++11/14 copy-initialise an aggregate's members, and std::atomic has no
 * copy: `= {0}` fails there, `= {{0}}` builds the atomic in place. Every
 * static initializer wraps an atomic member's value in LK__AINIT. */
#define LK__AINIT(v) {v}
/* Casts that -Wold-style-cast accepts: LK__CAST converts a value,
 * LK__PTR_CAST a pointer (to another pointer or an integer). */
#define LK__CAST(T, v) static_cast<T>(v)
#define LK__PTR_CAST(T, p) reinterpret_cast<T>(p)
#else
#include <stdatomic.h>
#define LK_ATOMIC(T) _Atomic(T)
#define LK_THREAD_LOCAL _Thread_local
#define LK__AINIT(v) v
#define LK__CAST(T, v) ((T)(v))
#define LK__PTR_CAST(T, p) ((T)(p))
#endif

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <pthread.h>

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

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#define LK_HAVE_FUTEX 1
#else
#define LK_HAVE_FUTEX 0
#endif

/*
 * POSIX whatever the includer's feature macros. Strict ISO C (-std=c11
 * without _GNU_SOURCE or _POSIX_C_SOURCE) makes glibc hide clock_gettime,
 * CLOCK_MONOTONIC, nanosleep and syscall, and a header cannot define a
 * feature macro itself: the includer may have included a system header
 * first. So base.h calls them by names of its own: the C library's
 * declarations where it gave them, else its own declarations of the same
 * symbols under those names (asm labels: nothing the includer declares
 * later can clash). clockid_t is int on every Linux C library. syscall()
 * has no visibility macro to test and one ABI: always the label.
 */
#ifdef LK_FUTEX_MOCK
/* verify/wmm (GenMC, which runs no system call): the clock, naps
 * (lk__sleep_ns) and syscall(), futex(2) included, go to functions the
 * program defines (verify/wmm/mock.h), and lk__wait() reads the clock at
 * every spin step, so that a waiter parks after two. Nothing changes
 * without the macro. */
#define LK__CLOCK_MONOTONIC 1
int lk_mock_clock_gettime(int, struct timespec *);
void lk_mock_sleep_ns(uint64_t);
long lk_mock_syscall(long, long, long, long, long, long, long);
#define lk__clock_gettime lk_mock_clock_gettime
#define lk__syscall(...) lk__mock_syscall_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define lk__mock_syscall_(n, a, b, c, d, e, f, ...)                            \
	lk_mock_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d),         \
			(long)(e), (long)(f))
#define LK__SPIN_CHECK_MASK 0u
#elif defined(CLOCK_MONOTONIC) || !defined(__linux__)
#define LK__CLOCK_MONOTONIC CLOCK_MONOTONIC
#define lk__clock_gettime clock_gettime
#define lk__nanosleep nanosleep
#else
#define LK__CLOCK_MONOTONIC 1 /* the kernel's ABI value */
#if defined(__USE_TIME_BITS64) /* glibc, 32-bit, 64-bit time_t */
#define LK__TIME_SYM(name, name64) name64
#elif defined(__GLIBC__) || UINTPTR_MAX > 0xffffffffu
#define LK__TIME_SYM(name, name64) name
#else
/* its time64 symbol names are unknown here */
#error "latchkit: strict ISO C on 32-bit non-glibc: define _POSIX_C_SOURCE"
#endif
extern int lk__clock_gettime(int, struct timespec *)
	__asm__(LK__TIME_SYM("clock_gettime", "__clock_gettime64"));
extern int lk__nanosleep(const struct timespec *, struct timespec *)
	__asm__(LK__TIME_SYM("nanosleep", "__nanosleep64"));
#endif
#if LK_HAVE_FUTEX && !defined(LK_FUTEX_MOCK)
extern long lk__syscall(long, ...) __asm__("syscall");
#endif
#ifndef LK__SPIN_CHECK_MASK
#define LK__SPIN_CHECK_MASK 7u /* lk__wait() reads the clock every 8 steps */
#endif

/* One object for the whole program however many translation units, C or
 * C++, include the header: the linker merges weak definitions. Header-only
 * latches use it for per-thread pools and slots, so that a lock taken in one
 * file and released in another sees the same object. */
#define LK__PROGRAM_WIDE __attribute__((weak))

#ifdef __cplusplus
extern "C" {
#endif

/* ---- layout ------------------------------------------------------------ */

#ifndef LK_CACHELINE
#define LK_CACHELINE 64
#endif
#define LK_ALIGNED(n) __attribute__((aligned(n)))
#define LK_CACHE_ALIGNED LK_ALIGNED(LK_CACHELINE)

/* A 64-bit word seen as two 32-bit halves (a union with LK_ATOMIC(uint32_t)
 * h[2]): h[LK__LO_HALF] is the value's low-order half. One CAS on the whole
 * word can then check two counters that lock paths update, and futex waits
 * on, separately. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LK__LO_HALF 1
#else
#define LK__LO_HALF 0
#endif

/* A slow path: out of line and cold, so the inlined fast path keeps few
 * registers and no stack frame; static, not inline (gcc rejects noinline
 * on an inline function); `unused` as an unused inline would be. */
#define LK__COLD static __attribute__((noinline, cold, unused))

#define lk__likely(x) __builtin_expect(!!(x), 1)
#define lk__unlikely(x) __builtin_expect(!!(x), 0)

/* ---- tunables ---------------------------------------------------------- */

#ifndef LK_SPIN_NS
#define LK_SPIN_NS 0 /* 0: learn the budget (the cost of parking) */
#endif
#ifndef LK_RELAX_REPEAT
#define LK_RELAX_REPEAT 1
#endif
#ifndef LK_SLEEP_NS
#define LK_SLEEP_NS 50000
#endif
#ifndef LK_BACKOFF_MAX
#define LK_BACKOFF_MAX 1024
#endif

/* ---- cpu_relax: a spin-wait hint to the core ---------------------------- */

static inline void lk__cpu_relax(void)
{
	for (int i = 0; i < LK_RELAX_REPEAT; i++) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#elif defined(__aarch64__)
		__asm__ __volatile__("yield" ::: "memory");
#else
		atomic_signal_fence(memory_order_seq_cst); /* compiler barrier */
#endif
	}
}

/* ---- exponential backoff (for TTAS-style retry, not for waiting) -------- */

typedef struct {
	uint32_t cur;
} lk__backoff_t;
#define LK__BACKOFF_INIT {1}

static inline void lk__backoff(lk__backoff_t *b)
{
	for (uint32_t i = 0; i < b->cur; i++)
		lk__cpu_relax();
	if (b->cur < LK_BACKOFF_MAX)
		b->cur <<= 1;
}

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

/* ---- LK_DEBUG wait stats ------------------------------------------------ */

/* Under LK_DEBUG each thread counts, in lk__wait(), its spin steps, futex
 * parks and naps, and the futex wakes it issues (every lk__futex_wake() and
 * lk__futex_wake_bits(), counted where the waker stamps the time below), so
 * tests can see the phases and that a hand-off to a sleeper woke it. */
#ifdef LK_DEBUG
typedef struct {
	uint64_t spins, parks, naps, wakes;
} lk__wait_stats_t;
LK__PROGRAM_WIDE LK_THREAD_LOCAL lk__wait_stats_t lk__wait_stats_;
static inline lk__wait_stats_t lk__wait_stats(void)
{
	return lk__wait_stats_;
}
#define LK__WAIT_COUNT(f) (lk__wait_stats_.f++)
#else
#define LK__WAIT_COUNT(f) ((void)0)
#endif

/* ---- the cost of parking, learnt ----------------------------------------- */

/*
 * lk__park_ns_ follows the lower envelope of wake-up latencies: the time
 * from a waker's FUTEX_WAKE call (stamped in lk__wake_stamp_ by every
 * latch) to the woken thread running again. It sets every waiter's spin
 * budget. It falls by 1/8 of a shorter sample and rises by 1/16 of a
 * longer one, so it settles near the third of the samples that were
 * fastest, and a sample past LK__PARK_SAMPLE_MAX_NS is dropped: when
 * threads outnumber cores a woken thread also waits for a CPU, and a plain
 * average then grows with the spinning it causes (measured on the lock
 * table: 250-590 us, 8 threads on 2 cores); the cost of parking is what a
 * wake costs when a CPU is free. One per program (LK__PROGRAM_WIDE); relaxed throughout: the
 * values are estimates, and a lost update or a sample matched with another
 * latch's stamp only makes one sample noisy. Until the first sample the
 * budget is LK__PARK_SEED_NS, a starting point the samples replace.
 */
#define LK__PARK_SEED_NS 10000u
/* A longer wake-up is a wait for a CPU, not the cost of parking (the
 * slowest idle wake-up measured here was about 50 us): learning from it
 * would make waiters spin longer exactly when spinning takes the CPU that
 * the woken thread needs. It also drops stamps of someone else's wake. */
#define LK__PARK_SAMPLE_MAX_NS 250000u
#define LK_HAVE_PARK_ESTIMATE 1
LK__PROGRAM_WIDE LK_ATOMIC(uint64_t) lk__wake_stamp_;
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__park_ns_;

/* The spin budget of a new wait, in ns. */
static inline uint64_t lk__park_cost_ns(void)
{
	if (LK_SPIN_NS)
		return LK_SPIN_NS;
	uint32_t p = atomic_load_explicit(&lk__park_ns_, memory_order_relaxed);
	return p ? p : LK__PARK_SEED_NS;
}

/* A waker calls this just before FUTEX_WAKE. */
static inline void lk__park_stamp_(void)
{
	LK__WAIT_COUNT(wakes);
	atomic_store_explicit(&lk__wake_stamp_, lk__now_ns(),
			      memory_order_relaxed);
}

/* A sleeper the kernel woke (not a refused or timed-out sleep) learns. */
static inline void lk__park_learn_(void)
{
	uint64_t now = lk__now_ns();
	uint64_t st = atomic_load_explicit(&lk__wake_stamp_,
					   memory_order_relaxed);
	if (st == 0 || st > now || now - st >= LK__PARK_SAMPLE_MAX_NS)
		return;
	uint32_t d = LK__CAST(uint32_t, now - st);
	uint32_t p = atomic_load_explicit(&lk__park_ns_, memory_order_relaxed);
	if (p == 0)
		p = d;
	else if (d > p)
		p += (d - p) / 16;
	else
		p -= (p - d) / 8;
	atomic_store_explicit(&lk__park_ns_, p ? p : 1, memory_order_relaxed);
}

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

/* ---- the wait helper ------------------------------------------------------ */

/*
 * Usage, in every waiting loop of latchkit:
 *
 *	lk__wait_t w = lk__wait_start(deadline);   // deadline 0: wait forever
 *	while (!condition)
 *		if (!lk__wait(&w, word, seen))      // word NULL: cannot park
 *			return false;               // deadline passed
 *
 * Phase 1 spins with cpu_relax for the spin budget (lk__park_cost_ns()),
 * reading the clock once every 8 steps; phase 2 parks on the futex word
 * while it still holds `seen`, or, with no word, naps (doubling from 1 us
 * to LK_SLEEP_NS). The caller must arrange that whoever changes *word away
 * from `seen` calls lk__futex_wake() when a sleeper may be parked on it. A
 * caller may set w.bits after lk__wait_start() to park with that futex
 * bitset (woken by lk__futex_wake_bits() with an intersecting set, or by
 * lk__futex_wake()). Under LK_DEBUG each thread counts its spin steps,
 * parks and naps (lk__wait_stats()), so tests can see the phases.
 */
/* A caller may also lower w.spin_ns after lk__wait_start(), when it knows
 * the wait will be long (the lock table does when its blocker waits too). */
typedef struct {
	uint32_t n;        /* spin steps taken */
	uint32_t bits;     /* futex bitset to park with; LK__FUTEX_ANY */
	uint32_t nap_ns;   /* next nap, when there is no word to park on */
	bool parking;      /* the spin budget is spent */
	bool shared;       /* park with lk__futex_wait_shared (set after start) */
	uint64_t t0;       /* clock at the first check (0: not yet read) */
	uint64_t spin_ns;  /* this wait's spin budget */
	uint64_t deadline; /* 0: none */
} lk__wait_t;

static inline lk__wait_t lk__wait_start(uint64_t deadline)
{
	lk__wait_t w;
	w.n = 0;
	w.bits = LK__FUTEX_ANY;
	w.nap_ns = 1000;
	w.parking = false;
	w.shared = false;
	w.t0 = 0;
	w.spin_ns = lk__park_cost_ns();
	w.deadline = deadline;
	return w;
}

/* Has the spin phase ended? Locks use it to announce a sleeper (set a
 * "parked" bit) before calling lk__wait() with a word. */
static inline bool lk__wait_would_park(const lk__wait_t *w)
{
	return w->parking;
}

/* End the spin phase now: the caller knows spinning will not pay. */
static inline void lk__wait_park_now(lk__wait_t *w)
{
	w->parking = true;
}

/* One step of waiting. Returns false once the deadline has passed. */
static inline bool lk__wait(lk__wait_t *w, LK_ATOMIC(uint32_t) *word,
			    uint32_t seen)
{
	if (!w->parking) {
		w->n++;
		LK__WAIT_COUNT(spins);
		lk__cpu_relax();
		if ((w->n & LK__SPIN_CHECK_MASK) == 0) {
			uint64_t now = lk__now_ns();
			if (w->t0 == 0)
				w->t0 = now;
			else if (now - w->t0 >= w->spin_ns)
				w->parking = true;
			if (w->deadline && now >= w->deadline)
				return false;
		}
		return true;
	}
	uint64_t now = w->deadline ? lk__now_ns() : 0;
	if (w->deadline && now >= w->deadline)
		return false;
	if (word) {
		LK__WAIT_COUNT(parks);
		lk__tsan_block_begin(w);
		bool woken = w->shared ? lk__futex_wait_shared(word, seen,
							       w->deadline,
							       w->bits)
			     : w->bits == LK__FUTEX_ANY
				     ? lk__futex_wait(word, seen, w->deadline)
				     : lk__futex_wait_bits(word, seen,
							   w->deadline, w->bits);
		lk__tsan_block_end(w);
		if (woken)
			lk__park_learn_();
	} else {
		/* Nothing to park on (a spinning latch): nap, longer each
		 * time, so a holder that is not running gets the CPU. */
		LK__WAIT_COUNT(naps);
		uint64_t left = w->deadline ? w->deadline - now : UINT64_MAX;
		lk__tsan_block_begin(w);
		lk__sleep_ns(left < w->nap_ns ? left : w->nap_ns);
		lk__tsan_block_end(w);
		if (w->nap_ns < LK_SLEEP_NS)
			w->nap_ns *= 2;
	}
	return true;
}

/* ---- LK_DEBUG misuse checks -------------------------------------------- */

static inline void lk__misuse(const char *fn, const char *what)
{
	fprintf(stderr, "latchkit: %s: %s\n", fn, what);
	fflush(stderr);
	abort();
}

/* A nonzero id for the calling thread, the same in every translation unit.
 * pthread_t is an integer or a pointer, by platform: copy its bytes (a cast
 * is useless on one and needs reinterpret_cast on the other in C++). */
static inline uintptr_t lk__self(void)
{
	pthread_t t = pthread_self();
	uintptr_t id = 0;
	__builtin_memcpy(&id, &t, sizeof t < sizeof id ? sizeof t : sizeof id);
	return id | 1u;
}

#ifdef LK_DEBUG
#define LK__CHECK(cond, fn, what)                                              \
	do {                                                                   \
		if (lk__unlikely(!(cond)))                                     \
			lk__misuse(fn, what);                                  \
	} while (0)
#else
#define LK__CHECK(cond, fn, what) ((void)0)
#endif

/*
 * The debug owner kit: one home for the owner every latch tracks under
 * LK_DEBUG (for a reader-writer latch, its writer). A latch puts
 * LK__OWNER_FIELD last in its struct and LK__OWNER_INIT last in its static
 * initializer, calls lk__owner_check_relock() before it waits,
 * lk__owner_acquired() once it holds, and lk__owner_check_release() before
 * its release step. Without LK_DEBUG the field and every call vanish, and
 * the arguments are not evaluated. The _as forms take the misuse message,
 * for latches whose reports name their mode. Relaxed throughout: only the
 * owner stores its own id, and checks only compare it with the caller's.
 */
#ifdef LK_DEBUG
/* The owner's id is lk__self() with the pid folded in: a fork child's
 * thread has its parent's pthread_self(), and a process-shared latch must
 * not take one for the other. The pid is cached, forgotten in a child. */
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__debug_pid_;
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__debug_atfork_;
static inline void lk__debug_forked_(void)
{
	atomic_store_explicit(&lk__debug_pid_, 0u, memory_order_relaxed);
}
static inline uint32_t lk__debug_pid(void)
{
	uint32_t pid = atomic_load_explicit(&lk__debug_pid_,
					    memory_order_relaxed);
#if LK_HAVE_FUTEX
	if (lk__unlikely(pid == 0)) {
		if (!atomic_exchange_explicit(&lk__debug_atfork_, 1u,
					      memory_order_relaxed))
			pthread_atfork(NULL, NULL, lk__debug_forked_);
		pid = LK__CAST(uint32_t, lk__syscall(SYS_getpid));
		atomic_store_explicit(&lk__debug_pid_, pid,
				      memory_order_relaxed);
	}
#endif
	return pid;
}
static inline uintptr_t lk__owner_self_(void)
{
	return lk__self() ^ (LK__CAST(uintptr_t, lk__debug_pid())
			     << (sizeof(uintptr_t) * 4));
}
#define LK__OWNER_FIELD LK_ATOMIC(uintptr_t) owner_;
#define LK__OWNER_INIT , LK__AINIT(0)
static inline void lk__owner_clear(LK_ATOMIC(uintptr_t) *o)
{
	atomic_store_explicit(o, 0, memory_order_relaxed); /* compared only */
}
static inline void lk__owner_acquired(LK_ATOMIC(uintptr_t) *o)
{
	atomic_store_explicit(o, lk__owner_self_(), memory_order_relaxed); /* ditto */
}
/* Does the caller own it? Exact for the caller, who alone stores its id:
 * the latches' lk_NAME_is_held_by_me() queries. */
static inline bool lk__owner_is_self(const LK_ATOMIC(uintptr_t) *o)
{
	return atomic_load_explicit(o, memory_order_relaxed) ==
	       lk__owner_self_();
}
/* Waiting for a latch the caller holds would wait for ever: abort instead. */
static inline void lk__owner_check_relock_as(LK_ATOMIC(uintptr_t) *o,
					     const char *fn, const char *what)
{
	LK__CHECK(atomic_load_explicit(o, memory_order_relaxed) !=
			  lk__owner_self_(),
		  fn, what);
}
/* Only the owner may release or convert. Whether the latch was held at all
 * is the caller's check, made first, on its own state. */
static inline void lk__owner_check_mine_as(LK_ATOMIC(uintptr_t) *o,
					   const char *fn, const char *what)
{
	LK__CHECK(atomic_load_explicit(o, memory_order_relaxed) ==
			  lk__owner_self_(),
		  fn, what);
}
/* ... and on release forget it. */
static inline void lk__owner_release_as(LK_ATOMIC(uintptr_t) *o,
					const char *fn, const char *what)
{
	lk__owner_check_mine_as(o, fn, what);
	lk__owner_clear(o);
}
/* For a latch that knows no better than its owner whether it is held. */
static inline void lk__owner_check_release(LK_ATOMIC(uintptr_t) *o,
					   const char *fn)
{
	LK__CHECK(atomic_load_explicit(o, memory_order_relaxed) != 0, fn,
		  "unlock of a free lock");
	lk__owner_release_as(o, fn, "unlock by a non-owner");
}
#define lk__owner_check_relock(o, fn)                                          \
	lk__owner_check_relock_as(o, fn, "re-lock by the owner")
/* The reader-writer latches' owner is their writer; reports say so. */
#define lk__owner_check_wrrelock(o, fn)                                        \
	lk__owner_check_relock_as(o, fn,                                       \
				  "re-lock by the thread that holds it for writing")
#define lk__owner_wrrelease(o, fn)                                             \
	lk__owner_release_as(o, fn,                                            \
			     "write-unlock by a thread that does not hold it")
#else
#define LK__OWNER_FIELD
#define LK__OWNER_INIT
#define lk__owner_clear(o) ((void)0)
#define lk__owner_acquired(o) ((void)0)
#define lk__owner_check_relock_as(o, fn, what) ((void)0)
#define lk__owner_check_mine_as(o, fn, what) ((void)0)
#define lk__owner_release_as(o, fn, what) ((void)0)
#define lk__owner_check_wrrelock(o, fn) ((void)0)
#define lk__owner_wrrelease(o, fn) ((void)0)
#define lk__owner_check_release(o, fn) ((void)0)
#define lk__owner_check_relock(o, fn) ((void)0)
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_H */
