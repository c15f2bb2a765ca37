/*
 * preload/mutex.c: pthread_mutex_* on the latchkit latch LATCHKIT_LOCK
 * names (mutex ticket mcs clh tas ttas).
 *
 * The latch lives in the pthread_mutex_t (all zero is a free latch of
 * every algorithm, so PTHREAD_MUTEX_INITIALIZER needs no init call):
 * lk_mutex's 4-byte word at offset 20, beside glibc's __kind (16), so
 * that one 8-byte CAS of {__kind, word} from {0, 0} to {0, LOCKED} both
 * tells that the object is latchkit's and takes the latch (and {0, LOCKED}
 * to {0, 0} releases it); lk_ticket, lk_mcs and lk_clh the same way, their
 * gate word at 20 (gate.h: the same CAS 0 -> LOCKED and back uncontended),
 * mcs's and clh's queue tail at 24 (8-aligned, __list.__prev; the header's
 * queue code takes the two fields apart); lk_tas and lk_ttas with their
 * word at 20 too, taken by that CAS (their own exchange writes the same
 * 1), released by their own store after a test of __kind. __kind stays as
 * the program left it and says per object
 * whose it is (preload.h). A normal, default or adaptive, process-private
 * mutex without a priority protocol is latchkit's; recursive,
 * error-checking, robust, process-shared and PI/PP mutexes are glibc's
 * (pthread_mutex_init passes them to glibc's init, which writes a nonzero
 * __kind; their static initialisers have one too).
 *
 * pthread_mutex_lock and _unlock jump through a pointer that pl_init sets
 * once, from LATCHKIT_LOCK and LATCHKIT_PROFILE, to that algorithm's own
 * pair (or the profiled pair, or glibc's): no test of the configuration,
 * no TLS, per call; and at load, got.c points the programs' PLT slots of
 * the two verbs at that pair itself, which saves the jump. (An ifunc
 * would too, but ld.so warns
 * "Relink ... for IFUNC symbol" for every library relocated before a
 * preloaded one that binds the symbol at load time: libzstd and liblzma,
 * which RocksDB loads, are linked with -z now.)
 *
 * Verbs: lock, trylock (EBUSY), timedlock and clocklock (ETIMEDOUT; EINVAL
 * for a bad time, only when the lock is not free at once, as POSIX asks),
 * unlock, destroy (EBUSY while held). ticket, mcs and clh have no timed
 * verb (their headers say why): a timed lock on them polls trylock,
 * napping from 1 us to 1 ms between tries.
 *
 * MCS and CLH: the node serves only while a thread queues (mcs.h: on the
 * stack; clh.h: from a per-thread spare list with no cap), so a thread may
 * hold any number of locks. fork(): the latch is in the object, so the
 * child sees each lock as it was.
 */
#include "preload.h"

/* clh.h's spare nodes from pl_node_alloc, not malloc: a mutex of the
 * allocator's own (jemalloc's) is taken inside malloc, and a CLH node
 * allocated there re-entered it. */
static void *pl_node_alloc(void);
static void pl_node_free(void *p);
#define LK_CLH_NODE_ALLOC() pl_node_alloc()
#define LK_CLH_NODE_FREE(p) pl_node_free(p)
#include <latchkit/clh.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <sys/mman.h>

/* CLH nodes: carved from mmap'd chunks, a free list under a TAS latch
 * (neither calls malloc); never returned to the system. */
typedef union pl_node {
	union pl_node *next;
	lk_clh_node_t node;
} pl_node_t;
static lk_tas_t pl_node_latch = LK_TAS_INIT;
static pl_node_t *pl_node_list;

static void *pl_node_alloc(void)
{
	lk_tas_lock(&pl_node_latch);
	if (!pl_node_list) {
		size_t len = (size_t)1 << 16;
		void *c = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (c == MAP_FAILED) {
			lk_tas_unlock(&pl_node_latch);
			return NULL;
		}
		pl_node_t *n = (pl_node_t *)c;
		for (size_t i = 0; i < len / sizeof(pl_node_t); i++) {
			n[i].next = pl_node_list;
			pl_node_list = &n[i];
		}
	}
	pl_node_t *n = pl_node_list;
	pl_node_list = n->next;
	lk_tas_unlock(&pl_node_latch);
	return n;
}

