# make verify-tla: TLC on every verify/tla/*.cfg, when TLA2TOOLS_JAR names
# tla2tools.jar (TLC is not packaged in Debian; see verify/README.md).
# Without it, one SKIP line and success: Spin is the gate in CI.
.PHONY: verify-tla
verify-tla:
	@verify/tla/run.sh
