/*
 * dlm/bench_dlm.c: uncontended lock+unlock round trips per client, each
 * client a thread with its own session/connection and its own resource.
 *   bench_dlm KIND CLIENTS SECONDS
 * KIND: dlm     lk_dlm_lock(X) + lk_dlm_unlock           (LK_DLM_HOSTS)
 *       floor   zoo_create(ephemeral sequential) + zoo_delete: the engine's
 *               floor for one lock/unlock                 (LK_DLM_HOSTS)
 *       etcd    etcd's lock service through its v3 JSON gateway: lock and
 *               unlock under a lease                      (LK_ETCD=host:port)
 *       lklock  the in-process lock table: lk_lock(X) + lk_unlock
 * Every kind makes its per-client setup before the clock starts (the
 * session or connection, the lease, the resource's znodes and hint), so
 * that the figures are the steady cost of one uncontended lock+unlock.
 * Prints one line: kind clients ops ops/s p50_us p99_us cpu_us, the last
 * the CPU time (user + system) this process spent per lock+unlock: every
 * client's share, with the ZooKeeper client's own IO and completion threads
 * (two per handle) or the HTTP client's work for etcd.
 */
#include "dlm.h"
#include "dlm_int.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <latchkit/lockmgr.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

static const char *kind;
static int secs;
static pthread_barrier_t start;
static lk_lockmgr_t *mgr;

typedef struct {
	int id;
	int64_t *lat;
	size_t n, cap;
	int err;
} client_t;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- etcd over its JSON gateway: one keep-alive HTTP/1.1 connection --- */

static int http_connect(void)
{
	const char *e = getenv("LK_ETCD");
	char host[64];
	int port;
	if (!e || sscanf(e, "%63[^:]:%d", host, &port) != 2)
		return -1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, host, &a.sin_addr);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* POSTs body to path; the response body into out. 0 on HTTP 200. */
static int http_post(int fd, const char *path, const char *body, char *out, size_t cap)
{
	char req[1024], buf[16384];
	int n = snprintf(req, sizeof req,
			 "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n%s", path, strlen(body), body);
	if (write(fd, req, (size_t)n) != n)
		return -1;
	size_t len = 0;
	char *hend = NULL;
	while (!hend) {
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
		if (r <= 0)
			return -1;
		len += (size_t)r;
		buf[len] = 0;
		hend = strstr(buf, "\r\n\r\n");
	}
	int status = atoi(buf + 9);
	char *cl = strcasestr(buf, "Content-Length:");
	size_t body_at = (size_t)(hend + 4 - buf);
	if (cl && cl < hend) {
		size_t want = body_at + strtoul(cl + 15, NULL, 10);
		while (len < want) {
			ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
			if (r <= 0)
				return -1;
			len += (size_t)r;
		}
		buf[want] = 0;
	} else { /* chunked: read until the last chunk */
		while (!strstr(buf + body_at, "\r\n0\r\n\r\n")) {
			ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
			if (r <= 0)
				return -1;
			len += (size_t)r;
			buf[len] = 0;
		}
	}
	snprintf(out, cap, "%s", buf + body_at);
	return status == 200 ? 0 : -1;
}

static int json_str(const char *js, const char *key, char *out, size_t cap)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *p = strstr(js, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	const char *q = strchr(p, '"');
	if (!q || (size_t)(q - p) >= cap)
		return -1;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = 0;
	return 0;
}

/* ---- the clients ----------------------------------------------------------- */

static void record(client_t *c, int64_t ns)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4096;
		c->lat = realloc(c->lat, c->cap * sizeof *c->lat);
	}
	c->lat[c->n++] = ns;
}

