/*
 * bench/report.c: the run's output. The machine's description and the run
 * header (stdout), the table and its notes (stdout), bench.csv and
 * bench.json (stats.c writes the rows), and the gnuplot data files
 * (tput_*.dat, cdf_*.dat) in the output directory.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef LKB_CFLAGS
#define LKB_CFLAGS "?"
#endif

/* ---- machine, table, data files ------------------------------------------ */

static char cpu_model[128] = "unknown";
static char kernel[400] = "unknown";
static char perf_ok[8] = "no";
static char cores_s[64];
static char threads_s[96];

void lkb_probe_machine(const lkb_opts_t *o)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');
			if (c) {
				c++;
				while (*c == ' ')
					c++;
				c[strcspn(c, "\n")] = 0;
				lkb_strcpy(cpu_model, c, sizeof(cpu_model));
			}
			break;
		}
	}
	if (f)
		fclose(f);
	struct utsname u;
	if (!uname(&u))
		snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname,
			 u.release, u.machine);
	if (system("perf stat -e instructions true >/dev/null 2>&1") == 0)
		lkb_strcpy(perf_ok, "yes", sizeof(perf_ok));
	snprintf(cores_s, sizeof(cores_s), "%d usable (%ld online)", lkb_ncpus(),
		 sysconf(_SC_NPROCESSORS_ONLN));
	int k = 0;
	for (int i = 0; i < o->n_threads; i++)
		k += snprintf(threads_s + k, sizeof(threads_s) - (size_t)k,
			      "%s%d", i ? " " : "", o->threads[i]);
}

static void fmt_num(char *b, size_t n, double v)
{
	if (isnan(v))
		snprintf(b, n, "-");
	else if (isinf(v))
		snprintf(b, n, "inf");
	else if (fabs(v) >= 1e5)
		snprintf(b, n, "%.3g", v);
	else if (fabs(v) >= 100)
		snprintf(b, n, "%.0f", v);
	else if (fabs(v) >= 10)
		snprintf(b, n, "%.1f", v);
	else
		snprintf(b, n, "%.3g", v);
}

static void print_table(FILE *f, const lkb_row_t *rows, int n_rows)
{
	const char *last_fam = "", *last_work = "";
	int last_t = -1;
	for (int i = 0; i < n_rows; i++) {
		const lkb_row_t *r = &rows[i];
		if (strcmp(r->family, last_fam)) {
			fprintf(f, "\n== %s ==\n", r->family);
			last_work = "";
		}
		if (strcmp(r->workload, last_work) || r->threads != last_t) {
			fprintf(f, "-- %s, %d thread%s%s [%s]%s\n", r->workload,
				r->threads, r->threads > 1 ? "s" : "",
				!strcmp(r->family, "seqlock") &&
						!strstr(r->workload,
							"uncontended")
					? " + 1 writer"
					: "",
				r->unit,
				(r->threads > 1 || !strcmp(r->family, "seqlock")) &&
						!strstr(r->workload,
							"uncontended")
					? (r->pinned ? ", pinned" : ", not pinned")
					: "");
			fprintf(f, "   %-20s %9s %9s %9s %-14s %6s %-14s %6s "
				   "%6s %8s %8s %s%s\n",
				"impl", "median", "min", "max", "peer",
				"ratio", "peer2", "ratio2", "fair",
				"p99ns", "aux",
				strcmp(r->family, "lockmgr") ? ""
							     : "rmw/txn  anc/txn ",
				"status");
		}
		last_fam = r->family;
		last_work = r->workload;
		last_t = r->threads;
		char md[16], mn[16], mx[16], q1[16], q2[16], fa[16], p99[16],
			ax[16], rm[40] = "";
		fmt_num(md, sizeof(md), r->median);
		fmt_num(mn, sizeof(mn), r->min);
		fmt_num(mx, sizeof(mx), r->max);
		snprintf(q1, sizeof(q1), isnan(r->ratio) ? "-" : "%.2fx",
			 r->ratio);
		snprintf(q2, sizeof(q2), isnan(r->ratio2) ? "-" : "%.2fx",
			 r->ratio2);
		fmt_num(fa, sizeof(fa), r->fairness);
		fmt_num(p99, sizeof(p99), r->p99);
		fmt_num(ax, sizeof(ax), r->aux);
		if (!strcmp(r->family, "lockmgr")) {
			char a[16], b[16];
			fmt_num(a, sizeof(a), r->rmw);
			fmt_num(b, sizeof(b), r->rmw_anc);
			snprintf(rm, sizeof(rm), "%7s  %7s ", a, b);
		}
		fprintf(f,
			"   %-20s %9s %9s %9s %-14s %6s %-14s %6s %6s %8s "
			"%8s %s%s\n",
			r->impl, md, mn, mx, r->peer[0] ? r->peer : "-", q1,
			r->peer2[0] ? r->peer2 : "-", q2, fa, p99, ax, rm,
			strcmp(r->status, "ok") ? r->status : "");
	}
}

