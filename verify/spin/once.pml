/*
 * once.pml: call-once on a futex word; 3 processes each call lk_once once.
 * Models primitives/once.h: lk_once / lk_once_ctx (+ lk_once_slow_).
 *   label    atomic step                                 C operation
 *   fast     s = state                                   load(state, acquire): DONE returns (the done path)
 *   claim    atomic { state == NEW -> state = RUNNING }  CAS(state, NEW, RUNNING, acquire / acquire)
 *   effect   runs++; data = 1 (two steps)                fn()
 *   publish  atomic { old = state; state = DONE }        exchange(state, DONE, release)
 *   wake     wake every sleeper if old had WAITERS       lk__futex_wake(&state, INT32_MAX)
 *   reload   s = state                                   load(state, acquire) while spinning (lk__wait spin phase)
 *   announce atomic { state == s -> state = s|WAITERS }  CAS(state, s, s|WAITERS) once lk__wait would park
 *   park     atomic { state == s -> enqueue, sleep }     lk__futex_wait(&state, s): compare and sleep as one step
 * The futex queue is a channel; a wake empties it. The model is
 * sequentially consistent: "fn's effects before DONE" is the program
 * order of effect and publish, and the seeded bug that reorders them
 * stands for a relaxed (not release) publish.
 * Properties: fn runs at most once and every caller that returns sees
 * its effect (assertions); no caller is left asleep (invalid end states,
 * safety); every caller returns (ltl alldone, weak fairness).
 * Seeded bugs: BUG_DONE_FIRST: DONE is published before fn's effects (a
 * relaxed publish, or a done flag set first): a caller returns and reads
 * data == 0. BUG_SPLIT_SWAP: the runner loads the word, then stores DONE
 * (two steps, not one swap): a waiter that announces itself in between is
 * never woken.
 */
// @check runs-once-effects-visible pass - safety
// @check every-caller-returns pass - ltl:alldone
// @check bug-done-before-effects fail -DBUG_DONE_FIRST safety
// @check bug-split-swap-lost-wake fail -DBUG_SPLIT_SWAP safety

#define N 3
#define NEW 0
#define RUNNING 1
#define WAITERS 2
#define DONE 4

byte state = NEW;
byte data, runs, returned;
bit sleeping[N];
chan futexq = [N] of { byte };

inline wake_all()
{
	do
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq) -> break
	od
}

active [N] proctype P()
{
	byte s, old, x;
fast:	s = state;
top:
	if
	:: s == DONE -> goto done
	:: s == NEW -> goto claim
	:: s == RUNNING || s == (RUNNING | WAITERS) -> goto waiting
	fi;
claim:
	atomic {
		if
		:: state == NEW -> state = RUNNING
		:: else -> s = state; goto top
		fi
	};
#ifdef BUG_DONE_FIRST
publish: atomic { old = state; state = DONE };
effect:	runs++;
	assert(runs == 1);
	data = 1;
#else
effect:	runs++;
	assert(runs == 1);
	data = 1;
#ifdef BUG_SPLIT_SWAP
publish: old = state;
	state = DONE;
#else
publish: atomic { old = state; state = DONE };
#endif
#endif
wake:	atomic { if :: (old & WAITERS) -> wake_all() :: else fi; x = 0 };
	goto done;
waiting:
	if
	:: true -> /* spin phase: look again */
reload:		s = state; goto top
	:: (s & WAITERS) == 0 -> /* parking: announce */
announce:	atomic {
			if
			:: state == s -> state = s | WAITERS; s = state
			:: else -> s = state; goto top
			fi
		}
	:: (s & WAITERS) != 0
	fi;
park:	atomic {
		if
		:: state == s -> futexq!_pid; sleeping[_pid] = 1
		:: else
		fi
	};
	(!sleeping[_pid]);
	s = state;
	goto top;
done:
	assert(data == 1);
	returned++
}

ltl alldone { <> (returned == N) }
