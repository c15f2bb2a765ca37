/*
 * shmstop.pml: the pool stop, which closes the residue of shmpool.pml
 * (lockmgr/SHARED.md "Pool entries in flight", "The pool stop"): the
 * residue windows where a process killed between two stores of
 * a move leaves an entry in no place (the pop's CAS and the store of the
 * cache's first; FREE and the push CAS). Built in lockmgr/pool_int.h
 * (the section: sec_enter/sec_leave; lk__proc_enter/leave in reclaim.c
 * for a section with no txn slot), lockmgr/reclaim.c (the stop:
 * lk__pool_stop, and the census) and recover.c.
 * K entries (requests); N = 2 processes, each with one txn whose cache
 * it alone changes; process VICTIM may die between any two steps (inside
 * a section too, its flag up, and inside each window); the live one runs
 * its rounds while the recovery and the stop run. Every table call that
 * can move an entry runs inside a section.
 *   label     step (one store each, in this order)      code
 *   enter     sec[me] = 1; then read stop; if set:       the section (lockmgr/pool_int.h:
 *             sec[me] = 0, wait for stop == 0, retry      sec_enter); the stopper's
 *                                                         membarrier orders the two
 *   unstop    a waiter, stop naming a dead stopper:       lk__sec_wait (it checks the
 *             CAS(stop, s, 0)                             stopper's liveness)
 *   leave     sec[me] = 0                                 sec_leave
 *   pop       instack[e] = 0 (the pop's CAS)              lk__cache_refill: stk_pop
 *   first     incache[me][e] = 1                          lk__cache_refill: the first
 *   tag       owner[e] = me; status[e] = TAKEN            req_alloc, grant_new
 *   take      incache[me][e] = 0                          cache_take (first = next)
 *   link      linked[e] = 1; status[e] = HELD             under the head latch
 *   unlink    linked[e] = 0                               under the head latch
 *   put       incache[me][e] = 1, then status[e] = FREE   req_cache, txn_end
 *   free-push status[e] = FREE, then instack[e] = 1       req_cache, the cache full
 *   flush     incache[me][e] = 0, then instack[e] = 1     cache_flush (emptied first)
 *   purge     linked, a dead owner: unlink (tag stays)    recover.c head_purge
 *   reclaim   not FREE, a dead owner: FREE; push          reclaim.c lk__reclaim_reqs
 *             unless cached
 *   stop      CAS(stop, 0, me) (a dead stopper's stop     the stop (lockmgr/reclaim.c:
 *             cleared first)                              lk__pool_stop), its membarrier
 *   wait      each process p: sec[p] == 0 or p dead       lk__pool_stop: the flag scan
 *   census    each entry in no place (the stack, a        the census (reclaim.c, under
 *             cache, a list), not tagged by a live        the stop)
 *             owner: push it
 *   restart   stop = 0                                    lk__pool_stop's end
 * Promela is sequentially consistent: enter's store then load stand for
 * the C's plain store and load, ordered by the stopper's
 * membarrier(MEMBARRIER_CMD_GLOBAL) (an asymmetric fence, as liburcu's
 * memb flavour).
 * The recovery (recover.c, under its mutex) runs once the victim is
 * dead: purge, reclaim, then the stop. While stop is set no live process
 * is between two steps of a move (its flag was down when the stopper
 * looked, and a flag raised after that sees stop and backs out before it
 * moves anything), so every entry in no place and untagged is one a dead
 * process was moving: the census gives it back. A dead process's flag is
 * ignored (it may have died inside a section).
 * The stopper may die while stop is set (-DRDIE: between any two of its
 * steps from the stop to the restart, between the census's pushes too).
 * A live process waiting in enter then clears stop (CAS from the dead
 * stopper's id to 0) and retries; the stopper's death is a process
 * death, so a later recovery (R2 here; the dead stopper held no entries,
 * so its purge and reclaim find nothing and the model runs only its
 * stop) redoes the census. Each census push is one CAS, so the dead
 * stopper leaves no entry half-pushed: one it had not yet pushed is
 * still in no place and untagged, and the later census finds it again.
 * So with the later recovery nothing stays lost; until it has run, the
 * entries the dead stopper had not pushed are lost (the end state is
 * checked only after it). Here the later recovery may clear the dead
 * stopper's word itself; in the C only a waiting section clears it (and
 * sets pool_due), and a later recovery then stops the pool again:
 * verify/tla/PoolStop.tla models that order.
 * Properties (safety): at each store that puts an entry in a place, it
 * was in no place (never in two places, checked at the step); in the end
 * state every entry is in exactly one place (none lost, none in two) and
 * stop is 0; no process is blocked (invalid end states).
 * Checks: stop-2p: the protocol, the victim killed anywhere; stop-3e-3r:
 * the same with 3 entries and 3 rounds; stop-rdie: the stopper may die
 * too, the later recovery redoes the stop: the same properties. no-stop:
 * the recovery without the stop (as before the stop): an entry whose
 * mover is killed in a window is lost (the residue; it must fail).
 * Seeded bugs: BUG_NO_WAIT: the census does not wait for live sections
 * (it pushes an entry the live process has popped, which then lands in
 * its cache too). BUG_CHECK_FIRST: a section reads stop before it raises
 * its flag (the stopper sees the flag down between the two, and the
 * census pushes what the section then moves). BUG_NO_UNSTOP (with RDIE):
 * a waiter never clears a dead stopper's stop: the live process, and the
 * later recovery, wait for ever (an invalid end state).
 */
