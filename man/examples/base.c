/* Tune the wait policy before the first latchkit header (or with -D):
 * a fixed 2 us spin budget instead of the learnt cost of parking, on a
 * machine that is always oversubscribed. */
#define LK_SPIN_NS 2000
#include <latchkit/mutex.h>

static lk_mutex_t lock = LK_MUTEX_INIT;

int main(void)
{
	lk_mutex_lock(&lock);
	lk_mutex_unlock(&lock);
	return 0;
}
