#!/bin/bash
# bench/xfer.sh BIN [ARGS]: runs bench/xfer.c's model and names the code
# lines behind the transfers (addr2line), most first; then times what a
# modelled transfer costs on this machine (--price) and what the txn's
# transfers cost at that price.
set -o pipefail
bin=$1
shift
out=$("$bin" "$@") || exit 1
echo "$out" | head -1
echo "$out" | tail -n +2 | sort -k2 -g -r | head -${XFER_TOP:-15} |
	while read -r pc v r; do
		printf '%8s  %-10s %s\n' "$v" "$r" "$(addr2line -f -i -e "$bin" "$pc" | paste -sd' ' | sed "s#$PWD/##g")"
	done
pr=$("$bin" --price) || exit 1
echo "$pr"
total=$(echo "$out" | head -1 | awk '{print $2}')
echo "$pr" | awk -v t="$total" '$1 == "price" { printf "%.0f ns per txn: %s modelled transfers at this machine'"'"'s price\n", t * $2, t }'
