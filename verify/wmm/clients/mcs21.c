/* verify/wmm: mcs.h (on gate.h), client.h's reuse client: thread 0 locks
 * twice with one node on its stack (queued again once its first use is
 * over), thread 1 once; thread 0's second lock may link behind thread 1's
 * queued node and be handed headship, with 2 threads. At the end each
 * thread writes its node's fields as plain data, as a stack frame that
 * held the node is used again: every access another thread made to the
 * node must happen before that (else, under RC11, a race). */
#include "../client.h"
#include "mcs.h"

static lk_mcs_t l = LK_MCS_INIT;
LK_WMM_REUSE_CLIENT(lk_mcs_node_t n, (void)0, lk_mcs_lock_node(&l, &n),
		    lk_mcs_unlock_node(&l, &n), (void)0,
		    *(uint32_t *)&n.flag = 0; *(void **)&n.next = NULL)
