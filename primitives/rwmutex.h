/*
 * latchkit/rwmutex.h: a parking reader-writer lock on futex, with an
 * upgradable read mode (SQL Server's U lock, as a latch).
 *
 * Modes: R (read, shared), U (upgradable read: shares with R, excludes U
 * and X), X (write, exclusive). U upgrades to X (lk_rwmutex_upgrade) by
 * waiting for the readers to drain; since only one U exists this cannot
 * deadlock. X downgrades to R (lk_rwmutex_downgrade) and U to R
 * (lk_rwmutex_updowngrade), both in one CAS.
 *
 * Algorithm: one 32-bit state word in the style of Go's sync.RWMutex (readers
 * that arrive during a writer phase are counted and admitted together when it
 * ends), packed so that the fast paths are one atomic RMW each:
 *   bit 0   TOKEN   held by the one writer or upgrader (U, or X)
 *   bit 1   WRITER  a writer phase: X held, or announced and draining readers;
 *                   arriving readers wait
 *   bit 2   PHASE   flips at the end of every writer phase that drained its
 *                   readers (not when a timed writer withdraws); a waiting
 *                   reader is in once it differs from what it saw on arrival
 *   bit 3   TWAIT   someone may be parked on tseq, waiting for the token
 *   bit 4   RWAIT   readers may be parked on the state word
 *   bits 5..14  WT  readers waiting for the writer phase to end (<= 1023;
 *                   beyond, a reader waits uncounted and retries afterwards)
 *   bits 15..31 RD  readers inside (at most 131071)
 * A writer takes TOKEN, sets WRITER, and waits for RD to reach 0 (parked on
 * wseq, which the last reader out bumps). Arriving readers then move from RD to
 * WT and park. Ending the writer phase moves WT into RD, clears WRITER and
 * flips PHASE in one CAS, so the waiting readers are in before any next writer
 * can announce: that writer will wait for them. A timed writer that gives up
 * while draining only clears WRITER; its waiting readers then move themselves
 * from WT to RD (see lk__rwm_release_ for why PHASE must not flip then).
 *
 * Progress and fairness (eventual): a writer that has announced blocks new
 * readers, so a stream of readers cannot starve it; a reader waits for at most
 * the one writer phase it arrived in, so a stream of writers cannot starve it.
 * Writers and upgraders compete for TOKEN like a futex mutex (no FIFO among
 * them: a writer can lose the token repeatedly to others, though never to
 * readers). Uncontended: rdlock is one fetch_add, wrlock/uplock one CAS,
 * unlocks one RMW, and no unlock makes a system call unless someone waits.
 *
 * Process-shared: LK_RWMUTEX_INIT_SHARED or lk_rwmutex_init_shared() sets
 * SHARED in bit 0 of tseq (the sequences step by 2): every park and wake,
 * all in slow paths, reads it and uses shared futexes (no _PRIVATE); no
 * pointer. The fast paths read nothing more.
 *
 * Size: 12 bytes (state, tseq, wseq; 24 with LK_DEBUG's owner).
 *
 * ThreadSanitizer: annotated (base.h) as a reader-writer mutex: R and U
 * are read locks, X the write lock. U is a read lock because it shares
 * with R and its one holder only reads (it writes once upgraded); TSan's
 * read locks exclude nothing, so TSan does not check that only one U is
 * held, but the write lock an upgrade takes orders it after every reader.
 * upgrade is a read unlock then a write lock, downgrade a write unlock
 * then a read lock, updowngrade nothing (read stays read; its CAS and
 * wake are framed as a signal, so TSan ignores them as it ignores the
 * latch's other atomics).
 *
 * Memory order:
 *   rdlock     fetch_add RD   acquire: admission; the last writer's data.
 *   rd slow    CAS RD -> WT, withdraw CAS -WT: they do not admit the
 *              reader (relaxed would do; the first is acquire because its
 *              failure may find the phase over). Admission is an acquire
 *              load or failed CAS seeing PHASE flip or WRITER clear, or,
 *              WT full, the acquire fetch_add of the reader's new arrival
 *              (a whole writer phase may have run since it last looked).
 *              The CAS moving a counted reader WT -> RD after a
 *              withdrawal is relaxed: the withdrawn writer wrote nothing,
 *              a phase that ended would have flipped PHASE, and the
 *              reader's arrival already acquired every earlier write
 *              (GenMC passes rwmutexwd with it relaxed, RC11 and IMM).
 *   rdunlock   fetch_sub RD   release: reads before the draining writer.
 *   wrlock / uplock  CAS taking TOKEN   acquire: pairs with the releases of
 *              the last unlocks (writer's data).
 *   announce   CAS |WRITER    acquire: if RD is already 0 the readers'
 *              releases are seen here.
 *   drain      load wseq then load state, both acquire: the wseq bump
 *              (release) follows the last reader's RD release.
 *   GenMC: the announce's and the drain's state-load acquires order
 *              only readers' reads before the writer's writes (writers are
 *              ordered by the token); relaxed is caught under RC11 (a
 *              race), not under IMM, where the writer's stores wait on the
 *              value read (a control dependency, which Arm and POWER keep
 *              too). C11 promises no such order: kept. wrlock's CAS:
 *              caught under IMM by two writers.
 *   all unlocks, downgrades, phase ends   CAS   release: publish data.
 *   tseq/wseq  fetch_add      release: a waiter that sees the bump sees the
 *              state change before it (it loads them with acquire).
 *              Relaxed, a token waiter can read the new tseq with the old
 *              state, park on it and never be woken (GenMC: rwmutex2wp,
 *              a lost wake-up under RC11 and IMM).
 *   is_*locked load state     relaxed: a hint that orders nothing; exact
 *              about the caller's own hold by coherence (its TOKEN, WRITER
 *              or RD count stays until it unlocks).
 */