static void pl_node_free(void *p)
{
	if (!p)
		return;
	pl_node_t *n = (pl_node_t *)p;
	lk_tas_lock(&pl_node_latch);
	n->next = pl_node_list;
	pl_node_list = n;
	lk_tas_unlock(&pl_node_latch);
}

#define KIND_OFF offsetof(struct __pthread_mutex_s, __kind)
_Static_assert(KIND_OFF == 16 && PL_MUTEX_OFF == KIND_OFF + 4 &&
		       offsetof(struct __pthread_mutex_s, __spins) ==
			       PL_MUTEX_OFF,
	       "lk_mutex's word is __spins and __elision, after __kind");
_Static_assert(sizeof(lk_mutex_t) == 4, "lk_mutex fits in __spins");
_Static_assert(LK__GATE_LOCKED == LK_MUTEX_LOCKED_, "one KW_LOCKED");
_Static_assert(offsetof(lk_ticket_t, word) == 0 &&
		       PL_MUTEX_OFF + sizeof(lk_ticket_t) <=
			       offsetof(struct __pthread_mutex_s, __list.__next),
	       "lk_ticket's gate word at 20, the rest before the record");
#define TAIL_OFF offsetof(struct __pthread_mutex_s, __list.__prev)
_Static_assert(TAIL_OFF == PL_MUTEX_OFF + 4 && TAIL_OFF % 8 == 0 &&
		       TAIL_OFF + sizeof(void *) <=
			       offsetof(struct __pthread_mutex_s, __list.__next),
	       "mcs's and clh's tail after the gate word, before the record");
_Static_assert(sizeof(lk_tas_t) == 4 && sizeof(lk_ttas_t) == 4 &&
		       LK_MUTEX_LOCKED_ == 1,
	       "lk_tas's and lk_ttas's word at 20, held is 1 as lk_mutex's");

/* {__kind, lk_mutex's word}, little-endian: the word is the high half. */
#define KW(m) ((uint64_t *)(void *)((char *)(m) + KIND_OFF))
#define KW_LOCKED ((uint64_t)LK_MUTEX_LOCKED_ << 32)

static inline int kind(const pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__data.__kind, __ATOMIC_RELAXED);
}

/* latchkit's? __kind 0: yes. 3 (adaptive, from glibc's static
 * initialiser): made 0 here, once, so that the fast paths test 0 alone
 * (a racing verb sees 3 or 0, latchkit's either way). Anything else:
 * glibc's. */
