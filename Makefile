# latchkit: `make test` and `make bench` are all a newcomer needs.
# Each folder owns a make fragment (tests/tests.mk and the tests/tsan/tsan.mk
# it includes, lockmgr/lockmgr.mk, verify/verify.mk, bench/bench.mk,
# man/man.mk, dist/dist.mk, tests/consumer/consumer.mk, preload/preload.mk,
# dlm/dlm.mk); this file holds what
# they share.

PREFIX   ?= /usr/local
BUILD    := build
INC      := $(BUILD)/include
WARN     := -Wall -Wextra -Werror
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      ?= -O2 -g
CFLAGS_BASE := $(CSTD) $(OPT) $(WARN) -pthread -I$(INC)
COMPILERS := gcc clang
NPROC    := $(shell nproc 2>/dev/null || echo 2)

# The release is written once, in primitives/version.h; the SONAME
# (lockmgr.mk), latchkit.pc, the CMake package (dist/) and the man pages read
# it from here.
lk_version = $(shell sed -n 's/^\#define LATCHKIT_VERSION_$(1) \([0-9][0-9]*\)$$/\1/p' primitives/version.h)
VERSION_MAJOR := $(call lk_version,MAJOR)
VERSION := $(VERSION_MAJOR).$(call lk_version,MINOR).$(call lk_version,PATCH)
ifneq ($(words $(subst ., ,$(VERSION))),3)
$(error primitives/version.h: cannot read LATCHKIT_VERSION_MAJOR/MINOR/PATCH)
endif

# Public headers: every primitive plus the lock table's API.
PUB_HEADERS := $(sort $(wildcard primitives/*.h)) $(wildcard lockmgr/lockmgr.h)

.PHONY: all deps headers test bench stress verify install clean
all: headers lib

deps:
	@scripts/deps.sh

# In-tree, headers are reached as <latchkit/NAME.h> through symlinks.
headers: $(INC)/.stamp
$(INC)/.stamp: $(PUB_HEADERS)
	@mkdir -p $(INC)/latchkit
	@ln -sf $(abspath $(PUB_HEADERS)) $(INC)/latchkit/
	@touch $@

include lockmgr/lockmgr.mk
include tests/tests.mk
include tests/consumer/consumer.mk
include man/man.mk
include dist/dist.mk
include verify/verify.mk
include preload/preload.mk
include bench/bench.mk
include bench/headproto.mk
include dlm/dlm.mk
-include lockmgr/demo/demo.mk

# The order matters only for reading the log: unit tests first.
# Builds run in parallel; the checks themselves run one after another.
test: deps headers
	@$(MAKE) --no-print-directory -j$(NPROC) test-unit
	@$(MAKE) --no-print-directory -j$(NPROC) test-shm-killat
	@$(MAKE) --no-print-directory -j$(NPROC) test-nap
	@$(MAKE) --no-print-directory test-headers
	@$(MAKE) --no-print-directory -j$(NPROC) test-tsan
	@$(MAKE) --no-print-directory -j$(NPROC) test-stress
	@$(MAKE) --no-print-directory verify-spin
	@$(MAKE) --no-print-directory -j$(NPROC) bench-smoke
	@$(MAKE) --no-print-directory -j$(NPROC) test-preload
	@scripts/check.sh bench-head-selftest $(MAKE) --no-print-directory bench-head-selftest
	@$(MAKE) --no-print-directory test-dist
	@$(MAKE) --no-print-directory -j$(NPROC) test-model
	@$(MAKE) --no-print-directory test-mutate-selfcheck
	@$(MAKE) --no-print-directory -j$(NPROC) test-dlm
	@scripts/summary.sh

clean:
	rm -rf $(BUILD) bench/results
