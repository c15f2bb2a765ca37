-------------------------------- MODULE Once --------------------------------
(***************************************************************************)
(* Call-once on a futex word: NEW -> RUNNING -> DONE, with a WAITERS bit.  *)
(* Models primitives/once.h: lk_once / lk_once_ctx (+ lk_once_slow_).     *)
(* Each of N threads calls lk_once once; fn makes two writes (runs, data). *)
(* The word is the pair (st, wb): wb is the WAITERS bit; every step that   *)
(* reads or writes the word reads or writes both, as the C does on one     *)
(* uint32_t.  The model is sequentially consistent: "fn's effects before   *)
(* DONE" is the order of the effect steps and publish, and the seeded bug  *)
(* that reorders them stands for a relaxed (not release) publish.         *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  fast     | load(state, acquire): DONE returns at once (the done path)  *)
(*  claim    | CAS(state, NEW, RUNNING, acquire / acquire)                 *)
(*  effect,  | fn(): runs := runs + 1, then data := 1                      *)
(*  effect2  |                                                             *)
(*  publish  | exchange(state, DONE, release): returns WAITERS             *)
(*  pub2     | (BUG "splitswap" only: the store after a separate load)     *)
(*  wake     | lk__futex_wake(&state, INT32_MAX) if WAITERS was set        *)
(*  reload   | load(state, acquire) in lk__wait's spin phase               *)
(*  announce | CAS(state, s, s|WAITERS) once lk__wait would park           *)
(*  park     | lk__futex_wait(&state, s): compare and sleep, one step      *)
(*  slept    | asleep until a wake                                         *)
(*  ret      | lk_once returns (the ghost `seen` records data then)        *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "donefirst": DONE is published before fn's effects (a done flag set    *)
(*               first, or a relaxed publish): a caller returns seeing     *)
(*               data = 0.                                                 *)
(*  "splitswap": the runner loads the word, then stores DONE in a second   *)
(*               step: a waiter announcing itself in between is never      *)
(*               woken (lost wake-up).                                     *)
(*                                                                         *)
(* Properties: RunsOnce (fn runs at most once) and EffectsVisible (every   *)
(* caller that returned saw fn's effect), invariants; AllReturn: every     *)
(* caller returns (weak fairness).  Bounds: N = 3 threads.                 *)
(***************************************************************************)
EXTENDS Integers
CONSTANTS N, BUG
Procs == 1..N

(* --algorithm Once {
variables st = "new", wb = FALSE, data = 0, runs = 0, asleep = {},
          seen = [q \in Procs |-> -1];
fair process (p \in Procs)
variables s = "new", sw = FALSE, old = FALSE;
{
fast:   s := st; sw := wb;
top:    if (s = "done") {
          goto ret
        } else if (s = "new") {
claim:    if (st = "new") { st := "running"; goto run }
          else { s := st; sw := wb; goto top }
        } else {
          either {
reload:     s := st; sw := wb; goto top
          } or {
announce:   if (st = s /\ wb = sw) { wb := TRUE; sw := TRUE }
            else { s := st; sw := wb; goto top };
park:       if (st = s /\ wb = sw) asleep := asleep \cup {self};
slept:      await self \notin asleep;
            s := st; sw := wb; goto top
          }
        };
run:    if (BUG = "donefirst") { old := wb; st := "done"; wb := FALSE };
effect: runs := runs + 1;
effect2: data := 1;
        if (BUG = "donefirst") goto wake;
publish: if (BUG = "splitswap") { old := wb }
         else { old := wb; st := "done"; wb := FALSE };
pub2:   if (BUG = "splitswap") { st := "done"; wb := FALSE };
wake:   if (old) asleep := {};
ret:    seen[self] := data
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, st, wb, data, runs, asleep, seen, s, sw, old

vars == << pc, st, wb, data, runs, asleep, seen, s, sw, old >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ st = "new"
        /\ wb = FALSE
        /\ data = 0
        /\ runs = 0
        /\ asleep = {}
        /\ seen = [q \in Procs |-> -1]
        (* Process p *)
        /\ s = [self \in Procs |-> "new"]
        /\ sw = [self \in Procs |-> FALSE]
        /\ old = [self \in Procs |-> FALSE]
        /\ pc = [self \in ProcSet |-> "fast"]

fast(self) == /\ pc[self] = "fast"
              /\ s' = [s EXCEPT ![self] = st]
              /\ sw' = [sw EXCEPT ![self] = wb]
              /\ pc' = [pc EXCEPT ![self] = "top"]
              /\ UNCHANGED << st, wb, data, runs, asleep, seen, old >>

top(self) == /\ pc[self] = "top"
             /\ IF s[self] = "done"
                   THEN /\ pc' = [pc EXCEPT ![self] = "ret"]
                   ELSE /\ IF s[self] = "new"
                              THEN /\ pc' = [pc EXCEPT ![self] = "claim"]
                              ELSE /\ \/ /\ pc' = [pc EXCEPT ![self] = "reload"]
                                      \/ /\ pc' = [pc EXCEPT ![self] = "announce"]
             /\ UNCHANGED << st, wb, data, runs, asleep, seen, s, sw, old >>

claim(self) == /\ pc[self] = "claim"
               /\ IF st = "new"
                     THEN /\ st' = "running"
                          /\ pc' = [pc EXCEPT ![self] = "run"]
                          /\ UNCHANGED << s, sw >>
                     ELSE /\ s' = [s EXCEPT ![self] = st]
                          /\ sw' = [sw EXCEPT ![self] = wb]
                          /\ pc' = [pc EXCEPT ![self] = "top"]
                          /\ st' = st
               /\ UNCHANGED << wb, data, runs, asleep, seen, old >>

reload(self) == /\ pc[self] = "reload"
                /\ s' = [s EXCEPT ![self] = st]
                /\ sw' = [sw EXCEPT ![self] = wb]
                /\ pc' = [pc EXCEPT ![self] = "top"]
                /\ UNCHANGED << st, wb, data, runs, asleep, seen, old >>

announce(self) == /\ pc[self] = "announce"
                  /\ IF st = s[self] /\ wb = sw[self]
                        THEN /\ wb' = TRUE
                             /\ sw' = [sw EXCEPT ![self] = TRUE]
                             /\ pc' = [pc EXCEPT ![self] = "park"]
                             /\ s' = s
                        ELSE /\ s' = [s EXCEPT ![self] = st]
                             /\ sw' = [sw EXCEPT ![self] = wb]
                             /\ pc' = [pc EXCEPT ![self] = "top"]
                             /\ wb' = wb
                  /\ UNCHANGED << st, data, runs, asleep, seen, old >>

park(self) == /\ pc[self] = "park"
              /\ IF st = s[self] /\ wb = sw[self]
                    THEN /\ asleep' = (asleep \cup {self})
                    ELSE /\ TRUE
                         /\ UNCHANGED asleep
              /\ pc' = [pc EXCEPT ![self] = "slept"]
              /\ UNCHANGED << st, wb, data, runs, seen, s, sw, old >>

slept(self) == /\ pc[self] = "slept"
               /\ self \notin asleep
               /\ s' = [s EXCEPT ![self] = st]
               /\ sw' = [sw EXCEPT ![self] = wb]
               /\ pc' = [pc EXCEPT ![self] = "top"]
               /\ UNCHANGED << st, wb, data, runs, asleep, seen, old >>

run(self) == /\ pc[self] = "run"
             /\ IF BUG = "donefirst"
                   THEN /\ old' = [old EXCEPT ![self] = wb]
                        /\ st' = "done"
                        /\ wb' = FALSE
                   ELSE /\ TRUE
                        /\ UNCHANGED << st, wb, old >>
             /\ pc' = [pc EXCEPT ![self] = "effect"]
             /\ UNCHANGED << data, runs, asleep, seen, s, sw >>

effect(self) == /\ pc[self] = "effect"
                /\ runs' = runs + 1
                /\ pc' = [pc EXCEPT ![self] = "effect2"]
                /\ UNCHANGED << st, wb, data, asleep, seen, s, sw, old >>

effect2(self) == /\ pc[self] = "effect2"
                 /\ data' = 1
                 /\ IF BUG = "donefirst"
                       THEN /\ pc' = [pc EXCEPT ![self] = "wake"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "publish"]
                 /\ UNCHANGED << st, wb, runs, asleep, seen, s, sw, old >>

publish(self) == /\ pc[self] = "publish"
                 /\ IF BUG = "splitswap"
                       THEN /\ old' = [old EXCEPT ![self] = wb]
                            /\ UNCHANGED << st, wb >>
                       ELSE /\ old' = [old EXCEPT ![self] = wb]
                            /\ st' = "done"
                            /\ wb' = FALSE
                 /\ pc' = [pc EXCEPT ![self] = "pub2"]
                 /\ UNCHANGED << data, runs, asleep, seen, s, sw >>

pub2(self) == /\ pc[self] = "pub2"
              /\ IF BUG = "splitswap"
                    THEN /\ st' = "done"
                         /\ wb' = FALSE
                    ELSE /\ TRUE
                         /\ UNCHANGED << st, wb >>
              /\ pc' = [pc EXCEPT ![self] = "wake"]
              /\ UNCHANGED << data, runs, asleep, seen, s, sw, old >>

wake(self) == /\ pc[self] = "wake"
              /\ IF old[self]
                    THEN /\ asleep' = {}
                    ELSE /\ TRUE
                         /\ UNCHANGED asleep
              /\ pc' = [pc EXCEPT ![self] = "ret"]
              /\ UNCHANGED << st, wb, data, runs, seen, s, sw, old >>

ret(self) == /\ pc[self] = "ret"
             /\ seen' = [seen EXCEPT ![self] = data]
             /\ pc' = [pc EXCEPT ![self] = "Done"]
             /\ UNCHANGED << st, wb, data, runs, asleep, s, sw, old >>

p(self) == fast(self) \/ top(self) \/ claim(self) \/ reload(self)
              \/ announce(self) \/ park(self) \/ slept(self) \/ run(self)
              \/ effect(self) \/ effect2(self) \/ publish(self)
              \/ pub2(self) \/ wake(self) \/ ret(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in Procs: p(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars(p(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

RunsOnce == runs <= 1
EffectsVisible == \A q \in Procs : seen[q] \in {-1, 1}
AllReturn == <>(\A q \in Procs : pc[q] = "Done")
=============================================================================
