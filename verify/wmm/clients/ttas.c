/* verify/wmm: ttas.h, mutual exclusion of 2 threads. */
#include "../client.h"
#include "ttas.h"

static lk_ttas_t l = LK_TTAS_INIT;
#define LOCK(i) lk_ttas_lock(&l)
#define UNLOCK(i) lk_ttas_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, LOCK, UNLOCK)
