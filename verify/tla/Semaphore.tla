----------------------------- MODULE Semaphore -----------------------------
(***************************************************************************)
(* Counting semaphore on a futex: the count is the futex word, sleepers    *)
(* announce themselves in a second word.                                   *)
(* Models primitives/sem.h: lk_sem_trywait, lk_sem_wait / lk_sem_timedwait *)
(* (+ lk_sem_wait_slow_) and lk_sem_post.  Each thread takes a permit,     *)
(* uses it (in), and posts it back; the semaphore starts with C permits.   *)
(* The model is sequentially consistent: it checks the protocol; the       *)
(* seq_cst store-load pair that makes it hold on real hardware is argued   *)
(* in the header, not checked here.                                        *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  try     | lk_sem_trywait: load(count, relaxed) and CAS_weak(count, v,  *)
(*          |   v-1, acquire) while v > 0: one step (a failed CAS reloads; *)
(*          |   it takes a permit iff one is there, or fails seeing 0)     *)
(*  tfail   | trywait returned false (trywait/timedwait may give up)       *)
(*  spin    | lk__wait() spin phase (timedwait may time out: last try)     *)
(*  announce| atomic_fetch_add_explicit(&s->sleepers, 1, seq_cst)          *)
(*  park    | lk__wait(&w, &s->count, 0): deadline check (may time out)    *)
(*  fwait   | then futex_wait(count, 0) = sleep iff count == 0             *)
(*  slept   | asleep until a wake, or the futex timeout                    *)
(*  leave   | atomic_fetch_sub_explicit(&s->sleepers, 1, relaxed)          *)
(*  last    | timed out: return lk_sem_trywait(s) (take a woken permit)    *)
(*  post    | atomic_fetch_add_explicit(&s->count, 1, seq_cst)             *)
(*  p_load  | atomic_load_explicit(&s->sleepers, seq_cst) != 0             *)
(*  p_wake  | lk__futex_wake(&s->count, 1)                                 *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "loadfirst": post reads sleepers before adding the permit: a sleeper   *)
(*               announcing in between is never woken (lost wakeup).       *)
(*  "splittry":  trywait loads and then stores count-1 in two steps: two   *)
(*               threads take the same permit (count exceeded).            *)
(*                                                                         *)
(* Properties: CountNeverExceeded (invariant: holders never exceed C, and  *)
(* count + holders + posts in flight = C); NoLostWakeup: permits are never *)
(* left for good while someone sleeps (weak fairness; a holder may keep    *)
(* its permit for ever only if it never posts: the "in" step is fair).     *)
(* Bounds: N = 3 threads, C = 1 and C = 2 permits.                         *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets
CONSTANTS N, C, BUG, TIMEOUTS
Procs == 1..N

(* --algorithm Semaphore {
variables count = C, sleepers = 0, asleep = {};
fair process (p \in Procs)
variables v = 0;
{
ncs:- while (TRUE) {
try:    if (BUG = "splittry") {
          v := count;
try2:     if (v > 0) { count := v - 1; v := 0; goto in }
        } else if (count > 0) { count := count - 1; goto in };
tfail:  either { if (TIMEOUTS) goto ncs } or skip; \* trywait failed
spin:   either { if (TIMEOUTS) goto last } or skip;
announce: sleepers := sleepers + 1;
park:   either { if (TIMEOUTS) goto leave_t } or skip;
fwait:  if (count = 0) asleep := asleep \cup {self};
slept:  either await self \notin asleep
        or { await TIMEOUTS; asleep := asleep \ {self} };
leave:  sleepers := sleepers - 1;
        goto try;
leave_t: sleepers := sleepers - 1;
last:   if (count > 0) { count := count - 1; goto in }
        else goto ncs;
in:     skip;
post:   if (BUG = "loadfirst") {
          v := sleepers;
p_add:    count := count + 1;
          if (v = 0) goto ncs
        } else {
          count := count + 1;
p_load:   if (sleepers = 0) goto ncs
        };
p_wake: v := 0;
        with (q \in IF asleep = {} THEN {0} ELSE asleep) asleep := asleep \ {q}
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, count, sleepers, asleep, v

vars == << pc, count, sleepers, asleep, v >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ count = C
        /\ sleepers = 0
        /\ asleep = {}
        (* Process p *)
        /\ v = [self \in Procs |-> 0]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "try"]
             /\ UNCHANGED << count, sleepers, asleep, v >>

try(self) == /\ pc[self] = "try"
             /\ IF BUG = "splittry"
                   THEN /\ v' = [v EXCEPT ![self] = count]
                        /\ pc' = [pc EXCEPT ![self] = "try2"]
                        /\ count' = count
                   ELSE /\ IF count > 0
                              THEN /\ count' = count - 1
                                   /\ pc' = [pc EXCEPT ![self] = "in"]
                              ELSE /\ pc' = [pc EXCEPT ![self] = "tfail"]
                                   /\ count' = count
                        /\ v' = v
             /\ UNCHANGED << sleepers, asleep >>

try2(self) == /\ pc[self] = "try2"
              /\ IF v[self] > 0
                    THEN /\ count' = v[self] - 1
                         /\ v' = [v EXCEPT ![self] = 0]
                         /\ pc' = [pc EXCEPT ![self] = "in"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "tfail"]
                         /\ UNCHANGED << count, v >>
              /\ UNCHANGED << sleepers, asleep >>

tfail(self) == /\ pc[self] = "tfail"
               /\ \/ /\ IF TIMEOUTS
                           THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           ELSE /\ pc' = [pc EXCEPT ![self] = "spin"]
                  \/ /\ TRUE
                     /\ pc' = [pc EXCEPT ![self] = "spin"]
               /\ UNCHANGED << count, sleepers, asleep, v >>

spin(self) == /\ pc[self] = "spin"
              /\ \/ /\ IF TIMEOUTS
                          THEN /\ pc' = [pc EXCEPT ![self] = "last"]
                          ELSE /\ pc' = [pc EXCEPT ![self] = "announce"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "announce"]
              /\ UNCHANGED << count, sleepers, asleep, v >>

announce(self) == /\ pc[self] = "announce"
                  /\ sleepers' = sleepers + 1
                  /\ pc' = [pc EXCEPT ![self] = "park"]
                  /\ UNCHANGED << count, asleep, v >>

park(self) == /\ pc[self] = "park"
              /\ \/ /\ IF TIMEOUTS
                          THEN /\ pc' = [pc EXCEPT ![self] = "leave_t"]
                          ELSE /\ pc' = [pc EXCEPT ![self] = "fwait"]
                 \/ /\ TRUE
                    /\ pc' = [pc EXCEPT ![self] = "fwait"]
              /\ UNCHANGED << count, sleepers, asleep, v >>

fwait(self) == /\ pc[self] = "fwait"
               /\ IF count = 0
                     THEN /\ asleep' = (asleep \cup {self})
                     ELSE /\ TRUE
                          /\ UNCHANGED asleep
               /\ pc' = [pc EXCEPT ![self] = "slept"]
               /\ UNCHANGED << count, sleepers, v >>

slept(self) == /\ pc[self] = "slept"
               /\ \/ /\ self \notin asleep
                     /\ UNCHANGED asleep
                  \/ /\ TIMEOUTS
                     /\ asleep' = asleep \ {self}
               /\ pc' = [pc EXCEPT ![self] = "leave"]
               /\ UNCHANGED << count, sleepers, v >>

leave(self) == /\ pc[self] = "leave"
               /\ sleepers' = sleepers - 1
               /\ pc' = [pc EXCEPT ![self] = "try"]
               /\ UNCHANGED << count, asleep, v >>

leave_t(self) == /\ pc[self] = "leave_t"
                 /\ sleepers' = sleepers - 1
                 /\ pc' = [pc EXCEPT ![self] = "last"]
                 /\ UNCHANGED << count, asleep, v >>

last(self) == /\ pc[self] = "last"
              /\ IF count > 0
                    THEN /\ count' = count - 1
                         /\ pc' = [pc EXCEPT ![self] = "in"]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                         /\ count' = count
              /\ UNCHANGED << sleepers, asleep, v >>

in(self) == /\ pc[self] = "in"
            /\ TRUE
            /\ pc' = [pc EXCEPT ![self] = "post"]
            /\ UNCHANGED << count, sleepers, asleep, v >>

post(self) == /\ pc[self] = "post"
              /\ IF BUG = "loadfirst"
                    THEN /\ v' = [v EXCEPT ![self] = sleepers]
                         /\ pc' = [pc EXCEPT ![self] = "p_add"]
                         /\ count' = count
                    ELSE /\ count' = count + 1
                         /\ pc' = [pc EXCEPT ![self] = "p_load"]
                         /\ v' = v
              /\ UNCHANGED << sleepers, asleep >>

p_add(self) == /\ pc[self] = "p_add"
               /\ count' = count + 1
               /\ IF v[self] = 0
                     THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "p_wake"]
               /\ UNCHANGED << sleepers, asleep, v >>

p_load(self) == /\ pc[self] = "p_load"
                /\ IF sleepers = 0
                      THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "p_wake"]
                /\ UNCHANGED << count, sleepers, asleep, v >>

p_wake(self) == /\ pc[self] = "p_wake"
                /\ v' = [v EXCEPT ![self] = 0]
                /\ \E q \in IF asleep = {} THEN {0} ELSE asleep:
                     asleep' = asleep \ {q}
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << count, sleepers >>

p(self) == ncs(self) \/ try(self) \/ try2(self) \/ tfail(self)
              \/ spin(self) \/ announce(self) \/ park(self) \/ fwait(self)
              \/ slept(self) \/ leave(self) \/ leave_t(self) \/ last(self)
              \/ in(self) \/ post(self) \/ p_add(self) \/ p_load(self)
              \/ p_wake(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Holders == {q \in Procs : pc[q] \in {"in", "post"} \/ (pc[q] = "p_add")}
CountNeverExceeded == Cardinality(Holders) <= C /\ count + Cardinality(Holders) = C
NoLostWakeup == (count > 0 /\ asleep # {}) ~> (count = 0 \/ asleep = {})
=============================================================================
