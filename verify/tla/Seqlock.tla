------------------------------ MODULE Seqlock ------------------------------
(***************************************************************************)
(* Sequence lock (Lameter; C11 form of Boehm 2012): a counter, odd while a *)
(* write is in progress, plus a writer latch.                              *)
(* Models primitives/seqlock.h: lk_seqlock_write_lock / write_unlock       *)
(* (lk_seqcount_write_begin / write_end inside), lk_seq_store, and the     *)
(* reader lk_seqcount_read_begin (+ read_wait_), lk_seq_load,              *)
(* lk_seqcount_read_retry, as lk_seqlock_read_copy runs them.  The data is *)
(* two words; each write stores its version number in both, so a torn or  *)
(* stale-mixed copy shows up as unequal words, or words that differ from   *)
(* the version current when the read began.  The writer latch is a futex  *)
(* mutex (checked by Mutex.tla), abstracted to one atomic take.  The model *)
(* is sequentially consistent: the acquire/release fences that give the C *)
(* these orders are argued in the header, not checked here.  Writes are   *)
(* bounded (MaxW in all), so the counter never wraps (the C's 32-bit       *)
(* counter fools a reader only after exactly 2^31 writes during one read). *)
(*                                                                         *)
(*  label   | atomic step in C                                             *)
(*  --------+------------------------------------------------------------- *)
(*  w_lock  | CAS/exchange(&l->latch, .., acquire) (lk_seqlock_latch_)    *)
(*  w_begin | store(&seq, v + 1, relaxed) + release fence                  *)
(*  w_d1/2  | store(&data[i], x, relaxed), one word at a time              *)
(*  w_end   | store(&seq, v + 2, release)                                  *)
(*  w_unlock| exchange(&l->latch, 0, release) (+ futex wake)               *)
(*  r_begin | v = load(&seq, acquire); odd: wait until even (read_wait_)   *)
(*  r_d1/2  | load(&data[i], relaxed), one word at a time                  *)
(*  r_retry | acquire fence; load(&seq, relaxed) != v: read again          *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "novalidate": the reader returns its copy without the retry check.    *)
(*  "nolatch":    two writers use the counter without the latch (a        *)
(*                seqcount with more than one writer).                     *)
(*                                                                         *)
(* Property: ValidatedReadsWhole (invariant): a read that passed its       *)
(* retry check holds two equal words, equal to the version that was        *)
(* current when its read began.                                            *)
(* Bounds: W = 2 writers, R = 1 reader (readers do not interact), MaxW = *)
(* 3 writes in all.                                                       *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS W, R, MaxW, BUG
Writers == 1..W
Readers == W+1..W+R

(* --algorithm Seqlock {
variables seq = 0, latch = 0, d = <<0, 0>>, cur = 0, writes = 0;
fair process (wr \in Writers)
variables nv = 0;
{
w_lock:  while (writes < MaxW) {
           if (BUG # "nolatch") { await latch = 0; latch := 1 };
           writes := writes + 1;
w_begin:   seq := seq + 1; nv := writes;
w_d1:      d[1] := nv;
w_d2:      d[2] := nv;
w_end:     seq := seq + 1; cur := nv;
w_unlock:  latch := 0
         }
}
fair process (rd \in Readers)
variables s = 0, snap = 0, x1 = 0, x2 = 0, ok = FALSE;
{
r_begin: while (TRUE) {
           await seq % 2 = 0; s := seq; snap := cur; ok := FALSE;
r_d1:      x1 := d[1];
r_d2:      x2 := d[2];
r_retry:   if (BUG = "novalidate" \/ seq = s) ok := TRUE;
r_use:     ok := FALSE; x1 := 0; x2 := 0; s := 0; snap := 0
         }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, seq, latch, d, cur, writes, nv, s, snap, x1, x2, ok

vars == << pc, seq, latch, d, cur, writes, nv, s, snap, x1, x2, ok >>

ProcSet == (Writers) \cup (Readers)

Init == (* Global variables *)
        /\ seq = 0
        /\ latch = 0
        /\ d = <<0, 0>>
        /\ cur = 0
        /\ writes = 0
        (* Process wr *)
        /\ nv = [self \in Writers |-> 0]
        (* Process rd *)
        /\ s = [self \in Readers |-> 0]
        /\ snap = [self \in Readers |-> 0]
        /\ x1 = [self \in Readers |-> 0]
        /\ x2 = [self \in Readers |-> 0]
        /\ ok = [self \in Readers |-> FALSE]
        /\ pc = [self \in ProcSet |-> CASE self \in Writers -> "w_lock"
                                        [] self \in Readers -> "r_begin"]

w_lock(self) == /\ pc[self] = "w_lock"
                /\ IF writes < MaxW
                      THEN /\ IF BUG # "nolatch"
                                 THEN /\ latch = 0
                                      /\ latch' = 1
                                 ELSE /\ TRUE
                                      /\ latch' = latch
                           /\ writes' = writes + 1
                           /\ pc' = [pc EXCEPT ![self] = "w_begin"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                           /\ UNCHANGED << latch, writes >>
                /\ UNCHANGED << seq, d, cur, nv, s, snap, x1, x2, ok >>

w_begin(self) == /\ pc[self] = "w_begin"
                 /\ seq' = seq + 1
                 /\ nv' = [nv EXCEPT ![self] = writes]
                 /\ pc' = [pc EXCEPT ![self] = "w_d1"]
                 /\ UNCHANGED << latch, d, cur, writes, s, snap, x1, x2, ok >>

w_d1(self) == /\ pc[self] = "w_d1"
              /\ d' = [d EXCEPT ![1] = nv[self]]
              /\ pc' = [pc EXCEPT ![self] = "w_d2"]
              /\ UNCHANGED << seq, latch, cur, writes, nv, s, snap, x1, x2, ok >>

w_d2(self) == /\ pc[self] = "w_d2"
              /\ d' = [d EXCEPT ![2] = nv[self]]
              /\ pc' = [pc EXCEPT ![self] = "w_end"]
              /\ UNCHANGED << seq, latch, cur, writes, nv, s, snap, x1, x2, ok >>

w_end(self) == /\ pc[self] = "w_end"
               /\ seq' = seq + 1
               /\ cur' = nv[self]
               /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
               /\ UNCHANGED << latch, d, writes, nv, s, snap, x1, x2, ok >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ latch' = 0
                  /\ pc' = [pc EXCEPT ![self] = "w_lock"]
                  /\ UNCHANGED << seq, d, cur, writes, nv, s, snap, x1, x2, ok >>

wr(self) == w_lock(self) \/ w_begin(self) \/ w_d1(self) \/ w_d2(self)
               \/ w_end(self) \/ w_unlock(self)

r_begin(self) == /\ pc[self] = "r_begin"
                 /\ seq % 2 = 0
                 /\ s' = [s EXCEPT ![self] = seq]
                 /\ snap' = [snap EXCEPT ![self] = cur]
                 /\ ok' = [ok EXCEPT ![self] = FALSE]
                 /\ pc' = [pc EXCEPT ![self] = "r_d1"]
                 /\ UNCHANGED << seq, latch, d, cur, writes, nv, x1, x2 >>

r_d1(self) == /\ pc[self] = "r_d1"
              /\ x1' = [x1 EXCEPT ![self] = d[1]]
              /\ pc' = [pc EXCEPT ![self] = "r_d2"]
              /\ UNCHANGED << seq, latch, d, cur, writes, nv, s, snap, x2, ok >>

r_d2(self) == /\ pc[self] = "r_d2"
              /\ x2' = [x2 EXCEPT ![self] = d[2]]
              /\ pc' = [pc EXCEPT ![self] = "r_retry"]
              /\ UNCHANGED << seq, latch, d, cur, writes, nv, s, snap, x1, ok >>

r_retry(self) == /\ pc[self] = "r_retry"
                 /\ IF BUG = "novalidate" \/ seq = s[self]
                       THEN /\ ok' = [ok EXCEPT ![self] = TRUE]
                       ELSE /\ TRUE
                            /\ ok' = ok
                 /\ pc' = [pc EXCEPT ![self] = "r_use"]
                 /\ UNCHANGED << seq, latch, d, cur, writes, nv, s, snap, x1, 
                                 x2 >>

r_use(self) == /\ pc[self] = "r_use"
               /\ ok' = [ok EXCEPT ![self] = FALSE]
               /\ x1' = [x1 EXCEPT ![self] = 0]
               /\ x2' = [x2 EXCEPT ![self] = 0]
               /\ s' = [s EXCEPT ![self] = 0]
               /\ snap' = [snap EXCEPT ![self] = 0]
               /\ pc' = [pc EXCEPT ![self] = "r_begin"]
               /\ UNCHANGED << seq, latch, d, cur, writes, nv >>

rd(self) == r_begin(self) \/ r_d1(self) \/ r_d2(self) \/ r_retry(self)
               \/ r_use(self)

Next == (\E self \in Writers: wr(self))
           \/ (\E self \in Readers: rd(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Writers : WF_vars(wr(self))
        /\ \A self \in Readers : WF_vars(rd(self))

\* END TRANSLATION

ValidatedReadsWhole == \A r \in Readers : ok[r] => (x1[r] = x2[r] /\ x1[r] = snap[r])
=============================================================================
