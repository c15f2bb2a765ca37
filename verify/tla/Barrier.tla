------------------------------- MODULE Barrier -------------------------------
(***************************************************************************)
(* Generation-counted barrier, parking on its generation word.             *)
(* Models primitives/barrier.h: lk_barrier_wait (+ lk_barrier_wait_slow_). *)
(* N threads use one barrier of N parties for R generations.  The word     *)
(* `gen` is the pair (gen, sl): sl is the SLEEPERS bit; every step on the  *)
(* word reads or writes both, as the C does on one uint32_t.  gen counts   *)
(* generations (the C counts by 2, bit 0 being SLEEPERS).                  *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  readgen  | load(gen, relaxed) before arriving                          *)
(*  arrive   | fetch_add(arrived, 1, acq_rel)                              *)
(*  reset    | store(arrived, 0, relaxed) (the serial thread)              *)
(*  flip     | exchange(gen, g + STEP, release): returns SLEEPERS          *)
(*  wake     | lk__futex_wake(&gen, INT32_MAX) if SLEEPERS was set         *)
(*  look     | load(gen, acquire) in the wait loop: left when changed;     *)
(*           |   otherwise spin (look again) or go on to park              *)
(*  announce | CAS(gen, v, v|SLEEPERS) once lk__wait would park            *)
(*  park     | lk__futex_wait(&gen, v): compare and sleep, one step        *)
(*  slept    | asleep until a wake                                         *)
(*  left     | lk_barrier_wait returns                                     *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "noflip":   the barrier does not flip its generation: the serial       *)
(*              thread marks it open (gen = 1) and waiters wait for        *)
(*              "open", a one-shot gate reused: in the second generation   *)
(*              a waiter finds it open before the others have arrived.     *)
(*  "genafter": a waiter reads gen after arriving: the serial thread may   *)
(*              flip in between, and the waiter then waits for a           *)
(*              generation that needs its own arrival (deadlock).          *)
(*                                                                         *)
(* Properties: NoEarlyExit (a thread that has left generation k finds      *)
(* every thread arrived at k), OneSerial (one serial thread per            *)
(* generation), invariants; AllFinish (weak fairness); TLC's deadlock      *)
(* check finds a thread left asleep.  Bounds: N = 3, R = 3 (safety);     *)
(* N = 3, R = 2 and N = 2, R = 4 (safety and liveness).                    *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, R, BUG
Procs == 1..N

(* --algorithm Barrier {
variables gen = 0, sl = FALSE, arrived = 0, asleep = {},
          round = [q \in Procs |-> 0], serials = [k \in 0..R |-> 0];
define {
  Passed(v, g) == IF BUG = "noflip" THEN v = 1 ELSE v # g
}
fair process (p \in Procs)
variables r = 0, g = 0, a = 0, v = 0, vs = FALSE, old = FALSE;
{
loop:   while (r < R) {
readgen:  if (BUG # "genafter") g := gen;
arrive:   arrived := arrived + 1; a := arrived; round[self] := r + 1;
aftergen: if (BUG = "genafter") g := gen;
          if (a = N) {
reset:      arrived := 0;
flip:       old := sl; sl := FALSE;
            gen := IF BUG = "noflip" THEN 1 ELSE g + 1;
wake:       if (old) asleep := {};
            serials[r] := serials[r] + 1;
            goto left
          };
look:     v := gen; vs := sl;
          if (Passed(v, g)) goto left
          else either goto look
          or {
announce:   if (gen = v /\ sl = vs) { sl := TRUE; vs := TRUE }
            else goto look;
park:       if (gen = v /\ sl = vs) asleep := asleep \cup {self};
slept:      await self \notin asleep;
            goto look
          };
left:     r := r + 1; a := 0; g := 0; v := 0; vs := FALSE; old := FALSE
        }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, gen, sl, arrived, asleep, round, serials

(* define statement *)
Passed(v, g) == IF BUG = "noflip" THEN v = 1 ELSE v # g

VARIABLES r, g, a, v, vs, old

vars == << pc, gen, sl, arrived, asleep, round, serials, r, g, a, v, vs, old
        >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ gen = 0
        /\ sl = FALSE
        /\ arrived = 0
        /\ asleep = {}
        /\ round = [q \in Procs |-> 0]
        /\ serials = [k \in 0..R |-> 0]
        (* Process p *)
        /\ r = [self \in Procs |-> 0]
        /\ g = [self \in Procs |-> 0]
        /\ a = [self \in Procs |-> 0]
        /\ v = [self \in Procs |-> 0]
        /\ vs = [self \in Procs |-> FALSE]
        /\ old = [self \in Procs |-> FALSE]
        /\ pc = [self \in ProcSet |-> "loop"]

loop(self) == /\ pc[self] = "loop"
              /\ IF r[self] < R
                    THEN /\ pc' = [pc EXCEPT ![self] = "readgen"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
              /\ UNCHANGED << gen, sl, arrived, asleep, round, serials, r, g, 
                              a, v, vs, old >>

readgen(self) == /\ pc[self] = "readgen"
                 /\ IF BUG # "genafter"
                       THEN /\ g' = [g EXCEPT ![self] = gen]
                       ELSE /\ TRUE
                            /\ g' = g
                 /\ pc' = [pc EXCEPT ![self] = "arrive"]
                 /\ UNCHANGED << gen, sl, arrived, asleep, round, serials, r, 
                                 a, v, vs, old >>

arrive(self) == /\ pc[self] = "arrive"
                /\ arrived' = arrived + 1
                /\ a' = [a EXCEPT ![self] = arrived']
                /\ round' = [round EXCEPT ![self] = r[self] + 1]
                /\ pc' = [pc EXCEPT ![self] = "aftergen"]
                /\ UNCHANGED << gen, sl, asleep, serials, r, g, v, vs, old >>

aftergen(self) == /\ pc[self] = "aftergen"
                  /\ IF BUG = "genafter"
                        THEN /\ g' = [g EXCEPT ![self] = gen]
                        ELSE /\ TRUE
                             /\ g' = g
                  /\ IF a[self] = N
                        THEN /\ pc' = [pc EXCEPT ![self] = "reset"]
                        ELSE /\ pc' = [pc EXCEPT ![self] = "look"]
                  /\ UNCHANGED << gen, sl, arrived, asleep, round, serials, r, 
                                  a, v, vs, old >>

reset(self) == /\ pc[self] = "reset"
               /\ arrived' = 0
               /\ pc' = [pc EXCEPT ![self] = "flip"]
               /\ UNCHANGED << gen, sl, asleep, round, serials, r, g, a, v, vs, 
                               old >>

flip(self) == /\ pc[self] = "flip"
              /\ old' = [old EXCEPT ![self] = sl]
              /\ sl' = FALSE
              /\ gen' = (IF BUG = "noflip" THEN 1 ELSE g[self] + 1)
              /\ pc' = [pc EXCEPT ![self] = "wake"]
              /\ UNCHANGED << arrived, asleep, round, serials, r, g, a, v, vs >>

wake(self) == /\ pc[self] = "wake"
              /\ IF old[self]
                    THEN /\ asleep' = {}
                    ELSE /\ TRUE
                         /\ UNCHANGED asleep
              /\ serials' = [serials EXCEPT ![r[self]] = serials[r[self]] + 1]
              /\ pc' = [pc EXCEPT ![self] = "left"]
              /\ UNCHANGED << gen, sl, arrived, round, r, g, a, v, vs, old >>

look(self) == /\ pc[self] = "look"
              /\ v' = [v EXCEPT ![self] = gen]
              /\ vs' = [vs EXCEPT ![self] = sl]
              /\ IF Passed(v'[self], g[self])
                    THEN /\ pc' = [pc EXCEPT ![self] = "left"]
                    ELSE /\ \/ /\ pc' = [pc EXCEPT ![self] = "look"]
                            \/ /\ pc' = [pc EXCEPT ![self] = "announce"]
              /\ UNCHANGED << gen, sl, arrived, asleep, round, serials, r, g, 
                              a, old >>

announce(self) == /\ pc[self] = "announce"
                  /\ IF gen = v[self] /\ sl = vs[self]
                        THEN /\ sl' = TRUE
                             /\ vs' = [vs EXCEPT ![self] = TRUE]
                             /\ pc' = [pc EXCEPT ![self] = "park"]
                        ELSE /\ pc' = [pc EXCEPT ![self] = "look"]
                             /\ UNCHANGED << sl, vs >>
                  /\ UNCHANGED << gen, arrived, asleep, round, serials, r, g, 
                                  a, v, old >>

park(self) == /\ pc[self] = "park"
              /\ IF gen = v[self] /\ sl = vs[self]
                    THEN /\ asleep' = (asleep \cup {self})
                    ELSE /\ TRUE
                         /\ UNCHANGED asleep
              /\ pc' = [pc EXCEPT ![self] = "slept"]
              /\ UNCHANGED << gen, sl, arrived, round, serials, r, g, a, v, vs, 
                              old >>

slept(self) == /\ pc[self] = "slept"
               /\ self \notin asleep
               /\ pc' = [pc EXCEPT ![self] = "look"]
               /\ UNCHANGED << gen, sl, arrived, asleep, round, serials, r, g, 
                               a, v, vs, old >>

left(self) == /\ pc[self] = "left"
              /\ r' = [r EXCEPT ![self] = r[self] + 1]
              /\ a' = [a EXCEPT ![self] = 0]
              /\ g' = [g EXCEPT ![self] = 0]
              /\ v' = [v EXCEPT ![self] = 0]
              /\ vs' = [vs EXCEPT ![self] = FALSE]
              /\ old' = [old EXCEPT ![self] = FALSE]
              /\ pc' = [pc EXCEPT ![self] = "loop"]
              /\ UNCHANGED << gen, sl, arrived, asleep, round, serials >>

p(self) == loop(self) \/ readgen(self) \/ arrive(self) \/ aftergen(self)
              \/ reset(self) \/ flip(self) \/ wake(self) \/ look(self)
              \/ announce(self) \/ park(self) \/ slept(self) \/ left(self)

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == (\E self \in Procs: p(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars(p(self))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION

(* A thread at `left` has just left generation r[q]: all have arrived. *)
NoEarlyExit == \A q \in Procs : pc[q] = "left" =>
                 \A j \in Procs : round[j] >= r[q] + 1
OneSerial == \A k \in 0..R : serials[k] <= 1
AllFinish == <>(\A q \in Procs : pc[q] = "Done")
=============================================================================
