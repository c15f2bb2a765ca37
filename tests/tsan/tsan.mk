# tests/tsan/: what ThreadSanitizer sees of every latch through base.h's
# annotations. tsan_latch.c, tsan_clean.c, tsan_hb.c, tsan_cond.c and
# tsan_cond_unannotated.c (which includes tsan_cond.c) are one program,
# built with -fsanitize=thread by each compiler, and without it as one
# relocatable object whose symbols must hold no __tsan_ reference; run.sh runs every scenario in one process per compiler
# and checks TSan's report text (lock-order inversions, races that name the
# latch, clean runs). `make test` runs it as test-tsan (about 20 s on 2
# cores, most of it the two builds).
TSAN_TEST_SRC := tests/tsan/tsan_latch.c tests/tsan/tsan_clean.c tests/tsan/tsan_hb.c \
	tests/tsan/tsan_cond.c tests/tsan/tsan_cond_unannotated.c

define tsan_test_rules
$(BUILD)/tsan-$(1)/tsan/tsan_latch: $(TSAN_TEST_SRC) tests/tsan/tsan.h $(INC)/.stamp
	@mkdir -p $$(@D)
	$(1) -fsanitize=thread $(CFLAGS_BASE) -O1 $(TSAN_TEST_SRC) -o $$@
$(BUILD)/tsan-$(1)/tsan/tsan_latch-plain.o: $(TSAN_TEST_SRC) tests/tsan/tsan.h $(INC)/.stamp
	@mkdir -p $$(@D)
	$(1) $(CFLAGS_BASE) -r -nostdlib $(TSAN_TEST_SRC) -o $$@
endef
$(foreach c,$(COMPILERS),$(eval $(call tsan_test_rules,$(c))))

TSAN_TEST_BINS := $(foreach c,$(COMPILERS),$(BUILD)/tsan-$(c)/tsan/tsan_latch $(BUILD)/tsan-$(c)/tsan/tsan_latch-plain.o)
.PHONY: test-tsan
test-tsan: $(TSAN_TEST_BINS)
	@for c in $(COMPILERS); do \
		scripts/check.sh tsan-$$c.latches tests/tsan/run.sh \
			$(BUILD)/tsan-$$c/tsan/tsan_latch \
			$(BUILD)/tsan-$$c/tsan/tsan_latch-plain.o || exit 1; \
	done
