/*
 * latchkit/reentrant.h: a reentrant (recursive) wrapper over any mutex of
 * latchkit: an owner id and a depth beside the base latch (the scheme of
 * POSIX PTHREAD_MUTEX_RECURSIVE and Java's ReentrantLock).
 *
 *   LK_REENTRANT_DEFINE(name, base)         base has lock/trylock/timedlock
 *   LK_REENTRANT_DEFINE_NOTIMED(name, base) base has no timedlock
 * generate lk_name_t and lk_name_init/lock/trylock/[timedlock]/unlock over
 * lk_base_t, and the queries lk_name_depth, lk_name_is_locked (a racy hint,
 * for assertions: held by any thread?) and lk_name_is_held_by_me (exact;
 * with or without LK_DEBUG, as the owner is always tracked). Initialise statically with LK_REENTRANT_INIT(LK_BASE_INIT).
 * Predefined: lk_rmutex (over lk_mutex) and lk_rttas (over lk_ttas).
 *
 * The owner re-locks by bumping the depth, without touching the base; the
 * last unlock clears the owner and unlocks the base. Thread ids are
 * base.h's lk__self() (from pthread_self()), equal in every translation unit.
 *
 * Progress and fairness: those of the base latch; a re-lock by the owner is
 * wait-free.
 *
 * Process-shared: no. Its owner is pthread_self(), which repeats across
 * processes (a fork child's thread has its parent's).
 *
 * Size: 8 (owner) + sizeof(base) + 4 (depth), padded: 16 bytes for lk_rmutex
 * and lk_rttas (more with LK_DEBUG, whose bases grow).
 *
 * ThreadSanitizer: the base latch's annotations (base.h) are the wrapper's:
 * TSan sees the base (at &r->lock, created by lk_name_init) locked by the
 * first lock and unlocked by the last unlock, which is what orders the
 * owners, and its reports name it. A re-lock by the owner touches no
 * shared state and needs no ordering, so TSan sees nothing of it.
 *
 * Memory orders:
 *   owner load (is it me?)  relaxed  it reads our id only if we stored it:
 *                                    the last store we made is either our id
 *                                    (we hold it; coherence shows it to us)
 *                                    or 0 (our release); other threads store
 *                                    only their own ids or 0. So a stale
 *                                    value is never our id by mistake.
 *   owner store             relaxed  read only through the check above; the
 *                                    data is ordered by the base latch
 *   depth                   plain    only the holder touches it, ordered by
 *                                    the base latch
 *   owner load (is_locked)  relaxed  a hint that orders nothing; exact about
 *                                    the caller's own hold, as above
 */
#ifndef LATCHKIT_REENTRANT_H
#define LATCHKIT_REENTRANT_H

#include "base.h"
#include "mutex.h"
#include "ttas.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK_REENTRANT_INIT(base_init) {LK__AINIT(0), base_init, 0}

/* The generated functions: unused ones must not warn where an instance is
 * defined in a .c file (clang's -Wunused-function spares only headers). */
#define LK__RE_FN static inline __attribute__((unused))

