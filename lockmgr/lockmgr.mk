# liblatchkit: the lock table, static and shared, one per compiler.
LOCKMGR_SRCS := $(wildcard lockmgr/*.c)
.PHONY: lib
lib: $(foreach c,$(COMPILERS),$(BUILD)/$(c)/liblatchkit.a) $(BUILD)/gcc/liblatchkit.so

define lockmgr_rules
$(BUILD)/$(1)/lockmgr/%.o: lockmgr/%.c $(wildcard lockmgr/*.h) $(INC)/.stamp
	@mkdir -p $$(@D)
	$(1) $(CFLAGS_BASE) -fPIC -c $$< -o $$@
$(BUILD)/$(1)/liblatchkit.a: $(patsubst lockmgr/%.c,$(BUILD)/$(1)/lockmgr/%.o,$(LOCKMGR_SRCS))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach c,$(COMPILERS),$(eval $(call lockmgr_rules,$(c))))

# The shared library as distributions ship it: the file carries the full
# version, its SONAME the major one (primitives/version.h), and the dev
# link liblatchkit.so points at the SONAME link. liblatchkit.map exports
# the lk_ names only, under a version node.
SONAME := liblatchkit.so.$(VERSION_MAJOR)
$(BUILD)/gcc/liblatchkit.so.$(VERSION): $(patsubst lockmgr/%.c,$(BUILD)/gcc/lockmgr/%.o,$(LOCKMGR_SRCS)) lockmgr/liblatchkit.map
	gcc -shared -pthread -Wl,-soname,$(SONAME) \
		-Wl,--version-script=lockmgr/liblatchkit.map -Wl,--no-undefined \
		-o $@ $(filter %.o,$^)
$(BUILD)/gcc/$(SONAME): $(BUILD)/gcc/liblatchkit.so.$(VERSION)
	ln -sfn $(notdir $<) $@
$(BUILD)/gcc/liblatchkit.so: $(BUILD)/gcc/$(SONAME)
	ln -sfn $(notdir $<) $@

# lib-debug: the same library built with -DLK_DEBUG (misuse such as an
# early release under strict_2pl aborts with a message instead of returning
# LK_INVAL). Not part of `lib`; link build/gcc/debug/liblatchkit.a to use it.
.PHONY: lib-debug
lib-debug: $(BUILD)/gcc/debug/liblatchkit.a
$(BUILD)/gcc/debug/lockmgr/%.o: lockmgr/%.c $(wildcard lockmgr/*.h) $(INC)/.stamp
	@mkdir -p $(@D)
	gcc $(CFLAGS_BASE) -DLK_DEBUG -fPIC -c $< -o $@
$(BUILD)/gcc/debug/liblatchkit.a: $(patsubst lockmgr/%.c,$(BUILD)/gcc/debug/lockmgr/%.o,$(LOCKMGR_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# lib-count: the same library built with -DLK_COUNT_RMW: every atomic
# read-modify-write on a line other txns also write bumps a per-thread
# counter (LK__RMW_SHARED in lockmgr_int.h). Only the bench links it
# (build/bench/bench-count, its RMWs-per-txn column); not part of `lib`.
.PHONY: lib-count
lib-count: $(BUILD)/gcc/count/liblatchkit.a
$(BUILD)/gcc/count/lockmgr/%.o: lockmgr/%.c $(wildcard lockmgr/*.h) $(INC)/.stamp
	@mkdir -p $(@D)
	gcc $(CFLAGS_BASE) -DLK_COUNT_RMW -fPIC -c $< -o $@
$(BUILD)/gcc/count/liblatchkit.a: $(patsubst lockmgr/%.c,$(BUILD)/gcc/count/lockmgr/%.o,$(LOCKMGR_SRCS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
