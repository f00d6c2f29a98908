#!/bin/sh
# run.sh -- tests of the sqlite plugin's record sink, checked by querying
# the databases with the sqlite3 command.  Prints TAP lines.
#
# Through the public API (tests/tools/sink_drive: lode_plugin_load and
# lode_sink_open/write/close) and through `lode run -o x.sqlite`.
# Environment (set by tests/run.sh): BUILD, LODE, CORPUS; run from the
# project root.  KEEP=1 keeps the scratch folder.
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
CORPUS=${CORPUS:-../shared/corpus}
PLUGIN=$BUILD/plugins/sqlite.so
DRIVE=$BUILD/tests/sink_drive
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-sqlite.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }
# is NAME GOT WANT
is() {
    if [ "$2" = "$3" ]; then ok "$1"; else
        not_ok "$1"; printf '%s\n' "#   got:  $2" "#   want: $3" | head -20
    fi
}
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
san()   { ! grep -q 'Sanitizer\|runtime error:' "$@"; }
q()     { sqlite3 -batch -noheader "$@" 2>&1; } # q DB SQL
# drive DB LABEL [commit|rollback] < records: the sink through the API
drive() { "$DRIVE" "$PLUGIN" "$@" 2>> "$tmp/err"; }
leftovers() { ls "$tmp" | grep -c '\.lode-'; } # temporary databases left

if ! command -v sqlite3 >/dev/null 2>&1 || [ ! -f "$PLUGIN" ] || [ ! -x "$DRIVE" ]; then
    echo "not ok 1 - sqlite3, $PLUGIN and $DRIVE are needed"; exit 1
fi
: > "$tmp/err"
: > "$tmp/empty.jsonl"

# --- types -------------------------------------------------------------------
db=$tmp/types.sqlite
cat > "$tmp/types.jsonl" <<'EOF'
{"b":true,"big":123456789012345678901,"f":false,"i":42,"min":-9223372036854775808,"n":null,"nested":{"k":[1,{"x":"y"}]},"r":1.5,"s":"text","arr":[1,"two",null],"e":2.5e-3}
{"b":false,"i":-7,"r":2,"s":"line\nbreak \"quoted\" \u00fc\u201e","arr":[],"n":null}
EOF
drive "$db" typed < "$tmp/types.jsonl"
is "types: exit status and one table named after the label" "$?:$(q "$db" "SELECT name FROM sqlite_master")" "0:typed"
is "types: declared from the first value (bool INTEGER, big REAL, nested JSON)" \
    "$(q "$db" "SELECT group_concat(name || ' ' || type, ', ') FROM (SELECT * FROM pragma_table_info('typed') ORDER BY name)")" \
    "arr JSON, b INTEGER, big REAL, e REAL, f INTEGER, i INTEGER, min INTEGER, nested JSON, r REAL, s TEXT"
is "types: values with their own storage class" \
    "$(q "$db" "SELECT typeof(b), b, typeof(f), f, typeof(i), i, typeof(min), min, typeof(r), r, typeof(s), typeof(big), typeof(e), e FROM typed WHERE rowid = 1")" \
    "integer|1|integer|0|integer|42|integer|-9223372036854775808|real|1.5|text|real|real|0.0025"
is "types: nested arrays and objects as their JSON text, queryable with json_extract" \
    "$(q "$db" "SELECT nested, json_extract(nested, '\$.k[1].x'), arr FROM typed WHERE rowid = 1")" \
    '{"k":[1,{"x":"y"}]}|y|[1,"two",null]'
is "types: a column whose values are all null is not created" \
    "$(q "$db" "SELECT count(*) FROM pragma_table_info('typed') WHERE name = 'n'")" "0"
is "types: string escapes decoded (newline, quote, \\u00fc, U+201E)" \
    "$(q "$db" "SELECT s = 'line' || char(10) || 'break \"quoted\" ' || char(252, 8222), r, typeof(r), length(arr) FROM typed WHERE rowid = 2")" \
    "1|2.0|real|2"
is "types: the database is in WAL mode, and no temporary files are left" \
    "$(q "$db" "PRAGMA journal_mode"):$(leftovers)" "wal:0"

# --- _table --------------------------------------------------------------------
db=$tmp/tables.sqlite
printf '%s\n' '{"a":1,"_table":"people"}' '{"a":2}' '{"_table":"people","b":"x"}' \
    '{"_table":"","a":3}' '{"_table":"sqlite_master","a":4}' '{"_table":"Order \"x\"; DROP TABLE t","a":5}' \
    '{"_table":"PEOPLE","a":6}' | drive "$db" script
