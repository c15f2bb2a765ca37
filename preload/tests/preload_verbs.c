/*
 * preload/tests/preload_verbs.c: every interposed verb, as a plain pthread
 * program; preload/test.sh runs it under liblatchkit-preload.so with each
 * LATCHKIT_LOCK (and LATCHKIT_RWLOCK). It knows nothing of latchkit but
 * this: with PRELOAD_EXPECT=latchkit it checks that its mutexes really are
 * latchkit's (the interposer is loaded, and glibc's __owner field stays 0
 * while a normal mutex is held: glibc's own lock writes the owner's tid
 * there), so that it cannot pass by running on glibc; with
 * PRELOAD_EXPECT=glibc, that they are glibc's.
 *
 * Exits 0 when every check held; prints each failure and exits 1.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static bool on_latchkit; /* PRELOAD_EXPECT=latchkit */
#define CHECK(c)                                                               \
	do {                                                                   \
		if (!(c)) {                                                    \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,          \
				__LINE__, #c);                                 \
			failures++;                                            \
		}                                                              \
	} while (0)
#define EQ(a, b)                                                               \
	do {                                                                   \
		long a_ = (long)(a), b_ = (long)(b);                           \
		if (a_ != b_) {                                                \
			fprintf(stderr, "FAIL %s:%d: %s == %ld, want %ld\n",   \
				__FILE__, __LINE__, #a, a_, b_);               \
			failures++;                                            \
		}                                                              \
	} while (0)

static double now_s(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct timespec in_ms(clockid_t c, long ms)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	ts.tv_nsec += (ms % 1000) * 1000000L;
	ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static void *run2(void *(*f)(void *), void *arg)
{
	pthread_t t;
	void *r;
	if (pthread_create(&t, NULL, f, arg))
		abort();
	pthread_join(t, &r);
	return r;
}

/* ---- who serves the verbs ----------------------------------------------- */

static void check_provider(void)
{
	const char *want = getenv("PRELOAD_EXPECT");
	if (!want)
		return;
	Dl_info d;
	void *f = dlsym(RTLD_DEFAULT, "pthread_mutex_lock");
	bool preloaded = f && dladdr(f, &d) && d.dli_fname &&
			 strstr(d.dli_fname, "latchkit-preload");
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&m);
	int owner = m.__data.__owner;
	pthread_mutex_unlock(&m);
	if (!strcmp(want, "latchkit")) {
		on_latchkit = true;
		CHECK(preloaded);
		EQ(owner, 0); /* glibc would have written its tid */
	} else {
		CHECK(owner != 0);
	}
}

/* ---- mutex -------------------------------------------------------------- */

static pthread_mutex_t counted = PTHREAD_MUTEX_INITIALIZER;
static long counter;
#define NT 4
#define ITERS 20000

static void *bump(void *arg)
{
	(void)arg;
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&counted);
		long c = counter;
		__asm__ volatile("" ::: "memory");
		counter = c + 1;
		pthread_mutex_unlock(&counted);
	}
	return NULL;
}

static void *try_it(void *m)
{
	return (void *)(long)pthread_mutex_trylock(m);
}

