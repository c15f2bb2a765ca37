/* Two handles, two sessions, as two machines would hold them: one takes
 * X on a resource, the other cannot have S until it is released, and the
 * later grant carries the larger fencing token. Needs a ZooKeeper
 * ensemble: LK_DLM_HOSTS="host:port,...". Build: cc ex.c -llatchkit-dlm */
#include <latchkit/dlm.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	lk_dlm_config_t cfg = LK_DLM_CONFIG_INIT;
	cfg.hosts = getenv("LK_DLM_HOSTS");
	if (!cfg.hosts) {
		puts("set LK_DLM_HOSTS to a ZooKeeper ensemble");
		return 2;
	}
	lk_dlm_t *a, *b;
	int st = lk_dlm_open(&a, &cfg);
	if (st != LK_DLM_OK) {
		printf("open: %s\n", lk_dlm_strerror(st));
		return 1;
	}
	if ((st = lk_dlm_open(&b, &cfg)) != LK_DLM_OK) {
		printf("open: %s\n", lk_dlm_strerror(st));
		lk_dlm_close(a);
		return 1;
	}
	uint64_t ta = 0, tb = 0;
	int ok = lk_dlm_lock(a, "accounts", LK_DLM_X, &ta) == LK_DLM_OK;
	/* A try never waits; a timed lock waits at most its timeout. */
	ok = ok && lk_dlm_trylock(b, "accounts", LK_DLM_S, &tb) == LK_DLM_WOULDBLOCK;
	ok = ok && lk_dlm_timedlock(b, "accounts", LK_DLM_S, 100, &tb) == LK_DLM_TIMEOUT;
	ok = ok && lk_dlm_unlock(a, "accounts") == LK_DLM_OK;
	ok = ok && lk_dlm_timedlock(b, "accounts", LK_DLM_S, 5000, &tb) == LK_DLM_OK;
	/* A store that refuses tokens below the largest it has seen refuses
	 * a's writes from now on (dlm/README.md, "Fencing"). */
	ok = ok && tb > ta;
	ok = ok && lk_dlm_unlock_all(b) == LK_DLM_OK && lk_dlm_nheld(b) == 0;
	printf("X token %" PRIu64 ", then S token %" PRIu64 ": %s\n", ta, tb, ok ? "ok" : "FAILED");
	lk_dlm_close(b);
	lk_dlm_close(a);
	return ok ? 0 : 1;
}
