------------------------------- MODULE RWLock -------------------------------
(***************************************************************************)
(* Writer-preferring spinning reader-writer latch in one word (the MCS     *)
(* 1991 centralized writer-preference lock, waiting writers counted).      *)
(* Models primitives/rwlock.h: lk_rwlock_rdlock / rdtimedlock (+           *)
(* lk__rwl_rdslow_), rdtrylock, rdunlock, wrlock / wrtimedlock (+          *)
(* lk__rwl_wrslow_), wrtrylock, wrunlock.  The word is three fields:       *)
(* wr (bit 0), ww (writers waiting), rd (readers counted in).  Each        *)
(* iteration a thread picks a role (writing only if it is in WRITERS).    *)
(* lk__wait() (no futex word) is a stutter; a timed wait may give up       *)
(* there.  TIMEOUTS says who may use the timed calls: "r" (rdtimedlock),   *)
(* "w" (wrtrylock, wrtimedlock); rdlock and wrlock never give up.          *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  r_add   | rdlock: o = fetch_add(&word, RD1, acquire): in iff o had no  *)
(*          |   WR, no WW                                                  *)
(*  r_back  | rdslow_(added): fetch_sub(&word, RD1, relaxed): back out the *)
(*          |   optimistic add, once per call                              *)
(*  r_slow  | v = load(&word, relaxed); no WR/WW: CAS_weak(&word, v,       *)
(*          |   v + RD1, acquire) (merged: the CAS re-checks the word);    *)
(*          |   else lk__wait                                              *)
(*  r_look  | rdtimedlock: o = load(&word, relaxed); WR or WW: to r_twait  *)
(*          |   (rdslow_(added = false)) without touching RD               *)
(*  r_tadd  | o = fetch_add(&word, RD1, acquire): in iff no WR, no WW      *)
(*          |   (a writer came after the look)                             *)
(*  r_tback | fetch_sub(&word, RD1, relaxed): undo once                    *)
(*  r_twait | as r_slow, but lk__wait may time out (return false)          *)
(*  r_try   | rdtrylock: the same load + CAS loop, failing on WR/WW        *)
(*  r_unlock| fetch_sub(&word, RD1, release)                               *)
(*  w_fast  | CAS(&word, 0, WR, acquire) (wrlock, wrtrylock, wrtimedlock)  *)
(*  w_ann   | v = load(&word); WW not full: fetch_add(&word, WW1, relaxed) *)
(*  w_slow  | v = load; no WR, no RD: CAS_weak(&word, v, (v-WW1)|WR,       *)
(*          |   acquire) (merged as above); else lk__wait; timed out:      *)
(*          |   fetch_sub(&word, WW1, relaxed) (withdraw)                  *)
(*  w_unlock| fetch_sub(&word, WR, release)                                *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "rdignoreswr":   the reader's admission checks only WW, not WR: a      *)
(*                   reader is admitted with a writer inside.              *)
(*  "timedaddfirst": the old rdtimedlock, with no look (r_look goes on to  *)
(*                   r_tadd): timed readers that add, undo, time out and   *)
(*                   retry keep RD above 0 and starve a waiting writer.    *)
(*                                                                         *)
(* Properties: RWExclusion (invariant: a writer inside excludes everyone   *)
(* else); WriterPreference (action property: no reader is admitted while a *)
(* writer holds or waits); DeadlockFreedom (someone trying gets in, weak   *)
(* fairness, no timeouts; the non-critical section may last forever);     *)
(* WriterProgress (a writer that calls wrlock gets in, weak fairness, one  *)
(* writer, readers retrying rdtimedlock: TIMEOUTS = {"r"}).                *)
(* Bounds: N = 3 threads, each a reader or a writer on each iteration.     *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG, TIMEOUTS, WRITERS
Procs == 1..N

(* --algorithm RWLock {
variables wr = FALSE, ww = 0, rd = 0;
define {
  Admits == ~wr /\ ww = 0   \* what a reader needs: no writer in or waiting
  FastAdmits == IF BUG = "rdignoreswr" THEN ww = 0 ELSE Admits
}
fair process (p \in Procs)
{
ncs:- while (TRUE) {
        either {    \* rdlock
r_add:    rd := rd + 1;
          if (FastAdmits) goto r_cs;
r_back:   rd := rd - 1;
r_slow:   if (Admits) { rd := rd + 1; goto r_cs } else goto r_slow
        } or {      \* rdtimedlock
          await "r" \in TIMEOUTS;
r_look:   if (BUG # "timedaddfirst" /\ ~Admits) goto r_twait;
r_tadd:   rd := rd + 1;
          if (FastAdmits) goto r_cs;
r_tback:  rd := rd - 1;
r_twait:  if (Admits) { rd := rd + 1; goto r_cs }
          else { either goto ncs or goto r_twait }
        } or {
r_try:    if (Admits) { rd := rd + 1; goto r_cs } else goto ncs
        } or {
          await self \in WRITERS;
w_fast:   if (~wr /\ ww = 0 /\ rd = 0) { wr := TRUE; goto w_cs }
          else if ("w" \in TIMEOUTS) { either goto ncs or skip }; \* wrtrylock fails
w_ann:    ww := ww + 1;
w_slow:   if (~wr /\ rd = 0) { ww := ww - 1; wr := TRUE; goto w_cs }
          else if ("w" \in TIMEOUTS) { either { ww := ww - 1; goto ncs } or goto w_slow }
          else goto w_slow
        };
r_cs:   skip;
r_unlock: rd := rd - 1;
        goto ncs;
w_cs:   skip;
w_unlock: wr := FALSE
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, wr, ww, rd

(* define statement *)
Admits == ~wr /\ ww = 0
FastAdmits == IF BUG = "rdignoreswr" THEN ww = 0 ELSE Admits


vars == << pc, wr, ww, rd >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ wr = FALSE
        /\ ww = 0
        /\ rd = 0
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "r_add"]
                \/ /\ "r" \in TIMEOUTS
                   /\ pc' = [pc EXCEPT ![self] = "r_look"]
                \/ /\ pc' = [pc EXCEPT ![self] = "r_try"]
                \/ /\ self \in WRITERS
                   /\ pc' = [pc EXCEPT ![self] = "w_fast"]
             /\ UNCHANGED << wr, ww, rd >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ TRUE
              /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << wr, ww, rd >>

r_unlock(self) == /\ pc[self] = "r_unlock"
                  /\ rd' = rd - 1
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << wr, ww >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ TRUE
              /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
              /\ UNCHANGED << wr, ww, rd >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ wr' = FALSE
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << ww, rd >>

r_add(self) == /\ pc[self] = "r_add"
               /\ rd' = rd + 1
               /\ IF FastAdmits
                     THEN /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "r_back"]
               /\ UNCHANGED << wr, ww >>

r_back(self) == /\ pc[self] = "r_back"
                /\ rd' = rd - 1
                /\ pc' = [pc EXCEPT ![self] = "r_slow"]
                /\ UNCHANGED << wr, ww >>

r_slow(self) == /\ pc[self] = "r_slow"
                /\ IF Admits
                      THEN /\ rd' = rd + 1
                           /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_slow"]
                           /\ rd' = rd
                /\ UNCHANGED << wr, ww >>

r_look(self) == /\ pc[self] = "r_look"
                /\ IF BUG # "timedaddfirst" /\ ~Admits
                      THEN /\ pc' = [pc EXCEPT ![self] = "r_twait"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_tadd"]
                /\ UNCHANGED << wr, ww, rd >>

r_tadd(self) == /\ pc[self] = "r_tadd"
                /\ rd' = rd + 1
                /\ IF FastAdmits
                      THEN /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_tback"]
                /\ UNCHANGED << wr, ww >>

r_tback(self) == /\ pc[self] = "r_tback"
                 /\ rd' = rd - 1
                 /\ pc' = [pc EXCEPT ![self] = "r_twait"]
                 /\ UNCHANGED << wr, ww >>

r_twait(self) == /\ pc[self] = "r_twait"
                 /\ IF Admits
                       THEN /\ rd' = rd + 1
                            /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                       ELSE /\ \/ /\ pc' = [pc EXCEPT ![self] = "ncs"]
                               \/ /\ pc' = [pc EXCEPT ![self] = "r_twait"]
                            /\ rd' = rd
                 /\ UNCHANGED << wr, ww >>

r_try(self) == /\ pc[self] = "r_try"
               /\ IF Admits
                     THEN /\ rd' = rd + 1
                          /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                          /\ rd' = rd
               /\ UNCHANGED << wr, ww >>

w_fast(self) == /\ pc[self] = "w_fast"
                /\ IF ~wr /\ ww = 0 /\ rd = 0
                      THEN /\ wr' = TRUE
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                      ELSE /\ IF "w" \in TIMEOUTS
                                 THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                         \/ /\ TRUE
                                            /\ pc' = [pc EXCEPT ![self] = "w_ann"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "w_ann"]
                           /\ wr' = wr
                /\ UNCHANGED << ww, rd >>

w_ann(self) == /\ pc[self] = "w_ann"
               /\ ww' = ww + 1
               /\ pc' = [pc EXCEPT ![self] = "w_slow"]
               /\ UNCHANGED << wr, rd >>

w_slow(self) == /\ pc[self] = "w_slow"
                /\ IF ~wr /\ rd = 0
                      THEN /\ ww' = ww - 1
                           /\ wr' = TRUE
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                      ELSE /\ IF "w" \in TIMEOUTS
                                 THEN /\ \/ /\ ww' = ww - 1
                                            /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                         \/ /\ pc' = [pc EXCEPT ![self] = "w_slow"]
                                            /\ ww' = ww
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "w_slow"]
                                      /\ ww' = ww
                           /\ wr' = wr
                /\ rd' = rd

p(self) == ncs(self) \/ r_cs(self) \/ r_unlock(self) \/ w_cs(self)
              \/ w_unlock(self) \/ r_add(self) \/ r_back(self)
              \/ r_slow(self) \/ r_look(self) \/ r_tadd(self)
              \/ r_tback(self) \/ r_twait(self) \/ r_try(self)
              \/ w_fast(self) \/ w_ann(self) \/ w_slow(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : pc[q] \in {"r_cs", "r_unlock"}}
Writers == {q \in Procs : pc[q] \in {"w_cs", "w_unlock"}}
RWExclusion == \A w \in Writers : Readers = {} /\ Writers = {w}
Trying(q) == pc[q] \in {"r_add", "r_back", "r_slow", "r_look", "r_tadd", "r_tback",
                       "r_twait", "w_fast", "w_ann", "w_slow"}
\* a reader admitted in this step saw no writer holding or waiting
WriterPreference == [][\A q \in Procs :
                        (pc'[q] = "r_cs" /\ pc[q] # "r_cs") =>
                          (~wr /\ ww = 0)]_vars
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : pc[q] \in {"r_cs", "w_cs"})
WriterProgress == \A q \in WRITERS :
                    pc[q] \in {"w_fast", "w_ann", "w_slow"} ~> pc[q] = "w_cs"
=============================================================================
