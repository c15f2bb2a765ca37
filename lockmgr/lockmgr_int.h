/*
 * lockmgr/lockmgr_int.h: the lock table's private types (see README.md),
 * the functions the parts of lockmgr/ call across files, and the small
 * helpers every part uses (handles, hashing, keys, counters, trace).
 * Every link is a 32-bit index into the manager's pool; 0 means none.
 * The inline parts of one concern live next to it: heads_int.h (latches,
 * lookup), pool_int.h (free stacks, caches), queue_int.h (per-resource
 * lists, grants, the txn list).
 */
#ifndef LATCHKIT_LOCKMGR_INT_H
#define LATCHKIT_LOCKMGR_INT_H

#include "../primitives/base.h"
#include "lockmgr.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* request status */
enum { LK__R_FREE = 0, LK__R_GRANTED, LK__R_WAITING, LK__R_CONVERTING,
       LK__R_REVOKED, /* taken from a txn whose lease lapsed (lease.c):
			in no list of its head, only in the txn's own */
       LK__R_TAKEN /* off its txn's cache, not yet in a list: the tag that
		      lets a recovery give it back (SHARED.md "Pool entries
		      in flight") */ };

/* One request of one txn on one resource, held or waited for: 32 bytes. */
struct lk__req {
	uint32_t head;  /* resource head index                              */
	uint32_t txn;   /* txn slot index                                   */
	uint32_t rprev; /* holder list or wait queue (head latch)           */
	uint32_t rnext;
	uint32_t tprev;            /* the txn's list (owner only)           */
	LK_ATOMIC(uint32_t) tnext; /* ... and the free stacks' link         */
	uint8_t mode;   /* granted mode (LK_MODE_NONE while a new request waits) */
	uint8_t want;   /* wanted mode while waiting/converting             */
	uint8_t status; /* LK__R_*                                          */
	uint8_t kind;   /* resource kind, for the escalation walk           */
	uint32_t nchild; /* table requests: t's row locks under it (owner) */
};

/* A request's status read by its owner without the head latch (its own
 * list walks): a lapse (lease.c) may change it meanwhile, from another
 * thread, so the read and that store are atomic (relaxed: the owner
 * rechecks under the latch before it acts). Every other access is under
 * the latch and stays plain. */
static inline uint8_t req_status_own(const struct lk__req *q)
{
	return __atomic_load_n(&q->status, __ATOMIC_RELAXED);
}

/* head latch word: gen << 9 | RSV | owner << 3 | flags. owner: on a
 * shared table, the latch holder's process slot + 1, set by the same CAS
 * as LATCHED (SHARED.md "The hard case"); 0 on a private table. RSV (with
 * LATCHED): a reserved head, its one grant its maker's, its word and
 * fields changed only under its bucket latch (README "Reserved heads";
 * private tables only). */
#define LK__L_LATCHED 1u
#define LK__L_PARKED 2u
#define LK__L_DEAD 4u
#define LK__L_OWN_SHIFT 3
#define LK__L_OWN 0xf8u
#define LK__L_RSV 0x100u
#define LK__L_GEN_SHIFT 9
#define LK__L_GEN(w) ((w) >> LK__L_GEN_SHIFT)
/* the word of a head killed from word w: the next generation, dead */
#define LK__L_KILLED(w) (((LK__L_GEN(w) + 1) << LK__L_GEN_SHIFT) | LK__L_DEAD)

/* One resource: key, latch, holders, queue. Everything but lw, next and
 * key is protected by the latch. */
struct lk__head {
	/* aligned, so no line holds parts of two heads: a head freed by the
	 * txn that released it last joins that thread's cache */
	_Alignas(64) LK_ATOMIC(uint32_t) lw; /* latch word                 */
	LK_ATOMIC(uint32_t) next;   /* hash chain, or the free stack link  */
	/* lk_res_t, written only while dead; three words, so that a
	 * compare is three loads (bytes: kind, f[0], f[1], f[2], f[3]) */
	LK_ATOMIC(uint64_t) key01;  /* kind | f[0] << 32                    */
	LK_ATOMIC(uint64_t) key23;  /* f[1] | f[2] << 32                    */
	LK_ATOMIC(uint32_t) key4;   /* f[3]                                */
	uint32_t bucket;            /* bucket index (while linked)         */
	uint32_t holders;           /* granted (and converting) requests   */
	uint32_t qhead, qtail;      /* FIFO of waiting new requests        */
	uint16_t granted;           /* bit m: counts[m] > 0                */
	uint16_t nconv;             /* converting holders                  */
	uint64_t token;             /* fencing counter                     */
	uint16_t counts[LK_MAX_MODES];
	struct lk__txn *woken;      /* a parked waiter granted under the
				     * latch, woken once it is released */
	struct lk__txn *nudged;     /* the next in line, nudged (parked ->
				     * spinning) once the latch is released */
	uint32_t revoked;           /* requests revoked from lapsed leases
				     * whose txns have not ended: each pins
				     * the head (its owner latches it once
				     * more), so an idle head is not freed */
};

