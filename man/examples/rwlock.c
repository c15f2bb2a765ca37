#include <latchkit/rwlock.h>
#include <stdio.h>

static lk_rwlock_t lock = LK_RWLOCK_INIT;
static int config = 1;

int main(void)
{
	lk_rwlock_rdlock(&lock); /* many readers at once */
	int seen = config;
	lk_rwlock_rdunlock(&lock);

	lk_rwlock_wrlock(&lock); /* one writer, no readers */
	config = seen + 1;
	lk_rwlock_wrunlock(&lock);

	if (lk_rwlock_rdtimedlock(&lock, 1000000)) {
		printf("config %d\n", config);
		lk_rwlock_rdunlock(&lock);
	}
	return 0;
}
