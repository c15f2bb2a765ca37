/* verify/wmm: rprwlock.c with the reader trying rdtimedlock first (its
 * admission's fetch_add; behind the writer it takes its add back out,
 * times out at once, then rdlock), not rdtrylock. */
#define LK_WMM_RDTIMED 1
#include "rprwlock.c"
