/* The is-locked queries under LK_DEBUG (its layouts), and the held-by-me
 * queries it adds (is_locked_suite.h). */
#define LK_DEBUG 1
#include "is_locked_suite.h"
