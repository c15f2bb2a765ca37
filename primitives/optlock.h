/*
 * latchkit/optlock.h: an optimistic version latch, the latch of optimistic
 * lock coupling (Leis, Haubenschild, Neumann, "Optimistic Lock Coupling: A
 * Scalable and Efficient General-Purpose Synchronization Method", IEEE Data
 * Eng. Bull. 42(1), 2019; as in LeanStore and the ART/B-tree of that work).
 *
 * One 64-bit word: bit 0 locked, bit 1 obsolete, bits 2.. the version. An
 * optimistic reader notes the word (read_begin), reads, then validates that
 * the word did not change; it writes nothing shared, so readers do not
 * contend. A writer takes the latch exclusively (lock, or upgrade from an
 * optimistic read with one CAS); unlock bumps the version, which fails every
 * validation that overlapped the write. unlock_obsolete also sets the
 * obsolete bit: the node was unlinked, readers must restart from the parent.
 *
 * Data read optimistically may be torn. To stay free of data races (and of
 * TSan reports) read and write it with relaxed atomics, as in seqlock.h
 * (lk_seq_load/lk_seq_store suit); never act on it before validate() holds.
 *
 * Progress: optimistic readers are lock-free (they restart while writes
 * keep landing, and wait while the latch is held). Exclusive lock: a
 * test-and-test-and-set spin on the word through lk__wait (a 64-bit word
 * cannot be a futex word, so waiters spin, then nap, never park); not fair.
 * Use it for short critical sections, as OLC does.
 *
 * Process-shared: yes, as it is: one word, no pointer, never parks.
 *
 * Size: 8 bytes (16 with LK_DEBUG: owner).
 *
 * Memory orders:
 *   read_begin load         acquire  reads after it see the data written
 *                                    before the unlock that made this version
 *   validate fence          acquire  a read that saw a writer's store orders
 *                                    the re-load after that writer's lock
 *   validate re-load        relaxed  ordered by the fence
 *   lock/upgrade CAS        acquire  see the previous holder's data (upgrade:
 *                                    read_begin's acquire already did; kept)
 *     then fence            release  data stores come after the locked word
 *                                    for a reader that sees one of them
 *   unlock store            release  publishes the data with the new version
 *   is_obsolete load        acquire  as read_begin
 *   is_locked load          relaxed  a hint that orders nothing; exact about
 *                                    the caller's own hold by coherence
 *                                    (only the holder clears the bit)
 * Under ThreadSanitizer the fences give way to acquire/release data copies,
 * as in seqlock.h (whose copy helpers and fence macros this header uses).
 *
 * ThreadSanitizer: the exclusive side is annotated as a mutex (base.h):
 * lock, trylock, timedlock, upgrade (a trylock) and both unlocks. The
 * unlocks' release store of the new version comes after the annotation,
 * so TSan sees it as the atomic it is and an optimistic reader's acquire
 * load in read_begin pairs with it, as in the algorithm. Optimistic reads
 * are not annotated, for seqlock.h's reasons: they exclude no writer, and
 * as read locks they would invent an edge from each reader to the next
 * writer and lock-order edges from sections that block nobody. Not seen:
 * a reader waiting in read_begin behind a writer, by the deadlock
 * detector.
 */
#ifndef LATCHKIT_OPTLOCK_H
#define LATCHKIT_OPTLOCK_H

#include "base.h"
#include "seqlock.h" /* lk_seq_load/store, lk__seq_fence_* */

