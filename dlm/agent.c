/* dlm/agent.c: the test client processes (dlm/agent.h). */
#include "agent.h"
#include "dlm.h"
#include "fenced.h"

#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#define THREADED
#include <zookeeper/zookeeper.h>

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- inside the agent -------------------------------------------------- */

#define NTRACK 64
static struct { char res[LK_DLM_NAME_MAX + 1]; int mode; uint64_t tok; bool held; } track[NTRACK];
static uint64_t last_tok[NTRACK]; /* by track index: last grant's token */
static int hist_fd = -1;
static const char *store, *zk_hosts;

/* K: the number of requests queued on res (its znode's children), read
 * with a session of its own, -1 if it cannot be read in 10 s. D: deletes
 * res's (empty) znode, as an operator might: 0 or the ZooKeeper error. */
static int queue_op(char verb, const char *res)
{
	zhandle_t *zh = zookeeper_init(zk_hosts, NULL, 4000, NULL, NULL, 0);
	for (int k = 0; k < 200 && zh && zoo_state(zh) != ZOO_CONNECTED_STATE; k++)
		usleep(50000);
	char path[LK_DLM_NAME_MAX + 32];
	snprintf(path, sizeof path, "/latchkit/%s", res);
	struct String_vector v = {0, NULL};
	int n = -1;
	if (zh && verb == 'D')
		n = zoo_delete(zh, path, -1);
	else if (zh)
		n = zoo_get_children(zh, path, 0, &v) == ZOK ? v.count : -1;
	deallocate_String_vector(&v);
	if (zh)
		zookeeper_close(zh);
	return n;
}

static void record(int64_t t, const char *ev, const char *res, int mode, uint64_t tok)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%" PRId64 " %d %s %s %d %" PRIu64 "\n", t, (int)getpid(),
			 ev, res, mode, tok);
	if (hist_fd >= 0 && write(hist_fd, line, (size_t)n) != n)
		_exit(3);
}

static int tidx(const char *res)
{
	int free_ = -1;
	for (int i = 0; i < NTRACK; i++) {
		if (track[i].res[0] && strcmp(track[i].res, res) == 0)
			return i;
		if (!track[i].res[0] && free_ < 0)
			free_ = i;
	}
	if (free_ >= 0)
		snprintf(track[free_].res, sizeof track[free_].res, "%s", res);
	return free_;
}

/* After any call that says the session is gone: every held lock is lost. */
static void on_status(int st)
{
	if (st != LK_DLM_EXPIRED)
		return;
	int64_t t = mono_ns();
	for (int i = 0; i < NTRACK; i++)
		if (track[i].held) {
			record(t, "LOST", track[i].res, track[i].mode, track[i].tok);
			track[i].held = false;
		}
}

static int do_lock(lk_dlm_t *d, const char *res, int mode, int tmo, uint64_t *tok)
{
	int st = lk_dlm_timedlock(d, res, mode, tmo, tok);
	if (st == LK_DLM_OK) {
		int i = tidx(res);
		record(mono_ns(), "GRANT", res, mode, *tok);
		if (i >= 0) {
			track[i].held = true;
			track[i].mode = mode;
			track[i].tok = last_tok[i] = *tok;
		}
	}
	on_status(st);
	return st;
}

static int do_unlock(lk_dlm_t *d, const char *res)
{
	int i = tidx(res);
	int64_t t = mono_ns(); /* before the delete: the hold ends no earlier */
	int st = lk_dlm_unlock(d, res);
	if (i >= 0 && track[i].held && st != LK_DLM_EXPIRED) {
		record(t, "REL", res, track[i].mode, track[i].tok);
		track[i].held = false;
	}
	on_status(st);
	return st;
}

