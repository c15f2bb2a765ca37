/*
 * dlm/dlm.c: the lk_dlm_* lock calls (dlm/dlm.h): request queue, grant
 * wait, unlock. The session side is dlm/session.c. Design: dlm/README.md.
 */
#include "dlm_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dir/name into out (PATH_MAX_ bytes); names are bounded by lk_dlm_name_ok_ and
 * ZooKeeper's suffix, so this never truncates in practice. */
static void join(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX_, "%s/%s", dir, name) >= PATH_MAX_)
		out[0] = 0;
}


/* mode in the handle's table -> default-table numbering, -1 if bad. */
static int mode_norm(const lk_dlm_t *d, int mode)
{
	if (d->table == LK_DLM_TABLE_SX)
		return mode == 0 ? LK_DLM_S : mode == 1 ? LK_DLM_X : -1;
	return mode >= 0 && mode < LK_DLM_NMODES_ ? mode : -1;
}

static slot_t *find(lk_dlm_t *d, const char *res)
{
	for (int i = 0; i < LK_DLM_MAX_HELD; i++)
		if (d->slot[i].state == SLOT_HELD && strcmp(d->slot[i].res, res) == 0)
			return &d->slot[i];
	return NULL;
}

/* Under mu: res's hint entry, NULL if none. */
static hint_t *hint_find(lk_dlm_t *d, const char *res)
{
	for (int i = 0; i < LK_DLM_MAX_HELD; i++)
		if (d->hint[i].res[0] && strcmp(d->hint[i].res, res) == 0)
			return &d->hint[i];
	return NULL;
}

/* Under mu: res's entry, a new one (the oldest taken over) if none. */
static hint_t *hint_take(lk_dlm_t *d, const char *res)
{
	hint_t *h = hint_find(d, res);
	if (!h) {
		h = &d->hint[d->hint_next++ % LK_DLM_MAX_HELD];
		snprintf(h->res, sizeof h->res, "%s", res);
		h->seq = -1;
		h->watched = false;
	}
	return h;
}

void lk_dlm_hint_drop_(lk_dlm_t *d, const char *path)
{
	size_t n = strlen(d->root);
	if (strncmp(path, d->root, n) != 0 || path[n] != '/' || strchr(path + n + 1, '/'))
		return; /* not a resource's znode */
	hint_t *h = hint_find(d, path + n + 1);
	if (h)
		memset(h, 0, sizeof *h); /* its watch is spent: set again on next use */
}

/* Best effort, connected only: deletes the znodes of requests we withdrew
 * but could not delete then (a timeout while cut off). */
static void sweep(lk_dlm_t *d)
{
	for (int i = 0; i < LK_DLM_MAX_HELD; i++) {
		if (d->slot[i].state != SLOT_ORPHAN || zoo_state(d->zh) != ZOO_CONNECTED_STATE)
			continue;
		int rc = zoo_delete(d->zh, d->slot[i].node, -1);
		if (rc == ZOK || rc == ZNONODE) {
			pthread_mutex_lock(&d->mu);
			d->slot[i].state = SLOT_FREE;
			pthread_mutex_unlock(&d->mu);
		}
	}
}

/* Deletes our request node, retrying through connection loss until
 * deadline; LK_DLM_OK when it is gone. */
static int delete_node(lk_dlm_t *d, const char *node, int64_t deadline)
{
	for (;;) {
		int rc = zoo_delete(d->zh, node, -1);
		if (rc == ZOK || rc == ZNONODE)
			return LK_DLM_OK;
		int st = lk_dlm_after_error_(d, rc, deadline);
		if (st != LK_DLM_OK)
			return st;
	}
}

