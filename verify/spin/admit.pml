/*
 * admit.pml: the lock table's admission gate (lockmgr/admit.c, README
 * "Admission"). W chained waits each begin and end twice; B begins each
 * pass the gate once. The word m->admit is the pair (count, bit): the
 * chained waits under way and LK__ADMIT_SLEEPERS; every step that reads or
 * writes the word reads or writes both, as the C does on one uint32_t.
 *   label    atomic step                                   C operation
 *   enter    count++                                       fetch_add(admit, 1)  (lk__admit_enter)
 *   leave    oc = count; ob = bit; count--                 fetch_sub(admit, 1)  (lk__admit_leave)
 *   clear    bit = 0                                       fetch_and(admit, ~SLEEPERS) if ob and oc == 1
 *   wake     one sleeper woken (the first queued)          lk__futex_wake(admit, 1)
 *   look     c = count; b = bit                            load(admit)          (lk__admit_wait)
 *   relay    if woken before and c == 0: wake one           lk__futex_wake(admit, 1)
 *   announce CAS (c, b) -> (c, 1)                          CAS(admit, v, v | SLEEPERS)
 *   park     if the word is (c, 1): sleep, one step        lk__futex_wait(admit, v, end)
 * The C begin also leaves when its time (admit_ns) runs out; the model has
 * no clock, so a wake-up lost here is a begin asleep for ever, not one
 * that waited its whole time. The futex queue is a channel; a wake
 * empties it. All the C's atomics on the word are relaxed: they touch one
 * location, whose modification order is total, so the model's
 * interleaving of whole steps is exact for them.
 * Properties: when every wait has ended the count is 0 (assertion); no
 * begin is left asleep (invalid end states, safety); every begin passes
 * (ltl allpass, weak fairness).
 * Seeded bugs: BUG_SPLIT_LEAVE: the leaver reads the word, then
 * decrements it in a second step: a begin that announces itself in
 * between is never woken. BUG_STORE_BIT: the begin stores (c, 1) from its
 * earlier look instead of a CAS: a decrement in between is undone, the
 * count never returns to 0, and the gate stays shut. BUG_NO_RELAY: a
 * woken begin that finds the gate open goes without waking the next: with
 * the opening's single wake, the other sleepers are left asleep.
 *
 * -DSHARED: a shared table's form, with one begin (two with -DBEGINS2,
 * which the relay then passes between: make verify, 73 million states).
 * Process 0 has two chained waits, process 1 one, which may be killed at
 * any step; then the recovery (lk__admit_forget) zeroes process 1's count
 * and clears its bit. The word's low part is a bit per process, set by
 * the wait that raises its process's count from 0 and cleared by the one
 * that brings it to 0:
 *   enter    oc = cnt[p]; cnt[p]++, then if oc == 0: bits |= 1 << p
 *   leave    oc = cnt[p]; cnt[p]--, then if oc == 1:
 *            ob = bits, os = sleepers; bits &= ~(1 << p) (one step), and
 *            if os and no other bit: sleepers = 0, wake one sleeper (a
 *            begin woken that finds no bit relays, as above)
 *   forget   cnt[1] = 0; the same clear; then open, whatever the bits
 *            are: the dead process may have cleared sleepers and died
 *            before its wake, and a begin woken while other bits stand
 *            sets sleepers again and sleeps
 * Properties as above: once every wait has ended or died and been
 * recovered, no bit is left; no begin is left asleep; every begin passes.
 * Seeded bugs: BUG_FORGET_KEEPS_BIT: the recovery zeroes the count and
 * leaves the bit (the gate stays shut for ever); BUG_FORGET_NO_WAKE: it
 * clears the bit but wakes no sleeper; BUG_FORGET_OPEN_IF_LAST: it wakes
 * only when no other bit stands (the first form of lk__admit_forget,
 * which this model rejected: process 1 dies between clearing sleepers
 * and its wake, process 0 sets its bit, the recovery sees that bit and
 * wakes nobody, and process 0's leave finds sleepers clear).
 */
// @check count-exact-no-sleeper-left pass - safety
// @check every-begin-passes pass - ltl:allpass
// @check bug-split-leave-lost-wake fail -DBUG_SPLIT_LEAVE safety
// @check bug-store-bit-count-lost fail -DBUG_STORE_BIT safety
// @check bug-no-relay-sleeper-left fail -DBUG_NO_RELAY safety
// @check-long three-begins-no-sleeper-left pass -DBEGINS3 safety
// @check shared-bits-exact-no-sleeper-left pass -DSHARED safety
// @check shared-every-begin-passes pass -DSHARED ltl:allpass
// @check bug-shared-forget-keeps-bit fail -DSHARED,-DBUG_FORGET_KEEPS_BIT safety
// @check bug-shared-forget-no-wake fail -DSHARED,-DBUG_FORGET_NO_WAKE safety
// @check bug-shared-forget-open-if-last fail -DSHARED,-DBUG_FORGET_OPEN_IF_LAST safety
// @check-long bug-shared-no-relay fail -DSHARED,-DBEGINS2,-DBUG_NO_RELAY safety
// @check-long shared-two-begins-no-sleeper-left pass -DSHARED,-DBEGINS2 safety

#ifdef SHARED
#ifdef BEGINS2
#define B 2 /* the relay between two held begins (make verify) */
#else
#define B 1
#endif
#define NW 3 /* waits: two of process 0, one of process 1 (may die) */

