/*
 * mcs.pml: MCS queue lock, 3 processes, each reusing its own queue node.
 * Models primitives/mcs.h: lk_mcs_lock / lk_mcs_unlock (node i = thread i).
 *   label    atomic step                               C operation
 *   prep     next[i] = NIL; locked[i] = 1              relaxed stores to the caller's node
 *   swap     atomic { pred = tail; tail = i }          atomic_exchange_explicit(&l->tail, me, acq_rel)
 *   link     next[pred] = i                            atomic_store_explicit(&pred->next, me, release)
 *   spin     (locked[i] == 0)                          atomic_load_explicit(&me->locked, acquire) via lk__wait
 *   chk      next[i] == NIL ?                          atomic_load_explicit(&me->next, acquire)
 *   cas      atomic { tail == i -> tail = NIL }        atomic_compare_exchange_strong_explicit(&l->tail, me, NULL, release, relaxed)
 *   linkwait (next[i] != NIL)                          the release race: successor swapped tail, not yet linked
 *   pass     locked[next[i]] = 0                       atomic_store_explicit(&succ->locked, 0, release)
 * Ghost `order` records swap order (the doorway); entry must follow it.
 * Seeded bug BUG_NOLINK: when the CAS fails, unlock returns without waiting
 * for the successor's link, so that successor spins forever.
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
// @check bug-no-link-wait fail -DBUG_NOLINK safety

#define N 3
#define NIL 255
byte tail = NIL;
byte next[N];
bit locked[N];
byte incs;
bool want[N], cs[N];
chan order = [N] of { byte };

active [N] proctype P()
{
	byte pred;
	do
	::
		want[_pid] = true;
prep:		next[_pid] = NIL;
		locked[_pid] = 1;
swap:		atomic { pred = tail; tail = _pid; order!_pid };
		if
		:: pred != NIL ->
link:			next[pred] = _pid;
spin:			(locked[_pid] == 0)
		:: else
		fi;
		atomic { assert(order?[eval(_pid)]); order?_; incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
chk:		if
		:: next[_pid] == NIL ->
cas:			if
			:: atomic { tail == _pid -> tail = NIL }; goto done
			:: tail != _pid   /* failed CAS: only a read; stable, as only I swap me in */
			fi;
#ifdef BUG_NOLINK
			goto done;
#endif
linkwait:		(next[_pid] != NIL)
		:: else
		fi;
pass:		locked[next[_pid]] = 0;
done:		skip
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
