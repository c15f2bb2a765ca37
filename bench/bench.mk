# bench/bench.mk: the comparison harness (bench/README.md).
#   make bench        default run (about 5 minutes on 2 cores): table, CSV,
#                     JSON and plots in bench/results/
#   make bench-full   the long sweep (11 reps, 1 s cells)
#   make bench-smoke  builds everything, runs every adapter once with tiny
#                     counts; fails if one crashes, hangs or breaks its
#                     invariant (run by `make test`; asserts nothing on speed)
#   make bench-instr  instructions per uncontended operation (callgrind)
#   build/bench/bench-count  the harness against the library's counting
#                     build (-DLK_COUNT_RMW): lock table RMWs on shared
#                     lines per txn; bench and bench-smoke build and run it
#   make bench-programs  real programs (RocksDB's cache_bench with one
#                     shard, Kyoto Cabinet's kccachetest) on glibc and on
#                     each latchkit lock through liblatchkit-preload.so
#                     (bench/programs.sh full: 5 reps, 4x the work, and
#                     db_bench fillrandom; about 15 minutes);
#                     make bench runs its quick form (2 reps, about 90 s)
#   make bench-sweep  the spin-budget sweep (bench/sweep.sh): mutex-only
#                     harnesses built with -DLK_SPIN_NS=... and
#                     -DLK_RELAX_REPEAT=..., about 7 minutes on 2 cores
# THREADS="1 2 8" overrides the thread counts (default 1, n, 2n, 4n CPUs).
BENCH_SRCS := bench/bench.c bench/cell.c bench/sched.c bench/rmw.c bench/works.c bench/team.c bench/report.c bench/stats.c bench/probe.c bench/coarse.c bench/lockmgr_work.c $(sort $(wildcard bench/impl_*.c))
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

