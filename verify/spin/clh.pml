/*
 * clh.pml: CLH queue lock with a NULL-able tail, parking waiters and nodes
 * that wander between threads; N processes, 2N nodes.
 * Models primitives/clh.h: lk_clh_lock / lk_clh_trylock / lk_clh_unlock with
 * lk_clh_lock_node, lk_clh_wait_free_, lk_clh_trylock_node, lk_clh_release_
 * and the per-thread spare list (lk_clh_node_get_ / lk_clh_node_put_).
 *   label    atomic step                                 C operation
 *   get      atomic { n = spare or malloc; st[n] = HELD } lk_clh_node_get_ + store(n->state, HELD, relaxed)
 *   swap     atomic { pred = tail; tail = n }            atomic_exchange_explicit(&l->tail, n, acq_rel)
 *   wspin    (st[pred] != HELD)                          load(pred->state, acquire) spinning in lk__wait
 *   announce atomic { st[pred]==HELD -> PARKED }         CAS(pred->state, HELD, PARKED, relaxed)
 *   park     atomic { st[pred]==PARKED -> sleeping }     lk__futex_wait(&pred->state, PARKED): compare and sleep in one step
 *   woken    (!sleeping[i])                              futex_wait returns
 *   gain     put(pred)                                   lk_clh_node_put_(pred): keep as spare, or free()
 *   trychk   tail != NIL -> fail                         load(l->tail, relaxed)
 *   trycas   atomic { tail == NIL -> tail = n }          CAS(l->tail, NULL, n, acq_rel, relaxed); on failure put(n)
 *   cas      atomic { tail == n -> tail = NIL }          CAS(l->tail, n, NULL, release, relaxed); success: put(n)
 *   handoff  atomic { old = st[n]; st[n] = FREE }        atomic_exchange_explicit(&n->state, FREE, release)
 *   wake     old == PARKED -> wake one sleeper on n      lk__futex_wake(&n->state, 1) (address only)
 * The spare list is modelled with LK_CLH_POOL = 1: a second spare is freed to
 * a global allocator that hands the lowest free node out again, so memory
 * reuse happens as early as it can. Checked: mutual exclusion, FIFO in swap
 * order (ghost `order`), no deadlock, a node is freed only when no waiter
 * still looks at it (ghost `waiton`), starvation freedom (LTL).
 * Bounds: with 3 processes, trylock and parking together give > 7M states,
 * too slow for every `make test`; so 3 processes run with lock only and
 * spinning waiters (-DNOTRY -DNOPARK), and 2 processes with everything.
 * Seeded bug BUG_REUSE_OWN: unlock keeps its node as a spare even when a
 * successor waits on it (the classic CLH mistake): it re-marks it HELD.
 */
// @check mutex+fifo+safe-free-3p pass -DNOTRY,-DNOPARK safety
// @check starvation-free-3p pass -DNOTRY,-DNOPARK ltl:nostarve
// @check mutex+fifo+safe-free-2p-park-try pass -DN=2 safety
// @check starvation-free-2p-park-try pass -DN=2 ltl:nostarve
// @check bug-reuse-own-node fail -DN=2,-DBUG_REUSE_OWN safety

#ifndef N
#define N 3
#endif
#define K (2 * N)
#define NIL 255
#define FREE 0
#define HELD 1
#define PARKED 2
byte tail = NIL;
byte st[K];
bit inheap[K] = 1;        /* node k belongs to the allocator */
byte waiton[N] = NIL;     /* ghost: the node process i waits on */
byte nwait[K];            /* ghost: how many processes wait on node k */
bit sleeping[N];
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
#else
#define W3(x)
#endif
#define WAKE(x) \
	if \
	:: sleeping[0] && waiton[0] == x -> sleeping[0] = 0 \
	:: sleeping[1] && waiton[1] == x -> sleeping[1] = 0 \
	W3(x) \
	:: else \
	fi

active [N] proctype P()
{
	byte mine = NIL, n = NIL, pred = NIL, old;
	do
	::
#ifdef NOTRY
		goto lock;
#endif
		if
		:: true -> goto lock
		:: true
		fi;
trychk:		if
		:: tail != NIL -> goto done
		:: else
		fi;
		atomic { GET(n); st[n] = HELD };
trycas:		if
		:: atomic { tail == NIL -> tail = n; order!_pid }; goto enter
		:: atomic { tail != NIL -> PUT(n); n = NIL }; goto done
		fi;
lock:		want[_pid] = true;
get:		atomic { GET(n); st[n] = HELD };
swap:		atomic { pred = tail; tail = n; order!_pid; waiton[_pid] = pred;
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
enter:		atomic { assert(order?[eval(_pid)]); order?_; incs++; cs[_pid] = true };
		assert(incs == 1);
		atomic { incs--; cs[_pid] = false; want[_pid] = false };
cas:		if
		:: atomic { tail == n -> tail = NIL; PUT(n); n = NIL }; goto done
		:: tail != n /* failed CAS: stable, only I put n in tail */
		fi;
handoff:	atomic { old = st[n]; st[n] = FREE
#ifdef BUG_REUSE_OWN
			; PUT(n)
#endif
		};
wake:		atomic { if :: old == PARKED -> WAKE(n) :: else fi; old = 0; n = NIL };
done:		skip
	od
}

ltl nostarve { [] (want[0] -> <> cs[0]) }
