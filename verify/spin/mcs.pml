/*
 * mcs.pml: MCS queue lock with parking waiters, 3 processes; process i always
 * uses node i (the node pool of the C code hands one thread's nodes out
 * again, so reuse of a node by its owner is modelled).
 * Models primitives/mcs.h: lk_mcs_lock_node, lk_mcs_wait_granted_,
 * lk_mcs_trylock_node, lk_mcs_release_ and lk_mcs_grant_ (unlock).
 *   label    atomic step                                C operation
 *   prep     next[i] = NIL; flag[i] = WAITING           relaxed stores to the node
 *   swap     atomic { pred = tail; tail = i }           atomic_exchange_explicit(&l->tail, n, acq_rel)
 *   link     next[pred] = i                             atomic_store_explicit(&pred->next, n, release)
 *   wspin    (flag[i] != WAITING)                       load(n->flag, acquire) spinning in lk__wait
 *   announce atomic { flag[i]==WAITING -> PARKED }      CAS(n->flag, WAITING, PARKED, relaxed)
 *   park     atomic { flag[i]==PARKED -> sleeping[i] }  lk__futex_wait(&n->flag, PARKED): kernel compares and sleeps in one step
 *   woken    (!sleeping[i])                             return from futex_wait (then re-load the flag)
 *   trychk   tail != NIL -> fail                        trylock: load(l->tail, relaxed)
 *   trycas   atomic { tail == NIL -> tail = i }         CAS(l->tail, NULL, n, acq_rel, relaxed)
 *   chk      next[i] == NIL ?                           load(n->next, acquire)
 *   cas      atomic { tail == i -> tail = NIL }         CAS(l->tail, n, NULL, release, relaxed)
 *   linkwait (next[i] != NIL)                           lk_mcs_grant_: the release race, the successor
 *                                                       has swapped tail but not linked yet
 *   grant    atomic { old = flag[s]; flag[s] = GRANTED } atomic_exchange_explicit(&next->flag, GRANTED, release)
 *   wake     old == PARKED -> sleeping[s] = 0           lk__futex_wake(&next->flag, 1)
 * Locals are reset once dead and the node's own stores before the swap are
 * one step (nobody can reach the node before the swap) to keep the state
 * space small; next[i] is cleared when read at grant (the C code re-clears it
 * at the next lock, which no other thread reads before the swap).
 * Each round a process picks lock or trylock. Ghost `order` records the
 * doorway order (swap / successful trycas); entry must follow it.
 * Seeded bugs: BUG_NOLINK: when the CAS fails, unlock returns without
 * waiting for the successor's link, so that successor spins forever;
 * BUG_NOWAKE: the grant is a plain store that never wakes a parked waiter.
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
// @check bug-no-link-wait fail -DBUG_NOLINK safety
// @check bug-grant-without-wake fail -DBUG_NOWAKE safety

#define N 3
#define NIL 255
#define WAITING 0
#define GRANTED 1
#define PARKED 2
byte tail = NIL;
byte next[N];
byte flag[N];
bit sleeping[N];           /* futex wait queue of node i's flag */
byte incs;
bool want[N], cs[N];
chan order = [N] of { byte };

active [N] proctype P()
{
	byte pred, s, old;
	do
	::
		if
		:: true -> goto lock
		:: true
		fi;
trychk:		if
		:: tail != NIL -> goto done
		:: else
		fi;
		atomic { next[_pid] = NIL; flag[_pid] = WAITING };
trycas:		if
		:: atomic { tail == NIL -> tail = _pid; order!_pid }; goto enter
		:: tail != NIL -> goto done
		fi;
lock:		want[_pid] = true;
prep:		atomic { next[_pid] = NIL; flag[_pid] = WAITING };
swap:		atomic { pred = tail; tail = _pid; order!_pid };
		if
		:: pred != NIL ->
link:			atomic { next[pred] = _pid; pred = NIL };
			do
			:: flag[_pid] == GRANTED -> break
			:: flag[_pid] == WAITING ->
				if
				:: /* wspin */ (flag[_pid] != WAITING)
				:: /* announce */ atomic { flag[_pid] == WAITING -> flag[_pid] = PARKED }
				:: flag[_pid] != WAITING /* CAS failed: GRANTED came */
				fi
			:: flag[_pid] == PARKED ->
				if
				:: /* park */ atomic { flag[_pid] == PARKED -> sleeping[_pid] = 1 };
woken:				(!sleeping[_pid])
				:: flag[_pid] != PARKED  /* futex_wait returns at once */
				fi
			od
		:: else
		fi;
enter:		atomic { assert(order?[eval(_pid)]); order?_; incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
chk:		if
		:: next[_pid] == NIL ->
cas:			if
			:: atomic { tail == _pid -> tail = NIL }; goto done
			:: tail != _pid /* failed CAS: stable, only I put me in tail */
			fi;
#ifdef BUG_NOLINK
			goto done;
#endif
linkwait:		(next[_pid] != NIL)
		:: else
		fi;
		atomic { s = next[_pid]; next[_pid] = NIL };
#ifdef BUG_NOWAKE
grant:		atomic { flag[s] = GRANTED; s = 0 };
#else
grant:		atomic { old = flag[s]; flag[s] = GRANTED };
wake:		atomic {
			if
			:: old == PARKED -> sleeping[s] = 0
			:: else
			fi;
			old = 0; s = 0
		};
#endif
done:		skip
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
