/*
 * latchkit/base.h: the one base every latch stands on. Internal: every name
 * here carries the lk__ prefix (or LK_ for tunables) and is not API.
 *
 * Holds, one concern per part, each included here (a latch includes
 * base.h alone):
 *   base_lang.h   the atomics shim (C11 <stdatomic.h>, or <atomic> when
 *                 included from C++), casts, attributes, the cache-line size
 *   base_sys.h    clock_gettime, nanosleep and syscall whatever the
 *                 includer's feature macros; the LK_FUTEX_MOCK hook
 *   base_cpu.h    cpu_relax, exponential backoff
 *   base_time.h   a monotonic clock, deadlines, naps
 *   base_park.h   the spin budget: the cost of parking, learnt; LK_DEBUG
 *                 wait counts
 *   base_tsan.h   the ThreadSanitizer annotations
 *   base_futex.h  futex park/wake
 *   base_wait.h   lk__wait(): the one helper through which every waiting
 *                 loop in latchkit goes. It alone decides whether a waiter
 *                 spins or parks (or naps)
 *   base_debug.h  LK_DEBUG misuse reporting and the owner kit
 *
 * Compile-time knobs, for measuring, not tuning (each where it is used):
 *   LK_SPIN_NS      fixed spin budget in ns instead of the learnt one
 *   LK_RELAX_REPEAT relax instructions per spin step (default 1): emulates
 *                   a CPU with a slower pause, to show the budget ignores it
 *   LK_SLEEP_NS     longest nap of a waiter with no futex word (50000)
 * and, in a ThreadSanitizer build only:
 *   LK_TSAN_ANNOTATE 0: the latches do not tell TSan they are mutexes
 *                   (base_tsan.h), so that TSan checks their own atomics
 *                   instead; all translation units of a program must agree
 *
 * Needs no feature macro: it compiles under strict -std=c11 too
 * (base_sys.h), and as C++11 or later.
 */
#ifndef LATCHKIT_BASE_H
#define LATCHKIT_BASE_H

#include "base_lang.h"
#include "base_sys.h"
#include "base_cpu.h"
#include "base_time.h"
#include "base_park.h"
#include "base_tsan.h"
#include "base_futex.h"
#include "base_wait.h"
#include "base_debug.h"

#endif /* LATCHKIT_BASE_H */
