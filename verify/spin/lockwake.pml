/*
 * lockwake.pml: the lock table's wake-word protocol (lockmgr/, README
 * "Waiting"): how a queued waiter learns of its grant or wound. lockmgr.pml
 * and LockTable.tla model grants abstractly; this models the futex word,
 * the deferred wake-ups of head_unlatch and the wake-ahead nudge. The same
 * design as verify/tla/LockWake.tla, a second modeller and a second tool.
 * Scope: NW = 2 waiters queued on one resource (FIFO: waiter 0 first), one
 * granter (the holder, releasing: NPASS grant passes, the last granting
 * every request not wounded), and each waiter, once it leaves, releasing
 * (or, as a victim, cancelling) under the latch with a grant pass of its
 * own: so deferred wake-ups of two latch holders can be in flight at once.
 * Per txn: wake (futex word): 0 idle, 1 signalled, 2 parked, 3 nudged;
 * status (under the latch): waiting, granted, gone; wounded (flag).
 *   step     atomic step                          C operation
 *   unnudge  wake == 3 -> wake = 0, spin anew      lk__lock_wait: v = load(wake) == 3,
 *                                                  CAS(wake, 3, 0), lk__wait_start
 *   (signal) wake == 1 -> chk                      v == 1
 *   chk      latch == 0 -> latch = 1; wake = 0;    head_latch; exchange(wake, 0); flags,
 *            read status and wounded               status: granted: leave; wounded:
 *                                                  wait_cancel (dequeue, a grant
 *                                                  pass), leave; else spurious
 *   spend    spent = 1 (any time)                  lk__wait's spin budget runs out
 *   park     spent, wake == 0 -> wake = 2          would_park && v == 0: CAS(wake, 0, 2)
 *   fwait    spent, wake == 2 -> asleep            futex_wait(wake, 2): the kernel
 *                                                  compares and sleeps in one step
 *   slept    !asleep (or spurious, NSPUR times)    futex_wait returns
 *   latch    latch == 0 -> latch = 1               head_latch (headlatch.pml checks it)
 *   pass     grants, a wound, the nudge: one step  lk__grant_pass (lk__wound, age_edge)
 *     sig    wounded = 1 (a wound); old = wake;    txn_signal_latched: exchange(wake, 1,
 *            wake = 1; old == 2: woken empty and   seq_cst), flag first (seq_cst);
 *            nudged != t -> woken = t, else        deferred, or lk__futex_wake now
 *            asleep[t] = 0
 *     nudge  first still queued t, nudged empty,   wake-ahead: CAS(wake, 2, 3, relaxed),
 *            wake[t] == 2 -> wake[t] = 3, nudged=t h->nudged = t
 *   unlatch  a, b = woken, nudged; clear; latch=0  head_unlatch: read, clear, release
 *   uwake    asleep[a] = 0; then asleep[b] = 0     lk__futex_wake of each, after it
 * A load of the word and the step acting on it are one step: a CAS that
 * succeeds saw the word unchanged since the load, a futex_wait compares
 * again, and a failed one only re-reads. A grant pass is one step: the
 * slots and statuses are the latch's, and its word writes touch distinct
 * txns' words, except a wound then the nudge of that txn, between which
 * its waiter, reading 1, can only wait for the latch. The grant pass grants
 * a FIFO prefix of the waiting requests (any length: what conflicts is
 * abstract), may wound one waiting txn (at most one a run; -DNOWOUND: none).
 * -DXWOUND: the wound comes instead from another head's latch (lk__wound
 * under the head where the wounder found the edge, process X, with that
 * head's own woken slot), racing this head's grants and nudges.
 * Properties: safety (assertions, invalid end states): a waiter leaves as
 * granted only if its request is granted, as a victim only if wounded; the
 * deferred slots are empty whenever the latch is free (monitor Inv); no
 * lost wake-up: no run ends with a waiter asleep (every final state has
 * both waiters gone: a waiter asleep on a word nobody will wake is an
 * invalid end state; a waiter looping for ever is the ltl check's). Liveness (ltl nolost, weak fairness): a waiter
 * granted or wounded eventually leaves. Spurious futex returns: NSPUR per
 * waiter (bounded, so that weak fairness cannot use them to hide a lost
 * wake-up).
 * Seeded bugs (each must fail):
 *   BUG_NUDGE_STORE  the nudge stores 3 (no CAS 2 -> 3): a wound's 1 is
 *                    overwritten, the victim parks for ever
 *   BUG_DROP_WOKEN   head_unlatch clears h->woken without waking it
 *   BUG_SLOT_OVERWRITE  a second parked grantee under one latch hold
 *                    overwrites h->woken instead of being woken at once
 *   BUG_UNNUDGE_STORE  the waiter stores 0 for a 3 it read (no CAS 3 -> 0):
 *                    a grant's 1 written in between is swallowed
 *   BUG_LEAVE_ON_WAKE  the waiter leaves as granted when it reads 1,
 *                    without the latch and its status (a wound's 1)
 *   BUG_SLOT_LATE    head_unlatch releases the latch before it clears the
 *                    slots: the next holder's deferred grant is wiped
 */