is "_table: routes records, the label is the default, '' means the label" \
    "$(q "$db" "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")" \
    "Order \"x\"; DROP TABLE t,_sqlite_master,people,script"
is "_table: not stored as a column; names compare without ASCII case (PEOPLE is people)" \
    "$(q "$db" "SELECT group_concat(name) FROM pragma_table_info('people')"):$(q "$db" "SELECT group_concat(coalesce(a, 'null') || '/' || coalesce(b, 'null'), ' ') FROM people")" \
    "a,b:1/null null/x 6/null"
is "_table: a hostile name is one quoted identifier" \
    "$(q "$db" "SELECT a FROM \"Order \"\"x\"\"; DROP TABLE t\""):$(q "$db" "SELECT group_concat(a) FROM script")" "5:2,3"
printf '%s\n' '{"a":1}' '{"_table":5,"a":2}' | drive "$tmp/badtable.sqlite" x
check "_table that is not a string fails the record, and no database is left" \
    "[ \$? -ne 0 ] && [ ! -e '$tmp/badtable.sqlite' ] && [ \$(leftovers) = 0 ] && grep -q '_table must be a string' '$tmp/err'"

# --- columns as keys appear ----------------------------------------------------------
db=$tmp/cols.sqlite
printf '%s\n' '{"a":1}' '{"a":2,"b":"x"}' '{"c":null,"a":3}' '{"c":[1],"a":4}' '{}' | drive "$db" t
is "columns: added as keys appear (null first: made at the first value)" \
    "$(q "$db" "SELECT group_concat(name || ':' || type) FROM pragma_table_info('t')")" "a:INTEGER,b:TEXT,c:JSON"
is "columns: every record a row, in order (an empty record too)" \
    "$(q "$db" "SELECT group_concat(coalesce(a, '-') || coalesce(b, '-') || coalesce(c, '-'), ' ') FROM t")" \
    "1-- 2x- 3-- 4-[1] ---"
printf '%s\n' '{}' | drive "$tmp/empty1.sqlite" t
is "columns: a table first made by an empty record gets a column \"_\"" \
    "$(q "$tmp/empty1.sqlite" "SELECT group_concat(name) FROM pragma_table_info('t')"):$(q "$tmp/empty1.sqlite" "SELECT count(*) FROM t")" "_:1"

# --- appending -----------------------------------------------------------------
db=$tmp/cols.sqlite
printf '%s\n' '{"a":5,"d":1.5}' '{"_table":"new","z":"q"}' '{"A":6,"B":"y"}' | drive "$db" t
is "append: new columns added to the existing table, rows after the old ones" \
    "$(q "$db" "SELECT group_concat(name || ':' || type) FROM pragma_table_info('t')"):$(q "$db" "SELECT group_concat(coalesce(a, '-') || coalesce(b, '-') || coalesce(d, '-'), ' ') FROM t")" \
    "a:INTEGER,b:TEXT,c:JSON,d:REAL:1-- 2x- 3-- 4-- --- 5-1.5 6y-"
is "append: a new table is created; no temporary files are left" \
    "$(q "$db" "SELECT z FROM new"):$(leftovers)" "q:0"
q "$tmp/theirs.db" "CREATE TABLE people(Name TEXT NOT NULL, age INTEGER); INSERT INTO people VALUES ('ann', 30)" >/dev/null
printf '%s\n' '{"_table":"people","name":"bob","age":41,"city":"Bonn"}' | drive "$tmp/theirs.db" t
is "append: to a table made elsewhere (its columns read, matched without case)" \
    "$(q "$tmp/theirs.db" "SELECT group_concat(Name || age || coalesce(city, '-'), ' ') FROM people")" "ann30- bob41Bonn"
cp "$tmp/theirs.db" "$tmp/theirs.before"
printf '%s\n' '{"_table":"people","age":1}' | drive "$tmp/theirs.db" t
check "append: a failing append (NOT NULL) fails the run and leaves the database as it was" \
    "[ \$? -ne 0 ] && cmp -s '$tmp/theirs.db' '$tmp/theirs.before' && [ \$(leftovers) = 0 ] && grep -q 'NOT NULL' '$tmp/err'"
