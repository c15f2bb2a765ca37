#include <latchkit/seqlock.h>
#include <stdio.h>

/* The shared data: relaxed atomic words, copied with lk_seq_load/store. */
static lk_seqlock_t lock = LK_SEQLOCK_INIT;
static LK_ATOMIC(uint64_t) position[2];

int main(void)
{
	uint64_t mine[2] = {3, 4}, seen[2];

	lk_seqlock_write_copy(&lock, position, mine, 2);

	uint32_t s;
	do {
		s = lk_seqlock_read_begin(&lock);
		lk_seq_load(seen, position, 2);
	} while (lk_seqlock_read_retry(&lock, s)); /* a writer came: again */

	printf("%llu %llu\n", (unsigned long long)seen[0],
	       (unsigned long long)seen[1]);
	return 0;
}
