/* Optimistic version latch: validation, upgrade, obsolete, exclusion. */
#include <latchkit/optlock.h>
#include <latchkit/seqlock.h> /* lk_seq_load / lk_seq_store */

#include "harness.h"

#include <stdio.h>

Test(optlock, validate_fails_after_a_write)
{
	lk_optlock_t l = LK_OPTLOCK_INIT;
	uint64_t v;
	cr_assert(lk_optlock_read_begin(&l, &v));
	cr_assert(lk_optlock_validate(&l, v));
	lk_optlock_lock(&l);
	cr_assert(!lk_optlock_validate(&l, v), "held: must not validate");
	lk_optlock_unlock(&l);
	cr_assert(!lk_optlock_validate(&l, v), "written: must not validate");
	uint64_t v2;
	cr_assert(lk_optlock_read_begin(&l, &v2));
	cr_assert_neq(v2, v);
	cr_assert(lk_optlock_validate(&l, v2));
	/* every write moves the version: no ABA over many writes */
	for (int i = 0; i < 1000; i++) {
		cr_assert(lk_optlock_trylock(&l));
		lk_optlock_unlock(&l);
		cr_assert(!lk_optlock_validate(&l, v2));
	}
}

Test(optlock, upgrade)
{
	lk_optlock_t l = LK_OPTLOCK_INIT;
	uint64_t v;
	cr_assert(lk_optlock_read_begin(&l, &v));
	cr_assert(lk_optlock_upgrade(&l, v), "nothing moved: upgrade");
	cr_assert(!lk_optlock_trylock(&l), "upgraded: held");
	uint64_t v2;
	cr_assert(!lk_optlock_read_trybegin(&l, &v2), "held: no read");
	cr_assert(!lk_optlock_upgrade(&l, v), "held: no second upgrade");
	lk_optlock_unlock(&l);
	cr_assert(!lk_optlock_upgrade(&l, v), "version moved: upgrade fails");
	cr_assert(lk_optlock_read_begin(&l, &v));
	lk_optlock_lock(&l);
	lk_optlock_unlock(&l);
	cr_assert(!lk_optlock_upgrade(&l, v), "write in between: fails");
	cr_assert(lk_optlock_read_begin(&l, &v));
	cr_assert(lk_optlock_upgrade(&l, v));
	lk_optlock_unlock(&l);
}

Test(optlock, obsolete)
{
	lk_optlock_t l = LK_OPTLOCK_INIT;
	uint64_t v;
	cr_assert(!lk_optlock_is_obsolete(&l));
	cr_assert(lk_optlock_read_begin(&l, &v));
	lk_optlock_lock(&l);
	lk_optlock_unlock_obsolete(&l);
	cr_assert(lk_optlock_is_obsolete(&l));
	cr_assert(!lk_optlock_validate(&l, v));
	uint64_t v2;
	cr_assert(!lk_optlock_read_begin(&l, &v2), "obsolete: restart");
	cr_assert(!lk_optlock_read_trybegin(&l, &v2));
	cr_assert(!lk_optlock_upgrade(&l, v2), "obsolete: no upgrade");
	/* an exclusive lock is still possible and keeps the mark */
	lk_optlock_lock(&l);
	lk_optlock_unlock(&l);
	cr_assert(lk_optlock_is_obsolete(&l));
}

/* Exclusion: an exact counter under lock, trylock, timedlock and upgrade. */
#define THREADS 4
#define ITERS 50000
typedef struct {
	lk_optlock_t l;
	unsigned long counter;
} excl_t;

static void *excl_worker(void *p, int id)
{
	excl_t *c = (excl_t *)p;
	for (int i = 0; i < ITERS; i++) {
		switch ((i + id) & 3) {
		case 0:
			lk_optlock_lock(&c->l);
			break;
		case 1:
			while (!lk_optlock_trylock(&c->l))
				sched_yield();
			break;
		case 2:
			while (!lk_optlock_timedlock(&c->l, 1000000))
				;
			break;
		default:
			for (;;) {
				uint64_t v;
				if (lk_optlock_read_begin(&c->l, &v) &&
				    lk_optlock_upgrade(&c->l, v))
					break;
			}
		}
		c->counter++; /* plain: a race here is what we test for */
		lk_optlock_unlock(&c->l);
	}
	return NULL;
}

Test(optlock, exclusive_lock_excludes)
{
	static excl_t c;
	lk_optlock_init(&c.l);
	c.counter = 0;
	lkt_run(THREADS, excl_worker, &c);
	cr_assert_eq(c.counter, (unsigned long)THREADS * ITERS);
	/* every unlock moved the version by one step */
	uint64_t v;
	cr_assert(lk_optlock_read_begin(&c.l, &v));
	cr_assert_eq(v >> 2, (uint64_t)THREADS * ITERS);
}

/* Concurrent: a read that validates never saw a mixed state. */
#define NF 16
typedef struct {
	lk_optlock_t l;
	LK_ATOMIC(uint64_t) data[NF];
	atomic_int done;
	atomic_ulong validated, failed, mixed_validated, live;
} conc_t;

static void *conc_worker(void *p, int id)
{
	conc_t *c = (conc_t *)p;
	uint64_t v[NF];
	if (id == 0) {
		for (uint64_t k = 1;
		     k <= 20000 || atomic_load(&c->live) < 100000; k++) {
			for (int i = 0; i < NF; i++)
				v[i] = k;
			if (k & 1) {
				lk_optlock_lock(&c->l);
			} else {
				uint64_t ver;
				while (!lk_optlock_read_begin(&c->l, &ver) ||
				       !lk_optlock_upgrade(&c->l, ver))
					;
			}
			lk_seq_store(c->data, v, NF);
			lk_optlock_unlock(&c->l);
			if ((k & 255) == 0)
				sched_yield();
		}
		atomic_store(&c->done, 1);
		return NULL;
	}
	unsigned long ok = 0, bad = 0, mixed = 0;
	while (!atomic_load(&c->done)) {
		uint64_t ver;
		if (!lk_optlock_read_begin(&c->l, &ver))
			continue;
		lk_seq_load(v, c->data, NF);
		bool same = true;
		for (int i = 1; i < NF; i++)
			same &= v[i] == v[0];
		if (lk_optlock_validate(&c->l, ver)) {
			ok++;
			mixed += !same;
		} else {
			bad++;
		}
		atomic_fetch_add_explicit(&c->live, 1, memory_order_relaxed);
	}
	atomic_fetch_add(&c->validated, ok);
	atomic_fetch_add(&c->failed, bad);
	atomic_fetch_add(&c->mixed_validated, mixed);
	return NULL;
}

Test(optlock, validated_reads_are_never_mixed)
{
	static conc_t c;
	memset(&c, 0, sizeof c);
	lk_optlock_init(&c.l);
	lkt_run(4, conc_worker, &c);
	printf("optlock: %lu validated, %lu failed validation, %lu mixed\n",
	       c.validated, c.failed, c.mixed_validated);
	cr_assert_eq(c.mixed_validated, 0);
	cr_assert_gt(c.validated, 0);
}
