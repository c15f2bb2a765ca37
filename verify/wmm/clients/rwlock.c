/* verify/wmm: rwlock.h, a writer and a reader: the reader never sees a
 * half-written pair. The writer tries a timedlock first, the
 * reader a trylock. */
#include "../client.h"
#include "rwlock.h"

static lk_rwlock_t l = LK_RWLOCK_INIT;
#define WRFIRST(i) lk_rwlock_wrtimedlock(&l, 1)
#define WRLOCK(i) lk_rwlock_wrlock(&l)
#define WRUNLOCK(i) lk_rwlock_wrunlock(&l)
#ifdef LK_WMM_RDTIMED /* rwlockt: the reader tries rdtimedlock first */
#define RDFIRST(i) lk_rwlock_rdtimedlock(&l, 1)
#else
#define RDFIRST(i) lk_rwlock_rdtrylock(&l)
#endif
#define RDLOCK(i) lk_rwlock_rdlock(&l)
#define RDUNLOCK(i) lk_rwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRFIRST, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
