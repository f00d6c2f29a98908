#!/bin/sh
# deps.sh -- build and test dependencies on Debian 12.
#
#   deps.sh check                 exit 1, printing the install command, if a
#                                 build dependency (pkg-config module) is missing
#   deps.sh install [test]        install what is missing with apt-get when run as
#                                 root; otherwise print the exact command and fail.
#                                 "test" adds what the tests use (unicode-data,
#                                 python3 with lxml and cssselect, strace,
#                                 clang-14 with libFuzzer for the fuzz replay,
#                                 GNU parallel and Chromium for the corpus-run
#                                 and HTML report tests).
#   deps.sh install coverage      the test packages and lcov (make coverage)
#   deps.sh install leakcheck     valgrind (make leakcheck)
mode=$1
what=$2
MODS="lua5.4 libxml-2.0 libutf8proc jansson zlib libcmark-gfm sqlite3 gumbo jemalloc"
BUILD_DEBS="pkg-config liblua5.4-dev libxml2-dev libutf8proc-dev libjansson-dev zlib1g-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libsqlite3-dev libgumbo-dev libjemalloc-dev"
TEST_DEBS="sqlite3 cmark-gfm unicode-data python3 python3-lxml python3-cssselect strace clang-14 libclang-rt-14-dev parallel chromium"

missing=""
if ! command -v pkg-config >/dev/null 2>&1; then
    missing="pkg-config"
else
    for m in $MODS; do
        pkg-config --exists "$m" || missing="$missing $m"
    done
    # libcmark-gfm.pc links -lcmark-gfm-extensions, a library that is not in
    # libcmark-gfm-dev's dependencies: without it the markdown plugin does not link
    if pkg-config --exists libcmark-gfm; then
        ls "$(pkg-config --variable=libdir libcmark-gfm)"/libcmark-gfm-extensions.so* >/dev/null 2>&1 ||
            missing="$missing libcmark-gfm-extensions"
    fi
fi
debs=$BUILD_DEBS
if [ "$what" = coverage ]; then
    debs="$debs lcov"
    command -v lcov >/dev/null 2>&1 || missing="$missing lcov"
    what=test
fi
if [ "$what" = leakcheck ]; then
    debs="$debs valgrind"
    command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
fi
if [ "$what" = test ]; then
    debs="$debs $TEST_DEBS"
    [ -f /usr/share/unicode/auxiliary/GraphemeBreakTest.txt ] || missing="$missing unicode-data"
    command -v python3 >/dev/null 2>&1 || missing="$missing python3"
    command -v strace >/dev/null 2>&1 || missing="$missing strace"
    command -v sqlite3 >/dev/null 2>&1 || missing="$missing sqlite3"
    command -v cmark-gfm >/dev/null 2>&1 || missing="$missing cmark-gfm"
    command -v clang-14 >/dev/null 2>&1 || missing="$missing clang-14"
    command -v parallel >/dev/null 2>&1 || missing="$missing parallel"
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    /usr/bin/python3 -c 'import lxml.html, cssselect' 2>/dev/null || missing="$missing python3-lxml/python3-cssselect"
fi
[ -z "$missing" ] && exit 0

cmd="apt-get update && apt-get install -y $debs"
if [ "$mode" = install ] && [ "$(id -u)" = 0 ]; then
    echo "lode: installing missing packages (missing:$missing)"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq $debs) || { echo "lode: apt-get failed" >&2; exit 1; }
    exit 0
fi
echo "lode: missing dependencies:$missing" >&2
echo "lode: install them with:  sudo sh -c '$cmd'" >&2
exit 1
