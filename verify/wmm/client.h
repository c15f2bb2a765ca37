/*
 * verify/wmm/client.h: what every GenMC client shares. A client is one
 * small C program that includes the real primitives/NAME.h (after mock.h)
 * and asserts the latch's guarantee at the end of every execution; data
 * the latch guards is plain (non-atomic), so that an access the latch
 * fails to order is also a data race, which GenMC reports.
 */
#ifndef LK_WMM_CLIENT_H
#define LK_WMM_CLIENT_H
#include "mock.h"

#define LK_WMM_MAX_THREADS 3

/* A client's latch initialiser: private, or process-shared when the
 * client is built with LK_WMM_SHARED (clients/NAMEsh.c, which include
 * NAME.c): the shared forms' own paths (their CAS on a word that keeps its
 * SHARED bit, shared futexes). */
#ifdef LK_WMM_SHARED
#define LK_WMM_SH(priv, shared) shared
#else
#define LK_WMM_SH(priv, shared) priv
#endif

/* Go on only in the executions where c holds (GenMC's assume: it prunes
 * the others; a relaxed flag read there orders nothing). A native build
 * (a smoke test of the mock) does not prune. */
#ifdef LK_WMM_GENMC
#define LK_WMM_ASSUME(c) __VERIFIER_assume(c)
#else
#define LK_WMM_ASSUME(c) ((void)(c))
#endif

static void *(*lk_wmm_fn)(void *);

static void *lk_wmm_body(void *arg)
{
	lk_wmm_fn(arg);
	lk_mock_thread_done();
	return NULL;
}

/* No first attempt. */
#define LK_WMM_NONE(i) 0

/* Runs fn(0) .. fn(n-1) on n threads, checks that no execution leaves one
 * asleep for ever (mock.h), and joins them. */
static inline void lk_wmm_run(int n, void *(*fn)(void *))
{
	pthread_t t[LK_WMM_MAX_THREADS];
	lk_wmm_fn = fn;
	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, lk_wmm_body, (void *)i);
	lk_mock_quiescent(n);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* Threads that run the same code: each gets a NULL argument, and under
 * GenMC they are spawned as symmetric, so that GenMC explores one order
 * of them where the others are permutations (its symmetry reduction).
 * lk_wmm_same_start starts n of them; lk_wmm_same_end checks for a lost
 * wake-up (mock.h) and joins them. */
#ifdef LK_WMM_GENMC
typedef __VERIFIER_thread_t lk_wmm_tid_t;
#else
typedef pthread_t lk_wmm_tid_t;
#endif

static inline void lk_wmm_same_start(int n, void *(*fn)(void *),
				     lk_wmm_tid_t *t)
{
	lk_wmm_fn = fn;
	for (int i = 0; i < n; i++)
#ifdef LK_WMM_GENMC
		t[i] = i ? __VERIFIER_spawn_symmetric(lk_wmm_body, NULL, t[i - 1])
			 : __VERIFIER_spawn(lk_wmm_body, NULL);
#else
		pthread_create(&t[i], NULL, lk_wmm_body, NULL);
#endif
}

static inline void lk_wmm_same_end(int n, lk_wmm_tid_t *t)
{
	lk_mock_quiescent(n);
	for (int i = 0; i < n; i++)
#ifdef LK_WMM_GENMC
		__VERIFIER_join_symmetric(t[i]);
#else
		pthread_join(t[i], NULL);
#endif
}

/* A queue client: the main thread takes the latch, starts 2 threads that
 * run the same code, increments a plain counter and unlocks; each thread
 * takes the latch, increments, unlocks. While main holds it both may
 * queue, so headship passes from one queued thread to the next: what a
 * queue lock's hand-over needs (2 threads never queue two), at the cost of
 * a third thread that runs straight through. DECL declares what a thread
 * needs (its queue node), DONE gives it back; the counter must end at 3. */
#define LK_WMM_QUEUE_CLIENT(DECL, LOCK, UNLOCK, DONE)                          \
	static int lk_wmm_counter;                                             \
	static void *lk_wmm_thread(void *arg)                                  \
	{                                                                      \
		(void)arg;                                                     \
		DECL;                                                          \
		LOCK;                                                          \
		lk_wmm_counter++;                                              \
		UNLOCK;                                                        \
		DONE;                                                          \
		return NULL;                                                   \
	}                                                                      \
	int main(void)                                                         \
	{                                                                      \
		lk_wmm_tid_t t[2];                                             \
		DECL;                                                          \
		LOCK;                                                          \
		lk_wmm_same_start(2, lk_wmm_thread, t);                        \
		lk_wmm_counter++;                                              \
		UNLOCK;                                                        \
		DONE;                                                          \
		lk_wmm_same_end(2, t);                                         \
		assert(lk_wmm_counter == 3);                                   \
		return 0;                                                      \
	}

