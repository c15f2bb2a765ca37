/*
 * verify/wmm/mock.h: the system calls of primitives/base_sys.h, modelled for
 * GenMC (which runs no system call). A client includes this first, then the
 * latch header; base_sys.h's LK_FUTEX_MOCK hook routes clock_gettime, naps
 * and syscall() here.
 *
 * futex(2) as Linux gives it: WAIT compares the word and queues the caller
 * as one step, WAKE dequeues up to n sleepers oldest first (with bitsets:
 * those whose bits meet), CMP_REQUEUE moves sleepers to another word. One
 * mock mutex stands for the kernel's hash-bucket lock, and a seq_cst fence
 * at the entry of each call for the full barriers Linux documents there
 * (smp_mb() (A) before WAIT reads the word, (B) before WAKE looks for
 * sleepers: kernel/futex/waitwake.c). A sleeper then waits
 * on its own flag, in a loop GenMC turns into an assume(). A wake-up gives
 * the woken thread no happens-before edge from its waker (it reads one
 * relaxed flag): the latch must order itself, by re-reading its word.
 *
 * A lost wake-up: the client's main thread calls lk_mock_quiescent(n) once
 * its n threads run, which looks, under the mock mutex, at how many have
 * finished (lk_mock_thread_done()) and how many sleep. GenMC explores every
 * place of that look among the other critical sections; the executions
 * where not every thread has finished or sleeps are dropped (assume), and
 * in the others nobody may sleep: a sleeper with nobody left to wake it is
 * a lost wake-up, an assertion GenMC reports. (GenMC's -check-liveness is
 * not used: it takes a CAS retry loop whose failed CAS read the latest
 * value for a loop that spins for ever.)
 *
 * A timed sleep (a deadline) returns at once, timed out. The clock is a
 * per-thread counter that moves 1 s a read: every spin budget is spent at
 * the second spin step (LK_SPIN_NS 1), so that a waiter takes both the spin
 * and the park path; LK_RELAX_REPEAT 0 and an empty __builtin_ia32_pause()
 * keep the pause instruction out.
 */
#ifndef LK_WMM_MOCK_H
#define LK_WMM_MOCK_H

#define LK_FUTEX_MOCK 1
#define LK_SPIN_NS 1
#define LK_RELAX_REPEAT 0
/* gate.h's arriving thread watches a free word with a running head for
 * this many steps before it takes it: 2 (not 128) fits under -unroll=4,
 * so that the clients reach the take (gate.h's stale-head CAS). */
#define LK__GATE_STALE_STEPS 2u
/* GenMC's interpreter has no x86 intrinsics: the pause becomes nothing */
#define __builtin_ia32_pause() ((void)0)

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#ifdef LK_WMM_GENMC /* wmm.py defines it */
#include <genmc.h>
#endif

#ifndef LK_MOCK_SLEEPERS
#define LK_MOCK_SLEEPERS 4 /* at most one sleep per thread at a time */
#endif

static _Thread_local long lk_mock_now_s_;

int lk_mock_clock_gettime(int clk, struct timespec *ts)
{
	(void)clk;
	ts->tv_sec = ++lk_mock_now_s_;
	ts->tv_nsec = 0;
	return 0;
}

void lk_mock_sleep_ns(uint64_t ns)
{
	(void)ns; /* a nap returns at once */
}

static pthread_mutex_t lk_mock_m_ = PTHREAD_MUTEX_INITIALIZER;
static struct {
	long addr;   /* word slept on; 0: slot free (under lk_mock_m_) */
	uint32_t bits;
	unsigned seq; /* queue order (under lk_mock_m_) */
	atomic_uint woken;
} lk_mock_q_[LK_MOCK_SLEEPERS];
static unsigned lk_mock_seq_;

/* The oldest sleeper on addr whose bits meet `bits`, or -1. */
static int lk_mock_oldest_(long addr, uint32_t bits)
{
	int best = -1;
	for (int i = 0; i < LK_MOCK_SLEEPERS; i++)
		if (lk_mock_q_[i].addr == addr && (lk_mock_q_[i].bits & bits) &&
		    (best < 0 || lk_mock_q_[i].seq < lk_mock_q_[best].seq))
			best = i;
	return best;
}

static long lk_mock_wait_(long addr, uint32_t val, long tp, uint32_t bits)
{
#ifdef LK_MOCK_FUTEX64
	/* The futex word is the low half of a 64-bit atomic the latch accesses
	 * whole (robust.h): read it whole, as GenMC models no mixed-size
	 * access (little-endian: the low half is at the word's address). */
	atomic_ulong *w = (atomic_ulong *)addr;
#else
	atomic_uint *w = (atomic_uint *)addr;
#endif
	/* Linux's smp_mb() (A) in futex_wait_setup(): the word is read after
	 * everything the caller did before the call */
	atomic_thread_fence(memory_order_seq_cst);
	pthread_mutex_lock(&lk_mock_m_);
	if ((uint32_t)atomic_load_explicit(w, memory_order_relaxed) != val) {
		pthread_mutex_unlock(&lk_mock_m_);
		return -1; /* EAGAIN */
	}
	if (tp) { /* a timed sleep: it times out */
		pthread_mutex_unlock(&lk_mock_m_);
		return -1; /* ETIMEDOUT */
	}
	int me = -1;
	for (int i = 0; i < LK_MOCK_SLEEPERS && me < 0; i++)
		if (lk_mock_q_[i].addr == 0)
			me = i;
	assert(me >= 0 && "mock: more sleepers than LK_MOCK_SLEEPERS");
	lk_mock_q_[me].addr = addr;
	lk_mock_q_[me].bits = bits;
	lk_mock_q_[me].seq = lk_mock_seq_++;
	atomic_store_explicit(&lk_mock_q_[me].woken, 0, memory_order_relaxed);
	pthread_mutex_unlock(&lk_mock_m_);
	/* Asleep until a WAKE picks this slot: GenMC's spin-assume. */
	while (!atomic_load_explicit(&lk_mock_q_[me].woken,
				     memory_order_relaxed))
		;
	return 0;
}

