/*
 * bench/lockmgr_work.h: between impl_lockmgr.c (the lock table family's
 * implementations and single-thread loops) and lockmgr_work.c (its
 * threaded workloads' driver and the back ends' setup).
 */
#ifndef LATCHKIT_BENCH_LOCKMGR_WORK_H
#define LATCHKIT_BENCH_LOCKMGR_WORK_H

#include "bench.h"

#include <stdbool.h>

#include <db.h>

#define LKB_REQS 16

/* The 16-lock loops cycle over LKB_L16_TXNS txns' rows (a power of two).
 * Each loop first runs that many txns untimed, so every implementation
 * has touched its table's pages and filled its free lists before the
 * clock starts: a page's first write faults, and with a second thread in
 * the process (the bench's idle thread) each such fault also flushes the
 * other CPU's TLB, tens of microseconds on a VM, which the short
 * calibrated loops would count as lock time. */
#define LKB_L16_TXNS 1024

/* The 16-lock loops' key n (0 .. LKB_L16_TXNS * LKB_REQS - 1): on the
 * lock table, row key on page key >> 6 (lkb_l16_scatter: one to a page). */
static inline uint32_t lkb_l16_key(uint32_t n)
{
	return lkb_l16_scatter ? n << 6 : n;
}

/* The back ends the driver runs. */
enum { BE_LK, BE_BDB, BE_COARSE };

/* One cell of a threaded workload (ycsb-tTHETA or hot-table, p->shape) on
 * back end be; policy and hier: the lock table's configuration. */
void lkb_ycsb_run(int be, int policy, bool hier, const lkb_params_t *p,
		  lkb_result_t *r);
/* The same cell on the lock table with each thread on a table of its own:
 * nothing shared, so what the machine gives the workload at that count. */
void lkb_ycsb_run_apart(int policy, bool hier, const lkb_params_t *p,
			lkb_result_t *r);

/* One process of a multi-process cell (bench/mproc.c): worker id runs the
 * workload p, flat (one lock per call), on back end be, with the table m
 * (BE_LK: shared, this process attached) or the environment env (BE_BDB:
 * this process opened it), until *stop; commits in st->ops, aborts in
 * st->aux, the lock-call latency sample in st->hist. */
struct lk_lockmgr;
void lkb_ycsb_proc(int be, const lkb_params_t *p, struct lk_lockmgr *m,
		   DB_ENV *env, int id, const _Atomic int *stop,
		   lkb_tstat_t *st);

/* A private Berkeley DB environment with the lock subsystem, deadlocks
 * found at each conflict; exits on failure. */
DB_ENV *lkb_bdb_open(void);

#if __has_include(<latchkit/lockmgr.h>)
#include <latchkit/lockmgr.h>

/* A lock table, flat or as shipped (lockmgr_work.c says which is which);
 * exits on failure. */
/* a policy or'ed with LKB_LDSF: that policy, grant order LK_GRANT_LDSF */
#define LKB_LDSF 0x100
/* set around a cell of lk/shared: lkb_lm_make makes a shared table */
extern bool lkb_lm_shared_next;
lk_lockmgr_t *lkb_lm_make(int policy, bool hier);
/* Exits with what's message unless rc is LK_OK. */
void lkb_lm_check(int rc, const char *what);
/* The hierarchical cells' other session (lockmgr_work.c says why). */
lk_txn_t *lkb_lm_bystander(lk_lockmgr_t *m);
#endif

#endif
