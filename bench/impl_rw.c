/*
 * bench/impl_rw.c: adapters for reader-writer latches. Peers: ck_rwlock,
 * ck_pflock (phase-fair, as pfrwlock), ck_brlock (big-reader, as brlock),
 * pthread_rwlock, and liburcu's read side (memb flavour, inlined) as the
 * ideal read path.
 */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>

#include <ck_brlock.h>
#include <ck_pflock.h>
#include <ck_rwlock.h>
#define _LGPL_SOURCE /* inline read side: the ideal read path */
#include <urcu/urcu-memb.h>


#if __has_include(<latchkit/rwlock.h>)
#include <latchkit/rwlock.h>
LKB_RW(lk_rwlock, "lk_rwlock", "ck_pflock", "pthread_rwlock", lk_rwlock_t, lk_rwlock_init(l), ,
       lk_rwlock_rdlock(l), lk_rwlock_rdunlock(l),
       LKB_WRITE(lk_rwlock_wrlock(l), lk_rwlock_wrunlock(l)),
       lk_rwlock_wrlock(l); lk_rwlock_wrunlock(l), , 1, NULL)
#endif
#if __has_include(<latchkit/pfrwlock.h>)
#include <latchkit/pfrwlock.h>
LKB_RW(lk_pfrwlock, "lk_pfrwlock", "ck_pflock", "pthread_rwlock", lk_pfrwlock_t,
       lk_pfrwlock_init(l), , lk_pfrwlock_rdlock(l), lk_pfrwlock_rdunlock(l),
       LKB_WRITE(lk_pfrwlock_wrlock(l), lk_pfrwlock_wrunlock(l)),
       lk_pfrwlock_wrlock(l); lk_pfrwlock_wrunlock(l), , 1, NULL)
#endif
#if __has_include(<latchkit/rprwlock.h>)
#include <latchkit/rprwlock.h>
LKB_RW(lk_rprwlock, "lk_rprwlock", "ck_pflock", "pthread_rwlock", lk_rprwlock_t,
       lk_rprwlock_init(l), , lk_rprwlock_rdlock(l), lk_rprwlock_rdunlock(l),
       LKB_WRITE(lk_rprwlock_wrlock(l), lk_rprwlock_wrunlock(l)),
       lk_rprwlock_wrlock(l); lk_rprwlock_wrunlock(l), , 1, NULL)
#endif
#if __has_include(<latchkit/brlock.h>)
#include <latchkit/brlock.h>
LKB_RW(lk_brlock, "lk_brlock", "urcu_read", "ck_brlock", lk_brlock_t,
       lk_brlock_init(l), , lk_brlock_rdlock(l), lk_brlock_rdunlock(l),
       LKB_WRITE(lk_brlock_wrlock(l), lk_brlock_wrunlock(l)),
       lk_brlock_wrlock(l); lk_brlock_wrunlock(l), , 1, NULL)
#endif
#if __has_include(<latchkit/rwmutex.h>)
#include <latchkit/rwmutex.h>
LKB_RW(lk_rwmutex, "lk_rwmutex", "ck_pflock", "pthread_rwlock", lk_rwmutex_t, lk_rwmutex_init(l),
       , lk_rwmutex_rdlock(l), lk_rwmutex_rdunlock(l),
       LKB_WRITE(lk_rwmutex_wrlock(l), lk_rwmutex_wrunlock(l)),
       lk_rwmutex_wrlock(l); lk_rwmutex_wrunlock(l), , 1, NULL)
#endif
#if __has_include(<latchkit/leftright.h>) && __has_include(<latchkit/mutex.h>)
#include <latchkit/leftright.h>
/* Left-Right keeps two instances (d[0], d[1]); a write applies to both. */
static void lkb_lr_apply(void *inst, void *arg)
{
	lkb_rw_write((lkb_rwdata_t *)inst, (int)(intptr_t)arg);
}
LKB_RW(lk_leftright, "lk_leftright", "urcu_read", "ck_pflock",
       lk_leftright_t, lk_leftright_init(l, &d[0], &d[1]), unsigned tok_ = 0; (void)tok_,
       d = (lkb_rwdata_t *)(uintptr_t)lk_leftright_read_begin(l, &tok_),
       lk_leftright_read_end(l, tok_),
       lk_leftright_write(l, lkb_lr_apply, (void *)(intptr_t)cs),
       lk_leftright_write(l, lkb_lr_apply, (void *)(intptr_t)cs), , 1,
       "lk_leftright: a write applies the change to both instances (twice "
       "the work); its uncontended-write row is a whole write")
