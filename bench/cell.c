/*
 * bench/cell.c: one cell of the run in a child process (bench.c's runner):
 * forks it, runs the implementation's loop or run there, reads its result
 * back through a pipe under the time cap, and kills it at the cap.
 */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * glibc skips the atomic instructions of pthread_mutex (and of other
 * internal locks) while a process has one thread, so a single-thread cell
 * would time pthread_mutex at the cost of two plain stores. A thread that
 * stays blocked on a pipe read for the whole cell makes the process
 * multi-threaded, and every implementation pays its real cost. It takes no
 * CPU; the cell's process exits under it.
 */
static void *idle_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char c;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

void lkb_start_idle_thread(void)
{
	int fd[2];
	pthread_t th;
	if (pipe(fd) || pthread_create(&th, NULL, idle_main,
				       (void *)(intptr_t)fd[0])) {
		fprintf(stderr, "bench: cannot start the idle thread\n");
		exit(2);
	}
	pthread_detach(th); /* fd[1] stays open: the read never returns */
}

/* A pipe, then a child (stdio flushed first, so that nothing is written
 * twice); exits on failure. */
pid_t lkb_fork_piped(int fd[2])
{
	if (pipe(fd)) {
		perror("bench: pipe");
		exit(2);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("bench: fork");
		exit(2);
	}
	return pid;
}

static void run_in_child(const lkb_opts_t *o, const lkb_impl_t *im,
			 const work_t *w, const lkb_params_t *p,
			 lkb_result_t *r)
{
	double (*loop)(uint64_t) = w->kind == K_PAIRS	 ? im->pairs
				   : w->kind == K_READ	 ? im->read_pairs
				   : w->kind == K_LOCK16 ? im->lock16
							 : NULL;
	if (loop)
		lkb_start_idle_thread();
	if (loop && lkb_cpus[0] >= 0) { /* single thread: pin it too */
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(lkb_cpus[0], &set);
		r->pinned = sched_setaffinity(0, sizeof(set), &set) == 0;
	}
	if (loop) {
		/* A short first run warms up and estimates the cost; the
		 * measured run then lasts about o->single_ms (at most
		 * p->iters iterations), so slow implementations do not take
		 * minutes and fast ones are not timed over microseconds. */
		uint64_t n = p->iters;
		uint64_t n0 = w->kind == K_LOCK16 ? 64 : 1000;
		if (n0 > n)
			n0 = n;
		double est = loop(n0) * (w->kind == K_LOCK16 ? 16 : 1);
		if (est > 0) {
			double want = o->single_ms * 1e6 / est;
			if (want < (double)n)
				n = want < (double)n0 ? n0 : (uint64_t)want;
		}
		r->value = loop(n);
		r->value *= w->scale;
		return;
	}
	switch (w->kind) {
	case K_MEM:
		r->value = im->memory();
		break;
	case K_RUN:
		im->run(p, r);
		break;
	}
	r->value *= w->scale;
}

int lkb_run_cell(const lkb_opts_t *o, const lkb_impl_t *im, const work_t *w,
		 const lkb_params_t *p, lkb_result_t *r)
{
	int fd[2];
	memset(r, 0, sizeof(*r));
	r->value = r->fairness = r->aux = NAN;
	pid_t pid = lkb_fork_piped(fd);
	if (pid == 0) {
		close(fd[0]);
		lkb_result_t *res = (lkb_result_t *)lkb_alloc(sizeof(*res));
		res->value = res->fairness = res->aux = NAN;
		run_in_child(o, im, w, p, res);
		res->park_ns = lkb_park_estimate_ns();
		const char *b = (const char *)res;
		size_t left = sizeof(*res);
		while (left) {
			ssize_t k = write(fd[1], b, left);
			if (k <= 0)
				_exit(3);
			b += k;
			left -= (size_t)k;
		}
		_exit(0);
	}
	close(fd[1]);
	uint64_t deadline = lkb_ns() + (uint64_t)(o->cap_s * 1e9);
	char *b = (char *)r;
	size_t got = 0;
	bool timed_out = false;
	while (got < sizeof(*r)) {
		uint64_t now = lkb_ns();
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		struct pollfd pf = {fd[0], POLLIN, 0};
		int ms = (int)((deadline - now) / 1000000u) + 1;
		int k = poll(&pf, 1, ms);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			continue; /* the deadline check above decides */
		ssize_t n = read(fd[0], b + got, sizeof(*r) - got);
		if (n <= 0)
			break; /* child died before it wrote everything */
		got += (size_t)n;
	}
	close(fd[0]);
	int st = 0;
	if (timed_out) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		memset(r, 0, sizeof(*r));
		r->value = NAN;
		snprintf(r->msg, sizeof(r->msg), "did not finish in %g s",
			 o->cap_s);
		return 1;
	}
	waitpid(pid, &st, 0);
	if (got < sizeof(*r) || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		memset(r, 0, sizeof(*r));
		r->value = NAN;
		if (WIFSIGNALED(st))
			snprintf(r->msg, sizeof(r->msg), "crashed: signal %d",
				 WTERMSIG(st));
		else
			snprintf(r->msg, sizeof(r->msg), "crashed: exit %d",
				 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return 2;
	}
	return r->broken ? 2 : 0;
}
