# verify/mutants: mutation testing (issue 14 item 4). mutate.py applies each
# change of catalogue.txt and catalogue_*.txt, one at a time, to a scratch copy under
# build/mutants/ (never to the tree), runs the fastest layers that should
# catch it, and prints killed and surviving mutants and a score.
#   make mutate                       the whole catalogue (about 20 minutes on 2 cores)
#   make mutate MUTANTS=id1,id2       some of it
#   make mutate-check                 every change still applies (no build)
# `make test` runs one mutant (MUTATE_SELFCHECK) that must be killed: a
# check that the harness can fail.
MUTANTS ?=
MUTATE_CAP ?= 90
MUTATE_SELFCHECK ?= tas-lock-no-exchange
.PHONY: mutate mutate-check test-mutate-selfcheck
mutate:
	@verify/mutants/mutate.py --cap $(MUTATE_CAP) $(if $(MUTANTS),--only $(MUTANTS)) \
		--report $(BUILD)/mutants/report.md
mutate-check:
	@verify/mutants/mutate.py --check
test-mutate-selfcheck:
	@scripts/check.sh mutate-selfcheck verify/mutants/mutate.py \
		--only $(MUTATE_SELFCHECK) --expect-killed --cap 60 \
		--scratch $(BUILD)/mutants/selfcheck
