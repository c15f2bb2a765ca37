/* verify/wmm: optlock.h's obsolete mark: a writer changes plain data and
 * releases with unlock_obsolete; a reader that sees is_obsolete reads the
 * data plainly (a node taken out of a tree: its last contents are final).
 * unlock_obsolete's release and is_obsolete's acquire alone order them. */
#include "../client.h"
#include "optlock.h"

static lk_optlock_t l = LK_OPTLOCK_INIT;
static int z;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		lk_optlock_lock(&l);
		z = 1;
		lk_optlock_unlock_obsolete(&l);
	} else if (lk_optlock_is_obsolete(&l)) {
		assert(z == 1);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
