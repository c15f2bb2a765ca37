/*
 * ticket.pml: ticket spinlock, 3 processes, counters wrapping modulo M.
 * Models primitives/ticket.h: lk_ticket_lock / lk_ticket_unlock.
 *   label    atomic step                          C operation
 *   doorway  atomic { my = next; next = (next+1)%M }  atomic_fetch_add_explicit(&l->next, 1, relaxed)
 *   wait     (owner == my)                        atomic_load_explicit(&l->owner, acquire) loop via lk__wait
 *   release  owner = (owner+1)%M                  atomic_store_explicit(&l->owner, owner + 1, release)
 *            (only the holder writes owner, so its load+store is one step here)
 * M = 4 > N models the C counters' wrap-around: correct while fewer than M
 * threads wait. Ghost `order` records doorway order; entry must follow it.
 * Seeded bugs: BUG_SPLIT_FAA takes the ticket as load then store;
 *              BUG_WRAP counts modulo 2 with 3 threads (counter too narrow).
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
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
	byte my;
	do
	::
		want[_pid] = true;
#ifdef BUG_SPLIT_FAA
		my = next;
		atomic { next = (my + 1) % M; order!_pid };
#else
doorway:	atomic { my = next; next = (next + 1) % M; order!_pid };
#endif
wait:		(owner == my);
		/* FIFO: the first in doorway order enters first */
		atomic { assert(order?[eval(_pid)]); order?_; incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
release:	owner = (owner + 1) % M
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
