/* verify/wmm: cond.c with lk_cond_broadcast for the signal: the waiter is
 * moved to the mutex (wait morphing) or woken. */
#define LK_WMM_BCAST 1
#include "cond.c"
