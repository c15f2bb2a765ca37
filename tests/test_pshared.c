/* Process-shared latches (issue 15): for each latch with a shared form, a
 * waiter in one process parks (LK_DEBUG's lk__wait_stats() counts it) and
 * is woken by a release in another. The waiter waits with a long timed
 * form (30 s), so a lost wake fails an assertion instead of hanging.
 * Shared memory is mmap(MAP_SHARED | MAP_ANONYMOUS), mapped before fork. */
#define LK_DEBUG 1
#include <latchkit/barrier.h>
#include <latchkit/event.h>
#include <latchkit/mutex.h>
#include <latchkit/once.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>
#include <latchkit/ticket.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "pshared.h"

#define LONG_NS 30000000000u /* 30 s */

typedef struct {
	atomic_int started; /* the waiter is about to wait */
	atomic_int parks;   /* its park count once done */
	int data;
	lk_mutex_t mutex;
	lk_sem_t sem;
	lk_barrier_t barrier;
	lk_rwmutex_t rw;
	lk_event_t event;
	lk_once_t once;
	atomic_int runs; /* once: fn's calls, in every process */
	lk_ticket_t ticket;
	lk_pfrwlock_t pf;
	lk_rprwlock_t rp;
	lk_seqlock_t seq;
	lk_latch_t latch;
	atomic_int started2; /* a second waiter (ticket: queued behind the head) */
	atomic_int parks2;
} shm_t;

static shm_t *shm_new(void)
{
	return (shm_t *)lkp_shared(sizeof(shm_t));
}

/* Starts the child, lets it park, runs release(s), and checks it woke. */
static void woken_across(shm_t *s, int (*waiter)(void *),
			 void (*release)(shm_t *))
{
	pid_t pid = lkp_spawn(waiter, s);
	cr_assert(lkp_await(&s->started, 1));
	lkp_sleep_ms(100); /* its spin (microseconds) ends: it parks */
	release(s);
	cr_assert_eq(lkp_join_within(pid, 20000), 0,
		     "the waiter was not released (-2: still waiting at 20 s)");
	cr_assert_geq(atomic_load(&s->parks), 1, "the waiter never parked");
}

static int report(shm_t *s, bool ok)
{
	atomic_store(&s->parks, (int)lk__wait_stats().parks);
	return ok ? 0 : 1;
}

/* ---- mutex ---- */

static int mutex_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	bool ok = lk_mutex_timedlock(&s->mutex, LONG_NS);
	if (ok) {
		s->data++;
		lk_mutex_unlock(&s->mutex);
	}
	return report(s, ok);
}

static void mutex_release(shm_t *s)
{
	lk_mutex_unlock(&s->mutex);
}

Test(pshared, mutex)
{
	shm_t *s = shm_new();
	lk_mutex_init_shared(&s->mutex);
	lk_mutex_lock(&s->mutex);
	cr_assert(lk_mutex_is_locked(&s->mutex));
	woken_across(s, mutex_waiter, mutex_release);
	cr_assert_eq(s->data, 1);
	cr_assert_not(lk_mutex_is_locked(&s->mutex));
	cr_assert(lk_mutex_trylock(&s->mutex), "a shared mutex's trylock");
	cr_assert(lk_mutex_is_held_by_me(&s->mutex));
	lk_mutex_unlock(&s->mutex);
	const lk_mutex_t st = LK_MUTEX_INIT_SHARED;
	cr_assert_not(lk_mutex_is_locked(&st));
}

/* LK_DEBUG: a private mutex in shared memory, held by the parent: the
 * child's lock aborts with a message instead of parking for ever. */
static int private_locker(void *p)
{
	shm_t *s = (shm_t *)p;
	lk_mutex_lock(&s->mutex); /* aborts */
	return 0;
}

/* Runs fn(s) in a child whose stderr is captured: it must abort with a
 * message containing msg. */
