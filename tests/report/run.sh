#!/bin/sh
# run.sh -- the HTML report a person opens: scripts/corpus-report.lua
# over the news corpus (or the bundled examples without it), rendered in
# headless Chromium by chromium.sh (skipped without a browser).  Prints TAP.
LODE=${LODE:-build/lode}
CORPUS=${CORPUS:-../shared/corpus}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
in=examples/documents
[ -d "$CORPUS/news-de" ] && in="$CORPUS/news-de"
if "$LODE" run scripts/corpus-report.lua "$in" -j 2 --report "$tmp/report.html" -q 2> "$tmp/err" &&
   grep -q '<svg' "$tmp/report.html"; then
    echo "ok 1 - corpus-report.lua writes an HTML report with SVG charts"
else
    echo "not ok 1 - corpus-report.lua --report report.html"; sed 's/^/#   /' "$tmp/err" | head -5
fi
sh tests/report/chromium.sh "$tmp/report.html" "${SHOT:-$tmp/shot.png}" | sed 's/^ok [0-9]*/ok/; s/^not ok [0-9]*/not ok/'
