------------------------------ MODULE DlmGrant ------------------------------
(***************************************************************************)
(* The grant rule of the ZooKeeper lock table (dlm/dlm.c, dlm/grant.c):   *)
(* each request is an ephemeral sequential znode in its resource's queue; *)
(* a request is granted when no earlier request conflicts with it, else   *)
(* it sets one exists-watch on the nearest earlier conflicting request    *)
(* and checks again when that node goes. One resource (resources are     *)
(* independent queues).                                                   *)
(*                                                                         *)
(*   action       C step                                                  *)
(*   Request(c,m) enqueue: zoo_create2 EPHEMERAL|SEQUENCE                 *)
(*   Check(c)     await_grant: getChildren, lk_dlm_blocker_, then         *)
(*                zoo_wexists on the blocker (NONODE: check again). The   *)
(*                two calls are one step here: if the blocker goes in     *)
(*                between, exists says NONODE and the C checks again,     *)
(*                which is the step Fire would take.                      *)
(*   Fire(c)      the watch's deleted event (gen++), await_grant loops    *)
(*   Release(c)   lk_dlm_unlock: zoo_delete                               *)
(*   Expire(c)    the ensemble expires c's session: its node goes; c      *)
(*                still believes what it believed ("lost")                 *)
(*   Notice(c)    c is told (LK_DLM_EXPIRED) and starts over              *)
(*                                                                         *)
(* Bug (seeded; each must be rejected):                                    *)
(*   "later"   a request also waits on later conflicting requests (the    *)
(*             read/write recipe deadlock, kazoo #649): TLC finds a       *)
(*             deadlock                                                    *)
(*   "immpred" watch the immediate predecessor even when it is compatible *)
(*             (the plain lock recipe's rule): a request whose earlier    *)
(*             conflicts are gone is not woken while a compatible holder  *)
(*             ahead keeps its lock: group grant fails (GroupGrant)       *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS Client, Modes, MaxReq, Expiry, Bug

AllModes == {"IS", "IX", "S", "SIX", "U", "X"}
\* lockmgr.h's default table: the pairs that are compatible.
Compat == {<<"IS","IS">>, <<"IS","IX">>, <<"IS","S">>, <<"IS","SIX">>, <<"IS","U">>,
           <<"IX","IX">>, <<"S","S">>, <<"S","U">>}
Conflict(a, b) == <<a, b>> \notin Compat /\ <<b, a>> \notin Compat

ASSUME Modes \subseteq AllModes /\ Bug \in {"none", "later", "immpred"}

VARIABLES q, pc, watch, nextseq
vars == <<q, pc, watch, nextseq>>

\* q: the queue, a set of requests [c, m, s] (s: the sequence number).
Mine(c) == {r \in q : r.c = c}
InQ(c) == Mine(c) # {}
Req(c) == CHOOSE r \in Mine(c) : TRUE
Earlier(r) == {x \in q : x.s < r.s}
EarlierConflict(r) == {x \in Earlier(r) : Conflict(x.m, r.m)}
MaxBy(S) == CHOOSE x \in S : \A y \in S : y.s <= x.s

\* The request r waits on: {} when granted.
Blocker(r) ==
  IF Bug = "later"
  THEN LET C == {x \in q : x # r /\ Conflict(x.m, r.m)}
       IN IF EarlierConflict(r) # {} THEN {MaxBy(EarlierConflict(r))}
          ELSE IF C # {} THEN {CHOOSE x \in C : TRUE} ELSE {}
  ELSE IF EarlierConflict(r) = {} THEN {}
  ELSE IF Bug = "immpred" THEN {MaxBy(Earlier(r))}
  ELSE {MaxBy(EarlierConflict(r))}

Init == /\ q = {}
        /\ pc = [c \in Client |-> "idle"]
        /\ watch = [c \in Client |-> 0]
        /\ nextseq = 1

Request(c, m) ==
  /\ pc[c] = "idle" /\ nextseq <= MaxReq
  /\ q' = q \cup {[c |-> c, m |-> m, s |-> nextseq]}
  /\ nextseq' = nextseq + 1
  /\ pc' = [pc EXCEPT ![c] = "check"]
  /\ UNCHANGED watch

Check(c) ==
  /\ pc[c] = "check"
  /\ IF ~InQ(c) THEN /\ pc' = [pc EXCEPT ![c] = "lost"]   \* our node is gone
                     /\ watch' = [watch EXCEPT ![c] = 0]
     ELSE LET b == Blocker(Req(c)) IN
          IF b = {} THEN /\ pc' = [pc EXCEPT ![c] = "held"]
                         /\ watch' = [watch EXCEPT ![c] = 0]
          ELSE /\ pc' = [pc EXCEPT ![c] = "wait"]
               /\ watch' = [watch EXCEPT ![c] = (CHOOSE x \in b : TRUE).s]
  /\ UNCHANGED <<q, nextseq>>

Fire(c) ==
  /\ pc[c] = "wait"
  /\ ~\E x \in q : x.s = watch[c]
  /\ pc' = [pc EXCEPT ![c] = "check"]
  /\ UNCHANGED <<q, watch, nextseq>>

Release(c) ==
  /\ pc[c] = "held"
  /\ q' = q \ Mine(c)
  /\ pc' = [pc EXCEPT ![c] = "idle"]
  /\ UNCHANGED <<watch, nextseq>>

Expire(c) ==
  /\ Expiry /\ InQ(c)
  /\ q' = q \ Mine(c)
  /\ pc' = [pc EXCEPT ![c] = "lost"]
  /\ watch' = [watch EXCEPT ![c] = 0]
  /\ UNCHANGED nextseq

Notice(c) ==
  /\ pc[c] = "lost"
  /\ pc' = [pc EXCEPT ![c] = "idle"]
  /\ UNCHANGED <<q, watch, nextseq>>

\* All requests made and served: stutter (not a deadlock).
Done == nextseq > MaxReq /\ \A c \in Client : pc[c] = "idle" /\ UNCHANGED vars

Next == \/ \E c \in Client, m \in Modes : Request(c, m)
        \/ \E c \in Client : Check(c) \/ Fire(c) \/ Release(c) \/ Expire(c) \/ Notice(c)
        \/ Done

Base == \A c \in Client : WF_vars(Check(c)) /\ WF_vars(Fire(c)) /\ WF_vars(Notice(c))
\* Holders release in the end.
Spec == Init /\ [][Next]_vars /\ Base /\ \A c \in Client : WF_vars(Release(c))
\* Holders may keep their locks for ever: group grant must still serve the
\* compatible requests behind them.
SpecHold == Init /\ [][Next]_vars /\ Base

TypeOK == /\ pc \in [Client -> {"idle", "check", "wait", "held", "lost"}]
          /\ \A r \in q : r.c \in Client /\ r.m \in Modes /\ r.s \in 1..MaxReq
          /\ \A c \in Client : Cardinality(Mine(c)) <= 1

\* Safety: the holders whose nodes are in the queue are pairwise compatible.
\* A "lost" client may still believe it holds: the fencing token's job.
Compatible == \A c1, c2 \in Client :
  (c1 # c2 /\ pc[c1] = "held" /\ pc[c2] = "held" /\ InQ(c1) /\ InQ(c2))
    => ~Conflict(Req(c1).m, Req(c2).m)

\* FIFO: a holder has no earlier conflicting request still queued.
Fifo == \A c \in Client : (pc[c] = "held" /\ InQ(c)) => EarlierConflict(Req(c)) = {}

\* Liveness: every request is granted or its session lost.
Served == \A c \in Client : pc[c] = "check" ~> pc[c] \in {"held", "lost"}
\* Group grant: a request with no earlier conflict left is granted, even
\* while the compatible holders ahead of it keep their locks.
GroupGrant == \A c \in Client :
  (pc[c] = "wait" /\ InQ(c) /\ EarlierConflict(Req(c)) = {}) ~> pc[c] \in {"held", "lost"}
=============================================================================