#ifndef LATCHKIT_RWMUTEX_H
#define LATCHKIT_RWMUTEX_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK__RWM_TOKEN 0x1u
#define LK__RWM_WRITER 0x2u
#define LK__RWM_PHASE 0x4u
#define LK__RWM_TWAIT 0x8u
#define LK__RWM_RWAIT 0x10u
#define LK__RWM_WT1 0x20u
#define LK__RWM_WTMASK 0x7fe0u
/* WT's capacity (its 10 bits); a model checker's build may set less, to
 * reach the path of a reader that finds WT full (verify/wmm). */
#ifndef LK__RWM_WT_MAX
#define LK__RWM_WT_MAX 1023u
#endif
#define LK__RWM_RD1 0x8000u
#define LK__RWM_RDMASK 0xffff8000u

typedef struct {
	LK_ATOMIC(uint32_t) state;
	LK_ATOMIC(uint32_t) tseq; /* token waiters park here */
	LK_ATOMIC(uint32_t) wseq; /* the draining writer parks here */
	LK__OWNER_FIELD /* TOKEN holder (U or X), 0 when none */
} lk_rwmutex_t;

#define LK_RWMUTEX_INIT                                                        \
	{LK__AINIT(0), LK__AINIT(0), LK__AINIT(0) LK__OWNER_INIT}
/* tseq and wseq step by 2; bit 0 of tseq, SHARED, marks a process-shared
 * rwmutex (set at init, never changed): its waits and wakes use shared
 * futexes. Only slow paths read it. */
#define LK__RWM_SHARED 1u
#define LK__RWM_SEQ_STEP 2u
/* A reader-writer mutex that processes share (in MAP_SHARED memory). */
#define LK_RWMUTEX_INIT_SHARED                                                 \
	{LK__AINIT(0), LK__AINIT(LK__RWM_SHARED), LK__AINIT(0) LK__OWNER_INIT}

