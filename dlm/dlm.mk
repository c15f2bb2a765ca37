# dlm/: the lock table's model on a ZooKeeper ensemble (dlm/README.md).
# Its own library, liblatchkit-dlm (needs -lzookeeper_mt): the core
# liblatchkit never links ZooKeeper. Built only where the Debian C client
# (libzookeeper-mt-dev) is installed; elsewhere each target prints SKIP.
#   make dlm-lib         build/dlm/liblatchkit-dlm.a and .so, <latchkit/dlm.h>
#   make test-dlm        the short run for `make test` (~30 s): the grant rule
#                        alone, then a 3-member ensemble on loopback with the
#                        functional and fault tests and a short history check
#   make test-dlm-long   the same with a 600-round history check with a client
#                        stalled past its lease (`make stress` runs it)
#   make bench-dlm       lock/unlock latency and throughput (dlm/bench.sh)
DLM_HAVE := $(wildcard /usr/include/zookeeper/zookeeper.h)
DLM_BUILD := $(BUILD)/dlm
DLM_LIB_SRCS := dlm/dlm.c dlm/grant.c
DLM_CFLAGS := $(CFLAGS_BASE) -fPIC
DLM_LIBS := -lzookeeper_mt -pthread
DLM_A := $(DLM_BUILD)/liblatchkit-dlm.a
DLM_SO := $(DLM_BUILD)/liblatchkit-dlm.so
DLM_TESTS := $(DLM_BUILD)/test_grant $(DLM_BUILD)/test_dlm

.PHONY: dlm-lib test-dlm test-dlm-long bench-dlm
ifneq ($(DLM_HAVE),)
dlm-lib: $(DLM_A) $(DLM_SO) $(INC)/latchkit/dlm.h

$(INC)/latchkit/dlm.h: dlm/dlm.h
	@mkdir -p $(@D)
	@ln -sf $(abspath $<) $@

# Both compilers must take it warning-free; gcc's objects make the library.
$(DLM_BUILD)/%.o: dlm/%.c $(wildcard dlm/*.h)
	@mkdir -p $(@D)
	clang $(DLM_CFLAGS) -fsyntax-only $<
	gcc $(DLM_CFLAGS) -c $< -o $@
$(DLM_A): $(DLM_LIB_SRCS:dlm/%.c=$(DLM_BUILD)/%.o)
	rm -f $@ && ar rcs $@ $^
$(DLM_SO): $(DLM_LIB_SRCS:dlm/%.c=$(DLM_BUILD)/%.o)
	gcc -shared -Wl,-soname,liblatchkit-dlm.so -Wl,--no-undefined -o $@ $^ $(DLM_LIBS)

$(DLM_BUILD)/test_grant: $(DLM_BUILD)/test_grant.o $(DLM_BUILD)/grant.o
	gcc $^ -o $@
$(DLM_BUILD)/test_dlm: $(DLM_BUILD)/test_dlm.o $(DLM_BUILD)/agent.o $(DLM_BUILD)/history.o $(DLM_A)
	gcc $^ -o $@ $(DLM_LIBS)

$(DLM_BUILD)/bench_dlm: $(DLM_BUILD)/bench_dlm.o $(DLM_A) $(BUILD)/gcc/liblatchkit.a
	gcc $^ -o $@ $(DLM_LIBS)
$(DLM_BUILD)/bench_dlm.o: $(INC)/.stamp

bench-dlm: $(DLM_BUILD)/bench_dlm
	@dlm/bench.sh $(DLM_BUILD)/bench_dlm $(BENCH_OUT)

test-dlm: $(DLM_TESTS)
	@scripts/check.sh dlm-grant-rule $(DLM_BUILD)/test_grant
	@scripts/check.sh dlm-ensemble dlm/test.sh $(DLM_BUILD)/test_dlm short
test-dlm-long: $(DLM_TESTS)
	@scripts/check.sh dlm-ensemble-long dlm/test.sh $(DLM_BUILD)/test_dlm long
else
dlm-lib test-dlm test-dlm-long bench-dlm:
	@echo "SKIP  $@: the ZooKeeper C client is not installed (make deps)"
endif
