/*
 * bench/bench.c: the runner behind `make bench`. It schedules every cell
 * (family, workload, thread count, implementation), runs each in a child
 * process under a time cap, repeats them interleaved (each repetition runs
 * every thread count and implementation once), and hands the rows to
 * report.c, which writes the table (stdout), CSV, JSON and the data files
 * the gnuplot scripts draw. This file: options and main; cell.c: one cell
 * in a child process; sched.c: the schedule; rmw.c: the lock table's
 * rmw/txn column; team.c: the registry, CPUs and teams of threads.
 *
 * A cell runs in its own process so that a lock that collapses when
 * oversubscribed can be stopped (SIGKILL after the cap; reported as "did not
 * finish in N s", a finding), and a crash fails that cell without taking
 * the run down (reported, and the exit status is non-zero).
 *
 * Usage: bench [--smoke|--full] [--threads "1 2 8"] [--reps N] [--dur MS]
 *              [--cap S] [--out DIR] [--family F] [--probe all|relax|none]
 *              [--impl A,B] [--workload W,V] [--quiet]
 *        bench --list | --list-workloads
 *        bench --instr IMPL --kind pairs|read|lock16|scatter16|mem
 *              [--iters N]
 *              (single thread, in process, for callgrind)
 *        bench-count --rmw [--workload W] [--impl A] [--iters TXNS]
 *              (the counting build: lock table RMWs per txn, one thread;
 *              bench runs it itself for its rmw/txn column)
 *        lock table: --strong-every N (hot-table), --count-bin PATH
 */
#include "runner.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

lkb_shared_t lkb_shared;
bool lkb_l16_scatter;

/* ---- options --------------------------------------------------------------- */

static lkb_opts_t O;
#ifndef LKB_MUTEX_ONLY
static const char *count_bin; /* --count-bin; default: beside this binary */
#endif

static void parse_threads(const char *s)
{
	O.n_threads = 0;
	while (*s && O.n_threads < 16) {
		char *e;
		long v = strtol(s, &e, 10);
		if (e == s) {
			s++;
			continue;
		}
		if (v >= 1 && v <= LKB_MAX_THREADS - 1)
			O.threads[O.n_threads++] = (int)v;
		s = e;
	}
}

static void default_threads(void)
{
	int n = lkb_ncpus();
	/* the long sweep adds 2, n/2 and 8n */
	int c[7] = {1, n, 2 * n, 4 * n, 2, n / 2, 8 * n};
	int nc = O.full ? 7 : 4;
	O.n_threads = 0;
	for (int i = 0; i < nc; i++) {
		bool dup = false;
		for (int j = 0; j < O.n_threads; j++)
			dup |= O.threads[j] == c[i];
		if (!dup && c[i] >= 1 && c[i] < LKB_MAX_THREADS)
			O.threads[O.n_threads++] = c[i];
	}
	for (int i = 1; i < O.n_threads; i++) /* ascending, for the plots */
		for (int j = i; j > 0 && O.threads[j - 1] > O.threads[j]; j--) {
			int t = O.threads[j];
			O.threads[j] = O.threads[j - 1];
			O.threads[j - 1] = t;
		}
}

