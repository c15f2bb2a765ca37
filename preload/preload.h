/*
 * preload/preload.h: what the parts of liblatchkit-preload.so share.
 *
 * liblatchkit-preload.so, loaded with LD_PRELOAD, puts an unmodified
 * program's pthread mutexes, condition variables and RW locks on latchkit
 * latches (README, "Run your program on latchkit"). The parts:
 *   init.c     LATCHKIT_LOCK / LATCHKIT_RWLOCK, glibc's own functions
 *              (dlsym(RTLD_NEXT, ...)), the constructor
 *   mutex.c    pthread_mutex_*: the latch inside the pthread object
 *   got.c      the programs' PLT slots of mutex lock/unlock, at load
 *   cond.c     pthread_cond_* on cond.h
 *   rwlock.c   pthread_rwlock_*, with a side table for latches too big
 *              for the object (brlock.h)
 *   profile.c  LATCHKIT_PROFILE: per-lock counters, the report at exit
 *
 * Which objects are latchkit's is decided per object, from its bytes, so
 * that statically initialised objects need no init call and a program can
 * mix kinds:
 *   mutex  glibc's __kind: 0 (normal/default) is latchkit's; 3 (adaptive,
 *          PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP) is made 0 at its first
 *          verb, once, so that the fast paths test for 0 alone; anything
 *          else (recursive, error-checking, robust, process-shared,
 *          priority inheritance or protection) is glibc's, and every verb
 *          on it goes to glibc.
 *   cond   glibc's __wrefs bit 0 (process-shared, set by glibc's init) is
 *          glibc's; the rest latchkit's.
 *   rwlock glibc's __shared nonzero (process-shared) is glibc's.
 *
 * glibc x86-64 layouts used: pthread_mutex_t 40 bytes: __kind at 16;
 * lk_mutex's word at 20 (__spins and __elision, unused by a normal
 * mutex), so that one 8-byte CAS at 16 tests the kind and takes the latch;
 * lk_ticket likewise, its gate word at 20 and the rest in [24, 32);
 * lk_mcs and lk_clh, their gate word at 20 and their queue's tail at 24
 * (__list.__prev); lk_tas and lk_ttas (one word, at 20); the profile
 * record's pointer in __list.__next (32). pthread_cond_t 48 bytes, lk_cond_t in [0, 24), the clock in
 * __g_signals (40); pthread_rwlock_t 56 bytes, the latch in [0, 24), the
 * writer's id in __cur_writer (24), __shared (28) and __flags (48) kept.
 */
#ifndef LATCHKIT_PRELOAD_H
#define LATCHKIT_PRELOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define PL_EXPORT __attribute__((visibility("default")))
#define pl_likely(x) __builtin_expect(!!(x), 1)
#define pl_unlikely(x) __builtin_expect(!!(x), 0)

/* The mutex algorithm. 0: not initialised yet. PL_GLIBC: every verb goes
 * to glibc (an unknown LATCHKIT_LOCK). */
enum pl_alg {
	PL_NONE = 0,
	PL_MUTEX,
	PL_TICKET,
	PL_MCS,
	PL_CLH,
	PL_TAS,
	PL_TTAS,
	PL_GLIBC,
	PL_NALG
};
/* The RW latch of writer-preferring objects (rwlock.c says which are). */
enum pl_rwalg {
	PL_RW_RWMUTEX = 1,
	PL_RW_RWLOCK,
	PL_RW_PFRWLOCK,
	PL_RW_BRLOCK,
	PL_RW_RPRWLOCK, /* every object on lk_rprwlock */
	PL_RW_GLIBC     /* RW locks stay glibc's */
};

/* pl_fast: the algorithm when not profiling, otherwise 0 (not
 * initialised, glibc, or profiling). */
extern int pl_fast;
extern int pl_alg;   /* the mutex algorithm, once initialised */
extern int pl_rwalg; /* the RW algorithm */
extern bool pl_prof; /* LATCHKIT_PROFILE is on */
extern const char *const pl_alg_names[PL_NALG];

