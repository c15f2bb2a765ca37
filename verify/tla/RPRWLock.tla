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
(* rdlock (a thread in READERS), wrlock (a thread in WRITERS), or, when    *)
(* TIMEOUTS says, rdtimedlock / wrtimedlock; a thread in RECURSE may,      *)
(* holding one read lock, take a second one before it unlocks (what        *)
(* glibc's default kind allows).                                           *)
(* lk__wait() is one step: a spin, or the kernel's compare-and-sleep on    *)
(* the whole word against the value v the loop saw; a timed wait may give  *)
(* up there (a reader leaving its bit set, a writer that has parked        *)
(* through w_give) or time out of a sleep. As in the C, a sleep that ends, *)
(* woken or timed out, goes back to the loop: lk__wait gives up only       *)
(* before it sleeps. With "swallow" in TIMEOUTS a timed wait may also give *)
(* up straight out of its sleep, woken or not (a wait helper that checks   *)
(* its deadline after the futex returns): a woken writer can then take the *)
(* one writer wake with it, the case w_give is for. Whether a call parks   *)
(* (park: lk__wait_would_park()) is chosen once at the start of the slow   *)
(* path: spin steps change nothing shared, so a waiter that spins and then *)
(* parks acts as one that parks from a later iteration; parked is          *)
(* wrslow_'s `parked`, WWAIT from its first loop step that parks. The      *)
(* futex queue slp is FIFO, as Linux's for equal priorities: readers park  *)
(* with bitset READER, writers with WRITER; a wake of READER takes every   *)
(* parked reader out, one of WRITER the oldest parked writer. No spurious  *)
(* futex returns: they could only hide a lost wake-up.                     *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  r_add    | o = fetch_add(&word, RD1, acquire): in iff o has no WR      *)
(*  r_back   | rdslow_: rdout_(false): o = fetch_sub(&word, RD1, relaxed); *)
(*           |   RD was 1 and WWAIT set: last_reader_                      *)
(*  r_bclr   | last_reader_: o = fetch_and(&word, ~WWAIT, relaxed)         *)
(*  r_bwake  | o had WWAIT: futex_wake_bits(&word, 1, WRITER)              *)
(*  r_loop   | v = load(&word, relaxed); no WR: CAS_weak(v, v + RD1,       *)
(*           |   acquire), in (merged: a failing CAS only loops); else,    *)
(*           |   parking and no RWAIT in v: CAS_weak(v, v | RWAIT)         *)
(*  r_wait   | lk__wait(&w, &word, v): spin, or futex_wait_bits(&word, v,  *)
(*           |   READER), or (timed) return false                          *)
(*  r_sleep  | asleep until a wake takes it out of the queue (or, timed,   *)
(*           |   the futex timeout)                                        *)
(*  r_unlock | rdunlock: rdout_(true): o = fetch_sub(&word, RD1, release)  *)
(*  r_uclr,  | as r_bclr, r_bwake                                          *)
(*  r_uwake  |                                                             *)
(*  w_fast   | CAS(&word, 0, WR, acquire)                                  *)
(*  w_loop   | v = load; no WR, no RD: CAS_weak(v, v | WR | parked,        *)
(*           |   acquire), in (merged); else, parking: parked = WWAIT,     *)
(*           |   and with no WWAIT in v CAS_weak(v, v | WWAIT)             *)
(*  w_wait,  | as r_wait, r_sleep (bitset WRITER)                          *)
(*  w_sleep  |                                                             *)
(*  w_give   | lk__wait returned false; parked: o = fetch_or(&word, WWAIT, *)
(*           |   relaxed)                                                  *)
(*  w_gwake  | o had no WR, no RD: futex_wake_bits(&word, 1, WRITER)       *)
(*  w_unlock | o = fetch_and(&word, ~(WR|RWAIT|WWAIT), release)            *)
(*  w_rwake  | o had RWAIT: futex_wake_bits(&word, INT32_MAX, READER)      *)
(*  w_wwake  | o had WWAIT: futex_wake_bits(&word, 1, WRITER)              *)
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
(*  "nokeep":      a writer that has parked acquires with v | WR, not      *)
(*                 v | WR | WWAIT (the rule while every wake woke all):    *)
(*                 the reader's one wake went to it, its wrunlock wakes    *)
(*                 nobody, the other parked writer sleeps on               *)
(*                 (NoLostWakeup).                                         *)
(*  "timednopass": with "swallow", a timed writer that parked leaves       *)
(*                 without w_give: it took the one wake and gave up, the   *)
(*                 other parked writer sleeps on (NoLostWakeup). Without   *)
(*                 "swallow" it passes (checked by hand, N = 3): the woken *)
(*                 writer's loop step sets WWAIT again or acquires before  *)
(*                 lk__wait can give up, so w_give only guards a wait that *)
(*                 gives up straight after a wake.                         *)
(*  "timednowake": with "swallow", w_give sets WWAIT but never wakes: with *)
(*                 the latch free nobody is left to clear it and wake      *)
(*                 (NoLostWakeup; a Spin check, fails here too by hand).   *)
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
(* rightly). With one writer wake, a writer can now sleep on while the     *)
(* latch is free for a moment: the wake went to the other writer, which    *)
(* found a reader in, set WWAIT again and timed out; two overlapping       *)
(* readers then keep RD above 0 for ever (NoLostWakeup fails so at N = 3   *)
(* when thread 3 also reads, with or without "swallow"; it is starvation,  *)
(* not a lost wake-up: WWAIT stays set for the last reader out). The timed *)
(* N = 3 checks therefore let thread 1 alone read. NoStranded, the weaker  *)
(* "no untimed sleeper stays asleep while the latch stays free", holds     *)
(* there too (by hand, no cfg: N = 3, every thread reading and writing,    *)
(* TIMEOUTS = {"r", "w", "swallow"}, 490,000 states, 2.5 minutes).         *)
(* Bounds: N = 3 threads, thread 1 may recurse once (liveness: thread 1    *)
(* only reads, threads 2 and 3 read or write); N = 2 for the timed         *)
(* liveness check; N = 3 for the one-wake checks ("nokeep", "swallow"):    *)
(* thread 1 only reads, threads 2 and 3 only write, both park behind the   *)
(* reader, whose unlock wakes one.                                         *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets
CONSTANTS N, BUG, TIMEOUTS, RECURSE, READERS, WRITERS
Procs == 1..N

(* --algorithm RPRWLock {
variables wr = FALSE, rwait = FALSE, wwait = FALSE, rd = 0,
          slp = <<>>;  \* the futex queue: threads asleep on the word, oldest first
define {
  Word == [wr |-> wr, rwait |-> rwait, wwait |-> wwait, rd |-> rd]
  Zero == [wr |-> FALSE, rwait |-> FALSE, wwait |-> FALSE, rd |-> 0]
  \* the door: no writer holds it (with "wpref": none waits either)
  Door == ~wr /\ (BUG # "wpref" \/ ~wwait)
  \* the fetch_sub of an rdout_ (tested before it) is the last reader out,
  \* with WWAIT set
  LastOut == rd = 1 /\ wwait /\ BUG # "lastnowake"
  Asleep == {slp[i] : i \in DOMAIN slp}
  Drop(s, q) == SelectSeq(s, LAMBDA x : x # q)
  \* futex_wake_bits(&word, INT32_MAX, READER): every parked reader out
  WakeReaders == SelectSeq(slp, LAMBDA x : pc[x] # "r_sleep")
  \* futex_wake_bits(&word, 1, WRITER): the oldest parked writer out
  WSlp == {q \in Asleep : pc[q] = "w_sleep"}
  WakeWriter ==
    IF WSlp = {} THEN slp
    ELSE Drop(slp, slp[CHOOSE i \in DOMAIN slp :
                         /\ pc[slp[i]] = "w_sleep"
                         /\ \A j \in 1..(i - 1) : pc[slp[j]] # "w_sleep"])
  \* "swallow": a timed wait may give up as its sleep ends
  Swallow == "swallow" \in TIMEOUTS
}
macro wake_writer() { slp := WakeWriter }
fair process (p \in Procs)
variables v = Zero,       \* the word lk__wait compares against
          park = FALSE,   \* lk__wait_would_park()
          parked = FALSE, \* wrslow_'s parked: WWAIT once it has parked
          timed = FALSE,  \* this call has a deadline
          holds = 0,      \* read locks held
          wkr = FALSE,    \* wrunlock: o had RWAIT (for "wakeload": loaded)
          wkw = FALSE;    \* wrunlock: o had WWAIT (for "wakeload": loaded)
{
ncs:- while (TRUE) {
        either { await self \in READERS; goto r_add }
        or { await self \in READERS /\ "r" \in TIMEOUTS; timed := TRUE; goto r_add }
        or { await self \in WRITERS; goto w_fast }
        or { await self \in WRITERS /\ "w" \in TIMEOUTS; timed := TRUE; goto w_fast };
r_add:  rd := rd + 1;
        if (Door) { holds := holds + 1; goto r_cs } else goto r_back;
r_back: with (b \in BOOLEAN) park := b;
        if (LastOut) { rd := rd - 1; goto r_bclr }
        else { rd := rd - 1; goto r_loop };
r_bclr: if (wwait) { wwait := FALSE; goto r_bwake } else goto r_loop;
r_bwake: wake_writer();
r_loop: if (~wr) { rd := rd + 1; holds := holds + 1; park := FALSE; goto r_cs }
        else if (park /\ ~rwait) { rwait := TRUE; v := [Word EXCEPT !.rwait = TRUE] }
        else if (park) v := Word;
r_wait: either { await timed; timed := FALSE; park := FALSE; v := Zero; goto ncs }
        or { await ~park; goto r_loop }
        or { await park;
             if (Word = v) { slp := Append(slp, self); v := Zero }
             else { v := Zero; goto r_loop } };
r_sleep: either await self \notin Asleep
         or { await timed /\ self \in Asleep; slp := Drop(slp, self) };
         if (timed /\ Swallow) {
           either goto r_loop or { timed := FALSE; park := FALSE; goto ncs }
         } else goto r_loop;
r_cs:   either { await self \in RECURSE /\ holds = 1; goto r_add } or skip;
r_unlock: if (LastOut) { rd := rd - 1; holds := holds - 1; goto r_uclr }
        else if (holds > 1) { rd := rd - 1; holds := holds - 1; goto r_unlock }
        else { rd := rd - 1; holds := holds - 1; timed := FALSE; goto ncs };
r_uclr: if (wwait) { wwait := FALSE; goto r_uwake }
        else if (holds > 0) goto r_unlock
        else { timed := FALSE; goto ncs };
r_uwake: wake_writer();
        if (holds > 0) goto r_unlock else { timed := FALSE; goto ncs };
w_fast: if (Word = Zero) { wr := TRUE; goto w_cs }
        else { with (b \in BOOLEAN) park := b; goto w_loop };
w_loop: if (~wr /\ (rd = 0 \/ BUG = "wrignoresrd")) {
          \* once parked, keep WWAIT: other writers may sleep
          wr := TRUE; wwait := wwait \/ (parked /\ BUG # "nokeep");
          park := FALSE; parked := FALSE; goto w_cs }
        else if (park /\ ~wwait) {
          parked := TRUE; wwait := TRUE; v := [Word EXCEPT !.wwait = TRUE] }
        else if (park) { parked := TRUE; v := Word };
w_wait: either { await timed; v := Zero; goto w_give }
        or { await ~park; goto w_loop }
        or { await park;
             if (Word = v) { slp := Append(slp, self); v := Zero }
             else { v := Zero; goto w_loop } };
w_sleep: either await self \notin Asleep
         or { await timed /\ self \in Asleep; slp := Drop(slp, self) };
         if (timed /\ Swallow) { either goto w_loop or goto w_give }
         else goto w_loop;
\* lk__wait returned false. One that parked may have taken the one wake:
\* o = fetch_or(&word, WWAIT), and with no WR, no RD in o it wakes one
w_give: if (parked /\ BUG # "timednopass") {
          wwait := TRUE;
          if (~wr /\ rd = 0 /\ BUG # "timednowake") goto w_gwake
          else { timed := FALSE; park := FALSE; parked := FALSE; goto ncs }
        } else { timed := FALSE; park := FALSE; parked := FALSE; goto ncs };
w_gwake: wake_writer();
        timed := FALSE; park := FALSE; parked := FALSE; goto ncs;
w_cs:   if (BUG = "wakeload") { wkr := rwait; wkw := wwait };
w_unlock: with (r = IF BUG = "wakeload" THEN wkr ELSE rwait,
              w = IF BUG = "wakeload" THEN wkw ELSE wwait) {
          wr := FALSE || rwait := FALSE || wwait := FALSE; timed := FALSE;
          wkr := FALSE;
          if (r) { wkw := w; goto w_rwake }
          else if (w) { wkw := FALSE; goto w_wwake }
          else { wkw := FALSE; goto ncs }
        };
w_rwake: slp := WakeReaders;
        if (wkw) { wkw := FALSE; goto w_wwake } else goto ncs;
w_wwake: wake_writer()
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
Asleep == {slp[i] : i \in DOMAIN slp}
Drop(s, q) == SelectSeq(s, LAMBDA x : x # q)

WakeReaders == SelectSeq(slp, LAMBDA x : pc[x] # "r_sleep")

WSlp == {q \in Asleep : pc[q] = "w_sleep"}
WakeWriter ==
  IF WSlp = {} THEN slp
  ELSE Drop(slp, slp[CHOOSE i \in DOMAIN slp :
                       /\ pc[slp[i]] = "w_sleep"
                       /\ \A j \in 1..(i - 1) : pc[slp[j]] # "w_sleep"])

Swallow == "swallow" \in TIMEOUTS

VARIABLES v, park, parked, timed, holds, wkr, wkw

vars == << pc, wr, rwait, wwait, rd, slp, v, park, parked, timed, holds, wkr, 
           wkw >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ wr = FALSE
        /\ rwait = FALSE
        /\ wwait = FALSE
        /\ rd = 0
        /\ slp = <<>>
        (* Process p *)
        /\ v = [self \in Procs |-> Zero]
        /\ park = [self \in Procs |-> FALSE]
        /\ parked = [self \in Procs |-> FALSE]
        /\ timed = [self \in Procs |-> FALSE]
        /\ holds = [self \in Procs |-> 0]
        /\ wkr = [self \in Procs |-> FALSE]
        /\ wkw = [self \in Procs |-> FALSE]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ self \in READERS
                   /\ pc' = [pc EXCEPT ![self] = "r_add"]
                   /\ timed' = timed
                \/ /\ self \in READERS /\ "r" \in TIMEOUTS
                   /\ timed' = [timed EXCEPT ![self] = TRUE]
                   /\ pc' = [pc EXCEPT ![self] = "r_add"]
                \/ /\ self \in WRITERS
                   /\ pc' = [pc EXCEPT ![self] = "w_fast"]
                   /\ timed' = timed
                \/ /\ self \in WRITERS /\ "w" \in TIMEOUTS
                   /\ timed' = [timed EXCEPT ![self] = TRUE]
                   /\ pc' = [pc EXCEPT ![self] = "w_fast"]
             /\ UNCHANGED << wr, rwait, wwait, rd, slp, v, park, parked, holds, 
                             wkr, wkw >>

r_add(self) == /\ pc[self] = "r_add"
               /\ rd' = rd + 1
               /\ IF Door
                     THEN /\ holds' = [holds EXCEPT ![self] = holds[self] + 1]
                          /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "r_back"]
                          /\ holds' = holds
               /\ UNCHANGED << wr, rwait, wwait, slp, v, park, parked, timed, 
                               wkr, wkw >>

r_back(self) == /\ pc[self] = "r_back"
                /\ \E b \in BOOLEAN:
                     park' = [park EXCEPT ![self] = b]
                /\ IF LastOut
                      THEN /\ rd' = rd - 1
                           /\ pc' = [pc EXCEPT ![self] = "r_bclr"]
                      ELSE /\ rd' = rd - 1
                           /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                /\ UNCHANGED << wr, rwait, wwait, slp, v, parked, timed, holds, 
                                wkr, wkw >>

r_bclr(self) == /\ pc[self] = "r_bclr"
                /\ IF wwait
                      THEN /\ wwait' = FALSE
                           /\ pc' = [pc EXCEPT ![self] = "r_bwake"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                           /\ wwait' = wwait
                /\ UNCHANGED << wr, rwait, rd, slp, v, park, parked, timed, 
                                holds, wkr, wkw >>

r_bwake(self) == /\ pc[self] = "r_bwake"
                 /\ slp' = WakeWriter
                 /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, parked, timed, 
                                 holds, wkr, wkw >>

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
                /\ UNCHANGED << wr, wwait, slp, parked, timed, wkr, wkw >>

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
                            THEN /\ slp' = Append(slp, self)
                                 /\ v' = [v EXCEPT ![self] = Zero]
                                 /\ pc' = [pc EXCEPT ![self] = "r_sleep"]
                            ELSE /\ v' = [v EXCEPT ![self] = Zero]
                                 /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                                 /\ slp' = slp
                      /\ UNCHANGED <<park, timed>>
                /\ UNCHANGED << wr, rwait, wwait, rd, parked, holds, wkr, wkw >>

r_sleep(self) == /\ pc[self] = "r_sleep"
                 /\ \/ /\ self \notin Asleep
                       /\ slp' = slp
                    \/ /\ timed[self] /\ self \in Asleep
                       /\ slp' = Drop(slp, self)
                 /\ IF timed[self] /\ Swallow
                       THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                                  /\ UNCHANGED <<park, timed>>
                               \/ /\ timed' = [timed EXCEPT ![self] = FALSE]
                                  /\ park' = [park EXCEPT ![self] = FALSE]
                                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "r_loop"]
                            /\ UNCHANGED << park, timed >>
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, parked, holds, wkr, 
                                 wkw >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ \/ /\ self \in RECURSE /\ holds[self] = 1
                    /\ pc' = [pc EXCEPT ![self] = "r_add"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << wr, rwait, wwait, rd, slp, v, park, parked, 
                              timed, holds, wkr, wkw >>

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
                  /\ UNCHANGED << wr, rwait, wwait, slp, v, park, parked, wkr, 
                                  wkw >>

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
                /\ UNCHANGED << wr, rwait, rd, slp, v, park, parked, holds, 
                                wkr, wkw >>

r_uwake(self) == /\ pc[self] = "r_uwake"
                 /\ slp' = WakeWriter
                 /\ IF holds[self] > 0
                       THEN /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
                            /\ timed' = timed
                       ELSE /\ timed' = [timed EXCEPT ![self] = FALSE]
                            /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, parked, holds, 
                                 wkr, wkw >>

w_fast(self) == /\ pc[self] = "w_fast"
                /\ IF Word = Zero
                      THEN /\ wr' = TRUE
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                           /\ park' = park
                      ELSE /\ \E b \in BOOLEAN:
                                park' = [park EXCEPT ![self] = b]
                           /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                           /\ wr' = wr
                /\ UNCHANGED << rwait, wwait, rd, slp, v, parked, timed, holds, 
                                wkr, wkw >>

w_loop(self) == /\ pc[self] = "w_loop"
                /\ IF ~wr /\ (rd = 0 \/ BUG = "wrignoresrd")
                      THEN /\ wr' = TRUE
                           /\ wwait' = (wwait \/ (parked[self] /\ BUG # "nokeep"))
                           /\ park' = [park EXCEPT ![self] = FALSE]
                           /\ parked' = [parked EXCEPT ![self] = FALSE]
                           /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                           /\ v' = v
                      ELSE /\ IF park[self] /\ ~wwait
                                 THEN /\ parked' = [parked EXCEPT ![self] = TRUE]
                                      /\ wwait' = TRUE
                                      /\ v' = [v EXCEPT ![self] = [Word EXCEPT !.wwait = TRUE]]
                                 ELSE /\ IF park[self]
                                            THEN /\ parked' = [parked EXCEPT ![self] = TRUE]
                                                 /\ v' = [v EXCEPT ![self] = Word]
                                            ELSE /\ TRUE
                                                 /\ UNCHANGED << v, parked >>
                                      /\ wwait' = wwait
                           /\ pc' = [pc EXCEPT ![self] = "w_wait"]
                           /\ UNCHANGED << wr, park >>
                /\ UNCHANGED << rwait, rd, slp, timed, holds, wkr, wkw >>

w_wait(self) == /\ pc[self] = "w_wait"
                /\ \/ /\ timed[self]
                      /\ v' = [v EXCEPT ![self] = Zero]
                      /\ pc' = [pc EXCEPT ![self] = "w_give"]
                      /\ slp' = slp
                   \/ /\ ~park[self]
                      /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                      /\ UNCHANGED <<slp, v>>
                   \/ /\ park[self]
                      /\ IF Word = v[self]
                            THEN /\ slp' = Append(slp, self)
                                 /\ v' = [v EXCEPT ![self] = Zero]
                                 /\ pc' = [pc EXCEPT ![self] = "w_sleep"]
                            ELSE /\ v' = [v EXCEPT ![self] = Zero]
                                 /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                                 /\ slp' = slp
                /\ UNCHANGED << wr, rwait, wwait, rd, park, parked, timed, 
                                holds, wkr, wkw >>

w_sleep(self) == /\ pc[self] = "w_sleep"
                 /\ \/ /\ self \notin Asleep
                       /\ slp' = slp
                    \/ /\ timed[self] /\ self \in Asleep
                       /\ slp' = Drop(slp, self)
                 /\ IF timed[self] /\ Swallow
                       THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                               \/ /\ pc' = [pc EXCEPT ![self] = "w_give"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, parked, timed, 
                                 holds, wkr, wkw >>

w_give(self) == /\ pc[self] = "w_give"
                /\ IF parked[self] /\ BUG # "timednopass"
                      THEN /\ wwait' = TRUE
                           /\ IF ~wr /\ rd = 0 /\ BUG # "timednowake"
                                 THEN /\ pc' = [pc EXCEPT ![self] = "w_gwake"]
                                      /\ UNCHANGED << park, parked, timed >>
                                 ELSE /\ timed' = [timed EXCEPT ![self] = FALSE]
                                      /\ park' = [park EXCEPT ![self] = FALSE]
                                      /\ parked' = [parked EXCEPT ![self] = FALSE]
                                      /\ pc' = [pc EXCEPT ![self] = "ncs"]
                      ELSE /\ timed' = [timed EXCEPT ![self] = FALSE]
                           /\ park' = [park EXCEPT ![self] = FALSE]
                           /\ parked' = [parked EXCEPT ![self] = FALSE]
                           /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           /\ wwait' = wwait
                /\ UNCHANGED << wr, rwait, rd, slp, v, holds, wkr, wkw >>

w_gwake(self) == /\ pc[self] = "w_gwake"
                 /\ slp' = WakeWriter
                 /\ timed' = [timed EXCEPT ![self] = FALSE]
                 /\ park' = [park EXCEPT ![self] = FALSE]
                 /\ parked' = [parked EXCEPT ![self] = FALSE]
                 /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, holds, wkr, wkw >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ IF BUG = "wakeload"
                    THEN /\ wkr' = [wkr EXCEPT ![self] = rwait]
                         /\ wkw' = [wkw EXCEPT ![self] = wwait]
                    ELSE /\ TRUE
                         /\ UNCHANGED << wkr, wkw >>
              /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
              /\ UNCHANGED << wr, rwait, wwait, rd, slp, v, park, parked, 
                              timed, holds >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ LET r == IF BUG = "wakeload" THEN wkr[self] ELSE rwait IN
                       LET w == IF BUG = "wakeload" THEN wkw[self] ELSE wwait IN
                         /\ /\ rwait' = FALSE
                            /\ wr' = FALSE
                            /\ wwait' = FALSE
                         /\ timed' = [timed EXCEPT ![self] = FALSE]
                         /\ wkr' = [wkr EXCEPT ![self] = FALSE]
                         /\ IF r
                               THEN /\ wkw' = [wkw EXCEPT ![self] = w]
                                    /\ pc' = [pc EXCEPT ![self] = "w_rwake"]
                               ELSE /\ IF w
                                          THEN /\ wkw' = [wkw EXCEPT ![self] = FALSE]
                                               /\ pc' = [pc EXCEPT ![self] = "w_wwake"]
                                          ELSE /\ wkw' = [wkw EXCEPT ![self] = FALSE]
                                               /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << rd, slp, v, park, parked, holds >>

w_rwake(self) == /\ pc[self] = "w_rwake"
                 /\ slp' = WakeReaders
                 /\ IF wkw[self]
                       THEN /\ wkw' = [wkw EXCEPT ![self] = FALSE]
                            /\ pc' = [pc EXCEPT ![self] = "w_wwake"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                            /\ wkw' = wkw
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, parked, timed, 
                                 holds, wkr >>

w_wwake(self) == /\ pc[self] = "w_wwake"
                 /\ slp' = WakeWriter
                 /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << wr, rwait, wwait, rd, v, park, parked, timed, 
                                 holds, wkr, wkw >>

p(self) == ncs(self) \/ r_add(self) \/ r_back(self) \/ r_bclr(self)
              \/ r_bwake(self) \/ r_loop(self) \/ r_wait(self)
              \/ r_sleep(self) \/ r_cs(self) \/ r_unlock(self)
              \/ r_uclr(self) \/ r_uwake(self) \/ w_fast(self)
              \/ w_loop(self) \/ w_wait(self) \/ w_sleep(self)
              \/ w_give(self) \/ w_gwake(self) \/ w_cs(self)
              \/ w_unlock(self) \/ w_rwake(self) \/ w_wwake(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : holds[q] > 0}
Writers == {q \in Procs : pc[q] \in {"w_cs", "w_unlock"}}
RWExclusion == \A w \in Writers : Readers = {} /\ Writers = {w}
TypeOK == /\ wr \in BOOLEAN /\ rwait \in BOOLEAN /\ wwait \in BOOLEAN
          /\ rd \in 0..(2 * N) /\ Asleep \subseteq Procs /\ Len(slp) = Cardinality(Asleep)
          /\ holds \in [Procs -> 0..2] /\ park \in [Procs -> BOOLEAN]
          /\ timed \in [Procs -> BOOLEAN] /\ parked \in [Procs -> BOOLEAN]
          /\ wkr \in [Procs -> BOOLEAN] /\ wkw \in [Procs -> BOOLEAN]
RWaitOnlyWithWR == rwait => wr
RSlow == {"r_back", "r_bclr", "r_bwake", "r_loop", "r_wait", "r_sleep"}
ReaderPreference == \A q \in Procs : holds[q] > 0 => pc[q] \notin RSlow
Trying(q) == pc[q] \in RSlow \cup {"r_add", "w_fast", "w_loop", "w_wait", "w_sleep"}
InCS(q) == pc[q] \in {"r_cs", "w_cs"}
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : InCS(q))
\* what a sleeper waits for: no WR (a reader), no WR and no RD (a writer)
CanGo(q) == IF pc[q] = "r_sleep" THEN ~wr ELSE ~wr /\ rd = 0
NoLostWakeup == \A q \in Procs : (q \in Asleep /\ ~timed[q] /\ CanGo(q)) ~> q \notin Asleep
\* weaker: no untimed sleeper stays asleep while the latch stays free
Stranded(q) == q \in Asleep /\ ~timed[q] /\ CanGo(q)
NoStranded == \A q \in Procs : Stranded(q) ~> ~Stranded(q)
=============================================================================
