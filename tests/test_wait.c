/*
 * The wait policy (base.h) and the lock word the queue locks stand on
 * (gate.h). Built with LK_DEBUG, so every thread counts its wait phases
 * (lk__wait_stats()): a waiter whose lock is held past its spin budget must
 * be seen to park, and one on a latch with no futex word to nap.
 */
#define LK_DEBUG 1
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>
#include <sched.h>
#include "harness.h"

/* ---- the gate's rules, one thread ------------------------------------- */

typedef LK_ATOMIC(uint32_t) word_t;

Test(gate, fast_path_only_on_a_clear_word)
{
	word_t g = 0;
	cr_assert(lk__gate_fast(&g));
	cr_assert_eq(atomic_load(&g), LK__GATE_LOCKED);
	cr_assert_not(lk__gate_fast(&g));
	atomic_store(&g, LK__GATE_PARKED); /* free, but a head exists */
	cr_assert_not(lk__gate_fast(&g));
}

Test(gate, steal_rule)
{
	static const struct {
		uint32_t w;
		bool steal;
	} cases[] = {
		{0, true},
		{LK__GATE_LOCKED, false},
		{LK__GATE_RUNNING, false}, /* a running head is owed it */
		{LK__GATE_PARKED, true},   /* asleep: not running */
		{LK__GATE_WAKING, true},   /* woken, not yet running */
		{LK__GATE_NOSTEAL | LK__GATE_PARKED, false}, /* the bound */
		{LK__GATE_NOSTEAL | LK__GATE_WAKING, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		word_t g = cases[i].w;
		cr_assert_eq(lk__gate_trylock(&g), cases[i].steal,
			     "word %u", cases[i].w);
		cr_assert_eq(atomic_load(&g),
			     cases[i].steal ? (cases[i].w | LK__GATE_LOCKED)
					    : cases[i].w,
			     "word %u changed wrongly", cases[i].w);
	}
}

Test(gate, unlock_wakes_a_parked_head_once)
{
	word_t g = LK__GATE_LOCKED | LK__GATE_PARKED | LK__GATE_NOSTEAL;
	lk__gate_unlock(&g);
	cr_assert_eq(atomic_load(&g), LK__GATE_WAKING | LK__GATE_NOSTEAL);
	atomic_store(&g, LK__GATE_LOCKED | LK__GATE_WAKING);
	lk__gate_unlock(&g);
	cr_assert_eq(atomic_load(&g), LK__GATE_WAKING);
	atomic_store(&g, LK__GATE_LOCKED | LK__GATE_RUNNING);
	lk__gate_unlock(&g);
	cr_assert_eq(atomic_load(&g), LK__GATE_RUNNING);
}

/* A free word whose announced head never takes it: the head is not
 * running, and an arrival takes it after watching a while. */
Test(gate, arrival_passes_a_stale_head)
{
	word_t g = LK__GATE_RUNNING;
	cr_assert(lk__gate_arrive(&g));
	cr_assert_eq(atomic_load(&g), LK__GATE_RUNNING | LK__GATE_LOCKED);
	cr_assert_not(lk__gate_arrive(&g), "took a held word");
}

/* ---- a woken head whose word was stolen spins again ------------------ */

static word_t respin_word;
static atomic_int respin_tid;

static void *respin_head(void *p)
{
	(void)p;
	atomic_store(&respin_tid, (int)syscall(SYS_gettid));
	lk__gate_head(&respin_word);
	return NULL;
}

/* Waits (bounded) until the word's head state is hs or, if other is not
 * 0, other; returns the state seen. */
static uint32_t await_hs(uint32_t hs, uint32_t other)
{
	uint64_t end = lkt_now_ns() + 5000000000u;
	for (;;) {
		uint32_t s = atomic_load(&respin_word) & LK__GATE_HS;
		if (s == hs || (other && s == other))
			return s;
		cr_assert_lt(lkt_now_ns(), end, "head state %u, not %u", s, hs);
	}
}

/* The head parks past its budget; the holder releases and a thief takes
 * the word before the unlock's wake (both made by hand, in one step). The
 * woken head must spin again (RUNNING, so no one steals from it) rather
 * than park at once. Budgets of 20 ms (the learnt cost set by hand) make
 * its second spin, 40 ms, long enough to be seen on a loaded machine;
 * each round it misses doubles it. */
Test(gate, woken_head_spins_again_after_a_steal)
{
	atomic_store(&lk__park_ns_, 20000000u);
	atomic_store(&respin_word, LK__GATE_LOCKED);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, respin_head, NULL), 0);
	bool spun = false;
	for (int round = 0; round < 3 && !spun; round++) {
		await_hs(LK__GATE_PARKED, 0);
		uint64_t end = lkt_now_ns() + 5000000000u;
		while (!atomic_load(&respin_tid) ||
		       !lkt_in_futex(atomic_load(&respin_tid))) /* asleep */
			cr_assert_lt(lkt_now_ns(), end, "the head never slept");
		/* an unlock and a steal before its wake, in one step: the
		 * head, woken, finds the word taken */
		uint32_t w = atomic_load(&respin_word);
		cr_assert(atomic_compare_exchange_strong(
			&respin_word, &w, (w & ~LK__GATE_HS) | LK__GATE_WAKING));
		lk__futex_wake(&respin_word, 1);
		spun = await_hs(LK__GATE_RUNNING, LK__GATE_PARKED) ==
		       LK__GATE_RUNNING;
	}
	cr_assert(spun, "a woken head that found its word taken parked again "
			"at once");
	lk__gate_unlock(&respin_word);
	lkt_join(th, 0, "the head's wait");
	cr_assert_eq(atomic_load(&respin_word) & LK__GATE_LOCKED,
		     LK__GATE_LOCKED, "the head does not hold the word");
}

