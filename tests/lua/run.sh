#!/bin/sh
# run.sh -- the Lua API tests, run through lode itself.  Prints TAP lines.
#
#   sh tests/lua/run.sh                 (from the project root; LODE=build/san/lode for ASan)
#
# Part 1: every tests/lua/test_*.lua is a rule script that prints TAP lines
# through tests/lua/harness.lua.  Its first comment lines say how to run it:
#   -- inputs: FILE...          the documents given to `lode run` (required)
#   -- records: FILE            the records (JSON lines on stdout) must equal FILE
#   -- stderr-has: TEXT         standard error must contain TEXT (one line each)
#   -- stdout-has: TEXT         standard output must contain the line TEXT
# Its check lines are renumbered and prefixed with the script's name; the
# script must exit 0, print "# harness done", and leave no sanitizer report.
#
# Part 2: the error paths and the CLI (run, query, check) as shell checks,
# with the helper scripts tests/lua/cli_*.lua.  CSV output is parsed back
# with python3's csv module (skipped with a note if python3 is missing).
LODE=${LODE:-build/lode}
cd "$(dirname "$0")/../.." || exit 2
case $LODE in /*) ;; *) LODE="$PWD/$LODE" ;; esac
SEED=examples/documents/putin-kim-wladiwostok.txt
FIX=tests/lua/fixtures
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-lua.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok()     { n=$((n + 1)); printf 'ok %d - %s\n' "$n" "$*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); printf 'not ok %d - %s\n' "$n" "$*"; }
show()   { sed 's/^/#   /' "$@" | head -"${LINES_SHOWN:-15}"; }
sanitizer_clean() { ! grep -q 'Sanitizer\|runtime error:' "$1"; }
PY=$(command -v python3 || true)

if [ ! -x "$LODE" ]; then
    echo "not ok 1 - $LODE not found (run make first)"
    exit 1
fi

# ---------------------------------------------------------------------------
# Part 1: the test scripts
# ---------------------------------------------------------------------------
for script in tests/lua/test_*.lua; do
    name=$(basename "$script" .lua)
    inputs=$(sed -n 's/^-- inputs: //p' "$script" | head -1)
    if [ -z "$inputs" ]; then not_ok "$name: no '-- inputs:' line"; continue; fi
    # -j 1: the harness keeps its counts in the script's globals, which are
    # per worker (docs/lua-api.md, "Workers")
    # shellcheck disable=SC2086 # inputs is a list of paths without spaces
    "$LODE" run -j 1 "$script" $inputs > "$tmp/out" 2> "$tmp/err"
    rc=$?
    awk -v start="$n" -v bad="$failed" -v name="$name" -v count="$tmp/count" '
        /^(not )?ok [0-9]+ - / {
            start++
            not = ($1 == "not")
            if (not) bad++
            sub(/^(not )?ok [0-9]+ - /, "")
            printf "%sok %d - %s: %s\n", not ? "not " : "", start, name, $0
            next
        }
        /^#/ { print }
        END { print start, bad > count }' "$tmp/out"
    read -r n failed < "$tmp/count"
    if ! grep -q '^# harness done' "$tmp/out"; then
        not_ok "$name: did not finish (exit status $rc)"; show "$tmp/err"
    elif [ $rc -ne 0 ]; then
        not_ok "$name: exit status $rc"; show "$tmp/err"
    fi
    if ! sanitizer_clean "$tmp/err"; then
        LINES_SHOWN=40 not_ok "$name: sanitizer report"; LINES_SHOWN=40 show "$tmp/err"
    fi
    records=$(sed -n 's/^-- records: //p' "$script" | head -1)
    if [ -n "$records" ]; then
        grep '^[[{]' "$tmp/out" > "$tmp/records"
        if cmp -s "$tmp/records" "$records"; then ok "$name: records equal $records"
        else not_ok "$name: records differ from $records"; diff "$records" "$tmp/records" | show; fi
    fi
    sed -n 's/^-- stderr-has: //p' "$script" > "$tmp/want"
    while IFS= read -r want; do
        if grep -qF -- "$want" "$tmp/err"; then ok "$name: stderr has: $want"
        else not_ok "$name: stderr lacks: $want"; show "$tmp/err"; fi
    done < "$tmp/want"
    sed -n 's/^-- stdout-has: //p' "$script" > "$tmp/want"
    while IFS= read -r want; do
        # compare without the check number
        if sed 's/^\(not \)\{0,1\}ok [0-9]* - /\1ok - /' "$tmp/out" | grep -qxF -- "$want"; then
            ok "$name: stdout has: $want"
        else
            not_ok "$name: stdout lacks: $want"
        fi
    done < "$tmp/want"
done

# ---------------------------------------------------------------------------
# Part 2: error paths and the commands
# ---------------------------------------------------------------------------

# r STATUS ARGS...: runs lode with ARGS (stdin from /dev/null); stdout in
# $tmp/out, stderr in $tmp/err; one check line for the exit status.
r() {
    want=$1; shift
    "$LODE" "$@" < /dev/null > "$tmp/out" 2> "$tmp/err"
    got=$?
    what=$(printf 'lode %s' "$*" | sed "s|$tmp|\$tmp|g")
    if ! sanitizer_clean "$tmp/err"; then
        LINES_SHOWN=40 not_ok "$what: sanitizer report"; LINES_SHOWN=40 show "$tmp/err"
    elif [ "$got" = "$want" ]; then
        ok "$what: exit $want"
    else
        not_ok "$what: exit $got, expected $want"; show "$tmp/err"
    fi
}
# contains FILE TEXT: FILE contains TEXT (a fixed string, may span lines)
contains() {
    WANT=$2 awk 'BEGIN { RS = "\001" } index($0, ENVIRON["WANT"]) { found = 1 } END { exit !found }' "$1"
}
# has / lacks FILE TEXT NAME: one check line
has() {
    if contains "$1" "$2"; then ok "$3"; else not_ok "$3"; show "$1"; fi
}
lacks() {
    if contains "$1" "$2"; then not_ok "$3"; show "$1"; else ok "$3"; fi
}
# same FILE EXPECTED NAME: FILE's content equals EXPECTED (a string; a final
# newline is added)
same() {
    printf '%s\n' "$2" > "$tmp/expected"
    if cmp -s "$1" "$tmp/expected"; then ok "$3"
    else not_ok "$3"; diff "$tmp/expected" "$1" | show; fi
}

empty() { # FILE NAME
    if [ -s "$1" ]; then not_ok "$2"; show "$1"; else ok "$2"; fi
}

# --- runtime error in a handler ----------------------------------------------
r 1 run tests/lua/cli_runtime_error.lua $FIX/nav.html $FIX/a.html
same "$tmp/out" '{"doc":"tests/lua/fixtures/a.html","id":"a1"}
{"doc":"tests/lua/fixtures/a.html","id":"a2"}' \
    "runtime error: the failed document's records are absent, the next document's are all there"
has "$tmp/err" "lode: tests/lua/fixtures/nav.html:12: rule 'p': tests/lua/cli_runtime_error.lua:8: boom p2
stack traceback:" "runtime error: document path, node line, rule, script file:line, message, traceback"
has "$tmp/err" "tests/lua/cli_runtime_error.lua:8: in function <tests/lua/cli_runtime_error.lua:6>" \
    "runtime error: the traceback names the handler"
has "$tmp/err" "tests/lua/cli_runtime_error.lua:8: in function <tests/lua/cli_runtime_error.lua:6>
lode: 1 of 2 documents failed:" \
    "runtime error: the traceback ends at the handler (no frame of lode's walk below it)"
has "$tmp/err" "lode: 1 of 2 documents failed:
  tests/lua/fixtures/nav.html:12: rule 'p': tests/lua/cli_runtime_error.lua:8: boom p2" \
    "runtime error: a one-line summary per failed document"

# A handler error past the rules the walk keeps on its stack (256): the
# message names that rule, and the next document runs.
cat > "$tmp/many_rules.lua" <<'EOF'
local rules = {}
for i = 1, 300 do rules[i] = { "p", function() end } end
rules[290] = { "#p2", function(n) error("boom in rule 290") end }
rules[300] = { "p", function(n, ctx) ctx:emit{ id = n:attr("id") } end }
return rules
EOF
r 1 run -j 1 "$tmp/many_rules.lua" $FIX/nav.html $FIX/a.html
has "$tmp/err" "rule '#p2': $tmp/many_rules.lua:3: boom in rule 290" \
    "runtime error in the 290th of 300 rules: the message names its rule"
same "$tmp/out" '{"id":"a1"}
{"id":"a2"}' "runtime error in the 290th of 300 rules: the next document's records are all there"

# --- syntax error: exit 2, nothing read ----------------------------------------
r 2 run tests/lua/cli_syntax_error.lua $FIX/a.html
same "$tmp/err" "lode: tests/lua/cli_syntax_error.lua:4: '}' expected (to close '{' at line 2) near 'begin'" \
    "syntax error: lode: FILE:LINE: message, and nothing else (no document processed)"
empty "$tmp/out" "syntax error: no output"
r 2 check tests/lua/cli_syntax_error.lua
has "$tmp/err" "tests/lua/cli_syntax_error.lua:4:" "check reports the syntax error with its line"

# --- bad selector in a rule: caret, exit 2 ---------------------------------------
r 2 run tests/lua/cli_bad_selector.lua $FIX/a.html
same "$tmp/err" "lode: tests/lua/cli_bad_selector.lua:4: rule 'div >': bad selector: dangling combinator '>' at column 5
  div >
      ^" "bad selector: script line, selector, caret under the offending character"
empty "$tmp/out" "bad selector: begin did not run, no output"
r 2 check tests/lua/cli_bad_selector.lua
has "$tmp/err" "rule 'div >': bad selector" "check reports the bad selector"

# --- errors in begin and finish ----------------------------------------------------
r 1 run tests/lua/cli_begin_error.lua $FIX/a.html
has "$tmp/err" "lode: begin: tests/lua/cli_begin_error.lua:3: ctx:emit() outside a document (in begin or finish)" \
    "ctx:emit in begin is an error naming the phase"
has "$tmp/err" "lode: begin() failed: no document was processed" "a failed begin stops the run"
r 1 run tests/lua/cli_begin_error.lua $FIX/a.html $FIX/b.html
lacks "$tmp/err" "b.html" "after a failed begin, no later document is read either"
r 1 run tests/lua/cli_finish_error.lua $FIX/a.html
has "$tmp/err" "lode: finish: tests/lua/cli_finish_error.lua:4: finish failed" "an error in finish names the phase"
same "$tmp/out" '{"id":"a1"}
{"id":"a2"}' "an error in finish keeps the documents' records"
lacks "$tmp/err" "1 of 1 document failed" \
    "an error in finish is not reported as a failed document (the document succeeded)"

# --- the walk's depth limit -----------------------------------------------------------
r 1 run tests/lua/cli_deep.lua $FIX/nav.html
has "$tmp/err" "tests/lua/fixtures/nav.html: elements nested deeper than 4096 levels" \
    "runaway nesting during the walk stops at the depth limit"

# --- --fail-fast / --keep-going ----------------------------------------------------------
r 1 run tests/lua/cli_fail.lua $FIX/a.html $FIX/b.html --fail-fast
has "$tmp/err" "lode: 1 of 2 documents failed (stopped: --fail-fast)" "--fail-fast stops after the first failure"
lacks "$tmp/err" "fails in tests/lua/fixtures/b.html" "--fail-fast: the second document was not run"
r 1 run tests/lua/cli_fail.lua $FIX/a.html $FIX/b.html
has "$tmp/err" "lode: 2 of 2 documents failed:" "--keep-going is the default"
has "$tmp/err" "fails in tests/lua/fixtures/b.html" "the second document ran"

# --- modules --------------------------------------------------------------------------------
r 0 run -M $FIX/mods tests/lua/cli_modules.lua $FIX/a.html
has "$tmp/out" "ok 1 - require through -M" "require finds the script's folder and -M folders"

# --- standard input -----------------------------------------------------------------------
printf 'return { ["p"] = function(p, ctx) ctx:emit{ doc = ctx.doc.path, text = p:text() } end }\n' > "$tmp/stdin.lua"
"$LODE" run "$tmp/stdin.lua" - < $FIX/b.html > "$tmp/out" 2> "$tmp/err"
same "$tmp/out" '{"doc":"<stdin>","text":"Beta one"}' "run reads - from standard input (doc.path <stdin>)"

# --- records to files: JSONL, CSV, TSV ------------------------------------------------------
r 0 run tests/lua/cli_records.lua $FIX/a.html
cp "$tmp/out" "$tmp/stdout.jsonl"
r 0 run tests/lua/cli_records.lua $FIX/a.html -o "$tmp/records.jsonl"
if cmp -s "$tmp/records.jsonl" "$tmp/stdout.jsonl"; then ok "-o FILE.jsonl holds what stdout shows"
else not_ok "-o FILE.jsonl differs from stdout"; fi
r 0 run tests/lua/cli_records.lua $FIX/a.html -o "$tmp/records.csv"
r 0 run tests/lua/cli_records.lua $FIX/a.html -o "$tmp/records.tsv"
if [ -n "$PY" ]; then
    "$PY" - "$tmp/stdout.jsonl" "$tmp/records.csv" "$tmp/records.tsv" > "$tmp/py" 2>&1 <<'EOF'
import csv, json, sys
jsonl, csv_path, tsv_path = sys.argv[1:4]
records = [json.loads(line) for line in open(jsonl, encoding="utf-8")]
columns = []
for r in records:
    for k in r:                      # lode writes each record's keys sorted
        if k not in columns:
            columns.append(k)

def cell(v):
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)

want = [[cell(r.get(c)) for c in columns] for r in records]

def check(name, ok, detail=""):
    print(("ok - " if ok else "not ok - ") + name)
    if detail and not ok:
        print("#   " + detail)

with open(csv_path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
check("CSV header is the union of keys in first-seen order", rows[0] == columns, repr(rows[0]))
check("CSV has one row per record", len(rows) - 1 == len(records), str(len(rows) - 1))
for i, (got, exp) in enumerate(zip(rows[1:], want)):
    check("CSV row %d reads back exactly" % (i + 1), got == exp, "got %r, expected %r" % (got, exp))
raw = open(csv_path, "rb").read()
check("CSV lines end with CRLF (RFC 4180)", raw.count(b"\r\n") >= len(records) + 1)

def tsv_unescape(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(s[i + 1], "\\" + s[i + 1]))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out)

lines = open(tsv_path, encoding="utf-8", newline="").read().split("\n")
check("TSV ends with a newline", lines[-1] == "")
rows = [[tsv_unescape(c) for c in line.split("\t")] for line in lines[:-1]]
check("TSV header", rows[0] == columns, repr(rows[0]))
check("TSV has one line per record (newlines and tabs escaped)", len(rows) - 1 == len(records), str(len(rows) - 1))
for i, (got, exp) in enumerate(zip(rows[1:], want)):
    check("TSV row %d reads back exactly" % (i + 1), got == exp, "got %r, expected %r" % (got, exp))
EOF
    # fold the python checks into our numbering
    while IFS= read -r line; do
        case $line in
            "ok - "*) ok "${line#ok - }" ;;
            "not ok - "*) not_ok "${line#not ok - }" ;;
            "#"*) printf '%s\n' "$line" ;;
            *) not_ok "python3 check: $line" ;;
        esac
    done < "$tmp/py"
else
    echo "# python3 not found: CSV/TSV read-back checks skipped"
fi
r 0 run tests/lua/cli_records.lua $FIX/a.html -o "$tmp/floats.csv"
if grep -q ',0\.1,' "$tmp/floats.csv"; then ok "a float is written the same in CSV as in JSONL (0.1)"
else not_ok "a float is written the same in CSV as in JSONL (0.1)"; grep 'a2' "$tmp/floats.csv" | show; fi
r 0 run tests/lua/cli_records_nul.lua $FIX/a.html -o "$tmp/nul.csv"
if [ -f "$tmp/nul.csv" ] && grep -q 'nul' "$tmp/nul.csv"; then ok "a record with U+0000 in a string reaches the CSV file"
else not_ok "a record with U+0000 in a string reaches the CSV file"; show "$tmp/err"; fi
r 0 run tests/lua/cli_records_nul.lua $FIX/a.html -o "$tmp/nul.tsv"
r 3 run tests/lua/cli_records.lua $FIX/a.html -o /nonexistent/dir/out.csv
has "$tmp/err" "/nonexistent/dir/out.csv" "an -o file that cannot be created names the path"

# --- --write DIR -t FORMAT ------------------------------------------------------------------------
mkdir -p "$tmp/in/deep/er"
cp $FIX/a.html "$tmp/in/a.html"
cp $FIX/b.html "$tmp/in/deep/b.html"
cp "$SEED" "$tmp/in/deep/er/seed.txt"
printf '<html><body><p id="fail">x</p></body></html>\n' > "$tmp/in/deep/fails.html"
r 1 run tests/lua/cli_write.lua "$tmp/in" --write "$tmp/w" -t html
(cd "$tmp/w" && find . -type f | sort) > "$tmp/files"
same "$tmp/files" "./a.html
./deep/b.html
./deep/er/seed.html" "--write mirrors the input folder; a failed document is not written"
if grep -q 'data-seen="yes"' "$tmp/w/deep/b.html" && [ "$(grep -o 'data-seen="yes"' "$tmp/w/deep/er/seed.html" | wc -l)" -eq 19 ]; then
    ok "--write writes the documents after the rules ran"
else not_ok "--write output lacks the rules' edits"; fi
r 0 run tests/lua/cli_write.lua $FIX/a.html "$tmp/in/deep/b.html" --write "$tmp/w2" -t markdown
(cd "$tmp/w2" && find . -type f | sort) > "$tmp/files"
same "$tmp/files" "./a.md
./b.md" "--write with file arguments: DIR/name, extension of the format"
r 0 run tests/lua/cli_write.lua $FIX/a.html --write "$tmp/w3"
if grep -q '<p id="a1" data-seen="yes">' "$tmp/w3/a.html"; then ok "--write without -t keeps the input format"
else not_ok "--write without -t keeps the input format"; show "$tmp/w3/a.html"; fi
r 2 run tests/lua/cli_write.lua $FIX/a.html -t html
has "$tmp/err" "-t/--to goes with --write DIR" "-t without --write is a usage error"

# --- --profile ---------------------------------------------------------------------------------------
r 0 run tests/lua/cli_records.lua $FIX/a.html $FIX/b.html --profile
has "$tmp/err" "lode: profile (" "--profile prints a profile on stderr"
if grep -q '^  #    rule  *calls  *total ms  *mean us  *share$' "$tmp/err"; then ok "--profile header"
else not_ok "--profile header"; show "$tmp/err"; fi
if grep -q '^  1    #a1  *1  *[0-9.]*  *[0-9.]*  *[0-9.]*%$' "$tmp/err" &&
   grep -q '^  2    #a2  *1  *[0-9.]*  *[0-9.]*  *[0-9.]*%$' "$tmp/err"; then
    ok "--profile: one row per rule with its calls, total, mean and share"
else not_ok "--profile rows"; show "$tmp/err"; fi

# --- lode query -------------------------------------------------------------------------------------------
r 0 query p "$SEED" --count
same "$tmp/out" "19" "query p --count on the seed article: 19 paragraph blocks"
r 0 query h1 "$SEED" --text
same "$tmp/out" "Nordkoreas Machthaber trifft Kremlchef Putin" "query h1 --text prints the headline"
r 0 query p "$SEED" --text
if [ "$(wc -l < "$tmp/out")" -eq 19 ] && head -1 "$tmp/out" | grep -q '^WLADIWOSTOK - Russlands Präsident'; then
    ok "query p --text: one normalised line per match"
else not_ok "query p --text"; show "$tmp/out"; fi
r 0 query --xpath 'count(//p)' "$SEED"
same "$tmp/out" "19" "query --xpath 'count(//p)'"
r 0 query --xpath 'string(//h1)' "$SEED"
same "$tmp/out" "Nordkoreas Machthaber trifft Kremlchef Putin" "query --xpath string result"
r 0 query --xpath 'count(//p) > 3' "$SEED"
same "$tmp/out" "true" "query --xpath boolean result"
r 0 query 'meta[name]' "$SEED" --attr content
same "$tmp/out" "2019-04" "query --attr prints the attribute"
r 0 query 'li' $FIX/nav.html --attr class
same "$tmp/out" "x" "query --attr skips matches without the attribute"
r 0 query 'p' "$SEED" $FIX/nav.html --count
same "$tmp/out" "$SEED:19
tests/lua/fixtures/nav.html:3" "query --count with several files prints FILE:COUNT"
r 0 query --xpath 'count(//p)' "$SEED" $FIX/nav.html
same "$tmp/out" "$SEED:19
tests/lua/fixtures/nav.html:3" "query --xpath number with several files prints FILE:VALUE"
r 0 query 'b, li.x' $FIX/nav.html
same "$tmp/out" '<b>bold</b>
<li class="x">two</li>' "query prints each match as HTML, in document order"
r 0 query --xpath '//@xlink:href' $FIX/tei.xml
same "$tmp/out" "http://example.org/a" "query --xpath: prefixes declared on the root are known"
r 0 query 'p[n]' $FIX/tei.xml --count
same "$tmp/out" "3" "query on XML"
r 0 query 'li' $FIX/nav.html --json
if [ -n "$PY" ]; then
    if "$PY" - "$tmp/out" <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(rows) == 3, rows
assert rows[1] == {"file": "tests/lua/fixtures/nav.html", "line": 14, "name": "li", "attrs": {"class": "x"}, "text": "two"}, rows[1]
assert "attrs" not in rows[0] and rows[0]["text"] == "one", rows[0]
EOF
    then ok "query --json: one object per match (file, line, name, attrs, text)"
    else not_ok "query --json"; show "$tmp/out"; fi
fi
r 2 query 'p >' "$SEED"
has "$tmp/err" "bad selector: dangling combinator '>' at column 3
  p >
    ^" "query: a bad selector is a usage error with a caret"
r 2 query p "$SEED" --text --count
has "$tmp/err" "choose one of --text, --attr, --count, --json" "query: two output modes are a usage error"
r 2 query --xpath '//[' "$SEED"
has "$tmp/err" "bad XPath expression '//['" "query: a bad XPath expression is a usage error"

# --- lode check ----------------------------------------------------------------------------------------------
r 0 check tests/lua/cli_check.lua
same "$tmp/out" "tests/lua/cli_check.lua: 5 rules; phases: finish
   1  div > p                                  line 8     enter+leave
   2  ul                                       line 9     enter
   3  #main                                               enter
   4  p.lead                                   line 5     enter
   5  li:nth-child(2n+1)                       line 6     leave" \
    "check lists the rules in run order: array part, then keyed by line (a C function first)"
r 0 check --explain tests/lua/cli_check.lua
has "$tmp/out" '   1  div > p                                  line 8     enter+leave
        alternative 1 of 1, key tag "p": div > p
          div
          child p' "check --explain prints each selector's compiled form"
has "$tmp/out" '        alternative 1 of 1, key class "lead": p.lead' "check --explain names the key"
r 0 check tests/lua/cli_runtime_error.lua
same "$tmp/out" "tests/lua/cli_runtime_error.lua: 1 rule
   1  p                                        line 6     enter" "check does not run the script's handlers"

echo "# lua: $n checks, $failed failed"
[ "$failed" -eq 0 ]
