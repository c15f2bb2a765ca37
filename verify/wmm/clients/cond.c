/* verify/wmm: cond.h (on mutex.h), no lost wake-up: a waiter that checks
 * the flag under the mutex and waits is woken by a signal sent after the
 * flag is set; a lost one leaves it asleep for ever (a blocked
 * execution, reported under -check-liveness). */
#include "../client.h"
#include "cond.h"

static lk_mutex_t m = LK_MUTEX_INIT;
static lk_cond_t c = LK_COND_INIT;
static int flag;

static void *thread(void *arg)
{
	lk_mutex_lock(&m);
	if ((long)arg == 0) {
		flag = 1;
		lk_cond_signal(&c);
	} else {
		while (!flag)
			lk_cond_wait(&c, &m);
	}
	lk_mutex_unlock(&m);
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(flag == 1);
	return 0;
}
