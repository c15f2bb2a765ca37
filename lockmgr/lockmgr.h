/*
 * latchkit/lockmgr.h: the lock table (transaction locks on named resources).
 *
 * A lock manager in the tradition of Gray & Reuter ch. 7 and PostgreSQL's
 * lmgr: hierarchical (multi-granularity) locks with intention modes, FIFO
 * queues with group grant, conversions queued ahead of new requests, four
 * deadlock policies (no-wait, wait-die, wound-wait, detection on a wait-for
 * graph), lock escalation, fencing tokens, a pg_locks-like snapshot and a
 * trace hook. Design, invariants and latch order: lockmgr/README.md.
 *
 * Threads: a transaction handle is used by one thread at a time (its owner);
 * any number of transactions run concurrently. The view functions
 * (lk_snapshot, lk_blocking_set, lk_waitfor_dot, lk_lockmgr_stats) may be
 * called from any thread at any time. lk_lockmgr_destroy and
 * lk_lockmgr_set_trace need a quiescent manager (no call in flight).
 *
 * Errors are returned, never raised: bad input (NULL, a stale or foreign
 * handle, an unknown mode or resource kind, a double commit) returns
 * LK_INVAL and changes nothing. A call that fails leaves its output
 * parameters (*out, *t, *token) as they were. Link with -llatchkit (and
 * -pthread).
 */
#ifndef LATCHKIT_LOCKMGR_H
#define LATCHKIT_LOCKMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------- */

enum {
	LK_OK = 0,
	LK_WOULDBLOCK = 1, /* not grantable now and the caller may not wait:
			      timeout 0, or policy LK_POLICY_NO_WAIT */
	LK_TIMEOUT = 2,    /* waited until the timeout; nothing granted, the
			      txn keeps what it held and may continue */
	LK_DEADLOCK = 3,   /* chosen as a deadlock victim (LK_POLICY_DETECT) or
			      died (LK_POLICY_WAIT_DIE): the caller must abort */
	LK_WOUNDED = 4,    /* wounded by an older txn (LK_POLICY_WOUND_WAIT):
			      every later lock call fails so; must abort */
	LK_NOMEM = 5,      /* a pool (txns, requests, resource heads) is full;
			      nothing was changed */
	LK_INVAL = 6,      /* bad argument: NULL, stale/foreign handle, unknown
			      mode or kind, double commit, bad config */
	LK_NOTHELD = 7,    /* unlock of a resource the txn does not hold */
	LK_BUSY = 8,       /* shared table: its address is taken in this
			      process, or the process still has txns */
	LK_LEASE_LAPSED = 9 /* the txn's lease ran out before this call (or
			      before a renew): its locks may have been
			      handed on; the call changed nothing; abort */
};
#define LK_NSTATUS 10

/* A static string naming the code ("LK_OK: ..."); never NULL. */
const char *lk_strerror(int status);

/* ---- resources ------------------------------------------------------------ */

/*
 * A resource: a kind and four 32-bit fields, 20 bytes, no padding. Unused
 * fields are zero, so two resources are equal iff memcmp() says so and a
 * hash of the 20 bytes is a hash of the resource. Build them with the
 * constructors below, never field by field without zeroing.
 */
enum {
	LK_RES_NONE = 0,
	LK_RES_DATABASE = 1, /* f[0] = db                              */
	LK_RES_TABLE = 2,    /* f[0] = db, f[1] = table                */
	LK_RES_PAGE = 3,     /* f[0] = db, f[1] = table, f[2] = page   */
	LK_RES_ROW = 4,      /* f[0] = db, f[1] = table, f[2] = page, f[3] = row */
	LK_RES_ADVISORY = 5, /* f[0], f[1]: application keys (no hierarchy)  */
	LK_RES_USER = 16     /* LK_RES_USER + n: application kinds, no hierarchy */
};

typedef struct lk_res {
	uint32_t kind;
	uint32_t f[4];
} lk_res_t;

