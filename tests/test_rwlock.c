/* tests/test_rwlock.c: the writer-preferring spinning RW latch. */
#include <latchkit/rwlock.h>
#include <string.h>

#define RW_NAME rwlock
#define RW_INIT LK_RWLOCK_INIT
#define RW_READERS_FAIR 0 /* writer-preferring: writers may starve readers */
#include "rw_suite.h"

Test(rwlock, size)
{
	cr_assert_leq(sizeof(lk_rwlock_t), 8);
}

/* Writer preference: a reader arriving while a writer waits does not enter. */
static lk_rwlock_t wp;
static atomic_int wp_writer_in;
static void *wp_writer(void *arg)
{
	(void)arg;
	lk_rwlock_wrlock(&wp);
	atomic_store(&wp_writer_in, 1);
	lk_rwlock_wrunlock(&wp);
	return NULL;
}

Test(rwlock, readers_wait_behind_waiting_writer)
{
	lk_rwlock_init(&wp);
	lk_rwlock_rdlock(&wp);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, wp_writer, NULL), 0);
	/* Wait until the writer has announced itself (WW count nonzero). */
	uint64_t end = lkt_now_ns() + 5000000000ull;
	while ((atomic_load(&wp.word) & LK__RWL_WWMASK) == 0 && lkt_now_ns() < end)
		sched_yield();
	cr_assert_neq(atomic_load(&wp.word) & LK__RWL_WWMASK, 0u, "writer never waited");
	cr_assert_not(lk_rwlock_rdtrylock(&wp), "reader barged past a waiting writer");
	cr_assert_not(atomic_load(&wp_writer_in));
	lk_rwlock_rdunlock(&wp);
	lkt_join(th, 0, "its lock and wait calls");
	cr_assert(atomic_load(&wp_writer_in));
}

/* Timed readers that keep timing out must not touch RD while a writer
 * waits (rdtimedlock looks before it adds), so the writer gets in as soon
 * as the readers inside leave. */
static lk_rwlock_t tr;
static atomic_int tr_stop, tr_writer_in, tr_calls;
static void *tr_writer(void *arg)
{
	(void)arg;
	lk_rwlock_wrlock(&tr);
	atomic_store(&tr_writer_in, 1);
	lk_rwlock_wrunlock(&tr);
	return NULL;
}
static void *tr_reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&tr_stop)) {
		if (lk_rwlock_rdtimedlock(&tr, 20000))
			lk_rwlock_rdunlock(&tr);
		atomic_fetch_add(&tr_calls, 1);
	}
	return NULL;
}

Test(rwlock, timed_readers_do_not_flicker_rd)
{
	lk_rwlock_init(&tr);
	lk_rwlock_rdlock(&tr); /* RD == 1 until we let the writer in */
	pthread_t w, r[2];
	cr_assert_eq(pthread_create(&w, NULL, tr_writer, NULL), 0);
	uint64_t end = lkt_now_ns() + 5000000000ull;
	while ((atomic_load(&tr.word) & LK__RWL_WWMASK) == 0 &&
	       lkt_now_ns() < end)
		sched_yield();
	cr_assert_neq(atomic_load(&tr.word) & LK__RWL_WWMASK, 0u,
		      "writer never waited");
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&r[i], NULL, tr_reader, NULL), 0);
	/* While the writer waits, RD stays exactly our one read hold. */
	end = lkt_now_ns() + 10000000000ull;
	while (atomic_load(&tr_calls) < 200 && lkt_now_ns() < end) {
		uint32_t v = atomic_load(&tr.word);
		cr_assert_eq(v & LK__RWL_RDMASK, LK__RWL_RD1,
			     "a timed reader touched RD while a writer waited "
			     "(word %#x)", v);
	}
	cr_assert_geq(atomic_load(&tr_calls), 200, "timed readers stalled");
	cr_assert_not(atomic_load(&tr_writer_in));
	lk_rwlock_rdunlock(&tr);
	lkt_join(w, 0, "its lock and wait calls"); /* the writer gets in despite the retries */
	cr_assert(atomic_load(&tr_writer_in));
	atomic_store(&tr_stop, 1);
	for (int i = 0; i < 2; i++)
		lkt_join(r[i], i, "its lock and wait calls");
	cr_assert_eq(atomic_load(&tr.word), 0u);
}
