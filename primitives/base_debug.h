/*
 * latchkit/base_debug.h: the LK_DEBUG misuse kit: the report that aborts
 * (lk__misuse), the caller's thread id, and the owner every latch tracks
 * under LK_DEBUG. Internal, one part of base.h (include that): not API.
 */
#ifndef LATCHKIT_BASE_DEBUG_H
#define LATCHKIT_BASE_DEBUG_H

#include "base_lang.h"
#include "base_sys.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- LK_DEBUG misuse checks -------------------------------------------- */

static inline void lk__misuse(const char *fn, const char *what)
{
	fprintf(stderr, "latchkit: %s: %s\n", fn, what);
	fflush(stderr);
	abort();
}

/* A nonzero id for the calling thread, the same in every translation unit.
 * pthread_t is an integer or a pointer, by platform: copy its bytes (a cast
 * is useless on one and needs reinterpret_cast on the other in C++). */
static inline uintptr_t lk__self(void)
{
	pthread_t t = pthread_self();
	uintptr_t id = 0;
	__builtin_memcpy(&id, &t, sizeof t < sizeof id ? sizeof t : sizeof id);
	return id | 1u;
}

#ifdef LK_DEBUG
#define LK__CHECK(cond, fn, what)                                              \
	do {                                                                   \
		if (lk__unlikely(!(cond)))                                     \
			lk__misuse(fn, what);                                  \
	} while (0)
#else
#define LK__CHECK(cond, fn, what) ((void)0)
#endif

/*
 * The debug owner kit: one home for the owner every latch tracks under
 * LK_DEBUG (for a reader-writer latch, its writer). A latch puts
 * LK__OWNER_FIELD last in its struct and LK__OWNER_INIT last in its static
 * initializer, calls lk__owner_check_relock() before it waits,
 * lk__owner_acquired() once it holds, and lk__owner_check_release() before
 * its release step. Without LK_DEBUG the field and every call vanish, and
 * the arguments are not evaluated. The _as forms take the misuse message,
 * for latches whose reports name their mode. Relaxed throughout: only the
 * owner stores its own id, and checks only compare it with the caller's.
 */
#ifdef LK_DEBUG
/* The owner's id is lk__self() with the pid folded in: a fork child's
 * thread has its parent's pthread_self(), and a process-shared latch must
 * not take one for the other. The pid is cached, forgotten in a child. */
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__debug_pid_;
LK__PROGRAM_WIDE LK_ATOMIC(uint32_t) lk__debug_atfork_;
static inline void lk__debug_forked_(void)
{
	atomic_store_explicit(&lk__debug_pid_, 0u, memory_order_relaxed);
}
static inline uint32_t lk__debug_pid(void)
{
	uint32_t pid = atomic_load_explicit(&lk__debug_pid_,
					    memory_order_relaxed);
#if LK_HAVE_FUTEX
	if (lk__unlikely(pid == 0)) {
		if (!atomic_exchange_explicit(&lk__debug_atfork_, 1u,
					      memory_order_relaxed))
			pthread_atfork(NULL, NULL, lk__debug_forked_);
		pid = LK__CAST(uint32_t, lk__syscall(SYS_getpid));
		atomic_store_explicit(&lk__debug_pid_, pid,
				      memory_order_relaxed);
	}
#endif
	return pid;
}
static inline uintptr_t lk__owner_self_(void)
{
	return lk__self() ^ (LK__CAST(uintptr_t, lk__debug_pid())
			     << (sizeof(uintptr_t) * 4));
}
#define LK__OWNER_FIELD LK_ATOMIC(uintptr_t) owner_;
#define LK__OWNER_INIT , LK__AINIT(0)
/* A latch that parks keeps its holder's pid beside its owner id (field
 * owner_pid_, 0 when free): a waiter that would park behind a private
 * latch held by another process (in memory both map, or a fork child's
 * copy of one its parent held) would sleep for ever, so it aborts with a
 * message instead. shared: the latch is process-shared, any pid goes. */
#define LK__PID_FIELD LK_ATOMIC(uint32_t) owner_pid_;
#define LK__PID_INIT , LK__AINIT(0)
#define lk__owner_pid_set(l, v)                                                \
	atomic_store_explicit(&(l)->owner_pid_, (v), memory_order_relaxed)
