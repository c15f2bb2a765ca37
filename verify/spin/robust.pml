/*
 * robust.pml: the robust mutex's owner-death takeover; N threads (each its
 * own process), ROUNDS lock/unlock rounds each, up to DEATHS deaths in the
 * critical section. Models primitives/robust.h: lk_robust_lock
 * (+ lk__robust_slow_), lk_robust_consistent, lk_robust_unlock.
 *   word: TID (bits 0-3; 15 NOTREC) | START << 4 | WAITERS (256) | DEAD (512)
 *   label     atomic step                                  C operation
 *   load      v = word                                     load(word, relaxed)
 *   take      atomic { word == v -> word = MINE | wbit }   CAS(word, v (free), mine | wbit, acquire)
 *   check     dead(v): !alive[tid] || start[tid] != START  lk__robust_dead_(v): /proc/TID/stat
 *   takeover  atomic { word == v -> MINE|DEAD|W }          CAS(word, v (dead pair), ..., acquire)
 *   announce  atomic { word == v -> word = v | WAITERS }   CAS(word, v, v | WAITERS) once lk__wait would park
 *   park      atomic { low(word) == low(v) -> sleep }      lk__futex_wait_shared(low half, low(v))
 *   poll      a sleeper wakes when the owner is dead       the LK_ROBUST_POLL_NS timeout
 *   release   atomic { old = word; word = 0 or NOTREC }    exchange(word, 0 or NOTREC, release)
 *   wake      one sleeper if old had WAITERS (all: NOTREC) lk__futex_wake_shared
 * A death (in the critical section) clears the thread's alive flag; the
 * thread may then come back with the same TID and a new start time (a
 * reused TID) and go on locking. The futex queue is a channel.
 * Properties (safety): at most one live holder; a locker told 0 finds the
 * guarded state consistent (no half-done update is handed on silently);
 * EOWNERDEAD only after a holder died; no thread left asleep (invalid end
 * states: a lost wake, or a dead owner nobody takes the lock from).
 * Seeded bugs: BUG_SPLIT_TAKEOVER: the dead owner is replaced by a plain
 * store after the check, not a CAS: two lockers both take over.
 * BUG_TID_ONLY: the owner is compared by TID alone (no start time): a
 * reused TID is taken for the dead owner, the lock is never freed or the
 * new thread is told it holds it. BUG_NO_DEAD_FLAG: the takeover does not
 * set DEAD, so an unlock without consistent frees a broken state.
 */
// @check takeover-safe-2t pass - safety
// @check takeover-safe-3t pass -DN=3,-DROUNDS=1 safety
// @check bug-split-takeover fail -DBUG_SPLIT_TAKEOVER safety
// @check bug-tid-only fail -DBUG_TID_ONLY safety
// @check bug-no-dead-flag fail -DBUG_NO_DEAD_FLAG safety

#ifndef N
#define N 2
#endif
#ifndef ROUNDS
#define ROUNDS 2
#endif
#ifndef DEATHS
#define DEATHS 1
#endif
#define TIDM 15
#define NOTREC 15
#define STARTM 240
#define W 256
#define D 512
#define LOW(x) ((x) & (TIDM | W | D))
#define MINE (me | (start[me] << 4))

int word;
bit alive[N + 1];
byte start[N + 1];
byte incs;       /* live holders */
bit broken;      /* the guarded state is half-changed */
byte deaths;
bit sleeping[N + 1];
chan futexq = [N] of { byte };

#ifdef BUG_TID_ONLY
#define DEAD(v) (!alive[(v) & TIDM])
#define ISME(v) (((v) & TIDM) == me)
#else
#define DEAD(v) (!alive[(v) & TIDM] || start[(v) & TIDM] != (((v) & STARTM) >> 4))
#define ISME(v) (((v) & (TIDM | STARTM)) == MINE)
#endif

inline wake_one()
{
	if
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq)
	fi
}

inline wake_all()
{
	do
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq) -> break
	od
}

proctype T(byte me)
{
	int v, old;
	byte r, x;
	int wbit;
	byte rc; /* 0 ok, 1 ownerdead, 2 notrec */
	alive[me] = 1;
	do
	:: r == ROUNDS -> break
	:: r < ROUNDS ->
		r++;
		wbit = 0;
load:		v = word;
		if
		:: (v & TIDM) == 0 ->
take:			atomic {
				if
				:: word == v -> word = MINE | wbit; rc = 0
				:: else -> goto load
				fi
			}
		:: (v & TIDM) == NOTREC -> rc = 2; goto next
		:: (v & TIDM) != 0 && (v & TIDM) != NOTREC ->
			assert(!ISME(v)); /* EDEADLK: never a re-lock here */
			if
			:: true -> goto load /* still spinning */
			:: true -> /* spin over: check the owner, announce, park */
				if
				:: DEAD(v) ->
#ifdef BUG_SPLIT_TAKEOVER
					word = MINE | D | (v & W) | wbit; rc = 1
#else
takeover:				atomic {
						if
#ifdef BUG_NO_DEAD_FLAG
						:: word == v -> word = MINE | (v & W) | wbit; rc = 1
#else
						:: word == v -> word = MINE | D | (v & W) | wbit; rc = 1
#endif
						:: else -> goto load
						fi
					}
#endif
				:: else ->
announce:				atomic {
						if
						:: word == v -> word = v | W; v = v | W; wbit = W
						:: else -> goto load
						fi
					};
park:				atomic {
						if
						:: LOW(word) == LOW(v) -> futexq!me; sleeping[me] = 1
						:: else
						fi
					};
					if
					:: !sleeping[me]
					:: atomic { sleeping[me] && (word & TIDM) != 0 && (word & TIDM) != NOTREC && DEAD(word) ->
						futexq??eval(me); sleeping[me] = 0 } /* the poll */
					fi;
					goto load
				fi
			fi
		fi;
		/* holds it */
		atomic { incs++; assert(incs == 1); };
		assert(rc == 1 || !broken);
		assert(rc == 0 || deaths > 0);
		broken = 1;
		if
		:: deaths < DEATHS -> /* dies here */
			atomic { deaths++; incs--; alive[me] = 0 };
			if
			:: true -> goto gone
			:: true -> atomic { start[me] = (start[me] + 1) % 16; alive[me] = 1 }; goto next
			fi
		:: true
		fi;
		if
		:: rc == 0 -> broken = 0
		:: rc == 1 -> broken = 0; atomic { word = word & ~D } /* consistent */
		:: rc == 1 -> skip /* unlock without consistent */
		fi;
		incs--;
release:	atomic {
			old = word;
			if
			:: (old & D) -> word = NOTREC
			:: else -> word = 0
			fi
		};
		if
		:: (old & D) -> atomic { wake_all(); x = 0 }
		:: !(old & D) && (old & W) -> atomic { wake_one(); x = 0 }
		:: else
		fi;
next:		skip
	od;
gone:	skip
}

init
{
	atomic {
		byte i = 1;
		do
		:: i <= N -> run T(i); i++
		:: else -> break
		od
	}
}
