#!/bin/sh
# coverage.sh DIR -- after a test run on the gcov build in DIR (make coverage):
# collects lcov data for core/src and core/cli, prints line and branch
# coverage (total, library, CLI) and the files with the most uncovered lines,
# and writes an HTML report to DIR/html/.  Exits 1 if lcov fails.
DIR=${1:-build/cov}
RC="--rc lcov_branch_coverage=1"
root=$(pwd)
set -e
# shellcheck disable=SC2086
lcov -q $RC --capture --directory "$DIR" --base-directory "$root" -o "$DIR/all.info" 2> "$DIR/lcov.log"
# shellcheck disable=SC2086
lcov -q $RC --extract "$DIR/all.info" "$root/core/src/*" "$root/core/cli/*" -o "$DIR/core.info" 2>> "$DIR/lcov.log"
# shellcheck disable=SC2086
lcov -q $RC --extract "$DIR/core.info" "$root/core/src/*" -o "$DIR/src.info" 2>> "$DIR/lcov.log"
# shellcheck disable=SC2086
lcov -q $RC --extract "$DIR/core.info" "$root/core/cli/*" -o "$DIR/cli.info" 2>> "$DIR/lcov.log"
set +e

# summary NAME INFO: "NAME  lines x% (a of b)  branches y% (c of d)"
summary() {
    # shellcheck disable=SC2086
    lcov $RC --summary "$2" 2>&1 | awk -v name="$1" '
        /lines\.*:/    { l = $2 " " $3 " " $4 " " $5 " " $6 }
        /branches\.*:/ { b = $2 " " $3 " " $4 " " $5 " " $6 }
        END { printf "coverage %-10s lines %-28s branches %s\n", name, l, b }'
}
summary "core/" "$DIR/core.info"
summary "core/src" "$DIR/src.info"
summary "core/cli" "$DIR/cli.info"

# Files by uncovered lines (LF found, LH hit), the ten largest gaps.
echo "# most uncovered lines (file: uncovered of total):"
awk -F: '/^SF:/ { f = $2 } /^LF:/ { lf = $2 } /^LH:/ { printf "%d %d %s\n", lf - $2, lf, f }' "$DIR/core.info" |
    sort -rn | head -10 | sed "s|$root/||" | awk '{ printf "#   %s: %d of %d\n", $3, $1, $2 }'

if command -v genhtml >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    genhtml -q $RC --prefix "$root" -o "$DIR/html" "$DIR/core.info" > /dev/null 2>> "$DIR/lcov.log" &&
        echo "# HTML report: $DIR/html/index.html"
fi
exit 0
