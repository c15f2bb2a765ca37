/*
 * lockmgr/modes.c: status strings and mode tables: the conflict matrix, the
 * supremum of two modes, and the three built-in tables.
 */
#include "lockmgr_int.h"

#include <string.h>

const char *lk_strerror(int s)
{
	static const char *const msg[LK_NSTATUS] = {
		"LK_OK: success",
		"LK_WOULDBLOCK: not grantable without waiting",
		"LK_TIMEOUT: lock wait timed out",
		"LK_DEADLOCK: deadlock victim (abort the transaction)",
		"LK_WOUNDED: wounded by an older transaction (abort it)",
		"LK_NOMEM: lock table pool exhausted",
		"LK_INVAL: invalid argument or handle",
		"LK_NOTHELD: lock not held",
		"LK_BUSY: shared table address in use, or txns still active",
		"LK_LEASE_LAPSED: the transaction's lease ran out (abort it)",
	};
	if (s < 0 || s >= LK_NSTATUS)
		return "LK_?: unknown status";
	return msg[s];
}

static unsigned popc16(uint16_t x)
{
	return (unsigned)__builtin_popcount(x);
}

int lk_modetable_init(lk_modetable_t *out, unsigned n, const char *const *names,
		      const uint16_t *conflicts)
{
	if (!out || !conflicts || n < 1 || n > LK_MAX_MODES)
		return LK_INVAL;
	/* built aside: a rejected table leaves *out as it was */
	lk_modetable_t tb, *t = &tb;
	memset(t, 0, sizeof *t);
	t->nmodes = n;
	uint16_t all = (uint16_t)((1u << n) - 1);
	for (unsigned i = 0; i < n; i++) {
		t->conflicts[i] = conflicts[i] & all;
		if (names && names[i])
			snprintf(t->names[i], LK_MODE_NAME_MAX, "%s", names[i]);
		else
			snprintf(t->names[i], LK_MODE_NAME_MAX, "M%u", i);
		t->intention[i] = NONE;
		t->escalate[i] = NONE;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++)
			if (((t->conflicts[i] >> j) & 1u) !=
			    ((t->conflicts[j] >> i) & 1u))
				return LK_INVAL;
	/* supremum: a mode whose conflicts cover both; prefer a or b, else
	 * the fewest conflicts, then the lowest index */
	for (unsigned a = 0; a < n; a++)
		for (unsigned b = 0; b < n; b++) {
			uint16_t u = t->conflicts[a] | t->conflicts[b];
			unsigned best = NONE;
			if ((t->conflicts[a] & u) == u)
				best = a;
			else if ((t->conflicts[b] & u) == u)
				best = b;
			else
				for (unsigned c = 0; c < n; c++)
					if ((t->conflicts[c] & u) == u &&
					    (best == NONE ||
					     popc16(t->conflicts[c]) <
						     popc16(t->conflicts[best])))
						best = c;
			if (best == NONE)
				return LK_INVAL;
			t->supremum[a][b] = (uint8_t)best;
		}
	*out = tb;
	return LK_OK;
}

static lk_modetable_t mt_default, mt_pg, mt_sx;
static pthread_once_t mt_once = PTHREAD_ONCE_INIT;

static void mt_build(void)
{
	static const char *const dn[] = {"IS", "IX", "S", "SIX", "U", "X"};
	/* bit j of [i]: i conflicts with j; order IS IX S SIX U X */
	static const uint16_t dc[] = {0x20, 0x3C, 0x2A, 0x3E, 0x3A, 0x3F};
	lk_modetable_init(&mt_default, 6, dn, dc);
	static const uint8_t din[] = {LK_IS, LK_IX, LK_IS, LK_IX, LK_IX, LK_IX};
	static const uint8_t des[] = {NONE, NONE, LK_S, LK_SIX, LK_X, LK_X};
	memcpy(mt_default.intention, din, sizeof din);
	memcpy(mt_default.escalate, des, sizeof des);

	static const char *const pn[] = {
		"AccessShare", "RowShare", "RowExclusive",
		"ShareUpdateExclusive", "Share", "ShareRowExclusive",
		"Exclusive", "AccessExclusive"};
	static const uint16_t pc[] = {0x80, 0xC0, 0xF0, 0xF8,
				      0xEC, 0xFC, 0xFE, 0xFF};
	lk_modetable_init(&mt_pg, 8, pn, pc);

	static const char *const sn[] = {"S", "X"};
	static const uint16_t sc[] = {0x2, 0x3};
	lk_modetable_init(&mt_sx, 2, sn, sc);
}

const lk_modetable_t *lk_modetable_default(void)
{
	pthread_once(&mt_once, mt_build);
	return &mt_default;
}

const lk_modetable_t *lk_modetable_postgres(void)
{
	pthread_once(&mt_once, mt_build);
	return &mt_pg;
}

const lk_modetable_t *lk_modetable_sx(void)
{
	pthread_once(&mt_once, mt_build);
	return &mt_sx;
}
