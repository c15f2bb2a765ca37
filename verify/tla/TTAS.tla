-------------------------------- MODULE TTAS --------------------------------
(***************************************************************************)
(* Test-and-test-and-set lock with backoff.                                *)
(* Models primitives/ttas.h: lk_ttas_lock (test loop, then exchange) and   *)
(* lk_ttas_unlock (release store).  Backoff and lk__wait() only delay a    *)
(* retry, so they are stuttering here.                                     *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  test    | atomic_load_explicit(&l->v, relaxed) == 0  (spin until free) *)
(*  tas     | atomic_exchange_explicit(&l->v, 1, acquire); retry if was 1  *)
(*  cs      | the critical section                                         *)
(*  unlock  | atomic_store_explicit(&l->v, 0, release)                     *)
(*  BUG: tas splits into a load (tas) and a plain store (set): two threads *)
(*  can both see 0 and both enter.                                         *)
(*                                                                         *)
(* Properties: MutualExclusion (invariant); DeadlockFreedom: while someone *)
(* tries, someone gets in (weak fairness); TLC's deadlock check.          *)
(* Bounds: N = 3 processes, looping forever.                               *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N

(* --algorithm TTAS {
variables lock = 0;
fair process (p \in Procs)
variable old = 0;
{
ncs:  while (TRUE) {
test:   await lock = 0;
tas:    if (BUG) { old := lock;
set:      if (old = 0) lock := 1 }
        else { old := lock; lock := 1 };
chk:    if (old # 0) goto test;
cs:     skip;
unlock: lock := 0
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, lock, old

vars == << pc, lock, old >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ lock = 0
        (* Process p *)
        /\ old = [self \in Procs |-> 0]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "test"]
             /\ UNCHANGED << lock, old >>

test(self) == /\ pc[self] = "test"
              /\ lock = 0
              /\ pc' = [pc EXCEPT ![self] = "tas"]
              /\ UNCHANGED << lock, old >>

tas(self) == /\ pc[self] = "tas"
             /\ IF BUG
                   THEN /\ old' = [old EXCEPT ![self] = lock]
                        /\ pc' = [pc EXCEPT ![self] = "set"]
                        /\ lock' = lock
                   ELSE /\ old' = [old EXCEPT ![self] = lock]
                        /\ lock' = 1
                        /\ pc' = [pc EXCEPT ![self] = "chk"]

set(self) == /\ pc[self] = "set"
             /\ IF old[self] = 0
                   THEN /\ lock' = 1
                   ELSE /\ TRUE
                        /\ lock' = lock
             /\ pc' = [pc EXCEPT ![self] = "chk"]
             /\ old' = old

chk(self) == /\ pc[self] = "chk"
             /\ IF old[self] # 0
                   THEN /\ pc' = [pc EXCEPT ![self] = "test"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
             /\ UNCHANGED << lock, old >>

cs(self) == /\ pc[self] = "cs"
            /\ TRUE
            /\ pc' = [pc EXCEPT ![self] = "unlock"]
            /\ UNCHANGED << lock, old >>

unlock(self) == /\ pc[self] = "unlock"
                /\ lock' = 0
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ old' = old

p(self) == ncs(self) \/ test(self) \/ tas(self) \/ set(self) \/ chk(self)
              \/ cs(self) \/ unlock(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars(p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"test", "tas", "set", "chk"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : pc[q] = "cs")
=============================================================================
