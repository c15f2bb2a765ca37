/*
 * latchkit/base_sys.h: the system calls latchkit makes (clock_gettime,
 * nanosleep, syscall), by names of its own whatever the includer's feature
 * macros, and the LK_FUTEX_MOCK hook that sends them to a model. Internal,
 * one part of base.h (include that): not API.
 *
 * Needs no feature macro: it compiles under strict -std=c11 too (see "POSIX
 * whatever the includer's feature macros" below), and as C++11 or later.
 */
#ifndef LATCHKIT_BASE_SYS_H
#define LATCHKIT_BASE_SYS_H

#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>

#include "base_lang.h"

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#define LK_HAVE_FUTEX 1
#else
#define LK_HAVE_FUTEX 0
#endif

/*
 * POSIX whatever the includer's feature macros. Strict ISO C (-std=c11
 * without _GNU_SOURCE or _POSIX_C_SOURCE) makes glibc hide clock_gettime,
 * CLOCK_MONOTONIC, nanosleep and syscall, and a header cannot define a
 * feature macro itself: the includer may have included a system header
 * first. So base.h calls them by names of its own: the C library's
 * declarations where it gave them, else its own declarations of the same
 * symbols under those names (asm labels: nothing the includer declares
 * later can clash). clockid_t is int on every Linux C library. syscall()
 * has no visibility macro to test and one ABI: always the label.
 */
#ifdef LK_FUTEX_MOCK
/* verify/wmm (GenMC, which runs no system call): the clock, naps
 * (lk__sleep_ns) and syscall(), futex(2) included, go to functions the
 * program defines (verify/wmm/mock.h), and lk__wait() reads the clock at
 * every spin step, so that a waiter parks after two. Nothing changes
 * without the macro. */
#define LK__CLOCK_MONOTONIC 1
int lk_mock_clock_gettime(int, struct timespec *);
void lk_mock_sleep_ns(uint64_t);
long lk_mock_syscall(long, long, long, long, long, long, long);
#define lk__clock_gettime lk_mock_clock_gettime
#define lk__syscall(...) lk__mock_syscall_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)
#define lk__mock_syscall_(n, a, b, c, d, e, f, ...)                            \
	lk_mock_syscall(n, (long)(a), (long)(b), (long)(c), (long)(d),         \
			(long)(e), (long)(f))
#define LK__SPIN_CHECK_MASK 0u
#elif defined(CLOCK_MONOTONIC) || !defined(__linux__)
#define LK__CLOCK_MONOTONIC CLOCK_MONOTONIC
#define lk__clock_gettime clock_gettime
#define lk__nanosleep nanosleep
#else
#define LK__CLOCK_MONOTONIC 1 /* the kernel's ABI value */
#if defined(__USE_TIME_BITS64) /* glibc, 32-bit, 64-bit time_t */
#define LK__TIME_SYM(name, name64) name64
#elif defined(__GLIBC__) || UINTPTR_MAX > 0xffffffffu
#define LK__TIME_SYM(name, name64) name
#else
/* its time64 symbol names are unknown here */
#error "latchkit: strict ISO C on 32-bit non-glibc: define _POSIX_C_SOURCE"
#endif
extern int lk__clock_gettime(int, struct timespec *)
	__asm__(LK__TIME_SYM("clock_gettime", "__clock_gettime64"));
extern int lk__nanosleep(const struct timespec *, struct timespec *)
	__asm__(LK__TIME_SYM("nanosleep", "__nanosleep64"));
#endif
#if LK_HAVE_FUTEX && !defined(LK_FUTEX_MOCK)
extern long lk__syscall(long, ...) __asm__("syscall");
#endif

/* Reads /proc/ID/stat (ID a process or a thread): 0 with *start set (its
 * start time, field 22, clock ticks since boot, low 32 bits), 1 gone or a
 * zombie, 2 unreadable (a caller counts that as alive: never take a lock
 * on a doubt). robust.h and the shared lock table (lockmgr/recover.c) tell
 * a dead owner from a reused ID by it. */
LK__COLD int lk__proc_stat_(uint32_t tid, uint32_t *start)
{
	char path[32], buf[512];
	snprintf(path, sizeof path, "/proc/%u/stat", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT || errno == ESRCH ? 1 : 2;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the name may hold anything */
	if (!p || p[1] != ' ' || !p[2])
		return 2;
	if (p[2] == 'Z' || p[2] == 'X')
		return 1;
	p += 2; /* field 3, the state; the start time is field 22 */
	for (int i = 3; i < 22; i++) {
		p = strchr(p, ' ');
		if (!p)
			return 2;
		p++;
	}
	uint64_t t = 0;
	while (*p >= '0' && *p <= '9')
		t = t * 10u + LK__CAST(uint64_t, *p++ - '0');
	*start = LK__CAST(uint32_t, t);
	return 0;
}

#endif /* LATCHKIT_BASE_SYS_H */
