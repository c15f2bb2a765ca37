/*
 * verify/model/main.c: the model-based test program.
 *
 *   model_test                      seeds 1..20, 5000 ops each (make test)
 *   model_test --seed S --ops N     one seed: replays a reported run
 *   model_test --seeds K --first S  seeds S..S+K-1
 *   model_test --min-ops M          seeds from --first on until M ops ran
 *   model_test --survey N           seeds 1..N: the first mismatch class of
 *                                   each, counted (--examples: a shrunk
 *                                   reproducer per class)
 *   model_test --corpus DIR --count K   K fuzz inputs from the generator
 * Options: --config NAME|IDX (default: seed % number of configs),
 * --tolerate LIST (acquired,tokout,badkind,uhier,pool,esc or all: step
 * around the known defects to see what lies behind them), --no-shrink,
 * --quiet, --list-configs. Env MODEL_TOLERATE is read as --tolerate.
 * Exit 1 on a mismatch (not for --survey), 2 on bad usage.
 */
#include "model.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
	uint64_t seed, first, seeds, ops, min_ops, survey, count;
	int cfg;
	unsigned tol;
	bool one, shrink, quiet, examples, coverage;
	const char *corpus;
} o = {0, 1, 20, 5000, 0, 0, 40, -1, 0, false, true, false, false, false, NULL};

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "model_test: no progress for 120 s (a call hung?); "
				  "see the last seed printed\n";
	if (write(2, msg, sizeof msg - 1) < 0)
		_exit(3);
	_exit(3);
}

static void usage(void)
{
	fprintf(stderr, "usage: model_test [--seed S] [--ops N] [--seeds K] [--first S] "
			"[--min-ops M] [--survey N [--examples]] [--config NAME] "
			"[--tolerate LIST] [--corpus DIR --count K] [--no-shrink] [--quiet] "
			"[--coverage] [--list-configs]\n");
	exit(2);
}

/* One seed: generate and run up to nops ops; ops[] gets the sequence.
 * Returns the number of ops run; *bad: the mismatching op or -1. */
static long run_seed_ex(uint64_t seed, int cfg, long nops, op_t *ops, long *bad,
			mismatch_t *mm, bool keep_going)
{
	rng_t g = {seed * 0x2545f4914f6cdd1dull + 1};
	run_t *r = run_new(cfg, o.tol, mm);
	uint32_t nbegins = 0;
	long n = 0;
	*bad = -1;
	while (n < nops) {
		gen_op(run_model(r), &g, &nbegins, &ops[n]);
		int rc = run_step(r, &ops[n], mm);
		n++;
		if (rc == 1 && *bad < 0)
			*bad = n - 1;
		if (rc == 1 && !keep_going)
			break;
	}
	run_free(r);
	return n;
}

static long run_seed(uint64_t seed, int cfg, long nops, op_t *ops, long *bad,
		     mismatch_t *mm)
{
	return run_seed_ex(seed, cfg, nops, ops, bad, mm, false);
}

static void report(uint64_t seed, int cfg, op_t *ops, long bad,
		   const mismatch_t *mm)
{
	char tb[64];
	tol_print(o.tol, tb, sizeof tb);
	printf("\nMISMATCH seed %llu, config %s, op %ld of %llu%s%s\n  class: %s\n%s",
	       (unsigned long long)seed, model_cfgs[cfg].name, bad + 1,
	       (unsigned long long)o.ops, strcmp(tb, "none") ? ", tolerating " : "",
	       strcmp(tb, "none") ? tb : "", mm->cls, mm->detail);
	printf("  replay: model_test --seed %llu --ops %llu%s%s%s\n",
	       (unsigned long long)seed, (unsigned long long)o.ops,
	       o.cfg >= 0 ? " --config " : "", o.cfg >= 0 ? model_cfgs[cfg].name : "",
	       strcmp(tb, "none") ? " --tolerate (as above)" : "");
	if (!o.shrink)
		return;
	long m = shrink(cfg, o.tol, ops, bad + 1, mm->cls);
	mismatch_t mm2;
	long b2 = replay(cfg, o.tol, ops, m, &mm2);
	printf("  minimal sequence (%ld ops, from %ld):\n", m, bad + 1);
	print_ops(stdout, ops, m, b2, cfg, o.tol);
	if (b2 >= 0)
		printf("  its mismatch: %s\n%s", mm2.cls, mm2.detail);
	fflush(stdout);
}

