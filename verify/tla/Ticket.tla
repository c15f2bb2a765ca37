------------------------------- MODULE Ticket -------------------------------
(***************************************************************************)
(* Ticket lock whose waiters park on `owner`, as the queue behind the      *)
(* queue gate (Gate.tla: a lock word in front of the queue, ShflLock-style *)
(* bounded steal).  The ticket queue now decides only who is the head (the *)
(* ticket `owner` serves); the head takes the word, then passes headship   *)
(* on (owner + 1, the old unlock, with its wakes), then runs its critical  *)
(* section; unlock releases the word alone.                                *)
(* Models primitives/ticket.h: lk_ticket_lock (+ lk_ticket_wait_, the      *)
(* head's loop on the word, the pass + lk_ticket_wake_), lk_ticket_trylock *)
(* (the look alone), lk_ticket_unlock (the gate's release).  The C steps   *)
(* tickets by 2 so that bit 0 of owner is PARKED; here owner is split into *)
(* its value (ownerv, counting by 1 modulo M > N) and the bit (parked).    *)
(* Each sleeper parks with the futex bitset bit of its own ticket (tickets *)
(* are distinct here, M <= 32), so a bitset wake reaches exactly the       *)
(* ticket named.  lk__wait()'s spin phase and the proportional backoff are *)
(* stutters; its park phase is futex_wait(&owner, o) or futex_wait(&word,  *)
(* want), one compare-and-sleep step.  A sleeper has no step until a wake  *)
(* removes it from `asleep` (owner) or `wsleep` (word).                    *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  look     | the gate's look (Gate.tla): fast path, steal, stale rule,   *)
(*           |   or queue.  trylock is the look alone.  Off when LOOK is   *)
(*           |   FALSE (every arrival queues).                             *)
(*  take     | t = atomic_fetch_add_explicit(&l->next, STEP, relaxed)      *)
(*  wait     | o = load(&l->owner, acquire): (o & ~PARKED) == t: the head. *)
(*           |   Else no PARKED: spin, or (once lk__wait_would_park())     *)
(*           |   CAS(&owner, o, o|PARKED, relaxed); PARKED: futex_wait(    *)
(*           |   &owner, o, bit(t)), which sleeps iff owner == o.  The     *)
(*           |   load is merged with the CAS or futex compare after it:    *)
(*           |   both re-read the word, so no interleaving is lost.        *)
(*  h_loop   | the gate's head loop (Gate.tla h_loop, h_fwait, h_slept)    *)
(*  pass     | o = atomic_fetch_add_explicit(&owner, STEP, release), the   *)
(*           |   word taken: headship passes                               *)
(*  p_wake   | o had PARKED: lk_ticket_wake_: load(&next, relaxed) - served*)
(*           |   > STEP: lk__futex_wake_bits(&owner, all, bit(served))     *)
(*  p_clear  | else fetch_and(&owner, ~PARKED, relaxed)                    *)
(*  p_all    | then lk__futex_wake(&owner, all)                            *)
(*  cs       | the critical section                                        *)
(*  u_rel    | the gate's release (Gate.tla u_rel, u_wake)                 *)
(*  tk       | process Timer: the head's window expires (Gate.tla)         *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "splitfaa":  the fetch-add on next is a load (take) and a store        *)
(*               (store): two threads draw the same ticket, two heads race *)
(*               for the word (FIFO).                                      *)
(*  "nowakeall": when the queue looks empty the pass clears PARKED and     *)
(*               wakes nobody: a thread that queued and slept after the    *)
(*               look is never woken.                                      *)
(* The gate's own seeded bugs are Gate.tla's.  Dropped: "casnext", the old *)
(* trylock's CAS of next alone (wrap ABA), with the labels try/try_cas:    *)
(* trylock no longer takes a ticket, it only steals the word.              *)
(*                                                                         *)
(* Ghost: inq = threads that drew a ticket and have not taken the word;    *)
(* ahead[p] = those that drew before p and are still there; nsby = the     *)
(* head that set NOSTEAL.  Properties: MutualExclusion (from the           *)
(* acquisition to the release), FIFO (a thread takes the word with nobody  *)
(* ahead of it) (invariants); BoundedOvertaking (action property);         *)
(* StarvationFreedom (weak fairness of the processes and of the Timer; the *)
(* non-critical section may last forever), which a lost wakeup would break.*)
(* Bounds: N = 3 without the look (LOOK = FALSE: 121k states; with it,     *)
(* 503k), N = 2 with it (safety, liveness, nowakeall); M = N + 1.          *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG, LOOK
Procs == 1..N
M == N + 1
NIL == 0
Timer == 0
\* the gate's lock word (Gate.tla)
Word(l, hs, ns) == [l |-> l, hs |-> hs, ns |-> ns]
FreeW == Word(FALSE, "none", FALSE)
LockedW == Word(TRUE, "none", FALSE)

(* --algorithm Ticket {
variables next = 0, ownerv = 0, parked = FALSE, asleep = {},
          tk = [q \in Procs |-> 0],   \* each thread's ticket
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
variables served = 0, want = FreeW, seen = "none";
{
ncs:- while (TRUE) {
look:   either { await LOOK /\ (StealOK(word) \/ StaleOK(word));
                 word.l := TRUE; goto cs }
        or skip;
take:   if (BUG = "splitfaa") { tk[self] := next }
        else { tk[self] := next; next := (next + 1) % M;
               ahead[self] := inq; inq := inq \cup {self} };
store:  if (BUG = "splitfaa") { next := (tk[self] + 1) % M;
               ahead[self] := inq; inq := inq \cup {self} };
wait:   await self \notin asleep;
        if (ownerv # tk[self]) {
          if (~parked) { either skip or parked := TRUE }
          else asleep := asleep \cup {self};
          goto wait
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
pass:   with (nv = (ownerv + 1) % M) {
          ownerv := nv; expired := FALSE;
          if (parked) served := nv else goto cs
        };
p_wake: if ((next + M - served) % M > 1) {
          asleep := asleep \ {q \in Procs : tk[q] = served};
          served := 0; goto cs
        };
p_clear: parked := FALSE;
p_all:  if (BUG # "nowakeall") asleep := {};
        served := 0;
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
tk:   while (TRUE) { await LOOK /\ next # ownerv /\ ~expired; expired := TRUE }
}
} *)
\* BEGIN TRANSLATION
\* Label tk of process t at line 144 col 7 changed to tk_
VARIABLES pc, next, ownerv, parked, asleep, tk, word, expired, wsleep, nsby, 
          inq, ahead

(* define statement *)
StealOK(w) == ~w.l /\ ~w.ns /\ w.hs # "running"
StaleOK(w) == ~w.l /\ ~w.ns /\ w.hs = "running"
Want(w, pk) ==
  LET w1 == IF w.hs # "running" /\ ~pk THEN [w EXCEPT !.hs = "running"] ELSE w
      w2 == IF expired THEN [w1 EXCEPT !.ns = TRUE] ELSE w1
  IN  IF pk THEN [w2 EXCEPT !.hs = "parked"] ELSE w2
Released(w) == [w EXCEPT !.l = FALSE,
                         !.hs = IF w.hs = "parked" THEN "waking" ELSE w.hs]

VARIABLES served, want, seen

vars == << pc, next, ownerv, parked, asleep, tk, word, expired, wsleep, nsby, 
           inq, ahead, served, want, seen >>

ProcSet == (Procs) \cup {Timer}

Init == (* Global variables *)
        /\ next = 0
        /\ ownerv = 0
        /\ parked = FALSE
        /\ asleep = {}
        /\ tk = [q \in Procs |-> 0]
        /\ word = FreeW
        /\ expired = FALSE
        /\ wsleep = {}
        /\ nsby = NIL
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ served = [self \in Procs |-> 0]
        /\ want = [self \in Procs |-> FreeW]
        /\ seen = [self \in Procs |-> "none"]
        /\ pc = [self \in ProcSet |-> CASE self \in Procs -> "ncs"
                                        [] self = Timer -> "tk_"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "look"]
             /\ UNCHANGED << next, ownerv, parked, asleep, tk, word, expired, 
                             wsleep, nsby, inq, ahead, served, want, seen >>

look(self) == /\ pc[self] = "look"
              /\ \/ /\ LOOK /\ (StealOK(word) \/ StaleOK(word))
                    /\ word' = [word EXCEPT !.l = TRUE]
                    /\ pc' = [pc EXCEPT ![self] = "cs"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "take"]
                    /\ word' = word
              /\ UNCHANGED << next, ownerv, parked, asleep, tk, expired, 
                              wsleep, nsby, inq, ahead, served, want, seen >>

take(self) == /\ pc[self] = "take"
              /\ IF BUG = "splitfaa"
                    THEN /\ tk' = [tk EXCEPT ![self] = next]
                         /\ UNCHANGED << next, inq, ahead >>
                    ELSE /\ tk' = [tk EXCEPT ![self] = next]
                         /\ next' = (next + 1) % M
                         /\ ahead' = [ahead EXCEPT ![self] = inq]
                         /\ inq' = (inq \cup {self})
              /\ pc' = [pc EXCEPT ![self] = "store"]
              /\ UNCHANGED << ownerv, parked, asleep, word, expired, wsleep, 
                              nsby, served, want, seen >>

store(self) == /\ pc[self] = "store"
               /\ IF BUG = "splitfaa"
                     THEN /\ next' = (tk[self] + 1) % M
                          /\ ahead' = [ahead EXCEPT ![self] = inq]
                          /\ inq' = (inq \cup {self})
                     ELSE /\ TRUE
                          /\ UNCHANGED << next, inq, ahead >>
               /\ pc' = [pc EXCEPT ![self] = "wait"]
               /\ UNCHANGED << ownerv, parked, asleep, tk, word, expired, 
                               wsleep, nsby, served, want, seen >>

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
                    ELSE /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                         /\ UNCHANGED << parked, asleep >>
              /\ UNCHANGED << next, ownerv, tk, word, expired, wsleep, nsby, 
                              inq, ahead, served, want, seen >>

h_loop(self) == /\ pc[self] = "h_loop"
                /\ IF ~word.l
                      THEN /\ word' = LockedW
                           /\ nsby' = NIL
                           /\ inq' = inq \ {self}
                           /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
                           /\ pc' = [pc EXCEPT ![self] = "pass"]
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
                /\ UNCHANGED << next, ownerv, parked, asleep, tk, expired, 
                                wsleep, served, seen >>

h_fwait(self) == /\ pc[self] = "h_fwait"
                 /\ IF word = want[self]
                       THEN /\ wsleep' = (wsleep \cup {self})
                       ELSE /\ TRUE
                            /\ UNCHANGED wsleep
                 /\ want' = [want EXCEPT ![self] = FreeW]
                 /\ pc' = [pc EXCEPT ![self] = "h_slept"]
                 /\ UNCHANGED << next, ownerv, parked, asleep, tk, word, 
                                 expired, nsby, inq, ahead, served, seen >>

h_slept(self) == /\ pc[self] = "h_slept"
                 /\ self \notin wsleep
                 /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                 /\ UNCHANGED << next, ownerv, parked, asleep, tk, word, 
                                 expired, wsleep, nsby, inq, ahead, served, 
                                 want, seen >>

pass(self) == /\ pc[self] = "pass"
              /\ LET nv == (ownerv + 1) % M IN
                   /\ ownerv' = nv
                   /\ expired' = FALSE
                   /\ IF parked
                         THEN /\ served' = [served EXCEPT ![self] = nv]
                              /\ pc' = [pc EXCEPT ![self] = "p_wake"]
                         ELSE /\ pc' = [pc EXCEPT ![self] = "cs"]
                              /\ UNCHANGED served
              /\ UNCHANGED << next, parked, asleep, tk, word, wsleep, nsby, 
                              inq, ahead, want, seen >>

p_wake(self) == /\ pc[self] = "p_wake"
                /\ IF (next + M - served[self]) % M > 1
                      THEN /\ asleep' = asleep \ {q \in Procs : tk[q] = served[self]}
                           /\ served' = [served EXCEPT ![self] = 0]
                           /\ pc' = [pc EXCEPT ![self] = "cs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "p_clear"]
                           /\ UNCHANGED << asleep, served >>
                /\ UNCHANGED << next, ownerv, parked, tk, word, expired, 
                                wsleep, nsby, inq, ahead, want, seen >>

p_clear(self) == /\ pc[self] = "p_clear"
                 /\ parked' = FALSE
                 /\ pc' = [pc EXCEPT ![self] = "p_all"]
                 /\ UNCHANGED << next, ownerv, asleep, tk, word, expired, 
                                 wsleep, nsby, inq, ahead, served, want, seen >>

p_all(self) == /\ pc[self] = "p_all"
               /\ IF BUG # "nowakeall"
                     THEN /\ asleep' = {}
                     ELSE /\ TRUE
                          /\ UNCHANGED asleep
               /\ served' = [served EXCEPT ![self] = 0]
               /\ pc' = [pc EXCEPT ![self] = "cs"]
               /\ UNCHANGED << next, ownerv, parked, tk, word, expired, wsleep, 
                               nsby, inq, ahead, want, seen >>

cs(self) == /\ pc[self] = "cs"
            /\ ahead' = [ahead EXCEPT ![self] = {}]
            /\ pc' = [pc EXCEPT ![self] = "u_rel"]
            /\ UNCHANGED << next, ownerv, parked, asleep, tk, word, expired, 
                            wsleep, nsby, inq, served, want, seen >>

u_rel(self) == /\ pc[self] = "u_rel"
               /\ seen' = [seen EXCEPT ![self] = word.hs]
               /\ word' = Released(word)
               /\ pc' = [pc EXCEPT ![self] = "u_wake"]
               /\ UNCHANGED << next, ownerv, parked, asleep, tk, expired, 
                               wsleep, nsby, inq, ahead, served, want >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF seen[self] = "parked"
                      THEN /\ \E q \in IF wsleep = {} THEN {NIL} ELSE wsleep:
                                wsleep' = wsleep \ {q}
                      ELSE /\ TRUE
                           /\ UNCHANGED wsleep
                /\ seen' = [seen EXCEPT ![self] = "none"]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << next, ownerv, parked, asleep, tk, word, 
                                expired, nsby, inq, ahead, served, want >>

p(self) == ncs(self) \/ look(self) \/ take(self) \/ store(self)
              \/ wait(self) \/ h_loop(self) \/ h_fwait(self)
              \/ h_slept(self) \/ pass(self) \/ p_wake(self)
              \/ p_clear(self) \/ p_all(self) \/ cs(self) \/ u_rel(self)
              \/ u_wake(self)

tk_ == /\ pc[Timer] = "tk_"
       /\ LOOK /\ next # ownerv /\ ~expired
       /\ expired' = TRUE
       /\ pc' = [pc EXCEPT ![Timer] = "tk_"]
       /\ UNCHANGED << next, ownerv, parked, asleep, tk, word, wsleep, nsby, 
                       inq, ahead, served, want, seen >>

t == tk_

Next == t
           \/ (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))
        /\ WF_vars(t)

\* END TRANSLATION

Trying(q) == pc[q] \in {"look", "take", "store", "wait", "h_loop", "h_fwait",
                        "h_slept"}
\* holding the lock: from the acquisition to the release step
Holds(q) == pc[q] \in {"pass", "p_wake", "p_clear", "p_all", "cs", "u_rel"}
MutualExclusion == \A a, b \in Procs : a # b => ~(Holds(a) /\ Holds(b))
FIFO == \A q \in Procs : pc[q] = "pass" => ahead[q] = {}
Acquires(q) == pc[q] \in {"look", "h_loop"} /\ pc'[q] \in {"cs", "pass"}
BoundedOvertaking == [][\A q \in Procs : Acquires(q) => (~word.ns \/ nsby = q)]_vars
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
