----------------------------- MODULE HeadReserve -----------------------------
(***************************************************************************)
(* A reserved head of the lock table (lockmgr/README.md "Reserved heads"). *)
(* On a private table, lock_fresh publishes a new head with its maker's    *)
(* grant on it and its latch word LATCHED | RSV: reserved.  While it is    *)
(* reserved its word and fields change only under its bucket latch, so     *)
(* its maker's txn end frees it with that one latch (txn.c                 *)
(* head_end_reserved) and no head latch; anyone else who needs the head    *)
(* takes it from the maker under the bucket latch (heads.c                 *)
(* lk__head_take_reserved: the word still the one it saw) and holds its    *)
(* latch from then on; the head is an ordinary one until it dies.          *)
(*                                                                         *)
(* One head, one bucket latch (bl).  The word lw is a record: generation,  *)
(* LATCHED, RSV, DEAD.  Process "o" is the maker: it ends its grant, and   *)
(* (up to R rounds) makes the dead head again, a new reserved generation   *)
(* with its grant (lock_fresh reuses a dead head of its cache).  Lockers   *)
(* look the head up latch-free and take a grant on it, then release it     *)
(* (the head cannot die while they hold it), R rounds each.               *)
(*                                                                         *)
(*  step    | C                                                            *)
(*  --------+------------------------------------------------------------- *)
(*  end0    | txn_end: load(lw); RSV: head_end_reserved                    *)
(*  endb    | blatch_lock                                                  *)
(*  endchk  | lw == w seen: release the grant, kill, unlink (else unlatch *)
(*          | the bucket and end the ordinary way: nlatch)                 *)
(*  nlatch  | head_latch (ordinary: CAS when not latched)                  *)
(*  nrel    | release; last holder: blatch_try once, kill (head_release)   *)
(*  remake  | lock_fresh: under the bucket latch, the dead head reused,    *)
(*          | LATCHED | RSV, the maker's grant on it                       *)
(*  look    | lookup: load(lw, acquire); DEAD: not found                   *)
(*  dec     | not latched: CAS(lw, w, w|L); RSV: take it; latched: retry   *)
(*  tb,tchk | lk__head_take_reserved: blatch_lock; lw == w: RSV cleared,   *)
(*  trel    | latched by the taker; blatch_unlock                          *)
(*  cs      | the grant, under the head latch; head_unlatch                *)
(*  rel0/1  | the locker's end: head_latch, release, kill if last         *)
(*                                                                         *)
(* Seeded bugs (BUG):                                                      *)
(*  "endnobucket": the maker ends a head it saw reserved without the       *)
(*     bucket latch (a plain store of the dead word): a locker that took   *)
(*     it meanwhile holds a grant on a dead head.                          *)
(*  "takenocheck": the taker clears RSV without comparing the word with    *)
(*     the one it saw: it latches a head the maker has killed (or made     *)
(*     again), another generation.                                         *)
(*                                                                         *)
(* Invariants: MutEx (one head latch holder at a time; the maker's         *)
(* reserved end is one step, EndChk), CsOk (a locker's grant is made on the live,  *)
(* latched, not reserved generation it looked up), NoLostGrant (a dead     *)
(* head has no holder), RsvSole (a reserved head holds only its maker's    *)
(* grant, latched).                                                        *)
(***************************************************************************)
EXTENDS Integers, FiniteSets
CONSTANTS Lockers, R, BUG
Procs == Lockers \cup {"o"}

VARIABLES lw, bl, holders, incs, pc, w, rounds
vars == << lw, bl, holders, incs, pc, w, rounds >>

Word(g, l, r, d) == [g |-> g, l |-> l, r |-> r, d |-> d]
Killed(x) == Word(x.g + 1, FALSE, FALSE, TRUE)
Latch(x) == [x EXCEPT !.l = TRUE]
Unlatch(x) == [x EXCEPT !.l = FALSE]

Init == /\ lw = Word(0, TRUE, TRUE, FALSE)      \* made reserved by "o"
        /\ bl = "none"
        /\ holders = {"o"}
        /\ incs = {}
        /\ pc = [p \in Procs |-> IF p = "o" THEN "end0" ELSE "look"]
        /\ w = [p \in Procs |-> Word(0, FALSE, FALSE, FALSE)]
        /\ rounds = [p \in Procs |-> 1]

Go(p, l) == pc' = [pc EXCEPT ![p] = l]
NextRound(p) == IF rounds[p] < R
                THEN /\ rounds' = [rounds EXCEPT ![p] = @ + 1]
                     /\ Go(p, IF p = "o" THEN "remake" ELSE "look")
                ELSE /\ UNCHANGED rounds
                     /\ Go(p, "done")

(* ---- the maker ---- *)
End0 == /\ pc["o"] = "end0"
        /\ w' = [w EXCEPT !["o"] = lw]
        /\ IF lw.r
           THEN Go("o", IF BUG = "endnobucket" THEN "endchk" ELSE "endb")
           ELSE Go("o", "nlatch")
        /\ UNCHANGED << lw, bl, holders, incs, rounds >>

EndB == /\ pc["o"] = "endb" /\ bl = "none"
        /\ bl' = "o" /\ Go("o", "endchk")
        /\ UNCHANGED << lw, holders, incs, w, rounds >>

EndChk == /\ pc["o"] = "endchk"
          /\ IF BUG = "endnobucket" \/ lw = w["o"]
             THEN /\ holders' = holders \ {"o"}
                  /\ lw' = Killed(w["o"])
                  /\ Go("o", "endrel")
             ELSE /\ UNCHANGED << holders, lw >>
                  /\ Go("o", "endback")
          /\ UNCHANGED << bl, incs, w, rounds >>

EndBack == /\ pc["o"] = "endback"        \* taken meanwhile: the ordinary way
           /\ bl' = "none" /\ Go("o", "nlatch")
           /\ UNCHANGED << lw, holders, incs, w, rounds >>

EndRel == /\ pc["o"] = "endrel"
          /\ bl' = IF bl = "o" THEN "none" ELSE bl
          /\ NextRound("o")
          /\ UNCHANGED << lw, holders, incs, w >>

(* the maker makes the dead head again (or stops: its round is over) *)
Remake == /\ pc["o"] = "remake"
          /\ \/ /\ lw.d /\ bl = "none"
                /\ lw' = Word(lw.g, TRUE, TRUE, FALSE)
                /\ holders' = {"o"}
                /\ Go("o", "end0")
             \/ /\ UNCHANGED << lw, holders >>
                /\ Go("o", "done")
          /\ UNCHANGED << bl, incs, w, rounds >>

(* ---- the ordinary end, the maker's and a locker's ---- *)
NLatch(p, l) == /\ pc[p] = l
                /\ ~lw.l                  \* the holder pins it: not dead
                /\ lw' = Latch(lw) /\ incs' = incs \cup {p}
                /\ Go(p, IF p = "o" THEN "nrel" ELSE "rel1")
                /\ UNCHANGED << bl, holders, w, rounds >>

NRel(p, l) == /\ pc[p] = l
              /\ holders' = holders \ {p}
              /\ incs' = incs \ {p}
              /\ IF holders' = {} /\ bl = "none"
                 THEN lw' = Killed(lw)        \* blatch_try, unlink, kill
                 ELSE lw' = Unlatch(lw)
              /\ NextRound(p)
              /\ UNCHANGED << bl, w >>

(* ---- a locker ---- *)
Look(p) == /\ pc[p] = "look"
           /\ IF lw.d
              THEN /\ NextRound(p) /\ UNCHANGED w          \* not found
              ELSE /\ w' = [w EXCEPT ![p] = lw] /\ Go(p, "dec")
                   /\ UNCHANGED rounds
           /\ UNCHANGED << lw, bl, holders, incs >>

Dec(p) == /\ pc[p] = "dec"
          /\ IF ~w[p].l
             THEN IF lw = w[p]
                  THEN /\ lw' = Latch(lw) /\ incs' = incs \cup {p} /\ Go(p, "cs")
                  ELSE /\ UNCHANGED << lw, incs >> /\ Go(p, "look")
             ELSE /\ UNCHANGED << lw, incs >>
                  /\ Go(p, IF w[p].r THEN "tb" ELSE "look")
          /\ UNCHANGED << bl, holders, w, rounds >>

TB(p) == /\ pc[p] = "tb" /\ bl = "none"
         /\ bl' = p /\ Go(p, "tchk")
         /\ UNCHANGED << lw, holders, incs, w, rounds >>

TChk(p) == /\ pc[p] = "tchk"
           /\ IF BUG = "takenocheck" \/ lw = w[p]
              THEN /\ lw' = [lw EXCEPT !.r = FALSE, !.l = TRUE]
                   /\ incs' = incs \cup {p}
                   /\ Go(p, "trel")
              ELSE /\ UNCHANGED << lw, incs >> /\ Go(p, "tfail")
           /\ UNCHANGED << bl, holders, w, rounds >>

TRel(p) == /\ pc[p] \in {"trel", "tfail"}
           /\ bl' = "none"
           /\ Go(p, IF pc[p] = "trel" THEN "cs" ELSE "look")
           /\ UNCHANGED << lw, holders, incs, w, rounds >>

Cs(p) == /\ pc[p] = "cs"
         /\ holders' = holders \cup {p}
         /\ lw' = Unlatch(lw) /\ incs' = incs \ {p}
         /\ Go(p, "rel0")
         /\ UNCHANGED << bl, w, rounds >>

Done == /\ \A p \in Procs : pc[p] = "done"
        /\ UNCHANGED vars

Next == \/ End0 \/ EndB \/ EndChk \/ EndBack \/ EndRel \/ Remake
        \/ NLatch("o", "nlatch") \/ NRel("o", "nrel")
        \/ \E p \in Lockers : \/ Look(p) \/ Dec(p) \/ TB(p) \/ TChk(p)
                              \/ TRel(p) \/ Cs(p)
                              \/ NLatch(p, "rel0") \/ NRel(p, "rel1")
        \/ Done

Spec == Init /\ [][Next]_vars

(* ---- properties ---- *)
MutEx == Cardinality(incs) <= 1
CsOk == \A p \in Lockers :
          pc[p] = "cs" => lw.l /\ ~lw.d /\ ~lw.r /\ lw.g = w[p].g /\ incs = {p}
NoLostGrant == lw.d => holders = {}
RsvSole == lw.r => holders = {"o"} /\ lw.l
=============================================================================
