/* verify/wmm: event.c with a timed wait: it times out at once (the mock's
 * timed sleep), and an event set meanwhile counts as set, ordered by that
 * last load's acquire alone. */
#include "../client.h"
#include "event.h"

static lk_event_t e = LK_EVENT_INIT;
static int data;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		data = 1;
		lk_event_set(&e);
	} else if (lk_event_timedwait(&e, 1000)) {
		assert(data == 1);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
