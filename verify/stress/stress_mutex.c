/*
 * stress_mutex: every mutual-exclusion latch (tas, ttas, ticket, mcs, clh,
 * mutex) under threads with random jitter inside and outside the critical
 * section. On every step the holder checks it is alone (an occupancy count)
 * and does a read-jitter-write increment of a plain counter, which any
 * overlap would lose and a sanitizer would flag as a race; at the end the
 * counter must equal the sum of the acquisitions. A share of the
 * acquisitions goes through trylock and (where offered) timedlock with short
 * timeouts, and through the explicit-node APIs of mcs and clh.
 * The run time (-d) is split evenly between the latches.
 */
#include "stress.h"
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

typedef struct {
	const char *name;
	long counter; /* plain: only the latch protects it */
	atomic_int inside;
	atomic_long acquired, tries, tries_ok, timed, timed_ok, node_ok;
	uint64_t deadline;
	void *lock;
} run_t;

static void critical(run_t *r, uint32_t *rng)
{
	int in = atomic_fetch_add_explicit(&r->inside, 1, memory_order_relaxed);
	if (in != 0)
		stress_fail("%s: %d threads inside at once", r->name, in + 1);
	long v = r->counter;
	stress_jitter(rng);
	r->counter = v + 1;
	in = atomic_fetch_sub_explicit(&r->inside, 1, memory_order_relaxed);
	if (in != 1)
		stress_fail("%s: occupancy %d on leaving", r->name, in);
}

/* One worker per latch. `choice` picks the verb: 0-9 lock, 10-12 trylock,
 * 13-15 timedlock (or the explicit-node API for queue locks). */
#define WORKER(name, type, lockv, tryv, timedv, unlockv)                       \
	static void *name##_worker(void *ctx, int id)                          \
	{                                                                      \
		run_t *r = (run_t *)ctx;                                       \
		type *l = (type *)r->lock;                                     \
		uint32_t rng = 0x9e3779b9u * (uint32_t)(id + 1);               \
		long n = 0, tr = 0, tro = 0, ti = 0, tio = 0;                  \
		while (stress_now_ns() < r->deadline) {                        \
			for (int k = 0; k < 64; k++) {                         \
				uint32_t c = stress_rand(&rng) & 15;           \
				bool got;                                      \
				if (c < 10) {                                  \
					stress_doing("lock");                  \
					lockv(l);                              \
					got = true;                            \
				} else if (c < 13) {                           \
					tr++;                                  \
					stress_doing("trylock");               \
					got = tryv(l);                         \
					tro += got;                            \
				} else {                                       \
					ti++;                                  \
					stress_doing("timedlock");             \
					got = timedv(l, &rng);                 \
					tio += got;                            \
				}                                              \
				if (got) {                                     \
					critical(r, &rng);                     \
					n++;                                   \
					stress_doing("unlock");                \
					unlockv(l);                            \
				}                                              \
				stress_jitter(&rng);                           \
			}                                                      \
		}                                                              \
		atomic_fetch_add(&r->acquired, n);                             \
		atomic_fetch_add(&r->tries, tr);                               \
		atomic_fetch_add(&r->tries_ok, tro);                           \
		atomic_fetch_add(&r->timed, ti);                               \
		atomic_fetch_add(&r->timed_ok, tio);                           \
		return NULL;                                                   \
	}

/* timed: timeouts of 0 to ~60 us */
#define TIMEOUT(rng) ((uint64_t)(stress_rand(rng) & 63) * 1000)
static bool tas_timed(lk_tas_t *l, uint32_t *rng)
{
	return lk_tas_timedlock(l, TIMEOUT(rng));
}
static bool ttas_timed(lk_ttas_t *l, uint32_t *rng)
{
	return lk_ttas_timedlock(l, TIMEOUT(rng));
}
static bool mutex_timed(lk_mutex_t *l, uint32_t *rng)
{
	return lk_mutex_timedlock(l, TIMEOUT(rng));
}
/* ticket has no timedlock: that share is plain lock */
static bool ticket_timed(lk_ticket_t *l, uint32_t *rng)
{
	(void)rng;
	lk_ticket_lock(l);
	return true;
}

/* mcs/clh: that share uses the explicit-node API around one acquisition;
 * the node lives across the critical section, so the unlock is done here
 * and the worker must not unlock again: return false after counting. */
