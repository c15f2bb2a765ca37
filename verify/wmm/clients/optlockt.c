/* verify/wmm: optlock.c with the reader using read_trybegin. */
#define LK_WMM_TRY 1
#include "optlock.c"
