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

$(BUILD)/gcc/liblatchkit.so: $(patsubst lockmgr/%.c,$(BUILD)/gcc/lockmgr/%.o,$(LOCKMGR_SRCS))
	gcc -shared -pthread -o $@ $^
