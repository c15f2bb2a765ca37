#!/bin/bash
# verify/wmm/run.sh: GenMC on the real primitives/*.h under RC11 and IMM
# (issue 14): `run.sh` runs every client, then every one-step weakening of
# every memory order the clients exercise (verify/wmm/wmm.py). GenMC is not
# packaged in Debian: without GENMC (the genmc binary) one SKIP line and
# success, as verify/tla/run.sh does without TLA2TOOLS_JAR.
#
# Env: GENMC (required), WMM_TIMEOUT (s per GenMC run, 300),
#      WMM_ONLY (client names, space-separated: run those clients only and
#      weaken their headers only), WMM_WEAKEN (0: clients only).
# Exit: non-zero on any client that is not clean, any weakening caught by
# neither model that REPORT.md does not show safe, any TIMEOUT or ERROR.
set -u
cd "$(dirname "$0")/../.." || exit 2
g=${GENMC:-}
if [ -z "$g" ] || [ ! -x "$g" ]; then
	echo "SKIP  genmc: GENMC not set; see verify/README.md"
	exit 0
fi
GENMC=$(readlink -f "$g")
export GENMC
mkdir -p build/wmm
rc=0
# shellcheck disable=SC2086 # WMM_ONLY is a list of names
python3 verify/wmm/wmm.py run ${WMM_ONLY:-} || rc=1
if [ "${WMM_WEAKEN:-1}" != 0 ]; then
	hdrs=
	for c in ${WMM_ONLY:-}; do hdrs="$hdrs $(python3 verify/wmm/wmm.py header "$c")"; done
	# shellcheck disable=SC2086
	python3 verify/wmm/wmm.py weaken $hdrs || rc=1
fi
exit $rc
