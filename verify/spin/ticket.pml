/*
 * ticket.pml: ticket spinlock, 3 processes, counters wrapping modulo M.
 * Models primitives/ticket.h: lk_ticket_lock, lk_ticket_trylock (each round
 * a process picks lock or trylock), lk_ticket_unlock.
 *   label    atomic step                          C operation
 *   doorway  atomic { my = next; next = (next+1)%M }  atomic_fetch_add_explicit(next half, 2, relaxed)
 *   wait     (owner == my)                        atomic_load_explicit(owner half, acquire) loop via lk__wait
 *   tryload  atomic { o = owner; tn = next }       trylock: atomic_load_explicit(&l->c_.both, acquire)
 *            o != tn -> fail                      trylock: (uint32_t)v != (uint32_t)(v >> 32)
 *   trycas   atomic { owner == o && next == o ->  atomic_compare_exchange_strong_explicit(&l->c_.both, &v,
 *                     next = o+1 }                    v + (2 << 32), relaxed, relaxed)
 *   release  owner = (owner+1)%M                  atomic_fetch_add_explicit(owner half, 2, release)
 *            (only the holder changes owner's count, and the owner half is
 *            its own 32-bit atomic: its wrap never carries into next)
 * owner and next are the two halves of one 64-bit word, so trylock's load
 * and CAS see both. The load and the CAS are separate steps, and the
 * counters wrap modulo M, so Spin checks the case the old code lost: a
 * trylock stalled between load and CAS while the counters go round. Both
 * halves equal to the snapshot with next == owner means the lock is free at
 * the CAS, whatever happened in between.
 * Seeded bug BUG_TRY_NEXT: the old trylock (load owner, then CAS `next`
 * alone from o to o+1); Spin finds the wrap ABA: a trylock stalled while
 * owner advances M-1 times barges past queued waiters (in C, 2^31 - 1
 * acquisitions inside that window).
 * The PARKED bit and futex wake are not modelled (ticket steps are 1 here,
 * 2 in C); verify/tla/Ticket.tla covers parking.
 * M = 4 > N models the C counters' wrap-around: correct while fewer than M
 * threads wait. Ghost `order` records doorway order; entry must follow it.
 * Other seeded bugs: BUG_SPLIT_FAA takes the ticket as load then store;
 *              BUG_WRAP counts modulo 2 with 3 threads (counter too narrow).
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
// @check bug-trylock-cas-next-only fail -DBUG_TRY_NEXT safety
// @check bug-split-fetch-add fail -DBUG_SPLIT_FAA safety
// @check bug-counter-too-narrow fail -DBUG_WRAP safety

#define N 3
#ifdef BUG_WRAP
#define M 2
#else
#define M 4
#endif
byte next, owner;
byte incs;                 /* ghost: processes in the critical section */
bool want[N], cs[N];       /* ghost, for the LTL property */
chan order = [N] of { byte };  /* ghost: doorway order */

active [N] proctype P()
{
	byte my, o, tn;  /* o, tn: trylock's snapshot of owner, next */
	do
	::
		if
		:: true -> goto lock
		:: true
		fi;
#ifdef BUG_TRY_NEXT
tryload:	o = owner;
trycas:		if
		:: atomic { next == o -> next = (o + 1) % M; order!_pid; my = o }; goto enter
		:: next != o -> goto tryagain
		fi;
#else
tryload:	atomic { o = owner; tn = next };
		if
		:: o != tn -> goto tryagain
		:: else
		fi;
trycas:		if
		:: atomic { (owner == o && next == o) -> next = (o + 1) % M; order!_pid; my = o; o = 0; tn = 0 }; goto enter
		:: !(owner == o && next == o) -> goto tryagain
		fi;
#endif
lock:		want[_pid] = true;
#ifdef BUG_SPLIT_FAA
		my = next;
		atomic { next = (my + 1) % M; order!_pid };
#else
doorway:	atomic { my = next; next = (next + 1) % M; order!_pid };
#endif
wait:		(owner == my);
enter:
		/* FIFO: the first in doorway order enters first */
		atomic { assert(order?[eval(_pid)]); order?_; incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
release:	owner = (owner + 1) % M;  /* then falls to tryagain */
tryagain:	atomic { o = 0; tn = 0; my = 0 }  /* dead values: fewer states */
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
