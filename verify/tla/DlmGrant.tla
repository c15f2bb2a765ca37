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
(*   Request(c,m) enqueue: zoo_create2 EPHEMERAL|SEQUENCE; granted at     *)
(*                once (no listing) when lk_dlm_granted_at_once_ says so: *)
(*                the first request ever, or the one right after c's last *)
(*                granted request (hint) in a mode that conflicts with    *)
(*                nothing more than that one's                            *)
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
(* The hint's watch on the resource's znode (a recreated resource starts  *)
(* its sequence again) is left out: here the resource lives for ever.    *)
(*                                                                         *)
(* Bug (seeded; each must be rejected):                                    *)
(*   "later"   a request also waits on later conflicting requests (the    *)
(*             read/write recipe deadlock, kazoo #649): TLC finds a       *)
(*             deadlock                                                    *)
(*   "immpred" watch the immediate predecessor even when it is compatible *)
(*             (the plain lock recipe's rule): a request whose earlier    *)
(*             conflicts are gone is not woken while a compatible holder  *)
(*             ahead keeps its lock: group grant fails (GroupGrant)       *)
(*   "hintgap" granted at once on a hint without checking that no one    *)
(*             queued in between: two conflicting holders (Compatible)    *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets

CONSTANTS Client, Modes, MaxReq, Expiry, Bug

AllModes == {"IS", "IX", "S", "SIX", "U", "X"}
\* lockmgr.h's default table: the pairs that are compatible.
Compat == {<<"IS","IS">>, <<"IS","IX">>, <<"IS","S">>, <<"IS","SIX">>, <<"IS","U">>,
           <<"IX","IX">>, <<"S","S">>, <<"S","U">>}
Conflict(a, b) == <<a, b>> \notin Compat /\ <<b, a>> \notin Compat

ASSUME Modes \subseteq AllModes /\ Bug \in {"none", "later", "immpred", "hintgap"}

VARIABLES q, pc, watch, nextseq, hint
vars == <<q, pc, watch, nextseq, hint>>

\* hint[c]: c's last granted request (s = 0: none), deleted by now or not.
\* A hint that someone has queued after can never be used again (the gap
\* check): it is dropped at once, which keeps the state space small. The
\* "hintgap" bug keeps it, since it would use it.
NoHint == [s |-> 0, m |-> "X"]
Live(h, next) == IF Bug = "hintgap" \/ h.s + 1 = next THEN h ELSE NoHint
\* m conflicts with nothing that hm does not conflict with.
Covers(hm, m) == \A x \in AllModes : Conflict(m, x) => Conflict(hm, x)
AtOnce(c, m) == \/ nextseq = 1
                \/ /\ hint[c].s # 0 /\ Covers(hint[c].m, m)
                   /\ (Bug = "hintgap" \/ nextseq = hint[c].s + 1)

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
        /\ hint = [c \in Client |-> NoHint]

Request(c, m) ==
  /\ pc[c] = "idle" /\ nextseq <= MaxReq
  /\ q' = q \cup {[c |-> c, m |-> m, s |-> nextseq]}
  /\ nextseq' = nextseq + 1
  /\ IF AtOnce(c, m)
     THEN /\ pc' = [pc EXCEPT ![c] = "held"]
          /\ hint' = [d \in Client |-> IF d = c THEN [s |-> nextseq, m |-> m] ELSE Live(hint[d], nextseq + 1)]
     ELSE /\ pc' = [pc EXCEPT ![c] = "check"]
          /\ hint' = [d \in Client |-> IF d = c THEN NoHint ELSE Live(hint[d], nextseq + 1)]
  /\ UNCHANGED watch

Check(c) ==
  /\ pc[c] = "check"
  /\ IF ~InQ(c) THEN /\ pc' = [pc EXCEPT ![c] = "lost"]   \* our node is gone
                     /\ watch' = [watch EXCEPT ![c] = 0]
     ELSE LET b == Blocker(Req(c)) IN
          IF b = {} THEN /\ pc' = [pc EXCEPT ![c] = "held"]
                         /\ watch' = [watch EXCEPT ![c] = 0]
                         /\ hint' = [hint EXCEPT ![c] = Live([s |-> Req(c).s, m |-> Req(c).m], nextseq)]
          ELSE /\ pc' = [pc EXCEPT ![c] = "wait"]
               /\ watch' = [watch EXCEPT ![c] = (CHOOSE x \in b : TRUE).s]
               /\ UNCHANGED hint
  /\ UNCHANGED <<q, nextseq>>

Fire(c) ==
  /\ pc[c] = "wait"
  /\ ~\E x \in q : x.s = watch[c]
  /\ pc' = [pc EXCEPT ![c] = "check"]
  /\ UNCHANGED <<q, watch, nextseq, hint>>

Release(c) ==
  /\ pc[c] = "held"
  /\ q' = q \ Mine(c)
  /\ pc' = [pc EXCEPT ![c] = "idle"]
  /\ UNCHANGED <<watch, nextseq, hint>>

Expire(c) ==
  /\ Expiry /\ InQ(c)
  /\ q' = q \ Mine(c)
  /\ pc' = [pc EXCEPT ![c] = "lost"]
  /\ watch' = [watch EXCEPT ![c] = 0]
  /\ UNCHANGED <<nextseq, hint>>

Notice(c) ==                  \* lk_dlm_reset: a new session knows nothing
  /\ pc[c] = "lost"
  /\ pc' = [pc EXCEPT ![c] = "idle"]
  /\ hint' = [hint EXCEPT ![c] = NoHint]
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
          /\ \A c \in Client : hint[c].s \in 0..MaxReq /\ hint[c].m \in AllModes

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
