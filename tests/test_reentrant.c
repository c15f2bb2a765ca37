/* Reentrant wrapper: nesting by the owner, exclusion against others. */
#include <latchkit/reentrant.h>
#include <latchkit/ticket.h>

#include "harness.h"

/* A user instance over a base without timedlock. */
LK_REENTRANT_DEFINE_NOTIMED(rticket, ticket)

#define DEPTH 5
#define THREADS 6
#define ITERS 20000

#define NESTING_TEST(T)                                                        \
	Test(reentrant, nesting_##T)                                           \
	{                                                                      \
		static lk_##T##_t r;                                           \
		lk_##T##_init(&r);                                             \
		for (int d = 1; d <= DEPTH; d++) {                             \
			if (d % 2)                                             \
				lk_##T##_lock(&r);                             \
			else                                                   \
				cr_assert(lk_##T##_trylock(&r));               \
			cr_assert_eq(lk_##T##_depth(&r), (uint32_t)d);         \
		}                                                              \
		for (int d = DEPTH; d >= 1; d--) {                             \
			lk_##T##_unlock(&r);                                   \
			cr_assert_eq(lk_##T##_depth(&r), (uint32_t)d - 1);     \
		}                                                              \
		/* fully released: the base is free again */                   \
		cr_assert(lk_##T##_trylock(&r));                               \
		lk_##T##_unlock(&r);                                           \
	}
NESTING_TEST(rmutex)
NESTING_TEST(rttas)
NESTING_TEST(rticket)

Test(reentrant, timedlock_nests_and_static_init)
{
	static lk_rmutex_t r = LK_RMUTEX_INIT;
	static lk_rttas_t s = LK_RTTAS_INIT;
	cr_assert(lk_rmutex_timedlock(&r, 1000000));
	cr_assert(lk_rmutex_timedlock(&r, 0));
	cr_assert_eq(lk_rmutex_depth(&r), 2);
	lk_rmutex_unlock(&r);
	lk_rmutex_unlock(&r);
	cr_assert(lk_rttas_timedlock(&s, 1000000));
	lk_rttas_lock(&s);
	lk_rttas_unlock(&s);
	lk_rttas_unlock(&s);
	cr_assert_eq(lk_rttas_depth(&s), 0);
}

/* Exclusion: every thread nests to a random depth each time. */
typedef struct {
	lk_rmutex_t rmutex;
	lk_rttas_t rttas;
	lk_rticket_t rticket;
	unsigned long cm, ct, ck;
} excl_t;

#define EXCL_BODY(T, cnt)                                                      \
	do {                                                                   \
		int depth = 1 + (int)((i * 7u + (unsigned)id) % 3);            \
		for (int d = 0; d < depth; d++)                                \
			lk_##T##_lock(&c->T);          \
		c->cnt++; /* plain: a race is what we test for */              \
		for (int d = 0; d < depth; d++)                                \
			lk_##T##_unlock(&c->T);                                \
	} while (0)

static void *excl_worker(void *p, int id)
{
	excl_t *c = (excl_t *)p;
	(void)id;
	for (unsigned i = 0; i < ITERS; i++) {
		switch (i % 3) {
		case 0:
			EXCL_BODY(rmutex, cm);
			break;
		case 1:
			EXCL_BODY(rttas, ct);
			break;
		default:
			EXCL_BODY(rticket, ck);
		}
	}
	return NULL;
}

Test(reentrant, exclusion_exact_counter)
{
	static excl_t c;
	lk_rmutex_init(&c.rmutex);
	lk_rttas_init(&c.rttas);
	lk_rticket_init(&c.rticket);
	lkt_run(THREADS, excl_worker, &c);
	unsigned long per = (unsigned long)THREADS * (ITERS / 3);
	cr_assert_eq(c.cm, per + (ITERS % 3 > 0 ? THREADS : 0));
	cr_assert_eq(c.ct, per + (ITERS % 3 > 1 ? THREADS : 0));
	cr_assert_eq(c.ck, per);
	cr_assert_eq(c.cm + c.ct + c.ck, (unsigned long)THREADS * ITERS);
}

/* Another thread's trylock fails at every depth of the owner's hold. */
typedef struct {
	lk_rmutex_t m;
	lk_rticket_t k;
	atomic_int step, checked, got;
} other_t;

static void *other_thread(void *p)
{
	other_t *o = (other_t *)p;
	for (int d = 1; d <= DEPTH; d++) {
		while (atomic_load(&o->step) != d)
			sched_yield();
		if (lk_rmutex_trylock(&o->m)) {
			atomic_fetch_add(&o->got, 1);
			lk_rmutex_unlock(&o->m);
		}
		if (lk_rmutex_timedlock(&o->m, 1000000)) {
			atomic_fetch_add(&o->got, 1);
			lk_rmutex_unlock(&o->m);
		}
		if (lk_rticket_trylock(&o->k)) {
			atomic_fetch_add(&o->got, 1);
			lk_rticket_unlock(&o->k);
		}
		atomic_store(&o->checked, d);
	}
	/* after the owner's last unlock it is free */
	while (atomic_load(&o->step) != DEPTH + 1)
		sched_yield();
	if (lk_rmutex_trylock(&o->m)) {
		atomic_fetch_add(&o->got, 100);
		lk_rmutex_unlock(&o->m);
	}
	return NULL;
}

Test(reentrant, trylock_by_another_fails_at_any_depth)
{
	static other_t o;
	lk_rmutex_init(&o.m);
	lk_rticket_init(&o.k);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, other_thread, &o), 0);
	for (int d = 1; d <= DEPTH; d++) {
		lk_rmutex_lock(&o.m);
		lk_rticket_lock(&o.k);
		atomic_store(&o.step, d);
		while (atomic_load(&o.checked) != d)
			sched_yield();
		cr_assert_eq(atomic_load(&o.got), 0, "taken at depth %d", d);
	}
	for (int d = 1; d <= DEPTH; d++) {
		lk_rmutex_unlock(&o.m);
		lk_rticket_unlock(&o.k);
	}
	atomic_store(&o.step, DEPTH + 1);
	lkt_join(t, 0, "its lock and wait calls");
	cr_assert_eq(atomic_load(&o.got), 100);
}
