/*
 * verify/stress/stress_rw.c: every reader-writer latch under mixed read
 * ratios (threads take 50%, 80%, 95% or 99% reads by id), jitter inside and
 * outside the sections, some try and timed acquisitions, (rwmutex) the
 * U mode with upgrades and downgrades, and (rprwlock, reader-preferring)
 * readers that take their read lock again while they hold it, as a writer
 * may be waiting. On every step it checks:
 *   occupancy  a writer is alone; a reader never sees a writer inside
 *   data       a writer sets four plain fields to one new value; a reader
 *              finds them equal (plain fields: under TSan a broken latch is
 *              also a reported race)
 *   count      writes counted under the latch equal writes done
 * The duration is split evenly between the latches.
 */
#include <latchkit/brlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>

#include "stress.h"

#define OCC_W (1 << 20) /* a writer inside */
#define OCC_U (1 << 10) /* an upgrader inside (rwmutex) */

typedef struct {
	const char *name;
	atomic_int occ;
	long f[4];  /* the data: all equal outside a write section */
	long count; /* writes, counted under the latch */
	atomic_long writes, reads, tries_failed, timeouts;
	uint64_t end_ns;
} shared_t;

static int read_pct(int id)
{
	static const int pct[4] = {50, 80, 95, 99};
	return pct[id % 4];
}

static void read_section(shared_t *s, uint32_t *rng)
{
	int o = atomic_fetch_add_explicit(&s->occ, 1, memory_order_relaxed);
	if (o >= OCC_W)
		stress_fail("%s: reader entered beside a writer (occ %#x)",
			    s->name, o);
	long a = s->f[0];
	stress_jitter(rng);
	if (s->f[1] != a || s->f[2] != a || s->f[3] != a)
		stress_fail("%s: reader saw a torn write (%ld %ld %ld %ld)",
			    s->name, a, s->f[1], s->f[2], s->f[3]);
	o = atomic_load_explicit(&s->occ, memory_order_relaxed);
	if (o >= OCC_W)
		stress_fail("%s: a writer entered beside a reader (occ %#x)",
			    s->name, o);
	atomic_fetch_sub_explicit(&s->occ, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->reads, 1, memory_order_relaxed);
}

static void write_section(shared_t *s, uint32_t *rng, int already)
{
	/* `already`: occupancy this thread holds on entry (U before upgrade) */
	int o = atomic_fetch_add_explicit(&s->occ, OCC_W - already,
					  memory_order_relaxed);
	if (o != already)
		stress_fail("%s: writer entered while occupied (occ %#x)",
			    s->name, o);
	long v = ++s->count;
	for (int i = 0; i < 4; i++) {
		s->f[i] = v;
		if (i == 1)
			stress_jitter(rng);
	}
	o = atomic_load_explicit(&s->occ, memory_order_relaxed);
	if (o != OCC_W)
		stress_fail("%s: someone entered beside a writer (occ %#x)",
			    s->name, o);
	atomic_fetch_sub_explicit(&s->occ, OCC_W - already,
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&s->writes, 1, memory_order_relaxed);
}