#ifdef __cplusplus
extern "C" {
#endif

#define LK_OPTLOCK_LOCKED UINT64_C(1)
#define LK_OPTLOCK_OBSOLETE UINT64_C(2)

typedef struct {
	LK_ATOMIC(uint64_t) word;
	LK__OWNER_FIELD
} lk_optlock_t;

#define LK_OPTLOCK_INIT {LK__AINIT(0) LK__OWNER_INIT}

static inline void lk_optlock_init(lk_optlock_t *l)
{
	/* relaxed: initialisation precedes sharing */
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* Not inline, on purpose (the one exception to "static inline"): out of
 * line and cold, the wait keeps the read fast path free of saved registers
 * (gcc: the same instruction count as ck_sequence's read). */
LK__COLD uint64_t
lk_optlock_read_wait_(const lk_optlock_t *l)
{
	uint64_t v;
	lk__wait_t w = lk__wait_start(0);
	do {
		lk__wait(&w, NULL, 0); /* no futex word: never parks */
		/* acquire: as in read_begin */
		v = atomic_load_explicit(&l->word,
					 memory_order_acquire);
	} while (v & LK_OPTLOCK_LOCKED);
	return v;
}

/*
 * Starts an optimistic read: waits while the latch is held, stores the
 * version in *version. Returns false (restart from the parent) when the node
 * is obsolete.
 */
static inline bool lk_optlock_read_begin(const lk_optlock_t *l,
					 uint64_t *version)
{
	/* acquire: see the data of the unlock that made this version */
	uint64_t v = atomic_load_explicit(&l->word,
					  memory_order_acquire);
	if (lk__unlikely(v & LK_OPTLOCK_LOCKED))
		v = lk_optlock_read_wait_(l);
	*version = v;
	return !(v & LK_OPTLOCK_OBSOLETE);
}

/* Like read_begin but never waits: false when held or obsolete. */
static inline bool lk_optlock_read_trybegin(const lk_optlock_t *l,
					    uint64_t *version)
{
	/* acquire: as in read_begin */
	uint64_t v = atomic_load_explicit(&l->word,
					  memory_order_acquire);
	*version = v;
	return !(v & (LK_OPTLOCK_LOCKED | LK_OPTLOCK_OBSOLETE));
}

/* True when nothing was written since read_begin returned version. */
static inline bool lk_optlock_validate(const lk_optlock_t *l, uint64_t version)
{
	/* acquire fence: if a read above saw a writer's store, the re-load
	 * below sees that writer's locked word or later */
	lk__seq_fence_acquire();
	/* relaxed: ordered by the fence */
	return atomic_load_explicit(&l->word,
				    memory_order_relaxed) == version;
}

static inline void lk_optlock_entered_(lk_optlock_t *l)
{
	/* release fence: a reader that sees a data store made after this point
	 * also sees the locked word when it validates */
	lk__seq_fence_release();
	lk__owner_acquired(&l->owner_);
	(void)l;
}

/*
 * Optimistic read -> exclusive with one CAS. True: the latch is held and
 * nothing changed since read_begin(version). False: restart.
 */
static inline bool lk_optlock_upgrade(lk_optlock_t *l, uint64_t version)
{
	if (version & (LK_OPTLOCK_LOCKED | LK_OPTLOCK_OBSOLETE))
		return false;
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	/* acquire: see the previous holder's data; relaxed on failure. A
	 * version from read_begin's acquire load already did (the CAS
	 * replaces that same version): GenMC finds relaxed safe here
	 * (verify/wmm optlocku); kept, for C11 and a version from elsewhere */
	if (!atomic_compare_exchange_strong_explicit(
		    &l->word, &version, version | LK_OPTLOCK_LOCKED,
		    memory_order_acquire, memory_order_relaxed)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk_optlock_entered_(l);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline void lk_optlock_debug_own_(lk_optlock_t *l, const char *fn)
{
	lk__owner_check_relock(&l->owner_, fn);
	(void)l;
	(void)fn;
}

/* Exclusive lock, also of an obsolete node (the bit stays set). */
static inline bool lk_optlock_trylock(lk_optlock_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk_optlock_debug_own_(l, "lk_optlock_trylock");
	/* relaxed: the CAS below checks */
	uint64_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	/* acquire: see the previous holder's data */
	if ((v & LK_OPTLOCK_LOCKED) ||
	    !atomic_compare_exchange_strong_explicit(
		    &l->word, &v, v | LK_OPTLOCK_LOCKED, memory_order_acquire,
		    memory_order_relaxed)) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk_optlock_entered_(l);
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_optlock_acquire_(lk_optlock_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	/* relaxed: the CAS decides */
	uint64_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	for (;;) {
		if (!(v & LK_OPTLOCK_LOCKED)) {
			/* acquire: see the previous holder's data;
			 * relaxed on failure */
			if (atomic_compare_exchange_weak_explicit(
				    &l->word, &v, v | LK_OPTLOCK_LOCKED,
				    memory_order_acquire, memory_order_relaxed)) {
				lk_optlock_entered_(l);
				return true;
			}
			continue;
		}
		if (!lk__wait(&w, NULL, 0))
			return false;
		/* relaxed: the CAS decides */
		v = atomic_load_explicit(&l->word, memory_order_relaxed);
	}
}

static inline void lk_optlock_lock(lk_optlock_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk_optlock_debug_own_(l, "lk_optlock_lock");
	lk_optlock_acquire_(l, 0);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_optlock_timedlock(lk_optlock_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk_optlock_debug_own_(l, "lk_optlock_timedlock");
	return lk__tsan_locked(
		l, LK__TSAN_TIMED,
		lk_optlock_acquire_(l, lk__deadline(timeout_ns)));
}

static inline uint64_t lk_optlock_release_(lk_optlock_t *l, const char *fn)
{
	/* relaxed: the holder is the only writer of the word */
	uint64_t v = atomic_load_explicit(&l->word, memory_order_relaxed);
	LK__CHECK(v & LK_OPTLOCK_LOCKED, fn, "unlock of a free lock");
	lk__owner_check_release(&l->owner_, fn);
	(void)fn;
	/* ...01 + 3 = next version with bit 0 clear; bit 1 kept */
	return v + 3;
}

/* Releases and bumps the version: overlapping optimistic reads fail. */
static inline void lk_optlock_unlock(lk_optlock_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	uint64_t v = lk_optlock_release_(l, "lk_optlock_unlock");
	lk__tsan_post_unlock(l, 0);
	/* release: publishes the data with the new version */
	atomic_store_explicit(&l->word, v, memory_order_release);
}

/* Releases, bumps the version and marks the node obsolete for good. */
static inline void lk_optlock_unlock_obsolete(lk_optlock_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	uint64_t v = lk_optlock_release_(l, "lk_optlock_unlock_obsolete");
	lk__tsan_post_unlock(l, 0);
	/* release: as in unlock */
	atomic_store_explicit(&l->word, v | LK_OPTLOCK_OBSOLETE,
			      memory_order_release);
}

/* Is it held exclusively, by any thread? A racy hint, for assertions
 * (assert(lk_optlock_is_locked(&l))): true while the caller holds it, false
 * while nobody does; about other threads it may be stale when it returns. */
static inline bool lk_optlock_is_locked(const lk_optlock_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->word, memory_order_relaxed) &
		LK_OPTLOCK_LOCKED) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_optlock_is_held_by_me(const lk_optlock_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

static inline bool lk_optlock_is_obsolete(const lk_optlock_t *l)
{
	/* acquire: as read_begin */
	return atomic_load_explicit(&l->word,
				    memory_order_acquire) &
	       LK_OPTLOCK_OBSOLETE;
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_OPTLOCK_H */