/* lk__wait_respin: back to spinning, the budget doubled up to its cap. */
Test(wait, respin_doubles_its_budget_up_to_a_cap)
{
	atomic_store(&lk__park_ns_, 10000u);
	lk__wait_t w = lk__wait_start(0);
	cr_assert_eq(w.spin_ns, 10000u);
	lk__wait_park_now(&w);
	w.t0 = 1;
	lk__wait_respin(&w);
	cr_assert_not(lk__wait_would_park(&w));
	cr_assert_eq(w.t0, 0u, "the spin's clock not restarted");
	cr_assert_eq(w.spin_ns, 20000u);
	for (int i = 0; i < 10; i++)
		lk__wait_respin(&w);
	cr_assert_eq(w.spin_ns, 10000u * LK__RESPIN_MAX);
}

/* ---- the bound: a head that has waited a window takes the next release */

static lk_ticket_t bound_lock;
static atomic_int bound_got;

static void *bound_fn(void *p)
{
	(void)p;
	lk_ticket_lock(&bound_lock);
	atomic_store(&bound_got, 1);
	lk_ticket_unlock(&bound_lock);
	return NULL;
}

/* One try: let the head park past its window, steal the lock from it while
 * it wakes (allowed: it is not running), then see it set NOSTEAL and take
 * the next release. False if the head woke and took the lock before the
 * steal (then there is nothing to test in this try). */
static bool nosteal_try(void)
{
	lk_ticket_init(&bound_lock);
	atomic_store(&bound_got, 0);
	lk_ticket_lock(&bound_lock);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, bound_fn, NULL), 0);
	uint64_t t0 = lkt_now_ns();
	while ((atomic_load(&bound_lock.word) & LK__GATE_HS) !=
	       LK__GATE_PARKED) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "the head never parked");
		lkt_sleep_ms(1);
	}
	lkt_sleep_ms(2 * LK_STEAL_WINDOW_NS / 1000000 + 1);
	lk_ticket_unlock(&bound_lock);
	while (!lk_ticket_trylock(&bound_lock))
		;
	if (atomic_load(&bound_got)) { /* the head was first: no steal */
		lk_ticket_unlock(&bound_lock);
		lkt_join(th, 0, "its lock and wait calls");
		return false;
	}
	/* We stole it. The head wakes, finds it held, and sets NOSTEAL. */
	while (!(atomic_load(&bound_lock.word) & LK__GATE_NOSTEAL)) {
		cr_assert_lt(lkt_now_ns() - t0, 10000000000ull,
			     "the head never set NOSTEAL");
		lkt_sleep_ms(1);
	}
	/* From now on nobody but the head may take it. */
	lk_ticket_unlock(&bound_lock);
	bool stole = lk_ticket_trylock(&bound_lock);
	if (stole) { /* legal only if the head took and dropped it already */
		cr_assert(atomic_load(&bound_got), "stole past NOSTEAL");
		lk_ticket_unlock(&bound_lock);
	}
	lkt_join(th, 0, "its lock and wait calls");
	cr_assert(atomic_load(&bound_got));
	cr_assert_eq(atomic_load(&bound_lock.word), 0u);
	return true;
}

