#!/bin/sh
# leakcheck.sh -- `make leakcheck`: the bad-input set (tests/bad/cases.tsv)
# and representative convert/query/check/run/merge commands under valgrind's
# memcheck on the normal (unsanitized, -O2) build, so leaks are checked on the
# binary users run, not only under LeakSanitizer.  A run fails on any definite
# or indirect leak or memory error (valgrind's exit status 99), or when lode's
# own exit status differs from the expected one.  Prints TAP lines and exits
# 1 if any check failed.  Environment: LODE (default build/lode).
# LODE_FREE_AT_EXIT=1: lode convert frees its document before exiting, as
# it does not otherwise (cli_drop in core/cli/cli.c), so that path is checked.
LODE=${LODE:-build/lode}
export LODE_FREE_AT_EXIT=1
DIR=tests/bad
if ! command -v valgrind >/dev/null 2>&1; then
    echo "not ok 1 - valgrind is not installed (apt-get install valgrind)"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-leak.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0; failed=0; tab=$(printf '\t')

# check WANT WHAT COMMAND...: runs COMMAND under valgrind, expects exit WANT.
check() {
    want=$1 what=$2; shift 2
    n=$((n + 1))
    # the command links jemalloc: valgrind's malloc must replace that one
    valgrind -q --soname-synonyms=somalloc='*jemalloc*' --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --error-exitcode=99 --track-fds=no --log-file="$tmp/vg" "$@" > "$tmp/stdout" 2> "$tmp/stderr" < /dev/null
    got=$?
    if [ $got = 99 ] || [ -s "$tmp/vg" ]; then
        echo "not ok $n - $what: valgrind reports errors or leaks"
        sed 's/^/#   /' "$tmp/vg" | head -40
        failed=1
    elif [ "$got" != "$want" ]; then
        echo "not ok $n - $what: exit $got, expected $want"
        head -c 400 "$tmp/stderr" | sed 's/^/#   /'
        failed=1
    else
        echo "ok $n - $what: exit $got, no leak"
    fi
}

# The bad inputs: the same conversions as tests/bad/run.sh, same exit statuses.
grep -v '^#' "$DIR/cases.tsv" > "$tmp/cases"
while IFS="$tab" read -r file opts want frag; do
    [ -n "$file" ] || continue
    rm -f "$tmp/out"
    # shellcheck disable=SC2086
    check "$want" "bad: convert $file $opts" "$LODE" convert "$DIR/$file" $opts -o "$tmp/out"
done < "$tmp/cases"

# Representative good paths: every reader and writer, queries, the rule engine
# on several threads, the sandbox stopping a script, reports and their merge.
D=examples/documents
check 0 "convert text -> html" "$LODE" convert $D/putin-kim-wladiwostok.txt -t html -o "$tmp/a.html"
check 0 "convert html -> markdown" "$LODE" convert $D/sample-news-page.html -t markdown -o "$tmp/a.md"
check 0 "convert TEI -> json" "$LODE" convert $D/leisewitz-die-pfandung.tei.xml -t json -o "$tmp/a.json"
check 0 "convert json -> xml" "$LODE" convert "$tmp/a.json" -t xml -o "$tmp/a.xml"
check 0 "convert JATS -> text --entities" "$LODE" convert $D/elife00351.jats.xml -t text --entities -o "$tmp/a.txt"
check 0 "query css" "$LODE" query 'p:first-of-type, h1' $D --text
check 0 "query xpath" "$LODE" query --xpath 'count(//p)' $D/sample-news-page.html
check 0 "check a rule script" "$LODE" check examples/rules/mentions.lua
for s in examples/rules/*.lua; do
    check 0 "run $(basename "$s") -j 2" "$LODE" run "$s" $D -j 2 -o "$tmp/records.jsonl"
done
check 1 "run --from jsonl (one empty document)" "$LODE" run examples/rules/words.lua examples/host/articles.jsonl \
    -f jsonl -j 1
check 0 "run --write" "$LODE" run examples/rules/rename.lua $D -j 2 --write "$tmp/written"
check 0 "run --partial" "$LODE" run examples/rules/words.lua $D -j 2 --partial "$tmp/p1.json"
check 0 "merge partials" "$LODE" merge examples/rules/words.lua "$tmp/p1.json" "$tmp/p1.json" -r "$tmp/r.html"
check 1 "run --sandbox: memory bomb stopped" "$LODE" run tests/sandbox/membomb.lua $D/putin-kim-wladiwostok.txt \
    --sandbox -j 1
check 1 "run: a runtime error in a rule" "$LODE" run tests/lua/cli_runtime_error.lua tests/lua/fixtures/nav.html -j 1
check 2 "run: a syntax error in the script" "$LODE" run tests/lua/cli_syntax_error.lua $D/sample-news-page.html
echo "1..$n"
exit $failed
