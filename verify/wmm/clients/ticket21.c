/* verify/wmm: ticket.h (on gate.h), client.h's reuse client: thread 0
 * locks twice, thread 1 once; thread 0's second lock may find the word
 * held by thread 1 (which queued as head) and wait on `serving` for its
 * hand-over: headship through `serving`, with 2 threads. */
#include "../client.h"
#include "ticket.h"

static lk_ticket_t l = LK_TICKET_INIT;
LK_WMM_REUSE_CLIENT((void)0, (void)0, lk_ticket_lock(&l),
		    lk_ticket_unlock(&l), (void)0, (void)0)
