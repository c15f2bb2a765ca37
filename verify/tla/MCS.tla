-------------------------------- MODULE MCS --------------------------------
(***************************************************************************)
(* MCS queue lock (Mellor-Crummey & Scott 1991) with parking waiters, as   *)
(* the queue behind the queue gate (Gate.tla: a lock word in front of the  *)
(* queue, ShflLock-style bounded steal).  The queue now decides only who   *)
(* is the head; the head takes the word, then passes headship on (the old  *)
(* release and grant), then runs its critical section; unlock releases the *)
(* word alone.                                                             *)
(* Models primitives/mcs.h: lk_mcs_lock_node (+ lk_mcs_wait_granted_, the  *)
(* head's loop on the word, lk_mcs_release_ / lk_mcs_grant_ as the pass),  *)
(* lk_mcs_trylock_node (the look alone), lk_mcs_unlock_node (the gate's    *)
(* release).  Each thread owns one node, reused on every acquisition (as   *)
(* the pool does); node p is thread p's.  The release race is in the       *)
(* model: a successor may have swapped the tail (swap) but not linked      *)
(* itself (link), so the passer sees next = NULL while tail # its node.    *)
(* lk__wait()'s spin phase is a stutter; its park phase is                 *)
(* futex_wait(&n->flag, PARKED) or futex_wait(&word, want), one atomic     *)
(* compare-and-sleep (the kernel's); a sleeper has no step until a wake    *)
(* removes it from `asleep` (node) or `wsleep` (word).                     *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  look    | the gate's look (Gate.tla): fast path, steal, stale rule,    *)
(*          |   or queue.  trylock is the look alone.  Off when LOOK is    *)
(*          |   FALSE (every arrival queues).                              *)
(*  swap    | store(&n->next, NULL, relaxed); store(&n->flag, WAITING,     *)
(*          |   relaxed) (n is private until the exchange publishes it, so *)
(*          |   one step with it); pred = atomic_exchange_explicit(        *)
(*          |   &l->tail, n, acq_rel)                                      *)
(*  link    | atomic_store_explicit(&pred->next, n, release)               *)
(*  w_load  | f = atomic_load_explicit(&n->flag, acquire): GRANTED: the    *)
(*          |   head; WAITING: spin, or (once lk__wait_would_park())       *)
(*          |   CAS(&n->flag, WAITING, PARKED, relaxed); PARKED:           *)
(*          |   lk__futex_wait(&n->flag, PARKED), which sleeps iff the     *)
(*          |   flag is still PARKED.  The load is merged with the CAS or  *)
(*          |   the futex compare after it: both re-read the word, so no   *)
(*          |   interleaving is lost.                                      *)
(*  h_loop  | the gate's head loop (Gate.tla h_loop, h_fwait, h_slept)     *)
(*  p_next  | next = atomic_load_explicit(&n->next, acquire), the word     *)
(*          |   taken                                                      *)
(*  p_cas   | CAS(&l->tail, &n, NULL, release, relaxed): no successor      *)
(*  p_link  | atomic_load_explicit(&n->next, acquire) != NULL (spin: the   *)
(*          |   successor swapped the tail but has not linked yet)         *)
(*  p_hand  | old = atomic_exchange_explicit(&next->flag, GRANTED,         *)
(*          |   release): headship passes                                  *)
(*  p_wake  | old == PARKED: lk__futex_wake(&next->flag, 1)                *)
(*  cs      | the critical section                                         *)
(*  u_rel   | the gate's release (Gate.tla u_rel, u_wake)                  *)
(*  tk      | process Timer: the head's window expires (Gate.tla)          *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "nolinkwait": after a failed p_cas the passer does not wait for the    *)
(*     link and goes on when next is NULL: the successor never becomes the *)
(*     head.                                                               *)
(*  "parkunannounced": a waiter sleeps on WAITING without first setting    *)
(*     PARKED (futex_wait(&n->flag, WAITING)), so the passer sees WAITING  *)
(*     and makes no wake.                                                  *)
(* The gate's own seeded bugs are Gate.tla's.  The old trylock (a CAS of   *)
(* tail from NULL, label try) is gone: trylock only steals the word.       *)
(*                                                                         *)
(* Ghost: inq/ahead as in Gate.tla (swap order); nsby = the head that set  *)
(* NOSTEAL.  Properties: MutualExclusion (from the acquisition to the      *)
(* release), FIFO (invariants); BoundedOvertaking (action property);       *)
(* StarvationFreedom (weak fairness of the processes and of the Timer; the *)
(* non-critical section may last forever).                                 *)
(* Bounds: N = 3 without the look (LOOK = FALSE: 97k states; with it, 383k *)
(* states and a minute, too slow); N = 2 with the look for safety,         *)
(* liveness (the release race needs only a passer and one successor) and   *)
(* the seeded bugs.  Thread-local variables are reset when dead.           *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG, LOOK
Procs == 1..N
NIL == 0
WAITING == 0
PARKED == 1
GRANTED == 2
Timer == 0
\* the gate's lock word (Gate.tla)
Word(l, hs, ns) == [l |-> l, hs |-> hs, ns |-> ns]
FreeW == Word(FALSE, "none", FALSE)
LockedW == Word(TRUE, "none", FALSE)

(* --algorithm MCS {
variables tail = NIL, next = [q \in Procs |-> NIL],
          flag = [q \in Procs |-> WAITING], asleep = {},
          word = FreeW, expired = FALSE, wsleep = {}, nsby = NIL,
          inq = {}, ahead = [q \in Procs |-> {}];
define {
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
variables pred = NIL, succ = NIL, old = WAITING, want = FreeW, seen = "none";
{
ncs:- while (TRUE) {
look:   either { await LOOK /\ (StealOK(word) \/ StaleOK(word));
                 word.l := TRUE; goto cs }
        or skip;
swap:   next[self] := NIL; flag[self] := WAITING;
        pred := tail; tail := self;
        ahead[self] := inq; inq := inq \cup {self};
        if (pred # NIL) {
link:     next[pred] := self; pred := NIL;
w_load:   await self \notin asleep;
          if (flag[self] = WAITING) {
            either skip
            or { if (BUG = "parkunannounced") asleep := asleep \cup {self}
                 else flag[self] := PARKED };
            goto w_load
          } else if (flag[self] = PARKED) {
            asleep := asleep \cup {self};
            goto w_load
          }
        };
h_loop: if (~word.l) {
          word := LockedW; nsby := NIL; inq := inq \ {self};
          ahead := [q \in Procs |-> ahead[q] \ {self}]
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
p_next: succ := next[self];
        if (succ = NIL) {
p_cas:    if (tail = self) { tail := NIL; expired := FALSE; goto cs }
          else if (BUG = "nolinkwait") { succ := next[self]; if (succ = NIL) goto cs };
p_link:   await next[self] # NIL; succ := next[self]
        };
p_hand: old := flag[succ]; flag[succ] := GRANTED; expired := FALSE;
p_wake: if (old = PARKED) asleep := asleep \ {succ};
        succ := NIL; old := WAITING;
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
VARIABLES pc, tail, next, flag, asleep, word, expired, wsleep, nsby, inq, 
          ahead

(* define statement *)
StealOK(w) == ~w.l /\ ~w.ns /\ w.hs # "running"
StaleOK(w) == ~w.l /\ ~w.ns /\ w.hs = "running"
Want(w, pk) ==
  LET w1 == IF w.hs # "running" /\ ~pk THEN [w EXCEPT !.hs = "running"] ELSE w
      w2 == IF expired THEN [w1 EXCEPT !.ns = TRUE] ELSE w1
  IN  IF pk THEN [w2 EXCEPT !.hs = "parked"] ELSE w2
Released(w) == [w EXCEPT !.l = FALSE,
                         !.hs = IF w.hs = "parked" THEN "waking" ELSE w.hs]

VARIABLES pred, succ, old, want, seen

vars == << pc, tail, next, flag, asleep, word, expired, wsleep, nsby, inq, 
           ahead, pred, succ, old, want, seen >>

ProcSet == (Procs) \cup {Timer}

Init == (* Global variables *)
        /\ tail = NIL
        /\ next = [q \in Procs |-> NIL]
        /\ flag = [q \in Procs |-> WAITING]
        /\ asleep = {}
        /\ word = FreeW
        /\ expired = FALSE
        /\ wsleep = {}
        /\ nsby = NIL
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ pred = [self \in Procs |-> NIL]
        /\ succ = [self \in Procs |-> NIL]
        /\ old = [self \in Procs |-> WAITING]
        /\ want = [self \in Procs |-> FreeW]
        /\ seen = [self \in Procs |-> "none"]
        /\ pc = [self \in ProcSet |-> CASE self \in Procs -> "ncs"
                                        [] self = Timer -> "tk"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "look"]
             /\ UNCHANGED << tail, next, flag, asleep, word, expired, wsleep, 
                             nsby, inq, ahead, pred, succ, old, want, seen >>

look(self) == /\ pc[self] = "look"
              /\ \/ /\ LOOK /\ (StealOK(word) \/ StaleOK(word))
                    /\ word' = [word EXCEPT !.l = TRUE]
                    /\ pc' = [pc EXCEPT ![self] = "cs"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "swap"]
                    /\ word' = word
              /\ UNCHANGED << tail, next, flag, asleep, expired, wsleep, nsby, 
                              inq, ahead, pred, succ, old, want, seen >>

swap(self) == /\ pc[self] = "swap"
              /\ next' = [next EXCEPT ![self] = NIL]
              /\ flag' = [flag EXCEPT ![self] = WAITING]
              /\ pred' = [pred EXCEPT ![self] = tail]
              /\ tail' = self
              /\ ahead' = [ahead EXCEPT ![self] = inq]
              /\ inq' = (inq \cup {self})
              /\ IF pred'[self] # NIL
                    THEN /\ pc' = [pc EXCEPT ![self] = "link"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "h_loop"]
              /\ UNCHANGED << asleep, word, expired, wsleep, nsby, succ, old, 
                              want, seen >>

link(self) == /\ pc[self] = "link"
              /\ next' = [next EXCEPT ![pred[self]] = self]
              /\ pred' = [pred EXCEPT ![self] = NIL]
              /\ pc' = [pc EXCEPT ![self] = "w_load"]
              /\ UNCHANGED << tail, flag, asleep, word, expired, wsleep, nsby, 
                              inq, ahead, succ, old, want, seen >>

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
                                 ELSE /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                                      /\ UNCHANGED asleep
                           /\ flag' = flag
                /\ UNCHANGED << tail, next, word, expired, wsleep, nsby, inq, 
                                ahead, pred, succ, old, want, seen >>

h_loop(self) == /\ pc[self] = "h_loop"
                /\ IF ~word.l
                      THEN /\ word' = LockedW
                           /\ nsby' = NIL
                           /\ inq' = inq \ {self}
                           /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
                           /\ pc' = [pc EXCEPT ![self] = "p_next"]
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
                           /\ UNCHANGED << inq, ahead >>
                /\ UNCHANGED << tail, next, flag, asleep, expired, wsleep, 
                                pred, succ, old, seen >>

h_fwait(self) == /\ pc[self] = "h_fwait"
                 /\ IF word = want[self]
                       THEN /\ wsleep' = (wsleep \cup {self})
                       ELSE /\ TRUE
                            /\ UNCHANGED wsleep
                 /\ want' = [want EXCEPT ![self] = FreeW]
                 /\ pc' = [pc EXCEPT ![self] = "h_slept"]
                 /\ UNCHANGED << tail, next, flag, asleep, word, expired, nsby, 
                                 inq, ahead, pred, succ, old, seen >>

h_slept(self) == /\ pc[self] = "h_slept"
                 /\ self \notin wsleep
                 /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                 /\ UNCHANGED << tail, next, flag, asleep, word, expired, 
                                 wsleep, nsby, inq, ahead, pred, succ, old, 
                                 want, seen >>

p_next(self) == /\ pc[self] = "p_next"
                /\ succ' = [succ EXCEPT ![self] = next[self]]
                /\ IF succ'[self] = NIL
                      THEN /\ pc' = [pc EXCEPT ![self] = "p_cas"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "p_hand"]
                /\ UNCHANGED << tail, next, flag, asleep, word, expired, 
                                wsleep, nsby, inq, ahead, pred, old, want, 
                                seen >>

p_cas(self) == /\ pc[self] = "p_cas"
               /\ IF tail = self
                     THEN /\ tail' = NIL
                          /\ expired' = FALSE
                          /\ pc' = [pc EXCEPT ![self] = "cs"]
                          /\ succ' = succ
                     ELSE /\ IF BUG = "nolinkwait"
                                THEN /\ succ' = [succ EXCEPT ![self] = next[self]]
                                     /\ IF succ'[self] = NIL
                                           THEN /\ pc' = [pc EXCEPT ![self] = "cs"]
                                           ELSE /\ pc' = [pc EXCEPT ![self] = "p_link"]
                                ELSE /\ pc' = [pc EXCEPT ![self] = "p_link"]
                                     /\ succ' = succ
                          /\ UNCHANGED << tail, expired >>
               /\ UNCHANGED << next, flag, asleep, word, wsleep, nsby, inq, 
                               ahead, pred, old, want, seen >>

p_link(self) == /\ pc[self] = "p_link"
                /\ next[self] # NIL
                /\ succ' = [succ EXCEPT ![self] = next[self]]
                /\ pc' = [pc EXCEPT ![self] = "p_hand"]
                /\ UNCHANGED << tail, next, flag, asleep, word, expired, 
                                wsleep, nsby, inq, ahead, pred, old, want, 
                                seen >>

p_hand(self) == /\ pc[self] = "p_hand"
                /\ old' = [old EXCEPT ![self] = flag[succ[self]]]
                /\ flag' = [flag EXCEPT ![succ[self]] = GRANTED]
                /\ expired' = FALSE
                /\ pc' = [pc EXCEPT ![self] = "p_wake"]
                /\ UNCHANGED << tail, next, asleep, word, wsleep, nsby, inq, 
                                ahead, pred, succ, want, seen >>

p_wake(self) == /\ pc[self] = "p_wake"
                /\ IF old[self] = PARKED
                      THEN /\ asleep' = asleep \ {succ[self]}
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ succ' = [succ EXCEPT ![self] = NIL]
                /\ old' = [old EXCEPT ![self] = WAITING]
                /\ pc' = [pc EXCEPT ![self] = "cs"]
                /\ UNCHANGED << tail, next, flag, word, expired, wsleep, nsby, 
                                inq, ahead, pred, want, seen >>

cs(self) == /\ pc[self] = "cs"
            /\ ahead' = [ahead EXCEPT ![self] = {}]
            /\ pc' = [pc EXCEPT ![self] = "u_rel"]
            /\ UNCHANGED << tail, next, flag, asleep, word, expired, wsleep, 
                            nsby, inq, pred, succ, old, want, seen >>

u_rel(self) == /\ pc[self] = "u_rel"
               /\ seen' = [seen EXCEPT ![self] = word.hs]
               /\ word' = Released(word)
               /\ pc' = [pc EXCEPT ![self] = "u_wake"]
               /\ UNCHANGED << tail, next, flag, asleep, expired, wsleep, nsby, 
                               inq, ahead, pred, succ, old, want >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF seen[self] = "parked"
                      THEN /\ \E q \in IF wsleep = {} THEN {NIL} ELSE wsleep:
                                wsleep' = wsleep \ {q}
                      ELSE /\ TRUE
                           /\ UNCHANGED wsleep
                /\ seen' = [seen EXCEPT ![self] = "none"]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << tail, next, flag, asleep, word, expired, nsby, 
                                inq, ahead, pred, succ, old, want >>

p(self) == ncs(self) \/ look(self) \/ swap(self) \/ link(self)
              \/ w_load(self) \/ h_loop(self) \/ h_fwait(self)
              \/ h_slept(self) \/ p_next(self) \/ p_cas(self)
              \/ p_link(self) \/ p_hand(self) \/ p_wake(self) \/ cs(self)
              \/ u_rel(self) \/ u_wake(self)

tk == /\ pc[Timer] = "tk"
      /\ LOOK /\ tail # NIL /\ ~expired
      /\ expired' = TRUE
      /\ pc' = [pc EXCEPT ![Timer] = "tk"]
      /\ UNCHANGED << tail, next, flag, asleep, word, wsleep, nsby, inq, ahead, 
                      pred, succ, old, want, seen >>

t == tk

Next == t
           \/ (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))
        /\ WF_vars(t)

\* END TRANSLATION

Trying(q) == pc[q] \in {"look", "swap", "link", "w_load", "h_loop",
                        "h_fwait", "h_slept"}
\* holding the lock: from the acquisition to the release step
Holds(q) == pc[q] \in {"p_next", "p_cas", "p_link", "p_hand", "p_wake", "cs", "u_rel"}
MutualExclusion == \A a, b \in Procs : a # b => ~(Holds(a) /\ Holds(b))
FIFO == \A q \in Procs : pc[q] = "p_next" => ahead[q] = {}
Acquires(q) == pc[q] \in {"look", "h_loop"} /\ pc'[q] \in {"cs", "p_next"}
BoundedOvertaking == [][\A q \in Procs : Acquires(q) => (~word.ns \/ nsby = q)]_vars
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
