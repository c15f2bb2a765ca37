/*
 * bench/impl_mutex.c: adapters for mutual-exclusion latches. Ours are
 * compiled in when their header exists; peers: Concurrency Kit's spinlocks
 * (the same algorithm where ck has one), pthread mutex and spinlock, POSIX
 * semaphores, and one bare atomic exchange as the floor.
 */
#include "bench.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>

#include <ck_spinlock.h>

#if __has_include(<latchkit/tas.h>)
#include <latchkit/tas.h>
LKB_MUTEX(lk_tas, "lk_tas", "ck_fas", lk_tas_t, lk_tas_init(l), , lk_tas_lock(l),
	  lk_tas_unlock(l), , NULL)
#endif
#if __has_include(<latchkit/ttas.h>)
#include <latchkit/ttas.h>
LKB_MUTEX(lk_ttas, "lk_ttas", "ck_cas", lk_ttas_t, lk_ttas_init(l), ,
	  lk_ttas_lock(l), lk_ttas_unlock(l), , NULL)
#endif
#if __has_include(<latchkit/ticket.h>)
#include <latchkit/ticket.h>
LKB_MUTEX(lk_ticket, "lk_ticket", "ck_ticket", lk_ticket_t,
	  lk_ticket_init(l), , lk_ticket_lock(l), lk_ticket_unlock(l), , NULL)
#endif
#if __has_include(<latchkit/mcs.h>)
#include <latchkit/mcs.h>
LKB_MUTEX(lk_mcs, "lk_mcs", "ck_mcs", lk_mcs_t, lk_mcs_init(l), ,
	  lk_mcs_lock(l), lk_mcs_unlock(l), , NULL)
LKB_MUTEX(lk_mcs_node, "lk_mcs(node)", "ck_mcs", lk_mcs_t, lk_mcs_init(l),
	  lk_mcs_node_t node_, lk_mcs_lock_node(l, &node_),
	  lk_mcs_unlock_node(l, &node_), , NULL)
#endif
#if __has_include(<latchkit/clh.h>)
#include <latchkit/clh.h>
LKB_MUTEX(lk_clh, "lk_clh", "ck_clh", lk_clh_t, lk_clh_init(l), ,
	  lk_clh_lock(l), lk_clh_unlock(l), , NULL)
#endif
#if __has_include(<latchkit/clh.h>)
/* The explicit-node CLH API: nodes wander to the successor, so a thread
 * keeps its current node, the predecessor's it gained, and one spare. */
typedef struct {
	lk_clh_node_t *me, *pred, *spare;
} lkb_clhctx_t;
static inline void lkb_clhn_init(lkb_clhctx_t *c)
{
	c->me = (lk_clh_node_t *)lkb_alloc(sizeof(lk_clh_node_t));
	c->pred = c->spare = NULL;
}
static inline void lkb_clhn_lock(lk_clh_t *l, lkb_clhctx_t *c)
{
	c->pred = lk_clh_lock_node(l, c->me);
}
static inline void lkb_clhn_unlock(lk_clh_t *l, lkb_clhctx_t *c)
{
	if (lk_clh_unlock_node(l, c->me)) { /* me came back */
		if (c->pred && !c->spare)
			c->spare = c->pred;
		else if (c->pred)
			free(c->pred);
		return;
	}
	if (c->pred) { /* me went to the successor */
		c->me = c->pred;
	} else if (c->spare) {
		c->me = c->spare;
		c->spare = NULL;
	} else {
		c->me = (lk_clh_node_t *)lkb_alloc(sizeof(lk_clh_node_t));
	}
}
LKB_MUTEX(lk_clh_node, "lk_clh(node)", "ck_clh", lk_clh_t, lk_clh_init(l),
	  lkb_clhctx_t c_;
	  lkb_clhn_init(&c_), lkb_clhn_lock(l, &c_), lkb_clhn_unlock(l, &c_), ,
	  "lk_mcs(node), lk_clh(node): the explicit-node APIs (a node on the "
	  "thread's stack for MCS; heap nodes handed along for CLH)")
#endif
#if __has_include(<latchkit/mutex.h>)
#include <latchkit/mutex.h>
LKB_MUTEX(lk_mutex, "lk_mutex", "pthread_mutex", lk_mutex_t,
	  lk_mutex_init(l), , lk_mutex_lock(l), lk_mutex_unlock(l), , NULL)
#endif
#if __has_include(<latchkit/sem.h>)
#include <latchkit/sem.h>
LKB_MUTEX(lk_sem, "lk_sem(1)", "posix_sem(1)", lk_sem_t, lk_sem_init(l, 1), ,
	  lk_sem_wait(l), lk_sem_post(l), ,
	  "lk_sem(1), posix_sem(1): a semaphore of 1 used as a mutex")
#endif

/* ---- peers ---------------------------------------------------------------- */

