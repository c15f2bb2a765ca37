/* verify/wmm: what clh.h's convenience pool needs and GenMC lacks
 * (pthread keys, a thread-local struct with an initializer), stubbed for
 * the clh clients, which use the _node forms only (the pool goes unused). */
#ifndef LK_WMM_CLH_POOL_H
#define LK_WMM_CLH_POOL_H
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
#endif /* LK_WMM_CLH_POOL_H */