/* The counting build (-DLK_COUNT_RMW, make lib-count) counts, per thread,
 * the atomic read-modify-writes on lines other txns also write: head and
 * bucket latch words, the shared free stacks, the txn free stack, next_id,
 * the trace seq, the sweep hand, draining, det_mu, another txn's flags
 * and wake word, and a waiter's own wake word (granters write it). The
 * bench's per-txn figure of it is machine-independent. LK__RMW_SHARED()
 * goes right before each such RMW (one before a CAS that is skipped when a
 * latch is seen taken counts the attempt all the same);
 * LK__RMW_SHARED_AT(h), for head h's latch word, also counts it in
 * lk__rmw_shared_anc when h is a database or table, the hot ancestors of
 * the hierarchy; LK__RMW_SHARED_KIND(kind) the same for a fast-path
 * strong counter or another txn's fp latch on a resource of that kind (a
 * txn's own fp latch is its own line). All are empty in every other
 * build. */
#ifdef LK_COUNT_RMW
extern _Thread_local uint64_t lk__rmw_shared, lk__rmw_shared_anc;
static inline void lk__rmw_count(uint32_t kind)
{
	lk__rmw_shared++;
	if (kind == LK_RES_DATABASE || kind == LK_RES_TABLE)
		lk__rmw_shared_anc++;
}
#define LK__RMW_SHARED() lk__rmw_count(LK_RES_NONE)
#define LK__RMW_SHARED_AT(h)                                                   \
	lk__rmw_count((uint32_t)atomic_load_explicit(&(h)->key01, memory_order_relaxed))
#define LK__RMW_SHARED_KIND(kind) lk__rmw_count(kind)
#else
#define LK__RMW_SHARED() ((void)0)
#define LK__RMW_SHARED_AT(h) ((void)0)
#define LK__RMW_SHARED_KIND(kind) ((void)0)
#endif

/* A hash bucket: its chain's first head, with the bucket latch as the top
 * bit of the same word (a latch-free reader masks it off), and the fencing
 * floor: at least every token of a head ever freed from this chain, so a
 * resource's tokens keep increasing across recycling (written and read
 * only under the bucket latch). */
#define LK__B_LATCHED 0x80000000u
/* a shared table's bucket latch holder (process slot + 1, as the head's),
 * below the latch bit: a shared table has fewer than 2^26 heads */
#define LK__B_OWN_SHIFT 26
#define LK__B_OWN 0x7c000000u
#define LK__B_IDX_SHARED 0x03ffffffu
/* heads per bucket at a full pool (manager.c sizes the array by it) */
#define LK__HEADS_PER_BUCKET 8u
struct lk__bucket {
	LK_ATOMIC(uint32_t) w;
	uint32_t pend; /* the head its latch holder is linking in or
			  unlinking, else 0: a takeover frees it if the
			  holder died between (SHARED.md "Pool entries in
			  flight") */
	uint64_t floor;
};

/* A free stack (Treiber, tagged top): requests and heads share the code;
 * element i is at base + i * stride, its 32-bit link at byte offset off. */
struct lk__stack {
	LK_ATOMIC(uint64_t) *top; /* idx | tag << 32 */
	unsigned char *base;
	size_t stride, off;
	uint32_t n; /* valid indices are 1..n */
};

/* A txn slot's private chain of free requests or heads, linked through
 * the same field as their shared free stack (owner only; n is atomic so
 * that lk_lockmgr_stats can count a running txn's cache as used). */
struct lk__cache {
	uint32_t first, last;
	LK_ATOMIC(uint32_t) n;
};

/* The weak-lock fast path (fastpath.c; FASTPATH.md). A txn keeps
 * its weak locks (IS, IX) on database and table resources as records in
 * its own block; a strong locker counts its partition first and moves the
 * records on that resource into the main table. */
#define LK__FP_RECS 32    /* records per txn (a bit each in fp_used) */
#define LK__FP_PARTS 1024 /* strong-lock counters */
#define LK__ANC_FP 0x80000000u /* t->anc[]: a record index, not a request */

