#!/bin/bash
# verify/tla/run.sh: runs TLC on every verify/tla/*.cfg and prints one line per
# check (checker, model, property, states, time, expected, actual, verdict).
#
# A config NAME.cfg or NAME_variant.cfg checks NAME.tla. Its first two lines:
#   \* expect: pass|fail
#   \* property: <short label>
# actual=fail only when TLC reports a violation (invariant, temporal property,
# deadlock) and nothing else went wrong; a parse/semantic/evaluation error, a
# Java failure or a timeout is ERROR, which never counts as OK.
# A spec written in PlusCal also gets a "pcal-translation" row: its committed
# TLA+ must equal what pcal.trans makes of it, so the checked text is current.
#
# Env: TLA2TOOLS_JAR (required), TLC_WORKERS (2), TLC_TIMEOUT (s, 300),
#      TLA_ONLY (a grep -E pattern on config names, to run a subset).
# Exit: non-zero on any MISMATCH or ERROR.
set -u
cd "$(dirname "$0")/../.." || exit 2
jar=${TLA2TOOLS_JAR:-}
if [ -z "$jar" ] || [ ! -f "$jar" ]; then
	echo "SKIP  tlc: TLA2TOOLS_JAR not set; see verify/README.md"
	exit 0
fi
jar=$(readlink -f "$jar")
workers=${TLC_WORKERS:-2}
limit=${TLC_TIMEOUT:-300}
only=${TLA_ONLY:-}
out=build/tla
mkdir -p "$out" build/logs
bad=0 nok=0 nbad=0
t0=$(date +%s.%N)
fmt='%-5s %-24s %-40s %10s %6s %-8s %-6s %s\n'
printf "$fmt" checker model property states time expected actual verdict

row() { # model property states secs expect actual
	local verdict=OK
	if [ "$6" = ERROR ] || [ "$5" != "$6" ]; then verdict=MISMATCH; bad=1; fi
	[ "$6" = ERROR ] && verdict=ERROR
	printf "$fmt" tlc "$1" "$2" "$3" "$4" "$5" "$6" "$verdict"
	if [ "$verdict" = OK ]; then nok=$((nok + 1)); else nbad=$((nbad + 1)); fi
}

elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}'; }

# PlusCal specs: the committed translation must be current.
for tla in verify/tla/*.tla; do
	spec=$(basename "$tla" .tla)
	grep -q -- '--algorithm' "$tla" || continue
	[ -n "$only" ] && ! grep -qE "$only" <<<"$spec" && continue
	wd=$out/pcal.$spec
	rm -rf "$wd" && mkdir -p "$wd" && cp "$tla" "$wd/"
	s=$(date +%s.%N)
	if (cd "$wd" && java -cp "$jar" pcal.trans -nocfg "$spec.tla") >"$wd/pcal.log" 2>&1; then
		if cmp -s "$tla" "$wd/$spec.tla"; then act=pass; else act=fail; fi
	else
		act=ERROR
	fi
	row "$spec" pcal-translation-current - "$(elapsed "$s")" pass "$act"
done

for cfg in verify/tla/*.cfg; do
	name=$(basename "$cfg" .cfg)
	spec=${name%%_*}
	[ -n "$only" ] && ! grep -qE "$only" <<<"$name" && continue
	expect=$(sed -n '1s/^\\\* *expect: *\([a-z]*\).*/\1/p' "$cfg")
	prop=$(sed -n '2s/^\\\* *property: *//p' "$cfg" | tr ' ' '-')
	[ -z "$prop" ] && prop=?
	log=build/logs/tla.$name.log
	wd=$out/$name
	rm -rf "$wd" && mkdir -p "$wd"
	cp verify/tla/*.tla "$wd/" 2>/dev/null
	cp "$cfg" "$wd/"
	s=$(date +%s.%N)
	if [ "$expect" != pass ] && [ "$expect" != fail ]; then
		echo "bad or missing '\\* expect:' first line" >"$log"
		row "$name" "$prop" - 0.0 "${expect:-?}" ERROR
		continue
	fi
	if [ ! -f "verify/tla/$spec.tla" ]; then
		echo "no spec verify/tla/$spec.tla" >"$log"
		row "$name" "$prop" - 0.0 "$expect" ERROR
		continue
	fi
	(cd "$wd" && timeout "$limit" java -XX:+UseParallelGC -cp "$jar" tlc2.TLC \
		-workers "$workers" -metadir meta -config "$name.cfg" "$spec.tla") >"$log" 2>&1
	rc=$?
	secs=$(elapsed "$s")
	states=$(sed -n 's/.* states generated, \([0-9]*\) distinct states found.*/\1/p' "$log" | tail -1)
	# An evaluation error or a tool failure must not pass for a violation.
	if grep -qE 'Semantic error|Parse Error|Lexical error|unexpected exception|java\.lang\.|Exception in thread|was not in the domain|Attempted to|while evaluating|is not enumerable|Unknown operator|TLC encountered an unexpected|Error: Assumption' "$log"; then
		act=ERROR
	elif [ "$rc" -eq 0 ] && grep -q 'Model checking completed. No error has been found.' "$log"; then
		act=pass
	elif [ "$rc" -ge 10 ] && [ "$rc" -le 14 ] &&
		grep -qE 'Invariant .* is violated|Temporal properties were violated|Deadlock reached|Action property .* is violated' "$log"; then
		act=fail
	else
		act=ERROR
	fi
	row "$name" "$prop" "${states:--}" "$secs" "$expect" "$act"
	[ "$act" = ERROR ] && tail -15 "$log" | sed 's/^/      | /'
done
echo "tlc: $nok OK, $nbad not OK, total $(elapsed "$t0") s; logs in build/logs/tla.*.log"
echo "$nok $nbad tlc" >>build/summary # counted by scripts/summary.sh
exit $bad
