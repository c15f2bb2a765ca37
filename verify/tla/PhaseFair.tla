----------------------------- MODULE PhaseFair -----------------------------
(***************************************************************************)
(* Phase-fair reader-writer latch, PF-T (Brandenburg & Anderson 2010), in  *)
(* latchkit's variant where the phase id lives in its own word (ph_) and   *)
(* flips only when a writer phase really ran, with the waits parked on     *)
(* futex words as primitives/pfrwlock.h does them.                         *)
(* Models primitives/pfrwlock.h: lk_pfrwlock_rdlock (+ lk__pf_rdwait_),    *)
(* lk_pfrwlock_rdtrylock, lk_pfrwlock_rdunlock (+ lk__pf_drainwake_),      *)
(* lk_pfrwlock_wrlock (+ lk__pf_wrdrain_), lk_pfrwlock_wrunlock, and the  *)
(* try writer lk__pf_wrtry_ (wrtrylock; wrtimedlock is it in a loop).      *)
(* NOT modelled: the timed reader's withdrawal (verify/spin/pfrwlock.pml   *)
(* has it); the writers' lock w_ (ticket.h) is the FIFO ticket it is while *)
(* every waiter runs (win: next ticket, wout: the one served); its bounded *)
(* steal and its own parking are Ticket.tla's and Gate.tla's.              *)
(* rin is split into its count (rcnt), writer bits (pres, phid) and RWAIT  *)
(* (rwait); rout into its count and DWAIT (dwait). Counters wrap modulo M  *)
(* (> N: only equality is tested, at most N readers or writers are ever    *)
(* outstanding). A spin is a stutter; a futex_wait is two steps: the load  *)
(* that decides to sleep, then the kernel's compare-and-sleep (it compares *)
(* the writer bits and RWAIT, or rout's count and DWAIT, not the whole     *)
(* word: sleeping more often is the conservative side). No spurious        *)
(* futex returns: they could only hide a lost wake-up.                     *)
(*                                                                         *)
(*  label    | atomic step in C                                            *)
(*  ---------+------------------------------------------------------------ *)
(*  r_add    | w = fetch_add(&rin, RINC, acquire) & WBITS; w == 0: in      *)
(*  r_wait   | v = load(&rin, acquire): (v & WBITS) != w: in; else, past   *)
(*           |   the spin budget, CAS_weak(&rin, v, v|RWAIT) (merged with  *)
(*           |   the load: a CAS on a changed rin fails and loops), or,    *)
(*           |   RWAIT already set, go to sleep                            *)
(*  r_park   | futex_wait(&rin, v): sleeps iff rin still has bits w and    *)
(*           |   RWAIT                                                     *)
(*  r_sleep  | asleep until a futex_wake on rin                            *)
(*  r_try    | rdtrylock: load rin + CAS_weak(rin, v, v+RINC) while no     *)
(*           |   writer bits (merged: the CAS re-checks)                   *)
(*  r_unlock | rk = fetch_add(&rout, RINC, release) & DWAIT                *)
(*  r_wake   | rk: futex_wake(&rout, 1) (lk__pf_drainwake_)                *)
(*  w_tk     | lk_ticket_lock(&w_): takes a ticket t                       *)
(*  w_turn   | ... until t is served; ph = load(&ph_, relaxed)             *)
(*  w_bits   | rt = fetch_add(&rin, PRES | ph, relaxed) & CMASK            *)
(*  w_drain  | v = load(&rout, acquire): count == rt: drained; else, past  *)
(*           |   the budget, CAS_weak(&rout, v, v|DWAIT), or, DWAIT set,   *)
(*           |   go to sleep                                               *)
(*  w_park   | futex_wait(&rout, v): sleeps iff rout's count is still not  *)
(*           |   rt and DWAIT is set                                       *)
(*  w_sleep  | asleep until a futex_wake on rout                           *)
(*  w_dclr   | fetch_and(&rout, ~DWAIT, relaxed) after the drain           *)
(*  w_clear  | wk = fetch_and(&rin, ~(WBITS|RWAIT), release) & RWAIT       *)
(*  w_pass   | store(&ph_, ph ^ 1, relaxed); lk_ticket_unlock(&w_)         *)
(*  w_wake   | wk: futex_wake(&rin, INT32_MAX): every sleeper on rin       *)
(*  wt_ldw   | try writer: lk_ticket_trylock's load: (win, wout) and ph_   *)
(*           |   into (t, ph); win != wout: fail                           *)
(*  wt_ldr   | rv = load(&r_.both, relaxed): rin's count into rt; writer   *)
(*           |   bits, or count != rout (readers inside): fail             *)
(*  wt_casw  | lk_ticket_trylock's CAS: takes ticket t iff win, wout and   *)
(*           |   the phase id are as loaded                                *)
(*  wt_casr  | CAS(&r_.both, rv, rv | (PRES|ph) << 32, acquire): in iff    *)
(*           |   rin's count and bits and rout's count are as loaded; then *)
(*           |   w_cs, w_clear, w_pass, w_wake as any writer               *)
(*  wt_back  | the rin CAS failed: lk_ticket_unlock(&w_), no phase flip    *)
(* The try writer's loads and CASes are separate steps and the counters    *)
(* wrap (M = N + 1), so TLC explores counters that come round between.     *)
(* (Its CAS also compares RWAIT and DWAIT in C; the model does not, which  *)
(* only lets it in more often.)                                            *)
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
(*  "parknocheck": the draining writer parks without the futex's re-check  *)
(*               (it sleeps on the rout it loaded even when the last       *)
(*               reader left since, and that reader's wake came before    *)
(*               the sleep): a lost wake-up, TLC reports the deadlock.     *)
(*  "wakeload":  wrunlock reads RWAIT with a load before its clear instead *)
(*               of from the clearing RMW: a reader that sets RWAIT and    *)
(*               sleeps in between is never woken (deadlock).              *)
(*  "nodrainwake": rdunlock does not wake the drainer on DWAIT (deadlock). *)
(*                                                                         *)
(* Properties: RWExclusion (invariant); ReaderBound (invariant: a waiting  *)
(* reader sees at most one writer phase end before it is in); WriterBound *)
(* (action property: no reader that arrived after a writer raised its bits *)
(* gets in before that writer is done, so a writer waits for at most the   *)
(* reader phase it found); StarvationFreedom (weak fairness; non-critical *)
(* section may last forever; a sleeper's step is disabled until woken, so *)
(* it also says no wake-up is lost); TLC's deadlock check (a run where    *)
(* every thread sleeps or waits for one that does).  Bounds: N = 3        *)
(* threads, M = N + 1; each iteration a thread not in TRYW picks rdlock,   *)
(* rdtrylock or wrlock; a thread in TRYW calls only wrtrylock (the try     *)
(* writer checks: N = 3, TRYW = {3}). With PARK = FALSE no wait parks (the *)
(* model before parking): the try writer and the N = 3 liveness check run  *)
(* so, and the parked liveness check at N = 2, to stay under a minute.     *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets
CONSTANTS N, BUG, TRYW,  \* TRYW: the threads that only ever call wrtrylock
          PARK           \* FALSE: waits only spin (the checks of the try
                         \* writer and of N = 3 liveness, which the park
                         \* steps would make too long)
Procs == 1..N
M == N + 1

(* --algorithm PhaseFair {
variables rcnt = 0, pres = FALSE, phid = 0, rwait = FALSE,
          rout = 0, dwait = FALSE, win = 0, wout = 0,
          wph = 0, \* ph_: the phase id the next writer phase carries
          rslp = {}, \* readers asleep in futex_wait on rin
          wslp = {}, \* writers asleep in futex_wait on rout
          seen = [q \in Procs |-> 0],  \* ghost: writer phases a waiting reader saw end
          late = {};  \* ghost: readers that arrived during the current writer phase
define {
  Bits == IF pres THEN 2 + phid ELSE 0
  RWaits == {"r_wait", "r_park", "r_sleep"}
}
fair process (p \in Procs)
variables w = 0, t = 0, ph = 0, rt = 0, wk = FALSE, rk = FALSE;
{
ncs:- while (TRUE) {
        either {
          await self \notin TRYW;
r_add:    w := Bits; rcnt := (rcnt + 1) % M;
          if (Bits # 0) {
            late := late \cup {self};
            goto r_wait
          } else goto r_cs
        } or {
          await self \notin TRYW;
r_try:    if (Bits = 0) { rcnt := (rcnt + 1) % M; goto r_cs } else goto ncs
        } or {
          await self \notin TRYW;
w_tk:     t := win; win := (win + 1) % M;
w_turn:   await wout = t; ph := IF BUG = "nophase" THEN 0 ELSE wph;
w_bits:   rt := rcnt; pres := TRUE; phid := ph;
          goto w_drain
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
r_wait: either { await Bits # w; w := 0; seen[self] := 0; goto r_cs }
        or { await PARK /\ Bits = w /\ ~rwait; rwait := TRUE; goto r_wait }
        or { await PARK /\ Bits = w /\ rwait; goto r_park };
r_park: if (Bits = w /\ rwait) rslp := rslp \cup {self}
        else goto r_wait;
r_sleep: await self \notin rslp; goto r_wait;
r_cs:   late := late \ {self};
r_unlock: rk := dwait /\ BUG # "nodrainwake"; rout := (rout + 1) % M;
        if (~PARK) goto ncs; \* no DWAIT: no wake step
r_wake: if (rk) wslp := {};
        rk := FALSE;
        goto ncs;
w_drain: either { await rout = rt; if (PARK) goto w_dclr else goto w_cs }
         or { await PARK /\ rout # rt /\ ~dwait; dwait := TRUE; goto w_drain }
         or { await PARK /\ rout # rt /\ dwait; goto w_park };
w_park: if (BUG = "parknocheck" \/ (rout # rt /\ dwait)) wslp := wslp \cup {self}
        else goto w_drain;
w_sleep: await self \notin wslp; goto w_drain;
w_dclr: dwait := FALSE;
w_cs:   if (BUG = "wakeload") wk := rwait;
w_clear: if (BUG # "wakeload") wk := rwait;
        pres := FALSE; phid := 0; rwait := FALSE; late := {};
        seen := [q \in Procs |-> IF pc[q] \in RWaits THEN seen[q] + 1 ELSE seen[q]];
w_pass: wout := (t + 1) % M; wph := 1 - wph;
        t := 0; ph := 0; rt := 0;
        if (~PARK) goto ncs; \* no RWAIT: no wake step
w_wake: if (wk) rslp := {};
        wk := FALSE
      }
}
} *)
\* BEGIN TRANSLATION
VARIABLES pc, rcnt, pres, phid, rwait, rout, dwait, win, wout, wph, rslp, 
          wslp, seen, late

(* define statement *)
Bits == IF pres THEN 2 + phid ELSE 0
RWaits == {"r_wait", "r_park", "r_sleep"}

VARIABLES w, t, ph, rt, wk, rk

vars == << pc, rcnt, pres, phid, rwait, rout, dwait, win, wout, wph, rslp, 
           wslp, seen, late, w, t, ph, rt, wk, rk >>

ProcSet == (Procs)

Init == (* Global variables *)
        /\ rcnt = 0
        /\ pres = FALSE
        /\ phid = 0
        /\ rwait = FALSE
        /\ rout = 0
        /\ dwait = FALSE
        /\ win = 0
        /\ wout = 0
        /\ wph = 0
        /\ rslp = {}
        /\ wslp = {}
        /\ seen = [q \in Procs |-> 0]
        /\ late = {}
        (* Process p *)
        /\ w = [self \in Procs |-> 0]
        /\ t = [self \in Procs |-> 0]
        /\ ph = [self \in Procs |-> 0]
        /\ rt = [self \in Procs |-> 0]
        /\ wk = [self \in Procs |-> FALSE]
        /\ rk = [self \in Procs |-> FALSE]
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
             /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, wout, 
                             wph, rslp, wslp, seen, late, w, t, ph, rt, wk, rk >>

r_wait(self) == /\ pc[self] = "r_wait"
                /\ \/ /\ Bits # w[self]
                      /\ w' = [w EXCEPT ![self] = 0]
                      /\ seen' = [seen EXCEPT ![self] = 0]
                      /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                      /\ rwait' = rwait
                   \/ /\ PARK /\ Bits = w[self] /\ ~rwait
                      /\ rwait' = TRUE
                      /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                      /\ UNCHANGED <<seen, w>>
                   \/ /\ PARK /\ Bits = w[self] /\ rwait
                      /\ pc' = [pc EXCEPT ![self] = "r_park"]
                      /\ UNCHANGED <<rwait, seen, w>>
                /\ UNCHANGED << rcnt, pres, phid, rout, dwait, win, wout, wph, 
                                rslp, wslp, late, t, ph, rt, wk, rk >>

r_park(self) == /\ pc[self] = "r_park"
                /\ IF Bits = w[self] /\ rwait
                      THEN /\ rslp' = (rslp \cup {self})
                           /\ pc' = [pc EXCEPT ![self] = "r_sleep"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                           /\ rslp' = rslp
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, wslp, seen, late, w, t, ph, rt, wk, 
                                rk >>

r_sleep(self) == /\ pc[self] = "r_sleep"
                 /\ self \notin rslp
                 /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                 /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                 wout, wph, rslp, wslp, seen, late, w, t, ph, 
                                 rt, wk, rk >>

r_cs(self) == /\ pc[self] = "r_cs"
              /\ late' = late \ {self}
              /\ pc' = [pc EXCEPT ![self] = "r_unlock"]
              /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, wout, 
                              wph, rslp, wslp, seen, w, t, ph, rt, wk, rk >>

r_unlock(self) == /\ pc[self] = "r_unlock"
                  /\ rk' = [rk EXCEPT ![self] = dwait /\ BUG # "nodrainwake"]
                  /\ rout' = (rout + 1) % M
                  /\ IF ~PARK
                        THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                        ELSE /\ pc' = [pc EXCEPT ![self] = "r_wake"]
                  /\ UNCHANGED << rcnt, pres, phid, rwait, dwait, win, wout, 
                                  wph, rslp, wslp, seen, late, w, t, ph, rt, 
                                  wk >>

r_wake(self) == /\ pc[self] = "r_wake"
                /\ IF rk[self]
                      THEN /\ wslp' = {}
                      ELSE /\ TRUE
                           /\ wslp' = wslp
                /\ rk' = [rk EXCEPT ![self] = FALSE]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, rslp, seen, late, w, t, ph, rt, wk >>

w_drain(self) == /\ pc[self] = "w_drain"
                 /\ \/ /\ rout = rt[self]
                       /\ IF PARK
                             THEN /\ pc' = [pc EXCEPT ![self] = "w_dclr"]
                             ELSE /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                       /\ dwait' = dwait
                    \/ /\ PARK /\ rout # rt[self] /\ ~dwait
                       /\ dwait' = TRUE
                       /\ pc' = [pc EXCEPT ![self] = "w_drain"]
                    \/ /\ PARK /\ rout # rt[self] /\ dwait
                       /\ pc' = [pc EXCEPT ![self] = "w_park"]
                       /\ dwait' = dwait
                 /\ UNCHANGED << rcnt, pres, phid, rwait, rout, win, wout, wph, 
                                 rslp, wslp, seen, late, w, t, ph, rt, wk, rk >>

w_park(self) == /\ pc[self] = "w_park"
                /\ IF BUG = "parknocheck" \/ (rout # rt[self] /\ dwait)
                      THEN /\ wslp' = (wslp \cup {self})
                           /\ pc' = [pc EXCEPT ![self] = "w_sleep"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "w_drain"]
                           /\ wslp' = wslp
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, rslp, seen, late, w, t, ph, rt, wk, 
                                rk >>

w_sleep(self) == /\ pc[self] = "w_sleep"
                 /\ self \notin wslp
                 /\ pc' = [pc EXCEPT ![self] = "w_drain"]
                 /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                 wout, wph, rslp, wslp, seen, late, w, t, ph, 
                                 rt, wk, rk >>

w_dclr(self) == /\ pc[self] = "w_dclr"
                /\ dwait' = FALSE
                /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, win, wout, wph, 
                                rslp, wslp, seen, late, w, t, ph, rt, wk, rk >>

w_cs(self) == /\ pc[self] = "w_cs"
              /\ IF BUG = "wakeload"
                    THEN /\ wk' = [wk EXCEPT ![self] = rwait]
                    ELSE /\ TRUE
                         /\ wk' = wk
              /\ pc' = [pc EXCEPT ![self] = "w_clear"]
              /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, wout, 
                              wph, rslp, wslp, seen, late, w, t, ph, rt, rk >>

w_clear(self) == /\ pc[self] = "w_clear"
                 /\ IF BUG # "wakeload"
                       THEN /\ wk' = [wk EXCEPT ![self] = rwait]
                       ELSE /\ TRUE
                            /\ wk' = wk
                 /\ pres' = FALSE
                 /\ phid' = 0
                 /\ rwait' = FALSE
                 /\ late' = {}
                 /\ seen' = [q \in Procs |-> IF pc[q] \in RWaits THEN seen[q] + 1 ELSE seen[q]]
                 /\ pc' = [pc EXCEPT ![self] = "w_pass"]
                 /\ UNCHANGED << rcnt, rout, dwait, win, wout, wph, rslp, wslp, 
                                 w, t, ph, rt, rk >>

w_pass(self) == /\ pc[self] = "w_pass"
                /\ wout' = (t[self] + 1) % M
                /\ wph' = 1 - wph
                /\ t' = [t EXCEPT ![self] = 0]
                /\ ph' = [ph EXCEPT ![self] = 0]
                /\ rt' = [rt EXCEPT ![self] = 0]
                /\ IF ~PARK
                      THEN /\ pc' = [pc EXCEPT ![self] = "ncs"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "w_wake"]
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                rslp, wslp, seen, late, w, wk, rk >>

w_wake(self) == /\ pc[self] = "w_wake"
                /\ IF wk[self]
                      THEN /\ rslp' = {}
                      ELSE /\ TRUE
                           /\ rslp' = rslp
                /\ wk' = [wk EXCEPT ![self] = FALSE]
                /\ pc' = [pc EXCEPT ![self] = "ncs"]
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, wslp, seen, late, w, t, ph, rt, rk >>

r_add(self) == /\ pc[self] = "r_add"
               /\ w' = [w EXCEPT ![self] = Bits]
               /\ rcnt' = (rcnt + 1) % M
               /\ IF Bits # 0
                     THEN /\ late' = (late \cup {self})
                          /\ pc' = [pc EXCEPT ![self] = "r_wait"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                          /\ late' = late
               /\ UNCHANGED << pres, phid, rwait, rout, dwait, win, wout, wph, 
                               rslp, wslp, seen, t, ph, rt, wk, rk >>

r_try(self) == /\ pc[self] = "r_try"
               /\ IF Bits = 0
                     THEN /\ rcnt' = (rcnt + 1) % M
                          /\ pc' = [pc EXCEPT ![self] = "r_cs"]
                     ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                          /\ rcnt' = rcnt
               /\ UNCHANGED << pres, phid, rwait, rout, dwait, win, wout, wph, 
                               rslp, wslp, seen, late, w, t, ph, rt, wk, rk >>

w_tk(self) == /\ pc[self] = "w_tk"
              /\ t' = [t EXCEPT ![self] = win]
              /\ win' = (win + 1) % M
              /\ pc' = [pc EXCEPT ![self] = "w_turn"]
              /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, wout, wph, 
                              rslp, wslp, seen, late, w, ph, rt, wk, rk >>

w_turn(self) == /\ pc[self] = "w_turn"
                /\ wout = t[self]
                /\ ph' = [ph EXCEPT ![self] = IF BUG = "nophase" THEN 0 ELSE wph]
                /\ pc' = [pc EXCEPT ![self] = "w_bits"]
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, rslp, wslp, seen, late, w, t, rt, 
                                wk, rk >>

w_bits(self) == /\ pc[self] = "w_bits"
                /\ rt' = [rt EXCEPT ![self] = rcnt]
                /\ pres' = TRUE
                /\ phid' = ph[self]
                /\ pc' = [pc EXCEPT ![self] = "w_drain"]
                /\ UNCHANGED << rcnt, rwait, rout, dwait, win, wout, wph, rslp, 
                                wslp, seen, late, w, t, ph, wk, rk >>

wt_ldw(self) == /\ pc[self] = "wt_ldw"
                /\ IF win = wout
                      THEN /\ t' = [t EXCEPT ![self] = win]
                           /\ ph' = [ph EXCEPT ![self] = wph]
                           /\ pc' = [pc EXCEPT ![self] = "wt_ldr"]
                      ELSE /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           /\ UNCHANGED << t, ph >>
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, rslp, wslp, seen, late, w, rt, wk, 
                                rk >>

wt_ldr(self) == /\ pc[self] = "wt_ldr"
                /\ IF Bits = 0 /\ rcnt = rout
                      THEN /\ rt' = [rt EXCEPT ![self] = rcnt]
                           /\ pc' = [pc EXCEPT ![self] = "wt_casw"]
                           /\ UNCHANGED << t, ph >>
                      ELSE /\ t' = [t EXCEPT ![self] = 0]
                           /\ ph' = [ph EXCEPT ![self] = 0]
                           /\ pc' = [pc EXCEPT ![self] = "ncs"]
                           /\ rt' = rt
                /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                wout, wph, rslp, wslp, seen, late, w, wk, rk >>

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
                 /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, wout, 
                                 wph, rslp, wslp, seen, late, w, wk, rk >>

wt_casr(self) == /\ pc[self] = "wt_casr"
                 /\ IF rcnt = rt[self] /\ Bits = 0 /\ (BUG = "singlecas" \/ rout = rt[self])
                       THEN /\ pres' = TRUE
                            /\ phid' = ph[self]
                            /\ pc' = [pc EXCEPT ![self] = "w_cs"]
                       ELSE /\ pc' = [pc EXCEPT ![self] = "wt_back"]
                            /\ UNCHANGED << pres, phid >>
                 /\ UNCHANGED << rcnt, rwait, rout, dwait, win, wout, wph, 
                                 rslp, wslp, seen, late, w, t, ph, rt, wk, rk >>

wt_back(self) == /\ pc[self] = "wt_back"
                 /\ wout' = (t[self] + 1) % M
                 /\ t' = [t EXCEPT ![self] = 0]
                 /\ ph' = [ph EXCEPT ![self] = 0]
                 /\ rt' = [rt EXCEPT ![self] = 0]
                 /\ pc' = [pc EXCEPT ![self] = "ncs"]
                 /\ UNCHANGED << rcnt, pres, phid, rwait, rout, dwait, win, 
                                 wph, rslp, wslp, seen, late, w, wk, rk >>

p(self) == ncs(self) \/ r_wait(self) \/ r_park(self) \/ r_sleep(self)
              \/ r_cs(self) \/ r_unlock(self) \/ r_wake(self)
              \/ w_drain(self) \/ w_park(self) \/ w_sleep(self)
              \/ w_dclr(self) \/ w_cs(self) \/ w_clear(self)
              \/ w_pass(self) \/ w_wake(self) \/ r_add(self) \/ r_try(self)
              \/ w_tk(self) \/ w_turn(self) \/ w_bits(self) \/ wt_ldw(self)
              \/ wt_ldr(self) \/ wt_casw(self) \/ wt_casr(self)
              \/ wt_back(self)

Next == (\E self \in Procs: p(self))

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in Procs : WF_vars((pc[self] # "ncs") /\ p(self))

\* END TRANSLATION

Readers == {q \in Procs : pc[q] \in {"r_cs", "r_unlock"}}
Writers == {q \in Procs : pc[q] \in {"w_dclr", "w_cs", "w_clear"}}
RWExclusion == \A x \in Writers : Readers = {} /\ Writers = {x}
ReaderBound == \A q \in Procs : seen[q] <= 1
Admitted(q) == pc'[q] = "r_cs" /\ pc[q] # "r_cs"
\* no reader that arrived after the current writer raised its bits gets in
\* before it is done: a writer waits for at most the reader phase it found
WriterBound == [][\A q \in Procs : Admitted(q) => q \notin late]_vars
Trying(q) == pc[q] \in {"r_add", "r_wait", "r_park", "r_sleep", "w_tk", "w_turn",
                         "w_bits", "w_drain", "w_park", "w_sleep", "w_dclr"}
StarvationFreedom == \A q \in Procs : Trying(q) ~> pc[q] \in {"r_cs", "w_cs"}
=============================================================================
