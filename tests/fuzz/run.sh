#!/bin/sh
# tests/fuzz/run.sh -- run or replay lode's libFuzzer targets (see fuzz.mk).
#
#   sh tests/fuzz/run.sh run SECONDS [TARGET...]   fuzz each target for SECONDS
#   sh tests/fuzz/run.sh regress [TARGET...]       replay regress/ and seeds/ once
#
# TARGET is the short name (xml, html, ...): binary build/fuzz/fuzz_TARGET,
# seeds tests/fuzz/seeds/TARGET/, regressions tests/fuzz/regress/TARGET/,
# dictionary tests/fuzz/TARGET.dict (optional).  Run from the project root.
# Prints TAP lines; exits 1 if any target failed.  A crash, leak, timeout or
# out-of-memory input is kept in build/fuzz/out/TARGET/ (crash-*, leak-*,
# timeout-*, oom-*): minimise it with
#   build/fuzz/fuzz_T -minimize_crash=1 -runs=100000 FILE
# and save the result in tests/fuzz/regress/T/ with the fix.
set -u
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
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

n=0
failed=0
for t in "$@"; do
    n=$((n + 1))
    bin=$FUZZ_BUILD/fuzz_$t
    if [ ! -x "$bin" ]; then
        echo "not ok $n - fuzz $t: $bin not built"
        failed=1
        continue
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
            continue
        fi
        # shellcheck disable=SC2086
        if timeout 600 "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 $files >"$log" 2>&1; then
            echo "ok $n - fuzz $t: $count inputs replayed"
        else
            echo "not ok $n - fuzz $t: replay failed (log: $log)"
            sed -n '/ERROR\|SUMMARY\|Running:\|#[0-9]* in \|abort\|fuzz_/p' "$log" | head -40 | sed 's/^/# /'
            failed=1
        fi
    else
        corpus=$FUZZ_BUILD/corpus/$t
        mkdir -p "$corpus"
        # shellcheck disable=SC2086
        timeout $((seconds + 120)) "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -max_len=262144 -print_final_stats=1 -artifact_prefix="$out/" $dict \
            "$corpus" tests/fuzz/seeds/$t >"$log" 2>&1
        rc=$?
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
        if [ $rc -eq 0 ]; then
            echo "ok $n - fuzz $t: ${execs:-?} execs, ${rate:-?}/s, ${cov:-cov: ?} in ${seconds}s"
        else
            echo "not ok $n - fuzz $t: exit $rc after ${execs:-?} execs (log: $log)"
            ls "$out" | grep -v '^log.txt$' | sed "s|^|# artifact: $out/|"
            sed -n '/ERROR\|SUMMARY\|#[0-9]* 0x\|fuzz_[a-z]*:/p' "$log" | head -40 | sed 's/^/# /'
            failed=1
        fi
    fi
done
echo "1..$n"
exit $failed
