#!/bin/sh
# run.sh -- hostile scripts in the sandbox (lode run --sandbox).  Every one
# must be stopped with a clear message naming the script, the document and
# the limit, or find the escape hatch closed; the state must stay usable for
# the next document; nothing may crash or leak (sanitizer builds).  TAP.
LODE=${LODE:-build/lode}
DIR=tests/sandbox
DOC=examples/documents/sample-news-page.html
A=tests/lua/fixtures/a.html
B=tests/lua/fixtures/b.html
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-sandbox.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
LIMITS="--sandbox --max-steps 10000000 --timeout 3000 --max-memory 32"
# the selector bombs reach 10,000,000 steps in about 1 s; at -O0 with gcov
# counters (COV=1) that takes longer than the 3 s time limit
BOMB_LIMITS=$LIMITS
[ "$COV" = 1 ] && BOMB_LIMITS="--sandbox --max-steps 10000000 --timeout 30000 --max-memory 32"

# t SCRIPT STATUS FRAGMENT [INPUTS...]
t() {
    script=$1; want=$2; frag=$3; shift 3
    [ $# -eq 0 ] && set -- "$DOC"
    # shellcheck disable=SC2086
    timeout 60 "$LODE" run ${T_LIMITS:-$LIMITS} "$DIR/$script" "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" != "$want" ]; then
        not_ok "$script: exit $got, expected $want"; sed 's/^/#   /' "$tmp/err" | head -5
    elif ! grep -qF -- "$frag" "$tmp/err" "$tmp/out"; then
        not_ok "$script: output lacks '$frag'"; sed 's/^/#   /' "$tmp/err" | head -5
    elif grep -q 'Sanitizer\|runtime error:' "$tmp/err"; then
        not_ok "$script: sanitizer report"; sed 's/^/#   /' "$tmp/err" | head -20
    else
        ok "$script: $(head -n 1 "$tmp/err" "$tmp/out" 2>/dev/null | grep -v '^==>' | grep . | head -n 1)"
    fi
}

t loop.lua 1 "loop.lua: document $DOC: instruction limit of 10000000 reached"
t loop_pcall.lua 1 "instruction limit of 10000000 reached"
t membomb.lua 1 "memory limit of 32 MB reached"
t membomb_pcall.lua 1 "memory limit of 32 MB reached"
t timeout.lua 1 "time limit of 3000 ms reached"
t xpcall_handler.lua 1 "instruction limit of 10000000 reached"
t move.lua 1 "table.move: more than 16777216 elements in the sandbox"
t rep.lua 1 "string.rep: a result of"
t escape_io.lua 0 '{"open":""}'
t pattern_bomb.lua 1 "instruction limit of 10000000 reached"
t plain_find_bomb.lua 1 "instruction limit of 10000000 reached"
# selectors whose matching takes hundreds of millions of steps in C
python3 -c 'import sys
sys.stdout.write("<html><body>" + "<div>" * 200 + "<p>x</p>" * 20000 + "</div>" * 200 + "</body></html>")' \
    > "$tmp/deep.html"
T_LIMITS=$BOMB_LIMITS
t selector_bomb_matches.lua 1 "instruction limit of 10000000 reached" "$tmp/deep.html"
t selector_bomb_select.lua 1 "instruction limit of 10000000 reached" "$tmp/deep.html"
t selector_bomb_rule.lua 1 "instruction limit of 10000000 reached (matching the selector of rule ':has(p p) p')" \
    "$tmp/deep.html"
T_LIMITS=
t error_object.lua 1 "error object is a table value"
t selector_nul.lua 2 "selector_nul.lua: rule 'p': bad selector: a NUL byte inside it"
t ok.lua 0 '"upper":"ÄÖ"'
t first_loops.lua 1 '{"doc":"b.html"}' "$A" "$B"
if grep -q "instruction limit" "$tmp/err"; then ok "first_loops.lua: the first document hit the limit, the second still ran"
else not_ok "first_loops.lua: no limit reported for the first document"; fi
# Without --sandbox the same script may use io (the CLI's default is unsandboxed).
printf 'return { p = function() assert(io and os.getenv) end }\n' > "$tmp/full.lua"
if "$LODE" run "$tmp/full.lua" "$DOC" > /dev/null 2>&1; then ok "without --sandbox scripts have the full library"
else not_ok "without --sandbox the full library is missing"; fi
# A bad limit value is a usage error.
"$LODE" run --max-steps zero "$DIR/ok.lua" "$DOC" > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q "needs a positive whole number" "$tmp/err" && ok "bad --max-steps value is a usage error" \
    || not_ok "bad --max-steps value"
# os.exit never ends the process, with or without the sandbox.
printf 'return { begin = function() os.exit(7) end }\n' > "$tmp/exit.lua"
"$LODE" run "$tmp/exit.lua" "$DOC" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "os.exit: a rule script cannot end the process" "$tmp/err" && ok "os.exit raises an error (exit 1, not 7)" \
    || { not_ok "os.exit ended the process with status $rc"; sed 's/^/#   /' "$tmp/err" | head -3; }
# The budgeted pattern functions give exactly Lua's results and messages.
"$LODE" run --sandbox "$DIR/patterns.lua" "$DOC" > "$tmp/sb.jsonl" 2> "$tmp/err"
"$LODE" run "$DIR/patterns.lua" "$DOC" > "$tmp/full.jsonl" 2>> "$tmp/err"
if [ -s "$tmp/sb.jsonl" ] && cmp -s "$tmp/sb.jsonl" "$tmp/full.jsonl"; then
    ok "patterns.lua: find/match/gmatch/gsub in the sandbox equal Lua's ($(sed 's/.*"n":\([0-9]*\).*/\1/' "$tmp/sb.jsonl") values)"
else
    not_ok "patterns.lua: the sandbox's pattern functions differ from Lua's"; sed 's/^/#   /' "$tmp/err" | head -5
fi
