/*
 * tests/rw_suite.h: the validation suite every reader-writer latch shares,
 * stamped once per latch. A test file includes its latch's header, then:
 *
 *	#define RW_NAME rwlock            // lk_rwlock_*, LK_RWLOCK_INIT
 *	#define RW_INIT LK_RWLOCK_INIT
 *	#define RW_READERS_FAIR 0         // 1: a waiting reader is not starved
 *	#include "rw_suite.h"             //    by a stream of writers
 *
 * RW_WRITERS_FAIR 0 (default 1) leaves out the test that a waiting writer
 * is not starved by readers: a reader-preferring latch promises the opposite.
 *
 * Every suite checks RW exclusion (occupancy counter + data invariant +
 * exact write count) at 2 and 8 threads and 50%/95% reads, trylock and
 * timedlock semantics, the static initializer, and that a waiting writer gets
 * in under a continuous stream of overlapping readers. Failures seen on worker
 * threads are counted and asserted on the main thread.
 */
#ifndef LK_TEST_RW_SUITE_H
#define LK_TEST_RW_SUITE_H

#include "harness.h"
#include <stdbool.h>

#define RWS_CAT2_(a, b) a##b
#define RWS_CAT_(a, b) RWS_CAT2_(a, b)
#define RWS_F_(verb) RWS_CAT_(RWS_CAT_(lk_, RW_NAME), RWS_CAT_(_, verb))
#define RWS_T RWS_CAT_(RWS_CAT_(lk_, RW_NAME), _t)
#define RWS_TEST_(...) Test(__VA_ARGS__)
#define RWS_TEST(...) RWS_TEST_(RW_NAME, __VA_ARGS__)

#define rws_rdlock RWS_F_(rdlock)
#define rws_rdtrylock RWS_F_(rdtrylock)
#define rws_rdtimedlock RWS_F_(rdtimedlock)
#define rws_rdunlock RWS_F_(rdunlock)
#define rws_wrlock RWS_F_(wrlock)
#define rws_wrtrylock RWS_F_(wrtrylock)
#define rws_wrtimedlock RWS_F_(wrtimedlock)
#define rws_wrunlock RWS_F_(wrunlock)
#define rws_init RWS_F_(init)

#ifndef RW_READERS_FAIR
#define RW_READERS_FAIR 0
#endif
#ifndef RW_WRITERS_FAIR
#define RW_WRITERS_FAIR 1
#endif

/* A generous bound for "gets in eventually" on a loaded 2-core box. */
#define RWS_PATIENCE_NS (20ull * 1000000000ull)
/* Slack allowed past a timed wait's deadline. */
#define RWS_SLACK_NS (2ull * 1000000000ull)

/* ---- exclusion ---------------------------------------------------------- */

#define RWS_WFLAG (1 << 20)

typedef struct {
	RWS_T lock;
	atomic_int occ;	    /* readers inside + RWS_WFLAG per writer inside */
	atomic_int bad;	    /* violations seen */
	atomic_long reads;
	atomic_long writes;
	long count;	    /* incremented under the write latch only */
	long f1, f2, f3;    /* a writer sets all three to the same value */
	int read_pct;
	uint64_t end_ns;
	long max_ops;
} rws_excl_t;

static void rws_read_section(rws_excl_t *x)
{
	int o = atomic_fetch_add(&x->occ, 1);
	if (o >= RWS_WFLAG)
		atomic_fetch_add(&x->bad, 1);
	long a = x->f1, b = x->f2, c = x->f3;
	if (a != b || b != c)
		atomic_fetch_add(&x->bad, 1);
	if (atomic_load(&x->occ) >= RWS_WFLAG)
		atomic_fetch_add(&x->bad, 1);
	atomic_fetch_sub(&x->occ, 1);
	atomic_fetch_add(&x->reads, 1);
}

static void rws_write_section(rws_excl_t *x)
{
	int o = atomic_fetch_add(&x->occ, RWS_WFLAG);
	if (o != 0)
		atomic_fetch_add(&x->bad, 1);
	long v = ++x->count;
	x->f1 = v;
	sched_yield(); /* widen the window a reader could slip into */
	x->f2 = v;
	x->f3 = v;
	if (atomic_load(&x->occ) != RWS_WFLAG)
		atomic_fetch_add(&x->bad, 1);
	atomic_fetch_sub(&x->occ, RWS_WFLAG);
	atomic_fetch_add(&x->writes, 1);
}

