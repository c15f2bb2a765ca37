/*
 * latchkit/mutex.h: compact spin-then-park mutex in one 32-bit word.
 *
 * Algorithm: the futex mutex of Drepper ("Futexes are tricky", 2004/2011,
 * mutex #3) with a bounded (not adaptive) spin phase and a starvation
 * hand-off in the style
 * of WebKit's WTF::Lock / Rust's parking_lot and Go's sync.Mutex. Bits:
 *   LOCKED   held.
 *   WAITERS  some thread may be parked on the word: unlock must wake one.
 *   HANDOFF  a waiter has been parked longer than LK_MUTEX_HANDOFF_NS: the
 *            lock is reserved for waiters that have starved that long.
 * Uncontended lock is one CAS 0 -> LOCKED; unlock with no waiters is one
 * CAS LOCKED -> 0 and no syscall. A contended locker waits through
 * lk__wait(): it spins for the learnt cost of parking (base.h), looking
 * at a held word at intervals of time that start at 1/LK_MUTEX_LOOKS (64)
 * of that budget and double, then parks. Each look moves the holder's
 * cache line, so looking often only slows a holder that takes the lock
 * again, and hands the lock (and the critical section's lines) to the
 * other CPU at every release: the first look after 1/64 of the cost of
 * parking (150-230 ns here) lets the holder run a batch first, and a
 * hand-off then waits at most as long again as the wait so far. Measured
 * on 2 cores, cs workload, with the VM's cache-line round trip at 595 ns,
 * medians of 4 interleaved runs against the same lock looking at 1, 2, 4
 * ... pause instructions: 1.72x against 1.02x pthread_mutex at 2 threads,
 * 1.77x against 0.93x at 8 (the bench's default cells read 1.13-1.46x at
 * 8); ping-pong through lk_cond 14% slower, the bounded queue unchanged
 * at 2 threads and 2x at 8; in the VM's fast spell 8-16% slower at cs
 * than before (OVERSUBSCRIBED.md).
 * It parks at once when it has seen the word free and then held again: it
 * lost a race to a thread that runs and will keep taking the lock, and
 * spinning would only move that thread's line (2 threads, cs workload:
 * 0.54x pthread_mutex with neither, 0.72x with backoff, 1.11x with both,
 * in runs here). Before parking it sets WAITERS and
 * parks on the word value it saw, so an unlock between its look and its
 * sleep changes the word and the kernel refuses the sleep. Unlock clears
 * LOCKED and WAITERS and wakes one; as in Drepper's mutex, a thread that has
 * parked acquires with WAITERS set, since others may still sleep, so every
 * sleeper is eventually woken (a spare wake at the end of a busy spell is
 * the price). A thread that times out re-asserts WAITERS before leaving,
 * so a wake it swallowed is passed on by the next unlock.
 *
 * Fairness: barging is allowed (a running thread may take the lock ahead of
 * a sleeper: that is what makes it fast), so it is not FIFO. Hand-off bounds
 * the wait of a starving waiter: one that has been waiting (announced as a
 * sleeper) longer than about 1 ms (LK_MUTEX_HANDOFF_NS) and finds HANDOFF
 * clear sets it and becomes the heir; there is at most one heir. While
 * HANDOFF is set, only the heir may take the lock: the fast path, trylock
 * and every other waiter (starving or not) stand aside, and unlock wakes the
 * heir (it alone parks with futex bitset bit 1; others use bit 0; a plain
 * wake reaches both) and one other sleeper, so that one can look at its
 * clock. So the heir gets the lock at the first unlock after its claim
 * (a timed heir may time out first). It clears HANDOFF when it acquires
 * (or times out, then waking everyone if the lock is free: the unlock in
 * hand-off mode cleared WAITERS), and barging resumes.
 * What this guarantees: a waiter that has become the heir waits at most
 * for the current holder. A starving waiter that finds another heir must
 * wait for that heir's turn and then claim HANDOFF itself; with two
 * threads that always succeeds (Spin, mutex.pml: handoff-strict-2p), with
 * more a starving waiter can in principle keep losing the claim to other
 * starving waiters (each of which has waited 1 ms and then gets the lock;
 * mutex.pml: limit-handoff-3p), so it is not a FIFO bound.
 *
 * Process-shared: LK_MUTEX_INIT_SHARED or lk_mutex_init_shared() sets
 * SHARED (8) in the word, for a mutex in memory that processes share (mmap
 * MAP_SHARED, shm_open): it parks and wakes with FUTEX_WAIT_BITSET and
 * FUTEX_WAKE_BITSET without _PRIVATE, and the word holds no pointer. The
 * bit is never cleared. The private fast paths (CAS 0 -> LOCKED, LOCKED ->
 * 0) run the same instructions: a shared mutex fails that CAS and, on the
 * failure branch, tries CAS SHARED -> SHARED|LOCKED (or back) before the
 * slow paths, which keep the bit: a failed CAS more per lock and unlock. Under LK_DEBUG the holder's pid is kept beside its owner, and a
 * lock that would park behind a private mutex held by another process
 * aborts with a message. Not robust: a holder that dies leaves it locked
 * (robust.h is).
 *
 * Size: 4 bytes (one uint32_t); LK_DEBUG adds an owner field and the
 * holder's pid.
 *
 * Memory orders:
 *   CAS(word, s, s|LOCKED, acquire / relaxed): the winner must see the
 *       previous critical section; a failed CAS publishes nothing.
 *   CAS(word, s, s|WAITERS or |HANDOFF, relaxed): only announces a sleeper
 *       or starvation; later RMWs on the same word order after it.
 *   load(word, relaxed): decides what to try; the CAS that follows acquires.
 *   unlock: CAS(word, s, s & ~(LOCKED|WAITERS), release / relaxed):
 *       publishes the critical section to the next acquirer.
 *   leaving on timeout (heir): fetch_and(word, ~HANDOFF, relaxed): gives
 *       nothing to anyone, only re-allows barging.
 *   is_locked: load(word, relaxed): a hint that orders nothing.
 *   debug owner: relaxed, compared with the caller's own id.
 */
