----------------------------- MODULE LeftRight -----------------------------
(***************************************************************************)
(* Left-Right (Ramalhete & Correia 2015): two instances, wait-free reads.  *)
(* Models primitives/leftright.h: lk_leftright_read_begin /                *)
(* lk_leftright_read_end and lk_leftright_write (+ lk__lr_drain).  Each    *)
(* instance holds two words; write k stores k in both words of an          *)
(* instance, one word at a time, so a reader that saw a write in progress  *)
(* would hold unequal words.  One read-indicator stripe per version index  *)
(* (the stripes are independent counters the drain sweeps in turn).  The  *)
(* writer mutex (lk_mutex_t, checked by Mutex.tla) is one atomic take.     *)
(* Sequentially consistent model: the seq_cst store-load pairs the C uses *)
(* on each side are argued in the header.  Writes are bounded (MaxW).      *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  r_vi     | vi = load(&version_index, relaxed)                          *)
(*  r_arrive | fetch_add(&ri[vi][stripe].n, 1, seq_cst)                    *)
(*  r_lr     | lr = load(&left_right, seq_cst): the instance to read       *)
(*  r_d1/2   | the caller reads inst[lr], word by word                     *)
(*  r_depart | fetch_sub(&ri[vi][stripe].n, 1, release) (read_end)         *)
(*  w_lock   | lk_mutex_lock(&wlock)                                       *)
(*  w_lrv    | lrv = load(&left_right, relaxed)                            *)
(*  w_a1/2   | apply(inst[!lrv]), word by word                             *)
(*  w_lr     | store(&left_right, !lrv, seq_cst)                           *)
(*  w_vi     | vi = load(&version_index, relaxed)                          *)
(*  w_drain1 | lk__lr_drain(!vi): load(&ri[!vi][i].n, seq_cst) until 0     *)
(*  w_vis    | store(&version_index, !vi, relaxed)                         *)
(*  w_drain2 | lk__lr_drain(vi)                                            *)
(*  w_b1/2   | apply(inst[lrv]), word by word                              *)
(*  w_unlock | lk_mutex_unlock(&wlock)                                     *)
(*                                                                         *)
(* Seeded bug (BUG = "nodrain"): the writer does not wait for the readers  *)
(* (no drains) before applying to the instance it just took them off.      *)
(*                                                                         *)
(* Properties: NoWriteUnderReader (invariant: the writer never writes an   *)
(* instance a reader is reading); WholeVersions (invariant: a finished     *)
(* read holds equal words); ReadsComplete (every read finishes: readers    *)
(* have no wait step at all, weak fairness only).                          *)
(* Bounds: W = 2 writers, R = 2 readers, MaxW = 2 writes in all.           *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS W, R, MaxW, BUG
Writers == 1..W
Readers == W+1..W+R

(* --algorithm LeftRight {
variables vindex = 0, leftright = 0, inst = [i \in 0..1 |-> <<0, 0>>],
          ri = [i \in 0..1 |-> 0], latch = 0, writes = 0;
fair process (wr \in Writers)
variables lrv = 0, vi = 0, k = 0;
{
w_lock:  while (writes < MaxW) {
           await latch = 0; latch := 1;
           writes := writes + 1; k := writes;
w_lrv:     lrv := leftright;
w_a1:      inst[1 - lrv][1] := k;
w_a2:      inst[1 - lrv][2] := k;
w_lr:      leftright := 1 - lrv;
w_vi:      vi := vindex;
w_drain1:  await BUG = "nodrain" \/ ri[1 - vi] = 0;
w_vis:     vindex := 1 - vi;
w_drain2:  await BUG = "nodrain" \/ ri[vi] = 0;
w_b1:      inst[lrv][1] := k;
w_b2:      inst[lrv][2] := k;
w_unlock:  latch := 0; lrv := 0; vi := 0; k := 0
         }
}
fair process (rd \in Readers)
variables rvi = 0, rlr = 0, x1 = 0, x2 = 0, done = FALSE;
{
r_vi:    while (TRUE) {
           rvi := vindex; done := FALSE; x1 := 0; x2 := 0;
r_arrive:  ri[rvi] := ri[rvi] + 1;
r_lr:      rlr := leftright;
r_d1:      x1 := inst[rlr][1];
r_d2:      x2 := inst[rlr][2];
r_depart:  ri[rvi] := ri[rvi] - 1; done := TRUE; rvi := 0; rlr := 0
         }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, vindex, leftright, inst, ri, latch, writes, lrv, vi, k, rvi, 
          rlr, x1, x2, done

vars == << pc, vindex, leftright, inst, ri, latch, writes, lrv, vi, k, rvi, 
           rlr, x1, x2, done >>

ProcSet == (Writers) \cup (Readers)

Init == (* Global variables *)
        /\ vindex = 0
        /\ leftright = 0
        /\ inst = [i \in 0..1 |-> <<0, 0>>]
        /\ ri = [i \in 0..1 |-> 0]
        /\ latch = 0
        /\ writes = 0
        (* Process wr *)
        /\ lrv = [self \in Writers |-> 0]
        /\ vi = [self \in Writers |-> 0]
        /\ k = [self \in Writers |-> 0]
        (* Process rd *)
        /\ rvi = [self \in Readers |-> 0]
        /\ rlr = [self \in Readers |-> 0]
        /\ x1 = [self \in Readers |-> 0]
        /\ x2 = [self \in Readers |-> 0]
        /\ done = [self \in Readers |-> FALSE]
        /\ pc = [self \in ProcSet |-> CASE self \in Writers -> "w_lock"
                                        [] self \in Readers -> "r_vi"]

w_lock(self) == /\ pc[self] = "w_lock"
                /\ IF writes < MaxW
                      THEN /\ latch = 0
                           /\ latch' = 1
                           /\ writes' = writes + 1
                           /\ k' = [k EXCEPT ![self] = writes']
                           /\ pc' = [pc EXCEPT ![self] = "w_lrv"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "Done"]
                           /\ UNCHANGED << latch, writes, k >>
                /\ UNCHANGED << vindex, leftright, inst, ri, lrv, vi, rvi, rlr, 
                                x1, x2, done >>

w_lrv(self) == /\ pc[self] = "w_lrv"
               /\ lrv' = [lrv EXCEPT ![self] = leftright]
               /\ pc' = [pc EXCEPT ![self] = "w_a1"]
               /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, vi, 
                               k, rvi, rlr, x1, x2, done >>

w_a1(self) == /\ pc[self] = "w_a1"
              /\ inst' = [inst EXCEPT ![1 - lrv[self]][1] = k[self]]
              /\ pc' = [pc EXCEPT ![self] = "w_a2"]
              /\ UNCHANGED << vindex, leftright, ri, latch, writes, lrv, vi, k, 
                              rvi, rlr, x1, x2, done >>

w_a2(self) == /\ pc[self] = "w_a2"
              /\ inst' = [inst EXCEPT ![1 - lrv[self]][2] = k[self]]
              /\ pc' = [pc EXCEPT ![self] = "w_lr"]
              /\ UNCHANGED << vindex, leftright, ri, latch, writes, lrv, vi, k, 
                              rvi, rlr, x1, x2, done >>

w_lr(self) == /\ pc[self] = "w_lr"
              /\ leftright' = 1 - lrv[self]
              /\ pc' = [pc EXCEPT ![self] = "w_vi"]
              /\ UNCHANGED << vindex, inst, ri, latch, writes, lrv, vi, k, rvi, 
                              rlr, x1, x2, done >>

w_vi(self) == /\ pc[self] = "w_vi"
              /\ vi' = [vi EXCEPT ![self] = vindex]
              /\ pc' = [pc EXCEPT ![self] = "w_drain1"]
              /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, lrv, 
                              k, rvi, rlr, x1, x2, done >>

w_drain1(self) == /\ pc[self] = "w_drain1"
                  /\ BUG = "nodrain" \/ ri[1 - vi[self]] = 0
                  /\ pc' = [pc EXCEPT ![self] = "w_vis"]
                  /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, 
                                  lrv, vi, k, rvi, rlr, x1, x2, done >>

w_vis(self) == /\ pc[self] = "w_vis"
               /\ vindex' = 1 - vi[self]
               /\ pc' = [pc EXCEPT ![self] = "w_drain2"]
               /\ UNCHANGED << leftright, inst, ri, latch, writes, lrv, vi, k, 
                               rvi, rlr, x1, x2, done >>

w_drain2(self) == /\ pc[self] = "w_drain2"
                  /\ BUG = "nodrain" \/ ri[vi[self]] = 0
                  /\ pc' = [pc EXCEPT ![self] = "w_b1"]
                  /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, 
                                  lrv, vi, k, rvi, rlr, x1, x2, done >>

w_b1(self) == /\ pc[self] = "w_b1"
              /\ inst' = [inst EXCEPT ![lrv[self]][1] = k[self]]
              /\ pc' = [pc EXCEPT ![self] = "w_b2"]
              /\ UNCHANGED << vindex, leftright, ri, latch, writes, lrv, vi, k, 
                              rvi, rlr, x1, x2, done >>

w_b2(self) == /\ pc[self] = "w_b2"
              /\ inst' = [inst EXCEPT ![lrv[self]][2] = k[self]]
              /\ pc' = [pc EXCEPT ![self] = "w_unlock"]
              /\ UNCHANGED << vindex, leftright, ri, latch, writes, lrv, vi, k, 
                              rvi, rlr, x1, x2, done >>

w_unlock(self) == /\ pc[self] = "w_unlock"
                  /\ latch' = 0
                  /\ lrv' = [lrv EXCEPT ![self] = 0]
                  /\ vi' = [vi EXCEPT ![self] = 0]
                  /\ k' = [k EXCEPT ![self] = 0]
                  /\ pc' = [pc EXCEPT ![self] = "w_lock"]
                  /\ UNCHANGED << vindex, leftright, inst, ri, writes, rvi, 
                                  rlr, x1, x2, done >>

wr(self) == w_lock(self) \/ w_lrv(self) \/ w_a1(self) \/ w_a2(self)
               \/ w_lr(self) \/ w_vi(self) \/ w_drain1(self) \/ w_vis(self)
               \/ w_drain2(self) \/ w_b1(self) \/ w_b2(self)
               \/ w_unlock(self)

r_vi(self) == /\ pc[self] = "r_vi"
              /\ rvi' = [rvi EXCEPT ![self] = vindex]
              /\ done' = [done EXCEPT ![self] = FALSE]
              /\ x1' = [x1 EXCEPT ![self] = 0]
              /\ x2' = [x2 EXCEPT ![self] = 0]
              /\ pc' = [pc EXCEPT ![self] = "r_arrive"]
              /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, lrv, 
                              vi, k, rlr >>

r_arrive(self) == /\ pc[self] = "r_arrive"
                  /\ ri' = [ri EXCEPT ![rvi[self]] = ri[rvi[self]] + 1]
                  /\ pc' = [pc EXCEPT ![self] = "r_lr"]
                  /\ UNCHANGED << vindex, leftright, inst, latch, writes, lrv, 
                                  vi, k, rvi, rlr, x1, x2, done >>

r_lr(self) == /\ pc[self] = "r_lr"
              /\ rlr' = [rlr EXCEPT ![self] = leftright]
              /\ pc' = [pc EXCEPT ![self] = "r_d1"]
              /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, lrv, 
                              vi, k, rvi, x1, x2, done >>

r_d1(self) == /\ pc[self] = "r_d1"
              /\ x1' = [x1 EXCEPT ![self] = inst[rlr[self]][1]]
              /\ pc' = [pc EXCEPT ![self] = "r_d2"]
              /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, lrv, 
                              vi, k, rvi, rlr, x2, done >>

r_d2(self) == /\ pc[self] = "r_d2"
              /\ x2' = [x2 EXCEPT ![self] = inst[rlr[self]][2]]
              /\ pc' = [pc EXCEPT ![self] = "r_depart"]
              /\ UNCHANGED << vindex, leftright, inst, ri, latch, writes, lrv, 
                              vi, k, rvi, rlr, x1, done >>

r_depart(self) == /\ pc[self] = "r_depart"
                  /\ ri' = [ri EXCEPT ![rvi[self]] = ri[rvi[self]] - 1]
                  /\ done' = [done EXCEPT ![self] = TRUE]
                  /\ rvi' = [rvi EXCEPT ![self] = 0]
                  /\ rlr' = [rlr EXCEPT ![self] = 0]
                  /\ pc' = [pc EXCEPT ![self] = "r_vi"]
                  /\ UNCHANGED << vindex, leftright, inst, latch, writes, lrv, 
                                  vi, k, x1, x2 >>

rd(self) == r_vi(self) \/ r_arrive(self) \/ r_lr(self) \/ r_d1(self)
               \/ r_d2(self) \/ r_depart(self)

Next == (\E self \in Writers: wr(self))
           \/ (\E self \in Readers: rd(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Writers : WF_vars(wr(self))
        /\ \A self \in Readers : WF_vars(rd(self))

\* END TRANSLATION

Reading(q) == pc[q] \in {"r_d1", "r_d2"}
Writing(w, i) == \/ pc[w] \in {"w_a1", "w_a2"} /\ i = 1 - lrv[w]
                 \/ pc[w] \in {"w_b1", "w_b2"} /\ i = lrv[w]
NoWriteUnderReader == \A w \in Writers, q \in Readers :
                        ~(Reading(q) /\ Writing(w, rlr[q]))
WholeVersions == \A q \in Readers : done[q] => x1[q] = x2[q]
ReadsComplete == \A q \in Readers : pc[q] = "r_arrive" ~> pc[q] = "r_vi"
=============================================================================