struct lk__fprec {
	uint32_t key[5];  /* lk_res_t (the owner writes it, under its fp latch) */
	uint8_t mode;     /* held mode (the same)                           */
	uint8_t lent;     /* the moved request is lent: another txn moved it
			     (fp_move, before moved; owner reads it after) */
	uint8_t pad_[2];
	LK_ATOMIC(uint32_t) moved; /* 0, or the main-table request a strong
				      locker made for it (owner adopts it) */
	uint32_t nchild;  /* a table record's row count (owner)             */
	uint32_t pad2_;
};

/* A txn slot's pool section counter (SHARED.md "The pool stop"): odd
 * while the thread running the slot's txn is in a call that may move a
 * pool entry, on a shared table. Only that thread writes it; on a line
 * of its own, since it is written twice a call. */
struct lk__sec {
	LK_ATOMIC(uint32_t) n;
	uint32_t pad_[15];
};

#define LK__FP_LENT 4 /* lent requests a txn remembers (more stay cached) */
struct lk__fpblk {
	struct lk__fprec rec[LK__FP_RECS];
	uint64_t counted[LK__FP_PARTS / 64]; /* partitions this txn counted (owner) */
	/* lent requests this txn adopted (owner; fastpath.c lk__fp_return) */
	uint32_t lent[LK__FP_LENT], nlent;
};

/* txn flags */
#define LK__T_WOUNDED 1u
#define LK__T_LEASED 2u /* began with a lease (lease.c): calls check it */

enum { LK__ST_ACQUIRED, LK__ST_INTENTIONS, LK__ST_WAITED, LK__ST_DEADLOCKS, LK__ST_TIMEOUTS,
       LK__ST_WOULDBLOCKS, LK__ST_ESCALATIONS, LK__ST_WOUNDS, LK__ST_COMMITS,
       LK__ST_ABORTS, LK__NST };

#define LK__TXN_SLOT 256u

struct lk__txn {
	lk_lockmgr_t *mgr;
	LK_ATOMIC(uint32_t) gen;   /* handle generation (low 8 bits in the handle) */
	LK_ATOMIC(uint32_t) state; /* LK__TS_*: only 1 (active) is a txn   */
	LK_ATOMIC(uint64_t) id;    /* = age                                 */
	uint32_t idx;
	uint32_t locks;  /* txn list head (owner)                           */
	LK_ATOMIC(uint32_t) nlocks; /* read by the detector (fewest locks) */
	struct lk__cache rc; /* free requests kept by this slot (tnext-linked) */
	struct lk__cache hc; /* free heads kept by this slot (next-linked)  */
	LK_ATOMIC(uint32_t) wake;      /* futex: 0 idle, 1 signalled, 2 parked,
					* 3 nudged (next in line: spin) */
	LK_ATOMIC(uint32_t) flags;     /* LK__T_WOUNDED                    */
	LK_ATOMIC(uint32_t) wait_req;  /* request waited on, 0 none        */
	LK_ATOMIC(uint32_t) wait_head;
	LK_ATOMIC(uint32_t) wait_seq;  /* bumped at every wait start       */
	LK_ATOMIC(uint32_t) victim_of; /* == wait_seq: chosen as victim    */
	LK_ATOMIC(uint32_t) free_next; /* txn free stack link              */
	LK_ATOMIC(uint64_t) wait_start;
	uint64_t token_out;  /* token of a grant made by another thread    */
	uint64_t bloom;      /* heads this txn may hold (owner)            */
	uint32_t anc[3];     /* cached ancestor requests (or LK__ANC_FP |
				record): db, table, page                   */
	LK_ATOMIC(uint32_t) fp_latch; /* guards fp_used and the records    */
	uint32_t fp_used;    /* records in use (written under fp_latch)    */
	uint8_t fp_main;     /* may hold a database/table lock in the main
				table: the fast path asks it first (owner) */
	uint8_t fp_counted;  /* counted some partition (owner)             */
	uint8_t proc;        /* shared table: process slot + 1 of the
				process that began the txn (SHARED.md) */
	uint8_t own;         /* proc << LK__L_OWN_SHIFT: the latch owner
				bits of its calls (0 on a private table;
				the bucket word's are lk__bown's shift) */
	/* The hierarchy cache (owner; README "Hierarchy cache"): while
	 * hm_row or hm_up is not 0, anc[] holds t's granted locks on database
	 * hkey[0], table hkey[0].hkey[1] and page hkey[0].hkey[1].hkey[2],
	 * and bit m says that a row lock in mode m needs nothing from them:
	 * none covers it, each holds its intention (hm_up: the database and
	 * table; hm_row: all three). Cleared wherever anc[] or a held mode
	 * may change (hcache_clear). */
	uint16_t hm_up, hm_row;
	uint32_t hkey[3];
	uint64_t fp_bloom;   /* records this txn may have (owner)          */
	LK_ATOMIC(uint64_t) st[LK__NST]; /* owner-written counters of every
					  * txn this slot ran (never reset) */
	/* Grant order LDSF (README "Grant order"): dep is the weight of the
	 * waits that found this txn among their blockers when they began
	 * (each adds 1 + its own txn's dep, and takes it back when it ends);
	 * bypassed counts how often the request it waits for was passed,
	 * ldsf_seen marks it within one grant pass: both under the latch of
	 * the head it waits on. */
	LK_ATOMIC(uint32_t) dep;
	uint8_t bypassed; /* at most LK_LDSF_MAX_BYPASS */
	uint8_t ldsf_seen;
	uint8_t id_left; /* ids id+1 .. id+id_left are this slot's (owner; txn.c) */
	uint8_t handoff; /* txn_end woke a parked waiter: lk__handoff (owner) */
	/* The lease (lease.c, SHARED.md "Leases"): 0 none, 1 lapsed, 2 the
	 * txn is ending, else its end in lk__now_ns() time. Renew, lapse and
	 * end move it by CAS, so a renew and a lapse never both win. */
	LK_ATOMIC(uint64_t) lease;
};