echo "not a database" > "$tmp/text.db"
echo '{"a":1}' | drive "$tmp/text.db" t
check "append: a file that is not a database fails at open and is left alone" \
    "[ \$? -ne 0 ] && [ \"\$(cat '$tmp/text.db')\" = 'not a database' ] && [ \$(leftovers) = 0 ]"

# --- hostile keys --------------------------------------------------------------
db=$tmp/keys.sqlite
long=$(printf 'k%.0s' $(seq 1 400))
printf '{"":1,"a\\"b":2,"it'"'"'s":3,"with space":4,"select":5,"from":6,"%sX":7,"%sY":8,"nul\\u0000key":9,"K":10,"k":11,"\\u00fcber":12,"rowid":13}\n' "$long" "$long" \
    | drive "$db" keys
cols=$(q "$db" "SELECT count(*), max(length(CAST(name AS BLOB))) FROM pragma_table_info('keys')")
is "keys: each key its column (K and k share one), long names cut to 255 bytes and kept apart" "$cols" "12|255"
is "keys: quotes, spaces, SQL keywords, the empty key, NUL, non-ASCII and rowid as column names" \
    "$(q "$db" "SELECT \"\", \"a\"\"b\", \"it's\", \"with space\", \"select\", \"from\", \"nul_key\", \"über\", \"rowid\" FROM keys")" \
    "1|2|3|4|5|6|9|12|13"
is "keys: the two long keys are two columns with their values" \
    "$(q "$db" "SELECT group_concat(name LIKE 'kkk%~________', ',') FROM pragma_table_info('keys') WHERE length(name) = 255")" "1,1"
check "keys: K and k name one column: the first is stored, a warning names both" \
    "[ \"\$(q '$db' 'SELECT k FROM keys')\" = 10 ] && grep -q \"keys 'K' and 'k' name the same column\" '$tmp/err'"

# --- commit and rollback -------------------------------------------------------------
printf '%s\n' '{"a":1}' '{"a":2}' > "$tmp/two.jsonl"
drive "$tmp/rb.sqlite" t rollback < "$tmp/two.jsonl"
check "rollback: a new database is not created, nothing is left beside it" \
    "[ \$? -eq 0 ] && [ ! -e '$tmp/rb.sqlite' ] && [ \$(leftovers) = 0 ]"
drive "$tmp/rb.sqlite" t < "$tmp/two.jsonl"
cp "$tmp/rb.sqlite" "$tmp/rb.before"
drive "$tmp/rb.sqlite" t rollback < "$tmp/types.jsonl"
check "rollback: an existing database is left byte for byte as it was" \
    "cmp -s '$tmp/rb.sqlite' '$tmp/rb.before' && [ \$(leftovers) = 0 ] && [ \"\$(q '$tmp/rb.sqlite' 'SELECT count(*) FROM t')\" = 2 ]"
drive "$tmp/none.sqlite" t < "$tmp/empty.jsonl"
is "commit: a run without records gives an empty database" \
    "$?:$(q "$tmp/none.sqlite" "SELECT count(*) FROM sqlite_master")" "0:0"
seq 1 25000 | sed 's/.*/{"i":&}/' > "$tmp/many.jsonl"
drive "$tmp/many.sqlite" t < "$tmp/many.jsonl"
is "commit: 25,000 records over several batches, in order" \
    "$(q "$tmp/many.sqlite" "SELECT count(*), sum(i = rowid) FROM t")" "25000|25000"
# a killed run: the target is never half written (the temporary file stays)
mkfifo "$tmp/fifo"
"$DRIVE" "$PLUGIN" "$tmp/killed.sqlite" t < "$tmp/fifo" 2>> "$tmp/err" &
pid=$!
{ cat "$tmp/many.jsonl"; sleep 30; } > "$tmp/fifo" &
feeder=$!
sleep 1
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
check "killed: a run killed with SIGKILL leaves no target (only its temporary file)" \
    "[ ! -e '$tmp/killed.sqlite' ] && [ \$(leftovers) -ge 1 ]"
rm -f "$tmp"/killed.sqlite.lode-*

# --- concurrency -----------------------------------------------------------------
seq 1 20000 | sed 's/.*/{"i":&,"who":"one"}/' > "$tmp/one.jsonl"
seq 1 20000 | sed 's/.*/{"i":&,"who":"two","extra":true}/' > "$tmp/two.jsonl"
for target in fresh.sqlite shared.sqlite; do
    [ "$target" = shared.sqlite ] && drive "$tmp/$target" t < "$tmp/empty.jsonl"  # exists before
    drive "$tmp/$target" t < "$tmp/one.jsonl" & p1=$!
    drive "$tmp/$target" t < "$tmp/two.jsonl" & p2=$!
    wait $p1; s1=$?
    wait $p2; s2=$?
    is "concurrent: two processes into one $target: both succeed, every row once, in run order, intact" \
        "$s1$s2:$(q "$tmp/$target" "SELECT count(*), count(DISTINCT who || i), count(extra) FROM t"):$(q "$tmp/$target" "PRAGMA integrity_check")" \
        "00:40000|40000|20000:ok"