Test(gate, nosteal_after_the_window)
{
	int tries = 0;
	while (!nosteal_try())
		cr_assert_lt(++tries, 50, "the head always beat the steal");
}

/* ---- the wait policy's phases ------------------------------------------ */

typedef struct {
	void (*lock)(void *);
	void (*unlock)(void *);
	void *l;
	lk__wait_stats_t seen; /* the waiter's counts once it got the lock */
	LK_ATOMIC(bool) started; /* the waiter is about to call lock */
} phase_t;

static void *phase_fn(void *p)
{
	phase_t *ph = (phase_t *)p;
	lk__wait_stats_t before = lk__wait_stats();
	atomic_store(&ph->started, true);
	ph->lock(ph->l);
	lk__wait_stats_t after = lk__wait_stats();
	ph->unlock(ph->l);
	ph->seen.spins = after.spins - before.spins;
	ph->seen.parks = after.parks - before.parks;
	ph->seen.naps = after.naps - before.naps;
	return NULL;
}

/* Hold the lock for 20 spin budgets (at least 50 ms) once another thread is
 * about to wait for it; return what the waiter did. On a loaded machine the
 * waiter may not run until the hold is over and then takes the lock with no
 * wait at all (no spin, no park, no nap): that try says nothing about the
 * policy and is made again, up to 10 times. */
static lk__wait_stats_t hold_past_budget(phase_t *ph)
{
	for (int try = 0; try < 10; try++) {
		ph->lock(ph->l);
		atomic_store(&ph->started, false);
		pthread_t th;
		cr_assert_eq(pthread_create(&th, NULL, phase_fn, ph), 0);
		while (!atomic_load(&ph->started))
			sched_yield();
		uint64_t hold_ns = 20 * lk__park_cost_ns();
		lkt_sleep_ms(hold_ns < 50000000u ? 50
						 : (unsigned)(hold_ns / 1000000u));
		ph->unlock(ph->l);
		lkt_join(th, 0, "its lock and wait calls");
		if (ph->seen.spins | ph->seen.parks | ph->seen.naps)
			return ph->seen;
	}
	cr_assert_fail("in 10 tries the waiter never ran while the lock was held");
	return ph->seen;
}

#define PHASE_LOCK(name, type, INIT)                                           \
	static type name##_l = INIT;                                           \
	static void name##_lock(void *l) { lk_##name##_lock((type *)l); }      \
	static void name##_unlock(void *l) { lk_##name##_unlock((type *)l); }

PHASE_LOCK(mutex, lk_mutex_t, LK_MUTEX_INIT)
PHASE_LOCK(ticket, lk_ticket_t, LK_TICKET_INIT)
PHASE_LOCK(mcs, lk_mcs_t, LK_MCS_INIT)
PHASE_LOCK(clh, lk_clh_t, LK_CLH_INIT)
PHASE_LOCK(ttas, lk_ttas_t, LK_TTAS_INIT)

