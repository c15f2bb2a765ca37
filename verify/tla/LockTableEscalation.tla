------------------------- MODULE LockTableEscalation -------------------------
(***************************************************************************)
(* The lock table's hierarchy (one table, its rows) with the update mode  *)
(* U, lock escalation and the table's fencing tokens.                     *)
(*                                                                         *)
(* Modes and their rules are lk_modetable_default's (lockmgr.c mt_build): *)
(*   conflicts   IS: X   IX: S SIX U X   S: IX SIX X   SIX: all but IS     *)
(*               U: IX SIX U X   X: all (U is compatible with IS and S)    *)
(*   a covers b  conflicts(b) \subseteq conflicts(a) (supremum[a][b] = a) *)
(*   intention   S -> IS;  U, X -> IX (on the table, before the row)       *)
(*   escalate    S -> S;   U, X -> X                                       *)
(* U is a read mode with a pending write: a U row needs IX on the table   *)
(* (it may convert to X there without a table wait); a table held in U    *)
(* covers S and U requests on its rows as S covers S (no row lock, no     *)
(* table conversion: never SIX); Implied(U) = U below.                     *)
(*                                                                         *)
(* Escalation: a fresh row lock (hierarchical or LK_F_NOHIER) that leaves *)
(* the txn with MORE than Threshold row locks under a table it holds      *)
(* makes it ask, without waiting, for the supremum of its table mode and  *)
(* escalate[] of every row mode; granted only when compatible with every  *)
(* other txn's table lock; then it releases the rows the new mode covers  *)
(* (all of them, when the target is right). Not granted: no change, tried *)
(* again at the next fresh row.                                            *)
(*                                                                         *)
(* Fencing tokens (the table's; rows get theirs from the same next_token  *)
(* in lock_one and are left out): each grant or conversion to an          *)
(* exclusive mode (one that conflicts with itself: SIX, U, X), and each   *)
(* escalation to one, hands out a token strictly greater than every token *)
(* handed out on the table before.                                         *)
(*                                                                         *)
(* Models: lockmgr/lock.c, lock_slow -> lock_ancestors (intention on      *)
(* the table, coverage by a held non-intention mode) -> lock_one on the   *)
(* row -> escalate() (the table request's child count, a conversion       *)
(* checked against the other holders only, never waiting, next_token,     *)
(* then the row releases); next_token (++h->token).                        *)
(*                                                                         *)
(*   action              C step                                           *)
(*   LockRow(t,r,m,TRUE) lk_lock on a row: not locked when the table mode *)
(*                       covers m; else intention[m] on the table (its    *)
(*                       head latch; a conversion to an exclusive mode    *)
(*                       takes a token), then the row (its head latch). A *)
(*                       conflict is a wait, here: not enabled (no queues *)
(*                       in this spec; LockTable.tla has them). A fresh   *)
(*                       row past the threshold: esc[t] := r, t goes on   *)
(*                       into escalate() (other txns may step between)    *)
(*   LockRow(t,r,m,FALSE) the same with LK_F_NOHIER: the row alone. Its   *)
(*                       rows are the caller's business (not under the    *)
(*                       hierarchy invariants) but count for escalation   *)
(*   LockTab(t,m)        lk_lock on the table itself                      *)
(*   Escalate(t)         escalate(): under the table's head latch, test   *)
(*                       conflicts[target] against the other holders,     *)
(*                       convert, next_token; the row releases follow     *)
(*                       (one step here: t's rows are t's own)            *)
(*   Commit(t)           lk_txn_commit                                     *)
(*                                                                         *)
(* The C and this spec, as of 130f46c (issue 12 items 3, 5, 7): the C   *)
(* takes intention[m] on the table before it tests coverage (a table in U *)
(* and a row U request: the table becomes SIX); it counts only            *)
(* hierarchical rows towards the threshold; and escalate() hands out its  *)
(* token through EMIT() (Bug "oldtoken"). The spec is the rule to meet.   *)
(*                                                                         *)
(* Bounds: 2 txns, 2 rows, Threshold 1 (escalation at the second row),    *)
(* NoHier TRUE (LK_F_NOHIER row locks too); about 33k distinct states,    *)
(* 30 s on 2 busy cores. Token values: the View makes TLC tell states     *)
(* apart by their tokens' order only (the steps compare tokens, never     *)
(* their size), so the counter needs no bound. 3 rows with Threshold 2    *)
(* run past 5 minutes.                                                    *)
(* Bug (seeded; each must be rejected):                                    *)
(*   "nocheck"  escalation grants the table mode without the              *)
(*              compatibility check (TabCompatible);                      *)
(*   "xtos"     escalate[X] = S: X rows escalate to S (EscSupremum);      *)
(*   "lastrow"  the target is the table mode joined with escalate[] of    *)
(*              the last row locked only, not of every row (EscSupremum); *)
(*   "uis"      intention[U] = IS: a U row under IS, next to another      *)
(*              txn's table S or U (UConvertible, RowCompatible);         *)
(*   "oldtoken" escalation hands out the table's current token without    *)
(*              advancing it: a token an earlier holder had (TokenStrict). *)
(*              The C as of 130f46c: escalate() calls next_token inside   *)
(*              EMIT(), which evaluates it only when tracing is on.       *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS Txn, Rows, Threshold, NoHier, Bug

None == "none"
TabModes == {"IS", "IX", "S", "SIX", "U", "X"}
RowModes == {"S", "U", "X"}
All == TabModes \cup {None}

\* lk_modetable_default's conflicts[] (symmetric); None conflicts with nothing.
ConfOf(m) == CASE m = "IS"  -> {"X"}
               [] m = "IX"  -> {"S", "SIX", "U", "X"}
               [] m = "S"   -> {"IX", "SIX", "X"}
               [] m = "SIX" -> {"IX", "S", "SIX", "U", "X"}
               [] m = "U"   -> {"IX", "SIX", "U", "X"}
               [] m = "X"   -> TabModes
               [] OTHER     -> {}
\* (tables, computed once: TLC looks them up, which halves the run time)
CompatT == [a \in All |-> [b \in All |-> b \notin ConfOf(a)]]
CoversT == [a \in All |-> [b \in All |-> ConfOf(b) \subseteq ConfOf(a)]]
Compat(a, b) == CompatT[a][b]
\* a covers b: conflicts(b) \subseteq conflicts(a) (supremum[a][b] = a)
Covers(a, b) == CoversT[a][b]
Excl(m) == m \in ConfOf(m)
\* lk_modetable_init's supremum: a or b if it covers the other, else the
\* mode with the fewest conflicts that covers both (unique in this table).
SupOf(a, b) ==
  IF Covers(a, b) THEN a ELSE IF Covers(b, a) THEN b
  ELSE CHOOSE c \in TabModes :
         /\ Covers(c, a) /\ Covers(c, b)
         /\ \A d \in TabModes : (Covers(d, a) /\ Covers(d, b))
                => Cardinality(ConfOf(c)) <= Cardinality(ConfOf(d))
SupT == [a \in All |-> [b \in All |-> SupOf(a, b)]]
Sup(a, b) == SupT[a][b]
RECURSIVE SupSet(_, _)
SupSet(a, S) == IF S = {} THEN a ELSE LET m == CHOOSE x \in S : TRUE
                                       IN SupSet(Sup(a, m), S \ {m})

\* The right maps, and the ones the C uses (a seeded bug changes those).
Intention(m) == IF m = "S" THEN "IS" ELSE "IX"
IntentionC(m) == IF m = "U" /\ Bug = "uis" THEN "IS" ELSE Intention(m)
EscMode(m) == IF m = "S" THEN "S" ELSE "X"
EscModeC(m) == IF m = "X" /\ Bug = "xtos" THEN "S" ELSE EscMode(m)
\* The strongest row mode a table mode covers (none for IS, IX).
ImpliedT == [tm \in All |-> CHOOSE m \in RowModes \cup {None} :
               /\ Covers(tm, m)
               /\ \A m2 \in RowModes : Covers(tm, m2) => Covers(m, m2)]
Implied(tm) == ImpliedT[tm]
\* The derived tables say what lockmgr.h says (S+IX = SIX, S+U = U,
\* IX+U = SIX, anything+X = X; a table U covers row S and U as SIX does).
ASSUME /\ Sup("S", "IX") = "SIX" /\ Sup("S", "U") = "U" /\ Sup("IX", "U") = "SIX"
       /\ \A m \in All : Sup(m, "X") = "X"
       /\ ImpliedT = [tm \in All |-> CASE tm = "X" -> "X" [] tm \in {"SIX", "U"} -> "U"
                                        [] tm = "S" -> "S" [] OTHER -> None]

VARIABLES tab,    \* tab[t]: t's table mode
          row,    \* row[t][r]: t's row lock on r
          nh,     \* nh[t]: the rows t locked with LK_F_NOHIER
          esc,    \* esc[t]: the fresh row that put t past the threshold,
                  \*   t is inside escalate(); 0: not
          tok,    \* the table head's token counter (h->token)
          minted, \* ghost: the table token the last step handed out, 0: none
          hi      \* ghost: the highest table token handed out before it
vars == <<tab, row, nh, esc, tok, minted, hi>>

TypeOK == /\ tab \in [Txn -> All]
          /\ row \in [Txn -> [Rows -> RowModes \cup {None}]]
          /\ nh \in [Txn -> SUBSET Rows]
          /\ esc \in [Txn -> Rows \cup {0}]
          /\ tok \in Nat /\ minted \in Nat /\ hi \in Nat

Init == /\ tab = [t \in Txn |-> None]
        /\ row = [t \in Txn |-> [r \in Rows |-> None]]
        /\ nh = [t \in Txn |-> {}]
        /\ esc = [t \in Txn |-> 0]
        /\ tok = 0 /\ minted = 0 /\ hi = 0

Max(a, b) == IF a > b THEN a ELSE b
\* Table mode m granted (or converted to) in this step: next_token.
Mint(m) == IF Excl(m) THEN tok' = tok + 1 /\ minted' = tok + 1
                      ELSE tok' = tok /\ minted' = 0
NoMint == tok' = tok /\ minted' = 0
\* t's own view of row r (its row lock joined with what its table covers)
Eff(t, r) == Sup(row[t][r], Implied(tab[t]))
\* the hierarchy's view: LK_F_NOHIER rows left out
EffH(t, r) == Sup(IF r \in nh[t] THEN None ELSE row[t][r], Implied(tab[t]))

LockRow(t, r, m, hier) ==
  /\ esc[t] = 0
  /\ hier \/ NoHier
  /\ hier => ~Covers(Implied(tab[t]), m)
  /\ LET tt == IF hier THEN Sup(tab[t], IntentionC(m)) ELSE tab[t]
         rt == Sup(row[t][r], m)
         n == Cardinality({x \in Rows : x = r \/ row[t][x] # None})
     IN /\ tt # tab[t] \/ rt # row[t][r]
        /\ \A u \in Txn \ {t} : Compat(tab[u], tt) /\ Compat(row[u][r], rt)
        /\ tab' = [tab EXCEPT ![t] = tt]
        /\ row' = [row EXCEPT ![t][r] = rt]
        /\ IF tt # tab[t] THEN Mint(tt) ELSE NoMint
        /\ esc' = IF row[t][r] = None /\ tt # None /\ n > Threshold
                  THEN [esc EXCEPT ![t] = r] ELSE esc
        \* r is NOHIER while its mode came from an LK_F_NOHIER request
        /\ nh' = [nh EXCEPT ![t] = IF ~hier THEN @ \cup {r}
                                   ELSE IF rt # row[t][r] THEN @ \ {r} ELSE @]

LockTab(t, m) ==
  /\ esc[t] = 0
  /\ LET tt == Sup(tab[t], m)
     IN /\ tt # tab[t]
        /\ \A u \in Txn \ {t} : Compat(tab[u], tt)
        /\ tab' = [tab EXCEPT ![t] = tt]
        /\ Mint(tt)
  /\ UNCHANGED <<row, nh, esc>>

EscTarget(t) ==
  IF Bug = "lastrow" THEN Sup(tab[t], EscModeC(row[t][esc[t]]))
  ELSE SupSet(tab[t], {EscModeC(row[t][r]) : r \in {x \in Rows : row[t][x] # None}})

Escalate(t) ==
  /\ esc[t] # 0
  /\ LET tt == EscTarget(t)
         kept == {r \in Rows : ~Covers(tt, row[t][r])}
     IN IF Bug = "nocheck" \/ \A u \in Txn \ {t} : Compat(tab[u], tt)
        THEN /\ tab' = [tab EXCEPT ![t] = tt]
             /\ row' = [row EXCEPT ![t] = [r \in Rows |-> IF r \in kept THEN @[r] ELSE None]]
             /\ nh' = [nh EXCEPT ![t] = @ \cap kept]
             /\ IF ~Excl(tt) THEN NoMint
                ELSE IF Bug = "oldtoken" THEN tok' = tok /\ minted' = tok
                ELSE Mint(tt)
        ELSE UNCHANGED <<tab, row, nh>> /\ NoMint
  /\ esc' = [esc EXCEPT ![t] = 0]

Commit(t) ==
  /\ esc[t] = 0
  /\ tab[t] # None \/ \E r \in Rows : row[t][r] # None
  /\ tab' = [tab EXCEPT ![t] = None]
  /\ row' = [row EXCEPT ![t] = [r \in Rows |-> None]]
  /\ nh' = [nh EXCEPT ![t] = {}]
  /\ NoMint
  /\ UNCHANGED esc

Next == /\ \/ \E t \in Txn : \/ \E r \in Rows, m \in RowModes, h \in BOOLEAN : LockRow(t, r, m, h)
                             \/ \E m \in TabModes : LockTab(t, m)
                             \/ Escalate(t) \/ Commit(t)
        /\ hi' = Max(hi, minted')
Spec == Init /\ [][Next]_vars

\* The view TLC tells states apart by: token values only relative to each
\* other (the steps compare them, never their size), so the counter needs
\* no bound.
View == <<tab, row, nh, esc, tok > 0, tok - hi>>

----------------------------------------------------------------------------
(* Safety *)
\* No table lock (escalated or not) is granted next to a conflicting one.
TabCompatible == \A t, u \in Txn : t # u => Compat(tab[t], tab[u])
\* Row locks pairwise compatible; so is every row as the hierarchy sees it
\* (explicit or covered by the table lock; NOHIER rows are the caller's).
RowCompatible == \A r \in Rows : \A t, u \in Txn : t # u =>
                   /\ Compat(row[t][r], row[u][r])
                   /\ Compat(EffH(t, r), EffH(u, r))
\* A hierarchical row lock sits under its intention mode.
Intentions == \A t \in Txn, r \in Rows :
                (row[t][r] # None /\ r \notin nh[t]) => Covers(tab[t], Intention(row[t][r]))
\* A U row holder can convert to X without a table wait: no other txn
\* holds a table mode that conflicts with IX (S, SIX, U, X).
UConvertible == \A t \in Txn, r \in Rows :
                  (row[t][r] = "U" /\ r \notin nh[t]) => \A u \in Txn \ {t} : Compat(tab[u], "IX")

\* Steps. A txn's view of a row never weakens before it ends (escalation
\* releases only rows its table mode covers).
Ends(t) == tab'[t] = None /\ \A r \in Rows : row'[t][r] = None
NoModeLost == [][\A t \in Txn : ~Ends(t) => \A r \in Rows : Covers(Eff(t, r)', Eff(t, r))]_vars
\* A granted escalation's table mode covers every row mode the txn held
\* (so it releases them all): the supremum of their escalate[] modes.
EscGranted(t) == esc[t] # 0 /\ esc'[t] = 0 /\ (tab'[t] # tab[t] \/ row'[t] # row[t])
EscSupremum == [][\A t \in Txn : EscGranted(t) =>
                    /\ \A r \in Rows : Covers(tab'[t], row[t][r])
                    /\ \A r \in Rows : row'[t][r] = None]_vars
\* Every table token handed out is greater than every one before it.
TokenStrict == [][minted' # 0 => minted' > hi]_vars
\* Every grant of an exclusive table mode (conversion or escalation) hands
\* one out.
TokenOnGrant == [][\A t \in Txn : (tab'[t] # tab[t] /\ Excl(tab'[t])) => minted' # 0]_vars
=============================================================================
