/*
 * verify/model/gen.c: where the ops come from. gen_op draws the next op
 * from a seeded splitmix64 stream, steered by the model's state (live
 * txns, what they hold, what others hold) so that conversions, conflicts,
 * the hierarchy, escalation and the pool's edge come up often; op_encode /
 * op_decode are the 8-byte form the fuzzer feeds the same driver.
 */
#include "model.h"

#include <string.h>

int seed_cfg(uint64_t seed)
{
	return (int)(seed % (uint64_t)model_ncfgs);
}

static int pick_live(const model_t *m, int *labels)
{
	int n = 0;
	for (int i = 0; i < M_MAXLIVE; i++)
		if (m->slot_used[i])
			labels[n++] = m->live[i].label;
	return n;
}

static const mslot_t *slot_of(const model_t *m, int label)
{
	for (int i = 0; i < M_MAXLIVE; i++)
		if (m->slot_used[i] && m->live[i].label == label)
			return &m->live[i];
	return NULL;
}

static int held_by(const mslot_t *s, rng_t *g)
{
	int h[RES_NVALID], n = 0;
	for (int r = 0; r < RES_NVALID; r++)
		if (s->held[r] >= 0)
			h[n++] = r;
	return n ? h[rng_below(g, (uint32_t)n)] : -1;
}

/* A resource near r: itself, its parent, a child, or a row of its table. */
static int near(rng_t *g, int r)
{
	int c[RES_NVALID], n = 0;
	const lk_res_t *a = res_at(r);
	for (int x = 0; x < RES_NVALID; x++) {
		const lk_res_t *b = res_at(x);
		bool rel = x == r || res_parent(x) == r || res_parent(r) == x;
		if (a->kind >= LK_RES_TABLE && a->kind <= LK_RES_ROW &&
		    b->kind >= LK_RES_PAGE && b->kind <= LK_RES_ROW &&
		    a->f[0] == b->f[0] && a->f[1] == b->f[1])
			rel = true; /* under the same table: escalation */
		if (rel)
			c[n++] = x;
	}
	return c[rng_below(g, (uint32_t)n)];
}

