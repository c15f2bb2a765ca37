#include <latchkit/ttas.h>
#include "mutex_suite.h"

LKT_MUTEX_SUITE(ttas, lk_ttas_t, LK_TTAS_INIT, lk_ttas_init, lk_ttas_lock,
		lk_ttas_trylock, lk_ttas_unlock)
LKT_MUTEX_SUITE_TIMED(ttas, lk_ttas_t, LK_TTAS_INIT, lk_ttas_init,
		      lk_ttas_lock, lk_ttas_timedlock, lk_ttas_unlock)

Test(ttas, size)
{
	cr_assert_leq(sizeof(lk_ttas_t), 4);
}
