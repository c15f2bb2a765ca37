/*
 * latchkit/once.h: run a function exactly once; the done path is one
 * acquire load.
 *
 * Algorithm: one 32-bit word, the futex word, moves NEW -> RUNNING -> DONE
 * and never back (the shape of glibc's pthread_once and of Rust's
 * std::sync::Once, with the futex protocol of Drepper, "Futexes Are
 * Tricky", 2011). lk_once() loads the word with acquire: DONE returns at
 * once, and that load is the whole done path, inlined (no call, no
 * store, no fence: on x86-64 gcc and clang make it mov, cmp, jne to the
 * cold slow path; callgrind counts 6 instructions per call in the bench
 * loop, loop included, against pthread_once's 12). Otherwise the slow
 * path, out of line: a CAS NEW -> RUNNING elects the one caller that runs
 * fn; it then swaps in DONE with release and, if the WAITERS bit was set,
 * wakes every sleeper. Any other caller finds RUNNING and waits through
 * lk__wait(): it spins for the learnt cost of parking, then sets WAITERS
 * (a CAS) and parks on the word while it reads RUNNING|WAITERS; a
 * runner's swap changes the word, so a wake cannot be lost. A waiter
 * never spins for ever: a long fn parks everyone.
 *
 * Guarantees: fn runs exactly once per lk_once_t, however many threads
 * call; every call returns only after fn has returned, and fn's effects
 * happen before the return of every call (the acquire that reads DONE
 * synchronizes with the runner's release). A call that returns has seen
 * DONE; a call that finds DONE does nothing else.
 *
 * Recursion: fn must not call lk_once on the object that is running it,
 * nor wait for a thread that does: it would wait for itself for ever.
 * With LK_DEBUG the runner records its thread, and a call from that
 * thread on the running object aborts: "latchkit: lk_once: fn called
 * lk_once on the object it is running for (it would wait for itself)"
 * (lk_once_ctx names itself); a wait through another thread is not
 * detected. Without LK_DEBUG it deadlocks, as pthread_once does.
 *
 * Unwinding: fn must return. In C it may not leave by longjmp, nor be
 * cancelled (pthread_cancel) inside: the word would stay RUNNING and
 * every later caller would wait for ever (pthread_once undoes a
 * cancellation; this once does not). Compiled as C++, fn is called from a
 * noexcept lambda, so an exception that leaves fn calls std::terminate
 * rather than leaving the once running (std::call_once instead lets
 * another caller try again).
 *
 * Progress: the done path is wait-free (one load). Before DONE, callers
 * block until the runner returns; the runner itself is not delayed.
 * Fairness: none is needed: every waiter is released by the one swap.
 *
 * Process-shared: LK_ONCE_INIT_SHARED or lk_once_init_shared(): NEW and
 * RUNNING carry SHARED (8), so waits park and the runner wakes on shared
 * futexes (no _PRIVATE); DONE is stored alone (final: nothing parks after
 * it), so the done path compares as before. fn runs in one process; its
 * effects must be in shared memory to be seen by the others.
 *
 * Size: 4 bytes (one uint32_t); LK_DEBUG adds the runner's id.
 *
 * ThreadSanitizer: not a mutex (nothing is held once it returns), so it is
 * annotated (base.h) as a happens-before edge on the object: the runner
 * releases it after fn returns, and the swap to DONE and the wake are
 * framed as a signal, which TSan ignores; every return that has read DONE
 * (the done path of lk_once and lk_once_ctx, the slow path's, and a true
 * lk_once_is_done) acquires it. So fn's effects happen before every
 * caller's return as TSan sees it, and what the runner does after its own
 * call returns is ordered with nobody. The runner's return needs no edge
 * (it ran fn), nor do the slow path's CASes (they publish nothing). fn
 * runs outside any pair: TSan checks it as it checks the caller. No lock
 * order: a call that waits for the runner is not a lock.
 *
 * Memory orders:
 *   done path load(state, acquire): reading DONE, the caller sees fn's
 *       effects (pairs with the runner's release swap).
 *   slow path loads (acquire): the same, when they read DONE.
 *   CAS(state, NEW, RUNNING, acquire / acquire): on failure the value
 *       read may be DONE, and then the caller returns: acquire (the
 *       winner needs nothing, but C11 forbids a failure order stronger
 *       than the success order; it is the slow path).
 *   CAS(state, RUNNING, RUNNING|WAITERS, acquire / acquire): announces a
 *       sleeper, and the runner's swap is ordered after it (one word); a
 *       failure may read DONE: acquire, hence on success too.
 *   swap(state, DONE, release): publishes fn's effects; it returns the
 *       WAITERS bit set by any sleeper before it (same word, so no
 *       store-load pair is needed).
 *   is_done load(state, acquire): true means fn's effects are visible.
 *   debug runner id: relaxed, compared with the caller's own id.
 */
#ifndef LATCHKIT_ONCE_H
#define LATCHKIT_ONCE_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK_ONCE_NEW_ 0u
#define LK_ONCE_RUNNING_ 1u
#define LK_ONCE_WAITERS_ 2u
#define LK_ONCE_DONE_ 4u
/* A process-shared once's NEW and RUNNING carry SHARED; DONE is stored
 * alone (it is final: nothing parks after it). */
#define LK_ONCE_SHARED_ 8u

typedef struct {
	LK_ATOMIC(uint32_t) state; /* the futex word */
	LK__OWNER_FIELD            /* LK_DEBUG: the runner, while it runs */
} lk_once_t;

