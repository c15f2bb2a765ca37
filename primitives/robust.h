/*
 * latchkit/robust.h: a process-shared robust mutex: a locker finds a dead owner, takes the lock and is told so (EOWNERDEAD).
 *
 * Algorithm: a futex mutex (Drepper, "Futexes Are Tricky", mutex #3) whose
 * lock word names its owner, as the kernel's robust futexes and pthread's
 * PTHREAD_MUTEX_ROBUST do, with the owner's death found by a liveness check
 * instead of the kernel's robust list. The lock is one 64-bit word: the low
 * half, the futex word, holds the owner's thread id (TID) and two flags,
 * WAITERS (someone may sleep on the word) and OWNERDEAD (the holder took
 * it from a dead owner and has not called lk_robust_consistent() yet); the
 * high half holds the owner's start time, as /proc/TID/stat gives it
 * (field 22, clock ticks since boot, its low 32 bits). The owner writes TID
 * and start time with one CAS, so the pair a waiter reads is always one
 * owner's. A locker that finds the word held spins for the learnt cost of
 * parking, then checks the owner: it is dead if /proc/TID is gone, is a
 * zombie, or started at another time than the word says (its TID was
 * reused). A live owner: the locker sets WAITERS and parks on the shared
 * futex, waking every LK_ROBUST_POLL_NS (10 ms) to check again, since a
 * dead owner wakes no one. A dead owner: the locker CASes its own TID and
 * start time over the dead pair, with OWNERDEAD, and returns EOWNERDEAD:
 * it holds the lock, and the state the lock guards may be half-changed.
 * It repairs that state and calls lk_robust_consistent(), which clears
 * OWNERDEAD; if it unlocks without it, the word becomes NOTRECOVERABLE:
 * every lock from then on returns ENOTRECOVERABLE, until lk_robust_init()
 * (pthread_mutex_consistent(3) semantics). A holder that dies while
 * repairing passes EOWNERDEAD on to the next locker.
 *
 * Process-shared: always. The word holds no pointer and parks and wakes
 * with FUTEX_WAIT_BITSET/FUTEX_WAKE_BITSET without _PRIVATE, so a
 * lk_robust_t may live in memory that processes share (mmap MAP_SHARED,
 * shm_open) and be used by any thread of any of them.
 *
 * Limits of the liveness check: the processes must share one PID namespace
 * and see each other in /proc (not with hidepid=2 across users). A TID
 * reused by a thread that started in the same clock tick as the dead owner,
 * modulo 2^32 ticks (497 days at 100 Hz), is taken for the owner, and the
 * lock stays held until that thread exits. A thread's id and start time are
 * cached per thread and relearnt in a child after fork() (pthread_atfork);
 * a child made by a raw clone() or vfork() that then locks is not handled.
 * A dead owner is found only by a waiter's check: at the end of its spin,
 * then every LK_ROBUST_POLL_NS while it sleeps.
 *
 * Fairness and progress: none (barging, as mutex.h without its hand-off);
 * deadlock-free among live threads; a dead owner delays lockers by at most
 * one poll period. Uncontended lock is one CAS 0 -> (start << 32 | TID),
 * unlock one exchange to 0; a futex wake only when WAITERS was set.
 *
 * Verbs return an errno code, as pthread's robust mutex does: lock,
 * trylock and timedlock give 0 or EOWNERDEAD (acquired either way),
 * ENOTRECOVERABLE, EDEADLK (lock or timedlock by the owner), EBUSY
 * (trylock), ETIMEDOUT (timedlock); unlock gives 0 or EPERM (the caller
 * does not hold it: nothing done); lk_robust_consistent() 0 or EINVAL (the
 * caller does not hold it, or it is not in the owner-died state).
 *
 * Size: 8 bytes (one uint64_t); LK_DEBUG adds nothing: the word names its
 * owner in every build, so lk_robust_is_held_by_me() is always there.
 *
 * Memory orders:
 *   CAS(word, 0 or dead pair, mine, acquire / relaxed): the winner sees
 *       the previous critical section (a dead owner's too, so far as it
 *       released nothing: the state is what the dead process left).
 *   CAS(word, v, v | WAITERS, relaxed): only announces a sleeper; the
 *       owner's exchange reads it (one modification order).
 *   unlock: exchange(word, 0, release): publishes the critical section;
 *       it returns WAITERS, so a sleeper is never missed.
 *   unlock of an inconsistent lock: exchange(word, NOTRECOVERABLE,
 *       relaxed): no verb acquires after it (every later call reads the
 *       word relaxed and returns ENOTRECOVERABLE), so a release would
 *       pair with nothing (GenMC: robustd, release and relaxed alike pass).
 *   consistent: CAS(word, v, v & ~OWNERDEAD, relaxed): only the holder
 *       changes its state; its unlock's release publishes the repair.
 *   load(word, relaxed): decides what to try; a CAS that follows acquires.
 *   is_locked / is_held_by_me: load(word, relaxed): a hint, exact about
 *       the caller's own hold.
 *   GenMC (verify/wmm: robust with live owners, robustd with a dead one,
 *       through a mocked /proc): every acquire CAS, the dead-owner
 *       takeover's too, and the unlock's release, made relaxed, are caught
 *       under RC11 and IMM.
 */