/* Creates the persistent parents /root and /root/res. */
static int make_parents(lk_dlm_t *d, const char *res, int64_t deadline)
{
	char p[PATH_MAX_];
	for (int step = 0; step < 2; step++) {
		if (step == 0)
			snprintf(p, sizeof p, "%s", d->root);
		else
			join(p, d->root, res);
		for (;;) {
			int rc = zoo_create(d->zh, p, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, NULL, 0);
			if (rc == ZOK || rc == ZNODEEXISTS)
				break;
			int st = lk_dlm_after_error_(d, rc, deadline);
			if (st != LK_DLM_OK)
				return st;
		}
	}
	return LK_DLM_OK;
}

/* Finds our node by its unique prefix after a create whose reply was lost
 * (the create may or may not have happened). 1: found (node, token set),
 * 0: not there, <0: -status. */
static int find_mine(lk_dlm_t *d, const char *dir, const char *prefix, char *node,
		     uint64_t *token, int64_t deadline)
{
	for (;;) {
		struct String_vector kids = {0, NULL};
		int rc = zoo_get_children(d->zh, dir, 0, &kids);
		if (rc == ZOK) {
			int found = 0;
			for (int i = 0; i < kids.count && !found; i++) {
				if (strncmp(kids.data[i], prefix, strlen(prefix)) == 0) {
					join(node, dir, kids.data[i]);
					found = 1;
				}
			}
			deallocate_String_vector(&kids);
			if (!found)
				return 0;
			struct Stat st;
			rc = zoo_exists(d->zh, node, 0, &st);
			if (rc == ZOK) {
				*token = (uint64_t)st.czxid;
				return 1;
			}
			if (rc == ZNONODE)
				return 0;
		} else if (rc == ZNONODE) {
			return 0;
		}
		int st = lk_dlm_after_error_(d, rc, deadline);
		if (st != LK_DLM_OK)
			return -st;
	}
}

/* The create and, when needed, the first look at the queue and the watch
 * on the resource's znode go out together: a session's requests are served
 * in the order sent (ZooKeeper's FIFO client order), so the listing sees
 * our node, and lock costs one round trip for all of them. The create is
 * asynchronous also for the order of events: its completion runs on the
 * client's completion thread after every watch event that came before its
 * reply, so a deleted resource znode has dropped its hint by then. */
typedef struct {
	pthread_mutex_t m;
	pthread_cond_t c;
	int done, rc_create, rc_kids, rc_exists;
	char node[PATH_MAX_];
	int64_t czxid;
	int n;
	char **kids; /* our copy: the client frees its vector after the call */
} pipe_t;

static void pipe_created(int rc, const char *value, const struct Stat *st, const void *data)
{
	pipe_t *p = (pipe_t *)data;
	pthread_mutex_lock(&p->m);
	p->rc_create = rc;
	if (rc == ZOK) {
		snprintf(p->node, sizeof p->node, "%s", value);
		p->czxid = st->czxid;
	}
	p->done++;
	pthread_cond_signal(&p->c);
	pthread_mutex_unlock(&p->m);
}

static void pipe_listed(int rc, const struct String_vector *v, const void *data)
{
	pipe_t *p = (pipe_t *)data;
	pthread_mutex_lock(&p->m);
	p->rc_kids = rc;
	if (rc == ZOK && v && (p->kids = calloc((size_t)v->count + 1, sizeof *p->kids))) {
		for (int i = 0; i < v->count; i++)
			if ((p->kids[p->n] = strdup(v->data[i])))
				p->n++;
	} else if (rc == ZOK) {
		p->rc_kids = ZSYSTEMERROR; /* no memory: list again later */
	}
	p->done++;
	pthread_cond_signal(&p->c);
	pthread_mutex_unlock(&p->m);
}

