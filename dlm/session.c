/* dlm/session.c: the ZooKeeper session behind a handle (dlm/dlm_int.h):
 * its events, waits, loss, and open/close/reset/check. */
#include "dlm_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t lk_dlm_now_ns_(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int lk_dlm_inval_(const char *call, const char *why)
{
#ifdef LK_DEBUG
	fprintf(stderr, "latchkit: %s: %s\n", call, why);
#else
	(void)call;
	(void)why;
#endif
	return LK_DLM_INVAL;
}

/* Under mu. The ensemble said the session expired, or we have been cut off
 * for a third of the lease: the client notices a dead server after 2/3 of
 * the lease without replies, so by then the lease may be over (README.md,
 * "Connection loss"). */
bool lk_dlm_lost_locked_(lk_dlm_t *d)
{
	if (!d->lost && d->disc_at &&
	    lk_dlm_now_ns_() - d->disc_at > (int64_t)d->lease_ms * 1000000 / 3)
		d->lost = true;
	return d->lost;
}

/* Called without mu, after a call found the handle lost: runs on_expire
 * once. */
void lk_dlm_tell_(lk_dlm_t *d)
{
	pthread_mutex_lock(&d->mu);
	bool run = d->lost && !d->told;
	d->told = d->told || d->lost;
	pthread_mutex_unlock(&d->mu);
	if (run && d->on_expire)
		d->on_expire(d->arg);
}

static void orphan_done(int rc, const void *data)
{
	(void)rc;
	(void)data;
}

void lk_dlm_watcher_(zhandle_t *zh, int type, int state, const char *path, void *ctx)
{
	(void)path;
	lk_dlm_t *d = ctx;
	bool run = false;
	pthread_mutex_lock(&d->mu);
	if (zh != d->zh) { /* an old session's event after reset */
		pthread_mutex_unlock(&d->mu);
		return;
	}
	if (type != ZOO_SESSION_EVENT && path)
		lk_dlm_hint_drop_(d, path);
	if (type == ZOO_SESSION_EVENT) {
		d->zstate = state;
		if (state == ZOO_CONNECTED_STATE) {
			if (lk_dlm_lost_locked_(d)) {
				/* We gave the locks up while cut off but the session
				 * survived: its znodes must not block others. */
				for (int i = 0; i < LK_DLM_MAX_HELD; i++)
					if (d->slot[i].state != SLOT_FREE)
						zoo_adelete(zh, d->slot[i].node, -1, orphan_done, NULL);
			}
			d->disc_at = 0;
			d->lease_ms = zoo_recv_timeout(zh);
		} else if (state == ZOO_EXPIRED_SESSION_STATE || state == ZOO_AUTH_FAILED_STATE) {
			d->lost = true;
		} else if (d->disc_at == 0) {
			d->disc_at = lk_dlm_now_ns_();
		}
		if (d->lost && !d->told) {
			d->told = true;
			run = true;
		}
	}
	d->gen++;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	if (run && d->on_expire)
		d->on_expire(d->arg);
}

/* Waits (under mu) until gen moves past g, or until deadline (ns, 0: none),
 * or until the handle is found lost. */
void lk_dlm_wait_event_(lk_dlm_t *d, uint64_t g, int64_t deadline)
{
	while (d->gen == g && !lk_dlm_lost_locked_(d)) {
		int64_t until = deadline;
		if (d->disc_at) { /* wake up when the lease runs out */
			int64_t l = d->disc_at + (int64_t)d->lease_ms * 1000000 / 3 + 1000000;
			if (!until || l < until)
				until = l;
		}
		if (!until) {
			pthread_cond_wait(&d->cv, &d->mu);
			continue;
		}
		if (lk_dlm_now_ns_() >= until)
			return;
		struct timespec ts = {until / 1000000000, until % 1000000000};
		pthread_cond_timedwait(&d->cv, &d->mu, &ts);
		if (lk_dlm_now_ns_() >= until)
			return;
	}
}

/* After a ZooKeeper call failed with rc: LK_DLM_OK to retry (the connection
 * came back), else the status to return. */
