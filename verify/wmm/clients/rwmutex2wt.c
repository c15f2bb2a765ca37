/* verify/wmm: rwmutex2w with first attempts: writer 0 tries
 * wrtimedlock, writer 1 wrtrylock. */
#define LK_WMM_TRY 1
#include "rwmutex2w.c"