/* A slot's state (README "Txn slots"): free on the slot stack, active,
 * kept off the stack by the thread that ran it last (idle), or claimed by
 * a begin or a drain that took it kept. Readers test for active only. */
enum { LK__TS_FREE = 0, LK__TS_ACTIVE = 1, LK__TS_KEPT = 2, LK__TS_CLAIMED = 3 };
/* A claimed slot names its claimer's process slot + 1 (0 on a private
 * table) in the bits above: a recovery gives back the slots a dead process
 * had claimed and not begun, or popped to drain (SHARED.md "Pool entries
 * in flight"). */
#define LK__TS_CLAIMED_BY(p) (LK__TS_CLAIMED | (uint32_t)(p) << 8)

struct lk_lockmgr {
	lk_lockmgr_config_t cfg;
	lk_modetable_t mt;
	uint16_t excl;       /* modes conflicting with themselves */
	uint16_t intent;     /* intention modes                   */
	uint16_t weak;       /* fast-path modes (FASTPATH.md) */
	uint16_t strong;     /* modes conflicting with a weak one */
	uint32_t slow_kinds; /* bit k: kind k never takes lock_fast */
	uint32_t fast_kinds; /* bit k: a flat call on valid kind k tries
				lock_fast first (0 with the hierarchy on) */
	uint16_t anc_ok[LK_MAX_MODES]; /* held mode h on an ancestor: bit m
				   when a child request in mode m needs
				   nothing from it (no cover, intention held) */
	struct lk__fpblk *fp;          /* ntxns blocks */
	struct lk__sec *sec;           /* ntxns section counters */
	LK_ATOMIC(uint32_t) *pool_stop; /* a shared table's stop word, else NULL */
	LK_ATOMIC(uint32_t) *fp_count; /* LK__FP_PARTS strong-lock counters */
	unsigned char *pool;
	unsigned char *txns; /* LK__TXN_SLOT stride, slot i at txns + i*SLOT */
	uint32_t ntxns;
	struct lk__req *reqs; /* 1..nreqs */
	uint32_t nreqs;
	struct lk__head *heads; /* 1..nheads */
	uint32_t nheads;
	struct lk__bucket *buckets;
	uint32_t bmask;
	uint32_t bidx;      /* a bucket word's index bits: all but the latch
			       bit, and a shared table's owner (SHARED.md) */
	uint32_t req_batch; /* requests a txn pops at a time */
	uint32_t req_keep;  /* an idle slot trims to it past twice it (0: small pool) */
	struct lk__stack rstk, hstk; /* over req_free / head_free, below */
	int reg_slot;
	uint32_t uid;        /* the creating process's create count: with the
				address, names the manager to txn.c's
				per-thread hint */
	lk_trace_fn trace;
	void *trace_ctx;
	LK_ATOMIC(uint32_t) grant_order; /* LK_GRANT_*; relaxed, read per pass */

