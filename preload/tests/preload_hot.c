/*
 * preload/tests/preload_hot.c: one deliberately hot mutex, for the
 * profile's test (preload/test.sh). Four threads each take their own cold
 * mutex more often than the hot one, so the hot one is first only when the
 * profile ranks by contention, not by acquisitions; a warm mutex is shared
 * by two threads, rarely; and a mutex made afresh in the same stack frame
 * a thousand times (as RocksDB makes one per write), which the profile
 * counts as one address. Built with -rdynamic so that the profile's site
 * can name take_hot and take_fresh.
 */
#include <pthread.h>
#include <stdio.h>

#define NT 4
static pthread_mutex_t hot = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t warm = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cold[NT];
static volatile long shared, warm_n, cold_n[NT];
static pthread_barrier_t start;

__attribute__((noinline)) void take_hot(void)
{
	pthread_mutex_lock(&hot);
	for (int k = 0; k < 2000; k++) /* held most of the time */
		shared++;
	pthread_mutex_unlock(&hot);
}

__attribute__((noinline)) void take_cold(int id)
{
	pthread_mutex_lock(&cold[id]);
	cold_n[id]++;
	pthread_mutex_unlock(&cold[id]);
}

/* A new mutex each call, at the same stack address each time. */
__attribute__((noinline)) void take_fresh(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&m);
	shared++;
	pthread_mutex_unlock(&m);
}

static void *worker(void *arg)
{
	int id = (int)(long)arg;
	pthread_barrier_wait(&start);
	for (int i = 0; i < 20000; i++) {
		take_hot();
		for (int j = 0; j < 30; j++)
			take_cold(id);
		if (i % 100 == 0 && id < 2) {
			pthread_mutex_lock(&warm);
			warm_n++;
			pthread_mutex_unlock(&warm);
		}
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NT];
	pthread_barrier_init(&start, NULL, NT);
	for (int i = 0; i < NT; i++)
		pthread_mutex_init(&cold[i], NULL);
	for (long i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 1000; i++)
		take_fresh();
	printf("hot %ld\n", shared);
	return shared == NT * 20000L * 2000 + 1000 ? 0 : 1;
}
