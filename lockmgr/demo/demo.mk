# make demo: build the lock table's live-view demo against the static
# library and run it briefly (3 snapshots of the table, then exit).
.PHONY: demo
demo: $(BUILD)/gcc/lkdemo
	$(BUILD)/gcc/lkdemo -n 3 -i 150 -t 6

$(BUILD)/gcc/lkdemo: lockmgr/demo/lkdemo.c $(INC)/.stamp $(BUILD)/gcc/liblatchkit.a
	@mkdir -p $(@D)
	gcc $(CFLAGS_BASE) $< -o $@ $(BUILD)/gcc/liblatchkit.a
