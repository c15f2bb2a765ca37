#include <latchkit/rprwlock.h>
#include <stdio.h>

static lk_rprwlock_t lock = LK_RPRWLOCK_INIT;
static int config = 1;

/* Called with and without the read lock held: it takes it again. */
static int get_config(void)
{
	lk_rprwlock_rdlock(&lock); /* reader-preferring: never waits behind
				    * a writer that waits for our first hold */
	int v = config;
	lk_rprwlock_rdunlock(&lock);
	return v;
}

int main(void)
{
	lk_rprwlock_rdlock(&lock);
	int seen = get_config(); /* a read lock taken twice */
	lk_rprwlock_rdunlock(&lock);

	lk_rprwlock_wrlock(&lock); /* one writer, once no reader is in */
	config = seen + 1;
	lk_rprwlock_wrunlock(&lock);

	printf("config %d\n", get_config());
	return 0;
}
