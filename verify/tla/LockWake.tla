------------------------------- MODULE LockWake -------------------------------
(***************************************************************************)
(* The lock table's wake-word protocol (lockmgr/README.md, "Waiting"):     *)
(* how a queued waiter learns of its grant or wound.  LockTable.tla and    *)
(* verify/spin/lockmgr.pml model grants abstractly; this models the txn's  *)
(* futex word, head_unlatch's deferred wake-ups and the wake-ahead nudge.  *)
(* The same design as verify/spin/lockwake.pml (a second modeller, a       *)
(* second tool).                                                           *)
(*                                                                         *)
(* Per txn: wake (futex word) 0 idle, 1 signalled, 2 parked, 3 nudged;     *)
(* status (under the head latch) "waiting", "granted", "gone"; wounded.    *)
(* Scope: NW = 2 waiters queued on one resource (FIFO: txn 1 first); the   *)
(* holder (process G) makes NPASS grant passes, its last granting every    *)
(* request not wounded; a waiter that leaves granted then releases, and a  *)
(* victim cancels, each with a grant pass of its own, so the deferred      *)
(* wakes of two latch holders can be in flight at once.                    *)
(*                                                                         *)
(*  label     | step                         | C                           *)
(*  ----------+------------------------------+---------------------------- *)
(*  w_loop    | wake = 3: CAS 3 -> 0, spin    | lk__lock_wait: v = load;    *)
(*            |   anew; wake = 1: w_chk;     |   v == 3: CAS(wake, 3, 0),  *)
(*            |   the spin budget runs out   |   lk__wait_start; v == 1;   *)
(*            |   (any time); spent, wake =  |   would_park && v == 0:     *)
(*            |   0: CAS 0 -> 2; spent, wake |   CAS(wake, 0, 2);          *)
(*            |   = 2: sleep                 |   futex_wait(wake, 2), the  *)
(*            |                              |   kernel's compare + sleep  *)
(*  w_slept   | woken (or spurious, NSPUR    | futex_wait returns          *)
(*            |   times)                     |                             *)
(*  w_chk     | latch; wake := 0; status:    | head_latch; exchange(wake,  *)
(*            |   granted: leave; wounded:   |   0); flags; granted:       *)
(*            |   dequeue; else spurious     |   leave; LK_WOUNDED:        *)
(*            |                              |   wait_cancel; spurious     *)
(*  w_cancel  | a grant pass                 | wait_cancel's grant_pass    *)
(*  w_rel     | latch; release               | the txn's end: release_req  *)
(*  w_relpass | a grant pass                 | its grant_pass              *)
(*  g_latch   | latch                        | head_latch                  *)
(*  g_pass    | a grant pass (GrantPass)     | lk__grant_pass              *)
(*  u_rel     | both slots empty: release    | head_unlatch's fast case;   *)
(*            |   and return; else a, b :=   |   else read both slots,     *)
(*            |   woken, nudged; clear;      |   clear, release            *)
(*            |   release the latch          |                             *)
(*  u_wk,u_wn | wake a, then b               | lk__futex_wake of each      *)
(*                                                                         *)
(* A grant pass is one step (the slots and statuses are the latch's; its   *)
(* word writes are to distinct txns, but for a wound then the nudge of the *)
(* same txn, between which that waiter, reading 1, can only wait for the   *)
(* latch): grant a FIFO prefix of the waiting requests (any length: what   *)
(* conflicts is abstract), maybe wound one waiting txn (WOUND; at most one *)
(* a run), each signalled as txn_signal_latched does (the flag first;      *)
(* exchange(wake, 1); was 2: into h->woken if it is empty and h->nudged is *)
(* not that txn, else futex_wake now); then the nudge: the first request   *)
(* still queued, if h->nudged is empty, CAS(wake, 2, 3), h->nudged := it.  *)
(* A load of the word and the step acting on what it read are one step: a *)
(* CAS that succeeds saw the word unchanged since, a futex_wait compares   *)
(* again, and a failed one only re-reads.                                  *)
(*                                                                         *)
(* Properties: SlotsEmpty (the deferred slots are empty whenever the latch *)
(* is free) and LeaveOK (a waiter leaves as granted only with its request  *)
(* granted, as a victim only wounded), invariants; no lost wake-up: no     *)
(* deadlock (TLC's check: a waiter asleep for ever, the rest done),        *)
(* NoLostWakeup (a waiter granted or wounded eventually leaves) and        *)
(* AllLeave, under weak fairness.  Spurious futex returns: NSPUR per       *)
(* waiter, bounded so that fairness cannot use them to hide a lost one.    *)
(*                                                                         *)
(* XWOUND (instead of WOUND): the wound comes from another head's latch,  *)
(* process X with that head's own woken slot, racing this head's grants   *)
(* and nudges (LockWake_xwound).                                          *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "nudgestore": the nudge stores 3 (no CAS 2 -> 3): a wound's 1 is       *)
(*     overwritten, the victim sleeps for ever.                            *)
(*  "dropwoken": head_unlatch clears h->woken without waking it.           *)
(*  "slotoverwrite": a second parked grantee under one latch overwrites    *)
(*     h->woken instead of being woken at once.                            *)
(*  "unnudgestore": the waiter stores 0 for a 3 it read (no CAS 3 -> 0):   *)
(*     a grant's 1 written in between is swallowed.                        *)
(*  "leaveonwake": the waiter leaves as granted when it reads 1, without   *)
(*     the latch and its status (a wound's 1).                             *)
(*  "slotlate": head_unlatch releases the latch, then clears the slots.    *)
(***************************************************************************)
EXTENDS Naturals, Sequences
CONSTANTS BUG, NPASS, NSPUR, WOUND, XWOUND
NW == 2
W == 1..NW
G == 0
NONE == 0
XS == IF XWOUND THEN {NW + 1} ELSE {}  \* the other head's wounder

RECURSIVE SlotsR(_, _, _, _, _)
\* txn_signal_latched over the signalled txns in order: the h->woken slot
\* and the txns woken at once (wk, now), from the words before the pass
SlotsR(seq, wk, now, wake, nudged) ==
  IF seq = << >> THEN [wk |-> wk, now |-> now]
  ELSE LET t == Head(seq) IN
       IF wake[t] # 2 THEN SlotsR(Tail(seq), wk, now, wake, nudged)
       ELSE IF BUG = "slotoverwrite" \/ (wk = NONE /\ nudged # t)
            THEN SlotsR(Tail(seq), t, now, wake, nudged)
            ELSE SlotsR(Tail(seq), wk, now \cup {t}, wake, nudged)

(* --algorithm LockWake {
variables wake = [t \in W |-> 0], status = [t \in W |-> "waiting"],
          wounded = [t \in W |-> FALSE], wounds = FALSE, latch = FALSE,
          woken = NONE, nudged = NONE, asleep = {},
          left = [t \in W |-> "no"];
define {
  Waiting == {t \in W : status[t] = "waiting"}
  Grants(fin) == IF fin THEN {{t \in Waiting : ~wounded[t]}}
                 ELSE {{t \in Waiting : t <= k} : k \in 0..NW}
  Wounds(mayw, g) == IF mayw /\ WOUND /\ ~wounds
                     THEN {NONE} \cup {t \in Waiting \ g : ~wounded[t]}
                     ELSE {NONE}
  \* the signal order: grants in queue order, then the wound
  Order(g, v) == (IF g = W THEN << 1, 2 >>
                  ELSE IF g = {} THEN << >> ELSE << CHOOSE t \in g : TRUE >>)
                 \o (IF v = NONE THEN << >> ELSE << v >>)
  Slots(g, v) == SlotsR(Order(g, v), woken, {}, wake, nudged)
  Wake1(g, v) == [t \in W |-> IF t \in g \/ t = v THEN 1 ELSE wake[t]]
  First(g) == IF Waiting \ g = {} THEN NONE
              ELSE CHOOSE t \in Waiting \ g : \A u \in Waiting \ g : t <= u
  Nudge(g, v) == First(g) # NONE /\ nudged = NONE /\
                 (BUG = "nudgestore" \/ Wake1(g, v)[First(g)] = 2)
}

macro GrantPass(fin, mayw) {
  with (g \in Grants(fin), v \in Wounds(mayw, g), sl = Slots(g, v),
        w1 = Wake1(g, v), f = First(g), nd = Nudge(g, v)) {
    status := [t \in W |-> IF t \in g THEN "granted" ELSE status[t]];
    wounded := [t \in W |-> wounded[t] \/ t = v];
    wounds := wounds \/ v # NONE;
    woken := sl.wk;
    asleep := asleep \ sl.now;
    wake := IF nd THEN [w1 EXCEPT ![f] = 3] ELSE w1;
    nudged := IF nd THEN f ELSE nudged
  }
}

procedure Unlatch()
variables a = NONE, b = NONE;
{
u_rel:  if (woken = NONE /\ nudged = NONE) { latch := FALSE; return }
        else {
          a := woken; b := nudged; latch := FALSE;
          if (BUG = "slotlate") goto u_clr
          else { woken := NONE; nudged := NONE; goto u_wk }
        };
u_clr:  woken := NONE; nudged := NONE;
u_wk:   if (a # NONE /\ BUG # "dropwoken") asleep := asleep \ {a};
        if (b = NONE) return;
u_wn:   asleep := asleep \ {b};
        return
}

fair process (w \in W)
variables spent = FALSE, spur = NSPUR;
{
w_loop: while (TRUE) {
          either { await wake[self] = 3;
                   if (BUG = "unnudgestore") goto w_unnudge
                   else { wake[self] := 0; spent := FALSE } }
          or { await wake[self] = 1;
               if (BUG = "leaveonwake") { left[self] := "granted"; goto w_rel }
               else goto w_chk }
          or { await ~spent; spent := TRUE }
          or { await spent /\ wake[self] = 0; wake[self] := 2 }
          or { await spent /\ wake[self] = 2; asleep := asleep \cup {self};
               goto w_slept }
        };
w_unnudge: wake[self] := 0; spent := FALSE; goto w_loop;
w_slept: either await self \notin asleep
         or { await self \in asleep /\ spur > 0; asleep := asleep \ {self};
              spur := spur - 1 };
         goto w_loop;
w_chk:  await ~latch; latch := TRUE; wake[self] := 0;
        if (status[self] = "granted") {
          left[self] := "granted"; call Unlatch(); goto w_rel
        } else if (wounded[self]) {
          status[self] := "gone"; left[self] := "victim"; goto w_cancel
        } else { call Unlatch(); goto w_loop };
w_cancel: GrantPass(FALSE, FALSE); call Unlatch(); goto Done;
w_rel:  await ~latch; latch := TRUE; status[self] := "gone";
w_relpass: GrantPass(FALSE, FALSE); call Unlatch()
}

\* XWOUND: a wound under another head h2's latch (lk__wound where the
\* wounder found the edge), held by X alone: the flag, exchange(wake, 1),
\* a parked victim into h2's woken slot (xt), woken after h2's release
fair process (x \in XS)
variables xt = NONE;
{
x_pick: either { with (t \in Waiting) xt := t } or skip;
x_sig:  if (xt # NONE) {
          wounded[xt] := TRUE;
          if (wake[xt] = 2) wake[xt] := 1
          else { wake[xt] := 1; xt := NONE }
        };
x_wake: if (xt # NONE) asleep := asleep \ {xt}
}

fair process (g = G)
variables np = 0;
{
g_loop: while (np < NPASS) {
g_latch:  await ~latch; latch := TRUE;
g_pass:   GrantPass(np = NPASS - 1, TRUE); np := np + 1;
          call Unlatch()
        }
}
} *)
\* BEGIN TRANSLATION (chksum(pcal) = "bd03110b" /\ chksum(tla) = "fe332132")
VARIABLES pc, wake, status, wounded, wounds, latch, woken, nudged, asleep, 
          left, stack

(* define statement *)
Waiting == {t \in W : status[t] = "waiting"}
Grants(fin) == IF fin THEN {{t \in Waiting : ~wounded[t]}}
               ELSE {{t \in Waiting : t <= k} : k \in 0..NW}
Wounds(mayw, g) == IF mayw /\ WOUND /\ ~wounds
                   THEN {NONE} \cup {t \in Waiting \ g : ~wounded[t]}
                   ELSE {NONE}

Order(g, v) == (IF g = W THEN << 1, 2 >>
                ELSE IF g = {} THEN << >> ELSE << CHOOSE t \in g : TRUE >>)
               \o (IF v = NONE THEN << >> ELSE << v >>)
Slots(g, v) == SlotsR(Order(g, v), woken, {}, wake, nudged)
Wake1(g, v) == [t \in W |-> IF t \in g \/ t = v THEN 1 ELSE wake[t]]
First(g) == IF Waiting \ g = {} THEN NONE
            ELSE CHOOSE t \in Waiting \ g : \A u \in Waiting \ g : t <= u
Nudge(g, v) == First(g) # NONE /\ nudged = NONE /\
               (BUG = "nudgestore" \/ Wake1(g, v)[First(g)] = 2)

VARIABLES a, b, spent, spur, xt, np

vars == << pc, wake, status, wounded, wounds, latch, woken, nudged, asleep, 
           left, stack, a, b, spent, spur, xt, np >>

ProcSet == (W) \cup (XS) \cup {G}

Init == (* Global variables *)
        /\ wake = [t \in W |-> 0]
        /\ status = [t \in W |-> "waiting"]
        /\ wounded = [t \in W |-> FALSE]
        /\ wounds = FALSE
        /\ latch = FALSE
        /\ woken = NONE
        /\ nudged = NONE
        /\ asleep = {}
        /\ left = [t \in W |-> "no"]
        (* Procedure Unlatch *)
        /\ a = [ self \in ProcSet |-> NONE]
        /\ b = [ self \in ProcSet |-> NONE]
        (* Process w *)
        /\ spent = [self \in W |-> FALSE]
        /\ spur = [self \in W |-> NSPUR]
        (* Process x *)
        /\ xt = [self \in XS |-> NONE]
        (* Process g *)
        /\ np = 0
        /\ stack = [self \in ProcSet |-> << >>]
        /\ pc = [self \in ProcSet |-> CASE self \in W -> "w_loop"
                                        [] self \in XS -> "x_pick"
                                        [] self = G -> "g_loop"]

u_rel(self) == /\ pc[self] = "u_rel"
               /\ IF woken = NONE /\ nudged = NONE
                     THEN /\ latch' = FALSE
                          /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                          /\ a' = [a EXCEPT ![self] = Head(stack[self]).a]
                          /\ b' = [b EXCEPT ![self] = Head(stack[self]).b]
                          /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
                          /\ UNCHANGED << woken, nudged >>
                     ELSE /\ a' = [a EXCEPT ![self] = woken]
                          /\ b' = [b EXCEPT ![self] = nudged]
                          /\ latch' = FALSE
                          /\ IF BUG = "slotlate"
                                THEN /\ pc' = [pc EXCEPT ![self] = "u_clr"]
                                     /\ UNCHANGED << woken, nudged >>
                                ELSE /\ woken' = NONE
                                     /\ nudged' = NONE
                                     /\ pc' = [pc EXCEPT ![self] = "u_wk"]
                          /\ stack' = stack
               /\ UNCHANGED << wake, status, wounded, wounds, asleep, left, 
                               spent, spur, xt, np >>

u_clr(self) == /\ pc[self] = "u_clr"
               /\ woken' = NONE
               /\ nudged' = NONE
               /\ pc' = [pc EXCEPT ![self] = "u_wk"]
               /\ UNCHANGED << wake, status, wounded, wounds, latch, asleep, 
                               left, stack, a, b, spent, spur, xt, np >>

u_wk(self) == /\ pc[self] = "u_wk"
              /\ IF a[self] # NONE /\ BUG # "dropwoken"
                    THEN /\ asleep' = asleep \ {a[self]}
                    ELSE /\ TRUE
                         /\ UNCHANGED asleep
              /\ IF b[self] = NONE
                    THEN /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
                         /\ a' = [a EXCEPT ![self] = Head(stack[self]).a]
                         /\ b' = [b EXCEPT ![self] = Head(stack[self]).b]
                         /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
                    ELSE /\ pc' = [pc EXCEPT ![self] = "u_wn"]
                         /\ UNCHANGED << stack, a, b >>
              /\ UNCHANGED << wake, status, wounded, wounds, latch, woken, 
                              nudged, left, spent, spur, xt, np >>

u_wn(self) == /\ pc[self] = "u_wn"
              /\ asleep' = asleep \ {b[self]}
              /\ pc' = [pc EXCEPT ![self] = Head(stack[self]).pc]
              /\ a' = [a EXCEPT ![self] = Head(stack[self]).a]
              /\ b' = [b EXCEPT ![self] = Head(stack[self]).b]
              /\ stack' = [stack EXCEPT ![self] = Tail(stack[self])]
              /\ UNCHANGED << wake, status, wounded, wounds, latch, woken, 
                              nudged, left, spent, spur, xt, np >>

Unlatch(self) == u_rel(self) \/ u_clr(self) \/ u_wk(self) \/ u_wn(self)

w_loop(self) == /\ pc[self] = "w_loop"
                /\ \/ /\ wake[self] = 3
                      /\ IF BUG = "unnudgestore"
                            THEN /\ pc' = [pc EXCEPT ![self] = "w_unnudge"]
                                 /\ UNCHANGED << wake, spent >>
                            ELSE /\ wake' = [wake EXCEPT ![self] = 0]
                                 /\ spent' = [spent EXCEPT ![self] = FALSE]
                                 /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                      /\ UNCHANGED <<asleep, left>>
                   \/ /\ wake[self] = 1
                      /\ IF BUG = "leaveonwake"
                            THEN /\ left' = [left EXCEPT ![self] = "granted"]
                                 /\ pc' = [pc EXCEPT ![self] = "w_rel"]
                            ELSE /\ pc' = [pc EXCEPT ![self] = "w_chk"]
                                 /\ left' = left
                      /\ UNCHANGED <<wake, asleep, spent>>
                   \/ /\ ~spent[self]
                      /\ spent' = [spent EXCEPT ![self] = TRUE]
                      /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                      /\ UNCHANGED <<wake, asleep, left>>
                   \/ /\ spent[self] /\ wake[self] = 0
                      /\ wake' = [wake EXCEPT ![self] = 2]
                      /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                      /\ UNCHANGED <<asleep, left, spent>>
                   \/ /\ spent[self] /\ wake[self] = 2
                      /\ asleep' = (asleep \cup {self})
                      /\ pc' = [pc EXCEPT ![self] = "w_slept"]
                      /\ UNCHANGED <<wake, left, spent>>
                /\ UNCHANGED << status, wounded, wounds, latch, woken, nudged, 
                                stack, a, b, spur, xt, np >>

w_unnudge(self) == /\ pc[self] = "w_unnudge"
                   /\ wake' = [wake EXCEPT ![self] = 0]
                   /\ spent' = [spent EXCEPT ![self] = FALSE]
                   /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                   /\ UNCHANGED << status, wounded, wounds, latch, woken, 
                                   nudged, asleep, left, stack, a, b, spur, xt, 
                                   np >>

w_slept(self) == /\ pc[self] = "w_slept"
                 /\ \/ /\ self \notin asleep
                       /\ UNCHANGED <<asleep, spur>>
                    \/ /\ self \in asleep /\ spur[self] > 0
                       /\ asleep' = asleep \ {self}
                       /\ spur' = [spur EXCEPT ![self] = spur[self] - 1]
                 /\ pc' = [pc EXCEPT ![self] = "w_loop"]
                 /\ UNCHANGED << wake, status, wounded, wounds, latch, woken, 
                                 nudged, left, stack, a, b, spent, xt, np >>

w_chk(self) == /\ pc[self] = "w_chk"
               /\ ~latch
               /\ latch' = TRUE
               /\ wake' = [wake EXCEPT ![self] = 0]
               /\ IF status[self] = "granted"
                     THEN /\ left' = [left EXCEPT ![self] = "granted"]
                          /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "Unlatch",
                                                                   pc        |->  "w_rel",
                                                                   a         |->  a[self],
                                                                   b         |->  b[self] ] >>
                                                               \o stack[self]]
                          /\ a' = [a EXCEPT ![self] = NONE]
                          /\ b' = [b EXCEPT ![self] = NONE]
                          /\ pc' = [pc EXCEPT ![self] = "u_rel"]
                          /\ UNCHANGED status
                     ELSE /\ IF wounded[self]
                                THEN /\ status' = [status EXCEPT ![self] = "gone"]
                                     /\ left' = [left EXCEPT ![self] = "victim"]
                                     /\ pc' = [pc EXCEPT ![self] = "w_cancel"]
                                     /\ UNCHANGED << stack, a, b >>
                                ELSE /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "Unlatch",
                                                                              pc        |->  "w_loop",
                                                                              a         |->  a[self],
                                                                              b         |->  b[self] ] >>
                                                                          \o stack[self]]
                                     /\ a' = [a EXCEPT ![self] = NONE]
                                     /\ b' = [b EXCEPT ![self] = NONE]
                                     /\ pc' = [pc EXCEPT ![self] = "u_rel"]
                                     /\ UNCHANGED << status, left >>
               /\ UNCHANGED << wounded, wounds, woken, nudged, asleep, spent, 
                               spur, xt, np >>

w_cancel(self) == /\ pc[self] = "w_cancel"
                  /\ \E g \in Grants(FALSE):
                       \E v \in Wounds(FALSE, g):
                         LET sl == Slots(g, v) IN
                           LET w1 == Wake1(g, v) IN
                             LET f == First(g) IN
                               LET nd == Nudge(g, v) IN
                                 /\ status' = [t \in W |-> IF t \in g THEN "granted" ELSE status[t]]
                                 /\ wounded' = [t \in W |-> wounded[t] \/ t = v]
                                 /\ wounds' = (wounds \/ v # NONE)
                                 /\ woken' = sl.wk
                                 /\ asleep' = asleep \ sl.now
                                 /\ wake' = IF nd THEN [w1 EXCEPT ![f] = 3] ELSE w1
                                 /\ nudged' = IF nd THEN f ELSE nudged
                  /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "Unlatch",
                                                           pc        |->  "Done",
                                                           a         |->  a[self],
                                                           b         |->  b[self] ] >>
                                                       \o stack[self]]
                  /\ a' = [a EXCEPT ![self] = NONE]
                  /\ b' = [b EXCEPT ![self] = NONE]
                  /\ pc' = [pc EXCEPT ![self] = "u_rel"]
                  /\ UNCHANGED << latch, left, spent, spur, xt, np >>

w_rel(self) == /\ pc[self] = "w_rel"
               /\ ~latch
               /\ latch' = TRUE
               /\ status' = [status EXCEPT ![self] = "gone"]
               /\ pc' = [pc EXCEPT ![self] = "w_relpass"]
               /\ UNCHANGED << wake, wounded, wounds, woken, nudged, asleep, 
                               left, stack, a, b, spent, spur, xt, np >>

w_relpass(self) == /\ pc[self] = "w_relpass"
                   /\ \E g \in Grants(FALSE):
                        \E v \in Wounds(FALSE, g):
                          LET sl == Slots(g, v) IN
                            LET w1 == Wake1(g, v) IN
                              LET f == First(g) IN
                                LET nd == Nudge(g, v) IN
                                  /\ status' = [t \in W |-> IF t \in g THEN "granted" ELSE status[t]]
                                  /\ wounded' = [t \in W |-> wounded[t] \/ t = v]
                                  /\ wounds' = (wounds \/ v # NONE)
                                  /\ woken' = sl.wk
                                  /\ asleep' = asleep \ sl.now
                                  /\ wake' = IF nd THEN [w1 EXCEPT ![f] = 3] ELSE w1
                                  /\ nudged' = IF nd THEN f ELSE nudged
                   /\ stack' = [stack EXCEPT ![self] = << [ procedure |->  "Unlatch",
                                                            pc        |->  "Done",
                                                            a         |->  a[self],
                                                            b         |->  b[self] ] >>
                                                        \o stack[self]]
                   /\ a' = [a EXCEPT ![self] = NONE]
                   /\ b' = [b EXCEPT ![self] = NONE]
                   /\ pc' = [pc EXCEPT ![self] = "u_rel"]
                   /\ UNCHANGED << latch, left, spent, spur, xt, np >>

w(self) == w_loop(self) \/ w_unnudge(self) \/ w_slept(self) \/ w_chk(self)
              \/ w_cancel(self) \/ w_rel(self) \/ w_relpass(self)

x_pick(self) == /\ pc[self] = "x_pick"
                /\ \/ /\ \E t \in Waiting:
                           xt' = [xt EXCEPT ![self] = t]
                   \/ /\ TRUE
                      /\ xt' = xt
                /\ pc' = [pc EXCEPT ![self] = "x_sig"]
                /\ UNCHANGED << wake, status, wounded, wounds, latch, woken, 
                                nudged, asleep, left, stack, a, b, spent, spur, 
                                np >>

x_sig(self) == /\ pc[self] = "x_sig"
               /\ IF xt[self] # NONE
                     THEN /\ wounded' = [wounded EXCEPT ![xt[self]] = TRUE]
                          /\ IF wake[xt[self]] = 2
                                THEN /\ wake' = [wake EXCEPT ![xt[self]] = 1]
                                     /\ xt' = xt
                                ELSE /\ wake' = [wake EXCEPT ![xt[self]] = 1]
                                     /\ xt' = [xt EXCEPT ![self] = NONE]
                     ELSE /\ TRUE
                          /\ UNCHANGED << wake, wounded, xt >>
               /\ pc' = [pc EXCEPT ![self] = "x_wake"]
               /\ UNCHANGED << status, wounds, latch, woken, nudged, asleep, 
                               left, stack, a, b, spent, spur, np >>

x_wake(self) == /\ pc[self] = "x_wake"
                /\ IF xt[self] # NONE
                      THEN /\ asleep' = asleep \ {xt[self]}
                      ELSE /\ TRUE
                           /\ UNCHANGED asleep
                /\ pc' = [pc EXCEPT ![self] = "Done"]
                /\ UNCHANGED << wake, status, wounded, wounds, latch, woken, 
                                nudged, left, stack, a, b, spent, spur, xt, np >>

x(self) == x_pick(self) \/ x_sig(self) \/ x_wake(self)

g_loop == /\ pc[G] = "g_loop"
          /\ IF np < NPASS
                THEN /\ pc' = [pc EXCEPT ![G] = "g_latch"]
                ELSE /\ pc' = [pc EXCEPT ![G] = "Done"]
          /\ UNCHANGED << wake, status, wounded, wounds, latch, woken, nudged, 
                          asleep, left, stack, a, b, spent, spur, xt, np >>

g_latch == /\ pc[G] = "g_latch"
           /\ ~latch
           /\ latch' = TRUE
           /\ pc' = [pc EXCEPT ![G] = "g_pass"]
           /\ UNCHANGED << wake, status, wounded, wounds, woken, nudged, 
                           asleep, left, stack, a, b, spent, spur, xt, np >>

g_pass == /\ pc[G] = "g_pass"
          /\ \E g \in Grants((np = NPASS - 1)):
               \E v \in Wounds(TRUE, g):
                 LET sl == Slots(g, v) IN
                   LET w1 == Wake1(g, v) IN
                     LET f == First(g) IN
                       LET nd == Nudge(g, v) IN
                         /\ status' = [t \in W |-> IF t \in g THEN "granted" ELSE status[t]]
                         /\ wounded' = [t \in W |-> wounded[t] \/ t = v]
                         /\ wounds' = (wounds \/ v # NONE)
                         /\ woken' = sl.wk
                         /\ asleep' = asleep \ sl.now
                         /\ wake' = IF nd THEN [w1 EXCEPT ![f] = 3] ELSE w1
                         /\ nudged' = IF nd THEN f ELSE nudged
          /\ np' = np + 1
          /\ stack' = [stack EXCEPT ![G] = << [ procedure |->  "Unlatch",
                                                pc        |->  "g_loop",
                                                a         |->  a[G],
                                                b         |->  b[G] ] >>
                                            \o stack[G]]
          /\ a' = [a EXCEPT ![G] = NONE]
          /\ b' = [b EXCEPT ![G] = NONE]
          /\ pc' = [pc EXCEPT ![G] = "u_rel"]
          /\ UNCHANGED << latch, left, spent, spur, xt >>

g == g_loop \/ g_latch \/ g_pass

(* Allow infinite stuttering to prevent deadlock on termination. *)
Terminating == /\ \A self \in ProcSet: pc[self] = "Done"
               /\ UNCHANGED vars

Next == g
           \/ (\E self \in ProcSet: Unlatch(self))
           \/ (\E self \in W: w(self))
           \/ (\E self \in XS: x(self))
           \/ Terminating

Spec == /\ Init /\ [][Next]_vars
        /\ \A self \in W : WF_vars(w(self)) /\ WF_vars(Unlatch(self))
        /\ \A self \in XS : WF_vars(x(self))
        /\ WF_vars(g) /\ WF_vars(Unlatch(G))

Termination == <>(\A self \in ProcSet: pc[self] = "Done")

\* END TRANSLATION 

\* the deferred slots are empty whenever the latch is free
SlotsEmpty == ~latch => woken = NONE /\ nudged = NONE
\* a waiter leaves as granted only granted (w_rel: about to release), as a
\* victim only wounded
LeaveOK == \A t \in W : (pc[t] = "w_rel" => status[t] = "granted")
                        /\ (left[t] = "victim" => wounded[t])
NoLostWakeup == \A t \in W : (status[t] = "granted" \/ wounded[t]) ~> left[t] # "no"
AllLeave == <>(\A t \in W : pc[t] = "Done")
=============================================================================