/* One worker per latch type, all with the same shape. */
#define RW_WORKER(NAME)                                                        \
	static void *NAME##_worker(void *ctx, int id)                          \
	{                                                                      \
		shared_t *s = (shared_t *)ctx;                                 \
		uint32_t rng = 0x9e3779b9u ^ (uint32_t)(id * 7919 + 1);        \
		int pct = read_pct(id);                                        \
		for (uint64_t i = 0;; i++) {                                   \
			if ((i & 31) == 0 && stress_now_ns() > s->end_ns)      \
				break;                                         \
			uint32_t r = stress_rand(&rng);                        \
			uint32_t how = (r >> 8) & 15;                          \
			if ((int)(r % 100) < pct) {                            \
				stress_doing("read lock");                     \
				if (how == 0) {                                \
					if (!lk_##NAME##_rdtrylock(&NAME##_l)) { \
						atomic_fetch_add_explicit(     \
							&s->tries_failed, 1,   \
							memory_order_relaxed); \
						continue;                      \
					}                                      \
				} else if (how == 1) {                         \
					if (!lk_##NAME##_rdtimedlock(&NAME##_l, \
								    20000)) {  \
						atomic_fetch_add_explicit(     \
							&s->timeouts, 1,       \
							memory_order_relaxed); \
						continue;                      \
					}                                      \
				} else {                                       \
					lk_##NAME##_rdlock(&NAME##_l);         \
				}                                              \
				bool again = RDAGAIN_##NAME && how == 2;       \
				if (again) {                                   \
					stress_doing("read lock again");       \
					lk_##NAME##_rdlock(&NAME##_l);         \
				}                                              \
				read_section(s, &rng);                         \
				stress_doing("read unlock");                   \
				if (again)                                     \
					lk_##NAME##_rdunlock(&NAME##_l);       \
				lk_##NAME##_rdunlock(&NAME##_l);               \
			} else {                                               \
				stress_doing("write lock");                    \
				if (how == 0) {                                \
					if (!lk_##NAME##_wrtrylock(&NAME##_l)) { \
						atomic_fetch_add_explicit(     \
							&s->tries_failed, 1,   \
							memory_order_relaxed); \
						continue;                      \
					}                                      \
				} else if (how == 1) {                         \
					if (!lk_##NAME##_wrtimedlock(&NAME##_l, \
								    20000)) {  \
						atomic_fetch_add_explicit(     \
							&s->timeouts, 1,       \
							memory_order_relaxed); \
						continue;                      \
					}                                      \
				} else if (EXTRA_##NAME(s, &rng, how)) {       \
					continue;                              \
				} else {                                       \
					lk_##NAME##_wrlock(&NAME##_l);         \
				}                                              \
				write_section(s, &rng, 0);                     \
				stress_doing("write unlock");                  \
				lk_##NAME##_wrunlock(&NAME##_l);               \
			}                                                      \
			stress_jitter(&rng);                                   \
		}                                                              \
		return NULL;                                                   \
	}

/* Extra write-side paths: only rwmutex has some (U, upgrade, downgrades). */
#define EXTRA_rwlock(s, rng, how) 0
#define EXTRA_pfrwlock(s, rng, how) 0
#define EXTRA_rprwlock(s, rng, how) 0
#define EXTRA_brlock(s, rng, how) 0
#define EXTRA_rwmutex(s, rng, how) rwmutex_extra(s, rng, how)
/* A reader that takes its read lock again while it holds it (one read
 * acquisition in 16): only a reader-preferring latch lets it in while a
 * writer waits; on the writer-preferring ones it would deadlock. */
#define RDAGAIN_rwlock 0
#define RDAGAIN_pfrwlock 0
#define RDAGAIN_rprwlock 1
#define RDAGAIN_brlock 0
#define RDAGAIN_rwmutex 0

static lk_rwlock_t rwlock_l;
static lk_pfrwlock_t pfrwlock_l;
static lk_rprwlock_t rprwlock_l;
static lk_brlock_t brlock_l;
static lk_rwmutex_t rwmutex_l;

/* Returns true when it did a whole U section itself. */
static bool rwmutex_extra(shared_t *s, uint32_t *rng, uint32_t how)
{
	if (how < 8)
		return false;
	if (how == 8) {
		if (!lk_rwmutex_uptimedlock(&rwmutex_l, 20000)) {
			atomic_fetch_add_explicit(&s->timeouts, 1,
						  memory_order_relaxed);
			return true;
		}
	} else {
		lk_rwmutex_uplock(&rwmutex_l);
	}
	int o = atomic_fetch_add_explicit(&s->occ, OCC_U, memory_order_relaxed);
	if (o >= OCC_U)
		stress_fail("%s: U entered beside U or X (occ %#x)", s->name, o);
	long a = s->f[0];
	stress_jitter(rng);
	if (s->f[3] != a)
		stress_fail("%s: U saw a torn write", s->name);
	switch (how & 3) {
	case 0: /* U -> release */
		atomic_fetch_sub_explicit(&s->occ, OCC_U, memory_order_relaxed);
		lk_rwmutex_upunlock(&rwmutex_l);
		break;
	case 1: /* U -> X -> release */
		lk_rwmutex_upgrade(&rwmutex_l);
		write_section(s, rng, OCC_U);
		atomic_fetch_sub_explicit(&s->occ, OCC_U, memory_order_relaxed);
		lk_rwmutex_wrunlock(&rwmutex_l);
		break;
	case 2: /* U -> X -> R -> release */
		lk_rwmutex_upgrade(&rwmutex_l);
		write_section(s, rng, OCC_U);
		atomic_fetch_sub_explicit(&s->occ, OCC_U, memory_order_relaxed);
		lk_rwmutex_downgrade(&rwmutex_l);
		read_section(s, rng);
		lk_rwmutex_rdunlock(&rwmutex_l);
		break;
	default: /* U -> R -> release */
		atomic_fetch_sub_explicit(&s->occ, OCC_U, memory_order_relaxed);
		lk_rwmutex_updowngrade(&rwmutex_l);
		read_section(s, rng);
		lk_rwmutex_rdunlock(&rwmutex_l);
		break;
	}
	return true;
}

