/*
 * tests/tsan/tsan_latch.c: what ThreadSanitizer sees of every latch, through
 * base.h's annotations. One program for every latch and scenario, built
 * with -fsanitize=thread by clang and by gcc; tests/tsan/run.sh runs it and
 * checks TSan's report text.
 *
 *   tsan_latch abba KIND        two latches of KIND taken A then B by one
 *                               thread, then B then A by a second thread
 *                               started once the first has ended (nothing
 *                               can hang): a lock-order-inversion report.
 *                               An RW latch uses its write side.
 *   tsan_latch abba-timed KIND  the same, the second thread taking A with
 *                               timedlock: a timed lock is a lock to TSan.
 *   tsan_latch abba-try KIND    the same with trylock: no report (a trylock
 *                               cannot deadlock, and TSan adds no edge).
 *   tsan_latch race KIND        one thread writes a variable holding the
 *                               latch, another writes it without (no
 *                               happens-before between them): a data race
 *                               report that names the latch ("mutexes:
 *                               write M..." and "M... created at" with the
 *                               latch's init).
 *   tsan_latch clean KIND       threads use every verb correctly and touch
 *                               plain data only under the latch: no report.
 *                               For once, barrier, event and latch (not
 *                               mutexes: happens-before edges), plain data
 *                               written before the publish (fn's body, an
 *                               arrival, set, count_down) and read after
 *                               the wait (a call's return, a departure, a
 *                               wait that sees it open): no report.
 *   tsan_latch race-after KIND  once, barrier, event, latch: one thread
 *                               publishes, then writes a variable; another
 *                               waits, then reads it: a data race report on
 *                               tsan_shared, with no mutex in it (the
 *                               write comes after the publish, so nothing
 *                               orders it). cond: written after the
 *                               signal, read by the waiter it chose.
 *   tsan_latch race-unchosen cond  written before a signal that finds no
 *                               waiter, read after a wait that timed out:
 *                               a data race report on tsan_shared.
 *   tsan_latch race-before cond-unannotated  written before a signal,
 *                               read by the waiter it chose, with cond.h's
 *                               release and acquire compiled out
 *                               (tsan_cond_unannotated.c): a data race
 *                               report on tsan_shared (the annotation is
 *                               what orders it: the clean run's twin).
 *   tsan_latch all              every scenario of every KIND in one run
 *                               (one process: TSan's start and its
 *                               symbolizer are paid once), each framed by
 *                               "=== SCENARIO KIND" and "=== end ... ms" on
 *                               stderr, where TSan writes its reports; ends
 *                               with "=== all done". run.sh checks each
 *                               frame. It needs TSAN_OPTIONS with
 *                               suppress_equal_stacks=0: every race has the
 *                               same two stacks.
 *   tsan_latch list             "KIND SCENARIO..." lines.
 *
 * KIND is a latch (pthread, the control, is pthread_mutex_t), one of the
 * clean-only users: sem (a bounded buffer: post and wait order plain data),
 * leftright, seqlock-read and optlock-read (optimistic readers beside
 * writers), or a primitive that orders without excluding: once, barrier,
 * event, latch (clean and race-after), cond (tsan_cond.c: clean,
 * race-after, race-unchosen) and cond-unannotated (race-before). Exit status: TSan's (66 with a report), 0 without, 1 when a
 * check of the program's own fails, 2 on misuse.
 */
#include <latchkit/barrier.h>
#include <latchkit/brlock.h>
#include <latchkit/clh.h>
#include <latchkit/cond.h>
#include <latchkit/event.h>
#include <latchkit/leftright.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/once.h>
#include <latchkit/optlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/reentrant.h>
#include <latchkit/rwlock.h>
#include <latchkit/robust.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsan.h"

/* ---- the latches, behind one table -------------------------------------- */


