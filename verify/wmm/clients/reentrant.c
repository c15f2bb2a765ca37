/* verify/wmm: reentrant.h (lk_rmutex over mutex.h), 2 threads, each takes
 * it twice (the second time by depth alone) and releases it twice; thread
 * 0 tries a timedlock first, thread 1 a trylock. */
#include "../client.h"
#include "reentrant.h"

static lk_rmutex_t l = LK_RMUTEX_INIT;
/* a first attempt that succeeds takes the second level by lock */
#define FIRST(i)                                                               \
	(((i) == 0 ? lk_rmutex_timedlock(&l, 1) : lk_rmutex_trylock(&l)) &&     \
	 (lk_rmutex_lock(&l), 1))
#define LOCK(i) (lk_rmutex_lock(&l), lk_rmutex_lock(&l))
#define UNLOCK(i) (lk_rmutex_unlock(&l), lk_rmutex_unlock(&l))
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
