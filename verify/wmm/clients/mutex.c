/* verify/wmm: mutex.h, mutual exclusion of 2 threads. */
#include "../client.h"
#include "mutex.h"

static lk_mutex_t l = LK_MUTEX_INIT;
#define LOCK(i) lk_mutex_lock(&l)
#define UNLOCK(i) lk_mutex_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, LOCK, UNLOCK)