static void pipe_exists(int rc, const struct Stat *st, const void *data)
{
	(void)st;
	pipe_t *p = (pipe_t *)data;
	pthread_mutex_lock(&p->m);
	p->rc_exists = rc;
	p->done++;
	pthread_cond_signal(&p->c);
	pthread_mutex_unlock(&p->m);
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* 1: created (node, token and, when list and *kids, the queue set; with
 * watch, *watched when the exists-watch on dir is set), 0: do it the slow
 * way. */
static int pipelined(lk_dlm_t *d, const char *dir, const char *path, char *node,
		     uint64_t *token, bool list, bool watch, bool *watched, char ***kids, int *nkids)
{
	pipe_t p;
	memset(&p, 0, sizeof p);
	p.rc_kids = p.rc_exists = ZSYSTEMERROR;
	pthread_mutex_init(&p.m, NULL);
	pthread_cond_init(&p.c, NULL);
	int sent = 0;
	if (zoo_acreate2(d->zh, path, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE,
			 pipe_created, &p) == ZOK) {
		sent = 1;
		if (list && zoo_aget_children(d->zh, dir, 0, pipe_listed, &p) == ZOK)
			sent++;
		if (watch && zoo_awexists(d->zh, dir, lk_dlm_watcher_, d, pipe_exists, &p) == ZOK)
			sent++;
	}
	pthread_mutex_lock(&p.m);
	while (p.done < sent) /* every completion is called, also on loss */
		pthread_cond_wait(&p.c, &p.m);
	pthread_mutex_unlock(&p.m);
	pthread_mutex_destroy(&p.m);
	pthread_cond_destroy(&p.c);
	*watched = p.rc_exists == ZOK;
	if (sent >= 1 && p.rc_create == ZOK) {
		snprintf(node, PATH_MAX_, "%s", p.node);
		*token = (uint64_t)p.czxid;
		if (p.rc_kids == ZOK) {
			*kids = p.kids;
			*nkids = p.n;
			return 1;
		}
		free_list(p.kids, p.n);
		return 1;
	}
	free_list(p.kids, p.n);
	/* Lost reply or no parent: the slow path finds out which. */
	return 0;
}

/* Queues our request: node and token out. *async: the node came from the
 * pipelined create (the slow path's calls are synchronous). */
static int enqueue(lk_dlm_t *d, const char *res, int mode, char *node, uint64_t *token,
		   int64_t deadline, bool list, bool watch, bool *watched, bool *async,
		   char ***kids, int *nkids)
{
	char dir[PATH_MAX_], prefix[64], path[PATH_MAX_];
	pthread_mutex_lock(&d->mu);
	uint64_t n = ++d->reqno;
	pthread_mutex_unlock(&d->mu);
	join(dir, d->root, res);
	snprintf(prefix, sizeof prefix, "%s-%s-%" PRIu64 "-", lk_dlm_mode_str_(mode), d->sess, n);
	join(path, dir, prefix);
	*async = pipelined(d, dir, path, node, token, list, watch, watched, kids, nkids);
	if (*async)
		return LK_DLM_OK;
	/* The pipelined create failed: it may have happened without its
	 * reply (connection loss), or the parents are missing. */
	bool maybe = true;
	for (;;) {
		if (maybe) {
			int f = find_mine(d, dir, prefix, node, token, deadline);
			if (f < 0)
				return -f;
			if (f == 1)
				return LK_DLM_OK;
		}
		struct Stat st;
		int rc = zoo_create2(d->zh, path, NULL, -1, &ZOO_OPEN_ACL_UNSAFE,
				     ZOO_EPHEMERAL | ZOO_SEQUENCE, node, PATH_MAX_, &st);
		if (rc == ZOK) {
			*token = (uint64_t)st.czxid;
			return LK_DLM_OK;
		}
		if (rc == ZNONODE) {
			int s = make_parents(d, res, deadline);
			if (s != LK_DLM_OK)
				return s;
			continue;
		}
		maybe = maybe || rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT;
		int s = lk_dlm_after_error_(d, rc, deadline);
		if (s != LK_DLM_OK)
			return s;
	}
}

/* Waits until our request is granted: LK_DLM_OK, or a failure (the caller
 * withdraws the request). try: never wait. */
static int await_grant(lk_dlm_t *d, const char *node, int mode, int64_t deadline, bool try_,
		       char **first, int nfirst)
{
	const char *slash = strrchr(node, '/');
	char dir[PATH_MAX_], pred[PATH_MAX_];
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - node), node);
	int64_t mine = lk_dlm_parse_(slash + 1).seq;
	for (;;) {
		pthread_mutex_lock(&d->mu);
		uint64_t g = d->gen;
		pthread_mutex_unlock(&d->mu);
		struct String_vector kids = {0, NULL};
		int rc = ZOK;
		if (first) { /* the listing that came with the create */
			kids.count = nfirst;
			kids.data = first;
			first = NULL;
		} else {
			rc = zoo_get_children(d->zh, dir, 0, &kids);
		}
		if (rc != ZOK) {
			int st = lk_dlm_after_error_(d, rc, deadline);
			if (st != LK_DLM_OK)
				return st;
			continue;
		}
		int b = lk_dlm_blocker_((const char *const *)kids.data, kids.count, mine, mode);
		bool present = false;
		for (int i = 0; i < kids.count; i++)
			present = present || strcmp(kids.data[i], slash + 1) == 0;
		if (b >= 0)
			join(pred, dir, kids.data[b]);
		deallocate_String_vector(&kids);
		if (!present) { /* our ephemeral is gone: so is the session */
			pthread_mutex_lock(&d->mu);
			d->lost = true;
			pthread_mutex_unlock(&d->mu);
			lk_dlm_tell_(d);
			return LK_DLM_EXPIRED;
		}
		if (b < 0)
			return LK_DLM_OK;
		if (try_)
			return LK_DLM_WOULDBLOCK;
		/* Watch the nearest earlier conflicting request only. */
		struct Stat st;
		rc = zoo_wexists(d->zh, pred, lk_dlm_watcher_, d, &st);
		if (rc == ZNONODE)
			continue;
		if (rc != ZOK) {
			int s = lk_dlm_after_error_(d, rc, deadline);
			if (s != LK_DLM_OK)
				return s;
			continue;
		}
		pthread_mutex_lock(&d->mu);
		lk_dlm_wait_event_(d, g, deadline);
		bool lost = lk_dlm_lost_locked_(d);
		pthread_mutex_unlock(&d->mu);
		if (lost) {
			lk_dlm_tell_(d);
			return LK_DLM_EXPIRED;
		}
		if (deadline && lk_dlm_now_ns_() >= deadline)
			return LK_DLM_TIMEOUT;
	}
}