static run_t *cur_run;
static bool mcs_timed(lk_mcs_t *l, uint32_t *rng)
{
	lk_mcs_node_t n;
	if (stress_rand(rng) & 1) {
		lk_mcs_lock_node(l, &n);
	} else if (!lk_mcs_trylock_node(l, &n)) {
		return false;
	}
	critical(cur_run, rng);
	lk_mcs_unlock_node(l, &n);
	atomic_fetch_add(&cur_run->acquired, 1);
	atomic_fetch_add(&cur_run->node_ok, 1);
	return false;
}

static bool clh_timed(lk_clh_t *l, uint32_t *rng)
{
	/* Heap nodes, traded exactly as clh.h documents. */
	lk_clh_node_t *n =
		(lk_clh_node_t *)aligned_alloc(LK_CACHELINE, sizeof(*n));
	if (!n)
		stress_fail("clh: out of memory");
	lk_clh_node_t *pred = NULL;
	if (stress_rand(rng) & 1) {
		pred = lk_clh_lock_node(l, n);
	} else if (!lk_clh_trylock_node(l, n)) {
		free(n);
		return false;
	}
	critical(cur_run, rng);
	if (lk_clh_unlock_node(l, n))
		free(n); /* came back to us */
	if (pred)
		free(pred); /* ours since the lock call */
	atomic_fetch_add(&cur_run->acquired, 1);
	atomic_fetch_add(&cur_run->node_ok, 1);
	return false;
}

WORKER(tas, lk_tas_t, lk_tas_lock, lk_tas_trylock, tas_timed, lk_tas_unlock)
WORKER(ttas, lk_ttas_t, lk_ttas_lock, lk_ttas_trylock, ttas_timed,
       lk_ttas_unlock)
WORKER(ticket, lk_ticket_t, lk_ticket_lock, lk_ticket_trylock, ticket_timed,
       lk_ticket_unlock)
WORKER(mcs, lk_mcs_t, lk_mcs_lock, lk_mcs_trylock, mcs_timed, lk_mcs_unlock)
WORKER(clh, lk_clh_t, lk_clh_lock, lk_clh_trylock, clh_timed, lk_clh_unlock)
WORKER(mutex, lk_mutex_t, lk_mutex_lock, lk_mutex_trylock, mutex_timed,
       lk_mutex_unlock)

static lk_tas_t tas_l = LK_TAS_INIT;
static lk_ttas_t ttas_l = LK_TTAS_INIT;
static lk_ticket_t ticket_l = LK_TICKET_INIT;
static lk_mcs_t mcs_l = LK_MCS_INIT;
static lk_clh_t clh_l = LK_CLH_INIT;
static lk_mutex_t mutex_l = LK_MUTEX_INIT;

static void run(const char *name, void *lock,
		void *(*fn)(void *, int), double secs, int threads)
{
	static run_t r; /* one at a time */
	memset(&r, 0, sizeof r);
	r.name = name;
	r.lock = lock;
	r.deadline = stress_now_ns() + (uint64_t)(secs * 1e9);
	cur_run = &r;
	stress_watch_name(name);
	stress_run(threads, fn, &r);
	long acq = atomic_load(&r.acquired);
	if (r.counter != acq)
		stress_fail("%s: counter %ld after %ld acquisitions", name,
			    r.counter, acq);
	if (acq == 0)
		stress_fail("%s: no acquisition at all", name);
	printf(" %s: %ld acq (try %ld/%ld, ", name, acq,
	       atomic_load(&r.tries_ok), atomic_load(&r.tries));
	if (atomic_load(&r.node_ok))
		printf("node-API %ld);", atomic_load(&r.node_ok));
	else
		printf("timed %ld/%ld);", atomic_load(&r.timed_ok),
		       atomic_load(&r.timed));
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	double each = o.seconds / 6;
	printf("stress_mutex -d %g -t %d:", o.seconds, o.threads);
	run("tas", &tas_l, tas_worker, each, o.threads);
	run("ttas", &ttas_l, ttas_worker, each, o.threads);
	run("ticket", &ticket_l, ticket_worker, each, o.threads);
	run("mcs", &mcs_l, mcs_worker, each, o.threads);
	run("clh", &clh_l, clh_worker, each, o.threads);
	run("mutex", &mutex_l, mutex_worker, each, o.threads);
	printf(" ok\n");
	return 0;
}
