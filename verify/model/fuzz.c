/*
 * verify/model/fuzz.c: the libFuzzer entry. The input's first byte picks
 * the config, each following 8 bytes one op (gen.c op_decode); the ops run
 * through the same driver as model_test, on a fresh table and model. A
 * mismatch prints its class, the shrunk sequence as C and expected vs
 * got, then aborts (libFuzzer keeps the input as crash-*). Env
 * MODEL_TOLERATE (as model_test --tolerate) steps around known defects.
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz-lockmgr),
 * corpus in verify/model/corpus/.
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_OPS 2048

static unsigned tol;
static op_t ops[FUZZ_MAX_OPS];
static mismatch_t mm;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* random bytes ask for long waits that conflict: keep them short */
	tmo_long_ns = 50000;
	const char *env = getenv("MODEL_TOLERATE");
	if (env && *env) {
		tol = tol_parse(env);
		if (tol == ~0u) {
			fprintf(stderr, "MODEL_TOLERATE: unknown name in %s\n", env);
			exit(2);
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int cfg = data[0] % model_ncfgs;
	long n = 0;
	uint32_t nbegins = 0;
	for (size_t off = 1; off + OP_BYTES <= size && n < FUZZ_MAX_OPS; off += OP_BYTES) {
		op_decode(data + off, nbegins, &ops[n]);
		if (ops[n].kind == OP_BEGIN)
			nbegins++;
		n++;
	}
	long bad = replay(cfg, tol, ops, n, &mm);
	if (bad < 0)
		return 0;
	char tb[64];
	tol_print(tol, tb, sizeof tb);
	printf("\nMISMATCH (fuzz) config %s, op %ld of %ld, tolerating %s\n  class: %s\n%s",
	       model_cfgs[cfg].name, bad + 1, n, tb, mm.cls, mm.detail);
	long m = shrink(cfg, tol, ops, bad + 1, mm.cls);
	long b2 = replay(cfg, tol, ops, m, &mm);
	printf("  minimal sequence (%ld ops):\n", m);
	print_ops(stdout, ops, m, b2, cfg, tol);
	fflush(stdout);
	abort();
}