typedef struct {
	const char *name;
	const char *scenarios; /* what run.sh runs */
	size_t size;
	void (*init)(void *);
	/* the exclusive (write) side */
	void (*lock)(void *);
	bool (*trylock)(void *);
	bool (*timedlock)(void *, uint64_t); /* NULL: none */
	void (*unlock)(void *);
	/* the shared side, RW latches only */
	void (*rdlock)(void *);
	bool (*rdtrylock)(void *);
	bool (*rdtimedlock)(void *, uint64_t);
	void (*rdunlock)(void *);
	/* more verbs for the clean run: step i, holding nothing; returns
	 * the write sections it ran */
	int (*extra)(void *, int);
	/* a whole clean run of its own (the non-mutex users) */
	void (*clean)(void);
} kind_t;

#define MX(n)                                                                  \
	static void n##_init(void *l) { lk_##n##_init(l); }                    \
	static void n##_lock(void *l) { lk_##n##_lock(l); }                    \
	static bool n##_try(void *l) { return lk_##n##_trylock(l); }           \
	static void n##_unlock(void *l) { lk_##n##_unlock(l); }
#define TIMED(n)                                                               \
	static bool n##_timed(void *l, uint64_t t)                             \
	{                                                                      \
		return lk_##n##_timedlock(l, t);                               \
	}
#define RW(n)                                                                  \
	static void n##_init(void *l) { lk_##n##_init(l); }                    \
	static void n##_lock(void *l) { lk_##n##_wrlock(l); }                  \
	static bool n##_try(void *l) { return lk_##n##_wrtrylock(l); }         \
	static bool n##_timed(void *l, uint64_t t)                             \
	{                                                                      \
		return lk_##n##_wrtimedlock(l, t);                             \
	}                                                                      \
	static void n##_unlock(void *l) { lk_##n##_wrunlock(l); }              \
	static void n##_rdlock(void *l) { lk_##n##_rdlock(l); }                \
	static bool n##_rdtry(void *l) { return lk_##n##_rdtrylock(l); }       \
	static bool n##_rdtimed(void *l, uint64_t t)                           \
	{                                                                      \
		return lk_##n##_rdtimedlock(l, t);                             \
	}                                                                      \
	static void n##_rdunlock(void *l) { lk_##n##_rdunlock(l); }

MX(tas) TIMED(tas)
MX(ttas) TIMED(ttas)
MX(ticket)
MX(mcs)
MX(clh)
MX(mutex) TIMED(mutex)
MX(rmutex) TIMED(rmutex)
MX(rttas) TIMED(rttas)
MX(optlock) TIMED(optlock)
RW(rwlock)
RW(rwmutex)
RW(pfrwlock)
RW(rprwlock)
RW(brlock)

/* pthread_mutex_t: the control, which TSan knows by its interceptors. */
static void px_init(void *l) { pthread_mutex_init(l, NULL); }
static void px_lock(void *l) { pthread_mutex_lock(l); }
static bool px_try(void *l) { return pthread_mutex_trylock(l) == 0; }
static bool px_timed(void *l, uint64_t t)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	t += (uint64_t)ts.tv_nsec;
	ts.tv_sec += (time_t)(t / 1000000000u);
	ts.tv_nsec = (long)(t % 1000000000u);
	return pthread_mutex_timedlock(l, &ts) == 0;
}
static void px_unlock(void *l) { pthread_mutex_unlock(l); }

/* The explicit-node APIs. An MCS node is free again once lock returns. */
static _Thread_local lk_mcs_node_t mcs_node;
static void mcsn_lock(void *l) { lk_mcs_lock_node(l, &mcs_node); }
static bool mcsn_try(void *l) { return lk_mcs_trylock_node(l, &mcs_node); }
static void mcsn_unlock(void *l) { lk_mcs_unlock_node(l, &mcs_node); }

/* A CLH node wanders: lock returns the predecessor's node (now ours) and
 * unlock says whether ours came back. One node per latch held (abba holds
 * two), from the heap, freed when it is ours again. */
