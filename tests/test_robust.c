/* Robust mutex (robust.h) across processes: an owner SIGKILLed while it
 * holds the lock, EOWNERDEAD, consistent(), the not-recoverable path, a
 * parked waiter woken by an unlock in another process, and bad input.
 * The poll period is made long here, so that a waiter that returns early
 * was woken by the futex, not by its own liveness poll (test_robust_poll.c
 * covers the poll). */
#define LK_ROBUST_POLL_NS 60000000000u /* 60 s */
#define LK_DEBUG 1                     /* lk__wait_stats(): parks */
#include <latchkit/robust.h>

#include <errno.h>
#include <stdint.h>

#include "pshared.h"

typedef struct {
	lk_robust_t m;
	atomic_int state; /* 1: the child holds it */
	atomic_int parks; /* a waiter's park count */
	int data;         /* guarded */
} shm_t;

static int hold_forever(void *p)
{
	shm_t *s = (shm_t *)p;
	if (lk_robust_lock(&s->m) != 0)
		return 1;
	s->data = -1; /* half-done update, never finished */
	atomic_store(&s->state, 1);
	for (;;)
		pause();
}

static pid_t killed_holder(shm_t *s, bool reap)
{
	pid_t pid = lkp_spawn(hold_forever, s);
	cr_assert(lkp_await(&s->state, 1), "the child never took the lock");
	cr_assert(lk_robust_is_locked(&s->m));
	cr_assert_not(lk_robust_is_held_by_me(&s->m));
	cr_assert_eq(lk_robust_trylock(&s->m), EBUSY);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	if (reap)
		cr_assert_eq(lkp_join(pid), -1);
	return pid;
}

Test(robust, uncontended)
{
	lk_robust_t m = LK_ROBUST_INIT;
	cr_assert_not(lk_robust_is_locked(&m));
	cr_assert_eq(lk_robust_lock(&m), 0);
	cr_assert(lk_robust_is_locked(&m));
	cr_assert(lk_robust_is_held_by_me(&m));
	cr_assert_eq(lk_robust_trylock(&m), EBUSY);
	cr_assert_eq(lk_robust_unlock(&m), 0);
	cr_assert_eq(lk_robust_trylock(&m), 0);
	cr_assert_eq(lk_robust_unlock(&m), 0);
	cr_assert_eq(lk_robust_timedlock(&m, 1000000), 0);
	cr_assert_eq(lk_robust_unlock(&m), 0);
	cr_assert_not(lk_robust_is_locked(&m));
}

Test(robust, bad_input)
{
	lk_robust_t m;
	lk_robust_init(&m);
	cr_assert_eq(lk_robust_unlock(&m), EPERM, "unlock of a free lock");
	cr_assert_eq(lk_robust_consistent(&m), EINVAL, "free: not owner-dead");
	cr_assert_eq(lk_robust_lock(&m), 0);
	cr_assert_eq(lk_robust_lock(&m), EDEADLK, "re-lock by the owner");
	cr_assert_eq(lk_robust_timedlock(&m, 1000), EDEADLK);
	cr_assert_eq(lk_robust_consistent(&m), EINVAL, "held, consistent");
	cr_assert(lk_robust_is_held_by_me(&m), "refusals changed nothing");
	cr_assert_eq(lk_robust_unlock(&m), 0);
	cr_assert_not(lk_robust_is_locked(&m));
}

static int unlock_other(void *p)
{
	shm_t *s = (shm_t *)p;
	return lk_robust_unlock(&s->m) == EPERM &&
			       lk_robust_consistent(&s->m) == EINVAL &&
			       lk_robust_trylock(&s->m) == EBUSY &&
			       lk_robust_timedlock(&s->m, 2000000) == ETIMEDOUT
		       ? 0
		       : 1;
}

Test(robust, other_process_cannot_unlock)
{
	shm_t *s = (shm_t *)lkp_shared(sizeof *s);
	lk_robust_init(&s->m);
	cr_assert_eq(lk_robust_lock(&s->m), 0);
	cr_assert_eq(lkp_join(lkp_spawn(unlock_other, s)), 0);
	cr_assert(lk_robust_is_held_by_me(&s->m));
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
}

