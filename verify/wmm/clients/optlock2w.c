/* verify/wmm: optlock.h, mutual exclusion of 2 writers (lock, unlock): a
 * plain counter incremented under the lock ends at 2; the loser of the
 * race takes the slow path's CAS after the winner's release. */
#include "../client.h"
#include "optlock.h"

static lk_optlock_t l = LK_OPTLOCK_INIT;
#define LOCK(i) lk_optlock_lock(&l)
#define UNLOCK(i) lk_optlock_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, LK_WMM_NONE, LOCK, UNLOCK)
