/* verify/wmm: pfrwlock.c with the reader trying rdtimedlock first: behind
 * a writer its wait times out at once (the mock's timed sleep), and its
 * withdrawal finds the phase ended and enters, ordered by that load's
 * acquire alone; or it withdraws, then rdlock. */
#include "../client.h"
#include "pfrwlock.h"

static lk_pfrwlock_t l = LK_PFRWLOCK_INIT;
#define WRLOCK(i) lk_pfrwlock_wrlock(&l)
#define WRUNLOCK(i) lk_pfrwlock_wrunlock(&l)
#define RDFIRST(i) lk_pfrwlock_rdtimedlock(&l, 1000)
#define RDLOCK(i) lk_pfrwlock_rdlock(&l)
#define RDUNLOCK(i) lk_pfrwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
