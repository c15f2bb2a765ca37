/*
 * tests/lockmgr_shm.h: what the shared lock table's tests share
 * (test_lockmgr_shm.c, test_lockmgr_shm_kill.c): a table in a memfd, the
 * table and fd under test, a child that dies with the test, resources,
 * the snapshot's entries (lockmgr_entries.h), and a kill that must find
 * its child running.
 */
#ifndef LATCHKIT_TESTS_LOCKMGR_SHM_H
#define LATCHKIT_TESTS_LOCKMGR_SHM_H

#include <latchkit/base.h> /* the spin budget: lk__park_ns_ */
#include <latchkit/lockmgr.h>
#include <stdint.h>
#include "lockmgr_entries.h"
#include "pshared.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define SEC 1000000000ull

static lk_lockmgr_t *g_m;
static int g_fd;

static inline lk_lockmgr_t *mk(int *fdp, int pol)
{
	lk_lockmgr_config_t cfg;
	lk_lockmgr_config_init(&cfg);
	cfg.max_txns = 64;
	cfg.max_requests = 1024;
	cfg.policy = pol;
	cfg.hierarchy = false;
	int fd = memfd_create("lk-shm-test", 0);
	cr_assert(fd >= 0);
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create_shared(fd, &cfg, &m), LK_OK);
	cr_assert_not_null(m);
	*fdp = fd;
	return m;
}

/* A child dies with the test (a failed assertion must not leave workers
 * paused for ever). */
static inline void orphan_dies(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(99);
}

static inline lk_res_t R(uint32_t i)
{
	return lk_res_user(LK_RES_ADVISORY, i, 0, 0, 0);
}

static inline void kill_join(pid_t c)
{
	cr_assert_eq(kill(c, SIGKILL), 0);
	int rc = lkp_join(c);
	cr_assert_eq(rc, -1, "the child ended before the kill, with %d", rc);
}

#endif
