/*
 * tests/lockmgr_unit.h: what test_lockmgr.c and test_lockmgr_threads.c
 * share: a manager with a given policy, FIFO rule and escalation
 * threshold (64 txns, 4096 requests), a txn, and advisory resources.
 */
#ifndef LATCHKIT_TESTS_LOCKMGR_UNIT_H
#define LATCHKIT_TESTS_LOCKMGR_UNIT_H

#include "harness.h"

#include <latchkit/lockmgr.h>

static inline lk_lockmgr_t *mk(int policy, bool strict, uint32_t esc)
{
	lk_lockmgr_config_t c;
	lk_lockmgr_config_init(&c);
	c.policy = policy;
	c.fifo_strict = strict;
	c.escalation_threshold = esc;
	c.max_txns = 64;
	c.max_requests = 4096;
	lk_lockmgr_t *m = NULL;
	cr_assert_eq(lk_lockmgr_create(&c, &m), LK_OK);
	return m;
}

static inline lk_txn_t *begin(lk_lockmgr_t *m)
{
	lk_txn_t *t = NULL;
	cr_assert_eq(lk_txn_begin(m, &t), LK_OK);
	return t;
}

/* advisory resources, no hierarchy */
static const lk_res_t R1 = {LK_RES_ADVISORY, {1, 0, 0, 0}};
static const lk_res_t R2 = {LK_RES_ADVISORY, {2, 0, 0, 0}};
static const lk_res_t R3 = {LK_RES_ADVISORY, {3, 0, 0, 0}};

#endif