/* glibc's own verbs, for objects of kinds latchkit leaves to glibc. */
struct pl_real {
	int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
	int (*mutex_destroy)(pthread_mutex_t *);
	int (*mutex_lock)(pthread_mutex_t *);
	int (*mutex_trylock)(pthread_mutex_t *);
	int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
	int (*mutex_clocklock)(pthread_mutex_t *, clockid_t,
			       const struct timespec *);
	int (*mutex_unlock)(pthread_mutex_t *);
	int (*cond_init)(pthread_cond_t *, const pthread_condattr_t *);
	int (*cond_destroy)(pthread_cond_t *);
	int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
	int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *,
			      const struct timespec *);
	int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
			      const struct timespec *);
	int (*cond_signal)(pthread_cond_t *);
	int (*cond_broadcast)(pthread_cond_t *);
	int (*rw_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
	int (*rw_destroy)(pthread_rwlock_t *);
	int (*rw_rdlock)(pthread_rwlock_t *);
	int (*rw_tryrdlock)(pthread_rwlock_t *);
	int (*rw_timedrdlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rw_clockrdlock)(pthread_rwlock_t *, clockid_t,
			      const struct timespec *);
	int (*rw_wrlock)(pthread_rwlock_t *);
	int (*rw_trywrlock)(pthread_rwlock_t *);
	int (*rw_timedwrlock)(pthread_rwlock_t *, const struct timespec *);
	int (*rw_clockwrlock)(pthread_rwlock_t *, clockid_t,
			      const struct timespec *);
	int (*rw_unlock)(pthread_rwlock_t *);
};
extern struct pl_real pl_real;

/* glibc's functions, once looked up (waits for pl_init's lookup). */
extern int pl_once; /* 2: pl_real is filled in */
struct pl_real *pl_real_wait(void);
static inline struct pl_real *pl_real_get(void)
{
	return pl_likely(__atomic_load_n(&pl_once, __ATOMIC_ACQUIRE) == 2)
		       ? &pl_real
		       : pl_real_wait();
}
#define PL_REAL (*pl_real_get())

/* Reads the environment and glibc's functions; idempotent, any thread. */
void pl_init(void);
static inline void pl_ready(void)
{
	if (pl_unlikely(__atomic_load_n(&pl_alg, __ATOMIC_ACQUIRE) == PL_NONE))
		pl_init();
}

/* An absolute time on `clock` as a CLOCK_MONOTONIC deadline in ns (never
 * 0); EINVAL for tv_nsec outside [0, 1e9), a negative tv_sec or an
 * unsupported clock. */
int pl_deadline(clockid_t clock, const struct timespec *abstime,
		uint64_t *deadline);

/* A small id for the calling thread (never 0). */
extern __thread uint32_t pl_tid_ __attribute__((tls_model("initial-exec")));
uint32_t pl_tid_slow(void);
static inline uint32_t pl_tid(void)
{
	uint32_t t = pl_tid_;
	return pl_likely(t) ? t : pl_tid_slow();
}

/* mutex.c's verbs on a latchkit mutex, for cond.c (they profile). */
void pl_mutex_release(void *m);
void pl_mutex_acquire(void *m);
bool pl_mutex_is_glibc(pthread_mutex_t *m);
/* Points pthread_mutex_lock and _unlock at the functions for alg (and the
 * profile); pl_init calls it before it publishes pl_alg. */
void pl_mutex_pick(int alg, bool prof);

/* got.c: the PLT slots of the n verbs names[] (now exported[], this
 * library's) in the loaded objects pointed at to[] (the constructor, after
 * pl_init); mutex.c's for the two mutex verbs. */
void pl_got_patch(int n, const char *const *names, void *const *exported,
		  void *const *to);
void pl_mutex_patch(void);
/* rwlock.c: the same for the three RW verbs (pl_init picks them before it
 * publishes pl_alg; the constructor patches). */
void pl_rwlock_pick(int alg, int rwalg);
void pl_rwlock_patch(void);

/* Where lk_mutex's word, lk_ticket, the gate word of lk_mcs and lk_clh,
 * lk_tas and lk_ttas are in a pthread_mutex_t. */
#define PL_MUTEX_OFF 20
static inline void *pl_mutex_latch(pthread_mutex_t *m)
{
	return (char *)m + PL_MUTEX_OFF;
}

/* ---- profile.c --------------------------------------------------------- */

#include <x86intrin.h>

#define PL_NSITE 3
#define PL_NHIST 192 /* 4 buckets per power of two, up to 2^48 ticks */
#define PL_SAMPLE 64 /* hold time: one acquisition in PL_SAMPLE, per thread */
#define PL_TC 256    /* a thread's acquisition counters, by record */
#define PL_REC_SIZE 1024

/* One profiled mutex, PL_REC_SIZE bytes and as aligned, in an array: the
 * n-th record made takes the thread counter n % PL_TC (no collisions among
 * a program's first PL_TC mutexes). acq, busy and the contended ones'
 * fields: atomic adds, outside the critical section (acq from the
 * threads' counters, the waits after the release); hold and held by the
 * holder, under the mutex, on hold samples only. */
