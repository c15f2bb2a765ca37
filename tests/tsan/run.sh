#!/bin/bash
# run.sh BIN [PLAIN_OBJ]: checks what ThreadSanitizer reports about every
# latch (base.h's annotations). BIN is tests/tsan/tsan_latch.c (with
# tsan_clean.c, tsan_hb.c, tsan_cond.c and tsan_cond_unannotated.c) built with
# -fsanitize=thread; it runs every scenario in one process ("tsan_latch
# all"), framing each with "=== SCENARIO KIND" lines, and this script
# checks each frame's reports:
#   abba        exactly one report, a lock-order-inversion (potential deadlock)
#   race        exactly one report, a data race, whose latched access names
#               a mutex "(mutexes: write Mn)" that TSan says was "created at"
#               a stack holding the latch's init (lk_KIND_init, or
#               pthread_mutex_init for the pthread control)
#   race-after  exactly one report, a data race on tsan_shared (the data
#               written after a publish: once, barrier, event, latch, a
#               cond's signal), with no access under a mutex (they are not
#               mutexes)
#   race-unchosen, race-before  the same check: data written before a
#               signal that chose nobody, read after a wait that timed out
#               (cond); data written before a signal, read by the waiter it
#               chose, with cond.h's release and acquire compiled out
#               (cond-unannotated)
#   abba-timed, abba-try, clean   no report at all (a timed or try lock
#               cannot deadlock: TSan adds no lock-order edge for either, as
#               its own pthread_mutex_timedlock interceptor does)
# and that nothing is reported after the last frame. PLAIN_OBJ, the same
# source compiled without -fsanitize=thread, must reference no __tsan_
# symbol: without TSan the annotations are not one instruction.
# Prints one line per scenario; exits 1 if any check fails.
set -u
bin=$1 plain=${2:-}
export TSAN_OPTIONS="detect_deadlocks=1 second_deadlock_stack=1 suppress_equal_stacks=0 suppress_equal_addresses=0 halt_on_error=0 exitcode=66 ${TSAN_OPTIONS_EXTRA:-}"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
bad() { echo "FAIL  $*"; fail=1; }

if [ -n "$plain" ]; then
	if nm -u "$plain" | grep -q __tsan_; then
		bad "$plain (no TSan) references $(nm -u "$plain" | grep -m1 -o '__tsan_[a-z_]*')"
	else
		echo "ok    $plain: no __tsan_ reference without -fsanitize=thread"
	fi
fi
nm -u "$bin" 2>/dev/null | grep -q __tsan_mutex_pre_lock ||
	nm "$bin" | grep -q __tsan_mutex_pre_lock ||
	bad "$bin calls no __tsan_mutex_pre_lock: annotations off?"

"$bin" all >"$dir/out" 2>&1
rc=$?
if ! grep -q '^=== all done$' "$dir/out"; then
	bad "$bin all stopped (rc=$rc) after: $(grep '^=== ' "$dir/out" | tail -1)"
	tail -40 "$dir/out"
	exit 1
fi
# One awk pass checks every frame; the list says which frames to expect.
"$bin" list >"$dir/list" || exit 1
awk '
function flush(   s, k, why, init, mm) {
	if (cur == "")
		return
	split(cur, a, " "); s = a[1]; k = a[2]; why = ""
	if (s == "abba") {
		if (nw != 1 || types != "lock-order-inversion (potential deadlock);")
			why = "want one lock-order-inversion, got " nw ": " types
	} else if (s == "race") {
		init = "lk_" k "_init"; sub(/-node_init$/, "_init", init)
		if (k == "pthread") init = "pthread_mutex_init"
		if (nw != 1 || types != "data race;")
			why = "want one data race, got " nw ": " types
		else if (m == "")
			why = "no access under a mutex (mutexes: write M..)"
		else if (index(frames[m], " " init " ") == 0)
			why = m " not created at " init ":" frames[m]
	} else if (s == "race-after" || s == "race-unchosen" || s == "race-before") {
		if (nw != 1 || types != "data race;")
			why = "want one data race, got " nw ": " types
		else if (!loc)
			why = "the race is not on tsan_shared"
		else if (anym)
			why = "an access under a mutex: these are not mutexes"
	} else if (nw != 0)
		why = "want no report, got " nw ": " types
	if (why != "") {
		printf "FAIL  %s %s: %s\n%s", s, k, why, text; bad = 1
	} else
		printf "ok    %-10s %-12s %5s ms\n", s, k, ms
	done[cur] = 1; cur = ""
}
FNR == NR { for (i = 2; i <= NF; i++) want[++nwant] = $i " " $1; next }
/^=== end / { ms = $(NF - 1); flush(); next }
/^=== all done$/ { flush(); fin = 1; next }
/^=== / {
	flush(); cur = $2 " " $3; nw = 0; types = ""; m = ""; blk = ""; text = ""
	loc = 0; anym = 0
	delete frames; next
}
{ if (cur != "" && length(text) < 8000) text = text "      | " $0 "\n" }
/^WARNING: ThreadSanitizer: / {
	t = $0; sub(/^WARNING: ThreadSanitizer: /, "", t); sub(/ \(pid=[0-9]+\)$/, "", t)
	if (cur == "") { printf "FAIL  a report outside the scenarios: %s\n", t; bad = 1 }
	nw++; types = types t ";"; next
}
m == "" && match($0, /\(mutexes: write M[0-9]+\)/) {
	m = substr($0, RSTART + 16, RLENGTH - 17)
}
/^  Location is global .tsan_shared/ { loc = 1 }
/\(mutexes: / { anym = 1 }
$1 == "Mutex" && /created at:/ { blk = $2; next }
blk != "" && /^$/ { blk = ""; next }
blk != "" && $1 ~ /^#[0-9]+$/ { frames[blk] = frames[blk] " " $2 " " }
END {
	flush(); n = 0
	for (i = 1; i <= nwant; i++)
		if (!(want[i] in done)) { printf "FAIL  %s: no frame\n", want[i]; bad = 1 }
		else n++
	if (!fin) { print "FAIL  the run stopped before its end"; bad = 1 }
	if (!bad) printf "%d scenarios pass (%s)\n", n, bin
	exit bad
}' bin="$bin" "$dir/list" "$dir/out" || fail=1
exit $fail
