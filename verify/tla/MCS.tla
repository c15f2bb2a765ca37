-------------------------------- MODULE MCS --------------------------------
(***************************************************************************)
(* MCS queue lock (Mellor-Crummey & Scott 1991) with parking waiters.      *)
(* Models primitives/mcs.h: lk_mcs_lock_node (+ lk_mcs_wait_granted_),     *)
(* lk_mcs_trylock_node, lk_mcs_unlock_node (lk_mcs_release_, lk_mcs_grant_)*)
(* Each thread owns one node, reused on every acquisition (as the pool     *)
(* does); node p is thread p's.  The release race is in the model: a       *)
(* successor may have swapped the tail (swap) but not linked itself (link),*)
(* so the releaser sees next = NULL while tail # its node.  lk__wait()'s   *)
(* spin phase is a stutter; its park phase is futex_wait(&n->flag, PARKED),*)
(* one atomic compare-and-sleep (the kernel's); a sleeper has no step      *)
(* until a wake removes it from `asleep`.                                  *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  init    | store(&n->next, NULL, relaxed); store(&n->flag, WAITING,     *)
(*          |   relaxed) (n is private until the swap publishes it)        *)
(*  swap    | pred = atomic_exchange_explicit(&l->tail, n, acq_rel)        *)
(*  link    | atomic_store_explicit(&pred->next, n, release)               *)
(*  w_load  | f = atomic_load_explicit(&n->flag, acquire): GRANTED: done;  *)
(*          |   WAITING: spin, or (once lk__wait_would_park())             *)
(*          |   CAS(&n->flag, WAITING, PARKED, relaxed); PARKED:           *)
(*          |   lk__futex_wait(&n->flag, PARKED), which sleeps iff the     *)
(*          |   flag is still PARKED.  The load is merged with the CAS or  *)
(*          |   the futex compare after it: both re-read the word, so no   *)
(*          |   interleaving is lost.  (The C parks only with seen =       *)
(*          |   PARKED: lk__wait parks exactly when would_park holds.)     *)
(*          | A sleeper (in `asleep`) has no step until a wake removes it.   *)
(*  try     | trylock: load(&l->tail) == NULL, then CAS(&l->tail, NULL, n, *)
(*          |   acq_rel) (one step: the load only avoids a write)          *)
(*  cs      | the critical section (ghost: leaves the FIFO queue)          *)
(*  u_next  | next = atomic_load_explicit(&n->next, acquire)               *)
(*  u_cas   | CAS(&l->tail, &n, NULL, release, relaxed): no successor      *)
(*  u_link  | atomic_load_explicit(&n->next, acquire) != NULL (spin: the   *)
(*          |   successor swapped the tail but has not linked yet)         *)
(*  u_hand  | old = atomic_exchange_explicit(&next->flag, GRANTED, release)*)
(*  u_wake  | old == PARKED: lk__futex_wake(&next->flag, 1)                *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "nolinkwait": after a failed u_cas the releaser does not wait for the  *)
(*     link and returns when next is NULL: the successor is never granted. *)
(*  "parkunannounced": a waiter sleeps on WAITING without first setting    *)
(*     PARKED (futex_wait(&n->flag, WAITING)), so the granter sees WAITING *)
(*     and makes no wake.                                                  *)
(*                                                                         *)
(* Properties: MutualExclusion, FIFO (invariants); StarvationFreedom      *)
(* (weak fairness; the non-critical section may last forever).            *)
(* Bounds: N = 3 for the safety invariants, N = 2 for liveness (the      *)
(* release race needs only a releaser and one successor).  Thread-local   *)
(* variables are reset when dead, to keep the state space small.         *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N
NIL == 0
WAITING == 0
PARKED == 1
GRANTED == 2

(* --algorithm MCS {
variables tail = NIL, next = [q \in Procs |-> NIL],
          flag = [q \in Procs |-> WAITING], asleep = {},
          inq = {}, ahead = [q \in Procs |-> {}];
fair process (p \in Procs)
variables pred = NIL, succ = NIL, old = WAITING;
{
ncs:- while (TRUE) {
init:   next[self] := NIL; flag[self] := WAITING;
        either {
swap:     pred := tail; tail := self;
          ahead[self] := inq; inq := inq \cup {self};
          if (pred # NIL) {
link:       next[pred] := self;
w_load:     await self \notin asleep;
            if (flag[self] = WAITING) {
              either skip
              or { if (BUG = "parkunannounced") asleep := asleep \cup {self}
                   else flag[self] := PARKED };
              goto w_load
            } else if (flag[self] = PARKED) {
              asleep := asleep \cup {self};
              goto w_load
            }
          }
        } or {
try:      if (tail = NIL) { tail := self; inq := inq \cup {self} }
          else goto ncs
        };
cs:     inq := inq \ {self}; pred := NIL; ahead := [q \in Procs |-> ahead[q] \ {self}];
u_next: succ := next[self];
        if (succ = NIL) {
u_cas:    if (tail = self) { tail := NIL; goto ncs }
          else if (BUG = "nolinkwait") { succ := next[self]; if (succ = NIL) goto ncs };
u_link:   await next[self] # NIL; succ := next[self]
        };
u_hand: old := flag[succ]; flag[succ] := GRANTED;
u_wake: if (old = PARKED) asleep := asleep \ {succ};
        succ := NIL; old := WAITING
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, tail, next, flag, asleep, inq, ahead, pred, succ, old

vars == << pc, tail, next, flag, asleep, inq, ahead, pred, succ, old >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ tail = NIL
        /\ next = [q \in Procs |-> NIL]
        /\ flag = [q \in Procs |-> WAITING]
        /\ asleep = {}
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ pred = [self \in Procs |-> NIL]
        /\ succ = [self \in Procs |-> NIL]
        /\ old = [self \in Procs |-> WAITING]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "init"]
             /\ UNCHANGED << tail, next, flag, asleep, inq, ahead, pred, succ, 
                             old >>

init(self) == /\ pc[self] = "init"
              /\ next' = [next EXCEPT ![self] = NIL]
              /\ flag' = [flag EXCEPT ![self] = WAITING]
              /\ \/ /\ pc' = [pc EXCEPT ![self] = "swap"]
                 \/ /\ pc' = [pc EXCEPT ![self] = "try"]
              /\ UNCHANGED << tail, asleep, inq, ahead, pred, succ, old >>

swap(self) == /\ pc[self] = "swap"
              /\ pred' = [pred EXCEPT ![self] = tail]
              /\ tail' = self
              /\ ahead' = [ahead EXCEPT ![self] = inq]
              /\ inq' = (inq \cup {self})
              /\ IF pred'[self] # NIL
                    THEN /\ pc' = [pc EXCEPT ![self] = "link"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ UNCHANGED << next, flag, asleep, succ, old >>

link(self) == /\ pc[self] = "link"
              /\ next' = [next EXCEPT ![pred[self]] = self]
              /\ pc' = [pc EXCEPT ![self] = "w_load"]
              /\ UNCHANGED << tail, flag, asleep, inq, ahead, pred, succ, old >>

w_load(self) == /\ pc[self] = "w_load"
                /\ self \notin asleep
                /\ IF flag[self] = WAITING
                      THEN /\ \/ /\ TRUE
                                 /\ UNCHANGED <<flag, asleep>>
                              \/ /\ IF BUG = "parkunannounced"
                                       THEN /\ asleep' = (asleep \cup {self})
                                            /\ flag' = flag
                                       ELSE /\ flag' = [flag EXCEPT ![self] = PARKED]
                                            /\ UNCHANGED asleep
                           /\ pc' = [pc EXCEPT ![self] = "w_load"]
                      ELSE /\ IF flag[self] = PARKED
                                 THEN /\ asleep' = (asleep \cup {self})
                                      /\ pc' = [pc EXCEPT ![self] = "w_load"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
                                      /\ UNCHANGED asleep
                           /\ flag' = flag
                /\ UNCHANGED << tail, next, inq, ahead, pred, succ, old >>

try(self) == /\ pc[self] = "try"
             /\ IF tail = NIL
                   THEN /\ tail' = self
                        /\ inq' = (inq \cup {self})
                        /\ pc' = [pc EXCEPT ![self] = "cs"]
                   ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                        /\ UNCHANGED << tail, inq >>
             /\ UNCHANGED << next, flag, asleep, ahead, pred, succ, old >>

cs(self) == /\ pc[self] = "cs"
            /\ inq' = inq \ {self}
            /\ pred' = [pred EXCEPT ![self] = NIL]
            /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
            /\ pc' = [pc EXCEPT ![self] = "u_next"]
            /\ UNCHANGED << tail, next, flag, asleep, succ, old >>

u_next(self) == /\ pc[self] = "u_next"
                /\ succ' = [succ EXCEPT ![self] = next[self]]
                /\ IF succ'[self] = NIL
                      THEN /\ pc' = [pc EXCEPT ![self] = "u_cas"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "u_hand"]
                /\ UNCHANGED << tail, next, flag, asleep, inq, ahead, pred, 
                                old >>

u_cas(self) == /\ pc[self] = "u_cas"
               /\ IF tail = self
                     THEN /\ tail' = NIL
                          /\ pc' = [pc EXCEPT ![self] = "ncs"]
                          /\ succ' = succ
                     ELSE /\ IF BUG = "nolinkwait"
                                THEN /\ succ' = [succ EXCEPT ![self] = next[self]]
                                     /\ IF succ'[self] = NIL
                                           THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                           ELSE /\ pc' = [pc EXCEPT ![self] = "u_link"]
                                ELSE /\ pc' = [pc EXCEPT ![self] = "u_link"]
                                     /\ succ' = succ
                          /\ tail' = tail
               /\ UNCHANGED << next, flag, asleep, inq, ahead, pred, old >>

u_link(self) == /\ pc[self] = "u_link"
                /\ next[self] # NIL
                /\ succ' = [succ EXCEPT ![self] = next[self]]
                /\ pc' = [pc EXCEPT ![self] = "u_hand"]
                /\ UNCHANGED << tail, next, flag, asleep, inq, ahead, pred, 
                                old >>

u_hand(self) == /\ pc[self] = "u_hand"
                /\ old' = [old EXCEPT ![self] = flag[succ[self]]]
                /\ flag' = [flag EXCEPT ![succ[self]] = GRANTED]
                /\ pc' = [pc EXCEPT ![self] = "u_wake"]
                /\ UNCHANGED << tail, next, asleep, inq, ahead, pred, succ >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF old[self] = PARKED
                      THEN /\ asleep' = asleep \ {succ[self]}
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ succ' = [succ EXCEPT ![self] = NIL]
                /\ old' = [old EXCEPT ![self] = WAITING]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << tail, next, flag, inq, ahead, pred >>

p(self) == ncs(self) \/ init(self) \/ swap(self) \/ link(self)
              \/ w_load(self) \/ try(self) \/ cs(self) \/ u_next(self)
              \/ u_cas(self) \/ u_link(self) \/ u_hand(self)
              \/ u_wake(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"swap", "link", "w_load"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
FIFO == \A q \in Procs : pc[q] = "cs" => ahead[q] = {}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
