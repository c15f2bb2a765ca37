/* verify/wmm: once.h, two callers: fn runs once, and both see its effect. */
#include "../client.h"
#include "once.h"

static lk_once_t o = LK_WMM_SH(LK_ONCE_INIT, LK_ONCE_INIT_SHARED);
static int runs, data;

static void fn(void)
{
	runs++;
	data = 42;
}

static void *thread(void *arg)
{
	(void)arg;
	lk_once(&o, fn);
	assert(data == 42);
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(runs == 1);
	return 0;
}
