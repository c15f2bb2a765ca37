/*
 * bench/impl_cond.c: condition variables with their mutex, lk_cond +
 * lk_mutex against pthread_cond + pthread_mutex (default attributes), the
 * peer measured in the same run. Two workloads (params.writer_mode):
 *   pingpong  pairs of threads pass a turn back and forth: each, holding
 *             the mutex, waits while it is not its turn, gives the turn
 *             away, signals, and waits again (the wait releases the
 *             mutex); T threads are T/2 independent pairs, each with its
 *             own mutex and cond on its own lines. One op = one turn.
 *   queue     a bounded queue of QCAP items, one producer and T-1
 *             consumers, one mutex and two conds (not_full, not_empty),
 *             signals under the mutex; the producer makes items as fast as
 *             it can, each consumer works noncs iterations per item
 *             outside the mutex. One op = one item consumed.
 * Invariants: the turns of a pair alternate (each pair's shared counter,
 * written under its mutex, equals the turns its threads counted);
 * every item produced is consumed once (count and checksum).
 */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>

#define LKB_QCAP 16

#define LKB_COND(ID, NAME, PEER, MT, CT, MINIT, CINIT, LOCK, UNLOCK, WAIT,   \
		 SIGNAL, BROADCAST, NOTE)                                      \
	typedef struct {                                                       \
		MT m;                                                          \
		CT c;                                                          \
		int turn, done;                                                \
		uint64_t turns;                                                \
	} __attribute__((aligned(128))) ID##_pair_t;                           \
	typedef struct {                                                       \
		MT m;                                                          \
		CT nf, ne;                                                     \
		uint64_t buf[LKB_QCAP];                                        \
		int head, count, done;                                         \
		uint64_t made, sum;                                            \
	} ID##_queue_t;                                                        \
	static void ID##_pp_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)    \
	{                                                                      \
		ID##_pair_t *s = (ID##_pair_t *)tm->data + id / 2;             \
		const int me = id & 1;                                         \
		uint64_t ops = 0;                                              \
		if (id / 2 >= tm->n / 2) {                                     \
			return; /* an odd thread out */                        \
		}                                                              \
		MT *m = &s->m;                                                 \
		CT *c = &s->c;                                                 \
		LOCK;                                                          \
		for (;;) {                                                     \
			while (s->turn != me && !s->done)                      \
				WAIT;                                          \
			if (s->done)                                           \
				break;                                         \
			if (lkb_stopped(tm)) {                                 \
				s->done = 1;                                   \
				BROADCAST;                                     \
				break;                                         \
			}                                                      \
			s->turn = 1 - me;                                      \
			s->turns++;                                            \
			ops++;                                                 \
			SIGNAL;                                                \
		}                                                              \
		UNLOCK;                                                        \
		st->ops = ops;                                                 \
	}                                                                      \
	/* the producer is the last thread; consumers 0..n-2 */                \
	static void ID##_q_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)     \
	{                                                                      \
		ID##_queue_t *q = (ID##_queue_t *)tm->data;                    \
		MT *m = &q->m;                                                 \
		const int nc = tm->p->noncs;                                   \
		uint64_t ops = 0, sum = 0;                                     \
		if (id == tm->n - 1) {                                         \
			uint64_t item = 0;                                     \
			CT *c = &q->nf;                                        \
			while (!lkb_stopped(tm)) {                             \
				LOCK;                                          \
				while (q->count == LKB_QCAP)                   \
					WAIT;                                  \
				q->buf[(q->head + q->count) % LKB_QCAP] =      \
					++item;                                \
				q->count++;                                    \
				q->made++;                                     \
				c = &q->ne;                                    \
				SIGNAL;                                        \
				c = &q->nf;                                    \
				UNLOCK;                                        \
			}                                                      \
			LOCK;                                                  \
			q->done = 1;                                           \
			c = &q->ne;                                            \
			BROADCAST;                                             \
			UNLOCK;                                                \
			return;                                                \
		}                                                              \
		CT *c = &q->ne;                                                \
		for (;;) {                                                     \
			LOCK;                                                  \
			while (q->count == 0 && !q->done)                      \
				WAIT;                                          \
			if (q->count == 0) {                                   \
				UNLOCK;                                        \
				break;                                         \
			}                                                      \
			sum += q->buf[q->head];                                \
			q->head = (q->head + 1) % LKB_QCAP;                    \
			q->count--;                                            \
			c = &q->nf;                                            \
			SIGNAL;                                                \
			c = &q->ne;                                            \
			UNLOCK;                                                \
			ops++;                                                 \
			lkb_work(nc);                                          \
		}                                                              \
		st->ops = ops;                                                 \
		st->aux = sum;                                                 \
	}                                                                      \
	static void ID##_run(const lkb_params_t *p, lkb_result_t *r)           \
	{                                                                      \
		lkb_team_t tm;                                                 \
		memset(&tm, 0, sizeof(tm));                                    \
		tm.p = p;                                                      \
		int T = p->threads < 2 ? 2 : p->threads;                       \
		if (p->writer_mode == 0) {                                     \
			int np = T / 2;                                        \
			ID##_pair_t *ps = (ID##_pair_t *)lkb_alloc(            \
				sizeof(ID##_pair_t) * (size_t)np);             \
			for (int i = 0; i < np; i++) {                         \
				MT *m = &ps[i].m;                              \
				CT *c = &ps[i].c;                              \
				MINIT;                                         \
				CINIT;                                         \
			}                                                      \
			tm.data = ps;                                          \
			tm.fn = ID##_pp_worker;                                \
			lkb_team_run(&tm, T, p->dur_ms);                       \
			lkb_team_result(&tm, 2 * np, r, true);                 \
			for (int i = 0; i < np; i++) {                         \
				uint64_t a = tm.st[2 * i].ops,                 \
					 b = tm.st[2 * i + 1].ops;             \
				if (ps[i].turns != a + b || a < b ||           \
				    a > b + 1) {                               \
					r->broken = 1;                         \
					snprintf(r->msg, sizeof(r->msg),       \
						 "pair %d: turns %llu, "       \
						 "counted %llu + %llu",        \
						 i,                            \
						 (unsigned long long)          \
							 ps[i].turns,          \
						 (unsigned long long)a,        \
						 (unsigned long long)b);       \
				}                                              \
			}                                                      \
			return;                                                \
		}                                                              \
		ID##_queue_t *q = (ID##_queue_t *)lkb_alloc(sizeof(*q));       \
		{                                                              \
			MT *m = &q->m;                                         \
			CT *c = &q->nf;                                        \
			MINIT;                                                 \
			CINIT;                                                 \
			c = &q->ne;                                            \
			CINIT;                                                 \
		}                                                              \
		tm.data = q;                                                   \
		tm.fn = ID##_q_worker;                                         \
		lkb_team_run(&tm, T, p->dur_ms);                               \
		lkb_team_result(&tm, T - 1, r, true);                          \
		uint64_t got = 0, sum = 0;                                     \
		for (int i = 0; i < T - 1; i++) {                              \
			got += tm.st[i].ops;                                   \
			sum += tm.st[i].aux;                                   \
		}                                                              \
		if (got != q->made || sum != q->made * (q->made + 1) / 2) {    \
			r->broken = 1;                                         \
			snprintf(r->msg, sizeof(r->msg),                       \
				 "queue: %llu of %llu items consumed",         \
				 (unsigned long long)got,                      \
				 (unsigned long long)q->made);                 \
		}                                                              \
	}                                                                      \
	static const lkb_impl_t ID##_impl = {"cond", NAME, PEER, NULL,         \
					     sizeof(CT), NULL,  NULL,          \
					     ID##_run,   NOTE,  NULL, NULL};

#if __has_include(<latchkit/cond.h>)
#include <latchkit/cond.h>
LKB_COND(lk_cond, "lk_cond", "pthread_cond", lk_mutex_t, lk_cond_t,
	 lk_mutex_init(m), lk_cond_init(c), lk_mutex_lock(m),
	 lk_mutex_unlock(m), lk_cond_wait(c, m), lk_cond_signal(c),
	 lk_cond_broadcast(c),
	 "lk_cond: lk_cond + lk_mutex; pthread_cond: pthread_cond + "
	 "pthread_mutex, default attributes")
#endif
LKB_COND(pt_cond, "pthread_cond", NULL, pthread_mutex_t, pthread_cond_t,
	 pthread_mutex_init(m, NULL), pthread_cond_init(c, NULL),
	 pthread_mutex_lock(m), pthread_mutex_unlock(m),
	 pthread_cond_wait(c, m), pthread_cond_signal(c),
	 pthread_cond_broadcast(c), NULL)

void lkb_register_cond(void)
{
#if __has_include(<latchkit/cond.h>)
	lkb_register(&lk_cond_impl);
#endif
	lkb_register(&pt_cond_impl);
}