#ifndef LATCHKIT_ROBUST_H
#define LATCHKIT_ROBUST_H

#include "base.h"

#include <errno.h>
#include <string.h>

#if !LK_HAVE_FUTEX
#error "latchkit/robust.h needs Linux: futex(2) and /proc"
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_ROBUST_POLL_NS
#define LK_ROBUST_POLL_NS 10000000u /* a sleeper checks the owner this often */
#endif

#define LK_ROBUST_TID_ 0x3fffffffu      /* the owner's TID (pid_max <= 2^22) */
#define LK_ROBUST_DEAD_ 0x40000000u     /* OWNERDEAD: not yet consistent */
#define LK_ROBUST_WAITERS_ 0x80000000u  /* someone may sleep on the word */
#define LK_ROBUST_NOTREC_ LK_ROBUST_TID_ /* unusable: no thread has this id */
/* The owner's identity in the word: TID and start time, not the flags. A
 * TID alone could be a dead owner's, now reused by the caller. */
#define LK__ROBUST_ID(v)                                                      \
	((v) & ~LK__CAST(uint64_t, LK_ROBUST_DEAD_ | LK_ROBUST_WAITERS_))

typedef struct {
	union {
		LK_ATOMIC(uint64_t) both;   /* start << 32 | flags | TID */
		LK_ATOMIC(uint32_t) half[2]; /* half[LK__LO_HALF]: the futex word */
	} w_;
} lk_robust_t;

#define LK_ROBUST_INIT {{LK__AINIT(0)}}

/* The calling thread's TID and start time, cached per thread; a fork bumps
 * lk__robust_forks_ in the child, which relearns them. */
typedef struct {
	uint32_t tid, start, forks;
} lk__robust_self_t;
LK__PROGRAM_WIDE LK_THREAD_LOCAL lk__robust_self_t lk__robust_me_;
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__robust_forks_;
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__robust_atfork_;

static inline void lk__robust_child_(void)
{
	atomic_fetch_add_explicit(&lk__robust_forks_, 1u, memory_order_relaxed);
}

LK__COLD void lk__robust_learn_(lk__robust_self_t *m)
{
	if (!atomic_exchange_explicit(&lk__robust_atfork_, 1u,
				      memory_order_relaxed))
		pthread_atfork(NULL, NULL, lk__robust_child_);
	m->forks = atomic_load_explicit(&lk__robust_forks_,
					memory_order_relaxed);
	m->tid = LK__CAST(uint32_t, lk__syscall(SYS_gettid));
	m->start = 0;
	lk__proc_stat_(m->tid, &m->start);
}

static inline const lk__robust_self_t *lk__robust_self_(void)
{
	lk__robust_self_t *m = &lk__robust_me_;
	if (lk__unlikely(m->tid == 0 ||
			 m->forks != atomic_load_explicit(&lk__robust_forks_,
							  memory_order_relaxed)))
		lk__robust_learn_(m);
	return m;
}

