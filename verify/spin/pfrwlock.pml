/*
 * pfrwlock.pml: PF-T phase-fair RW latch (Brandenburg & Anderson), NR
 * readers and NW writers. Models primitives/pfrwlock.h: lk_pfrwlock_rdlock,
 * rdtrylock, rdtimedlock, lk__pf_rdwait_, rdunlock, wrlock, lk__pf_wrtry_
 * (wrtrylock, and wrtimedlock as a loop of it), wrunlock.
 * rin = rcnt * RINC + wb (writer bits PRES = 2, PHID = 1); rout counts
 * readers out; win counts tickets; wout = wt * 2 + wph. Counters wrap
 * modulo 4 (> threads), as in C only equality is tested.
 *   label    atomic step                                  C operation
 *   radd     atomic { w = wb; rcnt++ }                    fetch_add(rin, RINC, acquire) & WBITS
 *   rwait    (wb != w)                                    load(rin, acquire) loop in lk__pf_rdwait_
 *   rwdraw   atomic { wb != w -> in; else rcnt-- }        load + CAS_weak(rin, v, v - RINC) loop (timed reader withdraws)
 *   rtry     atomic { wb == 0 -> rcnt++ }                 load + CAS_weak(rin, v, v + RINC) loop while no writer bits
 *   rrel     rout++                                       fetch_add(rout, RINC, release)
 *   wtick    atomic { t = win; win++ }                    fetch_add(win, 2, relaxed)
 *   wturn    atomic { wt == t -> ph = wph }               load(wout, acquire) until (o & ~PHID) == t
 *   wbits    atomic { rt = rcnt; wb += PRES | ph }        fetch_add(rin, PRES | phid, relaxed) & CMASK
 *   wdrain   (rout == rt)                                 load(rout, acquire) loop
 *   wclr     wb = 0                                       fetch_and(rin, ~WBITS, release)
 *   wpass    atomic { wt++; wph = !wph }                  store(wout, (o + 2) ^ PHID, release)
 *   try1..5  o = wout; in = rin; in.cnt == rout?;         lk__pf_wrtry_: load wout, load rin, load rout,
 *            CAS win; CAS rin (else wt++: give back)      CAS(win, t, t+2), CAS(rin, in, in|PRES|phid), store(wout, o+2)
 * R0 uses rdlock only; R1 any of rdlock, rdtrylock, rdtimedlock. W0 uses
 * wrlock; W1 uses wrlock, or with -DTRYW wrtrylock / wrtimedlock only (then
 * with one reader: 2 readers and a try writer make > 7M states).
 * Phase fairness, with ghost counters: writer W0 (untimed) sees readers of
 * at most NW reader phases enter while it waits (one, plus one per writer
 * ahead; a reader phase is the span between two writer phases), and
 * reader R0 (untimed) sees at most one writer phase enter while it waits.
 * Also: RW exclusion, no deadlock, a writer adds its bits to a rin with no
 * writer bits (the add cannot carry into the count).
 * Known limit, checked as an expected failure (limit-try-writer-rin-wrap,
 * -DWRAP): lk__pf_wrtry_ loads rin, then CASes it expecting the same value;
 * if readers arrive and leave until the rin count wraps to the same value
 * (2^24 arrivals in C, 4 here) the CAS succeeds with readers inside. So the
 * main check assumes at most M - 2 arrivals in that window (ghost tarr).
 * The same holds for its CAS on win with a ticket read from wout (2^31
 * writer tickets in C), so writer tickets count in tarr too.
 * In C a try writer preempted between its rin load and CAS while readers
 * make 2^24 rdlock calls would break exclusion: rare, not impossible.
 * Seeded bugs: BUG_NO_PHID: writers set PRES only, so a reader that arrived
 * in one writer's phase cannot tell the next one from it (deadlock: it waits
 * for the bits to change, the writer waits for it to leave).
 * BUG_FLIP_ON_GIVEBACK (a try writer that gives its ticket back flips the
 * phase id, which the C header says lets a reader wait for ever) is kept for
 * study but is not a check: with 1 reader Spin finds no failure (a try
 * writer only proceeds when no reader is counted in rin).
 */
// @check rw-exclusion+phase-fair pass - safety
// @check try-writer-exclusion+phase-fair pass -DTRYW,-DNR=1 safety
// @check limit-try-writer-rin-wrap fail -DTRYW,-DNR=1,-DWRAP,-DBFS safety
// @check bug-no-phase-id fail -DBUG_NO_PHID safety