/* The latency CDF of each implementation's cells at one thread count: one
 * gnuplot block per implementation. */
void lkb_write_cdf(const char *out, const char *family, const char *workload,
		   int threads, const lkb_cdf_t *c, int n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/cdf_%s_%s_t%d.dat", out, family,
		 workload, threads);
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	int blocks = 0;
	for (int i = 0; i < n; i++) {
		if (!c[i].h.count)
			continue;
		fprintf(f, "%s%s\n", blocks ? "\n\n" : "", c[i].impl);
		blocks++;
		uint64_t seen = 0;
		for (unsigned b = 0; b < LKB_HIST_BUCKETS; b++) {
			if (!c[i].h.b[b])
				continue;
			seen += c[i].h.b[b];
			fprintf(f, "%llu %.6f\n",
				(unsigned long long)lkb_hist_bucket_top(b),
				(double)seen / (double)c[i].h.count);
		}
	}
	fclose(f);
}


/* One gnuplot data file per threaded workload: threads, then one column per
 * implementation (median), "?" where missing. */
void lkb_write_tput(const char *out, const char *family, const char *workload,
		    const lkb_row_t *rows, int n_rows)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tput_%s_%s.dat", out, family,
		 workload);
	const char *names[LKB_MAX_IMPLS];
	int nn = 0;
	int ts[64], nts = 0;
	for (int i = 0; i < n_rows; i++) {
		const lkb_row_t *r = &rows[i];
		if (strcmp(r->family, family) ||
		    strcmp(r->workload, workload))
			continue;
		bool seen = false;
		for (int k = 0; k < nn; k++)
			seen |= !strcmp(names[k], r->impl);
		if (!seen && nn < LKB_MAX_IMPLS)
			names[nn++] = r->impl;
		seen = false;
		for (int k = 0; k < nts; k++)
			seen |= ts[k] == r->threads;
		if (!seen && nts < 64)
			ts[nts++] = r->threads;
	}
	if (!nn)
		return;
	FILE *f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "threads");
	for (int k = 0; k < nn; k++)
		fprintf(f, " %s", names[k]);
	fprintf(f, "\n");
	for (int t = 0; t < nts; t++) {
		fprintf(f, "%d", ts[t]);
		for (int k = 0; k < nn; k++) {
			double v = NAN;
			for (int i = 0; i < n_rows; i++) {
				const lkb_row_t *r = &rows[i];
				if (!strcmp(r->family, family) &&
				    !strcmp(r->workload, workload) &&
				    !strcmp(r->impl, names[k]) &&
				    r->threads == ts[t])
					v = r->median;
			}
			if (isnan(v))
				fprintf(f, " ?");
			else
				fprintf(f, " %.6g", v);
		}
		fprintf(f, "\n");
	}
	fclose(f);
}

/* ---- the run header's measured costs ---------------------------------------- */

static char relax_s[160], relax_ns_s[32], clock_ns_s[32], wakeup_s[320], fxwake_s[200],
	park0_s[64], parkend_s[256], parkmed_s[32], wk[8][32], line_s[160],
	line_ns_s[32], relax_end_s[32], line_end_s[32], end_s[320];

