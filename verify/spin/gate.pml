/*
 * gate.pml: the queue gate shared by ticket.h, mcs.h and clh.h: a lock word
 * in front of a FIFO queue (ShflLock, Kashyap et al., SOSP 2019: the lock
 * word apart from the queue, a bounded steal), with a preemption-tolerant
 * steal rule. The queue itself is abstract here (a FIFO channel plus the
 * ghost `head`); ticket.pml, mcs.pml and clh.pml model each queue with this
 * gate in front of it.
 * word: LOCKED = 1; HS (head state, bits 1-2): NONE 0, RUNNING 2, PARKED 4,
 * WAKING 6; NOSTEAL = 8.
 *   label    atomic step                                  C operation
 *   look     atomic { steal allowed -> word |= LOCKED }   fast path CAS(word, 0, LOCKED), then the arrival's
 *                                                         single look: w = load(word); allowed iff !LOCKED,
 *                                                         !NOSTEAL, HS != RUNNING; CAS(word, w, w|LOCKED)
 *            atomic { word == RUNNING -> RUNNING|LOCKED } the stale rule: a free word with a running head
 *                                                         announced, still so after the watch time:
 *                                                         CAS(word, RUNNING, RUNNING|LOCKED)
 *            skip                                         the look saw the lock taken, or the CAS lost:
 *                                                         queue (always allowed: the load came earlier)
 *   enq      atomic { head is free ? head = me : q!me }   enqueue at the FIFO's tail (the queue locks'
 *                                                         fetch_add / exchange); the wait for headship
 *                                                         (spin, park on its own slot) is abstract
 *   hacq     atomic { !(word & L) -> word = LOCKED }      head: w = load(word), !LOCKED: CAS(word, w, LOCKED)
 *                                                         (clears HS and NOSTEAL)
 *   hann     atomic { word & L -> word = want }           head: w = load(word), LOCKED: want = w, RUNNING
 *                                                         announced (or revived after WAKING) unless it is
 *                                                         about to park, NOSTEAL once the window has
 *                                                         expired, PARKED once the spin budget ran out;
 *                                                         CAS(word, w, want) when want != w
 *   fwait    atomic { word == want -> sleeping }          futex_wait(word, want) when HS(want) == PARKED: the
 *                                                         kernel compares and sleeps in one step
 *   slept    (!sleeping[i])                               futex_wait returns (woken; spurious with -DSPURIOUS)
 *   pass     atomic { head = q's first, or none }         the head, holding the word, passes headship to its
 *                                                         queue successor (the queue locks' grant)
 *   rel      atomic { w = word; word = w & ~L,            unlock: CAS(word, LOCKED, 0), on failure the loop
 *                     PARKED -> WAKING }                  load, nw = w & ~LOCKED (PARKED -> WAKING), CAS
 *   wake     HS(w) == PARKED -> wake the sleeper          futex_wake(word, 1) (only the head parks on word)
 * Each "load, decide, CAS, on failure reload" loop is one atomic step: a CAS
 * that succeeds saw the word unchanged since its load, so the pair acts as
 * if done at the CAS; a failing CAS only repeats the loop. So the liveness
 * checks assume these retry loops are lock-free (some CAS wins), as in
 * mutex.pml. A failed look is always possible (its load may be stale), so
 * the fast path and the look are one step: the fast path is the look's
 * case w == 0. trylock is that look alone: a failed trylock changes no
 * shared state, so it adds nothing to model.
 * "The head's window expired" is the ghost bit `expired`, set by the Timer
 * process while there is a head (any time: nondeterministic; weakly fair,
 * so it happens), sticky until headship passes. The spin budget running
 * out is a nondeterministic choice of each head step.
 * Spurious futex wakeups are a separate check (-DSPURIOUS): a sleeper that
 * may always wake by itself would hide every lost wakeup from the deadlock
 * search and from the liveness checks.
 * Properties: mutual exclusion; FIFO among queued processes (ghost `order`:
 * enqueue order, assertion at the head's acquisition); bounded overtaking:
 * at every acquisition, when NOSTEAL is set the acquirer is the head that
 * set it (ghost nsby); no deadlock (invalid end states: a parked head never
 * woken leaves the rest queued behind it); no lost wakeup (ltl nolost) and
 * starvation freedom (ltl nostarve), weak fairness.
 * Bounds: N = 3 lockers + the Timer; every process loops forever (no
 * non-critical section: the most contention).
 * Seeded bugs:
 *   BUG_PLAIN_UNLOCK  unlock is store(word, 0): PARKED is not turned into
 *                     WAKING and nobody is woken (lost wakeup, deadlock)
 *   BUG_STEAL_NS      the look ignores NOSTEAL: a stealer overtakes a head
 *                     that set NOSTEAL (bounded overtaking; starvation)
 *   BUG_PARK_SILENT   the head sleeps (futex_wait(word, want)) without
 *                     setting PARKED in want: unlock does not wake it
 *   BUG_STORE_ACQ     the head acquires with load, then store(word, LOCKED)
 *                     instead of a CAS: a stealer in between (mutual exclusion)
 *   BUG_UNLOCK_CHECK_STORE  unlock loads, and if word == LOCKED stores 0
 *                     (check-then-store in place of the CAS): a PARKED set
 *                     in between is erased, the head is never woken
 *   BUG_STALE_NS      the stale rule compares without NOSTEAL
 *                     ((w & ~NOSTEAL) == RUNNING): it overtakes a head that
 *                     set NOSTEAL (bounded overtaking)
 */
