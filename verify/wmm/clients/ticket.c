/* verify/wmm: ticket.h (on gate.h), mutual exclusion of 2 threads. */
#include "../client.h"
#include "ticket.h"

static lk_ticket_t l = LK_WMM_SH(LK_TICKET_INIT, LK_TICKET_INIT_SHARED);
#define FIRST(i) ((i) == 1 && lk_ticket_trylock(&l))
#define LOCK(i) lk_ticket_lock(&l)
#define UNLOCK(i) lk_ticket_unlock(&l)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
