/* verify/wmm: barrier.h, 2 parties: nobody passes before both arrived, so
 * each sees what the other wrote before its arrival. */
#include "../client.h"
#include "barrier.h"

static lk_barrier_t b = LK_WMM_SH(LK_BARRIER_INIT(2), LK_BARRIER_INIT_SHARED(2));
static int slot[2];

static void *thread(void *arg)
{
	long i = (long)arg;
	slot[i] = 1;
	lk_barrier_wait(&b);
	assert(slot[1 - i] == 1);
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