/* A reuse client: 2 threads; thread 0 takes the latch twice, thread 1
 * once (a plain counter incremented under it; it ends at 3). Thread 0's
 * second lock may find the word held by thread 1, which queued while
 * thread 0 held it first: it queues behind thread 1's node, and headship
 * passes from one queued thread to the next, with one thread fewer than
 * the queue client (both threads taking it twice is past what GenMC
 * finishes here). DECL declares what a thread needs (its node), PICK
 * chooses the node of a round, BACK files what the round gave back (a
 * node a lock handed over), DONE frees what the thread owns at the end. */
#define LK_WMM_REUSE_CLIENT(DECL, PICK, LOCK, UNLOCK, BACK, DONE)              \
	static int lk_wmm_counter;                                             \
	static void *lk_wmm_thread(void *arg)                                  \
	{                                                                      \
		long i = (long)arg;                                            \
		DECL;                                                          \
		for (long k = 0; k <= !i; k++) {                               \
			PICK;                                                  \
			LOCK;                                                  \
			lk_wmm_counter++;                                      \
			UNLOCK;                                                \
			BACK;                                                  \
		}                                                              \
		DONE;                                                          \
		return NULL;                                                   \
	}                                                                      \
	int main(void)                                                         \
	{                                                                      \
		lk_wmm_run(2, lk_wmm_thread);                                  \
		assert(lk_wmm_counter == 3);                                   \
		return 0;                                                      \
	}

/* A mutual-exclusion client: N threads each take the latch, increment a
 * plain counter, release it; the counter must end at N. LOCK(i), UNLOCK(i)
 * name the verbs (i: the thread's index); FIRST(i) is a first attempt that
 * may fail (a trylock, or a timedlock, which the mock times out at once),
 * after which the thread takes LOCK: 0 for none. The clients have thread 0
 * try a timedlock first and thread 1 a trylock, so that those verbs'
 * orders are checked too. */
#define LK_WMM_MUTEX_CLIENT(N, FIRST, LOCK, UNLOCK)                            \
	static int lk_wmm_counter;                                             \
	static void *lk_wmm_thread(void *arg)                                  \
	{                                                                      \
		long i = (long)arg;                                            \
		(void)i;                                                       \
		if (!(FIRST(i)))                                               \
			LOCK(i);                                               \
		lk_wmm_counter++;                                              \
		UNLOCK(i);                                                     \
		return NULL;                                                   \
	}                                                                      \
	int main(void)                                                         \
	{                                                                      \
		lk_wmm_run(N, lk_wmm_thread);                                  \
		assert(lk_wmm_counter == N);                                   \
		return 0;                                                      \
	}

/* A reader-writer client: thread 0 writes (x, y) = (1, 1) under the write
 * lock; thread 1 reads both under the read lock and must see (0, 0) or
 * (1, 1); thread 2, when N is 3, is a second writer, (x, y) += (1, 1); at
 * the end x == y == N - 1. WRFIRST(i) and RDFIRST(i) are first attempts
 * that may fail (the writer's a timedlock, the reader's a trylock), as in
 * LK_WMM_MUTEX_CLIENT. */
#define LK_WMM_RW_CLIENT(N, WRFIRST, WRLOCK, WRUNLOCK, RDFIRST, RDLOCK,        \
			 RDUNLOCK)                                             \
	static int lk_wmm_x, lk_wmm_y;                                         \
	static void *lk_wmm_thread(void *arg)                                  \
	{                                                                      \
		long i = (long)arg;                                            \
		if (i == 1) {                                                  \
			if (!(RDFIRST(i)))                                     \
				RDLOCK(i);                                     \
			int a = lk_wmm_x, b = lk_wmm_y;                        \
			RDUNLOCK(i);                                           \
			assert(a == b);                                        \
		} else {                                                       \
			if (!(WRFIRST(i)))                                     \
				WRLOCK(i);                                     \
			lk_wmm_x++;                                            \
			lk_wmm_y++;                                            \
			WRUNLOCK(i);                                           \
		}                                                              \
		return NULL;                                                   \
	}                                                                      \
	int main(void)                                                         \
	{                                                                      \
		lk_wmm_run(N, lk_wmm_thread);                                  \
		assert(lk_wmm_x == N - 1 && lk_wmm_y == N - 1);                \
		return 0;                                                      \
	}

#endif /* LK_WMM_CLIENT_H */
