/* bench/coarse.c: see coarse.h. Everything happens under t->m. */
#include "coarse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lkc_req {
	lkc_req_t *next;     /* in the resource's queue */
	lkc_req_t *txn_next; /* in the txn's list */
	lkc_txn_t *txn;
	lkc_res_t *res;
	int mode;
	bool granted;
};

struct lkc_res {
	uint64_t key;
	lkc_res_t *hnext;
	lkc_req_t *head, *tail;
};

size_t lkc_request_size(void)
{
	return sizeof(lkc_req_t);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p) {
		fprintf(stderr, "coarse: out of memory\n");
		abort();
	}
	return p;
}

void lkc_init(lkc_table_t *t, unsigned log2_buckets)
{
	pthread_mutex_init(&t->m, NULL);
	t->next_ts = 1;
	t->mask = (1u << log2_buckets) - 1;
	/* written now (not calloc's untouched pages), as the lock table's
	 * one allocation is at create: no first-touch fault in a timed loop */
	size_t nb = ((size_t)t->mask + 1) * sizeof(*t->b);
	t->b = (lkc_res_t **)xmalloc(nb);
	memset(t->b, 0, nb);
	t->free_res = NULL;
	t->free_req = NULL;
}

void lkc_txn_init(lkc_txn_t *x)
{
	pthread_cond_init(&x->cv, NULL);
	x->reqs = NULL;
	x->t = NULL;
	x->ts = 0;
}

void lkc_txn_begin(lkc_table_t *t, lkc_txn_t *x)
{
	x->t = t;
	x->reqs = NULL;
	pthread_mutex_lock(&t->m);
	x->ts = t->next_ts++;
	pthread_mutex_unlock(&t->m);
}

static uint32_t bucket(const lkc_table_t *t, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 40) & t->mask;
}

static lkc_res_t *find(lkc_table_t *t, uint64_t key, bool create)
{
	lkc_res_t **pp = &t->b[bucket(t, key)];
	for (lkc_res_t *r = *pp; r; r = r->hnext)
		if (r->key == key)
			return r;
	if (!create)
		return NULL;
	lkc_res_t *r = t->free_res;
	if (r)
		t->free_res = r->hnext;
	else
		r = (lkc_res_t *)xmalloc(sizeof(*r));
	r->key = key;
	r->head = r->tail = NULL;
	r->hnext = *pp;
	*pp = r;
	return r;
}

static bool compatible(int a, int b)
{
	return a == LKC_S && b == LKC_S;
}

/* Grants waiters from the front while they fit (strict FIFO). */
static void regrant(lkc_res_t *r)
{
	for (lkc_req_t *q = r->head; q; q = q->next) {
		if (q->granted)
			continue;
		bool ok = true;
		for (lkc_req_t *g = r->head; g != q; g = g->next)
			if (!compatible(g->mode, q->mode))
				ok = false;
		if (!ok)
			return;
		q->granted = true;
		pthread_cond_signal(&q->txn->cv);
	}
}

static void drop_res_if_empty(lkc_table_t *t, lkc_res_t *r)
{
	if (r->head)
		return;
	lkc_res_t **pp = &t->b[bucket(t, r->key)];
	while (*pp != r)
		pp = &(*pp)->hnext;
	*pp = r->hnext;
	r->hnext = t->free_res;
	t->free_res = r;
}

int lkc_lock(lkc_txn_t *x, uint64_t key, int mode)
{
	lkc_table_t *t = x->t;
	pthread_mutex_lock(&t->m);
	lkc_res_t *r = find(t, key, true);
	bool must_wait = false;
	for (lkc_req_t *q = r->head; q; q = q->next) {
		if (q->txn == x) { /* re-lock: only an equal or weaker mode */
			int rc = q->mode >= mode ? LKC_OK : LKC_DIE;
			pthread_mutex_unlock(&t->m);
			return rc;
		}
		/* strict FIFO: wait behind any waiter or conflicting holder */
		if (!q->granted || !compatible(q->mode, mode)) {
			must_wait = true;
			if (q->txn->ts < x->ts) { /* an older one ahead: die */
				drop_res_if_empty(t, r);
				pthread_mutex_unlock(&t->m);
				return LKC_DIE;
			}
		}
	}
	lkc_req_t *q = t->free_req;
	if (q)
		t->free_req = q->next;
	else
		q = (lkc_req_t *)xmalloc(sizeof(*q));
	q->next = NULL;
	q->txn = x;
	q->res = r;
	q->mode = mode;
	q->granted = !must_wait;
	if (r->tail)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	q->txn_next = x->reqs;
	x->reqs = q;
	while (!q->granted)
		pthread_cond_wait(&x->cv, &t->m);
	pthread_mutex_unlock(&t->m);
	return LKC_OK;
}

static void remove_req(lkc_table_t *t, lkc_req_t *q)
{
	lkc_res_t *r = q->res;
	lkc_req_t **pp = &r->head, *prev = NULL;
	while (*pp != q) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = q->next;
	if (r->tail == q)
		r->tail = prev;
	q->next = t->free_req;
	t->free_req = q;
	regrant(r);
	drop_res_if_empty(t, r);
}

int lkc_unlock(lkc_txn_t *x, uint64_t key)
{
	lkc_table_t *t = x->t;
	pthread_mutex_lock(&t->m);
	for (lkc_req_t **pp = &x->reqs; *pp; pp = &(*pp)->txn_next) {
		lkc_req_t *q = *pp;
		if (q->res->key == key) {
			*pp = q->txn_next;
			remove_req(t, q);
			pthread_mutex_unlock(&t->m);
			return LKC_OK;
		}
	}
	pthread_mutex_unlock(&t->m);
	return LKC_NOTHELD;
}

void lkc_release_all(lkc_txn_t *x)
{
	lkc_table_t *t = x->t;
	pthread_mutex_lock(&t->m);
	while (x->reqs) {
		lkc_req_t *q = x->reqs;
		x->reqs = q->txn_next;
		remove_req(t, q);
	}
	pthread_mutex_unlock(&t->m);
}
