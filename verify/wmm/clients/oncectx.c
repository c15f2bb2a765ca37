/* verify/wmm: once.c with lk_once_ctx, and lk_once_is_done first (a
 * thread that sees it done must see the effect). */
#define LK_WMM_CTX 1
#include "once.c"
