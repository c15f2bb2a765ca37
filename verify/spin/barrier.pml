/*
 * barrier.pml: generation-counted barrier parking on its generation word;
 * 3 processes, a barrier of 3, used for ROUNDS generations (default 3).
 * Models primitives/barrier.h: lk_barrier_wait (+ lk_barrier_wait_slow_).
 *   label    atomic step                                  C operation
 *   readgen  g = gen & ~SLEEPERS                          load(gen, relaxed) before arriving
 *   arrive   atomic { arrived++; a = arrived }            fetch_add(arrived, 1, acq_rel)
 *   reset    arrived = 0                                  store(arrived, 0, relaxed) (serial thread)
 *   flip     atomic { old = gen; gen = g + 2 }            exchange(gen, g + STEP, release) (serial)
 *   wake     wake every sleeper if old had SLEEPERS       lk__futex_wake(&gen, INT32_MAX)
 *   look     v = gen                                      load(gen, acquire) in the wait loop
 *   announce atomic { gen == v -> gen = v|SLEEPERS }      CAS(gen, v, v|SLEEPERS) once lk__wait would park
 *   park     atomic { gen == v -> enqueue, sleep }        lk__futex_wait(&gen, v): compare and sleep as one step
 * A waiter may spin (look again) or announce and park at any point: the
 * spin budget and the oversubscribed "park at once" are both covered.
 * gen counts by 2 (bit 0 SLEEPERS) and does not wrap within the bound.
 * Properties: no thread leaves generation r before every thread has
 * arrived at r (assertion, over ROUNDS reuses); exactly one serial thread
 * per generation (assertion); no one left asleep (invalid end states);
 * everyone finishes (ltl allfinish, weak fairness).
 * Seeded bugs: BUG_NOFLIP: the barrier does not flip its generation: the
 * serial thread marks it open (gen = OPEN) and waiters wait for "open",
 * a one-shot gate reused: from the second generation on a waiter finds it
 * open and leaves before the others arrive. BUG_GEN_AFTER: a waiter reads
 * gen after arriving: the serial thread may flip first, and the waiter
 * then waits for a generation that needs its own arrival (a hang).
 */
// @check no-early-exit-3-rounds pass - safety
// @check everyone-finishes pass - ltl:allfinish
// @check no-early-exit-2p-5-rounds pass -DN=2,-DROUNDS=5 safety
// @check bug-no-generation-flip fail -DBUG_NOFLIP safety
// @check bug-gen-read-after-arrival fail -DBUG_GEN_AFTER safety

#ifndef N
#define N 3
#endif
#ifndef ROUNDS
#define ROUNDS 3
#endif
#define SLEEPERS 1
#define OPEN 2

byte gen, arrived, finished;
byte round[N];      /* ghost: the generation each process arrived at, + 1 */
byte serials[ROUNDS + 1]; /* ghost: serial returns per generation */
bit sleeping[N];
chan futexq = [N] of { byte };

inline wake_all()
{
	do
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq) -> break
	od
}

/* every process has arrived at generation r (0-based) */
#if N == 2
#define ALL_ARRIVED(r) (round[0] > r && round[1] > r)
#else
#define ALL_ARRIVED(r) (round[0] > r && round[1] > r && round[2] > r)
#endif

active [N] proctype P()
{
	byte r, g, a, v, old, x;
	do
	:: r == ROUNDS -> break
	:: r < ROUNDS ->
#ifndef BUG_GEN_AFTER
readgen:	g = gen & ~SLEEPERS;
#endif
arrive:		atomic { arrived++; a = arrived; round[_pid] = r + 1 };
#ifdef BUG_GEN_AFTER
		g = gen & ~SLEEPERS;
#endif
		if
		:: a == N ->
reset:			arrived = 0;
#ifdef BUG_NOFLIP
flip:			atomic { old = gen; gen = OPEN };
#else
flip:			atomic { old = gen; gen = g + 2 };
#endif
wake:			atomic { if :: (old & SLEEPERS) -> wake_all() :: else fi; x = 0 };
			serials[r]++;
			assert(serials[r] == 1)
		:: else ->
			do
			:: true ->
look:				v = gen;
#ifdef BUG_NOFLIP
				if
				:: (v & ~SLEEPERS) == OPEN -> break
				:: else
				fi;
#else
				if
				:: (v & ~SLEEPERS) != g -> break
				:: else
				fi;
#endif
				if
				:: true /* spin: look again */
				:: (v & SLEEPERS) == 0 ->
announce:				atomic {
						if
						:: gen == v -> gen = v | SLEEPERS; v = gen
						:: else -> v = 255 /* changed: look again */
						fi
					};
					if
					:: v != 255 -> goto park
					:: else
					fi
				:: (v & SLEEPERS) != 0 ->
park:					atomic {
						if
						:: gen == v -> futexq!_pid; sleeping[_pid] = 1
						:: else
						fi
					};
					(!sleeping[_pid])
				fi
			od
		fi;
		/* left generation r: everyone has arrived at it */
		assert(ALL_ARRIVED(r));
		atomic { r++; g = 0; a = 0; v = 0; old = 0 }
	od;
	finished++
}

ltl allfinish { <> (finished == N) }