static void child_aborts(int (*fn)(void *), shm_t *s, const char *msg)
{
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	fflush(stderr);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		alarm(20); /* a child that parks for ever dies of SIGALRM */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fn(s));
	}
	close(fd[1]);
	char buf[512] = {0};
	size_t n = 0;
	ssize_t k;
	while (n < sizeof buf - 1 &&
	       (k = read(fd[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)k;
	close(fd[0]);
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "did not abort");
	cr_assert(strstr(buf, msg), "message: %s", buf);
}

Test(pshared, debug_private_mutex_from_another_process)
{
	shm_t *s = shm_new();
	lk_mutex_init(&s->mutex);
	lk_mutex_lock(&s->mutex);
	child_aborts(private_locker, s, "held by another process");
	lk_mutex_unlock(&s->mutex);
}

/* ---- sem ---- */

static int sem_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	return report(s, lk_sem_timedwait(&s->sem, LONG_NS));
}

static void sem_release(shm_t *s)
{
	lk_sem_post(&s->sem);
}

Test(pshared, sem)
{
	shm_t *s = shm_new();
	lk_sem_init_shared(&s->sem, 0);
	woken_across(s, sem_waiter, sem_release);
	cr_assert_eq(lk_sem_value(&s->sem), 0, "the waiter took the permit");
	lk_sem_post(&s->sem);
	cr_assert(lk_sem_trywait(&s->sem));
	const lk_sem_t st = LK_SEM_INIT_SHARED(2);
	cr_assert_eq(lk_sem_value(&st), 2);
}

/* ---- barrier ---- */

static int barrier_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	int rc = lk_barrier_wait(&s->barrier);
	return report(s, rc == 0 || rc == LK_BARRIER_SERIAL_THREAD);
}

static void barrier_release(shm_t *s)
{
	int rc = lk_barrier_wait(&s->barrier);
	cr_assert(rc == 0 || rc == LK_BARRIER_SERIAL_THREAD);
}

Test(pshared, barrier)
{
	shm_t *s = shm_new();
	cr_assert_eq(lk_barrier_init_shared(&s->barrier, 0), EINVAL);
	cr_assert_eq(lk_barrier_init_shared(&s->barrier, 2), 0);
	for (int round = 0; round < 3; round++) { /* generations step on */
		atomic_store(&s->started, 0);
		atomic_store(&s->parks, 0);
		woken_across(s, barrier_waiter, barrier_release);
	}
	cr_assert_eq(lk_barrier_destroy(&s->barrier), 0);
	lk_barrier_t st = LK_BARRIER_INIT_SHARED(1);
	cr_assert_eq(lk_barrier_wait(&st), LK_BARRIER_SERIAL_THREAD);
}

/* ---- rwmutex: each wait of a rwmutex parks on its own word ---- */

enum { RW_WR, RW_RD, RW_UP };

static int rw_mode; /* set before fork: the child's copy */

static int rw_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	bool ok;
	switch (rw_mode) {
	case RW_WR:
		ok = lk_rwmutex_wrtimedlock(&s->rw, LONG_NS);
		if (ok)
			lk_rwmutex_wrunlock(&s->rw);
		break;
	case RW_RD:
		ok = lk_rwmutex_rdtimedlock(&s->rw, LONG_NS);
		if (ok)
			lk_rwmutex_rdunlock(&s->rw);
		break;
	default:
		ok = lk_rwmutex_uptimedlock(&s->rw, LONG_NS);
		if (ok)
			lk_rwmutex_upunlock(&s->rw);
	}
	return report(s, ok);
}

static void rw_wrunlock(shm_t *s)
{
	lk_rwmutex_wrunlock(&s->rw);
}

static void rw_rdunlock(shm_t *s)
{
	lk_rwmutex_rdunlock(&s->rw);
}

static void rw_upunlock(shm_t *s)
{
	lk_rwmutex_upunlock(&s->rw);
}

static void rw_case(int mode, void (*hold)(lk_rwmutex_t *),
		    void (*release)(shm_t *))
{
	shm_t *s = shm_new();
	lk_rwmutex_init_shared(&s->rw);
	hold(&s->rw);
	rw_mode = mode;
	woken_across(s, rw_waiter, release);
	cr_assert_not(lk_rwmutex_is_locked(&s->rw));
}

