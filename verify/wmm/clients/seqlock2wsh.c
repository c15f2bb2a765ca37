/* verify/wmm: seqlock2w.c with a process-shared latch (client.h's LK_WMM_SH). */
#define LK_WMM_SHARED 1
#include "seqlock2w.c"
