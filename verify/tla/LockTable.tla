------------------------------ MODULE LockTable ------------------------------
(***************************************************************************)
(* The lock table's grant protocol: one FIFO queue per resource, group     *)
(* grant, conversions ahead of new requests, and the four deadlock         *)
(* policies (plain wait, wait-die, wound-wait, detection).                 *)
(*                                                                         *)
(* Models: lockmgr/lock.c, grant.c: lock_one (lk_lock), grant_pass and    *)
(* release_req, wait_cancel (timeout), txn_end (lk_txn_commit/abort),      *)
(* wound, blockers, detect/graph_cycle. Each action is one critical       *)
(* section under the resource's head latch (CAS on the head's latch word, *)
(* released by a release store), so each is atomic here:                  *)
(*                                                                         *)
(*   action            C step (under the head latch)                      *)
(*   Request(t,r,m)    lock_one: conflicts[target] & granted (and FIFO:    *)
(*                     the queue); grant (list_push, count_add), or the    *)
(*                     policy (age_check -> LK_DEADLOCK, age_wound ->      *)
(*                     wound) then queue_append / status CONVERTING        *)
(*   Regrant (inside   grant_pass: converters first, then the queue in     *)
(*    Commit/Abort/    order; each grant sets the waiter's futex word      *)
(*    Timeout)         (txn_signal)                                        *)
(*   Commit(t)         txn_end: release_req of every request of t          *)
(*   WoundedAbort(t)   the wounded txn's LK_WOUNDED return and txn_end     *)
(*   Timeout(t)        wait_cancel at the deadline, then grant_pass        *)
(*   Detect            detect(): graph_build, graph_cycle, victim flagged  *)
(*                     (victim_of) and woken: LK_DEADLOCK                  *)
(*                                                                         *)
(* The C and this spec: as of cb4d1e9 the C's arrival and grant rule is   *)
(* the spec's (a new request waits only behind queued requests it         *)
(* conflicts with; converters first). Age rule on new wait edges made by  *)
(* a conversion: the spec applies it when the conversion is granted at    *)
(* once or queues ahead of older/younger waiters; the C applies it when   *)
(* the conversion is granted, at once or by grant_pass (bypass_edges), and *)
(* not when it queues: that is Bug "convenq" plus AgeScan. At 3 txns TLC *)
(* finds no deadlock for it; at 4 txns (Modes {S,X}, 2 resources, ~6 min, *)
(* too long for a committed config) it finds one: a younger txn's        *)
(* conversion queues ahead of an older waiter, which then waits for it    *)
(* without wounding it. tests/test_lockmgr_scenarios.c                    *)
(* (wound_wait_conversion_queued_ahead, 5 txns, no race) shows the same    *)
(* deadlock in the C code. The C before cb4d1e9 aged no conversion edge:  *)
(* Bug "convedge", rejected by TLC at 3 txns (wound_wait_conversion_edge). *)
(* Also run at 4 txns: wait-die as built has no deadlock (5,716 states,   *)
(* LockTable_waitdie4.cfg); wound-wait with the spec's rule has none      *)
(* either (98,718 states, 3.5 min: not committed as a config).            *)
(*                                                                         *)
(* Bounds: 3 txns, 1-2 resources, modes from {IS,IX,S,SIX,X} (U is left   *)
(* out here: it adds states, not queue cases; LockTableEscalation.tla     *)
(* checks U with the hierarchy, escalation and fencing tokens).           *)
(* A txn's timestamp is its number (smaller = older) and survives restart *)
(* (the wait-die/wound-wait rule that prevents starvation). A request must *)
(* strictly raise the held mode, so a txn makes finitely many requests    *)
(* before it can only commit; it then may start again.                    *)
(*                                                                         *)
(* Bug (seeded, one per property family; each must be rejected):          *)
(*   "barge"    grant ignores queued incompatible requests (FIFO, liveness)*)
(*   "convtail" a conversion queues at the tail (conversion order)        *)
(*   "nowake"   a timeout leaves without running the grant scan (progress)*)
(*   "diesome"  wait-die dies only when ALL blockers are older (deadlock) *)
(*   "woundnone" wound-wait forgets to wound a waiting victim (deadlock)  *)
(*   "offcycle" the detector aborts the txn it started from, which may    *)
(*              only lead into the cycle (detection; the closer rule      *)
(*              without its "on the cycle" check)                         *)
(*   "convedge" a conversion granted or queued past waiters it now blocks *)
(*              gets no age rule (wound-wait deadlock; the C as of c16174e)*)
(*   "convenq"  the age rule only when the conversion is granted (at once *)
(*              or by the grant pass), not when it queues ahead of older  *)
(*              waiters (the C as of cb4d1e9; deadlocks at 4 txns)       *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS Txn,      \* a set of naturals: the txns and their timestamps
          Res,      \* resources
          Modes,    \* the modes a txn may ask for
          Policy,   \* "none" | "waitdie" | "woundwait" | "detect"
          Timeouts, \* TRUE: a waiter may time out
          Bug       \* "none" or a seeded bug above

None == "none"
AllModes == {"IS", "IX", "S", "SIX", "X"}

\* The seed matrix (symmetric); None is compatible with everything.
CompatPairs == {<<"IS","IS">>, <<"IS","IX">>, <<"IS","S">>, <<"IS","SIX">>,
                <<"IX","IS">>, <<"IX","IX">>, <<"S","IS">>, <<"S","S">>,
                <<"SIX","IS">>}
Compat(a, b) == a = None \/ b = None \/ <<a, b>> \in CompatPairs

\* The mode order: a covers b when a grants all b grants.
Covers(a, b) == \/ b = None \/ a = b \/ a = "X"
                \/ a = "SIX" /\ b \in {"IS", "IX", "S"}
                \/ a \in {"IX", "S"} /\ b = "IS"
SupT == [p \in (AllModes \cup {None}) \X (AllModes \cup {None}) |->
          CHOOSE c \in AllModes \cup {None} :
            /\ Covers(c, p[1]) /\ Covers(c, p[2])
            /\ \A d \in AllModes : (Covers(d, p[1]) /\ Covers(d, p[2])) => Covers(d, c)]
Sup(a, b) == SupT[<<a, b>>]   \* least mode covering both (IX and S: SIX)

VARIABLES held,    \* held[t][r]: the mode t holds on r, or None
          queue,   \* queue[r]: waiting requests [txn, mode (target), conv]
          wounded, \* wound-wait: wounded[t] = t must abort
          victimOk \* ghost: the last detector victim was on a real cycle
vars == <<held, queue, wounded, victimOk>>

Entry == [txn : Txn, mode : AllModes, conv : BOOLEAN]
TypeOK == /\ held \in [Txn -> [Res -> AllModes \cup {None}]]
          /\ queue \in [Res -> Seq(Entry)]
          /\ wounded \in [Txn -> BOOLEAN]
          /\ victimOk \in BOOLEAN

Waiting(t) == \E r \in Res : \E i \in 1..Len(queue[r]) : queue[r][i].txn = t
Holds(t) == \E r \in Res : held[t][r] # None

----------------------------------------------------------------------------
(* The wait-for graph: t waits for u when u holds an incompatible mode on *)
(* t's resource, or u's request is queued before t's and is incompatible. *)
WaitsFor(t, u) ==
  /\ t # u
  /\ \E r \in Res : \E i \in 1..Len(queue[r]) :
       /\ queue[r][i].txn = t
       /\ \/ ~Compat(held[u][r], queue[r][i].mode)
          \/ \E j \in 1..(i - 1) : queue[r][j].txn = u /\ ~Compat(queue[r][j].mode, queue[r][i].mode)
Edges == {e \in Txn \X Txn : WaitsFor(e[1], e[2])}
Join(A, B) == {<<a, c>> \in Txn \X Txn : \E b \in Txn : <<a, b>> \in A /\ <<b, c>> \in B}
\* paths of length 1..4 (>= |Txn| for the bound of 3 txns)
Closure == LET E1 == Edges
               E2 == E1 \cup Join(E1, E1)
           IN E2 \cup Join(E2, E2)
OnCycle == {t \in Txn : <<t, t>> \in Closure}

----------------------------------------------------------------------------
(* The grant scan over one queue q with held modes hr (txn -> mode):      *)
(* returns <<still-waiting queue, new hr>>.                                *)
RECURSIVE Scan(_, _, _)
Scan(q, kept, hr) ==
  IF q = << >> THEN <<kept, hr>>
  ELSE LET e == Head(q)
           okHeld == \A u \in Txn \ {e.txn} : Compat(hr[u], e.mode)
           okQueue == \A i \in 1..Len(kept) : Compat(kept[i].mode, e.mode)
       IN IF okHeld /\ (okQueue \/ Bug = "barge")
          THEN Scan(Tail(q), kept, [hr EXCEPT ![e.txn] = e.mode])
          ELSE Scan(Tail(q), Append(kept, e), hr)

\* Run the scan on every resource of (h, q); set the primed variables.
Regrant(h, q) ==
  LET s == [r \in Res |-> Scan(q[r], << >>, [t \in Txn |-> h[t][r]])]
  IN /\ held' = [t \in Txn |-> [r \in Res |-> s[r][2][t]]]
     /\ queue' = [r \in Res |-> s[r][1]]

RemoveTxn(q, t) == SelectSeq(q, LAMBDA e : e.txn # t)

\* Release everything t holds, drop its request, run the grant scan.
ReleaseAll(t) ==
  Regrant([held EXCEPT ![t] = [r \in Res |-> None]],
          [r \in Res |-> RemoveTxn(queue[r], t)])

----------------------------------------------------------------------------
Init == /\ held = [t \in Txn |-> [r \in Res |-> None]]
        /\ queue = [r \in Res |-> << >>]
        /\ wounded = [t \in Txn |-> FALSE]
        /\ victimOk = TRUE

NConv(q) == Len(SelectSeq(q, LAMBDA e : e.conv))
InsertAt(q, k, e) == SubSeq(q, 1, k) \o <<e>> \o SubSeq(q, k + 1, Len(q))

Request(t, r, m) ==
  LET cur == held[t][r]
      tgt == Sup(cur, m)
      conv == cur # None
      \* a conversion is behind only the conversions already queued
      before == IF conv THEN SelectSeq(queue[r], LAMBDA e : e.conv) ELSE queue[r]
      hb == {u \in Txn \ {t} : ~Compat(held[u][r], tgt)}
      qb == {before[i].txn : i \in {j \in 1..Len(before) : ~Compat(before[j].mode, tgt)}}
      blockers == hb \cup (IF Bug = "barge" THEN {} ELSE qb)
      e == [txn |-> t, mode |-> tgt, conv |-> conv]
      \* new requests already queued that the conversion will block: new
      \* wait-for edges, which get the age rule too (Bug "convedge": not)
      behind == {queue[r][i].txn : i \in {j \in 1..Len(queue[r]) :
                   ~queue[r][j].conv /\ ~Compat(queue[r][j].mode, tgt)}}
      \* (Bug "convenq": only a conversion granted at once is aged, one
      \* that queues ahead of the waiters is not)
      aged == conv /\ Bug # "convedge" /\ (Bug = "convenq" => blockers = {})
      olderBehind == aged /\ \E w \in behind : w < t
      youngerBehind == IF aged THEN {w \in behind : w > t} ELSE {}
      enq == [queue EXCEPT ![r] =
                IF conv /\ Bug # "convtail" THEN InsertAt(@, NConv(@), e) ELSE Append(@, e)]
  IN /\ ~Waiting(t) /\ ~wounded[t]
     /\ tgt # cur
     /\ IF blockers = {} /\ ~(Policy = "waitdie" /\ youngerBehind # {})
        THEN /\ held' = [held EXCEPT ![t][r] = tgt]
             /\ UNCHANGED queue
             \* wound-wait: an older waiter now blocked wounds the converter
             /\ wounded' = [wounded EXCEPT ![t] = Policy = "woundwait" /\ olderBehind]
        ELSE IF Policy = "waitdie" /\ youngerBehind # {} /\ ~\E b \in blockers : b < t
        THEN \* wait-die: younger waiters the conversion blocks die first
             /\ LET q2 == [s \in Res |-> SelectSeq(queue[s], LAMBDA x : x.txn \notin youngerBehind)]
                    h2 == [u \in Txn |-> IF u \in youngerBehind THEN [s \in Res |-> None] ELSE held[u]]
                IN Regrant([h2 EXCEPT ![t][r] = IF blockers = {} THEN tgt ELSE cur],
                           IF blockers = {} THEN q2
                           ELSE [q2 EXCEPT ![r] = InsertAt(@, NConv(@), e)])
             /\ UNCHANGED wounded
        ELSE CASE Policy = "waitdie" ->
                    \* die when some blocker is older (Bug: only when all are)
                    IF IF Bug = "diesome" THEN \A b \in blockers : b < t
                                          ELSE \E b \in blockers : b < t
                    THEN ReleaseAll(t) /\ UNCHANGED wounded
                    ELSE queue' = enq /\ UNCHANGED <<held, wounded>>
               [] Policy = "woundwait" ->
                    \* wound every younger blocker, then wait
                    /\ queue' = enq /\ UNCHANGED held
                    /\ wounded' = [u \in Txn |-> wounded[u] \/ (u \in blockers /\ u > t)
                                                   \/ (u = t /\ olderBehind)]
               [] OTHER -> queue' = enq /\ UNCHANGED <<held, wounded>>
  /\ UNCHANGED victimOk

\* Wound-wait, after a grant pass (primed held/queue set): a queued
\* conversion it granted that an older queued waiter conflicts with gets
\* wounded (the C's bypass_edges on a converter granted by grant_pass).
AgeScan == IF Policy # "woundwait" THEN {} ELSE
  {t \in Txn : \E r \in Res :
     /\ \E i \in 1..Len(queue[r]) : queue[r][i].txn = t /\ queue[r][i].conv
     /\ ~\E j \in 1..Len(queue'[r]) : queue'[r][j].txn = t
     /\ \E j \in 1..Len(queue'[r]) : /\ ~queue'[r][j].conv /\ queue'[r][j].txn < t
                                   /\ ~Compat(queue'[r][j].mode, held'[t][r])}
Wounds(base) == [u \in Txn |-> base[u] \/ u \in AgeScan]

Commit(t) ==
  /\ ~Waiting(t) /\ Holds(t)
  /\ ReleaseAll(t)
  /\ wounded' = Wounds([wounded EXCEPT ![t] = FALSE])
  /\ UNCHANGED victimOk

\* A wounded txn learns it at its next call or is woken from its wait.
\* (Bug "woundnone": a wounded waiter is never woken.)
WoundedAbort(t) ==
  /\ wounded[t]
  /\ Bug = "woundnone" => ~Waiting(t)
  /\ ReleaseAll(t)
  /\ wounded' = Wounds([wounded EXCEPT ![t] = FALSE])
  /\ UNCHANGED victimOk

Timeout(t) ==
  /\ Timeouts /\ Waiting(t)
  /\ IF Bug = "nowake"
     THEN queue' = [r \in Res |-> RemoveTxn(queue[r], t)] /\ UNCHANGED held
     ELSE Regrant(held, [r \in Res |-> RemoveTxn(queue[r], t)])
  /\ wounded' = Wounds(wounded)
  /\ UNCHANGED victimOk

\* The detector starts from a waiter s that reaches a cycle. The victim
\* (deadlock.c pick_victim, LK_VICTIM_CLOSER, the default): s itself when
\* s is on the cycle found (its wait closed it); else the youngest txn on
\* a cycle reachable from s. The DFS from s may return a cycle s only
\* leads into even when s is on another, so with s on a cycle either is
\* allowed. (Bug "offcycle": s aborts itself even when it is on no cycle,
\* the closer rule without its check.)
Detect(s) ==
  /\ Policy = "detect"
  /\ Waiting(s)
  /\ LET cl == Closure
         cyc == {t \in Txn : <<t, t>> \in cl}
         reach == {c \in cyc : c = s \/ <<s, c>> \in cl}
         young == CHOOSE c \in reach : \A d \in reach : d <= c
     IN /\ reach # {}
        /\ \E v \in IF Bug = "offcycle" THEN {s}
                   ELSE IF s \in cyc THEN {s, young} ELSE {young} :
              /\ victimOk' = (v \in cyc)
              /\ ReleaseAll(v)
  /\ UNCHANGED wounded

Next == \/ \E t \in Txn, r \in Res, m \in Modes : Request(t, r, m)
        \/ \E t \in Txn : Commit(t) \/ WoundedAbort(t) \/ Timeout(t) \/ Detect(t)

\* Txns eventually finish (strong fairness: a txn that keeps retrying
\* timed-out requests must still commit at some point); the detector and wounds eventually act. No
\* fairness on Request (a txn may stop asking) or Timeout.
Fairness == /\ \A t \in Txn : SF_vars(Commit(t)) /\ WF_vars(WoundedAbort(t))
            /\ WF_vars(\E t \in Txn : Detect(t))
Spec == Init /\ [][Next]_vars /\ Fairness

----------------------------------------------------------------------------
(* Safety *)
\* Granted modes are pairwise compatible on every resource.
Compatible == \A r \in Res : \A t, u \in Txn :
                t # u => Compat(held[t][r], held[u][r])

\* Conversions are queued ahead of every new request.
ConvFirst == \A r \in Res : \A i, j \in 1..Len(queue[r]) :
               (i < j /\ queue[r][j].conv) => queue[r][i].conv

\* No lost wakeup: no waiter is left that the grant rule would admit.
NoLostWakeup == \A r \in Res : \A i \in 1..Len(queue[r]) :
  LET e == queue[r][i] IN
  ~ /\ \A u \in Txn \ {e.txn} : Compat(held[u][r], e.mode)
    /\ \A j \in 1..(i - 1) : Compat(queue[r][j].mode, e.mode)

\* FIFO group grant, as a step property: a new (non-conversion) grant to t
\* on r is compatible with every request that was queued before t's and is
\* still waiting after the step.
Pos(q, t) == IF \E i \in 1..Len(q) : q[i].txn = t
             THEN CHOOSE i \in 1..Len(q) : q[i].txn = t ELSE Len(q) + 1
StillWaits(r, u) == \E j \in 1..Len(queue'[r]) : queue'[r][j].txn = u
FifoStep == \A t \in Txn, r \in Res :
  (held[t][r] = None /\ held'[t][r] # None) =>
    \A i \in 1..(Pos(queue[r], t) - 1) :
      StillWaits(r, queue[r][i].txn) => Compat(queue[r][i].mode, held'[t][r])
FifoGrant == [][FifoStep]_vars

\* Wait-die and wound-wait: no cycle of txns that will all keep waiting
\* (a wounded txn in a cycle is bound to abort).
SCC(t) == {t} \cup {c \in Txn : <<t, c>> \in Closure /\ <<c, t>> \in Closure}
NoDeadlock == \A t \in OnCycle : \E u \in SCC(t) : wounded[u]

\* Detection: every victim was on a real cycle when chosen.
VictimOnCycle == victimOk

(* Liveness *)
\* Every wait ends: granted, timed out, died, wounded or chosen as victim.
WaitEnds == \A t \in Txn : Waiting(t) ~> ~Waiting(t)
\* Every cycle is eventually broken.
CycleBroken == \A t \in Txn : (t \in OnCycle) ~> (t \notin OnCycle)
=============================================================================
