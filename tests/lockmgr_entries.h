/*
 * tests/lockmgr_entries.h: the lock table's snapshot counted, for the
 * tests that check what a txn still holds or waits for.
 */
#ifndef LATCHKIT_TESTS_LOCKMGR_ENTRIES_H
#define LATCHKIT_TESTS_LOCKMGR_ENTRIES_H

#include <criterion/criterion.h>
#include <latchkit/lockmgr.h>
#include <stddef.h>
#include <stdint.h>

/* Entries of the snapshot that belong to txn id (0: all); *waiting (if
 * not NULL): how many of them wait. */
static inline size_t entries_of(lk_lockmgr_t *m, uint64_t id, size_t *waiting)
{
	lk_lockinfo_t info[256];
	size_t n = lk_snapshot(m, info, 256), k = 0, w = 0;
	cr_assert(n <= 256);
	for (size_t i = 0; i < n; i++)
		if (!id || info[i].txn_id == id) {
			k++;
			w += info[i].waiting;
		}
	if (waiting)
		*waiting = w;
	return k;
}

#endif
