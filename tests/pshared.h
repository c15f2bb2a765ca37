/*
 * tests/pshared.h: fork-based helpers for the process-shared tests: shared
 * anonymous memory mapped before fork, a child that runs a function and
 * exits with its result, and a wait for a flag another process sets.
 */
#ifndef LK_TEST_PSHARED_H
#define LK_TEST_PSHARED_H

#include <criterion/criterion.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* n bytes of zeroed memory that every later fork() shares. */
static inline void *lkp_shared(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert(p != MAP_FAILED);
	return p;
}

/* Forks a child that exits with fn(arg) (0..255). The child dies with
 * the test: a failed assertion ends the test before its joins, and a
 * waiter left parked for ever (no timed form: ticket.h) would outlive
 * it, holding the runner's output pipe open. */
static inline pid_t lkp_spawn(int (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* it died before the prctl */
			_exit(99);
		_exit(fn(arg));
	}
	return pid;
}

/* The child's exit status within ms milliseconds; -2 if it had not exited
 * by then (it is killed: a waiter that was never woken), -1 unless it
 * exited normally. */
static inline int lkp_join_within(pid_t pid, long ms)
{
	int st = 0;
	for (long i = 0; i < ms; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		cr_assert(r >= 0);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		struct timespec ts = {0, 1000000L};
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -2;
}

/* The child's exit status; -1 unless it exited normally. */
static inline int lkp_join(pid_t pid)
{
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline void lkp_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static inline uint64_t lkt_now_ns_(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits (up to ~10 s, polling) until *f >= v; true if it got there. */
static inline bool lkp_await(atomic_int *f, int v)
{
	for (int i = 0; i < 10000; i++) {
		if (atomic_load(f) >= v)
			return true;
		lkp_sleep_ms(1);
	}
	return false;
}

#endif
