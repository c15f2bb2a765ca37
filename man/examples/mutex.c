#include <latchkit/mutex.h>
#include <pthread.h>
#include <stdio.h>

static lk_mutex_t lock = LK_MUTEX_INIT;
static long counter;

static void *work(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100000; i++) {
		lk_mutex_lock(&lock);
		counter++;
		lk_mutex_unlock(&lock);
	}
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, work, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	if (lk_mutex_timedlock(&lock, 1000000)) /* 1 ms */
		lk_mutex_unlock(&lock);
	printf("%ld\n", counter); /* 400000 */
	return counter != 400000;
}