static inline lk_res_t lk_res_user(uint32_t kind, uint32_t a, uint32_t b,
				   uint32_t c, uint32_t d)
{
	lk_res_t r;
	r.kind = kind;
	r.f[0] = a;
	r.f[1] = b;
	r.f[2] = c;
	r.f[3] = d;
	return r;
}
static inline lk_res_t lk_res_db(uint32_t db)
{
	return lk_res_user(LK_RES_DATABASE, db, 0, 0, 0);
}
static inline lk_res_t lk_res_table(uint32_t db, uint32_t t)
{
	return lk_res_user(LK_RES_TABLE, db, t, 0, 0);
}
static inline lk_res_t lk_res_page(uint32_t db, uint32_t t, uint32_t p)
{
	return lk_res_user(LK_RES_PAGE, db, t, p, 0);
}
static inline lk_res_t lk_res_row(uint32_t db, uint32_t t, uint32_t p,
				  uint32_t r)
{
	return lk_res_user(LK_RES_ROW, db, t, p, r);
}
static inline lk_res_t lk_res_advisory(uint32_t a, uint32_t b)
{
	return lk_res_user(LK_RES_ADVISORY, a, b, 0, 0);
}
static inline bool lk_res_equal(const lk_res_t *a, const lk_res_t *b)
{
	return memcmp(a, b, sizeof(lk_res_t)) == 0;
}

/* The granule above res in row -> page -> table -> database. Returns false
 * (and leaves *parent alone) for a database, advisory or user resource. */
static inline bool lk_res_parent(const lk_res_t *res, lk_res_t *parent)
{
	switch (res->kind) {
	case LK_RES_ROW:
		*parent = lk_res_page(res->f[0], res->f[1], res->f[2]);
		return true;
	case LK_RES_PAGE:
		*parent = lk_res_table(res->f[0], res->f[1]);
		return true;
	case LK_RES_TABLE:
		*parent = lk_res_db(res->f[0]);
		return true;
	default:
		return false;
	}
}

/* ---- lock modes and mode tables ------------------------------------------ */

/*
 * The default table (lk_modetable_default()), from the seed notes' matrix
 * with SQL Server's update mode added (U is compatible with IS and S only;
 * S is compatible with U). "+" = compatible:
 *
 *            IS  IX  S   SIX U   X
 *      IS    +   +   +   +   +   -
 *      IX    +   +   -   -   -   -
 *      S     +   -   +   -   +   -
 *      SIX   +   -   -   -   -   -
 *      U     +   -   +   -   -   -
 *      X     -   -   -   -   -   -
 *
 * Conversion: a txn holds at most one mode per resource. Asking for mode m
 * while holding h converts to supremum[h][m], the weakest mode conflicting
 * with everything either conflicts with (S+IX = SIX, S+U = U, IX+U = SIX,
 * anything+X = X). Intention mode taken on ancestors: IS for IS and S, IX
 * for IX, SIX, U and X. Escalation (row locks -> table lock): S rows give
 * S, U and X rows give X.
 */
enum { LK_IS = 0, LK_IX = 1, LK_S = 2, LK_SIX = 3, LK_U = 4, LK_X = 5 };

/* lk_modetable_postgres(): PostgreSQL's table-level modes and conflicts
 * (src/include/storage/lockdefs.h order). No intention mapping: hierarchy
 * and escalation are off for this table. */
enum {
	LK_PG_ACCESS_SHARE = 0,
	LK_PG_ROW_SHARE = 1,
	LK_PG_ROW_EXCLUSIVE = 2,
	LK_PG_SHARE_UPDATE_EXCLUSIVE = 3,
	LK_PG_SHARE = 4,
	LK_PG_SHARE_ROW_EXCLUSIVE = 5,
	LK_PG_EXCLUSIVE = 6,
	LK_PG_ACCESS_EXCLUSIVE = 7
};

/* lk_modetable_sx(): plain shared/exclusive; hierarchy and escalation off. */
enum { LK_SX_S = 0, LK_SX_X = 1 };

#define LK_MAX_MODES 16
#define LK_MODE_NONE 0xff /* in intention[] / escalate[]: none */
#define LK_MODE_NAME_MAX 24

