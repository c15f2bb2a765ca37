/*
 * seqlock.pml: sequence lock with a writer latch; 2 writers, 1 reader.
 * Models primitives/seqlock.h: lk_seqlock_write_lock / _unlock (through
 * lk_seqcount_write_begin / _end) and lk_seqlock_read_begin /
 * lk_seqlock_read_retry (lk_seqcount_read_begin, lk_seqcount_read_wait_).
 * The data is 2 words; write number k stores k into both, so a read that
 * validates must see equal words equal to seq/2 at its begin (not torn, not
 * a mix of two versions).
 *   label    atomic step                          C operation
 *   wlatch   atomic { latch == 0 -> latch = 1 }   lk_seqlock_latch_: CAS/exchange on the latch word
 *                                                 (a futex mutex; its parking is not modelled here)
 *   wbeg     seq++ (odd)                          load(seq, relaxed); store(seq, v + 1, relaxed) (+ release fence)
 *   wd1 wd2  d1 = k; d2 = k                       lk_seq_store: relaxed atomic stores of the words
 *   wend     seq++ (even)                         store(seq, v + 1, release)
 *   unlatch  latch = 0                            release of the latch (+ wake)
 *   rbeg     (seq even) -> s = seq                load(seq, acquire), lk_seqcount_read_wait_ while odd
 *   rd1 rd2  r1 = d1; r2 = d2                     lk_seq_load: relaxed atomic loads (+ acquire fence)
 *   rchk     seq == s ?                           lk_seqcount_read_retry: load(seq) != start
 * Each writer writes twice, the reader reads 3 times (retrying as needed).
 * Seeded bugs: BUG_NO_RETRY: the reader skips the retry check;
 * BUG_ODD: read_begin does not wait for an even count.
 */
// @check validated-read-consistent pass - safety
// @check bug-reader-skips-retry fail -DBUG_NO_RETRY safety
// @check bug-begin-accepts-odd fail -DBUG_ODD safety

bit latch;
byte seq, d1, d2, k;
byte nw;

active [2] proctype Writer()
{
	byte i;
	for (i : 1 .. 2) {
wlatch:		atomic { latch == 0 -> latch = 1 };
		atomic { nw++; assert(nw == 1) };
wbeg:		seq++;
		k = seq / 2 + 1;
wd1:		d1 = k;
wd2:		d2 = k;
wend:		seq++;
		atomic { nw--; k = 0 };
unlatch:	latch = 0
	}
}

active proctype Reader()
{
	byte i, s, r1, r2;
	for (i : 1 .. 3) {
again:
#ifdef BUG_ODD
rbeg:		s = seq;
#else
rbeg:		atomic { (seq % 2 == 0) -> s = seq };
#endif
rd1:		r1 = d1;
rd2:		r2 = d2;
#ifndef BUG_NO_RETRY
rchk:		if
		:: seq != s -> goto again
		:: else
		fi;
#endif
		assert(r1 == r2 && r1 == s / 2);
		atomic { s = 0; r1 = 0; r2 = 0 }
	}
}
