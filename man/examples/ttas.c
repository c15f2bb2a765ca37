#include <latchkit/ttas.h>
#include <stdio.h>

static lk_ttas_t lock = LK_TTAS_INIT;

int main(void)
{
	lk_ttas_lock(&lock);
	/* a critical section: a few instructions, no system calls */
	lk_ttas_unlock(&lock);

	if (!lk_ttas_trylock(&lock))
		return 1;
	lk_ttas_unlock(&lock);

	if (lk_ttas_timedlock(&lock, 1000000)) { /* wait at most 1 ms */
		puts("locked");
		lk_ttas_unlock(&lock);
	}
	return 0;
}
