/*
 * stress_read: seqlock, optimistic latch and Left-Right under sanitizers.
 * Threads are dealt round robin to the three structures. In each, every
 * write sets all NF words to one more than before (under the latch, with
 * jitter between the words); every read checks that the words it accepted
 * are all equal and never older than the last it accepted. At the end the
 * value equals the number of writes counted.
 */
#include <latchkit/leftright.h>
#include <latchkit/optlock.h>
#include <latchkit/seqlock.h>

#include "stress.h"

#define NF 8

static atomic_int stop;

/* ---- seqlock ------------------------------------------------------------- */
static lk_seqlock_t sl = LK_SEQLOCK_INIT;
static LK_ATOMIC(uint64_t) sl_data[NF];
static atomic_ulong sl_writes, sl_reads, sl_retries;

static void sl_write(uint32_t *rs)
{
	lk_seqlock_write_lock(&sl);
	uint64_t v = atomic_load_explicit(&sl_data[0], memory_order_relaxed) + 1;
	for (int i = 0; i < NF; i++) {
		atomic_store_explicit(&sl_data[i], v, memory_order_relaxed);
		stress_jitter(rs);
	}
	lk_seqlock_write_unlock(&sl);
	atomic_fetch_add_explicit(&sl_writes, 1, memory_order_relaxed);
}

static void sl_read(uint32_t *rs, uint64_t *last)
{
	uint64_t v[NF];
	unsigned retries = 0;
	for (;;) {
		uint32_t s = lk_seqlock_read_begin(&sl);
		for (int i = 0; i < NF; i++) {
			lk_seq_load(&v[i], &sl_data[i], 1);
			if ((i & 3) == 3)
				stress_jitter(rs);
		}
		if (!lk_seqlock_read_retry(&sl, s))
			break;
		retries++;
	}
	for (int i = 1; i < NF; i++)
		if (v[i] != v[0])
			stress_fail("seqlock: torn read %llu/%llu at word %d",
				    (unsigned long long)v[0],
				    (unsigned long long)v[i], i);
	if (v[0] < *last)
		stress_fail("seqlock: went back from %llu to %llu",
			    (unsigned long long)*last,
			    (unsigned long long)v[0]);
	*last = v[0];
	/* the one-call form too */
	retries += lk_seqlock_read_copy(&sl, v, sl_data, NF);
	for (int i = 1; i < NF; i++)
		if (v[i] != v[0])
			stress_fail("seqlock: torn read_copy");
	atomic_fetch_add_explicit(&sl_reads, 2, memory_order_relaxed);
	atomic_fetch_add_explicit(&sl_retries, retries, memory_order_relaxed);
}

/* ---- optimistic latch --------------------------------------------------- */
static lk_optlock_t ol = LK_OPTLOCK_INIT;
static LK_ATOMIC(uint64_t) ol_data[NF];
static atomic_ulong ol_writes, ol_valid, ol_invalid;
/* plain: written only under the exclusive lock, so the writers' hand-off
 * (unlock's release, lock's acquire) is all that orders it (TSan checks) */
static unsigned long ol_plain;

static void ol_write_body(uint32_t *rs)
{
	ol_plain++;
	uint64_t v = atomic_load_explicit(&ol_data[0], memory_order_relaxed) + 1;
	for (int i = 0; i < NF; i++) {
		atomic_store_explicit(&ol_data[i], v, memory_order_relaxed);
		stress_jitter(rs);
	}
	atomic_fetch_add_explicit(&ol_writes, 1, memory_order_relaxed);
}

static void ol_step(uint32_t *rs, uint64_t *last, bool writer)
{
	uint64_t ver, v[NF];
	if (!lk_optlock_read_begin(&ol, &ver))
		stress_fail("optlock: obsolete without unlock_obsolete");
	for (int i = 0; i < NF; i++) {
		lk_seq_load(&v[i], &ol_data[i], 1);
		if ((i & 3) == 3)
			stress_jitter(rs);
	}
	uint32_t r = stress_rand(rs);
	if (writer || (r & 15) == 0) {
		/* write: by upgrade of this read, or by plain lock */
		if ((r & 16) && lk_optlock_upgrade(&ol, ver)) {
			for (int i = 1; i < NF; i++)
				if (v[i] != v[0])
					stress_fail("optlock: upgrade after a "
						    "mixed read");
			ol_write_body(rs);
			lk_optlock_unlock(&ol);
			return;
		}
		if (r & 32)
			lk_optlock_lock(&ol);
		else if (!lk_optlock_timedlock(&ol, 1000000))
			return;
		ol_write_body(rs);
		lk_optlock_unlock(&ol);
		return;
	}
	if (!lk_optlock_validate(&ol, ver)) {
		atomic_fetch_add_explicit(&ol_invalid, 1, memory_order_relaxed);
		return;
	}
	for (int i = 1; i < NF; i++)
		if (v[i] != v[0])
			stress_fail("optlock: validated a mixed read %llu/%llu",
				    (unsigned long long)v[0],
				    (unsigned long long)v[i]);
	if (v[0] < *last)
		stress_fail("optlock: went back");
	*last = v[0];
	atomic_fetch_add_explicit(&ol_valid, 1, memory_order_relaxed);
}