/*
 * A mode table. conflicts[i] bit j set: mode i conflicts with mode j (the
 * relation must be symmetric). supremum[i][j]: the mode a holder of i
 * converts to when it asks for j. intention[i]: the mode taken on every
 * ancestor before locking a child in mode i (LK_MODE_NONE: no hierarchy for
 * mode i). escalate[i]: the table mode that covers a row held in mode i
 * (LK_MODE_NONE: not escalated). A mode i with intention[i] == i is an
 * intention mode: it never covers children. A non-intention mode a held on
 * an ancestor covers a child request in mode m iff supremum[a][m] == a; the
 * child is then not locked at all and no intention lock is taken (lk_lock
 * returns LK_OK). In the default table U is a read mode with a pending
 * write: IX above it (so it converts to X in place); held on an ancestor
 * it covers IS, S and U requests below it, so it never becomes SIX
 * through them. escalate[]: S rows give S, U and X rows give X; the table
 * takes the supremum over all its rows.
 *
 * A mode conflicting with itself is "exclusive" for fencing tokens.
 *
 * Build your own with lk_modetable_init() (it derives supremum from the
 * conflicts, sets intention/escalate to none) and then fill intention[] and
 * escalate[] if you want the hierarchy. The manager copies the table.
 */
typedef struct lk_modetable {
	uint32_t nmodes;
	uint16_t conflicts[LK_MAX_MODES];
	uint8_t supremum[LK_MAX_MODES][LK_MAX_MODES];
	uint8_t intention[LK_MAX_MODES];
	uint8_t escalate[LK_MAX_MODES];
	char names[LK_MAX_MODES][LK_MODE_NAME_MAX];
} lk_modetable_t;

const lk_modetable_t *lk_modetable_default(void);
const lk_modetable_t *lk_modetable_postgres(void);
const lk_modetable_t *lk_modetable_sx(void);

/* Fills *t (untouched on failure) from n modes (1..16), their names (may be NULL: "M0".."M15") and
 * conflict masks. LK_INVAL if n is out of range, the relation is not
 * symmetric, or some pair has no supremum (no mode conflicts with the union
 * of both conflict sets). */
int lk_modetable_init(lk_modetable_t *t, unsigned n,
		      const char *const *names, const uint16_t *conflicts);

/* Does mode a conflict with mode b in table t? false for unknown modes. */
static inline bool lk_mode_conflicts(const lk_modetable_t *t, int a, int b)
{
	int64_t n = t->nmodes; /* holds any int and the count: no cast */
	if (a < 0 || b < 0 || a >= n || b >= n)
		return false;
	return (t->conflicts[a] >> b) & 1u;
}

/* ---- the manager ---------------------------------------------------------- */

typedef struct lk_lockmgr lk_lockmgr_t;
typedef struct lk_txn lk_txn_t; /* opaque handle; see lk_txn_begin */

enum {
	LK_POLICY_NO_WAIT = 0,    /* never wait: a conflict is LK_WOULDBLOCK   */
	LK_POLICY_WAIT_DIE = 1,   /* older waits for younger; younger dies     */
	LK_POLICY_WOUND_WAIT = 2, /* older wounds younger holders; younger waits */
	LK_POLICY_DETECT = 3      /* wait; find cycles in the wait-for graph   */
};
enum {
	LK_VICTIM_YOUNGEST = 0,    /* the txn in the cycle that began last     */
	LK_VICTIM_FEWEST_LOCKS = 1, /* the one holding fewest locks (ties: youngest) */
	LK_VICTIM_CLOSER = 2       /* the txn whose search found the cycle (its
				      wait closed it) if it is on the cycle,
				      else the youngest: it is running, so
				      its locks go at once (PostgreSQL's rule).
				      Any txn may be chosen, the oldest too */
};

