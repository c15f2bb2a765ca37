/*
 * lockmgr_esc.pml: the lock table's hierarchy with the update mode U, lock
 * escalation and the table's fencing tokens: 2 txns, one table, 2 rows,
 * escalation past THRESH = 1 row lock. The same design as
 * verify/tla/LockTableEscalation.tla, a second modeller and a second tool.
 * Models lockmgr/lock.c, escalate.c: lock_slow -> lock_ancestors (intention[mode] on
 * the table unless a held non-intention table mode covers the row) ->
 * lock_one on the row -> escalate() (supremum of the table mode and
 * escalate[] of every row mode under it, a conversion checked against the
 * other holders only, never waiting, next_token, then the row releases);
 * next_token (++h->token for a mode that conflicts with itself).
 * Modes and maps are lk_modetable_default's (mt_build):
 *   conflicts  IS: X  IX: S SIX U X  S: IX SIX X  SIX: all but IS
 *              U: IX SIX U X  X: all
 *   covers     a covers b iff conflicts(b) is in conflicts(a)
 *   supremum   a or b if it covers the other, else SIX (the only join of
 *              two incomparable modes in this table: IX+S, IX+U)
 *   intention  S -> IS; U, X -> IX      escalate  S -> S; U, X -> X
 * A table held in U covers row S and U requests (as S covers S): IMPLIED.
 *   label      atomic step                     C operation
 *   lockrow    atomic { coverage; intention    lock_ancestors + lock_one,
 *              and row both compatible ->      each under its head latch;
 *              grant both, token if the table  a conflict is a wait, here:
 *              mode became exclusive; past the skipped (no queues here:
 *              threshold: esc = row + 1 }      lockmgr.pml has them).
 *                                              NOHIER: lock_one alone
 *   escalate   atomic { target; compatible     escalate(): under the table
 *              with the other table lock ->    head latch; the row releases
 *              convert, token, release the     that follow are t's own rows
 *              covered rows }                  (one step)
 *   locktab    atomic { ... }                  lk_lock on the table
 *   commit     atomic { release all }          lk_txn_commit
 * Other txns may step between a row lock and its escalation, as in the C.
 * Tokens: table only, up to MAXTOK (then a txn only commits and ends).
 * Properties (monitor and asserts): table locks compatible; row locks and
 * the rows as the hierarchy sees them (explicit or covered by the table
 * lock; NOHIER rows left out) compatible; a hierarchical row lock under its
 * intention; a U row holder's table lock admits no other table mode that
 * conflicts with IX (it converts to X without a table wait); a granted
 * escalation's table mode covers every row mode the txn held; every table
 * token handed out for an exclusive grant (escalation included) is greater
 * than every earlier one.
 * Seeded bugs: BUG_LASTROW: the escalation target joins escalate[] of the
 * last row locked only; BUG_XTOS: escalate[X] = S; BUG_UIS: intention[U] =
 * IS (caught by the intention check, and with NO_INTENT_INV, which drops
 * that check, by the U holder's conversion check); BUG_OLDTOKEN: escalation hands out the table's current token without
 * advancing it (the C as of 130f46c: next_token inside EMIT, evaluated only
 * with tracing on); BUG_NOCHECK: escalation without the compatibility test.
 */
// @check hier-u-escalation-tokens pass - safety
// @check bug-escalate-last-row fail -DBUG_LASTROW safety
// @check bug-escalate-x-to-s fail -DBUG_XTOS safety
// @check bug-u-intention-is fail -DBUG_UIS safety
// @check bug-u-intention-is-convert fail -DBUG_UIS,-DNO_INTENT_INV safety
// @check bug-escalate-old-token fail -DBUG_OLDTOKEN safety
// @check bug-escalate-no-check fail -DBUG_NOCHECK safety

#define NT 2
#define NR 2
#define THRESH 1
#define MAXTOK 3

#define NONE 0
#define IS 1
#define IX 2
#define S 3
#define SIX 4
#define U 5
#define X 6
/* conflicts[m] as a bit mask over modes 1..6 (bit 0: NONE, never set) */
#define CONF(a) ((a) == IS -> 64 : ((a) == IX -> 120 : ((a) == S -> 84 : \
	((a) == SIX -> 124 : ((a) == U -> 116 : ((a) == X -> 126 : 0))))))
