/* verify/wmm: brlock.h, two writers and a reader: a reader that backs off
 * from the first writer retries against the second, whose flag and scan
 * race its retry (Dekker). The reader never sees a half-written pair. */
#define LK_BRLOCK_STRIPES 1 /* one stripe: the shortest writer scan */
#include "../client.h"
#include "brlock.h"

static lk_brlock_t l = LK_BRLOCK_INIT;
#define WRLOCK(i) lk_brlock_wrlock(&l)
#define WRUNLOCK(i) lk_brlock_wrunlock(&l)
#define RDLOCK(i) lk_brlock_rdlock(&l)
#define RDUNLOCK(i) lk_brlock_rdunlock(&l)
LK_WMM_RW_CLIENT(3, LK_WMM_NONE, WRLOCK, WRUNLOCK, LK_WMM_NONE, RDLOCK,
		 RDUNLOCK)
