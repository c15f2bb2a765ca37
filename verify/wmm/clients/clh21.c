/* verify/wmm: clh.h (on gate.h), client.h's reuse client: thread 0 locks
 * twice, thread 1 once. A thread keeps the nodes it owns: its own when
 * unlock says it came back, the predecessor's node a lock hands it; a
 * round queues one of those (a fresh one when it has none): thread 0's
 * second round queues its own node again when it came back, and may take
 * over thread 1's (its second lock queued behind it). At the end a
 * thread writes each node it owns as plain data and frees it, as memory
 * used again: every access the other thread made to a node it took over
 * must happen before (else, under RC11, a race or a use after free). */
#include "../client.h"
#include "clh_pool.h"
#include "clh.h"

static lk_clh_t l = LK_CLH_INIT;
LK_WMM_REUSE_CLIENT(lk_clh_node_t *own[3]; int k_own = 0;
		    lk_clh_node_t *n; lk_clh_node_t *pred; bool back,
		    n = k_own ? own[--k_own] : malloc(sizeof *n),
		    pred = lk_clh_lock_node(&l, n),
		    back = lk_clh_unlock_node(&l, n),
		    if (pred) own[k_own++] = pred;
		    if (back) own[k_own++] = n,
		    while (k_own) {
			    *(uint32_t *)&own[--k_own]->state = 0;
			    free(own[k_own]);
		    })
