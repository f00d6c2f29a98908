#!/bin/sh
# tests/scripts/run.sh: tests of the bundled news scripts (scripts/, lode.news), and of
# examples/bench/t4_report.lua against its Python peer. Prints TAP.
#   sh tests/scripts/run.sh            (from the source tree; needs build/lode: run make)
# Exits non-zero when a test fails.
cd "$(dirname "$0")/../.." || exit 2
LODE=${LODE:-build/lode}
SEED=examples/documents/putin-kim-wladiwostok.txt
CORPUS=${NEWS_CORPUS:-../shared/corpus/news-de}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # check NAME COMMAND...: ok when the command succeeds
  name=$1; shift
  if "$@" >/dev/null 2>&1; then ok "$name"; else nok "$name"; fi
}
eq() { # eq NAME GOT WANT
  if [ "$2" = "$3" ]; then ok "$1"; else nok "$1 (got '$2', want '$3')"; fi
}
q() { "$LODE" query "$@" "$T/seed/putin-kim-wladiwostok.html" 2>/dev/null; }

[ -x "$LODE" ] || { echo "Bail out! $LODE missing: run make"; exit 2; }

# 1. every script compiles
for s in scripts/news-structure.lua scripts/news-quotes.lua scripts/news-credits.lua \
         scripts/corpus-report.lua scripts/to-tei.lua scripts/strip-captions.lua; do
  check "lode check $s" "$LODE" check "$s"
done

# 2. the patterns (Lua unit test, prints its own TAP lines; renumbered here)
out=$("$LODE" run tests/scripts/patterns.lua "$SEED" -j 1 2>"$T/patterns.err"); st=$?
echo "$out" | grep -aE '^(not )?ok ' > "$T/patterns.tap"
while IFS= read -r line; do
  case $line in
    "not ok "*) nok "patterns: ${line#* - }" ;;
    "ok "*) ok "patterns: ${line#* - }" ;;
  esac
done < "$T/patterns.tap"
eq "patterns.lua exit status" "$st" 0
[ "$(wc -l < "$T/patterns.tap")" -ge 100 ] && ok "patterns.lua ran >= 100 checks" || nok "patterns.lua ran >= 100 checks"

# 3. news-structure on the seed article: the Done-when list
"$LODE" run scripts/news-structure.lua "$SEED" -j 1 --write "$T/seed" -t html 2>"$T/err"
eq "news-structure on the seed: exit 0" "$?" 0
eq "no lode: lines on stderr" "$(grep -ac '^lode:' "$T/err")" 0
eq "article > header > h1" "$(q -c 'article > header > h1')" 1
eq "header > time[datetime=2019-04]" "$(q -c 'header > h1 + time[datetime="2019-04"]')" 1
eq "one dateline" "$(q -c 'p.dateline')" 1
eq "dateline place" "$(q -a data-place 'p.dateline')" WLADIWOSTOK
eq "dateline span.place" "$(q --text 'p.dateline span.place')" WLADIWOSTOK
eq "6 figures" "$(q -c 'article > figure > figcaption > small.credit')" 6
eq "no caption left as a paragraph" "$(q -c 'p:contains("©")')" 0
eq "credit 1 creator" "$(q -a data-creator 'figure:nth-of-type(1) small.credit')" "Alexander Zemlianichenko"
eq "credit 1 agency" "$(q -a data-agency 'figure:nth-of-type(1) small.credit')" AP
eq "credit 1 distributor" "$(q -a data-distributor 'figure:nth-of-type(1) small.credit')" dpa
eq "Kyodo credits: agency" "$(q -a data-agency 'small.credit:contains("Kyodo")' | sort -u)" Kyodo
eq "Kyodo credits: distributor" "$(q -a data-distributor 'small.credit:contains("Kyodo")' | sort -u)" dpa
eq "Kyodo credits: no creator" "$(q -c 'small.credit[data-creator]:contains("Kyodo")')" 0
eq "all 6 credits distributed by dpa" "$(q -c 'small.credit[data-distributor=dpa]')" 6
eq "figcaption keeps the caption text" "$(q --text 'figure:nth-of-type(3) figcaption')" \
  "Kim Jong Un wird am Bahnhof Wladiwostok mit militärischen Ehren empfangen. © Kyodo (dpa)"
