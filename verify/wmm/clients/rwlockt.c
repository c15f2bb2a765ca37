/* verify/wmm: rwlock.c with the reader trying rdtimedlock first (its
 * admission's fetch_add), not rdtrylock. */
#define LK_WMM_RDTIMED 1
#include "rwlock.c"
