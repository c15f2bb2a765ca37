/* tests/test_rwmutex.c: the parking RW lock with an upgradable (U) mode. */
#include <latchkit/rwmutex.h>
#include <string.h>

#define RW_NAME rwmutex
#define RW_INIT LK_RWMUTEX_INIT
#define RW_READERS_FAIR 1
#include "rw_suite.h"

Test(rwmutex, size)
{
	cr_assert_eq(sizeof(lk_rwmutex_t), 12);
}

/* ---- one attempt from another thread -------------------------------------- */

static lk_rwmutex_t m;
enum { P_RD, P_WR, P_UP, P_UPTIMED };
static int probe_op;
static bool probe_got;
static uint64_t probe_elapsed;

static void *probe_fn(void *ctx, int id)
{
	(void)ctx;
	(void)id;
	uint64_t t0 = lkt_now_ns();
	switch (probe_op) {
	case P_RD:
		probe_got = lk_rwmutex_rdtrylock(&m);
		if (probe_got)
			lk_rwmutex_rdunlock(&m);
		break;
	case P_WR:
		probe_got = lk_rwmutex_wrtrylock(&m);
		if (probe_got)
			lk_rwmutex_wrunlock(&m);
		break;
	case P_UP:
		probe_got = lk_rwmutex_uptrylock(&m);
		if (probe_got)
			lk_rwmutex_upunlock(&m);
		break;
	default:
		probe_got = lk_rwmutex_uptimedlock(&m, 50000000u);
		if (probe_got)
			lk_rwmutex_upunlock(&m);
		break;
	}
	probe_elapsed = lkt_now_ns() - t0;
	return NULL;
}

static bool probe(int op)
{
	probe_op = op;
	lkt_run(1, probe_fn, NULL);
	return probe_got;
}

Test(rwmutex, u_coexists_with_readers_not_with_u_or_x)
{
	lk_rwmutex_init(&m);
	lk_rwmutex_uplock(&m);
	cr_assert(probe(P_RD), "a reader beside U");
	cr_assert_not(probe(P_UP), "a second U");
	cr_assert_not(probe(P_WR), "a writer beside U");
	lk_rwmutex_rdlock(&m); /* as if another reader: U and R together */
	lk_rwmutex_rdunlock(&m);
	lk_rwmutex_upunlock(&m);

	lk_rwmutex_rdlock(&m);
	cr_assert(probe(P_UP), "U beside a reader");
	lk_rwmutex_rdunlock(&m);

	lk_rwmutex_wrlock(&m);
	cr_assert_not(probe(P_UP), "U beside a writer");
	cr_assert_not(probe(P_RD), "a reader beside a writer");
	lk_rwmutex_wrunlock(&m);
	cr_assert(probe(P_UP));
	cr_assert(probe(P_WR));
}

Test(rwmutex, uptimedlock_times_out_and_stays_usable)
{
	lk_rwmutex_init(&m);
	lk_rwmutex_uplock(&m);
	cr_assert_not(probe(P_UPTIMED));
	cr_assert_geq(probe_elapsed, 50000000u);
	cr_assert_lt(probe_elapsed, 50000000u + RWS_SLACK_NS);
	lk_rwmutex_upunlock(&m);
	lk_rwmutex_wrlock(&m);
	cr_assert_not(probe(P_UPTIMED));
	cr_assert_geq(probe_elapsed, 50000000u);
	lk_rwmutex_wrunlock(&m);
	cr_assert(probe(P_UPTIMED));
	cr_assert(probe(P_WR));
}

/* ---- two would-be upgraders are serialized -------------------------------- */

static atomic_int held0, released0, u_overlap;

static void *two_up_fn(void *ctx, int id)
{
	(void)ctx;
	if (id == 0) {
		lk_rwmutex_uplock(&m);
		atomic_store(&held0, 1);
		lkt_sleep_ms(50); /* the other would-be upgrader must wait */
		lk_rwmutex_upgrade(&m);
		atomic_store(&released0, 1);
		lk_rwmutex_wrunlock(&m);
		return NULL;
	}
	while (!atomic_load(&held0))
		sched_yield();
	lk_rwmutex_uplock(&m);
	if (!atomic_load(&released0))
		atomic_store(&u_overlap, 1);
	lk_rwmutex_upgrade(&m);
	lk_rwmutex_wrunlock(&m);
	return NULL;
}

Test(rwmutex, two_upgraders_serialized)
{
	lk_rwmutex_init(&m);
	lkt_run(2, two_up_fn, NULL);
	cr_assert_eq(atomic_load(&u_overlap), 0, "two U holders at once");
	cr_assert(atomic_load(&released0));
	cr_assert(probe(P_WR));
}

