# plugins/markdown/plugin.mk -- the markdown plugin (cmark-gfm), included by
# the top Makefile.
#
# Debian 12's libcmark-gfm.pc says "-lcmark-gfm -lcmark-gfm-extensions" but
# libcmark-gfm-dev ships no unversioned libcmark-gfm-extensions.so (nor its
# header, see md.h): link the versioned file by name when the link is missing.
MD_LIBDIR = $(shell pkg-config --variable=libdir libcmark-gfm 2>/dev/null)
MD_EXTLIB = $(firstword $(wildcard $(MD_LIBDIR)/libcmark-gfm-extensions.so) \
                        $(wildcard $(MD_LIBDIR)/libcmark-gfm-extensions.so.*))
MD_LIBS   = -L$(MD_LIBDIR) -lcmark-gfm $(if $(MD_EXTLIB),-l:$(notdir $(MD_EXTLIB)),-lcmark-gfm-extensions) \
            $(shell pkg-config --libs libxml-2.0 2>/dev/null) -pthread
MD_SRC    := plugins/markdown/markdown.c plugins/markdown/md_read.c plugins/markdown/md_write.c

PLUGIN_SO += $(BUILD)/plugins/markdown.so

$(BUILD)/plugins/markdown.so: $(MD_SRC) plugins/markdown/md.h core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $@"
	$(Q)$(CC) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags libcmark-gfm 2>/dev/null) -pthread \
	    $(PLUGIN_LDFLAGS) -o $@ $(MD_SRC) $(MD_LIBS)

# The test driver: parses and writes through the public API with the plugin
# loaded by path (tests/run.sh uses it; lode's CLI does the same with
# --plugin).
unit: $(BUILD)/tests/md_driver
$(BUILD)/tests/md_driver: plugins/markdown/tests/md_driver.c $(LIB_INT)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(LIB_INT) $(LDLIBS_ALL) $(SANLD)
