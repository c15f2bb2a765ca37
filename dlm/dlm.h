/*
 * latchkit/dlm.h: the lock table's model across machines, on a ZooKeeper
 * ensemble (liblatchkit-dlm, -llatchkit-dlm -lzookeeper_mt).
 *
 * Algorithm: one FIFO request queue per named resource, made of ephemeral
 * sequential znodes /ROOT/<resource>/<mode>-<session>-<n>-<seq>, with group
 * grant: a request is granted when it is compatible with every request
 * queued before it, and waits (one exists-watch) on the nearest earlier
 * request it conflicts with, never on a later one and never on all of them
 * (no herd). Hunt et al., "ZooKeeper: wait-free coordination for
 * Internet-scale systems" (USENIX ATC 2010), lock recipes; Gray & Reuter
 * ch. 7 for the modes and group grant. Design, znode layout, faults and the
 * fencing argument: dlm/README.md; the grant rule is verify/tla/DlmGrant.tla.
 *
 * Progress and fairness: a request is granted once every earlier request it
 * conflicts with is gone (released, or its session expired); requests are
 * served in arrival (sequence) order, with compatible neighbours granted
 * together. No request is overtaken by a later conflicting one (no
 * starvation). Blocking calls wait on a condition variable for the watch;
 * nothing spins.
 *
 * Leases: the ZooKeeper session is the lease. When it expires (the ensemble
 * says so, or the handle has been cut off from it for longer than the lease
 * can still be alive), every lock of the handle is lost: every call then
 * returns LK_DLM_EXPIRED until lk_dlm_reset(), and lk_dlm_held() never
 * reports a lost lock as held.
 *
 * Fencing: every grant carries a token, the czxid of its request znode.
 * For a mode that conflicts with itself (X, U, SIX in the default table; X
 * in S/X) the tokens of successive grants on one resource strictly
 * increase; a store that refuses a token below the highest it has seen
 * refuses a holder whose lease ran out (README.md, "Fencing").
 *
 * Cost: an uncontended lock is one znode create, its unlock one delete
 * (the engine's floor); the queue is listed only when the handle cannot
 * tell that its request is first (README.md, "Requests per lock").
 *
 * Size: a handle is one ZooKeeper session (two client threads) plus
 * LK_DLM_MAX_HELD lock slots of about 300 bytes and as many per-resource
 * hints of about 150 bytes.
 *
 * Threads: a handle may be used by one thread at a time; use one handle per
 * thread for concurrency (each is its own session). The expiry callback runs
 * on the ZooKeeper client's event thread.
 *
 * Memory order: no atomics. The handle's session state, lost flag and
 * lock slots are read and written under the handle's mutex, which the
 * ZooKeeper event thread takes too; the mutex orders them.
 *
 * Verbs: open/close, lock/trylock/timedlock/unlock, unlock_all, held,
 * check, reset. Left out, on purpose (README.md says more):
 *   - conversions: a second lock on a held resource returns LK_DLM_HELD;
 *     an upgrade in a distributed queue needs the requeue-ahead rule of
 *     lockmgr, which costs a second znode and a second round of watches;
 *   - hierarchy (intention locks on parents): resources here are flat
 *     names; the intention modes are usable but are not taken for you;
 *   - cross-machine deadlock detection: it needs a global wait-for graph
 *     read consistently from every session; use timeouts instead.
 *
 * Errors are returned, never raised. Bad input (NULL, an empty or too long
 * resource name, a name with '/' or a character outside [A-Za-z0-9._-], an
 * unknown mode) returns LK_DLM_INVAL and changes nothing; a call that fails
 * leaves its output parameters as they were. LK_DEBUG adds a stderr line
 * naming the call for each LK_DLM_INVAL.
 */
#ifndef LATCHKIT_DLM_H
#define LATCHKIT_DLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes: 0..7 mean what they mean in lockmgr.h. */
enum {
	LK_DLM_OK = 0,
	LK_DLM_WOULDBLOCK = 1, /* trylock: not grantable now; nothing queued */
	LK_DLM_TIMEOUT = 2,    /* not granted in time; the request is withdrawn */
	LK_DLM_NOMEM = 5,      /* out of memory or LK_DLM_MAX_HELD slots */
	LK_DLM_INVAL = 6,      /* bad argument (see above) */
	LK_DLM_NOTHELD = 7,    /* unlock of a resource this handle does not hold */
	LK_DLM_HELD = 16,      /* lock of a resource already held (no conversions) */
	LK_DLM_EXPIRED = 17,   /* the session is gone: every lock of this handle
				  is lost; lk_dlm_reset() starts a new session */
	LK_DLM_UNAVAIL = 18,   /* the ensemble could not be reached in time; for
				  lock: nothing granted (the request is withdrawn
				  or dies with the session); for unlock: the
				  lock is dropped here and its znode goes at the
				  latest when the session ends */
	LK_DLM_ZKERR = 19      /* ZooKeeper refused the call (e.g. no
				  permission on the root); nothing granted */
};

