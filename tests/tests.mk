# Every tests/test_*.c is one Criterion binary, built with gcc and with clang.
TEST_SRCS := $(sort $(wildcard tests/test_*.c))
TEST_NAMES := $(patsubst tests/%.c,%,$(TEST_SRCS))

define test_rules
$(BUILD)/$(1)/tests/%: tests/%.c $(wildcard tests/*.h) $(INC)/.stamp $(BUILD)/$(1)/liblatchkit.a
	@mkdir -p $$(@D)
	$(1) $(CFLAGS_BASE) $$< -o $$@ $(BUILD)/$(1)/liblatchkit.a -lcriterion -lm
endef
$(foreach c,$(COMPILERS),$(eval $(call test_rules,$(c))))

# test_bench_stats compiles the harness's statistics and writers in.
$(foreach c,$(COMPILERS),$(BUILD)/$(c)/tests/test_bench_stats): $(wildcard bench/stats.[ch] bench/coarse.[ch])

TEST_BINS := $(foreach c,$(COMPILERS),$(addprefix $(BUILD)/$(c)/tests/,$(TEST_NAMES)))
.PHONY: test-unit test-headers
test-unit: $(TEST_BINS)
	@rm -f build/summary
	@for c in $(COMPILERS); do for t in $(TEST_NAMES); do \
		scripts/check.sh $$c.$$t $(BUILD)/$$c/tests/$$t --jobs 2 || exit 1; \
	done; done

# Every public header must compile alone, as C11 and as C++17, with both
# compilers, with and without LK_DEBUG.
HDR_CHECK := $(BUILD)/hdrcheck
test-headers: $(INC)/.stamp
	@mkdir -p $(HDR_CHECK)
	@for h in $(notdir $(PUB_HEADERS)); do \
		echo "#include <latchkit/$$h>" > $(HDR_CHECK)/$${h%.h}.c; \
		cp $(HDR_CHECK)/$${h%.h}.c $(HDR_CHECK)/$${h%.h}.cpp; done
	@scripts/check.sh headers sh -c 'set -e; for f in $(HDR_CHECK)/*.c; do \
		for d in "" -DLK_DEBUG; do \
		gcc $(CSTD) $(WARN) -pedantic $$d -I$(INC) -c $$f -o /dev/null; \
		clang $(CSTD) $(WARN) -pedantic $$d -I$(INC) -c $$f -o /dev/null; \
		g++ -std=c++17 $(WARN) $$d -I$(INC) -c $${f}pp -o /dev/null; \
		clang++ -std=c++17 $(WARN) $$d -I$(INC) -c $${f}pp -o /dev/null; \
		done; echo "$$f: C11 and C++17, gcc and clang"; done'
