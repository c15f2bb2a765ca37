/*
 * bench/mproc_team.c: the multi-process section's cells (mproc.h). A
 * threaded cell runs in a child process, as make bench's cells do. A
 * multi-process row runs a team: a coordinator process, in its own
 * process group, forks the workers; each attaches to the shared table
 * (detaching the mapping fork gave it, then lk_lockmgr_attach by the fd,
 * as an unrelated process would) or opens the environment itself, then
 * waits. Each round the coordinator bumps a shared futex word, sleeps the
 * cell's duration, raises the stop flag and collects the workers' counts
 * from shared memory. A worker that exits before it is told to, or dies,
 * fails the round at once (the coordinator sleeps in sigtimedwait on
 * SIGCHLD, so it notices within the round): the message names it and its
 * status, the others are killed. The parent reads each round's result
 * through a pipe and kills the whole process group at the cap: a worker
 * that died inside a latch cannot hang the run.
 */
#include "mproc.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#if !__has_include(<latchkit/lockmgr.h>)
#error "bench/mproc_team.c needs the lock table"
#endif

const char *const lkb_mp_name[NR] = {"lk/detect", "lk/mproc", "bdb",
				     "bdb/mproc"};
const bool lkb_mp_multi[NR] = {false, true, false, true};
char lkb_mp_home[256];
int lkb_mp_crash_worker = -1;
bool lkb_mp_touch = true;

/* What a team's coordinator and workers share. */
typedef struct {
	_Atomic int ready, done, quit;
	_Atomic int gen __attribute__((aligned(128))); /* round; a futex */
	_Atomic int stop __attribute__((aligned(128)));
	lkb_tstat_t st[LKB_MP_MAX];
} area_t;

static long futex(_Atomic int *w, int op, int v)
{
	/* not FUTEX_PRIVATE_FLAG: the waiters are other processes */
	return syscall(SYS_futex, (int *)w, op, v, NULL, NULL, 0);
}

/* ---- the multi-process rows' table and environment ----------------------
 * Made by the parent once and used by every team until one fails (a worker
 * that died inside a latch may leave the table unusable); the threaded
 * rows make theirs in each cell, as make bench does. */

static lk_lockmgr_t *mp_mgr;
static int mp_fd = -1;
static bool mp_env;

static void mp_open(int row)
{
	if (row == R_LKMP && !mp_mgr) { /* lkb_lm_make's flat table */
		lk_lockmgr_config_t cfg;
		lk_lockmgr_config_init(&cfg);
		cfg.policy = LK_POLICY_DETECT;
		cfg.hierarchy = false;
		cfg.modes = lk_modetable_sx();
		mp_fd = memfd_create("lkb-mproc", 0);
		if (mp_fd < 0) {
			perror("mproc: memfd_create");
			exit(2);
		}
		lkb_lm_check(lk_lockmgr_create_shared(mp_fd, &cfg, &mp_mgr),
			     "lk_lockmgr_create_shared");
	}
	if (row == R_BDBMP && !mp_env) { /* lkb_bdb_open's, not DB_PRIVATE */
		DB_ENV *e = NULL;
		int rc = db_env_create(&e, 0);
		if (!rc) {
			e->set_lk_max_locks(e, 200000);
			e->set_lk_max_lockers(e, 20000);
			e->set_lk_max_objects(e, 200000);
			e->set_lk_detect(e, DB_LOCK_YOUNGEST);
			rc = e->open(e, lkb_mp_home, DB_CREATE | DB_INIT_LOCK,
				     0600);
		}
		if (rc) {
			fprintf(stderr, "bdb: open %s: %s\n", lkb_mp_home,
				db_strerror(rc));
			exit(4);
		}
		e->close(e, 0); /* the region stays for the workers */
		mp_env = true;
	}
}

static void clean_files(void)
{
	DIR *d = lkb_mp_home[0] ? opendir(lkb_mp_home) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			char f[512];
			snprintf(f, sizeof(f), "%s/%s", lkb_mp_home, de->d_name);
			unlink(f);
		}
	if (d)
		closedir(d);
}