/* ---- upgrade waits for readers, then excludes them ------------------------- */

static atomic_int rd_hold, rd_in, up_done, up_x;

static void *upg_fn(void *ctx, int id)
{
	(void)ctx;
	if (id == 0) { /* a reader that holds until told */
		lk_rwmutex_rdlock(&m);
		atomic_store(&rd_in, 1);
		while (!atomic_load(&rd_hold))
			sched_yield();
		if (atomic_load(&up_done))
			atomic_store(&up_x, -1); /* X while we read */
		lk_rwmutex_rdunlock(&m);
		return NULL;
	}
	while (!atomic_load(&rd_in))
		sched_yield();
	lk_rwmutex_uplock(&m);
	lk_rwmutex_upgrade(&m);
	atomic_store(&up_done, 1);
	lk_rwmutex_wrunlock(&m);
	return NULL;
}

static void *upg_release(void *ctx, int id)
{
	(void)ctx;
	(void)id;
	/* Give the upgrader time to announce and wait. */
	lkt_sleep_ms(100);
	/* It must still wait (our reader is in) ... */
	if (atomic_load(&up_done))
		atomic_store(&up_x, -2);
	/* ... and new readers are held back meanwhile. */
	if (lk_rwmutex_rdtrylock(&m)) {
		lk_rwmutex_rdunlock(&m);
		atomic_store(&up_x, -3);
	}
	atomic_store(&rd_hold, 1);
	return NULL;
}

static void *upg_group(void *ctx, int id)
{
	if (id < 2)
		return upg_fn(ctx, id);
	return upg_release(ctx, id);
}

Test(rwmutex, upgrade_waits_for_readers_then_excludes_them)
{
	lk_rwmutex_init(&m);
	lkt_run(3, upg_group, NULL);
	cr_assert_neq(atomic_load(&up_x), -1, "upgrade finished with a reader inside");
	cr_assert_neq(atomic_load(&up_x), -2, "upgrade did not wait for the reader");
	cr_assert_neq(atomic_load(&up_x), -3, "a new reader got in past a pending upgrade");
	cr_assert(atomic_load(&up_done));
	cr_assert(probe(P_WR));
}

/* ---- downgrades ------------------------------------------------------------ */

static atomic_int dg_in;
static void *dg_reader(void *ctx, int id)
{
	(void)ctx;
	(void)id;
	lk_rwmutex_rdlock(&m);
	atomic_fetch_add(&dg_in, 1);
	lk_rwmutex_rdunlock(&m);
	return NULL;
}

static void *dg_spawn(void *arg)
{
	lkt_run(2, dg_reader, arg);
	return NULL;
}

Test(rwmutex, downgrade_admits_waiting_readers)
{
	lk_rwmutex_init(&m);
	lk_rwmutex_wrlock(&m);
	pthread_t th;
	cr_assert_eq(pthread_create(&th, NULL, dg_spawn, NULL), 0);
	lkt_sleep_ms(50);
	cr_assert_eq(atomic_load(&dg_in), 0, "readers inside with a writer");
	lk_rwmutex_downgrade(&m);
	/* We still read; the waiting readers come in beside us. */
	uint64_t end = lkt_now_ns() + RWS_PATIENCE_NS;
	while (atomic_load(&dg_in) < 2 && lkt_now_ns() < end)
		sched_yield();
	cr_assert_eq(atomic_load(&dg_in), 2);
	cr_assert_not(probe(P_WR), "a writer beside our read lock");
	cr_assert(probe(P_UP), "U beside our read lock");
	lk_rwmutex_rdunlock(&m);
	lkt_join(th, 0, "its lock and wait calls");

	lk_rwmutex_uplock(&m);
	lk_rwmutex_updowngrade(&m); /* U -> R: the token is free again */
	cr_assert(probe(P_UP));
	cr_assert_not(probe(P_WR));
	lk_rwmutex_rdunlock(&m);
	cr_assert(probe(P_WR));
}

/* ---- readers + upgraders + writers mixed: no deadlock, exact counts -------- */

#define MX_X (1 << 20)
#define MX_U (1 << 10)
typedef struct {
	lk_rwmutex_t l;
	atomic_int occ; /* readers + MX_U per U holder + MX_X per X holder */
	atomic_int bad;
	long count;     /* written under X only */
	atomic_long xs; /* X sections (incl. upgraded ones) */
	atomic_long rs, us;
	uint64_t end_ns;
} mx_t;
static mx_t mx;