// @check mutex+fifo+bounded-overtaking pass - safety
// @check mutex+fifo+bounded-spurious pass -DSPURIOUS safety
// @check no-lost-wakeup pass - ltl:nolost
// @check starvation-free pass - ltl:nostarve
// @check bug-unlock-plain-store fail -DBUG_PLAIN_UNLOCK safety
// @check bug-steal-ignores-nosteal fail -DBUG_STEAL_NS safety
// @check bug-steal-ignores-nosteal-starves fail -DBUG_STEAL_NS,-DNOBOUND ltl:nostarve
// @check bug-park-without-parked fail -DBUG_PARK_SILENT safety
// @check bug-head-acquires-by-store fail -DBUG_STORE_ACQ safety
// @check bug-unlock-check-then-store fail -DBUG_UNLOCK_CHECK_STORE safety
// @check bug-stale-steal-ignores-nosteal fail -DBUG_STALE_NS safety

#ifndef N
#define N 3
#endif
#define NIL 255
#define L 1
#define HSM 6
#define RUN 2
#define PRK 4
#define WKG 6
#define NS 8
#define HS(x) ((x) & HSM)

#ifdef BUG_STEAL_NS
#define STEAL_OK(x) (!((x) & L) && HS(x) != RUN)
#else
#define STEAL_OK(x) (!((x) & L) && !((x) & NS) && HS(x) != RUN)
#endif
#ifdef BUG_STALE_NS
#define STALE_OK(x) (((x) & ~NS) == RUN)
#else
#define STALE_OK(x) ((x) == RUN)
#endif

byte word;
byte head = NIL;            /* the queue's head (abstract queue) */
chan q = [N] of { byte };   /* the queue behind the head */
bit expired;                /* the head's window has expired */
bit sleeping[N];            /* futex wait on word */
byte nsby = NIL;            /* ghost: the head that set NOSTEAL */
byte incs;                  /* ghost: processes in the critical section */
bool want[N], cs[N];        /* ghost, for the LTL properties */
chan order = [N] of { byte };  /* ghost: enqueue order */

/* every acquisition: with NOSTEAL set, only the head that set it
 * (-DNOBOUND: off, so that a liveness check shows the starvation itself) */
#ifdef NOBOUND
#define BOUNDED skip
#else
#define BOUNDED assert(!(word & NS) || nsby == _pid)
#endif

inline futex_wake_one()
{
	if
	:: sleeping[0] -> sleeping[0] = 0
	:: sleeping[1] -> sleeping[1] = 0
#if N > 2
	:: sleeping[2] -> sleeping[2] = 0
#endif
	:: else
	fi
}

active [N] proctype P()
{
	byte w, nw;
	bit park;
	do
	::
		want[_pid] = true;
look:		if
		:: atomic { STEAL_OK(word) -> BOUNDED; word = word | L }; goto enter
		:: atomic { STALE_OK(word) -> BOUNDED; word = word | L }; goto enter
		:: true
		fi;
enq:		atomic { order!_pid; if :: head == NIL -> head = _pid :: else -> q!_pid fi };
		(head == _pid);
		do
#ifdef BUG_STORE_ACQ
		:: !(word & L) ->
hstore:			atomic { BOUNDED; word = L; nsby = NIL; assert(order?[eval(_pid)]); order?_ };
			break
#else
		:: atomic { !(word & L) -> BOUNDED; word = L; nsby = NIL; assert(order?[eval(_pid)]); order?_ };
			break
#endif
		:: atomic { (word & L) ->
			w = word; nw = w;
			if :: park = 1 :: park = 0 fi;
			if :: HS(w) != RUN && !park -> nw = (nw & ~HSM) | RUN :: else fi;
			if :: expired && !(nw & NS) -> nw = nw | NS; nsby = _pid :: else fi;
#ifndef BUG_PARK_SILENT
			if :: park -> nw = (nw & ~HSM) | PRK :: else fi;
#endif
			word = nw; w = 0 };
			if
			:: park ->
fwait:				atomic { if :: word == nw -> sleeping[_pid] = 1 :: else fi; park = 0; nw = 0 };
slept:				if
				:: !sleeping[_pid]
#ifdef SPURIOUS
				:: sleeping[_pid] -> sleeping[_pid] = 0
#endif
				fi
			:: else -> nw = 0
			fi
		od;
pass:		atomic { if :: nempty(q) -> q?head :: empty(q) -> head = NIL fi; expired = 0 };
enter:		atomic { incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
#if defined(BUG_PLAIN_UNLOCK)
rel:		atomic { word = 0; nsby = NIL };
#else
#ifdef BUG_UNLOCK_CHECK_STORE
		if
		:: word == L ->
rel0:			atomic { word = 0; nsby = NIL }
		:: word != L ->
#endif
rel:		atomic {
			w = word; nw = w & ~L;
			if :: HS(w) == PRK -> nw = (nw & ~HSM) | WKG :: else fi;
			word = nw; nw = 0
		};
wake:		atomic { if :: HS(w) == PRK -> futex_wake_one() :: else fi; w = 0 }
#ifdef BUG_UNLOCK_CHECK_STORE
		fi
#endif
#endif
	od
}

active proctype Timer()
{
end:	do
	:: atomic { head != NIL && !expired -> expired = 1 }
	od
}

ltl nolost { [] (sleeping[0] -> <> !sleeping[0]) }
ltl nostarve { [] (want[0] -> <> cs[0]) }