// @check stop-2p pass - safety
// @check stop-3e-3r pass -DK=3,-DROUNDS=3 safety
// @check stop-rdie pass -DRDIE safety
// @check no-stop fail -DNO_STOP safety
// @check bug-no-wait fail -DBUG_NO_WAIT safety
// @check bug-check-first fail -DBUG_CHECK_FIRST safety
// @check bug-no-unstop fail -DRDIE,-DBUG_NO_UNSTOP safety

#define N 2        /* NPLACES names both caches */
#ifndef K
#define K 2
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif
#define VICTIM 1
#define R N          /* the recoverer (the stopper), id 2 */
#define R2 (N + 1)   /* the later recovery, of a dead stopper */
#define FREE 0
#define TAKEN 1
#define HELD 2

bool instack[K];
bool incache[N * K]; /* incache[p*K + e] */
bool linked[K];
byte status[K];
byte owner[K];
bool sec[N];     /* section flags */
byte stop;       /* 0, or the stopper's id */
bool died;       /* VICTIM is dead */
bool rdied;      /* the stopper R is dead */
byte finished;   /* processes done */
bool recovered;  /* R done */
bool quiet;      /* nothing more will die: lets R2 end */
bool r2done;

#define C(p, e) incache[(p) * K + (e)]
#define NPLACES(e) (instack[e] + linked[e] + C(0, e) + C(1, e))
/* put entry e in place x: it must be in no place now */
#define PUT(x, e) atomic { assert(NPLACES(e) == 0); x = 1 }
#define DEAD(x) (((x) == VICTIM && died) || ((x) == R && rdied))
/* the victim may die here (never the others) */
#define MAYDIE if :: (me == VICTIM && !died) -> died = true; goto dead :: true -> skip fi
/* the stopper may die here (RDIE) */
#ifdef RDIE
#define RMAYDIE if :: (me == R) -> rdied = true; goto dead :: true -> skip fi
#else
#define RMAYDIE skip
#endif
/* a waiter clears a dead stopper's stop */
#ifndef BUG_NO_UNSTOP
#define UNSTOP :: atomic { stop != 0 && DEAD(stop) -> stop = 0 }
#else
#define UNSTOP
#endif
#define WAITSTOP \
	do \
	:: stop == 0 -> break \
	UNSTOP \
	od
/* the section (sec_enter): raise, then check; check first is the bug */
#ifndef BUG_CHECK_FIRST
#define ENTER \
	do \
	:: sec[me] = 1; \
		MAYDIE; \
		if \
		:: stop == 0 -> break \
		:: else -> sec[me] = 0; WAITSTOP \
		fi \
	od
#else
#define ENTER WAITSTOP; sec[me] = 1; MAYDIE
#endif
#define LEAVE sec[me] = 0

