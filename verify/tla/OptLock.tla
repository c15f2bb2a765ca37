------------------------------ MODULE OptLock ------------------------------
(***************************************************************************)
(* Optimistic version latch of optimistic lock coupling (Leis et al. 2019).*)
(* Models primitives/optlock.h: lk_optlock_read_begin (+ read_wait_),      *)
(* lk_optlock_validate, lk_optlock_upgrade, lk_optlock_lock / trylock      *)
(* (lk_optlock_acquire_), lk_optlock_unlock, lk_optlock_unlock_obsolete.   *)
(* The word is split into locked, obsolete and the version.  The data is  *)
(* two words; each write stores its write number in both, so a torn or    *)
(* stale-mixed copy shows up as unequal words or words that differ from   *)
(* the data current at read_begin.  Sequentially consistent model (the    *)
(* fences are argued in the header).  Writes are bounded (MaxW in all), so *)
(* the version never wraps.                                                *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  r_begin | v = load(&word, acquire); locked: wait (read_wait_);         *)
(*          |   obsolete: false (restart from the parent)                  *)
(*  r_d1/2  | load(&data[i], relaxed) (lk_seq_load), word by word          *)
(*  r_val   | acquire fence; load(&word, relaxed) == v                     *)
(*  u_cas   | upgrade: CAS(&word, v, v|LOCKED, acquire) (+ release fence)  *)
(*  l_cas   | lock: v = load(&word); not locked: CAS_weak(&word, v,        *)
(*          |   v|LOCKED, acquire) (merged: the CAS re-checks)             *)
(*  w_d1/2  | store(&data[i], x, relaxed), word by word                    *)
(*  w_unl   | store(&word, v + 3, release) (version+1, bit 0 clear), or    *)
(*          |   unlock_obsolete: the same | OBSOLETE                       *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "novalidate":   the reader uses its copy without validating.          *)
(*  "splitupgrade": upgrade compares the word, then stores LOCKED in a    *)
(*                  second step: two upgraders can both win.               *)
(*                                                                         *)
(* Properties (invariants): ValidatedReadsWhole: a validated read holds    *)
(* two equal words, equal to the data current at its read_begin;           *)
(* ExclusiveWriters: one holder at a time; UpgradeSeesCurrent: a           *)
(* successful upgrade holds the data its optimistic read began on.         *)
(* Bounds: N = 3 threads, MaxW = 2 writes in all.                          *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, MaxW, BUG
Procs == 1..N

(* --algorithm OptLock {
variables locked = FALSE, obsolete = FALSE, ver = 0, d = <<0, 0>>,
          cur = 0, writes = 0;
fair process (p \in Procs)
variables v = 0, snap = 0, x1 = 0, x2 = 0, ok = FALSE, up = FALSE;
{
ncs:  while (TRUE) {
r_begin: await ~locked;
        if (obsolete) goto ncs else { v := ver; snap := cur };
r_d1:   x1 := d[1];
r_d2:   x2 := d[2];
        either {
r_val:    if (BUG = "novalidate" \/ (ver = v /\ ~locked)) ok := TRUE;
r_use:    ok := FALSE; x1 := 0; x2 := 0; v := 0; snap := 0;
          goto ncs
        } or {
u_cas:    await writes < MaxW;
          if (BUG = "splitupgrade") {
            if (ver # v \/ locked) goto r_drop;
u_set:      locked := TRUE; up := TRUE; goto w_d1
          } else if (ver = v /\ ~locked) { locked := TRUE; up := TRUE; goto w_d1 }
          else goto r_drop
        } or {
l_cas:    await writes < MaxW /\ ~locked;
          locked := TRUE
        };
w_d1:   writes := writes + 1; d[1] := writes;
w_d2:   d[2] := writes;
w_unl:  ver := ver + 1; cur := writes; locked := FALSE; up := FALSE;
        either skip or obsolete := TRUE;
r_drop: x1 := 0; x2 := 0; v := 0; snap := 0
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, locked, obsolete, ver, d, cur, writes, v, snap, x1, x2, ok, up

vars == << pc, locked, obsolete, ver, d, cur, writes, v, snap, x1, x2, ok, up
        >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ locked = FALSE
        /\ obsolete = FALSE
        /\ ver = 0
        /\ d = <<0, 0>>
        /\ cur = 0
        /\ writes = 0
        (* Process p *)
        /\ v = [self \in Procs |-> 0]
        /\ snap = [self \in Procs |-> 0]
        /\ x1 = [self \in Procs |-> 0]
        /\ x2 = [self \in Procs |-> 0]
        /\ ok = [self \in Procs |-> FALSE]
        /\ up = [self \in Procs |-> FALSE]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ pc' = [pc EXCEPT ![self] = "r_begin"]
             /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, v, snap, 
                             x1, x2, ok, up >>

r_begin(self) == /\ pc[self] = "r_begin"
                 /\ ~locked
                 /\ IF obsolete
                       THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                            /\ UNCHANGED << v, snap >>
                       ELSE /\ v' = [v EXCEPT ![self] = ver]
                            /\ snap' = [snap EXCEPT ![self] = cur]
                            /\ pc' = [pc EXCEPT ![self] = "r_d1"]
                 /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, x1, x2, 
                                 ok, up >>

r_d1(self) == /\ pc[self] = "r_d1"
              /\ x1' = [x1 EXCEPT ![self] = d[1]]
              /\ pc' = [pc EXCEPT ![self] = "r_d2"]
              /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, v, snap, 
                              x2, ok, up >>

r_d2(self) == /\ pc[self] = "r_d2"
              /\ x2' = [x2 EXCEPT ![self] = d[2]]
              /\ \/ /\ pc' = [pc EXCEPT ![self] = "r_val"]
                 \/ /\ pc' = [pc EXCEPT ![self] = "u_cas"]
                 \/ /\ pc' = [pc EXCEPT ![self] = "l_cas"]
              /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, v, snap, 
                              x1, ok, up >>

r_val(self) == /\ pc[self] = "r_val"
               /\ IF BUG = "novalidate" \/ (ver = v[self] /\ ~locked)
                     THEN /\ ok' = [ok EXCEPT ![self] = TRUE]
                     ELSE /\ TRUE
                          /\ ok' = ok
               /\ pc' = [pc EXCEPT ![self] = "r_use"]
               /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, v, snap, 
                               x1, x2, up >>

r_use(self) == /\ pc[self] = "r_use"
               /\ ok' = [ok EXCEPT ![self] = FALSE]
               /\ x1' = [x1 EXCEPT ![self] = 0]
               /\ x2' = [x2 EXCEPT ![self] = 0]
               /\ v' = [v EXCEPT ![self] = 0]
               /\ snap' = [snap EXCEPT ![self] = 0]
               /\ pc' = [pc EXCEPT ![self] = "ncs"]
               /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, up >>

u_cas(self) == /\ pc[self] = "u_cas"
               /\ writes < MaxW
               /\ IF BUG = "splitupgrade"
                     THEN /\ IF ver # v[self] \/ locked
                                THEN /\ pc' = [pc EXCEPT ![self] = "r_drop"]
                                ELSE /\ pc' = [pc EXCEPT ![self] = "u_set"]
                          /\ UNCHANGED << locked, up >>
                     ELSE /\ IF ver = v[self] /\ ~locked
                                THEN /\ locked' = TRUE
                                     /\ up' = [up EXCEPT ![self] = TRUE]
                                     /\ pc' = [pc EXCEPT ![self] = "w_d1"]
                                ELSE /\ pc' = [pc EXCEPT ![self] = "r_drop"]
                                     /\ UNCHANGED << locked, up >>
               /\ UNCHANGED << obsolete, ver, d, cur, writes, v, snap, x1, x2, 
                               ok >>

u_set(self) == /\ pc[self] = "u_set"
               /\ locked' = TRUE
               /\ up' = [up EXCEPT ![self] = TRUE]
               /\ pc' = [pc EXCEPT ![self] = "w_d1"]
               /\ UNCHANGED << obsolete, ver, d, cur, writes, v, snap, x1, x2, 
                               ok >>

l_cas(self) == /\ pc[self] = "l_cas"
               /\ writes < MaxW /\ ~locked
               /\ locked' = TRUE
               /\ pc' = [pc EXCEPT ![self] = "w_d1"]
               /\ UNCHANGED << obsolete, ver, d, cur, writes, v, snap, x1, x2, 
                               ok, up >>

w_d1(self) == /\ pc[self] = "w_d1"
              /\ writes' = writes + 1
              /\ d' = [d EXCEPT ![1] = writes']
              /\ pc' = [pc EXCEPT ![self] = "w_d2"]
              /\ UNCHANGED << locked, obsolete, ver, cur, v, snap, x1, x2, ok, 
                              up >>

w_d2(self) == /\ pc[self] = "w_d2"
              /\ d' = [d EXCEPT ![2] = writes]
              /\ pc' = [pc EXCEPT ![self] = "w_unl"]
              /\ UNCHANGED << locked, obsolete, ver, cur, writes, v, snap, x1, 
                              x2, ok, up >>

w_unl(self) == /\ pc[self] = "w_unl"
               /\ ver' = ver + 1
               /\ cur' = writes
               /\ locked' = FALSE
               /\ up' = [up EXCEPT ![self] = FALSE]
               /\ \/ /\ TRUE
                     /\ UNCHANGED obsolete
                  \/ /\ obsolete' = TRUE
               /\ pc' = [pc EXCEPT ![self] = "r_drop"]
               /\ UNCHANGED << d, writes, v, snap, x1, x2, ok >>

r_drop(self) == /\ pc[self] = "r_drop"
                /\ x1' = [x1 EXCEPT ![self] = 0]
                /\ x2' = [x2 EXCEPT ![self] = 0]
                /\ v' = [v EXCEPT ![self] = 0]
                /\ snap' = [snap EXCEPT ![self] = 0]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << locked, obsolete, ver, d, cur, writes, ok, up >>

p(self) == ncs(self) \/ r_begin(self) \/ r_d1(self) \/ r_d2(self)
              \/ r_val(self) \/ r_use(self) \/ u_cas(self) \/ u_set(self)
              \/ l_cas(self) \/ w_d1(self) \/ w_d2(self) \/ w_unl(self)
              \/ r_drop(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars(p(self))

\* END TRANSLATION

Holders == {q \in Procs : pc[q] \in {"w_d1", "w_d2", "w_unl"}}
ValidatedReadsWhole == \A q \in Procs : ok[q] => (x1[q] = x2[q] /\ x1[q] = snap[q])
ExclusiveWriters == \A a, b \in Holders : a = b
UpgradeSeesCurrent == \A q \in Procs : (up[q] /\ pc[q] = "w_d1") => snap[q] = cur
=============================================================================
