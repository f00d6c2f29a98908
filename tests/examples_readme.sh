#!/bin/sh
# examples_readme.sh -- runs every command of examples/README.md and compares
# its standard output with the output shown there.  Prints TAP lines.
#
#   sh tests/examples_readme.sh [README]          (from anywhere)
#   LODE=build/san/lode sh tests/examples_readme.sh
#
# The README's convention:
#
#   - A fenced block ```sh holds commands, run from the project root by
#     `sh -e` (one shell per block, blocks in order, so a later block may read
#     what an earlier one wrote).  It must exit 0.
#   - The next fenced block (blank lines allowed in between) must be
#     ```output: the exact standard output of the whole block.  An empty
#     output block means "prints nothing".  Standard error is not compared.
#   - If the output block's last line is a lone "…", it shows only the first
#     lines of the output: the lines above the "…" must be exactly the first
#     lines of the output, and the output must have more lines than that.
#   - Commands write files only under /tmp/lode-examples.  Here that path is
#     replaced by a fresh folder (mktemp -d) in the commands, and replaced
#     back in their output, so the test leaves nothing behind.
#   - `build/lode` followed by a space (or at the end of a line) is replaced
#     by $LODE (default build/lode).
#
# Besides the blocks, every examples/rules/*.lua and examples/bench/*.lua must
# pass `lode check`.
LODE=${LODE:-build/lode}
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
DOC=${1:-examples/README.md}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-exreadme.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok()     { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); printf 'not ok %d - %s\n' "$n" "$*"; }
show()   { sed 's/^/#   /' "$@" | head -40; }

if [ ! -f "$DOC" ]; then not_ok "$DOC not found"; exit 1; fi
if [ ! -x "$LODE" ]; then not_ok "$LODE not found (run make first)"; exit 1; fi

for script in examples/rules/*.lua examples/bench/*.lua; do
    if "$LODE" check "$script" > "$tmp/check.out" 2>&1; then
        ok "lode check $script"
    else
        not_ok "lode check $script"; show "$tmp/check.out"
    fi
done

# Split the README into $tmp/ex/NNNNN.{kind,sh,out}; NNNNN is the line of the
# opening ```sh fence.  kind: "ok", "orphan" (no output block follows) or
# "stray" (an output block without a sh block before it).
mkdir -p "$tmp/ex" "$tmp/files"
awk -v dir="$tmp/ex" '
function kind(id, k) { printf "%s\n", k > (dir "/" id ".kind"); close(dir "/" id ".kind") }
{
    if (state == "sh" || state == "out") {
        if ($0 == "```") {
            close(file)
            if (state == "sh") state = "after"
            else { kind(id, "ok"); state = "" }
            next
        }
        print > file
        next
    }
    if (state == "after") {
        if ($0 ~ /^[ \t]*$/) next
        if ($0 == "```output") { file = dir "/" id ".out"; printf "" > file; state = "out"; next }
        kind(id, "orphan")
        state = ""
    }
    if ($0 == "```sh") {
        id = sprintf("%05d", NR)
        file = dir "/" id ".sh"; printf "" > file
        state = "sh"
        next
    }
    if ($0 == "```output") kind(sprintf("%05d", NR), "stray")
}
END { if (state == "after") kind(id, "orphan") }' "$DOC"

blocks=0
for kindfile in "$tmp"/ex/*.kind; do
    [ -f "$kindfile" ] || break
    id=$(basename "$kindfile" .kind)
    line=$(echo "$id" | sed 's/^0*//')
    where="$DOC:$line"
    case $(cat "$kindfile") in
        orphan) not_ok "$where: a \`\`\`sh block without an \`\`\`output block"; continue ;;
        stray)  not_ok "$where: an \`\`\`output block without a \`\`\`sh block before it"; continue ;;
    esac
    blocks=$((blocks + 1))
    title=$(grep -v '^[[:space:]]*\(#\|$\)' "$tmp/ex/$id.sh" | head -1)
    sed -e "s#/tmp/lode-examples#$tmp/files#g" \
        -e "s#build/lode\( \|\$\)#$LODE\1#g" "$tmp/ex/$id.sh" > "$tmp/cmd.sh"
    (cd "$ROOT" && sh -e "$tmp/cmd.sh" < /dev/null > "$tmp/stdout.raw" 2> "$tmp/stderr")
    rc=$?
    sed "s#$tmp/files#/tmp/lode-examples#g" "$tmp/stdout.raw" > "$tmp/stdout"
    want="$tmp/ex/$id.out"
    if [ "$(tail -n 1 "$want")" = "…" ]; then
        keep=$(($(wc -l < "$want") - 1))
        head -n "$keep" "$want" > "$tmp/want"
        head -n "$keep" "$tmp/stdout" > "$tmp/got"
        partial=" (first $keep lines)"
        [ "$(wc -l < "$tmp/stdout")" -gt "$keep" ] || partial=" (output has no more than $keep lines, but the block ends in …)"
    else
        cp "$want" "$tmp/want"
        cp "$tmp/stdout" "$tmp/got"
        partial=
    fi
    if grep -q 'Sanitizer\|runtime error:' "$tmp/stderr"; then
        not_ok "$where: $title: sanitizer report"; show "$tmp/stderr"
    elif [ $rc -ne 0 ]; then
        not_ok "$where: $title: exit status $rc"; show "$tmp/stderr"
    elif ! cmp -s "$tmp/want" "$tmp/got"; then
        not_ok "$where: $title: output differs (< README, > actual)"
        diff "$tmp/want" "$tmp/got" | show
    elif [ -n "$partial" ] && [ "${partial#*but}" != "$partial" ]; then
        not_ok "$where: $title:$partial"
    else
        ok "$where: $title$partial"
    fi
done
[ "$blocks" -gt 0 ] || not_ok "$DOC has no \`\`\`sh blocks with output"
[ "$failed" -eq 0 ]