typedef struct lk_lockmgr_config {
	uint32_t max_txns;     /* concurrent txns (default 1024; 1..65535)   */
	uint32_t max_requests; /* lock requests held or waiting, all txns;
				  also the number of resource heads (65536) */
	int policy;            /* LK_POLICY_* (default LK_POLICY_DETECT)      */
	uint64_t deadlock_timeout_ns; /* DETECT: a waiter searches for a cycle
				  after waiting this long; 0 = at once (default) */
	int victim;            /* LK_VICTIM_* (default LK_VICTIM_CLOSER)      */
	uint32_t escalation_threshold; /* more than this many row locks of one
				  txn under one table (LK_F_NOHIER ones too)
				  -> try a table lock; 0 = off (default).
				  Example: 2: the third row lock escalates */
	bool fifo_strict;      /* default true: a request never passes a queued
				  one it conflicts with, even if it is
				  compatible with the holders (no starvation).
				  false: only holders and conversions count */
	bool hierarchy;        /* default true: automatic intention locks on
				  ancestors (needs the table's intention map) */
	bool strict_2pl;       /* default false: lk_unlock allowed. true:
				  lk_unlock returns LK_INVAL (everything is held
				  to commit/abort); in the LK_DEBUG build of the
				  library (make lib-debug) it aborts through
				  lk__misuse ("early release under strict_2pl") */
	const lk_modetable_t *modes; /* NULL = lk_modetable_default(); copied */
	bool fast_path;        /* default true: weak locks (IS, IX) on database
				  and table resources are kept in the txn's own
				  records, with no shared write, until a strong
				  lock on them moves them into the table
				  (lockmgr/FASTPATH.md). false: every
				  lock goes through the table */
} lk_lockmgr_config_t;

void lk_lockmgr_config_init(lk_lockmgr_config_t *cfg);

/* One allocation sized from cfg; LK_INVAL for a bad config, LK_NOMEM
 * (*out is then left as it was). */
int lk_lockmgr_create(const lk_lockmgr_config_t *cfg, lk_lockmgr_t **out);
/* Frees everything; outstanding txn handles become invalid. On a shared
 * table: aborts this process's txns and detaches it (the segment stays). */
void lk_lockmgr_destroy(lk_lockmgr_t *mgr);

/*
 * Grant order: who goes first when a release lets several queued requests
 * through (lockmgr/README.md "Grant order").
 *   LK_GRANT_FIFO  (default) the queue from the front, with group grant;
 *                  with fifo_strict no request passes a queued one it
 *                  conflicts with.
 *   LK_GRANT_LDSF  contention-aware (CATS/LDSF, Tian et al., "Contention-
 *                  aware lock scheduling for transactional databases",
 *                  VLDB 2018; MySQL 8.0.20's CATS): of the requests
 *                  compatible with the holders, the one whose txn blocks
 *                  the most other txns (directly or through their own
 *                  waiters, as counted when each wait began) goes first;
 *                  ties go in queue order. No starvation: a queued request
 *                  is passed by a conflicting one queued behind it at most
 *                  LK_LDSF_MAX_BYPASS times; after that nothing queued
 *                  behind it that conflicts with it is granted before it.
 * A setter rather than a config field: lk_lockmgr_config_t is allocated by
 * callers, so a new field would change its size (or lean on tail padding
 * that a caller's copy need not keep) for programs built against the old
 * header. Any thread, any time: it takes effect at the next grant pass.
 * Returns LK_OK, or LK_INVAL (an unknown order, or mgr not a live manager),
 * changing nothing.
 */
enum { LK_GRANT_FIFO = 0, LK_GRANT_LDSF = 1 };
#define LK_LDSF_MAX_BYPASS 4
int lk_lockmgr_set_grant_order(lk_lockmgr_t *mgr, int order);

