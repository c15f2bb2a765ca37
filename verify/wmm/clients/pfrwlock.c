/* verify/wmm: pfrwlock.h, a writer and a reader: the reader never sees a
 * half-written pair. The writer tries a timedlock first, the
 * reader a trylock. */
#include "../client.h"
#include "pfrwlock.h"

static lk_pfrwlock_t l = LK_PFRWLOCK_INIT;
#define WRFIRST(i) lk_pfrwlock_wrtimedlock(&l, 1)
#define WRLOCK(i) lk_pfrwlock_wrlock(&l)
#define WRUNLOCK(i) lk_pfrwlock_wrunlock(&l)
#define RDFIRST(i) lk_pfrwlock_rdtrylock(&l)
#define RDLOCK(i) lk_pfrwlock_rdlock(&l)
#define RDUNLOCK(i) lk_pfrwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRFIRST, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