static void *rws_excl_worker(void *ctx, int id)
{
	rws_excl_t *x = (rws_excl_t *)ctx;
	uint32_t s = 0x9e3779b9u * (uint32_t)(id + 1);
	for (long i = 0; i < x->max_ops; i++) {
		if ((i & 15) == 0 && lkt_now_ns() > x->end_ns)
			break;
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		int kind = (int)((s >> 8) & 15);
		if ((int)(s % 100) < x->read_pct) {
			lkt_doing("read lock");
			if (kind == 0) {
				if (!rws_rdtrylock(&x->lock))
					continue;
			} else if (kind == 1) {
				if (!rws_rdtimedlock(&x->lock, 1000000u))
					continue;
			} else {
				rws_rdlock(&x->lock);
			}
			rws_read_section(x);
			lkt_doing("read unlock");
			rws_rdunlock(&x->lock);
		} else {
			lkt_doing("write lock");
			if (kind == 0) {
				if (!rws_wrtrylock(&x->lock))
					continue;
			} else if (kind == 1) {
				if (!rws_wrtimedlock(&x->lock, 1000000u))
					continue;
			} else {
				rws_wrlock(&x->lock);
			}
			rws_write_section(x);
			lkt_doing("write unlock");
			rws_wrunlock(&x->lock);
		}
	}
	return NULL;
}

static void rws_exclusion(int threads, int read_pct)
{
	static rws_excl_t x; /* large latches do not belong on the stack */
	memset(&x, 0, sizeof x);
	rws_init(&x.lock);
	x.read_pct = read_pct;
	x.max_ops = 20000;
	x.end_ns = lkt_now_ns() + 400000000ull; /* at most ~0.4 s of work */
	lkt_run(threads, rws_excl_worker, &x);
	cr_assert_eq(atomic_load(&x.bad), 0, "%d exclusion violations",
		     atomic_load(&x.bad));
	cr_assert_eq(atomic_load(&x.occ), 0);
	cr_assert_eq(x.count, atomic_load(&x.writes));
	cr_assert_gt(atomic_load(&x.writes), 0);
	cr_assert_gt(atomic_load(&x.reads), 0);
	/* Usable afterwards, and free. */
	cr_assert(rws_wrtrylock(&x.lock));
	rws_wrunlock(&x.lock);
}

RWS_TEST(exclusion_2t_50) { rws_exclusion(2, 50); }
RWS_TEST(exclusion_2t_95) { rws_exclusion(2, 95); }
RWS_TEST(exclusion_8t_50) { rws_exclusion(8, 50); }
RWS_TEST(exclusion_8t_95) { rws_exclusion(8, 95); }

/* ---- trylock and timedlock ---------------------------------------------- */

typedef struct {
	RWS_T lock;
	int op; /* what the other thread tries */
	bool got;
	uint64_t elapsed;
} rws_probe_t;

enum { RWS_RDTRY, RWS_WRTRY, RWS_RDTIMED, RWS_WRTIMED };
#define RWS_TIMEOUT_NS 50000000ull /* 50 ms */

static void *rws_probe_fn(void *ctx, int id)
{
	rws_probe_t *p = (rws_probe_t *)ctx;
	(void)id;
	uint64_t t0 = lkt_now_ns();
	switch (p->op) {
	case RWS_RDTRY:
		p->got = rws_rdtrylock(&p->lock);
		break;
	case RWS_WRTRY:
		p->got = rws_wrtrylock(&p->lock);
		break;
	case RWS_RDTIMED:
		p->got = rws_rdtimedlock(&p->lock, RWS_TIMEOUT_NS);
		break;
	default:
		p->got = rws_wrtimedlock(&p->lock, RWS_TIMEOUT_NS);
		break;
	}
	p->elapsed = lkt_now_ns() - t0;
	if (p->got) {
		if (p->op == RWS_RDTRY || p->op == RWS_RDTIMED)
			rws_rdunlock(&p->lock);
		else
			rws_wrunlock(&p->lock);
	}
	return NULL;
}

/* Runs one attempt on another thread (the latch held here or not). */
static bool rws_probe(rws_probe_t *p, int op)
{
	p->op = op;
	p->got = false;
	lkt_run(1, rws_probe_fn, p);
	return p->got;
}

