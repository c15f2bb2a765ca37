/* verify/wmm: reentrant.h (lk_rmutex over mutex.h), 2 threads, each takes
 * it twice (the second time by depth alone) and releases it twice. */
#include "../client.h"
#include "reentrant.h"

static lk_rmutex_t l = LK_RMUTEX_INIT;
#define LOCK(i) (lk_rmutex_lock(&l), lk_rmutex_lock(&l))
#define UNLOCK(i) (lk_rmutex_unlock(&l), lk_rmutex_unlock(&l))
LK_WMM_MUTEX_CLIENT(2, LOCK, UNLOCK)