static void *timed_it(void *m)
{
	struct timespec ts = in_ms(CLOCK_REALTIME, 60);
	double t0 = now_s(CLOCK_MONOTONIC);
	int rc = pthread_mutex_timedlock(m, &ts);
	double dt = now_s(CLOCK_MONOTONIC) - t0;
	EQ(rc, ETIMEDOUT);
	CHECK(dt >= 0.050 && dt < 5.0);
	ts = in_ms(CLOCK_MONOTONIC, 30);
	EQ(pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	ts.tv_nsec = 1000000000L; /* invalid, and the lock is not free */
	EQ(pthread_mutex_timedlock(m, &ts), EINVAL);
	return NULL;
}

static void test_mutex(void)
{
	pthread_t t[NT];
	for (int i = 0; i < NT; i++)
		pthread_create(&t[i], NULL, bump, NULL);
	for (int i = 0; i < NT; i++)
		pthread_join(t[i], NULL);
	EQ(counter, (long)NT * ITERS);

	pthread_mutex_t m;
	EQ(pthread_mutex_init(&m, NULL), 0);
	EQ(pthread_mutex_lock(&m), 0);
	EQ((long)run2(try_it, &m), EBUSY);
	EQ(pthread_mutex_trylock(&m), EBUSY);
	run2(timed_it, &m);
	EQ(pthread_mutex_destroy(&m), EBUSY); /* held */
	EQ(pthread_mutex_unlock(&m), 0);
	EQ((long)run2(try_it, &m), 0); /* the thread left it held */
	EQ(pthread_mutex_unlock(&m), 0);
	struct timespec ts = in_ms(CLOCK_REALTIME, 1000);
	EQ(pthread_mutex_timedlock(&m, &ts), 0); /* free: at once */
	EQ(pthread_mutex_unlock(&m), 0);
	ts = in_ms(CLOCK_MONOTONIC, 1000);
	EQ(pthread_mutex_clocklock(&m, CLOCK_MONOTONIC, &ts), 0);
	EQ(pthread_mutex_unlock(&m), 0);
	EQ(pthread_mutex_destroy(&m), 0);

	/* Explicit normal and adaptive kinds are latchkit's too. */
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_NORMAL);
	EQ(pthread_mutex_init(&m, &a), 0);
	EQ(pthread_mutex_lock(&m), 0);
	EQ((long)run2(try_it, &m), EBUSY);
	EQ(pthread_mutex_unlock(&m), 0);
	EQ(pthread_mutex_destroy(&m), 0);
	pthread_mutexattr_destroy(&a);
	pthread_mutex_t ad = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
	EQ(pthread_mutex_lock(&ad), 0);
	EQ((long)run2(try_it, &ad), EBUSY);
	EQ(pthread_mutex_unlock(&ad), 0);
}

/* Many locks held at once by each of two threads, in one order, so that
 * queue locks queue with many held (no cap on nodes). */
#define NMANY 100
static pthread_mutex_t many[NMANY];
static long many_count;

static void *hold_many(void *arg)
{
	(void)arg;
	for (int r = 0; r < 300; r++) {
		for (int i = 0; i < NMANY; i++)
			pthread_mutex_lock(&many[i]);
		many_count++;
		for (int i = NMANY - 1; i >= 0; i--)
			pthread_mutex_unlock(&many[i]);
	}
	return NULL;
}

static void test_many(void)
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, hold_many, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EQ(many_count, 900);
}

/* ---- glibc's kinds ------------------------------------------------------ */

static void test_kinds(void)
{
	/* A relock that is not recursive would hang: try it first. */
	pthread_mutex_t r = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	EQ(pthread_mutex_lock(&r), 0);
	int again = pthread_mutex_trylock(&r);
	EQ(again, 0);
	if (again == 0) {
		EQ(pthread_mutex_lock(&r), 0);
		EQ((long)run2(try_it, &r), EBUSY);
		EQ(pthread_mutex_unlock(&r), 0);
		EQ(pthread_mutex_unlock(&r), 0);
		EQ(pthread_mutex_unlock(&r), 0);
		EQ((long)run2(try_it, &r), 0); /* left held by a dead thread */
	}

	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_t r2;
	EQ(pthread_mutex_init(&r2, &a), 0);
	EQ(pthread_mutex_lock(&r2), 0);
	again = pthread_mutex_trylock(&r2);
	EQ(again, 0);
	EQ(pthread_mutex_unlock(&r2), 0);
	if (again == 0)
		EQ(pthread_mutex_unlock(&r2), 0);
	EQ(pthread_mutex_destroy(&r2), 0);

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_t e;
	EQ(pthread_mutex_init(&e, &a), 0);
	EQ(pthread_mutex_unlock(&e), EPERM); /* not held */
	EQ(pthread_mutex_lock(&e), 0);
	EQ(pthread_mutex_trylock(&e), EBUSY);
	if (pthread_mutex_trylock(&e) == EBUSY) /* else the relock hangs */
		EQ(pthread_mutex_lock(&e), EDEADLK);
	EQ(pthread_mutex_unlock(&e), 0);
	EQ(pthread_mutex_destroy(&e), 0);
	pthread_mutex_t e2 = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
	EQ(pthread_mutex_unlock(&e2), EPERM);
	pthread_mutexattr_destroy(&a);

	/* A condition variable with a glibc-kind mutex. */
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	pthread_mutex_t rm = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	pthread_mutex_lock(&rm);
	struct timespec ts = in_ms(CLOCK_REALTIME, 20);
	EQ(pthread_cond_timedwait(&c, &rm, &ts), ETIMEDOUT);
	EQ(pthread_mutex_unlock(&rm), 0);
}