static int lk_mock_done_; /* threads finished (under lk_mock_m_) */

/* A client's thread calls this last. */
static void lk_mock_thread_done(void)
{
	pthread_mutex_lock(&lk_mock_m_);
	lk_mock_done_++;
	pthread_mutex_unlock(&lk_mock_m_);
}

/* See the top: main's check for a lost wake-up, n threads. */
static void lk_mock_quiescent(int n)
{
	pthread_mutex_lock(&lk_mock_m_);
	int asleep = 0;
	for (int i = 0; i < LK_MOCK_SLEEPERS; i++)
		asleep += lk_mock_q_[i].addr != 0;
	int done = lk_mock_done_;
	pthread_mutex_unlock(&lk_mock_m_);
#ifdef LK_WMM_GENMC
	__VERIFIER_assume(done + asleep == n);
	assert(asleep == 0 && "lost wake-up: a thread sleeps, none can wake it");
#else
	(void)n; /* a native build (a smoke test of the mock) has no assume */
	(void)done;
	(void)asleep;
#endif
}

/* Wake up to n sleepers on addr, oldest first; under lk_mock_m_. */
static long lk_mock_wake_locked_(long addr, long n, uint32_t bits)
{
	long k = 0;
	for (; k < n; k++) {
		int i = lk_mock_oldest_(addr, bits);
		if (i < 0)
			break;
		lk_mock_q_[i].addr = 0;
		atomic_store_explicit(&lk_mock_q_[i].woken, 1,
				      memory_order_relaxed);
	}
	return k;
}

/* A distinct id per thread, 100 and up. Under GenMC the thread's own
 * index (pthread_self: main 0, then 1, 2, ...): a _Thread_local id taken
 * from a counter was seen shared between threads there (robustd.c). */
static long lk_mock_gettid_(void)
{
#ifdef LK_WMM_GENMC
	return 100 + (long)pthread_self();
#else
	static atomic_long ids = 100;
	static _Thread_local long id;
	if (!id)
		id = atomic_fetch_add_explicit(&ids, 1, memory_order_relaxed);
	return id;
#endif
}

long lk_mock_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	if (nr == SYS_gettid) /* robust.h: a distinct id per thread */
		return lk_mock_gettid_();
	if (nr != SYS_futex) /* sched_getaffinity (barrier.h): not known */
		return -1;
	int op = (int)b & ~FUTEX_PRIVATE_FLAG;
	long k;
	if (op != FUTEX_WAIT && op != FUTEX_WAIT_BITSET)
		/* Linux's smp_mb() (B) in futex_wake(): the caller's stores
		 * before the call come before the look for sleepers */
		atomic_thread_fence(memory_order_seq_cst);
	switch (op) {
	case FUTEX_WAIT:
		return lk_mock_wait_(a, (uint32_t)c, d, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return lk_mock_wait_(a, (uint32_t)c, d, (uint32_t)f);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		pthread_mutex_lock(&lk_mock_m_);
		k = lk_mock_wake_locked_(a, c,
					 op == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY
							  : (uint32_t)f);
		pthread_mutex_unlock(&lk_mock_m_);
		return k;
	case FUTEX_CMP_REQUEUE: /* wake c, then move up to d to e */
		pthread_mutex_lock(&lk_mock_m_);
		if (atomic_load_explicit((atomic_uint *)a,
					 memory_order_relaxed) != (uint32_t)f) {
			pthread_mutex_unlock(&lk_mock_m_);
			return -1; /* EAGAIN */
		}
		k = lk_mock_wake_locked_(a, c, FUTEX_BITSET_MATCH_ANY);
		for (long m = 0; m < d; m++) {
			int i = lk_mock_oldest_(a, FUTEX_BITSET_MATCH_ANY);
			if (i < 0)
				break;
			lk_mock_q_[i].addr = e;
			k++;
		}
		pthread_mutex_unlock(&lk_mock_m_);
		return k;
	default:
		assert(0 && "mock: futex op not modelled");
		return -1;
	}
}

/* wmm.py's reach variants put this in front of one call site's memory
 * order: GenMC then reports whether a client runs that site. */
static inline void lk_wmm_reached(void)
{
	assert(0 && "lk_wmm_reached");
}

#endif /* LK_WMM_MOCK_H */