Test(pshared, rwmutex_writer_after_writer)
{
	rw_case(RW_WR, lk_rwmutex_wrlock, rw_wrunlock);
}

Test(pshared, rwmutex_reader_after_writer)
{
	rw_case(RW_RD, lk_rwmutex_wrlock, rw_wrunlock);
}

Test(pshared, rwmutex_writer_drains_reader)
{
	rw_case(RW_WR, lk_rwmutex_rdlock, rw_rdunlock);
}

Test(pshared, rwmutex_upgrader_after_upgrader)
{
	rw_case(RW_UP, lk_rwmutex_uplock, rw_upunlock);
}

Test(pshared, rwmutex_static_initializer)
{
	lk_rwmutex_t st = LK_RWMUTEX_INIT_SHARED;
	lk_rwmutex_wrlock(&st);
	cr_assert(lk_rwmutex_is_wrlocked(&st));
	lk_rwmutex_wrunlock(&st);
	lk_rwmutex_rdlock(&st);
	lk_rwmutex_rdunlock(&st);
	cr_assert_not(lk_rwmutex_is_locked(&st));
}

/* ---- exclusion across processes: a plain counter under the latch ---- */

#define XPROCS 3
#define XITERS 20000

static int mutex_bumper(void *p)
{
	shm_t *s = (shm_t *)p;
	for (int i = 0; i < XITERS; i++) {
		lk_mutex_lock(&s->mutex);
		s->data++;
		lk_mutex_unlock(&s->mutex);
	}
	return 0;
}

static int rw_bumper(void *p)
{
	shm_t *s = (shm_t *)p;
	for (int i = 0; i < XITERS; i++) {
		if (i % 4 == 3) {
			lk_rwmutex_rdlock(&s->rw);
			int v = s->data;
			lk_rwmutex_rdunlock(&s->rw);
			if (v < 0)
				return 1;
			continue;
		}
		lk_rwmutex_wrlock(&s->rw);
		s->data++;
		lk_rwmutex_wrunlock(&s->rw);
	}
	return 0;
}

static void exclusion(int (*fn)(void *), shm_t *s, int per_proc)
{
	pid_t pid[XPROCS];
	for (int i = 0; i < XPROCS; i++)
		pid[i] = lkp_spawn(fn, s);
	for (int i = 0; i < XPROCS; i++)
		cr_assert_eq(lkp_join_within(pid[i], 60000), 0);
	cr_assert_eq(s->data, XPROCS * per_proc, "lost updates: %d", s->data);
}

Test(pshared, mutex_exclusion)
{
	shm_t *s = shm_new();
	lk_mutex_init_shared(&s->mutex);
	exclusion(mutex_bumper, s, XITERS);
}

Test(pshared, rwmutex_exclusion)
{
	shm_t *s = shm_new();
	lk_rwmutex_init_shared(&s->rw);
	exclusion(rw_bumper, s, XITERS - XITERS / 4);
}

/* ---- event ---- */

static int event_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 30;
	atomic_store(&s->started, 1);
	return report(s, lk_event_timedwait_until(&s->event, &ts) == 0 &&
				 s->data == 7);
}

static void event_release(shm_t *s)
{
	s->data = 7;
	lk_event_set(&s->event);
}

Test(pshared, event)
{
	shm_t *s = shm_new();
	lk_event_init_shared(&s->event);
	cr_assert_not(lk_event_is_set(&s->event));
	woken_across(s, event_waiter, event_release);
	cr_assert(lk_event_is_set(&s->event));
	lk_event_wait(&s->event);
	const lk_event_t st = LK_EVENT_INIT_SHARED;
	cr_assert_not(lk_event_trywait(&st));
}

/* ---- once: the runner in one process, a waiter parked in another ---- */

static shm_t *once_shm; /* the same mapping in both processes */