static _Thread_local struct {
	void *l;
	lk_clh_node_t *n;
} clh_held[2];
static lk_clh_node_t *clh_new(void)
{
	void *m = aligned_alloc(LK_CACHELINE, sizeof(lk_clh_node_t));
	if (!m)
		abort();
	return m;
}
static void clh_hold(void *l, lk_clh_node_t *n)
{
	for (int i = 0; i < 2; i++)
		if (!clh_held[i].l) {
			clh_held[i].l = l;
			clh_held[i].n = n;
			return;
		}
	abort();
}
static lk_clh_node_t *clh_mine(void *l)
{
	for (int i = 0; i < 2; i++)
		if (clh_held[i].l == l) {
			clh_held[i].l = NULL;
			return clh_held[i].n;
		}
	abort();
}
static void clhn_lock(void *l)
{
	lk_clh_node_t *n = clh_new();
	free(lk_clh_lock_node(l, n)); /* the predecessor's node, or NULL */
	clh_hold(l, n);
}
static bool clhn_try(void *l)
{
	lk_clh_node_t *n = clh_new();
	if (!lk_clh_trylock_node(l, n)) {
		free(n);
		return false;
	}
	clh_hold(l, n);
	return true;
}
static void clhn_unlock(void *l)
{
	lk_clh_node_t *n = clh_mine(l);
	if (lk_clh_unlock_node(l, n))
		free(n);
}

/* seqlock: its writer latch. */
static void seqlock_init(void *l) { lk_seqlock_init(l); }
static void seqlock_lock(void *l) { lk_seqlock_write_lock(l); }
static bool seqlock_try(void *l) { return lk_seqlock_write_trylock(l); }
static bool seqlock_timed(void *l, uint64_t t)
{
	return lk_seqlock_write_timedlock(l, t);
}
static void seqlock_unlock(void *l) { lk_seqlock_write_unlock(l); }

/* robust: its verbs return an errno code; 0 is acquired (no owner dies
 * here). */
static void robust_init(void *l) { lk_robust_init(l); }
static void robust_lock(void *l) { lk_robust_lock(l); }
static bool robust_try(void *l) { return lk_robust_trylock(l) == 0; }
static bool robust_timed(void *l, uint64_t t)
{
	return lk_robust_timedlock(l, t) == 0;
}
static void robust_unlock(void *l) { lk_robust_unlock(l); }

/* rwmutex's U mode: exclusive among U holders, so U/U lock order matters
 * (TSan sees U as a read lock; its deadlock detector orders those too). */
static void rwmu_lock(void *l) { lk_rwmutex_uplock(l); }
static bool rwmu_try(void *l) { return lk_rwmutex_uptrylock(l); }
static bool rwmu_timed(void *l, uint64_t t)
{
	return lk_rwmutex_uptimedlock(l, t);
}
static void rwmu_unlock(void *l) { lk_rwmutex_upunlock(l); }

/* ---- data that only the latch orders ------------------------------------ */

/* Plain and external, so that no store is optimised away. A scenario
 * races on tsan_shared[kind][its place in the kind's list]: each its own
 * address (clang 14's TSan reports a second race on an address already
 * reported by an earlier scenario no more). */
#define SCEN_MAX 6
long tsan_shared[32][SCEN_MAX];
long tsan_f[2]; /* both equal outside a write section */
long tsan_count;

void write_section(void)
{
	long v = ++tsan_count;
	tsan_f[0] = v;
	tsan_f[1] = v;
}

void read_section(void)
{
	if (tsan_f[0] != tsan_f[1]) {
		fprintf(stderr, "torn read: %ld %ld\n", tsan_f[0], tsan_f[1]);
		exit(1);
	}
}