done
check "concurrent: no temporary files left" "[ \$(leftovers) = 0 ]"

# --- records that are not objects ----------------------------------------------------------
printf '%s\n' '{"a":1}' '[1,2]' | drive "$tmp/notobj.sqlite" t
check "a record that is not a JSON object is an error; nothing is left" \
    "[ \$? -ne 0 ] && [ ! -e '$tmp/notobj.sqlite' ] && [ \$(leftovers) = 0 ]"

# --- lode run -o x.sqlite ------------------------------------------------------------
if [ -x "$LODE" ]; then
    "$LODE" plugins > "$tmp/plugins.out" 2>> "$tmp/err"
    check "lode plugins: lists the sink and its extensions" \
        "grep -q 'sink sqlite (.sqlite .sqlite3 .db)' '$tmp/plugins.out'"
    IN=$CORPUS/news-de
    [ -d "$IN" ] || IN=examples/documents
    "$LODE" run scripts/news-quotes.lua "$IN" -o "$tmp/quotes.sqlite" -j 2 2>> "$tmp/err"
    s1=$?
    "$LODE" run scripts/news-quotes.lua "$IN" -o "$tmp/quotes.jsonl" -j 2 2>> "$tmp/err"
    s2=$?
    lines=$(wc -l < "$tmp/quotes.jsonl" | tr -d ' ')
    is "lode run news-quotes -o quotes.sqlite -j 2: a table news-quotes with as many rows as JSON Lines records" \
        "$s1$s2:$(q "$tmp/quotes.sqlite" "SELECT count(*) FROM \"news-quotes\"")" "00:$lines"
    check "lode run: there are records to compare ($lines)" "[ '$lines' -gt 0 ]"
    # the JSON Lines records, one a row, beside the sink's rows in the same order
    tr '\n' '\036' < "$tmp/quotes.jsonl" > "$tmp/quotes.ascii"
    sqlite3 "$tmp/jsonl.db" "CREATE TABLE j(line)" ".mode ascii" ".import '$tmp/quotes.ascii' j" 2>> "$tmp/err"
    is "lode run: every row equals its JSON Lines record, field by field, in order" \
        "$(q "$tmp/quotes.sqlite" "ATTACH '$tmp/jsonl.db' AS x; SELECT count(*) FROM x.j JOIN \"news-quotes\" q ON q.rowid = j.rowid
            WHERE json_extract(j.line, '\$.doc') IS q.doc AND json_extract(j.line, '\$.line') IS q.line
              AND json_extract(j.line, '\$.n') IS q.n AND json_extract(j.line, '\$.quote') IS q.quote
              AND json_extract(j.line, '\$.mark') IS q.mark AND json_extract(j.line, '\$.kind') IS q.kind
              AND json_extract(j.line, '\$.speaker') IS q.speaker AND json_extract(j.line, '\$.cue') IS q.cue")" "$lines"
    "$LODE" run scripts/news-quotes.lua "$IN" --sink sqlite -o "$tmp/quotes-j1.out" -j 1 2>> "$tmp/err"
    s3=$?
    dump() { q "$1" "SELECT quote(doc), n, quote(quote), quote(speaker) FROM \"news-quotes\" ORDER BY rowid" | md5sum; }
    is "lode run --sink sqlite -j 1: the same rows in the same order as -j 2" \
        "$s3:$(dump "$tmp/quotes-j1.out")" "0:$(dump "$tmp/quotes.sqlite")"
    "$LODE" run scripts/news-quotes.lua "$IN" -o "$tmp/quotes.sqlite" -j 2 2>> "$tmp/err"
    is "lode run: a second run appends to the database" \
        "$?:$(q "$tmp/quotes.sqlite" "SELECT count(*) FROM \"news-quotes\"")" "0:$((lines * 2))"
    check "lode run: no temporary files left" "[ \$(leftovers) = 0 ]"
fi

check "no sanitizer reports" "san '$tmp/err'"
exit 0
