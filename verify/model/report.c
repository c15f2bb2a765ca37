/*
 * verify/model/report.c: printing. Ops as C calls (a shrunk sequence is a
 * function that compiles against lockmgr.h, each line annotated with the
 * model's answer), configs as the lines that build them, and the names of
 * modes, codes, events and tolerances.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mode_name(const mtab_t *t, int m)
{
	static char buf[4][16];
	static int k;
	if (m >= 0 && m < t->n)
		return t->names[m];
	char *b = buf[k++ % 4];
	snprintf(b, sizeof buf[0], "%d", m);
	return b;
}

const char *rc_name(int rc)
{
	static const char *const n[] = {"LK_OK", "LK_WOULDBLOCK", "LK_TIMEOUT",
					"LK_DEADLOCK", "LK_WOUNDED", "LK_NOMEM",
					"LK_INVAL", "LK_NOTHELD"};
	return rc >= 0 && rc < 8 ? n[rc] : "LK_?";
}

const char *ev_name(int ev)
{
	static const char *const n[] = {"REQUEST", "WAIT", "GRANT", "TIMEOUT",
					"VICTIM", "RELEASE", "CONVERT", "ESCALATE"};
	return ev >= 0 && ev < 8 ? n[ev] : "EV_?";
}

void res_str(int i, char *b, size_t n)
{
	const lk_res_t *r = res_at(i);
	if (!r) {
		snprintf(b, n, "NULL");
		return;
	}
	switch (r->kind) {
	case LK_RES_DATABASE: snprintf(b, n, "DB(%u)", r->f[0]); break;
	case LK_RES_TABLE: snprintf(b, n, "TABLE(%u,%u)", r->f[0], r->f[1]); break;
	case LK_RES_PAGE: snprintf(b, n, "PAGE(%u,%u,%u)", r->f[0], r->f[1], r->f[2]); break;
	case LK_RES_ROW:
		snprintf(b, n, "ROW(%u,%u,%u,%u)", r->f[0], r->f[1], r->f[2], r->f[3]);
		break;
	case LK_RES_ADVISORY: snprintf(b, n, "ADV(%u,%u)", r->f[0], r->f[1]); break;
	default:
		snprintf(b, n, "RES(%u,%u,%u,%u,%u)", r->kind, r->f[0], r->f[1], r->f[2],
			 r->f[3]);
	}
}

static const char *const tol_names[] = {"acquired", "tokout", "badkind",
					"uhier", "pool", "esc"};

unsigned tol_parse(const char *s)
{
	unsigned t = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", s);
	for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		if (!strcmp(p, "all")) {
			t |= TOL_ALL;
			continue;
		}
		if (!strcmp(p, "none"))
			continue;
		unsigned k = 0;
		while (k < 6 && strcmp(p, tol_names[k]))
			k++;
		if (k == 6)
			return ~0u;
		t |= 1u << k;
	}
	return t;
}

void tol_print(unsigned t, char *b, size_t n)
{
	b[0] = 0;
	for (unsigned k = 0; k < 6; k++)
		if (t & (1u << k)) {
			size_t l = strlen(b);
			snprintf(b + l, n - l, "%s%s", l ? "," : "", tol_names[k]);
		}
	if (!b[0])
		snprintf(b, n, "none");
}

static const char *policy_name(int p)
{
	static const char *const n[] = {"LK_POLICY_NO_WAIT", "LK_POLICY_WAIT_DIE",
					"LK_POLICY_WOUND_WAIT", "LK_POLICY_DETECT"};
	return p >= 0 && p < 4 ? n[p] : "?";
}

void print_config(FILE *f, int cfg, unsigned tol)
{
	mcfg_t cc = cfg_effective(cfg, tol);
	const mcfg_t *c = &cc;
	char tb[64];
	tol_print(tol, tb, sizeof tb);
	fprintf(f, "\t/* config %d \"%s\", tolerating: %s */\n", cfg, c->name, tb);
	fprintf(f, "\tlk_lockmgr_config_t cfg;\n\tlk_lockmgr_config_init(&cfg);\n");
	fprintf(f, "\tcfg.policy = %s;\n", policy_name(c->policy));
	fprintf(f, "\tcfg.max_txns = %u;\n\tcfg.max_requests = %u;\n", c->max_txns,
		c->max_requests);
	if (c->esc)
		fprintf(f, "\tcfg.escalation_threshold = %u;\n", c->esc);
	if (!c->fifo)
		fprintf(f, "\tcfg.fifo_strict = false;\n");
	if (!c->hier)
		fprintf(f, "\tcfg.hierarchy = false;\n");
	if (c->strict2pl)
		fprintf(f, "\tcfg.strict_2pl = true;\n");
	if (model_exact_pool(c))
		fprintf(f, "\tcfg.fast_path = false;\n");
	if (c->table == TAB_PG)
		fprintf(f, "\tcfg.modes = lk_modetable_postgres();\n");
	if (c->table == TAB_SX)
		fprintf(f, "\tcfg.modes = lk_modetable_sx();\n");
	fprintf(f, "\tlk_lockmgr_t *mgr;\n\tlk_lockmgr_create(&cfg, &mgr);\n");
	if (!c->notrace)
		fprintf(f, "\t/* a trace hook is set: lk_lockmgr_set_trace(mgr, fn, ctx) */\n");
}

