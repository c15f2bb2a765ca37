/*
 * shmlatch.pml: a head latch of the shared lock table whose holder may die
 * inside the critical section (lockmgr/SHARED.md, "The hard case"; built
 * in lockmgr/repair.c). N processes, ROUNDS latched changes each, at most
 * one death. A change is two stores that must agree: the forward link
 * that puts a request in the holder list (llen, the one store that makes
 * the change: list_push's last) and the count derived from the list (cnt,
 * count_add). The repair rebuilds what is derived from the forward links
 * (redo from the list, no undo record).
 *   label     atomic step                                 design
 *   take      atomic { latch == 0 -> latch = 1; owner = me }  one CAS: the owner is in the latch word
 *   change    llen++ ; cnt++                                the link store, then the derived count
 *   release   owner = none; latch = 0                       the release store
 *   check     dead(o): !alive[o] || start[pid[o]] != st[o]  /proc/PID/stat: PID and start time
 *   takeover  atomic { owner == o -> owner = me }           CAS of the latch word (one taker)
 *   repair    cnt = llen                                    recount from the forward walk
 * A death stops the process anywhere; its PID may then be reused by an
 * unrelated new process (start time changes).
 * Properties (safety): T1 at most one live process in the critical
 * section; T2 whenever the latch is free, llen == cnt; T3 no live process
 * left blocked (an invalid end state is a latch nobody takes over).
 * Seeded bugs: BUG_NO_REPAIR: takeover without the recount (T2).
 * BUG_PID_ONLY: liveness by PID alone, and the PID was reused (T3).
 * BUG_SPLIT_TAKEOVER: the owner is replaced by a plain store after the
 * check, not a CAS: two waiters both take over (T1).
 */
// @check takeover-2p pass - safety
// @check takeover-3p pass -DN=3,-DROUNDS=1 safety
// @check bug-no-repair fail -DBUG_NO_REPAIR safety
// @check bug-pid-only fail -DBUG_PID_ONLY safety
// @check bug-split-takeover fail -DBUG_SPLIT_TAKEOVER,-DN=3,-DROUNDS=1 safety

#ifndef N
#define N 2
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif
#define NONE 255

bit latch;
byte owner = NONE;
byte cnt, llen;          /* the two words a change keeps equal */
bit alive[N];
byte start[N];          /* the start time /proc gives for pid i now */
byte st[N];             /* the start time process i registered with */
bit died;               /* at most one death */
bit pidreused;
byte incs;              /* live processes inside the critical section */

inline maybe_die() {
	if
	:: atomic { !died -> died = 1; alive[me] = 0; incs = incs - inme }; goto gone
	:: skip
	fi
}

#ifdef BUG_PID_ONLY
#define DEAD(o) (!alive[o] && !pidreused)
#else
#define DEAD(o) (!alive[o] || start[o] != st[o])
#endif

proctype P(byte me) {
	byte n = 0, o;
	bit inme = 0, d;
	do
	:: n < ROUNDS ->
try:
		if
		:: atomic { latch == 0 -> latch = 1; owner = me; inme = 1; incs++;
			assert(cnt == llen) }             /* T2 */
		:: atomic { latch == 1 && owner != me && owner != NONE -> o = owner }
			d = DEAD(o);
			if
			:: d ->
#ifdef BUG_SPLIT_TAKEOVER
				owner = me; /* checked above: a plain store now */
				atomic { inme = 1; incs++ }
#else
				if /* the CAS fails if another took over first */
				:: atomic { owner == o -> owner = me; inme = 1; incs++ }
				:: atomic { owner != o } -> goto try
				fi;
#endif
#ifndef BUG_NO_REPAIR
				cnt = llen; /* head_repair: counts from the list */
#endif
				assert(cnt == llen)               /* T2 */
			:: else -> /* park; the poll rechecks the owner */
				(latch == 0 || owner != o || DEAD(o));
				goto try
			fi
		fi;
		assert(incs <= 1);                       /* T1 */
		maybe_die();
		llen++;
		maybe_die();
		cnt++;
		maybe_die();
		atomic { incs--; inme = 0; owner = NONE; latch = 0 }
		n++
	:: else -> break
	od;
gone:
	skip
}

/* the PID of a dead process may come back as a new process, another
 * start time */
active proctype Reuse() {
	byte i;
end:	if
	:: skip
	:: died ->
		atomic {
			for (i : 0 .. N - 1) {
				if
				:: !alive[i] -> start[i] = st[i] + 1; pidreused = 1
				:: else
				fi
			}
		}
	fi
}

init {
	byte i;
	atomic {
		for (i : 0 .. N - 1) { alive[i] = 1; start[i] = i + 1; st[i] = i + 1 }
		for (i : 0 .. N - 1) { run P(i) }
	}
}
