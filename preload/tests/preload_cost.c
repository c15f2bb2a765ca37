/*
 * preload/tests/preload_cost.c: N uncontended lock/unlock pairs, for the
 * interposition's cost in instructions (callgrind; preload/cost.sh). Built
 * twice: as a plain pthread program (run under the preload), and with
 * -DDIRECT=mutex (or another latch) calling that latch's header directly,
 * inlined, as a program using latchkit would; -DOUTOFLINE as well puts
 * the latch's lock and unlock behind a call each. -DRW=rd or wr: the same
 * for pthread_rwlock_rdlock or _wrlock and _unlock (DIRECT: an RW latch).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#if defined(RW) && defined(DIRECT) /* RW=rd or wr: the RW latch DIRECT */
#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#include STR(latchkit/DIRECT.h)
static CAT(CAT(lk_, DIRECT), _t) m;
#define RWLOCK(l) CAT(CAT(CAT(CAT(lk_, DIRECT), _), RW), lock)(l)
#define RWUNLOCK(l) CAT(CAT(CAT(CAT(lk_, DIRECT), _), RW), unlock)(l)
#ifdef OUTOFLINE
__attribute__((noinline)) void lock_(CAT(CAT(lk_, DIRECT), _t) *l)
{
	RWLOCK(l);
}
__attribute__((noinline)) void unlock_(CAT(CAT(lk_, DIRECT), _t) *l)
{
	RWUNLOCK(l);
}
#define LOCK(l) lock_(l)
#define UNLOCK(l) unlock_(l)
#else
#define LOCK(l) RWLOCK(l)
#define UNLOCK(l) RWUNLOCK(l)
#endif
#elif defined(RW) /* pthread_rwlock_RWlock and _unlock */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#ifdef RW_NONREC /* the kind LATCHKIT_RWLOCK's latch serves */
static pthread_rwlock_t m = PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
#else /* the default kind: lk_rprwlock */
static pthread_rwlock_t m = PTHREAD_RWLOCK_INITIALIZER;
#endif
#define LOCK(l) CAT(CAT(pthread_rwlock_, RW), lock)(l)
#define UNLOCK(l) pthread_rwlock_unlock(l)
#elif defined(DIRECT)
#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#include STR(latchkit/DIRECT.h)
static CAT(CAT(lk_, DIRECT), _t) m;
#ifdef OUTOFLINE /* the latch behind a call, as a library would offer it */
__attribute__((noinline)) void lock_(CAT(CAT(lk_, DIRECT), _t) *l)
{
	CAT(CAT(lk_, DIRECT), _lock)(l);
}
__attribute__((noinline)) void unlock_(CAT(CAT(lk_, DIRECT), _t) *l)
{
	CAT(CAT(lk_, DIRECT), _unlock)(l);
}
#define LOCK(l) lock_(l)
#define UNLOCK(l) unlock_(l)
#else
#define LOCK(l) CAT(CAT(lk_, DIRECT), _lock)(l)
#define UNLOCK(l) CAT(CAT(lk_, DIRECT), _unlock)(l)
#endif
#else
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
#define LOCK(l) pthread_mutex_lock(l)
#define UNLOCK(l) pthread_mutex_unlock(l)
#endif

static volatile long sink;

__attribute__((noinline)) void pairs(long n)
{
	for (long i = 0; i < n; i++) {
		LOCK(&m);
		sink++;
		UNLOCK(&m);
	}
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	pairs(n);
	printf("%ld\n", sink);
	return 0;
}