byte bits; /* bit p: process p has chained waits under way */
bit sleepers;
byte cnt[2];
byte left, passed;
bit dead, w1done; /* process 1 killed / its wait ended first */
bit sleeping[NW + 1 + B];
chan futexq = [B] of { byte };

inline wake_all()
{
	do
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq) -> break
	od
}

/* futex wake of one: the first queued, if any */
inline wake_one()
{
	if
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq)
	fi;
	x = 0
}

/* the word's low bits emptied with sleepers: clear, wake one (the relay
 * takes it on) */
inline open()
{
	sleepers = 0;
	atomic { wake_one() }
}

/* the recovery: every sleeper looks again */
inline open_all()
{
	sleepers = 0;
	atomic { wake_all(); x = 0 }
}

inline finished()
{
	atomic {
		left++;
		if
		:: left == NW -> assert(bits == 0)
		:: else
		fi
	}
}

inline wait_body(p)
{
	atomic { oc = cnt[p]; cnt[p]++ };
	if
	:: oc == 0 -> bits = bits | (1 << p)
	:: else
	fi;
	atomic { oc = cnt[p]; cnt[p]-- };
	if
	:: oc == 1 ->
		atomic { ob = bits; os = sleepers; bits = bits & ~(1 << p) };
		if
		:: os && (ob & ~(1 << p)) == 0 -> open()
		:: else
		fi
	:: else
	fi
}

active [2] proctype Wait0()
{
	byte oc, ob, x;
	bit os;
	wait_body(0);
	finished()
}

active proctype Wait1()
{
	byte oc, ob, x;
	bit os;
	{ wait_body(1); w1done = 1 } unless { dead };
	if
	:: w1done -> finished()
	:: else
	fi
}

/* kills process 1 or not; after a kill, the recovery */
active proctype Killer()
{
	byte ob, x;
	if
	:: atomic { !w1done -> dead = 1 };
		cnt[1] = 0;
#ifdef BUG_FORGET_KEEPS_BIT
		ob = bits;
#else
		atomic { ob = bits; bits = bits & ~2 };
#endif
#if defined(BUG_FORGET_OPEN_IF_LAST)
		if
		:: (ob & ~2) == 0 -> open_all()
		:: else
		fi;
#elif !defined(BUG_FORGET_NO_WAKE)
		open_all();
#endif
		finished()
	:: skip
	fi
}

active [B] proctype Begin()
{
	byte c, x;
	bit b, woke;
look:	atomic { c = bits; b = sleepers };
	if
	:: c == 0 -> goto relay
	:: else
	fi;
	if
	:: !b ->
announce:	atomic {
			if
			:: bits == c && sleepers == b -> sleepers = 1; b = 1
			:: else -> goto look
			fi
		}
	:: else
	fi;
park:	atomic {
		if
		:: bits == c && sleepers == b -> futexq!_pid; sleeping[_pid] = 1
		:: else -> woke = 0 /* futex_wait returned at once: no wake spent */
		fi
	};
	(!sleeping[_pid]);
	woke = 1;
	goto look;
relay:
#ifndef BUG_NO_RELAY
	if
	:: woke -> atomic { wake_one() }
	:: else
	fi;
#endif
pass:	passed++
}

#else
#define W 2
#ifdef BEGINS3
#define B 3 /* a relay that passes a wake-up on twice (make verify-long) */
#else
#define B 2
#endif
#define ROUNDS 2

byte count;
bit sleepers;
byte left, passed;
bit sleeping[W + B];
chan futexq = [B] of { byte };

inline wake_one()
{
	if
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq)
	fi;
	x = 0
}

active [W] proctype Wait()
{
	byte r, oc, x;
	bit ob;
	for (r : 1 .. ROUNDS) {
enter:		count++;
#ifdef BUG_SPLIT_LEAVE
leave:		oc = count; ob = sleepers;
		count--;
#else
leave:		atomic { oc = count; ob = sleepers; count-- };
#endif
		if
		:: ob && oc == 1 ->
clear:			sleepers = 0;
wake:			atomic { wake_one() }
		:: else
		fi
	}
	atomic {
		left++;
		if
		:: left == W -> assert(count == 0)
		:: else
		fi
	}
}

active [B] proctype Begin()
{
	byte c, x;
	bit b, woke;
look:	atomic { c = count; b = sleepers };
	if
	:: c == 0 -> goto relay
	:: else
	fi;
	if
	:: !b ->
#ifdef BUG_STORE_BIT
announce:	atomic { count = c; sleepers = 1; b = 1 }
#else
announce:	atomic {
			if
			:: count == c && sleepers == b -> sleepers = 1; b = 1
			:: else -> goto look
			fi
		}
#endif
	:: else
	fi;
park:	atomic {
		if
		:: count == c && sleepers == b -> futexq!_pid; sleeping[_pid] = 1
		:: else -> woke = 0 /* futex_wait returned at once: no wake spent */
		fi
	};
	(!sleeping[_pid]);
	woke = 1;
	goto look;
relay:
#ifndef BUG_NO_RELAY
	if
	:: woke -> atomic { wake_one() }
	:: else
	fi;
#endif
pass:	passed++
}

#endif

ltl allpass { <> (passed == B) }
