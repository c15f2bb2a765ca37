/* Robust mutex (robust.h): a waiter already parked when the owner is
 * SIGKILLed finds the death at its next liveness poll (every
 * LK_ROBUST_POLL_NS, 10 ms by default) and takes the lock with
 * EOWNERDEAD; waiters parked behind it then get it in turn. */
#include <latchkit/robust.h>

#include <errno.h>

#include "pshared.h"

#define WAITERS 3

typedef struct {
	lk_robust_t m;
	atomic_int state;   /* 1: the holder holds it */
	atomic_int started; /* waiters that have begun to wait */
	atomic_int dead;    /* waiters that got EOWNERDEAD */
	int data;
} shm_t;

static int hold_forever(void *p)
{
	shm_t *s = (shm_t *)p;
	if (lk_robust_lock(&s->m) != 0)
		return 1;
	atomic_store(&s->state, 1);
	for (;;)
		pause();
}

static int waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_fetch_add(&s->started, 1);
	int rc = lk_robust_timedlock(&s->m, 30000000000u);
	if (rc == EOWNERDEAD) {
		atomic_fetch_add(&s->dead, 1);
		s->data = 0; /* repair */
		if (lk_robust_consistent(&s->m) != 0)
			return 3;
	} else if (rc != 0) {
		return 10 + rc % 100;
	}
	s->data++;
	return lk_robust_unlock(&s->m) == 0 ? 0 : 2;
}

Test(robust_poll, parked_waiters_find_the_dead_owner)
{
	shm_t *s = (shm_t *)lkp_shared(sizeof *s);
	lk_robust_init(&s->m);
	pid_t h = lkp_spawn(hold_forever, s);
	cr_assert(lkp_await(&s->state, 1));
	pid_t w[WAITERS];
	for (int i = 0; i < WAITERS; i++)
		w[i] = lkp_spawn(waiter, s);
	cr_assert(lkp_await(&s->started, WAITERS));
	lkp_sleep_ms(50); /* they park */
	cr_assert_eq(kill(h, SIGKILL), 0);
	cr_assert_eq(lkp_join(h), -1);
	for (int i = 0; i < WAITERS; i++)
		cr_assert_eq(lkp_join(w[i]), 0, "waiter %d", i);
	cr_assert_eq(atomic_load(&s->dead), 1, "exactly one took it from the dead");
	cr_assert_eq(s->data, WAITERS);
	cr_assert_not(lk_robust_is_locked(&s->m));
}

/* The holder dies while it repairs (EOWNERDEAD, no consistent): the next
 * locker is told again. */
static int take_dead_and_die(void *p)
{
	shm_t *s = (shm_t *)p;
	if (lk_robust_lock(&s->m) != EOWNERDEAD)
		return 1;
	atomic_store(&s->state, 2);
	for (;;)
		pause();
}

Test(robust_poll, dies_while_repairing)
{
	shm_t *s = (shm_t *)lkp_shared(sizeof *s);
	lk_robust_init(&s->m);
	pid_t h = lkp_spawn(hold_forever, s);
	cr_assert(lkp_await(&s->state, 1));
	cr_assert_eq(kill(h, SIGKILL), 0);
	cr_assert_eq(lkp_join(h), -1);
	h = lkp_spawn(take_dead_and_die, s);
	cr_assert(lkp_await(&s->state, 2));
	cr_assert_eq(kill(h, SIGKILL), 0);
	cr_assert_eq(lkp_join(h), -1);
	cr_assert_eq(lk_robust_lock(&s->m), EOWNERDEAD);
	cr_assert_eq(lk_robust_consistent(&s->m), 0);
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
}
