#include <latchkit/optlock.h>
#include <stdio.h>

/* A B-tree node's latch: readers take no lock, they validate. */
static lk_optlock_t latch = LK_OPTLOCK_INIT;
static LK_ATOMIC(uint64_t) key;

int main(void)
{
	uint64_t v, k;
	do {
		if (!lk_optlock_read_begin(&latch, &v))
			return 1; /* obsolete node: restart from the parent */
		k = atomic_load_explicit(&key, memory_order_relaxed);
	} while (!lk_optlock_validate(&latch, v));

	if (lk_optlock_upgrade(&latch, v)) { /* nothing changed: now exclusive */
		atomic_store_explicit(&key, k + 1, memory_order_relaxed);
		lk_optlock_unlock(&latch);
	}
	printf("%llu\n", (unsigned long long)atomic_load_explicit(
				 &key, memory_order_relaxed));
	return 0;
}