# every straight-quoted passage marked: the seed has 6 pairs of "
eq "6 quoted passages marked" "$(q -c 'q')" 6
DQ='"'
eq "quote marks stay around each q" "$(q -x "count(//q[substring(preceding-sibling::node()[1], string-length(preceding-sibling::node()[1])) = '$DQ' and starts-with(following-sibling::node()[1], '$DQ')])")" 6
eq "speaker Putin" "$(q -a data-speaker 'q:contains("Wir begrüßen Ihre Anstrengungen")')" Putin
eq "speaker der Kremlchef" "$(q -a data-speaker 'q:contains("Ich freue mich, sie hier zu sehen")')" "der Kremlchef"
eq "Seidenstraßen is a term, not speech" "$(q -c 'q.term:contains("Seidenstraßen")')" 1
eq "text unchanged (but for the added date)" "$("$LODE" convert "$T/seed/putin-kim-wladiwostok.html" -t text | grep -vx 2019-04 | tr -s ' \n' ' ' | md5sum)" \
  "$("$LODE" convert "$SEED" -t text | tr -s ' \n' ' ' | md5sum)"

# 4. the record scripts on the seed
"$LODE" run scripts/news-quotes.lua "$SEED" -o "$T/quotes.tsv" 2>/dev/null
eq "news-quotes: 6 records" "$(($(wc -l < "$T/quotes.tsv") - 1))" 6
eq "news-quotes: Putin's quote" "$(grep -ac 'Wir begrüßen Ihre.*Putin' "$T/quotes.tsv")" 1
"$LODE" run scripts/news-credits.lua "$SEED" -o "$T/credits.jsonl" --report "$T/credits.json" 2>/dev/null
eq "news-credits: 6 records" "$(wc -l < "$T/credits.jsonl")" 6
eq "news-credits: Zemlianichenko record" \
  "$(grep -ac '"agency":"AP".*"creator":"Alexander Zemlianichenko".*"distributor":"dpa"' "$T/credits.jsonl")" 1
eq "news-credits report: agencies" "$(tr -d ' \n' < "$T/credits.json" | grep -ao '"key":"Kyodo","count":2')" '"key":"Kyodo","count":2'
"$LODE" run scripts/strip-captions.lua "$SEED" -j 1 --write "$T/strip" -t text 2>/dev/null
eq "strip-captions: no credit left" "$(grep -ac '©' "$T/strip/putin-kim-wladiwostok.txt")" 0
eq "strip-captions: 13 body paragraphs + headline" "$(grep -ac . "$T/strip/putin-kim-wladiwostok.txt")" 14
"$LODE" run scripts/to-tei.lua "$SEED" -j 1 --write "$T/tei" -t xml 2>/dev/null
TEI=$T/tei/putin-kim-wladiwostok.xml
check "to-tei: well-formed XML" "$LODE" query -c 'TEI' "$TEI"
eq "to-tei: teiHeader title" "$("$LODE" query --text 'teiHeader titleStmt title' "$TEI" 2>/dev/null)" "Nordkoreas Machthaber trifft Kremlchef Putin"
eq "to-tei: 6 figures with head" "$("$LODE" query -c 'body div figure > head' "$TEI" 2>/dev/null)" 6
eq "to-tei: q who=Putin" "$("$LODE" query -c 'q[who="#Putin"]' "$TEI" 2>/dev/null)" 1
eq "to-tei: TEI namespace" "$("$LODE" query -x 'namespace-uri(/*)' "$TEI" 2>/dev/null)" "http://www.tei-c.org/ns/1.0"
"$LODE" run scripts/corpus-report.lua "$SEED" --report "$T/report.json" 2>/dev/null
eq "corpus-report: 6 captions" "$(tr -d ' \n' < "$T/report.json" | grep -ao '"name":"captions","kind":"sum","n":1,"sum":6' | wc -l)" 1
eq "corpus-report: 37 sentences" "$(tr -d ' \n' < "$T/report.json" | grep -ao '"name":"sentences","kind":"sum","n":1,"sum":37' | wc -l)" 1
eq "corpus-report: 13 paragraphs" "$(tr -d ' \n' < "$T/report.json" | grep -ao '"name":"paragraphs","kind":"sum","n":1,"sum":13' | wc -l)" 1

# 5. every script over the news corpus: no failure, no "lode:" error line
if [ -d "$CORPUS" ]; then
  for s in news-structure news-quotes news-credits corpus-report strip-captions to-tei; do
    case $s in
      news-structure) args="--write $T/c-$s -t html" ;;
      strip-captions) args="--write $T/c-$s -t text" ;;
      to-tei) args="--write $T/c-$s -t xml" ;;
      corpus-report) args="--report $T/c-report.html" ;;
      *) args="-o $T/c-$s.jsonl" ;;
    esac
    # shellcheck disable=SC2086
    "$LODE" run scripts/$s.lua "$CORPUS" -q $args >/dev/null 2>"$T/c-$s.err"
    st=$?
    eq "$s over $CORPUS: exit 0" "$st" 0
    eq "$s over $CORPUS: no lode: lines" "$(grep -ac '^lode:' "$T/c-$s.err")" 0
  done
  eq "to-tei over the corpus: every file well-formed" \
    "$("$LODE" query -c TEI "$T/c-to-tei" 2>&1 | grep -avc ':1$')" 0
