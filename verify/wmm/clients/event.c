/* verify/wmm: event.h's event: the waiter returns only after set, and
 * sees what was written before it. */
#include "../client.h"
#include "event.h"

static lk_event_t e = LK_WMM_SH(LK_EVENT_INIT, LK_EVENT_INIT_SHARED);
static int data;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		data = 1;
		lk_event_set(&e);
	} else {
		lk_event_wait(&e);
		assert(data == 1);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
