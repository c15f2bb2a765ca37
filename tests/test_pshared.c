/* Process-shared latches (issue 15): for each latch with a shared form, a
 * waiter in one process parks (LK_DEBUG's lk__wait_stats() counts it) and
 * is woken by a release in another. The waiter waits with a long timed
 * form (30 s), so a lost wake fails an assertion instead of hanging.
 * Shared memory is mmap(MAP_SHARED | MAP_ANONYMOUS), mapped before fork. */
#define LK_DEBUG 1
#include <latchkit/mutex.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "pshared.h"

#define LONG_NS 30000000000u /* 30 s */

typedef struct {
	atomic_int started; /* the waiter is about to wait */
	atomic_int parks;   /* its park count once done */
	int data;
	lk_mutex_t mutex;
} shm_t;

static shm_t *shm_new(void)
{
	return (shm_t *)lkp_shared(sizeof(shm_t));
}

/* Starts the child, lets it park, runs release(s), and checks it woke. */
static void woken_across(shm_t *s, int (*waiter)(void *),
			 void (*release)(shm_t *))
{
	pid_t pid = lkp_spawn(waiter, s);
	cr_assert(lkp_await(&s->started, 1));
	lkp_sleep_ms(100); /* its spin (microseconds) ends: it parks */
	release(s);
	cr_assert_eq(lkp_join(pid), 0, "the waiter was not released");
	cr_assert_geq(atomic_load(&s->parks), 1, "the waiter never parked");
}

static int report(shm_t *s, bool ok)
{
	atomic_store(&s->parks, (int)lk__wait_stats().parks);
	return ok ? 0 : 1;
}

/* ---- mutex ---- */

static int mutex_waiter(void *p)
{
	shm_t *s = (shm_t *)p;
	atomic_store(&s->started, 1);
	bool ok = lk_mutex_timedlock(&s->mutex, LONG_NS);
	if (ok) {
		s->data++;
		lk_mutex_unlock(&s->mutex);
	}
	return report(s, ok);
}

static void mutex_release(shm_t *s)
{
	lk_mutex_unlock(&s->mutex);
}

Test(pshared, mutex)
{
	shm_t *s = shm_new();
	lk_mutex_init_shared(&s->mutex);
	lk_mutex_lock(&s->mutex);
	cr_assert(lk_mutex_is_locked(&s->mutex));
	woken_across(s, mutex_waiter, mutex_release);
	cr_assert_eq(s->data, 1);
	cr_assert_not(lk_mutex_is_locked(&s->mutex));
	cr_assert(lk_mutex_trylock(&s->mutex), "a shared mutex's trylock");
	cr_assert(lk_mutex_is_held_by_me(&s->mutex));
	lk_mutex_unlock(&s->mutex);
	const lk_mutex_t st = LK_MUTEX_INIT_SHARED;
	cr_assert_not(lk_mutex_is_locked(&st));
}

/* LK_DEBUG: a private mutex in shared memory, held by the parent: the
 * child's lock aborts with a message instead of parking for ever. */
static int private_locker(void *p)
{
	shm_t *s = (shm_t *)p;
	lk_mutex_lock(&s->mutex); /* aborts */
	return 0;
}

Test(pshared, debug_private_mutex_from_another_process)
{
	shm_t *s = shm_new();
	lk_mutex_init(&s->mutex);
	lk_mutex_lock(&s->mutex);
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	fflush(stderr);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		dup2(fd[1], 2);
		_exit(private_locker(s));
	}
	close(fd[1]);
	char buf[512] = {0};
	size_t n = 0;
	ssize_t k;
	while (n < sizeof buf - 1 &&
	       (k = read(fd[0], buf + n, sizeof buf - 1 - n)) > 0)
		n += (size_t)k;
	close(fd[0]);
	int st = 0;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "did not abort");
	cr_assert(strstr(buf, "held by another process"), "message: %s", buf);
	lk_mutex_unlock(&s->mutex);
}