#define PARKS_TEST(name)                                                       \
	Test(wait, name##_waiter_parks_past_its_budget)                        \
	{                                                                      \
		phase_t ph = {name##_lock, name##_unlock, &name##_l, {0, 0, 0, 0}, false}; \
		lk__wait_stats_t s = hold_past_budget(&ph);                    \
		cr_assert_gt(s.spins, 0, "no spin phase");                     \
		cr_assert_gt(s.parks, 0, "held 20 budgets, never parked");     \
	}

PARKS_TEST(mutex)
PARKS_TEST(ticket)
PARKS_TEST(mcs)
PARKS_TEST(clh)

/* A spinning latch has no futex word: past its budget it naps. */
Test(wait, ttas_waiter_naps_past_its_budget)
{
	phase_t ph = {ttas_lock, ttas_unlock, &ttas_l, {0, 0, 0, 0}, false};
	lk__wait_stats_t s = hold_past_budget(&ph);
	cr_assert_gt(s.spins, 0, "no spin phase");
	cr_assert_gt(s.naps, 0, "held 20 budgets, never napped");
	cr_assert_eq(s.parks, 0u, "parked with no futex word");
}

/* What a sleeper learns: the first sample sets the cost; a shorter one
 * pulls it down by 1/8 of the gap, a longer one up by 1/16, and one past
 * the sample bound (a wait for a CPU) not at all. */
static uint32_t learn_from(uint64_t ago_ns)
{
	atomic_store(&lk__wake_stamp_, lk__now_ns() - ago_ns);
	lk__park_learn_();
	return atomic_load(&lk__park_ns_);
}

Test(wait, learns_the_lower_envelope)
{
	atomic_store(&lk__park_ns_, 0u);
	uint32_t p = learn_from(40000);
	cr_assert(p >= 40000 && p < 45000, "first sample: %u", p);
	uint32_t up = learn_from(200000);
	cr_assert(up > p && up < p + (200000 - p) / 12, "rose to %u", up);
	uint32_t down = learn_from(4000);
	cr_assert(down < up - (up - 4000) / 10, "fell only to %u", down);
	uint32_t same = learn_from(400000); /* a wait for a CPU: dropped */
	cr_assert_eq(same, down, "learnt from %u ns", 400000);
	atomic_store(&lk__wake_stamp_, lk__now_ns() - 2 * LK__PARK_SAMPLE_MAX_NS);
	lk__park_learn_();
	cr_assert_eq(atomic_load(&lk__park_ns_), down, "took a stale stamp");
	cr_assert_eq(lk__park_cost_ns(), (uint64_t)down);
}

/* The budget is time: a fixed LK_SPIN_NS would be returned as is, and the
 * learnt one stays within the sample bound. */
Test(wait, budget_is_bounded_time)
{
	uint64_t b = lk__park_cost_ns();
	cr_assert_gt(b, 0u);
	cr_assert_lt(b, (uint64_t)LK__PARK_SAMPLE_MAX_NS);
}

/* A shared sleep (w.shared) may be woken from another process, whose wake
 * stamp this process cannot see: it learns from its wakers' stamp in the
 * shared memory (w.stamp), and with none, not at all. Here a thread wakes
 * it with a bare FUTEX_WAKE that stamps nothing, as another process's
 * waker would, while this process's own stamp is fresh (a wake of its own
 * a moment ago): a sample against that is noise. */
typedef struct {
	word_t word;
	atomic_int done;
	LK_ATOMIC(uint64_t) *stamp; /* stamped before each wake, if set */
} shwake_t;

static void *shwake_fn(void *p)
{
	shwake_t *s = (shwake_t *)p;
	while (!atomic_load(&s->done)) {
		uint64_t now = lk__now_ns();
		if (s->stamp)
			atomic_store(s->stamp, now - 40000);
		else /* "this process woke someone 30 us ago" */
			atomic_store(&lk__wake_stamp_, now - 30000);
		lk__futex_(&s->word, FUTEX_WAKE_BITSET, 1, NULL, LK__FUTEX_ANY);
		lkt_sleep_ms(1);
	}
	return NULL;
}

/* One shared sleep on a word that stays 0 until a wake ends it; returns
 * the learnt cost after it. */
static uint32_t shared_sleep(LK_ATOMIC(uint64_t) *stamp)
{
	shwake_t s = {0, 0, stamp};
	atomic_store(&lk__park_ns_, 0u);
	atomic_store(&lk__wake_stamp_, 0u);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, shwake_fn, &s), 0);
	lk__wait_t w = lk__wait_start(0);
	w.shared = true;
	w.stamp = stamp;
	lk__wait_park_now(&w);
	lk__wait(&w, &s.word, 0); /* returns on the first wake */
	atomic_store(&s.done, 1);
	lkt_join(th, 0, "its wakes");
	return atomic_load(&lk__park_ns_);
}

Test(wait, shared_sleep_learns_only_from_a_shared_stamp)
{
	for (int i = 0; i < 20; i++)
		cr_assert_eq(shared_sleep(NULL), 0u,
			     "learnt from this process's own stamp");
	LK_ATOMIC(uint64_t) seg_stamp = 0;
	uint32_t p = 0;
	/* a sample is dropped if the wake took past the sample bound (a
	 * loaded machine): a few tries */
	for (int i = 0; i < 50 && !p; i++)
		p = shared_sleep(&seg_stamp);
	cr_assert(p >= 40000 && p < LK__PARK_SAMPLE_MAX_NS,
		  "did not learn from the shared stamp: %u", p);
}
