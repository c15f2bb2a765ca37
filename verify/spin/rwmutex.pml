/*
 * rwmutex.pml: the parking RW lock with an upgradable (U) mode, abstracted
 * to its state word. Models primitives/rwmutex.h: lk_rwmutex_rdlock /
 * lk__rwm_rdslow_ / rdunlock, lk__rwm_token_ (wrlock, uplock), lk__rwm_drain_
 * (wrlock, upgrade), wrtimedlock's withdrawal, lk__rwm_release_ (wrunlock,
 * upunlock, downgrade, updowngrade).
 * state = TOKEN tok, WRITER wrt, PHASE ph, WT count wt, RD count rd.
 *   label    atomic step                                   C operation
 *   radd     atomic { o = state; rd++ }                    fetch_add(state, RD1, acquire)
 *   rmove    atomic { ph != p || !wrt -> in; else rd--, wt++ }  load + CAS_weak(v, v - RD1 + WT1) loop
 *   rwait    (ph != p) -> in | (!wrt) -> atomic {wt--; rd++}  acquire load loop (parked on state) / CAS(v - WT1 + RD1)
 *   rrel     rd--                                          fetch_sub(state, RD1, release) (+ wake writer)
 *   token    atomic { !tok -> tok = 1 }                    lk__rwm_token_ CAS loop (parked on tseq)
 *   announce atomic { o = state; wrt = 1 }                 fetch_or(state, WRITER, acquire)
 *   drain    (rd == 0)                                     lk__rwm_drainwait_ (parked on wseq)
 *   withdraw atomic { wrt = 0; tok = 0 }                   release_(TOKEN|TWAIT, 0, WITHDRAW): timed writer gives up
 *   endph    atomic { wrt = 0; ph = !ph; rd += wt; wt = 0; tok = 0 [; rd++] }
 *                                                          release_(..., END) = lk__rwm_endphase_ (wrunlock, downgrade)
 *   keep     atomic { tok = 0 [; rd++] }                   release_(..., KEEP) (upunlock, updowngrade)
 *   rpark    atomic { !rwait -> rwait = 1 }; then   CAS(v, v | RWAIT, relaxed), then lk__wait(&state, v):
 *            atomic { STATE == v -> rsleep }         the kernel compares the whole word and sleeps
 *   wake     ENDPHASE / withdraw: rwait -> rsleep = 0  release_: lk__rwm_wake_readers_ when the old word had RWAIT
 * The reader R0's parking on the state word (RWAIT) is modelled; the token
 * waiters (tseq, TWAIT) and the draining writer (wseq) block on their
 * condition instead: their eventcount wake-ups are not checked here.
 * Each C "load, decide, CAS, reload on failure" loop is one guarded step.
 * Processes: R0 rdlock/rdunlock; P1 and P2 each round pick wrlock (P2 maybe
 * timed), or uplock then one of upunlock, upgrade+wrunlock, upgrade+downgrade,
 * updowngrade.
 * Properties: X excludes all, U excludes U and X, R shares with U (safety);
 * no deadlock, including two threads in U/upgrade (safety); R0 waits through
 * at most one writer phase (ghost); an upgrade completes (ltl upgrade); a
 * parked reader is woken (ltl rwake).
 * Seeded bugs: BUG_U_AS_READER: U is a plain read lock that upgrades by
 * waiting to be the only reader: two upgraders deadlock; BUG_END_NOWAKE:
 * the end of a writer phase clears RWAIT without waking the readers.
 */
// @check modes-exclusion+phase pass - safety
// @check upgrade-completes pass - ltl:upgrade
// @check readers-woken pass - ltl:rwake
// @check bug-upgrade-from-shared-read fail -DBUG_U_AS_READER safety
// @check bug-phase-end-without-wake fail -DBUG_END_NOWAKE ltl:rwake

bit tok, wrt, ph, rwait, rsleep;
#define STATE (tok + 2 * wrt + 4 * ph + 8 * rwait + 16 * wt + 64 * rd)
/* end of a writer phase (lk__rwm_endphase_): waiting readers move into RD,
 * WRITER, RWAIT and WT clear, PHASE flips; wake the readers if RWAIT was set */
