/*
 * fastpath.pml: the lock table's weak-lock fast path and its transfer
 * (issue 13 item 2, PostgreSQL-style), a second model beside
 * verify/tla/FastPath.tla. Weak modes (IS, IX) on database/table
 * resources are granted as records in the txn's own fast-path slots under
 * its latch fpL[t] while the partition's strong counter cnt is 0; a strong
 * locker (S, X; SIX by conversion) counts itself, moves every active txn's
 * record on the resource into the main table (the transfer) and asks the
 * main table like any request.
 * Models lockmgr/fastpath.c (weak lock: lk__fp_lock; strong lock with
 * transfer: lk__fp_strong, fp_move; owner adoption: lk__fp_adopt,
 * lk__fp_to_main; txn end: lk__fp_end, then lk__fp_uncount after the
 * main-table release in txn.c); the main table is lockmgr's grant as the brief
 * simplifies it: granted when compatible with every other txn's granted
 * mode (no FIFO). One partition: every resource maps to it.
 *   step     atomic step                        C operation
 *   bst      state[me] = 1                      begin: store(&t->state, 1, seq_cst)
 *   wlat     atomic { fpL[me]==0 -> fpL = me+1 } CAS(&fpL[t], 0, 1, acquire) (the spin merged)
 *   wcnt     cnt == 0 ?                         load(&cnt[p], seq_cst)
 *   wadd     rec = m (not moved)                the record write (under fpL[t])
 *   wunl     fpL[me] = 0                        store(&fpL[t], 0, release)
 *   rlook    mv ? (under fpL[me])               an own record exists: moved -> adoption
 *                                               (remove it, unlatch, the main request is
 *                                               the owner's); covers m -> granted
 *   rcnt     cnt == 0 ?                         load(&cnt[p], seq_cst): IS -> IX in the record
 *   sinc     cnt++                              fetch_add(&cnt[p], 1, seq_cst), once per txn
 *   sst      state[o] == 0 ?                    scan: load(&o->state, seq_cst); 0: skip o
 *   slat     atomic { fpL[o]==0 -> fpL = me+1 } CAS(&fpL[o], 0, 1, acquire)
 *   sxf      d_step { o's record on r, not moved: add/merge o's holder request
 *            under r's head latch; moved = 1; o == me: adopt (remove) }
 *   sunl     fpL[o] = 0                         store(&fpL[o], 0, release)
 *   mreq     d_step { covered: granted; compatible with every other holder: granted;
 *            else queue }                       lock_one under r's head latch
 *   mwait    atomic { compatible -> grant }     the waiter's re-check under the head latch,
 *            (or give up: ABORT)                merged with the wait (timeout/deadlock victim)
 *   elat/eclr/eunl  records cleared under fpL[me]   txn end: CAS, clear, store(release)
 *   erel     d_step { release on resource q }   main-table release, per resource
 *   edec     cnt--                              fetch_sub(&cnt[p], 1, release)
 *   est      state[me] = 0                      store(&t->state, 0, release), after all
 * The model is sequentially consistent: the Dekker pair (weak: latch, then
 * cnt load; strong: cnt RMW, then each txn's latch) and the skip-inactive
 * scan (begin's state store before the first record; the strong locker's
 * state load after its count) need seq_cst in the C. The relaxed orders
 * that would break them are modelled as the reordered steps they allow
 * (BUG_CNT_FIRST, BUG_LATE_STATE).
 * The transfer rule: a txn counts the partition once (its bit `counted`),
 * but transfers each resource the first time it locks it strongly (bit
 * xf[r]). The brief's "a txn that has counted p does not transfer again"
 * is BUG_BITSKIP here, and it fails with two resources in one partition:
 * the records on r2 added before t counted (for r1) are never moved.
 *
 * Checks (assertions at every step that could break a property):
 *  - a record write (wadd, the IS -> IX upgrade): no other txn holds a
 *    strong mode on r in the main table, and its mode is compatible;
 *  - a main-table grant: compatible with the other holders, and if strong
 *    no other txn has a non-moved record on r (nor the grantee itself);
 *  - the transfer: o ends with exactly one main-table request on r
 *    (nent <= 1), covering the moved record;
 *  - cnt == the number of txns that counted, at every count change, and
 *    0 with every table empty once all txns ended;
 *  - no invalid end state (with aborts, waits are not deadlocks).
 *   Liveness (ltl finish, weak fairness, no aborts, a script that cannot
 *   deadlock): every txn ends, so every queued request (strong included)
 *   is granted once the holders it waits for end.
 * Scripts (K requests per txn, each a (resource, mode) picked at random):
 *   default: any of IS IX S X on any resource; WEAKSTRONG: txn 0 S or X,
 *   the others IS or IX; LIVE: txns 0..N-2 one S or X each on resource 0,
 *   txn N-1 K weak requests.
 * Seeded bugs, each must fail. BUG_CNT_EARLY is caught by check_rec (a new
 * record beside a strong main-table grant); the others of (a), (b), (d)
 * and BUG_BITSKIP by check_grant (a strong grant beside a non-moved
 * record); BUG_LEAK_MOVED by the ltl claim (an acceptance cycle):
 *   BUG_NO_XFER     (a) the strong locker counts, skips the transfer
 *   BUG_INC_AFTER   (a) the strong locker scans, then counts
 *   BUG_CNT_FIRST   (b) the weak locker loads cnt before taking fpL[me]
 *   BUG_NO_LATCH    (b) the weak locker adds its record without fpL[me]
 *   BUG_CNT_EARLY   (c) txn end drops its count before releasing its
 *                       main-table locks
 *   BUG_LATE_STATE  (d) begin's state store lands after the first record
 *                       (the store not ordered before it); the scan reads
 *                       the txn as inactive and skips it
 *   BUG_BITSKIP     the per-partition "no transfer again" rule (NR = 2)
 *   BUG_LEAK_MOVED  (liveness) txn end releases only the main-table
 *                       requests it made itself, not those the transfer
 *                       made for its moved records: a strong waiter starves
 *                       (NOENDCHECK drops the final all-empty assertion, so
 *                       that the ltl claim is what catches it)
 * Bounds: N = 2 (3 with LIVE) txns, one txn each, K = 2, NR = 1 or 2;
 * the seeded bugs with WEAKSTRONG (LIVE for the liveness one). The default
 * and WEAKSTRONG scripts let a waiter give up (no deadlock is possible
 * then); LIVE runs with NOABORT and is shown deadlock-free.
 */
