/*
 * lockmgr/lockmgr_int.h: the lock table's private types (see README.md).
 * Every link is a 32-bit index into the manager's pool; 0 means none.
 */
#ifndef LATCHKIT_LOCKMGR_INT_H
#define LATCHKIT_LOCKMGR_INT_H

#include "../primitives/base.h"
#include "lockmgr.h"

#include <pthread.h>

/* request status */
enum { LK__R_FREE = 0, LK__R_GRANTED, LK__R_WAITING, LK__R_CONVERTING };

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
	uint32_t nchild; /* table requests: row locks taken under it (owner) */
};

/* head latch word: gen << 8 | flags */
#define LK__L_LATCHED 1u
#define LK__L_PARKED 2u
#define LK__L_DEAD 4u
#define LK__L_GEN(w) ((w) >> 8)

/* One resource: key, latch, holders, queue. Everything but lw, next and
 * key is protected by the latch. */
struct lk__head {
	LK_ATOMIC(uint32_t) lw;     /* latch word                          */
	LK_ATOMIC(uint32_t) next;   /* hash chain, or the free stack link  */
	LK_ATOMIC(uint32_t) key[5]; /* lk_res_t, written only while dead    */
	uint32_t bucket;            /* bucket index (while linked)         */
	uint32_t holders;           /* granted (and converting) requests   */
	uint32_t qhead, qtail;      /* FIFO of waiting new requests        */
	uint16_t granted;           /* bit m: counts[m] > 0                */
	uint16_t nconv;             /* converting holders                  */
	uint64_t token;             /* fencing counter                     */
	uint16_t counts[LK_MAX_MODES];
};

/* A hash bucket: its chain's first head, with the bucket latch as the top
 * bit of the same word (a latch-free reader masks it off), and the fencing
 * floor: at least every token of a head ever freed from this chain, so a
 * resource's tokens keep increasing across recycling (written and read
 * only under the bucket latch). */
#define LK__B_LATCHED 0x80000000u
struct lk__bucket {
	LK_ATOMIC(uint32_t) w;
	uint32_t pad_;
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
 * the same field as their shared free stack (owner only). */
struct lk__cache {
	uint32_t first, last, n;
};

/* txn flags */
#define LK__T_WOUNDED 1u

enum { LK__ST_ACQUIRED, LK__ST_WAITED, LK__ST_DEADLOCKS, LK__ST_TIMEOUTS,
       LK__ST_WOULDBLOCKS, LK__ST_ESCALATIONS, LK__ST_WOUNDS, LK__ST_COMMITS,
       LK__ST_ABORTS, LK__NST };

#define LK__TXN_SLOT 256u

struct lk__txn {
	lk_lockmgr_t *mgr;
	LK_ATOMIC(uint32_t) gen;   /* handle generation (low 8 bits in the handle) */
	LK_ATOMIC(uint32_t) state; /* 0 free, 1 active                     */
	LK_ATOMIC(uint64_t) id;    /* = age                                 */
	uint32_t idx;
	uint32_t locks;  /* txn list head (owner)                           */
	LK_ATOMIC(uint32_t) nlocks; /* read by the detector (fewest locks) */
	struct lk__cache rc; /* free requests kept by this slot (tnext-linked) */
	struct lk__cache hc; /* free heads kept by this slot (next-linked)  */
	LK_ATOMIC(uint32_t) wake;      /* futex: 0 idle, 1 signalled, 2 parked */
	LK_ATOMIC(uint32_t) flags;     /* LK__T_WOUNDED                    */
	LK_ATOMIC(uint32_t) wait_req;  /* request waited on, 0 none        */
	LK_ATOMIC(uint32_t) wait_head;
	LK_ATOMIC(uint32_t) wait_seq;  /* bumped at every wait start       */
	LK_ATOMIC(uint32_t) victim_of; /* == wait_seq: chosen as victim    */
	LK_ATOMIC(uint32_t) free_next; /* txn free stack link              */
	LK_ATOMIC(uint64_t) wait_start;
	uint64_t token_out;  /* token of a grant made by another thread    */
	uint64_t bloom;      /* heads this txn may hold (owner)            */
	uint32_t anc[3];     /* cached ancestor requests: db, table, page  */
	LK_ATOMIC(uint64_t) st[LK__NST]; /* owner-written counters of every
					  * txn this slot ran (never reset) */
};

struct lk_lockmgr {
	lk_lockmgr_config_t cfg;
	lk_modetable_t mt;
	uint16_t excl;       /* modes conflicting with themselves */
	uint16_t intent;     /* intention modes                   */
	unsigned char *pool;
	unsigned char *txns; /* LK__TXN_SLOT stride, slot i at txns + i*SLOT */
	uint32_t ntxns;
	struct lk__req *reqs; /* 1..nreqs */
	uint32_t nreqs;
	struct lk__head *heads; /* 1..nheads */
	uint32_t nheads;
	struct lk__bucket *buckets;
	uint32_t bmask;
	uint32_t req_batch; /* requests a txn pops at a time */
	struct lk__stack rstk, hstk; /* over req_free / head_free, below */
	int reg_slot;
	lk_trace_fn trace;
	void *trace_ctx;

	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) req_free;  /* idx | tag << 32 */
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) head_free;
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) txn_free;
	LK_ATOMIC(uint64_t) next_id;
	LK_CACHE_ALIGNED LK_ATOMIC(uint64_t) seq;
	LK_CACHE_ALIGNED LK_ATOMIC(uint32_t) sweep_hand;
	LK_ATOMIC(uint32_t) draining; /* drain_idle calls in progress */

	/* the deadlock detector and the DOT writer, under det_mu */
	pthread_mutex_t det_mu;
	uint32_t *g_off;  /* ntxns + 1 */
	uint32_t *g_adj;  /* nreqs */
	uint32_t *g_seq;  /* ntxns */
	uint32_t *g_req;  /* ntxns */
	uint32_t *g_head; /* ntxns */
	uint8_t *g_color; /* ntxns */
	uint32_t *g_stk;  /* ntxns * 2 */
};

#endif