static int instr_main(const char *name, const char *kind, uint64_t iters)
{
	const lkb_impl_t *im = lkb_find_impl(name);
	if (!im) {
		fprintf(stderr, "bench: no implementation %s\n", name);
		return 2;
	}
	lkb_l16_scatter = !strcmp(kind, "scatter16");
	double (*fn)(uint64_t) = !strcmp(kind, "read") ? im->read_pairs
				 : !strcmp(kind, "lock16") || lkb_l16_scatter
					 ? im->lock16
					 : im->pairs;
	if (!fn) {
		fprintf(stderr, "bench: %s has no %s loop\n", name, kind);
		return 2;
	}
	lkb_start_idle_thread(); /* as in a timed single-thread cell */
	fn(iters);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench [--smoke|--full] [--threads \"1 2 8\"] "
		"[--reps N] [--dur MS] [--cap S] [--out DIR] [--family F] "
		"[--probe all|relax|none] [--impl A,B] [--workload W,V] "
		"[--quiet]\n       bench --list | --list-workloads\n"
		"       bench --instr IMPL --kind pairs|read|lock16|scatter16 "
		"[--iters N]\n"
		"       bench-count --rmw [--workload W] [--impl A] "
		"[--iters TXNS]\n"
		"       lock table: [--strong-every N] (hot-table, default "
		"1000) [--count-bin PATH]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	lkb_init_cpus();
	lkb_register_mutex();
#ifndef LKB_MUTEX_ONLY /* the sweep's binaries (bench/sweep.sh) */
	lkb_register_rw();
	lkb_register_seq();
	lkb_register_lockmgr();
	lkb_register_sync();
	lkb_register_cond();
#endif

	O.reps = 5;
	O.dur_ms = 100;
	O.lm_dur_ms = 150;
	O.hold_dur_ms = 60;
	O.cap_s = 10;
	O.iters = 20000000;
	O.single_ms = 50;
	O.cs_lines = 2;
	O.noncs = 200;
	O.out = "bench/results";
	O.probe = "all";
	O.strong_every = 1000;
	default_threads();
	const char *instr = NULL, *kind = "pairs";
	bool rmw = false, iters_given = false;
	const char *thr = getenv("THREADS");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--smoke")) {
			O.smoke = true;
			O.reps = 1;
			O.dur_ms = 15;
			O.lm_dur_ms = 15;
			O.hold_dur_ms = 15;
			O.iters = 20000;
			O.single_ms = 2;
			O.cap_s = 5;
			if (!thr)
				thr = "1 2";
		} else if (!strcmp(a, "--full")) {
			O.full = true;
			O.reps = 11;
			O.dur_ms = 1000;
			O.lm_dur_ms = 1000;
			O.hold_dur_ms = 1000;
			O.iters = 200000000;
			O.single_ms = 500;
			O.cap_s = 30;
		} else if (!strcmp(a, "--quiet")) {
			O.quiet = true;
		} else if (!strcmp(a, "--list")) {
			/* family name peer loops (for bench/instr.sh) */
			for (int k = 0; k < lkb_n_impls; k++) {
				const lkb_impl_t *im = lkb_impls[k];
				printf("%s %s %s %s%s%s\n", im->family,
				       im->name, im->peer ? im->peer : "-",
				       im->pairs ? "pairs," : "",
				       im->read_pairs ? "read," : "",
				       im->lock16 ? "lock16,scatter16," : "");
			}
			return 0;
		} else if (v && !strcmp(a, "--threads")) {
			thr = v;
			i++;
		} else if (v && !strcmp(a, "--reps")) {
			O.reps = atoi(v) > 0 ? atoi(v) : 1;
			i++;
		} else if (v && !strcmp(a, "--dur")) {
			O.dur_ms = O.lm_dur_ms = O.hold_dur_ms = atof(v);
			i++;
		} else if (v && !strcmp(a, "--cap")) {
			O.cap_s = atof(v);
			i++;
		} else if (v && !strcmp(a, "--iters")) {
			O.iters = strtoull(v, NULL, 10);
			iters_given = true;
			i++;
		} else if (v && !strcmp(a, "--strong-every")) {
			O.strong_every = (uint32_t)strtoul(v, NULL, 10);
			i++;
#ifndef LKB_MUTEX_ONLY
		} else if (v && !strcmp(a, "--count-bin")) {
			count_bin = v;
			i++;
		} else if (!strcmp(a, "--rmw")) {
			rmw = true;
#endif
		} else if (v && !strcmp(a, "--out")) {
			O.out = v;
			i++;
		} else if (v && !strcmp(a, "--impl")) {
			O.impl_sel = v;
			i++;
		} else if (v && !strcmp(a, "--workload")) {
			O.work_sel = v;
			i++;
		} else if (!strcmp(a, "--list-workloads")) {
			for (int k = 0; k < lkb_nworks; k++)
				printf("%s %s %s%s\n", lkb_works[k].family,
				       lkb_works[k].workload, lkb_works[k].unit,
				       lkb_works[k].full_only ? " (--full)" : "");
			return 0;
		} else if (v && !strcmp(a, "--probe")) {
			O.probe = v;
			i++;
		} else if (v && !strcmp(a, "--family")) {
			O.family = v;
			i++;
		} else if (v && !strcmp(a, "--instr")) {
			instr = v;
			i++;
		} else if (v && !strcmp(a, "--kind")) {
			kind = v;
			i++;
		} else {
			usage();
		}
	}
	if (instr)
		return instr_main(instr, kind, O.iters);