#ifndef LATCHKIT_MUTEX_H
#define LATCHKIT_MUTEX_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_MUTEX_HANDOFF_NS
#define LK_MUTEX_HANDOFF_NS 1000000u /* parked this long: starving */
#endif
#ifndef LK_MUTEX_LOOKS
#define LK_MUTEX_LOOKS 64u /* the first look at a held word: budget / this */
#endif

#define LK_MUTEX_LOCKED_ 1u
#define LK_MUTEX_WAITERS_ 2u
#define LK_MUTEX_HANDOFF_ 4u
#define LK_MUTEX_SHARED_ 8u /* process-shared: set at init, never cleared */
#define LK_MUTEX_BIT_NORMAL_ 1u   /* futex bitset of other sleepers */
#define LK_MUTEX_BIT_STARVING_ 2u /* futex bitset of starving sleepers */

typedef struct {
	LK_ATOMIC(uint32_t) word;
	LK__PID_FIELD /* LK_DEBUG: the holder's pid (base_debug.h) */
	LK__OWNER_FIELD
} lk_mutex_t;

#define LK_MUTEX_INIT {LK__AINIT(0) LK__PID_INIT LK__OWNER_INIT}
/* A mutex that processes share (in MAP_SHARED memory): parks and wakes on
 * shared futexes. The same verbs; each goes through the slow path. */
#define LK_MUTEX_INIT_SHARED                                                  \
	{LK__AINIT(LK_MUTEX_SHARED_) LK__PID_INIT LK__OWNER_INIT}

