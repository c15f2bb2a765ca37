# bench/bench.mk: the comparison harness (bench/README.md).
#   make bench        default run (about 5 minutes on 2 cores): table, CSV,
#                     JSON and plots in bench/results/
#   make bench-full   the long sweep (11 reps, 1 s cells)
#   make bench-smoke  builds everything, runs every adapter once with tiny
#                     counts; fails if one crashes, hangs or breaks its
#                     invariant (run by `make test`; asserts nothing on speed)
#   make bench-instr  instructions per uncontended operation (callgrind)
# THREADS="1 2 8" overrides the thread counts (default 1, n, 2n, 4n CPUs).
BENCH_SRCS := bench/bench.c bench/stats.c bench/probe.c bench/coarse.c $(sort $(wildcard bench/impl_*.c))
BENCH_BIN  := $(BUILD)/bench/bench
BENCH_CC   ?= gcc
BENCH_CFLAGS := $(CSTD) -O2 -g $(WARN) -pthread -I$(INC)
BENCH_LIBS := $(BUILD)/gcc/liblatchkit.a -lck -lurcu-memb -ldb-5.3 -lm
BENCH_OUT  ?= bench/results
BENCH_THREADS = $(if $(THREADS),--threads "$(THREADS)")

$(BENCH_BIN): $(BENCH_SRCS) $(wildcard bench/*.h) $(INC)/.stamp $(BUILD)/gcc/liblatchkit.a
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) -DLKB_CFLAGS='"$(BENCH_CC) $(BENCH_CFLAGS)"' \
		$(BENCH_SRCS) -o $@ $(BENCH_LIBS)

.PHONY: bench bench-full bench-smoke bench-instr
bench: deps headers $(BENCH_BIN)
	@bench/run.sh $(BENCH_BIN) $(BENCH_OUT) $(BENCH_THREADS)

bench-full: deps headers $(BENCH_BIN)
	@bench/run.sh $(BENCH_BIN) $(BENCH_OUT) --full $(BENCH_THREADS)

bench-smoke: headers $(BENCH_BIN)
	@scripts/check.sh bench-smoke $(BENCH_BIN) --smoke --quiet \
		--out $(BUILD)/bench-smoke $(BENCH_THREADS)

bench-instr: deps headers $(BENCH_BIN)
	@bench/instr.sh $(BENCH_BIN) $(BENCH_OUT)