#define LK__REENTRANT_COMMON(name, base)                                       \
	typedef struct {                                                       \
		LK_ATOMIC(uintptr_t) owner; /* first: a 4-byte base packs */   \
		lk_##base##_t lock;                                            \
		uint32_t depth;                                                \
	} lk_##name##_t;                                                       \
                                                                               \
	LK__RE_FN void lk_##name##_init(lk_##name##_t *r)                      \
	{                                                                      \
		lk_##base##_init(&r->lock);                                    \
		/* relaxed: initialisation precedes sharing */                 \
		atomic_store_explicit(&r->owner, 0, memory_order_relaxed);     \
		r->depth = 0;                                                  \
	}                                                                      \
                                                                               \
	/* True (and one level deeper) when the caller already holds r. */     \
	LK__RE_FN bool lk_##name##_relock_(lk_##name##_t *r, uintptr_t self)   \
	{                                                                      \
		/* relaxed: see the header comment */                          \
		if (atomic_load_explicit(&r->owner, memory_order_relaxed) !=   \
		    self)                                                      \
			return false;                                          \
		LK__CHECK(r->depth < UINT32_MAX, "lk_" #name "_lock",          \
			  "depth overflow");                                   \
		r->depth++;                                                    \
		return true;                                                   \
	}                                                                      \
                                                                               \
	LK__RE_FN void lk_##name##_own_(lk_##name##_t *r, uintptr_t self)      \
	{                                                                      \
		/* relaxed: see the header comment */                          \
		atomic_store_explicit(&r->owner, self, memory_order_relaxed);  \
		r->depth = 1;                                                  \
	}                                                                      \
                                                                               \
	LK__RE_FN void lk_##name##_lock(lk_##name##_t *r)                      \
	{                                                                      \
		uintptr_t self = lk__self();                                   \
		if (lk_##name##_relock_(r, self))                              \
			return;                                                \
		lk_##base##_lock(&r->lock);                                    \
		lk_##name##_own_(r, self);                                     \
	}                                                                      \
                                                                               \
	LK__RE_FN bool lk_##name##_trylock(lk_##name##_t *r)                   \
	{                                                                      \
		uintptr_t self = lk__self();                                   \
		if (lk_##name##_relock_(r, self))                              \
			return true;                                           \
		if (!lk_##base##_trylock(&r->lock))                            \
			return false;                                          \
		lk_##name##_own_(r, self);                                     \
		return true;                                                   \
	}                                                                      \
                                                                               \
	LK__RE_FN void lk_##name##_unlock(lk_##name##_t *r)                    \
	{                                                                      \
		/* relaxed: see the header comment */                          \
		uintptr_t o =                                                  \
			atomic_load_explicit(&r->owner, memory_order_relaxed); \
		LK__CHECK(o != 0, "lk_" #name "_unlock",                       \
			  "unlock of a free lock");                            \
		LK__CHECK(o == lk__self(), "lk_" #name "_unlock",              \
			  "unlock by a non-owner");                            \
		(void)o;                                                       \
		if (--r->depth != 0)                                           \
			return;                                                \
		/* relaxed: see the header comment */                          \
		atomic_store_explicit(&r->owner, 0, memory_order_relaxed);     \
		lk_##base##_unlock(&r->lock);                                  \
	}                                                                      \
                                                                               \
	/* Held by any thread? A racy hint, for assertions: true while the     \
	 * caller holds it, false while nobody does; about other threads it    \
	 * may be stale when it returns (and the owner is stored just after    \
	 * the base is taken). */                                              \
	LK__RE_FN bool lk_##name##_is_locked(const lk_##name##_t *r)           \
	{                                                                      \
		/* relaxed: see the header comment */                          \
		return atomic_load_explicit(&r->owner,                         \
					    memory_order_relaxed) != 0;        \
	}                                                                      \
                                                                               \
	/* Does the calling thread hold it? Exact. */                          \
	LK__RE_FN bool lk_##name##_is_held_by_me(const lk_##name##_t *r)       \
	{                                                                      \
		/* relaxed: see the header comment */                          \
		return atomic_load_explicit(&r->owner,                         \
					    memory_order_relaxed) ==           \
		       lk__self();                                             \
	}                                                                      \
                                                                               \
	/* Depth held by the caller (0: not held by the caller). */            \
	LK__RE_FN uint32_t lk_##name##_depth(lk_##name##_t *r)                 \
	{                                                                      \
		/* relaxed: see the header comment */                          \
		return atomic_load_explicit(&r->owner,                         \
					    memory_order_relaxed) ==           \
				       lk__self()                              \
			       ? r->depth                                      \
			       : 0;                                            \
	}

#define LK_REENTRANT_DEFINE_NOTIMED(name, base) LK__REENTRANT_COMMON(name, base)

#define LK_REENTRANT_DEFINE(name, base)                                        \
	LK__REENTRANT_COMMON(name, base)                                       \
	LK__RE_FN bool lk_##name##_timedlock(lk_##name##_t *r,                 \
					     uint64_t timeout_ns)              \
	{                                                                      \
		uintptr_t self = lk__self();                                   \
		if (lk_##name##_relock_(r, self))                              \
			return true;                                           \
		if (!lk_##base##_timedlock(&r->lock, timeout_ns))              \
			return false;                                          \
		lk_##name##_own_(r, self);                                     \
		return true;                                                   \
	}

LK_REENTRANT_DEFINE(rmutex, mutex)
#define LK_RMUTEX_INIT LK_REENTRANT_INIT(LK_MUTEX_INIT)
LK_REENTRANT_DEFINE(rttas, ttas)
#define LK_RTTAS_INIT LK_REENTRANT_INIT(LK_TTAS_INIT)

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_REENTRANT_H */
