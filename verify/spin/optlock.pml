/*
 * optlock.pml: optimistic version latch (LOCKED bit 1, OBSOLETE bit 2,
 * version in steps of 4) with upgrade-by-CAS; 2 processes.
 * Models primitives/optlock.h: lk_optlock_read_begin (lk_optlock wait while
 * LOCKED), lk_optlock_validate, lk_optlock_upgrade, lk_optlock_lock
 * (lk_optlock_acquire_), lk_optlock_unlock (lk_optlock_release_).
 * The data is a counter stored in 2 words.
 *   label    atomic step                                C operation
 *   rbeg     atomic { !(word & L) -> v = word }         load(word, acquire) until !LOCKED
 *   rd1 rd2  r1 = d1; r2 = d2                           the caller's reads (relaxed atomics in C)
 *   rval     word == v ?                                lk_optlock_validate: load(word, acquire) == version (after an acquire fence)
 *   upg      atomic { word == v -> word = v | L }       lk_optlock_upgrade: CAS(word, version, version | LOCKED, acquire)
 *   lock     atomic { !(word & L) -> word = word | L }  lk_optlock_acquire_: load + CAS_weak loop
 *   wd1 wd2  d1 = x; d2 = x                             the holder's writes
 *   unlock   word = word + 3                            store(word, v + 3, release): clears LOCKED, version + 4
 * Each process runs 2 operations, each one of: an optimistic read (a read
 * that validates must see d1 == d2); read-modify-write by upgrade (read d1,
 * validate by upgrading, write d1 + 1, retry from the read if the upgrade
 * fails); read-modify-write under lock. At the end the counter must equal
 * the number of increments (no lost update).
 * unlock_obsolete / OBSOLETE is not modelled.
 * Seeded bug BUG_UPGRADE_ANY: the upgrade locks whatever version is current
 * (CAS from the word it reloads), so an increment based on a stale read is
 * written: a lost update.
 */
// @check validated-read+no-lost-update pass - safety
// @check bug-upgrade-ignores-version fail -DBUG_UPGRADE_ANY safety

#define L 1
byte word, d1, d2;
byte incs;      /* ghost: increments done */
byte nw;        /* ghost: writers inside */
byte done;

active [2] proctype P()
{
	byte i, v, r1, r2;
	for (i : 1 .. 2) {
		if
		:: true ->  /* optimistic read */
rbeg:			atomic { (word & L) == 0 -> v = word };
rd1:			r1 = d1;
rd2:			r2 = d2;
rval:			if
			:: word == v -> assert(r1 == r2)
			:: else   /* the caller retries or gives up */
			fi
		:: true ->  /* read, then upgrade to write */
again:			atomic { (word & L) == 0 -> v = word };
			r1 = d1;
#ifdef BUG_UPGRADE_ANY
			if
			:: atomic { (word & L) == 0 -> word = word | L }
			fi;
#else
upg:			if
			:: atomic { word == v -> word = v | L }
			:: word != v -> goto again
			fi;
#endif
			atomic { nw++; assert(nw == 1) };
wd1:			d1 = r1 + 1;
wd2:			d2 = r1 + 1;
			atomic { incs++; nw-- };
unlock:			word = word + 3
		:: true ->  /* lock, read, write */
lock:			atomic { (word & L) == 0 -> word = word | L };
			atomic { nw++; assert(nw == 1) };
			r1 = d1;
			d1 = r1 + 1;
			d2 = r1 + 1;
			atomic { incs++; nw-- };
			word = word + 3
		fi;
		atomic { v = 0; r1 = 0; r2 = 0 }
	};
	atomic {
		done++;
		if :: done == 2 -> assert(d1 == incs && d2 == incs) :: else fi
	}
}
