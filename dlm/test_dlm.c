/*
 * dlm/test_dlm.c: lk_dlm_* against a real ZooKeeper ensemble, through
 * client processes (dlm/agent.h). dlm/test.sh starts the ensemble and runs:
 *   test_dlm functional          modes, group grant, FIFO, timeouts,
 *                                release-all, tokens, bad input
 *   test_dlm faults [M]          a create's reply lost (through dlm/relay.h);
 *                                M members killed in turn (1); a client killed;
 *                                a client stopped past its lease (fenced); the
 *                                whole ensemble restarted
 *   test_dlm history ROUNDS      random rounds by 3 clients, replayed by
 *                                dlm/history.c (with one client stopped
 *                                past its lease when ROUNDS >= 200)
 * Env: LK_DLM_HOSTS (connect string), LK_DLM_CTL (dlm/ensemble.sh) and
 * LK_DLM_DIR (the ensemble's directory) for the faults.
 * Every wait has a cap; the caps are never assertions about speed.
 */
#include "agent.h"
#include "dlm.h"
#include "relay.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int history_check(const char *file, int *nholds, int *nlost, int *nexcused, int *nrefused);

#define SESSION_MS 2000
#define CAP 15000 /* ms: a cap on any one answer */

static const char *hosts;
static char tmpdir[256], histfile[300], storedir[300];
static agent_t ag[3];
static int failures;

#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c)) {                                                        \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); \
			failures++;                                                \
			return;                                                    \
		}                                                                  \
	} while (0)

static void spawn(int i, int session_ms)
{
	char name[8];
	snprintf(name, sizeof name, "c%d", i);
	if (agent_spawn(&ag[i], name, hosts, session_ms, histfile, storedir) != LK_DLM_OK) {
		fprintf(stderr, "FAIL: client %d could not open a session\n", i);
		exit(1);
	}
}

static int ctl(const char *verb, const char *arg)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s %s %s %s", getenv("LK_DLM_CTL"), verb, getenv("LK_DLM_DIR"), arg);
	return system(cmd);
}

/* ---- functional ---------------------------------------------------------- */

static void t_bad_input(void)
{
	lk_dlm_config_t cfg = LK_DLM_CONFIG_INIT;
	lk_dlm_t *d = (lk_dlm_t *)&cfg; /* must stay untouched */
	CHECK(lk_dlm_open(NULL, &cfg) == LK_DLM_INVAL);
	CHECK(lk_dlm_open(&d, &cfg) == LK_DLM_INVAL && d == (lk_dlm_t *)&cfg); /* no hosts */
	cfg.hosts = hosts;
	cfg.table = 7;
	CHECK(lk_dlm_open(&d, &cfg) == LK_DLM_INVAL && d == (lk_dlm_t *)&cfg);
	cfg.table = 0;
	cfg.root = "no-slash";
	CHECK(lk_dlm_open(&d, &cfg) == LK_DLM_INVAL);
	uint64_t tok = 77;
	CHECK(lk_dlm_lock(NULL, "r", LK_DLM_X, &tok) == LK_DLM_INVAL && tok == 77);
	CHECK(lk_dlm_unlock(NULL, "r") == LK_DLM_INVAL);
	CHECK(lk_dlm_check(NULL) == LK_DLM_INVAL);
	CHECK(strcmp(lk_dlm_strerror(LK_DLM_EXPIRED), "LK_DLM_EXPIRED: session expired, every lock lost") == 0);
	/* The rest through a client: bad names and modes. */
	uint64_t t;
	CHECK(agent_do(&ag[0], CAP, &t, "L a/b 5 0") == LK_DLM_INVAL);
	CHECK(agent_do(&ag[0], CAP, &t, "L .. 5 0") == LK_DLM_INVAL);
	CHECK(agent_do(&ag[0], CAP, &t, "L r 6 0") == LK_DLM_INVAL);
	CHECK(agent_do(&ag[0], CAP, &t, "L r 5 -2") == LK_DLM_INVAL);
	CHECK(agent_do(&ag[0], CAP, &t, "U never") == LK_DLM_NOTHELD);
	CHECK(agent_do(&ag[0], CAP, &t, "N") == 0);
	printf("ok bad-input\n");
}