static inline void lk_rwmutex_init(lk_rwmutex_t *l)
{
	atomic_store_explicit(&l->state, 0u, memory_order_relaxed);
	atomic_store_explicit(&l->tseq, 0u, memory_order_relaxed);
	atomic_store_explicit(&l->wseq, 0u, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
	lk__tsan_init(l);
}

/* As lk_rwmutex_init, for a process-shared one (LK_RWMUTEX_INIT_SHARED). */
static inline void lk_rwmutex_init_shared(lk_rwmutex_t *l)
{
	lk_rwmutex_init(l);
	atomic_store_explicit(&l->tseq, LK__RWM_SHARED, memory_order_relaxed);
}

/* Is it process-shared? (relaxed: set before it is shared) */
static inline bool lk__rwm_shared_(const lk_rwmutex_t *l)
{
	return atomic_load_explicit(&l->tseq, memory_order_relaxed) &
	       LK__RWM_SHARED;
}

static inline void lk__rwm_futex_wake_(lk_rwmutex_t *l,
				       LK_ATOMIC(uint32_t) *word, int n)
{
	if (lk__rwm_shared_(l))
		lk__futex_wake_shared(word, n, LK__FUTEX_ANY);
	else
		lk__futex_wake(word, n);
}

/* ---- LK_DEBUG ------------------------------------------------------------- */

#define LK__RWM_RELOCK(l, fn)                                                  \
	lk__owner_check_relock_as(&(l)->owner_, fn,                            \
				  "re-lock by the thread that holds it in U or X mode")
#ifdef LK_DEBUG
/* The caller must hold the token, in X mode (want_x) or U mode. */
static inline void lk__rwm_holds_(lk_rwmutex_t *l, bool want_x,
				  const char *fn)
{
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	bool x = (v & LK__RWM_TOKEN) && (v & LK__RWM_WRITER);
	bool u = (v & LK__RWM_TOKEN) && !(v & LK__RWM_WRITER);
	if (want_x)
		LK__CHECK(x, fn,
			  u ? "latch not held in X mode (held in U mode)"
			  : (v & LK__RWM_RDMASK) ? "latch not held in X mode (read-locked)"
						 : "latch not held in X mode (free)");
	else
		LK__CHECK(u, fn,
			  x ? "latch not held in U mode (held in X mode)"
			  : (v & LK__RWM_RDMASK) ? "latch not held in U mode (read-locked)"
						 : "latch not held in U mode (free)");
	lk__owner_check_mine_as(&l->owner_, fn,
				"unlock or conversion by a thread that does not hold it in U or X mode");
}
#define LK__RWM_HOLDS(l, x, fn) lk__rwm_holds_(l, x, fn)
#else
#define LK__RWM_HOLDS(l, x, fn) ((void)0)
#endif

/* ---- wakes ---------------------------------------------------------------- */

/* release: a waiter that loads the new tseq/wseq (acquire) sees the state
 * change made before it. */
LK__COLD void lk__rwm_wake_token_(lk_rwmutex_t *l)
{
	atomic_fetch_add_explicit(&l->tseq, LK__RWM_SEQ_STEP,
				  memory_order_release);
	lk__rwm_futex_wake_(l, &l->tseq, 1);
}

LK__COLD void lk__rwm_wake_writer_(lk_rwmutex_t *l)
{
	atomic_fetch_add_explicit(&l->wseq, LK__RWM_SEQ_STEP,
				  memory_order_release);
	lk__rwm_futex_wake_(l, &l->wseq, 1);
}

LK__COLD void lk__rwm_wake_readers_(lk_rwmutex_t *l)
{
	lk__rwm_futex_wake_(l, &l->state, INT32_MAX);
}

/* The state after the writer phase of v ends: waiting readers become
 * readers inside, WRITER and RWAIT clear, PHASE flips. */
static inline uint32_t lk__rwm_endphase_(uint32_t v)
{
	return (((v & ~(LK__RWM_WRITER | LK__RWM_RWAIT | LK__RWM_WTMASK)) ^
		 LK__RWM_PHASE) +
		((v & LK__RWM_WTMASK) << 10));
}

/* How a release treats the writer phase. */
enum {
	LK__RWM_KEEP = 0,     /* no writer phase to end (U release) */
	LK__RWM_END = 1,      /* end it: waiting readers in, PHASE flips */
	LK__RWM_WITHDRAW = 2, /* a timed writer gives up: clear WRITER only */
};

/* Release, also clearing `clear` (e.g. TOKEN|TWAIT) and adding `add` (RD1
 * for a downgrade), then wake whoever the old state says waits.
 * A withdrawn phase must not flip PHASE: only a phase that drained its
 * readers may, or a reader admitted by one flip and still asleep could see
 * PHASE flip back and wait for ever while counted in RD. Its waiting readers
 * stay in WT; on seeing WRITER clear with PHASE unchanged, each moves itself
 * from WT to RD. */
static inline void lk__rwm_release_(lk_rwmutex_t *l, uint32_t clear,
				    uint32_t add, int phase)
{
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	uint32_t nv;
	do {
		nv = phase == LK__RWM_END ? lk__rwm_endphase_(v)
		     : phase == LK__RWM_WITHDRAW
			     ? v & ~(LK__RWM_WRITER | LK__RWM_RWAIT)
			     : v;
		nv = (nv & ~clear) + add;
		/* release: publishes the holder's data to the next ones in. */
	} while (!atomic_compare_exchange_weak_explicit(&l->state, &v, nv,
							 memory_order_release,
							 memory_order_relaxed));
	if (lk__unlikely(phase != LK__RWM_KEEP && (v & LK__RWM_RWAIT)))
		lk__rwm_wake_readers_(l);
	if (lk__unlikely((clear & LK__RWM_TOKEN) && (v & LK__RWM_TWAIT)))
		lk__rwm_wake_token_(l);
}

/* ---- readers ------------------------------------------------------------ */

/* Slow path of a reader whose fetch_add (returning o) saw a writer phase.
 * It is counted in RD; it moves itself to WT (or, WT full, out) and waits.
 * It is in once PHASE differs from the one it saw (the phase ended and moved
 * it to RD), or, while still in RD or WT, once WRITER is clear (the writer
 * withdrew). */
LK__COLD bool lk__rwm_rdslow_(lk_rwmutex_t *l, uint32_t o,
			      uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	w.shared = lk__rwm_shared_(l);
	for (;;) {
		uint32_t p = o & LK__RWM_PHASE;
		/* acquire (load and failed CAS): finding the phase over admits
		 * us (no fences: TSan cannot see them). */
		uint32_t v = atomic_load_explicit(&l->state,
						  memory_order_acquire);
		bool counted;
		for (;;) {
			if ((v & LK__RWM_PHASE) != p ||
			    !(v & LK__RWM_WRITER))
				return true; /* still in RD, phase over: in */
			counted = (v & LK__RWM_WTMASK) + LK__RWM_WT1 <=
				  LK__RWM_WT_MAX * LK__RWM_WT1;
			uint32_t nv = v - LK__RWM_RD1 +
				      (counted ? LK__RWM_WT1 : 0u);
			/* acquire only for the failure (success does not
			 * admit us); C11 wants success at least as strong. */
			if (atomic_compare_exchange_weak_explicit(
				    &l->state, &v, nv, memory_order_acquire,
				    memory_order_acquire))
				break;
		}
		/* We may have been the last in RD the writer waits for. */
		if ((v & LK__RWM_RDMASK) == LK__RWM_RD1)
			lk__rwm_wake_writer_(l);
		bool timed_out = false;
		for (;;) {
			/* acquire: seeing PHASE flip admits us (counted) and
			 * shows the writer's data. */
			v = atomic_load_explicit(&l->state,
						 memory_order_acquire);
			if ((v & LK__RWM_PHASE) != p)
				break;
			if (!(v & LK__RWM_WRITER)) {
				if (!counted)
					break;
				/* Withdrawn phase: move WT -> RD ourselves.
				 * relaxed: the withdrawn writer wrote
				 * nothing, and a phase that ended since our
				 * arrival flipped PHASE (checked above); our
				 * arrival's acquire saw every earlier write
				 * (GenMC: rwmutexwd, verify/wmm/REPORT.md). */
				if (atomic_compare_exchange_weak_explicit(
					    &l->state, &v,
					    v - LK__RWM_WT1 + LK__RWM_RD1,
					    memory_order_relaxed,
					    memory_order_relaxed))
					return true;
				continue;
			}
			if (timed_out) {
				if (!counted)
					return false;
				/* relaxed: leaving WT, we read nothing. */
				if (atomic_compare_exchange_weak_explicit(
					    &l->state, &v, v - LK__RWM_WT1,
					    memory_order_relaxed,
					    memory_order_relaxed))
					return false;
				continue;
			}
			if (lk__wait_would_park(&w) && !(v & LK__RWM_RWAIT)) {
				/* relaxed: only asks for a wake. */
				atomic_compare_exchange_weak_explicit(
					&l->state, &v, v | LK__RWM_RWAIT,
					memory_order_relaxed,
					memory_order_relaxed);
				continue;
			}
			if (!lk__wait(&w, &l->state, v))
				timed_out = true; /* withdraw, unless in */
		}
		if (counted)
			return true; /* moved into RD by the phase end */
		if (timed_out)
			return false;
		/* Uncounted (WT was full): arrive again. */
		o = atomic_fetch_add_explicit(&l->state, LK__RWM_RD1,
					      memory_order_acquire);
		if (!(o & LK__RWM_WRITER))
			return true;
	}
}

static inline void lk_rwmutex_rdlock(lk_rwmutex_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD);
	LK__RWM_RELOCK(l, "lk_rwmutex_rdlock");
	/* acquire: admission; see the last writer's data. */
	uint32_t o = atomic_fetch_add_explicit(&l->state, LK__RWM_RD1,
					       memory_order_acquire);
	if (lk__unlikely(o & LK__RWM_WRITER))
		lk__rwm_rdslow_(l, o, 0);
	lk__tsan_post_lock(l, LK__TSAN_RD, true);
}

