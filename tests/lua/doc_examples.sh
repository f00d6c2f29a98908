#!/bin/sh
# doc_examples.sh -- runs every example of docs/lua-api.md and compares its
# output.  Prints one TAP line per example, named by its line in the doc.
#
#   sh tests/lua/doc_examples.sh [DOC]          (from the project root)
#   LODE=build/san/lode sh tests/lua/doc_examples.sh
#
# An example is a fenced block ```lua or ```rules followed (blank lines
# allowed in between) by a fenced block ```output holding the exact standard
# output, and optionally by a fenced block ```stderr holding the exact
# standard error.
#
#   ```lua     a snippet, run in a rule script's begin phase: the file
#              example.lua is  "return { begin = function(ctx) " SNIPPET
#              "\nend }"  (the snippet starts on line 1, so error messages
#              show the snippet's own line numbers), run as
#              `lode run example.lua examples/documents/putin-kim-wladiwostok.txt`.
#              It must exit 0 (records cannot be emitted in begin; use print).
#   ```rules   a complete rule script, saved as rules.lua and run as
#              `lode run rules.lua INPUT...`.  Comment lines at its top set:
#                -- input: FILE...   the inputs (default: the seed article)
#                -- args: ARGS...    more arguments for `lode run`
#                -- exit: N          the expected exit status (default 0)
#
# Examples run in a scratch folder holding links to examples/ and tests/, so
# paths in messages read "rules.lua:3:" and "examples/documents/...".  A
# ```lua block without an ```output block is an error: every example runs.
LODE=${LODE:-build/lode}
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
DOC=${1:-docs/lua-api.md}
case $LODE in /*) ;; *) LODE="$ROOT/$LODE" ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-docex.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok()     { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); printf 'not ok %d - %s\n' "$n" "$*"; }
show()   { sed 's/^/#   /' "$@" | head -40; }

if [ ! -f "$DOC" ]; then not_ok "$DOC not found"; exit 1; fi
if [ ! -x "$LODE" ]; then not_ok "$LODE not found (run make first)"; exit 1; fi

mkdir -p "$tmp/ex" "$tmp/run"
ln -s "$ROOT/examples" "$tmp/run/examples"
ln -s "$ROOT/tests" "$tmp/run/tests"

# Split the doc into $tmp/ex/NNNN.{kind,code,out,err}; NNNN is the line of
# the opening fence.  A block without its output block gets kind "orphan".
awk -v dir="$tmp/ex" '
function flush_pending() {
    if (pending != "") { printf "orphan\n" > (dir "/" pending ".kind"); close(dir "/" pending ".kind") }
    pending = ""
}
{
    if (state == "code" || state == "out" || state == "err") {
        if ($0 == "```") {
            close(file)
            if (state == "code") { pending = id; state = "after" }
            else if (state == "out") { printf "%s\n", kind > (dir "/" id ".kind"); close(dir "/" id ".kind"); state = "afterout" }
            else { state = "" ; pending = "" }
            next
        }
        print > file
        next
    }
    if (state == "after" || state == "afterout") {
        if ($0 ~ /^[ \t]*$/) next
        if (state == "after" && $0 == "```output") {
            file = dir "/" id ".out"; printf "" > file; state = "out"; next
        }
        if (state == "afterout" && $0 == "```stderr") {
            file = dir "/" id ".err"; printf "" > file; state = "err"; next
        }
        if (state == "after") flush_pending()
        pending = ""
        state = ""
    }
    if ($0 == "```lua" || $0 == "```rules") {
        kind = substr($0, 4)
        id = sprintf("%05d", NR)
        file = dir "/" id ".code"; printf "" > file
        state = "code"
        next
    }
    if ($0 == "```output" || $0 == "```stderr") {
        printf "stray\n" > (dir "/" sprintf("%05d", NR) ".kind")
    }
}
END { if (state == "after") flush_pending() }' "$DOC"

for kindfile in "$tmp"/ex/*.kind; do
    [ -f "$kindfile" ] || { not_ok "$DOC has no examples"; break; }
    id=$(basename "$kindfile" .kind)
    line=$(echo "$id" | sed 's/^0*//')
    kind=$(cat "$kindfile")
    where="$DOC:$line"
    case $kind in
        orphan) not_ok "$where: a code block without an \`\`\`output block"; continue ;;
        stray)  not_ok "$where: an \`\`\`output or \`\`\`stderr block without a code block before it"; continue ;;
    esac
    code="$tmp/ex/$id.code"
    want_exit=0
    inputs=examples/documents/putin-kim-wladiwostok.txt
    args=
    if [ "$kind" = lua ]; then
        { printf 'return { begin = function(ctx) '; cat "$code"; printf '\nend }\n'; } > "$tmp/run/example.lua"
        script=example.lua
    else
        cp "$code" "$tmp/run/rules.lua"
        script=rules.lua
        v=$(sed -n '1,5s/^-- input: //p' "$code" | head -1); [ -n "$v" ] && inputs=$v
        v=$(sed -n '1,5s/^-- args: //p' "$code" | head -1); [ -n "$v" ] && args=$v
        v=$(sed -n '1,5s/^-- exit: //p' "$code" | head -1); [ -n "$v" ] && want_exit=$v
    fi
    # shellcheck disable=SC2086 # inputs and args are word lists
    (cd "$tmp/run" && "$LODE" run "$script" $inputs $args < /dev/null > ../stdout 2> ../stderr)
    rc=$?
    if grep -q 'Sanitizer\|runtime error:' "$tmp/stderr"; then
        not_ok "$where ($kind): sanitizer report"; show "$tmp/stderr"
    elif [ "$rc" != "$want_exit" ]; then
        not_ok "$where ($kind): exit status $rc, expected $want_exit"; show "$tmp/stderr"
    elif ! cmp -s "$tmp/stdout" "$tmp/ex/$id.out"; then
        not_ok "$where ($kind): output differs (- expected, + got)"
        diff "$tmp/ex/$id.out" "$tmp/stdout" | show
        [ -s "$tmp/stderr" ] && show "$tmp/stderr"
    elif [ -f "$tmp/ex/$id.err" ] && ! cmp -s "$tmp/stderr" "$tmp/ex/$id.err"; then
        not_ok "$where ($kind): standard error differs (- expected, + got)"
        diff "$tmp/ex/$id.err" "$tmp/stderr" | show
    else
        ok "$where ($kind)"
    fi
done
echo "# doc examples: $n, $failed failed"
[ "$failed" -eq 0 ]
