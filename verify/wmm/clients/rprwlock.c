/* verify/wmm: rprwlock.h, a writer and a reader: the reader never sees a
 * half-written pair. The writer tries a timedlock first (behind the reader
 * it announces WWAIT and times out at once: the mock's timed sleep), the
 * reader a trylock. A writer parked behind the reader is woken by the last
 * reader out (lk__rpw_last_reader_), a reader parked behind the writer by
 * wrunlock: the mock's lost wake-up check covers both. */
#include "../client.h"
#include "rprwlock.h"

static lk_rprwlock_t l = LK_WMM_SH(LK_RPRWLOCK_INIT, LK_RPRWLOCK_INIT_SHARED);
#define WRFIRST(i) lk_rprwlock_wrtimedlock(&l, 1)
#define WRLOCK(i) lk_rprwlock_wrlock(&l)
#define WRUNLOCK(i) lk_rprwlock_wrunlock(&l)
#ifdef LK_WMM_RDTIMED /* rprwlockt: the reader tries rdtimedlock first */
#define RDFIRST(i) lk_rprwlock_rdtimedlock(&l, 1)
#else
#define RDFIRST(i) lk_rprwlock_rdtrylock(&l)
#endif
#define RDLOCK(i) lk_rprwlock_rdlock(&l)
#define RDUNLOCK(i) lk_rprwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRFIRST, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
