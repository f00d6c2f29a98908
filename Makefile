# lode -- build, test, install.
#
#   make                 build build/lode, build/liblode.a, build/liblode.so
#   make demo            install missing packages, build, convert the examples
#   make test            install missing packages, build, run every test
#   make test SAN=1      the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan            8 threads x 200 documents with separate engines under ThreadSanitizer
#   make faultcheck      every allocation failure and I/O fault, not a subset (tests/fault/)
#   make bench [TASKS="peers startup"]   benchmarks against the peers (tests/bench/;
#                        TASKS: some of its tasks, default all)
#   make fuzz [FUZZ_SECONDS=60]   libFuzzer targets (tests/fuzz/), each for N seconds
#   make fuzz-regress    replay tests/fuzz/regress and the seeds once (TAP); part of make test
#   make leakcheck       bad inputs and representative commands under valgrind (tests/leakcheck.sh)
#   make coverage        the test suite on a gcov build (build/cov/), line and branch coverage of core/
#   make install PREFIX=/usr/local   (and DESTDIR=) / make uninstall
#   make ALLOC=system    the lode command always on the C library's malloc (default: jemalloc for big runs)
#   make clean
#
# Dependencies are found with pkg-config.  `make deps` installs missing Debian
# packages with apt-get when run as root, else prints the command to run.

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
OBJCOPY   ?= objcopy
CORPUS    ?= ../shared/corpus
SAN       ?=
# The lode command's malloc: jemalloc (default: preloaded for big runs, the
# C library's for the rest) or system (always the C library's).  Only the
# command loads jemalloc; liblode uses whatever malloc its host has.
# Sanitizer and coverage builds always use the system's (the sanitizers
# replace malloc).
ALLOC     ?= jemalloc
V         ?=
Q         := $(if $(V),,@)

VERSION   := 0.1.0
ABI       := 0
PKGS      := lua5.4 libxml-2.0 libutf8proc jansson zlib

ifeq ($(TSAN),1)
BUILD     := build/tsan
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
SANLD     := -fsanitize=thread
override ALLOC := system
else ifeq ($(COV),1)
BUILD     := build/cov
OPT       := -O0 -g --coverage -fprofile-update=atomic
SANLD     := --coverage
override ALLOC := system
else ifeq ($(SAN),1)
BUILD     := build/san
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SANLD     := -fsanitize=address,undefined
override ALLOC := system
else
BUILD     := build
OPT       := -O2 -g
SANLD     :=
endif

WARN      := -Wall -Wextra -Werror -Wshadow -Wundef -Wwrite-strings -Wmissing-prototypes \
             -Wstrict-prototypes -Wmissing-declarations -Wpointer-arith -Wformat=2
# Evaluated lazily, so that `make deps` can install pkg-config files first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c11 $(WARN) $(OPT) -D_POSIX_C_SOURCE=200809L -DLODE_BUILDING -fPIC \
             -fvisibility=hidden -Icore/include -Icore/src $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lm -lpthread -ldl $(LDLIBS)
# ALLOC=jemalloc: the command is linked with the C library's malloc and
# executes itself again with jemalloc preloaded for big runs
# (core/cli/allocator.h); preloaded, jemalloc takes over every malloc of the
# process: libxml2's, Lua's (through lode), plugins'.  The file preloaded is
# the one whose name (soname) the dynamic linker would have linked.
JEMALLOC_DIR    = $(shell pkg-config --variable=libdir jemalloc 2>/dev/null)
JEMALLOC_SONAME = $(shell objdump -p $(JEMALLOC_DIR)/libjemalloc.so 2>/dev/null | awk '/SONAME/ {print $$2}')
ALLOC_CFLAGS    = $(if $(filter jemalloc,$(ALLOC)),-DLODE_JEMALLOC_PRELOAD='"$(JEMALLOC_DIR)/$(or $(JEMALLOC_SONAME),libjemalloc.so.2)"')
# test_allocator tests the jemalloc hooks linked in
ALLOC_LIBS      = $(if $(filter jemalloc,$(ALLOC)),$(shell pkg-config --libs jemalloc 2>/dev/null))
ifeq ($(filter jemalloc system,$(ALLOC)),)
$(error ALLOC must be jemalloc or system, not '$(ALLOC)')
endif

