---------------------------- MODULE LockTableLDSF ----------------------------
(***************************************************************************)
(* The lock table's grant order LK_GRANT_LDSF on one resource: which of   *)
(* the queued requests a grant pass lets in, and the bypass bound that    *)
(* keeps it starvation-free.                                               *)
(*                                                                         *)
(* Models lockmgr/grant.c's grant_ldsf (called by lk__grant_pass when the *)
(* order is LDSF and two or more requests are queued), with lock.c's      *)
(* arrival rule under fifo_strict (a new request is granted at once only  *)
(* when compatible with the holders and with every queued request, else   *)
(* it is appended). Each action is one critical section under the head    *)
(* latch, so it is atomic here:                                            *)
(*                                                                         *)
(*   action          C                                                    *)
(*   Request(t, m)   lock_one's arrival rule; queue_append (bypassed = 0) *)
(*   Release(t)      release_req then lk__grant_pass -> grant_ldsf         *)
(*   Timeout(t)      wait_cancel (a timeout or a victim) then the pass     *)
(*                                                                         *)
(* The weights (txn dep counters, written by waits on other resources)   *)
(* are not modelled: the pass may take the queued requests in ANY order  *)
(* (Passes returns every outcome), which covers every weight ldsf_key     *)
(* could see. A request is                                                 *)
(* eligible when compatible with the holders (those granted earlier in    *)
(* the pass included) and with every pinned request queued ahead of it;   *)
(* granting one counts a bypass against each conflicting request queued   *)
(* ahead of it.                                                           *)
(*                                                                         *)
(* Properties:                                                            *)
(*   Compatible    granted modes pairwise compatible                       *)
(*   EdgesCovered  every waiting request conflicts with a holder or with a *)
(*                 request queued ahead of it: the FIFO wait-for edges     *)
(*                 that lk__blockers (and so DETECT's graph, wait-die and  *)
(*                 wound-wait) use still cover every real wait             *)
(*   NoPassPinned  (action) no grant passes a pinned request it conflicts  *)
(*                 with                                                    *)
(*   WaitEnds      (liveness) every waiting request is granted, when       *)
(*                 holders release eventually and requests may come at any *)
(*                 time                                                    *)
(*                                                                         *)
(* Seeded bugs (Bug):                                                     *)
(*   "nocap"       no pinning: readers that keep passing a queued X        *)
(*                 starve it (WaitEnds fails)                              *)
(*   "sortstrict"  the FIFO rule applied to the pass's own order: a        *)
(*                 request is held back by one considered before it that   *)
(*                 it conflicts with, though that one is queued behind it  *)
(*                 (EdgesCovered fails: a wait the FIFO edges miss, which  *)
(*                 could hide a deadlock from the detector). It takes 4    *)
(*                 txns and a timeout with S/X: an S holder, X and S       *)
(*                 queued behind an X that gives up.                       *)
(* Bounds: 3 or 4 txns, modes S and X, K = 2 (the C has 4: the bound's   *)
(* shape does not depend on it). WaitEnds is checked without timeouts     *)
(* (a waiter that gives up also ends its wait, which would hide nothing   *)
(* but make the property easier).                                          *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS Txn, Modes, K, Bug,
          Timeouts \* TRUE: a waiter may give up (wait_cancel, then a pass)

None == "none"
Compat(a, b) == a = None \/ b = None \/ (a = "S" /\ b = "S")

VARIABLES held, queue, byp
vars == <<held, queue, byp>>

TypeOK == /\ held \in [Txn -> Modes \cup {None}]
          /\ queue \in Seq([txn : Txn, mode : Modes])
          /\ byp \in [Txn -> 0..K]

Waiting(t) == \E i \in 1..Len(queue) : queue[i].txn = t
PinnedB(b, t) == Bug # "nocap" /\ b[t] >= K
Pinned(t) == PinnedB(byp, t)

RemoveAt(q, i) == SubSeq(q, 1, i - 1) \o SubSeq(q, i + 1, Len(q))

(* One pass over queue q with holders hr and counters b; seen: positions  *)
(* (in q) already considered and left waiting (only "sortstrict" reads   *)
(* them). Returns the set of possible <<queue, held, byp>> outcomes.     *)
OkHeld(hr, e) == \A u \in Txn \ {e.txn} : Compat(hr[u], e.mode)
OkAhead(q, i, b, seen) ==
  \A j \in 1..(i - 1) :
     ~Compat(q[j].mode, q[i].mode) =>
        ~(PinnedB(b, q[j].txn) \/ (Bug = "sortstrict" /\ j \in seen))
OkSorted(q, i, seen) ==
  Bug = "sortstrict" =>
     \A j \in seen : j > i => Compat(q[j].mode, q[i].mode)
Eligible(q, i, hr, b, seen) ==
  /\ i \notin seen
  /\ OkHeld(hr, q[i]) /\ OkAhead(q, i, b, seen) /\ OkSorted(q, i, seen)
\* the positions the pass may consider next: any (the weights are free)
Next1(q, b, seen) == {i \in 1..Len(q) : i \notin seen}
Bump(q, i, b) ==
  [u \in Txn |-> IF \E j \in 1..(i - 1) : q[j].txn = u /\ ~Compat(q[j].mode, q[i].mode)
                 THEN IF b[u] < K THEN b[u] + 1 ELSE b[u]
                 ELSE b[u]]
\* positions above i shift down when i leaves the queue
Shift(seen, i) == {IF j > i THEN j - 1 ELSE j : j \in seen}
RECURSIVE Passes(_, _, _, _)
Passes(q, hr, b, seen) ==
  LET cand == Next1(q, b, seen)
  IN IF cand = {} THEN {<<q, hr, b>>}
     ELSE UNION {IF Eligible(q, i, hr, b, seen)
                 THEN Passes(RemoveAt(q, i), [hr EXCEPT ![q[i].txn] = q[i].mode],
                             Bump(q, i, b), Shift(seen, i))
                 ELSE Passes(q, hr, b, seen \cup {i}) : i \in cand}

Init == /\ held = [t \in Txn |-> None]
        /\ queue = << >>
        /\ byp = [t \in Txn |-> 0]

Request(t, m) ==
  /\ held[t] = None /\ ~Waiting(t)
  /\ IF (\A u \in Txn : Compat(held[u], m)) /\
        (\A i \in 1..Len(queue) : Compat(queue[i].mode, m))
     THEN held' = [held EXCEPT ![t] = m] /\ UNCHANGED <<queue, byp>>
     ELSE /\ queue' = Append(queue, [txn |-> t, mode |-> m])
          /\ byp' = [byp EXCEPT ![t] = 0]
          /\ UNCHANGED held

Release(t) ==
  /\ held[t] # None
  /\ \E out \in Passes(queue, [held EXCEPT ![t] = None], byp, {}) :
        /\ queue' = out[1] /\ held' = out[2] /\ byp' = out[3]

Timeout(t) ==
  /\ Timeouts
  /\ \E i \in 1..Len(queue) :
        /\ queue[i].txn = t
        /\ \E out \in Passes(RemoveAt(queue, i), held, byp, {}) :
              /\ queue' = out[1] /\ held' = out[2] /\ byp' = out[3]

Next == \/ \E t \in Txn, m \in Modes : Request(t, m)
        \/ \E t \in Txn : Release(t) \/ Timeout(t)

\* holders release eventually; nobody has to ask
Spec == Init /\ [][Next]_vars /\ \A t \in Txn : WF_vars(Release(t))

----------------------------------------------------------------------------
Compatible == \A t, u \in Txn : t # u => Compat(held[t], held[u])

EdgesCovered == \A i \in 1..Len(queue) :
  \/ \E u \in Txn \ {queue[i].txn} : ~Compat(held[u], queue[i].mode)
  \/ \E j \in 1..(i - 1) : ~Compat(queue[j].mode, queue[i].mode)

Granted(t) == held[t] = None /\ held'[t] # None
StillWaits(u) == \E j \in 1..Len(queue') : queue'[j].txn = u
\* a request granted from the queue passed no request pinned before the step
\* that is queued ahead of it, conflicts with it and still waits
PassStep == \A j \in 1..Len(queue) :
  Granted(queue[j].txn) =>
     \A i \in 1..(j - 1) :
        (Pinned(queue[i].txn) /\ StillWaits(queue[i].txn)) =>
           Compat(queue[i].mode, queue[j].mode)
NoPassPinned == [][PassStep]_vars

WaitEnds == \A t \in Txn : Waiting(t) ~> ~Waiting(t)
=============================================================================
