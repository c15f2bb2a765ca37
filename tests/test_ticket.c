#include <latchkit/ticket.h>
#include "mutex_suite.h"

/* Changes when a thread takes a ticket. */
static uint32_t ticket_token(lk_ticket_t *l)
{
	return atomic_load(&l->next);
}

LKT_MUTEX_SUITE(ticket, lk_ticket_t, LK_TICKET_INIT, lk_ticket_init,
		lk_ticket_lock, lk_ticket_trylock, lk_ticket_unlock)
LKT_MUTEX_SUITE_FIFO(ticket, lk_ticket_t, LK_TICKET_INIT, lk_ticket_init,
		     lk_ticket_lock, lk_ticket_unlock, ticket_token)

Test(ticket, size)
{
	cr_assert_eq(sizeof(lk_ticket_t), 12);
}

/* The counters wrap: start them near UINT32_MAX, and make every lock call
 * queue (hold the lock while each one arrives). */
static void *lock_unlock_fn(void *p)
{
	lk_ticket_lock((lk_ticket_t *)p);
	lk_ticket_unlock((lk_ticket_t *)p);
	return NULL;
}

Test(ticket, counters_wrap)
{
	lk_ticket_t l;
	lk_ticket_init(&l);
	atomic_init(&l.next, UINT32_MAX - 5); /* tickets step by 2 */
	atomic_init(&l.serving, UINT32_MAX - 5);
	for (int i = 0; i < 6; i++) {
		lk_ticket_lock(&l);
		uint32_t before = atomic_load(&l.next);
		pthread_t th;
		cr_assert_eq(pthread_create(&th, NULL, lock_unlock_fn, &l), 0);
		while (atomic_load(&l.next) == before)
			sched_yield(); /* it queued */
		lk_ticket_unlock(&l);
		lkt_join(th, 0, "its lock and wait calls");
	}
	cr_assert_eq(atomic_load(&l.next), 6u);
	cr_assert_eq(atomic_load(&l.serving) & ~LK_TICKET_SLEEPERS_, 6u);
	cr_assert(lk_ticket_trylock(&l));
	lk_ticket_unlock(&l);
}

/* Waiters past their spin budget sleep rather than take the CPU from the
 * holder: a run where several park must still count exactly, and leave
 * SLEEPERS clear and the lock word free. */
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
	lk_ticket_lock(&l); /* the word, at once: no ticket */
	cr_assert_eq(atomic_load(&l.next), 0u);
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, lock_fn, &l), 0);
	/* wait until all four have queued, the head sleeps on the word and
	 * the others on serving */
	uint64_t t0 = lkt_now_ns();
	while (atomic_load(&l.next) != 8u ||
	       !(atomic_load(&l.serving) & LK_TICKET_SLEEPERS_) ||
	       (atomic_load(&l.word) & LK__GATE_HS) != LK__GATE_PARKED) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "waiters never queued and parked");
		lkt_sleep_ms(1);
	}
	lk_ticket_unlock(&l);
	for (int i = 0; i < 4; i++)
		lkt_join(th[i], i, "its lock and wait calls");
	cr_assert_eq(parked_count, 4);
	cr_assert_eq(atomic_load(&l.serving), 8u, "serving %u",
		     atomic_load(&l.serving));
	cr_assert_eq(atomic_load(&l.next), 8u);
	cr_assert_eq(atomic_load(&l.word), 0u);
}

/* trylock never takes a ticket, and follows gate.h's steal rule. */
Test(ticket, trylock_takes_no_ticket)
{
	lk_ticket_t l;
	lk_ticket_init(&l);
	cr_assert(lk_ticket_trylock(&l));
	cr_assert_not(lk_ticket_trylock(&l), "trylock took a held lock");
	lk_ticket_unlock(&l);
	cr_assert_eq(atomic_load(&l.next), 0u);
	atomic_init(&l.word, LK__GATE_RUNNING); /* a running head is owed it */
	cr_assert_not(lk_ticket_trylock(&l));
	atomic_init(&l.word, LK__GATE_PARKED); /* a sleeping one is not */
	cr_assert(lk_ticket_trylock(&l));
	cr_assert_eq(atomic_load(&l.word), LK__GATE_PARKED | LK__GATE_LOCKED);
}
