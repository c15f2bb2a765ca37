#include <latchkit/clh.h>
#include <stdio.h>

static lk_clh_t lock = LK_CLH_INIT;

int main(void)
{
	/* Nodes wander between threads: the convenience API keeps spares. */
	lk_clh_lock(&lock);
	puts("held");
	lk_clh_unlock(&lock);

	if (lk_clh_trylock(&lock))
		lk_clh_unlock(&lock);
	return 0;
}