/* No call that takes a latch: a dead worker may hold one. */
static void mp_close(int row)
{
	if (row == R_LKMP && mp_mgr) {
		lk_lockmgr_detach(mp_mgr); /* no txn here: reads, unmaps */
		mp_mgr = NULL;
		close(mp_fd);
		mp_fd = -1;
	}
	if (row == R_BDBMP && mp_env) {
		clean_files();
		mp_env = false;
	}
}

void lkb_mp_close_all(void)
{
	mp_close(R_LKMP);
	mp_close(R_BDBMP);
}

/* ---- a worker ------------------------------------------------------------ */

static void crash_now(int sig)
{
	(void)sig;
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
}

/*
 * The shared table's segment, or Berkeley DB's region files as far as
 * they reach, written in this process now, one byte per page (an atomic
 * add of 0 changes nothing under the other processes), as a long-running
 * process has them mapped. Without it a Berkeley DB worker ran its first
 * 100-300 ms many times slower (measured on a VM where MADV_POPULATE_WRITE
 * over the region did not help), and the cell timed that instead of the
 * lock calls. The table's workers showed no such start; both get it.
 */
static void touch_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[768], path[512];
	size_t hl = strlen(lkb_mp_home);
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi, off;
		struct stat st;
		path[0] = 0;
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %511s", &lo, &hi,
			   &off, path) < 4)
			continue;
		size_t len = hi - lo;
		if (!strncmp(path, "/memfd:lkb-mproc", 16)) {
			/* the segment: mapped to its size */
		} else if (!strncmp(path, lkb_mp_home, hl) && path[hl] == '/' &&
			   !stat(path, &st) && (off_t)off < st.st_size) {
			size_t in_file = (size_t)st.st_size - off;
			if (len > in_file) /* past the end: SIGBUS */
				len = (in_file + 4095) & ~(size_t)4095;
		} else {
			continue;
		}
		for (size_t o = 0; o < len; o += 4096)
			atomic_fetch_add_explicit(
				(_Atomic unsigned char *)(lo + o), 0,
				memory_order_relaxed);
	}
	if (f)
		fclose(f);
}

/* Attach or open, wait for each round, run it, report; detach on quit. */
static void worker(int row, int id, const lkb_params_t *p, area_t *a,
		   pid_t coord, bool pinned)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != coord)
		_exit(9);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (pinned && lkb_cpus[id] >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(lkb_cpus[id], &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	lk_lockmgr_t *m = mp_mgr;
	DB_ENV *e = NULL;
	if (row == R_LKMP) {
		lk_lockmgr_t *m2 = NULL;
		if (lk_lockmgr_detach(m) != LK_OK)
			_exit(10);
		if (lk_lockmgr_attach(mp_fd, &m2) != LK_OK || m2 != m)
			_exit(11);
	} else if (db_env_create(&e, 0) ||
		   e->set_lk_detect(e, DB_LOCK_YOUNGEST) || /* as created */
		   e->open(e, lkb_mp_home, DB_INIT_LOCK, 0)) {
		_exit(12); /* (joins: the sizes are the creator's) */
	}
	if (lkb_mp_touch)
		touch_mapped();
	atomic_fetch_add(&a->ready, 1);
	for (int round = 1;; round++) {
		int g;
		while ((g = atomic_load(&a->gen)) < round)
			futex(&a->gen, FUTEX_WAIT, g);
		if (atomic_load(&a->quit))
			break;
		memset(&a->st[id], 0, sizeof(a->st[id]));
		if (id == lkb_mp_crash_worker && round == 1) {
			struct itimerval it;
			memset(&it, 0, sizeof(it));
			it.it_value.tv_usec = (long)(p->dur_ms * 500.0);
			signal(SIGALRM, crash_now);
			setitimer(ITIMER_REAL, &it, NULL); /* half-way */
		}
		lkb_ycsb_proc(row == R_LKMP ? BE_LK : BE_BDB, p, m, e, id,
			      &a->stop, &a->st[id]);
		atomic_fetch_add(&a->done, 1);
	}
	if (row == R_LKMP ? lk_lockmgr_detach(m) != LK_OK : e->close(e, 0) != 0)
		_exit(13);
	_exit(0);
}

/* ---- the coordinator ------------------------------------------------------ */

static const char *exit_what(int st, char *buf, size_t n)
{
	if (WIFSIGNALED(st))
		snprintf(buf, n, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(buf, n, "exit %d", WEXITSTATUS(st));
	return buf;
}

/* Sleeps until deadline or until *cnt reaches want (cnt not NULL: polled
 * each ms); false, with r->msg, if a worker exited meanwhile: none may
 * before it is told to. SIGCHLD is blocked: sigtimedwait wakes on it. */
static bool watch(pid_t *pid, int P, uint64_t deadline, _Atomic int *cnt,
		  int want, lkb_result_t *r)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0)
			for (int i = 0; i < P; i++)
				if (pid[i] == w) {
					char b[64];
					pid[i] = 0;
					snprintf(r->msg, sizeof(r->msg),
						 "worker %d of %d: %s", i, P,
						 exit_what(st, b, sizeof(b)));
					return false;
				}
		uint64_t now = lkb_ns();
		if ((cnt && atomic_load(cnt) >= want) || now >= deadline)
			return true;
		uint64_t d = deadline - now;
		if (cnt && d > 1000000u)
			d = 1000000u;
		struct timespec ts = {(time_t)(d / 1000000000u),
				      (long)(d % 1000000000u)};
		sigtimedwait(&chld, NULL, &ts);
	}
}

