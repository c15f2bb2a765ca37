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

#ifdef LK_WMM_CTX /* oncectx: lk_once_ctx, and lk_once_is_done first */
static void fn_ctx(void *arg)
{
	(void)arg;
	fn();
}

static void *thread(void *arg)
{
	(void)arg;
	if (lk_once_is_done(&o))
		assert(data == 42);
	lk_once_ctx(&o, fn_ctx, NULL);
	assert(data == 42);
	return NULL;
}
#else
static void *thread(void *arg)
{
	(void)arg;
	lk_once(&o, fn);
	assert(data == 42);
	return NULL;
}
#endif

int main(void)
{
	lk_wmm_run(2, thread);
	assert(runs == 1);
	return 0;
}