int lk_dlm_timedlock(lk_dlm_t *d, const char *resource, int mode, int timeout_ms,
		     uint64_t *token)
{
	if (!d || !resource)
		return lk_dlm_inval_("lk_dlm_lock", "NULL handle or resource");
	if (!lk_dlm_name_ok_(resource))
		return lk_dlm_inval_("lk_dlm_lock", "resource name: 1..128 of [A-Za-z0-9._-]");
	int m = mode_norm(d, mode);
	if (m < 0)
		return lk_dlm_inval_("lk_dlm_lock", "unknown mode for the handle's table");
	if (timeout_ms < LK_DLM_FOREVER)
		return lk_dlm_inval_("lk_dlm_lock", "negative timeout");
	pthread_mutex_lock(&d->mu);
	bool lost = lk_dlm_lost_locked_(d), held = find(d, resource) != NULL;
	slot_t *s = NULL;
	for (int i = 0; i < LK_DLM_MAX_HELD && !s && !lost && !held; i++)
		if (d->slot[i].state == SLOT_FREE)
			s = &d->slot[i];
	pthread_mutex_unlock(&d->mu);
	if (lost) {
		lk_dlm_tell_(d);
		return LK_DLM_EXPIRED;
	}
	if (held)
		return LK_DLM_HELD;
	if (!s)
		return LK_DLM_NOMEM;
	sweep(d);
	bool try_ = timeout_ms == 0;
	/* A try still needs its round trips; it is bounded by the lease. */
	int limit = try_ ? d->lease_ms : timeout_ms;
	int64_t deadline = limit == LK_DLM_FOREVER ? 0 : lk_dlm_now_ns_() + (int64_t)limit * 1000000;
	char node[PATH_MAX_], **kids = NULL;
	int nkids = 0;
	uint64_t tok = 0;
	/* With a usable hint the listing is left out: most likely the request
	 * is granted at once (README.md, "Requests per lock"). */
	pthread_mutex_lock(&d->mu);
	hint_t *h = hint_find(d, resource);
	bool watch = !h || !h->watched, list = watch || h->seq < 0, watched = false, async = false;
	pthread_mutex_unlock(&d->mu);
	int st = enqueue(d, resource, m, node, &tok, deadline, list, watch, &watched, &async, &kids,
			 &nkids);
	pthread_mutex_lock(&d->mu);
	h = watch && watched ? hint_take(d, resource) : hint_find(d, resource);
	if (h && watch && watched)
		h->watched = true;
	int64_t last = h && h->watched && async ? h->seq : -1;
	int last_mode = h ? h->mode : 0;
	if (h)
		h->seq = -1; /* spent: a new request of ours is queued */
	pthread_mutex_unlock(&d->mu);
	if (st == LK_DLM_UNAVAIL && !try_)
		st = LK_DLM_TIMEOUT;
	if (st != LK_DLM_OK)
		return st; /* a node created without its reply dies with the session */
	int64_t seq = lk_dlm_parse_(strrchr(node, '/') + 1).seq;
	if (lk_dlm_granted_at_once_(seq, last, last_mode, m))
		free_list(kids, nkids);
	else
		st = await_grant(d, node, m, deadline, try_, kids, nkids);
	if (st == LK_DLM_UNAVAIL && !try_)
		st = LK_DLM_TIMEOUT;
	pthread_mutex_lock(&d->mu);
	if (st == LK_DLM_OK && lk_dlm_lost_locked_(d))
		st = LK_DLM_EXPIRED;
	snprintf(s->res, sizeof s->res, "%s", resource);
	snprintf(s->node, sizeof s->node, "%s", node);
	s->mode = m;
	s->token = tok;
	s->state = st == LK_DLM_OK ? SLOT_HELD : SLOT_ORPHAN;
	h = st == LK_DLM_OK ? hint_find(d, resource) : NULL;
	if (h && h->watched) { /* the next request may be granted at once */
		h->seq = seq;
		h->mode = m;
	}
	pthread_mutex_unlock(&d->mu);
	if (st == LK_DLM_EXPIRED) {
		lk_dlm_tell_(d);
		return st;
	}
	if (st != LK_DLM_OK) { /* withdraw: a short, bounded try */
		if (delete_node(d, node, lk_dlm_now_ns_() + (int64_t)d->lease_ms * 1000000 / 3) == LK_DLM_OK) {
			pthread_mutex_lock(&d->mu);
			s->state = SLOT_FREE;
			pthread_mutex_unlock(&d->mu);
		}
		return st;
	}
	if (token)
		*token = tok;
	return LK_DLM_OK;
}

