/* verify/wmm: mcs.h, as mcs21 but each thread's node is a global (one per
 * thread, thread i uses nodes[i]), not a stack slot: GenMC v0.10.3 fails
 * ("Failure at getStaticAddr()") on mcs21 when the head may read its
 * successor's stack address without an order to it. */
#include "../client.h"
#include "mcs.h"

static lk_mcs_t l = LK_MCS_INIT;
static lk_mcs_node_t nodes[2];
LK_WMM_REUSE_CLIENT(lk_mcs_node_t *n = &nodes[i], (void)0,
		    lk_mcs_lock_node(&l, n), lk_mcs_unlock_node(&l, n),
		    (void)0,
		    *(uint32_t *)&n->flag = 0; *(void **)&n->next = NULL)
