/* verify/wmm: rwlock.h, a writer and a reader: the reader never sees a
 * half-written pair. */
#include "../client.h"
#include "rwlock.h"

static lk_rwlock_t l = LK_RWLOCK_INIT;
#define WRLOCK(i) lk_rwlock_wrlock(&l)
#define WRUNLOCK(i) lk_rwlock_wrunlock(&l)
#define RDLOCK(i) lk_rwlock_rdlock(&l)
#define RDUNLOCK(i) lk_rwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRLOCK, WRUNLOCK, RDLOCK, RDUNLOCK)
