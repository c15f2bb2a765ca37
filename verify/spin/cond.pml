/*
 * cond.pml: the FIFO condition variable with per-waiter futex words and
 * wait-morphing broadcast, over lk_mutex's word protocol. Models
 * primitives/cond.h: lk__cond_wait_ (lk_cond_wait and the timed forms),
 * lk_cond_signal (+ _slow_), lk_cond_broadcast (+ _slow_),
 * lk__cond_hand_ and lk__cond_wake_parked_; and primitives/mutex.h's
 * lock and unlock, without spinning and hand-off (mutex.pml checks those).
 * NW waiters (default 2; waiter 1 is timed unless -DNOTIMED) and one
 * signaler, which makes NTOK tokens (default 2), each under the mutex,
 * and announces it with a signal or a broadcast, under the mutex or after
 * releasing it. A waiter takes the mutex, waits while there is no token,
 * takes one and leaves; a timed waiter gives up when its wait times out.
 *   label     atomic step                               C operation
 *   enq       append to the queue, queued, W            lk_mutex_lock(&c->lock); link; waiters++; unlock (with m held)
 *   park      nstate W -> P                             CAS(state, WAITING, PARKED, relaxed) once lk__wait would park
 *   fwait     nstate == P -> asleep on the node         lk__futex_wait(&state, PARKED): compare and sleep in one step
 *   busyw     nstate != B                               the waiter waits (spins, naps) while BUSY
 *   tmo       queued -> unlink, timed out; else untimed deadline passed: lock; check queued; unlink; unlock
 *   relock    mlock; SR -> word |= W                    lk_mutex_lock(m); fetch_or(word, WAITERS) if REQUEUED
 *   choose    pop the head (signal) / take all          lk__cond_signal_slow_ / lk__cond_broadcast_slow_ under c->lock
 *   hand      nstate W -> S                             CAS(state, WAITING, SIGNALED, release)
 *   look      morph && (word & L)                       load(m->word, relaxed): morph only onto a held mutex
 *   sig       nstate = S (no morph)                     store(state, SIGNALED, release)
 *   nwake     wake the node's sleeper, if any           lk__futex_wake(&state, 1) after the store (no morph)
 *   busy      nstate = B (morph)                        store(state, BUSY, relaxed)
 *   requeue   asleep on node -> on the mutex queue      FUTEX_CMP_REQUEUE(&state, BUSY, 0, 1, &m->word)
 *   fixup     o = word; word |= W; !(o & L) -> wake     fetch_or(word, WAITERS, relaxed); lk__futex_wake(&word, 1)
 *   done      nstate = SR / S                           store(state, REQUEUED, or SIGNALED if none moved, release)
 *   mutex     lock: !(word&L) -> word |= L (|W if it parked); else word |= W, sleep while word unchanged;
 *             unlock: s = word; word = s & ~(L|W); s & W -> wake the mutex queue's head (FIFO)
 * The internal lock's critical sections are single atomic steps (the
 * internal lock is an lk_mutex, checked by mutex.pml). The spin phase is
 * the interleavings before "park". The kernel futex queues are exact:
 * one per node word (at most one sleeper), a FIFO one for the mutex word.
 * The waker's wake after "sig" may come after the waiter saw SIGNALED and
 * left: a waiter that waits again (its predicate loop, the token taken by
 * another) uses the same node, so the late wake can end a later sleep
 * there, which the waiter must take as spurious (it re-checks its state
 * and sleeps again). A requeue never comes late: BUSY holds the node
 * until "done".
 * Properties (safety): mutual exclusion on the mutex; a waiter returns
 * from a wait (not timed out) only if a signal or broadcast chose it while
 * it was queued, and a signal chooses the oldest queued waiter (so never a
 * later arrival, and no spurious wake-up: assertions); no lost wake-up: in
 * a final state no waiter sleeps in a wait that a signal or broadcast has
 * chosen, and none sleeps while a token is there (the monitor, at
 * timeout); everything else ends (invalid end states).
 * Seeded bugs:
 *   BUG_PEEK       signal reads whether the waiter parked and then marks
 *                  it in a second step (the sequence-word design's "read
 *                  the waiter count before the bump", transposed): a waiter
 *                  that parks in between is never woken.
 *   BUG_NOFIXUP    broadcast requeues a sleeper onto the mutex word without
 *                  setting WAITERS: the unlock wakes nobody.
 *   BUG_NORESET    a requeued waiter takes the mutex again without setting
 *                  WAITERS: the one requeued after it is forgotten.
 *   BUG_TMO_DROP   a timed waiter whose deadline passes after a signal chose
 *                  it reports a timeout (and gives up): the signal is lost.
 *   BUG_RETURN_ON_WAKE (with SPURIOUS: a sleeper may leave the kernel queue
 *                  by itself) a waiter returns whenever its futex wait
 *                  returns, chosen or not.
 *   BUG_WAKE_FIRST the hand-over of a parked node without morph wakes,
 *                  then stores SIGNALED (the old order without its BUSY):
 *                  a waiter that goes to sleep after the wake still finds
 *                  PARKED and sleeps for ever.
 */