#ifndef NR
#define NR 2
#endif
#ifndef NW
#define NW 2
#endif
#define M 4
/* the rin count must not wrap while the try writer holds its snapshot:
 * in C that takes 2^24 arrivals inside the window; here M would do */
#ifdef WRAP
#define ARRIVE (true)
#else
#define ARRIVE (!tsnap || tarr < M - 2)
#endif
#define PRES 2
byte rcnt, wb, rout, win, wt;
bit wph;
byte nr, nw;            /* ghost: inside */
bit w0wait, r0wait;     /* ghost: W0 / R0 waiting */
byte rphases, wphases;  /* ghost: reader phases seen by W0, writer entries seen by R0 */
bit tsnap; byte tarr;    /* ghost: try writer holds a rin snapshot; reader arrivals since */
byte phid, lastph = 255; /* ghost: reader phase number (bumped at each writer exit), last one W0 counted */

inline rin_enter()
{
	atomic {
		if :: w0wait && lastph != phid -> rphases++; lastph = phid :: else fi;
		nr++;
		assert(nw == 0);
		if :: _pid == 0 -> assert(wphases <= 1); r0wait = 0; wphases = 0 :: else fi
	}
}

inline win_enter()
{
	atomic {
		nw++;
		assert(nw == 1 && nr == 0);
		if :: r0wait -> wphases++ :: else fi;
		if :: _pid == NR -> assert(rphases <= NW); w0wait = 0; rphases = 0; lastph = 255 :: else fi
	}
}

active [NR] proctype Reader()
{
	byte w; bit timed;
	do
	::
		timed = 0;
		if
		:: _pid != 0 -> /* rdtrylock */
			if
			:: /* rtry */ atomic { wb == 0 && ARRIVE -> rcnt = (rcnt + 1) % M; tarr = tarr + tsnap }; goto rin
			:: wb != 0 -> goto rdone
			fi
		:: _pid != 0 -> timed = 1 /* rdtimedlock */
		:: true
		fi;
radd:		atomic { ARRIVE -> w = wb; rcnt = (rcnt + 1) % M; tarr = tarr + tsnap; r0wait = (_pid == 0 && w != 0) };
		if
		:: w == 0 -> goto rin
		:: else
		fi;
		if
		:: /* rwait */ (wb != w)
		:: timed -> /* rdtimedlock: deadline passed: withdraw unless the phase ended */
			if
			:: /* rwdraw */ atomic { wb != w }
			:: atomic { wb == w -> rcnt = (rcnt + M - 1) % M }; goto rdone
			fi
		fi;
rin:		rin_enter();
		nr--;
rrel:		rout = (rout + 1) % M;
rdone:		atomic { w = 0; timed = 0 }
	od
}

active [NW] proctype Writer()
{
	byte t, ph, rt, ocnt, owb;
	do
	:: skip; /* a label may not open an option */
#ifdef TRYW
		if
		:: _pid != NR -> goto wtry /* W1: wrtrylock / wrtimedlock steps only */
		:: else
		fi;
#endif
wtick:		atomic { ARRIVE -> t = win; win = (win + 1) % M; tarr = tarr + tsnap; if :: _pid == NR -> w0wait = 1 :: else fi };
wturn:		atomic { wt == t -> ph = wph };
#ifdef BUG_NO_PHID
		ph = 0;
#endif
wbits:		atomic { assert(wb == 0); rt = rcnt; wb = PRES | ph };
wdrain:		(rout == rt);
		goto wins;
wtry:		atomic { t = wt; ph = wph; tsnap = 1; tarr = 0 };
		atomic { ocnt = rcnt; owb = wb };
		if
		:: owb == 0 && ocnt == rout -> skip
		:: else -> tsnap = 0; goto wdone
		fi;
		if
		:: atomic { win == t -> win = (win + 1) % M }
		:: else -> tsnap = 0; goto wdone
		fi;
		if
		:: atomic { rcnt == ocnt && wb == owb -> wb = PRES | ph; tsnap = 0 }; goto wins
		:: else ->
			tsnap = 0;
#ifdef BUG_FLIP_ON_GIVEBACK
			atomic { wt = (t + 1) % M; wph = 1 - wph }; goto wdone
#else
			wt = (t + 1) % M; goto wdone
#endif
		fi;
wins:		win_enter();
		nw--;
wclr:		atomic { wb = 0; phid = (phid + 1) % 4 };
wpass:		atomic { wt = (wt + 1) % M; wph = 1 - wph };
wdone:		atomic { t = 0; ph = 0; rt = 0; ocnt = 0; owb = 0 }
	od
}
