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
			lkt_join(th[i], i, "its lock and wait calls");
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

/* The head waits for its successor's link: a successor that has swapped
 * itself into the tail but not yet linked itself behind the head must still
 * be made head (issue 14: a head that left without waiting was caught only
 * by the bench's smoke run timing out). The test thread plays that
 * successor, one step at a time: it swaps its node into the tail behind a
 * queued head, lets the head take the word, and links only 20 ms later. */
static lk_mcs_t link_l;
static atomic_int link_done;

static void *link_head_fn(void *p)
{
	(void)p;
	lk_mcs_lock(&link_l); /* queues: the word is held */
	lk_mcs_unlock(&link_l);
	atomic_store(&link_done, 1);
	return NULL;
}

Test(mcs, head_waits_for_its_successors_link)
{
	lk_mcs_init(&link_l);
	atomic_store(&link_done, 0);
	lk_mcs_lock(&link_l); /* the word, at once: no node */
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, link_head_fn, NULL), 0);
	uint64_t t0 = lkt_now_ns();
	while (!atomic_load(&link_l.tail)) { /* the head has queued */
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "the locker never queued");
		lkt_sleep_ms(1);
	}
	/* Half of a successor's arrival: swap into the tail, do not link. */
	static lk_mcs_node_t sn;
	atomic_store(&sn.next, (lk_mcs_node_t *)NULL);
	atomic_store(&sn.flag, (uint32_t)LK_MCS_WAITING_);
	lk_mcs_node_t *pred = atomic_exchange(&link_l.tail, &sn);
	cr_assert(pred != NULL);
	lk_mcs_unlock(&link_l); /* the head takes the word, finds no link */
	lkt_sleep_ms(20);
	atomic_store(&pred->next, &sn); /* the link, late */
	t0 = lkt_now_ns();
	while (atomic_load(&sn.flag) != LK_MCS_HEAD_) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "lk_mcs: the head left without waiting for its "
			     "successor's link: the successor was never made "
			     "head (flag %u)", atomic_load(&sn.flag));
		lkt_sleep_ms(1);
	}
	/* The rest of the successor's lock: take the word, leave the queue. */
	lk__gate_head(&link_l.word);
	lk_mcs_node_t *exp = &sn;
	cr_assert(atomic_compare_exchange_strong(&link_l.tail, &exp,
						 (lk_mcs_node_t *)NULL));
	lk_mcs_unlock(&link_l);
	lkt_join(th, 0, "lk_mcs_lock, queued as the head");
	cr_assert(atomic_load(&link_done));
	cr_assert(lk_mcs_trylock(&link_l));
	lk_mcs_unlock(&link_l);
}