static inline bool lk_rwmutex_rdtrylock(lk_rwmutex_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TRY);
	LK__RWM_RELOCK(l, "lk_rwmutex_rdtrylock");
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	while (!(v & LK__RWM_WRITER)) {
		/* acquire: as rdlock. */
		if (atomic_compare_exchange_weak_explicit(
			    &l->state, &v, v + LK__RWM_RD1,
			    memory_order_acquire, memory_order_relaxed)) {
			lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, true);
			return true;
		}
	}
	lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, false);
	return false;
}

static inline bool lk_rwmutex_rdtimedlock(lk_rwmutex_t *l,
					  uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TIMED);
	LK__RWM_RELOCK(l, "lk_rwmutex_rdtimedlock");
	uint32_t o = atomic_fetch_add_explicit(&l->state, LK__RWM_RD1,
					       memory_order_acquire);
	if (lk__likely(!(o & LK__RWM_WRITER))) {
		lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TIMED, true);
		return true;
	}
	return lk__tsan_locked(l, LK__TSAN_RD | LK__TSAN_TIMED,
			       lk__rwm_rdslow_(l, o, lk__deadline(timeout_ns)));
}

static inline void lk_rwmutex_rdunlock(lk_rwmutex_t *l)
{
	lk__tsan_pre_unlock(l, LK__TSAN_RD);
	/* release: our reads happen before the draining writer's entry. */
	uint32_t o = atomic_fetch_sub_explicit(&l->state, LK__RWM_RD1,
					       memory_order_release);
	LK__CHECK((o & LK__RWM_RDMASK) != 0, "lk_rwmutex_rdunlock",
		  "read-unlock of a latch not read-locked");
	if (lk__unlikely((o & LK__RWM_WRITER) &&
			 (o & LK__RWM_RDMASK) == LK__RWM_RD1))
		lk__rwm_wake_writer_(l); /* the last one a writer waits for */
	lk__tsan_post_unlock(l, LK__TSAN_RD);
}

