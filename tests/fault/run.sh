#!/bin/sh
# run.sh -- the whole fault-injection loops (make faultcheck): every
# allocation point of tests/unit/test_oom.c and tests/unit/test_oom_paths.c
# failed (no stride), every I/O call of tests/fault/io.sh failed with every
# kind of fault, and the lode command's own allocations failed
# (tests/fault/oom_cli.sh, 300 points per case and mode).  Prints the
# suites' TAP lines, the time of each, and "N passed, N failed".
# Environment: BUILD (default build), SAN.
BUILD=${BUILD:-build}
export BUILD
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
log=$(mktemp -d "${TMPDIR:-/tmp}/lode-faultcheck.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM

suite() { # name command...
    name=$1; shift
    tap="$log/$name.tap"
    echo "# --- $name"
    t0=$(date +%s)
    "$@" > "$tap" 2> "$log/$name.err"
    rc=$?
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$tap"; then
        echo "not ok - suite $name exited with status $rc" >> "$tap"
        sed 's/^/#   /' "$log/$name.err" | head -40 >> "$tap"
    elif grep -q 'Sanitizer\|runtime error:' "$log/$name.err"; then
        echo "not ok - suite $name: sanitizer report" >> "$tap"
        sed 's/^/#   /' "$log/$name.err" | head -40 >> "$tap"
    fi
    cat "$tap"
    echo "# $name: $(($(date +%s) - t0)) s"
}

suite oom "$BUILD/tests/test_oom" 1
suite oom-paths env LODE_OOM_FULL=1 "$BUILD/tests/test_oom_paths"
suite io-faults env FAULT_FULL=1 sh tests/fault/io.sh
suite oom-cli env FAULT_FULL=1 sh tests/fault/oom_cli.sh

passed=$(cat "$log"/*.tap | grep -c '^ok ')
failed=$(cat "$log"/*.tap | grep -c '^not ok')
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
