#include <latchkit/mcs.h>
#include <stdio.h>

static lk_mcs_t lock = LK_MCS_INIT;

int main(void)
{
	/* The convenience API takes a node from a per-thread pool. */
	lk_mcs_lock(&lock);
	puts("held");
	lk_mcs_unlock(&lock);

	/* Or bring a node; it must live until the unlock returns. */
	lk_mcs_node_t node;
	lk_mcs_lock_node(&lock, &node);
	lk_mcs_unlock_node(&lock, &node);
	return 0;
}