struct pl_rec {
	pthread_mutex_t *addr;
	uint64_t acq, busy;
	uint64_t cont, wait, wait_max; /* contended acquisitions */
	uint64_t hold, held;           /* sampled holds: total, count */
	void *site[PL_NSITE];
	uint32_t hist[PL_NHIST];
} __attribute__((aligned(PL_REC_SIZE)));
_Static_assert(sizeof(struct pl_rec) == PL_REC_SIZE, "one record, 1 KB");

/* A thread's counters, in its own block, so that an uncontended
 * acquisition writes no line another thread reads: per record, a
 * direct-mapped counter (flushed into the record when another record
 * takes the slot, when the thread exits, and at the report); the
 * countdown to the next hold sample and the sample in progress. */
struct pl_thr {
	struct pl_thr *all;  /* every block made (never unmapped) */
	struct pl_thr *next; /* the free list: blocks of exited threads */
	uint32_t countdown;
	pthread_mutex_t *held_m; /* the sampled hold's mutex, or NULL */
	struct pl_rec *held_r;
	uint64_t held_t;
	struct pl_rec *wait_r; /* a contended acquisition's record, or NULL */
	uint64_t wait_w;       /* and its wait, for after the release */
	struct pl_rec *rec[PL_TC];
	uint64_t n[PL_TC];
};
extern __thread struct pl_thr *pl_thr_
	__attribute__((tls_model("initial-exec")));

/* Where a profiled mutex keeps its record's pointer. */
static inline struct pl_rec **pl_rec_slot(pthread_mutex_t *m)
{
	return (struct pl_rec **)(void *)&m->__data.__list.__next;
}

static inline uint64_t pl_ticks(void)
{
	return __rdtsc();
}

void pl_prof_init(void);
/* A record for m, made on first use with the caller's stack as its site;
 * NULL when the arena is full. */
struct pl_rec *pl_prof_new(pthread_mutex_t *m);
static inline struct pl_rec *pl_prof_rec(pthread_mutex_t *m)
{
	struct pl_rec *r = __atomic_load_n(pl_rec_slot(m), __ATOMIC_RELAXED);
	return pl_likely(r != NULL) ? r : pl_prof_new(m);
}
struct pl_thr *pl_thr_new(void); /* NULL: none to be had */
void pl_thr_evict(struct pl_thr *t, unsigned i, struct pl_rec *r);
void pl_prof_sample(struct pl_thr *t, pthread_mutex_t *m, struct pl_rec *r);
void pl_prof_hold_end(struct pl_thr *t);
/* The contended acquisition t keeps, into its record (atomic adds). */
void pl_prof_wait_flush(struct pl_thr *t);

/* The holder's bookkeeping: an acquisition (w: ticks waited, 0 when the
 * first try took it). */
static inline void pl_prof_acquired(pthread_mutex_t *m, uint64_t w)
{
	struct pl_rec *r = pl_prof_rec(m);
	struct pl_thr *t = pl_thr_;
	if (pl_unlikely(!r))
		return;
	if (pl_unlikely(!t) && !(t = pl_thr_new()))
		return;
	unsigned i = (unsigned)((uintptr_t)r / PL_REC_SIZE) % PL_TC;
	if (pl_unlikely(t->rec[i] != r))
		pl_thr_evict(t, i, r);
	t->n[i]++;
	if (pl_unlikely(w)) { /* into the record after the release */
		if (t->wait_r)
			pl_prof_wait_flush(t);
		t->wait_r = r;
		t->wait_w = w;
	}
	if (pl_unlikely(--t->countdown == 0))
		pl_prof_sample(t, m, r);
}

/* A failed trylock. */
static inline void pl_prof_busy(pthread_mutex_t *m)
{
	struct pl_rec *r = __atomic_load_n(pl_rec_slot(m), __ATOMIC_RELAXED);
	if (r)
		__atomic_fetch_add(&r->busy, 1, __ATOMIC_RELAXED);
}

/* A release, before the latch's: ends this thread's hold sample of m.
 * Returns the thread's block for pl_prof_released. */
static inline struct pl_thr *pl_prof_release(pthread_mutex_t *m)
{
	struct pl_thr *t = pl_thr_;
	if (pl_unlikely(t && t->held_m == m))
		pl_prof_hold_end(t);
	return t;
}

/* After the latch's release: a contended acquisition's wait goes into
 * the record now, so that the record's line moves between threads
 * outside the critical section. */
static inline void pl_prof_released(struct pl_thr *t)
{
	if (pl_unlikely(t && t->wait_r))
		pl_prof_wait_flush(t);
}

#endif
