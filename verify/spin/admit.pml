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
 *   wake     every sleeper woken                           lk__futex_wake(admit, INT32_MAX)
 *   look     c = count; b = bit                            load(admit)          (lk__admit_wait)
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
 * count never returns to 0, and the gate stays shut.
 */
// @check count-exact-no-sleeper-left pass - safety
// @check every-begin-passes pass - ltl:allpass
// @check bug-split-leave-lost-wake fail -DBUG_SPLIT_LEAVE safety
// @check bug-store-bit-count-lost fail -DBUG_STORE_BIT safety

#define W 2
#define B 2
#define ROUNDS 2

byte count;
bit sleepers;
byte left, passed;
bit sleeping[W + B];
chan futexq = [B] of { byte };

inline wake_all()
{
	do
	:: nempty(futexq) -> futexq?x; sleeping[x] = 0
	:: empty(futexq) -> break
	od
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
wake:			atomic { wake_all(); x = 0 }
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
	byte c;
	bit b;
look:	atomic { c = count; b = sleepers };
	if
	:: c == 0 -> goto pass
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
		:: else
		fi
	};
	(!sleeping[_pid]);
	goto look;
pass:	passed++
}

ltl allpass { <> (passed == B) }
