/* tests/test_pfrwlock.c: the phase-fair (PF-T) spinning RW latch. */
#include <latchkit/pfrwlock.h>
#include <string.h>

#define RW_NAME pfrwlock
#define RW_INIT LK_PFRWLOCK_INIT
#define RW_READERS_FAIR 1
#include "rw_suite.h"

Test(pfrwlock, size)
{
	cr_assert_eq(sizeof(lk_pfrwlock_t), 16);
}

/* All four counters wrap in their own 32-bit halves: near the top, every
 * kind of acquisition still works and no half carries into its pair. */
Test(pfrwlock, counters_wrap_in_their_halves)
{
	lk_pfrwlock_t l;
	lk_pfrwlock_init(&l);
	atomic_init(lk__pf_rin_(&l), 0xfffffe00u);
	atomic_init(lk__pf_rout_(&l), 0xfffffe00u);
	atomic_init(lk__pf_win_(&l), 0xfffffffcu);
	atomic_init(lk__pf_wout_(&l), 0xfffffffcu);
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
	/* 8 writer phases: tickets 0xfffffffc + 16, phase id flipped 8 times */
	cr_assert_eq(atomic_load(lk__pf_win_(&l)), 12u);
	cr_assert_eq(atomic_load(lk__pf_wout_(&l)), 12u);
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
	/* the failed tries gave nothing away: the pairs are as before */
	cr_assert_eq(atomic_load(lk__pf_win_(&l)), atomic_load(lk__pf_wout_(&l)));
	atomic_init(lk__pf_win_(&l), 2u); /* a writer queued on ticket 0 */
	cr_assert_not(lk_pfrwlock_wrtrylock(&l), "writer barged the queue");
	atomic_init(lk__pf_win_(&l), 0u);
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
