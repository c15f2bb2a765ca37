/*
 * headlatch.pml: the lock table's head latch, its parked-waiter wake chain,
 * and head recycling. 2 lockers + 1 recycler.
 * Models lockmgr/heads_int.h, heads.c: head_latch, head_latch_gen, head_latch_slow,
 * head_unlatch, sweep (the kill of an idle head) and head_get_slow (the
 * reuse of a dead head); word bits from lockmgr/lockmgr_int.h. The model's
 * word is gen << 3 | flags (C: gen << 8): L = LK__L_LATCHED 1,
 * P = LK__L_PARKED 2, D = LK__L_DEAD 4.
 * Steps (g0 g1 f park fail are labels in the code; the others name steps
 * of the inlines and the recycler, whose labels would repeat):
 *   step   atomic step                                 C operation
 *   g0     w0 = lw                                     head_get/lock_fast: load(lw, acquire); DEAD: not found
 *   g1     atomic { lw == w0, w0 !L !D -> lw = w0|L }  head_latch_gen fast path: CAS(lw, w0, w0|L, acquire)
 *   pin    pin++ while the head is live               (no C op) head_latch callers hold the bucket latch or a
 *                                                      lock on the resource: sweep cannot kill the head then
 *   f      atomic { !(lw & L) -> lw = lw|L }           head_latch fast path: load, CAS(w, w|L, acquire)
 *   slow   atomic { w = lw; ...                        head_latch_slow: load(lw, relaxed), then
 *            gen changed or D: fail                      check_gen && (GEN(w) != gen || DEAD): return false
 *            !(w & L): lw = w|L|extra, acquired          CAS_weak(lw, w, w|L|extra, acquire)
 *            else lw = w|P; w = w|P; extra = P }         CAS_weak(lw, w, w|P, relaxed) if P absent; extra = P
 *   park   atomic { lw == w -> sleep }                 lk__wait -> lk__futex_wait(lw, w, 1 ms deadline):
 *                                                      the kernel compares and sleeps in one step
 *   wait   !sleeping (woken), or with NAP: timeout     futex_wait returns (futex_wake, or the 1 ms backstop)
 *   fail   extra: wake all                             if (extra) lk__futex_wake(lw, INT32_MAX); return false
 *   u0     w = lw                                      head_unlatch: load(lw, relaxed)
 *   u1     lw = w & ~L                                 !(w & P): store(lw, w & ~L, release)
 *   u2     atomic { old = lw; lw = w & ~(L|P) }        exchange(lw, w & ~(L|P), release)
 *   u3     old & P: wake one sleeper (any)             lk__futex_wake(lw, 1)
 *   r0     atomic { !(lw & L) -> lw = lw|L }           sweep: load, CAS(lw, w, w|L, acquire)
 *   idle   pin == 0 (and kills < KILLS): kill          sweep, latched: !h->holders && !h->qhead
 *   kill   either (each kill picks one):
 *          atomic { old = lw; lw = (GEN+1)<<3 | D }    sweep as committed at 9b00cbf: exchange(lw,
 *                                                        (GEN(w)+1)<<8 | DEAD, release)
 *          w = lw; then !(w & P): lw = dead            head_kill (sweep and head_release, newer form):
 *                  else atomic { lw = dead }, old = P    load(relaxed); store(dead, release) or exchange
 *   kwake  old & P: wake all                           lk__futex_wake(lw, INT32_MAX)
 *   v0/v1  w = lw; lw = (w & ~D & ~P) | L              head_get_slow reuse: load, store(..., release)
 * The model is sequentially consistent: it checks the protocol, not the
 * memory orders (those are the stress programs' and TSan's job).
 * Each "load, decide, CAS" whose CAS compares with the value just loaded is
 * one atomic step (a failing CAS only repeats the loop). The spin/yield
 * phase is left out: a spin that only re-reads a latched word is a delay,
 * which interleaving already covers; a waiter parks the first time its slow
 * path sees the latch taken, and (as in C: lk__wait_would_park stays true)
 * every time after. The release's load (u0) and store (u1) stay two steps:
 * that is the race in question. The wake is its own step after the exchange.
 * Futex: sleeping[i] is the wait set; wake-one picks any sleeper (covers
 * every queue order); the recycler never sleeps (sweep only CASes).
 * P0 always uses head_latch_gen (the lookup path); P1 picks head_latch_gen or
 * head_latch (pinned) each round; ROUNDS rounds each. The recycler makes
 * RTRIES sweep attempts: each may find the head latched and skip, or latch
 * it, then (pin == 0: idle) kill it at most KILLS times, else unlatch; a
 * killed head may be reused (a new generation, latched by the reuser;
 * lock_fresh's reuse publishes it unlatched: the same with an empty
 * critical section). head_release's retire (a holder that left the head
 * idle kills it) is the recycler's kill too: how the killer got the latch
 * does not matter to the word.
 * In every critical section: mutual exclusion, the word is latched and live,
 * and a head_latch_gen caller holds the generation it asked for.
 *
 * Checks (bounds: ROUNDS 2 per locker, RTRIES 3 sweeps, KILLS 2, so
 * generations 0..2; the liveness check: RTRIES 2, KILLS 1):
 *  mutual-exclusion-nap: with NAP (timed sleeps); ENDOK makes a sleep a
 *   valid end state, so only the critical-section assertions count. pass.
 *  no-stranded-sleeper-nap: with NAP, no invalid end state: nobody is left
 *   asleep once the others are done. pass.
 *  all-finish-nap (ltl alldone, weak fairness): with NAP every process
 *   finishes all its rounds: no sleeper is stranded and no waiter loops
 *   forever (nap, retry, nap). pass.
 *  untimed-sleep-strands: THE QUESTION, the same protocol with untimed
 *   futex sleeps (no NAP). It FAILS: a sleeper can be stranded forever.
 *   Trail (pan -DBFS, the shortest, in build/spin/headlatch/<label>/):
 *     R (sweep) CASes the latch: lw 0 -> 1; the head is busy (not killed),
 *       so R calls head_unlatch and loads w = 1 (u0): no PARKED;
 *     P1 (head_latch) sees the latch taken, slow: CAS lw 1 -> 3 (L|P),
 *       extra = P; futex_wait(lw, 3): lw == 3, sleeps;
 *     P0 (head_latch_gen) the same: lw is 3 already, sleeps on 3;
 *     R's plain store (u1) writes w & ~L = 0: PARKED erased, no wake;
 *     R ends; P0 and P1 sleep forever (invalid end state).
 *   Why it cannot recover: a futex sleep ends only by a wake or a timeout,
 *   not by the word changing; after the store no one holds the latch and
 *   no PARKED bit is left, so no later unlatch wakes (and with no other
 *   thread, none comes at all). One sleeper is enough (P1 alone, R as the
 *   holder). So the 1 ms backstop (LK__LATCH_NAP_NS) is what makes the
 *   plain-store release correct, not a tuning knob.
 *  untimed-kill-strands: no NAP, head_unlatch always exchanges
 *   (UNLATCH_XCHG), the kill may take head_kill's plain store: FAILS the
 *   same way: R latches, decides to kill, loads x = 1 (no P); P1 and P0
 *   CAS P in (lw = 3) and sleep; R stores dead (12) and wakes nobody.
 *  untimed-sleep-xchg-release: control: no NAP, but the release and the
 *   kill always exchange (XCHG_RELEASE). pass: the plain stores are the
 *   only way the untimed protocol strands a sleeper; the PARKED carry, the
 *   kill's wake-all and the failing waiter's pass-on are enough on their
 *   own.
 *  Seeded bugs, each where the real protocol passes (the trails named are
 *  the ones the runner stores; -DBFS where it is cheap: the shortest):
 *   bug-no-carry (BUG_NOCARRY; XCHG_RELEASE, no NAP): a woken waiter takes
 *    the latch without PARKED. Trail: P0 and P1 sleep on R's latch; R's
 *    release wakes P0; P0 latches (lw = L, no P), and its release sees no
 *    PARKED and wakes nobody: P1 strands.
 *   bug-kill-no-wake (BUG_NOWAKE_DEAD; XCHG_RELEASE, no NAP; BFS): the kill
 *    wakes nobody: P0 and P1 sleep on lw = 3, R kills (lw = 12) and ends.
 *   bug-dead-no-pass-on (BUG_NOPASS; XCHG_RELEASE, no NAP): P0 and P1
 *    sleep; R's release wakes P0; R latches again and kills (no PARKED in
 *    the word: the release's exchange cleared it, so no wake), reuses it
 *    and unlatches; P0 sees the generation changed and returns false
 *    without waking: P1 strands.
 *   bug-no-gen-check-excl (BUG_NOGEN; NAP; EXCL_ONLY keeps only the
 *    incs == 1 assertion; BFS): the slow path ignores the generation: R
 *    kills the head (lw = 12), P1 latches the dead word (13), R reuses the
 *    head by its plain store (lw = 9) and enters too: mutual exclusion
 *    fails. (Without EXCL_ONLY the "latched, live, own generation"
 *    assertion catches P1 one step earlier.)
 */
