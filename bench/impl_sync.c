/*
 * bench/impl_sync.c: the "sync" family, issue 19's cells against pthread
 * from the same run:
 *   once-done  the done path: n calls on a once whose fn has run (ns/op);
 *              lk_once against pthread_once
 *   barrier    threads that do nothing but wait on one barrier, generation
 *              after generation, for the cell's duration (thousand
 *              generations per second); lk_barrier against
 *              pthread_barrier, at 2 threads (pinned) and 4n
 * A barrier's threads must all stop in the same generation, so the stop
 * flag is read by each generation's serial thread and acted on one
 * generation later, by everyone alike (two slots, by parity: see
 * SYNC_BARRIER). Every generation checks that no thread got through
 * early: before its wait a thread records its round; after it, it finds
 * every other thread's record at least at that round, else the cell fails.
 */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>

/* ---- once's done path ------------------------------------------------------- */

static void sync_nothing(void)
{
}

#if __has_include(<latchkit/once.h>)
#include <latchkit/once.h>
static double lk_once_pairs(uint64_t n)
{
	lk_once_t *o = (lk_once_t *)lkb_alloc(sizeof(lk_once_t));
	lk_once_init(o);
	lk_once(o, sync_nothing);
	uint64_t t0 = lkb_ns();
	for (uint64_t i = 0; i < n; i++)
		lk_once(o, sync_nothing);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)n;
}
static const lkb_impl_t lk_once_impl = {
	"sync", "lk_once", "pthread_once", NULL, sizeof(lk_once_t),
	lk_once_pairs, NULL, NULL,
	"lk_once, pthread_once: a call on a once that is done (the done path)",
	NULL, NULL};
#endif

static double pt_once_pairs(uint64_t n)
{
	pthread_once_t *o = (pthread_once_t *)lkb_alloc(sizeof(*o));
	*o = (pthread_once_t)PTHREAD_ONCE_INIT;
	pthread_once(o, sync_nothing);
	uint64_t t0 = lkb_ns();
	for (uint64_t i = 0; i < n; i++)
		pthread_once(o, sync_nothing);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)n;
}
static const lkb_impl_t pt_once_impl = {
	"sync", "pthread_once", NULL, NULL, sizeof(pthread_once_t),
	pt_once_pairs, NULL, NULL, NULL, NULL, NULL};

/* ---- barrier ---------------------------------------------------------------- */

typedef struct {
	_Atomic int quit[2] __attribute__((aligned(128)));
	_Atomic uint64_t round[LKB_MAX_THREADS]; /* relaxed; ordered by the
						  * barrier under test */
} sync_ctl_t;

/* T: the barrier's type; INIT(l, n), WAIT(l) (an int, SERIAL when it is
 * the serial thread's). */
#define SYNC_BARRIER(ID, NAME, PEER, T, INIT, WAIT, SERIAL)                    \
	static void ID##_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)       \
	{                                                                      \
		T *l = (T *)tm->obj;                                           \
		sync_ctl_t *c = (sync_ctl_t *)tm->data;                        \
		const int nc = tm->p->noncs, n = tm->n;                        \
		uint64_t i = 0;                                                \
		for (;;) {                                                     \
			lkb_work(nc);                                          \
			atomic_store_explicit(&c->round[id], i + 1,            \
					      memory_order_relaxed);           \
			bool samp = (i & LKB_SAMPLE_MASK) == 0;                \
			uint64_t t0 = samp ? lkb_ns() : 0;                     \
			int s = (WAIT);                                        \
			if (samp)                                              \
				lkb_hist_add(&st->hist, lkb_ns() - t0);        \
			for (int j = 0; j < n; j++)                            \
				if (atomic_load_explicit(                      \
					    &c->round[j],                      \
					    memory_order_relaxed) < i + 1)     \
					st->broken = 1;                        \
			if (s == (SERIAL))                                     \
				atomic_store_explicit(&c->quit[i & 1],         \
						      lkb_stopped(tm),         \
						      memory_order_relaxed);   \
			if (i > 0 && atomic_load_explicit(                     \
					     &c->quit[(i - 1) & 1],            \
					     memory_order_relaxed))            \
				break;                                         \
			i++;                                                   \
		}                                                              \
		st->ops = i;                                                   \
	}                                                                      \
	static void ID##_run(const lkb_params_t *p, lkb_result_t *r)           \
	{                                                                      \
		lkb_team_t tm;                                                 \
		memset(&tm, 0, sizeof(tm));                                    \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		int n_ = p->threads;                                           \
		INIT;                                                          \
		tm.obj = (void *)(uintptr_t)l;                                 \
		tm.data = lkb_alloc(sizeof(sync_ctl_t));                       \
		tm.p = p;                                                      \
		tm.fn = ID##_worker;                                           \
		lkb_team_run(&tm, p->threads, p->dur_ms);                      \
		lkb_team_result(&tm, p->threads, r, false);                    \
		/* every thread counted the same generations */               \
		r->value = (double)tm.st[0].ops / (tm.elapsed_ns / 1e9) / 1e3; \
		if (r->broken)                                                 \
			snprintf(r->msg, sizeof(r->msg),                       \
				 "a thread passed the barrier early");         \
	}                                                                      \
	static const lkb_impl_t ID##_impl = {"sync", NAME, PEER,  NULL,        \
					     sizeof(T), NULL, NULL, ID##_run, \
					     NULL,   NULL, NULL};

#if __has_include(<latchkit/barrier.h>)
#include <latchkit/barrier.h>
SYNC_BARRIER(lk_barrier, "lk_barrier", "pthread_barrier", lk_barrier_t,
	     lk_barrier_init(l, (uint32_t)n_), lk_barrier_wait(l),
	     LK_BARRIER_SERIAL_THREAD)
#endif
SYNC_BARRIER(pt_barrier, "pthread_barrier", NULL, pthread_barrier_t,
	     pthread_barrier_init(l, NULL, (unsigned)n_),
	     pthread_barrier_wait(l), PTHREAD_BARRIER_SERIAL_THREAD)

void lkb_register_sync(void)
{
#if __has_include(<latchkit/once.h>)
	lkb_register(&lk_once_impl);
#endif
	lkb_register(&pt_once_impl);
#if __has_include(<latchkit/barrier.h>)
	lkb_register(&lk_barrier_impl);
#endif
	lkb_register(&pt_barrier_impl);
}