int lk_dlm_lock(lk_dlm_t *d, const char *resource, int mode, uint64_t *token)
{
	return lk_dlm_timedlock(d, resource, mode, LK_DLM_FOREVER, token);
}

int lk_dlm_trylock(lk_dlm_t *d, const char *resource, int mode, uint64_t *token)
{
	return lk_dlm_timedlock(d, resource, mode, 0, token);
}

/* Drops slot s (held) and deletes its node. */
static int release(lk_dlm_t *d, slot_t *s)
{
	char node[PATH_MAX_];
	pthread_mutex_lock(&d->mu);
	snprintf(node, sizeof node, "%s", s->node);
	bool lost = lk_dlm_lost_locked_(d);
	s->state = lost ? SLOT_FREE : SLOT_ORPHAN; /* never held from here on */
	pthread_mutex_unlock(&d->mu);
	if (lost) {
		lk_dlm_tell_(d);
		return LK_DLM_EXPIRED;
	}
	int st = delete_node(d, node, lk_dlm_now_ns_() + (int64_t)d->lease_ms * 1000000);
	pthread_mutex_lock(&d->mu);
	if (st == LK_DLM_OK || st == LK_DLM_EXPIRED)
		s->state = SLOT_FREE;
	hint_t *h = hint_find(d, s->res);
	if (h && st != LK_DLM_OK)
		h->seq = -1; /* our node may still be queued */
	pthread_mutex_unlock(&d->mu);
	return st;
}