// @check wake-no-lost-safety pass - safety
// @check wake-granted-leaves pass - ltl:nolost
// @check wake-wound-other-head pass -DXWOUND,-DNPASS=2 safety
// @check bug-nudge-store-over-signal fail -DBUG_NUDGE_STORE safety
// @check bug-unlatch-drops-woken fail -DBUG_DROP_WOKEN,-DNOWOUND safety
// @check bug-second-grant-overwrites-slot fail -DBUG_SLOT_OVERWRITE,-DNOWOUND safety
// @check bug-unnudge-store-starves fail -DBUG_UNNUDGE_STORE,-DNOWOUND ltl:nolost
// @check bug-leave-on-wake fail -DBUG_LEAVE_ON_WAKE safety
// @check bug-slots-cleared-after-release fail -DBUG_SLOT_LATE,-DNOWOUND safety

#define NW 2
#ifndef NPASS
#define NPASS 3
#endif
#ifndef NSPUR
#define NSPUR 1
#endif
#define NONE 255
/* wake word */
#define IDLE 0
#define SIGNALLED 1
#define PARKED 2
#define NUDGED 3
/* request status */
#define WAITING 0
#define GRANTED 1
#define GONE 2 /* released or cancelled */

byte wake[NW];
byte status[NW];
bit wounded[NW];
bit latch;
byte woken = NONE, nudged = NONE; /* h->woken, h->nudged */
bit asleep[NW];                   /* in futex_wait on wake[i] */
byte left[NW];                    /* ghost: 1 left granted, 2 left as victim */
bit wounds;                       /* ghost: a wound happened (at most one) */

#define LIVE(i) ((status[i] == GRANTED || wounded[i]) -> <> (left[i] != 0))
ltl nolost { [] (LIVE(0) && LIVE(1)) }

inline LATCH()
{
	atomic { latch == 0 -> latch = 1 }
}

/* head_unlatch: a, b are the caller's locals */
inline UNLATCH(a, b)
{
#ifdef BUG_SLOT_LATE
	atomic { a = woken; b = nudged; latch = 0 };
	atomic { woken = NONE; nudged = NONE };
#else
	atomic { a = woken; b = nudged; woken = NONE; nudged = NONE; latch = 0 };
#endif
#ifndef BUG_DROP_WOKEN
	atomic { if :: a != NONE -> asleep[a] = 0 :: else fi; a = NONE };
#else
	a = NONE;
#endif
	atomic { if :: b != NONE -> asleep[b] = 0 :: else fi; b = NONE }
}

/* txn_signal_latched(h, t), latched (inside GRANT_PASS's step); old: a
 * local. The wound flag (fl) is set before the word (both seq_cst; the
 * waiter reads the flag only under the latch). */
inline SIGNAL(t, old, fl)
{
	if :: fl -> wounded[t] = 1 :: else fi;
	old = wake[t];
	wake[t] = SIGNALLED;
	if
	:: old == PARKED ->
#ifdef BUG_SLOT_OVERWRITE
		woken = t
#else
		if
		:: woken == NONE && nudged != t -> woken = t
		:: else -> asleep[t] = 0 /* futex_wake at once */
		fi
#endif
	:: else
	fi;
	old = IDLE
}

/* lk__grant_pass, latched, one step: grant a FIFO prefix of the waiting
 * requests (fin: every one not wounded, the holder's last release), maybe
 * wound a waiting txn (mayw), then the wake-ahead nudge of the first
 * request still queued */
