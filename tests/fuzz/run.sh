#!/bin/sh
# tests/fuzz/run.sh -- run or replay lode's libFuzzer targets (see fuzz.mk).
#
#   sh tests/fuzz/run.sh run SECONDS [TARGET...]   fuzz each target for SECONDS
#   sh tests/fuzz/run.sh regress [TARGET...]       replay regress/ and seeds/ once
#
# TARGET is the short name (xml, html, ...): binary build/fuzz/fuzz_TARGET,
# seeds tests/fuzz/seeds/TARGET/, regressions tests/fuzz/regress/TARGET/,
# dictionary tests/fuzz/TARGET.dict (optional).  Run from the project root.
# FUZZ_JOBS=N (default 1) runs N targets at a time in run mode: the targets
# are dealt round-robin to N lanes, each lane runs its share one after the
# other, so T targets take about ceil(T/N) x SECONDS.
# Prints TAP lines; exits 1 if any target failed.  A crash, leak, timeout
# (> 10 s for one input) or out-of-memory (> 2048 MB) input is kept in
# build/fuzz/out/TARGET/ (crash-*, leak-*, timeout-*, oom-*); the failing
# line prints the path and the command that replays it.  Minimise it with
#   build/fuzz/fuzz_T -minimize_crash=1 -runs=100000 FILE
# and save the result in tests/fuzz/regress/T/ with the fix.
set -u
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
FUZZ_JOBS=${FUZZ_JOBS:-1}
mode=${1:-}
[ $# -gt 0 ] && shift
case $mode in
run) seconds=${1:-60}; shift ;;
regress) ;;
*) echo "usage: $0 run SECONDS [TARGET...] | regress [TARGET...]" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
    set -- $(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# libFuzzer's out-of-process symbolizer
command -v llvm-symbolizer-14 >/dev/null 2>&1 && export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14)
[ -x /usr/lib/llvm-14/bin/llvm-symbolizer ] && export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer

# one N T: runs or replays target T, printing TAP line number N (and
# comment lines); returns 1 if it failed.
one() {
    n=$1 t=$2
    bin=$FUZZ_BUILD/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "not ok $n - fuzz $t: $bin not built"
        return 1
    fi
    dict=
    [ -f tests/fuzz/$t.dict ] && dict=-dict=tests/fuzz/$t.dict
    out=$FUZZ_BUILD/out/$t
    mkdir -p "$out"
    log=$out/log.txt
    if [ "$mode" = regress ]; then
        files=$(find tests/fuzz/regress/$t tests/fuzz/seeds/$t -type f ! -name .keep 2>/dev/null | sort)
        count=$(printf '%s\n' "$files" | grep -c . || true)
        if [ "$count" -eq 0 ]; then
            echo "ok $n - fuzz $t: 0 inputs replayed # SKIP no inputs"
            return 0
        fi
        # shellcheck disable=SC2086
        if timeout 600 "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 $files >"$log" 2>&1; then
            echo "ok $n - fuzz $t: $count inputs replayed"
            return 0
        fi
        echo "not ok $n - fuzz $t: replay failed (log: $log)"
        sed -n '/ERROR\|SUMMARY\|Running:\|#[0-9]* in \|abort\|fuzz_/p' "$log" | head -40 | sed 's/^/# /'
        return 1
    fi
    corpus=$FUZZ_BUILD/corpus/$t
    mkdir -p "$corpus"
    seeds=
    [ -d tests/fuzz/seeds/$t ] && seeds=tests/fuzz/seeds/$t
    stamp=$out/.start
    : > "$stamp"
    # shellcheck disable=SC2086
    timeout $((seconds + 120)) "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=262144 -print_final_stats=1 -artifact_prefix="$out/" $dict \
        "$corpus" $seeds >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "ok $n - fuzz $t: ${execs:-?} execs, ${rate:-?}/s, ${cov:-cov: ?} in ${seconds}s"
        return 0
    fi
    what="exit $rc"
    [ $rc -eq 124 ] && what="no end after $((seconds + 120))s (killed)"
    echo "not ok $n - fuzz $t: $what after ${execs:-?} execs (log: $log)"
    # only what this run wrote, not artifacts left by earlier runs
    for a in $(find "$out" -maxdepth 1 -type f -newer "$stamp" \
                   \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort); do
        echo "# reproducer: $a"
        echo "#   replay with: $bin $a"
    done
    sed -n '/ERROR\|SUMMARY\|#[0-9]* 0x\|fuzz_[a-z]*:/p' "$log" | head -40 | sed 's/^/# /'
    return 1
}

total=$#
failed=0
if [ "$mode" = run ] && [ "$FUZZ_JOBS" -gt 1 ]; then
    lanes=$FUZZ_BUILD/out/lanes
    rm -rf "$lanes"
    mkdir -p "$lanes"
    lane=0
    while [ $lane -lt "$FUZZ_JOBS" ]; do
        (
            i=0
            for t in "$@"; do
                i=$((i + 1))
                [ $(((i - 1) % FUZZ_JOBS)) -eq $lane ] || continue
                one $i "$t" > "$lanes/$i.tap"
            done
        ) &
        lane=$((lane + 1))
    done
    wait
    i=0
    for t in "$@"; do
        i=$((i + 1))
        if [ -f "$lanes/$i.tap" ]; then cat "$lanes/$i.tap"; else echo "not ok $i - fuzz $t: no result"; fi
    done
    grep -q '^not ok' "$lanes"/*.tap 2>/dev/null && failed=1
    [ "$(ls "$lanes" | wc -l)" -eq "$total" ] || failed=1
else
    i=0
    for t in "$@"; do
        i=$((i + 1))
        one $i "$t" || failed=1
    done
fi
echo "1..$total"
exit $failed
