/*
 * tests/tsan/tsan_clean.c: the clean runs of the latches that are not
 * mutexes (semaphore, Left-Right, optimistic readers): plain data ordered
 * by them alone, which TSan must not report. The condition variable has
 * tsan_cond.c.
 */
#include <latchkit/barrier.h>
#include <latchkit/brlock.h>
#include <latchkit/clh.h>
#include <latchkit/cond.h>
#include <latchkit/event.h>
#include <latchkit/leftright.h>
#include <latchkit/mcs.h>
#include <latchkit/mutex.h>
#include <latchkit/once.h>
#include <latchkit/optlock.h>
#include <latchkit/pfrwlock.h>
#include <latchkit/reentrant.h>
#include <latchkit/rprwlock.h>
#include <latchkit/rwlock.h>
#include <latchkit/rwmutex.h>
#include <latchkit/sem.h>
#include <latchkit/seqlock.h>
#include <latchkit/tas.h>
#include <latchkit/ticket.h>
#include <latchkit/ttas.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tsan.h"

/* ---- the clean runs of the users that are not mutexes ------------------- */

void run_threads(int n, void *(*fn)(void *))
{
	pthread_t t[8];
	for (long i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, fn, (void *)i))
			abort();
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

/* A bounded buffer: plain slots, ordered only by the two semaphores. */
#define SEM_K 4
#define SEM_N 2000
static lk_sem_t sem_slots, sem_items;
static long sem_buf[SEM_K];

static void sem_take(lk_sem_t *s, int i)
{
	switch (i % 3) {
	case 0:
		lk_sem_wait(s);
		break;
	case 1:
		while (!lk_sem_timedwait(s, 1 * MS))
			;
		break;
	default:
		while (!lk_sem_trywait(s))
			sched_yield();
	}
}

static void *sem_thread(void *arg)
{
	for (int i = 0; i < SEM_N; i++) {
		if (arg) { /* consumer */
			sem_take(&sem_items, i);
			if (sem_buf[i % SEM_K] != i) {
				fprintf(stderr, "sem: slot %d holds %ld\n", i,
					sem_buf[i % SEM_K]);
				exit(1);
			}
			lk_sem_post(&sem_slots);
		} else {
			sem_take(&sem_slots, i + 1);
			sem_buf[i % SEM_K] = i;
			lk_sem_post(&sem_items);
		}
	}
	return NULL;
}

void sem_clean(void)
{
	lk_sem_init(&sem_slots, SEM_K);
	lk_sem_init(&sem_items, 0);
	run_threads(2, sem_thread);
}

/* Left-Right: plain instances; readers wait-free, writers apply twice. */
typedef struct {
	long a, b;
} lr_inst_t;
static lr_inst_t lr_left, lr_right;
static lk_leftright_t lr;

static void lr_apply(void *inst, void *arg)
{
	lr_inst_t *p = inst;
	(void)arg;
	p->a++;
	p->b++;
}

static void *lr_thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 400; i++) {
		if (id < 2) {
			if (i % 4 == 0)
				lk_leftright_write(&lr, lr_apply, NULL);
			continue;
		}
		unsigned t;
		const lr_inst_t *p = lk_leftright_read_begin(&lr, &t);
		if (p->a != p->b) {
			fprintf(stderr, "leftright: torn %ld %ld\n", p->a,
				p->b);
			exit(1);
		}
		lk_leftright_read_end(&lr, t);
	}
	return NULL;
}

void leftright_clean(void)
{
	lk_leftright_init(&lr, &lr_left, &lr_right);
	run_threads(4, lr_thread);
}

/* Optimistic readers beside writers: the data is read and written as
 * relaxed atomic words (lk_seq_load / lk_seq_store), as the headers ask. */
static LK_ATOMIC(uint64_t) opt_data[2];
static lk_seqlock_t seq;
static lk_optlock_t opt;

static void opt_write(uint64_t v)
{
	uint64_t d[2] = {v, v};
	lk_seq_store(opt_data, d, 2);
}

static void opt_check(const uint64_t *d)
{
	if (d[0] != d[1]) {
		fprintf(stderr, "optimistic read torn after validation\n");
		exit(1);
	}
}

static void *seq_thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 400; i++) {
		uint64_t d[2];
		if (id == 0) {
			if (i % 2)
				lk_seqlock_write_lock(&seq);
			else if (!lk_seqlock_write_timedlock(&seq, 50 * MS))
				continue;
			write_section();
			opt_write((uint64_t)tsan_count);
			lk_seqlock_write_unlock(&seq);
		} else if (id == 1) {
			d[0] = d[1] = (uint64_t)i;
			lk_seqlock_write_copy(&seq, opt_data, d, 2);
		} else {
			lk_seqlock_read_copy(&seq, d, opt_data, 2);
			opt_check(d);
		}
	}
	return NULL;
}

void seqlock_read_clean(void)
{
	lk_seqlock_init(&seq);
	run_threads(4, seq_thread);
}

static void *opt_thread(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 400; i++) {
		uint64_t d[2], v;
		if (id == 0) {
			lk_optlock_lock(&opt);
			write_section();
			opt_write((uint64_t)tsan_count);
			lk_optlock_unlock(&opt);
		} else if (lk_optlock_read_begin(&opt, &v)) {
			lk_seq_load(d, opt_data, 2);
			if (!lk_optlock_validate(&opt, v))
				continue;
			opt_check(d);
			if (id == 1 && i % 8 == 0 &&
			    lk_optlock_upgrade(&opt, v)) {
				write_section();
				opt_write((uint64_t)tsan_count);
				lk_optlock_unlock(&opt);
			}
		}
	}
	return NULL;
}

void optlock_read_clean(void)
{
	lk_optlock_init(&opt);
	run_threads(4, opt_thread);
}