// @check fp-compat+moved-once-2t pass - safety
// @check fp-compat-2res-1part pass -DNR=2,-DWEAKSTRONG safety
// @check fp-compat-3t-2strong pass -DN=3,-DLIVE,-DNOABORT safety
// @check fp-all-granted-3t pass -DN=3,-DLIVE,-DNOABORT ltl:finish
// @check bug-strong-skips-transfer fail -DWEAKSTRONG,-DBUG_NO_XFER safety
// @check bug-strong-counts-after-scan fail -DWEAKSTRONG,-DBUG_INC_AFTER safety
// @check bug-weak-loads-cnt-before-latch fail -DWEAKSTRONG,-DBUG_CNT_FIRST safety
// @check bug-weak-record-without-latch fail -DWEAKSTRONG,-DBUG_NO_LATCH safety
// @check bug-end-drops-count-first fail -DWEAKSTRONG,-DBUG_CNT_EARLY safety
// @check bug-state-store-after-record fail -DWEAKSTRONG,-DBUG_LATE_STATE safety
// @check bug-counted-bit-skips-xfer-2res fail -DNR=2,-DWEAKSTRONG,-DBUG_BITSKIP safety
// @check bug-end-leaks-moved-starves fail -DN=3,-DLIVE,-DNOABORT,-DBUG_LEAK_MOVED,-DNOENDCHECK ltl:finish

