/*
 * rprwlock.pml: reader-preferring parking RW latch in one futex word (WR,
 * RWAIT, WWAIT bits, RD count). Models primitives/rprwlock.h:
 * lk__rpw_rdlock_ (rdlock, rdtimedlock) / lk__rpw_rdslow_ / rdunlock,
 * lk__rpw_rdout_ and lk__rpw_last_reader_, lk__rpw_wrlock_ (wrlock,
 * wrtimedlock) / lk__rpw_wrslow_ / wrunlock. (rdtrylock and wrtrylock are
 * the slow paths' CAS alone: a failing one changes nothing.)
 * SHARED only picks the futex flavour: not modelled. Readers park with
 * futex bitset 1, writers with 2: a wake of the readers' bitset wakes
 * every parked reader, one of the writers' bitset one parked writer, any
 * one (the kernel's queue is FIFO: any is a superset).
 *   step     atomic step (a label where the code has one)  C operation
 *   radd     atomic { o = WORD; rd++ }                    fetch_add(word, RD1, acquire): in unless o has WR
 *   rout     atomic { o = WORD; rd-- }                    rdout_: fetch_sub(word, RD1) (take-back or rdunlock);
 *            then RD was 1 and WWAIT set in o ->            lk__rpw_last_reader_:
 *   lastclr  atomic { o = WORD; wwait = 0 }               fetch_and(word, ~WWAIT, relaxed)
 *   lastwake o has WWAIT -> wake one writer               futex_wake_bits(word, 1, WRITER)
 *   rloop    atomic { !wr -> rd++ | else [RWAIT]; v = WORD } load + CAS_weak(v, v + RD1) loop; else, parking,
 *                                                         CAS_weak(v, v | RWAIT) when v has none
 *   wfast    atomic { WORD == 0 -> wr = 1 }               CAS(word, 0, WR, acquire)
 *   wloop    atomic { !wr && !rd -> wr = 1, wwait |= parked   load + CAS_weak(v, v | WR | parked) loop;
 *                     | else [parked = 1; WWAIT]; v = WORD }   else, parking: parked = WWAIT,
 *                                                         CAS_weak(v, v | WWAIT) when v has none
 *   wgive    parked -> atomic { o = WORD; wwait = 1 }     lk__wait returned false, after parking:
 *                                                         fetch_or(word, WWAIT, relaxed);
 *   wgwake   o has no WR, no RD -> wake one writer        futex_wake_bits(word, 1, WRITER)
 *   wrel     atomic { o = WORD; wr = rwait = wwait = 0 }  fetch_and(word, ~(WR|RWAIT|WWAIT), release)
 *   wrwake   o has RWAIT -> wake every reader             futex_wake_bits(word, INT32_MAX, READER)
 *   wwwake   o has WWAIT -> wake one writer               futex_wake_bits(word, 1, WRITER)
 *   park     atomic { WORD == v -> slp = 1 }; (!slp)      lk__wait -> futex_wait_bits(word, v): the kernel compares
 *                                                         the whole word and sleeps in one step; else refused
 * A load + CAS loop is one step: a CAS that succeeds saw the word as
 * loaded, a failing one only repeats. The futex sleep keeps its own step
 * with the v it last saw; each wake is its own step after the clearing RMW.
 * lk__wait_would_park() turns true in some spin step of lk__wait and stays
 * true (a local bit); a timed waiter may give up at any lk__wait (a reader
 * leaving its bit set, a writer that has parked through wgive) and may
 * time out of a sleep. As in the C, a sleep that ends (woken or timed out)
 * goes back to the loop, and lk__wait gives up only before it sleeps: a
 * woken writer re-checks, and re-sets WWAIT if it must wait on.
 * -DSWALLOW lets a timed waiter give up straight out of its sleep, woken
 * or not (a wait helper that checks its deadline after the futex returns):
 * a woken writer can then take the one wake with it, the case wgive is
 * for. No spurious futex returns: they could only hide a lost wake-up.
 * Processes: readers R0 (rdlock) and R1 (rdlock or rdtimedlock), RROUNDS
 * rounds each; writers W0 (wrlock) and W1 (wrlock or wrtimedlock), WROUNDS
 * rounds each; then they end. In its first round R0, holding the latch,
 * read-locks again once W0 has found it held (so W0 waits) or is done:
 * what glibc's default kind allows and the writer-preferring latches
 * deadlock on. Both writers may park behind R0, so its unlock's single
 * wake picks one. -DNR=1 drops R1 (room for more rounds).
 * Properties (safety): RW exclusion; no lost wake-up and no deadlock (a
 * waiter left asleep when the others are done is an invalid end state);
 * reader preference: a reader that holds the latch is admitted by its own
 * fetch_add, writer waiting or not (assert), so the recursive read lock
 * never waits; at the end nobody holds it and no RWAIT is left.
 * Seeded bugs: BUG_LAST_NOWAKE: rdout_ never calls last_reader_ (the
 * reader that takes RD to 0 with WWAIT set neither clears nor wakes): a
 * writer parked behind readers sleeps for ever. BUG_WR_NORD: the writer's
 * slow CAS ignores RD (exclusion broken). BUG_WPREF: the reader's
 * fetch_add admits only with neither WR nor WWAIT (writer preference at the
 * door): the recursive read lock, W0 waiting, is sent to wait (the assert;
 * a writer-preferring latch then waits for W0, which waits for it).
 * BUG_WAKE_LOAD: wrunlock reads the waiting bits by a load before its
 * clearing RMW: a waiter that sets its bit in between sleeps through the
 * clear. BUG_NOKEEP: a writer that has parked acquires with v | WR, not
 * v | WR | WWAIT (the old rule, right while every wake woke all): the
 * single wake went to it, the other parked writer sleeps for ever.
 * BUG_TIMED_NOPASS (with -DSWALLOW): a timed writer that parked leaves
 * without wgive: the wake it took is lost, the other writer sleeps on.
 * BUG_TIMED_NOWAKE (with -DSWALLOW): wgive sets WWAIT but never wakes:
 * with the latch free nobody is left to clear it and wake.
 * Kept for study, not checks (Spin finds no error):
 * BUG_TAKEBACK_NOWAKE: the take-back skips the last-reader check. That
 * wake is for latency, not for liveness: the reader that took back then
 * either enters (its rdunlock is then a last reader that wakes) or waits
 * on a WR whose wrunlock wakes. BUG_TIMED_NOPASS (or _NOWAKE) without
 * -DSWALLOW: as the C's lk__wait re-checks after every sleep, a woken
 * timed writer sets WWAIT again (or acquires) before it can give up;
 * wgive guards a wait that gives up straight after a wake (or, beyond
 * this SC model, a woken writer's relaxed load that reads the word from
 * before the waker's clear: wgive's fetch_or reads the latest).
 */
