------------------------------ MODULE PoolStop ------------------------------
(***************************************************************************)
(* The pool stop of a shared table (lockmgr/SHARED.md "Pool entries in     *)
(* flight", "The pool stop"): a second model of it, beside                 *)
(* verify/spin/shmstop.pml, written from the C.  K requests; workers 1 and *)
(* 2, each a process with one txn and its cache; worker 2 (V) may die at   *)
(* any step: inside a section, and inside each two-store move (the         *)
(* residue).  Recoverer 3 runs the recovery (recover.c lk__shm_recover,    *)
(* under the recovery mutex, after the dead processes' txns were ended);   *)
(* with RDIE it may die at any step of it, and recoverer 4, never killed,  *)
(* stands for every later recovery (it runs once 3 is dead).  An entry's   *)
(* place is a set (the stack, a worker's cache, the head list), so an      *)
(* entry put in a second place is seen; its tag is the txn its status      *)
(* names (0: FREE).  An interleaving of whole steps is exact: the          *)
(* stopper's membarrier(MEMBARRIER_CMD_GLOBAL) orders a section's store    *)
(* and its load of the stop.                                               *)
(*                                                                         *)
(*  step    | C (lockmgr/)                                                 *)
(*  --------+------------------------------------------------------------- *)
(*  the section (pool_int.h sec_enter/sec_leave, reclaim.c lk__sec_wait;   *)
(*  one flag per worker stands also for lk__proc_enter/leave's count)      *)
(*  raise   | sec[w] made odd, a plain store: sec_enter                    *)
(*  check   | load pool_stop: 0, the call's body; else back out (sec even) *)
(*          | and wait: sec_enter, lk__sec_wait                            *)
(*  wait    | pool_stop = 0: raise again (unstopped)                       *)
(*  unstop  | the stopper dead: CAS(pool_stop, o, 0), pool_due = 1         *)
(*          | (unstopped; the liveness test and the CAS in one step: only  *)
(*          | the dead stopper wrote o, so o cannot come back)             *)
(*  leave   | sec[w] made even, a release store: sec_leave                 *)
(*  the moves, a store each (a kill between two stores of one move leaves  *)
(*  the entry in no place and untagged: the residue)                       *)
(*  look    | the cache's first if any (cache_take's read), else the pop's *)
(*          | CAS (lk__cache_refill's stk_pop: one entry, not a batch)     *)
(*  fill    | the cache's first = the popped entry: lk__cache_refill       *)
(*  tag     | status TAKEN, txn = w: req_alloc                             *)
(*  take    | the cache's first = its next: cache_take                     *)
(*  link    | into a head's list (under its latch)                         *)
(*  unlink  | out of the head's list (under its latch)                     *)
(*  put     | into the cache (then free: FREE), or FREE (then push: the    *)
(*          | push CAS, the cache full): req_cache, txn_end                *)
(*  empty   | the cache emptied, first = 0: cache_flush                    *)
(*  fpush   | its chain pushed, one CAS: cache_flush                       *)
(*  the recovery (recover.c lk__shm_recover, reclaim.c)                    *)
(*  ridle   | the recovery mutex (robust: a dead holder's is taken over),  *)
(*          | when a process is dead and not yet recovered, or pool_due is *)
(*          | set (a recovery asked for: lk_lockmgr_recover)               *)
(*  purge   | the dead owners' entries leave the lists (head_purge)        *)
(*  reclaim | tagged by a dead owner, in no list: FREE (lk__reclaim_reqs)  *)
(*  rpush   | then pushed, unless in the owner's cache (lk__reclaim_reqs)  *)
(*  stop    | CAS(pool_stop, 0, me) (lk__pool_stop); if it fails (a dead   *)
(*          | stopper's stop still set): pool_due = 1 and no census        *)
(*  scan    | each worker in turn: its flag down, or it is dead            *)
(*  giveup  | (GIVEUP) the 100 ms bound passed with a live flag up: out    *)
(*  census  | the walk (census, give_back): the entries in no place and    *)
(*          | not tagged by a live owner; an entry in two places: none     *)
(*  give    | one of them FREE and pushed (one step: a stopper killed      *)
(*          | between the two leaves it FREE in no place, found again)     *)
(*  restart | pool_stop = 0, pool_due = !done (lk__pool_stop's out:)       *)
(*  rdone   | the dead recovered (procs[k] = 0, their counters even), the  *)
(*          | mutex released                                               *)
(*  Kill    | worker 2 dies; RKill (RDIE): recoverer 3 dies in a recovery  *)
(* Abstractions.  The C lifts a dead stopper's stop only in a section: a   *)
(* later recovery's own CAS fails on it and sets pool_due (shmstop.pml's   *)
(* later recovery clears it itself; the C's does not).  So after its       *)
(* rounds worker 1 goes on making calls that move nothing (a begin, a      *)
(* read-only call: a section each), started while the stop is set (one     *)
(* started with it clear moves nothing the stop looks at, and the rounds'  *)
(* calls cover its flag); and a recovery asked for by pool_due alone       *)
(* starts with the stop clear (one that finds it set changes nothing: its  *)
(* CAS fails and pool_due stays).  GIVEUP: the first stop may give up,     *)
(* once (the retry waits the live section out); without it the stop waits  *)
(* as long as it takes.  The stopper's dead set is read at each scan step  *)
(* (the C reads it once, after the membarrier: the same here, as only      *)
(* worker 2 and recoverer 3 die, and no recovery starts before a death).   *)
(* A worker's cache holds at most one entry in this program.               *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "nowait":     the census does not wait for live sections.              *)
(*  "checkfirst": a section reads the stop before it raises its flag.      *)
(*  "nounstop":   a waiting section never clears a dead stopper's stop.    *)
(*  "nostop":     no stop (the recovery as it was before the stop).        *)
(* Properties: NoTwoPlaces (no entry ever in two places), invariant;       *)
(* ExactWhenQuiet: with every dead process recovered, no stop set or due,  *)
(* no recovery under way and every live worker between calls, every entry  *)
(* is in exactly one place, invariant; no deadlock (the end, Finished, is  *)
(* every live worker done and all recovered); LiveEnds (worker 1 ends its  *)
(* rounds) and Settles (from some point on, all recovered and every entry  *)
(* in exactly one place), under weak fairness of each worker and           *)
(* recoverer (the kills have none).                                        *)
(***************************************************************************)
EXTENDS Integers, FiniteSets
CONSTANTS BUG, K, ROUNDS, RDIE, GIVEUP

E == 1..K
Workers == {1, 2}
V == 2                                 \* the victim
R1 == 3                                \* the first recoverer
Recs == IF RDIE THEN {3, 4} ELSE {3}
Stack == <<"stack", 0>>
List == <<"list", 0>>
Cache(w) == <<"cache", w>>
Min(S) == CHOOSE x \in S : \A y \in S : x <= y
Enter == IF BUG = "checkfirst" THEN "check" ELSE "raise"

VARIABLES where, tag, sec, pc, call, cur, rnd,
          stop, due, dead, cleared, rmu, rpc, rD, rx, scan, lost, ok, gaveup
wvars == << sec, pc, call, cur, rnd >>
rvars == << rmu, rpc, rD, rx, scan, lost, ok, gaveup >>
vars == << where, tag, stop, due, dead, cleared, wvars, rvars >>

Init == /\ where = [e \in E |-> {Stack}]
        /\ tag = [e \in E |-> 0]
        /\ sec = [w \in Workers |-> FALSE]
        /\ pc = [w \in Workers |-> Enter]
        /\ call = [w \in Workers |-> "take"]
        /\ cur = [w \in Workers |-> 0]
        /\ rnd = [w \in Workers |-> 0]
        /\ stop = 0 /\ due = FALSE /\ dead = {} /\ cleared = {}
        /\ rmu = 0
        /\ rpc = [r \in Recs |-> "ridle"]
        /\ rD = [r \in Recs |-> {}]
        /\ rx = [r \in Recs |-> 0]
        /\ scan = [r \in Recs |-> 1]
        /\ lost = [r \in Recs |-> {}]
        /\ ok = [r \in Recs |-> FALSE]
        /\ gaveup = FALSE

(* ---------------------------- the workers ---------------------------- *)
At(w, l) == w \notin dead /\ pc[w] = l
Goto(w, l) == pc' = [pc EXCEPT ![w] = l]
Body(c) == CASE c = "take" -> "look" [] c = "release" -> "unlink"
             [] c = "flush" -> "empty" [] c = "idle" -> "leave"
Put(e, x) == where' = [where EXCEPT ![e] = @ \cup {x}]
Del(e, x) == where' = [where EXCEPT ![e] = @ \ {x}]
InCache(w) == {e \in E : Cache(w) \in where[e]}
RUn == UNCHANGED << stop, due, dead, cleared, rvars >>

Raise(w) == /\ At(w, "raise")
            /\ sec' = [sec EXCEPT ![w] = TRUE]
            /\ Goto(w, IF BUG = "checkfirst" THEN Body(call[w]) ELSE "check")
            /\ UNCHANGED << where, tag, call, cur, rnd >> /\ RUn

Check(w) == /\ At(w, "check")
            /\ IF BUG = "checkfirst"
                 THEN /\ Goto(w, IF stop = 0 THEN "raise" ELSE "wait")
                      /\ UNCHANGED sec
                 ELSE IF stop = 0
                   THEN Goto(w, Body(call[w])) /\ UNCHANGED sec
                   ELSE Goto(w, "wait") /\ sec' = [sec EXCEPT ![w] = FALSE]
            /\ UNCHANGED << where, tag, call, cur, rnd >> /\ RUn

Wait(w) == /\ At(w, "wait") /\ stop = 0
           /\ Goto(w, Enter)
           /\ UNCHANGED << where, tag, sec, call, cur, rnd >> /\ RUn

Unstop(w) == /\ At(w, "wait") /\ stop # 0 /\ stop \in dead
             /\ BUG # "nounstop"
             /\ stop' = 0 /\ due' = TRUE
             /\ UNCHANGED << where, tag, dead, cleared, wvars, rvars >>

Look(w) == /\ At(w, "look")
           /\ IF InCache(w) # {}
                THEN /\ cur' = [cur EXCEPT ![w] = Min(InCache(w))]
                     /\ Goto(w, "tag") /\ UNCHANGED where
                ELSE IF \E e \in E : Stack \in where[e]
                  THEN LET e == Min({f \in E : Stack \in where[f]}) IN
                       /\ Del(e, Stack)
                       /\ cur' = [cur EXCEPT ![w] = e]
                       /\ Goto(w, "fill")
                  ELSE /\ cur' = [cur EXCEPT ![w] = 0]
                       /\ Goto(w, "leave") /\ UNCHANGED where
           /\ UNCHANGED << tag, sec, call, rnd >> /\ RUn

Fill(w) == /\ At(w, "fill")
           /\ Put(cur[w], Cache(w)) /\ Goto(w, "tag")
           /\ UNCHANGED << tag, sec, call, cur, rnd >> /\ RUn

Tag(w) == /\ At(w, "tag")
          /\ tag' = [tag EXCEPT ![cur[w]] = w] /\ Goto(w, "take")
          /\ UNCHANGED << where, sec, call, cur, rnd >> /\ RUn

Take(w) == /\ At(w, "take")
           /\ Del(cur[w], Cache(w)) /\ Goto(w, "link")
           /\ UNCHANGED << tag, sec, call, cur, rnd >> /\ RUn

Link(w) == /\ At(w, "link")
           /\ Put(cur[w], List) /\ Goto(w, "leave")
           /\ UNCHANGED << tag, sec, call, cur, rnd >> /\ RUn

Unlink(w) == /\ At(w, "unlink")
             /\ Del(cur[w], List) /\ Goto(w, "put")
             /\ UNCHANGED << tag, sec, call, cur, rnd >> /\ RUn

PutBack(w) == /\ At(w, "put")
              /\ \/ Put(cur[w], Cache(w)) /\ Goto(w, "free") /\ UNCHANGED tag
                 \/ tag' = [tag EXCEPT ![cur[w]] = 0] /\ Goto(w, "push")
                    /\ UNCHANGED where
              /\ UNCHANGED << sec, call, cur, rnd >> /\ RUn

Free(w) == /\ At(w, "free")
           /\ tag' = [tag EXCEPT ![cur[w]] = 0] /\ Goto(w, "leave")
           /\ UNCHANGED << where, sec, call, cur, rnd >> /\ RUn

Push(w) == /\ w \notin dead /\ pc[w] \in {"push", "fpush"}
           /\ Put(cur[w], Stack) /\ Goto(w, "leave")
           /\ UNCHANGED << tag, sec, call, cur, rnd >> /\ RUn

Empty(w) == /\ At(w, "empty")
            /\ IF InCache(w) # {}
                 THEN LET e == Min(InCache(w)) IN
                      /\ Del(e, Cache(w))
                      /\ cur' = [cur EXCEPT ![w] = e]
                      /\ Goto(w, "fpush")
                 ELSE Goto(w, "leave") /\ UNCHANGED << where, cur >>
            /\ UNCHANGED << tag, sec, call, rnd >> /\ RUn

NextCall(r) == IF r < ROUNDS THEN "take" ELSE "flush"

Leave(w) == /\ At(w, "leave")
            /\ sec' = [sec EXCEPT ![w] = FALSE]
            /\ CASE call[w] = "take" /\ cur[w] # 0 ->
                      /\ call' = [call EXCEPT ![w] = "release"]
                      /\ Goto(w, Enter) /\ UNCHANGED << cur, rnd >>
                 [] (call[w] = "take" /\ cur[w] = 0) \/ call[w] = "release" ->
                      /\ rnd' = [rnd EXCEPT ![w] = @ + 1]
                      /\ call' = [call EXCEPT ![w] = NextCall(rnd[w] + 1)]
                      /\ cur' = [cur EXCEPT ![w] = 0]
                      /\ Goto(w, Enter)
                 [] call[w] \in {"flush", "idle"} ->
                      /\ cur' = [cur EXCEPT ![w] = 0]
                      /\ Goto(w, "done") /\ UNCHANGED << call, rnd >>
            /\ UNCHANGED << where, tag >> /\ RUn

(* after its rounds, worker 1 goes on calling: a section that moves nothing *)
Idle(w) == /\ w # V /\ At(w, "done") /\ stop # 0
           /\ call' = [call EXCEPT ![w] = "idle"] /\ Goto(w, Enter)
           /\ UNCHANGED << where, tag, sec, cur, rnd >> /\ RUn

WStep(w) == \/ Raise(w) \/ Check(w) \/ Wait(w) \/ Unstop(w) \/ Look(w)
               \/ Fill(w) \/ Tag(w) \/ Take(w) \/ Link(w) \/ Unlink(w)
               \/ PutBack(w) \/ Free(w) \/ Push(w) \/ Empty(w) \/ Leave(w)
               \/ Idle(w)

Kill == /\ V \notin dead /\ pc[V] # "done"
        /\ dead' = dead \cup {V}
        /\ UNCHANGED << where, tag, stop, due, cleared, wvars, rvars >>

(* ---------------------------- the recovery --------------------------- *)
RAt(r, l) == r \notin dead /\ rpc[r] = l
RGo(r, l) == rpc' = [rpc EXCEPT ![r] = l]
WUn == UNCHANGED << dead, wvars >>

RIdle(r) == /\ RAt(r, "ridle")
            /\ r = R1 \/ R1 \in dead
            /\ rmu = 0 \/ rmu \in dead
            /\ (dead \ cleared) \ {r} # {} \/ (due /\ stop = 0)
            /\ rmu' = r
            /\ rD' = [rD EXCEPT ![r] = (dead \ cleared) \ {r}]
            /\ RGo(r, "purge")
            /\ UNCHANGED << where, tag, stop, due, cleared, rx, scan, lost,
                            ok, gaveup >>
            /\ WUn

Purge(r) == /\ RAt(r, "purge")
            /\ where' = [e \in E |-> IF tag[e] \in rD[r] THEN where[e] \ {List}
                                                        ELSE where[e]]
            /\ RGo(r, "reclaim")
            /\ UNCHANGED << tag, stop, due, cleared, rmu, rD, rx, scan, lost,
                            ok, gaveup >>
            /\ WUn

Reclaim(r) == /\ RAt(r, "reclaim")
              /\ LET S == {e \in E : tag[e] \in rD[r] /\ List \notin where[e]}
                 IN
                 IF S = {}
                   THEN /\ RGo(r, IF BUG = "nostop" THEN "rdone" ELSE "stop")
                        /\ UNCHANGED << tag, rx >>
                   ELSE LET e == Min(S) IN
                        /\ tag' = [tag EXCEPT ![e] = 0]
                        /\ IF Cache(tag[e]) \in where[e]
                             THEN RGo(r, "reclaim") /\ UNCHANGED rx
                             ELSE RGo(r, "rpush") /\ rx' = [rx EXCEPT ![r] = e]
              /\ UNCHANGED << where, stop, due, cleared, rmu, rD, scan, lost,
                              ok, gaveup >>
              /\ WUn

RPush(r) == /\ RAt(r, "rpush")
            /\ Put(rx[r], Stack) /\ RGo(r, "reclaim")
            /\ UNCHANGED << tag, stop, due, cleared, rmu, rD, rx, scan, lost,
                            ok, gaveup >>
            /\ WUn

Stop(r) == /\ RAt(r, "stop")
           /\ IF stop = 0
                THEN /\ stop' = r
                     /\ scan' = [scan EXCEPT ![r] = 1]
                     /\ RGo(r, IF BUG = "nowait" THEN "census" ELSE "scan")
                     /\ UNCHANGED due
                ELSE /\ due' = TRUE /\ RGo(r, "rdone")
                     /\ UNCHANGED << stop, scan >>
           /\ UNCHANGED << where, tag, cleared, rmu, rD, rx, lost, ok,
                           gaveup >>
           /\ WUn

Scan(r) == /\ RAt(r, "scan")
           /\ IF scan[r] > 2
                THEN RGo(r, "census") /\ UNCHANGED scan
                ELSE /\ ~sec[scan[r]] \/ scan[r] \in dead
                     /\ scan' = [scan EXCEPT ![r] = @ + 1] /\ UNCHANGED rpc
           /\ UNCHANGED << where, tag, stop, due, cleared, rmu, rD, rx, lost,
                           ok, gaveup >>
           /\ WUn

GiveUp(r) == /\ RAt(r, "scan") /\ GIVEUP /\ ~gaveup
             /\ scan[r] <= 2 /\ sec[scan[r]] /\ scan[r] \notin dead
             /\ gaveup' = TRUE
             /\ ok' = [ok EXCEPT ![r] = FALSE] /\ RGo(r, "restart")
             /\ UNCHANGED << where, tag, stop, due, cleared, rmu, rD, rx,
                             scan, lost >>
             /\ WUn

(* in no place, and not tagged by a live owner *)
Lost(e) == where[e] = {} /\ tag[e] \notin Workers \ dead

Census(r) == /\ RAt(r, "census")
             /\ IF \E e \in E : Cardinality(where[e]) > 1
                  THEN /\ lost' = [lost EXCEPT ![r] = {}]
                       /\ ok' = [ok EXCEPT ![r] = FALSE]
                  ELSE /\ lost' = [lost EXCEPT ![r] = {e \in E : Lost(e)}]
                       /\ ok' = [ok EXCEPT ![r] = TRUE]
             /\ RGo(r, "give")
             /\ UNCHANGED << where, tag, stop, due, cleared, rmu, rD, rx,
                             scan, gaveup >>
             /\ WUn

Give(r) == /\ RAt(r, "give")
           /\ IF lost[r] = {}
                THEN RGo(r, "restart") /\ UNCHANGED << where, tag, lost >>
                ELSE LET e == Min(lost[r]) IN
                     /\ tag' = [tag EXCEPT ![e] = 0]
                     /\ Put(e, Stack)
                     /\ lost' = [lost EXCEPT ![r] = @ \ {e}]
                     /\ UNCHANGED rpc
           /\ UNCHANGED << stop, due, cleared, rmu, rD, rx, scan, ok, gaveup >>
           /\ WUn

Restart(r) == /\ RAt(r, "restart")
              /\ stop' = 0 /\ due' = ~ok[r] /\ RGo(r, "rdone")
              /\ UNCHANGED << where, tag, cleared, rmu, rD, rx, scan, lost,
                              ok, gaveup >>
              /\ WUn

RDone(r) == /\ RAt(r, "rdone")
            /\ cleared' = cleared \cup rD[r]
            /\ sec' = [w \in Workers |-> IF w \in rD[r] THEN FALSE ELSE sec[w]]
            /\ rmu' = 0
            /\ rD' = [rD EXCEPT ![r] = {}]
            /\ RGo(r, "ridle")
            /\ UNCHANGED << where, tag, stop, due, dead, pc, call, cur, rnd,
                            rx, scan, lost, ok, gaveup >>

RStep(r) == \/ RIdle(r) \/ Purge(r) \/ Reclaim(r) \/ RPush(r) \/ Stop(r)
               \/ Scan(r) \/ GiveUp(r) \/ Census(r) \/ Give(r) \/ Restart(r)
               \/ RDone(r)

RKill == /\ RDIE /\ R1 \notin dead /\ rpc[R1] # "ridle"
         /\ dead' = dead \cup {R1}
         /\ UNCHANGED << where, tag, stop, due, cleared, wvars, rvars >>

(* every dead process recovered, no stop set or owed, no recovery under way *)
Recovered == /\ dead \subseteq cleared /\ stop = 0 /\ ~due
             /\ \A r \in Recs \ dead : rpc[r] = "ridle"
(* the end: every live worker done, every dead one recovered *)
Finished == /\ \A w \in Workers : pc[w] = "done" \/ w \in dead
            /\ Recovered
            /\ UNCHANGED vars

Next == \/ (\E w \in Workers : WStep(w)) \/ (\E r \in Recs : RStep(r))
        \/ Kill \/ RKill \/ Finished

Spec == /\ Init /\ [][Next]_vars
        /\ \A w \in Workers : WF_vars(WStep(w))
        /\ \A r \in Recs : WF_vars(RStep(r))

(* ---------------------------- properties ----------------------------- *)
TypeOK == /\ \A e \in E : where[e] \subseteq
                             {Stack, List} \cup {Cache(w) : w \in Workers}
          /\ tag \in [E -> {0} \cup Workers]
          /\ stop \in {0} \cup Recs

One(e) == Cardinality(where[e]) = 1
NoTwoPlaces == \A e \in E : Cardinality(where[e]) <= 1

(* between calls: before a call's section, done, or in a call moving nothing *)
AtRest(w) == \/ w \in dead \/ call[w] = "idle"
             \/ pc[w] \in {"raise", "check", "wait", "done"}
Quiet == Recovered /\ \A w \in Workers : AtRest(w)
ExactWhenQuiet == Quiet => \A e \in E : One(e)

LiveEnds == <>(pc[1] = "done")
Settles == <>[](Recovered /\ \A e \in E : One(e))
=============================================================================
