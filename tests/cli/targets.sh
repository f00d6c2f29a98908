#!/bin/sh
# targets.sh -- outputs that are not regular files: /dev/null, /dev/stdout
# and a named pipe are written in place, never replaced by a renamed
# temporary file (as root, renaming over /dev/null turns it into a file for
# the whole machine).  Prints TAP lines.
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-targets.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check()  { if eval "$2"; then ok "$1"; else not_ok "$1"; sed 's/^/#   /' "$tmp/err" 2>/dev/null | head -5; fi; }
DOC=examples/documents/putin-kim-wladiwostok.txt
echo 'return { p = function(n, ctx) ctx:emit{ t = n:text() } ctx.report:count("p", "x") end }' > "$tmp/r.lua"

"$LODE" convert "$DOC" -t text -o /dev/null 2> "$tmp/err"
rc=$?
check "convert -o /dev/null: exit 0 and /dev/null is still a character device" "[ $rc -eq 0 ] && [ -c /dev/null ]"
"$LODE" run "$tmp/r.lua" "$DOC" -o /dev/null 2> "$tmp/err"
rc=$?
check "run -o /dev/null (records): /dev/null stays a device" "[ $rc -eq 0 ] && [ -c /dev/null ]"
"$LODE" run "$tmp/r.lua" "$DOC" -o "$tmp/x.csv" --errors /dev/null 2> "$tmp/err"
check "run --errors /dev/null: /dev/null stays a device" "[ -c /dev/null ]"
"$LODE" run "$tmp/r.lua" "$DOC" --sink csv -o "$tmp/file.csv" 2> "$tmp/err"
"$LODE" run "$tmp/r.lua" "$DOC" --sink csv -o /dev/stdout > "$tmp/stdout.csv" 2> "$tmp/err"
rc=$?
check "run --sink csv -o /dev/stdout (a file): the table, and /dev/stdout is still a link" \
    "[ $rc -eq 0 ] && [ -s '$tmp/file.csv' ] && cmp -s '$tmp/file.csv' '$tmp/stdout.csv' && [ -L /dev/stdout ]"
"$LODE" run "$tmp/r.lua" "$DOC" --sink csv -o /dev/stdout 2> "$tmp/err" | cat > "$tmp/piped.csv"
check "run --sink csv -o /dev/stdout (a pipe): the same table" "cmp -s '$tmp/file.csv' '$tmp/piped.csv' && [ -L /dev/stdout ]"
ln -s "$tmp/real.txt" "$tmp/link.txt"
echo old > "$tmp/real.txt"
"$LODE" convert "$DOC" -t text -o "$tmp/link.txt" 2> "$tmp/err"
check "convert -o LINK replaces the file the link points to and keeps the link" \
    "[ -L '$tmp/link.txt' ] && head -1 '$tmp/real.txt' | grep -q '^Nordkoreas'"
"$LODE" run "$tmp/r.lua" "$DOC" --partial /dev/stdout > "$tmp/partial" 2> "$tmp/err"
check "run --partial /dev/stdout" "grep -q '\"p\"' '$tmp/partial' && [ -c /dev/null ] && [ -L /dev/stdout ]"
if mkfifo "$tmp/pipe" 2>/dev/null; then
    cat "$tmp/pipe" > "$tmp/from-pipe" &
    reader=$!
    "$LODE" convert "$DOC" -t text -o "$tmp/pipe" 2> "$tmp/err"
    rc=$?
    wait $reader
    check "convert -o FIFO writes into the pipe" \
        "[ $rc -eq 0 ] && [ -p '$tmp/pipe' ] && head -1 '$tmp/from-pipe' | grep -q '^Nordkoreas Machthaber'"
fi
mkdir "$tmp/dir"
"$LODE" convert "$DOC" -t text -o "$tmp/dir" 2> "$tmp/err"
rc=$?
check "convert -o FOLDER: an error naming it" "[ $rc -ne 0 ] && grep -q 'is a folder' '$tmp/err'"
