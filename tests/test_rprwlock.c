/* tests/test_rprwlock.c: the reader-preferring parking RW latch. */
#include <latchkit/rprwlock.h>
#include <string.h>

#define RW_NAME rprwlock
#define RW_INIT LK_RPRWLOCK_INIT
#define RW_READERS_FAIR 0 /* writers race woken readers */
#define RW_WRITERS_FAIR 0 /* reader-preferring: readers may starve writers */
#include "rw_suite.h"

Test(rprwlock, size)
{
	cr_assert_eq(sizeof(lk_rprwlock_t), 4);
}

/* Reader preference: while a writer waits, a thread that holds a read lock
 * takes it again (POSIX allows it; glibc's default kind does it), and so
 * does a new reader; the writer gets in once they have all left. */
static lk_rprwlock_t rp;
static atomic_int rp_writer_in;
static void *rp_writer(void *arg)
{
	(void)arg;
	lk_rprwlock_wrlock(&rp);
	atomic_store(&rp_writer_in, 1);
	lk_rprwlock_wrunlock(&rp);
	return NULL;
}

/* Waits (5 s at most) until `bit` (RWAIT, WWAIT) is in l's word: a waiter
 * sets it just before it parks. */
static void await_bit(lk_rprwlock_t *l, uint32_t bit, const char *what)
{
	uint64_t end = lkt_now_ns() + 5000000000ull;
	while (!(atomic_load(&l->word) & bit) && lkt_now_ns() < end)
		sched_yield();
	cr_assert_neq(atomic_load(&l->word) & bit, 0u, "%s", what);
}

Test(rprwlock, readers_enter_while_a_writer_waits)
{
	lk_rprwlock_init(&rp);
	atomic_store(&rp_writer_in, 0);
	lk_rprwlock_rdlock(&rp);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, rp_writer, NULL), 0);
	await_bit(&rp, LK__RPW_WWAIT, "the writer never waited");
	lk_rprwlock_rdlock(&rp); /* recursive: must not wait for the writer */
	cr_assert(lk_rprwlock_rdtrylock(&rp), "a reader held back by a waiter");
	cr_assert(lk_rprwlock_rdtimedlock(&rp, 1000000));
	cr_assert_not(lk_rprwlock_wrtrylock(&rp));
	cr_assert_not(atomic_load(&rp_writer_in));
	for (int i = 0; i < 4; i++)
		lk_rprwlock_rdunlock(&rp);
	lkt_join(th, 0, "its lock and wait calls");
	cr_assert(atomic_load(&rp_writer_in));
	cr_assert_not(lk_rprwlock_is_locked(&rp));
	cr_assert_eq(atomic_load(&rp.word), 0u, "a waiting bit left behind");
}

/* A timed writer that gives up leaves WWAIT set; the last reader out then
 * clears it (and wakes nobody harmfully), and the latch is whole again. */
Test(rprwlock, timed_writer_gives_up_behind_readers)
{
	lk_rprwlock_t l;
	lk_rprwlock_init(&l);
	lk_rprwlock_rdlock(&l);
	uint64_t t0 = lkt_now_ns();
	cr_assert_not(lk_rprwlock_wrtimedlock(&l, 20000000));
	cr_assert_geq(lkt_now_ns() - t0, 20000000ull);
	lk_rprwlock_rdunlock(&l);
	cr_assert_eq(atomic_load(&l.word), 0u);
	cr_assert(lk_rprwlock_wrtrylock(&l));
	lk_rprwlock_wrunlock(&l);
}

/* Readers parked behind a writer all get in when it unlocks. */
static lk_rprwlock_t pk;
static atomic_int pk_in;
static void *pk_reader(void *arg)
{
	(void)arg;
	lk_rprwlock_rdlock(&pk);
	atomic_fetch_add(&pk_in, 1);
	while (atomic_load(&pk_in) < 3) /* all three inside at once */
		sched_yield();
	lk_rprwlock_rdunlock(&pk);
	return NULL;
}

Test(rprwlock, parked_readers_all_enter_after_the_writer)
{
	lk_rprwlock_init(&pk);
	atomic_store(&pk_in, 0);
	lk_rprwlock_wrlock(&pk);
	pthread_t th[3];
	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, pk_reader, NULL), 0);
	await_bit(&pk, LK__RPW_RWAIT, "no reader parked");
	cr_assert_eq(atomic_load(&pk_in), 0);
	lk_rprwlock_wrunlock(&pk);
	for (int i = 0; i < 3; i++)
		lkt_join(th[i], 0, "rdlock");
	cr_assert_eq(atomic_load(&pk_in), 3);
	cr_assert_eq(atomic_load(&pk.word), 0u);
}

/* The shared form keeps SHARED through every verb. */
Test(rprwlock, shared_bit_survives)
{
	lk_rprwlock_t l = LK_RPRWLOCK_INIT_SHARED;
	lk_rprwlock_wrlock(&l);
	cr_assert(lk_rprwlock_is_wrlocked(&l));
	lk_rprwlock_wrunlock(&l);
	lk_rprwlock_rdlock(&l);
	cr_assert(lk_rprwlock_is_rdlocked(&l));
	lk_rprwlock_rdunlock(&l);
	cr_assert(lk_rprwlock_wrtrylock(&l));
	lk_rprwlock_wrunlock(&l);
	cr_assert_eq(atomic_load(&l.word), LK__RPW_SHARED);
}

/* Two writers parked behind a reader: the last reader out wakes one; it
 * acquires with WWAIT kept (the other still sleeps), so its unlock wakes
 * the second. Both must get in. */
static lk_rprwlock_t tw;
static atomic_int tw_in;
static void *tw_writer(void *arg)
{
	(void)arg;
	lk_rprwlock_wrlock(&tw);
	atomic_fetch_add(&tw_in, 1);
	lk_rprwlock_wrunlock(&tw);
	return NULL;
}

Test(rprwlock, two_parked_writers_both_woken)
{
	lk_rprwlock_init(&tw);
	atomic_store(&tw_in, 0);
	lk_rprwlock_rdlock(&tw);
	pthread_t th[2];
	for (int i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, tw_writer, NULL), 0);
	await_bit(&tw, LK__RPW_WWAIT, "no writer parked");
	lkt_sleep_ms(50); /* let the second park too */
	lk_rprwlock_rdunlock(&tw);
	for (int i = 0; i < 2; i++)
		lkt_join(th[i], i, "wrlock after one wake");
	cr_assert_eq(atomic_load(&tw_in), 2);
	cr_assert_eq(atomic_load(&tw.word), 0u);
}
