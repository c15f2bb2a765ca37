#include <latchkit/lockmgr.h>
#include <stdio.h>

int main(void)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.policy = LK_POLICY_DETECT;

	lk_lockmgr_t *m;
	int rc = lk_lockmgr_create(&cfg, &m);
	if (rc != LK_OK)
		return fprintf(stderr, "%s\n", lk_strerror(rc)), 1;

	lk_txn_t *t;
	lk_txn_begin(m, &t);
	lk_res_t row = lk_res_row(1, 42, 7, 3); /* db, table, page, row */
	rc = lk_lock(t, &row, LK_X, 50000000, 0); /* IX on db, table, page */
	if (rc != LK_OK)
		fprintf(stderr, "%s\n", lk_strerror(rc));
	else
		printf("held in mode %d\n", lk_held_mode(t, &row));
	lk_txn_commit(t); /* releases everything: strict 2PL */

	lk_lockmgr_destroy(m);
	return rc != LK_OK;
}
