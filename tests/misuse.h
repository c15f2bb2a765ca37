/*
 * tests/misuse.h: expect_misuse(), for the LK_DEBUG tests that check the
 * text of a misuse report (it must name the call and the misuse).
 */
#ifndef LK_TEST_MISUSE_H
#define LK_TEST_MISUSE_H

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* Runs fn in a child; it must die of SIGABRT with `want` on stderr. */
static inline void expect_misuse(void (*fn)(void), const char *want)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		fn();
		_exit(0); /* no abort: the parent reports it */
	}
	close(p[1]);
	char buf[1024];
	size_t got = 0;
	ssize_t k;
	while (got < sizeof buf - 1 &&
	       (k = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
		got += (size_t)k;
	buf[got] = 0;
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
		  "no abort (status %d); stderr: %s", st, buf);
	cr_assert(strstr(buf, want) != NULL, "stderr lacks \"%s\": %s", want,
		  buf);
}

#endif
