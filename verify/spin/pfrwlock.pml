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
 *   wtry     atomic { t = wt; ph = wph; tw = win }        lk__pf_wrtry_: load(w_.both = win:wout, relaxed)
 *            tw == t?                                     (uint32_t)(wv >> 32) == (o & ~PHID)
 *   trd      atomic { ocnt = rcnt; owb = wb; orout = rout }  load(r_.both = rin:rout, relaxed)
 *            owb == 0 && ocnt == orout?                   no writer bits, rin count == rout
 *   tcasw    atomic { win == t && wt == t && wph == ph     CAS(w_.both, wv, wv + (2 << 32), acquire, relaxed)
 *                     -> win++ }
 *   tcasr    atomic { rcnt == ocnt && wb == owb &&        CAS(r_.both, rv, rv | (PRES|phid) << 32, acquire, relaxed)
 *                     rout == orout -> wb = PRES | ph }
 *   tback    wt++ (no phase flip)                         store(wout half, o + 2, release): give the ticket back
 * R0 uses rdlock only; R1 any of rdlock, rdtrylock, rdtimedlock. W0 uses
 * wrlock; W1 uses wrlock, or with -DTRYW wrtrylock / wrtimedlock only (then
 * with one reader: 2 readers and a try writer make > 7M states).
 * Phase fairness, with ghost counters: writer W0 (untimed) sees readers of
 * at most NW reader phases enter while it waits (one, plus one per writer
 * ahead; a reader phase is the span between two writer phases), and
 * reader R0 (untimed) sees at most one writer phase enter while it waits.
 * Also: RW exclusion, no deadlock, a writer adds its bits to a rin with no
 * writer bits (the add cannot carry into the count).
 * Counter wrap: the try writer's loads and CASes are separate steps and
 * readers and writers may come and go in between without bound, so the
 * counters (modulo M) can come round to the values the try writer saw.
 * Each CAS compares a whole pair ((win, wout), then (rin, rout)), so equal
 * pairs mean the state it checked; the try-writer check covers that.
 * Seeded bug BUG_SINGLE_CAS: the old lk__pf_wrtry_ (CAS on win alone, then
 * on rin alone): Spin finds the wrap ABA (readers make M arrivals and
 * departures while the try writer sits between its rin load and CAS, and
 * it enters with a reader inside; in C 2^24 arrivals).
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
// @check bug-try-writer-single-cas fail -DTRYW,-DNR=1,-DBUG_SINGLE_CAS,-DBFS safety
// @check bug-no-phase-id fail -DBUG_NO_PHID safety

#ifndef NR
#define NR 2
#endif
#ifndef NW
#define NW 2
#endif
#define M 4
#define PRES 2
byte rcnt, wb, rout, win, wt;
bit wph;
byte nr, nw;            /* ghost: inside */
bit w0wait, r0wait;     /* ghost: W0 / R0 waiting */
byte rphases, wphases;  /* ghost: reader phases seen by W0, writer entries seen by R0 */
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
			:: /* rtry */ atomic { wb == 0 -> rcnt = (rcnt + 1) % M }; goto rin
			:: wb != 0 -> goto rdone
			fi
		:: _pid != 0 -> timed = 1 /* rdtimedlock */
		:: true
		fi;
radd:		atomic { w = wb; rcnt = (rcnt + 1) % M; r0wait = (_pid == 0 && w != 0) };
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
	byte t, ph, rt, ocnt, owb, tw, orout;  /* tw, orout: the try writer's snapshot of win, rout */
	do
	:: skip; /* a label may not open an option */
#ifdef TRYW
		if
		:: _pid != NR -> goto wtry /* W1: wrtrylock / wrtimedlock steps only */
		:: else
		fi;
#endif
wtick:		atomic { t = win; win = (win + 1) % M; if :: _pid == NR -> w0wait = 1 :: else fi };
wturn:		atomic { wt == t -> ph = wph };
#ifdef BUG_NO_PHID
		ph = 0;
#endif
wbits:		atomic { assert(wb == 0); rt = rcnt; wb = PRES | ph };
wdrain:		(rout == rt);
		goto wins;
wtry:		atomic { t = wt; ph = wph; tw = win };
		if
		:: tw == t -> skip
		:: else -> goto wdone
		fi;
trd:		atomic { ocnt = rcnt; owb = wb; orout = rout };
		if
		:: owb == 0 && ocnt == orout -> skip
		:: else -> goto wdone
		fi;
#ifdef BUG_SINGLE_CAS
tcasw:		if
		:: atomic { win == t -> win = (win + 1) % M }
		:: else -> goto wdone
		fi;
tcasr:		if
		:: atomic { rcnt == ocnt && wb == owb -> wb = PRES | ph }; goto wins
		:: else
		fi;
#else
tcasw:		if
		:: atomic { win == t && wt == t && wph == ph -> win = (win + 1) % M }
		:: else -> goto wdone
		fi;
tcasr:		if
		:: atomic { rcnt == ocnt && wb == owb && rout == orout -> wb = PRES | ph }; goto wins
		:: else
		fi;
#endif
#ifdef BUG_FLIP_ON_GIVEBACK
tback:		atomic { wt = (t + 1) % M; wph = 1 - wph }; goto wdone;
#else
tback:		wt = (t + 1) % M; goto wdone;
#endif
wins:		win_enter();
		nw--;
wclr:		atomic { wb = 0; phid = (phid + 1) % 4 };
wpass:		atomic { wt = (wt + 1) % M; wph = 1 - wph };
wdone:		atomic { t = 0; ph = 0; rt = 0; ocnt = 0; owb = 0; tw = 0; orout = 0 }
	od
}
