/*
 * preload/init.c: LATCHKIT_LOCK, LATCHKIT_RWLOCK, glibc's own functions.
 *
 * LATCHKIT_LOCK unset: lk_mutex. Set to a name below: that algorithm. Set
 * to anything else, empty included: one line on stderr, and every verb of
 * every object (mutexes, conds, RW locks) goes to glibc. LATCHKIT_RWLOCK
 * unset: rwmutex; unknown: one line on stderr and rwmutex.
 *
 * Initialisation is lazy (the first verb of any thread) as well as in the
 * constructor: other libraries' constructors may lock before ours runs.
 * One thread runs it; it publishes the algorithm first (pl_alg, release),
 * then looks up glibc's functions (dlsym), then sets `pl_once` to 2
 * (release). A verb that needs glibc's function goes through PL_REAL,
 * which waits for that. So a call back into the verbs from inside dlsym
 * (an allocator that locks pthread mutexes, as jemalloc does) works on
 * latchkit's objects; only a glibc-kind object there cannot be served.
 */
#include "preload.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pl_fast;
int pl_alg;
int pl_rwalg = PL_RW_RWMUTEX;
bool pl_prof;
struct pl_real pl_real;
__thread uint32_t pl_tid_ __attribute__((tls_model("initial-exec")));

const char *const pl_alg_names[PL_NALG] = {
	[PL_NONE] = "?",    [PL_MUTEX] = "mutex", [PL_TICKET] = "ticket",
	[PL_MCS] = "mcs",   [PL_CLH] = "clh",     [PL_TAS] = "tas",
	[PL_TTAS] = "ttas", [PL_GLIBC] = "glibc",
};
static const char *const rw_names[] = {"", "rwmutex", "rwlock", "pfrwlock",
				       "brlock", "rprwlock", "glibc"};

uint32_t pl_tid_slow(void)
{
	static uint32_t next;
	pl_tid_ = __atomic_add_fetch(&next, 1, __ATOMIC_RELAXED);
	return pl_tid_;
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		/* glibc 2.34+ defines them all; without one, that verb of a
		 * glibc object cannot be served. */
		fprintf(stderr, "latchkit-preload: dlsym(%s) failed\n", name);
		abort();
	}
	return f;
}

#define REAL(field, name) (*(void **)&pl_real.field = real(name))

static int parse_lock(const char *v)
{
	if (!v)
		return PL_MUTEX;
	for (int a = PL_MUTEX; a < PL_GLIBC; a++)
		if (!strcmp(v, pl_alg_names[a]))
			return a;
	if (!strcmp(v, "glibc"))
		return PL_GLIBC;
	fprintf(stderr,
		"latchkit-preload: unknown LATCHKIT_LOCK \"%s\" (mutex ticket "
		"mcs clh tas ttas glibc); running on glibc's locks\n",
		v);
	return PL_GLIBC;
}

static int parse_rw(const char *v)
{
	if (!v)
		return PL_RW_RWMUTEX;
	for (int a = PL_RW_RWMUTEX; a <= PL_RW_GLIBC; a++)
		if (!strcmp(v, rw_names[a]))
			return a;
	fprintf(stderr,
		"latchkit-preload: unknown LATCHKIT_RWLOCK \"%s\" (rwmutex "
		"rwlock pfrwlock brlock rprwlock glibc); using rwmutex\n",
		v);
	return PL_RW_RWMUTEX;
}

/* 0 before, 1 while, 2 once glibc's functions are in pl_real. */
int pl_once;
/* This thread is inside pl_init: dlsym, backtrace or an allocator that
 * locks pthread mutexes of its own (jemalloc) may call back in. */
static __thread bool initing __attribute__((tls_model("initial-exec")));

