/* verify/wmm: seqlock.h, two writers: the writers' latch orders one write
 * section after the other, so the second sees the first's sequence number
 * and data. At the end the count has moved by 4 (two sections) and the
 * pair is whole (one writer's, not a mix). The data are relaxed atomics
 * (lk_seq_store), as seqlock.h requires. */
#include "../client.h"
#include "seqlock.h"

static lk_seqlock_t l = LK_WMM_SH(LK_SEQLOCK_INIT, LK_SEQLOCK_INIT_SHARED);
static LK_ATOMIC(uint64_t) pair[2];

static void *thread(void *arg)
{
	uint64_t v[2] = {(uint64_t)arg + 1, (uint64_t)arg + 1};
#if defined(LK_WMM_TRY) /* seqlock2wt: writer 0 tries write_timedlock */
	if (!((long)arg == 1 ? lk_seqlock_write_trylock(&l)
			     : lk_seqlock_write_timedlock(&l, 1)))
#elif defined(LK_WMM_SHARED) /* seqlock2wsh: writer 1 tries first */
	if (!((long)arg == 1 && lk_seqlock_write_trylock(&l)))
#endif
		lk_seqlock_write_lock(&l);
	lk_seq_store(pair, v, 2);
	lk_seqlock_write_unlock(&l);
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	uint64_t v[2];
	lk_seq_load(v, pair, 2);
	assert(atomic_load_explicit(&l.sc.seq, memory_order_relaxed) == 4);
	assert(v[0] == v[1]);
	return 0;
}
