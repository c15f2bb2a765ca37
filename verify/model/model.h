/*
 * verify/model/model.h: the model-based random test of the lock table.
 *
 * A reference model of lockmgr/lockmgr.h (held modes per txn and resource,
 * tokens, pool use, stats, trace events) is driven with the same operation
 * sequence as a real lk_lockmgr_t, from one thread, and every answer is
 * compared. Files, one job each:
 *   model.c    the reference model: what each call must do (plan + state)
 *   modes.c    the mode tables as the header defines them, and the configs
 *   driver.c   runs one op on the real table, compares everything
 *   gen.c      seeded random ops, and the fuzz byte encoding of an op
 *   shrink.c   replay and delta debugging of a failing op list
 *   report.c   printing: ops as C calls, configs, mismatches
 *   main.c     the test program (--seed, --ops, --survey, --long)
 *   fuzz.c     the libFuzzer entry: bytes -> ops -> the same driver
 */
#ifndef VERIFY_MODEL_H
#define VERIFY_MODEL_H

#include <latchkit/lockmgr.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- resources: a fixed universe, by index ------------------------------- */

#define RES_NVALID 21   /* db, table, page, row, advisory, user kinds */
#define RES_NALL 24     /* + kinds LK_RES_NONE, 6, 15 (always LK_INVAL) */
#define RES_NULL 0xff   /* a NULL res pointer */
const lk_res_t *res_at(int i);
int res_index(const lk_res_t *r); /* -1 if not in the universe */
int res_parent(int i);            /* index of the granule above, or -1 */

/* ---- configs ---------------------------------------------------------------- */

enum { TAB_DEFAULT = 0, TAB_PG = 1, TAB_SX = 2 };
typedef struct mcfg {
	const char *name;
	int policy;
	uint32_t max_txns, max_requests, esc;
	bool fifo, hier, strict2pl;
	int table;    /* TAB_* */
	bool notrace; /* no trace hook: events not compared, tokens read
			 through lk_lock_token (a hook must change nothing) */
} mcfg_t;
extern const mcfg_t model_cfgs[];
extern const int model_ncfgs;
int cfg_by_name(const char *s); /* index, or -1 */
/* below 16 requests per txn the table keeps no request in any txn's cache
 * (lockmgr.h): requests_used and LK_NOMEM are exact, the fast path off */
static inline bool model_exact_pool(const mcfg_t *c)
{
	return c->max_requests < 16u * c->max_txns;
}
/* The config a run uses: escalation off under TOL_ESC (model.h below). */
mcfg_t cfg_effective(int cfg, unsigned tolerate);

/* A mode table as the header defines it (never the library's copy, so a
 * changed table in the library shows up as a mismatch). */
typedef struct mtab {
	int n;
	uint16_t conf[LK_MAX_MODES];
	uint8_t sup[LK_MAX_MODES][LK_MAX_MODES];
	uint8_t intent[LK_MAX_MODES];
	uint8_t esc[LK_MAX_MODES];
	const char *names[LK_MAX_MODES];
} mtab_t;
const mtab_t *mtab_get(int table);
const lk_modetable_t *mtab_lib(int table);
/* Compares the library's table with the header's; writes what differs. */
bool mtab_check(int table, char *why, size_t n);
static inline bool mt_conf(const mtab_t *t, int a, int b)
{
	return (t->conf[a] >> b) & 1u;
}
static inline bool mt_excl(const mtab_t *t, int m)
{
	return mt_conf(t, m, m);
}
static inline bool mt_isint(const mtab_t *t, int m)
{
	return t->intent[m] == m;
}

/* ---- operations ----------------------------------------------------------------- */

enum {
	OP_BEGIN = 0,    /* lk_txn_begin(mgr, &t[label])                 */
	OP_COMMIT,       /* lk_txn_commit(h)                             */
	OP_ABORT,        /* lk_txn_abort(h)                              */
	OP_LOCK,         /* lk_lock(h, res, mode, tmo, flags)            */
	OP_LOCK_EX,      /* lk_lock_ex(h, res, mode, tmo, flags, tok?)   */
	OP_UNLOCK,       /* lk_unlock(h, res)                            */
	OP_BEGIN_NULLMGR,/* lk_txn_begin(NULL, &out)                     */
	OP_BEGIN_NULLOUT,/* lk_txn_begin(mgr, NULL)                      */
	OP_NKINDS
};
enum { H_LABEL = 0, H_NULL = 1, H_GARBAGE = 2 }; /* which handle is passed */
enum { TMO_ZERO = 0, TMO_SHORT = 1, TMO_LONG = 2 };
#define TMO_SHORT_NS 2000ull      /* a wait that ends at once            */
#define TMO_LONG_NS 5000000ull    /* only where the model grants at once */
extern uint64_t tmo_long_ns;      /* TMO_LONG_NS; the fuzzer shortens it */

/* One call; 8 bytes as encoded for the fuzzer (gen.c). A txn is named by
 * its label, the k-th begin of the generated sequence: an op keeps its
 * txn when ops before it are removed by the shrinker. */
