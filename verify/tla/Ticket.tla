------------------------------- MODULE Ticket -------------------------------
(***************************************************************************)
(* Ticket lock (FIFO) whose waiters park on `owner`.                       *)
(* Models primitives/ticket.h: lk_ticket_lock (+ lk_ticket_wait_),         *)
(* lk_ticket_trylock, lk_ticket_unlock (+ lk_ticket_wake_).  The C steps   *)
(* tickets by 2 so that bit 0 of owner is PARKED; here owner is split into *)
(* its value (ownerv, counting by 1 modulo M > N) and the bit (parked).    *)
(* Each sleeper parks with the futex bitset bit of its own ticket (tickets *)
(* are distinct here, M <= 32), so a bitset wake reaches exactly the       *)
(* ticket named.  lk__wait()'s spin phase and the proportional backoff are *)
(* stutters; its park phase is futex_wait(&owner, o), one compare-and-sleep*)
(* step.  A sleeper has no step until a wake removes it from `asleep`.     *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  take     | t = atomic_fetch_add_explicit(&l->next, STEP, relaxed)      *)
(*  wait     | o = load(&l->owner, acquire): (o & ~PARKED) == t: in.       *)
(*           |   Else no PARKED: spin, or (once lk__wait_would_park())     *)
(*           |   CAS(&owner, o, o|PARKED, relaxed); PARKED: futex_wait(    *)
(*           |   &owner, o, bit(t)), which sleeps iff owner == o.  The     *)
(*           |   load is merged with the CAS or futex compare after it:    *)
(*           |   both re-read the word, so no interleaving is lost.        *)
(*  try      | trylock: v = load(&c_.both, acquire): both halves at    *)
(*           |   once (owner in ownerv/parked, next); free iff next ==     *)
(*           |   owner with no PARKED, else return false.  so := owner.    *)
(*  try_cas  | CAS(&c_.both, v, v + (STEP << 32), relaxed): succeeds iff   *)
(*           |   owner, PARKED and next all still equal the snapshot, i.e. *)
(*           |   the lock is free at the CAS however far the counters      *)
(*           |   wrapped in between (TLC explores wraps: M = N + 1).       *)
(*  cs       | the critical section (ghost: leaves the FIFO queue)         *)
(*  unlock   | o = atomic_fetch_add_explicit(&owner, STEP, release)        *)
(*  u_wake   | o had PARKED: lk_ticket_wake_: load(&next, relaxed) - served*)
(*           |   > STEP: lk__futex_wake_bits(&owner, all, bit(served))     *)
(*  u_clear  | else fetch_and(&owner, ~PARKED, relaxed)                    *)
(*  u_all    | then lk__futex_wake(&owner, all)                            *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "splitfaa":  the fetch-add on next is a load (take) and a store        *)
(*               (store): two threads draw the same ticket.                *)
(*  "casnext":  the old trylock: load owner alone (try), then CAS next   *)
(*               alone from so to so + 1 (try_cas).  With a stale so and   *)
(*               next wrapped back to it (ABA) it takes a ticket that is   *)
(*               not being served: FIFO or mutual exclusion breaks.        *)
(*  "nowakeall": when the queue looks empty unlock clears PARKED and wakes *)
(*               nobody: a thread that queued and slept after the look is  *)
(*               never woken.                                              *)
(*                                                                         *)
(* Ghost: inq = threads that drew a ticket and have not left the CS;       *)
(* ahead[p] = those that drew before p and are still there.  FIFO: a       *)
(* thread in the CS has nobody ahead of it.                                *)
(* Properties: MutualExclusion, FIFO (invariants); StarvationFreedom      *)
(* (every trying thread gets in, weak fairness; the non-critical section  *)
(* may last forever), which a lost wakeup would break.                     *)
(* Bounds: N = 3 (safety), N = 2 (liveness), looping forever; M = N + 1.*)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N
M == N + 1

(* --algorithm Ticket {
variables next = 0, ownerv = 0, parked = FALSE, asleep = {},
          tk = [q \in Procs |-> 0],   \* each thread's ticket
          inq = {}, ahead = [q \in Procs |-> {}];
fair process (p \in Procs)
variables served = 0, so = 0;   \* so: trylock's snapshot (0 when dead)
{
ncs:- while (TRUE) {
        either {
take:     if (BUG = "splitfaa") { tk[self] := next }
          else { tk[self] := next; next := (next + 1) % M;
                 ahead[self] := inq; inq := inq \cup {self} };
store:    if (BUG = "splitfaa") { next := (tk[self] + 1) % M;
                 ahead[self] := inq; inq := inq \cup {self} };
wait:     await self \notin asleep;
          if (ownerv # tk[self]) {
            if (~parked) { either skip or parked := TRUE }
            else asleep := asleep \cup {self};
            goto wait
          }
        } or {
try:      if (BUG = "casnext") {
            if (parked) goto ncs else so := ownerv
          } else if (~parked /\ next = ownerv) so := ownerv
          else goto ncs;
try_cas:  if (next = so /\ (BUG = "casnext" \/ (ownerv = so /\ ~parked))) {
            tk[self] := so; next := (so + 1) % M;
            ahead[self] := inq; inq := inq \cup {self}; so := 0
          } else { so := 0; goto ncs }
        };
cs:     inq := inq \ {self}; ahead := [q \in Procs |-> ahead[q] \ {self}];
unlock: with (nv = (ownerv + 1) % M) {
          ownerv := nv;
          if (parked) served := nv else goto ncs
        };
u_wake: if ((next + M - served) % M > 1) {
          asleep := asleep \ {q \in Procs : tk[q] = served};
          served := 0; goto ncs
        };
u_clear: parked := FALSE;
u_all:  if (BUG # "nowakeall") asleep := {};
        served := 0
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, next, ownerv, parked, asleep, tk, inq, ahead, served, so

vars == << pc, next, ownerv, parked, asleep, tk, inq, ahead, served, so >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ next = 0
        /\ ownerv = 0
        /\ parked = FALSE
        /\ asleep = {}
        /\ tk = [q \in Procs |-> 0]
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ served = [self \in Procs |-> 0]
        /\ so = [self \in Procs |-> 0]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "take"]
                \/ /\ pc' = [pc EXCEPT ![self] = "try"]
             /\ UNCHANGED << next, ownerv, parked, asleep, tk, inq, ahead, 
                             served, so >>

cs(self) == /\ pc[self] = "cs"
            /\ inq' = inq \ {self}
            /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
            /\ pc' = [pc EXCEPT ![self] = "unlock"]
            /\ UNCHANGED << next, ownerv, parked, asleep, tk, served, so >>

unlock(self) == /\ pc[self] = "unlock"
                /\ LET nv == (ownerv + 1) % M IN
                     /\ ownerv' = nv
                     /\ IF parked
                           THEN /\ served' = [served EXCEPT ![self] = nv]
                                /\ pc' = [pc EXCEPT ![self] = "u_wake"]
                           ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                /\ UNCHANGED served
                /\ UNCHANGED << next, parked, asleep, tk, inq, ahead, so >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF (next + M - served[self]) % M > 1
                      THEN /\ asleep' = asleep \ {q \in Procs : tk[q] = served[self]}
                           /\ served' = [served EXCEPT ![self] = 0]
                           /\ pc' = [pc EXCEPT ![self] = "ncs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "u_clear"]
                           /\ UNCHANGED << asleep, served >>
                /\ UNCHANGED << next, ownerv, parked, tk, inq, ahead, so >>

u_clear(self) == /\ pc[self] = "u_clear"
                 /\ parked' = FALSE
                 /\ pc' = [pc EXCEPT ![self] = "u_all"]
                 /\ UNCHANGED << next, ownerv, asleep, tk, inq, ahead, served, 
                                 so >>

u_all(self) == /\ pc[self] = "u_all"
               /\ IF BUG # "nowakeall"
                     THEN /\ asleep' = {}
                     ELSE /\ TRUE
                          /\ UNCHANGED asleep
               /\ served' = [served EXCEPT ![self] = 0]
               /\ pc' = [pc EXCEPT ![self] = "ncs"]
               /\ UNCHANGED << next, ownerv, parked, tk, inq, ahead, so >>

take(self) == /\ pc[self] = "take"
              /\ IF BUG = "splitfaa"
                    THEN /\ tk' = [tk EXCEPT ![self] = next]
                         /\ UNCHANGED << next, inq, ahead >>
                    ELSE /\ tk' = [tk EXCEPT ![self] = next]
                         /\ next' = (next + 1) % M
                         /\ ahead' = [ahead EXCEPT ![self] = inq]
                         /\ inq' = (inq \cup {self})
              /\ pc' = [pc EXCEPT ![self] = "store"]
              /\ UNCHANGED << ownerv, parked, asleep, served, so >>

store(self) == /\ pc[self] = "store"
               /\ IF BUG = "splitfaa"
                     THEN /\ next' = (tk[self] + 1) % M
                          /\ ahead' = [ahead EXCEPT ![self] = inq]
                          /\ inq' = (inq \cup {self})
                     ELSE /\ TRUE
                          /\ UNCHANGED << next, inq, ahead >>
               /\ pc' = [pc EXCEPT ![self] = "wait"]
               /\ UNCHANGED << ownerv, parked, asleep, tk, served, so >>

wait(self) == /\ pc[self] = "wait"
              /\ self \notin asleep
              /\ IF ownerv # tk[self]
                    THEN /\ IF ~parked
                               THEN /\ \/ /\ TRUE
                                          /\ UNCHANGED parked
                                       \/ /\ parked' = TRUE
                                    /\ UNCHANGED asleep
                               ELSE /\ asleep' = (asleep \cup {self})
                                    /\ UNCHANGED parked
                         /\ pc' = [pc EXCEPT ![self] = "wait"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
                         /\ UNCHANGED << parked, asleep >>
              /\ UNCHANGED << next, ownerv, tk, inq, ahead, served, so >>

try(self) == /\ pc[self] = "try"
             /\ IF BUG = "casnext"
                   THEN /\ IF parked
                              THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                   /\ so' = so
                              ELSE /\ so' = [so EXCEPT ![self] = ownerv]
                                   /\ pc' = [pc EXCEPT ![self] = "try_cas"]
                   ELSE /\ IF ~parked /\ next = ownerv
                              THEN /\ so' = [so EXCEPT ![self] = ownerv]
                                   /\ pc' = [pc EXCEPT ![self] = "try_cas"]
                              ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                   /\ so' = so
             /\ UNCHANGED << next, ownerv, parked, asleep, tk, inq, ahead, 
                             served >>

try_cas(self) == /\ pc[self] = "try_cas"
                 /\ IF next = so[self] /\ (BUG = "casnext" \/ (ownerv = so[self] /\ ~parked))
                       THEN /\ tk' = [tk EXCEPT ![self] = so[self]]
                            /\ next' = (so[self] + 1) % M
                            /\ ahead' = [ahead EXCEPT ![self] = inq]
                            /\ inq' = (inq \cup {self})
                            /\ so' = [so EXCEPT ![self] = 0]
                            /\ pc' = [pc EXCEPT ![self] = "cs"]
                       ELSE /\ so' = [so EXCEPT ![self] = 0]
                            /\ pc' = [pc EXCEPT ![self] = "ncs"]
                            /\ UNCHANGED << next, tk, inq, ahead >>
                 /\ UNCHANGED << ownerv, parked, asleep, served >>

p(self) == ncs(self) \/ cs(self) \/ unlock(self) \/ u_wake(self)
              \/ u_clear(self) \/ u_all(self) \/ take(self) \/ store(self)
              \/ wait(self) \/ try(self) \/ try_cas(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"take", "store", "wait"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
FIFO == \A q \in Procs : pc[q] = "cs" => ahead[q] = {}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
