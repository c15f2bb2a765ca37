#include <latchkit/mcs.h>
#include "mutex_suite.h"
#include <signal.h>

/* Changes when a thread swaps its node into the queue. */
static uintptr_t mcs_token(lk_mcs_t *l)
{
	return (uintptr_t)atomic_load(&l->tail);
}

LKT_MUTEX_SUITE(mcs, lk_mcs_t, LK_MCS_INIT, lk_mcs_init, lk_mcs_lock,
		lk_mcs_trylock, lk_mcs_unlock)
LKT_MUTEX_SUITE_FIFO(mcs, lk_mcs_t, LK_MCS_INIT, lk_mcs_init, lk_mcs_lock,
		     lk_mcs_unlock, mcs_token)

/* The explicit-node API with stack nodes. */
static void *node_fn(void *ctx, int id)
{
	lkt_count_t *c = (lkt_count_t *)ctx;
	lk_mcs_t *l = (lk_mcs_t *)c->latch;
	(void)id;
	for (int i = 0; i < c->iters; i++) {
		lk_mcs_node_t n;
		if (i & 1) {
			while (!lk_mcs_trylock_node(l, &n))
				sched_yield();
		} else {
			lk_mcs_lock_node(l, &n);
		}
		lkt_enter_(c);
		c->counter++;
		lkt_leave_(c);
		lk_mcs_unlock_node(l, &n);
	}
	return NULL;
}

Test(mcs, explicit_nodes_count_8_threads)
{
	lk_mcs_t l = LK_MCS_INIT;
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

/* The convenience API keeps no pool: one thread may hold any number of
 * MCS locks, each of them taken after queueing. */
static lk_mcs_t many[64];

static void *many_fn(void *p)
{
	(void)p;
	for (int i = 0; i < 64; i++)
		lk_mcs_lock(&many[i]);
	for (int i = 0; i < 64; i++)
		lk_mcs_unlock(&many[i]);
	return NULL;
}

Test(mcs, many_held_no_pool)
{
	for (int i = 0; i < 64; i++)
		lk_mcs_init(&many[i]);
	for (int r = 0; r < 20; r++) {
		pthread_t th[3];
		for (int i = 0; i < 3; i++)
			cr_assert_eq(pthread_create(&th[i], NULL, many_fn,
						    NULL),
				     0);
		for (int i = 0; i < 3; i++)
			pthread_join(th[i], NULL);
	}
	for (int i = 0; i < 64; i++) {
		cr_assert_eq(atomic_load(&many[i].word), 0u);
		cr_assert_null(atomic_load(&many[i].tail));
	}
}

Test(mcs, size)
{
	cr_assert_eq(sizeof(lk_mcs_t), 2 * sizeof(void *));
	cr_assert_eq(sizeof(lk_mcs_node_t), 2 * sizeof(void *));
}
