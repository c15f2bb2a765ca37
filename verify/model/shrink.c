/*
 * verify/model/shrink.c: replay and delta debugging. A failing op list is
 * replayed against a fresh table and a fresh model; ddmin (Zeller and
 * Hildebrandt, 2002) removes chunks, then single ops, as long as the replay
 * still mismatches with the same class; the txn labels are then renumbered
 * in the order the txns begin.
 */
#include "model.h"

#include <stdlib.h>
#include <string.h>

long replay(int cfg, unsigned tol, const op_t *ops, long n, mismatch_t *mm)
{
	run_t *r = run_new(cfg, tol, mm);
	long bad = -1;
	for (long i = 0; i < n && bad < 0; i++)
		if (run_step(r, &ops[i], mm) == 1)
			bad = i;
	run_free(r);
	return bad;
}

static mismatch_t scratch;

/* Does ops[0..n) still fail with class cls? Returns the failing index + 1
 * (the list may be cut there) or 0. */
static long still_fails(int cfg, unsigned tol, const op_t *ops, long n,
			const char *cls)
{
	long bad = replay(cfg, tol, ops, n, &scratch);
	return bad >= 0 && !strcmp(scratch.cls, cls) ? bad + 1 : 0;
}

static void relabel(op_t *ops, long n)
{
	static int map[65536];
	memset(map, -1, sizeof map);
	int next = 1, never = 60000; /* a txn never begun stays never begun */
	for (long i = 0; i < n; i++)
		if (ops[i].kind == OP_BEGIN && map[ops[i].txn] < 0)
			map[ops[i].txn] = next++;
	for (long i = 0; i < n; i++) {
		if (map[ops[i].txn] < 0)
			map[ops[i].txn] = never++;
		ops[i].txn = (uint16_t)map[ops[i].txn];
	}
}

long shrink(int cfg, unsigned tol, op_t *ops, long n, const char *cls)
{
	char want[sizeof scratch.cls];
	snprintf(want, sizeof want, "%s", cls);
	op_t *cand = (op_t *)malloc((size_t)(n ? n : 1) * sizeof *cand);
	if (!cand)
		abort();
	long cut = still_fails(cfg, tol, ops, n, want);
	if (!cut) { /* not reproducible from a fresh table: keep it all */
		free(cand);
		return n;
	}
	n = cut;
	long k = 2;
	while (n >= 2) {
		long chunk = (n + k - 1) / k;
		bool reduced = false;
		for (long start = 0; start < n; start += chunk) {
			long len = start + chunk > n ? n - start : chunk, m = 0;
			for (long i = 0; i < n; i++)
				if (i < start || i >= start + len)
					cand[m++] = ops[i];
			long c = still_fails(cfg, tol, cand, m, want);
			if (c) {
				memcpy(ops, cand, (size_t)c * sizeof *ops);
				n = c;
				k = k > 2 ? k - 1 : 2;
				reduced = true;
				break;
			}
		}
		if (!reduced) {
			if (k >= n)
				break;
			k = k * 2 < n ? k * 2 : n;
		}
	}
	/* one at a time, until nothing more goes */
	for (bool again = true; again;) {
		again = false;
		for (long i = n - 1; i >= 0 && n > 1; i--) {
			long m = 0;
			for (long j = 0; j < n; j++)
				if (j != i)
					cand[m++] = ops[j];
			long c = still_fails(cfg, tol, cand, m, want);
			if (c) {
				memcpy(ops, cand, (size_t)c * sizeof *ops);
				n = c;
				again = true;
			}
		}
	}
	/* simpler arguments: no wait, no NOHIER, lk_lock_ex -> lk_lock */
	for (long i = 0; i < n; i++) {
		op_t keep = ops[i];
		static const struct { int field, val; } tries[] = {{0, 0}, {1, 0}, {2, 0}};
		for (size_t t = 0; t < sizeof tries / sizeof tries[0]; t++) {
			op_t o = ops[i];
			if (tries[t].field == 0 && o.tmo != TMO_ZERO)
				o.tmo = TMO_ZERO;
			else if (tries[t].field == 1 && o.flags == LK_F_NOHIER)
				o.flags = 0;
			else if (tries[t].field == 2 && o.kind == OP_LOCK_EX && !o.tokp)
				o.kind = OP_LOCK;
			else
				continue;
			ops[i] = o;
			long c = still_fails(cfg, tol, ops, n, want);
			if (c == n)
				keep = o;
			ops[i] = keep;
		}
	}
	relabel(ops, n);
	free(cand);
	return n;
}
