/*
 * bench/runner.h: between the runner's files: bench.c (options, main),
 * cell.c (one cell in a child process), sched.c (the schedule) and rmw.c
 * (the lock table's rmw/txn column, from the counting build).
 */
#ifndef LATCHKIT_BENCH_RUNNER_H
#define LATCHKIT_BENCH_RUNNER_H

#include "bench.h"
#include "works.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* cell.c: a thread that stays blocked for the whole process, so that glibc
 * takes its multi-threaded paths (why: cell.c); a pipe, then a child
 * (stdio flushed first; exits on failure); one cell in a child process,
 * capped at o->cap_s: 0 ok; 1 did not finish (r->msg says); 2 crashed or
 * broken. */
void lkb_start_idle_thread(void);
pid_t lkb_fork_piped(int fd[2]);
int lkb_run_cell(const lkb_opts_t *o, const lkb_impl_t *im, const work_t *w,
		 const lkb_params_t *p, lkb_result_t *r);

/* sched.c: the run's rows; the cells that failed (crash, broken invariant,
 * a hang in --smoke); lk__park_cost_ns() as each contended cell's process
 * left it; when the cells began (main sets it). */
extern lkb_row_t *lkb_rows;
extern int lkb_n_rows;
extern int lkb_failures;
extern double *lkb_park_vals;
extern int lkb_n_park;
extern uint64_t lkb_run_start_ns;
/* Is name one of the comma-separated list's items? (NULL list: yes) */
bool lkb_in_list(const char *list, const char *name);
/* Does im have the loop w needs, and is it among w's implementations? */
bool lkb_supports(const lkb_impl_t *im, const work_t *w);
/* Runs one workload over its thread counts; appends rows. */
void lkb_run_work(const lkb_opts_t *o, const work_t *w,
		  const lkb_impl_t **fam, int nf);

/* rmw.c (not in the mutex-only build): bench --rmw in the counting build;
 * and the parent's fill of the rows' rmw/txn columns from it. */
int lkb_rmw_main(const lkb_opts_t *o, uint64_t txns);
const char *lkb_fill_rmw(const lkb_opts_t *o, const char *count_bin);

#endif