proctype proc(byte me)
{
	byte r = 0, e, f;
	do
	:: r < ROUNDS ->
		/* the take call: an entry of our cache, or a refill from the stack */
		ENTER;
		atomic {
			e = K;
			f = 0;
			do
			:: f < K && C(me, f) -> e = f; break
			:: f < K && !C(me, f) -> f++
			:: f == K -> break
			od
		}
		if
		:: e == K ->
			/* refill: the pop's CAS, then the cache's first */
			atomic {
				f = 0;
				do
				:: f < K && instack[f] -> instack[f] = 0; e = f; break
				:: f < K && !instack[f] -> f++
				:: f == K -> break
				od
			}
			if
			:: e < K ->
				MAYDIE;
				PUT(C(me, e), e)
			:: else -> skip
			fi
		:: else -> skip
		fi;
		if
		:: e == K -> LEAVE; r++ /* none free now: the call fails */
		:: else ->
			MAYDIE;
			atomic { owner[e] = me; status[e] = TAKEN };
			MAYDIE;
			C(me, e) = 0;
			MAYDIE;
			atomic { PUT(linked[e], e); status[e] = HELD };
			MAYDIE;
			LEAVE;
			/* the release call */
			ENTER;
			linked[e] = 0;
			MAYDIE;
			if
			:: PUT(C(me, e), e); /* the put, then FREE */
				MAYDIE;
				status[e] = FREE
			:: status[e] = FREE; /* the cache is full: FREE, then the push */
				MAYDIE;
				PUT(instack[e], e)
			fi;
			MAYDIE;
			LEAVE;
			r++
		fi
	:: else -> break
	od;
	/* the txn's end: cache_flush, the cache emptied, then the push */
	ENTER;
	f = 0;
	do
	:: f < K && C(me, f) ->
		C(me, f) = 0;
		MAYDIE;
		PUT(instack[f], f);
		MAYDIE;
		f++
	:: f < K && !C(me, f) -> f++
	:: f == K -> break
	od;
	LEAVE;
	finished++;
	goto out;
dead:
	skip;
out:
	skip
}

/* The recovery: R once the victim is dead; R2 once R is (RDIE). */
proctype recover(byte me)
{
	byte e, p;
	if
	:: me == R -> died
	:: me == R2 -> rdied || quiet
	fi;
	if
	:: me == R2 && !rdied -> goto out
	:: else -> skip
	fi;
	if
	:: me == R ->
		/* purge: its linked entries leave their head lists */
		e = 0;
		do
		:: e < K ->
			atomic {
				if
				:: linked[e] && owner[e] == VICTIM -> linked[e] = 0
				:: else -> skip
				fi
			};
			e++
		:: else -> break
		od;
		/* reclaim: tagged by the dead, in no list */
		e = 0;
		do
		:: e < K ->
			atomic {
				if
				:: status[e] != FREE && owner[e] == VICTIM ->
					status[e] = FREE;
					if
					:: !C(VICTIM, e) -> PUT(instack[e], e)
					:: else -> skip
					fi
				:: else -> skip
				fi
			};
			e++
		:: else -> break
		od
	:: else -> skip /* the dead stopper held no entries */
	fi;
#ifndef NO_STOP
	/* the stop: CAS(stop, 0, me); a dead stopper's stop is cleared first */
	do
	:: atomic { stop == 0 -> stop = me }; break
	UNSTOP
	od;
	RMAYDIE;
#ifndef BUG_NO_WAIT
	/* wait until no live process is in a section */
	p = 0;
	do
	:: p < N -> (sec[p] == 0 || DEAD(p)); p++; RMAYDIE
	:: else -> break
	od;
#endif
	/* the census: in no place, not tagged by a live owner: lost */
	e = 0;
	do
	:: e < K ->
		atomic {
			if
			:: NPLACES(e) == 0 && (status[e] == FREE || DEAD(owner[e])) ->
				instack[e] = 1
			:: else -> skip
			fi
		};
		RMAYDIE;
		e++
	:: else -> break
	od;
	stop = 0;
#endif
	goto out;
dead:
	skip;
out:
	if
	:: me == R && !rdied -> recovered = true
	:: me == R2 -> r2done = true
	:: else -> skip
	fi
}

init {
	byte e = 0, p, n;
	atomic {
		do
		:: e < K -> instack[e] = 1; e++
		:: else -> break
		od;
		p = 0;
		do
		:: p < N -> run proc(p); p++
		:: else -> break
		od;
		run recover(R);
		run recover(R2)
	}
	/* the end: the live one done, the dead one recovered */
	(died && finished == N - 1) || finished == N;
	if
	:: finished == N -> died = true /* lets R end: nothing to do */
	:: else -> skip
	fi;
	(recovered || rdied);
	quiet = true;
	(r2done);
	assert(stop == 0);
	e = 0;
	do
	:: e < K ->
		n = NPLACES(e);
		assert(n == 1);
		e++
	:: else -> break
	od
}
