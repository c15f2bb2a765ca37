#include <latchkit/ticket.h>
#include <stdio.h>

static lk_ticket_t lock = LK_TICKET_INIT; /* FIFO: served in ticket order */

int main(void)
{
	lk_ticket_lock(&lock);
	puts("first in line");
	lk_ticket_unlock(&lock);

	if (lk_ticket_trylock(&lock)) /* no timedlock: a ticket is kept */
		lk_ticket_unlock(&lock);
	return 0;
}
