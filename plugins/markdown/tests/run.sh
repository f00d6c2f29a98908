#!/bin/sh
# plugins/markdown/tests/run.sh -- the markdown plugin's tests (TAP lines).
#
# Run from the project root with BUILD and LODE set (tests/run.sh does):
#  - expected trees: each tests/constructs/*.md (and rawhtml.md) read with
#    -f markdown and written as XML equals tests/expected/NAME.xml; source
#    lines of blocks.md equal expected/blocks.lines;
#  - round trips: markdown -> tree -> gfm -> tree gives the same XML for the
#    project's README.md, docs/*.md and the construct files; the same with
#    the built-in `markdown` writer is reported (TAP comments), not asserted:
#    that writer's differences are the core's business (see README.md);
#  - raw HTML never becomes an element, in the tree or the gfm output;
#  - errors: nesting deeper than max_depth, invalid UTF-8, NUL; --repair;
#  - the CLI: convert README.md -f markdown -t html, detection by
#    extension, `lode plugins`, lode run -j 2 (engines load the plugin on
#    several threads at once), the gfm writer on an HTML page.
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
DRIVER="$BUILD/tests/md_driver"
SO="$BUILD/plugins/markdown.so"
T=plugins/markdown/tests
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-md.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { # description command...
    d=$1
    shift
    if "$@"; then ok "$d"; else nok "$d"; fi
}
has() { grep -q -- "$2" "$1"; }
hasnt() { ! grep -qi -- "$2" "$1"; }

