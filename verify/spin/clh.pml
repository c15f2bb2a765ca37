/*
 * clh.pml: CLH queue lock (NULL-able tail, parking waiters, nodes that
 * wander between threads) as the queue behind the queue gate (gate.pml);
 * N processes, 2N nodes.
 * Models primitives/clh.h: lk_clh_lock (fast path, the look, the CLH queue,
 * lk_clh_wait_free_, the head's loop on the lock word, the pass: the old
 * lk_clh_release_ now runs when the head has taken the word), lk_clh_trylock
 * (the look alone), lk_clh_unlock (the gate's release), and the per-thread
 * spare list (lk_clh_node_get_ / lk_clh_node_put_). The lock word and its
 * head loop are gate.pml's, step for step (see its table); the queue:
 *   label    atomic step                                 C operation
 *   swap     atomic { n = spare or malloc;               lk_clh_node_get_ + store(n->state, HELD, relaxed)
 *            st[n] = HELD; pred = tail; tail = n }       then atomic_exchange_explicit(&l->tail, n, acq_rel)
 *                                                        (n is private until the exchange: one step)
 *   wspin    (st[pred] != HELD)                          load(pred->state, acquire) spinning in lk__wait
 *   announce atomic { st[pred]==HELD -> PARKED }         CAS(pred->state, HELD, PARKED, relaxed)
 *   park     atomic { st[pred]==PARKED -> sleeping }     lk__futex_wait(&pred->state, PARKED): compare and sleep in one step
 *   woken    (!sleeping[i])                              futex_wait returns
 *   gain     put(pred)                                   lk_clh_node_put_(pred): keep as spare, or free(); now the head
 *   cas      atomic { tail == n -> tail = NIL }          CAS(l->tail, n, NULL, release, relaxed), after the head
 *                                                        took the word: no successor, put(n)
 *   handoff  atomic { old = st[n]; st[n] = FREE }        atomic_exchange_explicit(&n->state, FREE, release):
 *                                                        headship (and n) pass to the successor
 *   wake     old == PARKED -> wake one sleeper on n      lk__futex_wake(&n->state, 1) (address only)
 * The look (steal), the head loop (hacq/hann/fwait/slept) and the unlock
 * (rel/wake) are as in gate.pml: each load-decide-CAS loop is one atomic
 * step, a failed look is always possible, trylock is the look alone (a
 * failed one changes nothing) and the head's window expiry is the Timer
 * process (any time while there is a head: tail != NIL; weakly fair).
 * The node sleepers (sleeping[], on a node) and the word's sleeper
 * (wsleep[], only the head) are apart.
 * The spare list is modelled with LK_CLH_POOL = 1: a second spare is freed to
 * a global allocator that hands the lowest free node out again, so memory
 * reuse happens as early as it can. Checked: mutual exclusion, FIFO in swap
 * order among the queued (ghost `order`; a stealer is not in the queue),
 * bounded overtaking (with NOSTEAL set, only the head that set it
 * acquires), no deadlock, a node is freed only when no waiter still looks at
 * it (ghost `waiton`), starvation freedom (LTL).
 * Bounds: with 3 processes, the steals (and with them NOSTEAL and the
 * window's Timer) on top of the queue's parking and the head's give > 9M
 * states, too slow for every `make test`. So 3 processes run without the
 * look (-DNOLOOK: every arrival queues; the word then only sees heads and
 * holders, and nothing for NOSTEAL to stop), with the parking of both the
 * queue and the head for safety and without the queue's (-DNOPARK) for
 * liveness; 2 processes run with everything. The gate's steals with 3
 * processes are gate.pml's.
 * Seeded bugs: BUG_REUSE_OWN: the pass keeps its node as a spare even when a
 * successor waits on it (the classic CLH mistake): it re-marks it HELD;
 * BUG_EARLY_PASS: the head passes headship before its CAS on the word took
 * the lock, so two heads race for the word and the later one can win (FIFO).
 * Dropped with the gate: the old trylock (CAS of tail from NULL; -DNOTRY
 * turned it off) and its trychk/trycas steps: trylock now only steals the
 * word (gate.pml's look).
 */
// @check mutex+fifo+safe-free-3p pass -DNOLOOK safety
// @check starvation-free-3p pass -DNOLOOK,-DNOPARK ltl:nostarve
// @check mutex+fifo+safe-free-2p-park-steal pass -DN=2 safety
// @check starvation-free-2p-park-steal pass -DN=2 ltl:nostarve
// @check bug-reuse-own-node fail -DN=2,-DBUG_REUSE_OWN safety
// @check bug-pass-before-acquire fail -DN=2,-DBUG_EARLY_PASS safety

#ifndef N
#define N 3
#endif
#define K (2 * N)
#define NIL 255
#define FREE 0
#define HELD 1
#define PARKED 2
/* the gate's lock word (gate.pml) */
#define L 1
#define HSM 6
#define RUN 2
#define PRK 4
#define WKG 6
#define NS 8
#define HS(x) ((x) & HSM)
#define STEAL_OK(x) (!((x) & L) && !((x) & NS) && HS(x) != RUN)
#define BOUNDED assert(!(word & NS) || nsby == _pid)
#define HASHEAD (tail != NIL)
byte tail = NIL;
byte st[K];
bit inheap[K] = 1;        /* node k belongs to the allocator */
byte waiton[N] = NIL;     /* ghost: the node process i waits on */
byte nwait[K];            /* ghost: how many processes wait on node k */
bit sleeping[N];
byte word;
bit expired;              /* the head's window has expired */
bit wsleep[N];            /* futex wait on word */
byte nsby = NIL;          /* ghost: the head that set NOSTEAL */
byte incs;
bool want[N], cs[N];
chan order = [N] of { byte };

