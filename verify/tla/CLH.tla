-------------------------------- MODULE CLH --------------------------------
(***************************************************************************)
(* CLH queue lock (Craig; Landin & Hagersten).                             *)
(* Models primitives/clh.h: lk_clh_lock and lk_clh_unlock.  Nodes 1..N+1;  *)
(* node N+1 is the lock's initial (unlocked) dummy.  A releasing thread    *)
(* takes its predecessor's node for its next acquisition: the successor    *)
(* may still be spinning on the node it just released.                     *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  init    | atomic_store_explicit(&my->locked, 1, relaxed)               *)
(*  swap    | pred = atomic_exchange_explicit(&l->tail, my, acq_rel)       *)
(*  wait    | atomic_load_explicit(&pred->locked, acquire) == 0 (spin)     *)
(*  cs      | the critical section (ghost: leaves the FIFO queue)          *)
(*  unlock  | atomic_store_explicit(&my->locked, 0, release); then the     *)
(*          | thread-local my = pred (recycle the predecessor's node)      *)
(*  BUG: unlock keeps its own node instead of taking pred's; re-locking    *)
(*  sets locked on a node its successor may not have seen free yet.        *)
(*                                                                         *)
(* Properties: MutualExclusion, FIFO (invariants); StarvationFreedom      *)
(* (weak fairness).  Bounds: N = 3 processes looping forever, 4 nodes.     *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N
Nodes == 1..N+1

(* --algorithm CLH {
variables tail = N + 1, locked = [x \in Nodes |-> FALSE],
          inq = {}, ahead = [q \in Procs |-> {}];
fair process (p \in Procs)
variables my = self, pred = N + 1;
{
ncs:  while (TRUE) {
init:   locked[my] := TRUE;
swap:   pred := tail; tail := my;
        ahead[self] := inq; inq := inq \cup {self};
wait:   await ~locked[pred];
cs:     inq := inq \ {self}; ahead := [q \in Procs |-> ahead[q] \ {self}];
unlock: locked[my] := FALSE;
        if (~BUG) my := pred
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, tail, locked, inq, ahead, my, pred

vars == << pc, tail, locked, inq, ahead, my, pred >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ tail = N + 1
        /\ locked = [x \in Nodes |-> FALSE]
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ my = [self \in Procs |-> self]
        /\ pred = [self \in Procs |-> N + 1]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "init"]
             /\ UNCHANGED << tail, locked, inq, ahead, my, pred >>

init(self) == /\ pc[self] = "init"
              /\ locked' = [locked EXCEPT ![my[self]] = TRUE]
              /\ pc' = [pc EXCEPT ![self] = "swap"]
              /\ UNCHANGED << tail, inq, ahead, my, pred >>

swap(self) == /\ pc[self] = "swap"
              /\ pred' = [pred EXCEPT ![self] = tail]
              /\ tail' = my[self]
              /\ ahead' = [ahead EXCEPT ![self] = inq]
              /\ inq' = (inq \cup {self})
              /\ pc' = [pc EXCEPT ![self] = "wait"]
              /\ UNCHANGED << locked, my >>

wait(self) == /\ pc[self] = "wait"
              /\ ~locked[pred[self]]
              /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ UNCHANGED << tail, locked, inq, ahead, my, pred >>

cs(self) == /\ pc[self] = "cs"
            /\ inq' = inq \ {self}
            /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
            /\ pc' = [pc EXCEPT ![self] = "unlock"]
            /\ UNCHANGED << tail, locked, my, pred >>

unlock(self) == /\ pc[self] = "unlock"
                /\ locked' = [locked EXCEPT ![my[self]] = FALSE]
                /\ IF ~BUG
                      THEN /\ my' = [my EXCEPT ![self] = pred[self]]
                      ELSE /\ TRUE
                           /\ my' = my
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << tail, inq, ahead, pred >>

p(self) == ncs(self) \/ init(self) \/ swap(self) \/ wait(self) \/ cs(self)
              \/ unlock(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars(p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"init", "swap", "wait"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
FIFO == \A q \in Procs : pc[q] = "cs" => ahead[q] = {}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
