/* verify/wmm: what the robust.h clients share. The owner's liveness check
 * reads /proc, which GenMC cannot: fopen is mocked. It fails with ENOENT
 * (gone) for the thread id a client has marked dead (lk_mock_dead_, set by
 * robustd.c's dying owner, read relaxed so that it orders nothing the
 * latch must order itself), and with EACCES (unreadable, which robust.h
 * counts as alive: never take a lock on a doubt) for every other. The
 * mock reads the futex word as the whole 64-bit word (LK_MOCK_FUTEX64)
 * and gives each thread its own id (SYS_gettid). */
#ifndef LK_WMM_ROBUST_MOCK_H
#define LK_WMM_ROBUST_MOCK_H
#define LK_MOCK_FUTEX64 1
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include "../client.h"
#define fopen lk_mock_fopen
/* base_sys.h's only call: snprintf(path, n, "/proc/%u/stat", tid); a
 * macro, as GenMC reads no va_list */
#define snprintf(b, n, f, id) lk_mock_snprintf(b, n, id)
#define fread lk_mock_fread
#define fclose lk_mock_fclose
#ifndef EOWNERDEAD /* GenMC's own errno.h lacks them: Linux's values */
#define EOWNERDEAD 130
#define ENOTRECOVERABLE 131
#endif
#undef errno
/* per thread, by the mock's thread id (thread-locals: see mock.h) */
#define LK_MOCK_ME_ ((lk_mock_gettid_() - 100) % (LK_WMM_MAX_THREADS + 1))
#define errno lk_mock_errno_[LK_MOCK_ME_]
#define lk_mock_asked_ lk_mock_asked_a_[LK_MOCK_ME_]
static int lk_mock_errno_[LK_WMM_MAX_THREADS + 1];
static unsigned lk_mock_asked_a_[LK_WMM_MAX_THREADS + 1]; /* snprintf's id */
static atomic_uint lk_mock_dead_;             /* a dead thread's id, or 0 */
FILE *lk_mock_fopen(const char *path, const char *mode)
{
	(void)path;
	(void)mode;
	errno = lk_mock_asked_ &&
				lk_mock_asked_ == atomic_load_explicit(
						  &lk_mock_dead_, memory_order_relaxed)
			? ENOENT
			: EACCES;
	return NULL;
}
int lk_mock_snprintf(char *b, size_t n, unsigned id)
{
	lk_mock_asked_ = id;
	if (n)
		b[0] = '\0';
	return 0;
}
size_t lk_mock_fread(void *p, size_t s, size_t n, FILE *f)
{
	(void)p, (void)s, (void)n, (void)f;
	return 0;
}
int lk_mock_fclose(FILE *f)
{
	(void)f;
	return 0;
}
#define pthread_atfork(p, a, c) ((void)(c)) /* no fork here */
#include "base.h"
/* GenMC v0.10.3 cannot initialise a thread-local struct ("Constant
 * unimplemented"): robust.h's per-thread identity cache becomes a slot per
 * thread, found by the thread's mock id. */
#undef LK_THREAD_LOCAL
#define LK_THREAD_LOCAL
#define lk__robust_me_ (*lk_mock_robust_me_())
#include "robust.h"
static lk__robust_self_t lk_mock_robust_slots_[LK_WMM_MAX_THREADS + 1];
/* the slot is the mock's thread id (mock.h): thread-locals did not stay
 * per thread under GenMC (a thread read another's slot) */
lk__robust_self_t *lk_mock_robust_me_(void)
{
	return &lk_mock_robust_slots_[LK_MOCK_ME_];
}
#endif
