/* verify/wmm: ticket.h (on gate.h), 3 threads (client.h's queue client):
 * while the main thread holds the word two queue, and headship passes from
 * one to the next through `serving` (2 threads never queue two). */
#include "../client.h"
#include "ticket.h"

static lk_ticket_t l = LK_TICKET_INIT;
LK_WMM_QUEUE_CLIENT((void)0, lk_ticket_lock(&l), lk_ticket_unlock(&l),
		    (void)0)