/* ---- the token (U and the first half of X) ------------------------------- */

LK__COLD bool lk__rwm_token_(lk_rwmutex_t *l, uint64_t deadline)
{
	lk__wait_t w = lk__wait_start(deadline);
	w.shared = lk__rwm_shared_(l);
	uint32_t parked = 0;
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	for (;;) {
		if (!(v & LK__RWM_TOKEN)) {
			/* acquire: pairs with the last holder's release. Once
			 * parked, keep TWAIT: others may still sleep. */
			if (atomic_compare_exchange_weak_explicit(
				    &l->state, &v, v | LK__RWM_TOKEN | parked,
				    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (!lk__wait_would_park(&w)) {
			if (!lk__wait(&w, NULL, 0))
				return false;
		} else if (!(v & LK__RWM_TWAIT)) {
			/* relaxed: only asks for a wake. */
			atomic_compare_exchange_weak_explicit(
				&l->state, &v, v | LK__RWM_TWAIT,
				memory_order_relaxed, memory_order_relaxed);
			continue;
		} else {
			/* acquire: tseq first, then the state (see wake). */
			uint32_t seq = atomic_load_explicit(
				&l->tseq, memory_order_acquire);
			v = atomic_load_explicit(&l->state,
						 memory_order_relaxed);
			if (!(v & LK__RWM_TOKEN) || !(v & LK__RWM_TWAIT))
				continue;
			parked = LK__RWM_TWAIT;
			if (!lk__wait(&w, &l->tseq, seq))
				return false;
		}
		v = atomic_load_explicit(&l->state, memory_order_relaxed);
	}
}

/* Holding the token: start a writer phase and wait for the readers inside
 * to leave. On expiry, end the phase again and clear `fail_clear`. */
LK__COLD bool lk__rwm_drainwait_(lk_rwmutex_t *l,
				 uint64_t deadline,
				 uint32_t fail_clear)
{
	uint32_t v;
	lk__wait_t w = lk__wait_start(deadline);
	w.shared = lk__rwm_shared_(l);
	for (;;) {
		/* acquire both: a new wseq shows the state before it. */
		uint32_t seq = atomic_load_explicit(&l->wseq,
						    memory_order_acquire);
		v = atomic_load_explicit(&l->state, memory_order_acquire);
		if (!(v & LK__RWM_RDMASK))
			return true;
		if (!lk__wait(&w, &l->wseq, seq)) {
			lk__rwm_release_(l, fail_clear, 0, LK__RWM_WITHDRAW);
			return false;
		}
	}
}

static inline bool lk__rwm_drain_(lk_rwmutex_t *l, uint64_t deadline,
				  uint32_t fail_clear)
{
	/* acquire: if no reader is inside, their releases are seen here. */
	uint32_t v = atomic_fetch_or_explicit(&l->state, LK__RWM_WRITER,
					      memory_order_acquire);
	if (lk__likely(!(v & LK__RWM_RDMASK)))
		return true;
	return lk__rwm_drainwait_(l, deadline, fail_clear);
}

/* ---- writers (X) ------------------------------------------------------- */

static inline void lk_rwmutex_wrlock(lk_rwmutex_t *l)
{
	lk__tsan_pre_lock(l, 0);
	LK__RWM_RELOCK(l, "lk_rwmutex_wrlock");
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	/* acquire: pairs with the last unlock's release. */
	if (lk__unlikely((v & ~LK__RWM_PHASE) != 0 ||
			 !atomic_compare_exchange_strong_explicit(
				 &l->state, &v,
				 v | LK__RWM_TOKEN | LK__RWM_WRITER,
				 memory_order_acquire, memory_order_relaxed))) {
		lk__rwm_token_(l, 0);
		lk__rwm_drain_(l, 0, 0);
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, 0, true);
}

static inline bool lk_rwmutex_wrtrylock(lk_rwmutex_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_TRY);
	LK__RWM_RELOCK(l, "lk_rwmutex_wrtrylock");
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	while (!(v & (LK__RWM_TOKEN | LK__RWM_RDMASK))) {
		/* acquire: as wrlock. */
		if (atomic_compare_exchange_weak_explicit(
			    &l->state, &v, v | LK__RWM_TOKEN | LK__RWM_WRITER,
			    memory_order_acquire, memory_order_relaxed)) {
			lk__owner_acquired(&l->owner_);
			lk__tsan_post_lock(l, LK__TSAN_TRY, true);
			return true;
		}
	}
	lk__tsan_post_lock(l, LK__TSAN_TRY, false);
	return false;
}

static inline bool lk_rwmutex_wrtimedlock(lk_rwmutex_t *l,
					  uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_TIMED);
	LK__RWM_RELOCK(l, "lk_rwmutex_wrtimedlock");
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	if (lk__unlikely((v & ~LK__RWM_PHASE) != 0 ||
			 !atomic_compare_exchange_strong_explicit(
				 &l->state, &v,
				 v | LK__RWM_TOKEN | LK__RWM_WRITER,
				 memory_order_acquire, memory_order_relaxed))) {
		uint64_t deadline = lk__deadline(timeout_ns);
		if (!lk__rwm_token_(l, deadline)) {
			lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
			return false;
		}
		if (!lk__rwm_drain_(l, deadline,
				    LK__RWM_TOKEN | LK__RWM_TWAIT)) {
			lk__tsan_post_lock(l, LK__TSAN_TIMED, false);
			return false;
		}
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_rwmutex_wrunlock(lk_rwmutex_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__RWM_HOLDS(l, true, "lk_rwmutex_wrunlock");
	lk__owner_clear(&l->owner_);
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	/* Nobody waits: clear TOKEN and WRITER, flip PHASE. release: as
	 * lk__rwm_release_. */
	if (lk__likely((v & ~LK__RWM_PHASE) ==
		       (LK__RWM_TOKEN | LK__RWM_WRITER)) &&
	    atomic_compare_exchange_strong_explicit(
		    &l->state, &v,
		    v ^ (LK__RWM_TOKEN | LK__RWM_WRITER | LK__RWM_PHASE),
		    memory_order_release, memory_order_relaxed)) {
		lk__tsan_post_unlock(l, 0);
		return;
	}
	lk__rwm_release_(l, LK__RWM_TOKEN | LK__RWM_TWAIT, 0, LK__RWM_END);
	lk__tsan_post_unlock(l, 0);
}

/* ---- upgradable readers (U) ---------------------------------------------- */

static inline void lk_rwmutex_uplock(lk_rwmutex_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD);
	LK__RWM_RELOCK(l, "lk_rwmutex_uplock");
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	/* acquire: pairs with the last writer's release. */
	if (lk__unlikely((v & LK__RWM_TOKEN) ||
			 !atomic_compare_exchange_strong_explicit(
				 &l->state, &v, v | LK__RWM_TOKEN,
				 memory_order_acquire, memory_order_relaxed)))
		lk__rwm_token_(l, 0);
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_RD, true);
}

static inline bool lk_rwmutex_uptrylock(lk_rwmutex_t *l)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TRY);
	LK__RWM_RELOCK(l, "lk_rwmutex_uptrylock");
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	while (!(v & LK__RWM_TOKEN)) {
		/* acquire: as uplock. */
		if (atomic_compare_exchange_weak_explicit(
			    &l->state, &v, v | LK__RWM_TOKEN,
			    memory_order_acquire, memory_order_relaxed)) {
			lk__owner_acquired(&l->owner_);
			lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, true);
			return true;
		}
	}
	lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TRY, false);
	return false;
}

