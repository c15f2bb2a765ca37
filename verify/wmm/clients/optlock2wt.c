/* verify/wmm: optlock.h, optlock2w with writer 1 trying lk_optlock_trylock
 * first: the counter ends at 2; the try's CAS acquire orders the winner
 * after the other writer's release. */
#include "../client.h"
#include "optlock.h"

static lk_optlock_t l = LK_OPTLOCK_INIT;
#define FIRST(i) ((i) == 1 && lk_optlock_trylock(&l))
#define LOCK(i) lk_optlock_lock(&l)
#define UNLOCK(i) lk_optlock_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
