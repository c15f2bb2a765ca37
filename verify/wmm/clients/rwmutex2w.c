/* verify/wmm: rwmutex.h, two writers on a plain counter: a writer's
 * acquire orders its reads after the previous writer's release. With one
 * writer (rwmutex.c) IMM cannot show a missing writer acquire (the
 * writer's stores wait for it by control dependency). */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
#ifdef LK_WMM_TRY /* rwmutex2wt: wrtimedlock (0) and wrtrylock (1) first */
#define FIRST(i)                                                               \
	((i) == 0 ? lk_rwmutex_wrtimedlock(&l, 1) : lk_rwmutex_wrtrylock(&l))
#else
#define FIRST(i) LK_WMM_NONE(i)
#endif
#define LOCK(i) lk_rwmutex_wrlock(&l)
#define UNLOCK(i) lk_rwmutex_wrunlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
