# dlm/: the lock table's model on a ZooKeeper ensemble (dlm/README.md).
# Its own library, liblatchkit-dlm (needs -lzookeeper_mt): the core
# liblatchkit never links ZooKeeper. Built only where the Debian C client
# (libzookeeper-mt-dev) is installed; elsewhere each target prints SKIP.
#   make dlm-lib         build/dlm/liblatchkit-dlm.a and .so, <latchkit/dlm.h>
#   make test-dlm        the short run for `make test` (35-45 s): the grant rule
#                        alone, then a 3-member ensemble on loopback with the
#                        functional and fault tests and a short history check
#   make test-dlm-long   the same with a 600-round history check with a client
#                        stalled past its lease (`make stress` runs it)
#   make bench-dlm       lock/unlock latency and throughput (dlm/bench.sh)
# make install installs it with the rest (header, libraries, latchkit-dlm.pc,
# man page) where it is built; DLM_INSTALL=no leaves it out.
DLM_HAVE := $(wildcard /usr/include/zookeeper/zookeeper.h)
DLM_BUILD := $(BUILD)/dlm
DLM_LIB_SRCS := dlm/dlm.c dlm/session.c dlm/grant.c
DLM_CFLAGS := $(CFLAGS_BASE) -fPIC
DLM_LIBS := -lzookeeper_mt -pthread
DLM_A := $(DLM_BUILD)/liblatchkit-dlm.a
# As liblatchkit (lockmgr.mk): the file carries the release, the SONAME its
# major number; liblatchkit-dlm.map exports dlm.h's functions only.
DLM_SONAME := liblatchkit-dlm.so.$(VERSION_MAJOR)
DLM_SO := $(DLM_BUILD)/liblatchkit-dlm.so.$(VERSION)
DLM_TESTS := $(DLM_BUILD)/test_grant $(DLM_BUILD)/test_dlm $(BUILD)/man/examples/dlm

# The page is made from dlm.h with the others (man/man.mk), everywhere; it
# is installed only with the library. Its example needs an ensemble, so
# test-dlm builds and runs it, not man-examples.
MAN_MORE_HEADERS += dlm/dlm.h
$(BUILD)/man/.stamp: dlm/dlm.h

.PHONY: dlm-lib test-dlm test-dlm-long bench-dlm dlm-header-check
ifneq ($(DLM_HAVE),)
DLM_INSTALL ?= yes
export DLM_INSTALL
dlm-lib: $(DLM_A) $(DLM_SO) $(DLM_BUILD)/$(DLM_SONAME) $(DLM_BUILD)/liblatchkit-dlm.so $(INC)/latchkit/dlm.h
ifeq ($(DLM_INSTALL),yes)
install uninstall: dlm-lib $(DIST)/latchkit-dlm.pc
endif

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
$(DLM_SO): $(DLM_LIB_SRCS:dlm/%.c=$(DLM_BUILD)/%.o) dlm/liblatchkit-dlm.map
	gcc -shared -Wl,-soname,$(DLM_SONAME) -Wl,--version-script=dlm/liblatchkit-dlm.map \
		-Wl,--no-undefined -o $@ $(filter %.o,$^) $(DLM_LIBS)
$(DLM_BUILD)/$(DLM_SONAME): $(DLM_SO)
	ln -sfn $(notdir $<) $@
$(DLM_BUILD)/liblatchkit-dlm.so: $(DLM_BUILD)/$(DLM_SONAME)
	ln -sfn $(notdir $<) $@

# pkg-config file, written for each install (PREFIX may change).
$(DIST)/latchkit-dlm.pc: FORCE_DLM_PC
	@mkdir -p $(@D)
	@sed -e 's|@PREFIX@|$(PREFIX)|' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
		-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
		-e 's|@VERSION@|$(VERSION)|' dlm/latchkit-dlm.pc.in > $@
.PHONY: FORCE_DLM_PC

# The man page's example, as a reader builds it; test.sh runs it on the ensemble.
$(BUILD)/man/examples/dlm: man/examples/dlm.c $(INC)/latchkit/dlm.h $(DLM_A)
	@mkdir -p $(@D)
	gcc $(CFLAGS_BASE) -pedantic $< -o $@ $(DLM_A) $(DLM_LIBS)

$(DLM_BUILD)/test_grant: $(DLM_BUILD)/test_grant.o $(DLM_BUILD)/grant.o
	gcc $^ -o $@
$(DLM_BUILD)/test_dlm: $(DLM_BUILD)/test_dlm.o $(DLM_BUILD)/agent.o $(DLM_BUILD)/history.o $(DLM_BUILD)/relay.o $(DLM_A)
	gcc $^ -o $@ $(DLM_LIBS)

$(DLM_BUILD)/bench_dlm: $(DLM_BUILD)/bench_dlm.o $(DLM_A) $(BUILD)/gcc/liblatchkit.a
	gcc $^ -o $@ $(DLM_LIBS)
$(DLM_BUILD)/bench_dlm.o: $(INC)/.stamp

bench-dlm: $(DLM_BUILD)/bench_dlm
	@dlm/bench.sh $(DLM_BUILD)/bench_dlm $(BENCH_OUT)

# dlm.h is not in PUB_HEADERS (it installs only with the C client), so
# test-headers does not see it: checked here, as C11 and C++11 under both
# compilers.
DLM_HDR_TU := '\#include <latchkit/dlm.h>\nint main(void) { lk_dlm_config_t c = LK_DLM_CONFIG_INIT; (void)c; return 0; }\n'
dlm-header-check: $(INC)/latchkit/dlm.h
	@for c in "gcc -x c -std=c11" "clang -x c -std=c11" "g++ -x c++ -std=c++11" "clang++ -x c++ -std=c++11"; do \
		printf $(DLM_HDR_TU) | $$c $(WARN) -pedantic -I$(INC) -fsyntax-only - || exit 1; \
		echo "ok $$c"; done

test-dlm: $(DLM_TESTS) $(DLM_SO)
	@scripts/check.sh dlm-header $(MAKE) --no-print-directory dlm-header-check
	@scripts/check.sh dlm-symbols dlm/symbols.sh $(DLM_SO) $(DLM_SONAME) dlm/liblatchkit-dlm.map
	@scripts/check.sh dlm-grant-rule $(DLM_BUILD)/test_grant
	@scripts/check.sh dlm-ensemble dlm/test.sh $(DLM_BUILD)/test_dlm short $(BUILD)/man/examples/dlm
test-dlm-long: $(DLM_TESTS)
	@scripts/check.sh dlm-ensemble-long dlm/test.sh $(DLM_BUILD)/test_dlm long
else
DLM_INSTALL := no
export DLM_INSTALL
dlm-lib test-dlm test-dlm-long bench-dlm dlm-header-check:
	@echo "SKIP  $@: the ZooKeeper C client is not installed (make deps)"
endif
