/* verify/wmm: seqlock.h, a writer and a reader: a read that validates
 * never returns a torn pair. The data are relaxed atomics (lk_seq_store,
 * lk_seq_load), as seqlock.h requires. */
#include "../client.h"
#include "seqlock.h"

static lk_seqlock_t l = LK_SEQLOCK_INIT;
static LK_ATOMIC(uint64_t) pair[2];

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		uint64_t v[2] = {1, 1};
		lk_seqlock_write_lock(&l);
		lk_seq_store(pair, v, 2);
		lk_seqlock_write_unlock(&l);
	} else {
		uint64_t v[2];
		uint32_t s = lk_seqlock_read_begin(&l);
		lk_seq_load(v, pair, 2);
		if (!lk_seqlock_read_retry(&l, s))
			assert(v[0] == v[1]);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	return 0;
}