static bool adopt(pthread_mutex_t *m)
{
	int k = kind(m);
	if (pl_likely(k == 0))
		return true;
	if (k != PTHREAD_MUTEX_ADAPTIVE_NP)
		return false;
	if (__atomic_compare_exchange_n(&m->__data.__kind, &k, 0, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return true;
	return k == 0;
}

bool pl_mutex_is_glibc(pthread_mutex_t *m)
{
	return pl_alg == PL_GLIBC || !adopt(m);
}

/* ---- the algorithms, by switch (inlined fast paths) --------------------- */

#define MX(m) ((lk_mutex_t *)pl_mutex_latch(m))
#define TK(m) ((lk_ticket_t *)pl_mutex_latch(m))
#define TS(m) ((lk_tas_t *)pl_mutex_latch(m))
#define TT(m) ((lk_ttas_t *)pl_mutex_latch(m))
#define GW(m) ((LK_ATOMIC(uint32_t) *)pl_mutex_latch(m)) /* a gate word */
#define MCS_TAIL(m) ((LK_ATOMIC(lk_mcs_node_t *) *)(void *)((char *)(m) + TAIL_OFF))
#define CLH_TAIL(m) ((LK_ATOMIC(lk_clh_node_t *) *)(void *)((char *)(m) + TAIL_OFF))

/* lk_mcs_lock and lk_clh_lock on the fields at 20 and 24: the gate's CAS,
 * else the header's queue (mcs: the node on this stack; clh: a spare). */
__attribute__((noinline)) static void mcs_queue(pthread_mutex_t *m)
{
	lk_mcs_node_t n;
	lk_mcs_queue_(GW(m), MCS_TAIL(m), &n);
}

__attribute__((noinline)) static void clh_queue(pthread_mutex_t *m)
{
	uint32_t back; /* the convenience API keeps no node across the hold */
	lk_clh_queue_spare_(GW(m), CLH_TAIL(m), &back);
}

static inline void alg_lock(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: lk_mutex_lock(MX(m)); break;
	case PL_TICKET: lk_ticket_lock(TK(m)); break;
	case PL_MCS:
		if (!lk__gate_fast(GW(m)))
			mcs_queue(m);
		break;
	case PL_CLH:
		if (!lk__gate_fast(GW(m)))
			clh_queue(m);
		break;
	case PL_TAS: lk_tas_lock(TS(m)); break;
	default: lk_ttas_lock(TT(m)); break;
	}
}

static inline bool alg_trylock(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: return lk_mutex_trylock(MX(m));
	case PL_TICKET: return lk_ticket_trylock(TK(m));
	case PL_MCS:
	case PL_CLH: return lk__gate_trylock(GW(m));
	case PL_TAS: return lk_tas_trylock(TS(m));
	default: return lk_ttas_trylock(TT(m));
	}
}

static inline void alg_unlock(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: lk_mutex_unlock(MX(m)); break;
	case PL_TICKET: lk_ticket_unlock(TK(m)); break;
	case PL_MCS:
	case PL_CLH: lk__gate_unlock(GW(m)); break;
	case PL_TAS: lk_tas_unlock(TS(m)); break;
	default: lk_ttas_unlock(TT(m)); break;
	}
}

static bool alg_is_locked(int a, pthread_mutex_t *m)
{
	switch (a) {
	case PL_MUTEX: return lk_mutex_is_locked(MX(m));
	case PL_TICKET: return lk_ticket_is_locked(TK(m));
	case PL_MCS:
	case PL_CLH: return lk__gate_is_locked(GW(m));
	case PL_TAS: return lk_tas_is_locked(TS(m));
	default: return lk_ttas_is_locked(TT(m));
	}
}

/* Until the monotonic deadline d; true: acquired. */
static bool alg_lock_until(int a, pthread_mutex_t *m, uint64_t d)
{
	uint64_t now = lk__now_ns();
	uint64_t left = d > now ? d - now : 0;
	switch (a) {
	case PL_MUTEX: return lk_mutex_timedlock(MX(m), left);
	case PL_TAS: return lk_tas_timedlock(TS(m), left);
	case PL_TTAS: return lk_ttas_timedlock(TT(m), left);
	default: break;
	}
	/* ticket, mcs, clh: no timed verb; poll with growing naps. */
	uint64_t nap = 1000;
	for (;;) {
		if (alg_trylock(a, m))
			return true;
		now = lk__now_ns();
		if (now >= d)
			return false;
		uint64_t n = d - now < nap ? d - now : nap;
		struct timespec ts = lk__timespec_(n);
		nanosleep(&ts, NULL);
		if (nap < 1000000)
			nap *= 2;
	}
}

/* ---- lock and unlock: one pair per algorithm, chosen once -------------- */

/* Not latchkit's kind 0: an adaptive mutex (made 0, then the algorithm's
 * own verb) or glibc's. Every pair's slow path comes here first. */
__attribute__((noinline)) static int lock_slow(pthread_mutex_t *m)
{
	if (!adopt(m))
		return PL_REAL.mutex_lock(m);
	alg_lock(pl_alg, m);
	return 0;
}

__attribute__((noinline)) static int unlock_slow(pthread_mutex_t *m)
{
	if (!adopt(m))
		return PL_REAL.mutex_unlock(m);
	alg_unlock(pl_alg, m);
	return 0;
}