/* put(x): keep x as the spare, or free it (LK_CLH_POOL = 1) */
#define PUT(x) \
	if \
	:: mine == NIL -> mine = x \
	:: else -> assert(nwait[x] == 0); inheap[x] = 1 \
	fi

/* get: pop the spare or take the lowest node from the allocator */
#define GET(x) \
	if \
	:: mine != NIL -> x = mine; mine = NIL \
	:: else -> x = 0; \
		do \
		:: x < K && inheap[x] -> inheap[x] = 0; break \
		:: x < K && !inheap[x] -> x++ \
		:: x == K -> assert(false) /* model ran out of nodes */ \
		od \
	fi

#if N > 2
#define W3(x) :: sleeping[2] && waiton[2] == x -> sleeping[2] = 0
#define WW3 :: wsleep[2] -> wsleep[2] = 0
#else
#define W3(x)
#define WW3
#endif
#define WAKE(x) \
	if \
	:: sleeping[0] && waiton[0] == x -> sleeping[0] = 0 \
	:: sleeping[1] && waiton[1] == x -> sleeping[1] = 0 \
	W3(x) \
	:: else \
	fi
#define WAKE_WORD \
	if \
	:: wsleep[0] -> wsleep[0] = 0 \
	:: wsleep[1] -> wsleep[1] = 0 \
	WW3 \
	:: else \
	fi

/* pass headship (the old unlock's release); then go on at `passed` */
inline pass_headship()
{
	if
	:: atomic { tail == n -> tail = NIL; PUT(n); n = NIL; expired = 0 }; goto passed
	:: tail != n /* failed CAS: stable, only I put n in tail */
	fi;
handoff: atomic { old = st[n]; st[n] = FREE; expired = 0
#ifdef BUG_REUSE_OWN
		; PUT(n)
#endif
	};
wake:	atomic { if :: old == PARKED -> WAKE(n) :: else fi; old = 0; n = NIL }
}

active [N] proctype P()
{
	byte mine = NIL, n = NIL, pred = NIL, old, w, nw;
	bit park;
	do
	::
		want[_pid] = true;
#ifndef NOLOOK
look:		if
		:: atomic { STEAL_OK(word) -> BOUNDED; word = word | L }; goto enter
		:: atomic { word == RUN -> BOUNDED; word = RUN | L }; goto enter
		:: true
		fi;
#endif
swap:		atomic { GET(n); st[n] = HELD;
			pred = tail; tail = n; order!_pid; waiton[_pid] = pred;
			if :: pred != NIL -> nwait[pred]++ :: else fi };
		if
		:: pred != NIL ->
			do
			:: st[pred] == FREE -> break
			:: st[pred] == HELD ->
				if
				:: /* wspin */ (st[pred] != HELD)
#ifndef NOPARK
				:: /* announce */ atomic { st[pred] == HELD -> st[pred] = PARKED }
				:: st[pred] != HELD /* CAS failed: FREE came */
#endif
				fi
			:: st[pred] == PARKED ->
				if
				:: /* park */ atomic { st[pred] == PARKED -> sleeping[_pid] = 1 };
woken:					(!sleeping[_pid])
				:: st[pred] != PARKED
				fi
			od;
gain:			atomic { waiton[_pid] = NIL; nwait[pred]--; PUT(pred); pred = NIL }
		:: else
		fi;
#ifdef BUG_EARLY_PASS
cas:		pass_headship();
passed:
#endif
		/* the head: gate.pml's loop */
hloop:		do
		:: atomic { !(word & L) -> BOUNDED; word = L; nsby = NIL; assert(order?[eval(_pid)]); order?_ };
			break
		:: atomic { (word & L) ->
			w = word; nw = w;
			if :: park = 1 :: park = 0 fi;
			if :: HS(w) != RUN && !park -> nw = (nw & ~HSM) | RUN :: else fi;
#ifndef NOLOOK
			if :: expired && !(nw & NS) -> nw = nw | NS; nsby = _pid :: else fi;
#endif
			if :: park -> nw = (nw & ~HSM) | PRK :: else fi;
			word = nw; w = 0 };
			if
			:: park ->
fwait:				atomic { if :: word == nw -> wsleep[_pid] = 1 :: else fi; park = 0; nw = 0 };
slept:				!wsleep[_pid]
			:: else -> nw = 0
			fi
		od;
#ifndef BUG_EARLY_PASS
cas:		pass_headship();
passed:
#endif
enter:		atomic { incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
rel:		atomic {
			w = word; nw = w & ~L;
			if :: HS(w) == PRK -> nw = (nw & ~HSM) | WKG :: else fi;
			word = nw; nw = 0
		};
wwake:		atomic { if :: HS(w) == PRK -> WAKE_WORD :: else fi; w = 0 }
	od
}

#ifndef NOLOOK
active proctype Timer()
{
end:	do
	:: atomic { HASHEAD && !expired -> expired = 1 }
	od
}
#endif

ltl nostarve { [] (want[0] -> <> cs[0]) }
