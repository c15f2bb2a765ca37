/*
 * consumer.c: a program as a user of an installed latchkit writes it. It
 * includes every public header through <latchkit/...> and uses each a
 * little: every latch is locked and unlocked once (its try form too), the
 * semaphore, seqlock, optimistic latch, Left-Right, once, barrier, event
 * and latch go through one round,
 * and a lock manager locks one row. run.sh builds it, from the installed
 * tree and pkg-config only, as C and as C++, against the static and the
 * shared library, and runs it; CMakeLists.txt builds it with
 * find_package(latchkit). Valid C11 and C++17: no designated initializers
 * or compound literals. Exits 0 when every step did what it should. The
 * condition variable: signal and broadcast with no waiter, timed waits.
 *
 * CONSUMER_HEADERS_ONLY leaves the lock manager's calls out (its header is
 * still included): the program then needs no library (latchkit::headers).
 */
#include <latchkit/barrier.h>
#include <latchkit/base.h>
/* internal: base.h's parts, one concern each (base.h includes them) */
#include <latchkit/base_cpu.h>
#include <latchkit/base_debug.h>
#include <latchkit/base_futex.h>
#include <latchkit/base_lang.h>
#include <latchkit/base_park.h>
#include <latchkit/base_sys.h>
#include <latchkit/base_time.h>
#include <latchkit/base_tsan.h>
#include <latchkit/base_wait.h>
#include <latchkit/brlock.h>
#include <latchkit/clh.h>
#include <latchkit/event.h>
#include <latchkit/cond.h>
#include <latchkit/gate.h> /* internal: ticket, MCS and CLH use it */
#include <latchkit/leftright.h>
#include <latchkit/lockmgr.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/once.h>
#include <latchkit/optlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/reentrant.h>
#include <latchkit/robust.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>
#include <latchkit/version.h>
/* Installed only where liblatchkit-dlm is built (dlm/dlm.mk); its programs
 * link -llatchkit-dlm, which dist/test-install.sh builds one against: here
 * the header alone, for the languages and standards below. */
#if defined(__has_include)
#if __has_include(<latchkit/dlm.h>)
#include <latchkit/dlm.h>
#define CONSUMER_HAVE_DLM 1
#endif
#endif

#include <stdio.h>

static int failures;
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "consumer: %s:%d: %s\n", __FILE__,     \
				__LINE__, #cond);                              \
			failures++;                                            \
		}                                                              \
	} while (0)

