#!/bin/bash
# bench/goals.sh RESULTS/bench.csv: reads the goals of issues 2, 3, 4, 11, 13 and 19
# off one run's CSV and says, per goal, the measured figure (with the peer
# from the same run) and whether it was met. A goal whose rows are missing
# (a primitive not built, a cell that did not finish) says so. A line that
# gives several figures (one per workload or per theta) is met when all
# are. Informational: it never fails the run, because speed is not a test.
csv=${1:-bench/results/bench.csv}
[ -r "$csv" ] || { echo "goals: no $csv"; exit 0; }
# n, the usable CPUs of the run (issue 11's goals are at 2n and 4n
# threads): from bench.json's meta when it is there, else the largest
# thread count of the mutex rows / 4.
json="$(dirname "$csv")/bench.json"
n=$(sed -n 's/.*"cores": "\([0-9]*\) usable.*/\1/p' "$json" 2>/dev/null | head -1)
awk -F, -v ncpu="${n:-0}" '
NR == 1 { next }
$1 == "mutex" && $4 + 0 > maxt { maxt = $4 + 0 }
{ k = $1 "|" $2 "|" $3 "|" $4; v[k] = $8; fair[k] = $15; rmw[k] = $22; anc[k] = $23 }
function get(f, w, i, t) { k = f "|" w "|" i "|" t; return (k in v && v[k] != "") ? v[k] + 0 : -1 }
function show(goal, fig, ok) { printf "  %-62s %-34s %s\n", goal, fig, ok }
function ratio(goal, f, w, a, b, t, op, lim,   x, y, q) {
	x = get(f, w, a, t); y = get(f, w, b, t)
	if (x < 0 || y < 0) { show(goal, a " or " b " missing", "n/a"); return }
	q = x / y
	show(goal, sprintf("%s/%s = %.2fx", a, b, q),
	     (op == "<=" ? q <= lim : q >= lim) ? "met" : "MISSED")
}
# several figures, one per workload (or theta): met when all are met
function multi(goal, f, ws, a, b, ta, tb, lim, info,   nw, W, i, x, y, q, fig, miss, bad) {
	nw = split(ws, W, " "); fig = ""; miss = 0; bad = 0
	for (i = 1; i <= nw; i++) {
		x = get(f, W[i], a, ta); y = (b == "") ? -1 : get(f, W[i], b, tb)
		if (x < 0 || y <= 0) { fig = fig (i > 1 ? " " : "") "-"; miss++; continue }
		q = x / y; fig = fig sprintf("%s%.2fx", i > 1 ? " " : "", q)
		if (q < lim) bad++
	}
	show(goal, fig, (bad ? "MISSED" : miss ? "n/a (" miss " missing)" : "met") (info ? " (info)" : ""))
}
# a self-ratio per workload: a at ta against a at tb
function self(goal, f, ws, a, ta, tb, lim, info,   nw, W, i, x, y, q, fig, miss, bad) {
	nw = split(ws, W, " "); fig = ""; miss = 0; bad = 0
	for (i = 1; i <= nw; i++) {
		x = get(f, W[i], a, ta); y = get(f, W[i], a, tb)
		if (x < 0 || y <= 0) { fig = fig (i > 1 ? " " : "") "-"; miss++; continue }
		q = x / y; fig = fig sprintf("%s%.2fx", i > 1 ? " " : "", q)
		if (q < lim) bad++
	}
	show(goal, fig, info ? (miss == nw ? "n/a" : "info") : bad ? "MISSED" : miss ? "n/a (" miss " missing)" : "met")
}
# lock table RMWs on shared lines per txn (counting build, one thread;
# the same figure on every row of a workload): one figure per workload
function rmwline(goal, ws, a, col, lim, info,   nw, W, i, k, x, fig, miss, bad) {
	nw = split(ws, W, " "); fig = ""; miss = 0; bad = 0
	for (i = 1; i <= nw; i++) {
		k = "lockmgr|" W[i] "|" a "|1"
		x = (col == "anc") ? anc[k] : rmw[k]
		if (!(k in v) || x == "") { fig = fig (i > 1 ? " " : "") "-"; miss++; continue }
		fig = fig sprintf("%s%.3g", i > 1 ? " " : "", x + 0)
		if (x + 0 > lim) bad++
	}
	show(goal, fig, (info ? (miss == nw ? "n/a" : "info") : bad ? "MISSED" : miss ? "n/a (" miss " missing)" : "met"))
}
function absval(goal, f, w, a, t, unit, op, lim,   x) {
	x = get(f, w, a, t)
	if (x < 0) { show(goal, a " missing", "n/a"); return }
	show(goal, sprintf("%s = %.3g %s", a, x, unit),
	     (op == "<=" ? x <= lim : x >= lim) ? "met" : "MISSED")
}
END {
	print "goals (issues 2-4, 11, 13 and 19), read off this run; speed is not a test:"
	print " issue 2 (mutexes)"
	n = split("lk_tas:ck_fas lk_ttas:ck_cas lk_ticket:ck_ticket lk_mcs:ck_mcs lk_mcs(node):ck_mcs lk_clh:ck_clh lk_clh(node):ck_clh", P, " ")
	for (i = 1; i <= n; i++) { split(P[i], ab, ":")
		ratio("uncontended pair <= 1.05x ck (" ab[1] ")", "mutex", "uncontended", ab[1], ab[2], 1, "<=", 1.05) }
	ratio("lk_ttas pair <= 1.4x one atomic exchange", "mutex", "uncontended", "lk_ttas", "one_xchg", 1, "<=", 1.4)
	ratio("lk_mutex pair <= 1.4x one atomic exchange", "mutex", "uncontended", "lk_mutex", "one_xchg", 1, "<=", 1.4)
	ratio("lk_mutex >= 1.0x pthread_mutex at 2 threads", "mutex", "cs", "lk_mutex", "pthread_mutex", 2, ">=", 1.0)
	ratio("lk_mutex >= 1.5x pthread_mutex at 8 threads", "mutex", "cs", "lk_mutex", "pthread_mutex", 8, ">=", 1.5)
	for (t = 2; t <= 8; t *= 4) { k = "mutex|cs|lk_mutex|" t
		g = "lk_mutex max/min per-thread ops <= 2 at " t " threads"
		if (!(k in fair) || fair[k] == "") { show(g, "missing", "n/a"); continue }
		show(g, sprintf("%.2f", fair[k]), (fair[k] != "inf" && fair[k] + 0 <= 2) ? "met" : "MISSED") }
	n = split("lk_ticket lk_mcs lk_clh", Q, " ")
	for (i = 1; i <= n; i++)
		ratio(Q[i] " at 8 threads >= 0.5x pthread_mutex", "mutex", "cs", Q[i], "pthread_mutex", 8, ">=", 0.5)
	print " issue 3 (RW, seqlock)"
	n = split("lk_rwlock:ck_rwlock lk_pfrwlock:ck_pflock lk_rprwlock:ck_rwlock lk_brlock:ck_brlock lk_rwmutex:ck_rwlock", P, " ")
	for (i = 1; i <= n; i++) { split(P[i], ab, ":")
		ratio("uncontended read pair <= 1.05x ck (" ab[1] ")", "rw", "uncontended-read", ab[1], ab[2], 1, "<=", 1.05) }
	ratio("lk_seqlock read <= 1.1x ck_sequence", "seqlock", "uncontended-read", "lk_seqlock", "ck_sequence", 1, "<=", 1.1)
	best = ""; bv = -1
	n = split("lk_rwlock lk_pfrwlock lk_rprwlock lk_brlock lk_rwmutex lk_leftright", R, " ")
	for (i = 1; i <= n; i++) { x = get("rw", "read95", R[i], 2); if (x > bv) { bv = x; best = R[i] } }
	if (best != "") {
		ratio("best latch at 95% reads, 2 threads >= 1.2x ck_pflock", "rw", "read95", best, "ck_pflock", 2, ">=", 1.2)
		ratio("best latch at 95% reads, 2 threads >= 2.5x pthread_rwlock", "rw", "read95", best, "pthread_rwlock", 2, ">=", 2.5)
	}
	ratio("lk_brlock read pair <= 2x urcu read side", "rw", "uncontended-read", "lk_brlock", "urcu_read", 1, "<=", 2)
	ratio("lk_brlock 95% reads, 2 threads >= 0.5x urcu_read", "rw", "read95", "lk_brlock", "urcu_read", 2, ">=", 0.5)
	for (i = 1; i <= n; i++) { x = get("rw", "read95", R[i], 8); y = get("rw", "read95", R[i], 2)
		if (x < 0 || y < 0) { show(R[i] " 8 threads >= 0.5x its 2 threads", "missing", "n/a"); continue }
		show(R[i] " 8 threads >= 0.5x its 2 threads", sprintf("%.2fx", x / y), x / y >= 0.5 ? "met" : "MISSED") }
	print " issue 4 (lock table)"
	absval("uncontended lock+unlock <= 40 ns", "lockmgr", "uncontended", "lk/detect", 1, "ns", "<=", 40)
	ratio("uncontended >= 7x faster than Berkeley DB (ratio <= 0.14x)", "lockmgr", "uncontended", "lk/detect", "bdb", 1, "<=", 1 / 7)
	absval("16 locks + release-all <= 25 ns/lock", "lockmgr", "16-locks-release-all", "lk/detect", 1, "ns/lock", "<=", 25)
	absval("<= 32 bytes per granted request", "lockmgr", "memory", "lk/detect", 1, "B", "<=", 32)
	n = split("no_wait wait_die wound_wait detect", Pol, " ")
	for (i = 1; i <= n; i++) { x = get("lockmgr", "ycsb-t0.8", "lk/" Pol[i], 8); y = get("lockmgr", "ycsb-t0.8", "lk/" Pol[i], 2)
		if (x < 0 || y < 0) { show("YCSB t0.8 8 thr >= 0.5x 2 thr (" Pol[i] ")", "missing", "n/a"); continue }
		show("YCSB t0.8 8 thr >= 0.5x 2 thr (" Pol[i] ")", sprintf("%.2fx", x / y), x / y >= 0.5 ? "met" : "MISSED") }
	n = ncpu > 0 ? ncpu : (maxt >= 4 ? int(maxt / 4) : 2)
	t2 = 2 * n; t4 = 4 * n
	printf " issue 11 (waiting on any machine; n = %d, 2n = %d, 4n = %d threads)\n", n, t2, t4
	nq = split("lk_ticket lk_mcs lk_clh", Q, " ")
	for (i = 1; i <= nq; i++)
		ratio(Q[i] " at 2 threads >= 0.9x ck_" substr(Q[i], 4), "mutex", "cs", Q[i], "ck_" substr(Q[i], 4), 2, ">=", 0.9)
	for (i = 1; i <= nq; i++) {
		ratio(Q[i] " at 2n=" t2 " threads >= 0.5x pthread_mutex", "mutex", "cs", Q[i], "pthread_mutex", t2, ">=", 0.5)
		ratio(Q[i] " at 4n=" t4 " threads >= 0.5x pthread_mutex", "mutex", "cs", Q[i], "pthread_mutex", t4, ">=", 0.5)
	}
	ratio("lk_mutex at 2 threads >= 1.0x pthread_mutex", "mutex", "cs", "lk_mutex", "pthread_mutex", 2, ">=", 1.0)
	ratio("lk_mutex at 4n=" t4 " threads >= 1.2x pthread_mutex", "mutex", "cs", "lk_mutex", "pthread_mutex", t4, ">=", 1.2)
	nr = split("lk_rwlock lk_pfrwlock lk_rprwlock lk_brlock lk_rwmutex lk_leftright", R, " ")
	for (i = 1; i <= nr; i++)
		self(R[i] " read95 at 4n=" t4 " >= 0.5x its 2 threads", "rw", "read95", R[i], t4, 2, 0.5)
	th = "ycsb-t0 ycsb-t0.6 ycsb-t0.8 ycsb-t0.99"
	print "  lock table, YCSB theta 0 0.6 0.8 0.99:"
	n = split("no_wait wait_die wound_wait detect", Pol, " ")
	for (i = 1; i <= n; i++) {
		self("lk/" Pol[i] " at 4n=" t4 " >= 0.5x its 2 threads", "lockmgr", th, "lk/" Pol[i], t4, 2, 0.5)
		multi("lk/" Pol[i] " at 4n=" t4 " >= 1.0x coarse", "lockmgr", th, "lk/" Pol[i], "coarse", t4, t4, 1.0, 0)
	}
	t16 = 4 * t4; if (t16 > 255) t16 = 255
	print "  the same at 16n=" t16 " threads (informational: far past the cores, where admission decides):"
	for (i = 1; i <= n; i++) {
		multi("lk/" Pol[i] " at 16n=" t16 " >= 0.5x its 2 threads", "lockmgr", th, "lk/" Pol[i], "lk/" Pol[i], t16, 2, 0.5, 1)
		multi("lk/" Pol[i] " at 16n=" t16 " >= 1.0x coarse", "lockmgr", th, "lk/" Pol[i], "coarse", t16, t16, 1.0, 1)
	}
	print "  the same goals on the hold workloads (informational), hold1us hold5us hold20us:"
	hw = "hold1us hold5us hold20us"
	for (i = 1; i <= nq; i++) {
		multi(Q[i] " at 2 threads >= 0.9x ck_" substr(Q[i], 4), "mutex", hw, Q[i], "ck_" substr(Q[i], 4), 2, 2, 0.9, 1)
		multi(Q[i] " at 4n=" t4 " >= 0.5x pthread_mutex", "mutex", hw, Q[i], "pthread_mutex", t4, t4, 0.5, 1)
	}
	multi("lk_mutex at 2 threads >= 1.0x pthread_mutex", "mutex", hw, "lk_mutex", "pthread_mutex", 2, 2, 1.0, 1)
	multi("lk_mutex at 4n=" t4 " >= 1.2x pthread_mutex", "mutex", hw, "lk_mutex", "pthread_mutex", t4, t4, 1.2, 1)
	print " issue 13 (workloads that match use; lk/hier: hierarchy on, lk/detect: flat)"
	self("hot-table: 2 threads >= 1.8x 1 thread (lk/hier)", "lockmgr", "hot-table", "lk/hier", 2, 1, 1.8)
	self("hot-table: 4n=" t4 " threads >= 1.8x 1 thread (lk/hier)", "lockmgr", "hot-table", "lk/hier", t4, 1, 1.8)
	# what the machine gives: each thread on a table of its own
	self("  each thread its own table (lk/hier-apart): 2 against 1", "lockmgr", "hot-table", "lk/hier-apart", 2, 1, 1.8, 1)
	self("  each thread its own table (lk/hier-apart): 4n=" t4 " against 1", "lockmgr", "hot-table", "lk/hier-apart", t4, 1, 1.8, 1)
	print "  YCSB theta 0 0.6 0.8 0.99 against coarse (bdb and coarse flat):"
	n = split("lk/hier lk/detect", L, " ")
	for (i = 1; i <= n; i++) {
		multi(L[i] " at 1 thread >= 1.0x coarse", "lockmgr", th, L[i], "coarse", 1, 1, 1.0, 0)
		multi(L[i] " at 2 threads >= 2x coarse", "lockmgr", th, L[i], "coarse", 2, 2, 2.0, 0)
		multi(L[i] " at 4n=" t4 " threads >= 2x coarse", "lockmgr", th, L[i], "coarse", t4, t4, 2.0, 0)
	}
	ratio("uncontended pair <= coarse (lk/detect)", "lockmgr", "uncontended", "lk/detect", "coarse", 1, "<=", 1.0)
	ratio("uncontended pair <= 0.2x Berkeley DB (lk/detect)", "lockmgr", "uncontended", "lk/detect", "bdb", 1, "<=", 0.2)
	absval("16 locks + release-all <= 25 ns/lock (lk/detect)", "lockmgr", "16-locks-release-all", "lk/detect", 1, "ns/lock", "<=", 25)
	absval("16 locks + release-all <= 25 ns/lock (lk/hier)", "lockmgr", "16-locks-release-all", "lk/hier", 1, "ns/lock", "<=", 25)
	print "  atomic RMWs per txn on lines other txns write (counting build, one thread):"
	rmwline("on db/table heads, IS/IX only: 0 (lk/hier, YCSB by theta)", th, "lk/hier", "anc", 0, 0)
	rmwline("on db/table heads, hot-table (1 txn in N takes S)", "hot-table", "lk/hier", "anc", 0, 1)
	rmwline("all, lk/hier: YCSB by theta, then hot-table", th " hot-table", "lk/hier", "all", 0, 1)
	rmwline("all, lk/detect (flat): YCSB by theta", th, "lk/detect", "all", 0, 1)
	print " issue 19 (once, barrier)"
	ratio("lk_once done path <= 1.05x pthread_once", "sync", "once-done", "lk_once", "pthread_once", 1, "<=", 1.05)
	ratio("lk_barrier at 2 threads >= 1.0x pthread_barrier", "sync", "barrier", "lk_barrier", "pthread_barrier", 2, ">=", 1.0)
	ratio("lk_barrier at 4n=" t4 " threads >= 1.0x pthread_barrier", "sync", "barrier", "lk_barrier", "pthread_barrier", t4, ">=", 1.0)
	print " issue 19 (condition variable: lk_cond + lk_mutex against pthread_cond + pthread_mutex)"
	ratio("ping-pong at 2 threads >= 1.0x pthread_cond", "cond", "pingpong", "lk_cond", "pthread_cond", 2, ">=", 1.0)
	ratio("ping-pong at 4n=" t4 " threads >= 1.0x pthread_cond", "cond", "pingpong", "lk_cond", "pthread_cond", t4, ">=", 1.0)
	ratio("bounded queue at 2 threads >= 1.0x pthread_cond", "cond", "queue", "lk_cond", "pthread_cond", 2, ">=", 1.0)
	ratio("bounded queue at 4n=" t4 " threads >= 1.0x pthread_cond", "cond", "queue", "lk_cond", "pthread_cond", t4, ">=", 1.0)
}' "$csv"
# Single-thread costs repeat exactly as instruction counts: when
# `make bench-instr` has run into the same folder, show its ratios too.
icsv="$(dirname "$csv")/instr.csv"
if [ -r "$icsv" ]; then
	echo " instructions per uncontended operation (callgrind, $icsv):"
	awk -F, 'NR > 1 && $2 ~ /^lk/ && $6 != "" {
		printf "  %-8s %-16s %-9s %8s instr  %s/%s = %sx\n", $1, $2, $3, $4, $2, $5, $6 }' "$icsv"
	# issue 13: begin + 16 row locks + commit with the hierarchy on, per
	# lock, against the flat table
	# (the goal's loop, rows 64 to a page); the same with one row to a page
	# (scatter16, the YCSB shape: a page lock per row) is shown, not judged
	awk -F, 'NR > 1 && $1 == "lockmgr" && ($3 == "lock16" || $3 == "scatter16") { ir[$3 "/" $2] = $4 }
	END {
		g = "issue 13: hier. begin+16 rows+commit <= 1.2x flat instr/lock"
		if (!("lock16/lk/hier" in ir) || !("lock16/lk/detect" in ir) || ir["lock16/lk/detect"] <= 0) {
			printf "  %-62s %-34s %s\n", g, "lk/hier or lk/detect missing", "n/a"; exit }
		q = ir["lock16/lk/hier"] / ir["lock16/lk/detect"]
		printf "  %-62s %-34s %s\n", g, sprintf("lk/hier/lk/detect = %.2fx", q), q <= 1.2 ? "met" : "MISSED"
		if (("scatter16/lk/hier" in ir) && ir["scatter16/lk/detect"] > 0)
			printf "  %-62s %-34s %s\n", "  the same, one row to a page (the YCSB shape; not a goal)",
				sprintf("lk/hier/lk/detect = %.2fx", ir["scatter16/lk/hier"] / ir["scatter16/lk/detect"]), "shown"
	}' "$icsv"
fi
