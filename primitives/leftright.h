/*
 * latchkit/leftright.h: Left-Right (Ramalhete, Correia, "Left-Right: A
 * Concurrency Control Technique with Wait-Free Population Oblivious Reads",
 * 2015).
 *
 * The user keeps two instances of its data. Readers arrive on the read
 * indicator of the current version index, read leftRight, use that
 * instance, and depart: no retry, no wait. The writer (one at a time, under
 * an lk_mutex_t) applies its change to the instance readers are not
 * directed to, toggles leftRight, waits until the readers counted under the
 * other version index have left, toggles the version index, waits for the
 * readers under the old one, then applies the same change to the other
 * instance. The apply callback runs twice, once per instance, and must do
 * the same thing both times.
 *
 * Read indicators are striped: LK_LEFTRIGHT_STRIPES cache-line counters per
 * version index (default 16, a power of two); a thread picks its stripe once
 * (a per-thread slot handed out round robin), so readers on different
 * stripes share no written line.
 *
 * Progress: reads are wait-free population oblivious (one fetch_add, two
 * loads, one fetch_sub, whatever other threads do). Writes are blocking:
 * a writer waits for the readers already inside (lk__wait, no park: readers
 * never wake anyone), and new readers do not hold it back, as they arrive
 * on the other indicator; writers are starvation-free if the writer mutex
 * is fair (lk_mutex_t's guarantee decides).
 *
 * Process-shared: no. It holds pointers to the two instances, and its
 * writers' lk_mutex is private.
 *
 * Size: 64 + 64 (writer mutex line) + 2 * LK_LEFTRIGHT_STRIPES * 64 bytes
 * (2176 with 16 stripes).
 *
 * ThreadSanitizer: the writers' lk_mutex_t is annotated (mutex.h), so TSan
 * orders writers and checks lock order through it. Reads are not: they
 * exclude no writer (the writer works on the other instance and waits for
 * them by scanning the indicators), so TSan sees their atomics as they are,
 * and the writer's scan pairs with each departure as in the algorithm.
 *
 * Memory orders (arrive + load leftRight vs. store leftRight + scan is a
 * store-load pair on each side, hence seq_cst there):
 *   read  load version index  relaxed  any index is safe: both indicators
 *                                      are scanned before an instance a
 *                                      reader could hold is written; a fresh
 *                                      one only spares the writer a wait
 *         arrive fetch_add    seq_cst  ordered before the leftRight load
 *         load leftRight      seq_cst  after arrive; acquire: sees the
 *                                      writer's changes to that instance
 *         depart fetch_sub    release  our reads happen before the writer's
 *                                      next change to that instance
 *   write store leftRight     seq_cst  release: publishes the first apply;
 *                                      before the scan (store-load pair)
 *         store version index relaxed  see the load above
 *         scan loads          seq_cst  after the leftRight store; acquire:
 *                                      pairs with depart
 */
#ifndef LATCHKIT_LEFTRIGHT_H
#define LATCHKIT_LEFTRIGHT_H

#include "base.h"
#include "mutex.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef LK_LEFTRIGHT_STRIPES
#define LK_LEFTRIGHT_STRIPES 16
#endif
#if LK_LEFTRIGHT_STRIPES < 1 ||                                                \
	(LK_LEFTRIGHT_STRIPES & (LK_LEFTRIGHT_STRIPES - 1)) != 0
#error "LK_LEFTRIGHT_STRIPES must be a power of two"
#endif

typedef struct {
	LK_ATOMIC(uint32_t) n;
	char pad_[LK_CACHELINE - sizeof(uint32_t)];
} LK_CACHE_ALIGNED lk__lr_stripe_t;

typedef struct {
	/* read mostly: written twice per write */
	LK_ATOMIC(uint32_t) version_index LK_CACHE_ALIGNED;
	LK_ATOMIC(uint32_t) left_right; /* 0: readers use left, 1: right */
	void *inst[2];
	lk_mutex_t wlock LK_CACHE_ALIGNED;
	lk__lr_stripe_t ri[2][LK_LEFTRIGHT_STRIPES];
} lk_leftright_t;

