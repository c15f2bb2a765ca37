#include <latchkit/event.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static lk_event_t ready = LK_EVENT_INIT;
static lk_latch_t loaded = LK_LATCH_INIT(3);
static int config, parts[3];

static void *loader(void *arg)
{
	int i = *(int *)arg;
	lk_event_wait(&ready);       /* until main has set the config */
	parts[i] = config + i;
	lk_latch_count_down(&loaded, 1);
	return NULL;
}

int main(void)
{
	pthread_t t[3];
	int id[3] = {0, 1, 2};
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, loader, &id[i]);
	config = 10;
	lk_event_set(&ready);         /* wakes every loader */

	struct timespec deadline;     /* absolute, CLOCK_MONOTONIC */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += 5;
	if (lk_latch_timedwait_until(&loaded, &deadline) != 0)
		return 1;             /* ETIMEDOUT: a loader is stuck */
	printf("%d %d %d\n", parts[0], parts[1], parts[2]); /* 10 11 12 */
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}
