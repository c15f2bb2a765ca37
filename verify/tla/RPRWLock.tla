------------------------------ MODULE RPRWLock ------------------------------
(***************************************************************************)
(* Reader-preferring parking reader-writer latch in one futex word         *)
(* (Courtois, Heymans and Parnas 1971, problem 1, on Drepper's futex       *)
(* style).  Models primitives/rprwlock.h: lk__rpw_rdlock_ (rdlock,         *)
(* rdtimedlock) + lk__rpw_rdslow_, rdunlock, lk__rpw_rdout_ +              *)
(* lk__rpw_last_reader_, lk__rpw_wrlock_ (wrlock, wrtimedlock) +           *)
(* lk__rpw_wrslow_, wrunlock.  (rdtrylock and wrtrylock are the slow       *)
(* paths' CAS alone: a failing one changes nothing.)  The word is four     *)
(* fields: wr (WR), rwait (RWAIT), wwait (WWAIT), rd (RD); SHARED only     *)
(* picks the futex flavour and is left out. Each iteration a thread picks  *)
(* rdlock, wrlock (a thread in WRITERS), or, when TIMEOUTS says,           *)
(* rdtimedlock / wrtimedlock; a thread in RECURSE may, holding one read    *)
(* lock, take a second one before it unlocks (what glibc's default kind    *)
(* allows).                                                                *)
(* lk__wait() is one step: a spin, or the kernel's compare-and-sleep on    *)
(* the whole word against the value v the loop saw; a timed wait may give  *)
(* up there (leaving its bit set) or time out of a sleep. Whether a call   *)
(* parks (park: lk__wait_would_park()) is chosen once at the start of the  *)
(* slow path: spin steps change nothing shared, so a waiter that spins and *)
(* then parks acts as one that parks from a later iteration. No spurious   *)
(* futex returns: they could only hide a lost wake-up.                     *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  r_add    | o = fetch_add(&word, RD1, acquire): in iff o has no WR      *)
(*  r_back   | rdslow_: rdout_(false): o = fetch_sub(&word, RD1, relaxed); *)
(*           |   RD was 1 and WWAIT set: last_reader_                      *)
(*  r_bclr   | last_reader_: o = fetch_and(&word, ~WWAIT, relaxed)         *)
(*  r_bwake  | o had WWAIT: futex_wake(&word, INT32_MAX)                   *)
(*  r_loop   | v = load(&word, relaxed); no WR: CAS_weak(v, v + RD1,       *)
(*           |   acquire), in (merged: a failing CAS only loops); else,    *)
(*           |   parking and no RWAIT in v: CAS_weak(v, v | RWAIT)         *)
(*  r_wait   | lk__wait(&w, &word, v): spin, or futex_wait(&word, v), or   *)
(*           |   (timed) return false                                      *)
(*  r_sleep  | asleep until a futex_wake on the word (or, timed, the       *)
(*           |   futex timeout)                                            *)
(*  r_unlock | rdunlock: rdout_(true): o = fetch_sub(&word, RD1, release)  *)
(*  r_uclr,  | as r_bclr, r_bwake                                          *)
(*  r_uwake  |                                                             *)
(*  w_fast   | CAS(&word, 0, WR, acquire)                                  *)
(*  w_loop   | v = load; no WR, no RD: CAS_weak(v, v | WR, acquire), in    *)
(*           |   (merged); else, parking and no WWAIT in v:                *)
(*           |   CAS_weak(v, v | WWAIT)                                    *)
(*  w_wait,  | as r_wait, r_sleep                                          *)
(*  w_sleep  |                                                             *)
(*  w_unlock | o = fetch_and(&word, ~(WR|RWAIT|WWAIT), release)            *)
(*  w_wake   | o had RWAIT or WWAIT: futex_wake(&word, INT32_MAX)          *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "lastnowake":  rdout_ never calls last_reader_: the reader that takes  *)
(*                 RD to 0 with WWAIT set neither clears nor wakes; a      *)
(*                 writer parked behind readers sleeps on (NoLostWakeup).  *)
(*  "wrignoresrd": the writer's slow CAS looks at WR only: it enters with  *)
(*                 readers inside (RWExclusion).                           *)
(*  "wpref":       the reader's fetch_add admits only with neither WR nor  *)
(*                 WWAIT (writer preference at the door): a reader that    *)
(*                 holds the latch is sent to wait behind a waiting writer *)
(*                 that waits for it (ReaderPreference).                   *)
(*  "wakeload":    wrunlock reads the waiting bits by a load before its    *)
(*                 clearing RMW (in w_cs): a waiter that sets its bit and  *)
(*                 sleeps in between is never woken (NoLostWakeup).        *)
(*                                                                         *)
(* Properties: TypeOK; RWExclusion (invariant); RWaitOnlyWithWR (RWAIT =>  *)
(* WR: a parked reader always has a writer to wake it); ReaderPreference   *)
(* (invariant: a thread that holds a read lock is never in the reader's    *)
(* slow path, so its recursive read lock is admitted at once, writers      *)
(* waiting or not); NoLostWakeup (weak fairness: an untimed sleeper is     *)
(* woken once what it waits for has come: no WR for a reader, no WR and no *)
(* RD for a writer; with timeouts, giving-up waiters leave their bits);    *)
(* and DeadlockFreedom (weak fairness, no timeouts: someone trying gets    *)
(* in; the non-critical section may last forever). Neither readers nor     *)
(* writers are starvation-free, as the header says: overlapping readers    *)
(* keep a writer asleep (a plain "a sleeper is woken" fails on that,       *)
(* rightly). Bounds: N = 3 threads, thread 1 may recurse once (liveness:   *)
(* thread 1 only reads, threads 2 and 3 read or write); N = 2 for the      *)
(* timed liveness check.                                                   *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG, TIMEOUTS, RECURSE, WRITERS
Procs == 1..N

(* --algorithm RPRWLock {
variables wr = FALSE, rwait = FALSE, wwait = FALSE, rd = 0,
          slp = {};  \* threads asleep in futex_wait on the word
define {
  Word == [wr |-> wr, rwait |-> rwait, wwait |-> wwait, rd |-> rd]
  Zero == [wr |-> FALSE, rwait |-> FALSE, wwait |-> FALSE, rd |-> 0]
  \* the door: no writer holds it (with "wpref": none waits either)
  Door == ~wr /\ (BUG # "wpref" \/ ~wwait)
  \* the fetch_sub of an rdout_ (tested before it) is the last reader out,
  \* with WWAIT set
  LastOut == rd = 1 /\ wwait /\ BUG # "lastnowake"
}
fair process (p \in Procs)
variables v = Zero,      \* the word lk__wait compares against
          park = FALSE,  \* lk__wait_would_park()
          timed = FALSE, \* this call has a deadline
          holds = 0,     \* read locks held
          wk = FALSE;    \* "wakeload": the bits wrunlock loaded
{
ncs:- while (TRUE) {
        either { goto r_add }
        or { await "r" \in TIMEOUTS; timed := TRUE; goto r_add }
        or { await self \in WRITERS; goto w_fast }
        or { await self \in WRITERS /\ "w" \in TIMEOUTS; timed := TRUE; goto w_fast };
r_add:  rd := rd + 1;
        if (Door) { holds := holds + 1; goto r_cs } else goto r_back;
r_back: with (b \in BOOLEAN) park := b;
        if (LastOut) { rd := rd - 1; goto r_bclr }
        else { rd := rd - 1; goto r_loop };
r_bclr: if (wwait) { wwait := FALSE; goto r_bwake } else goto r_loop;
r_bwake: slp := {};
r_loop: if (~wr) { rd := rd + 1; holds := holds + 1; park := FALSE; goto r_cs }
        else if (park /\ ~rwait) { rwait := TRUE; v := [Word EXCEPT !.rwait = TRUE] }
        else if (park) v := Word;
r_wait: either { await timed; timed := FALSE; park := FALSE; v := Zero; goto ncs }
        or { await ~park; goto r_loop }
        or { await park;
             if (Word = v) slp := slp \cup {self}
             else { v := Zero; goto r_loop } };
r_sleep: either await self \notin slp
         or { await timed /\ self \in slp; slp := slp \ {self} };
         v := Zero; goto r_loop;
r_cs:   either { await self \in RECURSE /\ holds = 1; goto r_add } or skip;
r_unlock: if (LastOut) { rd := rd - 1; holds := holds - 1; goto r_uclr }
        else if (holds > 1) { rd := rd - 1; holds := holds - 1; goto r_unlock }
        else { rd := rd - 1; holds := holds - 1; timed := FALSE; goto ncs };
r_uclr: if (wwait) { wwait := FALSE; goto r_uwake }
        else if (holds > 0) goto r_unlock
        else { timed := FALSE; goto ncs };
r_uwake: slp := {};
        if (holds > 0) goto r_unlock else { timed := FALSE; goto ncs };
w_fast: if (Word = Zero) { wr := TRUE; goto w_cs }
        else { with (b \in BOOLEAN) park := b; goto w_loop };
w_loop: if (~wr /\ (rd = 0 \/ BUG = "wrignoresrd")) {
          wr := TRUE; park := FALSE; goto w_cs }
        else if (park /\ ~wwait) { wwait := TRUE; v := [Word EXCEPT !.wwait = TRUE] }
        else if (park) v := Word;
w_wait: either { await timed; timed := FALSE; park := FALSE; v := Zero; goto ncs }
        or { await ~park; goto w_loop }
        or { await park;
             if (Word = v) slp := slp \cup {self}
             else { v := Zero; goto w_loop } };
w_sleep: either await self \notin slp
         or { await timed /\ self \in slp; slp := slp \ {self} };
         v := Zero; goto w_loop;
w_cs:   if (BUG = "wakeload") wk := rwait \/ wwait;
w_unlock: if (IF BUG = "wakeload" THEN wk ELSE rwait \/ wwait) {
          wr := FALSE || rwait := FALSE || wwait := FALSE; timed := FALSE;
          goto w_wake
        } else {
          wr := FALSE || rwait := FALSE || wwait := FALSE; timed := FALSE;
          goto ncs
        };
w_wake: slp := {}; wk := FALSE
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, wr, rwait, wwait, rd, slp

(* define statement *)
Word == [wr |-> wr, rwait |-> rwait, wwait |-> wwait, rd |-> rd]
Zero == [wr |-> FALSE, rwait |-> FALSE, wwait |-> FALSE, rd |-> 0]

Door == ~wr /\ (BUG # "wpref" \/ ~wwait)


LastOut == rd = 1 /\ wwait /\ BUG # "lastnowake"

VARIABLES v, park, timed, holds, wk

vars == << pc, wr, rwait, wwait, rd, slp, v, park, timed, holds, wk >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ wr = FALSE
        /\ rwait = FALSE
        /\ wwait = FALSE
        /\ rd = 0
        /\ slp = {}
        (* Process p *)
        /\ v = [self \in Procs |-> Zero]
        /\ park = [self \in Procs |-> FALSE]
        /\ timed = [self \in Procs |-> FALSE]
        /\ holds = [self \in Procs |-> 0]
        /\ wk = [self \in Procs |-> FALSE]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ pc' = [pc EXCEPT ![self] = "r_add"]
                   /\ timed' = timed
                \/ /\ "r" \in TIMEOUTS
                   /\ timed' = [timed EXCEPT ![self] = TRUE]
                   /\ pc' = [pc EXCEPT ![self] = "r_add"]
                \/ /\ self \in WRITERS
                   /\ pc' = [pc EXCEPT ![self] = "w_fast"]
                   /\ timed' = timed
                \/ /\ self \in WRITERS /\ "w" \in TIMEOUTS
                   /\ timed' = [timed EXCEPT ![self] = TRUE]
                   /\ pc' = [pc EXCEPT ![self] = "w_fast"]
             /\ UNCHANGED << wr, rwait, wwait, rd, slp, v, park, holds, wk >>

r_add(self) == /\ pc[self] = "r_add"
               /\ rd' = rd + 1
               /\ IF Door
                     THEN /\ holds' = [holds EXCEPT ![self] = holds[self] + 1]
                          /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "r_back"]
                          /\ holds' = holds
               /\ UNCHANGED << wr, rwait, wwait, slp, v, park, timed, wk >>

r_back(self) == /\ pc[self] = "r_back"
                /\ \E b \in BOOLEAN:
                     park' = [park EXCEPT ![self] = b]
                /\ IF LastOut
                      THEN /\ rd' = rd - 1
                           /\ pc' = [pc EXCEPT ![self] = "r_bclr"]
                      ELSE /\ rd' = rd - 1
                           /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                /\ UNCHANGED << wr, rwait, wwait, slp, v, timed, holds, wk >>

r_bclr(self) == /\ pc[self] = "r_bclr"
                /\ IF wwait
                      THEN /\ wwait' = FALSE
                           /\ pc' = [pc EXCEPT ![self] = "r_bwake"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                           /\ wwait' = wwait
                /\ UNCHANGED << wr, rwait, rd, slp, v, park, timed, holds, wk >>

r_bwake(self) == /\ pc[self] = "r_bwake"
                 /\ slp' = {}
                 /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, timed, holds, 
                                 wk >>

r_loop(self) == /\ pc[self] = "r_loop"
                /\ IF ~wr
                      THEN /\ rd' = rd + 1
                           /\ holds' = [holds EXCEPT ![self] = holds[self] + 1]
                           /\ park' = [park EXCEPT ![self] = FALSE]
                           /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                           /\ UNCHANGED << rwait, v >>
                      ELSE /\ IF park[self] /\ ~rwait
                                 THEN /\ rwait' = TRUE
                                      /\ v' = [v EXCEPT ![self] = [Word EXCEPT !.rwait = TRUE]]
                                 ELSE /\ IF park[self]
                                            THEN /\ v' = [v EXCEPT ![self] = Word]
                                            ELSE /\ TRUE
                                                 /\ v' = v
                                      /\ rwait' = rwait
                           /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                           /\ UNCHANGED << rd, park, holds >>
                /\ UNCHANGED << wr, wwait, slp, timed, wk >>

r_wait(self) == /\ pc[self] = "r_wait"
                /\ \/ /\ timed[self]
                      /\ timed' = [timed EXCEPT ![self] = FALSE]
                      /\ park' = [park EXCEPT ![self] = FALSE]
                      /\ v' = [v EXCEPT ![self] = Zero]
                      /\ pc' = [pc EXCEPT ![self] = "ncs"]
                      /\ slp' = slp
                   \/ /\ ~park[self]
                      /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                      /\ UNCHANGED <<slp, v, park, timed>>
                   \/ /\ park[self]
                      /\ IF Word = v[self]
                            THEN /\ slp' = (slp \cup {self})
                                 /\ pc' = [pc EXCEPT ![self] = "r_sleep"]
                                 /\ v' = v
                            ELSE /\ v' = [v EXCEPT ![self] = Zero]
                                 /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                                 /\ slp' = slp
                      /\ UNCHANGED <<park, timed>>
                /\ UNCHANGED << wr, rwait, wwait, rd, holds, wk >>

r_sleep(self) == /\ pc[self] = "r_sleep"
                 /\ \/ /\ self \notin slp
                       /\ slp' = slp
                    \/ /\ timed[self] /\ self \in slp
                       /\ slp' = slp \ {self}
                 /\ v' = [v EXCEPT ![self] = Zero]
                 /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, park, timed, holds, wk >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ \/ /\ self \in RECURSE /\ holds[self] = 1
                    /\ pc' = [pc EXCEPT ![self] = "r_add"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << wr, rwait, wwait, rd, slp, v, park, timed, holds, 
                              wk >>

r_unlock(self) == /\ pc[self] = "r_unlock"
                  /\ IF LastOut
                        THEN /\ rd' = rd - 1
                             /\ holds' = [holds EXCEPT ![self] = holds[self] - 1]
                             /\ pc' = [pc EXCEPT ![self] = "r_uclr"]
                             /\ timed' = timed
                        ELSE /\ IF holds[self] > 1
                                   THEN /\ rd' = rd - 1
                                        /\ holds' = [holds EXCEPT ![self] = holds[self] - 1]
                                        /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
                                        /\ timed' = timed
                                   ELSE /\ rd' = rd - 1
                                        /\ holds' = [holds EXCEPT ![self] = holds[self] - 1]
                                        /\ timed' = [timed EXCEPT ![self] = FALSE]
                                        /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << wr, rwait, wwait, slp, v, park, wk >>

r_uclr(self) == /\ pc[self] = "r_uclr"
                /\ IF wwait
                      THEN /\ wwait' = FALSE
                           /\ pc' = [pc EXCEPT ![self] = "r_uwake"]
                           /\ timed' = timed
                      ELSE /\ IF holds[self] > 0
                                 THEN /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
                                      /\ timed' = timed
                                 ELSE /\ timed' = [timed EXCEPT ![self] = FALSE]
                                      /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           /\ wwait' = wwait
                /\ UNCHANGED << wr, rwait, rd, slp, v, park, holds, wk >>

r_uwake(self) == /\ pc[self] = "r_uwake"
                 /\ slp' = {}
                 /\ IF holds[self] > 0
                       THEN /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
                            /\ timed' = timed
                       ELSE /\ timed' = [timed EXCEPT ![self] = FALSE]
                            /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, holds, wk >>

w_fast(self) == /\ pc[self] = "w_fast"
                /\ IF Word = Zero
                      THEN /\ wr' = TRUE
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                           /\ park' = park
                      ELSE /\ \E b \in BOOLEAN:
                                park' = [park EXCEPT ![self] = b]
                           /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                           /\ wr' = wr
                /\ UNCHANGED << rwait, wwait, rd, slp, v, timed, holds, wk >>

w_loop(self) == /\ pc[self] = "w_loop"
                /\ IF ~wr /\ (rd = 0 \/ BUG = "wrignoresrd")
                      THEN /\ wr' = TRUE
                           /\ park' = [park EXCEPT ![self] = FALSE]
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                           /\ UNCHANGED << wwait, v >>
                      ELSE /\ IF park[self] /\ ~wwait
                                 THEN /\ wwait' = TRUE
                                      /\ v' = [v EXCEPT ![self] = [Word EXCEPT !.wwait = TRUE]]
                                 ELSE /\ IF park[self]
                                            THEN /\ v' = [v EXCEPT ![self] = Word]
                                            ELSE /\ TRUE
                                                 /\ v' = v
                                      /\ wwait' = wwait
                           /\ pc' = [pc EXCEPT ![self] = "w_wait"]
                           /\ UNCHANGED << wr, park >>
                /\ UNCHANGED << rwait, rd, slp, timed, holds, wk >>

w_wait(self) == /\ pc[self] = "w_wait"
                /\ \/ /\ timed[self]
                      /\ timed' = [timed EXCEPT ![self] = FALSE]
                      /\ park' = [park EXCEPT ![self] = FALSE]
                      /\ v' = [v EXCEPT ![self] = Zero]
                      /\ pc' = [pc EXCEPT ![self] = "ncs"]
                      /\ slp' = slp
                   \/ /\ ~park[self]
                      /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                      /\ UNCHANGED <<slp, v, park, timed>>
                   \/ /\ park[self]
                      /\ IF Word = v[self]
                            THEN /\ slp' = (slp \cup {self})
                                 /\ pc' = [pc EXCEPT ![self] = "w_sleep"]
                                 /\ v' = v
                            ELSE /\ v' = [v EXCEPT ![self] = Zero]
                                 /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                                 /\ slp' = slp
                      /\ UNCHANGED <<park, timed>>
                /\ UNCHANGED << wr, rwait, wwait, rd, holds, wk >>

w_sleep(self) == /\ pc[self] = "w_sleep"
                 /\ \/ /\ self \notin slp
                       /\ slp' = slp
                    \/ /\ timed[self] /\ self \in slp
                       /\ slp' = slp \ {self}
                 /\ v' = [v EXCEPT ![self] = Zero]
                 /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, park, timed, holds, wk >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ IF BUG = "wakeload"
                    THEN /\ wk' = [wk EXCEPT ![self] = rwait \/ wwait]
                    ELSE /\ TRUE
                         /\ wk' = wk
              /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
              /\ UNCHANGED << wr, rwait, wwait, rd, slp, v, park, timed, holds >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ IF IF BUG = "wakeload" THEN wk[self] ELSE rwait \/ wwait
                        THEN /\ /\ rwait' = FALSE
                                /\ wr' = FALSE
                                /\ wwait' = FALSE
                             /\ timed' = [timed EXCEPT ![self] = FALSE]
                             /\ pc' = [pc EXCEPT ![self] = "w_wake"]
                        ELSE /\ /\ rwait' = FALSE
                                /\ wr' = FALSE
                                /\ wwait' = FALSE
                             /\ timed' = [timed EXCEPT ![self] = FALSE]
                             /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << rd, slp, v, park, holds, wk >>

w_wake(self) == /\ pc[self] = "w_wake"
                /\ slp' = {}
                /\ wk' = [wk EXCEPT ![self] = FALSE]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << wr, rwait, wwait, rd, v, park, timed, holds >>

p(self) == ncs(self) \/ r_add(self) \/ r_back(self) \/ r_bclr(self)
              \/ r_bwake(self) \/ r_loop(self) \/ r_wait(self)
              \/ r_sleep(self) \/ r_cs(self) \/ r_unlock(self)
              \/ r_uclr(self) \/ r_uwake(self) \/ w_fast(self)
              \/ w_loop(self) \/ w_wait(self) \/ w_sleep(self)
              \/ w_cs(self) \/ w_unlock(self) \/ w_wake(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : holds[q] > 0}
Writers == {q \in Procs : pc[q] \in {"w_cs", "w_unlock"}}
RWExclusion == \A w \in Writers : Readers = {} /\ Writers = {w}
TypeOK == /\ wr \in BOOLEAN /\ rwait \in BOOLEAN /\ wwait \in BOOLEAN
          /\ rd \in 0..(2 * N) /\ slp \subseteq Procs
          /\ holds \in [Procs -> 0..2] /\ park \in [Procs -> BOOLEAN]
          /\ timed \in [Procs -> BOOLEAN]
RWaitOnlyWithWR == rwait => wr
RSlow == {"r_back", "r_bclr", "r_bwake", "r_loop", "r_wait", "r_sleep"}
ReaderPreference == \A q \in Procs : holds[q] > 0 => pc[q] \notin RSlow
Trying(q) == pc[q] \in RSlow \cup {"r_add", "w_fast", "w_loop", "w_wait", "w_sleep"}
InCS(q) == pc[q] \in {"r_cs", "w_cs"}
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : InCS(q))
\* what a sleeper waits for: no WR (a reader), no WR and no RD (a writer)
CanGo(q) == IF pc[q] = "r_sleep" THEN ~wr ELSE ~wr /\ rd = 0
NoLostWakeup == \A q \in Procs : (q \in slp /\ ~timed[q] /\ CanGo(q)) ~> q \notin slp
=============================================================================