LIB_SRC   := $(sort $(wildcard core/src/*.c))
CLI_SRC   := $(sort $(wildcard core/cli/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
LIB_OBJ   := $(LIB_SRC:core/src/%.c=$(BUILD)/obj/lib/%.o)
CLI_OBJ   := $(CLI_SRC:core/cli/%.c=$(BUILD)/obj/cli/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
# Test plugins (tests/plugins/*.c, one file each): the loader's own tests.
TEST_PLUGIN_SRC := $(sort $(wildcard tests/plugins/*.c))
TEST_PLUGIN_SO  := $(TEST_PLUGIN_SRC:tests/plugins/%.c=$(BUILD)/tests/plugins/%.so)



.PHONY: all lib cli unit plugins demo test tsan faultcheck test-deps deps check-deps install uninstall clean bench lint \
        leakcheck coverage

all: $(BUILD)/lode $(BUILD)/liblode.a $(BUILD)/liblode.so $(BUILD)/lode.pc plugins

lib: $(BUILD)/liblode.a $(BUILD)/liblode.so

$(BUILD)/obj/lib/%.o: core/src/%.c $(wildcard core/src/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/obj/cli/%.o: core/cli/%.c $(wildcard core/cli/*.h) $(wildcard core/src/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Icore/cli -c -o $@ $<

# The library's objects as they are, internal symbols included: what the
# command and the tests link.
LIB_INT := $(BUILD)/obj/liblode-internal.a
$(LIB_INT): $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

# The installed static library: the objects linked into one, in which every
# symbol of hidden visibility (all but the LODE_API functions of lode.h) is
# made local, as the shared library's are.  A host linking it statically can
# then have its own buf_init, read_html or utf8_encode (jansson has one).
$(BUILD)/liblode.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(LD) -r -o $(BUILD)/obj/lode.o $^
	$(Q)$(OBJCOPY) --localize-hidden $(BUILD)/obj/lode.o
	$(Q)ar rcs $@ $(BUILD)/obj/lode.o

$(BUILD)/liblode.so: $(LIB_OBJ) core/liblode.map
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,liblode.so.$(ABI) -Wl,--version-script=core/liblode.map \
	    -Wl,-z,defs $(SANLD) -o $(BUILD)/liblode.so.$(ABI) $(LIB_OBJ) $(LDLIBS_ALL) $(LDFLAGS)
	$(Q)ln -sf liblode.so.$(ABI) $@

# Relinks the command when ALLOC changes.
$(BUILD)/lode.alloc: FORCE
	@mkdir -p $(@D)
	@echo $(ALLOC) | cmp -s - $@ || echo $(ALLOC) > $@

.PHONY: FORCE
FORCE:

$(BUILD)/obj/cli/allocator.o: $(BUILD)/lode.alloc
$(BUILD)/obj/cli/allocator.o: CFLAGS += $(ALLOC_CFLAGS)

# The command links Lua, utf8proc and jansson statically when their -dev
# packages ship the archives (Debian's do): three libraries fewer to map and
# relocate at every start, 0.1-0.15 ms of a run over one tiny page
# (docs/performance.md).  The Lua API stays exported from the command, so
# that a Lua C module loaded by require finds it there as it would in
# liblua5.4.so.
static_a     = $(wildcard $(shell pkg-config --variable=libdir $(1) 2>/dev/null)/lib$(2).a)
CLI_STATIC   = $(foreach m,lua5.4:lua5.4 libutf8proc:utf8proc jansson:jansson,\
                 $(if $(call static_a,$(word 1,$(subst :, ,$(m))),$(word 2,$(subst :, ,$(m)))),$(m)))
CLI_STATIC_A = $(foreach m,$(CLI_STATIC),$(call static_a,$(word 1,$(subst :, ,$(m))),$(word 2,$(subst :, ,$(m)))))
CLI_LIBS     = $(if $(filter lua5.4:%,$(CLI_STATIC)),-Wl$(comma)--export-dynamic-symbol=lua_* \
               -Wl$(comma)--export-dynamic-symbol=luaL_* -Wl$(comma)--export-dynamic-symbol=luaopen_*) \
               $(filter-out $(foreach m,$(CLI_STATIC),-l$(word 2,$(subst :, ,$(m)))),$(LDLIBS_ALL)) \
               $(CLI_STATIC_A) -lm $(ALLOC_LDFLAGS)
comma := ,
# jemalloc, preloaded, reads its options from the command's malloc_conf
# (allocator.c): that must be a dynamic symbol, which nothing linked asks for
ALLOC_LDFLAGS = $(if $(filter jemalloc,$(ALLOC)),-Wl$(comma)--export-dynamic-symbol=malloc_conf)

$(BUILD)/lode: $(CLI_OBJ) $(LIB_INT) $(BUILD)/lode.alloc
	@echo "  LD      $@"
	$(Q)$(CC) $(SANLD) -o $@ $(CLI_OBJ) $(LIB_INT) $(CLI_LIBS) $(LDFLAGS)

$(BUILD)/lode.pc: core/lode.pc.in Makefile
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' core/lode.pc.in > $@

# Unit tests and test tools link the library's objects and may use internals.
$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h tests/unit/test_alloc.h $(LIB_INT)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(LIB_INT) $(LDLIBS_ALL) $(SANLD)

# test_inputs includes core/cli/inputs.c (the CLI is not in the library).
$(BUILD)/tests/test_inputs: core/cli/inputs.c core/cli/inputs.h
$(BUILD)/tests/test_cli_harden: core/cli/harden.c core/cli/harden.h
# test_allocator includes core/cli/allocator.c and links the command's malloc.
$(BUILD)/tests/test_allocator: core/cli/allocator.c core/cli/allocator.h $(BUILD)/lode.alloc
$(BUILD)/tests/test_allocator: LDLIBS += $(ALLOC_LIBS)

$(BUILD)/tests/%: tests/tools/%.c $(LIB_INT)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(LIB_INT) $(LDLIBS_ALL) $(SANLD)

unit: $(UNIT_BIN) $(TOOL_BIN) $(TEST_PLUGIN_SO) $(BUILD)/tests/iofault.so $(BUILD)/tests/mallocfault.so

# ---- plugins ----------------------------------------------------------------
# Each plugins/NAME/plugin.mk adds its shared object to PLUGIN_SO (built into
# $(BUILD)/plugins/, where build/lode finds them) and its rule, using
# PLUGIN_CFLAGS; plugins see only lode.h and the libraries they link.
PLUGIN_CFLAGS = -std=c11 $(WARN) $(OPT) -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden \
                -Icore/include $(shell pkg-config --cflags libxml-2.0 2>/dev/null) $(CFLAGS)
PLUGIN_LDFLAGS = -shared -Wl,-z,defs $(SANLD) $(LDFLAGS)
PLUGIN_SO :=
include $(sort $(wildcard plugins/*/plugin.mk))