/*
 * Admission (lockmgr/ADMIT.md): a wait is chained when a txn
 * it waits for is itself waiting (it cannot release anything before it is
 * granted and runs again). While any chained wait is under way,
 * lk_txn_begin and lk_txn_begin_lease wait before they start a txn: until
 * no chained wait is left, or max_wait_ns has passed with no chained wait
 * ending (64 times max_wait_ns in all, at most), whichever comes first;
 * then they begin as usual (a hold that runs out with no chained wait
 * ended stops the holds until a chained wait next ends, so a chain that
 * stands costs one hold, not one per begin). When the last chained
 * wait ends, the held begins go one at a time, in the futex queue's order:
 * each wakes the next as it goes, and one that finds a new chain waits
 * again (ADMIT.md, the relay). A txn not yet begun
 * holds nothing, so holding it back lets the txns in the chains finish,
 * instead of queueing
 * behind them with locks of its own (load control by admission: Carey,
 * Krishnamurthi and Livny, "Load control for locking: the 'half-and-half'
 * approach", PODS 1990; chains of waits as the sign of thrashing:
 * Franaszek, Robinson and Thomasian, "Concurrency control for high
 * contention environments", TODS 1992). Never held: a begin by a thread
 * whose last txn begun on this table is still live (it may hold what a
 * chain waits for; an outer txn whose nested txn has ended is not seen,
 * so such a thread's next begin may be held, as any begin is). On a
 * shared table the chains of every process count, and a process that
 * dies in a chained wait stops counting when it is recovered (a begin
 * whose time ran out looks for dead processes). No lock call is changed:
 * who is granted what, in which order, and every policy's verdicts.
 * Default: LK_ADMIT_DEFAULT_NS (1 ms); 0 turns it off (begins asleep on it
 * go at once); on a shared table the setting is the table's, for every
 * process. Any thread, any time. Returns LK_OK, or LK_INVAL (mgr not a
 * live manager) changing nothing.
 */
#define LK_ADMIT_DEFAULT_NS 1000000u
int lk_lockmgr_set_admission(lk_lockmgr_t *mgr, uint64_t max_wait_ns);

/*
 * A lock table in shared memory (lockmgr/SHARED.md). create_shared builds
 * the table in the file fd names (memfd_create or shm_open; it must be
 * empty: size 0), sized with ftruncate and mapped MAP_SHARED. Another
 * process attaches with the same file: the segment is mapped at the
 * address the creator got, so that its pointers hold; if that range is
 * taken in the caller, LK_BUSY. A forked child inherits the mapping and
 * uses the same lk_lockmgr_t * (attach in it returns that too). Each
 * process that begins txns takes one of 31 process slots (PID and start
 * time); a process that dies has its txns aborted (its locks released,
 * its waiters granted) by the first process that notices: a waiter checks
 * every 10 ms, and lk_lockmgr_recover does it at once. A process that dies
 * while inside a lock call, holding a latch of the table, is not recovered
 * yet (SHARED.md, "Status"). Tracing is not available on a shared table.
 * Errors: LK_INVAL (bad fd, config or segment), LK_NOMEM (mmap failed, no
 * process slot or registry slot left), LK_BUSY; *out is set on LK_OK only.
 * detach: LK_BUSY while this process has txns active in the table.
 */
int lk_lockmgr_create_shared(int fd, const lk_lockmgr_config_t *cfg,
			     lk_lockmgr_t **out);
int lk_lockmgr_attach(int fd, lk_lockmgr_t **out);
int lk_lockmgr_detach(lk_lockmgr_t *mgr);
/* Aborts the txns of every dead process; *procs (may be NULL) = how many
 * processes were recovered. LK_INVAL for a private table. */
int lk_lockmgr_recover(lk_lockmgr_t *mgr, uint32_t *procs);

/* ---- transactions ----------------------------------------------------------- */

/*
 * lk_txn_begin: LK_NOMEM when max_txns are active (*out is left as it was
 * on any failure). Each txn gets a unique 64-bit id that is also its age
 * (wait-die / wound-wait: smaller id = older): ids increase in the order a
 * thread begins its txns; across threads they follow the begin order
 * within 256 (a txn's id is at least the largest id given before it began,
 * less 256), since each slot takes ids in blocks. A handle is an encoded value, not an address; it carries a
 * 32-bit generation: after commit/abort every call with it returns
 * LK_INVAL (until its slot has been reused 2^31 times; then a stale handle
 * may alias a live txn: don't keep them). A value that is not a handle of
 * a live txn of a live manager returns LK_INVAL as well.
 *
 * lk_txn_commit / lk_txn_abort release every lock of the txn (strict 2PL) and
 * end it; they differ only in the trace and stats. Commit of a wounded txn
 * still succeeds (it finished first). Commit of a txn whose lease has run
 * out returns LK_LEASE_LAPSED and changes nothing (abort it: abort always
 * ends a txn).
 */