#ifdef BUG_END_NOWAKE
#define ENDPHASE wrt = 0; ph = 1 - ph; rd = rd + wt; wt = 0; tok = 0; rwait = 0
#else
#define ENDPHASE wrt = 0; ph = 1 - ph; rd = rd + wt; wt = 0; tok = 0; \
	if :: rwait -> rsleep = 0 :: else fi; rwait = 0
#endif
byte wt, rd;
byte nr, nu, nx;           /* ghost: holders in R, U, X */
bit r0wait; byte xph;      /* ghost: X phases entered while R0 waits */
bool upg[3], xin[3];       /* ghost: upgrading, in X after upgrade */

inline chk() { assert(nu <= 1 && nx <= 1 && (nx == 0 || (nr == 0 && nu == 0))) }

active proctype R0()
{
	bit p, owrt; byte sv;
	do
	:: skip;
radd:		atomic { p = ph; owrt = wrt; rd++ };
		if
		:: owrt ->
			r0wait = 1;
			if
			:: atomic { ph != p || !wrt } /* still in RD: in */
			:: atomic { ph == p && wrt -> rd--; wt++ };
				do
				:: atomic { ph != p -> break } /* moved into RD by the phase end */
				:: atomic { ph == p && !wrt -> wt--; rd++; break } /* writer withdrew */
				:: atomic { ph == p && wrt && !rwait -> rwait = 1 } /* announce a sleeper */
				:: atomic { ph == p && wrt && rwait -> sv = STATE };
					/* lk__wait(&state, v): sleeps only if the word still holds v */
					if
					:: atomic { STATE == sv -> rsleep = 1 };
						(!rsleep)
					:: STATE != sv
					fi;
					sv = 0
				:: atomic { ph == p && wrt } /* spin phase: look again */
				od
			fi
		:: else
		fi;
		atomic { nr++; chk(); assert(xph <= 1); r0wait = 0; xph = 0 };
		nr--;
rrel:		rd--;
		atomic { p = 0; owrt = 0 }
	od
}

active [2] proctype T()
{
	bit timed;
	do
	:: skip;
		if
		:: true -> goto writer
		:: true -> goto upath
		:: _pid == 2 -> timed = 1; goto writer
		fi;
writer:
token:		atomic { !tok -> tok = 1 };
announce:	wrt = 1;
		if
		:: /* drain */ (rd == 0)
		:: timed -> atomic { wrt = 0; tok = 0; if :: rwait -> rsleep = 0 :: else fi; rwait = 0 }; goto tdone   /* withdraw */
		fi;
xsec:		atomic { nx++; chk(); if :: r0wait -> xph++ :: else fi };
		nx--;
		atomic { ENDPHASE }; /* wrunlock */
		goto tdone;
upath:
#ifdef BUG_U_AS_READER
		atomic { !wrt -> rd++ };
#else
		atomic { !tok -> tok = 1 };
#endif
		atomic { nu++; chk() };
		if
		:: atomic { nu--; tok = 0 }   /* upunlock */
#ifdef BUG_U_AS_READER
			; rd--
#endif
		:: atomic { nu--; upg[_pid - 1] = 1 };   /* upgrade */
#ifdef BUG_U_AS_READER
			wrt = 1;
			(rd == 1);
			rd--;
#else
			wrt = 1;
			(rd == 0);
#endif
			atomic { nx++; chk(); xin[_pid - 1] = 1; upg[_pid - 1] = 0;
				 if :: r0wait -> xph++ :: else fi };
			atomic { nx--; xin[_pid - 1] = 0 };
			if
			:: atomic { ENDPHASE } /* wrunlock */
			:: atomic { ENDPHASE; rd++; nr++; chk() }; /* downgrade */
				nr--;
				rd--
			fi
		:: atomic { nu--; tok = 0; rd++; nr++; chk() }; /* updowngrade */
			nr--;
			rd--
		fi;
tdone:		timed = 0
	od
}

ltl upgrade { [] (upg[0] -> <> xin[0]) }
ltl rwake { [] (rsleep -> <> !rsleep) }
