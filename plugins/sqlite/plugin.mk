# plugins/sqlite: the record sink "sqlite" (libsqlite3-dev, pkg-config sqlite3).
SQLITE_PLUGIN_SRC := $(sort $(wildcard plugins/sqlite/*.c))
PLUGIN_SO += $(BUILD)/plugins/sqlite.so

$(BUILD)/plugins/sqlite.so: $(SQLITE_PLUGIN_SRC) plugins/sqlite/sqlite_sink.h core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags sqlite3 2>/dev/null) $(PLUGIN_LDFLAGS) -o $@ \
	    $(SQLITE_PLUGIN_SRC) $(shell pkg-config --libs sqlite3 2>/dev/null)