#ifndef N
#define N 2
#endif
#ifndef NR
#define NR 1
#endif
#ifndef K
#define K 2
#endif

#ifdef LIVE
#define MORE (k < K && (_pid == N - 1 || k < 1))
#else
#define MORE (k < K)
#endif

#ifdef BUG_LEAK_MOVED
#define RELEASES(q) (HASENT(q, _pid) && inMain[q])
#else
#define RELEASES(q) HASENT(q, _pid)
#endif

#define NONE 0
#define IS 1
#define IX 2
#define S 3
#define SIX 4
#define X 5
#define WEAK(a) ((a) == IS || (a) == IX)
#define STRONG(a) ((a) >= S)
/* compatible pairs: IS with all but X; IX with IS IX; S with IS S; SIX with IS */
#define COMPAT(a, b) ((a) == NONE || (b) == NONE || \
	((a) == IS && (b) != X) || ((b) == IS && (a) != X) || \
	((a) == IX && (b) == IX) || ((a) == S && (b) == S))
/* least upper bound over IS < IX, S < SIX < X */
#define SUP(a, b) ((a) == NONE -> (b) : ((b) == NONE -> (a) : ((a) == (b) -> (a) : \
	(((a) == X || (b) == X) -> X : ((a) == IS -> (b) : ((b) == IS -> (a) : SIX))))))
#define COVERS(a, b) (SUP(a, b) == (a))

#define REC(t, q) rec[(t) * NR + (q)]
#define MV(t, q) mv[(t) * NR + (q)]
#define GM(q, t) gm[(q) * N + (t)]
#define WM(q, t) wm[(q) * N + (t)]
#define NENT(q, t) nent[(q) * N + (t)]
#define FP(t, q) (REC(t, q) != NONE && !MV(t, q))
#define HASENT(q, t) (GM(q, t) != NONE || WM(q, t) != NONE)
/* txn j (another txn, or none) allows md on q */
#define OK(j, q, md) ((j) == _pid || (j) >= N || COMPAT(GM(q, j), md))
#define COMPAT_OTHERS(q, md) (OK(0, q, md) && OK(1, q, md) && OK(2, q, md))

bit state[N];
byte fpL[N];          /* 0 or holder + 1 */
byte rec[N * NR];     /* fast-path record mode, NONE if none */
bit mv[N * NR];       /* the record has been moved */
byte gm[NR * N];      /* granted main-table mode */
byte wm[NR * N];      /* mode waited for in the main table */
byte nent[NR * N];    /* ghost: main-table requests of t on q */
byte cnt;             /* the partition's strong counter */
byte ncounted;        /* ghost: txns that counted */
byte ndone;           /* ghost: txns ended */

/* a record of mine of mode md on q is being written */
inline check_rec(q, md)
{
	j = 0;
	do
	:: j < N ->
		assert(j == _pid || (!STRONG(GM(q, j)) && COMPAT(GM(q, j), md)));
		j++
	:: else -> break
	od
}

/* a main-table grant of md on q to me */
inline check_grant(q, md)
{
	j = 0;
	do
	:: j < N ->
		assert(j == _pid || COMPAT(GM(q, j), md));
		assert(j == _pid || !FP(j, q) || COMPAT(REC(j, q), md));
		assert(!STRONG(md) || !FP(j, q));
		j++
	:: else -> break
	od;
	assert(NENT(q, _pid) <= 1)
}