int lk_txn_begin(lk_lockmgr_t *mgr, lk_txn_t **out);
int lk_txn_commit(lk_txn_t *txn);
int lk_txn_abort(lk_txn_t *txn);
uint64_t lk_txn_id(const lk_txn_t *txn); /* 0 for an invalid handle */

/*
 * Leases (lockmgr/SHARED.md "Leases"; Kleppmann, "How to do distributed
 * locking", 2016). A txn begun with lk_txn_begin_lease holds its locks
 * only while its lease runs: lease_ns from the begin, and from each
 * lk_lease_renew. One lease covers every lock of the txn, so a holder
 * renews once, not once per lock. When the lease has run out (a holder
 * that stopped, stalled or lost track of time), a txn that waits for one
 * of its locks takes it away (it waits no longer than the lease: it
 * checks at the lease's end) and the lock goes to the waiters with the
 * next fencing token, as if the holder had released it. From then on the
 * lapsed txn's calls return LK_LEASE_LAPSED and change nothing: lk_lock,
 * lk_lock_ex, lk_unlock, lk_lease_renew and lk_txn_commit (its work must
 * not commit); lk_txn_abort ends it. A lapse is judged against the
 * CLOCK_MONOTONIC clock, the same for every process of a shared table. A
 * call already under way when the lease runs out may still finish; its
 * txn cannot commit, and every lock it holds can be taken away.
 *
 * The lease protects the lock table, not the resource: a stopped holder
 * that wakes after its lock was handed on may still write. Give each
 * write the fencing token (lk_lock_ex, an exclusive mode) and let the
 * resource refuse a token smaller than the largest it has seen.
 *
 * lk_txn_begin_lease: as lk_txn_begin; LK_INVAL also for lease_ns 0 or
 * above INT64_MAX (a negative duration cast to unsigned).
 * lk_lease_renew: the lease ends lease_ns from now (LK_OK), unless it has
 * already run out (LK_LEASE_LAPSED, for good); LK_INVAL for a bad handle,
 * a txn begun without a lease, or lease_ns 0 or above INT64_MAX; nothing
 * changes on failure.
 */
int lk_txn_begin_lease(lk_lockmgr_t *mgr, uint64_t lease_ns, lk_txn_t **out);
int lk_lease_renew(lk_txn_t *txn, uint64_t lease_ns);

/* ---- locking ------------------------------------------------------------- */

#define LK_FOREVER UINT64_MAX
#define LK_F_NOHIER 1u /* no automatic intention locks on ancestors */

/*
 * Lock res in mode, waiting at most timeout_ns (0: never wait, LK_WOULDBLOCK;
 * LK_FOREVER: no limit; the same deadline covers the intention locks).
 *
 * Hierarchy (config.hierarchy, mode table with intention map, no
 * LK_F_NOHIER, a page/row/table resource): walks the database, table and
 * page above res, root first. If the txn already holds one of them in a
 * non-intention mode h that covers `mode` (supremum[h][mode] == h: S, SIX
 * and U cover S; U also covers U; X covers everything), the resource itself
 * is not locked and LK_OK is returned; nothing further is taken. Otherwise
 * it takes intention[mode] on that ancestor (IS for IS and S; IX for IX,
 * SIX, U and X in the default table: U may become X). So U on an ancestor
 * covers S and U requests beneath it and never turns into SIX for them;
 * an IX or X request beneath it does (supremum[U][IX] is SIX). A failure
 * part way leaves the intention locks already taken held (released at
 * commit/abort).
 *
 * Holding res already in h: asks for supremum[h][mode]; if that is h, LK_OK
 * at once; otherwise a conversion, queued ahead of every new request.
 *
 * Returns LK_OK, LK_WOULDBLOCK, LK_TIMEOUT, LK_DEADLOCK, LK_WOUNDED,
 * LK_LEASE_LAPSED (see lk_txn_begin_lease), LK_NOMEM or LK_INVAL (a bad handle, a NULL res, a mode outside the
 * table, a kind that is not LK_RES_DATABASE..LK_RES_ADVISORY or
 * >= LK_RES_USER, an unknown flag). After LK_DEADLOCK or LK_WOUNDED the
 * caller must abort (after LK_LEASE_LAPSED too); after the others the
 * txn is unchanged (but for intention locks). Output parameters are written on LK_OK only.
 *
 * A request pool slot freed while a txn runs (lk_unlock, a failed wait,
 * escalation) is usable by every other txn at once: LK_NOMEM means every
 * request is held, waited for, or kept by a running txn (at most 32
 * each, what its slot kept from the txn before; counted in
 * lk_stats.requests_used). A small pool (max_requests
 * below 16 per txn) keeps none: LK_NOMEM then means every request is held
 * or waited for. Weak database and table locks on the fast path take no
 * request.
 */