static void once_fn(void)
{
	atomic_fetch_add(&once_shm->runs, 1);
	atomic_store(&once_shm->started, 2); /* running */
	lkp_sleep_ms(200);                   /* the other parks meanwhile */
	once_shm->data = 42;
}

static int once_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	while (atomic_load(&s->started) != 2) /* the parent runs fn */
		lkp_sleep_ms(1);
	lk_once(&s->once, once_fn);
	return report(s, s->data == 42 && lk_once_is_done(&s->once));
}

Test(pshared, once)
{
	shm_t *s = shm_new();
	once_shm = s;
	lk_once_init_shared(&s->once);
	pid_t pid = lkp_spawn(once_waiter, s);
	lk_once(&s->once, once_fn);
	cr_assert_eq(lkp_join_within(pid, 20000), 0,
		     "the waiter was not released (-2: still waiting at 20 s)");
	cr_assert_geq(atomic_load(&s->parks), 1, "the waiter never parked");
	cr_assert_eq(atomic_load(&s->runs), 1, "fn ran once in all");
	const lk_once_t st = LK_ONCE_INIT_SHARED;
	cr_assert_not(lk_once_is_done(&st));
}

/* ---- ticket: the head parks on gate.h's word, the next on `serving` ---- */

static int ticket_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	lk_ticket_lock(&s->ticket); /* no timed form: the join's cap is the cap */
	s->data++;
	lk_ticket_unlock(&s->ticket);
	return report(s, true);
}

static int ticket_waiter2(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started2, 1);
	lk_ticket_lock(&s->ticket);
	s->data++;
	lk_ticket_unlock(&s->ticket);
	atomic_store(&s->parks2, (int)lk__wait_stats().parks);
	return 0;
}

Test(pshared, ticket)
{
	shm_t *s = shm_new();
	lk_ticket_init_shared(&s->ticket);
	lk_ticket_lock(&s->ticket);
	pid_t head = lkp_spawn(ticket_waiter, s);
	cr_assert(lkp_await(&s->started, 1));
	lkp_sleep_ms(100); /* the head parks on the lock word */
	pid_t next = lkp_spawn(ticket_waiter2, s);
	cr_assert(lkp_await(&s->started2, 1));
	lkp_sleep_ms(100); /* the next ticket parks on serving */
	lk_ticket_unlock(&s->ticket);
	cr_assert_eq(lkp_join_within(head, 20000), 0,
		     "the head was not released (-2: still waiting at 20 s)");
	cr_assert_eq(lkp_join_within(next, 20000), 0,
		     "the next ticket was not released (-2: still waiting)");
	cr_assert_eq(s->data, 2);
	cr_assert_geq(atomic_load(&s->parks), 1, "the head never parked");
	cr_assert_geq(atomic_load(&s->parks2), 1, "the next never parked");
	cr_assert(lk_ticket_trylock(&s->ticket), "a shared ticket's trylock");
	cr_assert(lk_ticket_is_held_by_me(&s->ticket));
	lk_ticket_unlock(&s->ticket);
	cr_assert_not(lk_ticket_is_locked(&s->ticket));
	lk_ticket_t st = LK_TICKET_INIT_SHARED;
	cr_assert_not(lk_ticket_is_locked(&st));
	lk_ticket_lock(&st);
	cr_assert(lk_ticket_is_locked(&st));
	lk_ticket_unlock(&st);
	cr_assert_not(lk_ticket_is_locked(&st));
}

static int private_ticket_locker(void *p)
{
	lk_ticket_lock(&((shm_t *)p)->ticket); /* aborts */
	return 0;
}

Test(pshared, debug_private_ticket_from_another_process)
{
	shm_t *s = shm_new();
	lk_ticket_init(&s->ticket);
	lk_ticket_lock(&s->ticket);
	child_aborts(private_ticket_locker, s, "held by another process");
	lk_ticket_unlock(&s->ticket);
}

/* ---- pfrwlock: writers park in ticket.h, readers on rin, the drainer on
 * rout ---- */