static rws_probe_t rws_p;

RWS_TEST(trylock_semantics)
{
	rws_probe_t *p = &rws_p;
	rws_init(&p->lock);
	cr_assert(rws_probe(p, RWS_WRTRY), "wrtrylock on a free latch");
	cr_assert(rws_probe(p, RWS_RDTRY), "rdtrylock on a free latch");

	rws_rdlock(&p->lock);
	cr_assert_not(rws_probe(p, RWS_WRTRY), "wrtrylock while read-held");
	cr_assert(rws_probe(p, RWS_RDTRY), "rdtrylock while only read-held");
	rws_rdunlock(&p->lock);

	rws_wrlock(&p->lock);
	cr_assert_not(rws_probe(p, RWS_WRTRY), "wrtrylock while write-held");
	cr_assert_not(rws_probe(p, RWS_RDTRY), "rdtrylock while write-held");
	rws_wrunlock(&p->lock);

	cr_assert(rws_probe(p, RWS_WRTRY), "wrtrylock after release");
	cr_assert(rws_probe(p, RWS_RDTRY), "rdtrylock after release");
}

static void rws_expect_timeout(rws_probe_t *p, int op, const char *what)
{
	cr_assert_not(rws_probe(p, op), "%s: acquired", what);
	cr_assert_geq(p->elapsed, RWS_TIMEOUT_NS, "%s: returned early (%llu ns)",
		      what, (unsigned long long)p->elapsed);
	cr_assert_lt(p->elapsed, RWS_TIMEOUT_NS + RWS_SLACK_NS,
		     "%s: returned late (%llu ns)", what,
		     (unsigned long long)p->elapsed);
}

RWS_TEST(timedlock)
{
	rws_probe_t *p = &rws_p;
	rws_init(&p->lock);
	cr_assert(rws_probe(p, RWS_WRTIMED), "wrtimedlock on a free latch");
	cr_assert(rws_probe(p, RWS_RDTIMED), "rdtimedlock on a free latch");

	rws_wrlock(&p->lock);
	rws_expect_timeout(p, RWS_RDTIMED, "rdtimedlock while write-held");
	rws_expect_timeout(p, RWS_WRTIMED, "wrtimedlock while write-held");
	rws_wrunlock(&p->lock);
	/* The timed-out reader left no trace: a writer gets in at once. */
	cr_assert(rws_probe(p, RWS_WRTRY), "usable after timed-out waiters");

	rws_rdlock(&p->lock);
	rws_expect_timeout(p, RWS_WRTIMED, "wrtimedlock while read-held");
	/* The timed-out writer withdrew: readers are not held back. */
	cr_assert(rws_probe(p, RWS_RDTRY), "rdtrylock after a writer withdrew");
	cr_assert(rws_probe(p, RWS_RDTIMED), "rdtimedlock after a writer withdrew");
	rws_rdunlock(&p->lock);

	cr_assert(rws_probe(p, RWS_WRTIMED), "wrtimedlock after release");
	cr_assert(rws_probe(p, RWS_RDTIMED), "rdtimedlock after release");
}

/* ---- static initializer ------------------------------------------------- */

static RWS_T rws_static = RW_INIT;

RWS_TEST(static_init)
{
	rws_rdlock(&rws_static);
	rws_rdlock(&rws_static);
	rws_rdunlock(&rws_static);
	rws_rdunlock(&rws_static);
	rws_wrlock(&rws_static);
	rws_wrunlock(&rws_static);
	cr_assert(rws_wrtrylock(&rws_static));
	rws_wrunlock(&rws_static);
}

/* ---- starvation ------------------------------------------------------------
 * Writer vs a stream of readers: each reader holds its read latch until
 * another reader is inside too (or 20 ms pass), so the readers overlap and
 * the latch never goes read-free while new readers keep getting in. A latch
 * that let arriving readers barge past a waiting writer would keep the chain
 * going for ever; the writer must get in.
 */
typedef struct {
	RWS_T lock;
	atomic_int inside;   /* readers inside */
	atomic_int started;  /* readers that got in at least once */
	atomic_int done;     /* the waiting side got in (or gave up) */
	atomic_int got;
	atomic_long chain;   /* read sections in the stream */
	atomic_long stream_w;
	int nstream;
	uint64_t give_up_ns;
} rws_starve_t;

