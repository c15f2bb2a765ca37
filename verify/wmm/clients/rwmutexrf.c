/* verify/wmm: rwmutex.h with WT full (LK__RWM_WT_MAX 0: every reader that
 * waits does so uncounted, as the 1024th waiting reader would): thread 0
 * writes twice, thread 1 reads. An uncounted reader waits for the phase
 * it met to end, then arrives again (its second fetch_add), and may find
 * thread 0's second writer phase begun and ended in between: that
 * fetch_add's acquire is what shows it the second write. */
#define LK__RWM_WT_MAX 0u
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
static int x, y;

static void *thread(void *arg)
{
	if ((long)arg == 1) {
		lk_rwmutex_rdlock(&l);
		int a = x, b = y;
		lk_rwmutex_rdunlock(&l);
		assert(a == b);
	} else {
		for (int k = 0; k < 2; k++) {
			lk_rwmutex_wrlock(&l);
			x++;
			y++;
			lk_rwmutex_wrunlock(&l);
		}
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(x == 2 && y == 2);
	return 0;
}
