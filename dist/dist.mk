# dist/: what `make install` puts on a system, the way distributions
# package a library, and the checks that it does so.
#   make install / uninstall   PREFIX (default /usr/local) and DESTDIR
#                              staging; INCLUDEDIR, LIBDIR, PKGCONFIGDIR,
#                              CMAKEDIR and MANDIR may be set one by one
#   make abi-check             the shared library's ABI against the committed
#                              baseline, dist/liblatchkit.abi (abidiff)
#   make abi-baseline          records this build's ABI as the new baseline
#   make test-dist             the checks make test runs: ABI, man pages,
#                              install/uninstall, consumers (tests/consumer/)
INCLUDEDIR   ?= $(PREFIX)/include
LIBDIR       ?= $(PREFIX)/lib
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
CMAKEDIR     ?= $(LIBDIR)/cmake/latchkit
MANDIR       ?= $(PREFIX)/share/man

DIST := $(BUILD)/dist
SHLIB := $(BUILD)/gcc/liblatchkit.so.$(VERSION)
SIZEOF_VOID_P := $(shell echo __SIZEOF_POINTER__ | gcc -E -P - 2>/dev/null | tail -1)

# The environment of dist/install.sh.
DIST_ENV = DESTDIR='$(DESTDIR)' PREFIX='$(PREFIX)' INCLUDEDIR='$(INCLUDEDIR)' \
	LIBDIR='$(LIBDIR)' PKGCONFIGDIR='$(PKGCONFIGDIR)' CMAKEDIR='$(CMAKEDIR)' \
	MANDIR='$(MANDIR)' VERSION='$(VERSION)' VERSION_MAJOR='$(VERSION_MAJOR)' \
	HEADERS='$(PUB_HEADERS)' BUILD='$(BUILD)'

.PHONY: install uninstall install-files abi-check abi-baseline test-dist
install: lib man install-files
	@$(DIST_ENV) dist/install.sh install

uninstall: man install-files
	@$(DIST_ENV) dist/install.sh uninstall

# latchkit.pc and the CMake files name the install folders, so they are
# written for each install (PREFIX may differ from the last one).
# The CMake files find the rest relative to their own folder.
rel = $(shell realpath -m --relative-to='$(1)' '$(2)')
install-files:
	@mkdir -p $(DIST)
	@sed -e 's|@PREFIX@|$(PREFIX)|' \
		-e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|' \
		-e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|' \
		-e 's|@VERSION@|$(VERSION)|' latchkit.pc.in > $(DIST)/latchkit.pc
	@for f in latchkitConfig latchkitConfigVersion; do \
		sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@VERSION_MAJOR@|$(VERSION_MAJOR)|g' \
		    -e 's|@SIZEOF_VOID_P@|$(SIZEOF_VOID_P)|g' \
		    -e 's|@CMAKE_TO_INCLUDEDIR@|$(call rel,$(CMAKEDIR),$(INCLUDEDIR))|' \
		    -e 's|@CMAKE_TO_LIBDIR@|$(call rel,$(CMAKEDIR),$(LIBDIR))|' \
		    dist/$$f.cmake.in > $(DIST)/$$f.cmake; done

# The ABI as abidw sees it: the public types (those of lockmgr.h) and the
# exported functions, without paths of this machine or checkout (no corpus
# or compilation folder, no source locations), so that a baseline made in
# one clone compares clean in another.
ABI_BASELINE := dist/liblatchkit.abi
ABIDW := abidw --no-corpus-path --no-comp-dir-path --no-show-locs \
	--drop-private-types --drop-undefined-syms --header-file lockmgr/lockmgr.h
$(DIST)/liblatchkit.abi: $(SHLIB) lockmgr/lockmgr.h
	@mkdir -p $(@D)
	$(ABIDW) --out-file $@ $<
abi-check: $(DIST)/liblatchkit.abi
	@dist/abi-check.sh $(ABI_BASELINE) $<
abi-baseline: $(DIST)/liblatchkit.abi
	cp $< $(ABI_BASELINE)
	@echo "abi-baseline: $(ABI_BASELINE) now describes liblatchkit.so.$(VERSION); commit it"

# make test's checks of this folder's work, one line each.
test-dist: lib man
	@scripts/check.sh abi-check $(MAKE) --no-print-directory abi-check
	@scripts/check.sh man-lint man/lint.sh $(MAN_DIR) $(PUB_HEADERS) $(MAN_MORE_HEADERS)
	@scripts/check.sh man-examples $(MAKE) --no-print-directory -j$(NPROC) man-examples
	@scripts/check.sh install-uninstall dist/test-install.sh
	@scripts/check.sh consumer $(MAKE) --no-print-directory test-consumer
