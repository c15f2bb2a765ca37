/* verify/wmm: tas.h, mutual exclusion of 2 threads
 * (thread 0 tries a timedlock first, thread 1 a trylock). */
#include "../client.h"
#include "tas.h"

static lk_tas_t l = LK_TAS_INIT;
#define FIRST(i) ((i) == 0 ? lk_tas_timedlock(&l, 1) : lk_tas_trylock(&l))
#define LOCK(i) lk_tas_lock(&l)
#define UNLOCK(i) lk_tas_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
