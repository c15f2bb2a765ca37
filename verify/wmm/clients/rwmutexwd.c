/* verify/wmm: rwmutex.h, a writer phase withdrawn under a counted waiting
 * reader. Thread 0 writes, then, holding a read lock, tries a timed write
 * lock, which announces a writer phase, waits for the readers inside (its
 * own read lock among them) and withdraws when the mock's clock runs out.
 * Thread 1 reads; arriving in that phase, it waits counted in WT, and on
 * the withdrawal moves itself from WT to RD (the reader's own CAS). It
 * must see thread 0's write whole. */
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
		lk_rwmutex_wrlock(&l);
		x++;
		y++;
		lk_rwmutex_wrunlock(&l);
		lk_rwmutex_rdlock(&l);
		/* its own read lock is inside: the drain cannot end */
		bool got = lk_rwmutex_wrtimedlock(&l, 1000);
		lk_rwmutex_rdunlock(&l);
		assert(!got);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(x == 1 && y == 1);
	return 0;
}
