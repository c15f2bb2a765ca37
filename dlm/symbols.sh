#!/bin/sh
# dlm/symbols.sh SO SONAME MAP: the shared library exports exactly the
# functions liblatchkit-dlm.map names (none of the internal lk_dlm_*_
# helpers), and carries the versioned SONAME.
set -u
so=${1:?library} soname=${2:?soname} map=${3:?map}
got=$(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
want=$(sed -n 's/^[[:space:]]*\(lk_dlm_[a-z_]*\);$/\1/p' "$map" | sort)
if [ "$got" != "$want" ]; then
	echo "FAIL: $so exports"; echo "$got"; echo "but $map names"; echo "$want"
	exit 1
fi
readelf -d "$so" | grep -q "SONAME.*\[$soname\]" || { echo "FAIL: the SONAME of $so is not $soname"; exit 1; }
echo "${so##*/}: SONAME $soname; exports the $(echo "$want" | wc -l) functions of dlm.h, nothing else"