// @check rw-exclusion+no-lost-wake+recursive-read pass - safety
// @check rounds-2r3w-1-reader pass -DNR=1,-DRROUNDS=2,-DWROUNDS=3 safety
// @check-long rw-exclusion-2-writer-rounds pass -DWROUNDS=2 safety
// @check swallowed-wake-passed-on pass -DSWALLOW safety
// @check bug-last-reader-no-wake fail -DBUG_LAST_NOWAKE safety
// @check bug-writer-cas-ignores-rd fail -DBUG_WR_NORD safety
// @check bug-writer-preferring-recursive-read fail -DBUG_WPREF safety
// @check bug-wrunlock-bits-from-load fail -DBUG_WAKE_LOAD safety
// @check bug-parked-writer-drops-wwait fail -DBUG_NOKEEP safety
// @check bug-timed-writer-no-pass-on fail -DSWALLOW,-DBUG_TIMED_NOPASS safety
// @check bug-timed-writer-sets-no-wake fail -DSWALLOW,-DBUG_TIMED_NOWAKE safety

#ifndef NR
#define NR 2                  /* readers: R0, R1 */
#endif
#ifndef RROUNDS
#define RROUNDS 1
#endif
#ifndef WROUNDS
#define WROUNDS 1
#endif
#define NP (NR + 2)           /* and writers W0, W1 */
#define W0 NR
bit wr, rwait, wwait;
byte rd;
#define WORD (wr + 2 * rwait + 4 * wwait + 16 * rd)
bit slp[NP];                  /* asleep in futex_wait on the word */
byte nr, nw;                  /* ghost: read holds, writers inside */
byte ndone;                   /* ghost: processes finished */
bit w0slow, w0done;           /* ghost: W0 found it held (its fast CAS failed); W0 finished */

inline check() { assert(nw == 0 || (nw == 1 && nr == 0)) }

/* the last process out: nobody holds it, and RWAIT went with WR (RWAIT =>
 * WR); a WWAIT left by a timed writer may stay */
inline finish() { atomic { ndone++; if :: ndone == NP -> assert(!wr && !rwait && rd == 0) :: else fi } }

/* futex_wake_bits(word, INT32_MAX, READER): every parked reader */
inline wake_readers() { atomic { i = 0; do :: i < NR -> slp[i] = 0; i++ :: else -> break od; i = 0 } }

/* futex_wake_bits(word, 1, WRITER): one parked writer, either */
inline wake_writer() { atomic { if :: slp[W0] -> slp[W0] = 0 :: slp[W0 + 1] -> slp[W0 + 1] = 0 :: else fi } }

/* lk__rpw_rdout_: one reader out of RD; the last one out with WWAIT set
 * clears it and wakes one writer */
inline rdout(takeback)
{
	atomic { o = WORD; rd-- };
#ifndef BUG_LAST_NOWAKE
	if
#ifdef BUG_TAKEBACK_NOWAKE
	:: !takeback && (o / 16) == 1 && (o & 4) != 0 ->
#else
	:: (o / 16) == 1 && (o & 4) != 0 ->
#endif
		atomic { o = WORD; wwait = 0 };
		if :: (o & 4) != 0 -> wake_writer() :: else fi
	:: else
	fi;
#endif
	o = 0
}

