/*
 * brlock.pml: big-reader lock: per-stripe reader counts and one writer flag.
 * Models primitives/brlock.h: lk__br_rdlock_ / lk__br_rdslow_ (rdlock,
 * rdtrylock, rdtimedlock), lk_brlock_rdunlock, lk__br_wrlock_ (wrlock,
 * wrtrylock, wrtimedlock), lk_brlock_wrunlock. 2 stripes; readers R0 and R1
 * use stripes 0 and 1, or both stripe 0 with -DSHARED (threads share a stripe
 * once there are more threads than LK_BRLOCK_STRIPES).
 *   label    atomic step                    C operation
 *   radd     n[s]++                         fetch_add(stripe n, 1, seq_cst)
 *   rchk     flag == 0 ?                    load(w.flag, seq_cst)
 *   rsub     n[s]--                         fetch_sub(n, 1, relaxed): back off (trylock: fail)
 *   rwait    (flag == 0)                    load(w.flag, relaxed) loop in lk__wait (timed: may give up)
 *   rrel     n[s]--                         fetch_sub(n, 1, release)
 *   wcas     atomic { flag == 0 -> flag = 1 }  CAS_weak(w.flag, 0, 1, seq_cst) loop
 *   wscan    (n[0] == 0); (n[1] == 0)       load(stripe[i].n, seq_cst) loop, stripe by stripe
 *   wtmo     flag = 0                       store(w.flag, 0, relaxed): timed/try writer gives up
 *   wrel     flag = 0                       store(w.flag, 0, release)
 * The store-load pairs (reader: n++ then load flag; writer: flag = 1 then
 * load n) need seq_cst in C; Spin's interleaving is sequentially consistent.
 * W0 uses wrlock; W1 wrtrylock or wrtimedlock (may give up at any wait).
 * Properties: RW exclusion, no deadlock (safety); W0 gets in (ltl wprog,
 * weak fairness, readers untimed, no second writer: writers race for the
 * flag with no fairness, so W1 could take it every time).
 * Seeded bug BUG_NO_RECHECK: a reader loads the flag before incrementing its
 * stripe and does not look again, so it can enter under a writer.
 */
// @check rw-exclusion pass - safety
// @check rw-exclusion-shared-stripe pass -DSHARED safety
// @check writer-progress pass -DNOTIMED_R,-DONEW ltl:wprog
// @check bug-no-recheck-after-increment fail -DBUG_NO_RECHECK safety

#define NR 2
byte n[2];
bit flag;
byte nr, nw;
bool wwant, wcs;

inline chk() { assert(nw == 0 || (nw == 1 && nr == 0)) }

active [NR] proctype R()
{
	byte s; bit timed, try;
#ifdef SHARED
	s = 0;
#else
	s = _pid;
#endif
	do
	:: skip;
		timed = 0; try = 0;
#ifndef NOTIMED_R
		if :: timed = 1 :: try = 1 :: skip fi;
#endif
#ifdef BUG_NO_RECHECK
		(flag == 0);
		n[s]++;
		goto rin;
#endif
radd:		n[s]++;
		do
		:: flag == 0 -> break          /* rchk */
		:: else ->
rsub:			n[s]--;
			if
			:: try -> goto rdone
			:: else
			fi;
			if
			:: (flag == 0)          /* rwait */
			:: timed -> goto rdone
			fi;
			n[s]++
		od;
rin:		atomic { nr++; chk() };
		nr--;
rrel:		n[s]--;
rdone:		skip
	od
}

active [2] proctype W()
{
	bit timed;
#ifdef ONEW
	(_pid == NR);   /* W1 stays out: writers race with no fairness */
#endif
	do
	:: skip;
		timed = 0;
		if :: _pid == NR -> wwant = 1 :: else -> timed = 1 fi;
		if
		:: atomic { flag == 0 -> flag = 1 }     /* wcas */
		:: timed -> goto wdone
		fi;
		if
		:: (n[0] == 0)                          /* wscan stripe 0 */
		:: timed -> flag = 0; goto wdone
		fi;
		if
		:: (n[1] == 0)                          /* wscan stripe 1 */
		:: timed -> flag = 0; goto wdone
		fi;
		atomic { nw++; chk(); if :: _pid == NR -> wcs = 1; wwant = 0 :: else fi };
		atomic { nw--; wcs = 0 };
wrel:		flag = 0;
wdone:		skip
	od
}

ltl wprog { [] (wwant -> <> wcs) }
