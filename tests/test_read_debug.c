/* LK_DEBUG misuse checks of seqlock, optlock, leftright, sem, reentrant. */
#define LK_DEBUG 1
#include <latchkit/leftright.h>
#include <latchkit/optlock.h>
#include <latchkit/reentrant.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>

#include "harness.h"

#include <signal.h>

static void run_in_other_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, fn, arg), 0);
	pthread_join(t, NULL);
}

/* ---- correct use does not trip the checks --------------------------------- */

static void apply_nop(void *inst, void *arg)
{
	(void)inst;
	(void)arg;
}

Test(read_debug, correct_use_passes)
{
	static lk_seqlock_t s = LK_SEQLOCK_INIT;
	lk_seqlock_write_lock(&s);
	lk_seqlock_write_unlock(&s);
	static lk_seqcount_t sc = LK_SEQCOUNT_INIT;
	lk_seqcount_write_begin(&sc);
	lk_seqcount_write_end(&sc);
	static lk_optlock_t o = LK_OPTLOCK_INIT;
	lk_optlock_lock(&o);
	lk_optlock_unlock(&o);
	uint64_t v;
	cr_assert(lk_optlock_read_begin(&o, &v));
	cr_assert(lk_optlock_upgrade(&o, v));
	lk_optlock_unlock_obsolete(&o);
	static lk_rmutex_t r = LK_RMUTEX_INIT;
	lk_rmutex_lock(&r);
	lk_rmutex_lock(&r);
	lk_rmutex_unlock(&r);
	lk_rmutex_unlock(&r);
	static lk_sem_t sem = LK_SEM_INIT(0);
	lk_sem_post(&sem);
	lk_sem_wait(&sem);
	static lk_leftright_t lr;
	int a = 0, b = 0;
	lk_leftright_init(&lr, &a, &b);
	unsigned tok;
	lk_leftright_read_begin(&lr, &tok);
	lk_leftright_read_end(&lr, tok);
	lk_leftright_write(&lr, apply_nop, NULL);
}

/* ---- seqlock ------------------------------------------------------------- */

Test(read_debug, seqlock_unlock_of_free, .signal = SIGABRT)
{
	static lk_seqlock_t s = LK_SEQLOCK_INIT;
	lk_seqlock_write_unlock(&s);
}

static void *seqlock_unlock_thread(void *p)
{
	lk_seqlock_write_unlock((lk_seqlock_t *)p);
	return NULL;
}

Test(read_debug, seqlock_unlock_by_non_owner, .signal = SIGABRT)
{
	static lk_seqlock_t s = LK_SEQLOCK_INIT;
	lk_seqlock_write_lock(&s);
	run_in_other_thread(seqlock_unlock_thread, &s);
}

Test(read_debug, seqlock_relock_by_owner, .signal = SIGABRT)
{
	static lk_seqlock_t s = LK_SEQLOCK_INIT;
	lk_seqlock_write_lock(&s);
	lk_seqlock_write_lock(&s);
}

Test(read_debug, seqcount_end_without_begin, .signal = SIGABRT)
{
	static lk_seqcount_t sc = LK_SEQCOUNT_INIT;
	lk_seqcount_write_end(&sc);
}

Test(read_debug, seqcount_nested_begin, .signal = SIGABRT)
{
	static lk_seqcount_t sc = LK_SEQCOUNT_INIT;
	lk_seqcount_write_begin(&sc);
	lk_seqcount_write_begin(&sc);
}

/* ---- optlock ------------------------------------------------------------- */

Test(read_debug, optlock_unlock_of_free, .signal = SIGABRT)
{
	static lk_optlock_t o = LK_OPTLOCK_INIT;
	lk_optlock_unlock(&o);
}

Test(read_debug, optlock_unlock_obsolete_of_free, .signal = SIGABRT)
{
	static lk_optlock_t o = LK_OPTLOCK_INIT;
	lk_optlock_unlock_obsolete(&o);
}

static void *optlock_unlock_thread(void *p)
{
	lk_optlock_unlock((lk_optlock_t *)p);
	return NULL;
}

Test(read_debug, optlock_unlock_by_non_owner, .signal = SIGABRT)
{
	static lk_optlock_t o = LK_OPTLOCK_INIT;
	lk_optlock_lock(&o);
	run_in_other_thread(optlock_unlock_thread, &o);
}

Test(read_debug, optlock_relock_by_owner, .signal = SIGABRT)
{
	static lk_optlock_t o = LK_OPTLOCK_INIT;
	uint64_t v;
	cr_assert(lk_optlock_read_begin(&o, &v));
	cr_assert(lk_optlock_upgrade(&o, v));
	lk_optlock_lock(&o);
}

/* ---- reentrant ----------------------------------------------------------- */

Test(read_debug, rmutex_unlock_of_free, .signal = SIGABRT)
{
	static lk_rmutex_t r = LK_RMUTEX_INIT;
	lk_rmutex_unlock(&r);
}

Test(read_debug, rttas_unlock_one_too_many, .signal = SIGABRT)
{
	static lk_rttas_t r = LK_RTTAS_INIT;
	lk_rttas_lock(&r);
	lk_rttas_lock(&r);
	lk_rttas_unlock(&r);
	lk_rttas_unlock(&r);
	lk_rttas_unlock(&r);
}

static void *rmutex_unlock_thread(void *p)
{
	lk_rmutex_unlock((lk_rmutex_t *)p);
	return NULL;
}

Test(read_debug, rmutex_unlock_by_non_owner, .signal = SIGABRT)
{
	static lk_rmutex_t r = LK_RMUTEX_INIT;
	lk_rmutex_lock(&r);
	lk_rmutex_lock(&r);
	run_in_other_thread(rmutex_unlock_thread, &r);
}

/* ---- leftright, sem ------------------------------------------------------- */

Test(read_debug, leftright_end_without_begin, .signal = SIGABRT)
{
	static lk_leftright_t lr;
	int a = 0, b = 0;
	lk_leftright_init(&lr, &a, &b);
	lk_leftright_read_end(&lr, 0);
}

Test(read_debug, sem_post_overflow, .signal = SIGABRT)
{
	static lk_sem_t s;
	lk_sem_init(&s, UINT32_MAX);
	lk_sem_post(&s);
}
