# The html5 plugin: a reader built on gumbo (Debian libgumbo-dev).
HTML5_SRC := $(sort $(wildcard plugins/html5/*.c))
PLUGIN_SO += $(BUILD)/plugins/html5.so

$(BUILD)/plugins/html5.so: $(HTML5_SRC) $(wildcard plugins/html5/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags gumbo 2>/dev/null) $(PLUGIN_LDFLAGS) -o $@ \
	    $(HTML5_SRC) $(shell pkg-config --libs gumbo libxml-2.0 2>/dev/null)

# Its API test (plugins/html5/tests/api.c), run by plugins/html5/tests/run.sh;
# like the unit tests it links the static library and the test harness.
unit: $(BUILD)/tests/html5_api

$(BUILD)/tests/html5_api: plugins/html5/tests/api.c tests/unit/harness.h $(LIB_INT)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(LIB_INT) $(LDLIBS_ALL) $(SANLD)
