/* dlm/grant.c: request names and the grant rule (dlm/grant.h). */
#include "grant.h"

#include <string.h>

static const char *const mode_names[LK_DLM_NMODES_] = {"IS", "IX", "S", "SIX", "U", "X"};

/* lockmgr's default table (lockmgr.h): bit j of row i set = i conflicts
 * with j. Order IS IX S SIX U X. S/X handles use S (2) and X (5). */
static const uint8_t conflict_rows[LK_DLM_NMODES_] = {
	0x20, /* IS:  X */
	0x3c, /* IX:  S SIX U X */
	0x2a, /* S:   IX SIX X */
	0x3e, /* SIX: IX S SIX U X */
	0x3a, /* U:   IX SIX U X */
	0x3f, /* X:   all */
};

bool lk_dlm_conflicts_(int a, int b)
{
	return (conflict_rows[a] >> b) & 1;
}

int lk_dlm_mode_by_name_(const char *name, int len)
{
	for (int i = 0; i < LK_DLM_NMODES_; i++)
		if ((int)strlen(mode_names[i]) == len && memcmp(mode_names[i], name, (size_t)len) == 0)
			return i;
	return -1;
}

const char *lk_dlm_mode_str_(int mode)
{
	return mode >= 0 && mode < LK_DLM_NMODES_ ? mode_names[mode] : "?";
}

lk_dlm_req_ lk_dlm_parse_(const char *name)
{
	lk_dlm_req_ r = {5, -1};
	size_t len = strlen(name);
	if (len < 12 || name[len - 11] != '-')
		return r;
	int64_t seq = 0;
	for (size_t i = len - 10; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return r;
		seq = seq * 10 + (name[i] - '0');
	}
	const char *dash = strchr(name, '-');
	int m = lk_dlm_mode_by_name_(name, (int)(dash - name));
	r.mode = m < 0 ? 5 : m; /* unknown: conflicts with everything (safe) */
	r.seq = seq;
	return r;
}

int lk_dlm_blocker_(const char *const *names, int n, int64_t mine, int mode)
{
	int best = -1;
	int64_t best_seq = -1;
	for (int i = 0; i < n; i++) {
		lk_dlm_req_ r = lk_dlm_parse_(names[i]);
		if (r.seq < 0 || r.seq >= mine)
			continue; /* later requests (and ourselves) never block us */
		if (lk_dlm_conflicts_(mode, r.mode) && r.seq > best_seq) {
			best = i;
			best_seq = r.seq;
		}
	}
	return best;
}

bool lk_dlm_granted_at_once_(int64_t seq, int64_t last, int last_mode, int mode)
{
	if (seq == 0)
		return true;
	if (last < 0 || seq != last + 1)
		return false;
	for (int m = 0; m < LK_DLM_NMODES_; m++)
		if (lk_dlm_conflicts_(mode, m) && !lk_dlm_conflicts_(last_mode, m))
			return false;
	return true;
}
