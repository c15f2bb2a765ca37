/*
 * bench/coarse.h: the coarse baseline lock table for `make bench`: one
 * pthread mutex over a hash table of per-resource FIFO queues, S/X modes,
 * wait-die (an older txn waits, a younger one dies), strict FIFO grants,
 * release-all at commit. Small and honest: what a lock table looks like
 * before anyone makes it scale. Not a latchkit API.
 */
#ifndef LKB_COARSE_H
#define LKB_COARSE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { LKC_S = 0, LKC_X = 1 };
enum { LKC_OK = 0, LKC_DIE = 1, LKC_NOTHELD = 2 };

typedef struct lkc_req lkc_req_t;
typedef struct lkc_res lkc_res_t;

typedef struct lkc_txn {
	uint64_t ts;        /* age: smaller is older */
	pthread_cond_t cv;  /* signalled when a request of this txn is granted */
	lkc_req_t *reqs;    /* this txn's requests */
	struct lkc_table *t;
} lkc_txn_t;

typedef struct lkc_table {
	pthread_mutex_t m;  /* the one lock over everything */
	uint64_t next_ts;
	uint32_t mask;
	lkc_res_t **b;
	lkc_res_t *free_res;
	lkc_req_t *free_req;
} lkc_table_t;

void lkc_init(lkc_table_t *t, unsigned log2_buckets);
/* Once per txn object (its condition variable); then begin/release_all
 * may reuse it for any number of transactions. */
void lkc_txn_init(lkc_txn_t *x);
void lkc_txn_begin(lkc_table_t *t, lkc_txn_t *x);
/* LKC_OK, or LKC_DIE (the caller must release all and retry). */
int lkc_lock(lkc_txn_t *x, uint64_t key, int mode);
int lkc_unlock(lkc_txn_t *x, uint64_t key);
void lkc_release_all(lkc_txn_t *x);
size_t lkc_request_size(void);

#endif
