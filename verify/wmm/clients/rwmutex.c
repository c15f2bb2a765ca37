/* verify/wmm: rwmutex.h, a writer and a reader: the reader never sees a
 * half-written pair. */
#include "../client.h"
#include "rwmutex.h"

static lk_rwmutex_t l = LK_RWMUTEX_INIT;
#define WRLOCK(i) lk_rwmutex_wrlock(&l)
#define WRUNLOCK(i) lk_rwmutex_wrunlock(&l)
#define RDLOCK(i) lk_rwmutex_rdlock(&l)
#define RDUNLOCK(i) lk_rwmutex_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRLOCK, WRUNLOCK, RDLOCK, RDUNLOCK)
