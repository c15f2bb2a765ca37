/* tests/test_pfrwlock.c: the phase-fair (PF-T) spinning RW latch. */
#include <latchkit/pfrwlock.h>
#include <string.h>

#define RW_NAME pfrwlock
#define RW_INIT LK_PFRWLOCK_INIT
#define RW_READERS_FAIR 1
#include "rw_suite.h"

Test(pfrwlock, size)
{
	cr_assert_eq(sizeof(lk_pfrwlock_t), 16);
}