enum { PF_WR, PF_RD };
static int pf_mode; /* set before fork */

static int pf_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	bool ok = true;
	if (pf_mode == PF_WR) { /* wrtimedlock polls: the parking wait */
		lk_pfrwlock_wrlock(&s->pf);
		s->data++;
		lk_pfrwlock_wrunlock(&s->pf);
	} else {
		ok = lk_pfrwlock_rdtimedlock(&s->pf, LONG_NS);
		if (ok)
			lk_pfrwlock_rdunlock(&s->pf);
	}
	return report(s, ok);
}

static void pf_wrunlock(shm_t *s)
{
	lk_pfrwlock_wrunlock(&s->pf);
}

static void pf_rdunlock(shm_t *s)
{
	lk_pfrwlock_rdunlock(&s->pf);
}

static void pf_case(int mode, void (*hold)(lk_pfrwlock_t *),
		    void (*release)(shm_t *))
{
	shm_t *s = shm_new();
	lk_pfrwlock_init_shared(&s->pf);
	hold(&s->pf);
	pf_mode = mode;
	woken_across(s, pf_waiter, release);
	cr_assert_not(lk_pfrwlock_is_locked(&s->pf));
}

Test(pshared, pfrwlock_writer_after_writer)
{
	pf_case(PF_WR, lk_pfrwlock_wrlock, pf_wrunlock);
}

Test(pshared, pfrwlock_reader_after_writer)
{
	pf_case(PF_RD, lk_pfrwlock_wrlock, pf_wrunlock);
}

Test(pshared, pfrwlock_writer_drains_reader)
{
	pf_case(PF_WR, lk_pfrwlock_rdlock, pf_rdunlock);
}

Test(pshared, pfrwlock_static_initializer)
{
	lk_pfrwlock_t st = LK_PFRWLOCK_INIT_SHARED;
	lk_pfrwlock_wrlock(&st);
	cr_assert(lk_pfrwlock_is_wrlocked(&st));
	lk_pfrwlock_wrunlock(&st);
	cr_assert(lk_pfrwlock_wrtrylock(&st));
	lk_pfrwlock_wrunlock(&st);
	lk_pfrwlock_rdlock(&st);
	lk_pfrwlock_rdunlock(&st);
	cr_assert_not(lk_pfrwlock_is_locked(&st));
}

static int private_pf_reader(void *p)
{
	lk_pfrwlock_rdlock(&((shm_t *)p)->pf); /* aborts */
	return 0;
}

Test(pshared, debug_private_pfrwlock_from_another_process)
{
	shm_t *s = shm_new();
	lk_pfrwlock_init(&s->pf);
	lk_pfrwlock_wrlock(&s->pf);
	child_aborts(private_pf_reader, s, "held by another process");
	lk_pfrwlock_wrunlock(&s->pf);
}

/* ---- rprwlock: readers and writers park on its one word ---- */

enum { RP_WR, RP_RD };
static int rp_mode; /* set before fork */

static int rp_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	bool ok;
	if (rp_mode == RP_WR) {
		ok = lk_rprwlock_wrtimedlock(&s->rp, LONG_NS);
		if (ok) {
			s->data++;
			lk_rprwlock_wrunlock(&s->rp);
		}
	} else {
		ok = lk_rprwlock_rdtimedlock(&s->rp, LONG_NS);
		if (ok)
			lk_rprwlock_rdunlock(&s->rp);
	}
	return report(s, ok);
}

static void rp_wrunlock(shm_t *s)
{
	lk_rprwlock_wrunlock(&s->rp);
}

static void rp_rdunlock(shm_t *s)
{
	lk_rprwlock_rdunlock(&s->rp);
}

static void rp_case(int mode, void (*hold)(lk_rprwlock_t *),
		    void (*release)(shm_t *))
{
	shm_t *s = shm_new();
	lk_rprwlock_init_shared(&s->rp);
	hold(&s->rp);
	rp_mode = mode;
	woken_across(s, rp_waiter, release);
	cr_assert_not(lk_rprwlock_is_locked(&s->rp));
	cr_assert_eq(atomic_load(&s->rp.word), LK__RPW_SHARED,
		     "a waiting bit left behind, or SHARED lost");
}

