/*
 * tests/tsan/tsan_cond_unannotated.c: tsan_cond.c's signal edge again,
 * with cond.h's own release and acquire defined away in this translation
 * unit (its functions are static: this copy is this file's alone). TSan
 * must then report the data written before the signal as a race
 * (race-before cond-unannotated): the edge exists for TSan only by the
 * annotation, the rest of cond.h being hidden in signal frames.
 */
#include <latchkit/base.h>
#undef lk__tsan_release
#undef lk__tsan_acquired
#define lk__tsan_release(a) ((void)0)
#define lk__tsan_acquired(a, ok) (ok)
#define TSAN_COND_UNANNOTATED 1
#include "tsan_cond.c"
