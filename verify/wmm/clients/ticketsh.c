/* verify/wmm: ticket.c with a process-shared latch (client.h's LK_WMM_SH). */
#define LK_WMM_SHARED 1
#include "ticket.c"
