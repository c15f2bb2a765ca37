/*
 * ticket.pml: ticket lock as the queue behind the queue gate (gate.pml),
 * 3 processes, counters wrapping modulo M.
 * Models primitives/ticket.h: lk_ticket_lock (fast path, the look, the
 * ticket queue, the head's loop on the lock word, the pass), lk_ticket_trylock
 * (the look alone), lk_ticket_unlock (the gate's release). The lock word and
 * its head loop are gate.pml's, step for step (see its table); the queue:
 *   label    atomic step                          C operation
 *   doorway  atomic { my = next; next = (next+1)%M }  atomic_fetch_add_explicit(&next, STEP, relaxed)
 *   wait     (owner == my)                        load(owner, acquire) loop via lk__wait: now the head
 *   pass     owner = (owner+1)%M                  atomic_fetch_add_explicit(&owner, STEP, release), after
 *                                                 the head's CAS on the word took the lock (only the
 *                                                 head changes owner: its wrap never reaches next)
 * The look (steal), the head loop (hacq/hann/fwait/slept) and the unlock
 * (rel/wake) are as in gate.pml: each load-decide-CAS loop is one atomic
 * step, a failed look is always possible, trylock is the look alone (a
 * failed one changes nothing) and the head's window expiry is the Timer
 * process (any time while there is a head: next != owner; weakly fair).
 * The queue's own PARKED bit on `owner` and its futex wake are not modelled
 * (tickets step by 1 here, by 2 in C); verify/tla/Ticket.tla covers them.
 * M = 4 > N models the C counters' wrap-around: correct while fewer than M
 * threads wait. Ghost `order` records doorway order; a queued process must
 * take the word in that order (FIFO among the queued; a stealer is not in
 * the queue). Every acquisition asserts bounded overtaking (with NOSTEAL
 * set, only the head that set it acquires).
 * Seeded bugs: BUG_SPLIT_FAA takes the ticket as load then store (two heads
 * with one ticket: FIFO breaks); BUG_WRAP counts modulo 2 with 3 threads
 * (counter too narrow: two heads); BUG_EARLY_PASS: the head passes headship
 * (owner + 1) before its CAS on the word took the lock, so two heads race
 * for the word and the later one can win (FIFO).
 * Dropped with the gate: BUG_TRY_NEXT (the old trylock's CAS of `next`
 * alone, the wrap ABA): trylock no longer takes a ticket, it only steals the
 * word (gate.pml's look), so the counters' wrap cannot reach it. Its pass
 * check (the two-halves trylock) went with it.
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
// @check bug-split-fetch-add fail -DBUG_SPLIT_FAA safety
// @check bug-counter-too-narrow fail -DBUG_WRAP safety
// @check bug-pass-before-acquire fail -DBUG_EARLY_PASS safety

#define N 3
#ifdef BUG_WRAP
#define M 2
#else
#define M 4
#endif
#define NIL 255
/* the gate's lock word (gate.pml) */
#define L 1
#define HSM 6
#define RUN 2
#define PRK 4
#define WKG 6
#define NS 8
#define HS(x) ((x) & HSM)
#define STEAL_OK(x) (!((x) & L) && !((x) & NS) && HS(x) != RUN)
#define BOUNDED assert(!(word & NS) || nsby == _pid)
#define HASHEAD (next != owner)

byte next, owner;
byte word;
bit expired;               /* the head's window has expired */
bit sleeping[N];           /* futex wait on word */
byte nsby = NIL;           /* ghost: the head that set NOSTEAL */
byte incs;                 /* ghost: processes in the critical section */
bool want[N], cs[N];       /* ghost, for the LTL property */
chan order = [N] of { byte };  /* ghost: doorway order */

inline futex_wake_one()
{
	if
	:: sleeping[0] -> sleeping[0] = 0
	:: sleeping[1] -> sleeping[1] = 0
	:: sleeping[2] -> sleeping[2] = 0
	:: else
	fi
}

active [N] proctype P()
{
	byte my, w, nw;
	bit park;
	do
	::
		want[_pid] = true;
look:		if
		:: atomic { STEAL_OK(word) -> BOUNDED; word = word | L }; goto enter
		:: atomic { word == RUN -> BOUNDED; word = RUN | L }; goto enter
		:: true
		fi;
#ifdef BUG_SPLIT_FAA
		my = next;
		atomic { next = (my + 1) % M; order!_pid };
#else
doorway:	atomic { my = next; next = (next + 1) % M; order!_pid };
#endif
wait:		(owner == my);
#ifdef BUG_EARLY_PASS
		atomic { owner = (owner + 1) % M; expired = 0; my = 0 };
#endif
		/* the head: gate.pml's loop */
		do
		:: atomic { !(word & L) -> BOUNDED; word = L; nsby = NIL; assert(order?[eval(_pid)]); order?_ };
			break
		:: atomic { (word & L) ->
			w = word; nw = w;
			if :: park = 1 :: park = 0 fi;
			if :: HS(w) != RUN && !park -> nw = (nw & ~HSM) | RUN :: else fi;
			if :: expired && !(nw & NS) -> nw = nw | NS; nsby = _pid :: else fi;
			if :: park -> nw = (nw & ~HSM) | PRK :: else fi;
			word = nw; w = 0 };
			if
			:: park ->
fwait:				atomic { if :: word == nw -> sleeping[_pid] = 1 :: else fi; park = 0; nw = 0 };
slept:				!sleeping[_pid]
			:: else -> nw = 0
			fi
		od;
#ifndef BUG_EARLY_PASS
pass:		atomic { owner = (owner + 1) % M; expired = 0; my = 0 };
#endif
enter:		atomic { incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
rel:		atomic {
			w = word; nw = w & ~L;
			if :: HS(w) == PRK -> nw = (nw & ~HSM) | WKG :: else fi;
			word = nw; nw = 0
		};
wake:		atomic { if :: HS(w) == PRK -> futex_wake_one() :: else fi; w = 0 }
	od
}

active proctype Timer()
{
end:	do
	:: atomic { HASHEAD && !expired -> expired = 1 }
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
