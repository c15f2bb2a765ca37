/* verify/wmm: mcs.h (on gate.h), 3 threads (client.h's queue client):
 * while the main thread holds the word two queue, so a successor links
 * behind a queued node and the head hands headship to it (2 threads never
 * queue two). Each thread's node is on its stack, free once lock returns. */
#include "../client.h"
#include "mcs.h"

static lk_mcs_t l = LK_MCS_INIT;
LK_WMM_QUEUE_CLIENT(lk_mcs_node_t n, lk_mcs_lock_node(&l, &n),
		    lk_mcs_unlock_node(&l, &n), (void)0)
