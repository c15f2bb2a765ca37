/*
 * headrsv.pml: a reserved head of the lock table (lockmgr/README.md
 * "Reserved heads"; verify/tla/HeadReserve.tla is the same protocol in
 * TLA+). On a private table lock_fresh publishes a new head with its
 * maker's grant on it and the word LATCHED | RSV; while reserved, its word
 * and fields change only under its bucket latch. The maker's txn end
 * frees it under that latch alone (txn.c head_end_reserved); anyone else
 * takes it from the maker under the bucket latch, if the word is still the
 * one it saw (heads.c lk__head_take_reserved), and then holds its latch.
 * One head, one bucket latch; M is the maker (2 rounds: end, make the dead
 * head again), two lockers take a grant on it and release it (2 rounds).
 * The word is gen << 4 | D << 3 | R << 2 | L (C: gen << 9 | RSV 0x100 |
 * DEAD 4 | LATCHED 1).
 *   maker                                   C
 *   e0   w = lw; RSV: e1, else n0           txn_end: load(lw, relaxed)
 *   e1   bl == 0 -> bl = M                  blatch_lock
 *   e2   lw == w: release, kill; else n0    head_end_reserved
 *   n0   !(lw & L) -> lw |= L               head_latch (the ordinary end)
 *   n1   release; last and bl free: kill    head_release (blatch_try once)
 *   mk   lw & D, bl free -> L|R, grant      lock_fresh reusing a dead head
 *   locker
 *   k0   w = lw; D: not found               the latch-free lookup
 *   k1   !L: CAS(lw, w, w|L); R: k2         lock_fast / head_latch_gen
 *   k2   bl == 0 -> bl = me; lw == w:       lk__head_take_reserved
 *        lw = (w & ~R) | L; bl = 0
 *   cs   grant (holders++), unlatch         the grant under the head latch
 *   r0   as n0, n1                          the locker's end
 * The model is sequentially consistent (the memory orders are the
 * stress programs' and TSan's).
 * Checks, in every critical section and at every kill: one latch holder at
 * a time, a grant made on the live, latched, not reserved generation that
 * was looked up, no holder left on a dead head, a reserved head holds only
 * the maker's grant.
 *  reserve-take-end: pass.
 *  bug-end-without-bucket-latch (BUG_ENDNOBL): the maker's reserved end
 *   kills the head it saw reserved without the bucket latch: a locker that
 *   took it meanwhile is left holding a grant on a dead head.
 *  bug-take-without-word-check (BUG_TAKENOCHECK): the taker clears RSV
 *   whatever the word is: it latches a head the maker killed.
 */
// @check reserve-take-end pass - safety
// @check bug-end-without-bucket-latch fail -DBUG_ENDNOBL safety
// @check bug-take-without-word-check fail -DBUG_TAKENOCHECK safety

#define L 1
#define R 4
#define D 8
#define GEN(x) ((x) >> 4)
#define KILLED(x) (((GEN(x) + 1) << 4) | D)
#define ROUNDS 2
#ifdef BUG_ENDNOBL
#define END_OK true
#else
#define END_OK (lw == w)
#endif
#ifdef BUG_TAKENOCHECK
#define TAKE_OK true
#else
#define TAKE_OK (lw == w)
#endif

byte lw = L | R;   /* generation 0, made reserved by the maker */
byte bl = 0;       /* bucket latch: 0 free, else pid + 1 */
byte holders = 1;  /* grants on the head: the maker's */
bool mheld = 1;    /* the maker's grant is one of them */
byte incs;         /* head latch holders in a critical section */

inline check_kill()
{
	assert(holders == 0)
}

proctype Maker()
{
	byte w, k = 1;
e0:
	w = lw;
	if
	:: (w & R) ->
#ifndef BUG_ENDNOBL
		atomic { bl == 0 -> bl = _pid + 1 };
#endif
		atomic {
			if
			:: END_OK ->
				holders--; mheld = 0;
				check_kill();
				lw = KILLED(w);
				if :: bl == _pid + 1 -> bl = 0 :: else fi;
				goto next
			:: else -> bl = 0
			fi
		}
	:: else
	fi;
	/* the ordinary end: n0, n1 */
	atomic { !(lw & L) -> lw = lw | L; incs++; assert(incs == 1); assert(!(lw & D)) };
	atomic {
		holders--; mheld = 0;
		incs--;
		if
		:: holders == 0 && bl == 0 -> check_kill(); lw = KILLED(lw)
		:: else -> lw = lw & ~L
		fi
	};
next:
	if
	:: k < ROUNDS ->
		k++;
		if
		:: atomic { (lw & D) && bl == 0 -> lw = (GEN(lw) << 4) | L | R; holders = 1; mheld = 1 };
			goto e0
		:: true /* nothing to make again: this round is over */
		fi
	:: else
	fi
}

proctype Locker()
{
	byte w, k = 0;
	do
	:: k == ROUNDS -> break
	:: k < ROUNDS ->
k0:		w = lw;
		if
		:: (w & D) -> k++; goto k0end /* not found */
		:: else
		fi;
		if
		:: !(w & L) ->
			atomic {
				if
				:: lw == w -> lw = lw | L; incs++
				:: else -> goto k0
				fi
			}
		:: (w & L) && (w & R) ->
			atomic { bl == 0 -> bl = _pid + 1 };
			atomic {
				if
				:: TAKE_OK ->
					lw = (lw & ~R) | L; incs++; bl = 0
				:: else -> bl = 0; goto k0
				fi
			}
		:: (w & L) && !(w & R) -> goto k0 /* latched: look again */
		fi;
		/* cs: the grant */
		atomic {
			assert(incs == 1);
			assert((lw & L) && !(lw & D) && !(lw & R) && GEN(lw) == GEN(w));
			holders++;
			incs--;
			lw = lw & ~L
		};
		/* r0: the end (the head is pinned by the grant) */
		atomic { !(lw & L) -> lw = lw | L; incs++; assert(incs == 1); assert(!(lw & D) && !(lw & R)) };
		atomic {
			holders--;
			incs--;
			if
			:: holders == 0 && bl == 0 -> check_kill(); lw = KILLED(lw)
			:: else -> lw = lw & ~L
			fi
		};
		k++;
k0end:		skip
	od
}

/* a reserved head holds only the maker's grant, latched; a dead one none */
#define INV (!(lw & R) || (holders == 1 && mheld && (lw & L))) && (!(lw & D) || holders == 0)

active proctype Monitor()
{
end:	do
	:: !(INV) -> assert(INV)
	od
}

init
{
	atomic { run Maker(); run Locker(); run Locker() }
}
