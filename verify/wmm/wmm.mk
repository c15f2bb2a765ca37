# make verify-wmm: GenMC model-checks small clients of the real
# primitives/*.h under RC11 and IMM, then every one-step weakening of their
# memory orders (verify/wmm/, issue 14), when GENMC names the genmc binary
# (GenMC is not packaged in Debian; see verify/README.md). Without it, one
# SKIP line and success.
.PHONY: verify-wmm
verify-wmm:
	@verify/wmm/run.sh
