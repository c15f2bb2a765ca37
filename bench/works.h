/*
 * bench/works.h: the workloads the harness runs (bench/works.c): family,
 * workload, unit, kind of loop, mix, thread counts, section shape.
 */
#ifndef LATCHKIT_BENCH_WORKS_H
#define LATCHKIT_BENCH_WORKS_H

#include <stdbool.h>

enum { K_PAIRS, K_READ, K_RUN, K_LOCK16, K_MEM };

typedef struct {
	const char *family, *workload, *unit;
	int kind;
	int read_pct, writer_mode;
	double theta;
	int tsel;          /* thread counts: TS_ALL, TS_YCSB, TS_HOLD */
	double scale;      /* value multiplier for the unit */
	bool full_only;    /* only in the long sweep */
	int cs_lines;      /* -1: the run's default */
	int noncs;         /* -1: the run's default */
	double hold_ns;    /* the section lasts this long; 0: no hold */
	int shape;         /* lock table: LKB_SHAPE_* */
	const char *only;  /* the implementations that run it (comma list);
			      NULL: every one of the family with the loop */
} work_t;

/* Thread counts of a threaded workload. TS_ALL: the run's list (1, n, 2n,
 * 4n by default). TS_YCSB: 1, 2 and 8 as issue 4 fixed them, 4n, and
 * 16n (the table with many more txns than cores: lockmgr/CONVOY.md).
 * TS_HOLD: 2 (pinned) and 4n (oversubscribed); with an explicit --threads
 * list, its counts above 1. TS_SCALE: 1, 2 and 4n (issue 13's hot-table:
 * 2 threads against 1, and oversubscribed). TS_YCSB and TS_SCALE take an
 * explicit --threads list as it is. */
enum { TS_ALL, TS_YCSB, TS_HOLD, TS_SCALE };

extern const work_t lkb_works[];
extern const int lkb_nworks;

#endif