/* rwmutex's U mode, upgrades and downgrades, in the clean run. */
static int rwmutex_extra(void *l, int i)
{
	if (i % 8 != 7)
		return 0;
	switch ((i / 8) % 3) {
	case 0:
		lk_rwmutex_uplock(l);
		break;
	case 1:
		if (!lk_rwmutex_uptrylock(l))
			return 0;
		break;
	default:
		if (!lk_rwmutex_uptimedlock(l, 50 * MS))
			return 0;
	}
	read_section();
	switch ((i / 24) % 4) {
	case 0:
		lk_rwmutex_upunlock(l);
		return 0;
	case 1:
		lk_rwmutex_upgrade(l);
		write_section();
		lk_rwmutex_wrunlock(l);
		return 1;
	case 2:
		lk_rwmutex_upgrade(l);
		write_section();
		lk_rwmutex_downgrade(l);
		read_section();
		lk_rwmutex_rdunlock(l);
		return 1;
	default:
		lk_rwmutex_updowngrade(l);
		read_section();
		lk_rwmutex_rdunlock(l);
		return 0;
	}
}

/* optlock's upgrade from an optimistic read, in the clean run. */
static int optlock_extra(void *l, int i)
{
	if (i % 4 != 3)
		return 0;
	uint64_t v;
	if (!lk_optlock_read_begin(l, &v) || !lk_optlock_upgrade(l, v))
		return 0;
	write_section();
	lk_optlock_unlock(l);
	return 1;
}

/* ---- the table ---------------------------------------------------------- */