plugins: $(PLUGIN_SO)


$(BUILD)/tests/plugins/%.so: tests/plugins/%.c core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(PLUGIN_CFLAGS) $(shell pkg-config --cflags lua5.4 2>/dev/null) $(PLUGIN_LDFLAGS) -o $@ $< \
	    $(shell pkg-config --libs libxml-2.0 lua5.4 2>/dev/null)

# The fault shims (LD_PRELOAD) are not sanitized: they sit in front of the
# sanitizer's own interceptors (mallocfault.so is not used under SAN=1).
$(BUILD)/tests/%.so: tests/fault/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) -std=c11 $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

# ---- dependencies -----------------------------------------------------------

# Fails (with the exact command) when a package is missing and we are not root.
check-deps:
	@sh tests/deps.sh check

deps:
	@sh tests/deps.sh install

test-deps:
	@sh tests/deps.sh install test

# ---- demo and tests ---------------------------------------------------------

demo: deps
	@$(MAKE) --no-print-directory all
	@sh examples/demo.sh $(BUILD)/lode

test: test-deps
	@$(MAKE) --no-print-directory all unit
	@if command -v clang-14 >/dev/null 2>&1; then $(MAKE) --no-print-directory fuzz-build >/dev/null; fi
	@BUILD=$(BUILD) CORPUS=$(CORPUS) SAN=$(SAN) ALLOC=$(ALLOC) sh tests/run.sh

