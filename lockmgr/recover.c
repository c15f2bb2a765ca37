/*
 * lockmgr/recover.c: dead processes of a shared table (SHARED.md): who
 * this process is (PID and start time), whether a registered one is dead,
 * and the recovery that aborts a dead process's txns.
 */
#include "shared_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* /proc/PID/stat: 0 with *start set (field 22, clock ticks since boot,
 * low 32 bits), 1 gone or a zombie, 2 unreadable. The reader of
 * primitives/robust.h, not included: its program-wide variables would be
 * exported by the shared library. */
static int proc_stat(uint32_t pid, uint32_t *start)
{
	char path[32], buf[512];
	snprintf(path, sizeof path, "/proc/%u/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT || errno == ESRCH ? 1 : 2;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the name may hold anything */
	if (!p || p[1] != ' ' || !p[2])
		return 2;
	if (p[2] == 'Z' || p[2] == 'X')
		return 1;
	p += 2; /* field 3, the state */
	for (int i = 3; i < 22; i++) {
		p = strchr(p, ' ');
		if (!p)
			return 2;
		p++;
	}
	uint64_t t = 0;
	while (*p >= '0' && *p <= '9')
		t = t * 10u + (uint64_t)(*p++ - '0');
	*start = (uint32_t)t;
	return 0;
}

/* start << 32 | pid of the calling process: its start time as
 * /proc/PID/stat gives it, so that a reused PID is another process. */
uint64_t lk__shm_self_id(void)
{
	static LK_ATOMIC(uint64_t) cached; /* keyed by the PID: a fork relearns */
	uint32_t pid = (uint32_t)getpid(), start = 0;
	uint64_t c = atomic_load_explicit(&cached, memory_order_relaxed);
	if ((uint32_t)c == pid)
		return c;
	proc_stat(pid, &start);
	c = (uint64_t)start << 32 | pid;
	atomic_store_explicit(&cached, c, memory_order_relaxed);
	return c;
}

/* Gone, a zombie, or its PID now names a process that started at another
 * time. Unreadable counts as alive: never take locks on a doubt. */
bool lk__shm_dead(uint64_t id)
{
	uint32_t start = 0;
	int r = proc_stat((uint32_t)id, &start);
	return r == 1 || (r == 0 && start != (uint32_t)(id >> 32));
}

static void rec_lock(struct lk__shm *s)
{
	/* a recoverer that died: its aborts were each complete or not begun
	 * at a latch boundary; the scan below starts over */
	if (pthread_mutex_lock(&s->rec_mu) == EOWNERDEAD)
		pthread_mutex_consistent(&s->rec_mu);
}

/* Aborts every active txn of process slot k (its process is dead). */
static uint32_t abort_txns_of(lk_lockmgr_t *m, uint32_t k)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < m->ntxns; i++) {
		struct lk__txn *t = txn_at(m, i);
		/* acquire: begin stores proc before state */
		if (atomic_load_explicit(&t->state, memory_order_acquire) != 1 ||
		    t->proc != k + 1)
			continue;
		uint32_t gen = atomic_load_explicit(&t->gen, memory_order_relaxed);
		if (!(gen & 1u))
			continue;
		/* it waits no more: the detector must not count it */
		atomic_store_explicit(&t->wait_req, 0, memory_order_seq_cst);
		if (lk_txn_abort(txn_handle(m, t, gen)) == LK_OK)
			n++;
	}
	return n;
}

uint32_t lk__shm_recover(lk_lockmgr_t *m)
{
	struct lk__shm *s = m->shm;
	uint64_t me = lk__shm_self_id();
	bool any = false;
	for (int k = 0; k < LK__SHM_PROCS && !any; k++) {
		uint64_t v = atomic_load_explicit(&s->procs[k], memory_order_acquire);
		any = v && v != me && lk__shm_dead(v);
	}
	if (!any)
		return 0;
	uint32_t n = 0;
	rec_lock(s);
	for (uint32_t k = 0; k < LK__SHM_PROCS; k++) {
		uint64_t v = atomic_load_explicit(&s->procs[k], memory_order_acquire);
		if (!v || v == me || !lk__shm_dead(v))
			continue;
		abort_txns_of(m, k);
		/* the slot is free once its txns are gone */
		if (atomic_compare_exchange_strong_explicit(&s->procs[k], &v, 0,
							    memory_order_release,
							    memory_order_relaxed)) {
			atomic_fetch_add_explicit(&s->recovered, 1, memory_order_relaxed);
			n++;
		}
	}
	pthread_mutex_unlock(&s->rec_mu);
	return n;
}

int lk_lockmgr_recover(lk_lockmgr_t *m, uint32_t *procs)
{
	if (!m || !lk__mgr_live(m) || !m->shm)
		return LK_INVAL;
	uint32_t n = lk__shm_recover(m);
	if (procs)
		*procs = n;
	return LK_OK;
}
