/* verify/wmm: clh.h (on gate.h), 3 threads (client.h's queue client)
 * through the _node forms (the convenience pool needs pthread keys, which
 * GenMC lacks): while the main thread holds the word two queue, and
 * headship passes from one queued node to the next (2 threads never queue
 * two). */
#include "../client.h"
#include "clh_pool.h"
#include "clh.h"

static lk_clh_t l = LK_CLH_INIT;
/* lock hands the caller its predecessor's node (NULL: none); unlock says
 * whether the caller's own came back (no successor took it). Those are
 * the thread's to free; GenMC reports a use after. */
LK_WMM_QUEUE_CLIENT(lk_clh_node_t *n = malloc(sizeof *n);
		    lk_clh_node_t *own; bool back,
		    own = lk_clh_lock_node(&l, n),
		    back = lk_clh_unlock_node(&l, n),
		    free(own);
		    if (back) free(n))
