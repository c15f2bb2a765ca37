/*
 * dlm/history.c: replays the agents' history file (dlm/agent.h) per
 * resource, the way verify/stress/history.h replays the lock table's trace:
 *   - incompatible holds never overlap, unless the earlier holder's hold
 *     ended by losing its session (LOST): then only the fenced store stands
 *     between them, and dlm/test_dlm.c checks that it refuses the stale
 *     token;
 *   - of two conflicting grants, the later one has the larger token (so
 *     tokens of exclusive grants strictly increase per resource);
 *   - every GRANT is ended by one REL or LOST of the same process and token;
 *   - fencing: where an overlap is excused, the stale holder's writes to
 *     the fenced store (WROTE, stamped under the store's lock) all come
 *     before the newer holder's first write: after it, they are REFUSED.
 * A hold runs from GRANT (stamped after lk_dlm_timedlock returned) to REL
 * (stamped before lk_dlm_unlock was called) on one CLOCK_MONOTONIC, which
 * all processes of one machine share; both stamps err on the side of a
 * longer hold, so an overlap seen is an overlap that happened.
 * The matrix is written out here again, not taken from dlm/grant.c, so that
 * a wrong table there is caught.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int history_check(const char *file, int *nholds, int *nlost, int *nexcused, int *nrefused);

/* IS IX S SIX U X; '+' compatible (lockmgr.h's default table). */
static const char *const compat[6] = {"+++++-", "++----", "+-+-+-", "+-----", "+-+---", "------"};

typedef struct {
	int64_t t0, t1; /* t1: INT64_MAX while open */
	int64_t w0, w1; /* first and last accepted write (0: none) */
	int pid, mode;
	bool lost;
	uint64_t tok;
	char res[136];
} hold_t;

typedef struct {
	int64_t t;
	int pid, mode;
	char ev[8], res[136];
	uint64_t tok;
} ev_t;

static int by_time(const void *a, const void *b)
{
	const ev_t *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

int history_check(const char *file, int *nholds, int *nlost, int *nexcused, int *nrefused)
{
	int lostn = 0, excused = 0, refused = 0;
	FILE *f = fopen(file, "r");
	if (!f) {
		perror(file);
		return 1;
	}
	size_t cap = 1024, n = 0;
	ev_t *ev = malloc(cap * sizeof *ev);
	while (ev && fscanf(f, "%" SCNd64 " %d %7s %135s %d %" SCNu64, &ev[n].t, &ev[n].pid, ev[n].ev,
			    ev[n].res, &ev[n].mode, &ev[n].tok) == 6) {
		if (++n == cap)
			ev = realloc(ev, (cap *= 2) * sizeof *ev);
	}
	fclose(f);
	if (!ev)
		return 1;
	qsort(ev, n, sizeof *ev, by_time);
	hold_t *h = calloc(n + 1, sizeof *h);
	size_t nh = 0;
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ev[i].ev, "GRANT") == 0) {
			hold_t *x = &h[nh++];
			x->t0 = ev[i].t;
			x->t1 = INT64_MAX;
			x->pid = ev[i].pid;
			x->mode = ev[i].mode;
			x->tok = ev[i].tok;
			snprintf(x->res, sizeof x->res, "%s", ev[i].res);
			continue;
		}
		bool wrote = strcmp(ev[i].ev, "WROTE") == 0;
		if (wrote || strcmp(ev[i].ev, "REFUSED") == 0) {
			refused += !wrote;
			for (size_t j = 0; j < nh && wrote; j++)
				if (h[j].pid == ev[i].pid && h[j].tok == ev[i].tok &&
				    strcmp(h[j].res, ev[i].res) == 0) {
					if (!h[j].w0)
						h[j].w0 = ev[i].t;
					h[j].w1 = ev[i].t;
				}
			continue;
		}
		size_t k = nh; /* the open hold this ends */
		for (size_t j = 0; j < nh; j++)
			if (h[j].t1 == INT64_MAX && h[j].pid == ev[i].pid && h[j].tok == ev[i].tok &&
			    strcmp(h[j].res, ev[i].res) == 0)
				k = j;
		if (k == nh) {
			printf("history: %s of %s by %d (token %" PRIu64 ") ends no hold\n", ev[i].ev,
			       ev[i].res, ev[i].pid, ev[i].tok);
			bad++;
			continue;
		}
		h[k].t1 = ev[i].t;
		h[k].lost = strcmp(ev[i].ev, "LOST") == 0;
	}
	for (size_t a = 0; a < nh; a++) {
		for (size_t b = a + 1; b < nh; b++) { /* h[a] granted before h[b] */
			if (strcmp(h[a].res, h[b].res) != 0 || compat[h[a].mode][h[b].mode] == '+')
				continue;
			if (h[a].tok >= h[b].tok) {
				printf("history: %s: conflicting grants out of token order: %" PRIu64
				       " then %" PRIu64 "\n", h[a].res, h[a].tok, h[b].tok);
				bad++;
			}
			excused += h[b].t0 < h[a].t1 && h[a].lost;
			if (h[a].w1 && h[b].w0 && h[a].w1 > h[b].w0) {
				printf("history: %s: stale token %" PRIu64 " accepted after token %"
				       PRIu64 " wrote\n", h[a].res, h[a].tok, h[b].tok);
				bad++;
			}
			if (h[b].t0 < h[a].t1 && !h[a].lost) {
				printf("history: %s: mode %d (pid %d, token %" PRIu64 ") granted while "
				       "mode %d (pid %d, token %" PRIu64 ") held\n", h[b].res, h[b].mode,
				       h[b].pid, h[b].tok, h[a].mode, h[a].pid, h[a].tok);
				bad++;
			}
		}
	}
	for (size_t a = 0; a < nh; a++)
		if (h[a].t1 == INT64_MAX) {
			printf("history: %s held by %d (token %" PRIu64 ") never ended\n", h[a].res,
			       h[a].pid, h[a].tok);
			bad++;
		}
	for (size_t a = 0; a < nh; a++)
		lostn += h[a].lost;
	if (nholds)
		*nholds = (int)nh;
	if (nlost)
		*nlost = lostn;
	if (nexcused)
		*nexcused = excused;
	if (nrefused)
		*nrefused = refused;
	free(ev);
	free(h);
	return bad;
}
