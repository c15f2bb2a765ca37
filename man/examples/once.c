#include <latchkit/once.h>
#include <pthread.h>
#include <stdio.h>

static lk_once_t table_once = LK_ONCE_INIT;
static int table[256]; /* filled once, then read by everyone */

static void fill_table(void)
{
	for (int i = 0; i < 256; i++)
		table[i] = i * i;
}

static void *reader(void *arg)
{
	lk_once(&table_once, fill_table); /* the first caller fills it */
	*(int *)arg = table[12];          /* every caller sees it filled */
	return NULL;
}

int main(void)
{
	pthread_t t[4];
	int got[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, &got[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("%d %d\n", got[0], got[3]); /* 144 144 */
	return 0;
}