# ---- expected trees --------------------------------------------------------
for f in "$T"/constructs/*.md "$T"/rawhtml.md; do
    b=$(basename "$f" .md)
    if "$LODE" convert "$f" -f markdown -t xml > "$tmp/$b.xml" 2> "$tmp/err" &&
        cmp -s "$tmp/$b.xml" "$T/expected/$b.xml"; then
        ok "tree of $b.md as expected"
    else
        nok "tree of $b.md as expected"
        diff "$T/expected/$b.xml" "$tmp/$b.xml" | head -10 | sed 's/^/#   /'
        sed 's/^/#   /' "$tmp/err"
    fi
done
cat > "$tmp/lines.lua" <<'EOF'
return { ["body *"] = function(n, ctx) ctx:emit{ e = n:name(), line = n:line() } end }
EOF
"$LODE" run "$tmp/lines.lua" "$T/constructs/blocks.md" > "$tmp/blocks.lines" 2>&1
check "source lines of blocks.md" cmp -s "$tmp/blocks.lines" "$T/expected/blocks.lines"

# ---- round trips -------------------------------------------------------------
# roundtrip FILE WRITER: 0 if markdown -> xml equals markdown -> WRITER -> xml
roundtrip() {
    "$LODE" convert "$1" -f markdown -t xml > "$tmp/a.xml" 2>> "$tmp/rt.err" &&
        "$LODE" convert "$1" -f markdown -t "$2" > "$tmp/rt.md" 2>> "$tmp/rt.err" &&
        "$LODE" convert "$tmp/rt.md" -f markdown -t xml > "$tmp/b.xml" 2>> "$tmp/rt.err" &&
        cmp -s "$tmp/a.xml" "$tmp/b.xml"
}
for f in README.md docs/*.md "$T"/constructs/*.md; do
    if roundtrip "$f" gfm; then
        ok "round trip through gfm stable: $f"
    else
        nok "round trip through gfm stable: $f"
        diff "$tmp/a.xml" "$tmp/b.xml" | head -6 | sed 's/^/#   /'
    fi
done
unstable=""
differ=""
total=0
for f in README.md docs/*.md "$T"/constructs/*.md; do
    total=$((total + 1))
    roundtrip "$f" markdown && continue
    unstable="$unstable $(basename "$f")"
    # beyond the soft breaks it joins: compare with whitespace runs as one space
    tr -s ' \n' '  ' < "$tmp/a.xml" > "$tmp/a.ws"
    tr -s ' \n' '  ' < "$tmp/b.xml" > "$tmp/b.ws"
    cmp -s "$tmp/a.ws" "$tmp/b.ws" || differ="$differ $(basename "$f")"
done
echo "# built-in markdown writer: round trip not stable for$unstable (of $total files)"
echo "# ... and not even up to whitespace for$differ (see README.md)"
# the gfm output read again and written again is the same text (a fixpoint)
"$LODE" convert "$T/constructs/lists.md" -f markdown -t gfm > "$tmp/g1.md"
"$LODE" convert "$tmp/g1.md" -f markdown -t gfm > "$tmp/g2.md"
check "gfm output is a fixpoint (lists.md)" cmp -s "$tmp/g1.md" "$tmp/g2.md"

# ---- raw HTML ---------------------------------------------------------------
"$LODE" convert "$T/rawhtml.md" -f markdown -t html > "$tmp/raw.html"
check "raw HTML: no script/iframe/img element in the HTML output" \
    sh -c "! grep -qi '<script\|<iframe\|<img' '$tmp/raw.html'"
check "raw HTML: the markup is kept as text" has "$tmp/raw.html" '&lt;script&gt;alert("block")'
"$LODE" convert "$T/rawhtml.md" -f markdown -t gfm > "$tmp/raw.md"
check "raw HTML: gfm output has no live <script/<style/<iframe (tagfilter)" \
    sh -c "! grep -Eqi '(^|[^\\\\])</?(script|style|iframe)' '$tmp/raw.md'"
check "raw HTML: gfm output keeps the other markup" has "$tmp/raw.md" '^<div>$'
# a tree from HTML with a raw-html pre holding a script
printf '<html><body><pre class="raw-html">&lt;script&gt;x()&lt;/script&gt;</pre></body></html>' > "$tmp/p.html"
"$LODE" convert "$tmp/p.html" -t gfm > "$tmp/p.md"
check "gfm writer: pre.raw-html from any tree is filtered too" has "$tmp/p.md" '^&lt;script>x()&lt;/script>'

# ---- errors and limits ------------------------------------------------------
printf '%0300d deep\n' 0 | tr 0 '>' > "$tmp/deep.md"
"$LODE" convert "$tmp/deep.md" -t xml > /dev/null 2> "$tmp/err"
st=$?
check "nesting deeper than max_depth fails" test "$st" -ne 0
check "depth error names file and line" has "$tmp/err" 'deep.md:1: elements nested deeper than 256 levels'
printf '%0200d x\n' 0 | sed 's/0/- /g' > "$tmp/deeplist.md"
"$DRIVER" "$SO" "$tmp/deeplist.md" markdown xml > /dev/null 2> "$tmp/err"
check "200 nested lists (400 levels) refused with the default max_depth" has "$tmp/err" 'nested deeper than 256'
"$DRIVER" "$SO" "$tmp/deeplist.md" markdown xml max_depth=1000 > "$tmp/deep.xml" 2> "$tmp/err"
check "... and read with max_depth 1000" has "$tmp/deep.xml" '<li>x</li>'
"$DRIVER" "$SO" "$T/constructs/blocks.md" markdown xml max_depth=4 > /dev/null 2> "$tmp/err"
check "max_depth 4: blocks.md's nested quote refused at its line" has "$tmp/err" 'blocks.md:22: elements nested deeper than 4'
printf 'ok\n\nbad \377 byte\n' > "$tmp/bad.md"
"$LODE" convert "$tmp/bad.md" -t xml > /dev/null 2> "$tmp/err"
st=$?
check "invalid UTF-8 fails" test "$st" -ne 0
check "invalid UTF-8: byte offset and line" has "$tmp/err" 'bad.md: invalid UTF-8 at byte offset 8 (line 3): byte 0xFF'
printf 'a\000b\n' > "$tmp/nul.md"
"$LODE" convert "$tmp/nul.md" -t xml > /dev/null 2> "$tmp/err"
check "NUL byte refused with its offset" has "$tmp/err" 'NUL byte at byte offset 1'
printf 'a \355\240\200 surrogate\n' > "$tmp/sur.md"
"$LODE" convert "$tmp/sur.md" -t xml > /dev/null 2> "$tmp/err"
check "encoded surrogate refused" has "$tmp/err" 'invalid UTF-8 at byte offset 2'
"$DRIVER" "$SO" "$tmp/bad.md" markdown xml repair > "$tmp/fixed.xml" 2> "$tmp/err"
check "repair: the bad byte becomes U+FFFD" has "$tmp/fixed.xml" "<p>bad $(printf '\357\277\275') byte</p>"
printf -- '- [ ] see [x] later\n- [x] done\n' > "$tmp/task.md"
"$LODE" convert "$tmp/task.md" -t xml > "$tmp/task.xml" 2>&1
check "task item: the box decides, not an [x] later on the line (cmark-gfm 0.29 bug)" \
    has "$tmp/task.xml" '<li><input type="checkbox" disabled="disabled"/> see \[x\] later</li><li><input type="checkbox" disabled="disabled" checked="checked"/> done</li>'
"$LODE" convert "$tmp/bad.md" -t xml --repair > "$tmp/fixed2.xml" 2> "$tmp/err"
check "lode convert --repair: U+FFFD and a warning" has "$tmp/err" 'replaced 1 invalid UTF-8 sequence'
printf '\357\273\277# BOM\n\ntext &#1; &#xFFFE; &#xFFFF; \f ff\n' > "$tmp/bom.md"
"$LODE" convert "$tmp/bom.md" -t xml > "$tmp/bom.xml" 2> "$tmp/err"
r=$(printf '\357\277\275')
check "BOM skipped; &#1; &#xFFFE; &#xFFFF; become U+FFFD, FF a space" \
    has "$tmp/bom.xml" "<h1>BOM</h1><p>text $r $r $r   ff</p>"

# ---- the CLI ----------------------------------------------------------------
"$LODE" convert README.md -f markdown -t html > "$tmp/readme.html" 2> "$tmp/err"
st=$?
check "lode convert README.md -f markdown -t html" test "$st" -eq 0
check "... has the title from the first h1" has "$tmp/readme.html" '<title>lode</title>'
check "... has the README's code blocks" has "$tmp/readme.html" '<pre><code class="language-sh">'
"$LODE" convert "$T/constructs/tables.md" -t json > "$tmp/t.json" 2>&1
check ".md is read as markdown without -f" has "$tmp/t.json" '"name":"table"'
"$LODE" plugins > "$tmp/plugins" 2>&1
check "lode plugins lists the reader" has "$tmp/plugins" 'reader markdown (.md .markdown)'
check "lode plugins lists the writer" has "$tmp/plugins" 'writer gfm'
# (files by name: lode run's folder walk takes only the built-in extensions)
"$LODE" run -j 1 "$tmp/lines.lua" "$T"/constructs/*.md > "$tmp/j1" 2>&1
"$LODE" run -j 2 "$tmp/lines.lua" "$T"/constructs/*.md > "$tmp/j2" 2>&1
check "lode run -j 2 over the constructs equals -j 1" cmp -s "$tmp/j1" "$tmp/j2"
check "... and read every construct file" test "$(grep -c '"e":"table"' "$tmp/j2")" -eq 3
page=examples/documents/sample-news-page.html
if [ -f "$page" ]; then
    "$LODE" convert "$page" -t gfm > "$tmp/page.md" 2> "$tmp/err"
    st=$?
    check "gfm writer on an HTML page" test "$st" -eq 0 -a -s "$tmp/page.md"
    "$LODE" convert "$page" -t text > "$tmp/page.txt" 2> /dev/null
    w=$(head -c 4000 "$tmp/page.txt" | tr -s ' \n' '\n\n' | grep -E '^[[:alpha:]]{6,}$' | head -20)
    missing=0
    for word in $w; do grep -q -- "$word" "$tmp/page.md" || missing=$((missing + 1)); done
    check "... keeps the page's words" test "$missing" -eq 0
fi

[ -s "$tmp/rt.err" ] && sed 's/^/# rt: /' "$tmp/rt.err" | head -5
exit 0