Test(robust, owner_killed_then_consistent)
{
	shm_t *s = (shm_t *)lkp_shared(sizeof *s);
	lk_robust_init(&s->m);
	pid_t pid = killed_holder(s, false);
	/* Not reaped yet: a zombie is dead too. Wait until it is one. */
	for (int i = 0; i < 1000 && lk_robust_trylock(&s->m) == EBUSY; i++)
		lkp_sleep_ms(1);
	cr_assert(lk_robust_is_held_by_me(&s->m), "took it from the zombie");
	cr_assert_eq(lk_robust_unlock(&s->m), 0); /* not consistent: */
	cr_assert_eq(lk_robust_lock(&s->m), ENOTRECOVERABLE);
	cr_assert_eq(lkp_join(pid), -1);
	lk_robust_init(&s->m); /* a fresh one, a second death */
	atomic_store(&s->state, 0);
	killed_holder(s, true);
	cr_assert_eq(s->data, -1);
	cr_assert_eq(lk_robust_lock(&s->m), EOWNERDEAD);
	cr_assert(lk_robust_is_held_by_me(&s->m));
	s->data = 0; /* the repair */
	cr_assert_eq(lk_robust_consistent(&s->m), 0);
	cr_assert_eq(lk_robust_consistent(&s->m), EINVAL, "only once");
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
	cr_assert_eq(lk_robust_lock(&s->m), 0, "usable again");
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
	cr_assert_eq(lk_robust_timedlock(&s->m, 1000000), 0);
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
}

Test(robust, not_recoverable)
{
	shm_t *s = (shm_t *)lkp_shared(sizeof *s);
	lk_robust_init(&s->m);
	killed_holder(s, true);
	cr_assert_eq(lk_robust_timedlock(&s->m, 1000000000), EOWNERDEAD);
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
	cr_assert_not(lk_robust_is_locked(&s->m));
	cr_assert_eq(lk_robust_lock(&s->m), ENOTRECOVERABLE);
	cr_assert_eq(lk_robust_trylock(&s->m), ENOTRECOVERABLE);
	cr_assert_eq(lk_robust_timedlock(&s->m, 1000), ENOTRECOVERABLE);
	cr_assert_eq(lk_robust_unlock(&s->m), EPERM);
	cr_assert_eq(lk_robust_consistent(&s->m), EINVAL);
	lk_robust_init(&s->m);
	cr_assert_eq(lk_robust_lock(&s->m), 0, "init makes it usable");
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
}

/* A waiter in another process parks; the holder's unlock wakes it. */
static int park_then_take(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->state, 2);
	int rc = lk_robust_timedlock(&s->m, 30000000000u); /* 30 s */
	atomic_store(&s->parks, (int)lk__wait_stats().parks);
	if (rc != 0)
		return 10 + rc % 100;
	s->data++;
	return lk_robust_unlock(&s->m) == 0 ? 0 : 2;
}

Test(robust, parked_waiter_woken_across_processes)
{
	shm_t *s = (shm_t *)lkp_shared(sizeof *s);
	lk_robust_init(&s->m);
	cr_assert_eq(lk_robust_lock(&s->m), 0);
	pid_t pid = lkp_spawn(park_then_take, s);
	cr_assert(lkp_await(&s->state, 2));
	lkp_sleep_ms(100); /* its spin (microseconds) ends: it parks */
	uint64_t t0 = lkt_now_ns_();
	cr_assert_eq(lk_robust_unlock(&s->m), 0);
	cr_assert_eq(lkp_join(pid), 0, "the waiter did not take the lock");
	/* Its poll is 60 s: back well before, so the unlock's wake woke it. */
	cr_assert_lt(lkt_now_ns_() - t0, 20000000000u);
	cr_assert_geq(atomic_load(&s->parks), 1, "the waiter never parked");
	cr_assert_eq(s->data, 1);
	/* And the pair the other way round, with a not-recoverable wake. */
	atomic_store(&s->state, 0);
	atomic_store(&s->parks, 0);
	killed_holder(s, true);
	cr_assert_eq(lk_robust_lock(&s->m), EOWNERDEAD);
	pid = lkp_spawn(park_then_take, s);
	cr_assert(lkp_await(&s->state, 2));
	lkp_sleep_ms(100);
	cr_assert_eq(lk_robust_unlock(&s->m), 0); /* not consistent */
	cr_assert_eq(lkp_join(pid), 10 + ENOTRECOVERABLE % 100,
		     "a parked waiter learns ENOTRECOVERABLE");
	cr_assert_geq(atomic_load(&s->parks), 1);
}
