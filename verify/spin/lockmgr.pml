/*
 * lockmgr.pml: the lock table's grant protocol on one resource, 3 txns,
 * modes IS IX S X (the seed matrix): FIFO queue with group grant.
 * Models lockmgr/lock.c, grant.c: lock_one (arrival: compatibility with the
 * granted group and, FIFO, with the queue) and grant_pass (run by every
 * release: walks the queue in order, grants each request compatible with
 * the granted group and with every request still waiting before it).
 * The resource's head latch makes each of these one atomic step:
 *   label     atomic step                        C operation
 *   request   atomic { test; grant or enqueue }  head latch CAS ... test of
 *                                                conflicts[mode] & granted,
 *                                                queue_append, unlatch
 *                                                (release store)
 *   waitg     (held[me] != 0)                    lk__wait on the txn's
 *                                                futex word until granted
 *   release   atomic { drop; grant pass }        release_req + grant_pass
 *                                                under the head latch
 * The model's arrival rule is the brief's (compatible with every queued
 * request); the C code is stricter (nothing queued at all under
 * fifo_strict), which grants a subset, so the safety checks carry over.
 * Seeded bug BUG_BARGE: a new request is granted when compatible with the
 * holders, ignoring queued incompatible requests (FIFO broken; X starves).
 * NOMON turns the grant monitor off, so that the starvation check shows
 * the acceptance cycle rather than the first FIFO assertion.
 */
// @check compat-fifo pass - safety
// @check no-starvation pass - ltl:nostarve
// @check bug-barge-fifo fail -DBUG_BARGE safety
// @check bug-barge-starve fail -DBUG_BARGE,-DNOMON ltl:nostarve

#define N 3
/* modes IS=1 IX=2 S=3 X=4 (0: none); conflicts[m] as a bit mask */
#define CONF(a) ((a) == 1 -> 16 : ((a) == 2 -> 24 : ((a) == 3 -> 20 : 30)))
#define COMPAT(a, b) (((CONF(a) >> (b)) & 1) == 0)
#define NONE 0

byte held[N];  /* mode held, NONE if none */
byte want[N];  /* mode wanted while waiting */
bool wt[N];    /* waiting */
byte q[N];     /* FIFO queue of txn ids */
byte qlen;

/* ghost monitor: a grant to txn g in mode m is compatible with every
 * other holder and with every request queued before position `before`
 * that is still waiting */
inline check_grant(g, m, before)
{
#ifndef NOMON
	k = 0;
	do
	:: k < N ->
		assert(k == g || held[k] == NONE || COMPAT(held[k], m));
		k++
	:: else -> break
	od;
	k = 0;
	do
	:: k < before -> assert(COMPAT(want[q[k]], m)); k++
	:: else -> break
	od
#else
	skip
#endif
}

active [N] proctype Txn()
{
	byte m, i, j, k, e;
	bool ok;
	do
	::
		if
		:: m = 1
		:: m = 2
		:: m = 3
		:: m = 4
		fi;
request:
		atomic {
			ok = true;
			i = 0;
			do
			:: i < N ->
				if
				:: i != _pid && held[i] != NONE && !COMPAT(held[i], m) -> ok = false
				:: else -> skip
				fi;
				i++
			:: else -> break
			od;
#ifndef BUG_BARGE
			i = 0;
			do
			:: i < qlen ->
				if
				:: !COMPAT(want[q[i]], m) -> ok = false
				:: else -> skip
				fi;
				i++
			:: else -> break
			od;
#endif
			if
			:: ok ->
				check_grant(_pid, m, qlen);
				held[_pid] = m
			:: else ->
				want[_pid] = m;
				wt[_pid] = true;
				q[qlen] = _pid;
				qlen++
			fi;
			i = 0; k = 0; ok = false
		}
waitg:
		(held[_pid] != NONE);
		/* holding: every other holder is compatible */
		i = 0;
		do
		:: i < N ->
			assert(i == _pid || held[i] == NONE || COMPAT(held[i], held[_pid]));
			i++
		:: else -> i = 0; break
		od;
release:
		atomic {
			held[_pid] = NONE;
			/* grant pass: j = write index of the kept queue */
			i = 0;
			j = 0;
			do
			:: i < qlen ->
				e = q[i];
				ok = true;
				k = 0;
				do
				:: k < N ->
					if
					:: k != e && held[k] != NONE && !COMPAT(held[k], want[e]) -> ok = false
					:: else -> skip
					fi;
					k++
				:: else -> break
				od;
				k = 0;
				do
				:: k < j ->
					if
					:: !COMPAT(want[q[k]], want[e]) -> ok = false
					:: else -> skip
					fi;
					k++
				:: else -> break
				od;
				if
				:: ok ->
					check_grant(e, want[e], j);
					held[e] = want[e];
					want[e] = 0;
					wt[e] = false
				:: else ->
					q[j] = e;
					j++
				fi;
				i++
			:: else -> break
			od;
			qlen = j;
			do /* clear the stale tail: fewer states */
			:: j < N -> q[j] = 0; j++
			:: else -> break
			od;
			i = 0; j = 0; k = 0; e = 0; ok = false; m = 0
		}
	od
}

/* every waiting txn is eventually granted (weak fairness) */
ltl nostarve { [] (wt[0] -> <> !wt[0]) }