else
  ok "# SKIP $CORPUS not present"
fi

# examples/bench/t4_report.lua: Python's word report byte for byte, also where
# Python's lowercasing and tokens are not lode.text's defaults: a dotted
# capital I inside and at the start of words, final and non-final capital
# sigma, combining marks, ZWNJ, joiners, _, numbers of categories Nl/No
mkdir -p "$T/t4"
printf 'KİM und İstanbul: AİBİC\n\nΟΔΥΣΣΕΑΣ ΣΑΣ Σ aΣ ΣΣ\n' > "$T/t4/a.txt"
printf "e\314\201cole na\303\257ve don't Raketen-Programm snake_case\n\nmi\342\200\214xyz \342\205\253\302\275 COVID-19 \346\227\245\346\234\254\n" \
  > "$T/t4/b.txt"
printf 'Nur ASCII hier. Und noch ein Satz, der der die.\n' > "$T/t4/c.txt"
ls "$T"/t4/*.txt > "$T/t4.list"
"$LODE" run -q -j 1 examples/bench/t4_report.lua --files-from "$T/t4.list" > "$T/t4.lode" 2> "$T/t4.err"
eq "t4_report.lua on crafted texts: exit 0" "$?" 0
eq "t4_report.lua: tokens and distinct as Python counts them" \
  "$(grep -E '^(tokens|distinct)' "$T/t4.lode" | tr '\t\n' ': ')" "tokens:38 distinct:36 "
eq "t4_report.lua: KİM gives ki + m, aΣ gives aς (Python's lower)" \
  "$(grep -cE '	(ki|m|aς|ai|bi)	1$' "$T/t4.lode")" 5
PEER=../shared/bench/peers/t4_report.py
if command -v python3 >/dev/null 2>&1 && [ -f "$PEER" ]; then
  python3 "$PEER" "$T/t4.list" > "$T/t4.py" 2>&1
  if cmp -s "$T/t4.py" "$T/t4.lode"; then ok "t4_report.lua = $PEER byte for byte"
  else nok "t4_report.lua differs from $PEER"; diff "$T/t4.py" "$T/t4.lode" | head -10 | sed 's/^/#   /'; fi
else
  ok "# SKIP python3 or $PEER missing"
fi

echo "1..$n"
[ "$failed" -eq 0 ] || { echo "# $failed of $n failed"; exit 1; }