#if RW_WRITERS_FAIR || RW_READERS_FAIR
static rws_starve_t rws_s;
#endif

#if RW_WRITERS_FAIR
static void *rws_reader_stream(void *ctx, int id)
{
	rws_starve_t *s = (rws_starve_t *)ctx;
	if (id == 0) { /* the writer */
		while (atomic_load(&s->started) < s->nstream)
			sched_yield();
		lkt_sleep_ms(20); /* let the chain run */
		rws_wrlock(&s->lock);
		if (atomic_load(&s->inside) != 0)
			atomic_store(&s->got, -1); /* exclusion broken */
		else if (lkt_now_ns() < s->give_up_ns)
			atomic_store(&s->got, 1); /* in while the stream ran */
		rws_wrunlock(&s->lock);
		atomic_store(&s->done, 1);
		return NULL;
	}
	bool first = true;
	while (!atomic_load(&s->done) && lkt_now_ns() < s->give_up_ns) {
		rws_rdlock(&s->lock);
		atomic_fetch_add(&s->inside, 1);
		if (first)
			atomic_fetch_add(&s->started, 1);
		first = false;
		long mine = atomic_fetch_add(&s->chain, 1) + 1;
		/* Hold until a newer reader is in too (or 20 ms pass). */
		uint64_t until = lkt_now_ns() + 20000000ull;
		lkt_sleep_ms(1);
		while (atomic_load(&s->chain) == mine &&
		       lkt_now_ns() < until && !atomic_load(&s->done))
			sched_yield();
		atomic_fetch_sub(&s->inside, 1);
		rws_rdunlock(&s->lock);
	}
	return NULL;
}

RWS_TEST(writer_not_starved_by_readers, .timeout = 60)
{
	rws_starve_t *s = &rws_s;
	memset(s, 0, sizeof *s);
	rws_init(&s->lock);
	s->nstream = 3;
	s->give_up_ns = lkt_now_ns() + RWS_PATIENCE_NS;
	lkt_run(1 + s->nstream, rws_reader_stream, s);
	cr_assert_neq(atomic_load(&s->got), -1, "writer inside with readers");
	cr_assert_eq(atomic_load(&s->got), 1,
		     "writer starved by a stream of %ld read sections",
		     atomic_load(&s->chain));
}
#endif

#if RW_READERS_FAIR
/* Reader vs a stream of writers: two writers re-lock at once after each
 * release, so one always holds and the other always waits. */
static void *rws_writer_stream(void *ctx, int id)
{
	rws_starve_t *s = (rws_starve_t *)ctx;
	if (id == 0) { /* the reader */
		while (atomic_load(&s->started) < s->nstream)
			sched_yield();
		lkt_sleep_ms(20);
		rws_rdlock(&s->lock);
		if (atomic_load(&s->inside) != 0)
			atomic_store(&s->got, -1);
		else if (lkt_now_ns() < s->give_up_ns)
			atomic_store(&s->got, 1);
		rws_rdunlock(&s->lock);
		atomic_store(&s->done, 1);
		return NULL;
	}
	bool first = true;
	while (!atomic_load(&s->done) && lkt_now_ns() < s->give_up_ns) {
		rws_wrlock(&s->lock);
		atomic_fetch_add(&s->inside, 1);
		if (first)
			atomic_fetch_add(&s->started, 1);
		first = false;
		atomic_fetch_add(&s->stream_w, 1);
		lkt_sleep_ms(1);
		atomic_fetch_sub(&s->inside, 1);
		rws_wrunlock(&s->lock);
	}
	return NULL;
}

RWS_TEST(reader_not_starved_by_writers, .timeout = 60)
{
	rws_starve_t *s = &rws_s;
	memset(s, 0, sizeof *s);
	rws_init(&s->lock);
	s->nstream = 2;
	s->give_up_ns = lkt_now_ns() + RWS_PATIENCE_NS;
	lkt_run(1 + s->nstream, rws_writer_stream, s);
	cr_assert_neq(atomic_load(&s->got), -1, "reader inside with a writer");
	cr_assert_eq(atomic_load(&s->got), 1,
		     "reader starved by a stream of %ld write sections",
		     atomic_load(&s->stream_w));
}
#endif

#endif