static void t_modes(void)
{
	uint64_t t;
	/* Group grant across three processes: IS, IX, IS on one resource. */
	CHECK(agent_do(&ag[0], CAP, &t, "L m1 0 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t, "L m1 1 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[2], CAP, &t, "L m1 0 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[2], CAP, &t, "L m1 2 0") == LK_DLM_HELD); /* no conversions */
	CHECK(agent_do(&ag[2], CAP, &t, "U m1") == LK_DLM_OK);
	CHECK(agent_do(&ag[2], CAP, &t, "L m1 2 0") == LK_DLM_WOULDBLOCK); /* S vs IX */
	CHECK(agent_do(&ag[1], CAP, &t, "U m1") == LK_DLM_OK);
	CHECK(agent_do(&ag[2], CAP, &t, "L m1 2 0") == LK_DLM_OK); /* S with IS */
	CHECK(agent_do(&ag[1], CAP, &t, "L m1 4 0") == LK_DLM_OK); /* U with S, IS */
	CHECK(agent_do(&ag[1], CAP, &t, "L m2 4 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "L m2 4 0") == LK_DLM_WOULDBLOCK); /* U vs U */
	CHECK(agent_do(&ag[0], CAP, &t, "L m2 2 0") == LK_DLM_OK); /* S with U */
	int mode = -1;
	CHECK(agent_do(&ag[1], CAP, &t, "H m2") == LK_DLM_OK);
	(void)mode;
	for (int i = 0; i < 3; i++)
		CHECK(agent_do(&ag[i], CAP, &t, "A") == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t, "H m2") == LK_DLM_NOTHELD);
	CHECK(agent_do(&ag[0], CAP, &t, "L m1 5 0") == LK_DLM_OK); /* all gone */
	CHECK(agent_do(&ag[0], CAP, &t, "U m1") == LK_DLM_OK);
	printf("ok modes-group-grant\n");
}

static void t_fifo_timeout(void)
{
	uint64_t t0, t1, t2, t;
	CHECK(agent_do(&ag[0], CAP, &t0, "L f 2 -1") == LK_DLM_OK); /* S */
	agent_send(&ag[1], "L f 5 -1");                             /* X queues */
	usleep(300000); /* let it queue; if it has not, the S below passes and
			   the check after it fails: never a false pass */
	/* S behind a queued X waits (FIFO), though S is compatible with S. */
	CHECK(agent_do(&ag[2], CAP, &t, "L f 2 300") == LK_DLM_TIMEOUT);
	CHECK(agent_do(&ag[2], CAP, &t, "L f 2 0") == LK_DLM_WOULDBLOCK);
	agent_send(&ag[2], "L f 2 -1"); /* queues behind the X */
	CHECK(agent_do(&ag[0], CAP, &t, "U f") == LK_DLM_OK);
	CHECK(agent_reply(&ag[1], CAP, &t1) == LK_DLM_OK); /* X granted first */
	CHECK(t1 > t0);
	CHECK(agent_do(&ag[0], CAP, &t, "L f 2 0") == LK_DLM_WOULDBLOCK);
	CHECK(agent_do(&ag[1], CAP, &t, "U f") == LK_DLM_OK);
	CHECK(agent_reply(&ag[2], CAP, &t2) == LK_DLM_OK);
	CHECK(t2 > t1);
	CHECK(agent_do(&ag[2], CAP, &t, "U f") == LK_DLM_OK);
	printf("ok fifo-timeout\n");
}

static void t_release_all_tokens(void)
{
	uint64_t t, prev = 0;
	CHECK(agent_do(&ag[0], CAP, &t, "L ra1 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "L ra2 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "L ra3 2 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "N") == 3);
	CHECK(agent_do(&ag[1], CAP, &t, "L ra2 2 0") == LK_DLM_WOULDBLOCK);
	CHECK(agent_do(&ag[0], CAP, &t, "A") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "N") == 0);
	CHECK(agent_do(&ag[1], CAP, &t, "L ra1 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t, "L ra2 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t, "L ra3 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t, "A") == LK_DLM_OK);
	/* X tokens on one resource, taken in turn by three processes. */
	for (int k = 0; k < 9; k++) {
		agent_t *a = &ag[k % 3];
		CHECK(agent_do(a, CAP, &t, "L tok 5 5000") == LK_DLM_OK);
		CHECK(t > prev);
		prev = t;
		CHECK(agent_do(a, CAP, &t, "W tok") == 1);
		CHECK(agent_do(a, CAP, &t, "U tok") == LK_DLM_OK);
	}
	printf("ok release-all-tokens\n");
}

/* A resource znode deleted and created again starts its sequence again:
 * the hint of a client that used it before must not grant at once. c0's
 * second request on a fresh znode is sequence 1 (its hint); the znode goes
 * and comes back with c1's X as sequence 0 and c2's withdrawn try as 1, so
 * c0's next request is sequence 2 = its hint + 1, with c1's X ahead. */
static void t_resource_recreated(void)
{
	uint64_t t;
	agent_do(&ag[2], CAP, &t, "D rz"); /* from an earlier run, if any */
	for (int k = 0; k < 2; k++) {
		CHECK(agent_do(&ag[0], CAP, &t, "L rz 5 0") == LK_DLM_OK);
		CHECK(agent_do(&ag[0], CAP, &t, "U rz") == LK_DLM_OK);
	}
	CHECK(agent_do(&ag[2], CAP, &t, "D rz") == 0);
	CHECK(agent_do(&ag[1], CAP, &t, "L rz 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[2], CAP, &t, "L rz 5 0") == LK_DLM_WOULDBLOCK);
	CHECK(agent_do(&ag[0], CAP, &t, "L rz 5 0") == LK_DLM_WOULDBLOCK);
	CHECK(agent_do(&ag[1], CAP, &t, "U rz") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "L rz 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "U rz") == LK_DLM_OK);
	printf("ok resource-recreated\n");
}

/* ---- faults --------------------------------------------------------------- */

/* ZOOKEEPER-1262: a create that happened but whose reply was lost. Client r
 * talks to member 1 through the relay, which lets r's create through, drops
 * its reply and cuts the connection. r must find its node by its unique
 * prefix after reconnecting and wait in that node's place: no orphan, no
 * second node, the FIFO place kept. */
static void lost_reply(relay_t *rl, agent_t *r, char *node, size_t cap, int64_t *czxid)
{
	uint64_t t0, tr, t2, t;
	int err = -1;
	CHECK(agent_do(&ag[0], CAP, &t0, "L lr 5 0") == LK_DLM_OK);
	agent_send(r, "L lr 5 -1");
	CHECK(relay_cut(rl, CAP, &err, czxid, node, cap) == 0);
	CHECK(err == 0 && *czxid > 0); /* created on the ensemble, reply dropped */
	agent_send(&ag[2], "L lr 5 -1"); /* queued after r's node */
	int n = -1; /* wait (capped) until c2's node is there too */
	for (int k = 0; k < 100 && n < 3; k++) {
		n = agent_do(&ag[1], CAP, &t, "K lr");
		if (n < 3)
			usleep(50000);
	}
	CHECK(agent_do(&ag[0], CAP, &t, "U lr") == LK_DLM_OK);
	/* r is granted next, on the node created before the cut (its czxid). */
	CHECK(agent_reply(r, CAP, &tr) == LK_DLM_OK);
	CHECK(tr == (uint64_t)*czxid);
	CHECK(agent_do(&ag[1], CAP, &t, "K lr") == 2); /* r and c2: no orphan */
	CHECK(agent_do(r, CAP, &t, "U lr") == LK_DLM_OK);
	CHECK(agent_reply(&ag[2], CAP, &t2) == LK_DLM_OK && t2 > tr);
	CHECK(agent_do(&ag[1], CAP, &t, "K lr") == 1);
	CHECK(agent_do(&ag[2], CAP, &t, "U lr") == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t, "K lr") == 0);
	printf("ok lost-create-reply (%s adopted, token %" PRId64 ")\n", strrchr(node, '/') + 1, *czxid);

	/* Requests per uncontended lock+unlock, counted by the relay: a
	 * create and a delete; the listing and the resource's watch only in
	 * the first round (README.md, "Requests per lock"). */
	int ops[16] = {0}, rounds = 5;
	relay_ops(rl, ops, 16);
	memset(ops, 0, sizeof ops);
	for (int k = 0; k < rounds; k++) {
		CHECK(agent_do(r, CAP, &t, "L lr 5 0") == LK_DLM_OK);
		CHECK(agent_do(r, CAP, &t, "U lr") == LK_DLM_OK);
	}
	relay_ops(rl, ops, 16);
	printf("requests for %d lock+unlock: %d create2, %d delete, %d getChildren, %d exists\n",
	       rounds, ops[15], ops[2], ops[8], ops[3]);
	CHECK(ops[15] == rounds && ops[2] == rounds && ops[8] <= 1 && ops[3] <= 1);
	CHECK(ops[1] + ops[4] + ops[12] == 0); /* no create, getData, getChildren2 */
}

static void t_lost_reply(void)
{
	char up[64], rhosts[32], node[512] = "";
	relay_t rl;
	agent_t r;
	int64_t czxid = -1;
	snprintf(up, sizeof up, "%.*s", (int)strcspn(hosts, ","), hosts);
	if (relay_start(&rl, up) != 0) {
		fprintf(stderr, "FAIL: relay_start\n");
		failures++;
		return;
	}
	snprintf(rhosts, sizeof rhosts, "127.0.0.1:%d", rl.port);
	/* A 10 s lease: the reconnect through the relay is far inside a third. */
	if (agent_spawn(&r, "relayed", rhosts, 10000, histfile, storedir) == LK_DLM_OK) {
		int f = failures;
		lost_reply(&rl, &r, node, sizeof node, &czxid);
		if (failures != f) { /* a stuck client: take every one down */
			agent_signal(&r, SIGKILL);
			for (int i = 0; i < 3; i++) {
				agent_quit(&ag[i], 1000);
				spawn(i, SESSION_MS);
			}
		}
	} else {
		fprintf(stderr, "FAIL: the relayed client could not open a session\n");
		failures++;
	}
	agent_quit(&r, 3000);
	relay_stop(&rl);
}

static void t_member_down(int members)
{
	uint64_t t;
	int lost = 0;
	/* Kill members in turn (all three: the leader too), serve with two. */
	for (int m = 1; m <= members; m++) {
		char id[16];
		snprintf(id, sizeof id, "%d", m);
		CHECK(ctl("kill", id) == 0);
		for (int k = 0; k < 3; k++) {
			/* A client cut off for a third of its lease (a leader's
			 * election can take that long) is told its session is
			 * gone; it starts a new one, which must be served. */
			int st = agent_do(&ag[k], CAP, &t, "L md 5 10000");
			for (int n = 0; n < 5 && st == LK_DLM_EXPIRED; n++) {
				lost++;
				CHECK(agent_do(&ag[k], CAP, &t, "R") == LK_DLM_OK);
				st = agent_do(&ag[k], CAP, &t, "L md 5 10000");
			}
			CHECK(st == LK_DLM_OK);
			CHECK(agent_do(&ag[k], CAP, &t, "U md") == LK_DLM_OK);
		}
		CHECK(ctl("start", id) == 0 && ctl("wait", "") == 0);
	}
	printf("ok member-down (%d member(s) killed in turn; %d session(s) reported lost)\n", members, lost);
}

static void t_client_killed(void)
{
	uint64_t t0, t1;
	CHECK(agent_do(&ag[0], CAP, &t0, "L ck 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t0, "L ck2 2 0") == LK_DLM_OK);
	agent_send(&ag[1], "L ck 5 -1");
	agent_send(&ag[2], "L ck2 5 -1");
	usleep(200000);
	agent_signal(&ag[0], SIGKILL);
	CHECK(agent_reply(&ag[1], CAP, &t1) == LK_DLM_OK); /* after the expiry */
	CHECK(t1 > t0);
	CHECK(agent_reply(&ag[2], CAP, &t1) == LK_DLM_OK);
	CHECK(agent_do(&ag[1], CAP, &t1, "A") == LK_DLM_OK);
	CHECK(agent_do(&ag[2], CAP, &t1, "A") == LK_DLM_OK);
	agent_quit(&ag[0], 1000);
	spawn(0, SESSION_MS);
	printf("ok client-killed\n");
}

static void t_client_stopped(void)
{
	uint64_t ta, tb, t;
	CHECK(agent_do(&ag[0], CAP, &ta, "L fs 5 0") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "W fs") == 1);
	agent_send(&ag[1], "L fs 5 -1");
	usleep(200000);
	agent_signal(&ag[0], SIGSTOP);
	CHECK(agent_reply(&ag[1], CAP, &tb) == LK_DLM_OK); /* the lease ran out */
	CHECK(tb > ta);
	CHECK(agent_do(&ag[1], CAP, &t, "W fs") == 1);
	agent_signal(&ag[0], SIGCONT);
	/* The stale holder writes with its old token first: refused. */
	CHECK(agent_do(&ag[0], CAP, &t, "W fs") == 0);
	/* And it is told: check says the session is gone, held agrees. */
	int st = -1;
	for (int k = 0; k < 100 && st != LK_DLM_EXPIRED; k++) {
		st = agent_do(&ag[0], CAP, &t, "C");
		if (st != LK_DLM_EXPIRED)
			usleep(100000);
	}
	CHECK(st == LK_DLM_EXPIRED);
	CHECK(agent_do(&ag[0], CAP, &t, "H fs") == LK_DLM_EXPIRED);
	CHECK(agent_do(&ag[0], CAP, &t, "U fs") == LK_DLM_EXPIRED);
	CHECK(agent_do(&ag[0], CAP, &t, "L other 5 0") == LK_DLM_EXPIRED);
	CHECK(agent_do(&ag[0], CAP, &t, "R") == LK_DLM_OK);
	CHECK(agent_do(&ag[0], CAP, &t, "N") == 0);
	CHECK(agent_do(&ag[0], CAP, &t, "L fs 5 0") == LK_DLM_WOULDBLOCK); /* c1 has it */
	CHECK(agent_do(&ag[1], CAP, &t, "U fs") == LK_DLM_OK);
	printf("ok client-stopped-fenced\n");
}

static void t_restart_all(void)
{
	uint64_t t;
	/* The holder's lease (30 s) outlasts a restart by a third: its
	 * session should survive, the others' (2 s) are lost. */
	agent_quit(&ag[0], 3000);
	spawn(0, 30000);
	CHECK(agent_do(&ag[0], CAP, &t, "L rs 5 0") == LK_DLM_OK);
	CHECK(ctl("restart", "") == 0);
	/* The holder either still holds (its session survived) or is told
	 * it lost the lock; never both it and another holder. */
	int st = agent_do(&ag[0], CAP, &t, "C");
	for (int k = 0; k < 100 && st == LK_DLM_UNAVAIL; k++) {
		usleep(100000);
		st = agent_do(&ag[0], CAP, &t, "C");
	}
	CHECK(st == LK_DLM_OK || st == LK_DLM_EXPIRED);
	/* The other clients were cut off too: served again, or told. */
	for (int k = 1; k < 3; k++) {
		int s = agent_do(&ag[k], CAP, &t, "C");
		for (int n = 0; n < 100 && s == LK_DLM_UNAVAIL; n++) {
			usleep(100000);
			s = agent_do(&ag[k], CAP, &t, "C");
		}
		CHECK(s == LK_DLM_OK || s == LK_DLM_EXPIRED);
		if (s == LK_DLM_EXPIRED)
			CHECK(agent_do(&ag[k], CAP, &t, "R") == LK_DLM_OK);
	}
	int other = agent_do(&ag[1], CAP, &t, "L rs 5 1500");
	if (st == LK_DLM_OK) {
		CHECK(agent_do(&ag[0], CAP, &t, "H rs") == LK_DLM_OK);
		CHECK(other == LK_DLM_TIMEOUT);
		CHECK(agent_do(&ag[0], CAP, &t, "U rs") == LK_DLM_OK);
	} else {
		CHECK(other == LK_DLM_OK);
		CHECK(agent_do(&ag[0], CAP, &t, "H rs") == LK_DLM_EXPIRED);
		CHECK(agent_do(&ag[0], CAP, &t, "R") == LK_DLM_OK);
		CHECK(agent_do(&ag[1], CAP, &t, "U rs") == LK_DLM_OK);
	}
	for (int k = 1; k < 3; k++) {
		CHECK(agent_do(&ag[k], CAP, &t, "L rs2 5 10000") == LK_DLM_OK);
		CHECK(agent_do(&ag[k], CAP, &t, "U rs2") == LK_DLM_OK);
	}
	printf("ok restart-all (holder: %s)\n", st == LK_DLM_OK ? "session survived" : "loss reported");
}

/* ---- history ------------------------------------------------------------- */

static void t_history(int rounds)
{
	uint64_t t;
	truncate(histfile, 0);
	bool stall = rounds >= 200;
	for (int i = 0; i < 3; i++)
		agent_send(&ag[i], "Z %d 3 %d %d", rounds, 17 + i, i == 2 && stall ? rounds / 4 : 0);
	if (stall) { /* client 2 stops itself holding X: wait, then wake it */
		int ws;
		CHECK(waitpid(ag[2].pid, &ws, WUNTRACED) == ag[2].pid && WIFSTOPPED(ws));
		usleep(3 * SESSION_MS * 1000);
		agent_signal(&ag[2], SIGCONT);
	}
	for (int i = 0; i < 3; i++)
		CHECK(agent_reply(&ag[i], 600000, &t) == LK_DLM_OK);
	int n = 0, lost = 0, exc = 0, ref = 0, bad = history_check(histfile, &n, &lost, &exc, &ref);
	printf("history: %d holds by 3 clients, %d ended by a lost session, %d overlaps "
	       "after a lost session (fencing's case), %d stale writes refused, %d violations\n",
	       n, lost, exc, ref, bad);
	CHECK(bad == 0 && n > 0);
	CHECK(!stall || lost >= 1); /* the stall was a real loss */
	printf("ok history\n");
}

int main(int argc, char **argv)
{
	hosts = getenv("LK_DLM_HOSTS");
	if (argc < 2 || !hosts) {
		fprintf(stderr, "usage: LK_DLM_HOSTS=... %s functional|faults [M]|lost-reply|history N\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof tmpdir, "%s/lkdlm.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		return 2;
	snprintf(histfile, sizeof histfile, "%s/history", tmpdir);
	snprintf(storedir, sizeof storedir, "%s/store", tmpdir);
	mkdir(storedir, 0700);
	for (int i = 0; i < 3; i++)
		spawn(i, SESSION_MS);
	if (strcmp(argv[1], "functional") == 0) {
		t_bad_input();
		t_modes();
		t_fifo_timeout();
		t_release_all_tokens();
		t_resource_recreated();
		t_history(40);
	} else if (strcmp(argv[1], "faults") == 0) {
		t_lost_reply();
		t_member_down(argc > 2 ? atoi(argv[2]) : 1);
		t_client_killed();
		t_client_stopped();
		t_restart_all();
	} else if (strcmp(argv[1], "lost-reply") == 0) { /* alone, for a quick run */
		t_lost_reply();
	} else if (strcmp(argv[1], "history") == 0 && argc > 2) {
		t_history(atoi(argv[2]));
	} else {
		fprintf(stderr, "unknown test %s\n", argv[1]);
		failures++;
	}
	for (int i = 0; i < 3; i++)
		agent_quit(&ag[i], 3000);
	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	printf("%s: %s\n", argv[1], failures ? "FAILED" : "all passed");
	return failures != 0;
}
