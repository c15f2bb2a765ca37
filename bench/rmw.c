/*
 * bench/rmw.c: the lock table's rmw/txn column (bench.c's runner): bench
 * --rmw in the counting build, and the parent's run of it as a child
 * process. Not in the sweep's mutex-only binaries.
 */
#include "runner.h"

#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* bench --rmw, in the counting build (build/bench/bench-count): for each
 * selected lock table workload and implementation, the atomic RMWs per txn
 * on shared lines, on one thread (lkb_lockmgr_count); one line each:
 * "rmw WORKLOAD IMPL TXNS RMW_PER_TXN ANC_PER_TXN". */
int lkb_rmw_main(const lkb_opts_t *o, uint64_t txns)
{
	lkb_lockmgr_prepare();
	for (int wi = 0; wi < lkb_nworks; wi++) {
		const work_t *w = &lkb_works[wi];
		if (strcmp(w->family, "lockmgr") || w->kind != K_RUN ||
		    (w->full_only && !o->full && !o->work_sel) ||
		    !lkb_in_list(o->work_sel, w->workload))
			continue;
		for (int i = 0; i < lkb_n_impls; i++) {
			const lkb_impl_t *im = lkb_impls[i];
			if (strcmp(im->family, "lockmgr") ||
			    !lkb_supports(im, w) ||
			    !lkb_in_list(o->impl_sel, im->name))
				continue;
			lkb_params_t p;
			memset(&p, 0, sizeof(p));
			p.threads = 1;
			p.theta = w->theta;
			p.shape = w->shape;
			p.strong_every = o->strong_every;
			double r = NAN, a = NAN;
			int rc = lkb_lockmgr_count(im->name, &p, txns, &r, &a);
			if (rc < 0) {
				fprintf(stderr, "bench --rmw: not a counting "
						"build (build/bench/bench-count)\n");
				return 2;
			}
			if (rc == 0)
				printf("rmw %s %s %llu %.3f %.3f\n", w->workload,
				       im->name, (unsigned long long)txns, r, a);
			fflush(stdout);
		}
	}
	return 0;
}

static char rmw_note[400];

/* Fills the lock table rows' rmw/txn columns from the counting build, run
 * as a child process (bench-count --rmw) over the same selection; returns
 * how they were measured, or why not (NULL: no lock table row). count_bin:
 * --count-bin; NULL: beside this binary. */
const char *lkb_fill_rmw(const lkb_opts_t *o, const char *count_bin)
{
	bool want = false;
	for (int i = 0; i < lkb_n_rows && !want; i++)
		want = !strcmp(lkb_rows[i].family, "lockmgr") &&
		       !strncmp(lkb_rows[i].impl, "lk/", 3) &&
		       !strcmp(lkb_rows[i].unit, "ktxn/s");
	if (!want)
		return NULL;
	char path[4096];
	if (count_bin) {
		snprintf(path, sizeof(path), "%s", count_bin);
	} else {
		ssize_t k = readlink("/proc/self/exe", path, sizeof(path) - 16);
		path[k > 0 ? k : 0] = 0;
		char *sl = strrchr(path, '/');
		snprintf(sl ? sl + 1 : path, 16, "bench-count");
	}
	if (access(path, X_OK)) {
		snprintf(rmw_note, sizeof(rmw_note),
			 "rmw/txn: not measured: no counting build at %.200s "
			 "(make build/bench/bench-count)", path);
		return rmw_note;
	}
	uint64_t txns = o->smoke ? 300 : 10000;
	char n_s[32], se_s[32];
	snprintf(n_s, sizeof(n_s), "%llu", (unsigned long long)txns);
	snprintf(se_s, sizeof(se_s), "%u", o->strong_every);
	const char *av[16];
	int ac = 0;
	av[ac++] = path;
	av[ac++] = "--rmw";
	av[ac++] = "--iters";
	av[ac++] = n_s;
	av[ac++] = "--strong-every";
	av[ac++] = se_s;
	if (o->work_sel) {
		av[ac++] = "--workload";
		av[ac++] = o->work_sel;
	}
	if (o->impl_sel) {
		av[ac++] = "--impl";
		av[ac++] = o->impl_sel;
	}
	if (o->full)
		av[ac++] = "--full";
	av[ac] = NULL;
	int fd[2];
	pid_t pid = lkb_fork_piped(fd);
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 1);
		execv(path, (char *const *)(uintptr_t)av);
		_exit(127);
	}
	close(fd[1]);
	static char out[65536];
	size_t got = 0;
	uint64_t deadline = lkb_ns() + (uint64_t)(o->cap_s * 3e9);
	bool timed_out = false;
	for (;;) {
		uint64_t now = lkb_ns();
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		struct pollfd pf = {fd[0], POLLIN, 0};
		int k = poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1);
		if (k <= 0)
			continue;
		ssize_t n = read(fd[0], out + got, sizeof(out) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = 0;
	close(fd[0]);
	int st = 0;
	if (timed_out)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (timed_out || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		lkb_failures++;
		snprintf(rmw_note, sizeof(rmw_note),
			 "rmw/txn: FAILED: %.200s --rmw %s", path,
			 timed_out ? "did not finish" : "crashed or failed");
		fprintf(stderr, "bench: %s\n", rmw_note);
		return rmw_note;
	}
	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		char wl[48], im[32];
		unsigned long long t;
		double r, a;
		if (sscanf(l, "rmw %47s %31s %llu %lf %lf", wl, im, &t, &r, &a) != 5)
			continue;
		for (int i = 0; i < lkb_n_rows; i++)
			if (!strcmp(lkb_rows[i].family, "lockmgr") &&
			    !strcmp(lkb_rows[i].workload, wl) &&
			    !strcmp(lkb_rows[i].impl, im)) {
				lkb_rows[i].rmw = r;
				lkb_rows[i].rmw_anc = a;
			}
	}
	snprintf(rmw_note, sizeof(rmw_note),
		 "rmw/txn: atomic read-modify-writes per committed txn on "
		 "lines other txns also write (latch words, free stacks, txn "
		 "ids, ...), counted by bench-count (the library built with "
		 "-DLK_COUNT_RMW) on one thread over %llu txns after a "
		 "warm-up; the same on every thread count's row; anc/txn: of "
		 "them, on database and table heads",
		 (unsigned long long)txns);
	return rmw_note;
}
