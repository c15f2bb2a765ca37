/* verify/wmm: tas.h, mutual exclusion of 2 threads. */
#include "../client.h"
#include "tas.h"

static lk_tas_t l = LK_TAS_INIT;
#define LOCK(i) lk_tas_lock(&l)
#define UNLOCK(i) lk_tas_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, LOCK, UNLOCK)
