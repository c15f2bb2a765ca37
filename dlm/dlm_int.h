/*
 * dlm/dlm_int.h (internal): the handle, shared by session.c (the session:
 * events, waits, open/close/reset) and dlm.c (the queue: lock, unlock).
 *
 * Locking: d->mu guards the session state and the slots. It is never held
 * across a ZooKeeper call: a synchronous call waits for the client's
 * completion thread, which runs our watchers, which take d->mu.
 */
#ifndef LK_DLM_INT_H
#define LK_DLM_INT_H

#include "dlm.h"
#include "grant.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#define THREADED /* the synchronous API of the multi-threaded client */
#include <zookeeper/zookeeper.h>

#define PATH_MAX_ (LK_DLM_NAME_MAX + 160)
/* The least time between two routine resolutions of the host list by the
 * C client (zoo_set_servers_resolution_delay); session.c says why. */
#define LK_DLM_RESOLVE_MS_ 1000

typedef struct {
	char res[LK_DLM_NAME_MAX + 1];
	char node[PATH_MAX_]; /* full path of our request znode */
	int mode;              /* default-table numbering */
	uint64_t token;
	enum { SLOT_FREE, SLOT_HELD, SLOT_ORPHAN } state; /* ORPHAN: to delete */
} slot_t;

/* What the handle knows of a resource's queue (README.md, "Requests per
 * lock"): the sequence and mode of its last request there, granted and
 * deleted since, and whether an exists-watch on the resource's znode is
 * set, so that a delete or change of that znode clears the entry. */
typedef struct {
	char res[LK_DLM_NAME_MAX + 1]; /* "": unused */
	int64_t seq;                   /* -1: none usable */
	int mode;
	bool watched;
} hint_t;

struct lk_dlm {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a watch fired or the session state changed */
	zhandle_t *zh;
	char *hosts, *root;
	int table, session_ms, connect_ms;
	void (*on_expire)(void *);
	void *arg;
	int zstate;         /* last session state seen */
	bool lost;          /* every lock is lost; calls fail until reset */
	bool told;          /* on_expire has run */
	int64_t disc_at;    /* monotonic ns of the disconnect, 0: connected */
	int lease_ms;       /* the negotiated session timeout */
	uint64_t gen;       /* bumped by every event: waiters re-read the queue */
	uint64_t reqno;
	char sess[17];
	slot_t slot[LK_DLM_MAX_HELD];
	hint_t hint[LK_DLM_MAX_HELD];
	unsigned hint_next; /* the entry a new resource takes (round robin) */
};

int64_t lk_dlm_now_ns_(void);
int lk_dlm_inval_(const char *call, const char *why);
/* Under mu: whether every lock is lost (expired, or cut off too long). */
bool lk_dlm_lost_locked_(lk_dlm_t *d);
/* Without mu, after a call found the handle lost: runs on_expire once. */
void lk_dlm_tell_(lk_dlm_t *d);
void lk_dlm_watcher_(zhandle_t *zh, int type, int state, const char *path, void *ctx);
/* Under mu: until gen moves past g, deadline (ns, 0: none) or loss. */
void lk_dlm_wait_event_(lk_dlm_t *d, uint64_t g, int64_t deadline);
/* After a ZooKeeper call failed with rc: LK_DLM_OK to retry (connected
 * again), else the status to return. */
int lk_dlm_after_error_(lk_dlm_t *d, int rc, int64_t deadline);
bool lk_dlm_name_ok_(const char *s);
/* Under mu: the watched resource znode at path was deleted or changed. */
void lk_dlm_hint_drop_(lk_dlm_t *d, const char *path);

#endif
