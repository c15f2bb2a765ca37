/*
 * shmpool.pml: pool entries (requests) of the shared lock table when a
 * process dies in the middle of moving one (lockmgr/SHARED.md "Pool
 * entries in flight"; built in lockmgr/pool_int.h, txn.c, reclaim.c,
 * recover.c). K entries; N processes, each with one txn whose cache it
 * alone changes; process VICTIM may die between any two steps; then the
 * recovery (under its mutex, while the others run on) gives back what the
 * dead txn held.
 *   label     step (one store each, in this order)           code
 *   tag       owner[e] = me; status[e] = TAKEN                req_alloc, grant_new: before the take
 *   take      incache[me][e] = 0                              cache_take (first = next)
 *   link      linked[e] = 1; status[e] = HELD                 under the head latch
 *   unlink    linked[e] = 0                                   under the head latch
 *   put       incache[me][e] = 1                              cache_put
 *   free      status[e] = FREE                                req_cache / txn_end, after the put
 *   refill    pop from the stack into the cache (one step)    stk_pop + the cache's first store
 *   purge     linked and a dead owner: unlink (tag stays)     recover.c head_purge
 *   reclaim   not FREE, dead owner: FREE; push unless cached  reclaim.c lk__reclaim_reqs
 * The refill is one step here: the pop's CAS and the cache store are
 * the window the code leaves open (SHARED.md says so).
 * Property (safety, in the end state): every entry is in exactly one
 * place: the free stack, one txn's cache, or a live txn's head list (none
 * lost, none given twice).
 * Seeded bugs: BUG_TAG_AFTER: the tag is written after the take (a death
 * between loses the entry). BUG_NO_CACHE_CHECK: the reclaim pushes a tagged entry
 * that is still in the dead txn's cache (it is then in two places); it is a
 * check-long line (make verify-spin-long), to keep make test short.
 */
// @check pool-2p pass - safety
// @check bug-tag-after fail -DBUG_TAG_AFTER safety
// @check-long bug-no-cache-check fail -DBUG_NO_CACHE_CHECK safety

#ifndef N
#define N 2
#endif
#ifndef K
#define K 3
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif
#define VICTIM 1
#define FREE 0
#define TAKEN 1
#define HELD 2

bool instack[K];
bool incache[N * K]; /* incache[p*K + e] */
bool linked[K];
byte status[K];
byte owner[K];
bool died;       /* VICTIM is dead */
byte finished;   /* live processes done */
bool recovered;

#define C(p, e) incache[(p) * K + (e)]
/* the victim may die here (never the others) */
#define MAYDIE if :: (me == VICTIM && !died) -> died = true; goto dead :: true -> skip fi

proctype proc(byte me)
{
	byte r = 0, e, f;
	do
	:: r < ROUNDS ->
		/* an entry of our cache, or a refill from the stack */
		e = K;
		atomic {
			f = 0;
			do
			:: f < K && C(me, f) -> e = f; break
			:: f < K && !C(me, f) -> f++
			:: f == K -> break
			od;
			if
			:: e == K ->
				f = 0;
				do
				:: f < K && instack[f] -> instack[f] = 0; C(me, f) = 1; e = f; break
				:: f < K && !instack[f] -> f++
				:: f == K -> break
				od
			:: else -> skip
			fi
		}
		if
		:: e == K -> r++ /* none free now: the call fails, changes nothing */
		:: else ->
			MAYDIE;
#ifndef BUG_TAG_AFTER
			owner[e] = me;
			status[e] = TAKEN;
			MAYDIE;
#endif
			C(me, e) = 0;
			MAYDIE;
#ifdef BUG_TAG_AFTER
			owner[e] = me;
			status[e] = TAKEN;
			MAYDIE;
#endif
			atomic { linked[e] = 1; status[e] = HELD };
			MAYDIE;
			linked[e] = 0;
			MAYDIE;
			C(me, e) = 1;
			MAYDIE;
			status[e] = FREE;
			MAYDIE;
			r++
		fi
	:: else -> break
	od;
	finished++;
	goto out;
dead:
	skip;
out:
	skip
}

/* The recovery: once the victim is dead (found so by a live process). */
proctype recover()
{
	byte e;
	died;
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
#ifdef BUG_NO_CACHE_CHECK
				instack[e] = 1
#else
				if
				:: !C(VICTIM, e) -> instack[e] = 1
				:: else -> skip
				fi
#endif
			:: else -> skip
			fi
		};
		e++
	:: else -> break
	od;
	recovered = true
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
		run recover()
	}
	/* the end: the live ones done, the dead one recovered */
	(finished == N - 1 && recovered) || finished == N;
	if
	:: finished == N -> died = true /* lets recover() end: nothing to do */
	:: else -> skip
	fi;
	(recovered);
	e = 0;
	do
	:: e < K ->
		n = instack[e] + linked[e];
		p = 0;
		do
		:: p < N -> n = n + C(p, e); p++
		:: else -> break
		od;
		assert(n == 1);
		e++
	:: else -> break
	od
}