// @check mutual-exclusion-nap pass -DNAP,-DENDOK safety
// @check no-stranded-sleeper-nap pass -DNAP safety
// @check all-finish-nap pass -DNAP,-DRTRIES=2,-DKILLS=1 ltl:alldone
// @check untimed-sleep-strands fail -DBFS safety
// @check untimed-kill-strands fail -DUNLATCH_XCHG,-DBFS safety
// @check untimed-sleep-xchg-release pass -DXCHG_RELEASE safety
// @check bug-no-carry fail -DXCHG_RELEASE,-DBUG_NOCARRY safety
// @check bug-kill-no-wake fail -DXCHG_RELEASE,-DBUG_NOWAKE_DEAD,-DBFS safety
// @check bug-dead-no-pass-on fail -DXCHG_RELEASE,-DBUG_NOPASS safety
// @check bug-no-gen-check-excl fail -DNAP,-DENDOK,-DEXCL_ONLY,-DBUG_NOGEN,-DBFS safety

#ifndef ROUNDS
#define ROUNDS 2
#endif
#ifndef RTRIES
#define RTRIES 3
#endif
#ifndef KILLS
#define KILLS 2
#endif

#define L 1
#define P 2
#define D 4
#define GEN(w) ((w) >> 3)

byte lw = 0;        /* gen 0, live, unlatched */
bool sleeping[2];   /* futex wait set: lockers 0 and 1 */
byte incs;          /* threads in a critical section */
byte pin;           /* head_latch callers that keep the head alive */
bool rkill;         /* the recycler holds the latch and has chosen to kill */
byte done;          /* processes that finished (ltl alldone) */