typedef struct op {
	uint8_t kind;  /* OP_* */
	uint8_t hsel;  /* H_* */
	uint16_t txn;  /* label */
	uint8_t res;   /* index in the universe, or RES_NULL */
	int8_t mode;
	uint8_t flags; /* as passed: 0, LK_F_NOHIER, or a bad bit */
	uint8_t tmo : 2, tokp : 1; /* TMO_*; lk_lock_ex passes &tok */
} op_t;

#define OP_BYTES 8
void op_encode(const op_t *op, uint8_t b[OP_BYTES]);
/* nbegins: begins decoded so far (a txn reference is taken modulo it). */
void op_decode(const uint8_t b[OP_BYTES], uint32_t nbegins, op_t *op);

/* ---- the model --------------------------------------------------------------- */

#define M_MAXLIVE 16 /* live txns held at once (configs stay below) */
#define M_MAXEV 96

/* Token rule of one expected event / of lk_lock_ex's *token. */
enum {
	TR_ZERO = 0,   /* 0 */
	TR_EQ,         /* == val */
	TR_FRESH,      /* > every token seen on the resource so far */
	TR_SAME_FRESH, /* == val, or fresh (an escalation keeping its mode) */
	TR_UNTOUCHED,  /* *token: not written (the call failed) */
	TR_EVENT,      /* *token: the token event ev_a bound, or ev_b's */
};

typedef struct mev {
	int event, label, res, mode, prev, status;
	bool waiting;
	int tok_rule;
	uint64_t tok_val;
	int bind_slot, bind_res; /* model token cell to fill, -1: none */
	uint8_t optional;        /* 1: first of an optional pair, 2: second */
	uint8_t group;           /* nonzero: matched in any order with its run */
	uint64_t got;            /* the token matched (filled by the driver) */
} mev_t;

/* Tags: what the model saw in an op; the most specific names a mismatch
 * class, so that the survey points at the rule involved. */
enum {
	TAG_BADKIND = 1u << 0, TAG_INVAL = 1u << 1, TAG_NOMEM = 1u << 2,
	TAG_UANC = 1u << 3,    /* U request kept an S/U ancestor (no SIX) */
	TAG_UCOVER = 1u << 4,  /* covered by an ancestor held in U        */
	TAG_COVER = 1u << 5,   /* covered by an ancestor                  */
	TAG_UHIER = 1u << 6,   /* U on or above a hierarchical request    */
	TAG_ESC = 1u << 7,     /* escalated                               */
	TAG_ESCNO = 1u << 8,   /* over the threshold, escalation refused  */
	TAG_ESCNEAR = 1u << 9, /* at the threshold exactly (no escalation) */
	TAG_NOHIERROW = 1u << 10, /* a NOHIER row under a held table      */
	TAG_INTENT = 1u << 11, /* an intention lock granted or converted  */
	TAG_CONVERT = 1u << 12, TAG_NOOP = 1u << 13, TAG_WOUND = 1u << 14,
	TAG_DIE = 1u << 15, TAG_WAIT = 1u << 16, TAG_CONFLICT = 1u << 17,
	TAG_WOUNDED = 1u << 18, TAG_STALE = 1u << 19, TAG_POOLEDGE = 1u << 20,
	TAG_2PL = 1u << 21,
	TAG_SELFCOVER = 1u << 22, /* the intention this call converts an
				     ancestor to would cover the request */
};
const char *tag_name(uint32_t tags); /* the most specific one */

/* The expectation of one op. */
typedef struct mexp {
	int rc;          /* expected return (int calls) */
	int tok_rule;    /* lk_lock_ex's *token */
	uint64_t tok_val;
	int ev_a, ev_b;  /* TR_EVENT: indices into ev[] */
	uint32_t tags;
	bool skip;       /* op not run: its txn label was never begun */
	bool invalid_seq;/* op not meaningful (a lock after LK_DEADLOCK) */
	bool begin_out;  /* lk_txn_begin: *out must be a new handle */
	int nev;
	mev_t ev[M_MAXEV]; /* last: model_plan clears what is before it */
} mexp_t;

typedef struct mstats {
	uint64_t acquired, intention_acquired, waited, deadlocks, timeouts,
		wouldblocks, escalations, wounds, commits, aborts;
} mstats_t;

typedef struct mtxn {
	uint8_t state; /* 0 never begun, 1 live, 2 ended, 3 begin failed */
	int8_t slot;   /* live: index in model.live[] */
	bool wounded, doomed;
	uint64_t id, order;
	lk_txn_t *h;
} mtxn_t;

typedef struct mslot {
	int label;
	int8_t held[RES_NVALID]; /* mode, -1 none */
	uint64_t tok[RES_NVALID];
} mslot_t;

