# make verify-spin: every `// @check` line of every verify/spin/*.pml, one
# table line per check (verify/spin/run.sh), then "<ok> <not ok> spin" in
# build/summary. SPIN_FILTER=mcs runs only the checks whose name holds it.
SPIN_FILTER ?=
.PHONY: verify-spin verify-spin-long
verify-spin:
	@verify/spin/run.sh $(SPIN_FILTER)

# make verify-spin-long: the `// @check-long` lines, checks kept out of make
# test for their time (make verify runs them), each allowed 10 minutes
# (SPIN_TIMEOUT; admit.pml's two shared begins take about 3), with pan's
# default hash table (SPIN_HASH, -w24: up to 37M states)
verify-spin-long:
	@SPIN_SET=long SPIN_TIMEOUT=$${SPIN_TIMEOUT:-600} SPIN_HASH=$${SPIN_HASH:--w24} \
		verify/spin/run.sh $(SPIN_FILTER)