Test(pshared, rprwlock_writer_after_writer)
{
	rp_case(RP_WR, lk_rprwlock_wrlock, rp_wrunlock);
}

Test(pshared, rprwlock_reader_after_writer)
{
	rp_case(RP_RD, lk_rprwlock_wrlock, rp_wrunlock);
}

Test(pshared, rprwlock_writer_drains_reader)
{
	rp_case(RP_WR, lk_rprwlock_rdlock, rp_rdunlock);
}

Test(pshared, rprwlock_static_initializer)
{
	lk_rprwlock_t st = LK_RPRWLOCK_INIT_SHARED;
	lk_rprwlock_wrlock(&st);
	cr_assert(lk_rprwlock_is_wrlocked(&st));
	lk_rprwlock_wrunlock(&st);
	cr_assert(lk_rprwlock_wrtrylock(&st));
	lk_rprwlock_wrunlock(&st);
	lk_rprwlock_rdlock(&st);
	lk_rprwlock_rdunlock(&st);
	cr_assert_not(lk_rprwlock_is_locked(&st));
}

/* ---- seqlock: a writer parks on the writers' latch ---- */

static int seq_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	bool ok = lk_seqlock_write_timedlock(&s->seq, LONG_NS);
	if (ok) {
		s->data++;
		lk_seqlock_write_unlock(&s->seq);
	}
	return report(s, ok);
}

static void seq_release(shm_t *s)
{
	lk_seqlock_write_unlock(&s->seq);
}

Test(pshared, seqlock)
{
	shm_t *s = shm_new();
	lk_seqlock_init_shared(&s->seq);
	lk_seqlock_write_lock(&s->seq);
	cr_assert(lk_seqlock_is_locked(&s->seq));
	woken_across(s, seq_waiter, seq_release);
	cr_assert_eq(s->data, 1);
	cr_assert_not(lk_seqlock_is_locked(&s->seq));
	cr_assert_eq(lk_seqlock_read_begin(&s->seq), 4u, "two write sections");
	cr_assert(lk_seqlock_write_trylock(&s->seq), "a shared trylock");
	cr_assert(lk_seqlock_is_held_by_me(&s->seq));
	lk_seqlock_write_unlock(&s->seq);
	lk_seqlock_t st = LK_SEQLOCK_INIT_SHARED;
	cr_assert_not(lk_seqlock_is_locked(&st));
	cr_assert(lk_seqlock_write_timedlock(&st, 0));
	lk_seqlock_write_unlock(&st);
	cr_assert_not(lk_seqlock_is_locked(&st));
}

static int private_seq_writer(void *p)
{
	lk_seqlock_write_lock(&((shm_t *)p)->seq); /* aborts */
	return 0;
}

Test(pshared, debug_private_seqlock_from_another_process)
{
	shm_t *s = shm_new();
	lk_seqlock_init(&s->seq);
	lk_seqlock_write_lock(&s->seq);
	child_aborts(private_seq_writer, s, "held by another process");
	lk_seqlock_write_unlock(&s->seq);
}

/* ---- countdown latch: the step that opens it wakes the other process ---- */

static int latch_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	return report(s, lk_latch_timedwait(&s->latch, LONG_NS) &&
				 s->data == 9 && lk_latch_count(&s->latch) == 0);
}

static void latch_release(shm_t *s)
{
	cr_assert_eq(lk_latch_count_down(&s->latch, 1), 0);
	cr_assert_eq(lk_latch_count(&s->latch), 1);
	lkp_sleep_ms(20); /* a step that does not open wakes nobody */
	s->data = 9;
	cr_assert_eq(lk_latch_count_down(&s->latch, 1), 0);
}

