/*
 * lease.pml: leases on the lock table (lockmgr/lease.c; SHARED.md
 * "Leases"): lapse and hand-on, with a fenced store. N clients, ROUNDS
 * txns each, on one resource in an exclusive mode; every txn has a lease.
 *   label      atomic step                                    code
 *   clock      lease LIVE -> DUE (its end passed, unseen)       time, at any moment
 *   grant      holder == none: holder = me; tok++               lock_one / the grant pass
 *   hand-on    holder's lease DUE or LAPSED: it becomes LAPSED  lk__lease_hand_on: the lapse CAS,
 *              (for good), holder = me; tok++                   take_off, grant pass, next_token
 *   own lapse  my lease DUE/LAPSED at a call: LAPSED, abort     lk__lease_check at lk_lock's entry
 *   write      the store accepts k >= its max, else refuses   tests/fenced.h
 *   renew      LIVE stays LIVE; DUE -> LAPSED (refused)         lk_lease_renew's CAS
 *   commit     LIVE -> ENDING then release; else LAPSED, abort  lk__lease_close's CAS
 * A client keeps writing with its token until it commits, whether or not
 * its lock was handed on (a stopped holder does not know): those are the
 * stale writes the store must refuse.
 * Properties (safety): S1 the store never accepts a write that is not
 * from the holder of the largest token it has seen (two holders whose
 * writes it accepts never overlap: the stale holder's token is refused
 * once the next holder has written); S2 a commit that succeeds is the
 * lock's holder's (its lock was not handed on); at most one holder in the
 * table (one variable). Invalid end states: a client stuck.
 * make verify-spin runs N=2, ROUNDS=2 (and the bugs there); three
 * clients racing to hand one lapse on, -DN=3 -DROUNDS=1, passes too
 * (46,396 states; not in make test, for its time).
 * Seeded bugs: BUG_NO_ADVANCE: the hand-on gives the next holder the
 * lapsed one's token (no advance: S1). BUG_STORE_OLD: the store accepts the
 * token just below its largest too (S1). BUG_COMMIT_SPLIT: commit checks the lease, then
 * closes it in a second step: a hand-on slips in between (S2).
 */
// @check lease-2c pass - safety
// @check bug-no-advance fail -DBUG_NO_ADVANCE safety
// @check bug-store-old fail -DBUG_STORE_OLD safety
// @check bug-commit-split fail -DBUG_COMMIT_SPLIT safety

#ifndef N
#define N 2
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif
#define NONE 255
/* lease states (t->lease: 0, a running end, its end passed, 1, 2) */
#define L_NONE 0
#define L_LIVE 1
#define L_DUE 2
#define L_LAPSED 3
#define L_ENDING 4

byte holder = NONE;
byte tok;               /* the head's fencing counter */
byte lease[N];
byte smax;              /* the store: the largest token accepted */
byte slast = NONE;      /* ghost: who wrote it */

active proctype clock()
{
end:	do
	:: atomic { lease[0] == L_LIVE -> lease[0] = L_DUE }
	:: atomic { lease[1] == L_LIVE -> lease[1] = L_DUE }
#if N > 2
	:: atomic { lease[2] == L_LIVE -> lease[2] = L_DUE }
#endif
	od
}

inline store_write(k) {
	atomic {
#ifdef BUG_STORE_OLD
		if :: k + 1 >= smax ->
#else
		if :: k >= smax ->
#endif
			/* S1 */
			assert(k > smax || (k == smax && slast == me));
			smax = k; slast = me
		:: else -> skip /* refused */
		fi
	}
}

proctype client(byte me)
{
	byte r, k;
	bit ok;
	do
	:: r < ROUNDS ->
		lease[me] = L_LIVE;
		/* lk_lock: own lapse, a grant, or a hand-on */
		if
		:: atomic { (lease[me] == L_DUE || lease[me] == L_LAPSED) ->
			lease[me] = L_LAPSED }; goto abort
		:: atomic { holder == NONE -> holder = me; tok++; k = tok }
		:: atomic { holder != NONE && holder != me &&
			    (lease[holder] == L_DUE || lease[holder] == L_LAPSED) ->
			lease[holder] = L_LAPSED; holder = me;
#ifndef BUG_NO_ADVANCE
			tok++;
#endif
			k = tok }
		fi;
		/* work: writes with k, renews */
		do
		:: store_write(k)
		:: atomic { lease[me] == L_LIVE -> skip }      /* renewed */
		:: atomic { lease[me] == L_DUE -> lease[me] = L_LAPSED } /* too late */
		:: break
		od;
		/* commit */
#ifdef BUG_COMMIT_SPLIT
		if
		:: lease[me] == L_LIVE -> ok = 1
		:: else -> ok = 0
		fi;
		if
		:: ok -> lease[me] = L_ENDING
		:: else -> lease[me] = L_LAPSED
		fi;
#else
		atomic {
			if
			:: lease[me] == L_LIVE -> lease[me] = L_ENDING; ok = 1
			:: else -> lease[me] = L_LAPSED; ok = 0
			fi
		}
#endif
		if
		:: ok -> atomic { assert(holder == me); holder = NONE } /* S2 */
		:: else -> goto abort
		fi;
		goto next;
abort:		/* abort: release what is still ours */
		atomic { if :: holder == me -> holder = NONE :: else -> skip fi };
next:		lease[me] = L_NONE;
		r++
	:: else -> break
	od
}

init
{
	atomic {
		byte i;
		for (i : 0 .. N - 1) {
			run client(i)
		}
	}
}
