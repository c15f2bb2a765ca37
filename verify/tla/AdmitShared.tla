---------------------------- MODULE AdmitShared ----------------------------
(***************************************************************************)
(* The admission gate of a shared table (lockmgr/admit.c, README          *)
(* "Admission"): the word holds a bit per process with chained waits      *)
(* under way, counted per process; a process may die at any step, and the *)
(* recovery (lk__admit_forget) then zeroes its count, clears its bit and  *)
(* wakes every sleeper.  Process 0 has two chained waits (W1, W2), process *)
(* 1 one (W3), which may be killed; one begin.  The C's RMWs on the word  *)
(* and the counts are seq_cst, so whole steps interleaved are exact.      *)
(*                                                                         *)
(*  step    | C                                                            *)
(*  --------+------------------------------------------------------------- *)
(*  Add     | fetch_add(admit_proc[p], 1)            lk__admit_enter        *)
(*  Or      | fetch_or(admit, bit p) if the add returned 0                  *)
(*  Sub     | fetch_sub(admit_proc[p], 1)            lk__admit_leave        *)
(*  And     | fetch_and(admit, ~bit p) if the sub returned 1: old bits and  *)
(*          | SLEEPERS in one step                                          *)
(*  Open    | fetch_and(admit, ~SLEEPERS) if SLEEPERS was set and no other  *)
(*          | bit (admit_open's first half)                                 *)
(*  Wake    | lk__lm_wake(admit, 1)                  (its second half; a   *)
(*          | woken begin relays to the next, Admit.tla: with one begin    *)
(*          | here, a wake of one is a wake of all)                        *)
(*  Kill    | process 1 dies (W3 takes no more steps)                       *)
(*  Zero, Clear, KOpen, KWake | the recovery: admit_proc[2] = 0; clear     *)
(*          | bit 1; admit_open(m, INT32_MAX)                               *)
(*  Look, Announce, Park, Slept | the begin, as in Admit.tla, on the bits  *)
(* No clock: a lost wake-up is a begin asleep for ever (TLC: deadlock).   *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "keepsbit":   the recovery zeroes the count and leaves the bit.       *)
(*  "nowake":     it clears the bit and wakes nobody.                      *)
(*  "openiflast": it wakes only when no other bit stands (the first form  *)
(*                of lk__admit_forget): W3 clears SLEEPERS and dies       *)
(*                before its wake, W1 sets process 0's bit, the recovery  *)
(*                sees it and wakes nobody, and W1's leave finds SLEEPERS *)
(*                clear.                                                   *)
(* Properties: BitsExact (once every wait has ended, or died and been     *)
(* recovered, no bit is left), invariant; no begin left asleep (deadlock); *)
(* AllPass, the begin passes (weak fairness; the kill itself has none).   *)
(***************************************************************************)
EXTENDS Integers
CONSTANTS BUG
Waits == {1, 2, 3}
Proc(w) == IF w = 3 THEN 1 ELSE 0
Bg == 4

VARIABLES bits, sleepers, cnt, asleep, pc, oc, ob, os, dead, kpc, kob, c, b
vars == << bits, sleepers, cnt, asleep, pc, oc, ob, os, dead, kpc, kob, c, b >>

Init == /\ bits = {}
        /\ sleepers = FALSE
        /\ cnt = [q \in {0, 1} |-> 0]
        /\ asleep = {}
        /\ pc = [w \in Waits \cup {Bg} |-> IF w = Bg THEN "look" ELSE "add"]
        /\ oc = [w \in Waits |-> 0]
        /\ ob = [w \in Waits |-> {}]
        /\ os = [w \in Waits |-> FALSE]
        /\ dead = FALSE
        /\ kpc = "start"
        /\ kob = {}
        /\ c = {}
        /\ b = FALSE

Goto(w, l) == pc' = [pc EXCEPT ![w] = l]
Alive(w) == w # 3 \/ ~dead

Add(w) == /\ pc[w] = "add" /\ Alive(w)
          /\ oc' = [oc EXCEPT ![w] = cnt[Proc(w)]]
          /\ cnt' = [cnt EXCEPT ![Proc(w)] = @ + 1]
          /\ Goto(w, "or")
          /\ UNCHANGED << bits, sleepers, asleep, ob, os, dead, kpc, kob, c, b >>

Or(w) == /\ pc[w] = "or" /\ Alive(w)
         /\ IF oc[w] = 0 THEN bits' = bits \cup {Proc(w)} ELSE UNCHANGED bits
         /\ Goto(w, "sub")
         /\ UNCHANGED << sleepers, cnt, asleep, oc, ob, os, dead, kpc, kob, c, b >>

Sub(w) == /\ pc[w] = "sub" /\ Alive(w)
          /\ oc' = [oc EXCEPT ![w] = cnt[Proc(w)]]
          /\ cnt' = [cnt EXCEPT ![Proc(w)] = @ - 1]
          /\ Goto(w, "and")
          /\ UNCHANGED << bits, sleepers, asleep, ob, os, dead, kpc, kob, c, b >>

And(w) == /\ pc[w] = "and" /\ Alive(w)
          /\ IF oc[w] = 1
               THEN /\ ob' = [ob EXCEPT ![w] = bits]
                    /\ os' = [os EXCEPT ![w] = sleepers]
                    /\ bits' = bits \ {Proc(w)}
                    /\ Goto(w, "open")
               ELSE UNCHANGED << bits, ob, os >> /\ Goto(w, "done")
          /\ UNCHANGED << sleepers, cnt, asleep, oc, dead, kpc, kob, c, b >>

Open(w) == /\ pc[w] = "open" /\ Alive(w)
           /\ IF os[w] /\ ob[w] \ {Proc(w)} = {}
                THEN sleepers' = FALSE /\ Goto(w, "wake")
                ELSE UNCHANGED sleepers /\ Goto(w, "done")
           /\ UNCHANGED << bits, cnt, asleep, oc, ob, os, dead, kpc, kob, c, b >>

Wake(w) == /\ pc[w] = "wake" /\ Alive(w)
           /\ asleep' = {}
           /\ Goto(w, "done")
           /\ UNCHANGED << bits, sleepers, cnt, oc, ob, os, dead, kpc, kob, c, b >>

WaitStep(w) == Add(w) \/ Or(w) \/ Sub(w) \/ And(w) \/ Open(w) \/ Wake(w)

Kill == /\ kpc = "start" /\ pc[3] # "done"
        /\ dead' = TRUE /\ kpc' = "zero"
        /\ UNCHANGED << bits, sleepers, cnt, asleep, pc, oc, ob, os, kob, c, b >>

Zero == /\ kpc = "zero"
        /\ cnt' = [cnt EXCEPT ![1] = 0] /\ kpc' = "clear"
        /\ UNCHANGED << bits, sleepers, asleep, pc, oc, ob, os, dead, kob, c, b >>

Clear == /\ kpc = "clear"
         /\ kob' = bits
         /\ IF BUG = "keepsbit" THEN UNCHANGED bits ELSE bits' = bits \ {1}
         /\ kpc' = "open"
         /\ UNCHANGED << sleepers, cnt, asleep, pc, oc, ob, os, dead, c, b >>

KOpen == /\ kpc = "open"
         /\ IF BUG = "nowake" \/ (BUG = "openiflast" /\ kob \ {1} # {})
              THEN UNCHANGED sleepers /\ kpc' = "done"
              ELSE sleepers' = FALSE /\ kpc' = "wake"
         /\ UNCHANGED << bits, cnt, asleep, pc, oc, ob, os, dead, kob, c, b >>

KWake == /\ kpc = "wake"
         /\ asleep' = {} /\ kpc' = "done"
         /\ UNCHANGED << bits, sleepers, cnt, pc, oc, ob, os, dead, kob, c, b >>

Recover == Zero \/ Clear \/ KOpen \/ KWake

Look == /\ pc[Bg] = "look"
        /\ c' = bits /\ b' = sleepers
        /\ Goto(Bg, IF bits = {} THEN "pass" ELSE IF sleepers THEN "park" ELSE "announce")
        /\ UNCHANGED << bits, sleepers, cnt, asleep, oc, ob, os, dead, kpc, kob >>

Announce == /\ pc[Bg] = "announce"
            /\ IF bits = c /\ sleepers = b
                 THEN sleepers' = TRUE /\ b' = TRUE /\ Goto(Bg, "park")
                 ELSE UNCHANGED << sleepers, b >> /\ Goto(Bg, "look")
            /\ UNCHANGED << bits, cnt, asleep, oc, ob, os, dead, kpc, kob, c >>

Park == /\ pc[Bg] = "park"
        /\ IF bits = c /\ sleepers = b
             THEN asleep' = asleep \cup {Bg} /\ Goto(Bg, "slept")
             ELSE UNCHANGED asleep /\ Goto(Bg, "look")
        /\ UNCHANGED << bits, sleepers, cnt, oc, ob, os, dead, kpc, kob, c, b >>

Slept == /\ pc[Bg] = "slept" /\ Bg \notin asleep
         /\ Goto(Bg, "look")
         /\ UNCHANGED << bits, sleepers, cnt, asleep, oc, ob, os, dead, kpc, kob, c, b >>

BeginStep == Look \/ Announce \/ Park \/ Slept

(* every wait ended, or died and was recovered *)
WaitsOver == /\ \A w \in {1, 2} : pc[w] = "done"
             /\ pc[3] = "done" \/ kpc = "done"

Finished == WaitsOver /\ pc[Bg] = "pass" /\ UNCHANGED vars

Next == (\E w \in Waits : WaitStep(w)) \/ Kill \/ Recover \/ BeginStep \/ Finished

Spec == /\ Init /\ [][Next]_vars
        /\ \A w \in Waits : WF_vars(WaitStep(w))
        /\ WF_vars(Recover) /\ WF_vars(BeginStep)

BitsExact == WaitsOver => bits = {}
AllPass == <>(pc[Bg] = "pass")
=============================================================================
