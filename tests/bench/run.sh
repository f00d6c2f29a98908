#!/bin/sh
# run.sh -- lode's foundation benchmarks (`make bench`).
#
#   sh tests/bench/run.sh [TASK...]     TASK: html xml text newsde writers memory startup
#                                       rules query parallel bigfile peers-t1 peers-t2
#                                       peers-t3 peers-t4 (default: all; "peers" = the
#                                       four peers-*), callgrind (only when named)
#   make bench TASKS="peers startup"    the same through make
#
# Builds two files of the shared peer benchmarks (read, never changed): the
# libxml2 parse floor (peers/floor.c) into $BUILD/bench/floor and the process
# timer (timer.c) into $BUILD/bench/timer; then runs tests/bench/bench.py with
# Debian's python3.  Environment: BUILD (default build), CORPUS (default
# ../shared/corpus), PEER_BENCH (default $CORPUS/../bench), BENCH_WORK
# (default ${TMPDIR:-/tmp}/lode-bench), RUNS (5), MEM_RUNS (3), STARTUP_RUNS
# (20), BIG_MB (50), MEM_TOP (3), CG_SAMPLE (4), QUERY_PERDOC_SAMPLE (8),
# RESULTS (default $BENCH_WORK/results.tsv), BENCH_TASKS (tasks when none are
# given); for the peers-* tasks PANDOC_SAMPLE (16: pandoc on every 16th page; 0
# leaves it out), SLOW_RUNS (3: rounds with pandoc), CHEERIO (1; 0 leaves it
# out), NODE_PATH (where cheerio is; default the shared harness's
# ${TMPDIR:-/tmp}/docproc-bench/node/node_modules, which its setup.sh fills).
# The query task needs xmllint (Debian: libxml2-utils); without it the task is
# skipped; a peer that is not installed is left out of peers-* with a note.
# Prints tables to stdout and writes the TSV ($RESULTS).  These are
# measurements, not tests: the exit status is non-zero only if a command
# failed.
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
PEER_BENCH=${PEER_BENCH:-$CORPUS/../bench}
BENCH_WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/lode-bench}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=python3
export BUILD CORPUS BENCH_WORK

mkdir -p "$BUILD/bench" "$BENCH_WORK" || exit 1

# build_peer SRC OUT [LIBS...]: compiles SRC into OUT when OUT is missing or
# older; prints OUT's path if it exists afterwards.
build_peer() {
    src=$1 out=$2
    shift 2
    if [ ! -f "$src" ]; then
        echo "# $src not found" >&2
        return 0
    fi
    if [ ! -x "$out" ] || [ -n "$(find "$src" -newer "$out")" ]; then
        echo "  CC      $src -> $out" >&2
        ${CC:-cc} -O2 -o "$out" "$src" "$@" >&2 || echo "# $src did not build" >&2
    fi
    [ -x "$out" ] && echo "$out"
    return 0
}

# shellcheck disable=SC2046
FLOOR=$(build_peer "$PEER_BENCH/peers/floor.c" "$BUILD/bench/floor" $(pkg-config --cflags --libs libxml-2.0))
TIMER=$(build_peer "$PEER_BENCH/timer.c" "$BUILD/bench/timer")
[ -n "$FLOOR" ] || echo "# no libxml2 floor: its rows and the 1.10x targets are skipped"
[ -n "$TIMER" ] || echo "# no timer: timing from python (RSS floored at python's own peak)"
export FLOOR TIMER PEER_BENCH

status=0
tasks=$(echo " $* " | sed 's/ api / /g')
if [ $# -eq 0 ] || [ -n "$(echo "$tasks" | tr -d ' ')" ]; then
    # shellcheck disable=SC2086
    "$PYTHON" tests/bench/bench.py $tasks
    status=$?
fi

# Embedding costs (in-process, tests/tools/api_bench.c): engine creation,
# tiny documents per second through the API, the sandbox's cost on real pages.
if [ $# -eq 0 ] || echo " $* " | grep -q " api "; then
    echo
    echo "== api: embedding costs (one core, CPU time)"
    list=$(mktemp "${TMPDIR:-/tmp}/lode-api.XXXXXX")
    find "$CORPUS/html-news" -name '*.html' | sort > "$list"
    "$BUILD/tests/api_bench" "$list" || status=1
    rm -f "$list"
fi
exit $status
