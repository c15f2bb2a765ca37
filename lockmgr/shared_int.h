/*
 * lockmgr/shared_int.h: a shared table's segment header (SHARED.md):
 * what an attacher checks, where the creator mapped it, the process slots
 * and the recovery mutex. Used by shared.c and recover.c only.
 */
#ifndef LATCHKIT_LOCKMGR_SHARED_INT_H
#define LATCHKIT_LOCKMGR_SHARED_INT_H

#include "lockmgr_int.h"

#define LK__SHM_MAGIC 0x31627468736b6c00ull /* "\0lkshtb1" */
#define LK__SHM_VERSION 5u /* 2: fast-path partition from fp_hash; 3: the
			     pool stop's words, section counters; 4: the
			     fast-path block's lent requests; 5: a head's
			     generation at bit 9 */
#define LK__SHM_PROCS 31 /* five bits of a latch word (SHARED.md) */
#define LK__SHM_PAGE 4096u

struct lk__shm {
	uint64_t magic;
	uint32_t version;
	uint32_t mgr_size, head_size, req_size, txn_slot; /* layout check */
	uint32_t reg_slot;  /* the creator's registry slot: handles carry it */
	uint64_t total;     /* bytes mapped */
	uint64_t addr;      /* where every process maps it */
	uint64_t off_mgr, off_pool;
	LK_ATOMIC(uint32_t) ready; /* 1 once built (release) */
	pthread_mutex_t rec_mu;    /* one recovery at a time (robust) */
	LK_ATOMIC(uint64_t) procs[LK__SHM_PROCS]; /* start << 32 | pid, 0 free */
	LK_ATOMIC(uint64_t) recovered; /* dead processes recovered so far */
	LK_ATOMIC(uint64_t) takeovers; /* latches taken from dead owners */
	/* the last wake's time (lk__lm_wake), read by the woken waiter: the
	 * park-cost estimate's stamp (base_park.h) across processes; its own
	 * line, written on every wake. No new layout version: a process of
	 * an older build leaves it 0, which teaches nothing (a sample without
	 * a stamp is dropped), and ignores it */
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) wake_stamp;
	/* The pool stop (SHARED.md "The pool stop"): 0, or the stopper's
	 * process slot + 1 (a futex word: sections wait on it); pool_due: a
	 * dead process was recovered and its residue not yet given back */
	LK_CACHE_ALIGNED LK_ATOMIC(uint32_t) pool_stop;
	LK_ATOMIC(uint32_t) pool_due;
	LK_ATOMIC(uint64_t) pool_back; /* entries the stops gave back */
	/* per process: its threads in sections that hold no txn slot (a
	 * begin, a slot's push, a latch takeover), one line each */
	LK_CACHE_ALIGNED struct lk__sec pool_in[LK__SHM_PROCS];
};

/* recover.c: this process's identity, and whether one is dead */
LK__HIDDEN uint64_t lk__shm_self_id(void);
LK__HIDDEN bool lk__shm_dead(uint64_t id);
/* shared.c: the header of the shared segment holding p, or NULL */
LK__HIDDEN struct lk__shm *lk__shm_at(const void *p);
/* shared.c: this process's slot + 1 if it has taken one, else 0 */
LK__HIDDEN uint8_t lk__shm_me_cached(const lk_lockmgr_t *m);
/* reclaim.c: the requests dead txns held outside every list, back to
 * the shared stack (recovery, under its mutex); returns how many */
LK__HIDDEN uint32_t lk__reclaim_reqs(lk_lockmgr_t *m,
				     bool (*dead)(lk_lockmgr_t *, uint32_t, uint32_t),
				     uint32_t procs, uint32_t own);
/* repair.c: owner o (process slot + 1) is registered and dead */
LK__HIDDEN bool lk__shm_owner_dead(struct lk__shm *s, uint32_t o);
/* repair.c: head hi, in no place, its token in its bucket's floor:
 * idled, dead and pushed */
LK__HIDDEN void lk__head_free_lost(lk_lockmgr_t *m, uint32_t hi);
/* recover.c: slot t, held by no live process, back on the free stack */
LK__HIDDEN void lk__slot_push(lk_lockmgr_t *m, struct lk__txn *t);
/* shared.c: this process's slot cache for m is stale (detach) */
LK__HIDDEN void lk__shm_forget(lk_lockmgr_t *m);

#endif
