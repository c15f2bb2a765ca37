#include <latchkit/pfrwlock.h>
#include <stdio.h>

static lk_pfrwlock_t lock = LK_PFRWLOCK_INIT;
static int table[16];

int main(void)
{
	lk_pfrwlock_wrlock(&lock);
	table[3] = 42;
	lk_pfrwlock_wrunlock(&lock);

	lk_pfrwlock_rdlock(&lock); /* phase-fair: waits one writer phase at most */
	printf("%d\n", table[3]);
	lk_pfrwlock_rdunlock(&lock);
	return 0;
}