	/* Admission (admit.c, ADMIT.md): LK__ADMIT_SLEEPERS and,
	 * on a private table, the chained waits under way (LK__ADMIT_COUNT);
	 * on a shared one, a bit per process with chained waits under way,
	 * counted in admit_proc[its slot + 1]. Written only by chained waits
	 * and gated begins, so a begin's load of it stays a cache hit */
	LK_CACHE_ALIGNED LK_ATOMIC(uint32_t) admit;
	LK_ATOMIC(uint64_t) admit_ns; /* a gated begin's longest wait; 0: off */
	LK_ATOMIC(uint32_t) admit_futile; /* a hold ran out while no chained
					     wait ended: no holds until the
					     low bits next return to 0 */
	LK_ATOMIC(uint32_t) admit_leaves; /* chained waits ended, mod 2^32 */
	LK_CACHE_ALIGNED LK_ATOMIC(uint32_t) admit_proc[32];

	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) req_free;  /* idx | tag << 32 */
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) head_free;
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) txn_free;
	LK_ATOMIC(uint64_t) next_id;
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) seq;
	LK_CACHE_ALIGNED LK_ATOMIC(uint32_t) sweep_hand;
	LK_ATOMIC(uint32_t) draining; /* drain_idle calls in progress */
	LK_ATOMIC(uint32_t) lease_on; /* set by the first txn begun with a
					 lease: waiters then look for lapses */

	/* the deadlock detector and the DOT writer, under det_mu */
	pthread_mutex_t det_mu;
	uint32_t *g_off;  /* ntxns + 1 */
	uint32_t *g_adj;  /* nreqs */
	uint32_t *g_seq;  /* ntxns */
	uint32_t *g_req;  /* ntxns */
	uint32_t *g_head; /* ntxns */
	uint8_t *g_color; /* ntxns */
	uint32_t *g_stk;  /* ntxns * 2 */

	struct lk__shm *shm; /* a shared table's segment header, else NULL */
};

/* LK_MODE_NONE, short: "no mode" in requests, intention[] and escalate[] */
#define NONE LK_MODE_NONE

/* Functions shared between the parts of lockmgr/: not exported from the
 * shared library (liblatchkit.map exports lk_*, which would match them). */
#define LK__HIDDEN __attribute__((visibility("hidden")))

/* manager.c: the registry of live managers, read by txn_get */
#define LK__MAX_MGRS 64
LK__HIDDEN extern LK_ATOMIC(uintptr_t) lk__reg_base[LK__MAX_MGRS];
LK__HIDDEN extern LK_ATOMIC(uintptr_t) lk__reg_len[LK__MAX_MGRS];
LK__HIDDEN bool lk__mgr_live(const lk_lockmgr_t *m);

/* manager.c: the parts of create that shared.c reuses */
LK__HIDDEN int lk__mgr_check(const lk_lockmgr_config_t *cfg,
			     const lk_modetable_t **mtp);
LK__HIDDEN size_t lk__mgr_layout(lk_lockmgr_t *m, const lk_lockmgr_config_t *cfg,
				 const lk_modetable_t *mt);
LK__HIDDEN int lk__mgr_register(lk_lockmgr_t *m, int want);
LK__HIDDEN bool lk__mgr_unregister(lk_lockmgr_t *m);

/* reclaim.c: the pool stop (SHARED.md "The pool stop"). A section that
 * found the stop set waits it out (n: its slot's counter, odd); a section
 * with no txn slot (a begin, a slot's push, a latch takeover) counts in
 * its process's counter; the recovery (dead: the processes it recovered)
 * stops the pool and gives back what no place holds: true if it did. */
LK__HIDDEN void lk__sec_wait(lk_lockmgr_t *m, LK_ATOMIC(uint32_t) *n);
LK__HIDDEN void lk__proc_enter(lk_lockmgr_t *m);
LK__HIDDEN void lk__proc_leave(lk_lockmgr_t *m);
LK__HIDDEN bool lk__pool_stop(lk_lockmgr_t *m, uint32_t dead);

/* shared.c, recover.c: a table in a shared segment (SHARED.md) */
LK__HIDDEN void lk__shm_destroy(lk_lockmgr_t *m);
LK__HIDDEN uint8_t lk__shm_me(lk_lockmgr_t *m);
LK__HIDDEN uint32_t lk__shm_recover(lk_lockmgr_t *m, bool due);
LK__HIDDEN bool lk__lm_in_shared(const void *p);
/* the wake stamp of the shared segment holding p (the park-cost estimate's,
 * base_park.h, across processes), or NULL if p is in none */
