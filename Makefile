# lode -- build, test, install.
#
#   make                 build build/lode, build/liblode.a, build/liblode.so
#   make demo            install missing packages, build, convert the examples
#   make test            install missing packages, build, run every test
#   make test SAN=1      the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make tsan            8 threads x 200 documents with separate engines under ThreadSanitizer
#   make faultcheck      every allocation failure and I/O fault, not a subset (tests/fault/)
#   make bench           benchmarks against the peers (tests/bench/)
#   make fuzz [FUZZ_SECONDS=60]   libFuzzer targets (tests/fuzz/), each for N seconds
#   make fuzz-regress    replay tests/fuzz/regress and the seeds once (TAP); part of make test
#   make install PREFIX=/usr/local   (and DESTDIR=) / make uninstall
#   make clean
#
# Dependencies are found with pkg-config.  `make deps` installs missing Debian
# packages with apt-get when run as root, else prints the command to run.

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
CORPUS    ?= ../shared/corpus
SAN       ?=
V         ?=
Q         := $(if $(V),,@)

VERSION   := 0.1.0
ABI       := 0
PKGS      := lua5.4 libxml-2.0 libutf8proc jansson zlib

ifeq ($(TSAN),1)
BUILD     := build/tsan
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=thread
SANLD     := -fsanitize=thread
else ifeq ($(SAN),1)
BUILD     := build/san
OPT       := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SANLD     := -fsanitize=address,undefined
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
LDLIBS_ALL = $(PKG_LIBS) -lm -lpthread $(LDLIBS)

LIB_SRC   := $(sort $(wildcard core/src/*.c))
CLI_SRC   := $(sort $(wildcard core/cli/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC  := $(sort $(wildcard tests/tools/*.c))
LIB_OBJ   := $(LIB_SRC:core/src/%.c=$(BUILD)/obj/lib/%.o)
CLI_OBJ   := $(CLI_SRC:core/cli/%.c=$(BUILD)/obj/cli/%.o)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)


.PHONY: all lib cli unit demo test tsan faultcheck test-deps deps check-deps install uninstall clean bench lint

all: $(BUILD)/lode $(BUILD)/liblode.a $(BUILD)/liblode.so $(BUILD)/lode.pc

lib: $(BUILD)/liblode.a $(BUILD)/liblode.so

$(BUILD)/obj/lib/%.o: core/src/%.c $(wildcard core/src/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/obj/cli/%.o: core/cli/%.c $(wildcard core/cli/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Icore/cli -c -o $@ $<

$(BUILD)/liblode.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(BUILD)/liblode.so: $(LIB_OBJ) core/liblode.map
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,liblode.so.$(ABI) -Wl,--version-script=core/liblode.map \
	    -Wl,-z,defs $(SANLD) -o $(BUILD)/liblode.so.$(ABI) $(LIB_OBJ) $(LDLIBS_ALL) $(LDFLAGS)
	$(Q)ln -sf liblode.so.$(ABI) $@

$(BUILD)/lode: $(CLI_OBJ) $(BUILD)/liblode.a
	@echo "  LD      $@"
	$(Q)$(CC) $(SANLD) -o $@ $(CLI_OBJ) $(BUILD)/liblode.a $(LDLIBS_ALL) $(LDFLAGS)

$(BUILD)/lode.pc: core/lode.pc.in Makefile
	@mkdir -p $(@D)
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' core/lode.pc.in > $@

# Unit tests and test tools link the static library and may use internals.
$(BUILD)/tests/%: tests/unit/%.c tests/unit/harness.h $(BUILD)/liblode.a
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/liblode.a $(LDLIBS_ALL) $(SANLD)

# test_inputs includes core/cli/inputs.c (the CLI is not in the library).
$(BUILD)/tests/test_inputs: core/cli/inputs.c core/cli/inputs.h

$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/liblode.a
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/liblode.a $(LDLIBS_ALL) $(SANLD)

# The fault shims (LD_PRELOAD) are not sanitized: they sit in front of the
# sanitizer's own interceptors (mallocfault.so is not used under SAN=1).
$(BUILD)/tests/%.so: tests/fault/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) -std=c11 $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

unit: $(UNIT_BIN) $(TOOL_BIN) $(BUILD)/tests/iofault.so $(BUILD)/tests/mallocfault.so

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
	@BUILD=$(BUILD) CORPUS=$(CORPUS) SAN=$(SAN) sh tests/run.sh

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

bench: deps
	@$(MAKE) --no-print-directory all unit
	@BUILD=$(BUILD) CORPUS=$(CORPUS) sh tests/bench/run.sh

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

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/lode $(DESTDIR)$(PREFIX)/include/lode.h \
	    $(DESTDIR)$(PREFIX)/lib/liblode.a $(DESTDIR)$(PREFIX)/lib/liblode.so \
	    $(DESTDIR)$(PREFIX)/lib/liblode.so.$(ABI) $(DESTDIR)$(PREFIX)/lib/pkgconfig/lode.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/lode.1
	rm -rf $(DESTDIR)$(PREFIX)/share/lode

clean:
	rm -rf build

include tests/fuzz/fuzz.mk
