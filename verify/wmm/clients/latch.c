/* verify/wmm: event.h's countdown latch, count 2: thread 1 counts down and
 * waits (arrive and wait); its wait returns only after thread 0 counted
 * down too, and sees what thread 0 wrote before. */
#include "../client.h"
#include "event.h"

static lk_latch_t l = LK_WMM_SH(LK_LATCH_INIT(2), LK_LATCH_INIT_SHARED(2));
static int slot[2];

static void *thread(void *arg)
{
	long i = (long)arg;
	slot[i] = 1;
	lk_latch_count_down(&l, 1);
	if (i == 1) {
		lk_latch_wait(&l);
		assert(slot[0] == 1);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