int lk_dlm_after_error_(lk_dlm_t *d, int rc, int64_t deadline)
{
	if (rc != ZCONNECTIONLOSS && rc != ZOPERATIONTIMEOUT && rc != ZSESSIONEXPIRED &&
	    rc != ZINVALIDSTATE && rc != ZSESSIONMOVED)
		return LK_DLM_ZKERR;
	int st;
	pthread_mutex_lock(&d->mu);
	if (rc == ZSESSIONEXPIRED || (rc == ZINVALIDSTATE && zoo_state(d->zh) != ZOO_CONNECTED_STATE))
		d->lost = true;
	while (!lk_dlm_lost_locked_(d) && d->zstate != ZOO_CONNECTED_STATE) {
		if (deadline && lk_dlm_now_ns_() >= deadline)
			break;
		lk_dlm_wait_event_(d, d->gen, deadline);
	}
	st = lk_dlm_lost_locked_(d) ? LK_DLM_EXPIRED
	     : d->zstate == ZOO_CONNECTED_STATE ? LK_DLM_OK : LK_DLM_UNAVAIL;
	pthread_mutex_unlock(&d->mu);
	if (st == LK_DLM_EXPIRED)
		lk_dlm_tell_(d);
	return st;
}

bool lk_dlm_name_ok_(const char *s)
{
	size_t n = strnlen(s, LK_DLM_NAME_MAX + 1);
	if (n == 0 || n > LK_DLM_NAME_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strcmp(s, "zookeeper") == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int connect_session(lk_dlm_t *d)
{
	zhandle_t *zh = NULL;
	pthread_mutex_lock(&d->mu);
	d->zstate = 0;
	d->lost = d->told = false;
	d->disc_at = 0;
	d->lease_ms = d->session_ms;
	pthread_mutex_unlock(&d->mu);
	/* d->zh must be set before the first event: the lk_dlm_watcher_ drops events
	 * of other handles. zookeeper_init can deliver events before it
	 * returns, so the mutex is held across it (the lk_dlm_watcher_ waits). */
	pthread_mutex_lock(&d->mu);
	zh = zookeeper_init(d->hosts, lk_dlm_watcher_, d->session_ms, NULL, d, 0);
	d->zh = zh;
	pthread_mutex_unlock(&d->mu);
	if (!zh)
		return errno == ENOMEM ? LK_DLM_NOMEM : LK_DLM_INVAL;
	/* By default the C client resolves the host list again each time it
	 * polls its socket, i.e. for every request and reply: a getaddrinfo
	 * (socket, bind, reading /etc/hosts) per round trip, a large share of
	 * the client's CPU per lock. Once a second at most is plenty; the
	 * client still resolves again on a connection loss. */
	zoo_set_servers_resolution_delay(zh, LK_DLM_RESOLVE_MS_);
	int64_t deadline = lk_dlm_now_ns_() + (int64_t)d->connect_ms * 1000000;
	pthread_mutex_lock(&d->mu);
	while (d->zstate != ZOO_CONNECTED_STATE && !d->lost && lk_dlm_now_ns_() < deadline)
		lk_dlm_wait_event_(d, d->gen, deadline);
	bool ok = d->zstate == ZOO_CONNECTED_STATE;
	if (ok) {
		snprintf(d->sess, sizeof d->sess, "%016" PRIx64, (uint64_t)zoo_client_id(zh)->client_id);
		d->lease_ms = zoo_recv_timeout(zh);
	}
	pthread_mutex_unlock(&d->mu);
	return ok ? LK_DLM_OK : LK_DLM_UNAVAIL;
}

static void end_session(lk_dlm_t *d)
{
	zhandle_t *zh = d->zh;
	if (zh)
		zookeeper_close(zh); /* ends the session: its znodes go */
	pthread_mutex_lock(&d->mu);
	d->zh = NULL;
	memset(d->slot, 0, sizeof d->slot);
	memset(d->hint, 0, sizeof d->hint);
	pthread_mutex_unlock(&d->mu);
}

int lk_dlm_open(lk_dlm_t **out, const lk_dlm_config_t *cfg)
{
	if (!out || !cfg || !cfg->hosts || !*cfg->hosts)
		return lk_dlm_inval_("lk_dlm_open", "NULL out, config or hosts");
	if (cfg->table != LK_DLM_TABLE_DEFAULT && cfg->table != LK_DLM_TABLE_SX)
		return lk_dlm_inval_("lk_dlm_open", "unknown table");
	const char *root = cfg->root ? cfg->root : "/latchkit";
	if (root[0] != '/' || !lk_dlm_name_ok_(root + 1) || cfg->session_ms < 0 || cfg->connect_ms < 0)
		return lk_dlm_inval_("lk_dlm_open", "root must be /NAME; timeouts >= 0");
	lk_dlm_t *d = calloc(1, sizeof *d);
	if (!d)
		return LK_DLM_NOMEM;
	d->hosts = strdup(cfg->hosts);
	d->root = strdup(root);
	if (!d->hosts || !d->root) {
		free(d->hosts);
		free(d->root);
		free(d);
		return LK_DLM_NOMEM;
	}
	d->table = cfg->table;
	d->session_ms = cfg->session_ms ? cfg->session_ms : 4000;
	d->connect_ms = cfg->connect_ms ? cfg->connect_ms : 10000;
	d->on_expire = cfg->on_expire;
	d->arg = cfg->arg;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&d->mu, NULL);
	if (!getenv("LK_DLM_ZK_LOG"))
		zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
	int st = connect_session(d);
	if (st != LK_DLM_OK) {
		lk_dlm_close(d);
		return st;
	}
	*out = d;
	return LK_DLM_OK;
}

void lk_dlm_close(lk_dlm_t *d)
{
	if (!d)
		return;
	end_session(d);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d->hosts);
	free(d->root);
	free(d);
}

