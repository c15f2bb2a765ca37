#!/bin/bash
# check.sh NAME CMD...: runs one check, keeps its log in build/logs/NAME.log,
# prints one line (PASS/FAIL, time) and adds its count to build/summary.
# A Criterion binary's count is its own test count; any other check counts 1.
name=$1; shift
mkdir -p build/logs
log=build/logs/$name.log
start=$(date +%s.%N)
"$@" >"$log" 2>&1
rc=$?
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
synth=$(grep -a 'Synthesis:' "$log" | tail -1)
if [ -n "$synth" ]; then
	n=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$synth")
	f=$(sed -n 's/.*Failing: \([0-9]*\).*Crashing: \([0-9]*\).*/\1 \2/p' <<<"$synth" | awk '{print $1+$2}')
else
	n=1; f=0
fi
[ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ] && f=1
p=$(( ${n:-1} - ${f:-0} )); [ $p -lt 0 ] && p=0
echo "$p $f $name" >> build/summary
if [ "$rc" -eq 0 ]; then
	printf 'PASS  %-44s %6ss  %s\n' "$name" "$secs" "${synth:+$(sed 's/.*Synthesis: //' <<<"$synth")}"
else
	printf 'FAIL  %-44s %6ss  (rc=%d, log: %s)\n' "$name" "$secs" "$rc" "$log"
	tail -40 "$log" | sed 's/^/      | /'
	exit 1
fi
