/* verify/wmm: rprwlock.h, two writers on a plain counter (thread 0 tries
 * wrtimedlock first, thread 1 wrtrylock): a writer's acquire orders its
 * reads after the previous writer's release, and a writer parked behind
 * the other is woken by its wrunlock. With one writer (rprwlock.c) IMM
 * cannot show a missing writer acquire (the writer's stores wait for its
 * CAS by control dependency; its loads read only its own values). */
#include "../client.h"
#include "rprwlock.h"

static lk_rprwlock_t l = LK_RPRWLOCK_INIT;
#define FIRST(i)                                                               \
	((i) == 0 ? lk_rprwlock_wrtimedlock(&l, 1) : lk_rprwlock_wrtrylock(&l))
#define LOCK(i) lk_rprwlock_wrlock(&l)
#define UNLOCK(i) lk_rprwlock_wrunlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
