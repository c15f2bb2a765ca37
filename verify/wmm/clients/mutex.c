/* verify/wmm: mutex.h, mutual exclusion of 2 threads
 * (thread 0 tries a timedlock first, thread 1 a trylock). */
#include "../client.h"
#include "mutex.h"

static lk_mutex_t l = LK_WMM_SH(LK_MUTEX_INIT, LK_MUTEX_INIT_SHARED);
#ifdef LK_WMM_SHARED /* mutexsh: thread 0's lock meets thread 1's hold */
#define FIRST(i) ((i) == 1 && lk_mutex_trylock(&l))
#else
#define FIRST(i) ((i) == 0 ? lk_mutex_timedlock(&l, 1) : lk_mutex_trylock(&l))
#endif
#define LOCK(i) lk_mutex_lock(&l)
#define UNLOCK(i) lk_mutex_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
