# bench/headproto.mk: the head latch bit against a latch-free packed word
# (Jung et al., SIGMOD 2013), the measured comparison behind lockmgr/README.md.
#   make bench-head   builds build/bench/headproto, runs it (about 75 s on
#                     2 cores) and counts instructions per uncontended pair
#                     under callgrind; table on stdout, CSVs in
#                     $(HEADPROTO_OUT)/headproto.csv and headproto_instr.csv
# THREADS="1 2 8" overrides the thread counts; HEADPROTO_ARGS adds options
# (--reps N, --dur MS, --variants "latch packed ...").
HEADPROTO_BIN := $(BUILD)/bench/headproto
HEADPROTO_OUT ?= bench/results

$(HEADPROTO_BIN): bench/headproto.c bench/headproto.h $(INC)/.stamp $(BUILD)/gcc/liblatchkit.a
	@mkdir -p $(@D)
	gcc $(CSTD) -O2 -g $(WARN) -pthread -I$(INC) bench/headproto.c \
		-o $@ $(BUILD)/gcc/liblatchkit.a

# make bench builds it too, so that bench/run.sh can run it after the harness
bench: $(HEADPROTO_BIN)

.PHONY: bench-head
bench-head: headers $(HEADPROTO_BIN)
	@bench/headproto.sh $(HEADPROTO_BIN) $(HEADPROTO_OUT) \
		$(if $(THREADS),--threads "$(THREADS)") $(HEADPROTO_ARGS)

# bench-head-selftest: the exclusion check must catch a seeded bug (packed
# X that takes nothing): the run must exit 2. A few seconds.
.PHONY: bench-head-selftest
bench-head-selftest: headers $(BUILD)/gcc/liblatchkit.a bench/headproto.h
	@mkdir -p $(BUILD)/bench
	@gcc $(CSTD) -O2 $(WARN) -pthread -I$(INC) -DHP_BUG_NOEXCL bench/headproto.c \
		-o $(BUILD)/bench/headproto-bug $(BUILD)/gcc/liblatchkit.a
	@$(BUILD)/bench/headproto-bug --reps 1 --dur 50 --variants packed \
		--workloads shared-X --threads 2 $(BUILD)/bench/headproto-bug.csv \
		>/dev/null 2>&1; rc=$$?; \
	if [ $$rc -eq 2 ]; then echo "bench-head-selftest: seeded bug caught: OK"; \
	else echo "bench-head-selftest: seeded bug not caught (status $$rc)"; exit 1; fi
