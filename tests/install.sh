#!/bin/sh
# install.sh -- `make install` into a temporary prefix, then build and run the
# embedding example against the installed header, pkg-config file and shared
# library, and check the exported symbols.  Prints TAP lines.
BUILD=${BUILD:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

if make --no-print-directory -s install PREFIX="$tmp/usr" BUILD="$BUILD" SAN="$SAN" COV="$COV" > "$tmp/log" 2>&1; then
    ok "make install PREFIX=$tmp/usr"
else
    not_ok "make install"; sed 's/^/#   /' "$tmp/log" | tail -5; exit 1
fi
for f in bin/lode include/lode.h lib/liblode.a lib/liblode.so lib/liblode.so.0 lib/pkgconfig/lode.pc share/man/man1/lode.1; do
    if [ -e "$tmp/usr/$f" ]; then ok "installed $f"; else not_ok "missing $f"; fi
done
# Only lode_* symbols are exported.
bad=$(nm -D --defined-only "$tmp/usr/lib/liblode.so.0" | awk '{print $3}' | grep -v '^lode_' | grep -v '^LODE_0$' | head -5)
if [ -z "$bad" ]; then ok "liblode.so exports only lode_* symbols ($(nm -D --defined-only "$tmp/usr/lib/liblode.so.0" | grep -c ' lode_'))"
else not_ok "liblode.so exports non-lode symbols: $bad"; fi
# ... and the static library defines no other global symbol either: a host
# linking it statically may have functions of the names lode uses inside.
bad=$(nm -g --defined-only "$tmp/usr/lib/liblode.a" | awk 'NF == 3 {print $3}' | grep -v '^lode_' | head -5)
if [ -z "$bad" ]; then ok "liblode.a defines only lode_* global symbols ($(nm -g --defined-only "$tmp/usr/lib/liblode.a" | grep -c ' T lode_'))"
else not_ok "liblode.a defines non-lode global symbols: $bad"; fi
soname=$(objdump -p "$tmp/usr/lib/liblode.so.0" | awk '/SONAME/ {print $2}')
[ "$soname" = liblode.so.0 ] && ok "soname liblode.so.0" || not_ok "soname is '$soname'"

export PKG_CONFIG_PATH="$tmp/usr/lib/pkgconfig"
san=""; [ "$SAN" = 1 ] && san="-fsanitize=address,undefined"
cat > "$tmp/static_host.c" <<'EOF'
/* A host with functions of the names lode uses inside (utf8_encode is also
 * jansson's), linked with the static library: no clash, and each side calls
 * its own. */
#include <lode.h>
#include <stdio.h>
#include <string.h>
int buf_init(void);
int read_html(void);
int utf8_encode(void);
int buf_init(void) { return 1; }
int read_html(void) { return 2; }
int utf8_encode(void) { return 3; }
int main(void)
{
    lode_engine *e = lode_engine_new(NULL);
    lode_doc *doc = NULL;
    const char *html = "<p>caf\xc3\xa9</p>";
    if (!e || lode_doc_parse(e, html, strlen(html), "x.html", NULL, &doc) != LODE_OK)
        return 1;
    char *out = NULL;
    size_t len = 0;
    lode_write_options wo = {"text", 0};
    int rc = lode_doc_write_buffer(e, doc, &wo, &out, &len);
    printf("%d %d %d %s %.*s\n", buf_init(), read_html(), utf8_encode(), lode_version(), (int)len, out ? out : "");
    lode_free(e, out);
    lode_doc_free(doc);
    lode_engine_free(e);
    return rc != LODE_OK;
}
EOF
static_libs=$(pkg-config --static --libs lode | sed 's/-llode//')
[ "$COV" = 1 ] && static_libs="$static_libs --coverage" # the archive's objects are instrumented
if cc -std=c11 -Wall -Wextra -Werror $san "$tmp/static_host.c" $(pkg-config --cflags lode) "$tmp/usr/lib/liblode.a" \
    $static_libs -o "$tmp/static_host" 2> "$tmp/cc"; then
    "$tmp/static_host" > "$tmp/static.out" 2> "$tmp/err"
    if [ $? = 0 ] && grep -q "^1 2 3 $("$tmp/usr/bin/lode" --version | awk '{print $2; exit}') café" "$tmp/static.out"; then
        ok "a host with its own buf_init, read_html and utf8_encode links liblode.a and both sides work"
    else not_ok "static host output"; sed 's/^/#   /' "$tmp/static.out" "$tmp/err" | head; fi
else
    not_ok "a host with functions of lode's internal names does not link liblode.a"; sed 's/^/#   /' "$tmp/cc" | head
fi
if cc -std=c11 -Wall -Wextra -Werror $san examples/embed/to_markdown.c $(pkg-config --cflags --libs lode) \
    -o "$tmp/to_markdown" 2> "$tmp/cc"; then
    ok "examples/embed/to_markdown.c builds with pkg-config --cflags --libs lode"
else
    not_ok "embedding example does not build"; sed 's/^/#   /' "$tmp/cc" | head; exit 1
fi
LD_LIBRARY_PATH="$tmp/usr/lib" "$tmp/to_markdown" examples/documents/putin-kim-wladiwostok.txt > "$tmp/md" 2> "$tmp/err"
if [ $? = 0 ] && head -n 1 "$tmp/md" | grep -q '^# Nordkoreas Machthaber trifft Kremlchef Putin$'; then
    ok "the embedding example converts the seed article through the shared library"
else
    not_ok "embedding example failed"; sed 's/^/#   /' "$tmp/err" | head
fi
LD_LIBRARY_PATH="$tmp/usr/lib" "$tmp/to_markdown" tests/bad/truncated.xml > /dev/null 2> "$tmp/err"
if [ $? = 1 ] && grep -q 'truncated.xml:4:' "$tmp/err"; then ok "the embedding example reports errors with position"
else not_ok "embedding example error path"; sed 's/^/#   /' "$tmp/err" | head; fi
if ldd "$tmp/to_markdown" | grep -q "$tmp/usr/lib/liblode.so.0" || LD_LIBRARY_PATH="$tmp/usr/lib" ldd "$tmp/to_markdown" | grep -q "$tmp/usr/lib/liblode.so.0"; then
    ok "the example links the shared library"; else not_ok "the example does not link liblode.so.0"; fi
# The hello world of docs/c-api.md: parse, run, records, report, free.
if cc -std=c11 -Wall -Wextra -Werror $san examples/embed/hello.c $(pkg-config --cflags --libs lode) \
    -o "$tmp/hello" 2> "$tmp/cc"; then
    LD_LIBRARY_PATH="$tmp/usr/lib" "$tmp/hello" > "$tmp/hello.out" 2> "$tmp/err"
    if [ $? = 0 ] && grep -q '^hello.html: {"text":"Hello, world!"}$' "$tmp/hello.out" \
        && grep -q '"sum": 4' "$tmp/hello.out"; then
        ok "examples/embed/hello.c: records through the callback and the report as JSON"
    else
        not_ok "hello.c output"; sed 's/^/#   /' "$tmp/hello.out" "$tmp/err" | head
    fi
    if [ "$SAN" != 1 ] && command -v valgrind >/dev/null 2>&1; then
        LD_LIBRARY_PATH="$tmp/usr/lib" valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite "$tmp/hello" > /dev/null 2> "$tmp/vg"
        if [ $? = 0 ]; then ok "hello.c under valgrind: no errors, no definite leaks"
        else not_ok "hello.c under valgrind"; sed 's/^/#   /' "$tmp/vg" | head -20; fi
    fi
else
    not_ok "examples/embed/hello.c does not build"; sed 's/^/#   /' "$tmp/cc" | head
fi
# The real host: copied outside the repository, built against the installed
# library only, run on JSON Lines with a sandboxed script and a host function.
mkdir -p "$tmp/host" && cp examples/host/lode-annotate.c examples/host/annotate.lua examples/host/articles.jsonl "$tmp/host/"
if cc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror $san "$tmp/host/lode-annotate.c" \
    $(pkg-config --cflags --libs lode) -o "$tmp/host/lode-annotate" 2> "$tmp/cc"; then
    ok "examples/host/lode-annotate.c builds outside the repository with pkg-config --cflags --libs lode"
    (cd "$tmp/host" && LD_LIBRARY_PATH="$tmp/usr/lib" ./lode-annotate annotate.lua < articles.jsonl > out 2> err)
    st=$?
    if [ $st = 1 ] && grep -q "^a1	line=3	person=Putin	role=Russian president$" "$tmp/host/out" \
        && grep -q "^a2	line=1	person=Trump	role=US president$" "$tmp/host/out" && grep -q "a3: empty document" "$tmp/host/err"; then
        ok "lode-annotate: records through the callback and the field iterator, host.lookup in the sandbox, a bad article reported"
    else
        not_ok "lode-annotate output (status $st)"; sed 's/^/#   /' "$tmp/host/out" "$tmp/host/err" | head
    fi
    if [ "$SAN" != 1 ] && command -v valgrind >/dev/null 2>&1; then
        (cd "$tmp/host" && LD_LIBRARY_PATH="$tmp/usr/lib" valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite ./lode-annotate annotate.lua < articles.jsonl > /dev/null 2> vg)
        if [ $? = 1 ]; then ok "lode-annotate under valgrind: no errors, no definite leaks"
        else not_ok "lode-annotate under valgrind"; sed 's/^/#   /' "$tmp/host/vg" | head -20; fi
    fi
else
    not_ok "lode-annotate does not build"; sed 's/^/#   /' "$tmp/cc" | head
fi
# The third-party plugin example: built out of tree against the installed
# lode.h (its own Makefile, pkg-config), loaded by path by the installed lode.
mkdir -p "$tmp/plugin"
cp examples/plugin/csv.c examples/plugin/Makefile examples/plugin/people.csv "$tmp/plugin/"
if make --no-print-directory -s -C "$tmp/plugin" CFLAGS="-O2 $san" > "$tmp/cc" 2>&1; then
    ok "examples/plugin builds out of tree against the installed lode.h"
    (cd "$tmp/plugin" && "$tmp/usr/bin/lode" convert --plugin ./csv.so people.csv -t markdown > out.md 2> err)
    if [ $? = 0 ] && grep -q '^| name | born | note |$' "$tmp/plugin/out.md" \
        && grep -q "^| Grace Hopper | 1906 | said \"it's easier to ask forgiveness\" |$" "$tmp/plugin/out.md"; then
        ok "the installed lode reads CSV through the example plugin"
    else
        not_ok "example plugin convert"; sed 's/^/#   /' "$tmp/plugin/out.md" "$tmp/plugin/err" | head
    fi
    printf 'a,"b\n' > "$tmp/plugin/bad.csv"
    (cd "$tmp/plugin" && "$tmp/usr/bin/lode" convert --plugin ./csv.so bad.csv -t html > /dev/null 2> err)
    if [ $? = 1 ] && grep -q 'bad.csv:1: a quoted field is not closed' "$tmp/plugin/err"; then
        ok "the example plugin's errors name file and line"
    else not_ok "example plugin error"; sed 's/^/#   /' "$tmp/plugin/err" | head; fi
else
    not_ok "examples/plugin does not build"; sed 's/^/#   /' "$tmp/cc" | head
fi
# Bundled plugins are installed and found by the installed lode.
for mk in plugins/*/plugin.mk; do
    [ -f "$mk" ] || continue
    name=$(basename "$(dirname "$mk")")
    if [ -f "$tmp/usr/lib/lode/plugins/$name.so" ] && "$tmp/usr/bin/lode" plugins 2>&1 | grep -q "^$name "; then
        ok "plugin $name installed and listed by the installed lode"
    else
        not_ok "plugin $name not installed or not found"; "$tmp/usr/bin/lode" plugins 2>&1 | sed 's/^/#   /' | head
    fi
done
make --no-print-directory -s uninstall PREFIX="$tmp/usr" > /dev/null 2>&1
left=$(find "$tmp/usr" -type f | head -3)
[ -z "$left" ] && ok "make uninstall removes every installed file" || not_ok "left after uninstall: $left"