#define LK_ONCE_INIT {LK__AINIT(0) LK__OWNER_INIT}
/* A once that processes share (in MAP_SHARED memory; fn runs in one of
 * them): parks and wakes on shared futexes. */
#define LK_ONCE_INIT_SHARED {LK__AINIT(LK_ONCE_SHARED_) LK__OWNER_INIT}

/* Makes o new again, as LK_ONCE_INIT. Only while no thread uses it. */
static inline void lk_once_init(lk_once_t *o)
{
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&o->state, LK_ONCE_NEW_, memory_order_relaxed);
	lk__owner_clear(&o->owner_);
}

/* As lk_once_init, for a process-shared once (LK_ONCE_INIT_SHARED). */
static inline void lk_once_init_shared(lk_once_t *o)
{
	atomic_store_explicit(&o->state, LK_ONCE_SHARED_, memory_order_relaxed);
	lk__owner_clear(&o->owner_);
}

/* The call itself; in C++ from a noexcept lambda: an exception that leaves
 * fn terminates the program instead of leaving the once running. */
static inline void lk_once_call_(void (*f0)(void), void (*f1)(void *),
				 void *arg)
{
#ifdef __cplusplus
	[=]() noexcept {
		if (f0)
			f0();
		else
			f1(arg);
	}();
#else
	if (f0)
		f0();
	else
		f1(arg);
#endif
}

#define LK_ONCE_SELF_CALL_                                                     \
	"fn called lk_once on the object it is running for (it would wait "    \
	"for itself)"

LK__COLD void lk_once_slow_(lk_once_t *o, void (*f0)(void),
			    void (*f1)(void *), void *arg)
{
	lk__wait_t w = lk__wait_start(0);
	/* acquire: DONE read here must show fn's effects */
	uint32_t s = atomic_load_explicit(&o->state, memory_order_acquire);
	for (;;) {
		if (s == LK_ONCE_DONE_) {
			lk__tsan_acquire(o); /* fn's effects, for TSan */
			return;
		}
		if ((s & ~LK_ONCE_SHARED_) == LK_ONCE_NEW_) {
			/* acquire on failure: s may read DONE (C11 wants
			 * the success order as strong) */
			if (!atomic_compare_exchange_strong_explicit(
				    &o->state, &s,
				    LK_ONCE_RUNNING_ | (s & LK_ONCE_SHARED_),
				    memory_order_acquire,
				    memory_order_acquire))
				continue;
			lk__owner_acquired(&o->owner_);
			lk_once_call_(f0, f1, arg);
			lk__owner_clear(&o->owner_);
			lk__tsan_release(o);
			lk__tsan_pre_signal(o);
			/* release: publishes fn's effects with DONE */
			uint32_t old = atomic_exchange_explicit(
				&o->state, LK_ONCE_DONE_, memory_order_release);
			if ((old & LK_ONCE_WAITERS_) &&
			    (old & LK_ONCE_SHARED_))
				lk__futex_wake_shared(&o->state, INT32_MAX,
						      LK__FUTEX_ANY);
			else if (old & LK_ONCE_WAITERS_)
				lk__futex_wake(&o->state, INT32_MAX);
			lk__tsan_post_signal(o);
			return;
		}
		/* RUNNING: by another thread, or (a bug) by this one */
		if (f0)
			lk__owner_check_relock_as(&o->owner_, "lk_once",
						  LK_ONCE_SELF_CALL_);
		else
			lk__owner_check_relock_as(&o->owner_, "lk_once_ctx",
						  LK_ONCE_SELF_CALL_);
		if (lk__wait_would_park(&w) && !(s & LK_ONCE_WAITERS_)) {
			/* announces a sleeper; acquire on failure: s may
			 * read DONE (C11 wants the success order as
			 * strong) */
			if (!atomic_compare_exchange_strong_explicit(
				    &o->state, &s, s | LK_ONCE_WAITERS_,
				    memory_order_acquire,
				    memory_order_acquire))
				continue;
			s |= LK_ONCE_WAITERS_;
		}
		w.shared = s & LK_ONCE_SHARED_;
		lk__wait(&w, &o->state, s);
		s = atomic_load_explicit(&o->state, memory_order_acquire);
	}
}

/* Runs fn() if no call on o has run it yet; returns once it has run (here
 * or in another thread) and its effects are visible. The done path is one
 * acquire load. fn must return, and must not call lk_once on o. */
static inline void lk_once(lk_once_t *o, void (*fn)(void))
{
	/* acquire: pairs with the runner's release swap */
	if (lk__likely(atomic_load_explicit(&o->state, memory_order_acquire) ==
		       LK_ONCE_DONE_)) {
		lk__tsan_acquire(o);
		return;
	}
	lk_once_slow_(o, fn, NULL, NULL);
}

/* lk_once with a context: runs fn(arg) once; the same rules. arg is passed
 * only to the call that runs fn (the others' args are ignored). */
static inline void lk_once_ctx(lk_once_t *o, void (*fn)(void *), void *arg)
{
	/* acquire: pairs with the runner's release swap */
	if (lk__likely(atomic_load_explicit(&o->state, memory_order_acquire) ==
		       LK_ONCE_DONE_)) {
		lk__tsan_acquire(o);
		return;
	}
	lk_once_slow_(o, NULL, fn, arg);
}

/* Has fn run to completion? True means its effects are visible to the
 * caller (an acquire load); false may be stale by the time it is used. */
static inline bool lk_once_is_done(const lk_once_t *o)
{
	/* acquire: a true answer shows fn's effects */
	return lk__tsan_acquired(o, atomic_load_explicit(&o->state,
							 memory_order_acquire) ==
					    LK_ONCE_DONE_);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_ONCE_H */
