/* verify/wmm: rwmutex.h, a writer and an upgradable (U) reader: the U
 * reader takes the token the writer holds, in the token's slow path, and
 * never sees a half-written pair (a wrlock's token is followed by the
 * drain's acquire, a U lock's is not: only a U reader checks the token's
 * own acquire). */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) lk_rwmutex_wrunlock(&l)
#define RDLOCK(i) lk_rwmutex_uplock(&l)
#define RDUNLOCK(i) lk_rwmutex_upunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, LK_WMM_NONE, RDLOCK,
		 RDUNLOCK)