static void agent_loop(lk_dlm_t *d, FILE *in, FILE *out)
{
	char line[512], res[LK_DLM_NAME_MAX + 1];
	while (fgets(line, sizeof line, in)) {
		int st = 0, mode = 0, tmo = 0;
		uint64_t tok = 0;
		unsigned n = 0, nres = 0, seed = 0, stall = 0;
		switch (line[0]) {
		case 'L':
			if (sscanf(line + 1, "%128s %d %d", res, &mode, &tmo) != 3)
				_exit(4);
			st = do_lock(d, res, mode, tmo, &tok);
			break;
		case 'U':
			sscanf(line + 1, "%128s", res);
			st = do_unlock(d, res);
			break;
		case 'A': {
			int64_t t = mono_ns();
			st = lk_dlm_unlock_all(d);
			for (int i = 0; i < NTRACK && st != LK_DLM_EXPIRED; i++)
				if (track[i].held) {
					record(t, "REL", track[i].res, track[i].mode, track[i].tok);
					track[i].held = false;
				}
			on_status(st);
			break;
		}
		case 'H':
			sscanf(line + 1, "%128s", res);
			st = lk_dlm_held(d, res, &mode, &tok);
			on_status(st);
			break;
		case 'C':
			st = lk_dlm_check(d);
			on_status(st);
			break;
		case 'N':
			st = lk_dlm_nheld(d);
			break;
		case 'K':
		case 'D':
			sscanf(line + 1, "%128s", res);
			st = queue_op(line[0], res);
			break;
		case 'R':
			st = lk_dlm_reset(d);
			break;
		case 'W': {
			char file[1024];
			sscanf(line + 1, "%128s", res);
			int i = tidx(res);
			tok = i >= 0 ? last_tok[i] : 0;
			snprintf(file, sizeof file, "%s/%s", store, res);
			st = fenced_write(file, tok);
			break;
		}
		case 'Z':
			if (sscanf(line + 1, "%u %u %u %u", &n, &nres, &seed, &stall) != 4)
				_exit(4);
			for (unsigned k = 0; k < n; k++) {
				seed = seed * 1103515245u + 12345u;
				snprintf(res, sizeof res, "h%u", (seed >> 16) % nres);
				seed = seed * 1103515245u + 12345u;
				static const int modes[8] = {0, 1, 2, 2, 3, 4, 5, 5};
				mode = modes[(seed >> 16) % 8];
				uint64_t t;
				int s = do_lock(d, res, mode, 3000, &t);
				if (s == LK_DLM_OK) {
					tok++;
					if (mode >= 3) { /* exclusive: write under its token */
						char file[1024];
						int64_t at;
						if (stall && k >= stall) { /* stall while holding */
							stall = 0;
							kill(getpid(), SIGSTOP);
						}
						snprintf(file, sizeof file, "%s/%s", store, res);
						int w = fenced_write_at(file, t, &at);
						record(at, w == 1 ? "WROTE" : "REFUSED", res, mode, t);
					}
					usleep((seed >> 8) % 2000);
					s = do_unlock(d, res);
				}
				if (s == LK_DLM_EXPIRED && lk_dlm_reset(d) == LK_DLM_OK)
					continue; /* told; carry on in a new session */
				if (s != LK_DLM_OK && s != LK_DLM_TIMEOUT)
					st = s;
			}
			break;
		case 'Q':
			lk_dlm_close(d);
			_exit(0);
		default:
			_exit(5);
		}
		fprintf(out, "%d %" PRIu64 "\n", st, tok);
		fflush(out);
	}
	_exit(0); /* the parent went away */
}

int agent_spawn(agent_t *a, const char *name, const char *hosts, int session_ms,
		const char *history, const char *store_dir)
{
	int to[2], from[2];
	if (pipe(to) || pipe(from))
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		hist_fd = open(history, O_WRONLY | O_APPEND | O_CREAT, 0600);
		store = store_dir;
		zk_hosts = hosts;
		lk_dlm_config_t cfg = LK_DLM_CONFIG_INIT;
		cfg.hosts = hosts;
		cfg.session_ms = session_ms;
		lk_dlm_t *d;
		int st = lk_dlm_open(&d, &cfg);
		FILE *out = fdopen(from[1], "w");
		fprintf(out, "%d 0\n", st);
		fflush(out);
		if (st != LK_DLM_OK)
			_exit(2);
		agent_loop(d, fdopen(to[0], "r"), out);
	}
	close(to[0]);
	close(from[1]);
	a->pid = pid;
	a->to = to[1];
	a->from = from[0];
	snprintf(a->name, sizeof a->name, "%s", name);
	return agent_reply(a, 20000, NULL); /* the open's status */
}

void agent_send(agent_t *a, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	buf[n++] = '\n';
	if (write(a->to, buf, (size_t)n) != n)
		fprintf(stderr, "agent %s: command lost\n", a->name);
}

int agent_reply(agent_t *a, int cap_ms, uint64_t *tok)
{
	char buf[128];
	size_t len = 0;
	int64_t end = mono_ns() + (int64_t)cap_ms * 1000000;
	while (len < sizeof buf - 1) {
		int64_t left = (end - mono_ns()) / 1000000;
		struct pollfd p = {a->from, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -100;
		if (read(a->from, buf + len, 1) != 1)
			return -100;
		if (buf[len++] == '\n')
			break;
	}
	buf[len] = 0;
	int st;
	uint64_t t;
	if (sscanf(buf, "%d %" SCNu64, &st, &t) != 2)
		return -100;
	if (tok)
		*tok = t;
	return st;
}

int agent_do(agent_t *a, int cap_ms, uint64_t *tok, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	agent_send(a, "%s", buf);
	return agent_reply(a, cap_ms, tok);
}

void agent_signal(agent_t *a, int sig)
{
	if (a->pid > 0)
		kill(a->pid, sig);
}

void agent_quit(agent_t *a, int cap_ms)
{
	if (a->pid <= 0)
		return;
	if (waitpid(a->pid, NULL, WNOHANG) == 0)
		agent_send(a, "Q");
	else
		a->pid = -1; /* already reaped */
	int64_t end = mono_ns() + (int64_t)cap_ms * 1000000;
	while (a->pid > 0 && waitpid(a->pid, NULL, WNOHANG) == 0) {
		if (mono_ns() > end) {
			kill(a->pid, SIGKILL);
			waitpid(a->pid, NULL, 0);
			break;
		}
		usleep(10000);
	}
	close(a->to);
	close(a->from);
	a->pid = 0;
}
