# Every verify/stress/stress_*.c is one stress program, built with
# -fsanitize=thread under gcc and clang, and with ASan+UBSan under gcc.
# `make test` runs each for STRESS_SECS; `make stress DURATION=60` runs long.
# The two TSan builds look at the latches two ways: tsan-clang with base.h's
# annotations (what a user's TSan build gets: TSan orders critical sections
# by the latch and ignores its atomics, so the run checks the annotations),
# tsan-gcc with LK_TSAN_ANNOTATE=0 (TSan checks the latches' own atomics and
# their memory orders, as before the annotations).
STRESS_SRCS  := $(sort $(wildcard verify/stress/stress_*.c))
STRESS_NAMES := $(patsubst verify/stress/%.c,%,$(STRESS_SRCS))
# Run by make stress and their own targets only, for make test's time:
# stress_lease (make stress-lease; lockmgr/SHARED.md "Leases").
STRESS_LONG_ONLY := stress_lease
STRESS_NAMES := $(filter-out $(STRESS_LONG_ONLY),$(STRESS_NAMES))
STRESS_SECS  ?= 2
DURATION     ?= 60
STRESS_THREADS ?= 8
SAN_VARIANTS := tsan-gcc tsan-clang asan-gcc
SAN_tsan-gcc   := gcc -fsanitize=thread -DLK_TSAN_ANNOTATE=0
SAN_tsan-clang := clang -fsanitize=thread
SAN_asan-gcc   := gcc -fsanitize=address,undefined -fno-sanitize-recover=undefined

# The lock table is compiled once per variant into an archive that every
# stress program links (each program used to compile all of lockmgr/).
define stress_rules
$(BUILD)/$(1)/stresslib/%.o: lockmgr/%.c $(wildcard lockmgr/*.h) $(INC)/.stamp
	@mkdir -p $$(@D)
	$(SAN_$(1)) $(CFLAGS_BASE) -O1 -c $$< -o $$@
$(BUILD)/$(1)/stresslib/liblockmgr.a: $(patsubst lockmgr/%.c,$(BUILD)/$(1)/stresslib/%.o,$(LOCKMGR_SRCS))
	@rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/$(1)/stress/%: verify/stress/%.c $(wildcard verify/stress/*.h) $(INC)/.stamp $(BUILD)/$(1)/stresslib/liblockmgr.a
	@mkdir -p $$(@D)
	$(SAN_$(1)) $(CFLAGS_BASE) -O1 $$< $(BUILD)/$(1)/stresslib/liblockmgr.a -o $$@ -lm
endef
$(foreach v,$(SAN_VARIANTS),$(eval $(call stress_rules,$(v))))

# One make target per run: make -j2 runs two at once, each for its
# STRESS_SECS (the same CPU time in all as one at a time, in half the wall
# time: a run's threads outnumber the CPUs anyway).
STRESS_BINS := $(foreach v,$(SAN_VARIANTS),$(addprefix $(BUILD)/$(v)/stress/,$(STRESS_NAMES)))
STRESS_RUNS := $(foreach v,$(SAN_VARIANTS),$(addprefix stress-run/$(v)/,$(STRESS_NAMES)))
.PHONY: test-stress stress $(STRESS_RUNS)
test-stress: $(STRESS_RUNS)
define stress_run_rules
$(addprefix stress-run/$(1)/,$(STRESS_NAMES)): stress-run/$(1)/%: $(BUILD)/$(1)/stress/%
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		scripts/check.sh $(1).$$* $$< -d $(STRESS_SECS) -t $(STRESS_THREADS)
endef
$(foreach v,$(SAN_VARIANTS),$(eval $(call stress_run_rules,$(v))))
stress:
	@$(MAKE) --no-print-directory test-stress STRESS_SECS=$(DURATION)
	@$(MAKE) --no-print-directory stress-lease STRESS_LEASE_SECS=$(DURATION)
	@$(MAKE) --no-print-directory test-dlm-long
	@$(MAKE) --no-print-directory stress-shm

# Leases under random load, white-box (verify/stress/stress_lease.c): every
# sanitizer build for STRESS_LEASE_SECS each.
STRESS_LEASE_SECS ?= 20
.PHONY: stress-lease
stress-lease: $(foreach v,$(SAN_VARIANTS),$(BUILD)/$(v)/stress/stress_lease)
	@for v in $(SAN_VARIANTS); do \
		TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		scripts/check.sh $$v.stress_lease $(BUILD)/$$v/stress/stress_lease \
			-d $(STRESS_LEASE_SECS) -t $(STRESS_THREADS) || exit 1; \
	done
