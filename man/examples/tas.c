#include <latchkit/tas.h>
#include <stdio.h>

static lk_tas_t lock = LK_TAS_INIT;

int main(void)
{
	lk_tas_lock(&lock);
	/* a critical section: a few instructions, no system calls */
	lk_tas_unlock(&lock);

	if (!lk_tas_trylock(&lock))
		return 1;
	lk_tas_unlock(&lock);

	if (lk_tas_timedlock(&lock, 1000000)) { /* wait at most 1 ms */
		puts("locked");
		lk_tas_unlock(&lock);
	}
	return 0;
}
