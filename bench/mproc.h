/*
 * bench/mproc.h: between mproc.c (the multi-process section's options,
 * schedule and report) and mproc_team.c (its cells: a threaded cell in a
 * child process, and teams of worker processes with their watchdog).
 */
#ifndef LATCHKIT_BENCH_MPROC_H
#define LATCHKIT_BENCH_MPROC_H

#include "lockmgr_work.h"

/* The rows: lk/detect and bdb are P threads of one process (make bench's
 * rows), lk/mproc and bdb/mproc P processes on one shared table or
 * environment. */
enum { R_LK, R_LKMP, R_BDB, R_BDBMP, NR };
extern const char *const lkb_mp_name[NR];
extern const bool lkb_mp_multi[NR];

/* a shared table has 31 process slots; the parent takes one */
#define LKB_MP_MAX 30

/* Berkeley DB's environment home (mproc.c makes it); --smoke: the worker
 * that crashes (SIGSEGV) half-way through its first round, -1: none. */
extern char lkb_mp_home[256];
extern int lkb_mp_crash_worker;
/* Workers write a byte of each page of the table or region before the
 * first round (mproc_team.c says why); --smoke and --no-touch: not. */
extern bool lkb_mp_touch;

/* One threaded cell (R_LK, R_BDB) in a child process, capped at cap_s:
 * 0 ok; 1 failed or did not finish (r->msg says which). */
int lkb_mp_cell(int row, const lkb_params_t *p, double cap_s,
		lkb_result_t *r);

/*
 * A team: p->threads worker processes of row R_LKMP or R_BDBMP under a
 * coordinator process (its own process group), kept for the repetitions
 * of one workload and count. Each round is one cell: the workers start
 * together, run p->dur_ms, report through shared memory; the table is
 * then checked. A round returns 0, or 1 with r->msg (a worker that died
 * or exited badly, a cell past cap_s: the whole group is killed); after
 * a failure the team is gone and the row's table or environment is made
 * anew for the next team. The workers' start counts against the cap of
 * the first round (twice cap_s). lkb_mp_team_end: workers detach, exit.
 */
typedef struct lkb_mp_team lkb_mp_team_t;
lkb_mp_team_t *lkb_mp_team_start(int row, const lkb_params_t *p,
				  double cap_s);
int lkb_mp_round(lkb_mp_team_t *t, double cap_s, lkb_result_t *r);
void lkb_mp_team_end(lkb_mp_team_t *t);
/* Drops the shared table and environment (at exit). */
void lkb_mp_close_all(void);

#endif