LK__HIDDEN LK_ATOMIC(uint64_t) *lk__lm_wake_stamp(const void *p);
#define LK__SHM_POLL_NS 10000000u /* a waiter looks for dead processes */
/* recover.c: a latch held by a dead process (owner o = its slot + 1) is
 * taken over by the CAS from w, then repaired; true if this caller now
 * holds it (SHARED.md "The hard case"). Only where the word lies in a
 * shared segment. */
LK__HIDDEN bool lk__shm_take_head(struct lk__head *h, uint32_t w, uint32_t own);
LK__HIDDEN bool lk__shm_take_bucket(struct lk__bucket *bk, uint32_t w,
				  uint32_t bown);
/* a latch word with nothing to repair (a txn's fp latch): owner bits in
 * mask, shifted by shift */
LK__HIDDEN bool lk__shm_take_word(LK_ATOMIC(uint32_t) *word, uint32_t w, uint32_t mask,
				  unsigned shift, uint32_t own);

/* A test build's hook (-DLK_SHM_TEST_NAP, make stress-shm): now and then
 * a short sleep in the middle of a latched change, so that a kill lands
 * inside a latch often. Empty in every other build. */
#ifdef LK_SHM_TEST_NAP
LK__HIDDEN void lk__test_nap(void);
#define LK__TEST_NAP() lk__test_nap()
#else
#define LK__TEST_NAP() ((void)0)
#endif

/* The same build's named kill points: a process whose LK_SHM_KILL_AT
 * names point p dies there (SIGKILL), or, LK_SHM_STOP_AT, stops there
 * (SIGSTOP), for the kill tests' deterministic cases. Empty in every
 * other build. */
#ifdef LK_SHM_TEST_NAP
LK__HIDDEN void lk__test_kill_at(const char *p);
#define LK__TEST_KILL_AT(p) lk__test_kill_at(p)
#else
#define LK__TEST_KILL_AT(p) ((void)0)
#endif

/* The latch owner bits a txn's calls put in head latch words: its
 * process slot + 1 on a shared table, 0 on a private one (t->proc). */
static inline uint32_t lk__own(const struct lk__txn *t)
{
	return t->own;
}

/* The same for calls with no txn (views, the detector, recovery). */
static inline uint32_t lk__own_m(lk_lockmgr_t *m)
{
	return lk__unlikely(m->shm != NULL) ? (uint32_t)lk__shm_me(m) << LK__L_OWN_SHIFT
					    : 0;
}

/* A head owner's bits moved to a bucket word's place. */
#define LK__B_OWN_OF(own) ((own) << (LK__B_OWN_SHIFT - LK__L_OWN_SHIFT))

/* Wake a futex word of the table: without FUTEX_PRIVATE_FLAG when the
 * word lies in a shared segment (a private wake does not reach another
 * process), stamped there for the sleeper's park-cost sample (its process
 * cannot read ours). Only on the wake paths, which make a syscall anyway. */
static inline void lk__lm_wake(LK_ATOMIC(uint32_t) *word, int n)
{
	LK_ATOMIC(uint64_t) *stamp = lk__lm_wake_stamp(word);
	if (stamp) {
		atomic_store_explicit(stamp, lk__now_ns(), memory_order_relaxed);
		lk__futex_wake_shared(word, n, LK__FUTEX_ANY);
	} else {
		lk__futex_wake(word, n);
	}
}

/* The detector mutex: robust on a shared table, whose detections rebuild
 * their scratch, so a dead holder left nothing to repair. */
static inline void lk__det_lock(lk_lockmgr_t *m)
{
	if (lk__unlikely(pthread_mutex_lock(&m->det_mu) == EOWNERDEAD))
		pthread_mutex_consistent(&m->det_mu);
}

/* views.c: one trace event (EMIT below calls it when a tracer is set) */
LK__HIDDEN void lk__emit(lk_lockmgr_t *m, struct lk__txn *t, struct lk__head *h,
			 int ev, int mode, int prev, int status, bool waiting,
			 uint64_t token);
LK__HIDDEN void lk__emit_res(lk_lockmgr_t *m, struct lk__txn *t,
			     const lk_res_t *r, int ev, int mode, int prev,
			     int status, bool waiting, uint64_t token);

/* What a grant of one resource did (lock.c, wait.c): nothing (a relock
 * that its held mode covers), a new request, or a conversion. */
enum { LK__GOT_NONE, LK__GOT_NEW, LK__GOT_CONV };

/* wait.c: lock_one's tail when a request must wait (h latched) */
LK__HIDDEN int lk__lock_wait(lk_lockmgr_t *m, struct lk__txn *t,
			     struct lk__head *h, uint32_t hi, uint32_t ri,
			     bool is_new, unsigned target, bool nowait,
			     uint64_t deadline, uint64_t *token, uint32_t *rq,
			     unsigned *got, uint64_t bit);