/* A mutual-exclusion latch: lock, unlock, trylock, unlock. */
#define MUTEX_ROUND(name, l)                                                   \
	do {                                                                   \
		lk_##name##_lock(l);                                           \
		lk_##name##_unlock(l);                                         \
		CHECK(lk_##name##_trylock(l));                                 \
		lk_##name##_unlock(l);                                         \
	} while (0)

/* A reader-writer latch: both sides once, and the try forms. */
#define RW_ROUND(name, l)                                                      \
	do {                                                                   \
		lk_##name##_rdlock(l);                                         \
		lk_##name##_rdunlock(l);                                       \
		lk_##name##_wrlock(l);                                         \
		lk_##name##_wrunlock(l);                                       \
		CHECK(lk_##name##_rdtrylock(l));                               \
		lk_##name##_rdunlock(l);                                       \
		CHECK(lk_##name##_wrtrylock(l));                               \
		lk_##name##_wrunlock(l);                                       \
	} while (0)

static lk_tas_t tas = LK_TAS_INIT;
static lk_ttas_t ttas = LK_TTAS_INIT;
static lk_ticket_t ticket = LK_TICKET_INIT;
static lk_mcs_t mcs = LK_MCS_INIT;
static lk_clh_t clh = LK_CLH_INIT;
static lk_mutex_t mutex = LK_MUTEX_INIT;
static lk_robust_t robust = LK_ROBUST_INIT;
static lk_rmutex_t rmutex = LK_RMUTEX_INIT;
static lk_rwlock_t rwlock = LK_RWLOCK_INIT;
static lk_pfrwlock_t pfrwlock = LK_PFRWLOCK_INIT;
static lk_rprwlock_t rprwlock = LK_RPRWLOCK_INIT;
static lk_brlock_t brlock = LK_BRLOCK_INIT;
static lk_rwmutex_t rwmutex = LK_RWMUTEX_INIT;
static lk_sem_t sem = LK_SEM_INIT(1);
static lk_cond_t cond = LK_COND_INIT;
static lk_seqlock_t seqlock = LK_SEQLOCK_INIT;
static lk_optlock_t optlock = LK_OPTLOCK_INIT;
static LK_ATOMIC(uint64_t) shared[2];
static int left, right;
static lk_once_t once = LK_ONCE_INIT;
static lk_barrier_t barrier = LK_BARRIER_INIT(1);
static lk_event_t event = LK_EVENT_INIT;
static lk_latch_t latch = LK_LATCH_INIT(2);
static int once_runs;

static void count_once(void)
{
	once_runs++;
}

static void set_int(void *instance, void *arg)
{
	*(int *)instance = *(int *)arg;
}

static void latches(void)
{
	lk_ticket_lock(&ticket);
	CHECK(lk_ticket_is_locked(&ticket));
	lk_ticket_unlock(&ticket);

	MUTEX_ROUND(tas, &tas);
	MUTEX_ROUND(ttas, &ttas);
	MUTEX_ROUND(ticket, &ticket);
	MUTEX_ROUND(mcs, &mcs);
	MUTEX_ROUND(clh, &clh);
	MUTEX_ROUND(mutex, &mutex);
	CHECK(lk_mutex_timedlock(&mutex, 1000000));
	lk_mutex_unlock(&mutex);

	CHECK(lk_robust_lock(&robust) == 0);
	CHECK(lk_robust_trylock(&robust) == EBUSY);
	CHECK(lk_robust_is_held_by_me(&robust));
	CHECK(lk_robust_consistent(&robust) == EINVAL);
	CHECK(lk_robust_unlock(&robust) == 0);
	CHECK(lk_robust_timedlock(&robust, 1000000) == 0);
	CHECK(lk_robust_unlock(&robust) == 0);

	lk_rmutex_lock(&rmutex);
	lk_rmutex_lock(&rmutex);
	CHECK(lk_rmutex_depth(&rmutex) == 2);
	lk_rmutex_unlock(&rmutex);
	lk_rmutex_unlock(&rmutex);

	RW_ROUND(rwlock, &rwlock);
	RW_ROUND(pfrwlock, &pfrwlock);
	RW_ROUND(rprwlock, &rprwlock);
	RW_ROUND(brlock, &brlock);
	RW_ROUND(rwmutex, &rwmutex);
	lk_rwmutex_uplock(&rwmutex);
	lk_rwmutex_upgrade(&rwmutex);
	lk_rwmutex_wrunlock(&rwmutex);

	lk_sem_wait(&sem);
	CHECK(!lk_sem_trywait(&sem));
	lk_sem_post(&sem);
	CHECK(lk_sem_value(&sem) == 1);

	/* no waiter: signal and broadcast do nothing; a timed wait times out
	 * and holds the mutex again; a bad deadline changes nothing */
	lk_cond_signal(&cond);
	lk_cond_broadcast(&cond);
	lk_mutex_lock(&mutex);
	CHECK(!lk_cond_timedwait(&cond, &mutex, 1000));
	struct timespec bad;
	bad.tv_sec = 0;
	bad.tv_nsec = 1000000000L;
	CHECK(lk_cond_timedwait_until(&cond, &mutex, &bad) == EINVAL);
	CHECK(lk_mutex_is_locked(&mutex));
	lk_mutex_unlock(&mutex);
	CHECK(lk_cond_waiters(&cond) == 0);

	uint64_t in[2] = {1, 2}, out[2] = {0, 0};
	lk_seqlock_write_copy(&seqlock, shared, in, 2);
	lk_seqlock_read_copy(&seqlock, out, shared, 2);
	CHECK(out[0] == 1 && out[1] == 2);

	uint64_t v;
	CHECK(lk_optlock_read_begin(&optlock, &v));
	CHECK(lk_optlock_validate(&optlock, v));
	CHECK(lk_optlock_upgrade(&optlock, v));
	lk_optlock_unlock(&optlock);
	CHECK(!lk_optlock_validate(&optlock, v));

	static lk_leftright_t lr;
	lk_leftright_init(&lr, &left, &right);
	int seven = 7;
	lk_leftright_write(&lr, set_int, &seven);
	unsigned token;
	const int *p = (const int *)lk_leftright_read_begin(&lr, &token);
	CHECK(*p == 7 && left == 7 && right == 7);
	lk_leftright_read_end(&lr, token);

	lk_once(&once, count_once);
	lk_once(&once, count_once);
	CHECK(once_runs == 1 && lk_once_is_done(&once));
	CHECK(lk_barrier_wait(&barrier) == LK_BARRIER_SERIAL_THREAD);
	CHECK(lk_barrier_destroy(&barrier) == 0);
	struct timespec past;
	past.tv_sec = 0;
	past.tv_nsec = 0;
	CHECK(lk_event_timedwait_until(&event, &past) == ETIMEDOUT);
	CHECK(!lk_event_timedwait(&event, 0));
	lk_event_set(&event);
	lk_event_wait(&event);
	CHECK(lk_event_trywait(&event));
	CHECK(lk_latch_count_down(&latch, 2) == 0);
	lk_latch_wait(&latch);
	CHECK(lk_latch_timedwait_until(&latch, &past) == 0);
	CHECK(lk_latch_timedwait(&latch, 0));
}

#ifndef CONSUMER_HEADERS_ONLY
static void lock_table(void)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	lk_lockmgr_t *m = NULL;
	CHECK(lk_lockmgr_create(&cfg, &m) == LK_OK);
	if (m == NULL)
		return;
	lk_txn_t *t = NULL;
	CHECK(lk_txn_begin(m, &t) == LK_OK);
	lk_res_t row = lk_res_row(1, 2, 3, 4);
	CHECK(lk_lock(t, &row, LK_X, 0, 0) == LK_OK);
	CHECK(lk_held_mode(t, &row) == LK_X);
	CHECK(lk_txn_commit(t) == LK_OK);
	lk_lockmgr_destroy(m);
}
#endif

int main(void)
{
#ifdef CONSUMER_HAVE_DLM
	lk_dlm_config_t dlm_cfg = LK_DLM_CONFIG_INIT;
	CHECK(dlm_cfg.hosts == NULL && dlm_cfg.table == LK_DLM_TABLE_DEFAULT && LK_DLM_OK == 0);
#endif
	latches();
#ifndef CONSUMER_HEADERS_ONLY
	lock_table();
#endif
	if (failures)
		return 1;
	printf("latchkit %s (%d): every header used, ok\n",
	       LATCHKIT_VERSION_STRING, LATCHKIT_VERSION);
	return 0;
}
