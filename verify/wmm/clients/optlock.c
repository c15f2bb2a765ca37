/* verify/wmm: optlock.h, a writer and an optimistic reader: a read that
 * validates never saw a torn pair. The data are relaxed atomics. */
#include "../client.h"
#include "optlock.h"

static lk_optlock_t l = LK_OPTLOCK_INIT;
static atomic_int x, y;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		lk_optlock_lock(&l);
		atomic_store_explicit(&x, 1, memory_order_relaxed);
		atomic_store_explicit(&y, 1, memory_order_relaxed);
		lk_optlock_unlock(&l);
	} else {
		uint64_t v;
#ifdef LK_WMM_TRY /* optlockt: read_trybegin */
		if (lk_optlock_read_trybegin(&l, &v)) {
#else
		if (lk_optlock_read_begin(&l, &v)) {
#endif
			int a = atomic_load_explicit(&x, memory_order_relaxed);
			int b = atomic_load_explicit(&y, memory_order_relaxed);
			if (lk_optlock_validate(&l, v))
				assert(a == b);
		}
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
