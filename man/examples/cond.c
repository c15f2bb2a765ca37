#include <latchkit/cond.h>
#include <pthread.h>
#include <stdio.h>

static lk_mutex_t lock = LK_MUTEX_INIT;
static lk_cond_t nonempty = LK_COND_INIT;
static int items, taken;

static void *consumer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++) {
		lk_mutex_lock(&lock);
		while (items == 0)               /* always re-check */
			lk_cond_wait(&nonempty, &lock);
		items--;
		taken++;
		lk_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, consumer, NULL);
	for (int i = 0; i < 2000; i++) {
		lk_mutex_lock(&lock);
		items++;
		lk_cond_signal(&nonempty);       /* the oldest waiter */
		lk_mutex_unlock(&lock);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	lk_mutex_lock(&lock);                    /* nothing comes: 1 ms */
	int late = lk_cond_timedwait(&nonempty, &lock, 1000000);
	lk_mutex_unlock(&lock);
	printf("%d %d\n", taken, late);          /* 2000 0 */
	return taken != 2000 || late;
}
