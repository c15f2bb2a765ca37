# preload/preload.mk: liblatchkit-preload.so, any program on latchkit's locks
# (README, "Run your program on latchkit").
#   make preload        build/liblatchkit-preload.so
#   make test-preload   preload/test.sh: tests/preload_verbs.c and
#                       tests/preload_cxx.cpp under every algorithm,
#                       tests/preload_plt.c (got.c's patched slots), the
#                       profile's hot lock, kccachetest wicked (part of
#                       make test)
#   make test-preload-clang  the same on the library built by clang
PRELOAD_CC   ?= gcc
PRELOAD_SO   ?= $(BUILD)/liblatchkit-preload.so
PRELOAD_SRCS := $(wildcard preload/*.c)
# initial-exec TLS for the headers' thread-locals too (brlock's slot, the
# wait stats): a library loaded with the program (LD_PRELOAD) has static
# TLS, and pl_tid_ already needs it; general-dynamic costs a
# __tls_get_addr call per access (11 instructions a verb, callgrind).
PRELOAD_CFLAGS := $(CSTD) -O2 -g $(WARN) -pthread -I$(INC) -fPIC \
	-fvisibility=hidden -ftls-model=initial-exec
PRELOAD_TESTS := $(BUILD)/preload/preload_verbs $(BUILD)/preload/preload_hot \
	$(BUILD)/preload/preload_plt $(BUILD)/preload/preload_plt_now \
	$(BUILD)/preload/preload_cost $(BUILD)/preload/preload_cxx

.PHONY: preload test-preload
preload: $(PRELOAD_SO)

$(PRELOAD_SO): $(PRELOAD_SRCS) preload/preload.h preload/preload.map $(INC)/.stamp
	@mkdir -p $(@D)
	$(PRELOAD_CC) $(PRELOAD_CFLAGS) -shared -Wl,--version-script=preload/preload.map \
		-Wl,--no-undefined -o $@ $(PRELOAD_SRCS) -ldl

# The test programs know nothing of latchkit: plain pthread programs.
$(BUILD)/preload/%: preload/tests/%.c $(INC)/.stamp
	@mkdir -p $(@D)
	gcc $(CSTD) -O2 -g $(WARN) -pthread -I$(INC) -rdynamic $< -o $@ -ldl

# The same, linked -z now: its PLT slots are in a read-only (RELRO) page.
$(BUILD)/preload/preload_plt_now: preload/tests/preload_plt.c
	@mkdir -p $(@D)
	gcc $(CSTD) -O2 -g $(WARN) -pthread -Wl,-z,now,-z,relro $< -o $@ -ldl

$(BUILD)/preload/%: preload/tests/%.cpp
	@mkdir -p $(@D)
	g++ -std=c++17 -O2 -g $(WARN) -pthread $< -o $@

test-preload: $(PRELOAD_SO) $(PRELOAD_TESTS)
	@scripts/check.sh preload preload/test.sh $(PRELOAD_SO) $(BUILD)/preload

# The same tests on the library built by clang (not in make test: the
# test programs are the same; run it when the library's code changes).
.PHONY: test-preload-clang
test-preload-clang: $(PRELOAD_TESTS)
	@$(MAKE) --no-print-directory PRELOAD_CC=clang \
		PRELOAD_SO=$(BUILD)/clang/liblatchkit-preload.so \
		$(BUILD)/clang/liblatchkit-preload.so
	@scripts/check.sh preload-clang preload/test.sh \
		$(BUILD)/clang/liblatchkit-preload.so $(BUILD)/preload

# Instructions per uncontended interposed pair against the latch called
# directly (callgrind; a measurement, not a test).
.PHONY: preload-cost
preload-cost: $(PRELOAD_SO) $(BUILD)/preload/preload_cost
	@preload/cost.sh $(PRELOAD_SO) $(BUILD)/preload