/* lk_mutex: the kind's test is the latch's CAS. On success e's low half
 * (the kind) is 0, the verb's result: returned from e, it needs no
 * instruction of its own (the CAS left it in the result register). On
 * failure e is what the CAS saw: a latchkit kind goes on as lk_mutex_lock
 * and _unlock do after their own failed CAS (a private mutex: never the
 * SHARED bit), not to a second CAS on a contended line. */
__attribute__((noinline)) static int lock_mutex_slow(pthread_mutex_t *m,
						     uint64_t e)
{
	if ((uint32_t)e != 0) /* adaptive (rare) or glibc's */
		return lock_slow(m);
	(void)lk_mutex_lock_slow_(MX(m), 0);
	return 0;
}

__attribute__((noinline)) static int unlock_mutex_slow(pthread_mutex_t *m,
						       uint64_t e)
{
	if ((uint32_t)e != 0) /* adaptive (rare) or glibc's */
		return unlock_slow(m);
	lk_mutex_unlock_slow_(MX(m), (uint32_t)(e >> 32));
	return 0;
}

/* The kinds whose test is the latch's CAS on the whole first word (the
 * kind, 0, beside the latch word): taken by a CAS from 0 to KW_LOCKED,
 * released by one back; a failed CAS goes to the kind's slow path with
 * the word it saw. Always inlined with the slow path a constant, so each
 * verb is its CAS and a direct call. */
static inline __attribute__((always_inline)) int
kw_lock(pthread_mutex_t *m, int (*slow)(pthread_mutex_t *, uint64_t))
{
	uint64_t e = 0;
	if (pl_likely(__atomic_compare_exchange_n(KW(m), &e, KW_LOCKED, false,
						  __ATOMIC_ACQUIRE,
						  __ATOMIC_RELAXED)))
		return (int)e;
	return slow(m, e);
}

static inline __attribute__((always_inline)) int
kw_unlock(pthread_mutex_t *m, int (*slow)(pthread_mutex_t *, uint64_t))
{
	uint64_t e = KW_LOCKED;
	if (pl_likely(__atomic_compare_exchange_n(KW(m), &e, 0, false,
						  __ATOMIC_RELEASE,
						  __ATOMIC_RELAXED)))
		return (int)e;
	return slow(m, e);
}

static int lock_mutex(pthread_mutex_t *m)
{
	return kw_lock(m, lock_mutex_slow);
}

static int unlock_mutex(pthread_mutex_t *m)
{
	return kw_unlock(m, unlock_mutex_slow);
}

/* lk_ticket: as lk_mutex, on its gate word (gate.h): after a failed CAS
 * on a latchkit kind, lk_ticket_lock's own slow path, and
 * lk__gate_unlock's with the word the CAS saw (a private mutex: never the
 * SHARED bit). */
__attribute__((noinline)) static int lock_ticket_slow(pthread_mutex_t *m,
						      uint64_t e)
{
	if ((uint32_t)e != 0)
		return lock_slow(m);
	lk_ticket_lock_slow_(TK(m));
	return 0;
}

/* ticket, mcs and clh: their gate word's release. */
__attribute__((noinline)) static int unlock_gate_slow(pthread_mutex_t *m,
						      uint64_t e)
{
	if ((uint32_t)e != 0)
		return unlock_slow(m);
	lk__gate_unlock_slow(GW(m), (uint32_t)(e >> 32));
	return 0;
}

static int lock_ticket(pthread_mutex_t *m)
{
	return kw_lock(m, lock_ticket_slow);
}

static int unlock_ticket(pthread_mutex_t *m)
{
	return kw_unlock(m, unlock_gate_slow);
}

/* k, known to be 0, returned from the register that holds it: the
 * compiler would otherwise make a fresh zero (one instruction more per
 * release). */
static inline __attribute__((always_inline)) int pl_zero(int k)
{
	__asm__("" : "+r"(k));
	return k;
}

/* lk_tas and lk_ttas: taken as lk_mutex is (the CAS writes the 1 their
 * exchange would); a failed CAS on a latchkit kind goes on as their lock
 * does after a failed exchange. Released by their own store, after a
 * test of the kind: no atomic read-modify-write where they have none. */
