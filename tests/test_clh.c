#include <latchkit/clh.h>
#include "mutex_suite.h"

/* Changes when a thread swaps its node into the queue. */
static uintptr_t clh_token(lk_clh_t *l)
{
	return (uintptr_t)atomic_load(&l->tail);
}

LKT_MUTEX_SUITE(clh, lk_clh_t, LK_CLH_INIT, lk_clh_init, lk_clh_lock,
		lk_clh_trylock, lk_clh_unlock)
LKT_MUTEX_SUITE_FIFO(clh, lk_clh_t, LK_CLH_INIT, lk_clh_init, lk_clh_lock,
		     lk_clh_unlock, clh_token)

/* The explicit-node API: each thread owns one heap node, which it trades
 * for its predecessor's exactly as the header documents. */
static void *node_fn(void *ctx, int id)
{
	lkt_count_t *c = (lkt_count_t *)ctx;
	lk_clh_t *l = (lk_clh_t *)c->latch;
	lk_clh_node_t *mine[4] = {NULL, NULL, NULL, NULL};
	int have = 0, allocs = 0;
	(void)id;
	for (int i = 0; i < c->iters; i++) {
		if (!have) {
			mine[have++] = (lk_clh_node_t *)aligned_alloc(
				64, sizeof(lk_clh_node_t));
			allocs++;
		}
		lk_clh_node_t *n = mine[--have];
		lk_clh_node_t *pred = lk_clh_lock_node(l, n);
		lkt_enter_(c);
		c->counter++;
		lkt_leave_(c);
		if (pred) {
			cr_assert_neq(pred, n);
			if (have < 4)
				mine[have++] = pred;
			else
				free(pred);
		}
		if (lk_clh_unlock_node(l, n)) {
			if (have < 4)
				mine[have++] = n;
			else
				free(n);
		}
	}
	while (have)
		free(mine[--have]);
	return NULL;
}

Test(clh, explicit_nodes_count_8_threads)
{
	lk_clh_t l = LK_CLH_INIT;
	lkt_count_t c;
	c.latch = &l;
	c.counter = 0;
	atomic_init(&c.inside, 0);
	atomic_init(&c.overlap, 0);
	c.iters = LKT_ITERS;
	c.mode = 0;
	lkt_run(8, node_fn, &c);
	cr_assert_eq(c.counter, 8L * LKT_ITERS);
	cr_assert_eq(atomic_load(&c.overlap), 0);
	cr_assert_null(atomic_load(&l.tail), "queue not empty after the run");
}

Test(clh, uncontended_node_comes_back)
{
	lk_clh_t l;
	lk_clh_init(&l);
	lk_clh_node_t *n =
		(lk_clh_node_t *)aligned_alloc(64, sizeof(lk_clh_node_t));
	for (int i = 0; i < 3; i++) {
		cr_assert_null(lk_clh_lock_node(&l, n));
		cr_assert(lk_clh_unlock_node(&l, n));
	}
	cr_assert(lk_clh_trylock_node(&l, n));
	cr_assert(lk_clh_unlock_node(&l, n));
	free(n);
}

Test(clh, size)
{
	cr_assert_eq(sizeof(lk_clh_t), 2 * sizeof(void *));
	cr_assert_eq(sizeof(lk_clh_node_t), 64);
}