/* ---- Left-Right ------------------------------------------------------------- */
typedef struct {
	uint64_t f[NF]; /* plain: Left-Right orders them */
} inst_t;
static inst_t lr_a, lr_b;
static lk_leftright_t lr;
static atomic_ulong lr_writes, lr_reads;

static void lr_apply(void *instance, void *arg)
{
	inst_t *in = (inst_t *)instance;
	uint64_t v = in->f[0] + 1;
	for (int i = 0; i < NF; i++) {
		in->f[i] = v;
		stress_jitter((uint32_t *)arg);
	}
}

static void lr_step(uint32_t *rs, uint64_t *last, bool writer)
{
	uint32_t r = stress_rand(rs);
	if (writer || (r & 31) == 0) {
		lk_leftright_write(&lr, lr_apply, rs);
		atomic_fetch_add_explicit(&lr_writes, 1, memory_order_relaxed);
		return;
	}
	unsigned tok;
	const inst_t *in = (const inst_t *)lk_leftright_read_begin(&lr, &tok);
	uint64_t v0 = in->f[0];
	for (int i = 1; i < NF; i++) {
		if (in->f[i] != v0)
			stress_fail("leftright: mixed instance %llu/%llu",
				    (unsigned long long)v0,
				    (unsigned long long)in->f[i]);
		if ((i & 3) == 3)
			stress_jitter(rs);
	}
	lk_leftright_read_end(&lr, tok);
	if (v0 < *last)
		stress_fail("leftright: went back from %llu to %llu",
			    (unsigned long long)*last, (unsigned long long)v0);
	*last = v0;
	atomic_fetch_add_explicit(&lr_reads, 1, memory_order_relaxed);
}

/* ---- driver ------------------------------------------------------------- */

static void *worker(void *ctx, int id)
{
	(void)ctx;
	uint32_t rs = 0x9e3779b9u * (uint32_t)(id + 1);
	int kind = id % 3;
	bool writer = id < 3; /* the first thread of each kind mostly writes */
	uint64_t last = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		switch (kind) {
		case 0:
			if (writer || (stress_rand(&rs) & 15) == 0)
				sl_write(&rs);
			else
				sl_read(&rs, &last);
			break;
		case 1:
			ol_step(&rs, &last, writer);
			break;
		default:
			lr_step(&rs, &last, writer);
		}
		if (writer)
			stress_jitter(&rs);
	}
	return NULL;
}

static void *timer(void *ctx, int id)
{
	(void)id;
	double secs = *(double *)ctx;
	uint64_t end = stress_now_ns() + (uint64_t)(secs * 1e9);
	while (stress_now_ns() < end) {
		stress_doing("timer");
		usleep(10000);
	}
	atomic_store(&stop, 1);
	return NULL;
}

typedef struct {
	int n;
	double secs;
} run_t;

static void *dispatch(void *ctx, int id)
{
	run_t *r = (run_t *)ctx;
	if (id == r->n)
		return timer(&r->secs, id);
	return worker(NULL, id);
}

int main(int argc, char **argv)
{
	stress_opts_t o = stress_args(argc, argv);
	lk_leftright_init(&lr, &lr_a, &lr_b);
	run_t r = {o.threads, o.seconds};
	stress_watch_name("read (seqlock, optlock, leftright)");
	stress_run(o.threads + 1, dispatch, &r);

	uint64_t v[NF];
	lk_seqlock_read_copy(&sl, v, sl_data, NF);
	if (v[0] != atomic_load(&sl_writes))
		stress_fail("seqlock: %llu writes counted, value %llu",
			    (unsigned long long)atomic_load(&sl_writes),
			    (unsigned long long)v[0]);
	uint64_t ver;
	lk_optlock_read_begin(&ol, &ver);
	lk_seq_load(v, ol_data, NF);
	if (!lk_optlock_validate(&ol, ver) || v[0] != atomic_load(&ol_writes) ||
	    (ver >> 2) != atomic_load(&ol_writes) ||
	    ol_plain != atomic_load(&ol_writes))
		stress_fail("optlock: %llu writes counted, value %llu",
			    (unsigned long long)atomic_load(&ol_writes),
			    (unsigned long long)v[0]);
	for (int i = 0; i < NF; i++)
		if (lr_a.f[i] != atomic_load(&lr_writes) ||
		    lr_b.f[i] != atomic_load(&lr_writes))
			stress_fail("leftright: %llu writes, instances %llu %llu",
				    (unsigned long long)atomic_load(&lr_writes),
				    (unsigned long long)lr_a.f[i],
				    (unsigned long long)lr_b.f[i]);
	printf("stress_read: seqlock %lu writes %lu reads %lu retries; "
	       "optlock %lu writes %lu validated %lu failed; "
	       "leftright %lu writes %lu reads\n",
	       atomic_load(&sl_writes), atomic_load(&sl_reads),
	       atomic_load(&sl_retries), atomic_load(&ol_writes),
	       atomic_load(&ol_valid), atomic_load(&ol_invalid),
	       atomic_load(&lr_writes), atomic_load(&lr_reads));
	return 0;
}