#define LOCKS "abba abba-try race clean"
#define TLOCKS "abba abba-timed abba-try race clean"
#define K_MX(n, sc, timed)                                                     \
	{#n, sc, sizeof(lk_##n##_t), n##_init, n##_lock, n##_try, timed,       \
	 n##_unlock, NULL, NULL, NULL, NULL, NULL, NULL}
#define K_RW(n, extra)                                                         \
	{#n, TLOCKS, sizeof(lk_##n##_t), n##_init, n##_lock, n##_try,          \
	 n##_timed, n##_unlock, n##_rdlock, n##_rdtry, n##_rdtimed,            \
	 n##_rdunlock, extra, NULL}
#define K_ONLY(n, fn)                                                          \
	{n, "clean", 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,  \
	 NULL, fn}
#define K_HB(n, fn)                                                            \
	{n, "clean race-after", 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,   \
	 NULL, NULL, NULL, fn}

static const kind_t kinds[] = {
	{"pthread", TLOCKS, sizeof(pthread_mutex_t), px_init, px_lock, px_try,
	 px_timed, px_unlock, NULL, NULL, NULL, NULL, NULL, NULL},
	K_MX(tas, TLOCKS, tas_timed),
	K_MX(ttas, TLOCKS, ttas_timed),
	K_MX(ticket, LOCKS, NULL),
	K_MX(mcs, LOCKS, NULL),
	{"mcs-node", LOCKS, sizeof(lk_mcs_t), mcs_init, mcsn_lock, mcsn_try,
	 NULL, mcsn_unlock, NULL, NULL, NULL, NULL, NULL, NULL},
	K_MX(clh, LOCKS, NULL),
	{"clh-node", LOCKS, sizeof(lk_clh_t), clh_init, clhn_lock, clhn_try,
	 NULL, clhn_unlock, NULL, NULL, NULL, NULL, NULL, NULL},
	K_MX(mutex, TLOCKS, mutex_timed),
	K_MX(rmutex, TLOCKS, rmutex_timed),
	K_MX(rttas, TLOCKS, rttas_timed),
	{"robust", TLOCKS, sizeof(lk_robust_t), robust_init, robust_lock,
	 robust_try, robust_timed, robust_unlock, NULL, NULL, NULL, NULL, NULL,
	 NULL},
	{"seqlock", TLOCKS, sizeof(lk_seqlock_t), seqlock_init, seqlock_lock,
	 seqlock_try, seqlock_timed, seqlock_unlock, NULL, NULL, NULL, NULL,
	 NULL, NULL},
	{"optlock", TLOCKS, sizeof(lk_optlock_t), optlock_init, optlock_lock,
	 optlock_try, optlock_timed, optlock_unlock, NULL, NULL, NULL, NULL,
	 optlock_extra, NULL},
	K_RW(rwlock, NULL),
	K_RW(rwmutex, rwmutex_extra),
	{"rwmutex-up", "abba abba-timed abba-try", sizeof(lk_rwmutex_t),
	 rwmutex_init, rwmu_lock, rwmu_try, rwmu_timed, rwmu_unlock, NULL, NULL,
	 NULL, NULL, NULL, NULL},
	K_RW(pfrwlock, NULL),
	K_RW(rprwlock, NULL),
	K_RW(brlock, NULL),
	K_ONLY("sem", sem_clean),
	{"cond", "clean race-after race-unchosen", 0, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, cond_run},
	{"cond-unannotated", "race-before", 0, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, cond_unannotated_run},
	K_ONLY("leftright", leftright_clean),
	K_ONLY("seqlock-read", seqlock_read_clean),
	K_ONLY("optlock-read", optlock_read_clean),
	K_HB("once", once_run),
	K_HB("barrier", barrier_run),
	K_HB("event", event_run),
	K_HB("latch", latch_run),
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* ---- the scenarios ------------------------------------------------------ */

static const kind_t *K;
const char *scenario;
static void *A, *B;

static void *new_latch(void)
{
	size_t n = (K->size + LK_CACHELINE - 1) / LK_CACHELINE * LK_CACHELINE;
	void *l = aligned_alloc(LK_CACHELINE, n);
	if (!l)
		abort();
	memset(l, 0, n);
	K->init(l);
	return l;
}

static void *abba_first(void *arg)
{
	(void)arg;
	K->lock(A);
	K->lock(B);
	(*shared)++;
	K->unlock(B);
	K->unlock(A);
	return NULL;
}

static void *abba_second(void *arg)
{
	const char *how = arg;
	K->lock(B);
	bool got = true;
	if (!strcmp(how, "abba-timed"))
		got = K->timedlock(A, 1000 * MS);
	else if (!strcmp(how, "abba-try"))
		got = K->trylock(A);
	else
		K->lock(A);
	if (!got) {
		fprintf(stderr, "%s: A is free, yet not taken\n", how);
		exit(1);
	}
	(*shared)++;
	K->unlock(A);
	K->unlock(B);
	return NULL;
}

static void *race_locked(void *arg)
{
	(void)arg;
	K->lock(A);
	*shared = 1;
	K->unlock(A);
	atomic_store_explicit(&flag, 1, memory_order_relaxed);
	/* Stay alive: TSan (v3) may give a finished thread's slot to the
	 * next thread and then miss races with the finished one. */
	while (!atomic_load_explicit(&done, memory_order_relaxed))
		sched_yield();
	return NULL;
}

static void *race_bare(void *arg)
{
	(void)arg;
	while (!atomic_load_explicit(&flag, memory_order_relaxed))
		sched_yield();
	*shared = 2; /* without the latch */
	atomic_store_explicit(&done, 1, memory_order_relaxed);
	return NULL;
}

#define CLEAN_THREADS 3
#define CLEAN_ITERS 400
static atomic_long clean_writes;

static void *clean_thread(void *arg)
{
	long id = (long)arg;
	long writes = 0;
	for (int i = 0; i < CLEAN_ITERS; i++) {
		if (K->extra)
			writes += K->extra(A, i);
		bool reader = K->rdlock && (i + id) % 4 != 0;
		bool got = true;
		switch ((i / 4) % 4) {
		case 2:
			got = reader ? K->rdtrylock(A) : K->trylock(A);
			break;
		case 3:
			if (reader)
				got = K->rdtimedlock(A, 50 * MS);
			else if (K->timedlock)
				got = K->timedlock(A, 50 * MS);
			else
				K->lock(A);
			break;
		default:
			if (reader)
				K->rdlock(A);
			else
				K->lock(A);
		}
		if (!got)
			continue;
		if (reader) {
			read_section();
			K->rdunlock(A);
		} else {
			write_section();
			writes++;
			K->unlock(A);
		}
	}
	atomic_fetch_add(&clean_writes, writes);
	return NULL;
}

static int usage(void)
{
	fprintf(stderr, "usage: tsan_latch list | all | "
			"{abba|abba-timed|abba-try|race|race-after|"
			"race-unchosen|race-before|clean} "
			"KIND\n");
	return 2;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Which word of k's scenarios scen is (-1: none). */
static int scenario_index(const kind_t *k, const char *scen)
{
	size_t n = strlen(scen);
	for (const char *p = k->scenarios; (p = strstr(p, scen)); p += n)
		if ((p == k->scenarios || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == 0)) {
			int i = 0;
			for (const char *q = k->scenarios; q < p; q++)
				i += *q == ' ';
			return i;
		}
	return -1;
}

/* One scenario; 0 when it ran to its end. */
static int run(const char *scen, const kind_t *k)
{
	pthread_t t, u;
	K = k;
	shared = &tsan_shared[k - kinds][scenario_index(k, scen)];
	scenario = scen;
	late = !strcmp(scen, "race-after");
	atomic_store(&flag, 0);
	atomic_store(&done, 0);
	if (!strncmp(scen, "abba", 4)) {
		A = new_latch();
		B = new_latch();
		pthread_create(&t, NULL, abba_first, NULL);
		pthread_join(t, NULL);
		pthread_create(&t, NULL, abba_second, (void *)scen);
		pthread_join(t, NULL);
	} else if (!strcmp(scen, "race")) {
		A = new_latch();
		pthread_create(&t, NULL, race_locked, NULL);
		pthread_create(&u, NULL, race_bare, NULL);
		pthread_join(t, NULL);
		pthread_join(u, NULL);
	} else if (k->clean) {
		k->clean();
	} else {
		A = new_latch();
		tsan_count = 0;
		atomic_store(&clean_writes, 0);
		run_threads(CLEAN_THREADS, clean_thread);
		if (tsan_count != atomic_load(&clean_writes)) {
			fprintf(stderr, "%ld writes counted, %ld done\n",
				tsan_count, atomic_load(&clean_writes));
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stderr, NULL, _IONBF, 0);
	if (NKINDS > sizeof tsan_shared / sizeof tsan_shared[0])
		return 2;
	for (size_t i = 0; i < NKINDS; i++) {
		int words = 1;
		for (const char *q = kinds[i].scenarios; *q; q++)
			words += *q == ' ';
		if (words > SCEN_MAX)
			return 2;
	}
	if (argc == 2 && !strcmp(argv[1], "list")) {
		for (size_t i = 0; i < NKINDS; i++)
			printf("%s %s\n", kinds[i].name, kinds[i].scenarios);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "all")) {
		for (size_t i = 0; i < NKINDS; i++) {
			char sc[64], *save = NULL;
			snprintf(sc, sizeof sc, "%s", kinds[i].scenarios);
			for (char *s = strtok_r(sc, " ", &save); s;
			     s = strtok_r(NULL, " ", &save)) {
				fprintf(stderr, "=== %s %s\n", s,
					kinds[i].name);
				double t0 = now_ms();
				if (run(s, &kinds[i]))
					return 1;
				fprintf(stderr, "=== end %s %s %.0f ms\n", s,
					kinds[i].name, now_ms() - t0);
			}
		}
		fprintf(stderr, "=== all done\n");
		return 0;
	}
	if (argc != 3)
		return usage();
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(argv[2], kinds[i].name) &&
		    scenario_index(&kinds[i], argv[1]) >= 0)
			return run(argv[1], &kinds[i]);
	return usage();
}
