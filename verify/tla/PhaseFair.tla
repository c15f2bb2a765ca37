----------------------------- MODULE PhaseFair -----------------------------
(***************************************************************************)
(* Phase-fair reader-writer latch, PF-T (Brandenburg & Anderson 2010), in  *)
(* latchkit's variant where the phase id lives in wout's low bit and flips *)
(* only when a writer phase really ran.                                    *)
(* Models primitives/pfrwlock.h: lk_pfrwlock_rdlock (+ lk__pf_rdwait_),    *)
(* lk_pfrwlock_rdtrylock, lk_pfrwlock_rdunlock, lk_pfrwlock_wrlock (+      *)
(* lk__pf_wrturn_, lk__pf_wrdrain_), lk_pfrwlock_wrunlock, and the try    *)
(* writer lk__pf_wrtry_ (wrtrylock; wrtimedlock is it in a loop).  NOT     *)
(* modelled: the timed reader's withdrawal.  rin:rout and win:wout are     *)
(* 64-bit pairs in C; the 32-bit ops below act on one half.                *)
(* rin is split into its count (rcnt) and writer bits (pres, phid); all    *)
(* counters wrap modulo M (> N: only equality is tested, and at most N     *)
(* readers or writers are ever outstanding).  lk__wait() is a stutter.     *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  r_add    | w = fetch_add(&rin, RINC, acquire) & WBITS; w == 0: in      *)
(*  r_wait   | load(&rin, acquire) & WBITS != w (spin)                     *)
(*  r_try    | rdtrylock: load rin + CAS_weak(rin, v, v+RINC) while no     *)
(*           |   writer bits (merged: the CAS re-checks)                   *)
(*  r_unlock | fetch_add(&rout, RINC, release)                             *)
(*  w_tk     | t = fetch_add(&win, 2, relaxed)                             *)
(*  w_turn   | o = load(&wout, acquire); (o & ~PHID) == t (spin)           *)
(*  w_bits   | rt = fetch_add(&rin, PRES | (o & PHID), relaxed) & CMASK    *)
(*  w_drain  | load(&rout, acquire) == rt (spin)                           *)
(*  w_clear  | fetch_and(&rin, ~WBITS, release)                            *)
(*  w_pass   | store(&wout, (o + 2) ^ PHID, release)                       *)
(*  wt_ldw   | try writer: wv = load(&w_.both, relaxed): (win, wout, its   *)
(*           |   phase id) into (t, ph); win != wout: fail                 *)
(*  wt_ldr   | rv = load(&r_.both, relaxed): rin's count into rt; writer   *)
(*           |   bits, or count != rout (readers inside): fail             *)
(*  wt_casw  | CAS(&w_.both, wv, wv + (2 << 32), acquire): takes ticket t  *)
(*           |   iff win, wout and the phase id are as loaded              *)
(*  wt_casr  | CAS(&r_.both, rv, rv | (PRES|ph) << 32, acquire): in iff    *)
(*           |   rin (count and bits) and rout are as loaded; then w_cs,   *)
(*           |   w_clear, w_pass as any writer (the phase id flips)        *)
(*  wt_back  | the rin CAS failed: store(&wout, o + 2, release), no flip   *)
(* The try writer's loads and CASes are separate steps and the counters    *)
(* wrap (M = N + 1), so TLC explores counters that come round between.     *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "nophase":   writers never set the phase id (PHID always 0): a reader  *)
(*               that misses the instant between two writer phases sees   *)
(*               the same bits and waits for the next writer, which waits  *)
(*               for it: TLC reports the deadlock.                         *)
(*  "singlecas": the old try writer: CAS on win alone (win = t), then on   *)
(*               rin alone (count and bits): readers that arrive and leave *)
(*               until rin's count comes round (2^24 arrivals in C) let it *)
(*               in with a reader inside (RWExclusion fails).              *)
(*                                                                         *)
(* Properties: RWExclusion (invariant); ReaderBound (invariant: a waiting  *)
(* reader sees at most one writer phase end before it is in); WriterBound *)
(* (action property: no reader that arrived after a writer raised its bits *)
(* gets in before that writer is done, so a writer waits for at most the   *)
(* reader phase it found); StarvationFreedom (weak fairness; non-critical section    *)
(* may last forever).  Bounds: N = 3 threads, M = N + 1; each iteration a  *)
(* thread not in TRYW picks rdlock, rdtrylock or wrlock; a thread in TRYW *)
(* calls only wrtrylock (the try writer checks: N = 3, TRYW = {3}).        *)
(***************************************************************************)
EXTENDS Naturals
CONSTANTS N, BUG, TRYW   \* TRYW: the threads that only ever call wrtrylock
Procs == 1..N
M == N + 1

(* --algorithm PhaseFair {
variables rcnt = 0, pres = FALSE, phid = 0, rout = 0, win = 0, wout = 0,
          wph = 0, \* wout's low bit: the phase id the next writer phase carries
          seen = [q \in Procs |-> 0],  \* ghost: writer phases a waiting reader saw end
          late = {};  \* ghost: readers that arrived during the current writer phase
define {
  Bits == IF pres THEN 2 + phid ELSE 0
}
fair process (p \in Procs)
variables w = 0, t = 0, ph = 0, rt = 0;
{
ncs:- while (TRUE) {
        either {
          await self \notin TRYW;
r_add:    w := Bits; rcnt := (rcnt + 1) % M; 
          if (Bits # 0) {
            late := late \cup {self};
r_wait:     await Bits # w;
            w := 0; seen[self] := 0;
            goto r_cs
          } else goto r_cs
        } or {
          await self \notin TRYW;
r_try:    if (Bits = 0) { rcnt := (rcnt + 1) % M; goto r_cs } else goto ncs
        } or {
          await self \notin TRYW;
w_tk:     t := win; win := (win + 1) % M;
w_turn:   await wout = t; ph := IF BUG = "nophase" THEN 0 ELSE wph;
w_bits:   rt := rcnt; pres := TRUE; phid := ph;
w_drain:  await rout = rt;
          goto w_cs
        } or {
          await self \in TRYW;
wt_ldw:   if (win = wout) { t := win; ph := wph } else goto ncs;
wt_ldr:   if (Bits = 0 /\ rcnt = rout) rt := rcnt
          else { t := 0; ph := 0; goto ncs };
wt_casw:  if (win = t /\ (BUG = "singlecas" \/ (wout = t /\ wph = ph)))
            win := (win + 1) % M
          else { t := 0; ph := 0; rt := 0; goto ncs };
wt_casr:  if (rcnt = rt /\ Bits = 0 /\ (BUG = "singlecas" \/ rout = rt)) {
            pres := TRUE; phid := ph; goto w_cs
          };
wt_back:  wout := (t + 1) % M; t := 0; ph := 0; rt := 0;
          goto ncs
        };
r_cs:   late := late \ {self};
r_unlock: rout := (rout + 1) % M;
        goto ncs;
w_cs:   skip;
w_clear: pres := FALSE; phid := 0; late := {};
        seen := [q \in Procs |-> IF pc[q] = "r_wait" THEN seen[q] + 1 ELSE seen[q]];
w_pass: wout := (t + 1) % M; wph := 1 - wph;
        t := 0; ph := 0; rt := 0
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, rcnt, pres, phid, rout, win, wout, wph, seen, late

(* define statement *)
Bits == IF pres THEN 2 + phid ELSE 0

VARIABLES w, t, ph, rt

vars == << pc, rcnt, pres, phid, rout, win, wout, wph, seen, late, w, t, ph, 
           rt >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ rcnt = 0
        /\ pres = FALSE
        /\ phid = 0
        /\ rout = 0
        /\ win = 0
        /\ wout = 0
        /\ wph = 0
        /\ seen = [q \in Procs |-> 0]
        /\ late = {}
        (* Process p *)
        /\ w = [self \in Procs |-> 0]
        /\ t = [self \in Procs |-> 0]
        /\ ph = [self \in Procs |-> 0]
        /\ rt = [self \in Procs |-> 0]
        /\ pc = [self \in ProcSet |-> "ncs"]

ncs(self) == /\ pc[self] = "ncs"
             /\ \/ /\ self \notin TRYW
                   /\ pc' = [pc EXCEPT ![self] = "r_add"]
                \/ /\ self \notin TRYW
                   /\ pc' = [pc EXCEPT ![self] = "r_try"]
                \/ /\ self \notin TRYW
                   /\ pc' = [pc EXCEPT ![self] = "w_tk"]
                \/ /\ self \in TRYW
                   /\ pc' = [pc EXCEPT ![self] = "wt_ldw"]
             /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, 
                             late, w, t, ph, rt >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ late' = late \ {self}
              /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, w, 
                              t, ph, rt >>

r_unlock(self) == /\ pc[self] = "r_unlock"
                  /\ rout' = (rout + 1) % M
                  /\ pc' = [pc EXCEPT ![self] = "ncs"]
                  /\ UNCHANGED << rcnt, pres, phid, win, wout, wph, seen, late, 
                                  w, t, ph, rt >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ TRUE
              /\ pc' = [pc EXCEPT ![self] = "w_clear"]
              /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, 
                              late, w, t, ph, rt >>

w_clear(self) == /\ pc[self] = "w_clear"
                 /\ pres' = FALSE
                 /\ phid' = 0
                 /\ late' = {}
                 /\ seen' = [q \in Procs |-> IF pc[q] = "r_wait" THEN seen[q] + 1 ELSE seen[q]]
                 /\ pc' = [pc EXCEPT ![self] = "w_pass"]
                 /\ UNCHANGED << rcnt, rout, win, wout, wph, w, t, ph, rt >>

w_pass(self) == /\ pc[self] = "w_pass"
                /\ wout' = (t[self] + 1) % M
                /\ wph' = 1 - wph
                /\ t' = [t EXCEPT ![self] = 0]
                /\ ph' = [ph EXCEPT ![self] = 0]
                /\ rt' = [rt EXCEPT ![self] = 0]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << rcnt, pres, phid, rout, win, seen, late, w >>

r_add(self) == /\ pc[self] = "r_add"
               /\ w' = [w EXCEPT ![self] = Bits]
               /\ rcnt' = (rcnt + 1) % M
               /\ IF Bits # 0
                     THEN /\ late' = (late \cup {self})
                          /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                          /\ late' = late
               /\ UNCHANGED << pres, phid, rout, win, wout, wph, seen, t, ph, 
                               rt >>

r_wait(self) == /\ pc[self] = "r_wait"
                /\ Bits # w[self]
                /\ w' = [w EXCEPT ![self] = 0]
                /\ seen' = [seen EXCEPT ![self] = 0]
                /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, late, 
                                t, ph, rt >>

r_try(self) == /\ pc[self] = "r_try"
               /\ IF Bits = 0
                     THEN /\ rcnt' = (rcnt + 1) % M
                          /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                          /\ rcnt' = rcnt
               /\ UNCHANGED << pres, phid, rout, win, wout, wph, seen, late, w, 
                               t, ph, rt >>

w_tk(self) == /\ pc[self] = "w_tk"
              /\ t' = [t EXCEPT ![self] = win]
              /\ win' = (win + 1) % M
              /\ pc' = [pc EXCEPT ![self] = "w_turn"]
              /\ UNCHANGED << rcnt, pres, phid, rout, wout, wph, seen, late, w, 
                              ph, rt >>

w_turn(self) == /\ pc[self] = "w_turn"
                /\ wout = t[self]
                /\ ph' = [ph EXCEPT ![self] = IF BUG = "nophase" THEN 0 ELSE wph]
                /\ pc' = [pc EXCEPT ![self] = "w_bits"]
                /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, 
                                late, w, t, rt >>

w_bits(self) == /\ pc[self] = "w_bits"
                /\ rt' = [rt EXCEPT ![self] = rcnt]
                /\ pres' = TRUE
                /\ phid' = ph[self]
                /\ pc' = [pc EXCEPT ![self] = "w_drain"]
                /\ UNCHANGED << rcnt, rout, win, wout, wph, seen, late, w, t, 
                                ph >>

w_drain(self) == /\ pc[self] = "w_drain"
                 /\ rout = rt[self]
                 /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                 /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, 
                                 late, w, t, ph, rt >>

wt_ldw(self) == /\ pc[self] = "wt_ldw"
                /\ IF win = wout
                      THEN /\ t' = [t EXCEPT ![self] = win]
                           /\ ph' = [ph EXCEPT ![self] = wph]
                           /\ pc' = [pc EXCEPT ![self] = "wt_ldr"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           /\ UNCHANGED << t, ph >>
                /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, 
                                late, w, rt >>

wt_ldr(self) == /\ pc[self] = "wt_ldr"
                /\ IF Bits = 0 /\ rcnt = rout
                      THEN /\ rt' = [rt EXCEPT ![self] = rcnt]
                           /\ pc' = [pc EXCEPT ![self] = "wt_casw"]
                           /\ UNCHANGED << t, ph >>
                      ELSE /\ t' = [t EXCEPT ![self] = 0]
                           /\ ph' = [ph EXCEPT ![self] = 0]
                           /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           /\ rt' = rt
                /\ UNCHANGED << rcnt, pres, phid, rout, win, wout, wph, seen, 
                                late, w >>

wt_casw(self) == /\ pc[self] = "wt_casw"
                 /\ IF win = t[self] /\ (BUG = "singlecas" \/ (wout = t[self] /\ wph = ph[self]))
                       THEN /\ win' = (win + 1) % M
                            /\ pc' = [pc EXCEPT ![self] = "wt_casr"]
                            /\ UNCHANGED << t, ph, rt >>
                       ELSE /\ t' = [t EXCEPT ![self] = 0]
                            /\ ph' = [ph EXCEPT ![self] = 0]
                            /\ rt' = [rt EXCEPT ![self] = 0]
                            /\ pc' = [pc EXCEPT ![self] = "ncs"]
                            /\ win' = win
                 /\ UNCHANGED << rcnt, pres, phid, rout, wout, wph, seen, late, 
                                 w >>

wt_casr(self) == /\ pc[self] = "wt_casr"
                 /\ IF rcnt = rt[self] /\ Bits = 0 /\ (BUG = "singlecas" \/ rout = rt[self])
                       THEN /\ pres' = TRUE
                            /\ phid' = ph[self]
                            /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "wt_back"]
                            /\ UNCHANGED << pres, phid >>
                 /\ UNCHANGED << rcnt, rout, win, wout, wph, seen, late, w, t, 
                                 ph, rt >>

wt_back(self) == /\ pc[self] = "wt_back"
                 /\ wout' = (t[self] + 1) % M
                 /\ t' = [t EXCEPT ![self] = 0]
                 /\ ph' = [ph EXCEPT ![self] = 0]
                 /\ rt' = [rt EXCEPT ![self] = 0]
                 /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << rcnt, pres, phid, rout, win, wph, seen, late, 
                                 w >>

p(self) == ncs(self) \/ r_cs(self) \/ r_unlock(self) \/ w_cs(self)
              \/ w_clear(self) \/ w_pass(self) \/ r_add(self)
              \/ r_wait(self) \/ r_try(self) \/ w_tk(self) \/ w_turn(self)
              \/ w_bits(self) \/ w_drain(self) \/ wt_ldw(self)
              \/ wt_ldr(self) \/ wt_casw(self) \/ wt_casr(self)
              \/ wt_back(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : pc[q] \in {"r_cs", "r_unlock"}}
Writers == {q \in Procs : pc[q] \in {"w_cs", "w_clear"}}
RWExclusion == \A x \in Writers : Readers = {} /\ Writers = {x}
ReaderBound == \A q \in Procs : seen[q] <= 1
Admitted(q) == pc'[q] = "r_cs" /\ pc[q] # "r_cs"
\* no reader that arrived after the current writer raised its bits gets in
\* before it is done: a writer waits for at most the reader phase it found
WriterBound == [][\A q \in Procs : Admitted(q) => q \notin late]_vars
Trying(q) == pc[q] \in {"r_add", "r_wait", "w_tk", "w_turn", "w_bits", "w_drain"}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] \in {"r_cs", "w_cs"}
=============================================================================
