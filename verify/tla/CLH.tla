-------------------------------- MODULE CLH --------------------------------
(***************************************************************************)
(* CLH queue lock (Craig 1993; Magnusson, Landin & Hagersten 1994), the    *)
(* latchkit variant: tail may be NULL (free, empty queue); unlock first    *)
(* tries to swing tail from its node back to NULL; a waiter parks on its   *)
(* predecessor's node.                                                     *)
(* Models primitives/clh.h: lk_clh_lock_node (+ lk_clh_wait_free_),        *)
(* lk_clh_trylock_node, lk_clh_unlock_node (lk_clh_release_), and the      *)
(* node ownership rule of the convenience API: a node handed over belongs  *)
(* to the successor; the predecessor's node belongs to the caller once its *)
(* lock returns.  Allocation is abstracted: a thread takes any node nobody *)
(* references (not tail, nobody's my/pred), so a node reused while a       *)
(* waiter still reads it would show up as a broken invariant or a hang.    *)
(* lk__wait()'s spin phase is a stutter; its park phase is                 *)
(* futex_wait(&pred->state, PARKED), one atomic compare-and-sleep.         *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  get     | lk_clh_node_get_(); store(&n->state, HELD, relaxed) (n is   *)
(*          |   private until the swap publishes it)                       *)
(*  swap    | pred = atomic_exchange_explicit(&l->tail, n, acq_rel)        *)
(*  w_load  | s = atomic_load_explicit(&pred->state, acquire):             *)
(*          |   FREE: done; HELD: spin, or (once lk__wait_would_park())    *)
(*          |   CAS(&pred->state, HELD, PARKED, relaxed); PARKED:          *)
(*          |   lk__futex_wait(&pred->state, PARKED), which sleeps iff the *)
(*          |   state is still PARKED.  The load is merged with the CAS or *)
(*          |   the futex compare that follows it: both re-read the word,  *)
(*          |   so no interleaving is lost.  (The C parks only with seen = *)
(*          |   PARKED: lk__wait parks exactly when would_park holds.)     *)
(*  w_slept | asleep in the kernel until a wake (spurious ones included)   *)
(*  try     | trylock: load(&l->tail) == NULL, then CAS(&l->tail, NULL, n, *)
(*          |   acq_rel) (one step: the load only avoids a write)          *)
(*  cs      | lock returned (pred is the caller's now); critical section   *)
(*  u_cas   | CAS(&l->tail, &n, NULL, release, relaxed): no successor, n   *)
(*          |   comes back to the caller                                   *)
(*  u_hand  | old = atomic_exchange_explicit(&n->state, FREE, release); n  *)
(*          |   belongs to the successor from here on                      *)
(*  u_wake  | old == PARKED: lk__futex_wake(&n->state, 1) (address only)   *)
(*                                                                         *)
(* Seeded bug (BUG = "ownnode"): after a hand-off the releaser keeps its   *)
(* node and reuses it for its next lock, setting HELD on a node its        *)
(* successor may not have seen FREE yet.                                   *)
(*                                                                         *)
(* Properties: MutualExclusion, FIFO (invariants); StarvationFreedom      *)
(* (weak fairness; the non-critical section may last forever).            *)
(* Bounds: N = 3 processes (safety), N = 2 (liveness), N + 2 nodes.        *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets
CONSTANTS N, BUG
Procs == 1..N
Nodes == 1..N+2
NIL == 0
FREE == 0
HELD == 1
PARKED == 2

(* --algorithm CLH {
variables tail = NIL, state = [x \in Nodes |-> FREE], asleep = {},
          my = [q \in Procs |-> NIL], pred = [q \in Procs |-> NIL],
          inq = {}, ahead = [q \in Procs |-> {}];
define {
  Unused == Nodes \ ({tail} \cup {my[q] : q \in Procs} \cup {pred[q] : q \in Procs})
}
fair process (p \in Procs)
variables old = FREE, wn = NIL;
{
ncs:- while (TRUE) {
get:    if (my[self] = NIL) my[self] := CHOOSE x \in Unused : \A y \in Unused : x <= y;
        state[my[self]] := HELD;
        either {
swap:     pred[self] := tail; tail := my[self];
          ahead[self] := inq; inq := inq \cup {self};
          if (pred[self] # NIL) {
w_load:     if (state[pred[self]] = HELD) {
              either skip or state[pred[self]] := PARKED;
              goto w_load
            } else if (state[pred[self]] = PARKED) {
              asleep := asleep \cup {self};
w_slept:      await self \notin asleep;
              goto w_load
            }
          }
        } or {
try:      if (tail = NIL) { tail := my[self]; inq := inq \cup {self} }
          else { my[self] := NIL; goto ncs }
        };
cs:     inq := inq \ {self}; ahead := [q \in Procs |-> ahead[q] \ {self}];
        pred[self] := NIL;
u_cas:  if (tail = my[self]) { tail := NIL; my[self] := NIL; goto ncs };
u_hand: old := state[my[self]]; state[my[self]] := FREE; wn := my[self];
        if (BUG # "ownnode") my[self] := NIL;
u_wake: if (old = PARKED) asleep := asleep \ {q \in Procs : pred[q] = wn};
        old := FREE; wn := NIL
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, tail, state, asleep, my, pred, inq, ahead

(* define statement *)
Unused == Nodes \ ({tail} \cup {my[q] : q \in Procs} \cup {pred[q] : q \in Procs})

VARIABLES old, wn

vars == << pc, tail, state, asleep, my, pred, inq, ahead, old, wn >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ tail = NIL
        /\ state = [x \in Nodes |-> FREE]
        /\ asleep = {}
        /\ my = [q \in Procs |-> NIL]
        /\ pred = [q \in Procs |-> NIL]
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ old = [self \in Procs |-> FREE]
        /\ wn = [self \in Procs |-> NIL]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "get"]
             /\ UNCHANGED << tail, state, asleep, my, pred, inq, ahead, old, 
                             wn >>

get(self) == /\ pc[self] = "get"
             /\ IF my[self] = NIL
                   THEN /\ my' = [my EXCEPT ![self] = CHOOSE x \in Unused : \A y \in Unused : x <= y]
                   ELSE /\ TRUE
                        /\ my' = my
             /\ state' = [state EXCEPT ![my'[self]] = HELD]
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "swap"]
                \/ /\ pc' = [pc EXCEPT ![self] = "try"]
             /\ UNCHANGED << tail, asleep, pred, inq, ahead, old, wn >>

swap(self) == /\ pc[self] = "swap"
              /\ pred' = [pred EXCEPT ![self] = tail]
              /\ tail' = my[self]
              /\ ahead' = [ahead EXCEPT ![self] = inq]
              /\ inq' = (inq \cup {self})
              /\ IF pred'[self] # NIL
                    THEN /\ pc' = [pc EXCEPT ![self] = "w_load"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ UNCHANGED << state, asleep, my, old, wn >>

w_load(self) == /\ pc[self] = "w_load"
                /\ IF state[pred[self]] = HELD
                      THEN /\ \/ /\ TRUE
                                 /\ state' = state
                              \/ /\ state' = [state EXCEPT ![pred[self]] = PARKED]
                           /\ pc' = [pc EXCEPT ![self] = "w_load"]
                           /\ UNCHANGED asleep
                      ELSE /\ IF state[pred[self]] = PARKED
                                 THEN /\ asleep' = (asleep \cup {self})
                                      /\ pc' = [pc EXCEPT ![self] = "w_slept"]
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
                                      /\ UNCHANGED asleep
                           /\ state' = state
                /\ UNCHANGED << tail, my, pred, inq, ahead, old, wn >>

w_slept(self) == /\ pc[self] = "w_slept"
                 /\ self \notin asleep
                 /\ pc' = [pc EXCEPT ![self] = "w_load"]
                 /\ UNCHANGED << tail, state, asleep, my, pred, inq, ahead, 
                                 old, wn >>

try(self) == /\ pc[self] = "try"
             /\ IF tail = NIL
                   THEN /\ tail' = my[self]
                        /\ inq' = (inq \cup {self})
                        /\ pc' = [pc EXCEPT ![self] = "cs"]
                        /\ my' = my
                   ELSE /\ my' = [my EXCEPT ![self] = NIL]
                        /\ pc' = [pc EXCEPT ![self] = "ncs"]
                        /\ UNCHANGED << tail, inq >>
             /\ UNCHANGED << state, asleep, pred, ahead, old, wn >>

cs(self) == /\ pc[self] = "cs"
            /\ inq' = inq \ {self}
            /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
            /\ pred' = [pred EXCEPT ![self] = NIL]
            /\ pc' = [pc EXCEPT ![self] = "u_cas"]
            /\ UNCHANGED << tail, state, asleep, my, old, wn >>

u_cas(self) == /\ pc[self] = "u_cas"
               /\ IF tail = my[self]
                     THEN /\ tail' = NIL
                          /\ my' = [my EXCEPT ![self] = NIL]
                          /\ pc' = [pc EXCEPT ![self] = "ncs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "u_hand"]
                          /\ UNCHANGED << tail, my >>
               /\ UNCHANGED << state, asleep, pred, inq, ahead, old, wn >>

u_hand(self) == /\ pc[self] = "u_hand"
                /\ old' = [old EXCEPT ![self] = state[my[self]]]
                /\ state' = [state EXCEPT ![my[self]] = FREE]
                /\ wn' = [wn EXCEPT ![self] = my[self]]
                /\ IF BUG # "ownnode"
                      THEN /\ my' = [my EXCEPT ![self] = NIL]
                      ELSE /\ TRUE
                           /\ my' = my
                /\ pc' = [pc EXCEPT ![self] = "u_wake"]
                /\ UNCHANGED << tail, asleep, pred, inq, ahead >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF old[self] = PARKED
                      THEN /\ asleep' = asleep \ {q \in Procs : pred[q] = wn[self]}
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ old' = [old EXCEPT ![self] = FREE]
                /\ wn' = [wn EXCEPT ![self] = NIL]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << tail, state, my, pred, inq, ahead >>

p(self) == ncs(self) \/ get(self) \/ swap(self) \/ w_load(self)
              \/ w_slept(self) \/ try(self) \/ cs(self) \/ u_cas(self)
              \/ u_hand(self) \/ u_wake(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"swap", "w_load", "w_slept"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
FIFO == \A q \in Procs : pc[q] = "cs" => ahead[q] = {}
NodeAvailable == Unused # {}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
