/* verify/wmm: mcs.h (on gate.h), mutual exclusion of 2 threads, each with
 * its own queue node (the _node forms: no per-thread pool). */
#include "../client.h"
#include "mcs.h"

static lk_mcs_t l = LK_MCS_INIT;
static lk_mcs_node_t node[2];
#define FIRST(i) ((i) == 1 && lk_mcs_trylock_node(&l, &node[i]))
#define LOCK(i) lk_mcs_lock_node(&l, &node[i])
#define UNLOCK(i) lk_mcs_unlock_node(&l, &node[i])
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
