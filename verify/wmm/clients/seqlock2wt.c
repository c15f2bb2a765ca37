/* verify/wmm: seqlock2w with first attempts on the private latch: writer
 * 0 tries write_timedlock, writer 1 write_trylock (the shared client
 * reaches the trylock's private CAS but never wins it: a shared latch's
 * word is never 0). */
#define LK_WMM_TRY 1
#include "seqlock2w.c"