active [N] proctype Txn()
{
	byte k, r, m, o, j, q, md;
	bit counted;
	bit xf[NR];
	bit inMain[NR];

#ifndef BUG_LATE_STATE
bst:	state[_pid] = 1;
#endif
	do
	:: MORE ->
		/* the next request */
		if
#if defined(LIVE)
		:: _pid < N - 1 -> r = 0; m = S
		:: _pid < N - 1 -> r = 0; m = X
		:: _pid == N - 1 -> r = 0; m = IS
		:: _pid == N - 1 -> r = 0; m = IX
#elif defined(WEAKSTRONG)
		:: _pid == 0 -> r = 0; m = S
		:: _pid == 0 -> r = 0; m = X
		:: _pid != 0 -> r = 0; m = IS
		:: _pid != 0 -> r = 0; m = IX
#if NR > 1
		:: _pid == 0 -> r = 1; m = S
		:: _pid == 0 -> r = 1; m = X
		:: _pid != 0 -> r = 1; m = IS
		:: _pid != 0 -> r = 1; m = IX
#endif
#else
		:: r = 0; m = IS
		:: r = 0; m = IX
		:: r = 0; m = S
		:: r = 0; m = X
#if NR > 1
		:: r = 1; m = IS
		:: r = 1; m = IX
		:: r = 1; m = S
		:: r = 1; m = X
#endif
#endif
		fi;
		k++;
		if
		:: STRONG(m) -> goto strong
		:: else
		fi;
		/* ---- weak ---- */
		if
		:: REC(_pid, r) != NONE ->
			atomic { fpL[_pid] == 0 -> fpL[_pid] = _pid + 1 };   /* wlat */
			if
			:: MV(_pid, r) ->                                      /* rlook: adoption */
				d_step { REC(_pid, r) = NONE; MV(_pid, r) = 0 };
				inMain[r] = 1;
				fpL[_pid] = 0;
				goto mainreq
			:: !MV(_pid, r) && COVERS(REC(_pid, r), m) ->
				fpL[_pid] = 0;
				goto fin
			:: else
			fi;
			if
			:: cnt == 0 ->                                         /* rcnt */
				d_step { md = SUP(REC(_pid, r), m); check_rec(r, md); REC(_pid, r) = md };
				fpL[_pid] = 0;
				goto fin
			:: else ->
				fpL[_pid] = 0;
				inMain[r] = 1;
				goto mainreq
			fi
		:: REC(_pid, r) == NONE && inMain[r] -> goto mainreq
		:: else
		fi;
#if defined(BUG_CNT_FIRST) || defined(BUG_NO_LATCH)
		if
		:: cnt == 0                                                   /* wcnt, first */
		:: else -> inMain[r] = 1; goto mainreq
		fi;
#ifdef BUG_CNT_FIRST
		atomic { fpL[_pid] == 0 -> fpL[_pid] = _pid + 1 };           /* wlat */
#endif
#else
		atomic { fpL[_pid] == 0 -> fpL[_pid] = _pid + 1 };           /* wlat */
		if
		:: cnt == 0                                                   /* wcnt */
		:: else -> fpL[_pid] = 0; inMain[r] = 1; goto mainreq
		fi;
#endif
		d_step { check_rec(r, m); REC(_pid, r) = m; MV(_pid, r) = 0 }; /* wadd */
#ifndef BUG_NO_LATCH
		fpL[_pid] = 0;                                                /* wunl */
#endif
#ifdef BUG_LATE_STATE
		state[_pid] = 1;                                              /* bst, late */
#endif
		goto fin;
		/* ---- strong ---- */
strong:
#ifndef BUG_INC_AFTER
		if
		:: !counted -> d_step { cnt++; counted = 1; ncounted++; assert(cnt == ncounted) }   /* sinc */
		:: else
		fi;
#endif
#ifdef BUG_NO_XFER
		goto mainreq;
#endif
		if
		:: xf[r] -> goto mainreq
#ifdef BUG_BITSKIP
		:: counted -> goto mainreq
#endif
		:: else
		fi;
		o = 0;
		do
		:: o < N ->
			if
			:: state[o] == 0                                       /* sst: skip */
			:: else ->
				atomic { fpL[o] == 0 -> fpL[o] = _pid + 1 };       /* slat */
				d_step {                                           /* sxf */
					if
					:: REC(o, r) != NONE && !MV(o, r) ->
						if
						:: !HASENT(r, o) -> NENT(r, o)++
						:: else
						fi;
						GM(r, o) = SUP(GM(r, o), REC(o, r));
						assert(NENT(r, o) == 1);
						if
						:: o == _pid -> REC(o, r) = NONE; inMain[r] = 1
						:: else -> MV(o, r) = 1
						fi
					:: REC(o, r) != NONE && MV(o, r) && o == _pid -> REC(o, r) = NONE; MV(o, r) = 0; inMain[r] = 1
					:: else
					fi
				};
				fpL[o] = 0                                         /* sunl */
			fi;
			o++
		:: else -> break
		od;
		xf[r] = 1;
#ifdef BUG_INC_AFTER
		if
		:: !counted -> d_step { cnt++; counted = 1; ncounted++; assert(cnt == ncounted) }
		:: else
		fi;
#endif
		/* ---- main table ---- */
mainreq:
		inMain[r] = 1;
		d_step {                                                       /* mreq */
			md = SUP(GM(r, _pid), m);
			if
			:: COVERS(GM(r, _pid), m) -> md = NONE
			:: else ->
				if
				:: !HASENT(r, _pid) -> NENT(r, _pid)++
				:: else
				fi;
				if
				:: COMPAT_OTHERS(r, md) -> check_grant(r, md); GM(r, _pid) = md; md = NONE
				:: else -> WM(r, _pid) = md
				fi
			fi
		};
		if
		:: md == NONE
		:: else ->
			if
			:: atomic { COMPAT_OTHERS(r, SUP(GM(r, _pid), WM(r, _pid))) ->   /* mwait */
				md = SUP(GM(r, _pid), WM(r, _pid));
				check_grant(r, md);
				GM(r, _pid) = md; WM(r, _pid) = NONE; md = NONE }
#ifndef NOABORT
			:: d_step { WM(r, _pid) = NONE;                         /* give up */
				if
				:: GM(r, _pid) == NONE -> NENT(r, _pid)--
				:: else
				fi; md = NONE };
				break
#endif
			fi
		fi;
fin:		md = NONE
	:: else -> break
	od;
	/* ---- txn end ---- */
	atomic { fpL[_pid] == 0 -> fpL[_pid] = _pid + 1 };                    /* elat */
	d_step {                                                               /* eclr */
		q = 0;
		do
		:: q < NR -> REC(_pid, q) = NONE; MV(_pid, q) = 0; q++
		:: else -> break
		od
	};
	fpL[_pid] = 0;                                                        /* eunl */
#ifdef BUG_CNT_EARLY
	if
	:: counted -> d_step { assert(cnt == ncounted); cnt--; counted = 0; ncounted-- }
	:: else
	fi;
#endif
	q = 0;
	do
	:: q < NR ->
		if
		:: RELEASES(q) -> d_step { GM(q, _pid) = NONE; WM(q, _pid) = NONE; NENT(q, _pid) = 0 }   /* erel */
		:: else
		fi;
		q++
	:: else -> break
	od;
#ifndef BUG_CNT_EARLY
	if
	:: counted -> d_step { assert(cnt == ncounted); cnt--; counted = 0; ncounted-- }   /* edec */
	:: else
	fi;
#endif
	state[_pid] = 0;                                                      /* est */
	d_step {
		ndone++;
		if
#ifndef NOENDCHECK
		:: ndone == N ->
			assert(cnt == 0 && ncounted == 0);
			q = 0;
			do
			:: q < N * NR -> assert(rec[q] == NONE && gm[q] == NONE && wm[q] == NONE && nent[q] == 0); q++
			:: else -> break
			od
#endif
		:: else
		fi
	}
}

ltl finish { <> (ndone == N) }
