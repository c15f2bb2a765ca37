/* verify/wmm: rwmutex.h, a writer and a reader: the reader never sees a
 * half-written pair. (No first attempts:
 * with them the run takes 10x as long.) */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_WMM_SH(LK_RWMUTEX_INIT, LK_RWMUTEX_INIT_SHARED);
#define WRFIRST(i) LK_WMM_NONE(i) /* a timedlock first: 10x the executions */
#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) lk_rwmutex_wrunlock(&l)
#define RDFIRST(i) LK_WMM_NONE(i)
#define RDLOCK(i) lk_rwmutex_rdlock(&l)
#define RDUNLOCK(i) lk_rwmutex_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRFIRST, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
