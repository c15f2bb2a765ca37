# Every tests/test_*.c is one Criterion binary, built with gcc and with
# clang; test_lockmgr_shm_killat only in the nap build (below).
TEST_SRCS := $(filter-out tests/test_lockmgr_shm_killat.c,$(sort $(wildcard tests/test_*.c)))
TEST_NAMES := $(patsubst tests/%.c,%,$(TEST_SRCS))

define test_rules
$(BUILD)/$(1)/tests/%: tests/%.c $(wildcard tests/*.h) $(INC)/.stamp $(BUILD)/$(1)/liblatchkit.a
	@mkdir -p $$(@D)
	$(1) $(CFLAGS_BASE) $$< -o $$@ $(BUILD)/$(1)/liblatchkit.a -lcriterion -lm
endef
$(foreach c,$(COMPILERS),$(eval $(call test_rules,$(c))))

# test_bench_stats compiles the harness's statistics and writers in.
$(foreach c,$(COMPILERS),$(BUILD)/$(c)/tests/test_bench_stats): $(wildcard bench/stats.[ch] bench/coarse.[ch])

# One target per binary run, so that make -j runs one binary while it
# builds or runs the next: a binary alone keeps the two CPUs about half
# busy (its tests wait on timeouts, sleeps and wake-ups).
TEST_BINS := $(foreach c,$(COMPILERS),$(addprefix $(BUILD)/$(c)/tests/,$(TEST_NAMES)))
UNIT_RUNS := $(foreach c,$(COMPILERS),$(addprefix unit-run/$(c)/,$(TEST_NAMES)))
.PHONY: test-unit test-headers unit-summary-reset $(UNIT_RUNS)
test-unit: $(UNIT_RUNS)
unit-summary-reset:
	@rm -f build/summary
define unit_run_rules
$(addprefix unit-run/$(1)/,$(TEST_NAMES)): unit-run/$(1)/%: $(BUILD)/$(1)/tests/% | unit-summary-reset
	@scripts/check.sh $(1).$$* $$< --jobs 2
endef
$(foreach c,$(COMPILERS),$(eval $(call unit_run_rules,$(c))))

# Every public header compiles warning-free (-Werror, strict warnings) for
# every consumer: gcc/clang as C11, C17, gnu11 and g++/clang++ as C++11..20,
# with and without -D_GNU_SOURCE, -pthread and LK_DEBUG; one TU of all
# headers per combination, and each header alone. tests/headers.sh says
# exactly what is covered. Compilations run in parallel (JOBS=n to change).
HDR_CHECK := $(BUILD)/hdrcheck
test-headers: $(INC)/.stamp
	@scripts/check.sh headers tests/headers.sh $(INC) $(HDR_CHECK) \
		$(notdir $(PUB_HEADERS))

include tests/tsan/tsan.mk

# The shared lock table's kill tests, long (tests/test_lockmgr_shm_kill.c; make
# test runs 40 of kill_test, 20 of each kill_anywhere): 1000 SIGKILLs of processes that hold locks
# or wait for them, then 1000 at random moments, in the build whose
# library sleeps now and then inside a latched change (-DLK_SHM_TEST_NAP,
# lockmgr_int.h), so that many land inside a head or bucket latch.
SHMNAP := $(BUILD)/gcc/shmnap
$(SHMNAP)/lockmgr/%.o: lockmgr/%.c $(wildcard lockmgr/*.h) $(INC)/.stamp
	@mkdir -p $(@D)
	gcc $(CFLAGS_BASE) -DLK_SHM_TEST_NAP -fPIC -c $< -o $@
$(SHMNAP)/liblatchkit.a: $(patsubst lockmgr/%.c,$(SHMNAP)/lockmgr/%.o,$(LOCKMGR_SRCS))
	rm -f $@ && ar rcs $@ $^
$(SHMNAP)/test_lockmgr_shm_%: tests/test_lockmgr_shm_%.c $(wildcard tests/*.h) $(SHMNAP)/liblatchkit.a
	gcc $(CFLAGS_BASE) -DLK_SHM_TEST_NAP $< -o $@ $(SHMNAP)/liblatchkit.a -lcriterion -lm
.PHONY: stress-shm
stress-shm: $(BUILD)/gcc/tests/test_lockmgr_shm_kill $(SHMNAP)/test_lockmgr_shm_kill
	@LK_SHM_KILLS=$${LK_SHM_KILLS:-1000} scripts/check.sh stress-shm \
		$< --jobs 1 --verbose --filter 'lockmgr_shm/kill_test'
	@LK_SHM_KILLS=$${LK_SHM_KILLS:-1000} scripts/check.sh stress-shm-anywhere \
		$(SHMNAP)/test_lockmgr_shm_kill --jobs 1 --verbose \
		--filter 'lockmgr_shm/kill_anywhere*'
	@$(MAKE) --no-print-directory test-shm-killat

# The fast path's transfer against a racing strong lock, in the same
# build: its naps inside a record change (LK__TEST_NAP) widen the race
# that tests/test_lockmgr_fastpath.c's records_against_a_racing_strong_lock
# looks for (a record made without its owner's fp latch fails it). Part
# of make test, about a second.
$(SHMNAP)/test_lockmgr_fastpath: tests/test_lockmgr_fastpath.c $(wildcard tests/*.h) $(SHMNAP)/liblatchkit.a
	gcc $(CFLAGS_BASE) -DLK_SHM_TEST_NAP $< -o $@ $(SHMNAP)/liblatchkit.a -lcriterion -lm
.PHONY: test-nap
test-nap: $(SHMNAP)/test_lockmgr_fastpath
	@scripts/check.sh nap.fastpath $< --jobs 1 --filter 'fastpath/records_against*'

# The same build's kills at named points (LK_SHM_KILL_AT,
# tests/test_lockmgr_shm_killat.c): deterministic, a second or so once
# built (part of make test).
.PHONY: test-shm-killat
test-shm-killat: $(SHMNAP)/test_lockmgr_shm_killat
	@scripts/check.sh shm-killat $< --jobs 1