// @check mutual-exclusion-no-lost-no-stolen pass - safety
// @check one-token pass -DNTOK=1 safety
// @check spurious-futex-returns pass -DSPURIOUS safety
// @check bug-signal-reads-parked-before-mark fail -DBUG_PEEK,-DNOTIMED safety
// @check bug-requeue-without-waiters-bit fail -DBUG_NOFIXUP,-DNOTIMED,-DNTOK=1 safety
// @check bug-requeued-relock-drops-waiters fail -DBUG_NORESET,-DNOTIMED,-DNTOK=1 safety
// @check bug-timed-out-waiter-drops-signal fail -DBUG_TMO_DROP,-DNTOK=1 safety
// @check bug-waiter-returns-unchosen fail -DSPURIOUS,-DBUG_RETURN_ON_WAKE safety
// @check bug-wake-before-signaled-store fail -DBUG_WAKE_FIRST,-DNOTIMED safety

#ifndef NW
#define NW 2
#endif
#ifndef NTOK
#define NTOK 2
#endif
#define NP (NW + 1)      /* waiters 0..NW-1, the signaler NW */
#define NONE 255
/* mutex word */
#define L 1
#define W 2
/* node states */
#define WT 0             /* WAITING */
#define PK 1             /* PARKED */
#define BZ 2             /* BUSY */
#define SG 3             /* SIGNALED */
#define RQ 4             /* REQUEUED */

byte mword;
chan mq = [NP] of { byte };  /* sleepers on the mutex word, FIFO */
bit asleep[NP];              /* in a futex wait */
bit onm[NP];                 /* ... on the mutex word (else on its node) */
byte nstate[NW];
bit queued[NW], chosen[NW], incw[NW];
byte q[NW];                  /* the cond's queue, oldest first */
byte qn;
byte waiters;
byte tokens, incs;

inline mwake_one()
{
	if
	:: nempty(mq) -> mq?x; asleep[x] = 0; onm[x] = 0
	:: empty(mq)
	fi
}

/* lk_mutex_lock: acquire with WAITERS once parked (Drepper's rule). */
inline mlock(me)
{
	parked = 0;
	do
	:: atomic { (mword & L) == 0 -> mword = mword | L | (parked -> W : 0) };
		break
	:: atomic { (mword & L) != 0 -> mword = mword | W; ms = mword; parked = 1 };
		atomic { if :: mword == ms -> mq!me; asleep[me] = 1; onm[me] = 1 :: else fi };
		(asleep[me] == 0)
	od;
	atomic { incs++; assert(incs == 1); parked = 0; ms = 0; x = 0 }
}

inline munlock(me)
{
	atomic { incs--; ms = mword; mword = ms & ~(L | W) };
	if
	:: ms & W -> atomic { mwake_one(); ms = 0; x = 0 }
	:: else -> ms = 0
	fi
}

/* a waker's hand-over of node n, taken off the queue (morph: broadcast) */
inline hand(n, morph)
{
#ifdef BUG_PEEK
	s2 = nstate[n];
	if
	:: s2 == WT -> nstate[n] = SG; done = 1
	:: else -> done = 0
	fi;
#else
	atomic {
		if
		:: nstate[n] == WT -> nstate[n] = SG; done = 1
		:: else -> done = 0
		fi
	};
#endif
	if
	:: !done ->
		assert(nstate[n] == PK);
		if
		:: morph && (mword & L) ->
			nstate[n] = BZ;
			atomic {
				if
				:: asleep[n] && !onm[n] -> onm[n] = 1; mq!n; moved = 1
				:: else -> moved = 0
				fi
			};
			if
			:: moved ->
#ifndef BUG_NOFIXUP
				atomic { o = mword; mword = mword | W };
				if
				:: (o & L) == 0 -> atomic { mwake_one() }
				:: else
				fi;
#endif
				nstate[n] = RQ
			:: else -> nstate[n] = SG
			fi
		:: else ->
#ifdef BUG_WAKE_FIRST
			atomic { if :: asleep[n] && !onm[n] -> asleep[n] = 0 :: else fi };
			nstate[n] = SG
#else
			/* the wake after the store: it may find the waiter gone, or
			 * asleep again on its node in a later wait (spurious there) */
			nstate[n] = SG;
			atomic { if :: asleep[n] && !onm[n] -> asleep[n] = 0 :: else fi }
#endif
		fi
	:: else
	fi;
	done = 0; moved = 0; o = 0; s2 = 0
}