void pl_init(void)
{
	if (initing)
		return; /* called back: pl_alg is out already */
	int expect = 0;
	if (!__atomic_compare_exchange_n(&pl_once, &expect, 1, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		/* Another thread initialises: wait for the algorithm, which
		 * it publishes before anything that could call back. */
		while (__atomic_load_n(&pl_alg, __ATOMIC_ACQUIRE) == PL_NONE)
			__builtin_ia32_pause();
		return;
	}
	initing = true;
	/* First the choice (getenv and strcmp lock nothing), published at
	 * once: a call back from dlsym below runs on it. */
	int alg = parse_lock(getenv("LATCHKIT_LOCK"));
	pl_rwalg = parse_rw(getenv("LATCHKIT_RWLOCK"));
	const char *p = getenv("LATCHKIT_PROFILE");
	pl_prof = alg != PL_GLIBC && p && *p && strcmp(p, "0") != 0;
	__atomic_store_n(&pl_fast, pl_prof || alg == PL_GLIBC ? 0 : alg,
			 __ATOMIC_RELAXED);
	pl_mutex_pick(alg, pl_prof);
	pl_rwlock_pick(alg, pl_rwalg);
	__atomic_store_n(&pl_alg, alg, __ATOMIC_RELEASE);
	REAL(mutex_init, "pthread_mutex_init");
	REAL(mutex_destroy, "pthread_mutex_destroy");
	REAL(mutex_lock, "pthread_mutex_lock");
	REAL(mutex_trylock, "pthread_mutex_trylock");
	REAL(mutex_timedlock, "pthread_mutex_timedlock");
	REAL(mutex_clocklock, "pthread_mutex_clocklock");
	REAL(mutex_unlock, "pthread_mutex_unlock");
	REAL(cond_init, "pthread_cond_init");
	REAL(cond_destroy, "pthread_cond_destroy");
	REAL(cond_wait, "pthread_cond_wait");
	REAL(cond_timedwait, "pthread_cond_timedwait");
	REAL(cond_clockwait, "pthread_cond_clockwait");
	REAL(cond_signal, "pthread_cond_signal");
	REAL(cond_broadcast, "pthread_cond_broadcast");
	REAL(rw_init, "pthread_rwlock_init");
	REAL(rw_destroy, "pthread_rwlock_destroy");
	REAL(rw_rdlock, "pthread_rwlock_rdlock");
	REAL(rw_tryrdlock, "pthread_rwlock_tryrdlock");
	REAL(rw_timedrdlock, "pthread_rwlock_timedrdlock");
	REAL(rw_clockrdlock, "pthread_rwlock_clockrdlock");
	REAL(rw_wrlock, "pthread_rwlock_wrlock");
	REAL(rw_trywrlock, "pthread_rwlock_trywrlock");
	REAL(rw_timedwrlock, "pthread_rwlock_timedwrlock");
	REAL(rw_clockwrlock, "pthread_rwlock_clockwrlock");
	REAL(rw_unlock, "pthread_rwlock_unlock");
	__atomic_store_n(&pl_once, 2, __ATOMIC_RELEASE);
	if (pl_prof)
		pl_prof_init(); /* until it is done, no mutex gets a record */
	initing = false;
}

struct pl_real *pl_real_wait(void)
{
	if (initing) {
		/* glibc's functions are being looked up by this very thread,
		 * and something it called needs one (a glibc-kind mutex, or
		 * LATCHKIT_LOCK=glibc): nothing can serve it. */
		fprintf(stderr, "latchkit-preload: glibc's locks are needed "
				"before they are found (dlsym called back)\n");
		abort();
	}
	while (__atomic_load_n(&pl_once, __ATOMIC_ACQUIRE) != 2)
		__builtin_ia32_pause();
	return &pl_real;
}

__attribute__((constructor)) static void pl_ctor(void)
{
	pl_ready();
	pl_mutex_patch(); /* every object loaded with the program is
			   * relocated by now */
	pl_rwlock_patch();
}

int pl_deadline(clockid_t clock, const struct timespec *abstime,
		uint64_t *deadline)
{
	if (!abstime || abstime->tv_sec < 0 || abstime->tv_nsec < 0 ||
	    abstime->tv_nsec >= 1000000000L)
		return EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	struct timespec now, mono;
	clock_gettime(clock, &now);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	int64_t left = (int64_t)(abstime->tv_sec - now.tv_sec) * 1000000000 +
		       (abstime->tv_nsec - now.tv_nsec);
	uint64_t m = (uint64_t)mono.tv_sec * 1000000000u +
		     (uint64_t)mono.tv_nsec;
	if (left <= 0)
		*deadline = m ? m : 1;
	else
		*deadline = m + (uint64_t)left;
	return 0;
}