static void mx_check_r(void)
{
	if (atomic_load(&mx.occ) >= MX_X)
		atomic_fetch_add(&mx.bad, 1);
}

static void *mx_fn(void *ctx, int id)
{
	(void)ctx;
	uint32_t s = 2654435761u * (uint32_t)(id + 1);
	for (int i = 0; i < 200000; i++) {
		if ((i & 15) == 0 && lkt_now_ns() > mx.end_ns)
			break;
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		unsigned r = s % 100;
		if (r < 70) { /* R */
			if ((s >> 12) % 8 == 0) {
				if (!lk_rwmutex_rdtimedlock(&mx.l, 200000u))
					continue;
			} else {
				lk_rwmutex_rdlock(&mx.l);
			}
			atomic_fetch_add(&mx.occ, 1);
			mx_check_r();
			atomic_fetch_sub(&mx.occ, 1);
			atomic_fetch_add(&mx.rs, 1);
			lk_rwmutex_rdunlock(&mx.l);
		} else if (r < 85) { /* U, maybe upgraded */
			if ((s >> 12) % 4 == 0) {
				if (!lk_rwmutex_uptimedlock(&mx.l, 200000u))
					continue;
			} else {
				lk_rwmutex_uplock(&mx.l);
			}
			int o = atomic_fetch_add(&mx.occ, MX_U);
			if (o >= MX_U) /* another U or an X */
				atomic_fetch_add(&mx.bad, 1);
			atomic_fetch_add(&mx.us, 1);
			if ((s >> 16) & 1) {
				lk_rwmutex_upgrade(&mx.l);
				if (atomic_fetch_add(&mx.occ, MX_X - MX_U) != MX_U)
					atomic_fetch_add(&mx.bad, 1);
				mx.count++;
				atomic_fetch_add(&mx.xs, 1);
				if ((s >> 17) & 1) {
					atomic_fetch_sub(&mx.occ, MX_X - 1);
					lk_rwmutex_downgrade(&mx.l);
					mx_check_r();
					atomic_fetch_sub(&mx.occ, 1);
					lk_rwmutex_rdunlock(&mx.l);
				} else {
					atomic_fetch_sub(&mx.occ, MX_X);
					lk_rwmutex_wrunlock(&mx.l);
				}
			} else if ((s >> 17) & 1) {
				atomic_fetch_sub(&mx.occ, MX_U - 1);
				lk_rwmutex_updowngrade(&mx.l);
				mx_check_r();
				atomic_fetch_sub(&mx.occ, 1);
				lk_rwmutex_rdunlock(&mx.l);
			} else {
				atomic_fetch_sub(&mx.occ, MX_U);
				lk_rwmutex_upunlock(&mx.l);
			}
		} else { /* X */
			if ((s >> 12) % 4 == 0) {
				if (!lk_rwmutex_wrtimedlock(&mx.l, 200000u))
					continue;
			} else {
				lk_rwmutex_wrlock(&mx.l);
			}
			if (atomic_fetch_add(&mx.occ, MX_X) != 0)
				atomic_fetch_add(&mx.bad, 1);
			mx.count++;
			atomic_fetch_add(&mx.xs, 1);
			atomic_fetch_sub(&mx.occ, MX_X);
			lk_rwmutex_wrunlock(&mx.l);
		}
	}
	return NULL;
}

static void mixed(int threads)
{
	memset(&mx, 0, sizeof mx);
	lk_rwmutex_init(&mx.l);
	mx.end_ns = lkt_now_ns() + 400000000ull;
	lkt_run(threads, mx_fn, NULL);
	cr_assert_eq(atomic_load(&mx.bad), 0, "%d violations", atomic_load(&mx.bad));
	cr_assert_eq(mx.count, atomic_load(&mx.xs));
	cr_assert_gt(atomic_load(&mx.rs), 0);
	cr_assert_gt(atomic_load(&mx.us), 0);
	cr_assert_gt(atomic_load(&mx.xs), 0);
	cr_assert_eq(atomic_load(&mx.occ), 0);
	/* Free and quiet afterwards: only PHASE may remain set. */
	cr_assert_eq(atomic_load(&mx.l.state) & ~LK__RWM_PHASE, 0u,
		     "state left 0x%x", atomic_load(&mx.l.state));
	cr_assert(lk_rwmutex_wrtrylock(&mx.l));
	lk_rwmutex_wrunlock(&mx.l);
}

Test(rwmutex, mixed_r_u_x_2_threads, .timeout = 60) { mixed(2); }
Test(rwmutex, mixed_r_u_x_8_threads, .timeout = 60) { mixed(8); }
