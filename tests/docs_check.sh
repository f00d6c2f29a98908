#!/bin/sh
# docs_check.sh -- docs/c-api.md cannot drift from the code: its function
# index names exactly the LODE_API functions of core/include/lode.h, and its
# hello world is examples/embed/hello.c byte for byte.  Prints TAP lines.
H=core/include/lode.h
D=docs/c-api.md
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }

grep '^LODE_API' "$H" | sed 's/.*[ *]\(lode_[a-z0-9_]*\)(.*/\1/' | sort -u > "$tmp/header"
sed -n '/^## Every function/,/^## /p' "$D" | sed -n 's/^| `\(lode_[a-z0-9_]*\)` |.*/\1/p' | sort -u > "$tmp/doc"
if [ -s "$tmp/header" ] && cmp -s "$tmp/header" "$tmp/doc"; then
    ok "docs/c-api.md lists every LODE_API function of lode.h ($(wc -l < "$tmp/header")), and no other"
else
    not_ok "docs/c-api.md's function index differs from lode.h (< lode.h, > docs)"
    diff "$tmp/header" "$tmp/doc" | sed 's/^/#   /'
fi
# every public function has a comment right above its declaration
awk '/^LODE_API/ { if (prev !~ /\*\/[ \t]*$/) { print FILENAME ":" NR ": " $0; bad = 1 } }
     { if ($0 !~ /^[ \t]*$/) prev = $0 } END { exit bad }' "$H" > "$tmp/undoc"
if [ $? = 0 ]; then ok "every LODE_API declaration in lode.h has its comment"
else not_ok "declarations without a comment:"; sed 's/^/#   /' "$tmp/undoc"; fi
# the hello world block: the lines between "```c" after "## Hello world" and the next "```"
awk '/^## Hello world/ { h = 1 } h && /^```c$/ { on = 1; next } on && /^```$/ { exit } on { print }' "$D" > "$tmp/hello"
if cmp -s "$tmp/hello" examples/embed/hello.c; then
    ok "docs/c-api.md's hello world is examples/embed/hello.c"
else
    not_ok "docs/c-api.md's hello world differs from examples/embed/hello.c"
    diff "$tmp/hello" examples/embed/hello.c | head -10 | sed 's/^/#   /'
fi
lines=$(wc -l < examples/embed/hello.c)
[ "$lines" -le 40 ] && ok "hello.c is $lines lines (<= 40)" || not_ok "hello.c is $lines lines (> 40)"
exit $failed
