#!/bin/sh
# bigdoc.sh -- documents of 4 MiB and more, whose trees the command builds on
# a huge-page arena of their worker's (core/cli/allocator.h): the results
# equal those of the same documents below the threshold, in any mix with
# small documents, with -j 1 and -j 2, for `run`, `convert` and `query`, and the
# worker goes back to its normal arena after each.  The arena itself is
# checked in tests/unit/test_allocator.c.  Prints TAP lines.
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-bigdoc.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check()  { if eval "$2"; then ok "$1"; else not_ok "$1"; return 1; fi; }
show()   { sed 's/^/#   /' "$@" | head -10; }

# big.txt: 60,000 one-line paragraphs, about 5.5 MB (over CLI_BIG_DOCUMENT);
# part.txt: its first 600 paragraphs (far below it)
awk 'BEGIN { for (i = 1; i <= 60000; i++) {
               printf "Absatz %d: Wladiwostok, Gipfel, Kremlchef und Machthaber trafen sich am Fluss", i
               for (j = 0; j < i % 7; j++) printf " Wort%d", j
               printf "\n\n" } }' > "$tmp/big.txt"
head -n 1200 "$tmp/big.txt" > "$tmp/part.txt"
# big.html: the same paragraphs as HTML
{ echo '<!DOCTYPE html><html><head><meta charset="utf-8"><title>big</title></head><body>'
  awk 'NF { print "<p class=\"a\">" $0 "</p>" }' "$tmp/big.txt"
  echo '</body></html>'; } > "$tmp/big.html"
cp examples/documents/putin-kim-wladiwostok.txt "$tmp/small.txt"
size=$(wc -c < "$tmp/big.txt")
check "big.txt is over the threshold of 4 MiB ($size bytes)" "[ $size -ge 4194304 ]"

cat > "$tmp/count.lua" <<'LUA'
local n, bytes, words = 0, 0, 0
return {
  p = function(p)
    local t = p:text()
    n, bytes = n + 1, bytes + #t
    words = words + select(2, t:gsub("%S+", ""))
  end,
  document = function(doc, ctx)
    ctx:emit{ doc = (doc.path or "-"):match("[^/]+$"), p = n, bytes = bytes, words = words }
    n, bytes, words = 0, 0, 0
  end,
}
LUA
# the expected records, from awk: paragraphs, bytes of text, words
expect() { awk -v d="$2" 'NF { n++; b += length($0); w += NF }
                          END { printf "{\"bytes\":%d,\"doc\":\"%s\",\"p\":%d,\"words\":%d}\n", b, d, n, w }' "$1"; }
LC_ALL=C expect "$tmp/big.txt" big.txt > "$tmp/exp-big"
LC_ALL=C expect "$tmp/part.txt" part.txt > "$tmp/exp-part"

"$LODE" run -q -j 1 "$tmp/count.lua" "$tmp/big.txt" > "$tmp/one" 2> "$tmp/err"
rc=$?
check "run -j 1 on big.txt: exit 0, one record with every paragraph, byte and word" \
    "[ $rc -eq 0 ] && cmp -s '$tmp/one' '$tmp/exp-big'" || { show "$tmp/one"; show "$tmp/exp-big"; show "$tmp/err"; }

# a mix: small, big, small, big, small in one worker and in two; the records
# in input order and equal to each document's own run
for j in 1 2; do
    "$LODE" run -q -j $j "$tmp/count.lua" "$tmp/part.txt" "$tmp/big.txt" "$tmp/small.txt" "$tmp/big.html" \
        "$tmp/part.txt" > "$tmp/mix$j" 2> "$tmp/err"
    rc=$?
    { cat "$tmp/exp-part" "$tmp/exp-big"
      "$LODE" run -q "$tmp/count.lua" "$tmp/small.txt"
      sed 's/"big.txt"/"big.html"/' "$tmp/exp-big"
      cat "$tmp/exp-part"; } > "$tmp/exp-mix"
    check "run -j $j on small and big documents mixed: the records of each document alone, in order" \
        "[ $rc -eq 0 ] && cmp -s '$tmp/mix$j' '$tmp/exp-mix'" || { show "$tmp/mix$j"; show "$tmp/err"; }
done

# convert: the text writer gives the paragraphs back; JSON round trip
"$LODE" convert "$tmp/big.txt" -t text -o "$tmp/big.out.txt" 2> "$tmp/err"
rc=$?
sed '$d' "$tmp/big.txt" > "$tmp/exp-text" # no blank line after the last block
check "convert big.txt -t text: the paragraphs back, byte for byte" \
    "[ $rc -eq 0 ] && cmp -s '$tmp/exp-text' '$tmp/big.out.txt'" || show "$tmp/err"
"$LODE" convert "$tmp/big.html" -t json -o "$tmp/big.json" 2> "$tmp/err" &&
    "$LODE" convert "$tmp/big.json" -t json -o "$tmp/big2.json" 2>> "$tmp/err"
rc=$?
check "convert big.html -t json, then the JSON (itself over 4 MiB) again: identical" \
    "[ $rc -eq 0 ] && [ \$(wc -c < '$tmp/big.json') -ge 4194304 ] && cmp -s '$tmp/big.json' '$tmp/big2.json'" ||
    show "$tmp/err"
# query: a count per document, big and small mixed
"$LODE" query p --count "$tmp/big.html" "$tmp/small.txt" "$tmp/big.txt" > "$tmp/q" 2> "$tmp/err"
rc=$?
printf '%s:60000\n%s:19\n%s:60000\n' "$tmp/big.html" "$tmp/small.txt" "$tmp/big.txt" > "$tmp/exp-q"
check "query p --count over big and small documents" "[ $rc -eq 0 ] && cmp -s '$tmp/q' '$tmp/exp-q'" ||
    { show "$tmp/q"; show "$tmp/err"; }
# the same documents through standard input (size unknown: normal arena)
"$LODE" run -q "$tmp/count.lua" - < "$tmp/big.txt" 2> "$tmp/err" | sed 's/"doc":"[^"]*"/"doc":"big.txt"/' \
    > "$tmp/stdin"
check "run on big.txt from standard input: the same record" "cmp -s '$tmp/stdin' '$tmp/exp-big'" ||
    { show "$tmp/stdin"; show "$tmp/err"; }
# a big document that fails (invalid UTF-8 at its end) does not keep the
# worker on the big arena: the small ones after it are right
cp "$tmp/big.txt" "$tmp/bad.txt"
printf 'kaputt \377\n' >> "$tmp/bad.txt"
"$LODE" run -q -j 1 "$tmp/count.lua" "$tmp/bad.txt" "$tmp/part.txt" > "$tmp/bad" 2> "$tmp/err"
rc=$?
check "a failing big document: exit 1, the error names it and the byte offset, the next document's record" \
    "[ $rc -eq 1 ] && grep -q 'bad.txt: invalid UTF-8 at byte offset $((size + 7)) ' '$tmp/err' && cmp -s '$tmp/bad' '$tmp/exp-part'" ||
    { show "$tmp/err"; show "$tmp/bad"; }

echo "# $n checks, $failed failed"
[ $failed -eq 0 ]