#define COMPAT(a, b) (((CONF(a) >> (b)) & 1) == 0)
#define COVERS(a, b) ((CONF(b) & (127 - CONF(a))) == 0)
#define EXCL(m) (((CONF(m) >> (m)) & 1) == 1)
#define SUP(a, b) (COVERS(a, b) -> (a) : (COVERS(b, a) -> (b) : SIX))
/* the strongest row mode a table mode covers */
#define IMPLIED(tm) ((tm) == X -> X : (((tm) == SIX || (tm) == U) -> U : \
	((tm) == S -> S : NONE)))
/* the right maps; the C's may carry a seeded bug */
#define INTENT(m) ((m) == S -> IS : IX)
#ifdef BUG_UIS
#define INTENTC(m) (((m) == S || (m) == U) -> IS : IX)
#else
#define INTENTC(m) INTENT(m)
#endif
#ifdef BUG_XTOS
#define ESCC(m) (((m) == S || (m) == X) -> S : X)
#else
#define ESCC(m) ((m) == S -> S : X)
#endif

byte tab[NT];      /* table mode held */
byte row[NT * NR]; /* row[t * NR + r]: row mode held */
byte nh[NT];       /* bit r: row r's mode came from an LK_F_NOHIER request */
byte esc[NT];      /* r + 1: t's fresh row r put it past the threshold */
byte ttok;         /* the table head's token counter */
byte thi;          /* ghost: the highest table token handed out */

#define ROW(t, r) row[(t) * NR + (r)]
#define NH(t, r) ((nh[t] >> (r)) & 1)
#define EFFH(t, r) SUP((NH(t, r) -> NONE : ROW(t, r)), IMPLIED(tab[t]))

/* a table grant of mode m (a change of t's table mode): next_token */
inline mint(m)
{
	if
	:: EXCL(m) ->
		ttok++;
		assert(ttok > thi); /* strictly greater than every earlier one */
		thi = ttok
	:: else -> skip
	fi
}

