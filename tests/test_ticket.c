#include <latchkit/ticket.h>
#include "mutex_suite.h"

/* Changes when a thread takes a ticket. */
static uint32_t ticket_token(lk_ticket_t *l)
{
	return atomic_load(lk_ticket_next_(l));
}

LKT_MUTEX_SUITE(ticket, lk_ticket_t, LK_TICKET_INIT, lk_ticket_init,
		lk_ticket_lock, lk_ticket_trylock, lk_ticket_unlock)
LKT_MUTEX_SUITE_FIFO(ticket, lk_ticket_t, LK_TICKET_INIT, lk_ticket_init,
		     lk_ticket_lock, lk_ticket_unlock, ticket_token)

Test(ticket, size)
{
	cr_assert_eq(sizeof(lk_ticket_t), 8);
}

/* The counters wrap: start them near UINT32_MAX. */
Test(ticket, counters_wrap)
{
	lk_ticket_t l;
	atomic_init(lk_ticket_next_(&l), UINT32_MAX - 5); /* tickets step by 2 */
	atomic_init(lk_ticket_owner_(&l), UINT32_MAX - 5);
	for (int i = 0; i < 6; i++) {
		lk_ticket_lock(&l);
		lk_ticket_unlock(&l);
	}
	cr_assert_eq(atomic_load(lk_ticket_next_(&l)), 6u);
	cr_assert(lk_ticket_trylock(&l));
	lk_ticket_unlock(&l);
}

/* 8 waiters on 2 cores sleep rather than take the CPU from the holder: a
 * run that parks many times must still count exactly and leave the PARKED
 * bit clear. */
static int parked_count;

static void *lock_fn(void *p)
{
	lk_ticket_lock((lk_ticket_t *)p);
	parked_count++;
	lk_ticket_unlock((lk_ticket_t *)p);
	return NULL;
}

Test(ticket, parked_waiters_are_woken)
{
	lk_ticket_t l = LK_TICKET_INIT;
	lk_ticket_lock(&l);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, lock_fn, &l), 0);
	/* wait until all four have queued and at least one sleeps */
	uint64_t t0 = lkt_now_ns();
	while (atomic_load(lk_ticket_next_(&l)) != 10u ||
	       !(atomic_load(lk_ticket_owner_(&l)) & LK_TICKET_PARKED_)) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "waiters never queued and parked");
		lkt_sleep_ms(1);
	}
	lk_ticket_unlock(&l);
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(parked_count, 4);
	cr_assert_eq(atomic_load(lk_ticket_owner_(&l)), 10u, "owner %u",
		     atomic_load(lk_ticket_owner_(&l)));
	cr_assert_eq(atomic_load(lk_ticket_next_(&l)), 10u);
}

/* trylock CASes both halves as one word: at the wrap, owner's half wraps on
 * its own (no carry into next) and trylock still sees the lock free. */
Test(ticket, trylock_at_wrap_no_carry)
{
	lk_ticket_t l;
	lk_ticket_init(&l);
	atomic_init(lk_ticket_next_(&l), UINT32_MAX - 1);
	atomic_init(lk_ticket_owner_(&l), UINT32_MAX - 1);
	cr_assert(lk_ticket_trylock(&l));
	cr_assert_eq(atomic_load(lk_ticket_next_(&l)), 0u);
	cr_assert_not(lk_ticket_trylock(&l), "trylock took a held lock");
	lk_ticket_unlock(&l);
	cr_assert_eq(atomic_load(&l.c_.both), 0u, "owner's wrap carried");
	cr_assert(lk_ticket_trylock(&l));
	lk_ticket_unlock(&l);
	cr_assert_eq(atomic_load(lk_ticket_owner_(&l)), 2u);
	cr_assert_eq(atomic_load(lk_ticket_next_(&l)), 2u);
}

/* trylock must not barge past a queued waiter: with next one ticket past
 * owner (held) or further (queue), it fails; with next == owner but
 * PARKED set it fails too. */
Test(ticket, trylock_fails_on_queue_and_parked)
{
	lk_ticket_t l;
	lk_ticket_init(&l);
	atomic_init(lk_ticket_owner_(&l), 40u);
	atomic_init(lk_ticket_next_(&l), 44u);
	cr_assert_not(lk_ticket_trylock(&l));
	atomic_init(lk_ticket_next_(&l), 42u);
	cr_assert_not(lk_ticket_trylock(&l));
	atomic_init(lk_ticket_owner_(&l), 42u | LK_TICKET_PARKED_);
	cr_assert_not(lk_ticket_trylock(&l));
	atomic_init(lk_ticket_owner_(&l), 42u);
	cr_assert(lk_ticket_trylock(&l));
	cr_assert_eq(atomic_load(lk_ticket_next_(&l)), 44u);
	lk_ticket_unlock(&l);
}
