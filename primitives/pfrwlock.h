/*
 * latchkit/pfrwlock.h: a phase-fair spinning reader-writer latch.
 *
 * Algorithm: PF-T, the ticket-based phase-fair RW lock of B. Brandenburg and
 * J. Anderson, "Spin-based reader-writer synchronization for multiprocessor
 * real-time systems", Real-Time Systems 46(1), 2010. Four counters:
 *   rin   readers that arrived (in steps of RINC = 0x100); its low two bits
 *         are the writer bits: PRES (a writer is present) and PHID (the
 *         present writer's phase id, taken from wout, below)
 *   rout  readers that left (steps of RINC)
 *   win   writer tickets handed out, in steps of 2
 *   wout  the ticket being served (even part), and in its low bit the phase
 *         id the next writer phase will carry
 * The paper takes the phase id from the ticket's low bit; here it flips only
 * when a writer phase really ran, so a try writer may give back a ticket
 * unused without two consecutive phases carrying the same id (a reader that
 * arrived in the first would take the second for it and wait for ever).
 * A reader adds RINC to rin; if the writer bits were set, it spins until they
 * change: either cleared, or the next writer's (other) phase id. A writer takes
 * a ticket, waits its turn, sets PRES|PHID in rin and waits until rout reaches
 * the rin value it displaced (every reader that came before it has left).
 *
 * Progress and fairness: phase-fair. Reader and writer phases alternate while
 * both wait: a reader waits for at most one writer phase, a writer for at most
 * one reader phase plus the writers ahead of it, which are served FIFO. No
 * starvation. Spinning only (lk__wait() with no futex word); never a syscall.
 * The price of that order: when threads outnumber cores, a writer whose turn
 * (or a reader whose admission) has come may be descheduled, and everyone
 * behind it waits for the scheduler (95% reads, 2 threads on 2 loaded cores:
 * about 5x below rwlock.h, as ck_pflock); prefer rwmutex.h there.
 *
 * Size: 16 bytes (four 32-bit counters, paired in two 64-bit words; 24 with
 * LK_DEBUG's write owner). Counters wrap: only equality is ever tested, and
 * the try writer compares whole pairs, so a wrap cannot fool it. At most
 * 2^24 - 1 readers inside at once.
 *
 * Timed variants and withdrawal:
 *   rdtimedlock  a waiting reader withdraws with a CAS that takes its RINC
 *                back out of rin, only while the writer bits it saw are still
 *                there: that writer counted rin before the reader arrived, so
 *                nobody waits for it; if the bits changed, it is already in.
 *   wrtimedlock  a ticket once taken cannot be given back while writers wait
 *                behind it, and a writer phase cannot end before the readers
 *                it counted have left (a reader that slept through a shorter
 *                phase could see the same phase id again two writers later
 *                and wait for ever on a writer that waits for it). So a timed
 *                (or try) writer never queues and never starts a phase it
 *                cannot finish at once: it polls for a free latch (no writer,
 *                no reader) and takes it with one CAS on the (win, wout)
 *                pair and one on the (rin, rout) pair.
 *                A timed writer is therefore not FIFO with untimed writers
 *                and can be starved by readers until its deadline.
 *
 * Memory order:
 *   rdlock    fetch_add rin +RINC  acquire: admission; see the last writer's
 *                                  data when no writer was present.
 *             load rin (wait)      acquire: the phase change admits the
 *                                  reader; pairs with wrunlock's release.
 *   rdunlock  fetch_add rout +RINC release: the reads happen before the
 *                                  writer that sees rout reach its ticket.
 *   wrlock    fetch_add win +2     relaxed: only a place in line.
 *             load wout (wait)     acquire: pairs with the previous writer's
 *                                  release of wout (its data, its rin clear).
 *             fetch_add rin +bits  relaxed: blocks readers; the writer
 *                                  reads nothing through it.
 *             load rout (wait)     acquire: pairs with readers' rdunlock.
 *   wrunlock  fetch_and rin ~bits  release: admits readers, publishes data.
 *             store (wout+2)^1     release: passes the latch to the next
 *                                  writer (only the owner writes wout) and
 *                                  flips the phase id.
 *   rd withdraw CAS rin -RINC      acquire: needed only when it fails
 *                                  and finds the phase over (the reader
 *                                  is then in); C11 makes success match.
 *   wr try    load (win, wout), (rin, rout)  relaxed: a snapshot only.
 *             CAS (win, wout) then CAS (rin, rout), each on the 64-bit
 *                                  pair, acquire on success: pairs with
 *                                  the last writer's wout and readers'
 *                                  rout releases; fails if anyone came.
 *             store wout +2        release: gives back an unused ticket;
 *                                  no phase ran, so the id does not flip.
 *   is_*locked load (rin, rout)    relaxed, one 64-bit load so the two
 *                                  counters agree: a hint that orders
 *                                  nothing; exact about the caller's own
 *                                  hold by coherence (its PRES bit, or its
 *                                  arrival in rin with no departure in
 *                                  rout, stays until it unlocks).
 */
