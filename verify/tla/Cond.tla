-------------------------------- MODULE Cond --------------------------------
(***************************************************************************)
(* Condition variable over lk_mutex's futex word.  Models                  *)
(* primitives/cond.h (DESIGN = "queue"): lk__cond_wait_ (lk_cond_wait and  *)
(* the timed forms), lk_cond_signal, lk_cond_broadcast, lk__cond_hand_,    *)
(* lk__cond_wake_parked_ (wait morphing with FUTEX_CMP_REQUEUE and the     *)
(* WAITERS fix-up); and, for the comparison the header makes, the design   *)
(* it rejected (DESIGN = "seq"): waiters read a sequence word under the    *)
(* mutex, count themselves, and futex-wait on it; signal bumps it and      *)
(* wakes one sleeper, broadcast bumps it and wakes all.                    *)
(* N waiters wait once each (waiter 1 may time out when TIMEOUTS), or,     *)
(* with REWAIT, again on the same node word while calls are left (a        *)
(* predicate loop: a late futex wake of an earlier hand-over can end a     *)
(* later sleep); one signaler makes K calls, each a signal or a            *)
(* broadcast, made while it holds the mutex or after releasing it.  The    *)
(* mutex is lk_mutex without spinning or hand-off (Mutex.tla checks        *)
(* those): lock takes a free word (with WAITERS if it slept) or sets       *)
(* WAITERS and sleeps on it in one step; unlock clears LOCKED and          *)
(* WAITERS, then wakes the first sleeper if WAITERS was set.  Futex        *)
(* queues: the mutex word's is FIFO; a node word has at most one sleeper;  *)
(* the sequence word's sleepers are a set and a wake takes any of them     *)
(* (the kernel's choice is not the caller's).  The internal lock's         *)
(* critical sections are single steps.                                     *)
(*                                                                         *)
(*  label    | atomic step in C (queue design)                             *)
(*  ---------+------------------------------------------------------------ *)
(*  reg      | lock c->lock; append the node; waiters++; unlock (m held)   *)
(*  wloop    | load(state, acquire): SIGNALED/REQUEUED: return; WAITING:   *)
(*           |   CAS(state, WAITING, PARKED) once lk__wait would park;     *)
(*           |   PARKED: futex_wait(&state, PARKED) (sleep iff PARKED);    *)
(*           |   BUSY: no step (the waiter waits for the waker)            *)
(*  sleep    | asleep until woken (or the futex times out)                 *)
(*  tmochk   | deadline passed: lock c->lock; still queued: unlink, return *)
(*           |   timed out; else chosen: wait on, untimed                  *)
(*  ret      | the wait returns (NoSteal is checked here); relock;         *)
(*           |   REQUEUED: fetch_or(word, WAITERS)                         *)
(*  choose   | signal: pop the head under c->lock; broadcast: take all     *)
(*  h_cas    | CAS(state, WAITING, SIGNALED, release)  (BUG "peek": load,  *)
(*           |   then a separate store SIGNALED if it was WAITING)         *)
(*  h_look   | load(m->word): broadcast and LOCKED seen: morph, else:      *)
(*  h_sig    |   store(state, SIGNALED, release)                           *)
(*  h_wake   |   futex_wake(&state, 1): it may come after the waiter left, *)
(*           |   and end a later sleep on the node (spurious there)        *)
(*           |   (BUG "wakefirst": the wake, then SIGNALED, no BUSY)       *)
(*  h_busy   | morph: store(state, BUSY) (the waiter waits for h_done)     *)
(*  h_req    |   FUTEX_CMP_REQUEUE(&state, BUSY, 0, 1, &m->word)           *)
(*  h_fix    |   moved: o = fetch_or(word, WAITERS) (BUG "nofixup": none)  *)
(*  h_fixw   |   !(o & LOCKED): futex_wake(&m->word, 1)                    *)
(*  h_done   |   store(state, REQUEUED (none moved: SIGNALED), release)    *)
(*  (seq)    | reg: seen = seq, nwait++; sfw: futex_wait(&seq, seen);      *)
(*           | signal: seq++ (its choice point), then wake any one sleeper *)
(*                                                                         *)
(* Properties.  NoSteal (invariant): a wait returns, not timed out, only   *)
(* if a signal or broadcast took effect (queue: chose; seq: bumped) after  *)
(* the waiter registered: no wake-up is taken by a later arrival;         *)
(* NoStealFromEarlier, weaker, the harm: not while a waiter that was there *)
(* for that signal sleeps on.  Chosen                                      *)
(* (invariant, queue): it returns only if chosen, and a signal chooses the *)
(* oldest.  NoLostWakeup (weak fairness): a chosen waiter eventually       *)
(* returns (requeued ones too: so the mutex word's unlocks reach them).    *)
(* Configs: Cond (safety; N 2, K 2, timeouts, rewait), Cond_n3 (safety;    *)
(* N 3), Cond_live (NoLostWakeup; N 2, K 2, timeouts, rewait),             *)
(* Cond_bugwakefirst (the wake before SIGNALED: a waiter that sleeps       *)
(* after it, still PARKED, sleeps for ever), Cond_bugpeek                  *)
(* (signal reads whether the waiter parked before it marks it: the        *)
(* sequence design's "read the waiter count before the bump", transposed; *)
(* a waiter that parks in between sleeps for ever), Cond_bugnofixup       *)
(* (requeue without setting WAITERS), Cond_seqsteal (the sequence design: *)
(* a waiter that arrives after a signal's bump takes its wake).           *)
(***************************************************************************)
EXTENDS Naturals, Sequences, FiniteSets
CONSTANTS N, K, DESIGN, BUG, TIMEOUTS, REWAIT

Waiters == 1..N
S == N + 1                 \* the signaler
Procs == 1..N + 1
NodeSt == {"W", "P", "B", "S", "R"}

VARIABLES
  pc, ret,                 \* program counters; return point of mutex calls
  locked, wbit, mq,        \* the mutex word and its FIFO futex queue
  asleep,                  \* "no", "node" (own node word / seq word), "mutex"
  parked,                  \* slept in the current mutex lock
  nstate, q, queued, chosen, \* queue design
  seq, seen, cq,           \* seq design: the word, what each saw, sleepers
  inWait, sigSince, res, timed,
  k, isBc, under, cur, moved, peek

vars == << pc, ret, locked, wbit, mq, asleep, parked, nstate, q, queued,
           chosen, seq, seen, cq, inWait, sigSince, res, timed, k, isBc,
           under, cur, moved, peek >>

Init ==
  /\ pc = [p \in Procs |-> IF p = S THEN "s_next" ELSE "start"]
  /\ ret = [p \in Procs |-> "none"]
  /\ locked = FALSE /\ wbit = FALSE /\ mq = << >>
  /\ asleep = [p \in Procs |-> "no"]
  /\ parked = [p \in Procs |-> FALSE]
  /\ nstate = [w \in Waiters |-> "W"]
  /\ q = << >> /\ queued = [w \in Waiters |-> FALSE]
  /\ chosen = [w \in Waiters |-> FALSE]
  /\ seq = 0 /\ seen = [w \in Waiters |-> 0] /\ cq = {}
  /\ inWait = [w \in Waiters |-> FALSE]
  /\ sigSince = [w \in Waiters |-> FALSE]
  /\ res = [w \in Waiters |-> "none"]
  /\ timed = [w \in Waiters |-> TIMEOUTS /\ w = 1]
  /\ k = 0 /\ isBc = FALSE /\ under = FALSE /\ cur = << >>
  /\ moved = FALSE /\ peek = "W"

Goto(p, l) == pc' = [pc EXCEPT ![p] = l]
Call(p, sub, r) == /\ pc' = [pc EXCEPT ![p] = sub]
                   /\ ret' = [ret EXCEPT ![p] = r]

\* Wake the first sleeper on the mutex word, if any.
WakeMutexHead ==
  IF mq = << >> THEN UNCHANGED << mq, asleep >>
  ELSE /\ asleep' = [asleep EXCEPT ![Head(mq)] = "no"]
       /\ mq' = Tail(mq)

Remove(s, x) == SelectSeq(s, LAMBDA y: y # x)

(* ---- the mutex ------------------------------------------------------- *)

MLock(p) ==
  /\ pc[p] = "ml"
  /\ IF ~locked
     THEN /\ locked' = TRUE
          /\ wbit' = (wbit \/ parked[p])
          /\ parked' = [parked EXCEPT ![p] = FALSE]
          /\ pc' = [pc EXCEPT ![p] = ret[p]]
          /\ UNCHANGED << mq, asleep >>
     ELSE /\ wbit' = TRUE
          /\ mq' = Append(mq, p)
          /\ asleep' = [asleep EXCEPT ![p] = "mutex"]
          /\ parked' = [parked EXCEPT ![p] = TRUE]
          /\ pc' = [pc EXCEPT ![p] = "mls"]
          /\ UNCHANGED locked
  /\ UNCHANGED << ret, nstate, q, queued, chosen, seq, seen, cq, inWait,
                  sigSince, res, timed, k, isBc, under, cur, moved, peek >>

MSlept(p) ==
  /\ pc[p] = "mls" /\ asleep[p] = "no"
  /\ Goto(p, "ml")
  /\ UNCHANGED << ret, locked, wbit, mq, asleep, parked, nstate, q, queued,
                  chosen, seq, seen, cq, inWait, sigSince, res, timed, k,
                  isBc, under, cur, moved, peek >>

MUnlock(p) ==
  /\ pc[p] = "mu"
  /\ locked' = FALSE /\ wbit' = FALSE
  /\ pc' = [pc EXCEPT ![p] = IF wbit THEN "muw" ELSE ret[p]]
  /\ UNCHANGED << ret, mq, asleep, parked, nstate, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

MUnlockWake(p) ==
  /\ pc[p] = "muw"
  /\ WakeMutexHead
  /\ Goto(p, ret[p])
  /\ UNCHANGED << ret, locked, wbit, parked, nstate, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

(* ---- a waiter ------------------------------------------------------------ *)

WStart(w) ==
  /\ pc[w] = "start"
  /\ Call(w, "ml", "reg")
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, nstate, q, queued,
                  chosen, seq, seen, cq, inWait, sigSince, res, timed, k,
                  isBc, under, cur, moved, peek >>

\* With the mutex held: queue the node (queue) or read the sequence (seq).
WReg(w) ==
  /\ pc[w] = "reg"
  /\ inWait' = [inWait EXCEPT ![w] = TRUE]
  /\ sigSince' = [sigSince EXCEPT ![w] = FALSE]
  /\ IF DESIGN = "queue"
     THEN /\ q' = Append(q, w)
          /\ queued' = [queued EXCEPT ![w] = TRUE]
          /\ chosen' = [chosen EXCEPT ![w] = FALSE]
          /\ nstate' = [nstate EXCEPT ![w] = "W"]
          /\ Call(w, "mu", "wloop")
          /\ UNCHANGED << seen >>
     ELSE /\ seen' = [seen EXCEPT ![w] = seq]
          /\ Call(w, "mu", "sfw")
          /\ UNCHANGED << q, queued, chosen, nstate >>
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, seq, cq, res, timed, k,
                  isBc, under, cur, moved, peek >>

\* queue: the waiting loop
WLoop(w) ==
  /\ pc[w] = "wloop"
  /\ \/ /\ nstate[w] \in {"S", "R"}
        /\ res' = [res EXCEPT ![w] = nstate[w]]
        /\ Goto(w, "ret")
        /\ UNCHANGED << nstate, asleep >>
     \/ /\ nstate[w] = "W"                       \* park: CAS W -> P
        /\ nstate' = [nstate EXCEPT ![w] = "P"]
        /\ UNCHANGED << pc, res, asleep >>
     \/ /\ nstate[w] = "P"                       \* futex_wait(&state, P)
        /\ asleep' = [asleep EXCEPT ![w] = "node"]
        /\ Goto(w, "sleep")
        /\ UNCHANGED << nstate, res >>
     \/ /\ timed[w] /\ nstate[w] \in {"W", "P"}  \* deadline, spinning
        /\ Goto(w, "tmochk")
        /\ UNCHANGED << nstate, res, asleep >>
  /\ UNCHANGED << ret, locked, wbit, mq, parked, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, timed, k, isBc, under, cur,
                  moved, peek >>

\* queue: asleep on the node word, or on the mutex word once requeued
WSleep(w) ==
  /\ pc[w] = "sleep"
  /\ \/ /\ asleep[w] = "no"
        /\ Goto(w, "wloop")
        /\ UNCHANGED << asleep, mq >>
     \/ /\ timed[w] /\ asleep[w] # "no"        \* the futex wait times out
        /\ asleep' = [asleep EXCEPT ![w] = "no"]
        /\ mq' = Remove(mq, w)
        /\ Goto(w, "tmochk")
  /\ UNCHANGED << ret, locked, wbit, parked, nstate, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

WTmoChk(w) ==
  /\ pc[w] = "tmochk"
  /\ IF queued[w]
     THEN /\ q' = Remove(q, w)
          /\ queued' = [queued EXCEPT ![w] = FALSE]
          /\ res' = [res EXCEPT ![w] = "T"]
          /\ Goto(w, "ret")
          /\ UNCHANGED timed
     ELSE /\ timed' = [timed EXCEPT ![w] = FALSE] \* chosen: wait on
          /\ Goto(w, "wloop")
          /\ UNCHANGED << q, queued, res >>
  /\ UNCHANGED << ret, locked, wbit, mq, asleep, parked, nstate, chosen, seq,
                  seen, cq, inWait, sigSince, k, isBc, under, cur, moved, peek >>

\* seq: futex_wait(&seq, seen): sleep iff unchanged
WSeqWait(w) ==
  /\ pc[w] = "sfw"
  /\ IF seq = seen[w]
     THEN /\ asleep' = [asleep EXCEPT ![w] = "node"]
          /\ cq' = cq \cup {w}
          /\ Goto(w, "ssleep")
     ELSE /\ Goto(w, "sret")
          /\ UNCHANGED << asleep, cq >>
  /\ UNCHANGED << ret, locked, wbit, mq, parked, nstate, q, queued, chosen,
                  seq, seen, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

WSeqSleep(w) ==
  /\ pc[w] = "ssleep"
  /\ \/ /\ asleep[w] = "no"
        /\ Goto(w, "sret")
        /\ UNCHANGED << asleep, cq, res >>
     \/ /\ timed[w] /\ asleep[w] = "node"
        /\ asleep' = [asleep EXCEPT ![w] = "no"]
        /\ cq' = cq \ {w}
        /\ res' = [res EXCEPT ![w] = "T"]
        /\ Goto(w, "ret")
  /\ UNCHANGED << ret, locked, wbit, mq, parked, nstate, q, queued, chosen,
                  seq, seen, inWait, sigSince, timed, k, isBc, under, cur,
                  moved, peek >>

\* seq: woken, or the word had changed: the wait returns (signaled)
WSeqRet(w) ==
  /\ pc[w] = "sret"
  /\ res' = [res EXCEPT ![w] = "S"]
  /\ Goto(w, "ret")
  /\ UNCHANGED << ret, locked, wbit, mq, asleep, parked, nstate, q, queued,
                  chosen, seq, seen, cq, inWait, sigSince, timed, k, isBc,
                  under, cur, moved, peek >>

\* The wait returns; take the mutex again.
WRet(w) ==
  /\ pc[w] = "ret"
  /\ inWait' = [inWait EXCEPT ![w] = FALSE]
  /\ Call(w, "ml", "fix")
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, nstate, q, queued, chosen,
                  seq, seen, cq, sigSince, res, timed, k, isBc, under, cur,
                  moved, peek >>

\* Requeued: the unlock that woke it cleared WAITERS: set it again.
WFix(w) ==
  /\ pc[w] = "fix"
  /\ wbit' = (wbit \/ res[w] = "R")
  /\ Call(w, "mu", "done")
  /\ UNCHANGED << locked, mq, asleep, parked, nstate, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

\* REWAIT: a predicate loop may wait again, on the same node word, while
\* the signaler has a call left (a wait no call can choose adds nothing
\* but states: Cond_live takes twice as long without the bound)
WAgain(w) ==
  /\ pc[w] = "done" /\ REWAIT /\ k < K
  /\ Goto(w, "start")
  /\ UNCHANGED << ret, locked, wbit, mq, asleep, parked, nstate, q, queued,
                  chosen, seq, seen, cq, inWait, sigSince, res, timed, k,
                  isBc, under, cur, moved, peek >>

(* ---- the signaler ------------------------------------------------------- *)

UV == << ret, locked, wbit, mq, asleep, parked >>

SNext ==
  /\ pc[S] = "s_next"
  /\ IF k < K
     THEN /\ k' = k + 1
          /\ Call(S, "ml", "s_cs")
     ELSE /\ Goto(S, "s_done")
          /\ UNCHANGED << k, ret >>
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, nstate, q, queued, chosen,
                  seq, seen, cq, inWait, sigSince, res, timed, isBc, under,
                  cur, moved, peek >>

\* Holding the mutex (the predicate changes here): pick the call and when.
SCs ==
  /\ pc[S] = "s_cs"
  /\ \E b \in BOOLEAN, u \in BOOLEAN:
       /\ isBc' = b /\ under' = u
       /\ IF u THEN Goto(S, "s_op") /\ UNCHANGED ret
               ELSE Call(S, "mu", "s_op")
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, nstate, q, queued, chosen,
                  seq, seen, cq, inWait, sigSince, res, timed, k, cur, moved, peek >>

SAfter == IF under THEN Call(S, "mu", "s_next") ELSE Goto(S, "s_next") /\ UNCHANGED ret

\* The call's choice point: queue: take the head (signal) or all
\* (broadcast) off the queue under c->lock; seq: bump the word.
SOp ==
  /\ pc[S] = "s_op"
  /\ IF DESIGN = "queue"
     THEN /\ sigSince' = [w \in Waiters |-> sigSince[w] \/ queued[w]]
          /\ IF q = << >>
             THEN SAfter /\ UNCHANGED << q, queued, chosen, cur >>
             ELSE /\ cur' = IF isBc THEN q ELSE << Head(q) >>
                  /\ q' = IF isBc THEN << >> ELSE Tail(q)
                  /\ queued' = [w \in Waiters |->
                                  queued[w] /\ ~(w \in {cur'[i] : i \in 1..Len(cur')})]
                  /\ chosen' = [w \in Waiters |->
                                  chosen[w] \/ w \in {cur'[i] : i \in 1..Len(cur')}]
                  /\ Goto(S, "h_cas")
                  /\ UNCHANGED ret
          /\ UNCHANGED << seq >>
     ELSE /\ seq' = seq + 1
          /\ sigSince' = [w \in Waiters |-> sigSince[w] \/ inWait[w]]
          /\ Goto(S, "s_wake")
          /\ UNCHANGED << ret, q, queued, chosen, cur >>
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, nstate, seen, cq, inWait,
                  res, timed, k, isBc, under, moved, peek >>

\* seq: wake any one sleeper (signal) or all (broadcast)
SWake ==
  /\ pc[S] = "s_wake"
  /\ IF cq = {}
     THEN UNCHANGED << cq, asleep >>
     ELSE IF isBc
       THEN /\ asleep' = [p \in Procs |-> IF p \in cq THEN "no" ELSE asleep[p]]
            /\ cq' = {}
       ELSE \E x \in cq: /\ asleep' = [asleep EXCEPT ![x] = "no"]
                         /\ cq' = cq \ {x}
  /\ SAfter
  /\ UNCHANGED << locked, wbit, mq, parked, nstate, q, queued, chosen, seq,
                  seen, inWait, sigSince, res, timed, k, isBc, under, cur,
                  moved, peek >>

N1 == Head(cur)
HOthers == UNCHANGED << locked, wbit, mq, parked, q, queued, chosen, seq,
                        seen, cq, inWait, sigSince, res, timed, k, isBc,
                        under >>

\* Hand the next chosen node back: CAS W -> S, or go the parked way.
HCas ==
  /\ pc[S] = "h_cas"
  /\ IF BUG = "peek"
     THEN /\ peek' = nstate[N1]
          /\ Goto(S, "h_peeked")
          /\ UNCHANGED << nstate, cur >>
     ELSE /\ IF nstate[N1] = "W"
             THEN /\ nstate' = [nstate EXCEPT ![N1] = "S"]
                  /\ cur' = Tail(cur)
                  /\ Goto(S, "h_next")
             ELSE /\ Goto(S, "h_look")
                  /\ UNCHANGED << nstate, cur >>
          /\ UNCHANGED peek
  /\ HOthers /\ UNCHANGED << ret, asleep, moved >>

\* BUG "peek": the store that follows the load
HPeeked ==
  /\ pc[S] = "h_peeked"
  /\ IF peek = "W"
     THEN /\ nstate' = [nstate EXCEPT ![N1] = "S"]
          /\ cur' = Tail(cur)
          /\ Goto(S, "h_next")
     ELSE /\ Goto(S, "h_look")
          /\ UNCHANGED << nstate, cur >>
  /\ HOthers /\ UNCHANGED << ret, asleep, moved, peek >>

\* broadcast with the mutex seen held: BUSY and the requeue; else
\* SIGNALED, then the wake (BUG "wakefirst": the wake, then SIGNALED)
HLook ==
  /\ pc[S] = "h_look"
  /\ Goto(S, IF isBc /\ locked THEN "h_busy"
             ELSE IF BUG = "wakefirst" THEN "h_wake" ELSE "h_sig")
  /\ HOthers /\ UNCHANGED << nstate, ret, asleep, cur, moved, peek >>

\* store(state, SIGNALED, release): the waiter may return at once
HSig ==
  /\ pc[S] = "h_sig"
  /\ nstate' = [nstate EXCEPT ![N1] = "S"]
  /\ IF BUG = "wakefirst"
     THEN /\ cur' = Tail(cur)
          /\ Goto(S, "h_next")
     ELSE /\ Goto(S, "h_wake")
          /\ UNCHANGED cur
  /\ HOthers /\ UNCHANGED << ret, asleep, moved, peek >>

\* futex_wake(&state, 1): it may find the waiter gone, or asleep on its
\* node in a later wait (REWAIT), which takes it as spurious
HWake ==
  /\ pc[S] = "h_wake"
  /\ asleep' = IF asleep[N1] = "node" THEN [asleep EXCEPT ![N1] = "no"]
               ELSE asleep
  /\ IF BUG = "wakefirst"
     THEN /\ Goto(S, "h_sig")
          /\ UNCHANGED cur
     ELSE /\ cur' = Tail(cur)
          /\ Goto(S, "h_next")
  /\ HOthers /\ UNCHANGED << ret, nstate, moved, peek >>

\* store(state, BUSY): the waiter waits until "h_done"
HBusy ==
  /\ pc[S] = "h_busy"
  /\ nstate' = [nstate EXCEPT ![N1] = "B"]
  /\ Goto(S, "h_req")
  /\ HOthers /\ UNCHANGED << ret, asleep, cur, moved, peek >>

\* FUTEX_CMP_REQUEUE(&state, BUSY, 0, 1, &m->word)
HReq ==
  /\ pc[S] = "h_req"
  /\ IF asleep[N1] = "node"
     THEN /\ asleep' = [asleep EXCEPT ![N1] = "mutex"]
          /\ mq' = Append(mq, N1)
          /\ moved' = TRUE
          /\ Goto(S, IF BUG = "nofixup" THEN "h_done" ELSE "h_fix")
     ELSE /\ moved' = FALSE
          /\ Goto(S, "h_done")
          /\ UNCHANGED << asleep, mq >>
  /\ UNCHANGED << ret, locked, wbit, parked, nstate, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, res, timed, k, isBc, under, cur,
                  peek >>

\* o = fetch_or(&m->word, WAITERS)
HFix ==
  /\ pc[S] = "h_fix"
  /\ wbit' = TRUE
  /\ Goto(S, IF locked THEN "h_done" ELSE "h_fixw")
  /\ UNCHANGED << ret, locked, mq, asleep, parked, nstate, q, queued, chosen,
                  seq, seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

\* the mutex was free: wake one of its sleepers ourselves
HFixWake ==
  /\ pc[S] = "h_fixw"
  /\ WakeMutexHead
  /\ Goto(S, "h_done")
  /\ UNCHANGED << ret, locked, wbit, parked, nstate, q, queued, chosen, seq,
                  seen, cq, inWait, sigSince, res, timed, k, isBc, under, cur,
                  moved, peek >>

\* store REQUEUED when it now sleeps on the mutex word, else SIGNALED
\* (it was not asleep: it sees BUSY and never sleeps on it)
HDone ==
  /\ pc[S] = "h_done"
  /\ nstate' = [nstate EXCEPT ![N1] = IF moved THEN "R" ELSE "S"]
  /\ cur' = Tail(cur)
  /\ moved' = FALSE
  /\ Goto(S, "h_next")
  /\ UNCHANGED << ret, locked, wbit, mq, asleep, parked, q, queued, chosen,
                  seq, seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  peek >>

HNext ==
  /\ pc[S] = "h_next"
  /\ IF cur = << >> THEN SAfter ELSE Goto(S, "h_cas") /\ UNCHANGED ret
  /\ UNCHANGED << locked, wbit, mq, asleep, parked, nstate, q, queued, chosen,
                  seq, seen, cq, inWait, sigSince, res, timed, k, isBc, under,
                  cur, moved, peek >>

(* ---- the system ----------------------------------------------------------- *)

Proc(p) == MLock(p) \/ MSlept(p) \/ MUnlock(p) \/ MUnlockWake(p)
Waiter(w) == Proc(w) \/ WStart(w) \/ WReg(w) \/ WLoop(w) \/ WSleep(w)
             \/ WTmoChk(w) \/ WSeqWait(w) \/ WSeqSleep(w) \/ WSeqRet(w)
             \/ WRet(w) \/ WFix(w) \/ WAgain(w)
Signaler == Proc(S) \/ SNext \/ SCs \/ SOp \/ SWake \/ HCas \/ HPeeked
            \/ HLook \/ HSig \/ HWake \/ HBusy \/ HReq \/ HFix \/ HFixWake
            \/ HDone \/ HNext

Next == (\E w \in Waiters: Waiter(w)) \/ Signaler

Spec == /\ Init /\ [][Next]_vars
        /\ \A w \in Waiters: WF_vars(Waiter(w))
        /\ WF_vars(Signaler)

(* ---- properties ----------------------------------------------------------- *)

TypeOK ==
  /\ nstate \in [Waiters -> NodeSt]
  /\ asleep \in [Procs -> {"no", "node", "mutex"}]
  /\ Len(mq) <= N + 1

\* A wait that returns signaled: some signal or broadcast took effect after
\* the waiter registered (none woke it on an earlier one's account).
NoSteal == \A w \in Waiters:
  (pc[w] = "ret" /\ res[w] \in {"S", "R"}) => sigSince[w]

\* The harm a steal does: the wait that returns on an earlier signal's
\* account leaves a waiter asleep that was there for that signal.
NoStealFromEarlier == \A w \in Waiters:
  (pc[w] = "ret" /\ res[w] \in {"S", "R"} /\ ~sigSince[w]) =>
    ~\E v \in Waiters \ {w}: inWait[v] /\ sigSince[v] /\ asleep[v] # "no"

\* queue: and it was chosen; the queue is in arrival order (FIFO) and
\* holds exactly the queued waiters.
Chosen == DESIGN = "queue" =>
  /\ \A w \in Waiters: (pc[w] = "ret" /\ res[w] \in {"S", "R"}) => chosen[w]
  /\ \A w \in Waiters: queued[w] <=> w \in {q[i] : i \in 1..Len(q)}
  /\ Len(q) = Cardinality({q[i] : i \in 1..Len(q)})

\* A chosen waiter returns.
NoLostWakeup == \A w \in Waiters: (inWait[w] /\ chosen[w]) ~> ~inWait[w]
=============================================================================
