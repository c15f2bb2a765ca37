/*
 * bench/works.c: the table of workloads (bench/README.md lists them), in
 * the order bench runs them.
 */
#include "bench.h"
#include "works.h"

const work_t lkb_works[] = {
	/* family, workload, unit, kind, read_pct, writer_mode, theta, tsel,
	 * scale, full_only, cs_lines, noncs, hold_ns, shape, only */
	{"mutex", "uncontended", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"mutex", "cs", "Mop/s", K_RUN, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"mutex", "hold1us", "Mop/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 1000, 0, NULL},
	{"mutex", "hold5us", "Mop/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 5000, 0, NULL},
	{"mutex", "hold20us", "Mop/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 20000, 0, NULL},
	{"mutex", "cs0-hot", "Mop/s", K_RUN, 0, 0, 0, TS_ALL, 1, true, 0, 0, 0, 0, NULL},
	{"mutex", "cs8", "Mop/s", K_RUN, 0, 0, 0, TS_ALL, 1, true, 8, 1000, 0, 0, NULL},
	{"rw", "uncontended-read", "ns/op", K_READ, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"rw", "uncontended-write", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"rw", "read95", "Mop/s", K_RUN, 95, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"rw", "read50", "Mop/s", K_RUN, 50, 0, 0, TS_ALL, 1, true, -1, -1, 0, 0, NULL},
	{"rw", "read99", "Mop/s", K_RUN, 99, 0, 0, TS_ALL, 1, true, -1, -1, 0, 0, NULL},
	{"seqlock", "uncontended-read", "ns/op", K_READ, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"seqlock", "busy-writer", "Mread/s", K_RUN, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"seqlock", "paced-writer", "Mread/s", K_RUN, 0, 1, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "uncontended", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "16-locks-release-all", "ns/lock", K_LOCK16, 0, 0, 0,
	 TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "memory", "B/req", K_MEM, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "ycsb-t0", "ktxn/s", K_RUN, 0, 0, 0.0, TS_YCSB, 1e-3, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "ycsb-t0.6", "ktxn/s", K_RUN, 0, 0, 0.6, TS_YCSB, 1e-3, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "ycsb-t0.8", "ktxn/s", K_RUN, 0, 0, 0.8, TS_YCSB, 1e-3, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "ycsb-t0.99", "ktxn/s", K_RUN, 0, 0, 0.99, TS_YCSB, 1e-3, false, -1, -1, 0, 0, NULL},
	{"lockmgr", "hot-table", "ktxn/s", K_RUN, 0, 0, 0, TS_SCALE, 1e-3, false, -1, -1, 0,
	 LKB_SHAPE_HOT, "lk/hier,lk/hier-apart"},
	{"sync", "once-done", "ns/op", K_PAIRS, 0, 0, 0, TS_ALL, 1, false, -1, -1, 0, 0, NULL},
	{"sync", "barrier", "kgen/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, 0, 0, 0, NULL},
	/* condition variables (issue 19): writer_mode 0 ping-pong, 1 queue */
	{"cond", "pingpong", "Mturn/s", K_RUN, 0, 0, 0, TS_HOLD, 1, false, -1, -1, 0, 0, NULL},
	{"cond", "queue", "Mitem/s", K_RUN, 0, 1, 0, TS_HOLD, 1, false, -1, -1, 0, 0, NULL},
};
const int lkb_nworks = (int)(sizeof(lkb_works) / sizeof(lkb_works[0]));