typedef struct cls_count {
	char cls[160];
	long count;
	uint64_t seed;
	int cfg;
} cls_count_t;

static int by_count(const void *a, const void *b)
{
	const cls_count_t *x = a, *y = b;
	return (y->count > x->count) - (y->count < x->count);
}

static int survey(op_t *ops)
{
	cls_count_t *c = (cls_count_t *)calloc(512, sizeof *c);
	mismatch_t *mm = (mismatch_t *)malloc(sizeof *mm);
	if (!c || !mm)
		abort();
	int nc = 0;
	long clean = 0, total = 0;
	for (uint64_t s = o.first; s < o.first + o.survey; s++) {
		alarm(120);
		int cfg = o.cfg >= 0 ? o.cfg : seed_cfg(s);
		long bad;
		total += run_seed(s, cfg, (long)o.ops, ops, &bad, mm);
		if (bad < 0) {
			clean++;
			continue;
		}
		int k = 0;
		while (k < nc && strcmp(c[k].cls, mm->cls))
			k++;
		if (k == nc && nc < 512) {
			snprintf(c[nc].cls, sizeof c[nc].cls, "%s", mm->cls);
			c[nc].seed = s;
			c[nc++].cfg = cfg;
		}
		if (k < 512)
			c[k].count++;
	}
	qsort(c, (size_t)nc, sizeof *c, by_count);
	char tb[64];
	tol_print(o.tol, tb, sizeof tb);
	printf("survey: %llu seeds x %llu ops (tolerating: %s), %ld ops run; "
	       "%ld seeds clean; first mismatch per seed:\n",
	       (unsigned long long)o.survey, (unsigned long long)o.ops, tb, total, clean);
	printf("  %6s  %-8s %-16s %s\n", "seeds", "e.g.", "config", "class");
	for (int k = 0; k < nc; k++)
		printf("  %6ld  %-8llu %-16s %s\n", c[k].count, (unsigned long long)c[k].seed,
		       model_cfgs[c[k].cfg].name, c[k].cls);
	for (int k = 0; o.examples && k < nc; k++) {
		long bad;
		alarm(120);
		run_seed(c[k].seed, c[k].cfg, (long)o.ops, ops, &bad, mm);
		long m = shrink(c[k].cfg, o.tol, ops, bad + 1, mm->cls);
		long b2 = replay(c[k].cfg, o.tol, ops, m, mm);
		printf("\n== class: %s\n   (seed %llu, %ld ops after shrinking)\n", c[k].cls,
		       (unsigned long long)c[k].seed, m);
		print_ops(stdout, ops, m, b2, c[k].cfg, o.tol);
		if (b2 >= 0)
			printf("%s", mm->detail);
		fflush(stdout);
	}
	free(c);
	free(mm);
	return 0;
}