static inline void lk_leftright_init(lk_leftright_t *lr, void *left,
				     void *right)
{
	/* relaxed throughout: initialisation precedes sharing */
	atomic_store_explicit(&lr->version_index, 0, memory_order_relaxed);
	atomic_store_explicit(&lr->left_right, 0, memory_order_relaxed);
	lr->inst[0] = left;
	lr->inst[1] = right;
	lk_mutex_init(&lr->wlock);
	for (int v = 0; v < 2; v++)
		for (int i = 0; i < LK_LEFTRIGHT_STRIPES; i++)
			atomic_store_explicit(&lr->ri[v][i].n, 0,
					      memory_order_relaxed);
}

/* This thread's stripe: handed out round robin on first use. The counter
 * and slot are per translation unit; any stripe is correct, it only spreads
 * readers. */
static inline unsigned lk__lr_slot(void)
{
	static LK_ATOMIC(unsigned) next;
	static LK_THREAD_LOCAL unsigned slot; /* 0: not yet assigned */
	if (lk__unlikely(slot == 0))
		/* relaxed: only a distinct-ish number is needed */
		slot = (atomic_fetch_add_explicit(&next, 1,
						  memory_order_relaxed) %
			LK_LEFTRIGHT_STRIPES) +
		       1;
	return slot - 1;
}

/*
 * Enters a read and returns the instance to read (const: readers must not
 * write it). *token must be handed to read_end. Wait-free.
 */
static inline const void *lk_leftright_read_begin(lk_leftright_t *lr,
						  unsigned *token)
{
	/* relaxed: see the header comment */
	unsigned vi = atomic_load_explicit(&lr->version_index,
					   memory_order_relaxed);
	unsigned t = lk__lr_slot() * 2 + vi;
	/* seq_cst: the arrival is ordered before the leftRight load */
	atomic_fetch_add_explicit(&lr->ri[vi][t >> 1].n, 1,
				  memory_order_seq_cst);
	*token = t;
	/* seq_cst: after the arrival; acquire half: the instance's contents */
	return lr->inst[atomic_load_explicit(&lr->left_right,
					     memory_order_seq_cst)];
}

static inline void lk_leftright_read_end(lk_leftright_t *lr, unsigned token)
{
	/* release: our reads of the instance happen before the writer's next
	 * change to it (the writer's scan reads this value) */
	uint32_t old = atomic_fetch_sub_explicit(
		&lr->ri[token & 1][(token >> 1) % LK_LEFTRIGHT_STRIPES].n, 1,
		memory_order_release);
	LK__CHECK(old != 0, "lk_leftright_read_end",
		  "read_end without read_begin (bad token)");
	(void)old;
}

/* Waits until no reader is counted under version index vi. */
static inline void lk__lr_drain(lk_leftright_t *lr, unsigned vi)
{
	for (int i = 0; i < LK_LEFTRIGHT_STRIPES; i++) {
		lk__wait_t w = lk__wait_start(0);
		/* seq_cst: after the leftRight store; acquire half pairs with
		 * the departing reader's release */
		while (atomic_load_explicit(&lr->ri[vi][i].n,
					    memory_order_seq_cst) != 0)
			lk__wait(&w, NULL, 0); /* readers wake no one */
	}
}

/*
 * Runs apply(instance, arg) on both instances, one at a time, while
 * readers go on reading the other. apply must make the same change to
 * both. Writers are serialised; apply must not call read or write on lr.
 */
static inline void lk_leftright_write(lk_leftright_t *lr,
				      void (*apply)(void *instance, void *arg),
				      void *arg)
{
	lk_mutex_lock(&lr->wlock);
	/* relaxed: only writers store leftRight, and we hold the mutex */
	unsigned lrv = atomic_load_explicit(&lr->left_right,
					    memory_order_relaxed);
	apply(lr->inst[!lrv], arg);
	/* seq_cst: publishes the change to new readers, and is ordered before
	 * the scans below */
	atomic_store_explicit(&lr->left_right, !lrv, memory_order_seq_cst);
	/* relaxed: only writers store it, under the mutex */
	unsigned vi = atomic_load_explicit(&lr->version_index,
					   memory_order_relaxed);
	lk__lr_drain(lr, !vi);
	/* relaxed: see the read_begin comment */
	atomic_store_explicit(&lr->version_index, !vi, memory_order_relaxed);
	lk__lr_drain(lr, vi);
	apply(lr->inst[lrv], arg);
	lk_mutex_unlock(&lr->wlock);
}

#ifdef __cplusplus
}
#endif

#endif /* LATCHKIT_LEFTRIGHT_H */
