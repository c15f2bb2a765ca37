/* Tune the wait policy before the first latchkit header (or with -D):
 * spin less, yield less, on a machine that is always oversubscribed. */
#define LK_SPIN_LIMIT 64
#define LK_YIELD_LIMIT 2
#include <latchkit/mutex.h>

static lk_mutex_t lock = LK_MUTEX_INIT;

int main(void)
{
	lk_mutex_lock(&lock);
	lk_mutex_unlock(&lock);
	return 0;
}