#ifndef LATCHKIT_PFRWLOCK_H
#define LATCHKIT_PFRWLOCK_H

#include "base.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK__PF_RINC 0x100u
#define LK__PF_WBITS 0x3u
#define LK__PF_PRES 0x2u
#define LK__PF_PHID 0x1u
#define LK__PF_CMASK 0xffffff00u

/* Each pair is one 64-bit word so the try writer can CAS both counters at
 * once: rout and wout in the low halves (first in memory on little-endian,
 * so a 64-bit op shares the address of their releases, which TSan pairs by
 * address), rin and win in the high halves. Everything else uses the
 * 32-bit halves alone. */
typedef struct {
	union {
		LK_ATOMIC(uint64_t) both; /* rin << 32 | rout */
		LK_ATOMIC(uint32_t) half[2];
	} r_;
	union {
		LK_ATOMIC(uint64_t) both; /* win << 32 | wout */
		LK_ATOMIC(uint32_t) half[2];
	} w_;
	LK__OWNER_FIELD /* write owner, 0 when none */
} lk_pfrwlock_t;

#define lk__pf_rin_(l) (&(l)->r_.half[1 - LK__LO_HALF])
#define lk__pf_rout_(l) (&(l)->r_.half[LK__LO_HALF])
#define lk__pf_win_(l) (&(l)->w_.half[1 - LK__LO_HALF])
#define lk__pf_wout_(l) (&(l)->w_.half[LK__LO_HALF])

#define LK_PFRWLOCK_INIT {{LK__AINIT(0)}, {LK__AINIT(0)} LK__OWNER_INIT}

static inline void lk_pfrwlock_init(lk_pfrwlock_t *l)
{
	atomic_store_explicit(&l->r_.both, 0u, memory_order_relaxed);
	atomic_store_explicit(&l->w_.both, 0u, memory_order_relaxed);
	lk__owner_clear(&l->owner_);
}

/* ---- readers ------------------------------------------------------------ */

/* Wait out the writer phase `w` (the writer bits seen on arrival). With a
 * deadline, withdraw on expiry unless the phase has already changed. */
LK__COLD bool lk__pf_rdwait_(lk_pfrwlock_t *l, uint32_t w,
			     uint64_t deadline)
{
	lk__wait_t wt = lk__wait_start(deadline);
	for (;;) {
		/* acquire: the change of phase admits us; see the writer's data */
		uint32_t v =
		    atomic_load_explicit(lk__pf_rin_(l), memory_order_acquire);
		if ((v & LK__PF_WBITS) != w)
			return true;
		if (!lk__wait(&wt, NULL, 0))
			break;
	}
	/* acquire (load and failed CAS): if the phase ended first we are in
	 * and must see the writer's data (no fence: TSan cannot see fences). */
	uint32_t v = atomic_load_explicit(lk__pf_rin_(l), memory_order_acquire);
	for (;;) {
		if ((v & LK__PF_WBITS) != w)
			return true; /* the phase ended first: we are in */
		/* Withdraw: the writer that set `w` counted rin before our
		 * add, so none waits for us. acquire only for the failure
		 * (C11 forbids a failure order stronger than success's). */
		if (atomic_compare_exchange_weak_explicit(lk__pf_rin_(l), &v,
							  v - LK__PF_RINC,
							  memory_order_acquire,
							  memory_order_acquire))
			return false;
	}
}