int lk_dlm_reset(lk_dlm_t *d)
{
	if (!d)
		return lk_dlm_inval_("lk_dlm_reset", "NULL handle");
	end_session(d);
	return connect_session(d);
}

int lk_dlm_check(lk_dlm_t *d)
{
	if (!d)
		return lk_dlm_inval_("lk_dlm_check", "NULL handle");
	pthread_mutex_lock(&d->mu);
	bool lost = lk_dlm_lost_locked_(d);
	pthread_mutex_unlock(&d->mu);
	if (!lost) {
		struct Stat st;
		int rc = zoo_exists(d->zh, "/", 0, &st);
		if (rc == ZOK) {
			pthread_mutex_lock(&d->mu);
			lost = lk_dlm_lost_locked_(d);
			pthread_mutex_unlock(&d->mu);
			return lost ? (lk_dlm_tell_(d), LK_DLM_EXPIRED) : LK_DLM_OK;
		}
		return lk_dlm_after_error_(d, rc, lk_dlm_now_ns_() + 1); /* no waiting */
	}
	lk_dlm_tell_(d);
	return LK_DLM_EXPIRED;
}

const char *lk_dlm_strerror(int status)
{
	switch (status) {
	case LK_DLM_OK: return "LK_DLM_OK: success";
	case LK_DLM_WOULDBLOCK: return "LK_DLM_WOULDBLOCK: not grantable now";
	case LK_DLM_TIMEOUT: return "LK_DLM_TIMEOUT: not granted in time";
	case LK_DLM_NOMEM: return "LK_DLM_NOMEM: out of memory or lock slots";
	case LK_DLM_INVAL: return "LK_DLM_INVAL: bad argument";
	case LK_DLM_NOTHELD: return "LK_DLM_NOTHELD: resource not held";
	case LK_DLM_HELD: return "LK_DLM_HELD: resource already held (no conversions)";
	case LK_DLM_EXPIRED: return "LK_DLM_EXPIRED: session expired, every lock lost";
	case LK_DLM_UNAVAIL: return "LK_DLM_UNAVAIL: ensemble unreachable";
	case LK_DLM_ZKERR: return "LK_DLM_ZKERR: ZooKeeper refused the call";
	default: return "unknown status";
	}
}
