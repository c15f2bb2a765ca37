/* verify/wmm: robust.h, mutual exclusion of 2 live threads (thread 0 tries
 * a timedlock first, thread 1 a trylock), through the futex path. The
 * owner's liveness check reads /proc, which GenMC cannot: fopen fails
 * here with EACCES, which robust.h counts as alive (never take a lock on a
 * doubt), so the dead-owner takeover (EOWNERDEAD) is not run. The mock
 * reads the futex word as the whole 64-bit word (LK_MOCK_FUTEX64) and
 * gives each thread its own id (SYS_gettid). */
#define LK_MOCK_FUTEX64 1
#define fopen lk_mock_fopen
#define snprintf lk_mock_snprintf
#define fread lk_mock_fread
#define fclose lk_mock_fclose
#include <errno.h>
#include <stdio.h>
#ifndef EOWNERDEAD /* GenMC's own errno.h lacks them: Linux's values */
#define EOWNERDEAD 130
#define ENOTRECOVERABLE 131
#endif
#undef errno
#define errno lk_mock_errno
static _Thread_local int lk_mock_errno;
FILE *lk_mock_fopen(const char *path, const char *mode)
{
	(void)path;
	(void)mode;
	lk_mock_errno = EACCES;
	return NULL;
}
int lk_mock_snprintf(char *restrict b, size_t n, const char *restrict f, ...)
{
	(void)f;
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
#include "../client.h"
#define pthread_atfork(p, a, c) ((void)(c)) /* no fork here */
#include "base.h"
/* GenMC v0.10.3 cannot initialise a thread-local struct ("Constant
 * unimplemented"): robust.h's per-thread identity cache becomes a slot per
 * thread, found through a thread-local index. */
#undef LK_THREAD_LOCAL
#define LK_THREAD_LOCAL
#define lk__robust_me_ (*lk_mock_robust_me_())
#include "robust.h"
static lk__robust_self_t lk_mock_robust_slots_[LK_WMM_MAX_THREADS];
static atomic_int lk_mock_robust_n_;
static _Thread_local int lk_mock_robust_i_ = -1;
lk__robust_self_t *lk_mock_robust_me_(void)
{
	if (lk_mock_robust_i_ < 0)
		lk_mock_robust_i_ = atomic_fetch_add_explicit(
			&lk_mock_robust_n_, 1, memory_order_relaxed);
	return &lk_mock_robust_slots_[lk_mock_robust_i_];
}

static lk_robust_t l = LK_ROBUST_INIT;
#define FIRST(i)                                                               \
	((i) == 0 ? lk_robust_timedlock(&l, 1) == 0                           \
		  : lk_robust_trylock(&l) == 0)
#define LOCK(i) assert(lk_robust_lock(&l) == 0)
#define UNLOCK(i) assert(lk_robust_unlock(&l) == 0)
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
