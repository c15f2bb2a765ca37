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

$(HEADPROTO_BIN): bench/headproto.c $(INC)/.stamp $(BUILD)/gcc/liblatchkit.a
	@mkdir -p $(@D)
	gcc $(CSTD) -O2 -g $(WARN) -pthread -I$(INC) bench/headproto.c \
		-o $@ $(BUILD)/gcc/liblatchkit.a

.PHONY: bench-head
bench-head: headers $(HEADPROTO_BIN)
	@bench/headproto.sh $(HEADPROTO_BIN) $(HEADPROTO_OUT) \
		$(if $(THREADS),--threads "$(THREADS)") $(HEADPROTO_ARGS)