static inline void lk_pfrwlock_rdlock(lk_pfrwlock_t *l)
{
	lk__owner_check_wrrelock(&l->owner_, "lk_pfrwlock_rdlock");
	/* acquire: admission when no writer is present. */
	uint32_t w = atomic_fetch_add_explicit(lk__pf_rin_(l), LK__PF_RINC,
					       memory_order_acquire) &
		     LK__PF_WBITS;
	if (lk__unlikely(w != 0))
		lk__pf_rdwait_(l, w, 0);
}

static inline bool lk_pfrwlock_rdtrylock(lk_pfrwlock_t *l)
{
	lk__owner_check_wrrelock(&l->owner_, "lk_pfrwlock_rdtrylock");
	uint32_t v = atomic_load_explicit(lk__pf_rin_(l), memory_order_relaxed);
	while (!(v & LK__PF_WBITS)) {
		/* acquire: as rdlock. */
		if (atomic_compare_exchange_weak_explicit(lk__pf_rin_(l), &v,
							  v + LK__PF_RINC,
							  memory_order_acquire,
							  memory_order_relaxed))
			return true;
	}
	return false;
}

static inline bool lk_pfrwlock_rdtimedlock(lk_pfrwlock_t *l,
					   uint64_t timeout_ns)
{
	lk__owner_check_wrrelock(&l->owner_, "lk_pfrwlock_rdtimedlock");
	uint32_t w = atomic_fetch_add_explicit(lk__pf_rin_(l), LK__PF_RINC,
					       memory_order_acquire) &
		     LK__PF_WBITS;
	if (lk__likely(w == 0))
		return true;
	return lk__pf_rdwait_(l, w, lk__deadline(timeout_ns));
}

static inline void lk_pfrwlock_rdunlock(lk_pfrwlock_t *l)
{
#ifdef LK_DEBUG
	/* one load of the pair: two would race with readers coming and going
	 * in between and could see rout catch up with an older rin */
	uint64_t rv = atomic_load_explicit(&l->r_.both, memory_order_relaxed);
	LK__CHECK((LK__CAST(uint32_t, rv >> 32) & LK__PF_CMASK) !=
			  LK__CAST(uint32_t, rv),
		  "lk_pfrwlock_rdunlock",
		  "read-unlock of a latch not read-locked");
	lk__owner_check_relock_as(&l->owner_, "lk_pfrwlock_rdunlock",
				  "read-unlock of a latch held for writing");
#endif
	/* release: our reads happen before the next writer's entry. */
	atomic_fetch_add_explicit(lk__pf_rout_(l), LK__PF_RINC,
				  memory_order_release);
}

/* ---- writers ------------------------------------------------------------ */

/* Wait for our ticket's turn; returns wout (its low bit: our phase id). */
LK__COLD uint32_t lk__pf_wrturn_(lk_pfrwlock_t *l, uint32_t t)
{
	lk__wait_t w = lk__wait_start(0);
	uint32_t o;
	/* acquire: pairs with the previous writer's release of wout. */
	while (
	    ((o = atomic_load_explicit(lk__pf_wout_(l), memory_order_acquire)) &
	     ~LK__PF_PHID) != t)
		lk__wait(&w, NULL, 0);
	return o;
}

/* Wait for the readers that came before our phase to leave. */
LK__COLD void lk__pf_wrdrain_(lk_pfrwlock_t *l, uint32_t rt)
{
	lk__wait_t w = lk__wait_start(0);
	/* acquire: pairs with the leaving readers' release of rout. */
	while (atomic_load_explicit(lk__pf_rout_(l), memory_order_acquire) !=
	       rt)
		lk__wait(&w, NULL, 0);
}

