# man/: section 3 pages, generated from the public headers by mkman.py into
# build/man/man3 (never committed, so a header and its page cannot drift):
# latchkit-NAME.3 for each header, latchkit.3 the index, and a link
# lk_VERB.3 -> latchkit-NAME.3 for each verb. man/examples/NAME.c is each
# page's EXAMPLES section; make man-examples compiles and runs them all.
MAN_DIR := $(BUILD)/man/man3
MAN_EXAMPLES := $(sort $(wildcard man/examples/*.c))
.PHONY: man man-examples
man: $(BUILD)/man/.stamp
$(BUILD)/man/.stamp: $(PUB_HEADERS) man/mkman.py $(MAN_EXAMPLES)
	@mkdir -p $(@D)
	python3 man/mkman.py --out $(MAN_DIR) --version $(VERSION) \
		--examples man/examples --cc gcc $(PUB_HEADERS) $(MAN_MORE_HEADERS)
	@touch $@

# Each example as a reader would build it (the in-tree headers stand in for
# the installed ones), run; quiet unless one fails. MAN_MORE_HEADERS: pages
# of headers outside PUB_HEADERS (dlm/dlm.mk adds dlm.h, whose example needs
# a ZooKeeper ensemble: test-dlm builds and runs it).
MAN_EXAMPLE_BINS := $(patsubst man/examples/%.c,$(BUILD)/man/examples/%,$(filter-out man/examples/dlm.c,$(MAN_EXAMPLES)))
$(BUILD)/man/examples/%: man/examples/%.c $(INC)/.stamp $(BUILD)/gcc/liblatchkit.a
	@mkdir -p $(@D)
	@gcc $(CFLAGS_BASE) -pedantic $< -o $@ $(BUILD)/gcc/liblatchkit.a
man-examples: $(MAN_EXAMPLE_BINS)
	@for x in $(MAN_EXAMPLE_BINS); do \
		$$x >$$x.out 2>&1 || { echo "$$x failed:"; cat $$x.out; exit 1; }; \
		echo "$${x##*/}: ok ($$(head -1 $$x.out))"; done
