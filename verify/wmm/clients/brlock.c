/* verify/wmm: brlock.h, a writer and a reader: the reader never sees a
 * half-written pair. */
#define LK_BRLOCK_STRIPES 2 /* one per thread: a short writer scan */
#include "../client.h"
#include "brlock.h"

static lk_brlock_t l = LK_BRLOCK_INIT;
#define WRLOCK(i) lk_brlock_wrlock(&l)
#define WRUNLOCK(i) lk_brlock_wrunlock(&l)
#define RDLOCK(i) lk_brlock_rdlock(&l)
#define RDUNLOCK(i) lk_brlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRLOCK, WRUNLOCK, RDLOCK, RDUNLOCK)
