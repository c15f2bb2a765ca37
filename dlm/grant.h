/*
 * dlm/grant.h (internal): the request names and the grant rule, apart from
 * any ZooKeeper call so that they can be tested alone (dlm/test_grant.c).
 *
 * A request znode is named <mode>-<session hex>-<n>-<seq>: the mode name
 * (IS IX S SIX U X), the session id of its creator, the handle's request
 * number and the 10-digit sequence ZooKeeper appends. The mode is in the
 * name, not the data, so that one getChildren shows the whole queue.
 */
#ifndef LK_DLM_GRANT_H
#define LK_DLM_GRANT_H

#include <stdbool.h>
#include <stdint.h>

#define LK_DLM_NMODES_ 6

typedef struct {
	int mode;    /* 0..5 in the default table's numbering; a name we do
			not know reads as X, which conflicts with all */
	int64_t seq; /* -1: not a request name (ignored) */
} lk_dlm_req_;

/* Parses a child name. */
lk_dlm_req_ lk_dlm_parse_(const char *name);
/* Whether modes a and b conflict (default-table numbering). */
bool lk_dlm_conflicts_(int a, int b);
/* The mode number for a name, -1 when unknown. */
int lk_dlm_mode_by_name_(const char *name, int len);
const char *lk_dlm_mode_str_(int mode);

/*
 * The grant rule. names[0..n) is the queue (any order); mine is the
 * sequence of our request, mode its mode. Returns -1 when granted (no
 * earlier request conflicts), else the index of the nearest earlier
 * conflicting request: the one to watch. Later requests never count.
 */
int lk_dlm_blocker_(const char *const *names, int n, int64_t mine, int mode);

/*
 * Granted without listing the queue (README.md, "Requests per lock").
 * ZooKeeper's sequence is the parent's child-create count (deletes do not
 * move it), so:
 *   - seq 0: no request was ever queued before ours;
 *   - seq == last + 1, where last is our previous request on the resource,
 *     granted in mode last_mode and deleted since: no one queued in between,
 *     so every request ahead of ours was ahead of that one, and did not
 *     conflict with last_mode when it was granted (the queue only shrank).
 *     If mode conflicts with nothing that last_mode does not conflict
 *     with, nothing ahead conflicts with mode.
 * last < 0: no such request.
 */
bool lk_dlm_granted_at_once_(int64_t seq, int64_t last, int last_mode, int mode);

#endif