/* Mode tables. LK_DLM_TABLE_DEFAULT is lockmgr's default table (IS, IX, S,
 * SIX, U, X, numbered as LK_IS..LK_X there); LK_DLM_TABLE_SX is S/X
 * (LK_SX_S = 0, LK_SX_X = 1). */
enum { LK_DLM_TABLE_DEFAULT = 0, LK_DLM_TABLE_SX = 1 };
enum { LK_DLM_IS = 0, LK_DLM_IX = 1, LK_DLM_S = 2, LK_DLM_SIX = 3, LK_DLM_U = 4, LK_DLM_X = 5 };

#define LK_DLM_MAX_HELD 64
#define LK_DLM_NAME_MAX 128 /* longest resource name, bytes */
#define LK_DLM_FOREVER (-1) /* timeout: wait as long as the session lives */

typedef struct lk_dlm lk_dlm_t;

typedef struct lk_dlm_config {
	const char *hosts;   /* "host:port,host:port,..." (required) */
	const char *root;    /* znode under which resources live; NULL: "/latchkit" */
	int table;           /* LK_DLM_TABLE_DEFAULT or LK_DLM_TABLE_SX */
	int session_ms;      /* lease asked for (the ensemble may bound it); 0: 4000 */
	int connect_ms;      /* how long open waits for a session; 0: 10000 */
	/* Called once when the session is found expired (on the ZooKeeper
	 * event thread, or in the calling thread when the handle finds it):
	 * every lock is lost. May be NULL. */
	void (*on_expire)(void *arg);
	void *arg;
} lk_dlm_config_t;

#define LK_DLM_CONFIG_INIT { NULL, NULL, LK_DLM_TABLE_DEFAULT, 0, 0, NULL, NULL }

/* Opens a session. *out is set only on LK_DLM_OK. LK_DLM_UNAVAIL: no session
 * within connect_ms. */
int lk_dlm_open(lk_dlm_t **out, const lk_dlm_config_t *cfg);
/* Releases every lock (best effort) and ends the session; NULL is a no-op. */
void lk_dlm_close(lk_dlm_t *d);

/* Locks resource in mode, waiting up to timeout_ms (0: try, LK_DLM_FOREVER:
 * no limit). On LK_DLM_OK, *token (may be NULL) is the grant's fencing
 * token. */
int lk_dlm_timedlock(lk_dlm_t *d, const char *resource, int mode,
		     int timeout_ms, uint64_t *token);
int lk_dlm_lock(lk_dlm_t *d, const char *resource, int mode, uint64_t *token);
int lk_dlm_trylock(lk_dlm_t *d, const char *resource, int mode, uint64_t *token);

int lk_dlm_unlock(lk_dlm_t *d, const char *resource);
/* Releases every lock of the handle; returns the first failure (the others
 * are still released), LK_DLM_OK if there was none. */
int lk_dlm_unlock_all(lk_dlm_t *d);

/* LK_DLM_OK and *mode, *token (either may be NULL) when this handle holds
 * resource; LK_DLM_NOTHELD when not; LK_DLM_EXPIRED when the session is
 * gone (then nothing is held). Asks the ensemble nothing. */
int lk_dlm_held(lk_dlm_t *d, const char *resource, int *mode, uint64_t *token);

/* One round trip to the ensemble: LK_DLM_OK while the session (and so every
 * lock held) is alive, LK_DLM_EXPIRED when it is gone, LK_DLM_UNAVAIL when
 * the ensemble cannot be reached now (the locks may already be lost: do not
 * act on them; a fenced store is the safe check). */
int lk_dlm_check(lk_dlm_t *d);

/* After LK_DLM_EXPIRED: ends the old session, forgets every lock, opens a
 * new session. Also usable at any time to drop everything at once. */
int lk_dlm_reset(lk_dlm_t *d);

/* The number of locks held; 0 after expiry. */
int lk_dlm_nheld(const lk_dlm_t *d);

/* The name of mode in the handle's table ("X"); "?" when unknown. */
const char *lk_dlm_mode_name(const lk_dlm_t *d, int mode);
/* A static string naming the code; never NULL. */
const char *lk_dlm_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif /* LATCHKIT_DLM_H */
