/* verify/wmm: cond.h (on mutex.h), a waiter and a signaller with a
 * predicate. No lost wake-up: the waiter checks the flag under the mutex
 * and waits; the signaller sets it under the mutex and signals after
 * unlocking; a lost signal leaves the waiter asleep (the mock's lost
 * wake-up assertion). The memory guarantee: what the signaller wrote
 * before its signal, outside the mutex (data), is seen by a waiter that
 * the signal chose (one that waited: there are no spurious wake-ups). */
#include "../client.h"
#include "cond.h"

#ifdef LK_WMM_BCAST /* condb: broadcast under the mutex (wait morphing) */
#define SIGNAL(c)                                                              \
	do {                                                                   \
		lk_mutex_lock(&m);                                             \
		lk_cond_broadcast(c);                                          \
		lk_mutex_unlock(&m);                                           \
	} while (0)
#else
#define SIGNAL(c) lk_cond_signal(c)
#endif

static lk_mutex_t m = LK_MUTEX_INIT;
static lk_cond_t c = LK_COND_INIT;
static int flag, data;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		lk_mutex_lock(&m);
		flag = 1;
		lk_mutex_unlock(&m);
		data = 1;
		SIGNAL(&c);
	} else {
		bool waited = false;
		lk_mutex_lock(&m);
		while (!flag) {
			lk_cond_wait(&c, &m);
			waited = true;
		}
		lk_mutex_unlock(&m);
		if (waited)
			assert(data == 1);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(flag == 1);
	return 0;
}