/* -DSWALLOW: a timed waiter may give up as its sleep ends */
#ifdef SWALLOW
#define SWALLOWED(G) if :: timed -> goto G :: skip fi;
#else
#define SWALLOWED(G)
#endif

/* lk__wait(&w, &word, v) in a slow-path loop whose head is label L; a
 * timed waiter may give up (label G) */
#define LKWAIT(L, G) \
	if \
	:: timed -> goto G \
	:: !wpark -> if :: wpark = 1 :: skip fi; goto L \
	:: wpark -> \
		if \
		:: atomic { WORD == v -> slp[_pid] = 1 }; \
			if \
			:: !slp[_pid] \
			:: atomic { timed && slp[_pid] -> slp[_pid] = 0 } \
			fi; \
			SWALLOWED(G) \
		:: WORD != v \
		fi; \
		v = 0; goto L \
	fi

active [NR] proctype Reader()
{
	byte o, v, i, round, holds;
	bit timed, wpark;
	do
	:: round == RROUNDS -> break
	:: else ->
		if :: _pid == 1 -> if :: timed = 1 :: skip fi :: else fi;
rlock:
radd:		atomic { o = WORD; rd++ };
#ifdef BUG_WPREF
		/* (the door only: a slow path that also waited for WWAIT to
		 * clear would need a writer's withdrawal to wake it) */
		if :: (o & 5) == 0 -> o = 0; goto rin :: else fi;
#else
		if :: (o & 1) == 0 -> o = 0; goto rin :: else fi;
#endif
		/* reader preference: one that holds it never waits */
		assert(holds == 0);
		rdout(1);	/* the take-back */
rloop:		atomic {
			if
			:: !wr -> rd++; v = 0; goto rin
			:: else ->
				if :: wpark && !rwait -> rwait = 1 :: else fi;
				if :: wpark -> v = WORD :: else fi
			fi
		};
		LKWAIT(rloop, rdone);
rin:		atomic { nr++; holds++; check(); wpark = 0 };
		if
		:: _pid == 0 && round == 0 && holds == 1 ->
			/* read-lock again while holding, once W0 has come
			 * (then it waits: R0 holds) or finished */
			(w0slow || w0done);
			goto rlock
		:: else
		fi;
		do
		:: holds > 0 -> atomic { nr--; holds-- }; rdout(0)	/* rdunlock */
		:: else -> break
		od;
rdone:		atomic { round++; timed = 0; wpark = 0; v = 0 }
	od;
	finish()
}

active [2] proctype Writer()
{
	byte o, v, i, round;
	bit timed, wpark, parked;
	do
	:: round == WROUNDS -> break
	:: else ->
		if :: _pid == W0 + 1 -> if :: timed = 1 :: skip fi :: else fi;
wfast:		if
		:: atomic { WORD == 0 -> wr = 1 }; goto win
		:: WORD != 0
		fi;
		if :: _pid == W0 -> w0slow = 1 :: else fi;
wloop:		atomic {
			if
#ifdef BUG_WR_NORD
			:: !wr ->
#else
			:: !wr && rd == 0 ->
#endif
				/* once parked, keep WWAIT: the other may sleep */
#ifndef BUG_NOKEEP
				wwait = wwait | parked;
#endif
				wr = 1; v = 0; goto win
			:: else ->
				if :: wpark -> parked = 1 :: else fi;
				if :: wpark && !wwait -> wwait = 1 :: else fi;
				if :: wpark -> v = WORD :: else fi
			fi
		};
		LKWAIT(wloop, wgive);
win:		atomic { nw++; check() };
		nw--;
#ifdef BUG_WAKE_LOAD
		o = WORD;
wrel:		atomic { wr = 0; rwait = 0; wwait = 0 };
#else
wrel:		atomic { o = WORD; wr = 0; rwait = 0; wwait = 0 };
#endif
wrwake:		if :: (o & 2) != 0 -> wake_readers() :: else fi;
wwwake:		if :: (o & 4) != 0 -> wake_writer() :: else fi;
		goto wdone;
		/* lk__wait returned false: one that parked may have taken the
		 * one wake; ask again, and pass it on if nobody holds */
wgive:
#ifndef BUG_TIMED_NOPASS
		if
		:: parked ->
			atomic { o = WORD; wwait = 1 };
#ifndef BUG_TIMED_NOWAKE
wgwake:			if :: (o & 1) == 0 && o / 16 == 0 -> wake_writer() :: else fi
#endif
		:: else
		fi;
#endif
wdone:		atomic { round++; timed = 0; wpark = 0; parked = 0; o = 0; v = 0 }
	od;
	if :: _pid == W0 -> w0done = 1 :: else fi;
	finish()
}
