------------------------------- MODULE Admit -------------------------------
(***************************************************************************)
(* The lock table's admission gate (lockmgr/admit.c, ADMIT.md).  *)
(* W chained waits each begin and end ROUNDS times; B begins each pass the *)
(* gate once.  The word m->admit is the pair (count, sleepers): the       *)
(* chained waits under way and LK__ADMIT_SLEEPERS; every step that reads  *)
(* or writes the word reads or writes both, as the C does on one uint32_t. *)
(* The C's atomics on it are relaxed; they touch one location, whose       *)
(* modification order is total, so whole steps interleaved are exact.     *)
(*                                                                         *)
(*  step     | C                                                           *)
(*  ---------+------------------------------------------------------------ *)
(*  Enter    | fetch_add(admit, 1)                        lk__admit_enter   *)
(*  Leave    | fetch_sub(admit, 1): the old count and bit lk__admit_leave   *)
(*  Clear    | fetch_and(admit, ~SLEEPERS) if the bit was set and the      *)
(*           | count went to 0                                             *)
(*  Wake     | lk__futex_wake(admit, 1): one sleeper                       *)
(*  Look     | load(admit)                                lk__admit_wait    *)
(*  Relay    | lk__futex_wake(admit, 1), by a begin that was woken and     *)
(*           | found the gate open, before it goes                         *)
(*  Announce | CAS(admit, v, v | SLEEPERS)                                 *)
(*  Park     | lk__futex_wait(admit, v, end): compare and sleep, one step  *)
(*  Slept    | asleep until a wake                                         *)
(* The C begin also goes when its time (admit_ns) runs out; the spec has   *)
(* no clock, so a lost wake-up is a begin asleep for ever (TLC: deadlock), *)
(* not one that waited its whole time.                                     *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "splitleave": the leaver reads the word, then decrements it in a      *)
(*                second step (Sub): a begin that announces itself in     *)
(*                between is never woken.                                  *)
(*  "storebit":   the begin stores (its count, TRUE) instead of a CAS: a  *)
(*                decrement in between is undone, the count never returns *)
(*                to 0 and the gate stays shut.                            *)
(*  "norelay":    a woken begin that finds the gate open goes without     *)
(*                waking the next: the opening woke one, so the others    *)
(*                are left asleep.                                         *)
(* The futex queue is a set: a wake of one may take any sleeper (the      *)
(* kernel takes the first queued; any covers that).                       *)
(*                                                                         *)
(* Properties: CountExact (once every wait has ended the count is 0),      *)
(* invariant; no begin left asleep (TLC's deadlock check: the end state    *)
(* stutters only when every process is done); AllPass, every begin passes  *)
(* (weak fairness).                                                        *)
(***************************************************************************)
EXTENDS Integers
CONSTANTS W, B, ROUNDS, BUG
Waits == 1..W
Begins == (W + 1)..(W + B)
Procs == Waits \cup Begins

VARIABLES count, sleepers, asleep, pc, rounds, oc, ob, c, b, woke
vars == << count, sleepers, asleep, pc, rounds, oc, ob, c, b, woke >>

Init == /\ count = 0
        /\ sleepers = FALSE
        /\ asleep = {}
        /\ pc = [p \in Procs |-> IF p \in Waits THEN "enter" ELSE "look"]
        /\ rounds = [p \in Waits |-> 0]
        /\ oc = [p \in Waits |-> 0]
        /\ ob = [p \in Waits |-> FALSE]
        /\ c = [p \in Begins |-> 0]
        /\ b = [p \in Begins |-> FALSE]
        /\ woke = [p \in Begins |-> FALSE]

Goto(p, l) == pc' = [pc EXCEPT ![p] = l]
(* a wait's end: the next round, or done *)
EndRound(p) == /\ rounds' = [rounds EXCEPT ![p] = @ + 1]
               /\ Goto(p, IF rounds[p] + 1 = ROUNDS THEN "done" ELSE "enter")

Enter(p) == /\ pc[p] = "enter"
            /\ count' = count + 1
            /\ Goto(p, "leave")
            /\ UNCHANGED << sleepers, asleep, rounds, oc, ob, c, b, woke >>

Leave(p) == /\ pc[p] = "leave"
            /\ oc' = [oc EXCEPT ![p] = count]
            /\ ob' = [ob EXCEPT ![p] = sleepers]
            /\ IF BUG = "splitleave"
                 THEN UNCHANGED count /\ Goto(p, "sub")
                 ELSE count' = count - 1 /\ Goto(p, "clear")
            /\ UNCHANGED << sleepers, asleep, rounds, c, b, woke >>

Sub(p) == /\ pc[p] = "sub"
          /\ count' = count - 1
          /\ Goto(p, "clear")
          /\ UNCHANGED << sleepers, asleep, rounds, oc, ob, c, b, woke >>

Clear(p) == /\ pc[p] = "clear"
            /\ IF ob[p] /\ oc[p] = 1
                 THEN sleepers' = FALSE /\ Goto(p, "wake") /\ UNCHANGED rounds
                 ELSE UNCHANGED sleepers /\ EndRound(p)
            /\ UNCHANGED << count, asleep, oc, ob, c, b, woke >>

(* a futex wake of one: any sleeper, or nobody if none sleeps *)
WakeOne == IF asleep = {} THEN UNCHANGED asleep
           ELSE \E q \in asleep : asleep' = asleep \ {q}

Wake(p) == /\ pc[p] = "wake"
           /\ WakeOne
           /\ EndRound(p)
           /\ UNCHANGED << count, sleepers, oc, ob, c, b, woke >>

Look(p) == /\ pc[p] = "look"
           /\ c' = [c EXCEPT ![p] = count]
           /\ b' = [b EXCEPT ![p] = sleepers]
           /\ Goto(p, IF count = 0 THEN IF woke[p] /\ BUG # "norelay"
                                         THEN "relay" ELSE "pass"
                      ELSE IF sleepers THEN "park" ELSE "announce")
           /\ UNCHANGED << count, sleepers, asleep, rounds, oc, ob, woke >>

Relay(p) == /\ pc[p] = "relay"
            /\ WakeOne
            /\ Goto(p, "pass")
            /\ UNCHANGED << count, sleepers, rounds, oc, ob, c, b, woke >>

Announce(p) ==
    /\ pc[p] = "announce"
    /\ IF BUG = "storebit"
         THEN /\ count' = c[p] /\ sleepers' = TRUE
              /\ b' = [b EXCEPT ![p] = TRUE] /\ Goto(p, "park")
         ELSE IF count = c[p] /\ sleepers = b[p]
                THEN /\ sleepers' = TRUE /\ b' = [b EXCEPT ![p] = TRUE]
                     /\ Goto(p, "park") /\ UNCHANGED count
                ELSE Goto(p, "look") /\ UNCHANGED << count, sleepers, b >>
    /\ UNCHANGED << asleep, rounds, oc, ob, c, woke >>

Park(p) == /\ pc[p] = "park"
           /\ IF count = c[p] /\ sleepers = b[p]
                THEN asleep' = asleep \cup {p} /\ Goto(p, "slept")
                     /\ UNCHANGED woke
                ELSE /\ UNCHANGED asleep /\ Goto(p, "look")
                     (* the C's futex_wait returned at once: no wake spent *)
                     /\ woke' = [woke EXCEPT ![p] = FALSE]
           /\ UNCHANGED << count, sleepers, rounds, oc, ob, c, b >>

Slept(p) == /\ pc[p] = "slept"
            /\ p \notin asleep
            /\ woke' = [woke EXCEPT ![p] = TRUE]
            /\ Goto(p, "look")
            /\ UNCHANGED << count, sleepers, asleep, rounds, oc, ob, c, b >>

WaitStep(p) == Enter(p) \/ Leave(p) \/ Sub(p) \/ Clear(p) \/ Wake(p)
BeginStep(p) == Look(p) \/ Relay(p) \/ Announce(p) \/ Park(p) \/ Slept(p)

(* every process finished: stutter (not a deadlock) *)
Finished == /\ \A p \in Waits : pc[p] = "done"
            /\ \A p \in Begins : pc[p] = "pass"
            /\ UNCHANGED vars

Next == (\E p \in Waits : WaitStep(p)) \/ (\E p \in Begins : BeginStep(p))
        \/ Finished

Spec == /\ Init /\ [][Next]_vars
        /\ \A p \in Waits : WF_vars(WaitStep(p))
        /\ \A p \in Begins : WF_vars(BeginStep(p))

CountExact == (\A p \in Waits : pc[p] = "done") => count = 0
AllPass == <>(\A p \in Begins : pc[p] = "pass")
=============================================================================
