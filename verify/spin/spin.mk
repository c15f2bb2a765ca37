# make verify-spin: every `// @check` line of every verify/spin/*.pml, one
# table line per check (verify/spin/run.sh), then "<ok> <not ok> spin" in
# build/summary. SPIN_FILTER=mcs runs only the checks whose name holds it.
SPIN_FILTER ?=
.PHONY: verify-spin
verify-spin:
	@verify/spin/run.sh $(SPIN_FILTER)
