/* verify/wmm: rwmutexu.c with the U reader trying uptrylock first: after
 * the writer's unlock it takes the token on the fast path (uptrylock's
 * CAS, then uplock's when the try fails), whose acquire alone orders the
 * writer's data for it. */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) lk_rwmutex_wrunlock(&l)
#define RDFIRST(i) lk_rwmutex_uptrylock(&l)
#define RDLOCK(i) lk_rwmutex_uplock(&l)
#define RDUNLOCK(i) lk_rwmutex_upunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