/* After a good round: the table (or environment) as the workers left it:
 * no entry, no txn, the table's commit and abort counters moved by the
 * workers' sums; Berkeley DB: no lock, no locker left. */
static void check_after(int row, const lk_stats_t *s0, uint64_t commits,
			uint64_t aborts, lkb_result_t *r)
{
	if (row == R_LKMP) {
		lk_stats_t s;
		lk_lockmgr_stats(mp_mgr, &s);
		size_t n = lk_snapshot(mp_mgr, NULL, 0);
		if (n || s.txns_active || s.commits - s0->commits != commits ||
		    s.aborts - s0->aborts != aborts) {
			r->broken = 1;
			snprintf(r->msg, sizeof(r->msg),
				 "after: %zu entries, %u txns, commits %llu "
				 "!= %llu", n, s.txns_active,
				 (unsigned long long)(s.commits - s0->commits),
				 (unsigned long long)commits);
		}
		return;
	}
	DB_ENV *e = NULL;
	DB_LOCK_STAT *ls = NULL;
	if (db_env_create(&e, 0) || e->open(e, lkb_mp_home, DB_INIT_LOCK, 0) ||
	    e->lock_stat(e, &ls, 0)) {
		r->broken = 1;
		snprintf(r->msg, sizeof(r->msg), "after: cannot read the env");
		return;
	}
	if (ls->st_nlocks || ls->st_nlockers) {
		r->broken = 1;
		snprintf(r->msg, sizeof(r->msg), "after: %lu locks, %lu lockers",
			 (unsigned long)ls->st_nlocks,
			 (unsigned long)ls->st_nlockers);
	}
	free(ls);
	e->close(e, 0);
}

/* One round: go, p->dur_ms, stop, the counts; false (r->msg) on failure. */
static bool round_run(int row, const lkb_params_t *p, area_t *a, pid_t *pid,
		      int round, uint64_t cap_ns, bool pinned, lkb_result_t *r)
{
	int P = p->threads;
	lk_stats_t s0;
	if (row == R_LKMP)
		lk_lockmgr_stats(mp_mgr, &s0);
	atomic_store(&a->stop, 0);
	atomic_store(&a->done, 0);
	uint64_t t0 = lkb_ns();
	atomic_store(&a->gen, round);
	futex(&a->gen, FUTEX_WAKE, INT_MAX);
	/* a worker that dies ends the round at once */
	bool ok = watch(pid, P, t0 + (uint64_t)(p->dur_ms * 1e6), NULL, 0, r);
	atomic_store(&a->stop, 1);
	double el = (double)(lkb_ns() - t0);
	if (!ok || !watch(pid, P, lkb_ns() + cap_ns, &a->done, P, r))
		return false;
	if (atomic_load(&a->done) < P) {
		snprintf(r->msg, sizeof(r->msg),
			 "%d of %d workers did not stop in %.3g s",
			 P - atomic_load(&a->done), P, (double)cap_ns / 1e9);
		return false;
	}
	uint64_t commits = 0, aborts = 0, mn = UINT64_MAX, mx = 0;
	for (int i = 0; i < P; i++) {
		uint64_t o = a->st[i].ops;
		commits += o;
		aborts += a->st[i].aux;
		mn = o < mn ? o : mn;
		mx = o > mx ? o : mx;
		lkb_hist_merge(&r->hist, &a->st[i].hist);
	}
	r->value = (double)commits / (el / 1e9);
	r->aux = commits ? (double)aborts / (double)commits : NAN;
	r->fairness = P < 2 ? NAN : mn ? (double)mx / (double)mn : INFINITY;
	r->pinned = pinned;
	check_after(row, &s0, commits, aborts, r);
	return !r->broken;
}

