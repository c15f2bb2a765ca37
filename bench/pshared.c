/*
 * bench/pshared.c: cross-process lock/unlock (issue 15): P processes
 * (fork) share one latch in mmap(MAP_SHARED | MAP_ANONYMOUS) memory and
 * lock it, bump a shared counter, unlock, for --dur ms. Latches: lk_mutex
 * made with LK_MUTEX_INIT_SHARED, lk_robust (robust.h), and the peers
 * pthread_mutex_t with PTHREAD_PROCESS_SHARED, plain and also
 * PTHREAD_MUTEX_ROBUST; then lk_ticket made with lk_ticket_init_shared
 * (FIFO, against the shared pthread mutex). Each cell is a median of
 * --reps interleaved runs;
 * the ratio is to the pthread mutex of the same kind (shared to shared,
 * robust to robust) measured in the same run. The counter is checked:
 * it must equal the sum of the processes' operations (exit 2 if not).
 *   pshared [--procs "1 2 4"] [--reps N] [--dur MS]
 *   pshared --instr N [--kind K]  one process, N uncontended lock/unlock
 *                           pairs of latch K (0-4: the order above; all if
 *                           no --kind), for callgrind (make bench-pshared)
 */
#include <latchkit/mutex.h>
#include <latchkit/robust.h>
#include <latchkit/ticket.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { K_LKMUTEX, K_PTHREAD, K_LKROBUST, K_PTROBUST, K_LKTICKET, NK };
static const char *kname[NK] = {"lk_mutex shared", "pthread shared",
				"lk_robust", "pthread robust",
				"lk_ticket shared"};
static const int kpeer[NK] = {K_PTHREAD, K_PTHREAD, K_PTROBUST, K_PTROBUST,
			      K_PTHREAD};

typedef struct {
	lk_mutex_t lkm;
	lk_robust_t lkr;
	lk_ticket_t lkt;
	pthread_mutex_t ptm;
	pthread_mutex_t ptr;
	atomic_int go;
	long counter;
	long ops[64];
} shm_t;

static shm_t *S;

static void init_all(void)
{
	lk_mutex_init_shared(&S->lkm);
	lk_robust_init(&S->lkr);
	lk_ticket_init_shared(&S->lkt);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&S->ptm, &a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&S->ptr, &a);
	pthread_mutexattr_destroy(&a);
	S->counter = 0;
}

static inline void op(int k)
{
	switch (k) {
	case K_LKMUTEX:
		lk_mutex_lock(&S->lkm);
		S->counter++;
		lk_mutex_unlock(&S->lkm);
		break;
	case K_PTHREAD:
		pthread_mutex_lock(&S->ptm);
		S->counter++;
		pthread_mutex_unlock(&S->ptm);
		break;
	case K_LKROBUST:
		lk_robust_lock(&S->lkr);
		S->counter++;
		lk_robust_unlock(&S->lkr);
		break;
	case K_LKTICKET:
		lk_ticket_lock(&S->lkt);
		S->counter++;
		lk_ticket_unlock(&S->lkt);
		break;
	default:
		pthread_mutex_lock(&S->ptr);
		S->counter++;
		pthread_mutex_unlock(&S->ptr);
	}
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Ops per second of P processes on latch k for dur ms. */
static double cell(int k, int P, int dur)
{
	init_all();
	atomic_store(&S->go, 0);
	pid_t pid[64];
	for (int i = 0; i < P; i++) {
		pid[i] = fork();
		if (pid[i] == 0) {
			while (atomic_load(&S->go) == 0)
				;
			long n = 0;
			uint64_t end = now_ns() + (uint64_t)dur * 1000000u;
			do {
				for (int j = 0; j < 64; j++)
					op(k);
				n += 64;
			} while (now_ns() < end);
			S->ops[i] = n;
			_exit(0);
		}
	}
	uint64_t t0 = now_ns();
	atomic_store(&S->go, 1);
	long total = 0;
	for (int i = 0; i < P; i++) {
		waitpid(pid[i], NULL, 0);
		total += S->ops[i];
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	if (total != S->counter) {
		fprintf(stderr, "%s: counter %ld != ops %ld: exclusion broken\n",
			kname[k], S->counter, total);
		exit(2);
	}
	return (double)total / secs;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *procs = "1 2 4";
	int reps = 5, dur = 200;
	long instr = 0;
	int kind = -1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--procs") && i + 1 < argc)
			procs = argv[++i];
		else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--dur") && i + 1 < argc)
			dur = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--instr") && i + 1 < argc)
			instr = atol(argv[++i]);
		else if (!strcmp(argv[i], "--kind") && i + 1 < argc)
			kind = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: pshared [--procs LIST] [--reps N] "
					"[--dur MS] | --instr N\n");
			return 1;
		}
	}
	S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (S == MAP_FAILED)
		return 1;
	if (instr) { /* callgrind: each kind's loop in its own function */
		init_all();
		int n = 0;
		for (int k = 0; k < NK; k++) {
			if (kind >= 0 && k != kind)
				continue;
			n++;
			for (long i = 0; i < instr; i++)
				op(k);
		}
		return S->counter != instr * n;
	}
	if (reps < 1 || reps > 64 || dur < 1)
		return 1;
	printf("%-16s %5s %14s %14s %14s %7s\n", "latch", "procs", "median ops/s",
	       "min", "max", "ratio");
	char buf[256];
	snprintf(buf, sizeof buf, "%s", procs);
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " ")) {
		int P = atoi(t);
		if (P < 1 || P > 64)
			return 1;
		double v[NK][64], med[NK];
		for (int r = 0; r < reps; r++) /* interleaved */
			for (int k = 0; k < NK; k++)
				v[k][r] = cell(k, P, dur);
		for (int k = 0; k < NK; k++) {
			qsort(v[k], (size_t)reps, sizeof(double), cmpd);
			med[k] = v[k][reps / 2];
		}
		for (int k = 0; k < NK; k++)
			printf("%-16s %5d %14.0f %14.0f %14.0f %7.2f\n", kname[k], P,
			       med[k], v[k][0], v[k][reps - 1],
			       med[k] / med[kpeer[k]]);
	}
	return 0;
}