static inline void lk__owner_pid_check_(const LK_ATOMIC(uint32_t) *p,
					bool shared, const char *fn)
{
	/* one load: the holder may leave between two */
	uint32_t pid = atomic_load_explicit(p, memory_order_relaxed);
	LK__CHECK(shared || pid == 0 || pid == lk__debug_pid(), fn,
		  "a private latch is held by another process: use its "
		  "_init_shared() for memory that processes share");
}
#define lk__owner_pid_check(l, shared, fn)                                     \
	lk__owner_pid_check_(&(l)->owner_pid_, (shared), (fn))
static inline void lk__owner_clear(LK_ATOMIC(uintptr_t) *o)
{
	atomic_store_explicit(o, 0, memory_order_relaxed); /* compared only */
}
static inline void lk__owner_acquired(LK_ATOMIC(uintptr_t) *o)
{
	atomic_store_explicit(o, lk__owner_self_(), memory_order_relaxed); /* ditto */
}
/* Does the caller own it? Exact for the caller, who alone stores its id:
 * the latches' lk_NAME_is_held_by_me() queries. */
static inline bool lk__owner_is_self(const LK_ATOMIC(uintptr_t) *o)
{
	return atomic_load_explicit(o, memory_order_relaxed) ==
	       lk__owner_self_();
}
/* Waiting for a latch the caller holds would wait for ever: abort instead. */
static inline void lk__owner_check_relock_as(LK_ATOMIC(uintptr_t) *o,
					     const char *fn, const char *what)
{
	LK__CHECK(atomic_load_explicit(o, memory_order_relaxed) !=
			  lk__owner_self_(),
		  fn, what);
}
/* Only the owner may release or convert. Whether the latch was held at all
 * is the caller's check, made first, on its own state. */
static inline void lk__owner_check_mine_as(LK_ATOMIC(uintptr_t) *o,
					   const char *fn, const char *what)
{
	LK__CHECK(atomic_load_explicit(o, memory_order_relaxed) ==
			  lk__owner_self_(),
		  fn, what);
}
/* ... and on release forget it. */
static inline void lk__owner_release_as(LK_ATOMIC(uintptr_t) *o,
					const char *fn, const char *what)
{
	lk__owner_check_mine_as(o, fn, what);
	lk__owner_clear(o);
}
/* For a latch that knows no better than its owner whether it is held. */
static inline void lk__owner_check_release(LK_ATOMIC(uintptr_t) *o,
					   const char *fn)
{
	LK__CHECK(atomic_load_explicit(o, memory_order_relaxed) != 0, fn,
		  "unlock of a free lock");
	lk__owner_release_as(o, fn, "unlock by a non-owner");
}
#define lk__owner_check_relock(o, fn)                                          \
	lk__owner_check_relock_as(o, fn, "re-lock by the owner")
/* The reader-writer latches' owner is their writer; reports say so. */
#define lk__owner_check_wrrelock(o, fn)                                        \
	lk__owner_check_relock_as(o, fn,                                       \
				  "re-lock by the thread that holds it for writing")
#define lk__owner_wrrelease(o, fn)                                             \
	lk__owner_release_as(o, fn,                                            \
			     "write-unlock by a thread that does not hold it")
#else
#define LK__PID_FIELD
#define LK__PID_INIT
#define lk__owner_pid_set(l, v) ((void)0)
#define lk__owner_pid_check(l, shared, fn) ((void)0)
#define LK__OWNER_FIELD
#define LK__OWNER_INIT
#define lk__owner_clear(o) ((void)0)
#define lk__owner_acquired(o) ((void)0)
#define lk__owner_check_relock_as(o, fn, what) ((void)0)
#define lk__owner_check_mine_as(o, fn, what) ((void)0)
#define lk__owner_release_as(o, fn, what) ((void)0)
#define lk__owner_check_wrrelock(o, fn) ((void)0)
#define lk__owner_wrrelease(o, fn) ((void)0)
#define lk__owner_check_release(o, fn) ((void)0)
#define lk__owner_check_relock(o, fn) ((void)0)
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_BASE_DEBUG_H */