inline GRANT_PASS(fin, mayw, j, old)
{
	atomic {
		j = 0;
		do
		:: j == NW -> break
		:: j < NW && status[j] != WAITING -> j++
		:: j < NW && status[j] == WAITING ->
			if
			:: !((fin) && wounded[j]) -> status[j] = GRANTED; SIGNAL(j, old, 0); j++
			:: (fin) && wounded[j] -> j++
			:: !(fin) -> break /* conflicts: the pass stops here */
			fi
		od;
#if !defined(NOWOUND) && !defined(XWOUND)
		if
		:: (mayw) && !wounds && status[0] == WAITING && !wounded[0] -> wounds = 1; SIGNAL(0, old, 1)
		:: (mayw) && !wounds && status[1] == WAITING && !wounded[1] -> wounds = 1; SIGNAL(1, old, 1)
		:: true
		fi;
#endif
		j = 0;
		do
		:: j < NW && status[j] != WAITING -> j++
		:: j == NW || status[j] == WAITING -> break
		od;
		if
		:: j < NW && nudged == NONE ->
#ifdef BUG_NUDGE_STORE
			wake[j] = NUDGED; nudged = j
#else
			if :: wake[j] == PARKED -> wake[j] = NUDGED; nudged = j :: else fi
#endif
		:: else
		fi;
		j = 0
	}
}

/* lk__lock_wait's loop, for txn _pid, already queued (status waiting, word
 * 0). A load of the word and the step that acts on what it read are one
 * step: a CAS that succeeds saw the word unchanged since the load, and a
 * futex_wait compares again; a failed one only loops (re-reads). */
active [NW] proctype W()
{
	byte j, old, a = NONE, b = NONE;
	bit spent;
	byte spur = NSPUR;
	do
#ifdef BUG_UNNUDGE_STORE
	:: wake[_pid] == NUDGED -> unnudge: wake[_pid] = IDLE; spent = 0
#else
	:: atomic { wake[_pid] == NUDGED -> wake[_pid] = IDLE; spent = 0 }
#endif
#ifdef BUG_LEAVE_ON_WAKE
	:: wake[_pid] == SIGNALLED -> left[_pid] = 1; break
#else
	:: wake[_pid] == SIGNALLED ->
		/* head_latch; exchange(wake, 0); read status and flags */
chk:		atomic {
			latch == 0 -> latch = 1;
			wake[_pid] = IDLE;
			if
			:: status[_pid] == GRANTED -> left[_pid] = 1
			:: status[_pid] != GRANTED && wounded[_pid] ->
				/* wait_cancel: dequeue, then a grant pass */
				status[_pid] = GONE; left[_pid] = 2
			:: else /* spurious */
			fi
		};
		if
		:: left[_pid] == 2 -> GRANT_PASS(0, 0, j, old)
		:: else
		fi;
		UNLATCH(a, b);
		if :: left[_pid] != 0 -> break :: else fi
#endif
	:: !spent -> spent = 1 /* the spin budget runs out */
	:: atomic { spent && wake[_pid] == IDLE -> wake[_pid] = PARKED }
	:: atomic { spent && wake[_pid] == PARKED -> asleep[_pid] = 1 };
slept:		if
		:: !asleep[_pid]
		:: asleep[_pid] && spur > 0 -> asleep[_pid] = 0; spur--
		fi
	od;
	/* left: a victim as it says, a grantee granted */
	assert(left[_pid] == 1 && status[_pid] == GRANTED ||
	       left[_pid] == 2 && status[_pid] == GONE && wounded[_pid]);
	if
	:: left[_pid] == 1 -> /* the txn ends: release, a grant pass */
		LATCH();
		status[_pid] = GONE;
		GRANT_PASS(0, 0, j, old);
		UNLATCH(a, b)
	:: else
	fi
}

/* the holder: NPASS grant passes, the last one grants what is not wounded */
active proctype Granter()
{
	byte np, j, old, a = NONE, b = NONE;
	do
	:: np < NPASS ->
		LATCH();
		GRANT_PASS((np == NPASS - 1), 1, j, old);
		np++;
		UNLATCH(a, b)
	:: np == NPASS -> break
	od
}

#ifdef XWOUND
/* a wound under another head h2's latch (held by X alone here): the flag,
 * txn_signal_latched(h2, t) into h2's woken slot, h2's head_unlatch wakes it */
active proctype X()
{
	byte t = NONE, old;
	if
	:: atomic { status[0] == WAITING -> t = 0 }
	:: atomic { status[1] == WAITING -> t = 1 }
	:: true
	fi;
	if
	:: t != NONE ->
		atomic {
			wounds = 1; wounded[t] = 1;
			old = wake[t];
			wake[t] = SIGNALLED;
			if :: old != PARKED -> t = NONE :: else fi; old = 0
		};
		atomic { if :: t != NONE -> asleep[t] = 0 :: else fi; t = NONE }
	:: else
	fi
}
#endif

/* the deferred slots are empty whenever the latch is free */
active proctype Inv()
{
end:	atomic { !latch && (woken != NONE || nudged != NONE) ->
		assert(latch || woken == NONE && nudged == NONE) }
}