inline wake_one()
{
	if
	:: sleeping[0] -> sleeping[0] = 0
	:: sleeping[1] -> sleeping[1] = 0
	:: else
	fi
}

inline wake_all()
{
	sleeping[0] = 0;
	sleeping[1] = 0
}

/* critical section: exclusion, latched and live word, right generation */
inline crit(chk, gen)
{
	atomic {
		incs++;
		assert(incs == 1)
#ifndef EXCL_ONLY
		;
		assert((lw & L) && !(lw & D));
		assert(!chk || GEN(lw) == gen)
#endif
	};
	incs--
}

inline head_unlatch(w, old)
{
	w = lw; /* u0 */
	if
#if !defined(XCHG_RELEASE) && !defined(UNLATCH_XCHG)
	:: (w & P) == 0 ->
		lw = w & ~L /* u1: may erase a P set since u0 */
#endif
	:: else ->
		atomic { old = lw; lw = w & ~(L | P) }; /* u2 */
		atomic { if :: old & P -> wake_one() :: else fi; old = 0 } /* u3 */
	fi;
	w = 0
}

active [2] proctype Locker()
{
	byte w, w0, gen, old, k;
	bool chk, extra, pinned;

	do
	:: k == ROUNDS -> done++; break
	:: k < ROUNDS ->
		k++;
		if
		:: chk = 1
		:: _pid == 1 -> chk = 0
		fi;
		extra = 0;
		if
		:: chk ->
			/* head_get: the lookup's load, then head_latch_gen */
g0:			w0 = lw;
			if
			:: w0 & D -> goto next /* not found */
			:: else
			fi;
			gen = GEN(w0);
g1:			atomic {
				if
				:: (w0 & (L | D)) == 0 && lw == w0 -> lw = w0 | L; goto cs
				:: else
				fi
			}
		:: else ->
			/* head_latch: the caller keeps the head from dying */
			atomic {
				if
				:: (lw & D) == 0 && !rkill -> pin++; pinned = 1
				:: else -> goto next /* not found */
				fi
			};
f:			atomic { if :: (lw & L) == 0 -> lw = lw | L; goto cs :: else fi }
		fi;
		/* head_latch_slow */
		do
		::
			atomic {
				w = lw;
#ifndef BUG_NOGEN
				if
				:: chk && (GEN(w) != gen || (w & D)) -> goto fail
				:: else
				fi;
#endif
				if
				:: (w & L) == 0 ->
#ifdef BUG_NOCARRY
					lw = w | L;
#else
					lw = w | L | (extra -> P : 0);
#endif
					goto cs
				:: else
				fi;
				lw = w | P;
				w = w | P;
				extra = 1
			};
park:			atomic { if :: lw == w -> sleeping[_pid] = 1 :: else fi };
#ifdef ENDOK
endwait:
#endif
			if
			:: !sleeping[_pid]
#ifdef NAP
			:: atomic { sleeping[_pid] -> sleeping[_pid] = 0 } /* 1 ms backstop */
#endif
			fi
		od;
fail:		/* a woken waiter passes the wake on: the head died */
#ifndef BUG_NOPASS
		atomic { if :: extra -> wake_all() :: else fi };
#endif
		goto next;
cs:		crit(chk, gen);
		head_unlatch(w, old);
next:		atomic {
			if :: pinned -> pin--; pinned = 0 :: else fi;
			w = 0; w0 = 0; gen = 0; chk = 0; extra = 0
		}
	od
}

