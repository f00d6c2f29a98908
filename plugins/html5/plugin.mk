# The html5 plugin: a reader built on gumbo (Debian libgumbo-dev).
HTML5_SRC := $(sort $(wildcard plugins/html5/*.c))
PLUGIN_SO += $(BUILD)/plugins/html5.so

$(BUILD)/plugins/html5.so: $(HTML5_SRC) $(wildcard plugins/html5/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags gumbo 2>/dev/null) $(PLUGIN_LDFLAGS) -o $@ \
	    $(HTML5_SRC) $(shell pkg-config --libs gumbo libxml-2.0 2>/dev/null)