#endif

/* ---- peers ---------------------------------------------------------------- */

LKB_RW(ck_rwlock, "ck_rwlock", "pthread_rwlock", NULL, ck_rwlock_t,
       ck_rwlock_init(l), , ck_rwlock_read_lock(l), ck_rwlock_read_unlock(l),
       LKB_WRITE(ck_rwlock_write_lock(l), ck_rwlock_write_unlock(l)),
       ck_rwlock_write_lock(l); ck_rwlock_write_unlock(l), , 1, NULL)
LKB_RW(ck_pflock, "ck_pflock", "pthread_rwlock", NULL, ck_pflock_t,
       ck_pflock_init(l), , ck_pflock_read_lock(l), ck_pflock_read_unlock(l),
       LKB_WRITE(ck_pflock_write_lock(l), ck_pflock_write_unlock(l)),
       ck_pflock_write_lock(l); ck_pflock_write_unlock(l), , 1, NULL)
LKB_RW(ck_brlock, "ck_brlock", "urcu_read", NULL, ck_brlock_t,
       ck_brlock_init(l), struct ck_brlock_reader rd_;
       ck_brlock_read_register(l, &rd_), ck_brlock_read_lock(l, &rd_),
       ck_brlock_read_unlock(&rd_),
       LKB_WRITE(ck_brlock_write_lock(l), ck_brlock_write_unlock(l)),
       ck_brlock_write_lock(l); ck_brlock_write_unlock(l),
       ck_brlock_read_unregister(l, &rd_), 1, NULL)
LKB_RW(pt_rwlock, "pthread_rwlock", NULL, NULL, pthread_rwlock_t,
       pthread_rwlock_init(l, NULL), , pthread_rwlock_rdlock(l),
       pthread_rwlock_unlock(l),
       LKB_WRITE(pthread_rwlock_wrlock(l), pthread_rwlock_unlock(l)),
       pthread_rwlock_wrlock(l); pthread_rwlock_unlock(l), , 1, NULL)

/* liburcu: readers never block a writer, so a reader can see a write half
 * done; torn reads are expected and counted, not a failure (CHECK 0). The
 * writer takes a mutex only: no grace period, so this row is the read
 * side's cost and no more. */
LKB_RW(urcu_read, "urcu_read", NULL, NULL, pthread_mutex_t,
       pthread_mutex_init(l, NULL), urcu_memb_register_thread(),
       urcu_memb_read_lock(), urcu_memb_read_unlock(),
       LKB_WRITE(pthread_mutex_lock(l), pthread_mutex_unlock(l)),
       pthread_mutex_lock(l); pthread_mutex_unlock(l),
       urcu_memb_unregister_thread(), 0,
       "urcu_read: liburcu memb read side (rcu_read_lock/unlock, inlined); "
       "writers take a pthread mutex with no grace period: the ideal read "
       "path, not a full RW lock")

void lkb_register_rw(void)
{
#if __has_include(<latchkit/rwlock.h>)
	lkb_register(&lk_rwlock_impl);
#endif
#if __has_include(<latchkit/pfrwlock.h>)
	lkb_register(&lk_pfrwlock_impl);
#endif
#if __has_include(<latchkit/rprwlock.h>)
	lkb_register(&lk_rprwlock_impl);
#endif
#if __has_include(<latchkit/brlock.h>)
	lkb_register(&lk_brlock_impl);
#endif
#if __has_include(<latchkit/rwmutex.h>)
	lkb_register(&lk_rwmutex_impl);
#endif
#if __has_include(<latchkit/leftright.h>) && __has_include(<latchkit/mutex.h>)
	lkb_register(&lk_leftright_impl);
#endif
	lkb_register(&ck_rwlock_impl);
	lkb_register(&ck_pflock_impl);
	lkb_register(&ck_brlock_impl);
	lkb_register(&pt_rwlock_impl);
	lkb_register(&urcu_read_impl);
}