static void handle_str(const op_t *op, char *b, size_t n)
{
	if (op->hsel == H_NULL)
		snprintf(b, n, "NULL");
	else if (op->hsel == H_GARBAGE)
		snprintf(b, n, "GARBAGE");
	else
		snprintf(b, n, "t%u", op->txn);
}

static const mtab_t *cur_tab;

void report_table(const mtab_t *t)
{
	cur_tab = t;
}

void print_op(FILE *f, const op_t *op, const char *comment)
{
	const mtab_t *mt = cur_tab ? cur_tab : mtab_get(TAB_DEFAULT);
	char h[24], rs[48], fl[24];
	handle_str(op, h, sizeof h);
	res_str(op->res == RES_NULL ? -1 : op->res, rs, sizeof rs);
	const char *tmo = op->tmo == TMO_SHORT ? "2000" : op->tmo == TMO_LONG ? "5000000" : "0";
	if (op->flags == LK_F_NOHIER)
		snprintf(fl, sizeof fl, "LK_F_NOHIER");
	else
		snprintf(fl, sizeof fl, "%u", op->flags);
	switch (op->kind) {
	case OP_BEGIN: fprintf(f, "lk_txn_begin(mgr, &t%u);", op->txn); break;
	case OP_BEGIN_NULLMGR: fprintf(f, "lk_txn_begin(NULL, &tx);"); break;
	case OP_BEGIN_NULLOUT: fprintf(f, "lk_txn_begin(mgr, NULL);"); break;
	case OP_COMMIT: fprintf(f, "lk_txn_commit(%s);", h); break;
	case OP_ABORT: fprintf(f, "lk_txn_abort(%s);", h); break;
	case OP_LOCK:
		fprintf(f, "lk_lock(%s, %s, %s, %s, %s);", h, rs, mode_name(mt, op->mode), tmo, fl);
		break;
	case OP_LOCK_EX:
		fprintf(f, "lk_lock_ex(%s, %s, %s, %s, %s, %s);", h, rs, mode_name(mt, op->mode),
			tmo, fl, op->tokp ? "&tok" : "NULL");
		break;
	default: fprintf(f, "lk_unlock(%s, %s);", h, rs);
	}
	if (comment)
		fprintf(f, " /* %s */", comment);
}

/* The sequence as a C function; each line carries the model's answer
 * (from a fresh model), the mismatching one (index bad) is marked. */
void print_ops(FILE *f, const op_t *ops, long n, long bad, int cfg, unsigned tol)
{
	mcfg_t c = cfg_effective(cfg, tol);
	model_t m;
	model_init(&m, &c, tol);
	cur_tab = m.mt;
	fprintf(f, "#define DB(a) (&(lk_res_t){LK_RES_DATABASE, {(a), 0, 0, 0}})\n"
		   "#define TABLE(a, b) (&(lk_res_t){LK_RES_TABLE, {(a), (b), 0, 0}})\n"
		   "#define PAGE(a, b, c) (&(lk_res_t){LK_RES_PAGE, {(a), (b), (c), 0}})\n"
		   "#define ROW(a, b, c, d) (&(lk_res_t){LK_RES_ROW, {(a), (b), (c), (d)}})\n"
		   "#define ADV(a, b) (&(lk_res_t){LK_RES_ADVISORY, {(a), (b), 0, 0}})\n"
		   "#define RES(k, a, b, c, d) (&(lk_res_t){(k), {(a), (b), (c), (d)}})\n"
		   "#define GARBAGE ((lk_txn_t *)(uintptr_t)0x00000003deadbeefull)\n"
		   "static void repro(void)\n{\n");
	print_config(f, cfg, tol);
	fprintf(f, "\tlk_txn_t *tx");
	for (long i = 0; i < n; i++)
		if (ops[i].kind == OP_BEGIN)
			fprintf(f, ", *t%u = NULL", ops[i].txn);
	fprintf(f, ";\n\tuint64_t tok = 0;\n\t(void)tok;\n\t(void)tx;\n");
	mexp_t *e = (mexp_t *)malloc(sizeof *e);
	if (!e)
		abort();
	for (long i = 0; i < n; i++) {
		model_plan(&m, &ops[i], e, -1);
		char cm[96];
		if (e->skip || e->invalid_seq)
			snprintf(cm, sizeof cm, "not run: %s",
				 e->skip ? "its txn never began" : "after LK_DEADLOCK");
		else
			snprintf(cm, sizeof cm, "model: %s%s", rc_name(e->rc),
				 i == bad ? "   <-- MISMATCH" : "");
		fprintf(f, "\t");
		print_op(f, &ops[i], cm);
		fprintf(f, "\n");
	}
	fprintf(f, "\tlk_lockmgr_destroy(mgr);\n}\n");
	free(e);
	model_free(&m);
}
