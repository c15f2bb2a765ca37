------------------------- MODULE LockTableEscalation -------------------------
(***************************************************************************)
(* Lock escalation in the lock table's hierarchy: a txn that holds more   *)
(* than Threshold row locks under one table asks, without waiting, for the *)
(* table mode that covers them (S rows -> S, X rows -> X, joined with the  *)
(* intention mode it holds: IX + S = SIX); if granted it drops the rows.   *)
(*                                                                         *)
(* Models: lockmgr/lockmgr.c, lk_lock_ex -> escalate() (the table         *)
(* request's child counter, then a conversion of the table request        *)
(* checked against the other holders only, never waiting), and the       *)
(* hierarchy walk in lk_lock (intention[mode] on the table first).         *)
(*                                                                         *)
(*   action          C step                                               *)
(*   LockRow(t,r,m)  lk_lock on a row: intention on the table (one head    *)
(*                   latch), then the row (its head latch); a conflict is *)
(*                   a wait, here: not enabled (no queues in this spec;    *)
(*                   LockTable.tla has them)                              *)
(*   LockTab(t,m)    lk_lock on the table itself                          *)
(*   Escalate(t)     escalate(): under the table's head latch, test       *)
(*                   conflicts[target] against the other holders, convert *)
(*                   and emit LK_EV_ESCALATE; the row releases follow     *)
(*   Commit(t)       lk_txn_commit                                         *)
(*                                                                         *)
(* Bounds: 2-3 txns, 3 rows of one table, Threshold 2 (< 10 s).            *)
(* Bug: "nocheck"  escalation grants the table mode without the           *)
(*                 compatibility check;                                    *)
(*      "smode"    escalation always asks S, even over X rows.            *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS Txn, Rows, Threshold, Bug

None == "none"
TabModes == {"IS", "IX", "S", "SIX", "X"}
CompatPairs == {<<"IS","IS">>, <<"IS","IX">>, <<"IS","S">>, <<"IS","SIX">>,
                <<"IX","IS">>, <<"IX","IX">>, <<"S","IS">>, <<"S","S">>,
                <<"SIX","IS">>}
Compat(a, b) == a = None \/ b = None \/ <<a, b>> \in CompatPairs
Covers(a, b) == \/ b = None \/ a = b \/ a = "X"
                \/ a = "SIX" /\ b \in {"IS", "IX", "S"}
                \/ a \in {"IX", "S"} /\ b = "IS"
All == TabModes \cup {None}
SupT == [p \in All \X All |->
          CHOOSE c \in All : /\ Covers(c, p[1]) /\ Covers(c, p[2])
                             /\ \A d \in TabModes : (Covers(d, p[1]) /\ Covers(d, p[2])) => Covers(d, c)]
Sup(a, b) == SupT[<<a, b>>]
Intention(m) == IF m = "S" THEN "IS" ELSE "IX"
\* What a table mode implies on every row under it.
Implied(tm) == CASE tm \in {"S", "SIX"} -> "S" [] tm = "X" -> "X" [] OTHER -> None

VARIABLES tab, row, wrote
vars == <<tab, row, wrote>>

TypeOK == /\ tab \in [Txn -> All]
          /\ row \in [Txn -> [Rows -> {None, "S", "X"}]]
          /\ wrote \in [Txn -> SUBSET Rows]

Init == /\ tab = [t \in Txn |-> None]
        /\ row = [t \in Txn |-> [r \in Rows |-> None]]
        /\ wrote = [t \in Txn |-> {}]

NRows(t) == Cardinality({r \in Rows : row[t][r] # None})
Eff(t, r) == Sup(row[t][r], Implied(tab[t]))

LockRow(t, r, m) ==
  /\ m \in {"S", "X"}
  /\ ~Covers(Eff(t, r), m)
  /\ LET tt == Sup(tab[t], Intention(m))
         rt == Sup(row[t][r], m)
     IN /\ \A u \in Txn \ {t} : Compat(tab[u], tt) /\ Compat(row[u][r], rt)
        /\ tab' = [tab EXCEPT ![t] = tt]
        /\ row' = [row EXCEPT ![t][r] = rt]
  /\ wrote' = IF m = "X" THEN [wrote EXCEPT ![t] = @ \cup {r}] ELSE wrote

LockTab(t, m) ==
  /\ m \in TabModes
  /\ LET tt == Sup(tab[t], m)
     IN /\ tt # tab[t]
        /\ \A u \in Txn \ {t} : Compat(tab[u], tt)
        /\ tab' = [tab EXCEPT ![t] = tt]
  /\ UNCHANGED <<row, wrote>>

Escalate(t) ==
  /\ NRows(t) > Threshold
  /\ LET em == IF Bug # "smode" /\ \E r \in Rows : row[t][r] = "X" THEN "X" ELSE "S"
         tt == Sup(tab[t], em)
     IN /\ Bug = "nocheck" \/ \A u \in Txn \ {t} : Compat(tab[u], tt)
        /\ tab' = [tab EXCEPT ![t] = tt]
        /\ row' = [row EXCEPT ![t] = [r \in Rows |-> None]]
  /\ UNCHANGED wrote

Commit(t) ==
  /\ tab[t] # None
  /\ tab' = [tab EXCEPT ![t] = None]
  /\ row' = [row EXCEPT ![t] = [r \in Rows |-> None]]
  /\ wrote' = [wrote EXCEPT ![t] = {}]

Next == \E t \in Txn : \/ \E r \in Rows, m \in {"S", "X"} : LockRow(t, r, m)
                       \/ \E m \in TabModes : LockTab(t, m)
                       \/ Escalate(t) \/ Commit(t)
Spec == Init /\ [][Next]_vars

\* Escalation never grants an incompatible table lock.
TabCompatible == \A t, u \in Txn : t # u => Compat(tab[t], tab[u])
\* Every row, explicit or covered by the table lock, pairwise compatible.
RowCompatible == \A r \in Rows : \A t, u \in Txn : t # u => Compat(Eff(t, r), Eff(u, r))
\* A row lock sits under the right intention mode.
Intentions == \A t \in Txn, r \in Rows :
                /\ row[t][r] = "S" => tab[t] # None
                /\ row[t][r] = "X" => tab[t] \in {"IX", "SIX", "X"}
\* A row the txn wrote stays covered by X until commit (escalation keeps it).
WritesKept == \A t \in Txn : \A r \in wrote[t] : Eff(t, r) = "X"
=============================================================================
