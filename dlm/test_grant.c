/* dlm/test_grant.c: the grant rule and request names, without a server
 * (dlm/grant.h). Exit 0 when every case holds. */
#include "grant.h"

#include <stdio.h>
#include <stdlib.h>

static int fails;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); fails++; } } while (0)

int main(void)
{
	lk_dlm_req_ r = lk_dlm_parse_("SIX-00000000deadbeef-7-0000000042");
	CHECK(r.mode == 3 && r.seq == 42);
	r = lk_dlm_parse_("Q-00000000deadbeef-7-0000000042"); /* unknown mode: X */
	CHECK(r.mode == 5 && r.seq == 42);
	CHECK(lk_dlm_parse_("S-x-1-00000000a1").seq == -1);
	CHECK(lk_dlm_parse_("short").seq == -1);

	/* The matrix is lockmgr's default table and symmetric. */
	for (int a = 0; a < LK_DLM_NMODES_; a++)
		for (int b = 0; b < LK_DLM_NMODES_; b++)
			CHECK(lk_dlm_conflicts_(a, b) == lk_dlm_conflicts_(b, a));
	CHECK(!lk_dlm_conflicts_(0, 1) && lk_dlm_conflicts_(1, 2) && !lk_dlm_conflicts_(2, 4));
	CHECK(lk_dlm_conflicts_(4, 4) && lk_dlm_conflicts_(0, 5) && !lk_dlm_conflicts_(2, 2));

	/* Queue S1 X2 S3 S4 X5 (seq order), listed out of order. */
	const char *q[] = {"S-a-4-0000000004", "X-a-2-0000000002", "S-a-1-0000000001",
			   "X-a-5-0000000005", "S-a-3-0000000003"};
	CHECK(lk_dlm_blocker_(q, 5, 1, 2) == -1); /* S1: granted */
	CHECK(lk_dlm_blocker_(q, 5, 2, 5) == 2);  /* X2 waits on S1 */
	CHECK(lk_dlm_blocker_(q, 5, 3, 2) == 1);  /* S3 waits on X2 */
	CHECK(lk_dlm_blocker_(q, 5, 4, 2) == 1);  /* S4 watches X2, not S3 */
	CHECK(lk_dlm_blocker_(q, 5, 5, 5) == 0);  /* X5 waits on the nearest: S4 */
	/* Later requests never block: S1 with X2 behind it is granted. */
	const char *q2[] = {"X-a-2-0000000002", "S-a-1-0000000001"};
	CHECK(lk_dlm_blocker_(q2, 2, 1, 2) == -1);
	/* Compatible group: IS, IX, IS all granted; S behind IX waits on IX. */
	const char *q3[] = {"IS-a-1-0000000001", "IX-a-2-0000000002", "IS-a-3-0000000003"};
	CHECK(lk_dlm_blocker_(q3, 3, 3, 0) == -1);
	CHECK(lk_dlm_blocker_(q3, 3, 4, 2) == 1);
	/* Foreign names are ignored. */
	const char *q4[] = {"lock", "X-a-1-0000000001"};
	CHECK(lk_dlm_blocker_(q4, 2, 2, 0) == 1);

	/* Granted at once: the first request ever, or the next one after ours
	 * with no one in between, in a mode no stronger than ours was. */
	CHECK(lk_dlm_granted_at_once_(0, -1, 0, 5));
	CHECK(lk_dlm_granted_at_once_(8, 7, 5, 5));
	CHECK(lk_dlm_granted_at_once_(8, 7, 5, 0));  /* after X, anything */
	CHECK(lk_dlm_granted_at_once_(8, 7, 2, 0));  /* IS after S */
	CHECK(!lk_dlm_granted_at_once_(8, 7, 2, 1)); /* IX after S: an S may be ahead */
	CHECK(!lk_dlm_granted_at_once_(8, 7, 0, 5)); /* X after IS: an IX ahead may be there */
	CHECK(!lk_dlm_granted_at_once_(9, 7, 5, 5)); /* someone queued in between */
	CHECK(!lk_dlm_granted_at_once_(8, -1, 5, 5)); /* no last request */
	CHECK(!lk_dlm_granted_at_once_(7, 7, 5, 5));
	if (fails)
		return 1;
	printf("dlm grant rule: all cases hold\n");
	return 0;
}
