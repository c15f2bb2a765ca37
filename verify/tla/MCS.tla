-------------------------------- MODULE MCS --------------------------------
(***************************************************************************)
(* MCS queue lock (Mellor-Crummey & Scott 1991), explicit nodes.           *)
(* Models primitives/mcs.h: lk_mcs_lock and lk_mcs_unlock.  Each thread    *)
(* owns one node, reused on every acquisition (as the per-thread pool      *)
(* does); node[p] is thread p's node.  The release race is in the model:   *)
(* a successor may have swapped the tail (swap) but not yet linked itself  *)
(* (link), so the releaser sees next = NULL while tail # its node.         *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  init    | store(&n->next, NULL, relaxed); store(&n->locked, 1, relaxed)*)
(*  swap    | pred = atomic_exchange_explicit(&l->tail, n, acq_rel)        *)
(*  link    | atomic_store_explicit(&pred->next, n, release)               *)
(*  wait    | atomic_load_explicit(&n->locked, acquire) == 0 (spin)        *)
(*  cs      | the critical section (ghost: leaves the FIFO queue)          *)
(*  u_next  | next = atomic_load_explicit(&n->next, acquire)               *)
(*  u_cas   | atomic_compare_exchange_strong_explicit(&l->tail, &n, NULL,  *)
(*          |   release, relaxed): no successor, done                      *)
(*  u_link  | atomic_load_explicit(&n->next, acquire) != NULL (spin: the   *)
(*          |   successor swapped the tail but has not linked yet)         *)
(*  u_hand  | atomic_store_explicit(&next->locked, 0, release)             *)
(*  BUG: after a failed u_cas the releaser does not wait for the link and  *)
(*  returns when next is NULL: the successor is never handed the lock.     *)
(*                                                                         *)
(* Properties: MutualExclusion, FIFO (invariants); StarvationFreedom      *)
(* (weak fairness).  Bounds: N = 3 processes looping forever.              *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG
Procs == 1..N
NIL == 0

(* --algorithm MCS {
variables tail = NIL, next = [q \in Procs |-> NIL],
          locked = [q \in Procs |-> FALSE],
          inq = {}, ahead = [q \in Procs |-> {}];
fair process (p \in Procs)
variables pred = NIL, succ = NIL;
{
ncs:  while (TRUE) {
init:   next[self] := NIL; locked[self] := TRUE;
swap:   pred := tail; tail := self;
        ahead[self] := inq; inq := inq \cup {self};
        if (pred # NIL) {
link:     next[pred] := self;
wait:     await ~locked[self]
        };
cs:     inq := inq \ {self}; ahead := [q \in Procs |-> ahead[q] \ {self}];
u_next: succ := next[self];
        if (succ = NIL) {
u_cas:    if (tail = self) { tail := NIL; goto ncs }
          else if (BUG) { succ := next[self]; if (succ = NIL) goto ncs };
u_link:   await next[self] # NIL; succ := next[self]
        };
u_hand: locked[succ] := FALSE
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, tail, next, locked, inq, ahead, pred, succ

vars == << pc, tail, next, locked, inq, ahead, pred, succ >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ tail = NIL
        /\ next = [q \in Procs |-> NIL]
        /\ locked = [q \in Procs |-> FALSE]
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ pred = [self \in Procs |-> NIL]
        /\ succ = [self \in Procs |-> NIL]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "init"]
             /\ UNCHANGED << tail, next, locked, inq, ahead, pred, succ >>

init(self) == /\ pc[self] = "init"
              /\ next' = [next EXCEPT ![self] = NIL]
              /\ locked' = [locked EXCEPT ![self] = TRUE]
              /\ pc' = [pc EXCEPT ![self] = "swap"]
              /\ UNCHANGED << tail, inq, ahead, pred, succ >>

swap(self) == /\ pc[self] = "swap"
              /\ pred' = [pred EXCEPT ![self] = tail]
              /\ tail' = self
              /\ ahead' = [ahead EXCEPT ![self] = inq]
              /\ inq' = (inq \cup {self})
              /\ IF pred'[self] # NIL
                    THEN /\ pc' = [pc EXCEPT ![self] = "link"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ UNCHANGED << next, locked, succ >>

link(self) == /\ pc[self] = "link"
              /\ next' = [next EXCEPT ![pred[self]] = self]
              /\ pc' = [pc EXCEPT ![self] = "wait"]
              /\ UNCHANGED << tail, locked, inq, ahead, pred, succ >>

wait(self) == /\ pc[self] = "wait"
              /\ ~locked[self]
              /\ pc' = [pc EXCEPT ![self] = "cs"]
              /\ UNCHANGED << tail, next, locked, inq, ahead, pred, succ >>

cs(self) == /\ pc[self] = "cs"
            /\ inq' = inq \ {self}
            /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
            /\ pc' = [pc EXCEPT ![self] = "u_next"]
            /\ UNCHANGED << tail, next, locked, pred, succ >>

u_next(self) == /\ pc[self] = "u_next"
                /\ succ' = [succ EXCEPT ![self] = next[self]]
                /\ IF succ'[self] = NIL
                      THEN /\ pc' = [pc EXCEPT ![self] = "u_cas"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "u_hand"]
                /\ UNCHANGED << tail, next, locked, inq, ahead, pred >>

u_cas(self) == /\ pc[self] = "u_cas"
               /\ IF tail = self
                     THEN /\ tail' = NIL
                          /\ pc' = [pc EXCEPT ![self] = "ncs"]
                          /\ succ' = succ
                     ELSE /\ IF BUG
                                THEN /\ succ' = [succ EXCEPT ![self] = next[self]]
                                     /\ IF succ'[self] = NIL
                                           THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                           ELSE /\ pc' = [pc EXCEPT ![self] = "u_link"]
                                ELSE /\ pc' = [pc EXCEPT ![self] = "u_link"]
                                     /\ succ' = succ
                          /\ tail' = tail
               /\ UNCHANGED << next, locked, inq, ahead, pred >>

u_link(self) == /\ pc[self] = "u_link"
                /\ next[self] # NIL
                /\ succ' = [succ EXCEPT ![self] = next[self]]
                /\ pc' = [pc EXCEPT ![self] = "u_hand"]
                /\ UNCHANGED << tail, next, locked, inq, ahead, pred >>

u_hand(self) == /\ pc[self] = "u_hand"
                /\ locked' = [locked EXCEPT ![succ[self]] = FALSE]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << tail, next, inq, ahead, pred, succ >>

p(self) == ncs(self) \/ init(self) \/ swap(self) \/ link(self)
              \/ wait(self) \/ cs(self) \/ u_next(self) \/ u_cas(self)
              \/ u_link(self) \/ u_hand(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars(p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"init", "swap", "link", "wait"}
MutualExclusion == \A a, b \in Procs : a # b => ~(pc[a] = "cs" /\ pc[b] = "cs")
FIFO == \A q \in Procs : pc[q] = "cs" => ahead[q] = {}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
