# make verify: Spin always, TLC when TLA2TOOLS_JAR names tla2tools.jar, GenMC
# when GENMC names genmc, then the sanitizer stress. Each part lives in its
# own fragment; the lock table's model-based test (verify/model/) runs in
# `make test`.
include verify/stress/stress.mk
include verify/spin/spin.mk
include verify/tla/tla.mk
include verify/model/model.mk
include verify/wmm/wmm.mk
include verify/mutants/mutants.mk

.PHONY: verify
verify: headers
	@rm -f build/summary
	@$(MAKE) --no-print-directory verify-spin
	@$(MAKE) --no-print-directory verify-spin-long
	@$(MAKE) --no-print-directory verify-tla
	@$(MAKE) --no-print-directory verify-wmm
	@$(MAKE) --no-print-directory test-stress
	@scripts/summary.sh
