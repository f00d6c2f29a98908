# tests/fuzz/fuzz.mk -- libFuzzer targets (included from the Makefile, after
# the definitions of WARN, PKG_CFLAGS, LDLIBS_ALL, LIB_SRC and CLI_SRC).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="xml html"] [FUZZ_JOBS=2]
#        build every target and run each for FUZZ_SECONDS over its seeds and a
#        scratch corpus (build/fuzz/corpus/T), FUZZ_JOBS targets at a time;
#        fails on any crash, leak, timeout (> 10 s per input) or rss > 2048 MB
#        and prints the path of the input that did it (.ci/run: FUZZ_JOBS=2)
#   make fuzz-regress
#        build every target and replay tests/fuzz/regress/T/ and
#        tests/fuzz/seeds/T/ once (TAP lines)
#
# Needs clang-14 and libclang-rt-14-dev (libFuzzer, ASan, UBSan runtimes).
# The library and CLI are compiled again into build/fuzz/ with
# -fsanitize=fuzzer-no-link,address,undefined so the fuzzer sees lode's
# own code coverage; targets link with -fsanitize=fuzzer.

FUZZ_CC       ?= clang-14
FUZZ_SECONDS  ?= 60
FUZZ_BUILD    := build/fuzz
FUZZ_SRC      := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_ALL      := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_TARGETS  ?= $(FUZZ_ALL)
FUZZ_JOBS     ?= 1
FUZZ_BIN      := $(FUZZ_ALL:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_SANFLAGS := -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_WARN     := $(filter-out -Werror,$(WARN))
FUZZ_CFLAGS    = -std=c11 $(FUZZ_WARN) $(FUZZ_SANFLAGS) -D_POSIX_C_SOURCE=200809L -DLODE_BUILDING \
                 -DLODE_FUZZING -Icore/include -Icore/src -Icore/cli $(PKG_CFLAGS) $(FUZZ_EXTRA_CFLAGS)
FUZZ_LIB_OBJ  := $(LIB_SRC:core/src/%.c=$(FUZZ_BUILD)/obj/lib/%.o)
FUZZ_CLI_OBJ  := $(patsubst core/cli/%.c,$(FUZZ_BUILD)/obj/cli/%.o,$(filter-out core/cli/main.c,$(CLI_SRC)))

.PHONY: fuzz fuzz-build fuzz-regress

$(FUZZ_BUILD)/obj/lib/%.o: core/src/%.c $(wildcard core/src/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(FUZZ_BUILD)/obj/cli/%.o: core/cli/%.c $(wildcard core/cli/*.h) $(wildcard core/src/*.h) core/include/lode.h | check-deps
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -c -o $@ $<

$(FUZZ_BUILD)/liblode.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/libcli.a: $(FUZZ_CLI_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libcli.a $(FUZZ_BUILD)/liblode.a
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(FUZZ_BUILD)/libcli.a $(FUZZ_BUILD)/liblode.a $(LDLIBS_ALL) $(LDFLAGS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_JOBS=$(FUZZ_JOBS) sh tests/fuzz/run.sh run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-regress: fuzz-build
	@sh tests/fuzz/run.sh regress $(FUZZ_ALL)
