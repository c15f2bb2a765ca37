/*
 * tests/mutex_suite.h: the one validation suite every mutual-exclusion
 * latch gets. A test file includes its header and this one, then stamps:
 *
 *   LKT_MUTEX_SUITE(suite, type, INIT, init, lock, trylock, unlock)
 *       exact counts (2 and 8 threads, plain and trylock-heavy), trylock
 *       fails while another thread holds and succeeds when free, the static
 *       initializer, lock/unlock across many locks.
 *   LKT_MUTEX_SUITE_TIMED(suite, type, INIT, init, lock, timedlock, unlock)
 *       a timed lock held elsewhere fails after its deadline and not
 *       absurdly late; the lock stays usable; counts with timed acquires.
 *   LKT_MUTEX_SUITE_FIFO(suite, type, INIT, init, lock, unlock, token)
 *       grant order equals arrival order. token(l) is a word that changes
 *       when a thread enqueues (next ticket, tail pointer): the test lets
 *       threads arrive one by one and waits for each to show in it.
 *
 * The verbs are macro arguments so the fast paths inline as in real use.
 */
#ifndef LK_TEST_MUTEX_SUITE_H
#define LK_TEST_MUTEX_SUITE_H

#include "harness.h"
#include <stdio.h>

#ifndef LKT_ITERS
#define LKT_ITERS 20000 /* per thread; 8 x 20k stays quick on 2 loaded cores */
#endif

/* Shared state of one counting run. `counter` is deliberately not atomic:
 * only mutual exclusion keeps it exact. `inside` catches two holders. */
typedef struct {
	void *latch;
	long counter;
	atomic_int inside;
	atomic_int overlap;
	int iters;
	int mode; /* 0 lock, 1 trylock-heavy, 2 timedlock-heavy */
} lkt_count_t;

static inline void lkt_enter_(lkt_count_t *c)
{
	if (atomic_fetch_add_explicit(&c->inside, 1, memory_order_relaxed))
		atomic_store_explicit(&c->overlap, 1, memory_order_relaxed);
}

static inline void lkt_leave_(lkt_count_t *c)
{
	atomic_fetch_sub_explicit(&c->inside, 1, memory_order_relaxed);
}

#define LKT_COUNT_BODY_(type, lock, unlock, tryverb)                           \
	do {                                                                   \
		type *l_ = (type *)c->latch;                                    \
		for (int i = 0; i < c->iters; i++) {                           \
			if (c->mode && (i & 1)) {                              \
				lkt_doing("trylock");                          \
				while (!(tryverb))                             \
					sched_yield();                         \
			} else {                                               \
				lkt_doing("lock");                             \
				lock(l_);                                      \
			}                                                      \
			lkt_enter_(c);                                         \
			c->counter++;                                          \
			lkt_leave_(c);                                         \
			lkt_doing("unlock");                                   \
			unlock(l_);                                            \
		}                                                              \
	} while (0)