RW_WORKER(rwlock)
RW_WORKER(pfrwlock)
RW_WORKER(rprwlock)
RW_WORKER(brlock)
RW_WORKER(rwmutex)

static _Atomic(const char *) current; /* the latch under test */

static void run(const char *name, void *(*fn)(void *, int), stress_opts_t o,
		double secs)
{
	static shared_t s;
	memset(&s, 0, sizeof s);
	s.name = name;
	atomic_store(&current, name);
	stress_watch_name(name);
	s.end_ns = stress_now_ns() + (uint64_t)(secs * 1e9);
	stress_run(o.threads, fn, &s);
	if (atomic_load(&s.occ) != 0)
		stress_fail("%s: occupancy %d at the end", name,
			    atomic_load(&s.occ));
	if (s.count != atomic_load(&s.writes))
		stress_fail("%s: %ld writes counted under the latch, %ld done",
			    name, s.count, atomic_load(&s.writes));
	for (int i = 1; i < 4; i++)
		if (s.f[i] != s.f[0])
			stress_fail("%s: data torn at the end", name);
	printf("%-9s threads=%d reads=%ld writes=%ld failed_tries=%ld "
	       "timeouts=%ld\n",
	       name, o.threads, atomic_load(&s.reads), atomic_load(&s.writes),
	       atomic_load(&s.tries_failed), atomic_load(&s.timeouts));
}

/* A latch that deadlocks would hang the run: fail it instead. */
static void *watchdog(void *arg)
{
	uint64_t limit = *(uint64_t *)arg;
	while (stress_now_ns() < limit)
		usleep(100000);
	stress_fail("%s: still running 30 s past its deadline: deadlock?",
		    atomic_load(&current));
	return NULL;
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	static uint64_t limit;
	limit = stress_now_ns() + (uint64_t)((o.seconds + 30) * 1e9);
	pthread_t wd;
	if (pthread_create(&wd, NULL, watchdog, &limit))
		stress_fail("pthread_create");
	pthread_detach(wd);
	double each = o.seconds / 5;
	lk_rwlock_init(&rwlock_l);
	lk_pfrwlock_init(&pfrwlock_l);
	lk_rprwlock_init(&rprwlock_l);
	lk_brlock_init(&brlock_l);
	lk_rwmutex_init(&rwmutex_l);
	run("rwlock", rwlock_worker, o, each);
	run("pfrwlock", pfrwlock_worker, o, each);
	run("rprwlock", rprwlock_worker, o, each);
	run("brlock", brlock_worker, o, each);
	run("rwmutex", rwmutex_worker, o, each);
	/* Every latch must be free and usable afterwards. */
	if (!lk_rwlock_wrtrylock(&rwlock_l) ||
	    !lk_pfrwlock_wrtrylock(&pfrwlock_l) ||
	    !lk_rprwlock_wrtrylock(&rprwlock_l) ||
	    !lk_brlock_wrtrylock(&brlock_l) ||
	    !lk_rwmutex_wrtrylock(&rwmutex_l))
		stress_fail("a latch was left held");
	return 0;
}