LKB_MUTEX(ck_fas, "ck_fas", "pthread_mutex", ck_spinlock_fas_t,
	  ck_spinlock_fas_init(l), , ck_spinlock_fas_lock(l),
	  ck_spinlock_fas_unlock(l), ,
	  "ck_fas, ck_cas: ck's exchange and CAS spinlocks (both spin on a "
	  "plain load after a failed attempt); peers of lk_tas and lk_ttas")
LKB_MUTEX(ck_cas, "ck_cas", "pthread_mutex", ck_spinlock_cas_t,
	  ck_spinlock_cas_init(l), , ck_spinlock_cas_lock(l),
	  ck_spinlock_cas_unlock(l), , NULL)
LKB_MUTEX(ck_ticket, "ck_ticket", "pthread_mutex", ck_spinlock_ticket_t,
	  ck_spinlock_ticket_init(l), , ck_spinlock_ticket_lock(l),
	  ck_spinlock_ticket_unlock(l), , NULL)
LKB_MUTEX(ck_mcs, "ck_mcs", "pthread_mutex", ck_spinlock_mcs_t,
	  ck_spinlock_mcs_init(l), ck_spinlock_mcs_context_t node_,
	  ck_spinlock_mcs_lock(l, &node_), ck_spinlock_mcs_unlock(l, &node_), ,
	  NULL)

/* ck's CLH hands the caller its predecessor's node on unlock. */
typedef struct {
	ck_spinlock_clh_t *q;
} lkb_ckclh_t;
LKB_MUTEX(ck_clh, "ck_clh", "pthread_mutex", lkb_ckclh_t,
	  ck_spinlock_clh_init(&l->q, (ck_spinlock_clh_t *)lkb_alloc(
					      sizeof(ck_spinlock_clh_t))),
	  ck_spinlock_clh_t *me_ =
		  (ck_spinlock_clh_t *)lkb_alloc(sizeof(ck_spinlock_clh_t)),
	  ck_spinlock_clh_lock(&l->q, me_), ck_spinlock_clh_unlock(&me_), ,
	  NULL)

LKB_MUTEX(pt_mutex, "pthread_mutex", NULL, pthread_mutex_t,
	  pthread_mutex_init(l, NULL), , pthread_mutex_lock(l),
	  pthread_mutex_unlock(l), , NULL)
LKB_MUTEX(pt_spin, "pthread_spin", "pthread_mutex", pthread_spinlock_t,
	  pthread_spin_init(l, PTHREAD_PROCESS_PRIVATE), , pthread_spin_lock(l),
	  pthread_spin_unlock(l), , NULL)
LKB_MUTEX(px_sem, "posix_sem(1)", "pthread_mutex", sem_t, sem_init(l, 0, 1), ,
	  sem_wait(l), sem_post(l), , NULL)

/* The floor for an uncontended pair: one atomic exchange and nothing else
 * (no release store), single-thread only. */
static double xchg_pairs(uint64_t n)
{
	_Atomic unsigned *w = (_Atomic unsigned *)lkb_alloc(sizeof(*w));
	uint64_t t0 = lkb_ns();
	for (uint64_t i = 0; i < n; i++)
		/* acquire: as a lock's exchange would be */
		atomic_exchange_explicit(w, 1, memory_order_acquire);
	uint64_t t1 = lkb_ns();
	return (double)(t1 - t0) / (double)n;
}
static const lkb_impl_t xchg_impl = {
	"mutex", "one_xchg", NULL, NULL, sizeof(unsigned), xchg_pairs, NULL,
	NULL, "one_xchg: one atomic exchange per iteration, no unlock; the "
	      "floor for an uncontended pair (single thread only)",
	NULL, NULL};

void lkb_register_mutex(void)
{
#if __has_include(<latchkit/tas.h>)
	lkb_register(&lk_tas_impl);
#endif
#if __has_include(<latchkit/ttas.h>)
	lkb_register(&lk_ttas_impl);
#endif
#if __has_include(<latchkit/ticket.h>)
	lkb_register(&lk_ticket_impl);
#endif
#if __has_include(<latchkit/mcs.h>)
	lkb_register(&lk_mcs_impl);
	lkb_register(&lk_mcs_node_impl);
#endif
#if __has_include(<latchkit/clh.h>)
	lkb_register(&lk_clh_impl);
	lkb_register(&lk_clh_node_impl);
#endif
#if __has_include(<latchkit/mutex.h>)
	lkb_register(&lk_mutex_impl);
#endif
#if __has_include(<latchkit/sem.h>)
	lkb_register(&lk_sem_impl);
#endif
	lkb_register(&ck_fas_impl);
	lkb_register(&ck_cas_impl);
	lkb_register(&ck_ticket_impl);
	lkb_register(&ck_mcs_impl);
	lkb_register(&ck_clh_impl);
	lkb_register(&pt_mutex_impl);
	lkb_register(&pt_spin_impl);
	lkb_register(&px_sem_impl);
	lkb_register(&xchg_impl);
}
