/*
 * tests/fenced.h: a tiny fenced store for the lease tests (Kleppmann's
 * fencing): it remembers the largest token it has accepted and refuses a
 * smaller one. One 64-bit word, so it works in memory shared by forked
 * processes as well as between threads; the check and the set are one
 * CAS, as a real store would do them under its own concurrency control.
 * The same rule as dlm/fenced.h (a file per resource), without the files.
 */
#ifndef LK_TEST_FENCED_H
#define LK_TEST_FENCED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct lkt_fenced {
	atomic_ullong max;    /* the largest token accepted */
	atomic_ullong writes; /* accepted writes */
};

/* true: accepted (token >= every token accepted before); false: refused
 * (a newer holder has written), nothing changed. */
static inline bool lkt_fenced_write(struct lkt_fenced *s, uint64_t token)
{
	unsigned long long cur = atomic_load(&s->max);
	do {
		if (token < cur)
			return false;
	} while (!atomic_compare_exchange_weak(&s->max, &cur, token));
	atomic_fetch_add(&s->writes, 1);
	return true;
}

#endif
