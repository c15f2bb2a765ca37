/*
 * pfrwlock.pml: PF-T phase-fair RW latch (Brandenburg & Anderson), NR
 * readers and NW writers. Models primitives/pfrwlock.h: lk_pfrwlock_rdlock,
 * rdtrylock, rdtimedlock, lk__pf_rdwait_, rdunlock, wrlock, lk__pf_wrtry_
 * (wrtrylock, and wrtimedlock as a loop of it), wrunlock.
 * rin = rcnt * RINC + wb (writer bits PRES = 2, PHID = 1) + RWAIT (rw);
 * rout counts readers out, with DWAIT (dw). The writers' lock w_
 * (ticket.h) is modelled as the FIFO ticket it is while every waiter runs
 * (win: next ticket, wt: the one served; its bounded steal past a head
 * that is not running and its parking are ticket.pml's); wph is ph_, the
 * next phase id, flipped only when a phase ran. Counters wrap modulo 4
 * (> threads), as in C only equality is tested.
 *   label    atomic step                                  C operation
 *   radd     atomic { w = wb; rcnt++ }                    fetch_add(rin, RINC, acquire) & WBITS
 *   rwait    (wb != w)                                    load(rin, acquire) loop in lk__pf_rdwait_
 *   rpark    atomic { wb == w && !rw -> rw = 1 }        CAS_weak(rin, v, v | RWAIT, relaxed) once the spin budget is spent
 *   rsleep   atomic { wb == w && rw -> slp = 1 }; slp == 0   futex_wait(rin, v): sleeps only while rin still has bits w and
 *                                                         RWAIT (the count is not compared: sleeping more often is the
 *                                                         conservative side); a timed reader may also time out of it
 *   rwdraw   atomic { wb != w -> in; else rcnt-- }        load + CAS_weak(rin, v, v - RINC) loop (timed reader withdraws)
 *   rtry     atomic { wb == 0 -> rcnt++ }                 load + CAS_weak(rin, v, v + RINC) loop while no writer bits
 *   rrel     atomic { rk = dw; rout++ }; rk -> wake       fetch_add(rout, RINC, release) & DWAIT, then futex_wake(rout, 1)
 *   wtick    atomic { t = win; win++ }                    lk_ticket_lock(&w_): takes a ticket
 *   wturn    atomic { wt == t -> ph = wph }               ... until it holds w_; then load(ph_, relaxed)
 *   wbits    atomic { rt = rcnt; wb += PRES | ph }        fetch_add(rin, PRES | phid, relaxed) & CMASK
 *   wdrain   (rout == rt)                                 load(rout, acquire) loop in lk__pf_wrdrain_
 *   wdpark   atomic { rout != rt && !dw -> dw = 1 }       CAS_weak(rout, v, v | DWAIT, relaxed) once the spin budget is spent
 *   wdslp    atomic { rout != rt && dw -> ws = 1 }; ws == 0   futex_wait(rout, v) (conservative compare, as rsleep)
 *   wdclr    dw = 0                                       fetch_and(rout, ~DWAIT, relaxed) after the drain
 *   wclr     atomic { wk = rw; wb = 0; rw = 0 }           fetch_and(rin, ~(WBITS|RWAIT), release), keeping the old RWAIT
 *   wwake    wk -> every slp = 0                          futex_wake(rin, all) if the old rin had RWAIT (after wpass)
 *   wpass    atomic { wt++; wph = !wph }                  store(ph_, ph ^ 1, relaxed); lk_ticket_unlock(&w_)
 *   wtry     atomic { t = wt; ph = wph; tw = win }        lk__pf_wrtry_: lk_ticket_trylock(&w_), which
 *            tw == t?                                     takes w_ only when free and no head waits
 *   trd      atomic { ocnt = rcnt; owb = wb; orout = rout }  load(r_.both = rin:rout, relaxed)
 *            owb == 0 && ocnt == orout?                   no writer bits, rin count == rout
 *   tcasw    atomic { win == t && wt == t && wph == ph     (lk_ticket_trylock's CAS on the lock word, as one step)
 *                     -> win++ }
 *   tcasr    atomic { rcnt == ocnt && wb == owb &&        CAS(r_.both, rv, rv | (PRES|phid) << 32, acquire, relaxed)
 *                     rout == orout -> wb = PRES | ph }
 *   tback    wt++ (no phase flip)                         lk_ticket_unlock(&w_): give w_ back, ph_ unchanged
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
 * The main check runs breadth-first (-DBFS): with the park steps the
 * depth-first search exceeds the runner's 1M depth (11M states).
 * Seeded bug BUG_SINGLE_CAS: the old lk__pf_wrtry_ (CAS on win alone, then
 * on rin alone): Spin finds the wrap ABA (readers make M arrivals and
 * departures while the try writer sits between its rin load and CAS, and
 * it enters with a reader inside; in C 2^24 arrivals).
 * Seeded bugs: BUG_NO_PHID: writers set PRES only, so a reader that arrived
 * in one writer's phase cannot tell the next one from it (deadlock: it waits
 * for the bits to change, the writer waits for it to leave).
 * BUG_WAKE_LOAD: wrunlock reads RWAIT with a load before its clear instead
 * of from the clearing RMW: a reader that sets RWAIT in between sleeps
 * through the clear, no wake comes, and the next writer waits for it
 * (deadlock).
 * BUG_DRAIN_NOWAKE: rdunlock does not wake the drainer on DWAIT (its add
 * is a plain fetch_add, as before DWAIT): the parked writer sleeps with
 * readers gone (deadlock).
 * BUG_FLIP_ON_GIVEBACK (a try writer that gives its ticket back flips the
 * phase id, which the C header says lets a reader wait for ever) is kept for
 * study but is not a check: with 1 reader Spin finds no failure (a try
 * writer only proceeds when no reader is counted in rin).
 */
