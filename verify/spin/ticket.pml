/*
 * ticket.pml: ticket spinlock, 3 processes, counters wrapping modulo M.
 * Models primitives/ticket.h: lk_ticket_lock, lk_ticket_trylock (each round
 * a process picks lock or trylock), lk_ticket_unlock.
 *   label    atomic step                          C operation
 *   doorway  atomic { my = next; next = (next+1)%M }  atomic_fetch_add_explicit(&l->next, 1, relaxed)
 *   wait     (owner == my)                        atomic_load_explicit(&l->owner, acquire) loop via lk__wait
 *   tryload  o = owner                            trylock: atomic_load_explicit(&l->owner, acquire)
 *   trycas   atomic { next == o -> next = o+1 }   atomic_compare_exchange_strong_explicit(&l->next, &o, o + 1, relaxed, relaxed)
 *   release  owner = (owner+1)%M                  atomic_store_explicit(&l->owner, owner + 1, release)
 *            (only the holder writes owner, so its load+store is one step here)
 * trylock's load and CAS are one step by default: with no wrap in between,
 * next == o at the CAS implies nobody took a ticket since the load, so owner
 * is still o and the split steps act as if at the CAS. With TRY_SPLIT they
 * are two steps and Spin finds the wrap ABA (check wrap-aba-trylock): a
 * trylock stalled between its load and CAS while `owner` advances M-1 times
 * barges past queued waiters. In C that needs 2^32 - 1 acquisitions inside
 * that window; a CAS on both counters as one word would close it.
 * M = 4 > N models the C counters' wrap-around: correct while fewer than M
 * threads wait. Ghost `order` records doorway order; entry must follow it.
 * Seeded bugs: BUG_SPLIT_FAA takes the ticket as load then store;
 *              BUG_WRAP counts modulo 2 with 3 threads (counter too narrow).
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
// @check wrap-aba-trylock fail -DTRY_SPLIT safety
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
	byte my, o;  /* o: used only with TRY_SPLIT */
	do
	::
		if
		:: true -> goto lock
		:: true
		fi;
#ifdef TRY_SPLIT
tryload:	o = owner;
trycas:		if
		:: atomic { next == o -> next = (o + 1) % M; order!_pid; my = o }; goto enter
		:: next != o -> goto tryagain
		fi;
#else
trycas:		if
		:: atomic { next == owner -> next = (owner + 1) % M; order!_pid; my = owner }; goto enter
		:: next != owner -> goto tryagain
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
release:	owner = (owner + 1) % M;
tryagain:	skip
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
