/* verify/wmm: pfrwlock.h, a writer and a reader: the reader never sees a
 * half-written pair. */
#include "../client.h"
#include "pfrwlock.h"

static lk_pfrwlock_t l = LK_PFRWLOCK_INIT;
#define WRLOCK(i) lk_pfrwlock_wrlock(&l)
#define WRUNLOCK(i) lk_pfrwlock_wrunlock(&l)
#define RDLOCK(i) lk_pfrwlock_rdlock(&l)
#define RDUNLOCK(i) lk_pfrwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRLOCK, WRUNLOCK, RDLOCK, RDUNLOCK)
