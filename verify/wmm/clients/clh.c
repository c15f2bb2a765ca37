/* verify/wmm: clh.h (on gate.h), mutual exclusion of 2 threads through the
 * _node forms (each thread locks once: the node handed back is not
 * reused; the convenience pool needs pthread keys, which GenMC lacks).
 * Thread 1 tries a trylock first. */
#include "../client.h"
#ifdef LK_WMM_GENMC /* GenMC has no pthread keys, nor a thread-local struct
		      * with an initializer: the pool (not used) goes without */
#define _Thread_local
typedef int pthread_key_t;
typedef int pthread_once_t;
#define PTHREAD_ONCE_INIT 0
static int pthread_key_create(pthread_key_t *k, void (*d)(void *))
{
	(void)k;
	(void)d;
	return 0;
}
static int pthread_once(pthread_once_t *o, void (*f)(void))
{
	(void)o;
	(void)f;
	return 0;
}
static int pthread_setspecific(pthread_key_t k, const void *v)
{
	(void)k;
	(void)v;
	return 0;
}
#endif
#include "clh.h"

static lk_clh_t l = LK_CLH_INIT;
static lk_clh_node_t node[2];
#define FIRST(i) ((i) == 1 && lk_clh_trylock_node(&l, &node[i]))
#define LOCK(i) lk_clh_lock_node(&l, &node[i])
#define UNLOCK(i) lk_clh_unlock_node(&l, &node[i])
LK_WMM_MUTEX_CLIENT(2, FIRST, LOCK, UNLOCK)
