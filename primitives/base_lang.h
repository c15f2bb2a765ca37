/*
 * latchkit/base_lang.h: the language layer under every latch: C11 atomics,
 * or <atomic> when included from C++, casts both accept, and the
 * attributes and layout macros. Internal, one part of base.h (include
 * that): every name here carries the lk__ prefix (or LK_) and is not API.
 */
#ifndef LATCHKIT_BASE_LANG_H
#define LATCHKIT_BASE_LANG_H

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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One object for the whole program however many translation units, C or
 * C++, include the header: the linker merges weak definitions. Header-only
 * latches use it for per-thread pools and slots, so that a lock taken in one
 * file and released in another sees the same object. */
#define LK__PROGRAM_WIDE __attribute__((weak))

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

#endif /* LATCHKIT_BASE_LANG_H */