static void probe_strings(const lkb_probe_t *pr, bool fx)
{
#if defined(__x86_64__) || defined(__i386__)
	const char *insn = "pause";
#elif defined(__aarch64__)
	const char *insn = "yield";
#else
	const char *insn = "compiler barrier";
#endif
	const double v[8] = {pr->busy_p50_us, pr->busy_p90_us,
			     pr->idle_p50_us, pr->idle_p90_us,
			     pr->sys_p50_us,  pr->sys_p90_us,
			     pr->empty_ns,    pr->park_est_ns};
	for (int i = 0; i < 8; i++) {
		if (isnan(v[i]))
			wk[i][0] = 0;
		else
			snprintf(wk[i], sizeof(wk[i]), "%.3g", v[i]);
	}
	if (!isnan(pr->clock_ns))
		snprintf(clock_ns_s, sizeof(clock_ns_s), "%.3g", pr->clock_ns);
	if (isnan(pr->relax_ns)) {
		snprintf(relax_s, sizeof(relax_s), "not measured");
	} else {
		snprintf(relax_ns_s, sizeof(relax_ns_s), "%.3g", pr->relax_ns);
		snprintf(relax_s, sizeof(relax_s),
			 "%.3g ns per lk__cpu_relax() (%s%s), median of 9 "
			 "trials of 20000",
			 pr->relax_ns, insn,
#ifdef LK_RELAX_REPEAT
			 LK_RELAX_REPEAT != 1 ? "; built with LK_RELAX_REPEAT"
					       : ""
#else
			 ""
#endif
		);
	}
	if (fx)
		snprintf(wakeup_s, sizeof(wakeup_s),
			 "futex wake to running, waker spinning after: p50 %.3g "
			 "us, p90 %.3g us (%d samples); waker idle after: p50 "
			 "%.3g us, p90 %.3g us (%d); sleeper on CPU %d, waker "
			 "on CPU %d",
			 pr->busy_p50_us, pr->busy_p90_us, pr->busy_n,
			 pr->idle_p50_us, pr->idle_p90_us, pr->idle_n,
			 lkb_ncpus() > 1 ? lkb_cpus[1] : lkb_cpus[0], lkb_cpus[0]);
	if (fx)
		snprintf(fxwake_s, sizeof(fxwake_s),
			 "FUTEX_WAKE syscall waking one: p50 %.3g us, p90 %.3g "
			 "us; with no waiter: %.3g ns (probes took %.0f ms)",
			 pr->sys_p50_us, pr->sys_p90_us, pr->empty_ns, pr->ms);
	if (!isnan(pr->park_est_ns))
		snprintf(park0_s, sizeof(park0_s),
			 "lk__park_cost_ns() = %.0f ns in a fresh process",
			 pr->park_est_ns);
	if (isnan(pr->line_ns)) {
		snprintf(line_s, sizeof(line_s), "not measured (one CPU)");
	} else {
		snprintf(line_ns_s, sizeof(line_ns_s), "%.3g", pr->line_ns);
		snprintf(line_s, sizeof(line_s),
			 "%.3g ns per cache-line round trip between CPU %d and "
			 "CPU %d, median of 5 trials of 20000",
			 pr->line_ns, lkb_cpus[0],
			 lkb_ncpus() > 1 ? lkb_cpus[1] : lkb_cpus[0]);
	}
}

void lkb_print_header(const lkb_opts_t *o, const lkb_probe_t *pr,
		      bool probe_fx)
{
	probe_strings(pr, probe_fx);

	printf("latchkit bench%s\n", o->smoke ? " (smoke: tiny counts, no "
					      "speed claims)"
					    : o->full ? " (full sweep)" : "");
	printf("cpu:       %s\n", cpu_model);
	printf("cores:     %s\n", cores_s);
	printf("kernel:    %s\n", kernel);
	printf("compiler:  %s\n", __VERSION__);
	printf("flags:     %s\n", LKB_CFLAGS);
	printf("perf stat: %s (perf stat -e instructions true)\n", perf_ok);
	printf("threads:   %s (pinned when threads <= usable cores)\n",
	       threads_s);
	printf("per cell:  median of %d reps interleaved across "
	       "implementations; %g ms fixed-duration runs (lock table %g "
	       "ms); single-thread loops calibrated to ~%g ms (at most %llu "
	       "iterations); cap %g s\n",
	       o->reps, o->dur_ms, o->lm_dur_ms, o->single_ms,
	       (unsigned long long)o->iters, o->cap_s);
	printf("single:    single-thread cells run beside an idle thread "
	       "(blocked on a pipe read), so libc's one-thread shortcuts "
	       "(glibc's pthread_mutex skips its atomics) do not apply\n");
	printf("workload:  critical section = shared counter + %d cache "
	       "lines; %d iterations of private work between operations; "
	       "ratio = median / peer's median (same run)\n",
	       o->cs_lines, o->noncs);
	printf("hold:      holdNus workloads (mutex family, %s threads): the "
	       "section also works N us by CLOCK_MONOTONIC (one read: %.3g "
	       "ns); %g ms cells\n",
	       o->threads_given ? "the given" : "2 and 4n", pr->clock_ns,
	       o->hold_dur_ms);
	if (o->impl_sel || o->work_sel || o->family)
		printf("selected:  family %s; implementations %s; workloads %s\n",
		       o->family ? o->family : "all",
		       o->impl_sel ? o->impl_sel : "all",
		       o->work_sel ? o->work_sel : "all");
	printf("relax:     %s\n", relax_s);
	printf("line:      %s\n", line_s);
	if (probe_fx) {
		printf("wake-up:   %s\n", wakeup_s);
		printf("futex:     %s\n", fxwake_s);
	}
	if (!isnan(pr->park_est_ns))
		printf("park est.: %s\n", park0_s);
	fflush(stdout);
}

/* ---- the table, its notes, CSV and JSON ------------------------------------- */

