/*
 * verify/stress/snapshot.h: the lock table's live view checked while it
 * runs: one lk_snapshot, and no two granted locks on a resource in modes
 * that conflict (the stress programs' monitor threads call it in a loop).
 * Include after stress.h (stress_fail).
 */
#ifndef LATCHKIT_STRESS_SNAPSHOT_H
#define LATCHKIT_STRESS_SNAPSHOT_H

#include <latchkit/lockmgr.h>

static inline void stress_snapshot_check(lk_lockmgr_t *m, lk_lockinfo_t *snap, size_t cap)
{
	const lk_modetable_t *mt = lk_modetable_default();
	size_t n = lk_snapshot(m, snap, cap);
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (snap[i].granted && snap[j].granted &&
			    lk_res_equal(&snap[i].res, &snap[j].res) &&
			    lk_mode_conflicts(mt, snap[i].mode, snap[j].mode))
				stress_fail("snapshot: txn %llu %s and txn %llu %s granted together",
					    (unsigned long long)snap[i].txn_id,
					    mt->names[snap[i].mode],
					    (unsigned long long)snap[j].txn_id,
					    mt->names[snap[j].mode]);
}

#endif
