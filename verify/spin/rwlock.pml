/*
 * rwlock.pml: writer-preferring spinning RW latch in one word (WR bit, WW
 * count of waiting writers, RD count of readers). NR readers, NW writers.
 * Models primitives/rwlock.h: lk_rwlock_rdlock / rdtimedlock / lk__rwl_rdslow_
 * / rdunlock and lk_rwlock_wrlock / wrtimedlock / lk__rwl_wrslow_ / wrunlock.
 * (rdtrylock and wrtrylock are the slow-path CAS and the fast-path CAS alone:
 * a failing one changes nothing, so they add no behaviour.)
 *   label    atomic step                               C operation
 *   rlook    atomic { owr = wr; oww = ww }             rdtimedlock only: load(word, relaxed); writer in
 *                                                      or waiting -> wait (rcas) without touching RD
 *   radd     atomic { o = word; rd++ }                 fetch_add(word, RD1, acquire)
 *   rundo    rd--                                      fetch_sub(word, RD1, relaxed): writer held or waited
 *   rcas     atomic { wr == 0 && ww == 0 -> rd++ }     load(relaxed) + CAS_weak(v, v + RD1, acquire) loop
 *   rrel     rd--                                      fetch_sub(word, RD1, release)
 *   wfast    atomic { word == 0 -> wr = 1 }            CAS(word, 0, WR, acquire)
 *   wann     ww++                                      fetch_add(word, WW1, relaxed) (announce)
 *   wcas     atomic { wr == 0 && rd == 0 -> ww--; wr = 1 }  load + CAS_weak(v, (v - WW1) | WR, acquire) loop
 *   wtmo     ww--                                      fetch_sub(word, WW1, relaxed): timed writer withdraws
 *   wrel     wr = 0                                    fetch_sub(word, WR, release)
 * A load + CAS retry loop is one step guarded by its condition: a CAS that
 * succeeds saw the word as loaded, a failing one only repeats (the C loop
 * spins in lk__wait while the condition is false).
 * A timed lock may give up at any wait. The WW count saturation at 2047 is
 * not modelled (2-3 threads).
 * Properties: RW exclusion and no deadlock (safety, 2 readers + 2 writers);
 * writer preference: with 2 readers and 1 writer, a writer that wants in
 * eventually gets in (ltl wprog, weak fairness).
 * Timed readers (check timed-reader-retries-1w): readers that keep calling
 * rdtimedlock and timing out must not starve a waiting writer. rdtimedlock
 * looks at the word first (rlook) and, with a writer in or waiting, waits
 * without adding to RD; so once the writer has announced, RD only drains.
 * Seeded bug BUG_TIMED_ADD: the old rdtimedlock (optimistic fetch_add,
 * then undo); RD flickers and Spin finds the writer starving (fails).
 * Seeded bug BUG_RD_NOWR: the reader's fast path checks only waiting
 * writers, not the WR bit, so it is admitted while a writer is inside.
 */
// @check rw-exclusion pass - safety
// @check writer-progress-1w pass -DNW=1,-DNOTIMED_R ltl:wprog
// @check timed-reader-retries-1w pass -DNW=1 ltl:wprog
// @check bug-timed-reader-adds-first fail -DNW=1,-DBUG_TIMED_ADD ltl:wprog
// @check bug-reader-ignores-writer fail -DBUG_RD_NOWR safety

#ifndef NR
#define NR 2
#endif
#ifndef NW
#define NW 2
#endif
bit wr;
byte ww, rd;
byte nr, nw;              /* ghost: readers and writers inside */
bool wwant, wcs;          /* ghost, writer 0 */

inline check() { assert(nw == 0 || (nw == 1 && nr == 0)) }

active [NR] proctype Reader()
{
	bit owr; byte oww; bit timed;
	do
	::
		timed = 0;
#ifndef NOTIMED_R
		if :: timed = 1 :: skip fi;
#endif
#ifndef BUG_TIMED_ADD
		if
		:: timed ->
rlook:			atomic { owr = wr; oww = ww };
			if
			:: owr != 0 || oww != 0 -> atomic { owr = 0; oww = 0 }; goto rwait
			:: else
			fi
		:: else
		fi;
#endif
radd:		atomic { owr = wr; oww = ww; rd++ };
#ifdef BUG_RD_NOWR
		if
		:: oww == 0 -> goto rin
#else
		if
		:: owr == 0 && oww == 0 -> goto rin
#endif
		:: else
		fi;
rundo:		rd--;
rwait:		if
		:: /* rcas */ atomic { wr == 0 && ww == 0 -> rd++ }; goto rin
		:: timed -> goto rdone
		fi;
rin:		atomic { nr++; check(); owr = 0; oww = 0 };
		nr--;
rrel:		rd--;
rdone:		timed = 0
	od
}

active [NW] proctype Writer()
{
	bit timed;
	do
	::
		if :: _pid != NR -> timed = 1 :: timed = 0 fi; /* writer 0 never times out */
		if :: _pid == NR -> wwant = 1 :: else fi;
		if
		:: /* wfast */ atomic { wr == 0 && ww == 0 && rd == 0 -> wr = 1 }; goto win
		:: else
		fi;
wann:		ww++;
		if
		:: /* wcas */ atomic { wr == 0 && rd == 0 -> ww--; wr = 1 }
		:: /* wtmo */ timed -> ww--; goto wdone
		fi;
win:		atomic { nw++; check(); if :: _pid == NR -> wcs = 1; wwant = 0 :: else fi };
		atomic { nw--; wcs = 0 };
wrel:		wr = 0;
wdone:		timed = 0
	od
}

ltl wprog { [] (wwant -> <> wcs) }
