#!/bin/bash
# zero.sh [REV]: an ordinary build (no -fsanitize=thread) of every latch verb
# must compile to the same machine code with the headers of REV (default
# HEAD) and with those of the working tree: the ThreadSanitizer annotations
# cost not one instruction. Compiles tests/tsan/verbs.c with gcc and clang,
# C and C++, at -O0, -O1, -O2 and -Os, with and without LK_DEBUG, against
# both sets of headers, and compares `objdump -d -r` of each pair (the
# instructions and their relocations): "same" when identical; "nops" when
# they differ only by nop instructions (addresses aside: g++ -O0 places a
# nop after a function's last call by the source line of its return, and
# a macro around the returned expression moves that line); otherwise
# DIFF. Prints one line per pair; exits 1 on any DIFF. Not part of make
# test (it needs a commit to compare with): run it when a change to
# primitives/ must not change the code.
set -u
rev=${1:-HEAD}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/old/latchkit" "$dir/new/latchkit"
for f in $(git ls-tree --name-only "$rev" primitives/); do
	git show "$rev:$f" >"$dir/old/latchkit/${f##*/}"
done
cp primitives/*.h "$dir/new/latchkit/"
cp tests/tsan/verbs.c "$dir/verbs.c"
cp tests/tsan/verbs.c "$dir/verbs.cpp"
fail=0 n=0
for cc in gcc clang g++ clang++; do
	src=verbs.c std=-std=c11
	case $cc in *++) src=verbs.cpp std=-std=c++17 ;; esac
	for o in -O0 -O1 -O2 -Os; do
		for d in "" -DLK_DEBUG; do
			for v in old new; do
				$cc $std -D_GNU_SOURCE -Wall -Wextra -Werror $o $d \
					-pthread -I"$dir/$v" -c "$dir/$src" \
					-o "$dir/$v.o" || exit 1
				objdump -d -r --no-show-raw-insn "$dir/$v.o" |
					sed 1,2d >"$dir/$v.dis"
			done
			n=$((n + 1))
			ins=$(grep -c '^ ' "$dir/new.dis")
			# without addresses, jump targets' offsets and nops
			for v in old new; do
				sed -E 's/^ *[0-9a-f]+:\t//; s/^\t+[0-9a-f]+: R_/R_/; s/[0-9a-f]+ <([^>+]*)(\+0x[0-9a-f]+)?>/<\1>/; /^nop/d' \
					"$dir/$v.dis" >"$dir/$v.nonop"
			done
			if cmp -s "$dir/old.dis" "$dir/new.dis"; then
				printf 'same  %-8s %-4s %-10s %6d instructions\n' "$cc" "$o" "$d" "$ins"
			elif cmp -s "$dir/old.nonop" "$dir/new.nonop"; then
				printf 'nops  %-8s %-4s %-10s %6d instructions, %d nops before, %d now\n' \
					"$cc" "$o" "$d" "$ins" "$(grep -c 'nop$' "$dir/old.dis")" \
					"$(grep -c 'nop$' "$dir/new.dis")"
			else
				printf 'DIFF  %-8s %-4s %-10s\n' "$cc" "$o" "$d"
				diff "$dir/old.dis" "$dir/new.dis" | head -20
				fail=1
			fi
		done
	done
done
[ $fail = 0 ] && echo "$n builds: the same code with the headers of $rev and of the working tree"
exit $fail