proctype Waiter(byte me)
{
	byte x, ms, s, j;
	bit parked, timed, tmo, gaveup;
#ifndef NOTIMED
	timed = (me == 1);
#endif
	mlock(me);
	do
	:: tokens > 0 -> tokens--; break
	:: tokens == 0 && gaveup -> break
	:: tokens == 0 && !gaveup ->
		/* lk__cond_wait_ */
enq:		atomic {
			q[qn] = me; qn++; waiters++; queued[me] = 1;
			chosen[me] = 0;
			nstate[me] = WT; incw[me] = 1
		};
		munlock(me);
		tmo = 0;
		do
		:: nstate[me] == SG || nstate[me] == RQ -> s = nstate[me]; break
		:: nstate[me] == BZ -> (nstate[me] != BZ)
		:: atomic { nstate[me] == WT -> nstate[me] = PK } /* park */
		:: nstate[me] == PK ->
			atomic { if :: nstate[me] == PK -> asleep[me] = 1; onm[me] = 0 :: else fi };
end_sleep:		if
			:: (asleep[me] == 0)
			:: atomic { timed && asleep[me] -> /* the futex wait times out */
				if :: onm[me] -> mq??eval(me) :: else fi;
				asleep[me] = 0; onm[me] = 0; tmo = 1 }
#ifdef SPURIOUS
			:: atomic { asleep[me] ->
				if :: onm[me] -> mq??eval(me) :: else fi;
				asleep[me] = 0; onm[me] = 0 }
#endif
			fi;
#ifdef BUG_RETURN_ON_WAKE
			if :: !tmo -> s = SG; break :: else fi;
#endif
			skip
		:: timed && !tmo && (nstate[me] == WT || nstate[me] == PK) ->
			tmo = 1 /* the deadline passes in the spin phase */
		:: tmo ->
			/* lk_mutex_lock(&c->lock); queued? unlink; unlock */
			atomic {
				if
				:: queued[me] ->
					j = 0;
					do
					:: q[j] == me -> break
					:: else -> j++
					od;
					do
					:: j + 1 < qn -> q[j] = q[j + 1]; j++
					:: else -> break
					od;
					qn--; waiters--; queued[me] = 0; s = NONE; j = 0
				:: else ->
#ifdef BUG_TMO_DROP
					s = NONE
#else
					s = 0
#endif
				fi
			};
			tmo = 0;
			if
			:: s == NONE -> break /* timed out */
			:: else -> timed = 0 /* chosen: take it, untimed */
			fi
		od;
		incw[me] = 0;
		mlock(me);
		if
		:: s == RQ ->
#ifndef BUG_NORESET
			mword = mword | W /* fetch_or(word, WAITERS) */
#else
			skip
#endif
		:: else
		fi;
		if
		:: s == NONE -> gaveup = 1 /* timed out: the caller gives up */
		:: else ->
			/* no spurious wake-up, no stolen one */
			assert(chosen[me])
		fi
	od;
	munlock(me)
}

proctype Signaler()
{
	byte k, n, i, cnt, x, ms, s2, o;
	bit parked, done, moved, under, bcast;
	byte bl[NW];
	k = 0;
	do
	:: k < NTOK ->
		mlock(NW);
		tokens++;
		if :: under = 1 :: under = 0 fi;
#ifdef ONLY_BCAST
		bcast = 1;
#else
		if :: bcast = 1 :: bcast = 0 fi;
#endif
		if :: !under -> munlock(NW) :: else fi;
		if
		:: waiters == 0 -> skip /* the relaxed load */
		:: waiters > 0 && !bcast ->
choose:			atomic {
				if
				:: qn > 0 ->
					n = q[0]; /* the oldest: FIFO */
					i = 0;
					do
					:: i + 1 < qn -> q[i] = q[i + 1]; i++
					:: else -> break
					od;
					qn--; waiters--; queued[n] = 0; chosen[n] = 1
				:: else -> n = NONE
				fi;
				i = 0
			};
			if
			:: n != NONE -> hand(n, 0)
			:: else
			fi
		:: waiters > 0 && bcast ->
chooseall:		atomic {
				cnt = qn; i = 0;
				do
				:: i < qn -> bl[i] = q[i]; queued[q[i]] = 0; chosen[q[i]] = 1; i++
				:: else -> break
				od;
				qn = 0; waiters = 0; i = 0
			};
			do
			:: i < cnt -> n = bl[i]; hand(n, 1); i++
			:: else -> break
			od;
			i = 0; cnt = 0
		fi;
		if :: under -> munlock(NW) :: else fi;
		k++; n = 0
	:: else -> break
	od
}

init
{
	byte i;
	atomic {
		i = 0;
		do
		:: i < NW -> run Waiter(i); i++
		:: else -> break
		od;
		run Signaler()
	}
}

/* No lost wake-up: when nothing can move, no waiter sleeps in a wait that
 * a signal or broadcast chose, and none sleeps while a token is there. */
active proctype monitor()
{
	byte i;
	atomic {
		timeout ->
		i = 0;
		do
		:: i < NW -> assert(!incw[i] || (!chosen[i] && tokens == 0)); i++
		:: else -> break
		od
	}
}