static int corpus(op_t *ops)
{
	mismatch_t *mm = (mismatch_t *)malloc(sizeof *mm);
	if (!mm)
		abort();
	for (uint64_t i = 1; i <= o.count; i++) {
		int cfg = (int)(i % (uint64_t)model_ncfgs);
		long want = 20 + (long)((i * 37) % 160), bad;
		/* past a mismatch too: the ops are what matters here */
		long n = run_seed_ex(1000 + i, cfg, want, ops, &bad, mm, true);
		char path[512];
		snprintf(path, sizeof path, "%s/gen-%03llu", o.corpus, (unsigned long long)i);
		FILE *f = fopen(path, "wb");
		if (!f) {
			perror(path);
			return 2;
		}
		uint8_t b[OP_BYTES];
		fputc(cfg, f);
		for (long k = 0; k < n; k++) {
			op_encode(&ops[k], b);
			fwrite(b, 1, OP_BYTES, f);
		}
		fclose(f);
	}
	printf("wrote %llu inputs to %s\n", (unsigned long long)o.count, o.corpus);
	free(mm);
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("MODEL_TOLERATE");
	if (env && *env && (o.tol = tol_parse(env)) == ~0u)
		usage();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NUM(name, field)                                                               \
	if (!strcmp(a, name)) {                                                        \
		if (!v)                                                                \
			usage();                                                       \
		o.field = strtoull(v, NULL, 0);                                        \
		i++;                                                                   \
		continue;                                                              \
	}
		NUM("--ops", ops);
		NUM("--seeds", seeds);
		NUM("--first", first);
		NUM("--min-ops", min_ops);
		NUM("--survey", survey);
		NUM("--count", count);
		if (!strcmp(a, "--seed") && v) {
			o.seed = strtoull(v, NULL, 0);
			o.one = true;
			i++;
		} else if (!strcmp(a, "--config") && v) {
			if ((o.cfg = cfg_by_name(v)) < 0)
				usage();
			i++;
		} else if (!strcmp(a, "--tolerate") && v) {
			if ((o.tol = tol_parse(v)) == ~0u)
				usage();
			i++;
		} else if (!strcmp(a, "--corpus") && v) {
			o.corpus = v;
			i++;
		} else if (!strcmp(a, "--no-shrink")) {
			o.shrink = false;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = true;
		} else if (!strcmp(a, "--coverage")) {
			o.coverage = true;
		} else if (!strcmp(a, "--examples")) {
			o.examples = true;
		} else if (!strcmp(a, "--list-configs")) {
			for (int k = 0; k < model_ncfgs; k++)
				print_config(stdout, k, 0);
			return 0;
		} else {
			usage();
		}
	}
	signal(SIGALRM, on_alarm);
	uint64_t cap = o.ops > 1000 ? o.ops : 1000;
	op_t *ops = (op_t *)malloc(cap * sizeof *ops);
	mismatch_t *mm = (mismatch_t *)malloc(sizeof *mm);
	if (!ops || !mm || o.ops > 60000) {
		fprintf(stderr, "model_test: --ops at most 60000 (txn labels are 16 bits)\n");
		return 2;
	}
	if (o.corpus || o.survey) {
		int rc = o.corpus ? corpus(ops) : survey(ops);
		free(ops);
		free(mm);
		return rc;
	}
	if (o.one) {
		o.first = o.seed;
		o.seeds = 1;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long total = 0, runs = 0, bad_runs = 0;
	uint64_t first_bad = 0;
	for (uint64_t s = o.first;; s++) {
		if (o.min_ops ? (uint64_t)total >= o.min_ops : s >= o.first + o.seeds)
			break;
		alarm(120);
		int cfg = o.cfg >= 0 ? o.cfg : seed_cfg(s);
		long bad;
		long n = run_seed(s, cfg, (long)o.ops, ops, &bad, mm);
		total += n;
		runs++;
		if (bad < 0) {
			if (!o.quiet)
				printf("seed %-6llu %-16s %ld ops ok\n", (unsigned long long)s,
				       model_cfgs[cfg].name, n);
			continue;
		}
		bad_runs++;
		printf("seed %-6llu %-16s MISMATCH at op %ld: %s\n", (unsigned long long)s,
		       model_cfgs[cfg].name, bad + 1, mm->cls);
		if (bad_runs == 1)
			first_bad = s;
		fflush(stdout);
	}
	if (bad_runs) { /* the first, again (the same ops), reported in full */
		int cfg = o.cfg >= 0 ? o.cfg : seed_cfg(first_bad);
		long bad;
		alarm(600);
		run_seed(first_bad, cfg, (long)o.ops, ops, &bad, mm);
		report(first_bad, cfg, ops, bad, mm);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	char tb[64];
	tol_print(o.tol, tb, sizeof tb);
	printf("model: %ld runs, %ld ops, %ld mismatching runs%s, %.1f s (tolerating: %s)\n",
	       runs, total, bad_runs, bad_runs ? " (the first is shown above, shrunk)" : "",
	       secs, tb);
	if (o.coverage)
		coverage_print(stdout);
	if (bad_runs)
		printf("model: verify/model/README.md says how to read this; "
		       "--survey N counts the classes over N seeds\n");
	if (bad_runs)
		printf("model: replay the first with: model_test --seed %llu --ops %llu\n",
		       (unsigned long long)first_bad, (unsigned long long)o.ops);
	free(ops);
	free(mm);
	return bad_runs ? 1 : 0;
}
