#!/bin/sh
# lint.sh MANDIR HEADER...: every generated page renders without a single
# message from mandoc -Tlint (style included) or groff -ww; every header
# has its page, and one with verbs an EXAMPLES section; every link leads to
# a page; every man/examples/NAME.c belongs to a header.
set -u
dir=$1; shift
fail=0
say() { echo "man-lint: $*"; fail=1; }
[ -d "$dir" ] || { echo "man-lint: no $dir"; exit 1; }
pages=0 links=0
for h in "$@"; do
	b=${h##*/}; b=${b%.h}
	p=$dir/latchkit-$b.3
	[ -f "$p" ] || { say "$h has no page ($p)"; continue; }
	# A header with verbs (links to its page) needs an example; an
	# internal one (base.h, gate.h) may have one.
	[ -z "$(find "$dir" -lname "latchkit-$b.3" | head -1)" ] ||
		grep -q '^\.SH EXAMPLES' "$p" ||
		say "$p has no EXAMPLES: write man/examples/$b.c"
done
for e in man/examples/*.c; do
	b=${e##*/}; b=${b%.c}
	[ -f "$dir/latchkit-$b.3" ] || say "$e belongs to no header"
done
for p in "$dir"/*.3; do
	if [ -L "$p" ]; then
		links=$((links + 1))
		[ -f "$p" ] || say "$p: broken link"
		continue
	fi
	pages=$((pages + 1))
	out=$(mandoc -Tlint "$p" 2>&1)
	[ -z "$out" ] || say "mandoc -Tlint $p:
$out"
	out=$(groff -ww -man -z "$p" 2>&1)
	[ -z "$out" ] || say "groff -ww $p:
$out"
done
echo "man-lint: $pages pages, $links links; mandoc -Tlint and groff -ww: $([ $fail = 0 ] && echo clean || echo NOT clean)"
exit $fail