# The whole fault-injection loops: every allocation point, every I/O call
# with every kind of fault (make test runs a stride / a subset of them).
faultcheck: test-deps
	@$(MAKE) --no-print-directory all unit
	@BUILD=$(BUILD) SAN=$(SAN) sh tests/fault/run.sh

# Engines on 8 threads under ThreadSanitizer (see tests/tools/threads.c).
tsan: deps
	@$(MAKE) --no-print-directory TSAN=1 build/tsan/tests/threads build/tsan/lode
	@TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/threads 8 200
	@TSAN_OPTIONS=halt_on_error=1 sh tests/tsan_run.sh build/tsan/lode

# valgrind memcheck over the normal build (never a sanitizer build: the two
# do not mix), whatever SAN says.
leakcheck:
	@sh tests/deps.sh install leakcheck
	@$(MAKE) --no-print-directory SAN= TSAN= COV= all
	@LODE=build/lode sh tests/leakcheck.sh

# The whole test suite on a gcov build in build/cov/, then lcov's line and
# branch coverage of core/src and core/cli (report: build/cov/html/).
coverage:
	@sh tests/deps.sh install coverage
	@$(MAKE) --no-print-directory COV=1 all unit
	@if command -v clang-14 >/dev/null 2>&1; then $(MAKE) --no-print-directory fuzz-build >/dev/null; fi
	@lcov -q --zerocounters --directory build/cov
	@echo "  TEST    (coverage build; log: build/cov/test.log)"
	@BUILD=build/cov COV=1 ALLOC=system CORPUS=$(CORPUS) sh tests/run.sh > build/cov/test.log 2>&1; \
	    rc=$$?; tail -n 1 build/cov/test.log; grep '^not ok' build/cov/test.log | head -20; \
	    sh tests/coverage.sh build/cov && exit $$rc

bench: deps
	@$(MAKE) --no-print-directory all unit
	@BUILD=$(BUILD) CORPUS=$(CORPUS) sh tests/bench/run.sh $(TASKS)

lint:
	clang-tidy-14 $(LIB_SRC) -- $(CFLAGS_ALL) 2>/dev/null || true

# ---- install ----------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/lode/scripts
	install -m 755 $(BUILD)/lode $(DESTDIR)$(PREFIX)/bin/lode
	install -m 644 core/include/lode.h $(DESTDIR)$(PREFIX)/include/lode.h
	install -m 644 $(BUILD)/liblode.a $(DESTDIR)$(PREFIX)/lib/liblode.a
	install -m 755 $(BUILD)/liblode.so.$(ABI) $(DESTDIR)$(PREFIX)/lib/liblode.so.$(ABI)
	ln -sf liblode.so.$(ABI) $(DESTDIR)$(PREFIX)/lib/liblode.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' core/lode.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/lode.pc
	install -m 644 docs/lode.1 $(DESTDIR)$(PREFIX)/share/man/man1/lode.1
	cp -R scripts/. $(DESTDIR)$(PREFIX)/share/lode/scripts/
	install -d $(DESTDIR)$(PREFIX)/lib/lode/plugins $(DESTDIR)$(PREFIX)/share/lode/plugins
	for d in plugins/*/init.lua; do [ -f "$$d" ] || continue; n=$$(basename $$(dirname $$d)); \
	    install -d $(DESTDIR)$(PREFIX)/share/lode/plugins/$$n; \
	    install -m 644 $$d $(DESTDIR)$(PREFIX)/share/lode/plugins/$$n/init.lua; done
	$(if $(PLUGIN_SO),install -m 755 $(PLUGIN_SO) $(DESTDIR)$(PREFIX)/lib/lode/plugins/)

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/lode $(DESTDIR)$(PREFIX)/include/lode.h \
	    $(DESTDIR)$(PREFIX)/lib/liblode.a $(DESTDIR)$(PREFIX)/lib/liblode.so \
	    $(DESTDIR)$(PREFIX)/lib/liblode.so.$(ABI) $(DESTDIR)$(PREFIX)/lib/pkgconfig/lode.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/lode.1
	rm -rf $(DESTDIR)$(PREFIX)/share/lode $(DESTDIR)$(PREFIX)/lib/lode

clean:
	rm -rf build

include tests/fuzz/fuzz.mk