typedef struct model {
	const mcfg_t *cfg;
	const mtab_t *mt;
	unsigned tolerate; /* TOL_* */
	mtxn_t *tx;
	uint32_t ntx, captx;
	mslot_t live[M_MAXLIVE];
	bool slot_used[M_MAXLIVE];
	uint32_t nlive, used; /* live txns, requests held */
	uint64_t last_tok[RES_NVALID];
	uint64_t next_order, last_id;
	int stale[8];         /* recently ended labels */
	int nstale;
	mstats_t st;
} model_t;

/* Tolerances: known defects the run may step around (main.c --tolerate),
 * so that what lies behind them shows. Each is named in report.c. */
enum {
	TOL_ACQUIRED = 1u << 0, /* acquired may include intention grants   */
	TOL_TOKOUT = 1u << 1,   /* a failed call may write *token = 0 / *out = NULL */
	TOL_BADKIND = 1u << 2,  /* no ops on kinds 0/6/15                 */
	TOL_UHIER = 1u << 3,    /* U only on flat kinds, and no lock its own
				   intention would cover (page S + row SIX) */
	TOL_POOL = 1u << 4,     /* LK_NOMEM with room in the pool accepted */
	TOL_ESC = 1u << 5,      /* no escalation configs                  */
};
#define TOL_ALL 0x3fu
unsigned tol_parse(const char *s); /* "acquired,pool" / "all"; ~0u: bad */
void tol_print(unsigned t, char *buf, size_t n);

void model_init(model_t *m, const mcfg_t *cfg, unsigned tolerate);
void model_free(model_t *m);
mtxn_t *model_txn(model_t *m, int label); /* NULL if never seen */
/* Plans op: fills *e and updates the state as the call must. Tokens the
 * model cannot know (fresh ones) are filled in later from the events by
 * model_bind(). nomem_at >= 0 forces LK_NOMEM at that request allocation
 * (TOL_POOL: replanning after a starved pool). */
void model_plan(model_t *m, const op_t *op, mexp_t *e, int nomem_at);
/* Stores a matched token into the state (the event's bind cell). */
void model_bind(model_t *m, const mev_t *ev, uint64_t tok);
/* The real handle/id of a begin, once it returned LK_OK. */
void model_begun(model_t *m, int label, lk_txn_t *h, uint64_t id);
/* Would a lock of (label, res, mode, flags) have to wait? (gen.c) */
bool model_would_wait(const model_t *m, int label, int res, int mode,
		      unsigned flags);
/* Is op one the tolerances step around (TOL_BADKIND, TOL_UHIER)? Such an
 * op is not run (run_step returns 2), whoever made it (the fuzzer). */
bool model_tolerated(const model_t *m, const op_t *op);
/* Would the intention this lock converts an ancestor to cover the lock
 * itself (page S/U, then row IX/SIX/U)? (gen.c, TOL_UHIER) */
bool model_self_cover(const model_t *m, int label, int res, int mode,
		      unsigned flags);

/* ---- the driver -------------------------------------------------------------- */

typedef struct mismatch {
	long op_index;
	char cls[160];
	char detail[8192];
} mismatch_t;

typedef struct run run_t;
run_t *run_new(int cfg, unsigned tolerate, mismatch_t *mm);
/* 0: ok; 1: mismatch (in *mm); 2: op skipped (its txn never began) */
int run_step(run_t *r, const op_t *op, mismatch_t *mm);
const model_t *run_model(const run_t *r);
void coverage_print(FILE *f); /* tags and codes of the ops run so far */
void run_free(run_t *r);

/* ---- generation, replay, shrinking, printing -------------------------------- */

typedef struct rng {
	uint64_t s;
} rng_t;
static inline uint64_t rng_next(rng_t *g)
{ /* splitmix64 */
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static inline uint32_t rng_below(rng_t *g, uint32_t n)
{
	return (uint32_t)(((rng_next(g) >> 32) * (uint64_t)n) >> 32);
}
/* The config a seed runs under (when --config is not given). */
int seed_cfg(uint64_t seed);
/* The next op for the model's state; labels are handed out in order. */
void gen_op(const model_t *m, rng_t *g, uint32_t *nbegins, op_t *op);

/* Runs ops[0..n) on a fresh table and model; returns the index of the
 * first mismatching op (its report in *mm) or -1. */
long replay(int cfg, unsigned tol, const op_t *ops, long n, mismatch_t *mm);
/* Shrinks ops (in place) to a short list with a mismatch of the same
 * class; returns the new length. */
long shrink(int cfg, unsigned tol, op_t *ops, long n, const char *cls);

void report_table(const mtab_t *t); /* mode names print_op uses */
void print_config(FILE *f, int cfg, unsigned tol);
void print_op(FILE *f, const op_t *op, const char *comment);
void print_ops(FILE *f, const op_t *ops, long n, long bad, int cfg, unsigned tol);
const char *mode_name(const mtab_t *t, int m); /* "LK_X", "-1", "99" */
const char *rc_name(int rc);
const char *ev_name(int ev);
void res_str(int res, char *buf, size_t n);

#endif
