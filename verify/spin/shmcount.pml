/*
 * shmcount.pml: the fast path's strong-lock count of a partition when a
 * process dies while it counts or gives its count back (lockmgr/SHARED.md
 * "Strong counts"; built in lockmgr/fastpath.c lk__fp_strong and
 * lk__fp_uncount, recover.c end_dead). One partition. Txn S (a live
 * process) counts it, holds a strong lock, releases it and gives the count
 * back; txn D (process VICTIM) does the same ROUNDS times and may die
 * between any two steps; then the recovery gives back D's count if D's
 * cbit is still set (the same lk__fp_uncount, run by a live process).
 *   label     step (one store or RMW each, in this order)   code
 *   count     cnt++ (seq_cst); cbit[t] = 1                  lk__fp_strong
 *   hold      strong[t] = 1 ... strong[t] = 0               the main table
 *   uncount   cbit[t] = 0; cnt-- (release)                  lk__fp_uncount
 *   recover   cbit[D] set: cbit[D] = 0; cnt--               end_dead
 * A weak locker makes a record only when it reads cnt == 0 (fastpath.pml
 * checks that handshake); here the property is the count's.
 * Property (safety): while a live txn holds its strong lock, cnt >= 1;
 * cnt never goes below 0; at the end (S ended, D ended or recovered) cnt
 * is at most 1: the one a death between a count and its bit leaves.
 * Seeded bug: BUG_COUNT_FIRST: uncount gives the count back before it
 * clears the bit (the order before the fix): D dead between the two,
 * the recovery gives D's count back a second time, S's.
 */
// @check count-2p pass - safety
// @check bug-count-first fail -DBUG_COUNT_FIRST safety

#ifndef ROUNDS
#define ROUNDS 2
#endif
#define VICTIM 1

byte cnt;
bool cbit[2];
bool strong[2];
bool died;     /* VICTIM is dead */
bool sdone;    /* S ended */
bool ddone;    /* D ended alive */
bool recovered;

#define MAYDIE if :: (me == VICTIM && !died) -> died = true; goto dead :: true -> skip fi

/* lk__fp_uncount, as a live owner runs it */
#ifdef BUG_COUNT_FIRST
#define UNCOUNT(t) atomic { assert(cnt > 0); cnt-- }; MAYDIE; cbit[t] = 0
#else
#define UNCOUNT(t) cbit[t] = 0; MAYDIE; atomic { assert(cnt > 0); cnt-- }
#endif

proctype txn(byte me)
{
	byte r = 0;
	do
	:: r < (me == VICTIM -> ROUNDS : 1) ->
		MAYDIE;
		cnt++;
		MAYDIE;
		cbit[me] = 1;
		MAYDIE;
		strong[me] = 1;
		MAYDIE;
		strong[me] = 0; /* the main-table release, before the uncount */
		MAYDIE;
		UNCOUNT(me);
		MAYDIE;
		r++
	:: else -> break
	od;
	if
	:: me == VICTIM -> ddone = true
	:: else -> sdone = true
	fi;
	goto out;
dead:
	strong[me] = 0; /* the recovery's head scan releases the dead txn's locks */
out:
	skip
}

/* The recovery: once the victim is dead. */
proctype recover()
{
	died;
	atomic {
		if
		:: cbit[VICTIM] -> cbit[VICTIM] = 0; assert(cnt > 0); cnt--
		:: else -> skip
		fi
	};
	recovered = true
}

/* S holds its strong lock: its partition must read counted. */
active proctype monitor()
{
end:	atomic { strong[0] && cnt == 0 -> assert(false) }
}

init {
	atomic {
		run txn(0);
		run txn(VICTIM);
		run recover()
	}
	(sdone && (ddone || recovered));
	if
	:: ddone -> died = true /* lets recover() end: nothing to do */
	:: else -> skip
	fi;
	(recovered);
	assert(cnt <= 1)
}
