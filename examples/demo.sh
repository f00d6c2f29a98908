#!/bin/sh
# demo.sh LODE -- the main job on the bundled examples: the seed news article
# converted to HTML, Markdown and JSON, then every example document to every
# format under build/demo/, the example rule scripts, and a corpus report.
set -e
LODE=${1:-build/lode}
DOCS=examples/documents
OUT=build/demo
mkdir -p "$OUT"

if [ -t 1 ]; then B='\033[1m'; N='\033[0m'; else B=''; N=''; fi
step() { printf "\n${B}== %s${N}\n" "$*"; }

step "lode convert $DOCS/putin-kim-wladiwostok.txt -t html --indent"
"$LODE" convert "$DOCS/putin-kim-wladiwostok.txt" -t html --indent | head -n 24
echo "[...]"

step "lode convert $DOCS/putin-kim-wladiwostok.txt -t markdown"
"$LODE" convert "$DOCS/putin-kim-wladiwostok.txt" -t markdown | head -n 12
echo "[...]"

step "lode convert $DOCS/putin-kim-wladiwostok.txt -t json --indent"
"$LODE" convert "$DOCS/putin-kim-wladiwostok.txt" -t json --indent | head -n 30
echo "[...]"

step "every example in every format, into $OUT/"
for f in "$DOCS"/*.txt "$DOCS"/*.html "$DOCS"/*.xml; do
    base=$(basename "$f")
    for fmt in xml html text markdown json; do
        case $fmt in markdown) ext=md ;; text) ext=txt ;; *) ext=$fmt ;; esac
        "$LODE" convert "$f" -t "$fmt" -o "$OUT/$base.$ext"
    done
    printf '  %-34s -> %s.{xml,html,txt,md,json}\n' "$base" "$OUT/$base"
done
step "lode run examples/rules/quotes.lua $DOCS/putin-kim-wladiwostok.txt   (one record per quote)"
"$LODE" run examples/rules/quotes.lua "$DOCS/putin-kim-wladiwostok.txt"

step "lode run examples/rules/captions.lua ... --write $OUT/captions -t html   (captions become <figure>)"
"$LODE" run examples/rules/captions.lua "$DOCS/putin-kim-wladiwostok.txt" --write "$OUT/captions" -t html > /dev/null
grep -o '<figure class="photo">.*</figure>' "$OUT/captions/putin-kim-wladiwostok.html" | head -n 2

step "lode query p $DOCS/putin-kim-wladiwostok.txt --count   /   lode query h1 ... --text"
"$LODE" query p "$DOCS/putin-kim-wladiwostok.txt" --count
"$LODE" query h1 "$DOCS/putin-kim-wladiwostok.txt" --text

step "lode run scripts/news-structure.lua $DOCS/putin-kim-wladiwostok.txt --write $OUT/news -t html   (semantic HTML5)"
"$LODE" run scripts/news-structure.lua "$DOCS/putin-kim-wladiwostok.txt" --write "$OUT/news" -t html -q
grep -o '<p class="dateline"[^>]*>' "$OUT/news/putin-kim-wladiwostok.html" | head -n 1
grep -o '<small class="credit"[^>]*>' "$OUT/news/putin-kim-wladiwostok.html" | head -n 2
grep -o '<q [^>]*data-speaker="[^"]*"[^>]*>[^<]*' "$OUT/news/putin-kim-wladiwostok.html" | head -n 2

step "lode run scripts/news-quotes.lua / news-credits.lua ...   (quotes and photo credits as JSON Lines)"
"$LODE" run scripts/news-quotes.lua "$DOCS/putin-kim-wladiwostok.txt" -q | head -n 3
"$LODE" run scripts/news-credits.lua "$DOCS/putin-kim-wladiwostok.txt" -q | head -n 2

step "lode run scripts/corpus-report.lua $DOCS --report $OUT/report.html   (a corpus report, all cores)"
"$LODE" run scripts/corpus-report.lua "$DOCS" --report "$OUT/report.txt" -q
awk '/^top words/ { on = 1 } on && n++ < 14' "$OUT/report.txt"
echo "[... the whole report: $OUT/report.txt]"
"$LODE" run scripts/corpus-report.lua "$DOCS" --report "$OUT/report.html" -q
if [ -d ../shared/corpus/news-de ]; then
    step "the same over ../shared/corpus/news-de (2,026 articles) -> $OUT/news-de-report.html"
    "$LODE" run scripts/corpus-report.lua ../shared/corpus/news-de --report "$OUT/news-de-report.html" --progress
fi

step "plugins (lode plugins): README.md through the markdown plugin, quotes into SQLite"
"$LODE" convert README.md -f markdown -t html -o "$OUT/readme.html"
grep -o '<title>[^<]*</title>' "$OUT/readme.html"
rm -f "$OUT/quotes.sqlite"
"$LODE" run scripts/news-quotes.lua "$DOCS" -o "$OUT/quotes.sqlite" -q
if command -v sqlite3 >/dev/null 2>&1; then
    sqlite3 "$OUT/quotes.sqlite" 'SELECT count(*) || " quotes in table news-quotes" FROM "news-quotes"'
fi

step "done: open $OUT/news/putin-kim-wladiwostok.html, $OUT/report.html or $OUT/putin-kim-wladiwostok.txt.html in a browser"
