/*
 * latchkit/base_cpu.h: the spin-wait hint to the core (cpu_relax) and
 * exponential backoff for TTAS-style retry. Internal, one part of base.h
 * (include that): not API.
 *
 * Compile-time knobs, for measuring, not tuning:
 *   LK_RELAX_REPEAT relax instructions per spin step (default 1): emulates
 *                   a CPU with a slower pause, to show the wait policy's
 *                   budget (base_park.h) ignores it
 *   LK_BACKOFF_MAX  longest backoff, in relax instructions (1024)
 */
#ifndef LATCHKIT_BASE_CPU_H
#define LATCHKIT_BASE_CPU_H

#include "base_lang.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_RELAX_REPEAT
#define LK_RELAX_REPEAT 1
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

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_CPU_H */
