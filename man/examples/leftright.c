#include <latchkit/leftright.h>
#include <stdio.h>

static int left, right; /* two copies of the data */
static lk_leftright_t lr;

static void set(void *instance, void *arg)
{
	*(int *)instance = *(int *)arg; /* runs once per copy */
}

int main(void)
{
	lk_leftright_init(&lr, &left, &right);

	int v = 7;
	lk_leftright_write(&lr, set, &v);

	unsigned token;
	const int *p = (const int *)lk_leftright_read_begin(&lr, &token);
	printf("%d\n", *p); /* wait-free, never retried */
	lk_leftright_read_end(&lr, token);
	return 0;
}
