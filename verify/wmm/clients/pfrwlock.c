/* verify/wmm: pfrwlock.h, a writer and a reader: the reader never sees a
 * half-written pair. The reader tries a trylock first. The writer takes
 * wrlock only: the try and timed writers CAS the 64-bit (rin, rout) pair
 * whose 32-bit halves every other path uses, and GenMC v0.10.3 stops on
 * such mixed-size accesses ("Mixed-size accesses"), so those two verbs
 * are not checked here. */
#include "../client.h"
#include "pfrwlock.h"

static lk_pfrwlock_t l = LK_WMM_SH(LK_PFRWLOCK_INIT, LK_PFRWLOCK_INIT_SHARED);
#define WRLOCK(i) lk_pfrwlock_wrlock(&l)
#define WRUNLOCK(i) lk_pfrwlock_wrunlock(&l)
#define RDFIRST(i) lk_pfrwlock_rdtrylock(&l)
#define RDLOCK(i) lk_pfrwlock_rdlock(&l)
#define RDUNLOCK(i) lk_pfrwlock_rdunlock(&l)
LK_WMM_RW_CLIENT(2, LK_WMM_NONE, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,
		 RDUNLOCK)
