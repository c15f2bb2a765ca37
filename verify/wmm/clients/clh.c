/* verify/wmm: clh.h (on gate.h), mutual exclusion of 2 threads through the
 * _node forms (each thread locks once: the node handed back is not
 * reused; the convenience pool needs pthread keys, which GenMC lacks).
 * Thread 1 tries a trylock first. */
#include "../client.h"
#include "clh_pool.h"
#include "clh.h"

static lk_clh_t l = LK_CLH_INIT;
static lk_clh_node_t node[2];
#define FIRST(i) ((i) == 1 && lk_clh_trylock_node(&l, &node[i]))
#define LOCK(i) lk_clh_lock_node(&l, &node[i])
#define UNLOCK(i) lk_clh_unlock_node(&l, &node[i])
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