static inline bool lk_rwmutex_uptimedlock(lk_rwmutex_t *l,
					  uint64_t timeout_ns)
{
	lk__tsan_pre_lock(l, LK__TSAN_RD | LK__TSAN_TIMED);
	LK__RWM_RELOCK(l, "lk_rwmutex_uptimedlock");
	if (!lk_rwmutex_uptrylock(l) &&
	    !lk__rwm_token_(l, lk__deadline(timeout_ns))) {
		lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TIMED, false);
		return false;
	}
	lk__owner_acquired(&l->owner_);
	lk__tsan_post_lock(l, LK__TSAN_RD | LK__TSAN_TIMED, true);
	return true;
}

static inline void lk_rwmutex_upunlock(lk_rwmutex_t *l)
{
	lk__tsan_pre_unlock(l, LK__TSAN_RD);
	LK__RWM_HOLDS(l, false, "lk_rwmutex_upunlock");
	lk__owner_clear(&l->owner_);
	lk__rwm_release_(l, LK__RWM_TOKEN | LK__RWM_TWAIT, 0, LK__RWM_KEEP);
	lk__tsan_post_unlock(l, LK__TSAN_RD);
}

/* U -> X: wait for the readers inside to leave; new ones wait meanwhile. */
static inline void lk_rwmutex_upgrade(lk_rwmutex_t *l)
{
	lk__tsan_pre_unlock(l, LK__TSAN_RD);
	lk__tsan_post_unlock(l, LK__TSAN_RD);
	lk__tsan_pre_lock(l, 0);
	LK__RWM_HOLDS(l, false, "lk_rwmutex_upgrade");
	lk__rwm_drain_(l, 0, 0);
	lk__tsan_post_lock(l, 0, true);
}

