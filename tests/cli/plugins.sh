#!/bin/sh
# plugins.sh -- plugins through the command line: --plugin, the plugin
# folders ($LODE_PLUGIN_PATH), `lode plugins`, a plugin's reader, writer,
# record sink (-o by extension, --sink by name) and Lua modules, refusals
# (another ABI, a failing init, not a plugin), --no-plugins, and the
# sandbox.  Uses the test plugins of tests/plugins/ ($BUILD/tests/plugins).
# Prints TAP lines.
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
TP="$BUILD/tests/plugins"
case $LODE in /*) ;; *) LODE="$PWD/$LODE" ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-plugins.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
check()  { if eval "$2"; then ok "$1"; else not_ok "$1"; sed 's/^/#   /' "$tmp/err" 2>/dev/null | head -5; fi; }

printf '#kv\ntitle = Hello\nlang = de\n' > "$tmp/a.kv"
printf 'x = 1\ny = 2\n' > "$tmp/noext"
cp "$tmp/a.kv" "$tmp/b.kv"

# listing
"$LODE" plugins --no-plugins --plugin "$TP/kv.so" > "$tmp/list" 2> "$tmp/err"
check "lode plugins lists the plugin, its version and path" \
    "grep -q '^kv 1.2.3  key = value lines' '$tmp/list' && grep -q '^  $TP/kv.so\$' '$tmp/list'"
check "lode plugins lists what it provides" \
    "grep -q '^  provides reader kv (.kv)\$' '$tmp/list' && grep -q '^  provides sink lines (.lines)\$' '$tmp/list' && grep -q '^  provides module lode.kv\$' '$tmp/list'"
check "lode plugins lists formats with capabilities" "grep -q '^  kv  *read \$' '$tmp/list' && grep -q '^  keys  *write\$' '$tmp/list'"

# reader and writer
"$LODE" convert --plugin "$TP/kv.so" "$tmp/a.kv" -t keys > "$tmp/out" 2> "$tmp/err"
check "convert: the plugin's reader by extension and writer by -t" "printf 'title\nlang\n' | cmp -s - '$tmp/out'"
"$LODE" convert --plugin "$TP/kv.so" "$tmp/noext" -f kv -t text > "$tmp/out" 2> "$tmp/err"
check "convert -f NAME selects the plugin's reader" "grep -q '^x\$' '$tmp/out' && grep -q '^1\$' '$tmp/out'"
printf 'ok = 1\nbroken line\n' > "$tmp/bad.kv"
"$LODE" convert --plugin "$TP/kv.so" "$tmp/bad.kv" -t xml -o "$tmp/bad.xml" > /dev/null 2> "$tmp/err"
rc=$?
check "a parse error of the plugin's reader: exit 1, file:line, no output" \
    "[ $rc -eq 1 ] && grep -q 'bad.kv:2: expected' '$tmp/err' && [ ! -e '$tmp/bad.xml' ]"

(cd "$TP" && "$LODE" convert --plugin kv.so "$tmp/a.kv" -t keys > "$tmp/out" 2> "$tmp/err")
check "--plugin NAME.so (no folder) is the file in the current folder" "printf 'title\nlang\n' | cmp -s - '$tmp/out'"

# refusals
"$LODE" convert --plugin "$TP/old_abi.so" "$tmp/a.kv" -t xml > /dev/null 2> "$tmp/err"
rc=$?
check "a plugin built for another ABI is refused: exit 2, both versions named" \
    "[ $rc -eq 2 ] && grep -q \"old_abi.so: plugin 'oldie' was built for plugin ABI 0; this lode has ABI 1\" '$tmp/err'"
"$LODE" convert --plugin "$TP/bad_init.so" "$tmp/a.kv" -t xml > /dev/null 2> "$tmp/err"
check "a failing init is reported with its message" \
    "grep -q \"plugin 'badinit' failed to initialise: libfoo 2.0 is required\" '$tmp/err'"
"$LODE" convert --plugin "$TP/not_a_plugin.so" "$tmp/a.kv" -t xml > /dev/null 2> "$tmp/err"
check "a shared object that is no plugin is refused" "grep -q 'not a lode plugin' '$tmp/err'"
"$LODE" convert --plugin "$tmp/nonexistent.so" "$tmp/a.kv" -t xml > /dev/null 2> "$tmp/err"
rc=$?
check "a missing plugin file: exit 2 and the path" "[ $rc -eq 2 ] && grep -q 'nonexistent.so: cannot load the plugin' '$tmp/err'"

# record sink and Lua modules in lode run (2 workers: one engine each)
cat > "$tmp/r.lua" <<'EOF'
local kv = require "lode.kv"
local util = require "lode.kv.util"
return { dd = function(n, ctx) ctx:emit{ v = n:text(), twice = kv.twice(#n:text()), h = util.hello("x") } end }
EOF
# plugin folders: found ones load; broken ones are skipped with one warning
mkdir -p "$tmp/pdir"
cp "$TP/kv.so" "$TP/old_abi.so" "$tmp/pdir/"
LODE_PLUGIN_PATH="$tmp/nowhere:$tmp/pdir" "$LODE" convert "$tmp/a.kv" -t keys > "$tmp/out" 2> "$tmp/err"
rc=$?
check "LODE_PLUGIN_PATH: plugins in the folders are loaded" "[ $rc -eq 0 ] && printf 'title\nlang\n' | cmp -s - '$tmp/out'"
check "LODE_PLUGIN_PATH: a broken plugin there is a warning, once" \
    "[ \$(grep -c 'warning: plugin skipped: .*old_abi.so' '$tmp/err') -eq 1 ]"
printf '<p>hi</p>\n' > "$tmp/x.html"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" convert "$tmp/x.html" -t text > "$tmp/out" 2> "$tmp/err"
check "plugins load only when needed: an HTML convert loads none (no warning about the broken one)" \
    "grep -qx hi '$tmp/out' && [ ! -s '$tmp/err' ]"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" run -j 2 "$tmp/r.lua" "$tmp/a.kv" "$tmp/b.kv" > "$tmp/out" 2> "$tmp/err"
rc=$?
check "a folder plugin's module is found by require (loaded on the miss), warning once with 2 workers" \
    "[ $rc -eq 0 ] && [ \$(wc -l < '$tmp/out') -eq 4 ] && [ \$(grep -c 'plugin skipped' '$tmp/err') -eq 1 ]"
echo 'local news = require "lode.news"; return { p = function(n, ctx) ctx:emit{ t = n:text(), q = #news.quotes(n:text()) } end }' \
    > "$tmp/news.lua"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" run "$tmp/news.lua" "$tmp/x.html" > "$tmp/out" 2> "$tmp/err"
rc=$?
check "a require that package.path satisfies (lode.news) loads no folder plugin: the plugin searcher comes last" \
    "[ $rc -eq 0 ] && grep -q '\"t\":\"hi\"' '$tmp/out' && [ ! -s '$tmp/err' ]"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" convert --no-plugins "$tmp/a.kv" -t keys > /dev/null 2> "$tmp/err"
rc=$?
check "--no-plugins: the folders are not searched" "[ $rc -ne 0 ] && ! grep -q warning '$tmp/err'"

"$LODE" run --plugin "$TP/kv.so" -j 2 "$tmp/r.lua" "$tmp/a.kv" "$tmp/b.kv" -o "$tmp/out.lines" 2> "$tmp/err"
rc=$?
check "run -o FILE.lines goes to the plugin's sink, labelled with the script" \
    "[ $rc -eq 0 ] && [ \$(wc -l < '$tmp/out.lines') -eq 5 ] && head -1 '$tmp/out.lines' | grep -qx '# r'"
check "the plugin's Lua modules work in rule scripts" "grep -q 'h=\"hello x\" twice=10 v=\"Hello\"' '$tmp/out.lines'"
"$LODE" run --plugin "$TP/kv.so" "$tmp/r.lua" "$tmp/a.kv" --sink lines -o "$tmp/named.out" 2> "$tmp/err"
check "--sink NAME chooses the sink whatever the extension" "head -1 '$tmp/named.out' | grep -qx '# r'"
"$LODE" run --plugin "$TP/kv.so" "$tmp/r.lua" "$tmp/a.kv" --sink jsonl -o "$tmp/x.lines" 2> "$tmp/err"
check "--sink jsonl overrides a plugin's extension" "head -1 '$tmp/x.lines' | grep -q '^{\"h\":'"
"$LODE" run --plugin "$TP/kv.so" "$tmp/r.lua" "$tmp/a.kv" --sink nosuch -o "$tmp/n.out" 2> "$tmp/err"
rc=$?
check "--sink with an unknown name: exit 3 and a message" \
    "[ $rc -eq 3 ] && grep -q \"no record sink named 'nosuch'\" '$tmp/err' && [ ! -e '$tmp/n.out' ]"
printf 'broken\n' > "$tmp/c.kv"
"$LODE" run --plugin "$TP/kv.so" "$tmp/r.lua" "$tmp/a.kv" "$tmp/c.kv" -o "$tmp/ff.lines" 2> "$tmp/err"
rc=$?
check "a failed document: exit 1, the sink holds the other documents' records, no temporary left" \
    "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/ff.lines') -eq 3 ] && [ ! -e '$tmp/ff.lines.tmp' ]"
echo 'return { p = function(n, ctx) ctx:emit{ t = n:text() } end }' > "$tmp/plain.lua"
"$LODE" run --no-plugins "$tmp/plain.lua" "$tmp/a.kv" -o "$tmp/x.sqlite" 2> "$tmp/err"
rc=$?
check "-o x.sqlite without a plugin for it: an error, not JSON Lines in a .sqlite file" \
    "[ $rc -eq 3 ] && grep -q \"no loaded plugin writes '.sqlite' files\" '$tmp/err' && [ ! -e '$tmp/x.sqlite' ]"

# folders: files of a plugin's extension are documents when --include names them
mkdir -p "$tmp/folder"
cp "$tmp/a.kv" "$tmp/folder/one.kv"
printf 'PNG' > "$tmp/folder/image.png"
printf '<p>x</p>' > "$tmp/folder/page.html"
echo 'return { document = function(doc, ctx) ctx:emit{ f = doc.format } end }' > "$tmp/fmt.lua"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" run "$tmp/fmt.lua" "$tmp/folder" > "$tmp/out" 2> "$tmp/err"
check "a folder without --include: the HTML page only (a plugin's extension is not taken by itself)" \
    "[ \$(wc -l < '$tmp/out') -eq 1 ] && grep -q '\"f\":\"html\"' '$tmp/out'"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" run "$tmp/fmt.lua" "$tmp/folder" --include '*.kv' --include '*.html' \
    --include '*.png' > "$tmp/out" 2> "$tmp/err"
check "--include '*.kv': the folder plugin reads the .kv file; a .png no reader takes is still skipped" \
    "[ \$(wc -l < '$tmp/out') -eq 2 ] && grep -q '\"f\":\"kv\"' '$tmp/out' && grep -q '\"f\":\"html\"' '$tmp/out'"
"$LODE" run --no-plugins "$tmp/fmt.lua" "$tmp/folder" --include '*.kv' > "$tmp/out" 2> "$tmp/err"
check "without plugins --include '*.kv' finds nothing to read" "[ ! -s '$tmp/out' ]"

# sandbox: plugins only with --allow-plugins
"$LODE" run --sandbox --plugin "$TP/kv.so" "$tmp/r.lua" "$tmp/a.kv" > /dev/null 2> "$tmp/err"
rc=$?
check "--sandbox refuses --plugin" "[ $rc -eq 2 ] && grep -q 'plugins are not loaded under --sandbox' '$tmp/err'"
LODE_PLUGIN_PATH="$tmp/pdir" "$LODE" run --sandbox "$tmp/r.lua" "$tmp/a.kv" > /dev/null 2> "$tmp/err"
rc=$?
check "--sandbox does not load the plugin folders' plugins (the module is missing)" \
    "[ $rc -ne 0 ] && grep -q \"module 'lode.kv' not available in the sandbox\" '$tmp/err'"
"$LODE" run --sandbox --allow-plugins --plugin "$TP/kv.so" "$tmp/r.lua" "$tmp/a.kv" > "$tmp/out" 2> "$tmp/err"
rc=$?
check "--sandbox --allow-plugins loads them" "[ $rc -eq 0 ] && [ \$(wc -l < '$tmp/out') -eq 2 ]"
