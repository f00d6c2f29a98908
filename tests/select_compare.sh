#!/bin/sh
# select_compare.sh -- lode's selector engine against cssselect over lxml
# (same libxml2 parser) on real pages; one TAP line.  Needs python3-lxml and
# python3-cssselect (installed by `make test`).
BUILD=${BUILD:-build}
CORPUS=${CORPUS:-../shared/corpus}
out=$(/usr/bin/python3 tests/tools/select_compare.py --bin "$BUILD/tests/test_select" \
      --corpus "$CORPUS/html-news" --pages 12 2>&1)
rc=$?
summary=$(printf '%s\n' "$out" | tail -n 1)
if [ $rc = 0 ]; then
    echo "ok - selector match counts agree with cssselect over lxml: $summary"
else
    echo "not ok - selector match counts differ from cssselect over lxml (status $rc)"
    printf '%s\n' "$out" | tail -n 30 | sed 's/^/#   /'
fi