Test(pshared, latch)
{
	shm_t *s = shm_new();
	cr_assert_eq(lk_latch_init_shared(&s->latch, LK_LATCH_MAX + 1u), EINVAL);
	cr_assert_eq(lk_latch_init_shared(&s->latch, 2), 0);
	cr_assert_eq(lk_latch_count(&s->latch), 2);
	cr_assert_not(lk_latch_try_wait(&s->latch));
	woken_across(s, latch_waiter, latch_release);
	cr_assert(lk_latch_try_wait(&s->latch));
	cr_assert_eq(lk_latch_count_down(&s->latch, 1), EINVAL);
	lk_latch_t st = LK_LATCH_INIT_SHARED(3);
	cr_assert_eq(lk_latch_count(&st), 3);
	cr_assert_eq(lk_latch_count_down(&st, 4), EINVAL);
	cr_assert_eq(lk_latch_count_down(&st, 3), 0);
	cr_assert(lk_latch_try_wait(&st));
	lk_latch_t zero = LK_LATCH_INIT_SHARED(0);
	cr_assert(lk_latch_try_wait(&zero));
	cr_assert_eq(lk_latch_init_shared(&zero, LK_LATCH_MAX), 0);
	cr_assert_eq(lk_latch_count(&zero), LK_LATCH_MAX);
	cr_assert_eq(lk_latch_count_down(&zero, LK_LATCH_MAX), 0);
	cr_assert(lk_latch_try_wait(&zero));
}

/* ---- exclusion across processes for the new shared forms ---- */

static int ticket_bumper(void *p)
{
	shm_t *s = (shm_t *)p;
	for (int i = 0; i < XITERS; i++) {
		lk_ticket_lock(&s->ticket);
		s->data++;
		lk_ticket_unlock(&s->ticket);
	}
	return 0;
}

static int pf_bumper(void *p)
{
	shm_t *s = (shm_t *)p;
	for (int i = 0; i < XITERS; i++) {
		if (i % 4 == 3) {
			lk_pfrwlock_rdlock(&s->pf);
			int v = s->data;
			lk_pfrwlock_rdunlock(&s->pf);
			if (v < 0)
				return 1;
			continue;
		}
		lk_pfrwlock_wrlock(&s->pf);
		s->data++;
		lk_pfrwlock_wrunlock(&s->pf);
	}
	return 0;
}

static int rp_bumper(void *p)
{
	shm_t *s = (shm_t *)p;
	for (int i = 0; i < XITERS; i++) {
		if (i % 4 == 3) {
			lk_rprwlock_rdlock(&s->rp);
			int v = s->data;
			lk_rprwlock_rdunlock(&s->rp);
			if (v < 0)
				return 1;
			continue;
		}
		lk_rprwlock_wrlock(&s->rp);
		s->data++;
		lk_rprwlock_wrunlock(&s->rp);
	}
	return 0;
}

static int seq_bumper(void *p)
{
	shm_t *s = (shm_t *)p;
	for (int i = 0; i < XITERS; i++) {
		lk_seqlock_write_lock(&s->seq);
		s->data++;
		lk_seqlock_write_unlock(&s->seq);
	}
	return 0;
}

Test(pshared, ticket_exclusion)
{
	shm_t *s = shm_new();
	lk_ticket_init_shared(&s->ticket);
	exclusion(ticket_bumper, s, XITERS);
}

Test(pshared, pfrwlock_exclusion)
{
	shm_t *s = shm_new();
	lk_pfrwlock_init_shared(&s->pf);
	exclusion(pf_bumper, s, XITERS - XITERS / 4);
}

Test(pshared, rprwlock_exclusion)
{
	shm_t *s = shm_new();
	lk_rprwlock_init_shared(&s->rp);
	exclusion(rp_bumper, s, XITERS - XITERS / 4);
}

Test(pshared, seqlock_exclusion)
{
	shm_t *s = shm_new();
	lk_seqlock_init_shared(&s->seq);
	exclusion(seq_bumper, s, XITERS);
	cr_assert_eq(lk_seqlock_read_begin(&s->seq), 2u * XPROCS * XITERS);
}
