/*
 * shmgrant.pml: a waiter of the shared lock table whose granter may die
 * mid-grant (lockmgr/SHARED.md, R5; lockmgr/queue_int.h grant_signal,
 * lockmgr/wait.c's poll, lockmgr/repair.c head_repair). One granter G
 * holds the head latch and grants the waiter W's request, then signals
 * it; G may die between any two of its steps, the latch still held.
 *   label       step                                  code
 *   grant       status = GRANTED                      grant_queued
 *   unname      wait_req = 0                          grant_signal
 *   signal      wake = 1 (a parked W: futex wake)     txn_signal_latched
 *   unlatch     latch = 0                             head_unlatch
 *   look        the latch (taken over from a dead G),  lk__lock_wait's check
 *               wake = 0; GRANTED? then end the wait
 *   poll        each LK__SHM_POLL_NS: the recovery     lk__lock_wait,
 *               (the repair re-signals a grant its     head_repair,
 *               wait_req still names; G's txn ended,   recover.c
 *               its grant pass grants and signals W),
 *               then a look (the fix)
 * W sleeps until its wake word is set or its poll deadline passes (a
 * step always enabled: the clock). Property (ltl, weak fairness): W ends
 * its wait. Seeded bug: BUG_POLL_NO_LOOK, the poll only recovers and
 * sleeps again (the code before): G dead between unname and signal
 * leaves W granted and asleep for ever.
 */
// @check granted-waiter-ends pass - ltl:ends
// @check bug-poll-no-look fail -DBUG_POLL_NO_LOOK ltl:ends

#define WAITING 0
#define GRANTED 1

bit latch = 1;          /* G holds the head latch as it grants */
bit gdead;
byte status = WAITING;
bit wait_req = 1;       /* W's wait names its request */
bit wake;               /* W's wake word: 1 = look */
bit done;

inline maybe_die() {
	if
	:: gdead = 1; goto gone
	:: skip
	fi
}

active proctype G() {
	maybe_die();
	status = GRANTED;
	maybe_die();
	wait_req = 0;
	maybe_die();
	wake = 1;
	maybe_die();
	latch = 0;
gone:
	skip
}

active proctype W() {
	bit look = 0;
	do
	:: wake == 1 || look ->
		atomic { (latch == 0 || gdead) -> latch = 1 }
		wake = 0;
		look = 0;
		if
		:: status == GRANTED -> latch = 0; break
		:: else -> latch = 0
		fi
	:: else -> /* asleep until the wake word changes or the poll is due */
		atomic { /* the poll's recovery */
			if /* the takeover's repair: a grant still named */
			:: gdead && status == GRANTED && wait_req -> wait_req = 0; wake = 1
			/* G's txn ended: its grant pass grants W */
			:: gdead && status == WAITING -> status = GRANTED; wait_req = 0; wake = 1
			:: else
			fi
		}
#ifndef BUG_POLL_NO_LOOK
		look = 1 /* and look */
#endif
	od;
	done = 1
}

ltl ends { <> done }