/* X -> R in one CAS: the waiting readers come in with us. */
static inline void lk_rwmutex_downgrade(lk_rwmutex_t *l)
{
	lk__tsan_pre_unlock(l, 0);
	LK__RWM_HOLDS(l, true, "lk_rwmutex_downgrade");
	lk__owner_clear(&l->owner_);
	lk__rwm_release_(l, LK__RWM_TOKEN | LK__RWM_TWAIT, LK__RWM_RD1, LK__RWM_END);
	lk__tsan_post_unlock(l, 0);
	lk__tsan_pre_lock(l, LK__TSAN_RD);
	lk__tsan_post_lock(l, LK__TSAN_RD, true);
}

/* U -> R in one CAS: the token goes to the next writer or upgrader. */
static inline void lk_rwmutex_updowngrade(lk_rwmutex_t *l)
{
	lk__tsan_pre_signal(l);
	LK__RWM_HOLDS(l, false, "lk_rwmutex_updowngrade");
	lk__owner_clear(&l->owner_);
	lk__rwm_release_(l, LK__RWM_TOKEN | LK__RWM_TWAIT, LK__RWM_RD1, LK__RWM_KEEP);
	lk__tsan_post_signal(l);
}

/* ---- queries: racy hints, for assertions ---------------------------------
 *
 * assert(lk_rwmutex_is_wrlocked(&l)) in code that must hold it for writing,
 * assert(lk_rwmutex_is_locked(&l)) where reading suffices. Each is exact about
 * the caller's own hold: true while the caller holds it so, false while nobody
 * holds it. About other threads it may be stale when it returns; and while a
 * latch changes hands it may read either way: a reader arriving in a writer
 * phase counts in RD for a moment before it moves to WT, and a writer holds
 * TOKEN|WRITER while it drains the readers (and TOKEN alone just before).
 */

