#include <latchkit/barrier.h>
#include <pthread.h>
#include <stdio.h>

#define T 3
static lk_barrier_t step;
static int cell[T], sum[4]; /* each step reads what every thread wrote */

static void *worker(void *arg)
{
	int id = *(int *)arg;
	for (int s = 0; s < 4; s++) {
		cell[id] = id + s;
		if (lk_barrier_wait(&step) == LK_BARRIER_SERIAL_THREAD)
			sum[s] = cell[0] + cell[1] + cell[2]; /* one thread */
		lk_barrier_wait(&step); /* before the cells change again */
	}
	return NULL;
}

int main(void)
{
	pthread_t t[T];
	int id[T];
	if (lk_barrier_init(&step, T) != 0)
		return 1;
	for (int i = 0; i < T; i++) {
		id[i] = i;
		pthread_create(&t[i], NULL, worker, &id[i]);
	}
	for (int i = 0; i < T; i++)
		pthread_join(t[i], NULL);
	lk_barrier_destroy(&step); /* every thread has returned */
	printf("%d %d %d %d\n", sum[0], sum[1], sum[2], sum[3]); /* 3 6 9 12 */
	return 0;
}