/* wait.c: the end of a txn that woke a parked grantee gives its CPU away
 * once (README "Waiting", the hand-off) */
LK__HIDDEN void lk__handoff(void);

/* admit.c: the admission gate (ADMIT.md). A wait that waits
 * for a waiting txn is chained: lk__admit_enter when it begins (false:
 * not counted, the gate is off), lk__admit_leave when it ends; proc:
 * the txn's t->proc (0 on a private table). */
#define LK__ADMIT_SLEEPERS 0x80000000u
#define LK__ADMIT_COUNT 0x7fffffffu
LK__HIDDEN bool lk__admit_enter(lk_lockmgr_t *m, uint8_t proc);
LK__HIDDEN void lk__admit_leave(lk_lockmgr_t *m, uint8_t proc);
/* recovery (under its mutex): the dead processes' counts and bits go */
LK__HIDDEN void lk__admit_forget(lk_lockmgr_t *m, uint32_t dead);
LK__HIDDEN void lk__admit_wait(lk_lockmgr_t *m);
LK__HIDDEN uint32_t lk__admit_chained(lk_lockmgr_t *m);

/* deadlock.c */
LK__HIDDEN uint32_t lk__txn_edges(lk_lockmgr_t *m, uint32_t ti, uint32_t *out,
				  uint32_t cap, uint32_t *seq_out,
				  uint32_t *head_out, uint32_t *want_out);
LK__HIDDEN void lk__graph_build(lk_lockmgr_t *m);
LK__HIDDEN bool lk__detect(lk_lockmgr_t *m, struct lk__txn *self);

/* escalate.c: true if t's table request tri now covers its rows (then
 * *tok = the table's fencing token, 0 for a non-exclusive mode) */
LK__HIDDEN bool lk__escalate(lk_lockmgr_t *m, struct lk__txn *t, uint32_t tri,
			     uint64_t *tok);
LK__HIDDEN uint32_t lk__rows_under(lk_lockmgr_t *m, const struct lk__txn *t,
				   const lk_res_t *tab);
/* escalate.c: a new row lock counts toward escalation of t's table lock
 * tri (0: none found yet); a released one no longer does */
LK__HIDDEN void lk__row_count(lk_lockmgr_t *m, struct lk__txn *t,
			      const lk_res_t *res, uint32_t tri, uint64_t *tok);
LK__HIDDEN void lk__row_uncount(lk_lockmgr_t *m, struct lk__txn *t,
				const lk_res_t *res);

/* The row count of t's table lock ai: a request's, or a record's. */
static inline uint32_t *table_count(lk_lockmgr_t *m, struct lk__txn *t, uint32_t ai)
{
	if (ai & LK__ANC_FP)
		return &m->fp[t->idx].rec[ai & ~LK__ANC_FP].nchild;
	return &m->reqs[ai].nchild;
}

/* held.c: res's head latched and t's request on it, or 0 (nothing
 * latched) */
LK__HIDDEN uint32_t lk__find_own(lk_lockmgr_t *m, struct lk__txn *t,
				 const lk_res_t *res, struct lk__head **hp);

/* The hierarchy cache is stale: anc[] or a held mode may change. */
static inline void hcache_clear(struct lk__txn *t)
{
	t->hm_up = t->hm_row = 0;
}

static inline struct lk__txn *txn_at(lk_lockmgr_t *m, uint32_t i)
{
	return (struct lk__txn *)(void *)(m->txns + (size_t)i * LK__TXN_SLOT);
}

/* A handle is not an address: (gen << 32) | (registry slot + 1) << 16 |
 * txn index. Checked arithmetically against the registry entry (static
 * memory, so a destroyed manager is never read): O(1), no scan. gen is
 * odd while the txn is active (begin and end each bump it), so one load
 * rejects stale handles until the 32-bit generation wraps. */
_Static_assert(sizeof(uintptr_t) >= 8, "handles pack 64 bits");

