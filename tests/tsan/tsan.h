/*
 * tests/tsan/tsan.h: what tsan_latch.c (the mutexes and RW latches, the
 * table, the scenarios), tsan_clean.c (the clean runs of latches that are
 * not mutexes), tsan_hb.c (once, barrier, event, latch: happens-before
 * without exclusion) and tsan_cond.c (the condition variable; again in
 * tsan_cond_unannotated.c) share.
 */
#ifndef LATCHKIT_TESTS_TSAN_H
#define LATCHKIT_TESTS_TSAN_H

#include <stdatomic.h>
#include <stdbool.h>

#define MS 1000000u /* nanoseconds */

/* n threads of fn(i), joined */
void run_threads(int n, void *(*fn)(void *));

/* the scenario's data (tsan_shared[kind]), whether it is race-after, and
 * two relaxed flags (no happens-before) that pace a race (tsan_hb.c) */
extern long *shared;
extern bool late;
extern atomic_int flag, done;
/* the scenario's name (tsan_latch.c's run) */
extern const char *scenario;
/* a read's destination, so that it is not optimised away (tsan_hb.c) */
extern long tsan_sink;

/* a section of plain data only the latch orders (tsan_latch.c) */
extern long tsan_count;
void write_section(void);
void read_section(void);

/* the clean runs (tsan_clean.c) */
void sem_clean(void);
void leftright_clean(void);
void seqlock_read_clean(void);
void optlock_read_clean(void);

/* clean and race-after (tsan_hb.c) */
void once_run(void);
void barrier_run(void);
void event_run(void);
void latch_run(void);

/* the condition variable (tsan_cond.c): clean, race-after, race-unchosen;
 * race-before with cond.h's release and acquire defined away
 * (tsan_cond_unannotated.c) */
void cond_run(void);
void cond_unannotated_run(void);

#endif
