# verify/model: the model-based random test of the lock table (issue 12).
# A reference model of lockmgr.h runs the same random op sequence as the
# real table, from one thread, and every answer is compared; a mismatch is
# shrunk to a minimal sequence printed as C. verify/model/README.md says more.
#
#   make test-model       20 seeds x 5000 ops per compiler, every config
#                         (part of `make test`; a few seconds)
#   make test-model-long  MODEL_LONG_SEEDS x 5000 ops (>= 1 million)
#   make model-survey     the first mismatch class of each of 200 seeds
#                         (MODEL_TOLERATE=acquired,... to step around some)
#   make fuzz-lockmgr     libFuzzer on the same driver, FUZZ_SECONDS (60),
#                         corpus verify/model/corpus/ (read, never written)
#   make model-corpus     regenerate that corpus from the generator
MODEL_LIB_SRCS := $(filter-out verify/model/main.c verify/model/fuzz.c,$(wildcard verify/model/*.c))
MODEL_HDRS := $(wildcard verify/model/*.h)
MODEL_SEEDS ?= 20
MODEL_OPS ?= 5000
MODEL_LONG_SEEDS ?= 200
MODEL_SURVEY ?= 200
FUZZ_SECONDS ?= 60
MODEL_FUZZ := $(BUILD)/fuzz/model_fuzz

define model_rules
$(BUILD)/$(1)/verify/model_test: $(MODEL_LIB_SRCS) verify/model/main.c $(MODEL_HDRS) $(INC)/.stamp $(BUILD)/$(1)/liblatchkit.a
	@mkdir -p $$(@D)
	$(1) $(CFLAGS_BASE) $(MODEL_LIB_SRCS) verify/model/main.c -o $$@ $(BUILD)/$(1)/liblatchkit.a -lm
endef
$(foreach c,$(COMPILERS),$(eval $(call model_rules,$(c))))

# The fuzzer compiles the lock table in, so that it is instrumented too.
$(MODEL_FUZZ): $(MODEL_LIB_SRCS) verify/model/fuzz.c $(MODEL_HDRS) $(INC)/.stamp $(LOCKMGR_SRCS) $(wildcard lockmgr/*.h)
	@mkdir -p $(@D)
	clang $(CSTD) -O1 -g $(WARN) -pthread -I$(INC) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		$(MODEL_LIB_SRCS) verify/model/fuzz.c $(LOCKMGR_SRCS) -o $@ -lm

MODEL_BINS := $(foreach c,$(COMPILERS),$(BUILD)/$(c)/verify/model_test)
.PHONY: test-model test-model-long model-survey fuzz-lockmgr model-corpus
# gcc's build runs seeds 1..20, clang's 21..40: each config twice.
test-model: $(MODEL_BINS)
	@first=1; for c in $(COMPILERS); do \
		scripts/check.sh model.$$c $(BUILD)/$$c/verify/model_test \
			--first $$first --seeds $(MODEL_SEEDS) --ops $(MODEL_OPS) || exit 1; \
		first=$$((first + $(MODEL_SEEDS))); \
	done

test-model-long: $(BUILD)/gcc/verify/model_test
	$(BUILD)/gcc/verify/model_test --quiet --first 1001 --seeds $(MODEL_LONG_SEEDS) --ops $(MODEL_OPS)

model-survey: $(BUILD)/gcc/verify/model_test
	$(BUILD)/gcc/verify/model_test --survey $(MODEL_SURVEY) --ops $(MODEL_OPS) $(if $(MODEL_EXAMPLES),--examples)

fuzz-lockmgr: $(MODEL_FUZZ)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(MODEL_FUZZ) -max_total_time=$(FUZZ_SECONDS) -max_len=4097 -timeout=60 \
		-artifact_prefix=$(BUILD)/fuzz/ $(BUILD)/fuzz/corpus verify/model/corpus

model-corpus: $(BUILD)/gcc/verify/model_test
	@mkdir -p verify/model/corpus
	$(BUILD)/gcc/verify/model_test --corpus verify/model/corpus --count 40