int lk_dlm_unlock(lk_dlm_t *d, const char *resource)
{
	if (!d || !resource)
		return lk_dlm_inval_("lk_dlm_unlock", "NULL handle or resource");
	pthread_mutex_lock(&d->mu);
	slot_t *s = find(d, resource);
	bool lost = lk_dlm_lost_locked_(d);
	pthread_mutex_unlock(&d->mu);
	if (lost) {
		lk_dlm_tell_(d);
		return LK_DLM_EXPIRED;
	}
	if (!s)
		return LK_DLM_NOTHELD;
	return release(d, s);
}

int lk_dlm_unlock_all(lk_dlm_t *d)
{
	if (!d)
		return lk_dlm_inval_("lk_dlm_unlock_all", "NULL handle");
	int first = LK_DLM_OK;
	for (int i = 0; i < LK_DLM_MAX_HELD; i++) {
		pthread_mutex_lock(&d->mu);
		bool h = d->slot[i].state == SLOT_HELD;
		pthread_mutex_unlock(&d->mu);
		if (!h)
			continue;
		int st = release(d, &d->slot[i]);
		if (first == LK_DLM_OK)
			first = st;
	}
	pthread_mutex_lock(&d->mu);
	bool lost = lk_dlm_lost_locked_(d);
	pthread_mutex_unlock(&d->mu);
	if (lost) {
		lk_dlm_tell_(d);
		return LK_DLM_EXPIRED;
	}
	sweep(d);
	return first;
}

int lk_dlm_held(lk_dlm_t *d, const char *resource, int *mode, uint64_t *token)
{
	if (!d || !resource)
		return lk_dlm_inval_("lk_dlm_held", "NULL handle or resource");
	pthread_mutex_lock(&d->mu);
	bool lost = lk_dlm_lost_locked_(d);
	slot_t *s = lost ? NULL : find(d, resource);
	if (s && mode)
		*mode = d->table == LK_DLM_TABLE_SX ? (s->mode == LK_DLM_X) : s->mode;
	if (s && token)
		*token = s->token;
	pthread_mutex_unlock(&d->mu);
	if (lost) {
		lk_dlm_tell_(d);
		return LK_DLM_EXPIRED;
	}
	return s ? LK_DLM_OK : LK_DLM_NOTHELD;
}

int lk_dlm_nheld(const lk_dlm_t *d)
{
	if (!d)
		return 0;
	lk_dlm_t *m = (lk_dlm_t *)d; /* the mutex only */
	int n = 0;
	pthread_mutex_lock(&m->mu);
	if (!lk_dlm_lost_locked_(m))
		for (int i = 0; i < LK_DLM_MAX_HELD; i++)
			n += m->slot[i].state == SLOT_HELD;
	pthread_mutex_unlock(&m->mu);
	return n;
}

const char *lk_dlm_mode_name(const lk_dlm_t *d, int mode)
{
	if (!d)
		return "?";
	int m = mode_norm(d, mode);
	return m < 0 ? "?" : lk_dlm_mode_str_(m);
}
