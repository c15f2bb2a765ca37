/* No feature macro needed: a timed lock reads the monotonic clock through
 * base_sys.h's own names for the system calls, under strict -std=c11 too. */
#include <latchkit/mutex.h>
#include <stdio.h>

static lk_mutex_t lock = LK_MUTEX_INIT;

int main(void)
{
	if (!lk_mutex_timedlock(&lock, 1000000)) /* 1 ms */
		return 1;
	lk_mutex_unlock(&lock);
	puts("timed lock taken and released");
	return 0;
}