#define PL_WORD_PAIR(name, T, LATCH)                                           \
	__attribute__((noinline)) static int lock_##name##_slow(               \
		pthread_mutex_t *m, uint64_t e)                                \
	{                                                                      \
		if ((uint32_t)e != 0)                                          \
			return lock_slow(m);                                   \
		lk_##name##_lock_slow_(LATCH(m), 0);                           \
		return 0;                                                      \
	}                                                                      \
	static int lock_##name(pthread_mutex_t *m)                             \
	{                                                                      \
		return kw_lock(m, lock_##name##_slow);                         \
	}                                                                      \
	static int unlock_##name(pthread_mutex_t *m)                           \
	{                                                                      \
		int k = kind(m);                                               \
		if (pl_unlikely(k != 0))                                       \
			return unlock_slow(m);                                 \
		lk_##name##_unlock(LATCH(m));                                  \
		return pl_zero(k);                                             \
	}
PL_WORD_PAIR(tas, lk_tas_t, TS)
PL_WORD_PAIR(ttas, lk_ttas_t, TT)

/* lk_mcs and lk_clh: as lk_ticket, on their gate word; a failed CAS on a
 * latchkit kind queues by the header's code. */
#define PL_QUEUE_PAIR(name)                                                 \
	__attribute__((noinline)) static int lock_##name##_slow(               \
		pthread_mutex_t *m, uint64_t e)                                \
	{                                                                      \
		if ((uint32_t)e != 0)                                          \
			return lock_slow(m);                                   \
		name##_queue(m);                                               \
		return 0;                                                      \
	}                                                                      \
	static int lock_##name(pthread_mutex_t *m)                             \
	{                                                                      \
		return kw_lock(m, lock_##name##_slow);                         \
	}                                                                      \
	static int unlock_##name(pthread_mutex_t *m)                           \
	{                                                                      \
		return kw_unlock(m, unlock_gate_slow);                         \
	}
PL_QUEUE_PAIR(mcs)
PL_QUEUE_PAIR(clh)

/* Profiled: a trylock first tells a contended acquisition, whose wait
 * alone is timed; an uncontended one costs a counter in the thread's own
 * block (preload.h, pl_prof_acquired). */
/* A contended acquisition (its first try failed): the wait is timed. */
__attribute__((noinline)) static int lock_prof_wait(pthread_mutex_t *m)
{
	uint64_t t0 = pl_ticks();
	alg_lock(pl_alg, m);
	uint64_t w = pl_ticks() - t0;
	pl_prof_acquired(m, w ? w : 1);
	return 0;
}

/* A nonzero kind: adaptive (made normal) or glibc's. */
__attribute__((noinline)) static int lock_prof_slow(pthread_mutex_t *m)
{
	if (!adopt(m))
		return PL_REAL.mutex_lock(m);
	if (!alg_trylock(pl_alg, m))
		return lock_prof_wait(m);
	pl_prof_acquired(m, 0);
	return 0;
}

__attribute__((noinline)) static int unlock_prof_slow(pthread_mutex_t *m)
{
	if (!adopt(m))
		return PL_REAL.mutex_unlock(m);
	struct pl_thr *t = pl_prof_release(m);
	alg_unlock(pl_alg, m);
	pl_prof_released(t);
	return 0;
}

#define PL_PROF_PAIR(name, A)                                                  \
	static int lock_prof_##name(pthread_mutex_t *m)                        \
	{                                                                      \
		if (pl_unlikely(kind(m) != 0))                                 \
			return lock_prof_slow(m);                              \
		if (pl_unlikely(!alg_trylock(A, m)))                           \
			return lock_prof_wait(m);                              \
		pl_prof_acquired(m, 0);                                        \
		return 0;                                                      \
	}                                                                      \
	static int unlock_prof_##name(pthread_mutex_t *m)                      \
	{                                                                      \
		if (pl_unlikely(kind(m) != 0))                                 \
			return unlock_prof_slow(m);                            \
		struct pl_thr *t = pl_prof_release(m);                         \
		alg_unlock(A, m);                                              \
		pl_prof_released(t);                                           \
		return 0;                                                      \
	}
PL_PROF_PAIR(mutex, PL_MUTEX)
PL_PROF_PAIR(ticket, PL_TICKET)
PL_PROF_PAIR(mcs, PL_MCS)
PL_PROF_PAIR(clh, PL_CLH)
PL_PROF_PAIR(tas, PL_TAS)
PL_PROF_PAIR(ttas, PL_TTAS)

/* LATCHKIT_LOCK unknown or glibc. */
static int lock_glibc(pthread_mutex_t *m)
{
	return PL_REAL.mutex_lock(m);
}

static int unlock_glibc(pthread_mutex_t *m)
{
	return PL_REAL.mutex_unlock(m);
}

/* Before pl_init has run (another library's constructor may lock). */
static int lock_first(pthread_mutex_t *m);
static int unlock_first(pthread_mutex_t *m);

typedef int (*pl_verb_fn)(pthread_mutex_t *);
static pl_verb_fn lock_fn = lock_first, unlock_fn = unlock_first;

void pl_mutex_pick(int alg, bool prof)
{
	static const pl_verb_fn locks[PL_NALG] = {
		[PL_MUTEX] = lock_mutex, [PL_TICKET] = lock_ticket,
		[PL_MCS] = lock_mcs,     [PL_CLH] = lock_clh,
		[PL_TAS] = lock_tas,     [PL_TTAS] = lock_ttas,
		[PL_GLIBC] = lock_glibc,
	};
	static const pl_verb_fn unlocks[PL_NALG] = {
		[PL_MUTEX] = unlock_mutex, [PL_TICKET] = unlock_ticket,
		[PL_MCS] = unlock_mcs,     [PL_CLH] = unlock_clh,
		[PL_TAS] = unlock_tas,     [PL_TTAS] = unlock_ttas,
		[PL_GLIBC] = unlock_glibc,
	};
	static const pl_verb_fn prof_locks[PL_NALG] = {
		[PL_MUTEX] = lock_prof_mutex, [PL_TICKET] = lock_prof_ticket,
		[PL_MCS] = lock_prof_mcs,     [PL_CLH] = lock_prof_clh,
		[PL_TAS] = lock_prof_tas,     [PL_TTAS] = lock_prof_ttas,
		[PL_GLIBC] = lock_glibc,
	};
	static const pl_verb_fn prof_unlocks[PL_NALG] = {
		[PL_MUTEX] = unlock_prof_mutex, [PL_TICKET] = unlock_prof_ticket,
		[PL_MCS] = unlock_prof_mcs,     [PL_CLH] = unlock_prof_clh,
		[PL_TAS] = unlock_prof_tas,     [PL_TTAS] = unlock_prof_ttas,
		[PL_GLIBC] = unlock_glibc,
	};
	__atomic_store_n(&lock_fn, (prof ? prof_locks : locks)[alg],
			 __ATOMIC_RELAXED);
	__atomic_store_n(&unlock_fn, (prof ? prof_unlocks : unlocks)[alg],
			 __ATOMIC_RELAXED);
}

/* pl_ready's acquire load of pl_alg orders the pointers, set before it. */
static int lock_first(pthread_mutex_t *m)
{
	pl_ready();
	return __atomic_load_n(&lock_fn, __ATOMIC_RELAXED)(m);
}

static int unlock_first(pthread_mutex_t *m)
{
	pl_ready();
	return __atomic_load_n(&unlock_fn, __ATOMIC_RELAXED)(m);
}

/* ---- the verbs ---------------------------------------------------------- */

PL_EXPORT int pthread_mutex_lock(pthread_mutex_t *m)
{
	return __atomic_load_n(&lock_fn, __ATOMIC_RELAXED)(m);
}

PL_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m)
{
	return __atomic_load_n(&unlock_fn, __ATOMIC_RELAXED)(m);
}