int lk_lock(lk_txn_t *txn, const lk_res_t *res, int mode, uint64_t timeout_ns,
	    unsigned flags);

/*
 * As lk_lock, and on LK_OK stores the fencing token in *token (may be NULL;
 * on any other return *token is left as it was): each grant of an
 * exclusive mode (one that conflicts with itself: SIX, U, X in the default
 * table) on a resource takes the next number of that resource's counter,
 * so successive exclusive holders see strictly increasing tokens (also
 * across the resource head being recycled). An escalation that raises a
 * table lock to an exclusive mode is such a grant: it takes the table's
 * next number, and the call that escalated returns that token (its row was
 * released into the table lock). Grants of non-exclusive modes, and
 * requests covered by an ancestor, give 0.
 */
int lk_lock_ex(lk_txn_t *txn, const lk_res_t *res, int mode,
	       uint64_t timeout_ns, unsigned flags, uint64_t *token);

/* The token of the txn's current exclusive grant on res; 0 when it does not
 * hold res in an exclusive mode, or for a bad handle, res or kind. */
uint64_t lk_lock_token(lk_txn_t *txn, const lk_res_t *res);

/* The mode txn holds on res, or -1 (not held, or a bad handle, res or
 * kind). */
int lk_held_mode(lk_txn_t *txn, const lk_res_t *res);

/*
 * Early release of one lock (read committed style). LK_NOTHELD if the txn
 * does not hold res (also when it is covered by an escalated table lock).
 * No automatic release of intention locks on ancestors. LK_INVAL for a bad
 * handle, a NULL res or a kind lk_lock rejects, and under strict_2pl.
 * LK_LEASE_LAPSED when the txn's lease has run out (nothing released).
 */
int lk_unlock(lk_txn_t *txn, const lk_res_t *res);

/* ---- views ----------------------------------------------------------------- */

typedef struct lk_lockinfo {
	lk_res_t res;
	uint64_t txn_id;
	int mode;          /* granted mode; for a waiting new request: wanted */
	int want;          /* wanted mode if waiting (a conversion: mode is
			      granted, want is the target), else == mode */
	bool granted;      /* holds `mode` */
	bool waiting;      /* waits for `want` */
	uint64_t wait_start_ns; /* CLOCK_MONOTONIC, 0 if not waiting */
} lk_lockinfo_t;

/*
 * Fills out[0..cap) with the manager's requests, like pg_locks, and returns
 * how many there are (may exceed cap: call again with a larger buffer).
 * Each resource is read under its own latch, so per resource the picture is
 * consistent; across resources it is not one instant.
 */
size_t lk_snapshot(lk_lockmgr_t *mgr, lk_lockinfo_t *out, size_t cap);

/*
 * Like pg_blocking_pids: ids of the txns that txn's current wait is blocked
 * by (conflicting holders, and conflicting requests queued ahead of it).
 * Returns how many (0 if not waiting); stores at most n.
 */
size_t lk_blocking_set(lk_txn_t *txn, uint64_t *ids, size_t n);
/* The same for any txn id, from any thread. */
size_t lk_blocking_set_id(lk_lockmgr_t *mgr, uint64_t txn_id, uint64_t *ids,
			  size_t n);

/* Writes the wait-for graph as Graphviz DOT: one node per waiting or
 * blocking txn ("T<id>"), one edge per wait (labelled with the resource and
 * wanted mode). Returns LK_OK or LK_INVAL. */
