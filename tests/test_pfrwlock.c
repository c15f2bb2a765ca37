/* tests/test_pfrwlock.c: the phase-fair (PF-T) spinning RW latch. */
#include <latchkit/pfrwlock.h>
#include <string.h>

#define RW_NAME pfrwlock
#define RW_INIT LK_PFRWLOCK_INIT
#define RW_READERS_FAIR 1
#include "rw_suite.h"

Test(pfrwlock, size)
{
	cr_assert_eq(sizeof(lk_pfrwlock_t), 24);
}

/* The reader counters wrap in their own 32-bit halves: near the top, every
 * kind of acquisition still works and no half carries into its pair. */
Test(pfrwlock, counters_wrap_in_their_halves)
{
	lk_pfrwlock_t l;
	lk_pfrwlock_init(&l);
	atomic_init(lk__pf_rin_(&l), 0xfffffe00u);
	atomic_init(lk__pf_rout_(&l), 0xfffffe00u);
	for (int i = 0; i < 4; i++) {
		lk_pfrwlock_rdlock(&l);
		lk_pfrwlock_rdunlock(&l);
		cr_assert(lk_pfrwlock_wrtrylock(&l));
		lk_pfrwlock_wrunlock(&l);
		lk_pfrwlock_wrlock(&l);
		lk_pfrwlock_wrunlock(&l);
	}
	cr_assert_eq(atomic_load(lk__pf_rin_(&l)), 0x200u);
	cr_assert_eq(atomic_load(lk__pf_rout_(&l)), 0x200u);
	/* 8 writer phases: the phase id flipped 8 times; writers' lock free */
	cr_assert_eq(atomic_load(&l.ph_), 0u);
	cr_assert_not(lk_ticket_is_locked(&l.w_));
}

/* The try writer checks whole pairs: it fails with a reader inside, with a
 * writer holding or queued, and with writer bits set. */
Test(pfrwlock, wrtrylock_checks_both_pairs)
{
	lk_pfrwlock_t l;
	lk_pfrwlock_init(&l);
	lk_pfrwlock_rdlock(&l);
	cr_assert_not(lk_pfrwlock_wrtrylock(&l), "writer in with a reader");
	cr_assert_not(lk_pfrwlock_wrtimedlock(&l, 1000000));
	lk_pfrwlock_rdunlock(&l);
	/* the failed tries gave nothing away: no phase ran, lock free */
	cr_assert_eq(atomic_load(&l.ph_), 0u);
	cr_assert_not(lk_ticket_is_locked(&l.w_));
	atomic_init(&l.w_.word, LK__GATE_LOCKED); /* a writer holds w_ */
	cr_assert_not(lk_pfrwlock_wrtrylock(&l), "writer barged the queue");
	atomic_init(&l.w_.word, 0u);
	uint32_t out = atomic_load(lk__pf_rout_(&l));
	atomic_init(lk__pf_rin_(&l), out | LK__PF_PRES); /* a writer's bits */
	cr_assert_not(lk_pfrwlock_wrtrylock(&l));
	atomic_init(lk__pf_rin_(&l), out + LK__PF_RINC); /* a reader inside */
	cr_assert_not(lk_pfrwlock_wrtrylock(&l));
	atomic_init(lk__pf_rin_(&l), out);
	cr_assert(lk_pfrwlock_wrtrylock(&l));
	cr_assert_not(lk_pfrwlock_rdtrylock(&l));
	lk_pfrwlock_wrunlock(&l);
	cr_assert(lk_pfrwlock_rdtrylock(&l));
	lk_pfrwlock_rdunlock(&l);
}
