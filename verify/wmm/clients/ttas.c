/* verify/wmm: ttas.h, mutual exclusion of 2 threads
 * (thread 0 tries a timedlock first, thread 1 a trylock). */
#include "../client.h"
#include "ttas.h"

static lk_ttas_t l = LK_TTAS_INIT;
#define FIRST(i) ((i) == 0 ? lk_ttas_timedlock(&l, 1) : lk_ttas_trylock(&l))
#define LOCK(i) lk_ttas_lock(&l)
#define UNLOCK(i) lk_ttas_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
