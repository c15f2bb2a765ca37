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

static void withdrawn_phase(void)
{
	lk_rwmutex_rdlock(&l);
	/* its own read lock is inside: the drain cannot end */
	bool got = lk_rwmutex_wrtimedlock(&l, 1000);
	lk_rwmutex_rdunlock(&l);
	assert(!got);
}

#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) (lk_rwmutex_wrunlock(&l), withdrawn_phase())
#define RDLOCK(i) lk_rwmutex_rdlock(&l)
#define RDUNLOCK(i) lk_rwmutex_rdunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, LK_WMM_NONE, RDLOCK,
		 RDUNLOCK)
