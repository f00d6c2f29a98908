#!/bin/sh
# The readability Lua plugin: found by require through the plugin folders,
# its figures on known texts, and its example over the bundled documents.
LODE=${LODE:-build/lode}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-readability.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check()  { if eval "$2"; then ok "$1"; else not_ok "$1"; sed 's/^/#   /' "$tmp/err" 2>/dev/null | head -5; fi; }

cat > "$tmp/t.lua" <<'LUA'
local readability = require "readability"
return {
  document = function(doc, ctx)
    local r = readability.measure("The cat sat on the mat. The dog ran.", "en")
    ctx:emit{ t = "en", s = r.sentences, w = r.words, y = r.syllables, score = r.score, scale = r.scale }
    r = readability.measure("Die Bundesregierung verabschiedete gestern das Haushaltsbegleitgesetz.", "de")
    ctx:emit{ t = "de", s = r.sentences, w = r.words, y = r.syllables, score = r.score, scale = r.scale }
    local okk, err = pcall(readability.measure, "x", "fr")
    ctx:emit{ t = "err", e = err }
  end,
}
LUA
printf '<p>x</p>\n' > "$tmp/x.html"
"$LODE" run "$tmp/t.lua" "$tmp/x.html" > "$tmp/out" 2> "$tmp/err"
rc=$?
check "require \"readability\" finds plugins/readability/init.lua" "[ $rc -eq 0 ] && [ -s '$tmp/out' ]"
# en: 9 words, 2 sentences, 9 syllables: 206.835 - 1.015*4.5 - 84.6*1 = 117.7 -> 100
check "English: words, sentences, syllables, clamped score" \
    "grep -qx '{\"s\":2,\"scale\":\"easy\",\"score\":100,\"t\":\"en\",\"w\":9,\"y\":9}' '$tmp/out'"
# de: Die(1) Bundesregierung(5) verabschiedete(5) gestern(2) das(1) Haushaltsbegleitgesetz(6) = 20
# syllables; 180 - 6/1 - 58.5 * 20/6 < 0, clamped to 0
check "German: one sentence of six words and 20 syllables, score 0" \
    "grep -qx '{\"s\":1,\"scale\":\"very difficult\",\"score\":0,\"t\":\"de\",\"w\":6,\"y\":20}' '$tmp/out'"
check "an unknown language is an error naming it" "grep -q \"unknown language 'fr'\" '$tmp/out'"
"$LODE" run plugins/readability/example.lua examples/documents/putin-kim-wladiwostok.txt --report "$tmp/r.json" > "$tmp/recs" 2> "$tmp/err"
check "the example over the seed article: one record with a score, a report" \
    "[ \$(wc -l < '$tmp/recs') -eq 1 ] && grep -q '\"score\":' '$tmp/recs' && grep -q '\"readability\"' '$tmp/r.json'"