active [NT] proctype Txn()
{
	byte r, m, tt, rt, k, n, o;
	bit hier, escalation_covers_row;
	o = 1 - _pid;
	do
	:: ttok < MAXTOK ->
lockrow:
		atomic {
			if
			:: r = 0
			:: r = 1
			fi;
			if
			:: m = S
			:: m = U
			:: m = X
			fi;
			if
			:: hier = 1
			:: hier = 0
			fi;
			tt = tab[_pid];
			rt = SUP(ROW(_pid, r), m);
			if
			:: hier && COVERS(IMPLIED(tab[_pid]), m) -> rt = ROW(_pid, r) /* covered */
			:: hier && !COVERS(IMPLIED(tab[_pid]), m) -> tt = SUP(tab[_pid], INTENTC(m))
			:: else -> skip
			fi;
			if
			:: (tt != tab[_pid] || rt != ROW(_pid, r)) &&
			   COMPAT(tab[o], tt) && COMPAT(ROW(o, r), rt) ->
				if
				:: tt != tab[_pid] -> mint(tt)
				:: else -> skip
				fi;
				/* r is NOHIER while its mode came from a NOHIER request */
				if
				:: !hier -> nh[_pid] = nh[_pid] | (1 << r)
				:: hier && rt != ROW(_pid, r) -> nh[_pid] = nh[_pid] & (3 - (1 << r))
				:: else -> skip
				fi;
				/* a fresh row past the threshold, under a table lock */
				n = (ROW(_pid, r) == NONE);
				tab[_pid] = tt;
				ROW(_pid, r) = rt;
				k = (ROW(_pid, 0) != NONE) + (ROW(_pid, 1) != NONE);
				if
				:: n && tt != NONE && k > THRESH -> esc[_pid] = r + 1
				:: else -> skip
				fi
			:: else -> skip
			fi;
			r = 0; m = 0; hier = 0; tt = 0; rt = 0; k = 0; n = 0
		}
escalate:
		atomic {
			if
			:: esc[_pid] != 0 ->
#ifdef BUG_LASTROW
				tt = SUP(tab[_pid], ESCC(ROW(_pid, esc[_pid] - 1)));
#else
				tt = tab[_pid];
				r = 0;
				do
				:: r < NR ->
					if
					:: ROW(_pid, r) != NONE -> tt = SUP(tt, ESCC(ROW(_pid, r)))
					:: else -> skip
					fi;
					r++
				:: else -> break
				od;
#endif
				if
#ifdef BUG_NOCHECK
				:: true ->
#else
				:: COMPAT(tab[o], tt) ->
#endif
					/* granted: it covers every row mode held */
					r = 0;
					do
					:: r < NR ->
						escalation_covers_row = COVERS(tt, ROW(_pid, r));
						assert(escalation_covers_row);
						r++
					:: else -> break
					od;
					tab[_pid] = tt;
					if
					:: EXCL(tt) ->
#ifdef BUG_OLDTOKEN
						assert(ttok > thi);
#else
						mint(tt)
#endif
					:: else -> skip
					fi;
					r = 0;
					do
					:: r < NR ->
						if
						:: COVERS(tt, ROW(_pid, r)) ->
							ROW(_pid, r) = NONE;
							nh[_pid] = nh[_pid] & (3 - (1 << r))
						:: else -> skip
						fi;
						r++
					:: else -> break
					od
				:: else -> skip /* not granted: no change */
				fi;
				esc[_pid] = 0;
				escalation_covers_row = 0
			:: else -> skip
			fi;
			r = 0; tt = 0
		}
	:: ttok < MAXTOK ->
locktab:
		atomic {
			if
			:: m = IS
			:: m = IX
			:: m = S
			:: m = SIX
			:: m = U
			:: m = X
			fi;
			tt = SUP(tab[_pid], m);
			if
			:: tt != tab[_pid] && COMPAT(tab[o], tt) ->
				mint(tt);
				tab[_pid] = tt
			:: else -> skip
			fi;
			m = 0; tt = 0
		}
	:: tab[_pid] != NONE || ROW(_pid, 0) != NONE || ROW(_pid, 1) != NONE ->
commit:
		atomic {
			tab[_pid] = NONE;
			ROW(_pid, 0) = NONE;
			ROW(_pid, 1) = NONE;
			nh[_pid] = 0
		}
	:: else -> break /* tokens spent, nothing held */
	od
}

/* The state properties, at every state. */
#define RCOMPAT(r) (COMPAT(ROW(0, r), ROW(1, r)) && COMPAT(EFFH(0, r), EFFH(1, r)))
#define INTENTOK(t, r) (ROW(t, r) == NONE || NH(t, r) || COVERS(tab[t], INTENT(ROW(t, r))))
#define UCONV(t, r) (ROW(t, r) != U || NH(t, r) || COMPAT(tab[1 - (t)], IX))
#ifdef NO_INTENT_INV
#define INTENTINV 1
#else
#define INTENTINV (INTENTOK(0, 0) && INTENTOK(0, 1) && INTENTOK(1, 0) && INTENTOK(1, 1))
#endif
#define INV (COMPAT(tab[0], tab[1]) && RCOMPAT(0) && RCOMPAT(1) && INTENTINV && \
	UCONV(0, 0) && UCONV(0, 1) && UCONV(1, 0) && UCONV(1, 1))

active proctype Monitor()
{
	bit tab_compatible, rows_compatible, row_under_intention, u_converts_to_x;
end:	atomic {
		!INV ->
		tab_compatible = COMPAT(tab[0], tab[1]);
		rows_compatible = RCOMPAT(0) && RCOMPAT(1);
		row_under_intention = INTENTOK(0, 0) && INTENTOK(0, 1) &&
		                      INTENTOK(1, 0) && INTENTOK(1, 1);
		u_converts_to_x = UCONV(0, 0) && UCONV(0, 1) && UCONV(1, 0) && UCONV(1, 1);
		assert(tab_compatible);
		assert(u_converts_to_x);
		assert(rows_compatible);
#ifndef NO_INTENT_INV
		assert(row_under_intention)
#endif
	}
}