static int pick_mode(const model_t *m, rng_t *g)
{
	if (m->cfg->table != TAB_DEFAULT)
		return (int)rng_below(g, (uint32_t)m->mt->n);
	/* IS IX S SIX U X */
	static const int w[] = {10, 10, 25, 8, 17, 30};
	int x = (int)rng_below(g, 100);
	for (int i = 0; i < 6; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return LK_X;
}

static bool hier_kind(int r)
{
	uint32_t k = res_at(r)->kind;
	return k >= LK_RES_DATABASE && k <= LK_RES_ROW;
}

static void gen_lock(const model_t *m, rng_t *g, int label, op_t *op)
{
	const mslot_t *s = slot_of(m, label);
	int res, x = (int)rng_below(g, 100);
	int mine = held_by(s, g);
	if (x < 50 && mine >= 0) {
		res = near(g, mine);
	} else if (x < 70) {
		int o[M_MAXLIVE], n = pick_live(m, o);
		const mslot_t *os = slot_of(m, o[rng_below(g, (uint32_t)n)]);
		int their = held_by(os, g);
		res = their >= 0 ? near(g, their) : (int)rng_below(g, RES_NVALID);
	} else {
		res = (int)rng_below(g, RES_NVALID);
	}
	int mode = pick_mode(m, g);
	if ((m->tolerate & TOL_UHIER) && m->cfg->table == TAB_DEFAULT &&
	    mode == LK_U && hier_kind(res))
		mode = rng_below(g, 2) ? LK_S : LK_X;
	unsigned flags = 0;
	if (rng_below(g, 100) < (res_at(res)->kind == LK_RES_ROW ? 20u : 5u))
		flags = LK_F_NOHIER;
	if ((m->tolerate & TOL_UHIER) && model_self_cover(m, label, res, mode, flags))
		mode = LK_X;
	bool would = model_would_wait(m, label, res, mode, flags);
	uint32_t t = rng_below(g, 100);
	op->tmo = would ? (t < 80 ? TMO_ZERO : TMO_SHORT)
			: (t < 75 ? TMO_ZERO : t < 90 ? TMO_SHORT : TMO_LONG);
	op->kind = rng_below(g, 100) < 20 ? OP_LOCK : OP_LOCK_EX;
	op->tokp = rng_below(g, 10) != 0;
	op->txn = (uint16_t)label;
	op->res = (uint8_t)res;
	op->mode = (int8_t)mode;
	op->flags = (uint8_t)flags;
}

/* A call with bad input: each returns LK_INVAL and changes nothing. */
static void gen_invalid(const model_t *m, rng_t *g, int label, op_t *op)
{
	bool badkind_ok = !(m->tolerate & TOL_BADKIND);
	int stale = m->nstale ? m->stale[rng_below(g, m->nstale < 8 ? (uint32_t)m->nstale : 8u)] : -1;
	gen_lock(m, g, label, op);
	op->tmo = TMO_ZERO;
	op->tokp = 1;
	switch (rng_below(g, 12)) {
	case 0: op->hsel = H_NULL; break;
	case 1:
		if (stale >= 0)
			op->txn = (uint16_t)stale;
		else
			op->hsel = H_GARBAGE;
		break;
	case 2: op->hsel = H_GARBAGE; break;
	case 3: op->res = RES_NULL; break;
	case 4:
		if (badkind_ok)
			op->res = (uint8_t)(RES_NVALID + rng_below(g, RES_NALL - RES_NVALID));
		else
			op->hsel = H_NULL;
		break;
	case 5: {
		static const int bad[] = {-1, -2, 16, 17};
		int k = (int)rng_below(g, 5);
		op->mode = (int8_t)(k < 4 ? bad[k] : m->mt->n);
		break;
	}
	case 6: op->flags = (uint8_t)(2 + rng_below(g, 2)); break;
	case 7:
		op->kind = OP_UNLOCK;
		if (rng_below(g, 2) || stale < 0)
			op->hsel = rng_below(g, 2) ? H_NULL : H_GARBAGE;
		else
			op->txn = (uint16_t)stale;
		break;
	case 8:
		op->kind = OP_UNLOCK;
		if (badkind_ok)
			op->res = (uint8_t)(RES_NVALID + rng_below(g, RES_NALL - RES_NVALID));
		else
			op->res = RES_NULL;
		break;
	case 9:
		op->kind = OP_UNLOCK;
		op->res = RES_NULL;
		break;
	case 10:
		op->kind = rng_below(g, 2) ? OP_COMMIT : OP_ABORT;
		if (stale >= 0 && rng_below(g, 2))
			op->txn = (uint16_t)stale; /* a double commit */
		else
			op->hsel = rng_below(g, 2) ? H_NULL : H_GARBAGE;
		break;
	default:
		op->kind = rng_below(g, 2) ? OP_BEGIN_NULLMGR : OP_BEGIN_NULLOUT;
	}
}

void gen_op(const model_t *m, rng_t *g, uint32_t *nbegins, op_t *op)
{
	memset(op, 0, sizeof *op);
	int labels[M_MAXLIVE];
	int n = pick_live(m, labels);
	for (int i = 0; i < n; i++) /* "the caller must abort" */
		if (model_txn((model_t *)m, labels[i])->doomed) {
			op->kind = OP_ABORT;
			op->txn = (uint16_t)labels[i];
			return;
		}
	uint32_t x = rng_below(g, 1000);
	bool full = (uint32_t)n >= m->cfg->max_txns;
	if (!n || (x < 70 && (!full || x < 15)) || (n < 2 && x < 300)) {
		op->kind = OP_BEGIN;
		op->txn = (uint16_t)(*nbegins)++;
		return;
	}
	int label = labels[rng_below(g, (uint32_t)n)];
	mtxn_t *t = model_txn((model_t *)m, label);
	op->txn = (uint16_t)label;
	if (x < 110 || (t->wounded && x < 400)) {
		op->kind = OP_COMMIT;
	} else if (x < 140) {
		op->kind = OP_ABORT;
	} else if (x < 210) {
		gen_invalid(m, g, label, op);
	} else if (x < 330) {
		const mslot_t *s = slot_of(m, label);
		int r = held_by(s, g);
		op->kind = OP_UNLOCK;
		op->res = (uint8_t)(r >= 0 && rng_below(g, 5) ? r : (int)rng_below(g, RES_NVALID));
	} else {
		gen_lock(m, g, label, op);
	}
}

/* ---- the fuzzer's bytes ------------------------------------------------------------ */

void op_encode(const op_t *op, uint8_t b[OP_BYTES])
{
	b[0] = op->kind;
	b[1] = op->hsel;
	b[2] = (uint8_t)(op->txn & 0xff);
	b[3] = (uint8_t)(op->txn >> 8);
	b[4] = op->res == RES_NULL ? RES_NALL : op->res;
	b[5] = (uint8_t)(op->mode + 2);
	b[6] = op->flags;
	b[7] = (uint8_t)(op->tmo | op->tokp << 2);
}

void op_decode(const uint8_t b[OP_BYTES], uint32_t nbegins, op_t *op)
{
	memset(op, 0, sizeof *op);
	op->kind = (uint8_t)(b[0] % OP_NKINDS);
	op->hsel = (uint8_t)(b[1] % 3);
	uint32_t l = (uint32_t)b[2] | (uint32_t)b[3] << 8;
	op->txn = (uint16_t)(op->kind == OP_BEGIN ? nbegins : nbegins ? l % nbegins : 0);
	uint8_t r = (uint8_t)(b[4] % (RES_NALL + 1));
	op->res = r == RES_NALL ? RES_NULL : r;
	op->mode = (int8_t)((int)(b[5] % 20) - 2);
	op->flags = (uint8_t)(b[6] % 4);
	op->tmo = (uint8_t)((b[7] & 3) == 3 ? 0 : (b[7] & 3));
	op->tokp = (uint8_t)((b[7] >> 2) & 1);
}
