------------------------------ MODULE RWMutex ------------------------------
(***************************************************************************)
(* Parking reader-writer lock with an upgradable read mode (U), one state  *)
(* word in the style of Go's sync.RWMutex.                                 *)
(* Models primitives/rwmutex.h: lk_rwmutex_rdlock (+ lk__rwm_rdslow_),     *)
(* rdunlock, wrlock (+ lk__rwm_token_, lk__rwm_drain_/drainwait_),         *)
(* wrunlock (+ lk__rwm_release_ END), uplock, upunlock (KEEP), upgrade,    *)
(* downgrade (X -> R), updowngrade (U -> R).  The word's fields: token,    *)
(* writer, phase, wt (readers waiting), rd (readers inside).               *)
(* NOT modelled: the timed variants (a writer that withdraws, WITHDRAW),   *)
(* the WT-full uncounted reader, and the futex machinery (RWAIT, TWAIT,    *)
(* tseq, wseq): a waiter here waits for the state condition itself, which  *)
(* assumes its wake is not lost (the Mutex and Semaphore specs check that  *)
(* pattern; this one checks the state protocol).                           *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  r_add    | o = fetch_add(&state, RD1, acquire); no WRITER in o: in     *)
(*  r_move   | load(state, acquire): PHASE != p or no WRITER: in (still in *)
(*           |   RD); else CAS_weak(state, v, v - RD1 + WT1) (merged: the  *)
(*           |   CAS re-checks)                                            *)
(*  r_wait   | load(state, acquire) until PHASE != p (the phase end moved  *)
(*           |   it to RD), parking on the state word meanwhile            *)
(*  r_unlock | fetch_sub(&state, RD1, release)                             *)
(*  w_fast   | wrlock: load; (v & ~PHASE) == 0 and CAS(v, v|TOKEN|WRITER)  *)
(*  t_take   | lk__rwm_token_: CAS_weak(state, v, v|TOKEN) once TOKEN is   *)
(*           |   clear (waiting parked on tseq meanwhile)                  *)
(*  w_or     | lk__rwm_drain_: v = fetch_or(&state, WRITER, acquire)       *)
(*  w_drain  | drainwait: load(state) until RD == 0 (parked on wseq)       *)
(*  w_unlock | CAS: TOKEN, WRITER off, PHASE flips, WT moves into RD       *)
(*           |   (lk__rwm_endphase_), one CAS                              *)
(*  w_down   | downgrade: the same end of phase, plus RD1 for itself       *)
(*  u_unlock | upunlock: clear TOKEN (KEEP: no phase to end)               *)
(*  u_down   | updowngrade: clear TOKEN, add RD1, one CAS                  *)
(*  upgrade  | lk_rwmutex_upgrade = lk__rwm_drain_ (w_or, w_drain)        *)
(*                                                                         *)
(* Seeded bug (BUG = "ucountsread"): uplock also counts the U holder in RD *)
(* (as if U were a read lock plus a token): its upgrade then waits for RD  *)
(* to reach 0, i.e. for itself: the upgrade deadlocks.                     *)
(*                                                                         *)
(* Properties: RWExclusion (X excludes all; U excludes U and X, shares     *)
(* with R); ReaderBound (a waiting reader sees at most one writer phase    *)
(* end); WriterBound (no reader that arrived after WRITER was set gets in  *)
(* before that writer is done); UpgradeCompletes and ReadersProgress       *)
(* (weak fairness; non-critical section may last forever); TLC's deadlock *)
(* check.  Writers/upgraders race for the token (no FIFO): their           *)
(* individual progress is not claimed.  Bounds: N = 3 threads.            *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N

(* --algorithm RWMutex {
variables token = FALSE, writer = FALSE, phase = 0, wt = 0, rd = 0,
          seen = [q \in Procs |-> 0],  \* ghost: phase ends a waiting reader saw
          late = {};                   \* ghost: readers that arrived in the current writer phase
fair process (p \in Procs)
variables ph = 0, up = FALSE;
{
ncs:- while (TRUE) {
        either {
r_add:    if (writer) {
            ph := phase; rd := rd + 1; late := late \cup {self};
r_move:     if (phase # ph \/ ~writer) { ph := 0; goto r_cs }
            else { rd := rd - 1; wt := wt + 1 };
r_wait:     await phase # ph;
            ph := 0; seen[self] := 0;
            goto r_cs
          } else { rd := rd + 1; goto r_cs }
        } or {
w_fast:   if (~token /\ ~writer /\ wt = 0 /\ rd = 0) {
            token := TRUE; writer := TRUE; goto w_cs };
t_take:   await ~token; token := TRUE;
          goto w_or
        } or {
u_lock:   await ~token; token := TRUE; up := TRUE;
          if (BUG = "ucountsread") rd := rd + 1;
u_cs:     either { token := FALSE; up := FALSE;                   \* upunlock
                   if (BUG = "ucountsread") rd := rd - 1;
                   goto ncs }
          or { token := FALSE; up := FALSE;                        \* updowngrade
               if (BUG # "ucountsread") rd := rd + 1;
               goto r_cs }
          or goto w_or                                             \* upgrade
        };
w_or:   writer := TRUE; late := {};
w_drain: await rd = 0;
        up := FALSE;
w_cs:   either {
w_unlock: rd := rd + wt; wt := 0; writer := FALSE; phase := 1 - phase; token := FALSE;
          seen := [q \in Procs |-> IF pc[q] = "r_wait" THEN seen[q] + 1 ELSE seen[q]];
          late := {};
          goto ncs
        } or {
w_down:   rd := rd + wt + 1; wt := 0; writer := FALSE; phase := 1 - phase; token := FALSE;
          seen := [q \in Procs |-> IF pc[q] = "r_wait" THEN seen[q] + 1 ELSE seen[q]];
          late := {};
          goto r_cs
        };
r_cs:   late := late \ {self};
r_unlock: rd := rd - 1
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, token, writer, phase, wt, rd, seen, late, ph, up

vars == << pc, token, writer, phase, wt, rd, seen, late, ph, up >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ token = FALSE
        /\ writer = FALSE
        /\ phase = 0
        /\ wt = 0
        /\ rd = 0
        /\ seen = [q \in Procs |-> 0]
        /\ late = {}
        (* Process p *)
        /\ ph = [self \in Procs |-> 0]
        /\ up = [self \in Procs |-> FALSE]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "r_add"]
                \/ /\ pc' = [pc EXCEPT ![self] = "w_fast"]
                \/ /\ pc' = [pc EXCEPT ![self] = "u_lock"]
             /\ UNCHANGED << token, writer, phase, wt, rd, seen, late, ph, up >>

w_or(self) == /\ pc[self] = "w_or"
              /\ writer' = TRUE
              /\ late' = {}
              /\ pc' = [pc EXCEPT ![self] = "w_drain"]
              /\ UNCHANGED << token, phase, wt, rd, seen, ph, up >>

w_drain(self) == /\ pc[self] = "w_drain"
                 /\ rd = 0
                 /\ up' = [up EXCEPT ![self] = FALSE]
                 /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                 /\ UNCHANGED << token, writer, phase, wt, rd, seen, late, ph >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ \/ /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
                 \/ /\ pc' = [pc EXCEPT ![self] = "w_down"]
              /\ UNCHANGED << token, writer, phase, wt, rd, seen, late, ph, up >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ rd' = rd + wt
                  /\ wt' = 0
                  /\ writer' = FALSE
                  /\ phase' = 1 - phase
                  /\ token' = FALSE
                  /\ seen' = [q \in Procs |-> IF pc[q] = "r_wait" THEN seen[q] + 1 ELSE seen[q]]
                  /\ late' = {}
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << ph, up >>

w_down(self) == /\ pc[self] = "w_down"
                /\ rd' = rd + wt + 1
                /\ wt' = 0
                /\ writer' = FALSE
                /\ phase' = 1 - phase
                /\ token' = FALSE
                /\ seen' = [q \in Procs |-> IF pc[q] = "r_wait" THEN seen[q] + 1 ELSE seen[q]]
                /\ late' = {}
                /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                /\ UNCHANGED << ph, up >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ late' = late \ {self}
              /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << token, writer, phase, wt, rd, seen, ph, up >>

r_unlock(self) == /\ pc[self] = "r_unlock"
                  /\ rd' = rd - 1
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << token, writer, phase, wt, seen, late, ph, up >>

r_add(self) == /\ pc[self] = "r_add"
               /\ IF writer
                     THEN /\ ph' = [ph EXCEPT ![self] = phase]
                          /\ rd' = rd + 1
                          /\ late' = (late \cup {self})
                          /\ pc' = [pc EXCEPT ![self] = "r_move"]
                     ELSE /\ rd' = rd + 1
                          /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                          /\ UNCHANGED << late, ph >>
               /\ UNCHANGED << token, writer, phase, wt, seen, up >>

r_move(self) == /\ pc[self] = "r_move"
                /\ IF phase # ph[self] \/ ~writer
                      THEN /\ ph' = [ph EXCEPT ![self] = 0]
                           /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                           /\ UNCHANGED << wt, rd >>
                      ELSE /\ rd' = rd - 1
                           /\ wt' = wt + 1
                           /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                           /\ ph' = ph
                /\ UNCHANGED << token, writer, phase, seen, late, up >>

r_wait(self) == /\ pc[self] = "r_wait"
                /\ phase # ph[self]
                /\ ph' = [ph EXCEPT ![self] = 0]
                /\ seen' = [seen EXCEPT ![self] = 0]
                /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                /\ UNCHANGED << token, writer, phase, wt, rd, late, up >>

w_fast(self) == /\ pc[self] = "w_fast"
                /\ IF ~token /\ ~writer /\ wt = 0 /\ rd = 0
                      THEN /\ token' = TRUE
                           /\ writer' = TRUE
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "t_take"]
                           /\ UNCHANGED << token, writer >>
                /\ UNCHANGED << phase, wt, rd, seen, late, ph, up >>

t_take(self) == /\ pc[self] = "t_take"
                /\ ~token
                /\ token' = TRUE
                /\ pc' = [pc EXCEPT ![self] = "w_or"]
                /\ UNCHANGED << writer, phase, wt, rd, seen, late, ph, up >>

u_lock(self) == /\ pc[self] = "u_lock"
                /\ ~token
                /\ token' = TRUE
                /\ up' = [up EXCEPT ![self] = TRUE]
                /\ IF BUG = "ucountsread"
                      THEN /\ rd' = rd + 1
                      ELSE /\ TRUE
                           /\ rd' = rd
                /\ pc' = [pc EXCEPT ![self] = "u_cs"]
                /\ UNCHANGED << writer, phase, wt, seen, late, ph >>

u_cs(self) == /\ pc[self] = "u_cs"
              /\ \/ /\ token' = FALSE
                    /\ up' = [up EXCEPT ![self] = FALSE]
                    /\ IF BUG = "ucountsread"
                          THEN /\ rd' = rd - 1
                          ELSE /\ TRUE
                               /\ rd' = rd
                    /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 \/ /\ token' = FALSE
                    /\ up' = [up EXCEPT ![self] = FALSE]
                    /\ IF BUG # "ucountsread"
                          THEN /\ rd' = rd + 1
                          ELSE /\ TRUE
                               /\ rd' = rd
                    /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                 \/ /\ pc' = [pc EXCEPT ![self] = "w_or"]
                    /\ UNCHANGED <<token, rd, up>>
              /\ UNCHANGED << writer, phase, wt, seen, late, ph >>

p(self) == ncs(self) \/ w_or(self) \/ w_drain(self) \/ w_cs(self)
              \/ w_unlock(self) \/ w_down(self) \/ r_cs(self)
              \/ r_unlock(self) \/ r_add(self) \/ r_move(self)
              \/ r_wait(self) \/ w_fast(self) \/ t_take(self)
              \/ u_lock(self) \/ u_cs(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : pc[q] \in {"r_cs", "r_unlock"}}
XHolders == {q \in Procs : pc[q] \in {"w_cs", "w_unlock", "w_down"}}
UHolders == {q \in Procs : pc[q] = "u_cs" \/ (up[q] /\ pc[q] \in {"w_or", "w_drain"})}
RWExclusion == /\ \A x \in XHolders : Readers = {} /\ UHolders = {} /\ XHolders = {x}
               /\ \A u \in UHolders : UHolders = {u}
ReaderBound == \A q \in Procs : seen[q] <= 1
Admitted(q) == pc'[q] = "r_cs" /\ pc[q] # "r_cs"
WriterBound == [][\A q \in Procs : (Admitted(q) /\ pc[q] # "w_down") => q \notin late \/ ~writer]_vars
Upgrading(q) == up[q] /\ pc[q] \in {"w_or", "w_drain"}
UpgradeCompletes == \A q \in Procs : Upgrading(q) ~> pc[q] = "w_cs"
ReadersProgress == \A q \in Procs : pc[q] \in {"r_move", "r_wait"} ~> pc[q] = "r_cs"
=============================================================================
