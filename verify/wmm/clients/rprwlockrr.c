/* verify/wmm: rprwlock.h's reader preference: the reader holds the latch,
 * then takes it again (rdlock) while the writer may be waiting, WWAIT set
 * or parked. A writer-preferring latch would leave both asleep, the
 * writer behind the reader and the reader's second rdlock behind the
 * writer: the mock's lost wake-up assertion. The reader reads the pair
 * between its two acquisitions and after, and never sees it half written;
 * the writer is in once the reader has left both holds. */
#include "../client.h"
#include "rprwlock.h"

static lk_rprwlock_t l = LK_RPRWLOCK_INIT;
static int x, y;

static void *thread(void *arg)
{
	if ((long)arg == 1) {
		lk_rprwlock_rdlock(&l);
		int a = x, b = y;
		lk_rprwlock_rdlock(&l); /* again, while a writer may wait */
		int c = x, d = y;
		lk_rprwlock_rdunlock(&l);
		lk_rprwlock_rdunlock(&l);
		assert(a == b && c == d && a == c);
	} else {
		lk_rprwlock_wrlock(&l);
		x++;
		y++;
		lk_rprwlock_wrunlock(&l);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(x == 1 && y == 1);
	return 0;
}
