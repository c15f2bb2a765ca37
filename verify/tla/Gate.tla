-------------------------------- MODULE Gate --------------------------------
(***************************************************************************)
(* The queue gate of the queue locks (ticket.h, mcs.h, clh.h): a lock      *)
(* word in front of a FIFO queue (ShflLock, Kashyap et al., SOSP 2019: the *)
(* lock word apart from the queue, a bounded steal), with a                *)
(* preemption-tolerant steal rule.  The queue is abstract here (`head` and *)
(* the sequence `queue`); Ticket.tla, MCS.tla and CLH.tla (and             *)
(* verify/spin/ticket.pml, mcs.pml, clh.pml) model each real queue with    *)
(* this gate in front, with steals at N = 2 (the queue's hand-over is this *)
(* spec's pass).                                                           *)
(*                                                                         *)
(* The 32-bit word is a record: l = LOCKED (bit 0), hs = the head state    *)
(* (bits 1-2: "none" 0, "running" 2, "parked" 4, "waking" 6), ns =         *)
(* NOSTEAL (bit 3).                                                        *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  look    | fast path CAS(word, 0, LOCKED), then the arrival's single    *)
(*          |   look: w = load(word); steal iff !LOCKED, !NOSTEAL, HS !=   *)
(*          |   RUNNING: CAS(word, w, w|LOCKED) (HS kept); or the stale    *)
(*          |   rule: w == RUNNING exactly, still so after the watch time: *)
(*          |   CAS(word, RUNNING, RUNNING|LOCKED).  A failed look is      *)
(*          |   always possible (the load may be stale, or the CAS lost):  *)
(*          |   then queue.  trylock is the look alone.                    *)
(*  enq     | enqueue at the FIFO's tail (fetch_add / exchange on tail)    *)
(*  h_wait  | wait for headship (spin, park on its own slot: abstract)     *)
(*  h_loop  | the head: w = load(word).  !LOCKED: CAS(word, w, LOCKED)     *)
(*          |   (clears HS and NOSTEAL): acquired.  LOCKED: want = w;      *)
(*          |   RUNNING announced (or revived after WAKING) unless about   *)
(*          |   to park; NOSTEAL once the window has expired; PARKED once  *)
(*          |   the spin budget ran out; CAS(word, w, want) if want != w.  *)
(*          |   Load and CAS are one step (a CAS that succeeds saw the     *)
(*          |   word unchanged since the load; a failed one only loops).   *)
(*  h_store | BUG "storeacq" only: store(word, LOCKED) after the load      *)
(*  h_fwait | HS(want) == PARKED: futex_wait(word, want), which sleeps iff *)
(*          |   word == want (the kernel compares and sleeps in one step)  *)
(*  h_slept | asleep until a wake (no spurious wakes here: they would hide *)
(*          |   a lost one from the liveness checks; verify/spin/gate.pml  *)
(*          |   checks safety with them)                                   *)
(*  h_pass  | the head, holding the word, passes headship to its queue     *)
(*          |   successor (the queue locks' grant)                         *)
(*  cs      | the critical section                                         *)
(*  u_rel   | unlock: CAS(word, LOCKED, 0), on failure the loop: w = load, *)
(*          |   nw = w & ~LOCKED, PARKED -> WAKING, CAS(word, w, nw)       *)
(*          |   (one step, as above)                                       *)
(*  u_wake  | HS(w) was PARKED: futex_wake(word, 1) (only the head parks   *)
(*          |   on word)                                                   *)
(*  tk      | process Timer: the head's window expires (any time while     *)
(*          |   there is a head; sticky until the pass; weakly fair)       *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "plainunlock": unlock is store(word, 0): PARKED is not turned into     *)
(*     WAKING and nobody is woken (lost wakeup).                           *)
(*  "stealns":  the look ignores NOSTEAL (bounded overtaking, starvation). *)
(*  "stalens":  the stale rule ignores NOSTEAL ((w & ~NOSTEAL) ==          *)
(*     RUNNING): bounded overtaking.                                       *)
(*  "parksilent": the head sleeps with futex_wait(word, want) without      *)
(*     PARKED in want: unlock does not wake it (lost wakeup).              *)
(*  "storeacq": the head acquires with load, then store(word, LOCKED):     *)
(*     a stealer in between (mutual exclusion).                            *)
(*  "checkstore": unlock loads, and if word == LOCKED stores 0             *)
(*     (check-then-store for the CAS): a PARKED set in between is erased.  *)
(*                                                                         *)
(* Ghost: inq = queued processes not yet acquired, ahead[p] = those that   *)
(* queued before p and are still queued; nsby = the head that set NOSTEAL. *)
(* Properties: MutualExclusion (on every state from the acquisition to the *)
(* release) and FIFO (a queued process takes the word only with nobody     *)
(* queued ahead of it), invariants; BoundedOvertaking (action property:    *)
(* with NOSTEAL set, only the head that set it acquires); deadlock freedom *)
(* (TLC's deadlock check); NoLostWakeup and StarvationFreedom (weak        *)
(* fairness of the processes and of the Timer; the non-critical section    *)
(* may last forever).                                                      *)
(* Bounds: N = 3 (safety and liveness), N = 2 for the seeded bugs whose    *)
(* failure is a liveness one or a mutual exclusion one.  Thread-local      *)
(* variables are reset when dead.                                          *)
(***************************************************************************)
EXTENDS Naturals, Sequences
CONSTANTS N, BUG
Procs == 1..N
Timer == 0
NIL == 0
Word(l, hs, ns) == [l |-> l, hs |-> hs, ns |-> ns]
FreeW == Word(FALSE, "none", FALSE)
LockedW == Word(TRUE, "none", FALSE)

(* --algorithm Gate {
variables word = FreeW, head = NIL, queue = << >>, expired = FALSE,
          asleep = {}, nsby = NIL, inq = {}, ahead = [q \in Procs |-> {}];
define {
  StealOK(w) == ~w.l /\ (BUG = "stealns" \/ ~w.ns) /\ w.hs # "running"
  StaleOK(w) == ~w.l /\ (BUG = "stalens" \/ ~w.ns) /\ w.hs = "running"
  \* the head's new word: announce/revive, NOSTEAL, PARKED
  Want(w, pk) ==
    LET w1 == IF w.hs # "running" /\ ~pk THEN [w EXCEPT !.hs = "running"] ELSE w
        w2 == IF expired THEN [w1 EXCEPT !.ns = TRUE] ELSE w1
    IN  IF pk /\ BUG # "parksilent" THEN [w2 EXCEPT !.hs = "parked"] ELSE w2
  Released(w) == [w EXCEPT !.l = FALSE,
                           !.hs = IF w.hs = "parked" THEN "waking" ELSE w.hs]
}
fair process (p \in Procs)
variables want = FreeW, seen = "none";
{
ncs:- while (TRUE) {
look:   either { await StealOK(word) \/ StaleOK(word);
                 word.l := TRUE; goto cs }
        or skip;
enq:    ahead[self] := inq; inq := inq \cup {self};
        if (head = NIL) head := self else queue := Append(queue, self);
h_wait: await head = self;
h_loop: if (~word.l) {
          if (BUG = "storeacq") goto h_store
          else { word := LockedW; nsby := NIL; inq := inq \ {self};
                 ahead := [q \in Procs |-> ahead[q] \ {self}]; goto h_pass }
        } else {
          with (pk \in BOOLEAN, nw = Want(word, pk)) {
            if (expired /\ ~word.ns) nsby := self;
            word := nw;
            if (pk) want := nw else goto h_loop
          }
        };
h_fwait: if (word = want) asleep := asleep \cup {self};
        want := FreeW;
h_slept: await self \notin asleep;
        goto h_loop;
h_store: word := LockedW; nsby := NIL; inq := inq \ {self};
        ahead := [q \in Procs |-> ahead[q] \ {self}];
h_pass: if (queue = << >>) head := NIL
        else { head := Head(queue); queue := Tail(queue) };
        expired := FALSE; ahead[self] := {};
cs:     skip;
u_rel:  if (BUG = "plainunlock") { word := FreeW; goto ncs }
        else if (BUG = "checkstore" /\ word = LockedW) goto u_store
        else { seen := word.hs; word := Released(word) };
u_wake: if (seen = "parked") {
          with (q \in IF asleep = {} THEN {NIL} ELSE asleep) asleep := asleep \ {q}
        };
        seen := "none";
        goto ncs;
u_store: word := FreeW
      }
}
fair process (t = Timer)
{
tk:   while (TRUE) { await head # NIL /\ ~expired; expired := TRUE }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, word, head, queue, expired, asleep, nsby, inq, ahead

(* define statement *)
StealOK(w) == ~w.l /\ (BUG = "stealns" \/ ~w.ns) /\ w.hs # "running"
StaleOK(w) == ~w.l /\ (BUG = "stalens" \/ ~w.ns) /\ w.hs = "running"

Want(w, pk) ==
  LET w1 == IF w.hs # "running" /\ ~pk THEN [w EXCEPT !.hs = "running"] ELSE w
      w2 == IF expired THEN [w1 EXCEPT !.ns = TRUE] ELSE w1
  IN  IF pk /\ BUG # "parksilent" THEN [w2 EXCEPT !.hs = "parked"] ELSE w2
Released(w) == [w EXCEPT !.l = FALSE,
                         !.hs = IF w.hs = "parked" THEN "waking" ELSE w.hs]

VARIABLES want, seen

vars == << pc, word, head, queue, expired, asleep, nsby, inq, ahead, want, 
           seen >>

ProcSet == (Procs) \cup {Timer}

Init == (* Global variables *)
        /\ word = FreeW
        /\ head = NIL
        /\ queue = << >>
        /\ expired = FALSE
        /\ asleep = {}
        /\ nsby = NIL
        /\ inq = {}
        /\ ahead = [q \in Procs |-> {}]
        (* Process p *)
        /\ want = [self \in Procs |-> FreeW]
        /\ seen = [self \in Procs |-> "none"]
        /\ pc = [self \in ProcSet |-> CASE self \in Procs -> "ncs"
                                        [] self = Timer -> "tk"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "look"]
             /\ UNCHANGED << word, head, queue, expired, asleep, nsby, inq, 
                             ahead, want, seen >>

look(self) == /\ pc[self] = "look"
              /\ \/ /\ StealOK(word) \/ StaleOK(word)
                    /\ word' = [word EXCEPT !.l = TRUE]
                    /\ pc' = [pc EXCEPT ![self] = "cs"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "enq"]
                    /\ word' = word
              /\ UNCHANGED << head, queue, expired, asleep, nsby, inq, ahead, 
                              want, seen >>

enq(self) == /\ pc[self] = "enq"
             /\ ahead' = [ahead EXCEPT ![self] = inq]
             /\ inq' = (inq \cup {self})
             /\ IF head = NIL
                   THEN /\ head' = self
                        /\ queue' = queue
                   ELSE /\ queue' = Append(queue, self)
                        /\ head' = head
             /\ pc' = [pc EXCEPT ![self] = "h_wait"]
             /\ UNCHANGED << word, expired, asleep, nsby, want, seen >>

h_wait(self) == /\ pc[self] = "h_wait"
                /\ head = self
                /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                /\ UNCHANGED << word, head, queue, expired, asleep, nsby, inq, 
                                ahead, want, seen >>

h_loop(self) == /\ pc[self] = "h_loop"
                /\ IF ~word.l
                      THEN /\ IF BUG = "storeacq"
                                 THEN /\ pc' = [pc EXCEPT ![self] = "h_store"]
                                      /\ UNCHANGED << word, nsby, inq, ahead >>
                                 ELSE /\ word' = LockedW
                                      /\ nsby' = NIL
                                      /\ inq' = inq \ {self}
                                      /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
                                      /\ pc' = [pc EXCEPT ![self] = "h_pass"]
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
                /\ UNCHANGED << head, queue, expired, asleep, seen >>

h_fwait(self) == /\ pc[self] = "h_fwait"
                 /\ IF word = want[self]
                       THEN /\ asleep' = (asleep \cup {self})
                       ELSE /\ TRUE
                            /\ UNCHANGED asleep
                 /\ want' = [want EXCEPT ![self] = FreeW]
                 /\ pc' = [pc EXCEPT ![self] = "h_slept"]
                 /\ UNCHANGED << word, head, queue, expired, nsby, inq, ahead, 
                                 seen >>

h_slept(self) == /\ pc[self] = "h_slept"
                 /\ self \notin asleep
                 /\ pc' = [pc EXCEPT ![self] = "h_loop"]
                 /\ UNCHANGED << word, head, queue, expired, asleep, nsby, inq, 
                                 ahead, want, seen >>

h_store(self) == /\ pc[self] = "h_store"
                 /\ word' = LockedW
                 /\ nsby' = NIL
                 /\ inq' = inq \ {self}
                 /\ ahead' = [q \in Procs |-> ahead[q] \ {self}]
                 /\ pc' = [pc EXCEPT ![self] = "h_pass"]
                 /\ UNCHANGED << head, queue, expired, asleep, want, seen >>

h_pass(self) == /\ pc[self] = "h_pass"
                /\ IF queue = << >>
                      THEN /\ head' = NIL
                           /\ queue' = queue
                      ELSE /\ head' = Head(queue)
                           /\ queue' = Tail(queue)
                /\ expired' = FALSE
                /\ ahead' = [ahead EXCEPT ![self] = {}]
                /\ pc' = [pc EXCEPT ![self] = "cs"]
                /\ UNCHANGED << word, asleep, nsby, inq, want, seen >>

cs(self) == /\ pc[self] = "cs"
            /\ TRUE
            /\ pc' = [pc EXCEPT ![self] = "u_rel"]
            /\ UNCHANGED << word, head, queue, expired, asleep, nsby, inq, 
                            ahead, want, seen >>

u_rel(self) == /\ pc[self] = "u_rel"
               /\ IF BUG = "plainunlock"
                     THEN /\ word' = FreeW
                          /\ pc' = [pc EXCEPT ![self] = "ncs"]
                          /\ seen' = seen
                     ELSE /\ IF BUG = "checkstore" /\ word = LockedW
                                THEN /\ pc' = [pc EXCEPT ![self] = "u_store"]
                                     /\ UNCHANGED << word, seen >>
                                ELSE /\ seen' = [seen EXCEPT ![self] = word.hs]
                                     /\ word' = Released(word)
                                     /\ pc' = [pc EXCEPT ![self] = "u_wake"]
               /\ UNCHANGED << head, queue, expired, asleep, nsby, inq, ahead, 
                               want >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF seen[self] = "parked"
                      THEN /\ \E q \in IF asleep = {} THEN {NIL} ELSE asleep:
                                asleep' = asleep \ {q}
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ seen' = [seen EXCEPT ![self] = "none"]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << word, head, queue, expired, nsby, inq, ahead, 
                                want >>

u_store(self) == /\ pc[self] = "u_store"
                 /\ word' = FreeW
                 /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << head, queue, expired, asleep, nsby, inq, 
                                 ahead, want, seen >>

p(self) == ncs(self) \/ look(self) \/ enq(self) \/ h_wait(self)
              \/ h_loop(self) \/ h_fwait(self) \/ h_slept(self)
              \/ h_store(self) \/ h_pass(self) \/ cs(self) \/ u_rel(self)
              \/ u_wake(self) \/ u_store(self)

tk == /\ pc[Timer] = "tk"
      /\ head # NIL /\ ~expired
      /\ expired' = TRUE
      /\ pc' = [pc EXCEPT ![Timer] = "tk"]
      /\ UNCHANGED << word, head, queue, asleep, nsby, inq, ahead, want, seen >>

t == tk

Next == t
           \/ (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))
        /\ WF_vars(t)

\* END TRANSLATION

Trying(q) == pc[q] \in {"look", "enq", "h_wait", "h_loop", "h_fwait",
                        "h_slept", "h_store", "h_pass"}
\* holding the lock: from the acquisition to the release step
Holds(q) == pc[q] \in {"h_pass", "cs", "u_rel", "u_store"}
MutualExclusion == \A a, b \in Procs : a # b => ~(Holds(a) /\ Holds(b))
FIFO == \A q \in Procs : pc[q] = "h_pass" => ahead[q] = {}
\* an acquisition: a successful look, or the head's CAS (or store)
Acquires(q) == pc[q] \in {"look", "h_loop", "h_store"} /\ pc'[q] \in {"cs", "h_pass"}
BoundedOvertaking == [][\A q \in Procs : Acquires(q) => (~word.ns \/ nsby = q)]_vars
NoLostWakeup == \A q \in Procs : q \in asleep ~> q \notin asleep
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
=============================================================================
