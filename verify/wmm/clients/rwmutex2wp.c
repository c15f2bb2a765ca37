/* verify/wmm: rwmutex2w with GenMC's spin-assume off (wmm.py's flags), so
 * that the second writer spins, announces itself (TWAIT) and parks on tseq:
 * with spin-assume on, GenMC turns the token's wait loop into an assume and
 * never takes its park path (rwmutex.h's tseq load and bump). */
#include "rwmutex2w.c"
