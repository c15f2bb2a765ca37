/* verify/wmm: rprwlock.c with a process-shared latch (client.h's
 * LK_WMM_SH): SHARED stays set in the word, so the writers' CAS takes the
 * slow path, and waits and wakes use shared futexes. */
#define LK_WMM_SHARED 1
#include "rprwlock.c"
