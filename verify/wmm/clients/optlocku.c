/* verify/wmm: optlock.h's upgrade: a writer changes plain data under the
 * latch; a reader whose optimistic read upgrades to the latch reads it
 * plainly. The upgrade's CAS reads the version read_begin read, so
 * read_begin's acquire may already order the writer's data for it. */
#include "../client.h"
#include "optlock.h"

static lk_optlock_t l = LK_OPTLOCK_INIT;
static int z;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		lk_optlock_lock(&l);
		z++;
		lk_optlock_unlock(&l);
	} else {
		uint64_t v;
		if (lk_optlock_read_begin(&l, &v) && lk_optlock_upgrade(&l, v)) {
			z++;
			lk_optlock_unlock(&l);
		}
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