/* This library's own verbs (not the global lookup's, which a program's
 * own definition would win), for pl_got_patch. */
extern int pl_lock_entry_(pthread_mutex_t *m)
	__attribute__((alias("pthread_mutex_lock"), visibility("hidden"),
		       nonnull(1), nothrow));
extern int pl_unlock_entry_(pthread_mutex_t *m)
	__attribute__((alias("pthread_mutex_unlock"), visibility("hidden"),
		       nonnull(1), nothrow));

void pl_mutex_patch(void)
{
	if (pl_alg == PL_GLIBC)
		return;
	const char *names[2] = {"pthread_mutex_lock", "pthread_mutex_unlock"};
	void *exported[2] = {(void *)pl_lock_entry_, (void *)pl_unlock_entry_};
	void *to[2] = {(void *)__atomic_load_n(&lock_fn, __ATOMIC_RELAXED),
		       (void *)__atomic_load_n(&unlock_fn, __ATOMIC_RELAXED)};
	pl_got_patch(2, names, exported, to);
}

void pl_mutex_release(void *m)
{
	(void)pthread_mutex_unlock(m);
}

void pl_mutex_acquire(void *m)
{
	(void)pthread_mutex_lock(m);
}

PL_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_trylock(m);
	if (!alg_trylock(pl_alg, m)) {
		if (pl_prof)
			pl_prof_busy(m);
		return EBUSY;
	}
	if (pl_prof)
		pl_prof_acquired(m, 0);
	return 0;
}