#define LKT_MUTEX_SUITE(suite, type, INIT, init, lock, trylock, unlock)        \
	static void *suite##_count_fn(void *ctx, int id)                       \
	{                                                                      \
		lkt_count_t *c = (lkt_count_t *)ctx;                           \
		(void)id;                                                      \
		LKT_COUNT_BODY_(type, lock, unlock, trylock(l_));              \
		return NULL;                                                   \
	}                                                                      \
	static void suite##_count(type *l, int n, int mode)                    \
	{                                                                      \
		lkt_count_t c;                                                 \
		c.latch = l;                                                    \
		c.counter = 0;                                                 \
		atomic_init(&c.inside, 0);                                     \
		atomic_init(&c.overlap, 0);                                    \
		c.iters = LKT_ITERS;                                           \
		c.mode = mode;                                                 \
		lkt_run(n, suite##_count_fn, &c);                              \
		cr_assert_eq(c.counter, (long)n * LKT_ITERS,                   \
			     "count %ld, want %ld", c.counter,                  \
			     (long)n * LKT_ITERS);                              \
		cr_assert_eq(atomic_load(&c.overlap), 0,                       \
			     "two threads inside at once");                     \
		cr_assert(trylock(l), "lock not free after the run");          \
		unlock(l);                                                     \
	}                                                                      \
	Test(suite, count_2_threads)                                           \
	{                                                                      \
		type l;                                                        \
		init(&l);                                                      \
		suite##_count(&l, 2, 0);                                       \
	}                                                                      \
	Test(suite, count_8_threads)                                           \
	{                                                                      \
		type l;                                                        \
		init(&l);                                                      \
		suite##_count(&l, 8, 0);                                       \
	}                                                                      \
	Test(suite, count_8_threads_trylock)                                   \
	{                                                                      \
		type l;                                                        \
		init(&l);                                                      \
		suite##_count(&l, 8, 1);                                       \
	}                                                                      \
	static type suite##_static_lock = INIT;                                \
	Test(suite, static_initializer)                                        \
	{                                                                      \
		cr_assert(trylock(&suite##_static_lock),                       \
			  "a statically initialised lock is not free");         \
		unlock(&suite##_static_lock);                                  \
		lock(&suite##_static_lock);                                    \
		unlock(&suite##_static_lock);                                  \
		suite##_count(&suite##_static_lock, 2, 0);                     \
	}                                                                      \
	typedef struct {                                                       \
		type *l;                                                       \
		atomic_int phase;                                              \
		atomic_int result;                                             \
	} suite##_try_t;                                                       \
	static void *suite##_try_fn(void *ctx, int id)                         \
	{                                                                      \
		suite##_try_t *t = (suite##_try_t *)ctx;                       \
		if (id == 0) {                                                 \
			lock(t->l);                                            \
			atomic_store(&t->phase, 1);                            \
			while (atomic_load(&t->phase) != 2)                    \
				sched_yield();                                 \
			unlock(t->l);                                          \
			atomic_store(&t->phase, 3);                            \
		} else {                                                       \
			while (atomic_load(&t->phase) != 1)                    \
				sched_yield();                                 \
			int held = trylock(t->l);                              \
			if (held)                                              \
				unlock(t->l);                                  \
			atomic_store(&t->result, held);                        \
			atomic_store(&t->phase, 2);                            \
		}                                                              \
		return NULL;                                                   \
	}                                                                      \
	Test(suite, trylock_fails_while_held_elsewhere)                        \
	{                                                                      \
		type l;                                                        \
		init(&l);                                                      \
		suite##_try_t t;                                               \
		t.l = &l;                                                      \
		atomic_init(&t.phase, 0);                                      \
		atomic_init(&t.result, -1);                                    \
		lkt_run(2, suite##_try_fn, &t);                                \
		cr_assert_eq(atomic_load(&t.result), 0,                        \
			     "trylock succeeded on a held lock");               \
		cr_assert(trylock(&l), "trylock failed on a free lock");       \
		unlock(&l);                                                    \
		lock(&l);                                                      \
		unlock(&l);                                                    \
		cr_assert(trylock(&l), "trylock failed after lock/unlock");    \
		unlock(&l);                                                    \
	}                                                                      \
	Test(suite, many_locks_nested_any_order)                               \
	{                                                                      \
		type ls[4];                                                    \
		for (int i = 0; i < 4; i++)                                    \
			init(&ls[i]);                                          \
		for (int r = 0; r < 1000; r++) {                               \
			for (int i = 0; i < 4; i++)                            \
				lock(&ls[i]);                                  \
			/* release out of LIFO order */                        \
			unlock(&ls[(r + 1) & 3]);                              \
			unlock(&ls[(r + 3) & 3]);                              \
			unlock(&ls[r & 3]);                                    \
			unlock(&ls[(r + 2) & 3]);                              \
		}                                                              \
		for (int i = 0; i < 4; i++) {                                  \
			cr_assert(trylock(&ls[i]));                            \
			unlock(&ls[i]);                                        \
		}                                                              \
	}

/* ---- timed ------------------------------------------------------------- */

#define LKT_TIMED_SLACK_NS 2000000000ull /* a loaded 2-core box is slow */

#define LKT_MUTEX_SUITE_TIMED(suite, type, INIT, init, lock, timedlock,        \
			      unlock)                                          \
	typedef struct {                                                       \
		type *l;                                                       \
		atomic_int phase;                                              \
		uint64_t elapsed[3];                                           \
		int got[3];                                                    \
	} suite##_timed_t;                                                     \
	static void *suite##_timed_fn(void *ctx, int id)                       \
	{                                                                      \
		suite##_timed_t *t = (suite##_timed_t *)ctx;                   \
		static const uint64_t to[3] = {0, 1000000, 50000000};          \
		if (id == 0) {                                                 \
			lock(t->l);                                            \
			atomic_store(&t->phase, 1);                            \
			while (atomic_load(&t->phase) != 2)                    \
				sched_yield();                                 \
			unlock(t->l);                                          \
		} else {                                                       \
			while (atomic_load(&t->phase) != 1)                    \
				sched_yield();                                 \
			for (int k = 0; k < 3; k++) {                          \
				uint64_t t0 = lkt_now_ns();                    \
				t->got[k] = timedlock(t->l, to[k]);            \
				t->elapsed[k] = lkt_now_ns() - t0;             \
				if (t->got[k])                                 \
					unlock(t->l);                          \
			}                                                      \
			atomic_store(&t->phase, 2);                            \
		}                                                              \
		return NULL;                                                   \
	}                                                                      \
	Test(suite, timedlock_expires_while_held)                              \
	{                                                                      \
		static const uint64_t to[3] = {0, 1000000, 50000000};          \
		type l;                                                        \
		init(&l);                                                      \
		suite##_timed_t t;                                             \
		t.l = &l;                                                      \
		atomic_init(&t.phase, 0);                                      \
		lkt_run(2, suite##_timed_fn, &t);                              \
		for (int k = 0; k < 3; k++) {                                  \
			cr_assert_eq(t.got[k], 0,                              \
				     "timedlock(%llu ns) acquired a held lock", \
				     (unsigned long long)to[k]);                \
			cr_assert_geq(t.elapsed[k], to[k],                     \
				      "returned %llu ns before its deadline",   \
				      (unsigned long long)(to[k] -              \
							   t.elapsed[k]));      \
			cr_assert_lt(t.elapsed[k], to[k] + LKT_TIMED_SLACK_NS, \
				     "returned %llu ns after the call",         \
				     (unsigned long long)t.elapsed[k]);         \
		}                                                              \
		/* usable afterwards, by timed and plain calls */              \
		cr_assert(timedlock(&l, 1000000000ull),                        \
			  "timedlock failed on a free lock");                  \
		unlock(&l);                                                    \
		cr_assert(timedlock(&l, 0), "timedlock(0) failed when free");  \
		unlock(&l);                                                    \
		lock(&l);                                                      \
		unlock(&l);                                                    \
	}                                                                      \
	static void *suite##_tcount_fn(void *ctx, int id)                      \
	{                                                                      \
		lkt_count_t *c = (lkt_count_t *)ctx;                           \
		(void)id;                                                      \
		LKT_COUNT_BODY_(type, lock, unlock,                            \
				timedlock(l_, (uint64_t)(i & 7) * 20000));     \
		return NULL;                                                   \
	}                                                                      \
	Test(suite, count_8_threads_timedlock)                                 \
	{                                                                      \
		type l;                                                        \
		init(&l);                                                      \
		lkt_count_t c;                                                 \
		c.latch = &l;                                                   \
		c.counter = 0;                                                 \
		atomic_init(&c.inside, 0);                                     \
		atomic_init(&c.overlap, 0);                                    \
		c.iters = LKT_ITERS;                                           \
		c.mode = 2;                                                    \
		lkt_run(8, suite##_tcount_fn, &c);                             \
		cr_assert_eq(c.counter, 8L * LKT_ITERS);                       \
		cr_assert_eq(atomic_load(&c.overlap), 0);                      \
	}

/* ---- FIFO -------------------------------------------------------------- */

#define LKT_FIFO_N 6

#define LKT_MUTEX_SUITE_FIFO(suite, type, INIT, init, lock, unlock, token)     \
	typedef struct {                                                       \
		type *l;                                                       \
		int order[LKT_FIFO_N];                                         \
		int n;                                                         \
		lkt_watch_t *w;                                                \
	} suite##_fifo_t;                                                      \
	typedef struct {                                                       \
		suite##_fifo_t *f;                                             \
		int id;                                                        \
	} suite##_fifo_arg_t;                                                  \
	static void *suite##_fifo_fn(void *p)                                  \
	{                                                                      \
		suite##_fifo_arg_t *a = (suite##_fifo_arg_t *)p;               \
		lkt_watch_me(a->f->w, a->id);                                  \
		lkt_doing("lock (queued in arrival order)");                   \
		lock(a->f->l);                                                 \
		a->f->order[a->f->n++] = a->id;                                \
		lkt_doing("unlock");                                           \
		unlock(a->f->l);                                               \
		lkt_watch_done();                                              \
		return NULL;                                                   \
	}                                                                      \
	Test(suite, fifo_grant_order_is_arrival_order)                         \
	{                                                                      \
		for (int round = 0; round < 3; round++) {                      \
			type l;                                                \
			init(&l);                                              \
			suite##_fifo_t f;                                      \
			suite##_fifo_arg_t a[LKT_FIFO_N];                      \
			pthread_t th[LKT_FIFO_N];                              \
			f.l = &l;                                              \
			f.n = 0;                                               \
			lock(&l);                                              \
			static lkt_watch_t fw;                                 \
			f.w = &fw;                                             \
			lkt_watch_begin(&fw, LKT_FIFO_N);                      \
			for (int i = 0; i < LKT_FIFO_N; i++) {                 \
				uintptr_t before = (uintptr_t)token(&l);       \
				a[i].f = &f;                                   \
				a[i].id = i;                                   \
				cr_assert_eq(pthread_create(&th[i], NULL,      \
							    suite##_fifo_fn,   \
							    &a[i]),            \
					     0);                               \
				/* wait until thread i has enqueued */         \
				uint64_t t0 = lkt_now_ns();                    \
				while ((uintptr_t)token(&l) == before) {       \
					cr_assert_lt(lkt_now_ns() - t0,        \
						     10000000000ull,           \
						     "thread never enqueued"); \
					sched_yield();                         \
				}                                              \
			}                                                      \
			unlock(&l);                                            \
			for (int i = 0; i < LKT_FIFO_N; i++)                   \
				pthread_join(th[i], NULL);                     \
			lkt_watch_end(&fw);                                    \
			cr_assert_eq(f.n, LKT_FIFO_N);                         \
			for (int i = 0; i < LKT_FIFO_N; i++)                   \
				cr_assert_eq(f.order[i], i,                    \
					     "grant %d went to arrival %d", i, \
					     f.order[i]);                      \
		}                                                              \
	}

#endif
