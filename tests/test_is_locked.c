/* The is-locked queries of every latch that has them (is_locked_suite.h). */
#include "is_locked_suite.h"