/* Held in any mode: R, U or X. */
static inline bool lk_rwmutex_is_locked(const lk_rwmutex_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->state, memory_order_relaxed) &
		(LK__RWM_TOKEN | LK__RWM_RDMASK)) != 0;
}

/* Held in X mode (or a writer or upgrader is draining the readers). */
static inline bool lk_rwmutex_is_wrlocked(const lk_rwmutex_t *l)
{
	/* relaxed: see the header comment */
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	return (v & (LK__RWM_TOKEN | LK__RWM_WRITER)) ==
	       (LK__RWM_TOKEN | LK__RWM_WRITER);
}

/* Held in U mode. */
static inline bool lk_rwmutex_is_uplocked(const lk_rwmutex_t *l)
{
	/* relaxed: see the header comment */
	uint32_t v = atomic_load_explicit(&l->state, memory_order_relaxed);
	return (v & (LK__RWM_TOKEN | LK__RWM_WRITER)) == LK__RWM_TOKEN;
}

/* Held in R mode, by one reader or more. */
static inline bool lk_rwmutex_is_rdlocked(const lk_rwmutex_t *l)
{
	/* relaxed: see the header comment */
	return (atomic_load_explicit(&l->state, memory_order_relaxed) &
		LK__RWM_RDMASK) != 0;
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it in X mode, or in U
 * mode? Exact. (Readers are not tracked.) */
static inline bool lk_rwmutex_is_wrlocked_by_me(const lk_rwmutex_t *l)
{
	return lk__owner_is_self(&l->owner_) && lk_rwmutex_is_wrlocked(l);
}

static inline bool lk_rwmutex_is_uplocked_by_me(const lk_rwmutex_t *l)
{
	return lk__owner_is_self(&l->owner_) && lk_rwmutex_is_uplocked(l);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_RWMUTEX_H */