int lk_waitfor_dot(lk_lockmgr_t *mgr, FILE *out);

typedef struct lk_stats {
	uint64_t acquired;    /* the caller's requests granted: new ones and
				 conversions; not no-op relocks, not requests
				 covered by an ancestor, not intention locks
				 the hierarchy took                          */
	uint64_t intention_acquired; /* intention locks the hierarchy took on
				 ancestors (new ones and conversions)        */
	uint64_t waited;      /* requests that had to wait                  */
	uint64_t deadlocks;   /* cycle victims + wait-die deaths            */
	uint64_t timeouts;    /* LK_TIMEOUT returns                         */
	uint64_t wouldblocks; /* LK_WOULDBLOCK returns                      */
	uint64_t escalations; /* successful escalations                     */
	uint64_t wounds;      /* txns wounded                               */
	uint64_t commits, aborts;
	uint32_t txns_active, txns_max;
	uint32_t requests_used, requests_max; /* held or waited for, and
				 kept free by a running txn (at most 32
				 per txn, out of the others' reach)         */
	uint32_t heads_used, heads_max;       /* resource heads (incl. idle) */
} lk_stats_t;

/* Counters are summed without stopping the manager (approximate while
 * busy, exact when quiescent). */
void lk_lockmgr_stats(lk_lockmgr_t *mgr, lk_stats_t *out);

/* ---- trace hook ------------------------------------------------------------ */

enum {
	LK_EV_REQUEST = 0,  /* a lock call reached res (after the handle and
			       mode checks); mode = asked, prev_mode = held */
	LK_EV_WAIT = 1,     /* it queued (mode = wanted)                    */
	LK_EV_GRANT = 2,    /* granted a new request, or a no-op relock
			       (prev_mode == mode); token set if exclusive  */
	LK_EV_TIMEOUT = 3,  /* ended without a grant: status LK_TIMEOUT or
			       LK_WOULDBLOCK                                */
	LK_EV_VICTIM = 4,   /* status LK_DEADLOCK (cycle victim, wait-die) or
			       LK_WOUNDED. waiting: it ended the txn's request
			       on res. !waiting: a wound of a running holder
			       of res (no request of the victim ends)       */
	LK_EV_RELEASE = 5,  /* mode released (unlock, commit, abort,
			       escalation); status LK_LEASE_LAPSED: taken
			       from a txn whose lease ran out (a queued or
			       converting request of it ends with VICTIM,
			       status LK_LEASE_LAPSED)                     */
	LK_EV_CONVERT = 6,  /* conversion granted: prev_mode -> mode        */
	LK_EV_ESCALATE = 7  /* txn's table lock on res became mode by
			       escalation (the row RELEASE events follow)   */
};

/*
 * Every event is emitted while res's head latch is held, and seq is taken
 * from one global counter at that moment, so for one resource the order of
 * seq equals the order of its state changes. Per request: REQUEST, then
 * optionally WAIT, then exactly one of GRANT, CONVERT, TIMEOUT, VICTIM
 * (waiting). The hook runs on the calling thread under a latch: it must not
 * call back into the manager and should be quick.
 */
typedef struct lk_trace {
	uint64_t seq;
	uint64_t txn_id;
	lk_res_t res;
	int event;     /* LK_EV_* */
	int mode;      /* see above; -1 if none */
	int prev_mode; /* mode held before the event, -1 if none */
	int status;    /* LK_OK or the code the request ends with */
	bool waiting;  /* LK_EV_VICTIM only */
	uint64_t token; /* GRANT / CONVERT of an exclusive mode, else 0 */
} lk_trace_t;

typedef void (*lk_trace_fn)(void *ctx, const lk_trace_t *ev);

/* Set (or clear with NULL) the hook; only while no call is in flight. */
void lk_lockmgr_set_trace(lk_lockmgr_t *mgr, lk_trace_fn fn, void *ctx);

/* The size in bytes of one request (held or waiting) and one resource
 * head, for capacity planning. */
size_t lk_request_size(void);
size_t lk_head_size(void);

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_LOCKMGR_H */