#ifndef LKB_MUTEX_ONLY
	if (rmw)
		return lkb_rmw_main(&O, iters_given ? O.iters : 10000);
#else
	(void)rmw, (void)iters_given;
#endif
	if (thr && *thr)
		parse_threads(thr);
	O.threads_given = thr && *thr && O.n_threads;
	if (!thr || !*thr || !O.n_threads)
		default_threads(); /* again: --full may add counts */
	mkdir(O.out, 0755);
	lkb_probe_machine(&O);
	lkb_probe_t pr;
	bool probe_fx = !strcmp(O.probe, "all");
	if (strcmp(O.probe, "none"))
		lkb_probe(&pr, lkb_cpus[0], lkb_ncpus() > 1 ? lkb_cpus[1] : lkb_cpus[0],
			  probe_fx);
	else
		lkb_probe_fill_nan(&pr);

	lkb_print_header(&O, &pr, probe_fx);

#ifndef LKB_MUTEX_ONLY
	if (!O.family || !strcmp(O.family, "lockmgr"))
		lkb_lockmgr_prepare();
#endif
	lkb_run_start_ns = lkb_ns();
	for (int wi = 0; wi < lkb_nworks; wi++) {
		const work_t *w = &lkb_works[wi];
		if (O.family && strcmp(O.family, w->family))
			continue;
		if (w->full_only && !O.full && !O.work_sel)
			continue;
		if (!lkb_in_list(O.work_sel, w->workload))
			continue;
		const lkb_impl_t *fam[LKB_MAX_IMPLS];
		int nf = 0;
		for (int i = 0; i < lkb_n_impls; i++)
			if (!strcmp(lkb_impls[i]->family, w->family))
				fam[nf++] = lkb_impls[i];
		lkb_run_work(&O, w, fam, nf);
		if (w->kind == K_RUN)
			lkb_write_tput(O.out, w->family, w->workload, lkb_rows,
				       lkb_n_rows);
	}
	if (!O.quiet)
		fprintf(stderr, "%s", isatty(2) ? "\n" : "");
#ifndef LKB_MUTEX_ONLY
	O.rmw_note = lkb_fill_rmw(&O, count_bin);
#endif

	/* the relax and line probes again: a VM's can change within a run */
	lkb_probe_t end;
	if (strcmp(O.probe, "none"))
		lkb_probe(&end, lkb_cpus[0],
			  lkb_ncpus() > 1 ? lkb_cpus[1] : lkb_cpus[0], false);
	lkb_report(&O, &pr, strcmp(O.probe, "none") ? &end : NULL, lkb_rows,
		   lkb_n_rows, lkb_park_vals, lkb_n_park, lkb_run_start_ns);
	if (lkb_failures) {
		printf("bench: %d cell(s) FAILED (crash, broken invariant%s)\n",
		       lkb_failures, O.smoke ? ", or a hang" : "");
		return 1;
	}
	return 0;
}
