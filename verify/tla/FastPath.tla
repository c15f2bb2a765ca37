------------------------------ MODULE FastPath ------------------------------
(***************************************************************************)
(* The lock table's weak-lock fast path and its transfer (issue 13 item 2, *)
(* PostgreSQL-style): weak modes (IS, IX) on database/table resources are  *)
(* granted as records in the txn's own fast-path slots under its latch     *)
(* fpL[t] while the partition's strong counter cnt[p] is 0; a strong       *)
(* locker (S, X here; SIX arises by conversion) counts itself in cnt[p],   *)
(* moves every other txn's record on the resource into the main table      *)
(* (the transfer), and then asks the main table like any request.          *)
(*                                                                         *)
(* Models: lockmgr/fastpath.c, the protocol of issue 13 item 2 (weak lock *)
(* lk__fp_lock, strong lock with transfer lk__fp_strong/fp_move, owner     *)
(* adoption lk__fp_adopt/lk__fp_to_main, txn end lk__fp_end and then       *)
(* lk__fp_uncount after txn.c's main-table release); the main table is     *)
(* lockmgr's grant, simplified as the brief allows: a request is granted   *)
(* when compatible with every other txn's granted mode (no FIFO; waiting   *)
(* requests block nobody).  When fastpath.c's atomic steps change, this    *)
(* table changes in the same commit.                                       *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  b_st     | txn begin: store(&t->state, 1, seq_cst)                     *)
(*  next     | pick the next request (r, m) (local); the owner looks up its*)
(*           | own record for r (only the owner adds or removes records)   *)
(*           | and its own knowledge "may hold r in the main table"        *)
(*  w_lat    | weak, no record: CAS(&fpL[t], 0, 1, acquire)                *)
(*  w_cnt    | load(&cnt[p], seq_cst): 0 -> w_add; else store(&fpL[t], 0,  *)
(*           | release) and go to the main table (m_req)                   *)
(*  w_add    | write the record (r, m, moved = 0); store(&fpL[t], 0,       *)
(*           | release): granted                                           *)
(*  wr_lat   | weak, own record exists: CAS(&fpL[t], 0, 1, acquire)        *)
(*  wr_look  | under fpL[t]: record moved -> adoption (remove the record,  *)
(*           | unlatch, the main request is the owner's: m_req); record    *)
(*           | covers m -> unlatch, granted; else wr_cnt                   *)
(*  wr_cnt   | load(&cnt[p], seq_cst): 0 -> record mode := IX and unlatch  *)
(*           | (the write is under fpL[t], merged); else unlatch, m_req    *)
(*  s_cnt    | strong: fetch_add(&cnt[p], 1, seq_cst) unless t has counted *)
(*           | p already (its bit); then the scan unless t has transferred *)
(*           | r already (its per-resource bit, see "Finding" below)       *)
(*  s_st     | scan, txn o = 1..N: load(&o->state, seq_cst); 0 -> skip o   *)
(*  s_lat    | CAS(&fpL[o], 0, 1, acquire)                                 *)
(*  s_xf     | o's record on r, if not moved: under r's head latch add o's *)
(*           | holder request (merged into o's request on r if it has one) *)
(*           | with the record's mode; moved := that request; o = t: t     *)
(*           | adopts it at once (removes the record); store(&fpL[o], 0,   *)
(*           | release); after o = N: m_req (t's own bit xf[t][r] set)     *)
(*  m_req    | main table, under r's head latch: covered -> granted;       *)
(*           | compatible with every other holder -> granted (a new        *)
(*           | request or a conversion); else queued (m_wait)              *)
(*  m_wait   | the waiter's re-check under the head latch, merged with the *)
(*           | wait: granted when compatible; ABORTS: it may give up (a    *)
(*           | timeout or a deadlock victim) and end the txn               *)
(*  e_lat    | txn end: CAS(&fpL[t], 0, 1, acquire)                        *)
(*  e_clr    | clear every record (moved ones are released through the     *)
(*           | main table); store(&fpL[t], 0, release)                     *)
(*  e_main   | release one of t's main-table requests (its own list, under *)
(*           | that resource's head latch), one step per request           *)
(*  e_cnt    | fetch_sub(&cnt[p], 1, release) for each p t counted (none:  *)
(*           | no step)                                                    *)
(*  e_st     | store(&t->state, 0, release)                                *)
(*                                                                         *)
(* Merges (sound by reduction: the merged accesses are protected by a      *)
(* latch the actor holds, so no other process can observe them between):   *)
(* a write under fpL[t] with the unlatch that follows it (w_add, wr_cnt,   *)
(* s_xf, e_clr); the main table's whole critical section under a head      *)
(* latch (m_req, m_wait, the main-table half of s_xf, e_main); wr_cnt's    *)
(* load with the write under the latch it already holds.  The spec is      *)
(* sequentially consistent: the Dekker pair (weak: latch, then cnt load;   *)
(* strong: cnt RMW, then the latch of each txn) needs seq_cst on the cnt   *)
(* load and RMW in the C; the state store/load pair of the skip-inactive   *)
(* scan needs seq_cst on both (begin before the first record).             *)
(* Dead thread-locals are left out of TLC's fingerprint (VIEW View), which *)
(* is resetting them when dead without an extra write; a finished request  *)
(* goes straight to the txn's end after its K-th request (Fin).            *)
(*                                                                         *)
(* Finding (BUG = "bitskip"): the rule "a txn that has counted p does not  *)
(* transfer again, since no new record in p can appear while its count is  *)
(* in place" is unsound when two resources share a partition: the records  *)
(* on r2 that existed BEFORE t's count (on r1) were never transferred (the *)
(* transfer moves records on r1 only), so t's later strong lock on r2 is   *)
(* granted beside them.  The correct rule, checked here: count p once,     *)
(* but transfer each resource the first time t locks it strongly (bit      *)
(* xf[t][r]; or simply transfer on every strong request: only records not  *)
(* moved yet are touched).                                                 *)
(*                                                                         *)
(* Seeded bugs (each must fail; the invariant that catches it is in the    *)
(* config):                                                                *)
(*   "noxfer"    (a) the strong locker counts but skips the transfer       *)
(*   "incafter"  (a) the strong locker scans first and counts after        *)
(*   "cntfirst"  (b) the weak locker loads cnt[p] before taking fpL[t]     *)
(*   "nolatch"   (b) the weak locker adds its record without fpL[t]        *)
(*   "cntearly"  (c) txn end drops its counts before releasing its main-   *)
(*               table locks                                               *)
(*   "latestate" (d) begin's state store comes after the txn's first       *)
(*               record (the store is not ordered before it): the scan     *)
(*               reads the txn as inactive and skips it                    *)
(*   "bitskip"   the brief's per-partition "no transfer again" (above)     *)
(*   "leakmoved" (liveness) txn end releases only the main-table requests  *)
(*               it made itself, not the transfer's: a strong waiter       *)
(*               starves (Finish fails; the deadlock check is off there)   *)
(*   "dupxfer"   the transfer always adds a new holder request, without    *)
(*               looking up o's request on r (a txn that went to the main  *)
(*               table with its IS record still in place: IS -> IX while   *)
(*               cnt[p] > 0) -> two holder requests of o on r              *)
(*                                                                         *)
(* Properties: Compatible (modes granted on r across the main table and    *)
(* the non-moved records are pairwise compatible between txns);            *)
(* FPExclusive (no strong grant on r beside any non-moved record on r);    *)
(* MovedInMain (a moved record is in the main table exactly once, with a   *)
(* mode covering it); NoDup (one main-table request per txn and resource); *)
(* CountOK (cnt[p] = the txns that counted p; all zero once all ended);    *)
(* (live) Finish: every txn ends, so (ABORTS = FALSE) every queued         *)
(* request, strong ones included, is granted once the holders end (weak    *)
(* fairness per txn).  TLC's deadlock check is on: with ABORTS = FALSE it  *)
(* shows the "live" script cannot deadlock.                                *)
(* Bounds: one txn per process; 1 partition.  FastPath: N = 2, NR = 1,     *)
(* K = 2, any of IS IX S X (the IS -> IX upgrade, adoption, S -> SIX/X     *)
(* conversions), waiters may give up; _2res: N = 2, NR = 2 in the one      *)
(* partition, txn 1 strong, txn 2 weak; _3t: N = 3, NR = 1, txns 1 and 2   *)
(* one S or X each, txn 3 two weak requests; _live: the same with K = 1.   *)
(* The bugs: N = 2, NR = 1, txn 1 strong, txn 2 weak (bitskip: NR = 2;     *)
(* dupxfer: any mode; leakmoved: the _live bounds).                        *)
(* Each under 40 s on 2 busy cores.                                        *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS N, NR, K, SCRIPT, BUG, ABORTS

T == 1..N
Res == 1..NR
Parts == {1}
Part(r) == 1                      \* every resource in partition 1

NONE == "none"
Weak == {"IS", "IX"}
Modes == {"IS", "IX", "S", "SIX", "X"}
Strong == Modes \ Weak            \* conflicts with some weak mode
CompatPairs == {<<"IS","IS">>, <<"IS","IX">>, <<"IS","S">>, <<"IS","SIX">>,
                <<"IX","IS">>, <<"IX","IX">>, <<"S","IS">>, <<"S","S">>,
                <<"SIX","IS">>}
Compat(a, b) == a = NONE \/ b = NONE \/ <<a, b>> \in CompatPairs
Sup(a, b) == IF a = NONE THEN b ELSE IF b = NONE THEN a
             ELSE IF a = b THEN a
             ELSE IF a = "X" \/ b = "X" THEN "X"
             ELSE IF a = "IS" THEN b ELSE IF b = "IS" THEN a
             ELSE "SIX"           \* two of IX, S, SIX
Covers(a, b) == Sup(a, b) = a

\* The requests txn t may make, and how many.
Script(t) == CASE SCRIPT = "all"  -> Res \X {"IS", "IX", "S", "X"}
               [] SCRIPT = "weakstrong" ->
                    IF t = 1 THEN Res \X {"S", "X"} ELSE Res \X {"IS", "IX"}
               [] SCRIPT = "live" ->
                    IF t < N THEN {1} \X {"S", "X"} ELSE {1} \X {"IS", "IX"}
Kof(t) == IF SCRIPT = "live" /\ t < N THEN 1 ELSE K

VARIABLES
  pc,      \* pc[t]
  state,   \* state[t]: 1 while the txn is active (seq_cst store/load)
  fpL,     \* fpL[t]: 0 or the id of the latch's holder
  rec,     \* rec[t][r]: NONE or the mode of t's fast-path record on r
  mv,      \* mv[t][r]: the record has been moved to the main table
  gm,      \* gm[r][t]: t's granted main-table mode on r (NONE: none)
  wm,      \* wm[r][t]: the mode t waits for on r (NONE: not waiting)
  nent,    \* nent[r][t]: t's main-table requests on r (ghost; must be <= 1)
  cnt,     \* cnt[p]: the strong counter
  (* the txn's own (thread-local) state *)
  counted, \* counted[t][p]: t has counted p
  xf,      \* xf[t][r]: t has transferred r
  inMain,  \* inMain[t][r]: t may hold r in the main table
  k,       \* requests made
  r, m,    \* the current request
  o        \* scan index (txn), release index (resource)

vars == <<pc, state, fpL, rec, mv, gm, wm, nent, cnt, counted, xf, inMain,
          k, r, m, o>>
local == <<counted, xf, inMain, k, r, m, o>>

Init == /\ pc = [t \in T |-> "b_st"]
        /\ state = [t \in T |-> 0]
        /\ fpL = [t \in T |-> 0]
        /\ rec = [t \in T |-> [q \in Res |-> NONE]]
        /\ mv = [t \in T |-> [q \in Res |-> FALSE]]
        /\ gm = [q \in Res |-> [t \in T |-> NONE]]
        /\ wm = [q \in Res |-> [t \in T |-> NONE]]
        /\ nent = [q \in Res |-> [t \in T |-> 0]]
        /\ cnt = [p \in Parts |-> 0]
        /\ counted = [t \in T |-> [p \in Parts |-> FALSE]]
        /\ xf = [t \in T |-> [q \in Res |-> FALSE]]
        /\ inMain = [t \in T |-> [q \in Res |-> FALSE]]
        /\ k = [t \in T |-> 0]
        /\ r = [t \in T |-> 1]
        /\ m = [t \in T |-> NONE]
        /\ o = [t \in T |-> 1]

Goto(t, l) == pc' = [pc EXCEPT ![t] = l]
Unlatch(t) == fpL' = [fpL EXCEPT ![t] = 0]
HasEntry(q, t) == gm[q][t] # NONE \/ wm[q][t] # NONE
CompatOthers(q, t, md) == \A u \in T \ {t} : Compat(gm[q][u], md)
P(t) == Part(r[t])
\* Where a finished request goes: the next one, or the txn's end.
Fin(t) == IF k[t] >= Kof(t) THEN "e_lat" ELSE "next"
AfterScan == IF BUG = "incafter" THEN "s_inc" ELSE "m_req"

b_st(t) == /\ pc[t] = "b_st"
           /\ state' = IF BUG = "latestate" THEN state
                       ELSE [state EXCEPT ![t] = 1]
           /\ Goto(t, "next")
           /\ UNCHANGED <<fpL, rec, mv, gm, wm, nent, cnt, local>>

\* Pick the next request and branch on the owner's own knowledge.
next(t) == /\ pc[t] = "next"
           /\ IF k[t] < Kof(t)
              THEN \E q \in Script(t) :
                     /\ r' = [r EXCEPT ![t] = q[1]]
                     /\ m' = [m EXCEPT ![t] = q[2]]
                     /\ k' = [k EXCEPT ![t] = @ + 1]
                     /\ Goto(t, IF q[2] \in Strong THEN "s_cnt"
                                ELSE IF rec[t][q[1]] # NONE THEN "wr_lat"
                                ELSE IF inMain[t][q[1]] THEN "m_req"
                                ELSE IF BUG \in {"cntfirst", "nolatch"} THEN "w_cnt"
                                ELSE "w_lat")
              ELSE /\ Goto(t, "e_lat")
                   /\ UNCHANGED <<k, r, m>>
           /\ UNCHANGED <<state, fpL, rec, mv, gm, wm, nent, cnt,
                          counted, xf, inMain, o>>

(* ---- weak lock, no record of t on r ---- *)
w_lat(t) == /\ pc[t] = "w_lat"
            /\ fpL[t] = 0
            /\ fpL' = [fpL EXCEPT ![t] = t]
            /\ Goto(t, IF BUG = "cntfirst" THEN "w_add" ELSE "w_cnt")
            /\ UNCHANGED <<state, rec, mv, gm, wm, nent, cnt, local>>

w_cnt(t) == /\ pc[t] = "w_cnt"
            /\ IF cnt[P(t)] = 0
               THEN /\ Goto(t, IF BUG = "cntfirst" THEN "w_lat" ELSE "w_add")
                    /\ UNCHANGED <<fpL, inMain>>
               ELSE /\ Goto(t, "m_req")
                    /\ fpL' = IF fpL[t] = t THEN [fpL EXCEPT ![t] = 0] ELSE fpL
                    /\ inMain' = [inMain EXCEPT ![t][r[t]] = TRUE]
            /\ UNCHANGED <<state, rec, mv, gm, wm, nent, cnt,
                           counted, xf, k, r, m, o>>

w_add(t) == /\ pc[t] = "w_add"
            /\ rec' = [rec EXCEPT ![t][r[t]] = m[t]]
            /\ mv' = [mv EXCEPT ![t][r[t]] = FALSE]
            /\ fpL' = IF fpL[t] = t THEN [fpL EXCEPT ![t] = 0] ELSE fpL
            /\ IF BUG = "latestate" /\ state[t] = 0
               THEN Goto(t, "w_st") ELSE Goto(t, Fin(t))
            /\ UNCHANGED <<state, gm, wm, nent, cnt, local>>

\* BUG "latestate" only: begin's state store, late.
w_st(t) == /\ pc[t] = "w_st"
           /\ state' = [state EXCEPT ![t] = 1]
           /\ Goto(t, Fin(t))
           /\ UNCHANGED <<fpL, rec, mv, gm, wm, nent, cnt, local>>

(* ---- weak lock, t has a record on r ---- *)
wr_lat(t) == /\ pc[t] = "wr_lat"
             /\ fpL[t] = 0
             /\ fpL' = [fpL EXCEPT ![t] = t]
             /\ Goto(t, "wr_look")
             /\ UNCHANGED <<state, rec, mv, gm, wm, nent, cnt, local>>

wr_look(t) == /\ pc[t] = "wr_look"
              /\ IF mv[t][r[t]]
                 THEN \* adoption: the main-table request is t's own
                      /\ rec' = [rec EXCEPT ![t][r[t]] = NONE]
                      /\ mv' = [mv EXCEPT ![t][r[t]] = FALSE]
                      /\ inMain' = [inMain EXCEPT ![t][r[t]] = TRUE]
                      /\ Unlatch(t)
                      /\ Goto(t, "m_req")
                 ELSE IF Covers(rec[t][r[t]], m[t])
                 THEN /\ Unlatch(t) /\ Goto(t, Fin(t))
                      /\ UNCHANGED <<rec, mv, inMain>>
                 ELSE /\ Goto(t, "wr_cnt")
                      /\ UNCHANGED <<fpL, rec, mv, inMain>>
              /\ UNCHANGED <<state, gm, wm, nent, cnt, counted, xf, k, r, m, o>>

wr_cnt(t) == /\ pc[t] = "wr_cnt"
             /\ IF cnt[P(t)] = 0
                THEN /\ rec' = [rec EXCEPT ![t][r[t]] = Sup(@, m[t])]
                     /\ Goto(t, Fin(t))
                     /\ UNCHANGED inMain
                ELSE /\ Goto(t, "m_req")
                     /\ inMain' = [inMain EXCEPT ![t][r[t]] = TRUE]
                     /\ UNCHANGED rec
             /\ Unlatch(t)
             /\ UNCHANGED <<state, mv, gm, wm, nent, cnt, counted, xf, k, r, m, o>>

(* ---- strong lock ---- *)
s_cnt(t) == /\ pc[t] = "s_cnt"
            /\ LET c == counted[t][P(t)]
                   inc == ~c /\ BUG # "incafter"
               IN /\ cnt' = IF inc THEN [cnt EXCEPT ![P(t)] = @ + 1] ELSE cnt
                  /\ counted' = IF inc THEN [counted EXCEPT ![t][P(t)] = TRUE]
                                ELSE counted
                  /\ Goto(t, IF BUG = "noxfer" THEN "m_req"
                             ELSE IF BUG = "bitskip" /\ c THEN "m_req"
                             ELSE IF xf[t][r[t]] THEN "m_req"
                             ELSE "s_st")
            /\ o' = [o EXCEPT ![t] = 1]
            /\ UNCHANGED <<state, fpL, rec, mv, gm, wm, nent, xf, inMain, k, r, m>>

s_st(t) == /\ pc[t] = "s_st"
           /\ IF state[o[t]] = 0
              THEN IF o[t] = N
                   THEN /\ Goto(t, AfterScan)
                        /\ xf' = [xf EXCEPT ![t][r[t]] = TRUE]
                        /\ UNCHANGED o
                   ELSE /\ o' = [o EXCEPT ![t] = @ + 1]
                        /\ Goto(t, "s_st")
                        /\ UNCHANGED xf
              ELSE /\ Goto(t, "s_lat")
                   /\ UNCHANGED <<o, xf>>
           /\ UNCHANGED <<state, fpL, rec, mv, gm, wm, nent, cnt, counted,
                          inMain, k, r, m>>

s_lat(t) == /\ pc[t] = "s_lat"
            /\ fpL[o[t]] = 0
            /\ fpL' = [fpL EXCEPT ![o[t]] = t]
            /\ Goto(t, "s_xf")
            /\ UNCHANGED <<state, rec, mv, gm, wm, nent, cnt, local>>

s_xf(t) == /\ pc[t] = "s_xf"
           /\ LET u == o[t]
                  q == r[t]
                  md == rec[u][q]
                  doit == md # NONE /\ ~mv[u][q]
                  new == BUG = "dupxfer" \/ ~HasEntry(q, u)
              IN /\ gm' = IF doit THEN [gm EXCEPT ![q][u] = Sup(@, md)] ELSE gm
                 /\ nent' = IF doit /\ new THEN [nent EXCEPT ![q][u] = @ + 1]
                            ELSE nent
                 \* o = t: t adopts its record at once (moved or not)
                 /\ rec' = IF md # NONE /\ u = t THEN [rec EXCEPT ![u][q] = NONE]
                           ELSE rec
                 /\ mv' = IF doit /\ u # t THEN [mv EXCEPT ![u][q] = TRUE]
                          ELSE IF u = t THEN [mv EXCEPT ![u][q] = FALSE]
                          ELSE mv
                 /\ inMain' = IF md # NONE /\ u = t
                              THEN [inMain EXCEPT ![t][q] = TRUE] ELSE inMain
           /\ fpL' = [fpL EXCEPT ![o[t]] = 0]
           /\ IF o[t] = N
              THEN /\ Goto(t, AfterScan)
                   /\ xf' = [xf EXCEPT ![t][r[t]] = TRUE]
                   /\ UNCHANGED o
              ELSE /\ o' = [o EXCEPT ![t] = @ + 1]
                   /\ Goto(t, "s_st")
                   /\ UNCHANGED xf
           /\ UNCHANGED <<state, wm, cnt, counted, k, r, m>>

\* BUG "incafter" only: the count after the scan.
s_inc(t) == /\ pc[t] = "s_inc"
            /\ IF counted[t][P(t)] THEN UNCHANGED <<cnt, counted>>
               ELSE /\ cnt' = [cnt EXCEPT ![P(t)] = @ + 1]
                    /\ counted' = [counted EXCEPT ![t][P(t)] = TRUE]
            /\ Goto(t, "m_req")
            /\ UNCHANGED <<state, fpL, rec, mv, gm, wm, nent, xf, inMain, k, r, m, o>>

(* ---- the main table ---- *)
m_req(t) == /\ pc[t] = "m_req"
            /\ LET q == r[t]
                   tgt == Sup(gm[q][t], m[t])
               IN IF Covers(gm[q][t], m[t])
                  THEN /\ Goto(t, Fin(t))
                       /\ UNCHANGED <<gm, wm, nent>>
                  ELSE /\ nent' = IF HasEntry(q, t) THEN nent
                                  ELSE [nent EXCEPT ![q][t] = @ + 1]
                       /\ IF CompatOthers(q, t, tgt)
                          THEN /\ gm' = [gm EXCEPT ![q][t] = tgt]
                               /\ Goto(t, Fin(t))
                               /\ UNCHANGED wm
                          ELSE /\ wm' = [wm EXCEPT ![q][t] = tgt]
                               /\ Goto(t, "m_wait")
                               /\ UNCHANGED gm
            /\ inMain' = [inMain EXCEPT ![t][r[t]] = TRUE]
            /\ UNCHANGED <<state, fpL, rec, mv, cnt, counted, xf, k, r, m, o>>

m_wait(t) == /\ pc[t] = "m_wait"
             /\ LET q == r[t]
                    tgt == Sup(gm[q][t], wm[q][t])
                IN \/ /\ CompatOthers(q, t, tgt)
                      /\ gm' = [gm EXCEPT ![q][t] = tgt]
                      /\ wm' = [wm EXCEPT ![q][t] = NONE]
                      /\ Goto(t, Fin(t))
                      /\ UNCHANGED nent
                   \/ /\ ABORTS
                      /\ wm' = [wm EXCEPT ![q][t] = NONE]
                      /\ nent' = IF gm[q][t] = NONE
                                 THEN [nent EXCEPT ![q][t] = @ - 1] ELSE nent
                      /\ Goto(t, "e_lat")
                      /\ UNCHANGED gm
             /\ UNCHANGED <<state, fpL, rec, mv, cnt, local>>

(* ---- txn end ---- *)
e_lat(t) == /\ pc[t] = "e_lat"
            /\ fpL[t] = 0
            /\ fpL' = [fpL EXCEPT ![t] = t]
            /\ Goto(t, "e_clr")
            /\ UNCHANGED <<state, rec, mv, gm, wm, nent, cnt, local>>

\* After e_clr t's main-table requests are fixed (no record of t is left to
\* move): it releases each (its own list), then drops its counts if any.
\* BUG "leakmoved": t releases only the requests it made itself, not those
\* the transfer made for its moved records.
Entries(t) == {q \in Res : HasEntry(q, t) /\ (BUG = "leakmoved" => inMain[t][q])}
Counted(t) == \E p \in Parts : counted[t][p]
AfterMain(t) == IF BUG = "cntearly" THEN "e_st"
                ELSE IF Counted(t) THEN "e_cnt" ELSE "e_st"

e_clr(t) == /\ pc[t] = "e_clr"
            /\ rec' = [rec EXCEPT ![t] = [q \in Res |-> NONE]]
            /\ mv' = [mv EXCEPT ![t] = [q \in Res |-> FALSE]]
            /\ Unlatch(t)
            /\ Goto(t, IF BUG = "cntearly" /\ Counted(t) THEN "e_cnt"
                       ELSE IF Entries(t) # {} THEN "e_main"
                       ELSE AfterMain(t))
            /\ UNCHANGED <<state, gm, wm, nent, cnt, counted, xf, inMain, k, r, m, o>>

e_main(t) == /\ pc[t] = "e_main"
             /\ LET q == CHOOSE q \in Entries(t) : \A x \in Entries(t) : q <= x
                IN /\ gm' = [gm EXCEPT ![q][t] = NONE]
                   /\ wm' = [wm EXCEPT ![q][t] = NONE]
                   /\ nent' = [nent EXCEPT ![q][t] = 0]
                   /\ Goto(t, IF Entries(t) = {q} THEN AfterMain(t) ELSE "e_main")
             /\ UNCHANGED <<state, fpL, rec, mv, cnt, counted, xf, inMain, k, r, m, o>>

e_cnt(t) == /\ pc[t] = "e_cnt"
            /\ cnt' = [p \in Parts |-> IF counted[t][p] THEN cnt[p] - 1 ELSE cnt[p]]
            /\ counted' = [counted EXCEPT ![t] = [p \in Parts |-> FALSE]]
            /\ Goto(t, IF BUG = "cntearly" /\ Entries(t) # {} THEN "e_main"
                       ELSE "e_st")
            /\ UNCHANGED <<state, fpL, rec, mv, gm, wm, nent, xf, inMain, k, r, m, o>>

e_st(t) == /\ pc[t] = "e_st"
           /\ state' = [state EXCEPT ![t] = 0]
           /\ Goto(t, "done")
           /\ UNCHANGED <<fpL, rec, mv, gm, wm, nent, cnt, local>>

Txn(t) == \/ b_st(t) \/ next(t) \/ w_lat(t) \/ w_cnt(t) \/ w_add(t) \/ w_st(t)
          \/ wr_lat(t) \/ wr_look(t) \/ wr_cnt(t)
          \/ s_cnt(t) \/ s_st(t) \/ s_lat(t) \/ s_xf(t) \/ s_inc(t)
          \/ m_req(t) \/ m_wait(t)
          \/ e_lat(t) \/ e_clr(t) \/ e_main(t) \/ e_cnt(t) \/ e_st(t)

AllDone == \A t \in T : pc[t] = "done"
Next == \/ \E t \in T : Txn(t)
        \/ AllDone /\ UNCHANGED vars     \* termination is not a deadlock

Spec == Init /\ [][Next]_vars /\ \A t \in T : WF_vars(Txn(t))

\* The fingerprint leaves out dead thread-locals (TLC's VIEW): the same
\* effect as resetting them when dead, without an extra write in every step.
EndPC == {"e_lat", "e_clr", "e_main", "e_cnt", "e_st", "done"}
View == <<pc, state, fpL, rec, mv, gm, wm, nent, cnt, counted,
          [t \in T |-> IF pc[t] \in EndPC THEN <<>> ELSE <<xf[t], k[t]>>],
          \* (inMain stays live through the end in BUG "leakmoved")
          [t \in T |-> IF pc[t] \in EndPC /\ BUG # "leakmoved" THEN <<>>
                       ELSE inMain[t]],
          [t \in T |-> IF pc[t] \in EndPC \cup {"b_st", "next"} THEN <<>>
                       ELSE <<r[t], m[t]>>],
          [t \in T |-> IF pc[t] \in {"s_st", "s_lat", "s_xf"}
                       THEN o[t] ELSE 0]>>

(* ---- properties ---- *)
FP(t, q) == rec[t][q] # NONE /\ ~mv[t][q]      \* a non-moved record
Held(t, q) == ({gm[q][t]} \cup (IF FP(t, q) THEN {rec[t][q]} ELSE {})) \ {NONE}

Compatible == \A q \in Res : \A t, u \in T :
                t # u => \A a \in Held(t, q), b \in Held(u, q) : Compat(a, b)
FPExclusive == \A q \in Res : \A t, u \in T :
                 gm[q][t] \in Strong => ~FP(u, q)
MovedInMain == \A t \in T : \A q \in Res :
                 mv[t][q] => /\ rec[t][q] # NONE
                             /\ nent[q][t] = 1
                             /\ Covers(gm[q][t], rec[t][q])
NoDup == \A q \in Res : \A t \in T :
           /\ nent[q][t] <= 1
           /\ (nent[q][t] = 1) = HasEntry(q, t)
CountOK == /\ \A p \in Parts : cnt[p] = Cardinality({t \in T : counted[t][p]})
           /\ AllDone => \A p \in Parts : cnt[p] = 0
Safety == Compatible /\ FPExclusive /\ MovedInMain /\ NoDup /\ CountOK

\* With ABORTS = FALSE a request leaves m_wait only by its grant, so every
\* txn ending implies every queued request (strong ones included) granted.
Finish == <>AllDone
=============================================================================
