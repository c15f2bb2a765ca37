/*
 * sem.pml: futex counting semaphore with a sleeper count; 3 processes,
 * 1 permit (-DK=2: 2 permits). Models primitives/sem.h: lk_sem_trywait,
 * lk_sem_wait / lk_sem_timedwait (lk_sem_wait_slow_), lk_sem_post.
 *   label    atomic step                               C operation
 *   try      atomic { count > 0 -> count-- }           lk_sem_trywait: load + CAS_weak(v, v - 1, acquire) loop while v > 0
 *   sinc     sleepers++                                fetch_add(sleepers, 1, seq_cst) (park phase only)
 *   park     atomic { count == 0 -> enqueue, sleep }   lk__futex_wait(&count, 0): compare and sleep in one step
 *   woken    (!sleeping[i])                            futex_wait returns (woken; a timed one may also time out)
 *   sdec     sleepers--                                fetch_sub(sleepers, 1, relaxed)
 *   padd     count++                                   fetch_add(count, 1, seq_cst)
 *   pchk     sleepers > 0 -> wake head of the queue    load(sleepers, seq_cst); lk__futex_wake(&count, 1)
 * The futex queue is FIFO. Spinning before the park phase is left out (it
 * only re-tries trywait). P2 may use timedwait (give up after a wait, with
 * a last trywait).
 * P1 and P2 may finish after any round, so a wake that is lost is not
 * rescued by a later post.
 * Properties: never more than K holders, no deadlock: P0 never sleeps for
 * ever once the others are gone (safety); a sleeper is eventually woken
 * (ltl nolost, weak fairness).
 * Seeded bugs: BUG_NO_WAKE: post forgets the wake; BUG_CHECK_FIRST: post
 * looks at sleepers before adding the permit (a sleeper that counts itself
 * in between is never woken).
 */
// @check permits-never-exceeded pass - safety
// @check permits-never-exceeded-k2 pass -DK=2 safety
// @check no-lost-wakeup pass - ltl:nolost
// @check bug-post-without-wake fail -DBUG_NO_WAKE ltl:nolost
// @check bug-post-checks-sleepers-first fail -DBUG_CHECK_FIRST safety

#ifndef K
#define K 1
#endif
#define N 3
byte count = K, sleepers;
bit sleeping[N];
chan futexq = [N] of { byte };
byte inside;

inline wake_one()
{
	if
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq)
	fi
}

active [N] proctype P()
{
	byte x; bit timed, s;
	do
	:: skip;
		timed = 0;
		if :: _pid == 2 -> timed = 1 :: true fi;
		do
		:: atomic { count > 0 -> count-- }; break /* try */
		:: count == 0 ->
sinc:			sleepers++;
			if
			:: atomic { count == 0 -> futexq!_pid; sleeping[_pid] = 1 }; /* park */
				if
				:: (!sleeping[_pid]) /* woken */
				:: atomic { timed && sleeping[_pid] -> futexq??eval(_pid); sleeping[_pid] = 0 }
				fi
			:: count != 0
			fi;
sdec:			sleepers--;
			if
			:: timed -> /* deadline passed: one last trywait */
				if
				:: atomic { count > 0 -> count-- }; break
				:: count == 0 -> goto out
				fi
			:: true
			fi
		od;
		atomic { inside++; assert(inside <= K) };
		inside--;
#ifdef BUG_CHECK_FIRST
		s = (sleepers > 0);
padd:		count++;
#else
padd:		count++;
		s = (sleepers > 0);
#endif
#ifndef BUG_NO_WAKE
pchk:		atomic { if :: s -> wake_one() :: else fi; x = 0 };
#endif
out:		atomic { s = 0; timed = 0 };
		if
		:: _pid != 0 -> break   /* P1, P2 may finish: nobody else posts */
		:: true
		fi
	od
}

ltl nolost { [] (sleeping[0] -> <> !sleeping[0]) }
