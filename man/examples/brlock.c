#include <latchkit/brlock.h>
#include <stdio.h>

/* 4 KiB: one cache line per reader stripe. For read-mostly data. */
static lk_brlock_t lock = LK_BRLOCK_INIT;
static const char *route = "a";

int main(void)
{
	lk_brlock_rdlock(&lock); /* touches this thread's stripe only */
	printf("%s\n", route);
	lk_brlock_rdunlock(&lock);

	lk_brlock_wrlock(&lock); /* waits for every stripe to drain */
	route = "b";
	lk_brlock_wrunlock(&lock);
	return 0;
}
