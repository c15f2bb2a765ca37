/* verify/wmm: leftright.h, a writer and a reader: the reader never sees a
 * half-written value (plain data: a reader racing the writer's apply is
 * also a data race). One reader stripe, so the writer's scans are short. */
#define LK_LEFTRIGHT_STRIPES 1
#include "../client.h"
#include "leftright.h"

typedef struct {
	int a, b;
} pair_t;
static pair_t left, right;
static lk_leftright_t lr;

static void apply(void *inst, void *arg)
{
	pair_t *p = (pair_t *)inst;
	(void)arg;
	p->a++;
	p->b++;
}

static void *thread(void *arg)
{
	if ((long)arg == 0) {
		lk_leftright_write(&lr, apply, NULL);
	} else {
		unsigned tok;
		const pair_t *p = (const pair_t *)lk_leftright_read_begin(&lr, &tok);
		int a = p->a, b = p->b;
		lk_leftright_read_end(&lr, tok);
		assert(a == b);
	}
	return NULL;
}

int main(void)
{
	lk_leftright_init(&lr, &left, &right);
	lk_wmm_run(2, thread);
	assert(left.a == 1 && right.a == 1 && left.b == 1 && right.b == 1);
	return 0;
}