static inline uint64_t lk__robust_mine_(const lk__robust_self_t *m)
{
	return LK__CAST(uint64_t, m->start) << 32 | m->tid;
}

/* Is the owner named by v dead? */
LK__COLD bool lk__robust_dead_(uint64_t v)
{
	uint32_t start = 0;
	int r = lk__proc_stat_(LK__CAST(uint32_t, v) & LK_ROBUST_TID_, &start);
	return r == 1 || (r == 0 && start != LK__CAST(uint32_t, v >> 32));
}

static inline uint64_t lk__robust_poll_(uint64_t deadline)
{
	uint64_t p = lk__now_ns() + LK_ROBUST_POLL_NS;
	return deadline && deadline < p ? deadline : p;
}

/* deadline 0: none. try_: never wait. */
LK__COLD int lk__robust_slow_(lk_robust_t *l, uint64_t deadline, bool try_)
{
	const lk__robust_self_t *me = lk__robust_self_();
	uint64_t mine = lk__robust_mine_(me);
	uint64_t wbit = 0; /* WAITERS, once this thread has announced itself */
	lk__wait_t w = lk__wait_start(lk__robust_poll_(deadline));
	w.shared = true;
	for (;;) {
		uint64_t v = atomic_load_explicit(&l->w_.both,
						  memory_order_relaxed);
		uint32_t lo = LK__CAST(uint32_t, v);
		uint32_t tid = lo & LK_ROBUST_TID_;
		if (tid == 0) {
			if (atomic_compare_exchange_strong_explicit(
				    &l->w_.both, &v, mine | wbit,
				    memory_order_acquire, memory_order_relaxed))
				return 0;
			continue;
		}
		if (tid == LK_ROBUST_NOTREC_)
			return ENOTRECOVERABLE;
		if (LK__ROBUST_ID(v) == mine)
			return try_ ? EBUSY : EDEADLK;
		if (try_ || lk__wait_would_park(&w)) {
			if (lk__robust_dead_(v)) {
				uint64_t n = mine | LK_ROBUST_DEAD_ |
					     (lo & LK_ROBUST_WAITERS_) | wbit;
				if (atomic_compare_exchange_strong_explicit(
					    &l->w_.both, &v, n,
					    memory_order_acquire,
					    memory_order_relaxed))
					return EOWNERDEAD;
				continue;
			}
			if (try_)
				return EBUSY;
			if (!(lo & LK_ROBUST_WAITERS_)) {
				if (!atomic_compare_exchange_strong_explicit(
					    &l->w_.both, &v,
					    v | LK_ROBUST_WAITERS_,
					    memory_order_relaxed,
					    memory_order_relaxed))
					continue;
				lo |= LK_ROBUST_WAITERS_;
			}
			wbit = LK_ROBUST_WAITERS_;
		}
		if (!lk__wait(&w, &l->w_.half[LK__LO_HALF], lo)) {
			if (deadline && lk__now_ns() >= deadline)
				return ETIMEDOUT;
			w.deadline = lk__robust_poll_(deadline);
		}
	}
}

/* Makes it free and usable (also after ENOTRECOVERABLE). Not while anyone
 * may use it. */
static inline void lk_robust_init(lk_robust_t *l)
{
	atomic_store_explicit(&l->w_.both, 0u, memory_order_relaxed);
	lk__tsan_init(l);
}

/* Takes the lock, waiting as long as it takes. 0; EOWNERDEAD: acquired
 * from a dead owner, the guarded state may be inconsistent; ENOTRECOVERABLE;
 * EDEADLK: the caller holds it. */
static inline int lk_robust_lock(lk_robust_t *l)
{
	lk__tsan_pre_lock(l, 0);
	uint64_t v = 0;
	int rc = 0;
	if (!lk__likely(atomic_compare_exchange_strong_explicit(
		    &l->w_.both, &v, lk__robust_mine_(lk__robust_self_()),
		    memory_order_acquire, memory_order_relaxed)))
		rc = lk__robust_slow_(l, 0, false);
	lk__tsan_post_lock(l, 0, rc == 0 || rc == EOWNERDEAD);
	return rc;
}

