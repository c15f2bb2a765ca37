/*
 * preload/tests/preload_cost.c: N uncontended lock/unlock pairs, for the
 * interposition's cost in instructions (callgrind; preload/cost.sh). Built
 * twice: as a plain pthread program (run under the preload), and with
 * -DDIRECT=mutex (or another latch) calling that latch's header directly,
 * inlined, as a program using latchkit would.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef DIRECT
#define STR_(x) #x
#define STR(x) STR_(x)
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#include STR(latchkit/DIRECT.h)
static CAT(CAT(lk_, DIRECT), _t) m;
#define LOCK(l) CAT(CAT(lk_, DIRECT), _lock)(l)
#define UNLOCK(l) CAT(CAT(lk_, DIRECT), _unlock)(l)
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