static void *run(void *arg)
{
	client_t *c = arg;
	char res[64], path[256], body[1024], out[4096], key[512], lease[64], b64[64];
	snprintf(res, sizeof res, "b%d", c->id);
	lk_dlm_t *d = NULL;
	zhandle_t *zh = NULL;
	lk_txn_t *txn = NULL;
	int fd = -1;
	lk_res_t r = lk_res_advisory((uint32_t)c->id, 0);
	if (strcmp(kind, "dlm") == 0) {
		lk_dlm_config_t cfg = LK_DLM_CONFIG_INIT;
		cfg.hosts = getenv("LK_DLM_HOSTS");
		c->err = !cfg.hosts || lk_dlm_open(&d, &cfg) != LK_DLM_OK;
		/* the resource's one-time setup before the clock, as the floor
		 * makes its parent before it: the first lock creates the
		 * resource's znodes, the second looks at the queue and sets the
		 * handle's hint (README.md, "Requests per lock") */
		for (int k = 0; k < 2 && !c->err; k++) {
			uint64_t tok;
			c->err = lk_dlm_lock(d, res, LK_DLM_X, &tok) != LK_DLM_OK ||
				 lk_dlm_unlock(d, res) != LK_DLM_OK;
		}
	} else if (strcmp(kind, "floor") == 0) {
		zh = zookeeper_init(getenv("LK_DLM_HOSTS"), NULL, 4000, NULL, NULL, 0);
		if (zh) /* as lk_dlm_open does: the floor is the best the engine can do */
			zoo_set_servers_resolution_delay(zh, LK_DLM_RESOLVE_MS_);
		snprintf(path, sizeof path, "/latchkit-floor/%s", res);
		for (int k = 0; k < 100 && zh && zoo_state(zh) != ZOO_CONNECTED_STATE; k++)
			usleep(50000);
		c->err = !zh;
		if (zh) {
			zoo_create(zh, "/latchkit-floor", NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
			zoo_create(zh, path, NULL, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
			snprintf(path, sizeof path, "/latchkit-floor/%s/X-", res);
		}
	} else if (strcmp(kind, "etcd") == 0) {
		fd = http_connect();
		c->err = fd < 0 || http_post(fd, "/v3/lease/grant", "{\"TTL\":120}", out, sizeof out) ||
			 json_str(out, "ID", lease, sizeof lease);
		/* the lock name "lkNNN" in base64 (the gateway's bytes) */
		static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		unsigned char raw[8];
		snprintf((char *)raw, sizeof raw, "lk%03u", (unsigned)c->id % 1000u);
		int j = 0;
		for (int i = 0; i < 5; i += 3) {
			unsigned v = (unsigned)raw[i] << 16 | (i + 1 < 5 ? (unsigned)raw[i + 1] << 8 : 0) |
				     (i + 2 < 5 ? raw[i + 2] : 0);
			b64[j++] = t[(v >> 18) & 63];
			b64[j++] = t[(v >> 12) & 63];
			b64[j++] = i + 1 < 5 ? t[(v >> 6) & 63] : '=';
			b64[j++] = i + 2 < 5 ? t[v & 63] : '=';
		}
		b64[j] = 0;
	} else if (strcmp(kind, "lklock") == 0) {
		c->err = lk_txn_begin(mgr, &txn) != LK_OK;
	} else {
		c->err = 1;
	}
	pthread_barrier_wait(&start);
	int64_t end = now_ns() + (int64_t)secs * 1000000000;
	while (!c->err && now_ns() < end) {
		int64_t t0 = now_ns();
		if (d) {
			uint64_t tok;
			c->err = lk_dlm_lock(d, res, LK_DLM_X, &tok) != LK_DLM_OK ||
				 lk_dlm_unlock(d, res) != LK_DLM_OK;
		} else if (zh) {
			char made[256];
			c->err = zoo_create(zh, path, NULL, -1, &ZOO_OPEN_ACL_UNSAFE,
					    ZOO_EPHEMERAL | ZOO_SEQUENCE, made, sizeof made) != ZOK ||
				 zoo_delete(zh, made, -1) != ZOK;
		} else if (fd >= 0) {
			snprintf(body, sizeof body, "{\"name\":\"%s\",\"lease\":\"%s\"}", b64, lease);
			c->err = http_post(fd, "/v3/lock/lock", body, out, sizeof out) ||
				 json_str(out, "key", key, sizeof key);
			if (!c->err) {
				snprintf(body, sizeof body, "{\"key\":\"%s\"}", key);
				c->err = http_post(fd, "/v3/lock/unlock", body, out, sizeof out);
			}
		} else {
			c->err = lk_lock(txn, &r, LK_X, UINT64_MAX, 0) != LK_OK ||
				 lk_unlock(txn, &r) != LK_OK;
		}
		if (!c->err)
			record(c, now_ns() - t0);
	}
	if (d)
		lk_dlm_close(d);
	if (zh)
		zookeeper_close(zh);
	if (fd >= 0)
		close(fd);
	if (txn)
		lk_txn_commit(txn);
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s dlm|floor|etcd|lklock CLIENTS SECONDS\n", argv[0]);
		return 2;
	}
	kind = argv[1];
	int n = atoi(argv[2]);
	secs = atoi(argv[3]);
	if (n < 1 || n > 1000 || secs < 1)
		return 2;
	zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
	lk_lockmgr_config_t mc;
	lk_lockmgr_config_init(&mc);
	if (lk_lockmgr_create(&mc, &mgr) != LK_OK)
		return 1;
	client_t *c = calloc((size_t)n, sizeof *c);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		c[i].id = i;
		pthread_create(&th[i], NULL, run, &c[i]);
	}
	size_t total = 0;
	int err = 0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		total += c[i].n;
		err |= c[i].err;
	}
	int64_t *all = malloc((total + 1) * sizeof *all);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		memcpy(all + k, c[i].lat, c[i].n * sizeof *all);
		k += c[i].n;
		free(c[i].lat);
	}
	qsort(all, total, sizeof *all, cmp);
	if (err || total == 0) {
		fprintf(stderr, "bench_dlm %s: a client failed\n", kind);
		return 1;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu_us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
			(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	printf("%-6s %3d %9zu %11.0f %9.1f %9.1f %9.1f\n", kind, n, total, (double)total / secs,
	       all[total / 2] / 1e3, all[total * 99 / 100] / 1e3, cpu_us / (double)total);
	free(all);
	lk_lockmgr_destroy(mgr);
	return 0;
}
