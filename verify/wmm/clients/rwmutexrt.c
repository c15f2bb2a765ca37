/* verify/wmm: rwmutex.c with the reader trying rdtrylock first (its CAS's
 * acquire, after a relaxed load, alone orders the writer's data), falling
 * back to rdlock. */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) lk_rwmutex_wrunlock(&l)
#define RDFIRST(i) lk_rwmutex_rdtrylock(&l)
#define RDLOCK(i) lk_rwmutex_rdlock(&l)
#define RDUNLOCK(i) lk_rwmutex_rdunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