/* Never waits: 0, EOWNERDEAD (acquired), EBUSY, ENOTRECOVERABLE. A held
 * lock costs a read of its owner's /proc entry. */
static inline int lk_robust_trylock(lk_robust_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	uint64_t v = 0;
	int rc = 0;
	if (!atomic_compare_exchange_strong_explicit(
		    &l->w_.both, &v, lk__robust_mine_(lk__robust_self_()),
		    memory_order_acquire, memory_order_relaxed))
		rc = lk__robust_slow_(l, 0, true);
	lk__tsan_post_lock(l, LK__TSAN_TRY, rc == 0 || rc == EOWNERDEAD);
	return rc;
}

/* As lock, for at most timeout_ns (relative): also ETIMEDOUT. */
static inline int lk_robust_timedlock(lk_robust_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	uint64_t v = 0;
	int rc = 0;
	if (!atomic_compare_exchange_strong_explicit(
		    &l->w_.both, &v, lk__robust_mine_(lk__robust_self_()),
		    memory_order_acquire, memory_order_relaxed))
		rc = lk__robust_slow_(l, lk__deadline(timeout_ns), false);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, rc == 0 || rc == EOWNERDEAD);
	return rc;
}

/* Releases it: 0, or EPERM when the caller does not hold it (nothing
 * done). Held in the owner-died state (no lk_robust_consistent()), it
 * becomes not recoverable and every waiter is woken to learn so. */
static inline int lk_robust_unlock(lk_robust_t *l)
{
	uint64_t v = atomic_load_explicit(&l->w_.both, memory_order_relaxed);
	if (LK__ROBUST_ID(v) != lk__robust_mine_(lk__robust_self_()))
		return EPERM;
	lk__tsan_pre_unlock(l, 0);
	if (lk__unlikely(v & LK_ROBUST_DEAD_)) {
		atomic_exchange_explicit(&l->w_.both, LK_ROBUST_NOTREC_,
					 memory_order_relaxed);
		lk__futex_wake_shared(&l->w_.half[LK__LO_HALF], INT32_MAX,
				      LK__FUTEX_ANY);
	} else if (atomic_exchange_explicit(&l->w_.both, 0u,
					    memory_order_release) &
		   LK_ROBUST_WAITERS_) {
		lk__futex_wake_shared(&l->w_.half[LK__LO_HALF], 1,
				      LK__FUTEX_ANY);
	}
	lk__tsan_post_unlock(l, 0);
	return 0;
}

/* After EOWNERDEAD, once the guarded state is repaired: the lock is
 * usable again. 0, or EINVAL when the caller does not hold it or it is not
 * in the owner-died state (nothing done). */
static inline int lk_robust_consistent(lk_robust_t *l)
{
	uint64_t mine = lk__robust_mine_(lk__robust_self_());
	uint64_t v = atomic_load_explicit(&l->w_.both, memory_order_relaxed);
	for (;;) {
		if (LK__ROBUST_ID(v) != mine ||
		    !(v & LK_ROBUST_DEAD_))
			return EINVAL;
		if (atomic_compare_exchange_weak_explicit(
			    &l->w_.both, &v, v & ~LK__CAST(uint64_t, LK_ROBUST_DEAD_),
			    memory_order_relaxed, memory_order_relaxed))
			return 0;
	}
}

/* Held, by anyone (a dead owner too)? A racy hint; false once not
 * recoverable. */
static inline bool lk_robust_is_locked(const lk_robust_t *l)
{
	uint32_t t = LK__CAST(uint32_t, atomic_load_explicit(
						 &l->w_.both, memory_order_relaxed)) &
		     LK_ROBUST_TID_;
	return t != 0 && t != LK_ROBUST_NOTREC_;
}

/* Held by the calling thread? Exact, in every build. */
static inline bool lk_robust_is_held_by_me(const lk_robust_t *l)
{
	uint64_t v = atomic_load_explicit(&l->w_.both, memory_order_relaxed);
	return LK__ROBUST_ID(v) == lk__robust_mine_(lk__robust_self_());
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_ROBUST_H */