void lkb_report(const lkb_opts_t *o, const lkb_probe_t *pr,
		const lkb_probe_t *end, const lkb_row_t *rows, int n_rows,
		const double *park_vals, int n_park, uint64_t run_start_ns)
{
	print_table(stdout, rows, n_rows);
	printf("\nnotes:\n");
	for (int i = 0; i < lkb_n_impls; i++) {
		bool used = false;
		for (int k = 0; k < n_rows && !used; k++)
			used = !strcmp(rows[k].impl, lkb_impls[i]->name);
		if (lkb_impls[i]->note && used)
			printf("  %s\n", lkb_impls[i]->note);
	}
	if (!isnan(pr->park_est_ns) || n_park) {
		char b1[32], b2[32], b3[32], b4[32];
		fmt_num(b1, sizeof(b1), pr->park_est_ns);
		fmt_num(b2, sizeof(b2), lkb_median(park_vals, n_park));
		fmt_num(b3, sizeof(b3), lkb_min(park_vals, n_park));
		fmt_num(b4, sizeof(b4), lkb_max(park_vals, n_park));
		snprintf(parkend_s, sizeof(parkend_s),
			 "%s ns in a fresh process; as contended cells left "
			 "it: median %s ns (min %s, max %s; %d cells)",
			 b1, b2, b3, b4, n_park);
		printf("  park estimate (lk__park_cost_ns): %s\n", parkend_s);
		if (n_park)
			snprintf(parkmed_s, sizeof(parkmed_s), "%.6g",
				 lkb_median(park_vals, n_park));
	}
	if (end) {
		fmt_num(relax_end_s, sizeof(relax_end_s), end->relax_ns);
		fmt_num(line_end_s, sizeof(line_end_s), end->line_ns);
		snprintf(end_s, sizeof(end_s),
			 "relax %s ns, line %s ns after the cells, %s and %s "
			 "before them (if they differ much, the machine "
			 "changed during the run)",
			 relax_end_s, line_end_s, relax_ns_s[0] ? relax_ns_s : "-",
			 line_ns_s[0] ? line_ns_s : "-");
		printf("  machine: %s\n", end_s);
	}
	if (o->rmw_note)
		printf("  %s\n", o->rmw_note);
	printf("  ratio: median / the named peer's median in the same run and "
	       "cell (ns: lower is better; Mop/s, txn/s: higher is better)\n"
	       "  fair: max/min operations per thread in a fixed-duration "
	       "cell; p99ns: acquire latency (1 in 8 acquisitions timed)\n");

	char path[512];
	snprintf(path, sizeof(path), "%s/bench.csv", o->out);
	FILE *f = fopen(path, "w");
	if (f) {
		lkb_csv_header(f);
		for (int i = 0; i < n_rows; i++)
			lkb_csv_row(f, &rows[i]);
		fclose(f);
	}
	char reps_s[16], dur_s[32];
	snprintf(reps_s, sizeof(reps_s), "%d", o->reps);
	snprintf(dur_s, sizeof(dur_s), "%g", o->dur_ms);
	const char *meta[] = {"cpu",	   cpu_model,  "cores",	 cores_s,
			      "kernel",	   kernel,     "compiler", __VERSION__,
			      "flags",	   LKB_CFLAGS, "perf_stat", perf_ok,
			      "threads",   threads_s,  "reps",	  reps_s,
			      "dur_ms",	   dur_s,      "mode",
			      o->smoke ? "smoke" : o->full ? "full" : "default",
			      "relax_ns",  relax_ns_s, "relax",	  relax_s,
			      "line_ns",   line_ns_s,  "line",	  line_s,
			      "relax_ns_end", relax_end_s,
			      "line_ns_end", line_end_s,
			      "clock_read_ns", clock_ns_s,
			      "futex_wakeup_busy_p50_us", wk[0],
			      "futex_wakeup_busy_p90_us", wk[1],
			      "futex_wakeup_idle_p50_us", wk[2],
			      "futex_wakeup_idle_p90_us", wk[3],
			      "futex_wake_syscall_p50_us", wk[4],
			      "futex_wake_syscall_p90_us", wk[5],
			      "futex_wake_nowaiter_ns", wk[6],
			      "wakeup",	   wakeup_s,   "futex",	  fxwake_s,
			      "park_estimate_ns", wk[7],
			      "park_estimate_after_cells", parkend_s,
			      "park_estimate_cells_median_ns", parkmed_s};
	snprintf(path, sizeof(path), "%s/bench.json", o->out);
	f = fopen(path, "w");
	if (f) {
		lkb_json_write(f, meta, (int)(sizeof(meta) / sizeof(meta[0]) / 2),
			       rows, n_rows);
		fclose(f);
	}
	int impl_rows = 0, ok_rows = 0;
	for (int i = 0; i < n_rows; i++) {
		impl_rows++;
		ok_rows += !strcmp(rows[i].status, "ok");
	}
	printf("results: %s/bench.csv, %s/bench.json (%d rows, %d ok, %.0f "
	       "s)\n",
	       o->out, o->out, impl_rows, ok_rows,
	       (double)(lkb_ns() - run_start_ns) / 1e9);
}
