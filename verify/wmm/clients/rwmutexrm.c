/* verify/wmm: rwmutex.c with the reader trying rdtimedlock first (its
 * fetch_add's acquire), falling back to rdlock when it times out (the
 * mock's timed sleep times out at once). */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) lk_rwmutex_wrunlock(&l)
#define RDFIRST(i) lk_rwmutex_rdtimedlock(&l, 1000)
#define RDLOCK(i) lk_rwmutex_rdlock(&l)
#define RDUNLOCK(i) lk_rwmutex_rdunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