static int timed(pthread_mutex_t *m, clockid_t clock,
		 const struct timespec *abstime)
{
	if (alg_trylock(pl_alg, m)) {
		if (pl_prof)
			pl_prof_acquired(m, 0);
		return 0;
	}
	uint64_t d, t0 = pl_prof ? pl_ticks() : 0;
	int rc = pl_deadline(clock, abstime, &d);
	if (rc)
		return rc;
	if (!alg_lock_until(pl_alg, m, d))
		return ETIMEDOUT;
	if (pl_prof) {
		uint64_t w = pl_ticks() - t0;
		pl_prof_acquired(m, w ? w : 1);
	}
	return 0;
}
PL_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m,
				      const struct timespec *abstime)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_timedlock(m, abstime);
	return timed(m, CLOCK_REALTIME, abstime);
}

PL_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clock,
				      const struct timespec *abstime)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_clocklock(m, clock, abstime);
	return timed(m, clock, abstime);
}

PL_EXPORT int pthread_mutex_init(pthread_mutex_t *m,
				 const pthread_mutexattr_t *attr)
{
	pl_ready();
	int type = PTHREAD_MUTEX_NORMAL, robust = PTHREAD_MUTEX_STALLED;
	int pshared = PTHREAD_PROCESS_PRIVATE, proto = PTHREAD_PRIO_NONE;
	if (attr) {
		pthread_mutexattr_gettype(attr, &type);
		pthread_mutexattr_getrobust(attr, &robust);
		pthread_mutexattr_getpshared(attr, &pshared);
		pthread_mutexattr_getprotocol(attr, &proto);
	}
	if (pl_alg == PL_GLIBC ||
	    (type != PTHREAD_MUTEX_NORMAL &&
	     type != PTHREAD_MUTEX_ADAPTIVE_NP) ||
	    robust != PTHREAD_MUTEX_STALLED ||
	    pshared != PTHREAD_PROCESS_PRIVATE || proto != PTHREAD_PRIO_NONE)
		return PL_REAL.mutex_init(m, attr);
	memset(m, 0, sizeof *m); /* a free latch, __kind normal, no record */
	if (pl_prof)
		(void)pl_prof_rec(m); /* the site where it was created */
	return 0;
}

PL_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m)
{
	pl_ready();
	if (pl_mutex_is_glibc(m))
		return PL_REAL.mutex_destroy(m);
	if (alg_is_locked(pl_alg, m))
		return EBUSY;
	/* The record stays (its counters are reported); the object may be
	 * freed. Mark the kind so that a use after destroy goes to glibc,
	 * which reports EINVAL, as for its own destroyed mutexes. */
	__atomic_store_n(&m->__data.__kind, -1, __ATOMIC_RELAXED);
	return 0;
}
