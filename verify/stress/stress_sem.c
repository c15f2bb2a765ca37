/*
 * stress_sem: the semaphore's bound and the reentrant wrappers' exclusion
 * under sanitizers. Even threads take one of K permits (wait, trywait or a
 * short timedwait) and check that at most K are inside; odd threads nest
 * lk_rmutex / lk_rttas to a random depth and check that they alone are
 * inside. A watchdog fails the run if the threads do not all finish soon
 * after the deadline (a lost wake-up would hang a waiter).
 */
#include <latchkit/reentrant.h>
#include <latchkit/sem.h>

#include "stress.h"

#define K 2

static atomic_int stop, finished;

static lk_sem_t sem;
static atomic_int inside;
/* A binary semaphore handing a plain counter from holder to holder: only
 * the post's release and the wait's acquire order it (TSan checks). */
static lk_sem_t sem1;
static unsigned long s1_count; /* plain: guarded by sem1 */
static atomic_ulong s1_done;
static atomic_ulong sem_entries, sem_timeouts;

static lk_rmutex_t rm = LK_RMUTEX_INIT;
static lk_rttas_t rt = LK_RTTAS_INIT;
static int rm_holder, rt_holder;           /* plain: guarded by the lock */
static unsigned long rm_count, rt_count;   /* plain: guarded by the lock */
static atomic_ulong rm_done, rt_done;

static void sem_step(uint32_t *rs)
{
	uint32_t r = stress_rand(rs);
	switch (r % 3) {
	case 0:
		lk_sem_wait(&sem);
		break;
	case 1:
		if (!lk_sem_trywait(&sem))
			return;
		break;
	default:
		if (!lk_sem_timedwait(&sem, (r >> 8) % 200000)) {
			atomic_fetch_add_explicit(&sem_timeouts, 1,
						  memory_order_relaxed);
			return;
		}
	}
	int n = atomic_fetch_add(&inside, 1) + 1;
	if (n > K)
		stress_fail("sem: %d inside with %d permits", n, K);
	stress_jitter(rs);
	atomic_fetch_sub(&inside, 1);
	atomic_fetch_add_explicit(&sem_entries, 1, memory_order_relaxed);
	lk_sem_post(&sem);
	/* the binary semaphore, by the same three verbs */
	if (r % 3 == 1 ? lk_sem_trywait(&sem1)
	    : r % 3 == 2 ? lk_sem_timedwait(&sem1, 200000)
			 : (lk_sem_wait(&sem1), true)) {
		s1_count++;
		atomic_fetch_add_explicit(&s1_done, 1, memory_order_relaxed);
		lk_sem_post(&sem1);
	}
}

#define NEST(T, holder, count, done, id, rs)                                   \
	do {                                                                   \
		int depth = 1 + (int)(stress_rand(rs) % 4);                    \
		for (int d = 0; d < depth; d++) {                              \
			if (d & 1) {                                           \
				if (!lk_##T##_trylock(&T##_))                  \
					stress_fail(#T ": owner's trylock "    \
						    "failed");                 \
			} else {                                               \
				lk_##T##_lock(&T##_);                          \
			}                                                      \
			if (d == 0) {                                          \
				if (holder != 0)                               \
					stress_fail(#T ": two holders");       \
				holder = id;                                   \
			}                                                      \
			stress_jitter(rs);                                     \
			if (holder != id)                                      \
				stress_fail(#T ": holder changed");            \
		}                                                              \
		count++;                                                       \
		for (int d = depth; d > 0; d--) {                              \
			if (lk_##T##_depth(&T##_) != (uint32_t)d)              \
				stress_fail(#T ": depth %u, expected %d",      \
					    lk_##T##_depth(&T##_), d);         \
			if (d == 1)                                            \
				holder = 0;                                    \
			lk_##T##_unlock(&T##_);                                \
		}                                                              \
		atomic_fetch_add_explicit(&done, 1, memory_order_relaxed);     \
	} while (0)

#define rmutex_ rm
#define rttas_ rt

static void *worker(void *ctx, int id)
{
	(void)ctx;
	uint32_t rs = 0x9e3779b9u * (uint32_t)(id + 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (id % 2 == 0) {
			sem_step(&rs);
		} else if (stress_rand(&rs) & 1) {
			NEST(rmutex, rm_holder, rm_count, rm_done, id, &rs);
		} else {
			NEST(rttas, rt_holder, rt_count, rt_done, id, &rs);
		}
		stress_jitter(&rs);
	}
	atomic_fetch_add(&finished, 1);
	return NULL;
}

typedef struct {
	int n;
	double secs;
} run_t;

static void *dispatch(void *ctx, int id)
{
	run_t *r = (run_t *)ctx;
	if (id != r->n)
		return worker(NULL, id + 1); /* ids from 1: 0 means no holder */
	uint64_t end = stress_now_ns() + (uint64_t)(r->secs * 1e9);
	while (stress_now_ns() < end) {
		stress_doing("timer");
		usleep(10000);
	}
	atomic_store(&stop, 1);
	uint64_t hang = stress_now_ns() + 30000000000ull;
	while (atomic_load(&finished) < r->n)
		if (stress_now_ns() > hang)
			stress_fail("threads still blocked 30 s after the end "
				    "(lost wake-up?)");
		else {
			stress_doing("waiting for the others to finish");
			usleep(10000);
		}
	return NULL;
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	lk_sem_init(&sem, K);
	lk_sem_init(&sem1, 1);
	run_t r = {o.threads, o.seconds};
	stress_watch_name("sem");
	stress_run(o.threads + 1, dispatch, &r);
	if (lk_sem_value(&sem) != K)
		stress_fail("sem: %u permits left of %d", lk_sem_value(&sem), K);
	if (lk_sem_value(&sem1) != 1 || s1_count != atomic_load(&s1_done))
		stress_fail("sem1: %u permits left of 1, %lu of %lu entries counted",
			    lk_sem_value(&sem1), s1_count, atomic_load(&s1_done));
	if (rm_count != atomic_load(&rm_done) || rt_count != atomic_load(&rt_done))
		stress_fail("reentrant: counts %lu/%lu %lu/%lu", rm_count,
			    atomic_load(&rm_done), rt_count,
			    atomic_load(&rt_done));
	printf("stress_sem: sem %lu entries %lu timeouts; rmutex %lu, rttas "
	       "%lu nested sections\n",
	       atomic_load(&sem_entries), atomic_load(&sem_timeouts), rm_count,
	       rt_count);
	return 0;
}