// @check rw-exclusion+phase-fair pass -DBFS safety
// @check try-writer-exclusion+phase-fair pass -DTRYW,-DNR=1 safety
// @check bug-try-writer-single-cas fail -DTRYW,-DNR=1,-DBUG_SINGLE_CAS,-DBFS safety
// @check bug-no-phase-id fail -DBUG_NO_PHID safety
// @check bug-wake-from-load fail -DBUG_WAKE_LOAD safety
// @check bug-drain-no-wake fail -DBUG_DRAIN_NOWAKE safety

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
bit rw;                 /* RWAIT: a reader may sleep on rin */
bit slp[NR];            /* reader asleep in futex_wait on rin */
bit dw;                 /* DWAIT: the draining writer may sleep on rout */
bit ws[NW];             /* writer asleep in futex_wait on rout */
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
	byte w, i; bit timed, rk;
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
rwt:		if
		:: /* rwait */ (wb != w)
		:: /* rpark */ atomic { wb == w && !rw -> rw = 1 }; goto rwt
		:: /* rsleep */ atomic { wb == w && rw -> slp[_pid] = 1 };
			if
			:: slp[_pid] == 0
			:: timed -> slp[_pid] = 0 /* futex timeout */
			fi;
			goto rwt
		:: timed -> /* rdtimedlock: deadline passed: withdraw unless the phase ended */
			if
			:: /* rwdraw */ atomic { wb != w }
			:: atomic { wb == w -> rcnt = (rcnt + M - 1) % M }; goto rdone
			fi
		fi;
rin:		rin_enter();
		nr--;
rrel:		atomic { rk = dw; rout = (rout + 1) % M };
#ifndef BUG_DRAIN_NOWAKE
		atomic {
			if
			:: rk -> i = 0; do :: i < NW -> ws[i] = 0; i++ :: else -> break od
			:: else
			fi;
			rk = 0; i = 0
		};
#endif
rdone:		atomic { w = 0; timed = 0 }
	od
}

active [NW] proctype Writer()
{
	byte t, ph, rt, ocnt, owb, tw, orout, i;
	bit wk;  /* tw, orout: the try writer's snapshot of win, rout */
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
wdrain:		if
		:: (rout == rt)
		:: /* wdpark */ atomic { rout != rt && !dw -> dw = 1 }; goto wdrain
		:: /* wdslp */ atomic { rout != rt && dw -> ws[_pid - NR] = 1 };
			ws[_pid - NR] == 0; goto wdrain
		fi;
wdclr:		dw = 0;
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
#ifdef BUG_WAKE_LOAD
		wk = rw;
wclr:		atomic { wb = 0; rw = 0; phid = (phid + 1) % 4 };
#else
wclr:		atomic { wk = rw; wb = 0; rw = 0; phid = (phid + 1) % 4 };
#endif
wpass:		atomic { wt = (wt + 1) % M; wph = 1 - wph };
wwake:		atomic {
			if
			:: wk -> i = 0; do :: i < NR -> slp[i] = 0; i++ :: else -> break od
			:: else
			fi;
			wk = 0; i = 0
		};
wdone:		atomic { t = 0; ph = 0; rt = 0; ocnt = 0; owb = 0; tw = 0; orout = 0 }
	od
}
