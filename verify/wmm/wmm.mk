# make verify-wmm: GenMC model-checks small clients of the real
# primitives/*.h under RC11 and IMM, then every one-step weakening of their
# memory orders (verify/wmm/, issue 14), when GENMC names the genmc binary
# (GenMC is not packaged in Debian; see verify/README.md). Without it, one
# SKIP line and success.
.PHONY: verify-wmm
verify-wmm:
	@verify/wmm/run.sh

# The 3-thread clients too (wmm.py's SLOW: a queue of two behind a holder,
# two brlock writers with a reader): hours on 2 cores, some with no verdict
# yet (verify/wmm/REPORT.md).
.PHONY: verify-wmm-slow
verify-wmm-slow:
	@WMM_SLOW=1 WMM_TIMEOUT=$${WMM_TIMEOUT:-1800} verify/wmm/run.sh
