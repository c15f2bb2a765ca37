------------------------------- MODULE Mutex -------------------------------
(***************************************************************************)
(* Compact spin-then-park mutex on one futex word (Drepper's mutex #3 with *)
(* a starvation hand-off).  Models primitives/mutex.h: lk_mutex_lock /     *)
(* lk_mutex_trylock / lk_mutex_timedlock (fast CAS), lk_mutex_lock_slow_,  *)
(* lk_mutex_unlock (+ lk_mutex_unlock_slow_).  The word is a set of bits   *)
(* L = LOCKED, W = WAITERS, H = HANDOFF.  The futex is a FIFO queue of     *)
(* sleepers (Linux wakes equal-priority sleepers in arrival order).  The  *)
(* heir (heir[q]: the starving waiter that set HANDOFF; at most one) parks *)
(* with futex bitset bit STARVING, everyone else with NORMAL (heir[q] does *)
(* not change while q sleeps).                                             *)
(* futex_wait is ONE step: sleep iff word = seen.                          *)
(* Time is abstract: a parked waiter becomes `starving` (the C's 1 ms) at  *)
(* any moment, and at the latest once others acquired K times while it    *)
(* was parked (passed over K times; K = 0: never forced, which drops the  *)
(* ghost counter for the safety checks).  lk__wait()'s spin phase is one   *)
(* stutter (wp: "would park" from then on); its park phase is futex_wait.  *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  fast     | CAS(&l->word, 0, LOCKED, acquire) (lock, trylock, timedlock)*)
(*           |   failing: trylock returns; lock goes slow                  *)
(*  sl_load  | s = atomic_load_explicit(&l->word, relaxed); free and       *)
(*           |   (heir or no HANDOFF): try to take it; else wait           *)
(*  sl_cas   | CAS_weak(&l->word, s, s|LOCKED [|WAITERS if parked]        *)
(*           |   [&~HANDOFF if heir], acquire)                             *)
(*  sl_spin  | lk__wait() spin phase (lk__wait_park_early: no yield phase);*)
(*           |   a timedlock may time out here                             *)
(*  sl_mark  | would_park: starving = parked long enough; claim = starving *)
(*           |   and no HANDOFF in s; CAS_weak(&word, s, s|WAITERS         *)
(*           |   [|HANDOFF if claim], relaxed) unless nothing new; the     *)
(*           |   claimer becomes the heir (w.bits = STARVING)              *)
(*  sl_park  | lk__wait(&w, &l->word, s): deadline check (timedlock may    *)
(*           |   leave)                                                    *)
(*  sl_wait  | then futex_wait_bits(word, s, STARVING if heir, else       *)
(*           |   NORMAL) = sleep                                           *)
(*           |   iff word == s                                             *)
(*  sl_slept | asleep until a futex wake (or the futex timeout)            *)
(*  leave    | timedlock gives up: heir: o = fetch_and(&word, ~HANDOFF,    *)
(*           |   relaxed); o not LOCKED: futex_wake(all) (a hand-off       *)
(*           |   unlock may have cleared WAITERS and woken only the heir)  *)
(*  unlock   | CAS(&word, LOCKED, 0, release), else the slow loop          *)
(*           |   CAS_weak(&word, s, s & ~(LOCKED|WAITERS), release) until  *)
(*           |   it succeeds: one atomic read-modify-write                 *)
(*  u_wake   | old had WAITERS: HANDOFF too: lk__futex_wake_bits(&l->word, *)
(*           |   1, STARVING) (the heir, if asleep), then                  *)
(*           |   lk__futex_wake_bits(&l->word, 1, NORMAL) (the first other *)
(*           |   sleeper, so it can look at its clock); no HANDOFF:        *)
(*           |   lk__futex_wake(&l->word, 1) (the first sleeper)           *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "twostep":   futex wait checks the word, then sleeps in a second step: *)
(*               an unlock in between wakes nobody (lost wakeup).          *)
(*  "barge":     the slow path lets a waiter that is not starving take a  *)
(*               free lock despite HANDOFF: the starving sleeper is passed *)
(*               over forever.                                             *)
(*  "anystarving": the old hand-off rule: any starving waiter sets HANDOFF *)
(*               (even when set), passes it and clears it on acquiring;    *)
(*               all of them park STARVING; a hand-off unlock wakes only   *)
(*               the first STARVING sleeper; a timed-out one wakes all     *)
(*               only if WAITERS was set.  A second starving waiter clears *)
(*               the first one's HANDOFF, barging resumes, and the first   *)
(*               loses every race: HeirKeepsHandOff fails (N = 3), and     *)
(*               HandOff (N = 3, the lasso: a fast-path barger wins every  *)
(*               race against the heir's load + CAS).                      *)
(*                                                                         *)
(* Properties: MutualExclusion, OneHeir (invariants: at most one heir,    *)
(* and HANDOFF is up exactly while there is one); NoLostWakeup: the lock   *)
(* is never free for good while someone sleeps; DeadlockFreedom;          *)
(* HandOffOnlyHeir (action property): while HANDOFF is up only the heir    *)
(* acquires; HandOffEnds: HANDOFF, once up, is cleared; HandOff: the heir  *)
(* gets the lock (N = 2 and N = 3).  (Weak fairness; the non-critical      *)
(* section may last forever; liveness without timeouts.)                   *)
(* StarvationFreedom (every waiter gets in) does NOT hold and is not       *)
(* claimed: a starving waiter must first win the claim.  TLC finds the     *)
(* schedule (Mutex_limitstarve, an expected failure, N = 2) where its load *)
(* + CAS that would set HANDOFF (or take the lock) fails forever, because  *)
(* the holder releases and re-takes the lock by the fast path between its  *)
(* load and its CAS; and with 3+ threads it can keep losing the claim to   *)
(* other starving waiters (the Spin model's limit-handoff-3p).  Spin      *)
(* merges each load+CAS retry loop into one step, which rules out the     *)
(* first schedule; here load and CAS are separate steps.                  *)
(* Bounds: N = 2 with timeouts, N = 3 without (K = 0), liveness N = 2,   *)
(* K = 1 and N = 3, K = 0.                                                 *)
(***************************************************************************)
EXTENDS Naturals, Sequences
CONSTANTS N, BUG, TIMEOUTS, K
Procs == 1..N

(* --algorithm Mutex {
variables word = {}, asleep = <<>>,
          parked = [q \in Procs |-> FALSE], starving = [q \in Procs |-> FALSE],
          heir = [q \in Procs |-> FALSE], passed = [q \in Procs |-> 0];
define {
  Sleeping == {asleep[i] : i \in 1..Len(asleep)}
  Free == "L" \notin word
  \* ghost: everyone else parked is passed over once more
  PassOver(me) == [q \in Procs |-> IF K > 0 /\ q # me /\ parked[q] /\ passed[q] < K
                                   THEN passed[q] + 1 ELSE passed[q]]
  \* remove the first sleeper of a that satisfies P (futex_wake_bits(.., 1, bits))
  WakeFirst(a, P(_)) ==
    IF \E i \in 1..Len(a) : P(a[i])
    THEN LET i == CHOOSE i \in 1..Len(a) : P(a[i]) /\ \A j \in 1..i-1 : ~P(a[j])
         IN  SubSeq(a, 1, i-1) \o SubSeq(a, i+1, Len(a))
    ELSE a
  WakeOne(a) == IF a = <<>> THEN a ELSE Tail(a)
  IsHeir(q) == heir[q]
  IsNormal(q) == ~heir[q]
  \* may pass a set HANDOFF: the heir; the old rule: any starving waiter
  MayPass(q) == heir[q] \/ (BUG = "anystarving" /\ starving[q])
}
fair process (p \in Procs)
variables s = {}, wp = FALSE, old = {};
{
ncs:- while (TRUE) {
fast:   if (word = {}) { word := {"L"}; passed := PassOver(self); goto cs }
        else if (TIMEOUTS) { either goto ncs or goto sl_load };
sl_load: s := word;
        if ("L" \notin s /\ (MayPass(self) \/ "H" \notin s \/ BUG = "barge")) {
sl_cas:   if (word = s) {
            word := (s \cup {"L"} \cup (IF parked[self] THEN {"W"} ELSE {}))
                    \ (IF MayPass(self) THEN {"H"} ELSE {});
            passed := PassOver(self);
            parked[self] := FALSE; starving[self] := FALSE; heir[self] := FALSE;
            wp := FALSE; s := {};
            goto cs
          } else goto sl_load
        } else if (~wp) {
sl_spin:  wp := TRUE;
          if (TIMEOUTS) { either goto leave or goto sl_load }
          else goto sl_load
        };
sl_mark: with (st \in IF parked[self] /\ ~starving[self] /\ (K = 0 \/ passed[self] < K)
                      THEN {FALSE, TRUE}
                      ELSE {starving[self] \/ (parked[self] /\ K > 0)};
               claim = st /\ ("H" \notin s \/ BUG = "anystarving");
               want = s \cup {"W"} \cup (IF claim THEN {"H"} ELSE {})) {
          if (want # s) {
            if (word = s) {
              word := want; s := want;
              starving[self] := st; parked[self] := TRUE;
              heir[self] := heir[self] \/ claim
            } else { starving[self] := st; goto sl_load }
          } else {
            starving[self] := st; parked[self] := TRUE;
            heir[self] := heir[self] \/ claim
          }
        };
sl_park: if (TIMEOUTS) { either goto leave or skip };
sl_wait: if (BUG = "twostep") {
          if (word # s) goto sl_load;
sl_sleep: asleep := Append(asleep, self)
        } else if (word = s) asleep := Append(asleep, self)
        else goto sl_load;
sl_slept: if (TIMEOUTS) {
          either await self \notin Sleeping
          or asleep := SelectSeq(asleep, LAMBDA x : x # self) \* futex timeout
        } else await self \notin Sleeping;
        goto sl_load;
leave:  if (heir[self]) {
          with (o = word) {
            word := o \ {"H"};
            if ("L" \notin o /\ ("W" \in o \/ BUG # "anystarving")) asleep := <<>> }
        };
        parked[self] := FALSE; starving[self] := FALSE; heir[self] := FALSE;
        passed[self] := 0; wp := FALSE; s := {};
        goto ncs;
cs:     passed[self] := 0;
unlock: old := word; word := word \ {"L", "W"};
u_wake: if ("W" \in old) {
          if ("H" \in old) {
            if (BUG = "anystarving") asleep := WakeFirst(asleep, IsHeir)
            else asleep := WakeFirst(WakeFirst(asleep, IsHeir), IsNormal)
          } else asleep := WakeOne(asleep)
        };
        old := {}
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, word, asleep, parked, starving, heir, passed

(* define statement *)
Sleeping == {asleep[i] : i \in 1..Len(asleep)}
Free == "L" \notin word

PassOver(me) == [q \in Procs |-> IF K > 0 /\ q # me /\ parked[q] /\ passed[q] < K
                                 THEN passed[q] + 1 ELSE passed[q]]

WakeFirst(a, P(_)) ==
  IF \E i \in 1..Len(a) : P(a[i])
  THEN LET i == CHOOSE i \in 1..Len(a) : P(a[i]) /\ \A j \in 1..i-1 : ~P(a[j])
       IN  SubSeq(a, 1, i-1) \o SubSeq(a, i+1, Len(a))
  ELSE a
WakeOne(a) == IF a = <<>> THEN a ELSE Tail(a)
IsHeir(q) == heir[q]
IsNormal(q) == ~heir[q]

MayPass(q) == heir[q] \/ (BUG = "anystarving" /\ starving[q])

VARIABLES s, wp, old

vars == << pc, word, asleep, parked, starving, heir, passed, s, wp, old >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ word = {}
        /\ asleep = <<>>
        /\ parked = [q \in Procs |-> FALSE]
        /\ starving = [q \in Procs |-> FALSE]
        /\ heir = [q \in Procs |-> FALSE]
        /\ passed = [q \in Procs |-> 0]
        (* Process p *)
        /\ s = [self \in Procs |-> {}]
        /\ wp = [self \in Procs |-> FALSE]
        /\ old = [self \in Procs |-> {}]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "fast"]
             /\ UNCHANGED << word, asleep, parked, starving, heir, passed, s, 
                             wp, old >>

fast(self) == /\ pc[self] = "fast"
              /\ IF word = {}
                    THEN /\ word' = {"L"}
                         /\ passed' = PassOver(self)
                         /\ pc' = [pc EXCEPT ![self] = "cs"]
                    ELSE /\ IF TIMEOUTS
                               THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "ncs"]
                                       \/ /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                               ELSE /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                         /\ UNCHANGED << word, passed >>
              /\ UNCHANGED << asleep, parked, starving, heir, s, wp, old >>

sl_load(self) == /\ pc[self] = "sl_load"
                 /\ s' = [s EXCEPT ![self] = word]
                 /\ IF "L" \notin s'[self] /\ (MayPass(self) \/ "H" \notin s'[self] \/ BUG = "barge")
                       THEN /\ pc' = [pc EXCEPT ![self] = "sl_cas"]
                       ELSE /\ IF ~wp[self]
                                  THEN /\ pc' = [pc EXCEPT ![self] = "sl_spin"]
                                  ELSE /\ pc' = [pc EXCEPT ![self] = "sl_mark"]
                 /\ UNCHANGED << word, asleep, parked, starving, heir, passed, 
                                 wp, old >>

sl_cas(self) == /\ pc[self] = "sl_cas"
                /\ IF word = s[self]
                      THEN /\ word' = (s[self] \cup {"L"} \cup (IF parked[self] THEN {"W"} ELSE {}))
                                      \ (IF MayPass(self) THEN {"H"} ELSE {})
                           /\ passed' = PassOver(self)
                           /\ parked' = [parked EXCEPT ![self] = FALSE]
                           /\ starving' = [starving EXCEPT ![self] = FALSE]
                           /\ heir' = [heir EXCEPT ![self] = FALSE]
                           /\ wp' = [wp EXCEPT ![self] = FALSE]
                           /\ s' = [s EXCEPT ![self] = {}]
                           /\ pc' = [pc EXCEPT ![self] = "cs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                           /\ UNCHANGED << word, parked, starving, heir, 
                                           passed, s, wp >>
                /\ UNCHANGED << asleep, old >>

sl_spin(self) == /\ pc[self] = "sl_spin"
                 /\ wp' = [wp EXCEPT ![self] = TRUE]
                 /\ IF TIMEOUTS
                       THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "leave"]
                               \/ /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                 /\ UNCHANGED << word, asleep, parked, starving, heir, passed, 
                                 s, old >>

sl_mark(self) == /\ pc[self] = "sl_mark"
                 /\ \E st \in IF parked[self] /\ ~starving[self] /\ (K = 0 \/ passed[self] < K)
                              THEN {FALSE, TRUE}
                              ELSE {starving[self] \/ (parked[self] /\ K > 0)}:
                      LET claim == st /\ ("H" \notin s[self] \/ BUG = "anystarving") IN
                        LET want == s[self] \cup {"W"} \cup (IF claim THEN {"H"} ELSE {}) IN
                          IF want # s[self]
                             THEN /\ IF word = s[self]
                                        THEN /\ word' = want
                                             /\ s' = [s EXCEPT ![self] = want]
                                             /\ starving' = [starving EXCEPT ![self] = st]
                                             /\ parked' = [parked EXCEPT ![self] = TRUE]
                                             /\ heir' = [heir EXCEPT ![self] = heir[self] \/ claim]
                                             /\ pc' = [pc EXCEPT ![self] = "sl_park"]
                                        ELSE /\ starving' = [starving EXCEPT ![self] = st]
                                             /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                                             /\ UNCHANGED << word, parked, 
                                                             heir, s >>
                             ELSE /\ starving' = [starving EXCEPT ![self] = st]
                                  /\ parked' = [parked EXCEPT ![self] = TRUE]
                                  /\ heir' = [heir EXCEPT ![self] = heir[self] \/ claim]
                                  /\ pc' = [pc EXCEPT ![self] = "sl_park"]
                                  /\ UNCHANGED << word, s >>
                 /\ UNCHANGED << asleep, passed, wp, old >>

sl_park(self) == /\ pc[self] = "sl_park"
                 /\ IF TIMEOUTS
                       THEN /\ \/ /\ pc' = [pc EXCEPT ![self] = "leave"]
                               \/ /\ TRUE
                                  /\ pc' = [pc EXCEPT ![self] = "sl_wait"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "sl_wait"]
                 /\ UNCHANGED << word, asleep, parked, starving, heir, passed, 
                                 s, wp, old >>

sl_wait(self) == /\ pc[self] = "sl_wait"
                 /\ IF BUG = "twostep"
                       THEN /\ IF word # s[self]
                                  THEN /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                                  ELSE /\ pc' = [pc EXCEPT ![self] = "sl_sleep"]
                            /\ UNCHANGED asleep
                       ELSE /\ IF word = s[self]
                                  THEN /\ asleep' = Append(asleep, self)
                                       /\ pc' = [pc EXCEPT ![self] = "sl_slept"]
                                  ELSE /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                                       /\ UNCHANGED asleep
                 /\ UNCHANGED << word, parked, starving, heir, passed, s, wp, 
                                 old >>

sl_sleep(self) == /\ pc[self] = "sl_sleep"
                  /\ asleep' = Append(asleep, self)
                  /\ pc' = [pc EXCEPT ![self] = "sl_slept"]
                  /\ UNCHANGED << word, parked, starving, heir, passed, s, wp, 
                                  old >>

sl_slept(self) == /\ pc[self] = "sl_slept"
                  /\ IF TIMEOUTS
                        THEN /\ \/ /\ self \notin Sleeping
                                   /\ UNCHANGED asleep
                                \/ /\ asleep' = SelectSeq(asleep, LAMBDA x : x # self)
                        ELSE /\ self \notin Sleeping
                             /\ UNCHANGED asleep
                  /\ pc' = [pc EXCEPT ![self] = "sl_load"]
                  /\ UNCHANGED << word, parked, starving, heir, passed, s, wp, 
                                  old >>

leave(self) == /\ pc[self] = "leave"
               /\ IF heir[self]
                     THEN /\ LET o == word IN
                               /\ word' = o \ {"H"}
                               /\ IF "L" \notin o /\ ("W" \in o \/ BUG # "anystarving")
                                     THEN /\ asleep' = <<>>
                                     ELSE /\ TRUE
                                          /\ UNCHANGED asleep
                     ELSE /\ TRUE
                          /\ UNCHANGED << word, asleep >>
               /\ parked' = [parked EXCEPT ![self] = FALSE]
               /\ starving' = [starving EXCEPT ![self] = FALSE]
               /\ heir' = [heir EXCEPT ![self] = FALSE]
               /\ passed' = [passed EXCEPT ![self] = 0]
               /\ wp' = [wp EXCEPT ![self] = FALSE]
               /\ s' = [s EXCEPT ![self] = {}]
               /\ pc' = [pc EXCEPT ![self] = "ncs"]
               /\ old' = old

cs(self) == /\ pc[self] = "cs"
            /\ passed' = [passed EXCEPT ![self] = 0]
            /\ pc' = [pc EXCEPT ![self] = "unlock"]
            /\ UNCHANGED << word, asleep, parked, starving, heir, s, wp, old >>

unlock(self) == /\ pc[self] = "unlock"
                /\ old' = [old EXCEPT ![self] = word]
                /\ word' = word \ {"L", "W"}
                /\ pc' = [pc EXCEPT ![self] = "u_wake"]
                /\ UNCHANGED << asleep, parked, starving, heir, passed, s, wp >>

u_wake(self) == /\ pc[self] = "u_wake"
                /\ IF "W" \in old[self]
                      THEN /\ IF "H" \in old[self]
                                 THEN /\ IF BUG = "anystarving"
                                            THEN /\ asleep' = WakeFirst(asleep, IsHeir)
                                            ELSE /\ asleep' = WakeFirst(WakeFirst(asleep, IsHeir), IsNormal)
                                 ELSE /\ asleep' = WakeOne(asleep)
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ old' = [old EXCEPT ![self] = {}]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << word, parked, starving, heir, passed, s, wp >>

p(self) == ncs(self) \/ fast(self) \/ sl_load(self) \/ sl_cas(self)
              \/ sl_spin(self) \/ sl_mark(self) \/ sl_park(self)
              \/ sl_wait(self) \/ sl_sleep(self) \/ sl_slept(self)
              \/ leave(self) \/ cs(self) \/ unlock(self) \/ u_wake(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Trying(q) == pc[q] \in {"fast", "sl_load", "sl_cas", "sl_spin", "sl_mark",
                        "sl_park", "sl_wait", "sl_sleep", "sl_slept"}
MutualExclusion == \A a, b \in Procs : a # b =>
                     ~(pc[a] \in {"cs", "unlock"} /\ pc[b] \in {"cs", "unlock"})
NoLostWakeup == (Free /\ asleep # <<>>) ~> (~Free \/ asleep = <<>>)
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] = "cs"
DeadlockFreedom == (\E q \in Procs : Trying(q)) ~> (\E q \in Procs : pc[q] = "cs")
\* the heir (the starving waiter that set HANDOFF) gets the lock
HandOff == \A q \in Procs : heir[q] ~> pc[q] = "cs"
\* at most one heir, and HANDOFF is up exactly while there is one
OneHeir == /\ \A a, b \in Procs : heir[a] /\ heir[b] => a = b
           /\ ("H" \in word) = (\E q \in Procs : heir[q])
\* nobody takes HANDOFF away from the heir (part of OneHeir, alone for the
\* "anystarving" check, where every starving waiter counts as an heir)
HeirKeepsHandOff == \A q \in Procs : heir[q] => "H" \in word
\* while HANDOFF is up, whoever acquires is the heir
Acquires(q) == pc'[q] = "cs" /\ pc[q] # "cs"
HandOffOnlyHeir == [][\A q \in Procs : (Acquires(q) /\ "H" \in word) => heir[q]]_vars
HandOffEnds == ("H" \in word) ~> ("H" \notin word)
=============================================================================
