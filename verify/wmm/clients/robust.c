/* verify/wmm: robust.h, mutual exclusion of 2 live threads (thread 0 tries
 * a timedlock first, thread 1 a trylock), through the futex path. No
 * thread is marked dead here (robust_mock.h): every owner is alive, so the
 * dead-owner takeover is robustd.c's. */
#include "robust_mock.h"

static lk_robust_t l = LK_ROBUST_INIT;
#define FIRST(i)                                                               \
	((i) == 0 ? lk_robust_timedlock(&l, 1) == 0                           \
		  : lk_robust_trylock(&l) == 0)
#define LOCK(i) assert(lk_robust_lock(&l) == 0)
#define UNLOCK(i) assert(lk_robust_unlock(&l) == 0)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
