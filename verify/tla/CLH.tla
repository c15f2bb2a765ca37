-------------------------------- MODULE CLH --------------------------------
(***************************************************************************)
(* CLH queue lock (Craig 1993; Magnusson, Landin & Hagersten 1994), the    *)
(* latchkit variant (tail may be NULL: empty queue; a waiter parks on its  *)
(* predecessor's node), as the queue behind the queue gate (Gate.tla: a    *)
(* lock word in front of the queue, ShflLock-style bounded steal).  The    *)
(* queue now decides only who is the head; the head takes the word, then   *)
(* passes headship on (the old release: swing tail back to NULL, or hand   *)
(* its node over), then runs its critical section; unlock releases the     *)
(* word alone.                                                             *)
(* Models primitives/clh.h: lk_clh_lock_node (+ lk_clh_wait_free_, the     *)
(* head's loop on the word, lk_clh_release_ as the pass),                  *)
(* lk_clh_trylock_node (the look alone), lk_clh_unlock_node (the gate's    *)
(* release), and the node ownership rule of the convenience API: a node    *)
(* handed over belongs to the successor; the predecessor's node belongs to *)
(* the caller once it is the head.  Allocation is abstracted: a thread     *)
(* takes any node nobody references (not tail, nobody's my/pred), so a     *)
(* node reused while a waiter still reads it would show up as a broken     *)
(* invariant or a hang.  lk__wait()'s spin phase is a stutter; its park    *)
(* phase is futex_wait(&pred->state, PARKED) or futex_wait(&word, want),   *)
(* one atomic compare-and-sleep.                                           *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  look    | the gate's look (Gate.tla): fast path, steal, stale rule,    *)
(*          |   or queue.  trylock is the look alone.  Off when LOOK is    *)
(*          |   FALSE (every arrival queues).                              *)
(*  swap    | lk_clh_node_get_(); store(&n->state, HELD, relaxed) (n is    *)
(*          |   private until the exchange publishes it, so one step with  *)
(*          |   it); pred = atomic_exchange_explicit(&l->tail, n, acq_rel) *)
(*  w_load  | s = atomic_load_explicit(&pred->state, acquire):             *)
(*          |   FREE: the head; HELD: spin, or (once                       *)
(*          |   lk__wait_would_park()) CAS(&pred->state, HELD, PARKED,     *)
(*          |   relaxed); PARKED: lk__futex_wait(&pred->state, PARKED),    *)
(*          |   which sleeps iff the state is still PARKED.  The load is   *)
(*          |   merged with the CAS or the futex compare that follows it:  *)
(*          |   both re-read the word, so no interleaving is lost.         *)
(*  w_slept | asleep in the kernel until a wake                            *)
(*  h_loop  | the gate's head loop (Gate.tla h_loop, h_fwait, h_slept);    *)
(*          |   once the word is taken, pred is the caller's               *)
(*  p_cas   | CAS(&l->tail, &n, NULL, release, relaxed): no successor, n   *)
(*          |   comes back to the caller                                   *)
(*  p_hand  | old = atomic_exchange_explicit(&n->state, FREE, release):    *)
(*          |   headship and n pass to the successor                       *)
(*  p_wake  | old == PARKED: lk__futex_wake(&n->state, 1) (address only)   *)
(*  cs      | the critical section                                         *)
(*  u_rel   | the gate's release (Gate.tla u_rel, u_wake)                  *)
(*  tk      | process Timer: the head's window expires (Gate.tla)          *)
(*                                                                         *)
(* Seeded bug (BUG = "ownnode"): after a hand-off the passer keeps its     *)
(* node and reuses it for its next lock, setting HELD on a node its        *)
(* successor may not have seen FREE yet.  The gate's own seeded bugs are   *)
(* Gate.tla's.  The old trylock (a CAS of tail from NULL, label try) is    *)
(* gone: trylock only steals the word.                                     *)
(*                                                                         *)
(* Ghost: inq/ahead as in Gate.tla (swap order); nsby = the head that set  *)
(* NOSTEAL.  Properties: MutualExclusion (from the acquisition to the      *)
(* release), FIFO, NodeAvailable (invariants); BoundedOvertaking (action   *)
(* property); StarvationFreedom (weak fairness of the processes and of the *)
(* Timer; the non-critical section may last forever).                      *)
(* Bounds: N + 2 nodes.  N = 3 without the look (LOOK = FALSE: 108k        *)
(* states; with it, 327k), N = 2 with it (safety, liveness, the seeded     *)
(* bug).                                                                   *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets
CONSTANTS N, BUG, LOOK
Procs == 1..N
Nodes == 1..N+2
NIL == 0
FREE == 0
HELD == 1
PARKED == 2
Timer == 0
\* the gate's lock word (Gate.tla)
Word(l, hs, ns) == [l |-> l, hs |-> hs, ns |-> ns]
FreeW == Word(FALSE, "none", FALSE)
LockedW == Word(TRUE, "none", FALSE)

(* --algorithm CLH {
variables tail = NIL, state = [x \in Nodes |-> FREE], asleep = {},
          my = [q \in Procs |-> NIL], pred = [q \in Procs |-> NIL],
          word = FreeW, expired = FALSE, wsleep = {}, nsby = NIL,
          inq = {}, ahead = [q \in Procs |-> {}];
define {
  Unused == Nodes \ ({tail} \cup {my[q] : q \in Procs} \cup {pred[q] : q \in Procs})
  StealOK(w) == ~w.l /\ ~w.ns /\ w.hs # "running"
  StaleOK(w) == ~w.l /\ ~w.ns /\ w.hs = "running"
  Want(w, pk) ==
    LET w1 == IF w.hs # "running" /\ ~pk THEN [w EXCEPT !.hs = "running"] ELSE w
        w2 == IF expired THEN [w1 EXCEPT !.ns = TRUE] ELSE w1
    IN  IF pk THEN [w2 EXCEPT !.hs = "parked"] ELSE w2
  Released(w) == [w EXCEPT !.l = FALSE,
                           !.hs = IF w.hs = "parked" THEN "waking" ELSE w.hs]
}
fair process (p \in Procs)
variables old = FREE, wn = NIL, want = FreeW, seen = "none";
{
ncs:- while (TRUE) {
look:   either { await LOOK /\ (StealOK(word) \/ StaleOK(word));
                 word.l := TRUE; goto cs }
        or skip;
swap:   with (n = IF my[self] = NIL
                  THEN CHOOSE x \in Unused : \A y \in Unused : x <= y
                  ELSE my[self]) {
          my[self] := n; state[n] := HELD;
          pred[self] := tail; tail := n
        };
        ahead[self] := inq; inq := inq \cup {self};
        if (pred[self] # NIL) {
w_load:   if (state[pred[self]] = HELD) {
            either skip or state[pred[self]] := PARKED;
            goto w_load
          } else if (state[pred[self]] = PARKED) {
            asleep := asleep \cup {self};
w_slept:    await self \notin asleep;
            goto w_load
          }
        };
h_loop: if (~word.l) {
          word := LockedW; nsby := NIL; inq := inq \ {self};
          ahead := [q \in Procs |-> ahead[q] \ {self}]; pred[self] := NIL
        } else {
          with (pk \in BOOLEAN, nw = Want(word, pk)) {
            if (expired /\ ~word.ns) nsby := self;
            word := nw;
            if (pk) want := nw else goto h_loop
          };
h_fwait:  if (word = want) wsleep := wsleep \cup {self};
          want := FreeW;
h_slept:  await self \notin wsleep;
          goto h_loop
        };
p_cas:  if (tail = my[self]) { tail := NIL; my[self] := NIL; expired := FALSE; goto cs };
p_hand: old := state[my[self]]; state[my[self]] := FREE; wn := my[self];
        expired := FALSE;
        if (BUG # "ownnode") my[self] := NIL;
p_wake: if (old = PARKED) asleep := asleep \ {q \in Procs : pred[q] = wn};
        old := FREE; wn := NIL;
cs:     ahead[self] := {};
u_rel:  seen := word.hs; word := Released(word);
u_wake: if (seen = "parked") {
          with (q \in IF wsleep = {} THEN {NIL} ELSE wsleep) wsleep := wsleep \ {q}
        };
        seen := "none"
      }
}
fair process (t = Timer)
{
tk:   while (TRUE) { await LOOK /\ tail # NIL /\ ~expired; expired := TRUE }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, tail, state, asleep, my, pred, word, expired, wsleep, nsby, inq, 
          ahead

(* define statement *)
Unused == Nodes \ ({tail} \cup {my[q] : q \in Procs} \cup {pred[q] : q \in Procs})
StealOK(w) == ~w.l /\ ~w.ns /\ w.hs # "running"
StaleOK(w) == ~w.l /\ ~w.ns /\ w.hs = "running"
Want(w, pk) ==
  LET w1 == IF w.hs # "running" /\ ~pk THEN [w EXCEPT !.hs = "running"] ELSE w
      w2 == IF expired THEN [w1 EXCEPT !.ns = TRUE] ELSE w1
  IN  IF pk THEN [w2 EXCEPT !.hs = "parked"] ELSE w2
Released(w) == [w EXCEPT !.l = FALSE,
                         !.hs = IF w.hs = "parked" THEN "waking" ELSE w.hs]

VARIABLES old, wn, want, seen

vars == << pc, tail, state, asleep, my, pred, word, expired, wsleep, nsby, 
           inq, ahead, old, wn, want, seen >>

ProcSet == (Procs) \cup {Timer}

Init == (* Global variables *)
        /\ tail = NIL
        /\ state = [x \in Nodes |-> FREE]
        /\ asleep = {}
        /\ my = [q \in Procs |-> NIL]
        /\ pred = [q \in Procs |-> NIL]
        /\ word = FreeW
        /\ expired = FALSE
        /\ wsleep = {}
        /\ nsby = NIL
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ old = [self \in Procs |-> FREE]
        /\ wn = [self \in Procs |-> NIL]
        /\ want = [self \in Procs |-> FreeW]
        /\ seen = [self \in Procs |-> "none"]
        /\ pc = [self \in ProcSet |-> CASE self \in Procs -> "ncs"
                                        [] self = Timer -> "tk"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "look"]
             /\ UNCHANGED << tail, state, asleep, my, pred, word, expired, 
                             wsleep, nsby, inq, ahead, old, wn, want, seen >>

look(self) == /\ pc[self] = "look"
              /\ \/ /\ LOOK /\ (StealOK(word) \/ StaleOK(word))
                    /\ word' = [word EXCEPT !.l = TRUE]
                    /\ pc' = [pc EXCEPT ![self] = "cs"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "swap"]
                    /\ word' = word
              /\ UNCHANGED << tail, state, asleep, my, pred, expired, wsleep, 
                              nsby, inq, ahead, old, wn, want, seen >>

swap(self) == /\ pc[self] = "swap"
              /\ LET n == IF my[self] = NIL
                          THEN CHOOSE x \in Unused : \A y \in Unused : x <= y
                          ELSE my[self] IN
                   /\ my' = [my EXCEPT ![self] = n]
                   /\ state' = [state EXCEPT ![n] = HELD]
                   /\ pred' = [pred EXCEPT ![self] = tail]
                   /\ tail' = n
              /\ ahead' = [ahead EXCEPT ![self] = inq]
              /\ inq' = (inq \cup {self})
              /\ IF pred'[self] # NIL
                    THEN /\ pc' = [pc EXCEPT ![self] = "w_load"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "h_loop"]
              /\ UNCHANGED << asleep, word, expired, wsleep, nsby, old, wn, 
                              want, seen >>

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
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                                      /\ UNCHANGED asleep
                           /\ state' = state
                /\ UNCHANGED << tail, my, pred, word, expired, wsleep, nsby, 
                                inq, ahead, old, wn, want, seen >>

w_slept(self) == /\ pc[self] = "w_slept"
                 /\ self \notin asleep
                 /\ pc' = [pc EXCEPT ![self] = "w_load"]
                 /\ UNCHANGED << tail, state, asleep, my, pred, word, expired, 
                                 wsleep, nsby, inq, ahead, old, wn, want, seen >>

h_loop(self) == /\ pc[self] = "h_loop"
                /\ IF ~word.l
                      THEN /\ word' = LockedW
                           /\ nsby' = NIL
                           /\ inq' = inq \ {self}
                           /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
                           /\ pred' = [pred EXCEPT ![self] = NIL]
                           /\ pc' = [pc EXCEPT ![self] = "p_cas"]
                           /\ want' = want
                      ELSE /\ \E pk \in BOOLEAN:
                                LET nw == Want(word, pk) IN
                                  /\ IF expired /\ ~word.ns
                                        THEN /\ nsby' = self
                                        ELSE /\ TRUE
                                             /\ nsby' = nsby
                                  /\ word' = nw
                                  /\ IF pk
                                        THEN /\ want' = [want EXCEPT ![self] = nw]
                                             /\ pc' = [pc EXCEPT ![self] = "h_fwait"]
                                        ELSE /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                                             /\ want' = want
                           /\ UNCHANGED << pred, inq, ahead >>
                /\ UNCHANGED << tail, state, asleep, my, expired, wsleep, old, 
                                wn, seen >>

h_fwait(self) == /\ pc[self] = "h_fwait"
                 /\ IF word = want[self]
                       THEN /\ wsleep' = (wsleep \cup {self})
                       ELSE /\ TRUE
                            /\ UNCHANGED wsleep
                 /\ want' = [want EXCEPT ![self] = FreeW]
                 /\ pc' = [pc EXCEPT ![self] = "h_slept"]
                 /\ UNCHANGED << tail, state, asleep, my, pred, word, expired, 
                                 nsby, inq, ahead, old, wn, seen >>

h_slept(self) == /\ pc[self] = "h_slept"
                 /\ self \notin wsleep
                 /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                 /\ UNCHANGED << tail, state, asleep, my, pred, word, expired, 
                                 wsleep, nsby, inq, ahead, old, wn, want, seen >>

p_cas(self) == /\ pc[self] = "p_cas"
               /\ IF tail = my[self]
                     THEN /\ tail' = NIL
                          /\ my' = [my EXCEPT ![self] = NIL]
                          /\ expired' = FALSE
                          /\ pc' = [pc EXCEPT ![self] = "cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "p_hand"]
                          /\ UNCHANGED << tail, my, expired >>
               /\ UNCHANGED << state, asleep, pred, word, wsleep, nsby, inq, 
                               ahead, old, wn, want, seen >>

p_hand(self) == /\ pc[self] = "p_hand"
                /\ old' = [old EXCEPT ![self] = state[my[self]]]
                /\ state' = [state EXCEPT ![my[self]] = FREE]
                /\ wn' = [wn EXCEPT ![self] = my[self]]
                /\ expired' = FALSE
                /\ IF BUG # "ownnode"
                      THEN /\ my' = [my EXCEPT ![self] = NIL]
                      ELSE /\ TRUE
                           /\ my' = my
                /\ pc' = [pc EXCEPT ![self] = "p_wake"]
                /\ UNCHANGED << tail, asleep, pred, word, wsleep, nsby, inq, 
                                ahead, want, seen >>

p_wake(self) == /\ pc[self] = "p_wake"
                /\ IF old[self] = PARKED
                      THEN /\ asleep' = asleep \ {q \in Procs : pred[q] = wn[self]}
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ old' = [old EXCEPT ![self] = FREE]
                /\ wn' = [wn EXCEPT ![self] = NIL]
                /\ pc' = [pc EXCEPT ![self] = "cs"]
                /\ UNCHANGED << tail, state, my, pred, word, expired, wsleep, 
                                nsby, inq, ahead, want, seen >>

cs(self) == /\ pc[self] = "cs"
            /\ ahead' = [ahead EXCEPT ![self] = {}]
            /\ pc' = [pc EXCEPT ![self] = "u_rel"]
            /\ UNCHANGED << tail, state, asleep, my, pred, word, expired, 
                            wsleep, nsby, inq, old, wn, want, seen >>

u_rel(self) == /\ pc[self] = "u_rel"
               /\ seen' = [seen EXCEPT ![self] = word.hs]
               /\ word' = Released(word)
               /\ pc' = [pc EXCEPT ![self] = "u_wake"]
               /\ UNCHANGED << tail, state, asleep, my, pred, expired, wsleep, 
                               nsby, inq, ahead, old, wn, want >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF seen[self] = "parked"
                      THEN /\ \E q \in IF wsleep = {} THEN {NIL} ELSE wsleep:
                                wsleep' = wsleep \ {q}
                      ELSE /\ TRUE
                           /\ UNCHANGED wsleep
                /\ seen' = [seen EXCEPT ![self] = "none"]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << tail, state, asleep, my, pred, word, expired, 
                                nsby, inq, ahead, old, wn, want >>

p(self) == ncs(self) \/ look(self) \/ swap(self) \/ w_load(self)
              \/ w_slept(self) \/ h_loop(self) \/ h_fwait(self)
              \/ h_slept(self) \/ p_cas(self) \/ p_hand(self)
              \/ p_wake(self) \/ cs(self) \/ u_rel(self) \/ u_wake(self)

tk == /\ pc[Timer] = "tk"
      /\ LOOK /\ tail # NIL /\ ~expired
      /\ expired' = TRUE
      /\ pc' = [pc EXCEPT ![Timer] = "tk"]
      /\ UNCHANGED << tail, state, asleep, my, pred, word, wsleep, nsby, inq, 
                      ahead, old, wn, want, seen >>

t == tk

Next == t
           \/ (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))
        /\ WF_vars(t)

\* END TRANSLATION

Trying(q) == pc[q] \in {"look", "swap", "w_load", "w_slept", "h_loop",
                        "h_fwait", "h_slept"}
\* holding the lock: from the acquisition to the release step
Holds(q) == pc[q] \in {"p_cas", "p_hand", "p_wake", "cs", "u_rel"}
MutualExclusion == \A a, b \in Procs : a # b => ~(Holds(a) /\ Holds(b))
FIFO == \A q \in Procs : pc[q] = "p_cas" => ahead[q] = {}
NodeAvailable == Unused # {}
Acquires(q) == pc[q] \in {"look", "h_loop"} /\ pc'[q] \in {"cs", "p_cas"}
BoundedOvertaking == [][\A q \in Procs : Acquires(q) => (~word.ns \/ nsby = q)]_vars
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
