#include <latchkit/rwmutex.h>
#include <stdio.h>

static lk_rwmutex_t lock = LK_RWMUTEX_INIT;
static int balance = 100;

int main(void)
{
	/* Read with intent to write: readers still get in, writers do not. */
	lk_rwmutex_uplock(&lock);
	if (balance >= 30) {
		lk_rwmutex_upgrade(&lock); /* waits for the readers to leave */
		balance -= 30;
		lk_rwmutex_downgrade(&lock); /* now a plain reader */
		printf("%d\n", balance);
		lk_rwmutex_rdunlock(&lock);
	} else {
		lk_rwmutex_upunlock(&lock);
	}
	return 0;
}
