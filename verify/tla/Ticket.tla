------------------------------- MODULE Ticket -------------------------------
(***************************************************************************)
(* Ticket lock (FIFO).                                                     *)
(* Models primitives/ticket.h: lk_ticket_lock (+ lk_ticket_wait_),         *)
(* lk_ticket_trylock and lk_ticket_unlock.                                 *)
(* Proportional backoff and lk__wait() only delay the next load of the    *)
(* serving counter, so they are stuttering here.  Counters wrap modulo M   *)
(* (M > N), as the C counters wrap at 2^16/2^32.                           *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  take    | my = atomic_fetch_add_explicit(&l->next, 1, relaxed)         *)
(*  wait    | atomic_load_explicit(&l->owner, acquire) == my (spin)        *)
(*  cs      | the critical section (ghost: leaves the FIFO queue)          *)
(*  try     | trylock: o = atomic_load_explicit(&l->owner, acquire), then  *)
(*          |   CAS(&l->next, &o, o + 1, relaxed): free iff next == owner. *)
(*          |   Fused into one step: with a stale o the CAS succeeds only  *)
(*          |   if next wrapped back to o, i.e. after 2^32 grants between  *)
(*          |   the two (ABA).  The model's small modulus makes that       *)
(*          |   reachable (TLC finds it when the steps are split), the C's *)
(*          |   32-bit counters do not in practice.                        *)
(*  unlock  | atomic_store_explicit(&l->owner, my + 1, release); only the  *)
(*          | holder writes owner, so its read-then-store is one step      *)
(*  BUG: take splits the fetch-add into a load (take) and a store (store): *)
(*  two threads draw the same ticket.                                      *)
(*                                                                         *)
(* Ghost: inq = threads that drew a ticket and have not left the CS;       *)
(* ahead[p] = those that drew before p and are still there.  FIFO: a       *)
(* thread in the CS has nobody ahead of it.                                *)
(* Properties: MutualExclusion, FIFO (invariants); StarvationFreedom      *)
(* (every trying thread gets in, weak fairness).                          *)
(* Bounds: N = 3 processes looping forever, M = N + 1.  The fetch-add's   *)
(* own-ticket `my` is kept after unlock (it equals owner - 1 then).       *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N
M == N + 1

(* --algorithm Ticket {
variables next = 0, owner = 0, inq = {}, ahead = [q \in Procs |-> {}];
fair process (p \in Procs)
variables my = 0;
{
ncs:- while (TRUE) {
        either {
take:     if (BUG) { my := next }
          else { my := next; next := (next + 1) % M;
                 ahead[self] := inq; inq := inq \cup {self} };
store:    if (BUG) { next := (my + 1) % M;
                 ahead[self] := inq; inq := inq \cup {self} };
wait:     await owner = my
        } or {
try:      if (next = owner) { my := owner; next := (owner + 1) % M;
                                inq := inq \cup {self} }
          else goto ncs
        };
cs:     inq := inq \ {self}; ahead := [q \in Procs |-> ahead[q] \ {self}];
unlock: owner := (owner + 1) % M
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, next, owner, inq, ahead, my

vars == << pc, next, owner, inq, ahead, my >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ next = 0
        /\ owner = 0
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ my = [self \in Procs |-> 0]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "take"]
                \/ /\ pc' = [pc EXCEPT ![self] = "try"]
             /\ UNCHANGED << next, owner, inq, ahead, my >>

cs(self) == /\ pc[self] = "cs"
            /\ inq' = inq \ {self}
            /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
            /\ pc' = [pc EXCEPT ![self] = "unlock"]
            /\ UNCHANGED << next, owner, my >>

unlock(self) == /\ pc[self] = "unlock"
                /\ owner' = (owner + 1) % M
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << next, inq, ahead, my >>

take(self) == /\ pc[self] = "take"
              /\ IF BUG
                    THEN /\ my' = [my EXCEPT ![self] = next]
                         /\ UNCHANGED << next, inq, ahead >>
                    ELSE /\ my' = [my EXCEPT ![self] = next]
                         /\ next' = (next + 1) % M
                         /\ ahead' = [ahead EXCEPT ![self] = inq]
                         /\ inq' = (inq \cup {self})
              /\ pc' = [pc EXCEPT ![self] = "store"]
              /\ owner' = owner

store(self) == /\ pc[self] = "store"
               /\ IF BUG
                     THEN /\ next' = (my[self] + 1) % M
                          /\ ahead' = [ahead EXCEPT ![self] = inq]
                          /\ inq' = (inq \cup {self})
                     ELSE /\ TRUE
                          /\ UNCHANGED << next, inq, ahead >>
               /\ pc' = [pc EXCEPT ![self] = "wait"]
               /\ UNCHANGED << owner, my >>

wait(self) == /\ pc[self] = "wait"
              /\ owner = my[self]
              /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ UNCHANGED << next, owner, inq, ahead, my >>

try(self) == /\ pc[self] = "try"
             /\ IF next = owner
                   THEN /\ my' = [my EXCEPT ![self] = owner]
                        /\ next' = (owner + 1) % M
                        /\ inq' = (inq \cup {self})
                        /\ pc' = [pc EXCEPT ![self] = "cs"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                        /\ UNCHANGED << next, inq, my >>
             /\ UNCHANGED << owner, ahead >>

p(self) == ncs(self) \/ cs(self) \/ unlock(self) \/ take(self)
              \/ store(self) \/ wait(self) \/ try(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"take", "store", "wait"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
FIFO == \A q \in Procs : pc[q] = "cs" => ahead[q] = {}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
