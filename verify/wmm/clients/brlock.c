/* verify/wmm: brlock.h, a writer and a reader: the reader never sees a
 * half-written pair. (No first attempts:
 * with them the run takes 10x as long.) */
#define LK_BRLOCK_STRIPES 1 /* one stripe: the shortest writer scan */
#include "../client.h"
#include "brlock.h"

static lk_brlock_t l = LK_BRLOCK_INIT;
#define WRFIRST(i) LK_WMM_NONE(i) /* a timedlock first: 10x the executions */
#define WRLOCK(i) lk_brlock_wrlock(&l)
#define WRUNLOCK(i) lk_brlock_wrunlock(&l)
#define RDFIRST(i) LK_WMM_NONE(i)
#define RDLOCK(i) lk_brlock_rdlock(&l)
#define RDUNLOCK(i) lk_brlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, WRFIRST, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