static inline struct lk__txn *txn_get(const lk_txn_t *h)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	uint32_t gen = (uint32_t)(v >> 32);
	uint32_t s = (uint32_t)(v >> 16) & 0xffffu; /* 1..LK__MAX_MGRS */
	uint32_t i = (uint32_t)v & 0xffffu;
	if (lk__unlikely(s - 1u >= LK__MAX_MGRS || !(gen & 1u)))
		return NULL;
	/* acquire: pairs with create's release of the length, so the base
	 * read after it is the one published with it */
	uintptr_t len = atomic_load_explicit(&lk__reg_len[s - 1], memory_order_acquire);
	if (lk__unlikely((uintptr_t)i * LK__TXN_SLOT >= len))
		return NULL;
	/* relaxed: ordered by the length load above */
	struct lk__txn *t = (struct lk__txn *)(atomic_load_explicit(
		&lk__reg_base[s - 1], memory_order_relaxed) + (uintptr_t)i * LK__TXN_SLOT);
	/* relaxed: only the owner thread uses a live handle; a stale one
	 * just has to fail */
	if (lk__unlikely(atomic_load_explicit(&t->gen, memory_order_relaxed) != gen))
		return NULL;
	return t;
}

static inline lk_txn_t *txn_handle(const lk_lockmgr_t *m, const struct lk__txn *t,
				   uint32_t gen)
{
	return (lk_txn_t *)(uintptr_t)(((uint64_t)gen << 32) |
				       ((uint64_t)(m->reg_slot + 1) << 16) | t->idx);
}

/* owner-only counter bump: relaxed load+store, no RMW (readers only sum) */
static inline void st_inc(struct lk__txn *t, int k)
{
	atomic_store_explicit(&t->st[k],
			      atomic_load_explicit(&t->st[k], memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

/* The kinds lockmgr.h defines: the four levels, advisory, and user kinds
 * from LK_RES_USER up; anything else (LK_RES_NONE, 6..15) is LK_INVAL. */
static inline bool res_kind_ok(uint32_t kind)
{
	return (kind >= LK_RES_DATABASE && kind <= LK_RES_ADVISORY) ||
	       kind >= LK_RES_USER;
}

/* A request's 8-bit kind: user kinds fold to LK_RES_USER, so that none
 * reads as a page or row in the escalation walk (259 would be 3). */
static inline uint8_t req_kind(uint32_t kind)
{
	return (uint8_t)(kind < LK_RES_USER ? kind : LK_RES_USER);
}

static inline uint32_t res_hash(const lk_res_t *r)
{
	uint64_t a = (((uint64_t)r->f[0] << 32) | r->f[1]) ^ r->kind;
	uint64_t b = ((uint64_t)r->f[2] << 32) | r->f[3];
	uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) *
						       0xC2B2AE3D27D4EB4Full;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* res's key words as a head holds them (key01, key23; key4 is f[3]):
 * on a little-endian machine each is one load of the lk_res_t's bytes */
static inline uint64_t res_key01(const lk_res_t *r)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, &r->kind, sizeof v);
	return v;
#else
	return (uint64_t)r->kind | (uint64_t)r->f[0] << 32;
#endif
}

static inline uint64_t res_key23(const lk_res_t *r)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, &r->f[1], sizeof v);
	return v;
#else
	return (uint64_t)r->f[1] | (uint64_t)r->f[2] << 32;
#endif
}

static inline bool key_eq(const struct lk__head *h, const lk_res_t *r)
{
	/* relaxed: a racy key read is validated by the generation CAS; the
	 * row number (f[3]) first, the likeliest to differ */
	return atomic_load_explicit(&h->key4, memory_order_relaxed) == r->f[3] &&
	       atomic_load_explicit(&h->key23, memory_order_relaxed) == res_key23(r) &&
	       atomic_load_explicit(&h->key01, memory_order_relaxed) == res_key01(r);
}

static inline void head_key(const struct lk__head *h, lk_res_t *r)
{
	uint64_t a = atomic_load_explicit(&h->key01, memory_order_relaxed);
	uint64_t b = atomic_load_explicit(&h->key23, memory_order_relaxed);
	r->kind = (uint32_t)a;
	r->f[0] = (uint32_t)(a >> 32);
	r->f[1] = (uint32_t)b;
	r->f[2] = (uint32_t)(b >> 32);
	r->f[3] = atomic_load_explicit(&h->key4, memory_order_relaxed);
}

#define EMIT(m, t, h, ev, mode, prev, status, waiting, token)                   \
	do {                                                                   \
		if (lk__unlikely((m)->trace != NULL))                          \
			lk__emit(m, t, h, ev, mode, prev, status, waiting,     \
				 token);                                       \
	} while (0)
#define EMIT_RES(m, t, r, ev, mode, prev, status, waiting, token)               \
	do {                                                                   \
		if (lk__unlikely((m)->trace != NULL))                          \
			lk__emit_res(m, t, r, ev, mode, prev, status, waiting, \
				     token);                                   \
	} while (0)

#endif
