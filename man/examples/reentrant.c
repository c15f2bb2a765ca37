#include <latchkit/reentrant.h>
#include <latchkit/ticket.h>
#include <stdio.h>

/* A reentrant ticket lock: the ticket lock has no timedlock. */
LK_REENTRANT_DEFINE_NOTIMED(rticket, ticket)

static lk_rmutex_t lock = LK_RMUTEX_INIT;
static lk_rticket_t fifo = LK_REENTRANT_INIT(LK_TICKET_INIT);

static void inner(void)
{
	lk_rmutex_lock(&lock); /* already ours: depth 2 */
	printf("depth %u\n", (unsigned)lk_rmutex_depth(&lock));
	lk_rmutex_unlock(&lock);
}

int main(void)
{
	lk_rmutex_lock(&lock);
	inner();
	lk_rmutex_unlock(&lock);

	lk_rticket_lock(&fifo);
	lk_rticket_unlock(&fifo);
	return 0;
}
