/* Left-Right: readers see whole versions and never wait for the writer. */
#include <latchkit/leftright.h>

#include "harness.h"

#include <stdio.h>

#define NF 16
typedef struct {
	uint64_t f[NF]; /* plain fields: Left-Right orders them */
} inst_t;

typedef struct {
	lk_leftright_t lr;
	inst_t left, right;
	atomic_int done, stall, stalled, release;
	atomic_ulong reads, mixed, live, reads_while_stalled;
	uint64_t writes;
} ctx_t;

static void apply_version(void *instance, void *arg)
{
	inst_t *in = (inst_t *)instance;
	uint64_t k = *(uint64_t *)arg;
	for (int i = 0; i < NF; i++)
		in->f[i] = k;
}

static uint64_t read_once(ctx_t *c, bool *mixed)
{
	unsigned tok;
	const inst_t *in = (const inst_t *)lk_leftright_read_begin(&c->lr, &tok);
	uint64_t v0 = in->f[0];
	bool m = false;
	for (int i = 1; i < NF; i++)
		m |= in->f[i] != v0;
	lk_leftright_read_end(&c->lr, tok);
	*mixed = m;
	return v0;
}

static void *rw_worker(void *p, int id)
{
	ctx_t *c = (ctx_t *)p;
	if (id == 0) {
		uint64_t k = 1;
		for (; k <= 3000 || atomic_load(&c->live) < 100000; k++) {
			lk_leftright_write(&c->lr, apply_version, &k);
			if ((k & 63) == 0)
				sched_yield();
		}
		c->writes = k - 1;
		atomic_store(&c->done, 1);
		return NULL;
	}
	unsigned long n = 0, mixed = 0;
	uint64_t last = 0;
	while (!atomic_load(&c->done)) {
		bool m;
		uint64_t v = read_once(c, &m);
		mixed += m;
		mixed += v < last; /* one writer: versions never go back */
		last = v;
		n++;
		atomic_fetch_add_explicit(&c->live, 1, memory_order_relaxed);
	}
	atomic_fetch_add(&c->reads, n);
	atomic_fetch_add(&c->mixed, mixed);
	return NULL;
}

Test(leftright, readers_see_whole_versions)
{
	static ctx_t c;
	memset(&c, 0, sizeof c);
	lk_leftright_init(&c.lr, &c.left, &c.right);
	lkt_run(4, rw_worker, &c);
	printf("leftright: %lu writes, %lu reads, %lu mixed\n",
	       (unsigned long)c.writes, c.reads, c.mixed);
	cr_assert_eq(c.mixed, 0, "a reader saw a mixed or older version");
	cr_assert_gt(c.reads, 0);
	/* both instances hold the last version */
	for (int i = 0; i < NF; i++) {
		cr_assert_eq(c.left.f[i], c.writes);
		cr_assert_eq(c.right.f[i], c.writes);
	}
	bool m;
	cr_assert_eq(read_once(&c, &m), c.writes);
	cr_assert(!m);
}

/* The writer blocks inside apply; readers must go on. */
static void apply_stalling(void *instance, void *arg)
{
	ctx_t *c = (ctx_t *)arg;
	if (atomic_load(&c->stall)) {
		atomic_store(&c->stalled, 1);
		lkt_await(&c->release); /* a stalled writer, mid-write */
	}
	uint64_t k = 7;
	apply_version(instance, &k);
}

static void *stall_writer(void *p)
{
	ctx_t *c = (ctx_t *)p;
	lk_leftright_write(&c->lr, apply_stalling, c);
	return NULL;
}

static void *stall_reader(void *p, int id)
{
	ctx_t *c = (ctx_t *)p;
	(void)id;
	unsigned long n = 0, mixed = 0;
	lkt_await(&c->stalled);
	for (int i = 0; i < 100000; i++) {
		bool m;
		uint64_t v = read_once(c, &m);
		mixed += m || v != 0; /* the old version, whole */
		n++;
	}
	atomic_fetch_add(&c->reads_while_stalled, n);
	atomic_fetch_add(&c->mixed, mixed);
	return NULL;
}

Test(leftright, readers_proceed_while_writer_stalls)
{
	static ctx_t c;
	memset(&c, 0, sizeof c);
	lk_leftright_init(&c.lr, &c.left, &c.right);
	atomic_store(&c.stall, 1);
	pthread_t w;
	cr_assert_eq(pthread_create(&w, NULL, stall_writer, &c), 0);
	/* the readers finish all their reads while the writer is blocked:
	 * release is only set after they have been joined */
	lkt_run(3, stall_reader, &c);
	cr_assert_eq(atomic_load(&c.release), 0);
	cr_assert_eq(c.reads_while_stalled, 3ul * 100000);
	cr_assert_eq(c.mixed, 0);
	atomic_store(&c.stall, 0);
	atomic_store(&c.release, 1);
	lkt_join(w, 0, "its lock and wait calls");
	bool m;
	cr_assert_eq(read_once(&c, &m), 7);
	cr_assert(!m);
	cr_assert_eq(c.left.f[NF - 1], 7);
	cr_assert_eq(c.right.f[NF - 1], 7);
}

/* The writer stalls in its second apply (readers already moved over). */
static void apply_stall_second(void *instance, void *arg)
{
	ctx_t *c = (ctx_t *)arg;
	static int calls;
	uint64_t k = 9;
	apply_version(instance, &k);
	if (++calls == 2) {
		atomic_store(&c->stalled, 1);
		lkt_await(&c->release);
	}
}

static void *stall_writer2(void *p)
{
	ctx_t *c = (ctx_t *)p;
	lk_leftright_write(&c->lr, apply_stall_second, c);
	return NULL;
}

static void *stall_reader2(void *p, int id)
{
	ctx_t *c = (ctx_t *)p;
	(void)id;
	unsigned long mixed = 0;
	lkt_await(&c->stalled);
	for (int i = 0; i < 100000; i++) {
		bool m;
		mixed += read_once(c, &m) != 9 || m; /* the new version */
	}
	atomic_fetch_add(&c->reads_while_stalled, 100000);
	atomic_fetch_add(&c->mixed, mixed);
	return NULL;
}

Test(leftright, readers_proceed_while_writer_stalls_in_second_apply)
{
	static ctx_t c;
	memset(&c, 0, sizeof c);
	lk_leftright_init(&c.lr, &c.left, &c.right);
	pthread_t w;
	cr_assert_eq(pthread_create(&w, NULL, stall_writer2, &c), 0);
	lkt_run(3, stall_reader2, &c);
	cr_assert_eq(c.reads_while_stalled, 3ul * 100000);
	cr_assert_eq(c.mixed, 0);
	atomic_store(&c.release, 1);
	lkt_join(w, 0, "its lock and wait calls");
}