# The counting build: the same harness against the library built with
# -DLK_COUNT_RMW (lib-count, lockmgr/lockmgr.mk). The bench runs it
# (bench-count --rmw) for the lock table's rmw/txn column.
BENCH_COUNT_BIN := $(BUILD)/bench/bench-count
$(BENCH_COUNT_BIN): $(BENCH_SRCS) $(wildcard bench/*.h) $(INC)/.stamp $(BUILD)/gcc/count/liblatchkit.a
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) -DLK_COUNT_RMW \
		-DLKB_CFLAGS='"$(BENCH_CC) $(BENCH_CFLAGS) -DLK_COUNT_RMW"' \
		$(BENCH_SRCS) -o $@ $(BUILD)/gcc/count/liblatchkit.a $(filter-out %.a,$(BENCH_LIBS))

# The sweep: one mutex-only harness per setting (bench/README.md).
SWEEP_SPIN  ?= 0 500 1000 2000 5000 10000 20000 50000 100000
SWEEP_RELAX ?= 1 2 4 8
SWEEP_DIR   := $(BUILD)/bench/sweep
SWEEP_SRCS  := bench/bench.c bench/cell.c bench/sched.c bench/works.c bench/team.c bench/report.c bench/stats.c bench/probe.c bench/impl_mutex.c
SWEEP_BINS  := $(SWEEP_SPIN:%=$(SWEEP_DIR)/spin-%) $(SWEEP_RELAX:%=$(SWEEP_DIR)/relax-%)
SWEEP_CC     = $(BENCH_CC) $(BENCH_CFLAGS) -DLKB_MUTEX_ONLY

$(SWEEP_DIR)/spin-%: $(SWEEP_SRCS) $(wildcard bench/*.h) $(INC)/.stamp
	@mkdir -p $(@D)
	$(SWEEP_CC) -DLK_SPIN_NS=$* -DLKB_CFLAGS='"$(SWEEP_CC) -DLK_SPIN_NS=$*"' \
		$(SWEEP_SRCS) -o $@ -lck -lm

$(SWEEP_DIR)/relax-%: $(SWEEP_SRCS) $(wildcard bench/*.h) $(INC)/.stamp
	@mkdir -p $(@D)
	$(SWEEP_CC) -DLK_RELAX_REPEAT=$* -DLKB_CFLAGS='"$(SWEEP_CC) -DLK_RELAX_REPEAT=$*"' \
		$(SWEEP_SRCS) -o $@ -lck -lm

# The multi-process section (bench/mproc.c, mproc_team.c; bench/README.md):
# the lock table shared by P processes against Berkeley DB's lock
# subsystem in one multi-process environment, and both as P threads.
MPROC_SRCS := bench/mproc.c bench/mproc_team.c bench/lockmgr_work.c \
	bench/team.c bench/stats.c bench/coarse.c
MPROC_BIN  := $(BUILD)/bench/mproc
$(MPROC_BIN): $(MPROC_SRCS) $(wildcard bench/*.h) $(INC)/.stamp $(BUILD)/gcc/liblatchkit.a
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) $(MPROC_SRCS) -o $@ \
		$(BUILD)/gcc/liblatchkit.a -ldb-5.3 -lm

.PHONY: bench bench-full bench-smoke bench-instr bench-sweep bench-programs
bench: deps headers $(BENCH_BIN) $(BENCH_COUNT_BIN) $(PRELOAD_SO)
	@bench/run.sh $(BENCH_BIN) $(BENCH_OUT) $(BENCH_THREADS)
	@bench/programs.sh $(PRELOAD_SO) $(BENCH_OUT) quick

bench-programs: deps $(PRELOAD_SO)
	@bench/programs.sh $(PRELOAD_SO) $(BENCH_OUT) full

bench-full: deps headers $(BENCH_BIN) $(BENCH_COUNT_BIN)
	@bench/run.sh $(BENCH_BIN) $(BENCH_OUT) --full $(BENCH_THREADS)

bench-smoke: headers $(BENCH_BIN) $(BENCH_COUNT_BIN) $(MPROC_BIN)
	@scripts/check.sh bench-smoke $(BENCH_BIN) --smoke --quiet \
		--out $(BUILD)/bench-smoke $(BENCH_THREADS)
	@scripts/check.sh bench-mproc-smoke $(MPROC_BIN) --smoke \
		--out $(BUILD)/bench-smoke

bench-instr: deps headers $(BENCH_BIN)
	@bench/instr.sh $(BENCH_BIN) $(BENCH_OUT)

bench-sweep: deps headers $(SWEEP_BINS)
	@SWEEP_SPIN="$(SWEEP_SPIN)" SWEEP_RELAX="$(SWEEP_RELAX)" \
		bench/sweep.sh $(SWEEP_DIR) $(BENCH_OUT) $(BENCH_THREADS)

# make bench-pshared: cross-process lock/unlock (bench/pshared.c): lk_mutex
# (LK_MUTEX_INIT_SHARED), lk_robust and lk_ticket (shared) against
# process-shared pthread mutexes, plain and robust, 1/2/4 processes (about
# 12 s); then callgrind's instructions per uncontended
# lock+increment+unlock of each. make bench runs a short form (1 and 2
# processes, 3 runs of 100 ms: a few seconds) through bench/run.sh.
PSHARED_BIN := $(BUILD)/bench/pshared
$(PSHARED_BIN): bench/pshared.c $(INC)/.stamp
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) bench/pshared.c -o $@
.PHONY: bench-pshared
bench-pshared: headers $(PSHARED_BIN)
	@$(PSHARED_BIN) $(PSHARED_ARGS)
	@for kn in 0:lk_mutex-shared 1:pthread-shared 2:lk_robust 3:pthread-robust 4:lk_ticket-shared; do \
		k=$${kn%%:*}; \
		a=$$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $(PSHARED_BIN) --instr 100000 --kind $$k 2>&1 | awk '/Collected/{print $$4}'); \
		b=$$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $(PSHARED_BIN) --instr 200000 --kind $$k 2>&1 | awk '/Collected/{print $$4}'); \
		echo "$${kn#*:}: $$(( (b - a) / 100000 )) instructions per uncontended lock+inc+unlock (callgrind)"; \
	done
# make bench's short cross-process section (bench/run.sh) needs it built
bench bench-full: $(PSHARED_BIN)

# make bench-mproc: the multi-process section alone (bench/mproc.c): YCSB
# theta 0.8 at 1, 2 and 4n processes (threads), 5 interleaved reps of 100
# ms; mproc.txt, mproc.csv, mproc.json. make bench runs it through
# bench/run.sh, bench-full with --full (every theta, 11 reps, 1 s cells).
# MPROC_ARGS="--workload ycsb-t0,ycsb-t0.99 --procs '1 4'" picks others.
.PHONY: bench-mproc
bench-mproc: deps headers $(MPROC_BIN)
	@mkdir -p $(BENCH_OUT)
	@$(MPROC_BIN) --out $(BENCH_OUT) $(MPROC_ARGS) | tee $(BENCH_OUT)/mproc.txt
bench bench-full: $(MPROC_BIN)

# make bench-xfer: cache-line transfers per txn between two threads that
# alternate txns under one table, a model (bench/xfer.c): the library built
# with gcc's -fsanitize=thread instrumentation, linked with hooks that count
# instead of TSan's runtime; then the price of a modelled transfer on this
# machine, timed (xfer --price), and the txn's transfers at that price.
# About 15 s. XFER_ARGS=--flat for the S/X table.
XFER_DIR  := $(BUILD)/bench/xfer
XFER_OBJS := $(patsubst lockmgr/%.c,$(XFER_DIR)/lockmgr/%.o,$(LOCKMGR_SRCS))
$(XFER_DIR)/lockmgr/%.o: lockmgr/%.c $(wildcard lockmgr/*.h) $(INC)/.stamp
	@mkdir -p $(@D)
	gcc $(CFLAGS_BASE) -fsanitize=thread -c $< -o $@
$(XFER_DIR)/xfer: bench/xfer.c $(XFER_OBJS)
	gcc $(CFLAGS_BASE) -no-pie bench/xfer.c $(XFER_OBJS) -o $@
.PHONY: bench-xfer
bench-xfer: headers $(XFER_DIR)/xfer
	@bench/xfer.sh $(XFER_DIR)/xfer $(XFER_ARGS)
