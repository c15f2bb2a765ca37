#include <latchkit/sem.h>
#include <stdio.h>

static lk_sem_t slots = LK_SEM_INIT(2); /* two permits */

int main(void)
{
	lk_sem_wait(&slots);
	if (lk_sem_trywait(&slots))
		puts("took both");
	if (!lk_sem_timedwait(&slots, 1000000)) /* none left: 1 ms, then no */
		puts("none left");
	lk_sem_post(&slots);
	lk_sem_post(&slots);
	printf("%u\n", (unsigned)lk_sem_value(&slots)); /* 2 */
	return 0;
}
