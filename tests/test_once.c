/* Once: fn runs exactly once, every caller returns after its effects are
 * visible, 16 racing threads, the context form, waiters that park. */
#include <latchkit/once.h>

#include "harness.h"

static atomic_int plain_runs;
static int plain_data; /* plain: published by the once */

static void plain_fn(void)
{
	atomic_fetch_add(&plain_runs, 1);
	plain_data = 42;
}

Test(once, runs_once_and_reports_done)
{
	static lk_once_t o = LK_ONCE_INIT;
	cr_assert(!lk_once_is_done(&o));
	lk_once(&o, plain_fn);
	cr_assert(lk_once_is_done(&o));
	cr_assert_eq(plain_data, 42);
	lk_once(&o, plain_fn);
	lk_once(&o, plain_fn);
	cr_assert_eq(atomic_load(&plain_runs), 1);
	/* init makes it new again */
	lk_once_init(&o);
	cr_assert(!lk_once_is_done(&o));
	lk_once(&o, plain_fn);
	cr_assert_eq(atomic_load(&plain_runs), 2);
}

static void add_arg(void *arg)
{
	*(int *)arg += 1;
}

Test(once, ctx_passes_arg_to_the_one_run)
{
	lk_once_t o;
	lk_once_init(&o);
	int a = 0, b = 0;
	lk_once_ctx(&o, add_arg, &a);
	lk_once_ctx(&o, add_arg, &b); /* done: b untouched */
	cr_assert_eq(a, 1);
	cr_assert_eq(b, 0);
	cr_assert(lk_once_is_done(&o));
}

/* 16 threads race over many onces, each visited in a different order: each
 * fn runs once, and every caller sees the value its fn wrote. */
#define RACERS 16
#define ONCES 2000
typedef struct {
	lk_once_t o[ONCES];
	atomic_int runs[ONCES];
	int value[ONCES]; /* plain: written by fn, read after lk_once */
	atomic_int bad;
} race_t;

typedef struct {
	race_t *r;
	int i;
} race_arg_t;

static void race_fn(void *p)
{
	race_arg_t *a = (race_arg_t *)p;
	atomic_fetch_add(&a->r->runs[a->i], 1);
	a->r->value[a->i] = a->i + 1;
}

static void *racer(void *p, int id)
{
	race_t *r = (race_t *)p;
	for (int k = 0; k < ONCES; k++) {
		int i = (int)(((unsigned)k * 7919u + (unsigned)id * 131u) %
			      ONCES);
		race_arg_t a = {r, i};
		lk_once_ctx(&r->o[i], race_fn, &a);
		if (r->value[i] != i + 1)
			atomic_fetch_add(&r->bad, 1);
	}
	return NULL;
}

Test(once, raced_by_16_threads)
{
	static race_t r;
	for (int i = 0; i < ONCES; i++)
		lk_once_init(&r.o[i]);
	lkt_run(RACERS, racer, &r);
	cr_assert_eq(atomic_load(&r.bad), 0, "a caller returned before fn's "
					      "effect was visible");
	for (int i = 0; i < ONCES; i++) {
		cr_assert_eq(atomic_load(&r.runs[i]), 1, "once %d ran %d times",
			     i, atomic_load(&r.runs[i]));
		cr_assert(lk_once_is_done(&r.o[i]));
	}
}

/* A slow fn: the 15 other callers wait; they must park, not spin for the
 * 300 ms it runs (the process's CPU time stays far below 300 ms), and all
 * see its effect. */
static atomic_int slow_runs;
static int slow_data;
static lk_once_t slow_once = LK_ONCE_INIT;
static atomic_int slow_bad;

static void slow_fn(void)
{
	atomic_fetch_add(&slow_runs, 1);
	lkt_sleep_ms(300);
	slow_data = 7;
}

static void *slow_caller(void *p, int id)
{
	(void)p;
	if (id != 0)
		lkt_sleep_ms(20); /* let thread 0 start fn first (mostly) */
	lk_once(&slow_once, slow_fn);
	if (slow_data != 7)
		atomic_fetch_add(&slow_bad, 1);
	return NULL;
}

Test(once, waiters_park_while_fn_runs)
{
	uint64_t c0 = lkt_clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = lkt_now_ns();
	lkt_run(RACERS, slow_caller, NULL);
	uint64_t cpu = lkt_clock_ns(CLOCK_PROCESS_CPUTIME_ID) - c0;
	uint64_t wall = lkt_now_ns() - t0;
	cr_log_info("16 callers, fn 300 ms: wall %.1f ms, cpu %.1f ms",
		    (double)wall / 1e6, (double)cpu / 1e6);
	cr_assert_eq(atomic_load(&slow_runs), 1);
	cr_assert_eq(atomic_load(&slow_bad), 0);
	cr_assert_geq(wall, 300000000u);
	/* spinning throughout would keep every CPU (at least one) busy for
	 * ~280 ms; parking costs each waiter one spin budget (< 1 ms) */
	cr_assert_lt(cpu, 100000000u, "waiters burnt %.0f ms of CPU",
		     (double)cpu / 1e6);
}

/* Two callers that both find the once new: only one may run fn (the other's
 * claim fails and it waits). Rounds of a fresh once, the two released by a
 * spin barrier so that both read NEW before either claims it. */
#define TIGHT_ROUNDS 20000
static lk_once_t tight_o[2];
static atomic_int tight_calls, tight_bad, tight_go[2];
static atomic_long tight_round;

static void tight_fn(void)
{
	atomic_fetch_add(&tight_calls, 1);
}

/* Spin (the race needs both running), yielding now and then so that a
 * descheduled partner gets the CPU on a loaded machine. */
static void tight_spin(atomic_int *x, int want)
{
	for (unsigned n = 1; atomic_load(x) < want; n++)
		if ((n & 1023) == 0)
			sched_yield();
}

static void *tight_racer(void *ctx, int id)
{
	(void)ctx;
	for (long r = 0; r < TIGHT_ROUNDS; r++) {
		if ((r & 1023) == 0)
			lkt_doing("lk_once, racing the other caller");
		/* spin barrier: both arrive, then both go */
		atomic_fetch_add(&tight_go[r & 1], 1);
		tight_spin(&tight_go[r & 1], 2);
		lk_once(&tight_o[r & 1], tight_fn);
		atomic_fetch_add(&tight_go[r & 1], 1);
		if (id == 0) { /* reset for round r + 2, once both are done */
			tight_spin(&tight_go[r & 1], 4);
			if (atomic_exchange(&tight_calls, 0) != 1)
				atomic_store(&tight_bad, 1);
			lk_once_init(&tight_o[r & 1]);
			atomic_store(&tight_go[r & 1], 0);
			atomic_store(&tight_round, r + 1);
		} else {
			for (unsigned n = 1; atomic_load(&tight_round) < r + 1; n++)
				if ((n & 1023) == 0)
					sched_yield();
		}
	}
	return NULL;
}

Test(once, two_callers_that_both_find_it_new)
{
	lk_once_init(&tight_o[0]);
	lk_once_init(&tight_o[1]);
	lkt_run(2, tight_racer, NULL);
	cr_assert_eq(atomic_load(&tight_bad), 0, "fn ran twice for one once");
}
