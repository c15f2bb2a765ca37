/* verify/wmm: rwlock.h, two writers on a plain counter (thread 0 tries
 * wrtimedlock first, thread 1 wrtrylock): a writer's acquire orders its
 * reads after the previous writer's release. With one writer (rwlock.c)
 * IMM cannot show a missing writer acquire (the writer's stores wait for
 * its CAS by control dependency; its loads read only its own values). */
#include "../client.h"
#include "rwlock.h"

static lk_rwlock_t l = LK_RWLOCK_INIT;
#define FIRST(i)                                                               \
	((i) == 0 ? lk_rwlock_wrtimedlock(&l, 1) : lk_rwlock_wrtrylock(&l))
#define LOCK(i) lk_rwlock_wrlock(&l)
#define UNLOCK(i) lk_rwlock_wrunlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
