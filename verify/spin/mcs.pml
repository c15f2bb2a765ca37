/*
 * mcs.pml: MCS queue lock as the queue behind the queue gate (gate.pml),
 * parking waiters, 3 processes; process i always uses node i (the node is
 * needed only from lock's swap until the head passes headship, so the
 * caller's own node is reused on its next lock).
 * Models primitives/mcs.h: lk_mcs_lock_node (fast path, the look, the MCS
 * queue, lk_mcs_wait_granted_, the head's loop on the lock word, the pass:
 * lk_mcs_release_ / lk_mcs_grant_ now run when the head has taken the word),
 * lk_mcs_trylock_node (the look alone) and lk_mcs_unlock (the gate's
 * release). The lock word and its head loop are gate.pml's, step for step
 * (see its table); the queue:
 *   label    atomic step                                C operation
 *   prep     next[i] = NIL; flag[i] = WAITING           relaxed stores to the node
 *   swap     atomic { pred = tail; tail = i }           atomic_exchange_explicit(&l->tail, n, acq_rel)
 *   link     next[pred] = i                             atomic_store_explicit(&pred->next, n, release)
 *   wspin    (flag[i] != WAITING)                       load(n->flag, acquire) spinning in lk__wait
 *   announce atomic { flag[i]==WAITING -> PARKED }      CAS(n->flag, WAITING, PARKED, relaxed)
 *   park     atomic { flag[i]==PARKED -> sleeping[i] }  lk__futex_wait(&n->flag, PARKED): kernel compares and sleeps in one step
 *   woken    (!sleeping[i])                             return from futex_wait (then re-load the flag)
 *            flag[i] == GRANTED: the head               (pred == NIL at the swap: the head at once)
 *   chk      next[i] == NIL ?                           load(n->next, acquire), after the head took the word
 *   cas      atomic { tail == i -> tail = NIL }         CAS(l->tail, n, NULL, release, relaxed): no successor
 *   linkwait (next[i] != NIL)                           the release race: the successor has swapped tail
 *                                                       but not linked yet
 *   grant    atomic { old = flag[s]; flag[s] = GRANTED } atomic_exchange_explicit(&next->flag, GRANTED, release):
 *                                                       headship passes
 *   wake     old == PARKED -> sleeping[s] = 0           lk__futex_wake(&next->flag, 1)
 * The look (steal), the head loop (hacq/hann/fwait/slept) and the unlock
 * (rel/wake) are as in gate.pml: each load-decide-CAS loop is one atomic
 * step, a failed look is always possible, trylock is the look alone (a
 * failed one changes nothing) and the head's window expiry is the Timer
 * process (any time while there is a head: tail != NIL; weakly fair).
 * Locals are reset once dead and the node's own stores before the swap are
 * one step (nobody can reach the node before the swap) to keep the state
 * space small; next[i] is cleared when read at the pass (the C code
 * re-clears it at the next lock, which no other thread reads before the
 * swap). The sleeping flags of the word (gate) and of the nodes are apart:
 * wsleep[i] and sleeping[i].
 * Ghost `order` records the swap order; a queued process must take the word
 * in that order (FIFO among the queued; a stealer is not in the queue).
 * Every acquisition asserts bounded overtaking (with NOSTEAL set, only the
 * head that set it acquires).
 * Seeded bugs: BUG_NOLINK: when the CAS fails, the pass returns without
 * waiting for the successor's link, so that successor waits forever;
 * BUG_NOWAKE: the grant is a plain store that never wakes a parked waiter;
 * BUG_EARLY_PASS: the head passes headship before its CAS on the word took
 * the lock, so two heads race for the word and the later one can win (FIFO).
 * Dropped with the gate: the old trylock (CAS of tail from NULL) and its
 * trychk/trycas steps: trylock now only steals the word (gate.pml's look).
 */
// @check mutual-exclusion+fifo pass - safety
// @check starvation-free pass - ltl:nostarve
// @check bug-no-link-wait fail -DBUG_NOLINK safety
// @check bug-grant-without-wake fail -DBUG_NOWAKE safety
// @check bug-pass-before-acquire fail -DBUG_EARLY_PASS safety

#define N 3
#define NIL 255
#define WAITING 0
#define GRANTED 1
#define PARKED 2
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
#define HASHEAD (tail != NIL)

byte tail = NIL;
byte next[N];
byte flag[N];
bit sleeping[N];           /* futex wait queue of node i's flag */
byte word;
bit expired;               /* the head's window has expired */
bit wsleep[N];             /* futex wait on word */
byte nsby = NIL;           /* ghost: the head that set NOSTEAL */
byte incs;
bool want[N], cs[N];
chan order = [N] of { byte };

inline futex_wake_word()
{
	if
	:: wsleep[0] -> wsleep[0] = 0
	:: wsleep[1] -> wsleep[1] = 0
	:: wsleep[2] -> wsleep[2] = 0
	:: else
	fi
}

/* pass headship (the old unlock's release); then go on at `passed` */
inline pass_headship()
{
	if
	:: next[_pid] == NIL ->
cas:		if
		:: atomic { tail == _pid -> tail = NIL; expired = 0 }; goto passed
		:: tail != _pid /* failed CAS: stable, only I put me in tail */
		fi;
#ifdef BUG_NOLINK
		goto passed;
#endif
linkwait:	(next[_pid] != NIL)
	:: else
	fi;
	atomic { s = next[_pid]; next[_pid] = NIL };
#ifdef BUG_NOWAKE
grant:	atomic { flag[s] = GRANTED; expired = 0; s = 0 };
#else
grant:	atomic { old = flag[s]; flag[s] = GRANTED; expired = 0 };
wake:	atomic {
		if
		:: old == PARKED -> sleeping[s] = 0
		:: else
		fi;
		old = 0; s = 0
	}
#endif
}

active [N] proctype P()
{
	byte pred, s, old, w, nw;
	bit park;
	do
	::
		want[_pid] = true;
look:		if
		:: atomic { STEAL_OK(word) -> BOUNDED; word = word | L }; goto enter
		:: atomic { word == RUN -> BOUNDED; word = RUN | L }; goto enter
		:: true
		fi;
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
#ifdef BUG_EARLY_PASS
chk:		pass_headship();
passed:
#endif
		/* the head: gate.pml's loop */
hloop:		do
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
fwait:				atomic { if :: word == nw -> wsleep[_pid] = 1 :: else fi; park = 0; nw = 0 };
slept:				!wsleep[_pid]
			:: else -> nw = 0
			fi
		od;
#ifndef BUG_EARLY_PASS
chk:		pass_headship();
passed:
#endif
enter:		atomic { incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
rel:		atomic {
			w = word; nw = w & ~L;
			if :: HS(w) == PRK -> nw = (nw & ~HSM) | WKG :: else fi;
			word = nw; nw = 0
		};
wwake:		atomic { if :: HS(w) == PRK -> futex_wake_word() :: else fi; w = 0 }
	od
}

active proctype Timer()
{
end:	do
	:: atomic { HASHEAD && !expired -> expired = 1 }
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