static inline void lk_pfrwlock_wrlock(lk_pfrwlock_t *l)
{
	lk__owner_check_wrrelock(&l->owner_, "lk_pfrwlock_wrlock");
	/* relaxed: a place in line; the wout load below orders. */
	uint32_t t = atomic_fetch_add_explicit(lk__pf_win_(l), 2u,
					       memory_order_relaxed);
	/* acquire: pairs with the previous writer's release of wout. */
	uint32_t o =
	    atomic_load_explicit(lk__pf_wout_(l), memory_order_acquire);
	if (lk__unlikely((o & ~LK__PF_PHID) != t))
		o = lk__pf_wrturn_(l, t);
	/* relaxed: blocks arriving readers; we read nothing through it. */
	uint32_t rt = atomic_fetch_add_explicit(
			      lk__pf_rin_(l), LK__PF_PRES | (o & LK__PF_PHID),
			      memory_order_relaxed) &
		      LK__PF_CMASK;
	/* acquire: pairs with the leaving readers' release of rout. */
	if (lk__unlikely(atomic_load_explicit(lk__pf_rout_(l),
					      memory_order_acquire) != rt))
		lk__pf_wrdrain_(l, rt);
	lk__owner_acquired(&l->owner_);
}

/*
 * One attempt that never starts a writer phase it cannot finish at once: a
 * phase that ended without waiting for its readers would let a reader that
 * slept through it see the same phase id again in the next-but-one writer,
 * and wait for ever on a writer that waits for it.
 * Both CASes compare a whole pair with the pair as loaded: (win, wout) equal
 * means no writer holds or queues now, (rin, rout) equal with no writer
 * bits and rin's count == rout means no reader is inside now. However far
 * the counters went round in between (2^24 reader arrivals, 2^31 writer
 * tickets), equal pairs are the state we checked, so there is no ABA.
 */
static inline bool lk__pf_wrtry_(lk_pfrwlock_t *l)
{
	/* relaxed: only a snapshot; the CASes below validate it and acquire */
	uint64_t wv = atomic_load_explicit(&l->w_.both, memory_order_relaxed);
	uint32_t o = LK__CAST(uint32_t, wv); /* wout: served ticket | phase id */
	if (LK__CAST(uint32_t, wv >> 32) != (o & ~LK__PF_PHID))
		return false; /* a writer holds or queues */
	uint64_t rv = atomic_load_explicit(&l->r_.both, memory_order_relaxed);
	uint32_t in = LK__CAST(uint32_t, rv >> 32);
	if ((in & LK__PF_WBITS) ||
	    (in & LK__PF_CMASK) != LK__CAST(uint32_t, rv))
		return false; /* a writer's bits, or readers inside */
	/* acquire on success: pairs with the last writer's release of wout
	 * (same word), so we follow its critical section. Takes the ticket
	 * wout serves. */
	if (!atomic_compare_exchange_strong_explicit(
		    &l->w_.both, &wv, wv + (UINT64_C(2) << 32),
		    memory_order_acquire, memory_order_relaxed))
		return false;
	/* acquire on success: pairs with the last readers' release of rout
	 * (same word): their reads happen before our writes. */
	if (atomic_compare_exchange_strong_explicit(
		    &l->r_.both, &rv,
		    rv | (LK__CAST(uint64_t, LK__PF_PRES | (o & LK__PF_PHID))
			  << 32),
		    memory_order_acquire, memory_order_relaxed))
		return true;
	/* A reader came: give the ticket back unused; no phase began. */
	atomic_store_explicit(lk__pf_wout_(l), o + 2, memory_order_release);
	return false;
}

static inline bool lk_pfrwlock_wrtrylock(lk_pfrwlock_t *l)
{
	lk__owner_check_wrrelock(&l->owner_, "lk_pfrwlock_wrtrylock");
	if (!lk__pf_wrtry_(l))
		return false;
	lk__owner_acquired(&l->owner_);
	return true;
}

