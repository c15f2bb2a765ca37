-------------------------------- MODULE TTAS --------------------------------
(***************************************************************************)
(* Test-and-test-and-set lock with exponential backoff.                    *)
(* Models primitives/ttas.h: lk_ttas_lock (+ lk_ttas_lock_slow_),          *)
(* lk_ttas_trylock, lk_ttas_unlock.  lk_ttas_timedlock is lock with a way  *)
(* out (it only stops retrying) and is not modelled.  lk__backoff() and    *)
(* lk__wait() (no futex word: spin/yield/nap) only delay the next load, so *)
(* they are stuttering here.                                               *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  tas     | atomic_exchange_explicit(&l->word, 1, acquire): was 0 = got  *)
(*          |   it (the fast path, and each retry of the slow path)        *)
(*  test    | atomic_load_explicit(&l->word, relaxed) == 0 (spin until it  *)
(*          |   reads free)                                                *)
(*  try     | trylock: load(&l->word, relaxed) || exchange(&l->word, 1,    *)
(*          |   acquire): two atomic steps, a failure returns              *)
(*  try2    | trylock's exchange                                           *)
(*  cs      | the critical section                                         *)
(*  unlock  | atomic_store_explicit(&l->word, 0, release)                  *)
(*  BUG (TRUE): the exchange is split into a load (tas) and a plain store  *)
(*  (set): two threads can both see 0 and both enter.                      *)
(*                                                                         *)
(* Properties: MutualExclusion (invariant); DeadlockFreedom: while someone *)
(* tries, someone gets in (weak fairness; a thread may stay in its         *)
(* non-critical section forever); and TLC's deadlock check.               *)
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
ncs:- while (TRUE) {
        either {
tas:      if (BUG) { old := lock }
          else { old := lock; lock := 1 };
set:      if (BUG /\ old = 0) lock := 1;
          if (old # 0) {
test:       await lock = 0;
            old := 0;
            goto tas
          }
        } or {
try:      if (lock # 0) goto ncs;
try2:     if (lock # 0) goto ncs else lock := 1
        };
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
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "tas"]
                \/ /\ pc' = [pc EXCEPT ![self] = "try"]
             /\ UNCHANGED << lock, old >>

cs(self) == /\ pc[self] = "cs"
            /\ TRUE
            /\ pc' = [pc EXCEPT ![self] = "unlock"]
            /\ UNCHANGED << lock, old >>

unlock(self) == /\ pc[self] = "unlock"
                /\ lock' = 0
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ old' = old

tas(self) == /\ pc[self] = "tas"
             /\ IF BUG
                   THEN /\ old' = [old EXCEPT ![self] = lock]
                        /\ lock' = lock
                   ELSE /\ old' = [old EXCEPT ![self] = lock]
                        /\ lock' = 1
             /\ pc' = [pc EXCEPT ![self] = "set"]

set(self) == /\ pc[self] = "set"
             /\ IF BUG /\ old[self] = 0
                   THEN /\ lock' = 1
                   ELSE /\ TRUE
                        /\ lock' = lock
             /\ IF old[self] # 0
                   THEN /\ pc' = [pc EXCEPT ![self] = "test"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
             /\ old' = old

test(self) == /\ pc[self] = "test"
              /\ lock = 0
              /\ old' = [old EXCEPT ![self] = 0]
              /\ pc' = [pc EXCEPT ![self] = "tas"]
              /\ lock' = lock

try(self) == /\ pc[self] = "try"
             /\ IF lock # 0
                   THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "try2"]
             /\ UNCHANGED << lock, old >>

try2(self) == /\ pc[self] = "try2"
              /\ IF lock # 0
                    THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                         /\ lock' = lock
                    ELSE /\ lock' = 1
                         /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ old' = old

p(self) == ncs(self) \/ cs(self) \/ unlock(self) \/ tas(self) \/ set(self)
              \/ test(self) \/ try(self) \/ try2(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"test", "tas", "set"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : pc[q] = "cs")
=============================================================================
