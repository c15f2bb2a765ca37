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
	pthread_join(th, NULL);
	cr_assert(atomic_load(&wp_writer_in));
}
