----------------------------- MODULE BigReader -----------------------------
(***************************************************************************)
(* Big-reader RW latch (Linux 2.4 brlock; Hsieh & Weihl 1992): a reader    *)
(* counts itself in its own stripe, a writer raises one flag and sweeps    *)
(* the stripes.  Models primitives/brlock.h: lk__br_rdlock_ (+             *)
(* lk__br_rdslow_) behind rdlock/rdtrylock/rdtimedlock, lk_brlock_rdunlock,*)
(* lk__br_wrlock_ behind wrlock/wrtrylock/wrtimedlock, lk_brlock_wrunlock. *)
(* Threads map to stripes round-robin; with N > S two threads share one,   *)
(* as threads beyond LK_BRLOCK_STRIPES do.  The model is sequentially      *)
(* consistent, which the C gets from seq_cst on both sides of the Dekker   *)
(* pattern (count then flag / flag then counts).                           *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  r_inc   | fetch_add(stripe, 1, seq_cst)                                *)
(*  r_chk   | load(&l->w.flag, seq_cst) == 0: in                           *)
(*  r_back  | fetch_sub(stripe, 1, relaxed) (try: return false)           *)
(*  r_spin  | load(&l->w.flag, relaxed) until 0 (timed may give up)       *)
(*  r_unlock| fetch_sub(stripe, 1, release)                                *)
(*  w_flag  | CAS_weak(&l->w.flag, 0, 1, seq_cst) (try/timed may give up) *)
(*  w_sweep | for each stripe i: load(&stripe[i].n, seq_cst) until 0;     *)
(*          |   try/timed giving up: store(&flag, 0, relaxed)              *)
(*  w_unlock| store(&l->w.flag, 0, release)                                *)
(*                                                                         *)
(* Seeded bug (BUG = "flagfirst"): the reader looks at the flag before it  *)
(* counts itself (no Dekker): a writer can raise the flag and sweep past   *)
(* the stripe in between, and both are in.                                 *)
(*                                                                         *)
(* Properties: RWExclusion (invariant); DeadlockFreedom (someone trying    *)
(* gets in; weak fairness, no give-ups).  Writers are preferred and race   *)
(* for the flag: individual progress is not claimed.                      *)
(* Bounds: N = 3 threads, S = 2 stripes (two threads share one).           *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, S, BUG, TIMEOUTS
Procs == 1..N
Stripe(q) == ((q - 1) % S) + 1

(* --algorithm BigReader {
variables flag = 0, n = [i \in 1..S |-> 0];
fair process (p \in Procs)
variables k = 1;
{
ncs:- while (TRUE) {
        either {
r_inc:    if (BUG = "flagfirst") {
            await flag = 0;
r_late:     n[Stripe(self)] := n[Stripe(self)] + 1;
            goto r_cs
          } else n[Stripe(self)] := n[Stripe(self)] + 1;
r_chk:    if (flag = 0) goto r_cs;
r_back:   n[Stripe(self)] := n[Stripe(self)] - 1;
          if (TIMEOUTS) { either goto ncs or skip };
r_spin:   await flag = 0;
          goto r_inc
        } or {
w_flag:   if (flag = 0) flag := 1
          else if (TIMEOUTS) { either goto ncs or goto w_flag }
          else goto w_flag;
w_sweep:  while (k <= S) {
            if (n[k] = 0) k := k + 1
            else if (TIMEOUTS) { either { flag := 0; k := 1; goto ncs } or skip }
          };
          k := 1;
          goto w_cs
        };
r_cs:   skip;
r_unlock: n[Stripe(self)] := n[Stripe(self)] - 1;
        goto ncs;
w_cs:   skip;
w_unlock: flag := 0
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, flag, n, k

vars == << pc, flag, n, k >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ flag = 0
        /\ n = [i \in 1..S |-> 0]
        (* Process p *)
        /\ k = [self \in Procs |-> 1]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "r_inc"]
                \/ /\ pc' = [pc EXCEPT ![self] = "w_flag"]
             /\ UNCHANGED << flag, n, k >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ TRUE
              /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << flag, n, k >>

r_unlock(self) == /\ pc[self] = "r_unlock"
                  /\ n' = [n EXCEPT ![Stripe(self)] = n[Stripe(self)] - 1]
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << flag, k >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ TRUE
              /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
              /\ UNCHANGED << flag, n, k >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ flag' = 0
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << n, k >>

r_inc(self) == /\ pc[self] = "r_inc"
               /\ IF BUG = "flagfirst"
                     THEN /\ flag = 0
                          /\ pc' = [pc EXCEPT ![self] = "r_late"]
                          /\ n' = n
                     ELSE /\ n' = [n EXCEPT ![Stripe(self)] = n[Stripe(self)] + 1]
                          /\ pc' = [pc EXCEPT ![self] = "r_chk"]
               /\ UNCHANGED << flag, k >>

r_late(self) == /\ pc[self] = "r_late"
                /\ n' = [n EXCEPT ![Stripe(self)] = n[Stripe(self)] + 1]
                /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                /\ UNCHANGED << flag, k >>

r_chk(self) == /\ pc[self] = "r_chk"
               /\ IF flag = 0
                     THEN /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "r_back"]
               /\ UNCHANGED << flag, n, k >>

r_back(self) == /\ pc[self] = "r_back"
                /\ n' = [n EXCEPT ![Stripe(self)] = n[Stripe(self)] - 1]
                /\ IF TIMEOUTS
                      THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "ncs"]
                              \/ /\ TRUE
                                 /\ pc' = [pc EXCEPT ![self] = "r_spin"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_spin"]
                /\ UNCHANGED << flag, k >>

r_spin(self) == /\ pc[self] = "r_spin"
                /\ flag = 0
                /\ pc' = [pc EXCEPT ![self] = "r_inc"]
                /\ UNCHANGED << flag, n, k >>

w_flag(self) == /\ pc[self] = "w_flag"
                /\ IF flag = 0
                      THEN /\ flag' = 1
                           /\ pc' = [pc EXCEPT ![self] = "w_sweep"]
                      ELSE /\ IF TIMEOUTS
                                 THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                         \/ /\ pc' = [pc EXCEPT ![self] = "w_flag"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "w_flag"]
                           /\ flag' = flag
                /\ UNCHANGED << n, k >>

w_sweep(self) == /\ pc[self] = "w_sweep"
                 /\ IF k[self] <= S
                       THEN /\ IF n[k[self]] = 0
                                  THEN /\ k' = [k EXCEPT ![self] = k[self] + 1]
                                       /\ pc' = [pc EXCEPT ![self] = "w_sweep"]
                                       /\ flag' = flag
                                  ELSE /\ IF TIMEOUTS
                                             THEN /\ \/ /\ flag' = 0
                                                        /\ k' = [k EXCEPT ![self] = 1]
                                                        /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                                     \/ /\ TRUE
                                                        /\ pc' = [pc EXCEPT ![self] = "w_sweep"]
                                                        /\ UNCHANGED <<flag, k>>
                                             ELSE /\ pc' = [pc EXCEPT ![self] = "w_sweep"]
                                                  /\ UNCHANGED << flag, k >>
                       ELSE /\ k' = [k EXCEPT ![self] = 1]
                            /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                            /\ flag' = flag
                 /\ n' = n

p(self) == ncs(self) \/ r_cs(self) \/ r_unlock(self) \/ w_cs(self)
              \/ w_unlock(self) \/ r_inc(self) \/ r_late(self)
              \/ r_chk(self) \/ r_back(self) \/ r_spin(self)
              \/ w_flag(self) \/ w_sweep(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : pc[q] \in {"r_cs", "r_unlock"}}
Writers == {q \in Procs : pc[q] \in {"w_cs", "w_unlock"}}
RWExclusion == \A x \in Writers : Readers = {} /\ Writers = {x}
Trying(q) == pc[q] \in {"r_inc", "r_late", "r_chk", "r_back", "r_spin", "w_flag", "w_sweep"}
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : pc[q] \in {"r_cs", "w_cs"})
=============================================================================
