/*
 * bench/impl_seq.c: sequence locks: read rate and retries per read against
 * one writer, busy (writes back to back) or paced (one write, then ~100 us
 * asleep). Readers copy a 4-word payload the writer keeps all-equal; a
 * validated read that is not all-equal fails the cell. Peer: ck_sequence
 * (its writers serialised by a ck_spinlock_fas).
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>

#include <ck_sequence.h>
#include <ck_spinlock.h>

typedef struct {
	_Atomic uint64_t w[4];
} lkb_payload_t;

#define LKB_SEQ(ID, NAME, PEER, T, INIT, RBEGIN, RRETRY, WLOCK, WUNLOCK,     \
		NOTE)                                                          \
	static double ID##_read_pairs(uint64_t n)                              \
	{                                                                      \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		INIT;                                                          \
		uint64_t v_, fails = 0;                                        \
		uint64_t t0 = lkb_ns();                                        \
		for (uint64_t i = 0; i < n; i++) {                             \
			RBEGIN;                                                \
			fails += (RRETRY);                                     \
		}                                                              \
		uint64_t t1 = lkb_ns();                                        \
		if (fails)                                                     \
			abort(); /* nobody writes: a retry is a bug */         \
		return (double)(t1 - t0) / (double)n;                          \
	}                                                                      \
	static void ID##_worker(lkb_team_t *tm, int id, lkb_tstat_t *st)       \
	{                                                                      \
		T *l = (T *)tm->obj;                                           \
		lkb_payload_t *d = (lkb_payload_t *)tm->data;                  \
		uint64_t v_, ops = 0, retries = 0;                             \
		if (id == tm->n - 1) { /* the writer */                        \
			uint64_t k = 0;                                        \
			while (!lkb_stopped(tm)) {                             \
				WLOCK;                                         \
				k++;                                           \
				for (int i = 0; i < 4; i++)                    \
					atomic_store_explicit(                 \
						&d->w[i], k,                   \
						memory_order_relaxed);         \
				WUNLOCK;                                       \
				ops++;                                         \
				if (tm->p->writer_mode)                        \
					lkb_sleep_until(lkb_ns() + 100000);    \
			}                                                      \
			st->aux2 = ops;                                        \
			return;                                                \
		}                                                              \
		while (!lkb_stopped(tm)) {                                     \
			uint64_t c[4];                                         \
			for (;;) {                                             \
				RBEGIN;                                        \
				for (int i = 0; i < 4; i++)                    \
					c[i] = atomic_load_explicit(           \
						&d->w[i],                      \
						memory_order_relaxed);         \
				if (!(RRETRY))                                 \
					break;                                 \
				retries++;                                     \
			}                                                      \
			if (c[0] != c[1] || c[1] != c[2] || c[2] != c[3])      \
				st->broken = 1;                                \
			ops++;                                                 \
		}                                                              \
		st->ops = ops;                                                 \
		st->aux = retries;                                             \
	}                                                                      \
	static void ID##_run(const lkb_params_t *p, lkb_result_t *r)           \
	{                                                                      \
		lkb_team_t tm;                                                 \
		memset(&tm, 0, sizeof(tm));                                    \
		T *l = (T *)lkb_alloc(sizeof(T));                              \
		INIT;                                                          \
		tm.obj = l;                                                    \
		tm.data = lkb_alloc(sizeof(lkb_payload_t));                    \
		tm.p = p;                                                      \
		tm.fn = ID##_worker;                                           \
		lkb_team_run(&tm, p->threads + 1, p->dur_ms);                  \
		lkb_team_result(&tm, p->threads, r, true);                     \
		uint64_t reads = 0, retries = 0;                               \
		for (int i = 0; i < p->threads; i++) {                         \
			reads += tm.st[i].ops;                                 \
			retries += tm.st[i].aux;                               \
		}                                                              \
		r->aux = reads ? (double)retries / (double)reads : NAN;        \
		if (r->broken)                                                 \
			snprintf(r->msg, sizeof(r->msg),                       \
				 "a validated read saw a torn payload");       \
	}                                                                      \
	static const lkb_impl_t ID##_impl = {"seqlock",	  NAME,	    PEER,     \
					     NULL,	  sizeof(T), NULL,     \
					     ID##_read_pairs, ID##_run, NOTE,     \
					     NULL,	      NULL};

#if __has_include(<latchkit/seqlock.h>)
#include <latchkit/seqlock.h>
LKB_SEQ(lk_seqlock, "lk_seqlock", "ck_sequence", lk_seqlock_t,
	lk_seqlock_init(l), v_ = lk_seqlock_read_begin(l),
	lk_seqlock_read_retry(l, (uint32_t)v_), lk_seqlock_write_lock(l),
	lk_seqlock_write_unlock(l), NULL)
#endif
#if __has_include(<latchkit/optlock.h>)
#include <latchkit/optlock.h>
LKB_SEQ(lk_optlock, "lk_optlock", "ck_sequence", lk_optlock_t,
	lk_optlock_init(l), while (!lk_optlock_read_begin(l, &v_)),
	!lk_optlock_validate(l, v_), lk_optlock_lock(l), lk_optlock_unlock(l),
	"lk_optlock: optimistic version latch, read = read_begin + validate")
#endif

typedef struct {
	ck_sequence_t sq;
	ck_spinlock_fas_t w;
} lkb_cksq_t;
LKB_SEQ(ck_seq, "ck_sequence", NULL, lkb_cksq_t,
	ck_sequence_init(&l->sq);
	ck_spinlock_fas_init(&l->w), v_ = ck_sequence_read_begin(&l->sq),
	ck_sequence_read_retry(&l->sq, (unsigned)v_),
	ck_spinlock_fas_lock(&l->w);
	ck_sequence_write_begin(&l->sq),
	ck_sequence_write_end(&l->sq);
	ck_spinlock_fas_unlock(&l->w),
	"ck_sequence: writers serialised by a ck_spinlock_fas")

void lkb_register_seq(void)
{
#if __has_include(<latchkit/seqlock.h>)
	lkb_register(&lk_seqlock_impl);
#endif
#if __has_include(<latchkit/optlock.h>)
	lkb_register(&lk_optlock_impl);
#endif
	lkb_register(&ck_seq_impl);
}