static inline void lk_mutex_init(lk_mutex_t *l)
{
	atomic_store_explicit(&l->word, 0, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__owner_pid_set(l, 0u);
	lk__tsan_init(l);
}

/* As lk_mutex_init, for a process-shared mutex (LK_MUTEX_INIT_SHARED). */
static inline void lk_mutex_init_shared(lk_mutex_t *l)
{
	atomic_store_explicit(&l->word, LK_MUTEX_SHARED_, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__owner_pid_set(l, 0u);
	lk__tsan_init(l);
}

/* Wakes n sleepers with futex bitset bits, private or shared as s says. */
static inline void lk__mutex_wake_(lk_mutex_t *l, uint32_t s, int n,
				   uint32_t bits)
{
	if (s & LK_MUTEX_SHARED_)
		lk__futex_wake_shared(&l->word, n, bits);
	else if (bits == LK__FUTEX_ANY)
		lk__futex_wake(&l->word, n);
	else
		lk__futex_wake_bits(&l->word, n, bits);
}

/* Contended acquire; deadline 0: none. Returns false on timeout. */
LK__COLD bool lk_mutex_lock_slow_(lk_mutex_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	w.bits = LK_MUTEX_BIT_NORMAL_;
	bool parked = false;   /* has been through a park step: acquire with
				* WAITERS, since others may sleep too */
	bool starving = false; /* parked longer than LK_MUTEX_HANDOFF_NS */
	bool heir = false;     /* we set HANDOFF: the lock is reserved for us */
	uint64_t parked_at = 0;
	uint64_t gap_ns = 0; /* time between looks at a held word */
	bool saw_free = false;
	w.shared = atomic_load_explicit(&l->word, memory_order_relaxed) &
		   LK_MUTEX_SHARED_;
	lk__owner_pid_check(l, w.shared, "lk_mutex_lock");
	for (;;) {
		uint32_t s = atomic_load_explicit(&l->word,
						  memory_order_relaxed);
		if (!(s & LK_MUTEX_LOCKED_))
			saw_free = true;
		else if (saw_free)
			lk__wait_park_now(&w); /* lost a race to a running
						* thread: it will keep taking
						* the lock; spinning only
						* moves its line */
		if (!(s & LK_MUTEX_LOCKED_) &&
		    (heir || !(s & LK_MUTEX_HANDOFF_))) {
			uint32_t ns = s | LK_MUTEX_LOCKED_;
			if (parked)
				ns |= LK_MUTEX_WAITERS_; /* others may sleep */
			if (heir)
				ns &= ~LK_MUTEX_HANDOFF_;
			if (atomic_compare_exchange_weak_explicit(
				    &l->word, &s, ns, memory_order_acquire,
				    memory_order_relaxed))
				return true;
			continue;
		}
		if (!lk__wait_would_park(&w)) {
			/* Spinning: look at a held word after a time that
			 * starts at 1/LK_MUTEX_LOOKS of the spin budget and
			 * doubles, so a holder that takes the lock again keeps
			 * its line (each look moves it) and a hand-off waits
			 * at most as long again as the wait so far. */
			gap_ns = gap_ns ? 2 * gap_ns : w.spin_ns / LK_MUTEX_LOOKS;
			uint64_t until = lk__now_ns() + gap_ns;
			do /* the clock lk__wait reads every 8 steps */
				lk__wait(&w, NULL, 0);
			while (!lk__wait_would_park(&w) && w.now < until);
		}
		if (lk__wait_would_park(&w)) {
			if (parked && !starving &&
			    lk__now_ns() - parked_at >= LK_MUTEX_HANDOFF_NS)
				starving = true;
			uint32_t want = s | LK_MUTEX_WAITERS_;
			/* Only one heir at a time: a starving waiter claims
			 * HANDOFF only while nobody holds the claim. */
			bool claim = starving && !(s & LK_MUTEX_HANDOFF_);
			if (claim)
				want |= LK_MUTEX_HANDOFF_;
			if (want != s &&
			    !atomic_compare_exchange_weak_explicit(
				    &l->word, &s, want, memory_order_relaxed,
				    memory_order_relaxed))
				continue;
			s = want;
			if (claim) {
				heir = true;
				/* unlock in hand-off mode wakes this bit */
				w.bits = LK_MUTEX_BIT_STARVING_;
			}
			if (!parked) {
				parked = true;
				parked_at = lk__now_ns();
			}
		}
		if (!lk__wait(&w, &l->word, s)) {
			if (heir) {
				/* Give up the claim. If the lock is free, an
				 * unlock in hand-off mode may have cleared
				 * WAITERS and woken only us: wake every sleeper
				 * (WAITERS cannot tell), they re-check. */
				uint32_t o = atomic_fetch_and_explicit(
					&l->word, ~LK_MUTEX_HANDOFF_,
					memory_order_relaxed);
				if (!(o & LK_MUTEX_LOCKED_))
					lk__mutex_wake_(l, o, INT32_MAX,
							LK__FUTEX_ANY);
			}
			return false;
		}
	}
}

static inline void lk_mutex_lock(lk_mutex_t *l)
{
	lk__tsan_pre_lock(l, 0);
	lk__owner_check_relock(&l->owner_, "lk_mutex_lock");
	uint32_t s = 0;
	if (lk__unlikely(!atomic_compare_exchange_strong_explicit(
		    &l->word, &s, LK_MUTEX_LOCKED_, memory_order_acquire,
		    memory_order_relaxed)) &&
	    (s != LK_MUTEX_SHARED_ || /* a free shared one: its own CAS */
	     !atomic_compare_exchange_strong_explicit(
		     &l->word, &s, LK_MUTEX_SHARED_ | LK_MUTEX_LOCKED_,
		     memory_order_acquire, memory_order_relaxed)))
		lk_mutex_lock_slow_(l, 0);
	lk__owner_acquired(&l->owner_);
	lk__owner_pid_set(l, lk__debug_pid());
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_mutex_trylock(lk_mutex_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	lk__owner_check_relock(&l->owner_, "lk_mutex_trylock");
	/* Only a word that is entirely clear: a set HANDOFF reserves the
	 * lock for a starving waiter. */
	uint32_t s = 0;
	if (!atomic_compare_exchange_strong_explicit(&l->word, &s,
						     LK_MUTEX_LOCKED_,
						     memory_order_acquire,
						     memory_order_relaxed) &&
	    (s != LK_MUTEX_SHARED_ ||
	     !atomic_compare_exchange_strong_explicit(
		     &l->word, &s, LK_MUTEX_SHARED_ | LK_MUTEX_LOCKED_,
		     memory_order_acquire, memory_order_relaxed))) {
		lk__tsan_post_lock(l, LK__TSAN_TRY, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__owner_pid_set(l, lk__debug_pid());
	lk__tsan_post_lock(l, LK__TSAN_TRY, true);
	return true;
}

static inline bool lk_mutex_timedlock(lk_mutex_t *l, uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	lk__owner_check_relock(&l->owner_, "lk_mutex_timedlock");
	uint32_t s = 0;
	if (!atomic_compare_exchange_strong_explicit(&l->word, &s,
						     LK_MUTEX_LOCKED_,
						     memory_order_acquire,
						     memory_order_relaxed) &&
	    !lk_mutex_lock_slow_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__owner_pid_set(l, lk__debug_pid());
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

LK__COLD void lk_mutex_unlock_slow_(lk_mutex_t *l, uint32_t s)
{
	while (!atomic_compare_exchange_weak_explicit(
		&l->word, &s, s & ~(LK_MUTEX_LOCKED_ | LK_MUTEX_WAITERS_),
		memory_order_release, memory_order_relaxed))
		;
	/* In hand-off mode only the heir may take the lock: wake it if it
	 * sleeps (it alone parks with the STARVING bit; if it is awake, it
	 * sees the word change and takes the lock). Wake one other sleeper
	 * too: it cannot take the lock, but it looks at its clock, and may
	 * be starving (else, with heirs taking turns, it could sleep on). */
	if (s & LK_MUTEX_WAITERS_) {
		if (s & LK_MUTEX_HANDOFF_) {
			lk__mutex_wake_(l, s, 1, LK_MUTEX_BIT_STARVING_);
			lk__mutex_wake_(l, s, 1, LK_MUTEX_BIT_NORMAL_);
		} else {
			lk__mutex_wake_(l, s, 1, LK__FUTEX_ANY);
		}
	}
}

static inline void lk_mutex_unlock(lk_mutex_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__CHECK(atomic_load_explicit(&l->word, memory_order_relaxed) &
			  LK_MUTEX_LOCKED_,
		  "lk_mutex_unlock", "unlock of a free lock");
	lk__owner_check_release(&l->owner_, "lk_mutex_unlock");
	lk__owner_pid_set(l, 0u);
	uint32_t s = LK_MUTEX_LOCKED_;
	if (lk__unlikely(!atomic_compare_exchange_strong_explicit(
		    &l->word, &s, 0, memory_order_release,
		    memory_order_relaxed)) &&
	    (s != (LK_MUTEX_SHARED_ | LK_MUTEX_LOCKED_) ||
	     !atomic_compare_exchange_strong_explicit(
		     &l->word, &s, LK_MUTEX_SHARED_, memory_order_release,
		     memory_order_relaxed)))
		lk_mutex_unlock_slow_(l, s);
	lk__tsan_post_unlock(l, 0);
}

/* Is the mutex held by anyone? A racy hint for assertions (relaxed load:
 * it orders nothing; exact about the caller's own hold, by coherence). */
static inline bool lk_mutex_is_locked(const lk_mutex_t *l)
{
	return atomic_load_explicit(&l->word, memory_order_relaxed) &
	       LK_MUTEX_LOCKED_;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it? Exact. */
static inline bool lk_mutex_is_held_by_me(const lk_mutex_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_MUTEX_H */