static inline bool lk_pfrwlock_wrtimedlock(lk_pfrwlock_t *l,
					   uint64_t timeout_ns)
{
	lk__owner_check_wrrelock(&l->owner_, "lk_pfrwlock_wrtimedlock");
	lk__wait_t w = lk__wait_start(lk__deadline(timeout_ns));
	while (!lk__pf_wrtry_(l))
		if (!lk__wait(&w, NULL, 0))
			return false;
	lk__owner_acquired(&l->owner_);
	return true;
}

static inline void lk_pfrwlock_wrunlock(lk_pfrwlock_t *l)
{
	/* Only the owner writes wout: a relaxed load is the current one. */
	uint32_t o =
	    atomic_load_explicit(lk__pf_wout_(l), memory_order_relaxed);
#ifdef LK_DEBUG
	uint32_t in =
	    atomic_load_explicit(lk__pf_rin_(l), memory_order_relaxed);
	LK__CHECK(in & LK__PF_PRES, "lk_pfrwlock_wrunlock",
		  (in & LK__PF_CMASK) !=
				  atomic_load_explicit(lk__pf_rout_(l),
						       memory_order_relaxed)
			  ? "write-unlock of a latch held for reading"
			  : "write-unlock of a latch not write-locked");
	lk__owner_wrrelease(&l->owner_, "lk_pfrwlock_wrunlock");
#endif
	/* release: admits the waiting readers and publishes our data. */
	atomic_fetch_and_explicit(lk__pf_rin_(l), ~LK__PF_WBITS,
				  memory_order_release);
	/* release: hands over to the next writer; a phase ran: flip its id. */
	atomic_store_explicit(lk__pf_wout_(l), (o + 2) ^ LK__PF_PHID,
			      memory_order_release);
}

/* ---- queries: racy hints, for assertions ---------------------------------
 *
 * assert(lk_pfrwlock_is_wrlocked(&l)) in code that must hold it for writing,
 * assert(lk_pfrwlock_is_locked(&l)) where reading suffices. Each is exact
 * about the caller's own hold: true while the caller holds it so, false while
 * nobody holds it. About other threads it may be stale when it returns; and
 * while a latch changes hands it may read either way: a reader waiting for a
 * writer phase to end already counts as arrived, and a writer sets PRES before
 * it drains the readers of the phase before it.
 */

/* Held for writing (or a writer is draining the readers before it). */
static inline bool lk_pfrwlock_is_wrlocked(const lk_pfrwlock_t *l)
{
	/* relaxed: see the header comment */
	uint64_t rv = atomic_load_explicit(&l->r_.both, memory_order_relaxed);
	return (LK__CAST(uint32_t, rv >> 32) & LK__PF_PRES) != 0;
}

/* Held for reading (readers arrived and not yet left). */
static inline bool lk_pfrwlock_is_rdlocked(const lk_pfrwlock_t *l)
{
	/* relaxed: see the header comment */
	uint64_t rv = atomic_load_explicit(&l->r_.both, memory_order_relaxed);
	return (LK__CAST(uint32_t, rv >> 32) & LK__PF_CMASK) !=
	       LK__CAST(uint32_t, rv);
}

/* Held in any mode: a writer, or readers. */
static inline bool lk_pfrwlock_is_locked(const lk_pfrwlock_t *l)
{
	/* relaxed: see the header comment */
	uint64_t rv = atomic_load_explicit(&l->r_.both, memory_order_relaxed);
	uint32_t in = LK__CAST(uint32_t, rv >> 32);
	return (in & LK__PF_PRES) ||
	       (in & LK__PF_CMASK) != LK__CAST(uint32_t, rv);
}

#ifdef LK_DEBUG
/* With LK_DEBUG only: does the calling thread hold it for writing? Exact.
 * (Readers are not tracked.) */
static inline bool lk_pfrwlock_is_wrlocked_by_me(const lk_pfrwlock_t *l)
{
	return lk__owner_is_self(&l->owner_);
}
#endif

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_PFRWLOCK_H */
