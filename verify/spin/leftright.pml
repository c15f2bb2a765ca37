/*
 * leftright.pml: Left-Right (Ramalhete & Correia) with two read indicators
 * and a version index; 2 readers, 1 writer (writers are serialized by the
 * writer mutex, so one writer shows every writer interleaving).
 * Models primitives/leftright.h: lk_leftright_read_begin / read_end and
 * lk_leftright_write with lk__lr_drain. One stripe per indicator (stripes
 * only spread the counter over cache lines; the drain scans them all).
 *   label    atomic step                        C operation
 *   rvi      vi = version_index                 load(version_index, relaxed)
 *   rarr     ri[vi]++                           fetch_add(ri[vi][slot].n, 1, seq_cst)
 *   rlr      lr = left_right                    load(left_right, seq_cst) -> inst[lr]
 *   ra rb    x = a[lr]; y = b[lr]               the caller reads the instance (2 words)
 *   rdep     ri[vi]--                           fetch_sub(ri[..].n, 1, release) in read_end
 *   wlr      l = left_right                     load(left_right, relaxed)
 *   w1a w1b  a[!l] = k; b[!l] = k               apply(inst[!lrv])
 *   wtog     left_right = !l                    store(left_right, !lrv, seq_cst)
 *   wvi      v = version_index                  load(version_index, relaxed)
 *   wdr1     (ri[!v] == 0)                      lk__lr_drain(!vi): load(n, seq_cst) loop
 *   wvs      version_index = !v                 store(version_index, !vi, relaxed)
 *   wdr2     (ri[v] == 0)                       lk__lr_drain(vi)
 *   w2a w2b  a[l] = k; b[l] = k                 apply(inst[lrv])
 * Properties (safety): a reader always reads a whole version (a == b) and
 * the writer never writes an instance a reader is reading (ghost). Readers
 * never wait: their code has no blocking statement, and ltl readers_finish
 * checks each reader completes its reads even when the writer stalls for
 * ever at any of its steps (-DSTALL lets it).
 * Seeded bugs: BUG_NO_WAIT: the writer toggles the version index without
 * draining the readers; BUG_READER_WAITS: a reader waits while the writer
 * is between its toggle and its second apply (a blocking read side).
 */
// @check whole-version+no-overlap pass - safety
// @check readers-finish-writer-stalled pass -DSTALL ltl:readers_finish
// @check bug-toggle-without-drain fail -DBUG_NO_WAIT safety
// @check bug-reader-blocks fail -DSTALL,-DBUG_READER_WAITS ltl:readers_finish

byte a[2], b[2];
bit left_right, version_index;
byte ri[2];
byte reading[2];        /* ghost: readers inside instance j */
bit wbusy;              /* ghost: writer between toggle and second apply */
byte rdone;             /* ghost: readers finished */

#ifdef STALL
#define MAYSTALL if :: true :: true -> false fi /* may stall for ever */
#else
#define MAYSTALL skip
#endif

active [2] proctype Reader()
{
	byte i, vi, lr, x, y;
	for (i : 1 .. 2) {
#ifdef BUG_READER_WAITS
		(!wbusy);
#endif
rvi:		vi = version_index;
rarr:		ri[vi]++;
rlr:		atomic { lr = left_right; reading[lr]++ };
ra:		x = a[lr];
rb:		y = b[lr];
		atomic { assert(x == y); reading[lr]-- };
rdep:		ri[vi]--;
		atomic { vi = 0; lr = 0; x = 0; y = 0 }
	};
	rdone++
}

active proctype Writer()
{
	byte k; bit l, v;
	for (k : 1 .. 2) {
wlr:		l = left_right;
		atomic { assert(reading[!l] == 0); a[!l] = k };
		MAYSTALL;
		atomic { assert(reading[!l] == 0); b[!l] = k };
wtog:		atomic { left_right = !l; wbusy = 1 };
		MAYSTALL;
wvi:		v = version_index;
#ifndef BUG_NO_WAIT
wdr1:		(ri[!v] == 0);
#endif
wvs:		version_index = !v;
#ifndef BUG_NO_WAIT
wdr2:		(ri[v] == 0);
#endif
		atomic { assert(reading[l] == 0); a[l] = k };
		MAYSTALL;
		atomic { assert(reading[l] == 0); b[l] = k; wbusy = 0 };
		atomic { l = 0; v = 0 }
	}
}

ltl readers_finish { <> (rdone == 2) }
