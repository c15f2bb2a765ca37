/* dlm/relay.c: the lost-reply relay (dlm/relay.h). ZooKeeper frames are a
 * 4-byte big-endian length and a payload. A connection's first frame each
 * way is the connect request/response; after that, a request starts with
 * xid and type, a reply with xid, zxid and err. */
#include "relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OP_CREATE 1
#define OP_CREATE2 15
#define OP_PING 11
#define BUF (1 << 20)

typedef struct {
	unsigned char *b;
	size_t n;
	int first; /* the next frame is the connect frame */
} stream_t;

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The length of the whole frame at the head of s, 0 if incomplete. */
static size_t frame(const stream_t *s)
{
	if (s->n < 4)
		return 0;
	size_t len = 4 + (size_t)be32(s->b);
	return len <= s->n ? len : 0;
}

static void consume(stream_t *s, size_t len)
{
	memmove(s->b, s->b + len, s->n - len);
	s->n -= len;
}

static int dial(const char *upstream)
{
	char host[64];
	int port;
	if (sscanf(upstream, "%63[^:]:%d", host, &port) != 2)
		return -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, host, &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Reports the dropped create reply f (a whole frame). */
static void report_cut(FILE *rep, const unsigned char *f, size_t len, int op)
{
	int err = len >= 20 ? (int)be32(f + 16) : -1;
	int64_t czxid = -1;
	char node[512] = "-";
	if (err == 0 && len >= 24) {
		size_t plen = be32(f + 20);
		if (plen < sizeof node && 24 + plen <= len) {
			memcpy(node, f + 24, plen);
			node[plen] = 0;
			if (op == OP_CREATE2 && 24 + plen + 8 <= len)
				czxid = (int64_t)((uint64_t)be32(f + 24 + plen) << 32 | be32(f + 28 + plen));
		}
	}
	fprintf(rep, "CUT %d %lld %s\n", err, (long long)czxid, node);
	fflush(rep);
}

/* Relays one client connection; returns when either side closes or the
 * cut is done. *armed: the next create is the one to cut. */
static void serve(int c, const char *upstream, int *armed, FILE *rep)
{
	int s = dial(upstream);
	if (s < 0)
		return;
	stream_t up = {malloc(BUF), 0, 1}, down = {malloc(BUF), 0, 1};
	int cut_xid = 0, cut_op = 0, cutting = 0;
	while (up.b && down.b) {
		struct pollfd p[2] = {{cutting ? -1 : c, POLLIN, 0}, {s, POLLIN, 0}};
		if (poll(p, 2, -1) < 0)
			break;
		if (p[0].revents) { /* client -> member */
			ssize_t r = read(c, up.b + up.n, BUF - up.n);
			if (r <= 0)
				break;
			up.n += (size_t)r;
			size_t len;
			while (!cutting && (len = frame(&up))) {
				int op = up.first || len < 12 ? 0 : (int)be32(up.b + 8);
				if (write_all(s, up.b, len) != 0)
					goto out;
				if (!*armed && !up.first && op != OP_PING) {
					fprintf(rep, "OP %d\n", op); /* after the cut: counted */
					fflush(rep);
				}
				if (*armed && (op == OP_CREATE || op == OP_CREATE2)) {
					*armed = 0;
					cutting = 1;
					cut_xid = (int)be32(up.b + 4);
					cut_op = op;
				}
				up.first = 0;
				consume(&up, len);
			}
		}
		if (p[1].revents) { /* member -> client */
			ssize_t r = read(s, down.b + down.n, BUF - down.n);
			if (r <= 0)
				break;
			down.n += (size_t)r;
			size_t len;
			while ((len = frame(&down))) {
				if (cutting && !down.first && len >= 8 && (int)be32(down.b + 4) == cut_xid) {
					report_cut(rep, down.b, len, cut_op);
					goto out; /* the reply is dropped with the connection */
				}
				if (!cutting && write_all(c, down.b, len) != 0)
					goto out;
				down.first = 0;
				consume(&down, len);
			}
		}
	}
out:
	free(up.b);
	free(down.b);
	close(s);
}

static void relay_main(int lfd, const char *upstream, FILE *rep)
{
	int armed = 1;
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			continue;
		serve(c, upstream, &armed, rep);
		close(c);
	}
}

int relay_start(relay_t *r, const char *upstream)
{
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	int p[2];
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0 || pipe(p) != 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
		close(p[0]);
		relay_main(lfd, upstream, fdopen(p[1], "w"));
		_exit(0);
	}
	close(lfd);
	close(p[1]);
	r->pid = pid;
	r->port = ntohs(a.sin_port);
	r->report = p[0];
	return 0;
}

int relay_cut(relay_t *r, int cap_ms, int *err, int64_t *czxid, char *node, size_t cap)
{
	char line[600];
	size_t n = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < sizeof line - 1) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = cap_ms - ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd p = {r->report, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || read(r->report, line + n, 1) != 1)
			return -1;
		if (line[n++] == '\n')
			break;
	}
	line[n] = 0;
	long long z;
	char nd[512];
	if (sscanf(line, "CUT %d %lld %511s", err, &z, nd) != 3)
		return -1;
	*czxid = z;
	snprintf(node, cap, "%s", nd);
	return 0;
}

void relay_ops(relay_t *r, int *count, int n)
{
	char line[64];
	size_t len = 0;
	struct pollfd p = {r->report, POLLIN, 0};
	while (len < sizeof line - 1 && poll(&p, 1, 0) == 1 && read(r->report, line + len, 1) == 1) {
		if (line[len++] != '\n')
			continue;
		line[len] = 0;
		len = 0;
		int op;
		if (sscanf(line, "OP %d", &op) == 1 && op >= 0 && op < n)
			count[op]++;
	}
}

void relay_stop(relay_t *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGKILL);
		waitpid(r->pid, NULL, 0);
		close(r->report);
	}
	r->pid = 0;
}