active proctype Recycler()
{
	byte w, old, k, kills;
	bool dokill;

	do
	:: k == RTRIES -> done++; break
	:: k < RTRIES ->
		k++;
		/* sweep: a latched (or dead, so unlinked) head is skipped */
		if
		:: atomic { (lw & (L | D)) == 0 -> w = lw; lw = w | L } /* r0 */
		:: goto rnext
		fi;
		crit(0, 0);
		atomic { /* idle */
			if
			:: pin == 0 && kills < KILLS -> dokill = 1; rkill = 1; kills++
			:: true
			fi
		};
		if
		:: dokill -> /* kill */
			if
			:: /* sweep as committed (9b00cbf): exchange; wake all if old had P */
				atomic { old = lw; lw = ((GEN(w) + 1) << 3) | D; rkill = 0 }
#ifndef XCHG_RELEASE
			:: /* head_kill (its newer form): load; plain store unless P */
				w = lw;
				if
				:: (w & P) == 0 ->
					atomic { lw = ((GEN(w) + 1) << 3) | D; rkill = 0 }
				:: else ->
					atomic { lw = ((GEN(w) + 1) << 3) | D; rkill = 0; old = P }
				fi
#endif
			fi;
			atomic { /* kwake */
#ifndef BUG_NOWAKE_DEAD
				if :: old & P -> wake_all() :: else fi;
#endif
				old = 0
			};
			/* head_get_slow may reuse the dead head: a new key, latched */
			if
			::
				w = lw; /* v0 */
				lw = (w & ~D & ~P) | L; /* v1 */
				crit(0, 0);
				head_unlatch(w, old)
			:: true
			fi
		:: else ->
			head_unlatch(w, old)
		fi;
rnext:		atomic { w = 0; dokill = 0 }
	od
}

ltl alldone { <> (done == 3) }