static void put_result(int fd, const lkb_result_t *r)
{
	const char *b = (const char *)r;
	for (size_t left = sizeof(*r); left;) {
		ssize_t k = write(fd, b, left);
		if (k <= 0)
			_exit(3);
		b += k;
		left -= (size_t)k;
	}
}

static void kill_all(pid_t *pid, int P)
{
	for (int i = 0; i < P; i++)
		if (pid[i] > 0)
			kill(pid[i], SIGKILL);
	for (int i = 0; i < P; i++)
		if (pid[i] > 0)
			waitpid(pid[i], NULL, 0);
}

/* The coordinator: forks the workers, then one round per 'r' read from
 * cmd, its result written to res; 'q' or end of file: quit. */
static void coordinator(int row, const lkb_params_t *p, double cap_s,
			int cmd, int res)
{
	int P = p->threads;
	uint64_t cap_ns = (uint64_t)(cap_s * 1e9); /* start, stop, exit */
	area_t *a = (area_t *)mmap(NULL, sizeof(area_t),
				   PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	lkb_result_t *r = (lkb_result_t *)lkb_alloc(sizeof(*r));
	if (a == MAP_FAILED)
		_exit(2);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	bool pinned = P <= lkb_ncpus() && lkb_cpus[0] >= 0;
	pid_t pid[LKB_MP_MAX], me = getpid();
	for (int i = 0; i < P; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			_exit(2);
		if (pid[i] == 0)
			worker(row, i, p, a, me, pinned);
	}
	bool ok = watch(pid, P, lkb_ns() + cap_ns, &a->ready, P, r);
	if (ok && atomic_load(&a->ready) < P) {
		ok = false;
		snprintf(r->msg, sizeof(r->msg), "workers not ready in %.3g s",
			 (double)cap_ns / 1e9);
	}
	int round = 0;
	char c;
	while (read(cmd, &c, 1) == 1 && c == 'r') {
		round++;
		if (ok) {
			memset(r, 0, sizeof(*r));
			r->value = r->fairness = r->aux = NAN;
			ok = round_run(row, p, a, pid, round, cap_ns, pinned, r);
		}
		if (!ok) {
			r->broken = 1;
			kill_all(pid, P);
			put_result(res, r);
			_exit(0);
		}
		put_result(res, r);
	}
	atomic_store(&a->quit, 1);
	atomic_store(&a->gen, round + 1);
	futex(&a->gen, FUTEX_WAKE, INT_MAX);
	for (int i = 0; i < P; i++) { /* (the parent's cap covers a hang) */
		int st;
		if (pid[i] > 0 && waitpid(pid[i], &st, 0) == pid[i] &&
		    (!WIFEXITED(st) || WEXITSTATUS(st)))
			_exit(5);
	}
	_exit(0);
}

/* ---- the parent's side ----------------------------------------------------- */

/* Reads one result from fd within cap_s: 0 read; 1 late; 2 none (the
 * writer exited first). */
static int get_result(int fd, double cap_s, lkb_result_t *r)
{
	uint64_t deadline = lkb_ns() + (uint64_t)(cap_s * 1e9);
	char *b = (char *)r;
	size_t got = 0;
	while (got < sizeof(*r)) {
		uint64_t now = lkb_ns();
		if (now >= deadline)
			return 1;
		struct pollfd pf = {fd, POLLIN, 0};
		if (poll(&pf, 1, (int)((deadline - now) / 1000000u) + 1) <= 0)
			continue;
		ssize_t n = read(fd, b + got, sizeof(*r) - got);
		if (n <= 0)
			return 2;
		got += (size_t)n;
	}
	return 0;
}

/* After get_result's rc: the child's end, r->msg on failure. */
static int finish(pid_t pid, int rc, double cap_s, bool reap, lkb_result_t *r)
{
	int st = 0;
	if (rc == 1)
		kill(-pid, SIGKILL); /* its process group: workers too */
	if (rc || reap)
		waitpid(pid, &st, 0);
	if (rc == 0 && (!reap || (WIFEXITED(st) && !WEXITSTATUS(st))))
		return r->broken ? 1 : 0;
	char w[64];
	memset(r, 0, sizeof(*r));
	r->value = NAN;
	r->broken = 1;
	if (rc == 1)
		snprintf(r->msg, sizeof(r->msg), "did not finish in %g s",
			 cap_s);
	else
		snprintf(r->msg, sizeof(r->msg), "cell %s",
			 exit_what(st, w, sizeof(w)));
	return 1;
}

static pid_t fork_child(int up[2], int down[2])
{
	if (pipe(up) || (down && pipe(down))) {
		perror("mproc: pipe");
		exit(2);
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("mproc: fork");
		exit(2);
	}
	if (pid == 0) {
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(up[0]);
		if (down)
			close(down[1]);
	} else {
		setpgid(pid, pid); /* either may run first */
		close(up[1]);
		if (down)
			close(down[0]);
	}
	return pid;
}

int lkb_mp_cell(int row, const lkb_params_t *p, double cap_s,
		lkb_result_t *r)
{
	int up[2];
	memset(r, 0, sizeof(*r));
	pid_t pid = fork_child(up, NULL);
	if (pid == 0) {
		lkb_result_t *res = (lkb_result_t *)lkb_alloc(sizeof(*res));
		res->value = res->fairness = res->aux = NAN;
		lkb_ycsb_run(row == R_LK ? BE_LK : BE_BDB, LK_POLICY_DETECT,
			     false, p, res);
		put_result(up[1], res);
		_exit(0);
	}
	int rc = get_result(up[0], cap_s, r);
	close(up[0]);
	return finish(pid, rc, cap_s, true, r);
}

struct lkb_mp_team {
	int row;
	pid_t pid;
	int cmd, res, rounds;
	bool gone;
};

lkb_mp_team_t *lkb_mp_team_start(int row, const lkb_params_t *p,
				  double cap_s)
{
	lkb_mp_team_t *t = (lkb_mp_team_t *)calloc(1, sizeof(*t));
	int up[2], down[2];
	if (!t)
		exit(2);
	mp_open(row);
	t->row = row;
	t->pid = fork_child(up, down);
	if (t->pid == 0)
		coordinator(row, p, cap_s, down[0], up[1]);
	t->cmd = down[1];
	t->res = up[0];
	return t;
}

int lkb_mp_round(lkb_mp_team_t *t, double cap_s, lkb_result_t *r)
{
	memset(r, 0, sizeof(*r));
	if (t->gone) {
		r->value = NAN;
		snprintf(r->msg, sizeof(r->msg), "the team failed before");
		return 1;
	}
	/* the first round also waits for the workers to start */
	double cap = t->rounds++ ? cap_s : 2 * cap_s;
	int rc = write(t->cmd, "r", 1) == 1 ? get_result(t->res, cap, r) : 2;
	if (finish(t->pid, rc, cap, rc != 0 || r->broken, r)) {
		t->gone = true;
		mp_close(t->row);
		return 1;
	}
	return 0;
}

void lkb_mp_team_end(lkb_mp_team_t *t)
{
	if (!t->gone) {
		lkb_result_t *r = (lkb_result_t *)lkb_alloc(sizeof(*r));
		(void)!write(t->cmd, "q", 1);
		/* end of file on res: the coordinator exited */
		int rc = get_result(t->res, 10, r);
		if (finish(t->pid, rc == 2 ? 0 : 1, 10, true, r)) {
			fprintf(stderr, "mproc: %s: the team's end: %s\n",
				lkb_mp_name[t->row], r->msg);
			mp_close(t->row);
		}
		free(r);
	}
	close(t->cmd);
	close(t->res);
	free(t);
}
