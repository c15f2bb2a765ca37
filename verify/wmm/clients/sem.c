/* verify/wmm: sem.h, count 0; one thread posts twice, the other waits
 * twice: each wait sees the data written before a post, and the count
 * ends at 0 (a post is never lost, a wait never takes one twice). */
#include "../client.h"
#include "sem.h"

static lk_sem_t s = LK_WMM_SH(LK_SEM_INIT(0), LK_SEM_INIT_SHARED(0));
static int data;

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		data = 1;
		lk_sem_post(&s);
		lk_sem_post(&s);
	} else {
		lk_sem_wait(&s);
		assert(data == 1);
		lk_sem_wait(&s);
	}
	return NULL;
}

int main(void)
{
	lk_wmm_run(2, thread);
	assert(lk_sem_value(&s) == 0);
	assert(!lk_sem_trywait(&s));
	return 0;
}