/* ---- cond --------------------------------------------------------------- */

static pthread_mutex_t qm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qc = PTHREAD_COND_INITIALIZER;
static pthread_cond_t qempty = PTHREAD_COND_INITIALIZER;
static int queue_n, taken, woken;
#define ITEMS 5000

static void *consumer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&qm);
		while (queue_n == 0 && taken < ITEMS)
			pthread_cond_wait(&qc, &qm);
		if (taken >= ITEMS) {
			pthread_mutex_unlock(&qm);
			return NULL;
		}
		queue_n--;
		taken++;
		if (taken == ITEMS)
			pthread_cond_broadcast(&qc);
		pthread_cond_signal(&qempty);
		pthread_mutex_unlock(&qm);
	}
}

static int gate;
static void *gate_waiter(void *arg)
{
	pthread_cond_t *c = arg;
	pthread_mutex_lock(&qm);
	woken--; /* arrived */
	while (!gate)
		pthread_cond_wait(c, &qm);
	woken += 2;
	pthread_mutex_unlock(&qm);
	return NULL;
}

static void test_cond(void)
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, consumer, NULL);
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&qm);
		while (queue_n >= 8)
			pthread_cond_wait(&qempty, &qm);
		queue_n++;
		pthread_cond_signal(&qc);
		pthread_mutex_unlock(&qm);
	}
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	EQ(taken, ITEMS);
	EQ(queue_n, 0);

	/* broadcast wakes every waiter */
	pthread_cond_t bc;
	EQ(pthread_cond_init(&bc, NULL), 0);
	pthread_t w[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&w[i], NULL, gate_waiter, &bc);
	for (;;) { /* all four arrived (and wait, or are about to) */
		pthread_mutex_lock(&qm);
		int arrived = woken == -4;
		if (arrived)
			gate = 1;
		pthread_mutex_unlock(&qm);
		if (arrived)
			break;
		usleep(1000);
	}
	EQ(pthread_cond_broadcast(&bc), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(w[i], NULL);
	EQ(woken, 4);
	EQ(pthread_cond_destroy(&bc), 0);

	/* timedwait times out with the mutex held again */
	pthread_mutex_lock(&qm);
	struct timespec ts = in_ms(CLOCK_REALTIME, 50);
	double t0 = now_s(CLOCK_MONOTONIC);
	EQ(pthread_cond_timedwait(&qc, &qm, &ts), ETIMEDOUT);
	CHECK(now_s(CLOCK_MONOTONIC) - t0 >= 0.045);
	EQ((long)run2(try_it, &qm), EBUSY);
	ts.tv_nsec = -1;
	EQ(pthread_cond_timedwait(&qc, &qm, &ts), EINVAL);
	/* a monotonic cond, and clockwait */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_t mc;
	EQ(pthread_cond_init(&mc, &ca), 0);
	ts = in_ms(CLOCK_MONOTONIC, 30);
	t0 = now_s(CLOCK_MONOTONIC);
	EQ(pthread_cond_timedwait(&mc, &qm, &ts), ETIMEDOUT);
	double dt = now_s(CLOCK_MONOTONIC) - t0;
	CHECK(dt >= 0.025 && dt < 5.0);
	ts = in_ms(CLOCK_MONOTONIC, 20);
	EQ(pthread_cond_clockwait(&qc, &qm, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	pthread_mutex_unlock(&qm);
	EQ(pthread_cond_destroy(&mc), 0);
	pthread_condattr_destroy(&ca);
}

/* ---- rwlock ------------------------------------------------------------- */

/* Two kinds, two latches (preload/rwlock.c): the default kind on the
 * reader-preferring lk_rprwlock, the nonrecursive writer-preferring kind on
 * the latch LATCHKIT_RWLOCK names. Each runs every verb. */
static pthread_rwlock_t rw_default = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t rw_nonrec =
	PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static long rw_a[2], rw_b[2]; /* [k]: under rw_default (0), rw_nonrec (1) */
static atomic_int rw_bad;

static void *rw_worker(void *arg)
{
	int k = (int)((long)arg & 1);
	pthread_rwlock_t *rw = k ? &rw_nonrec : &rw_default;
	long id = (long)arg >> 1;
	for (int i = 0; i < 20000; i++) {
		if ((i + id) % 8 == 0) {
			pthread_rwlock_wrlock(rw);
			rw_a[k]++;
			__asm__ volatile("" ::: "memory");
			rw_b[k]++;
			pthread_rwlock_unlock(rw);
		} else {
			pthread_rwlock_rdlock(rw);
			if (rw_a[k] != rw_b[k])
				atomic_fetch_add(&rw_bad, 1);
			pthread_rwlock_unlock(rw);
		}
	}
	return NULL;
}

static void *try_rd(void *l)
{
	int rc = pthread_rwlock_tryrdlock(l);
	if (rc == 0)
		pthread_rwlock_unlock(l);
	return (void *)(long)rc;
}

static void *try_wr(void *l)
{
	int rc = pthread_rwlock_trywrlock(l);
	if (rc == 0)
		pthread_rwlock_unlock(l);
	return (void *)(long)rc;
}

static void *timed_wr(void *l)
{
	struct timespec ts = in_ms(CLOCK_REALTIME, 40);
	double t0 = now_s(CLOCK_MONOTONIC);
	EQ(pthread_rwlock_timedwrlock(l, &ts), ETIMEDOUT);
	CHECK(now_s(CLOCK_MONOTONIC) - t0 >= 0.035);
	ts = in_ms(CLOCK_MONOTONIC, 20);
	EQ(pthread_rwlock_clockwrlock(l, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	return NULL;
}

static void *timed_rd(void *l)
{
	struct timespec ts = in_ms(CLOCK_REALTIME, 30);
	EQ(pthread_rwlock_timedrdlock(l, &ts), ETIMEDOUT);
	ts = in_ms(CLOCK_MONOTONIC, 20);
	EQ(pthread_rwlock_clockrdlock(l, CLOCK_MONOTONIC, &ts), ETIMEDOUT);
	return NULL;
}

static void *wr_once(void *l)
{
	EQ(pthread_rwlock_wrlock(l), 0);
	EQ(pthread_rwlock_unlock(l), 0);
	return NULL;
}

/* A reader takes a default-kind lock again while a writer waits (glibc
 * does; a writer-preferring latch would deadlock here). */
static void recursive_read(pthread_rwlock_t *l)
{
	pthread_t w;
	EQ(pthread_rwlock_rdlock(l), 0);
	pthread_create(&w, NULL, wr_once, l);
	usleep(50000); /* the writer waits */
	EQ(pthread_rwlock_rdlock(l), 0);
	EQ(pthread_rwlock_tryrdlock(l), 0);
	for (int i = 0; i < 3; i++)
		EQ(pthread_rwlock_unlock(l), 0);
	pthread_join(w, NULL);
}

static void rwlock_verbs(int kind)
{
	pthread_rwlockattr_t at;
	pthread_rwlockattr_init(&at);
	pthread_rwlockattr_setkind_np(&at, kind);
	pthread_rwlock_t l;
	EQ(pthread_rwlock_init(&l, &at), 0);
	pthread_rwlockattr_destroy(&at);
	EQ(pthread_rwlock_rdlock(&l), 0);
	EQ((long)run2(try_rd, &l), 0);     /* readers share */
	EQ((long)run2(try_wr, &l), EBUSY); /* a writer waits */
	run2(timed_wr, &l);
	/* glibc's destroy does not check (POSIX: may) */
	const char *rwalg = getenv("LATCHKIT_RWLOCK");
	if (on_latchkit && !(rwalg && !strcmp(rwalg, "glibc")))
		EQ(pthread_rwlock_destroy(&l), EBUSY);
	EQ(pthread_rwlock_unlock(&l), 0);
	EQ(pthread_rwlock_wrlock(&l), 0);
	EQ((long)run2(try_rd, &l), EBUSY);
	EQ((long)run2(try_wr, &l), EBUSY);
	run2(timed_rd, &l);
	EQ(pthread_rwlock_wrlock(&l), EDEADLK);
	EQ(pthread_rwlock_rdlock(&l), EDEADLK);
	EQ(pthread_rwlock_unlock(&l), 0);
	EQ((long)run2(try_wr, &l), 0);
	struct timespec ts = in_ms(CLOCK_REALTIME, 1000);
	EQ(pthread_rwlock_timedwrlock(&l, &ts), 0);
	EQ(pthread_rwlock_unlock(&l), 0);
	EQ(pthread_rwlock_timedrdlock(&l, &ts), 0);
	EQ(pthread_rwlock_unlock(&l), 0);
	EQ(pthread_rwlock_trywrlock(&l), 0);
	EQ(pthread_rwlock_unlock(&l), 0);
	EQ(pthread_rwlock_tryrdlock(&l), 0);
	EQ(pthread_rwlock_unlock(&l), 0);
	if (kind != PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
		recursive_read(&l);
	EQ(pthread_rwlock_destroy(&l), 0);
}

static void test_rwlock(void)
{
	pthread_t t[2 * NT];
	for (long i = 0; i < 2 * NT; i++)
		pthread_create(&t[i], NULL, rw_worker, (void *)i);
	for (int i = 0; i < 2 * NT; i++)
		pthread_join(t[i], NULL);
	EQ(rw_bad, 0);
	for (int k = 0; k < 2; k++) {
		EQ(rw_a[k], rw_b[k]);
		CHECK(rw_a[k] > 0);
	}
	recursive_read(&rw_default);
	rwlock_verbs(PTHREAD_RWLOCK_DEFAULT_NP);
	rwlock_verbs(PTHREAD_RWLOCK_PREFER_WRITER_NP);
	rwlock_verbs(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
}

/* ---- fork --------------------------------------------------------------- */

static pthread_mutex_t held_by_other = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t held_by_me = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t free_one = PTHREAD_MUTEX_INITIALIZER;
static pthread_rwlock_t free_rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t fm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fc = PTHREAD_COND_INITIALIZER;
static int holding, release_it;

static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&held_by_other);
	pthread_mutex_lock(&fm);
	holding = 1;
	pthread_cond_broadcast(&fc);
	while (!release_it)
		pthread_cond_wait(&fc, &fm);
	pthread_mutex_unlock(&fm);
	pthread_mutex_unlock(&held_by_other);
	return NULL;
}

static void test_fork(void)
{
	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	pthread_mutex_lock(&fm);
	while (!holding)
		pthread_cond_wait(&fc, &fm);
	pthread_mutex_unlock(&fm);
	pthread_mutex_lock(&held_by_me);
	pid_t pid = fork();
	if (pid == 0) {
		int bad = 0;
		/* as it was: held by a thread the child lacks */
		bad |= pthread_mutex_trylock(&held_by_other) != EBUSY;
		/* held by this thread: it may release it */
		bad |= pthread_mutex_unlock(&held_by_me) != 0;
		bad |= pthread_mutex_lock(&held_by_me) != 0;
		bad |= pthread_mutex_unlock(&held_by_me) != 0;
		/* free: usable, also with a second thread */
		bad |= pthread_mutex_lock(&free_one) != 0;
		bad |= pthread_mutex_unlock(&free_one) != 0;
		counter = 0;
		pthread_t c[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&c[i], NULL, bump, NULL);
		for (int i = 0; i < 2; i++)
			pthread_join(c[i], NULL);
		bad |= counter != 2L * ITERS;
		bad |= pthread_rwlock_wrlock(&free_rw) != 0;
		bad |= pthread_rwlock_unlock(&free_rw) != 0;
		struct timespec ts = in_ms(CLOCK_REALTIME, 10);
		pthread_mutex_lock(&fm);
		bad |= pthread_cond_timedwait(&fc, &fm, &ts) != ETIMEDOUT;
		pthread_mutex_unlock(&fm);
		_exit(bad ? 3 : 0);
	}
	CHECK(pid > 0);
	int st = -1;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pthread_mutex_unlock(&held_by_me);
	pthread_mutex_lock(&fm);
	release_it = 1;
	pthread_cond_broadcast(&fc);
	pthread_mutex_unlock(&fm);
	pthread_join(t, NULL);
	EQ(pthread_mutex_trylock(&held_by_other), 0);
	pthread_mutex_unlock(&held_by_other);
}

int main(void)
{
	check_provider();
	test_mutex();
	test_many();
	test_kinds();
	test_cond();
	test_rwlock();
	test_fork();
	if (failures) {
		fprintf(stderr, "%d checks failed (LATCHKIT_LOCK=%s)\n",
			failures, getenv("LATCHKIT_LOCK"));
		return 1;
	}
	printf("ok (LATCHKIT_LOCK=%s LATCHKIT_RWLOCK=%s)\n",
	       getenv("LATCHKIT_LOCK") ? getenv("LATCHKIT_LOCK") : "(unset)",
	       getenv("LATCHKIT_RWLOCK") ? getenv("LATCHKIT_RWLOCK")
					 : "(unset)");
	return 0;
}
