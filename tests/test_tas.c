#include <latchkit/tas.h>
#include "mutex_suite.h"

LKT_MUTEX_SUITE(tas, lk_tas_t, LK_TAS_INIT, lk_tas_init, lk_tas_lock,
		lk_tas_trylock, lk_tas_unlock)
LKT_MUTEX_SUITE_TIMED(tas, lk_tas_t, LK_TAS_INIT, lk_tas_init, lk_tas_lock,
		      lk_tas_timedlock, lk_tas_unlock)

Test(tas, size)
{
	cr_assert_leq(sizeof(lk_tas_t), 4);
}
