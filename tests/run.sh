#!/bin/sh
# run.sh -- runs every test suite and prints the closing "N passed, N failed".
#
# Environment: BUILD (build folder, default build), CORPUS (default
# ../shared/corpus; skipped with a note if absent), SAN (1 under sanitizers),
# COV (1 on the coverage build, passed on to make install).
# Each suite prints TAP lines ("ok ..." / "not ok ..."); this script counts
# them all, so one failing check anywhere fails the run.  A suite that exits
# non-zero without a failed check (a crash, a sanitizer report) adds a
# failure of its own.
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
LODE="$BUILD/lode"
export BUILD CORPUS SAN COV LODE
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

log=$(mktemp -d "${TMPDIR:-/tmp}/lode-test.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM

suite() { # name command...
    name=$1; shift
    tap="$log/$name.tap"
    echo "# --- $name"
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
}

# One suite per test source: a test that did not build fails, and a stale
# binary whose source is gone (a deleted test, left in the build folder) is
# not run.
for src in tests/unit/test_*.c; do
    t=$BUILD/tests/$(basename "$src" .c)
    if [ -x "$t" ]; then
        suite "unit-$(basename "$t")" "$t"
    else
        echo "# --- unit-$(basename "$t")"
        echo "not ok - suite unit-$(basename "$t"): $t was not built" | tee "$log/unit-$(basename "$t").tap"
    fi
done
suite threads "$BUILD/tests/threads" 8 200
if [ -x build/fuzz/fuzz_text ]; then
    suite fuzz-regress sh tests/fuzz/run.sh regress
else
    echo "# fuzz targets not built (clang-14 missing): regression replay skipped"
fi
suite cli sh tests/cli/run.sh
suite corpus-runs sh tests/cli/corpus_runs.sh
suite isolate sh tests/cli/isolate.sh
suite plugins sh tests/cli/plugins.sh
suite targets sh tests/cli/targets.sh
suite bigdoc sh tests/cli/bigdoc.sh
suite report-html sh tests/report/run.sh
suite scripts sh tests/scripts/run.sh
suite examples-readme sh tests/examples_readme.sh
suite lua sh tests/lua/run.sh
suite sandbox sh tests/sandbox/run.sh
suite doc-examples sh tests/lua/doc_examples.sh
suite bad sh tests/bad/run.sh
suite patho python3 tests/patho/run.py
suite hostile python3 tests/hostile/run.py
suite io-faults sh tests/fault/io.sh
suite oom-cli sh tests/fault/oom_cli.sh
suite install sh tests/install.sh
# Each bundled plugin's own tests: plugins/NAME/tests/run.sh (TAP lines;
# BUILD, LODE and CORPUS in the environment, run from the project root).
for t in plugins/*/tests/run.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$(dirname "$(dirname "$t")")")
    suite "plugin-$name" sh "$t"
done
suite docs-check sh tests/docs_check.sh
if [ -d "$CORPUS" ]; then
    suite select-compare sh tests/select_compare.sh
    suite corpus "$BUILD/tests/corpus_sweep" --expect-fail tests/corpus-expected-failures.txt \
        "$CORPUS/seed" "$CORPUS/news-de" "$CORPUS/html-news" "$CORPUS/xml"
else
    echo "# corpus $CORPUS not found: corpus sweep skipped"
fi

passed=$(cat "$log"/*.tap | grep -c '^ok ')
failed=$(cat "$log"/*.tap | grep -c '^not ok')
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
