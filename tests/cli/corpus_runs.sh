#!/bin/sh
# corpus_runs.sh -- `lode run` over many documents: workers (-j), ordered
# output, reports and their merge algebra, shards, GNU parallel, progress,
# --errors, --fail-fast, interrupted and killed runs.  Prints TAP lines.
#
# Uses ../shared/corpus when present (CORPUS), else only the bundled
# examples (fewer documents, same checks).
LODE=${LODE:-build/lode}
CORPUS=${CORPUS:-../shared/corpus}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-runs.XXXXXX")
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check()  { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }
san()    { ! grep -q 'Sanitizer\|runtime error:' "$@"; }

# The inputs: a mixed folder of text, HTML and XML documents.
IN="$tmp/in"
mkdir -p "$IN"
cp -r examples/documents "$IN/examples"
if [ -d "$CORPUS/news-de" ]; then
    mkdir -p "$IN/news" "$IN/html" "$IN/xml"
    ls "$CORPUS"/news-de/10kgnad-test/*.txt | head -300 | xargs -I{} cp {} "$IN/news/"
    find "$CORPUS/html-news" -name '*.html' | sort | head -60 | while read -r f; do
        cp "$f" "$IN/html/$(echo "$f" | tr '/' '_' | sed 's/^[._]*//')"; done
    find "$CORPUS/xml" -name '*.xml' | sort | head -30 | while read -r f; do
        cp "$f" "$IN/xml/$(echo "$f" | tr '/' '_' | sed 's/^[._]*//')"; done
fi
ndocs=$(find "$IN" -type f \( -name '*.txt' -o -name '*.html' -o -name '*.xml' \) | wc -l)
echo "# $ndocs documents"

# A script that emits records, writes warnings, fails on some documents and
# fills every kind of aggregator.
cat > "$tmp/rules.lua" <<'EOF'
local text = require "lode.text"
return {
  ["p"] = function(p, ctx)
    local s = p:text("normalize")
    local n = 0
    for w in text.words(s) do
      n = n + 1
      ctx.report:top("words", text.casefold(w), 25)
      ctx.report:distinct("vocabulary", text.casefold(w))
    end
    ctx.report:stats("words per paragraph", n)
    ctx.report:histogram("paragraph length", n)
    ctx.report:histogram("fixed", n, { 0, 10, 50, 100 })
    ctx.report:sum("weighted", n * 0.1)
    if s:find("©") then ctx:emit{ doc = ctx.doc.path, line = p:line(), credit = s:match("©%s*(.*)$") } end
  end,
  document = function(doc, ctx)
    ctx.report:count("format", doc.format)
    if doc.path:find("gnad%-test%-0007") then error("planted failure") end
    if doc.path:find("gnad%-test%-0011") then ctx:warn("planted warning") end
    ctx:emit{ doc = doc.path, paragraphs = #doc:select("p") }
  end,
}
EOF

for j in 1 2 8; do
    "$LODE" run "$tmp/rules.lua" "$IN" -j $j -o "$tmp/rec$j.jsonl" --report "$tmp/rep$j.json" \
        --write "$tmp/w$j" -t markdown --errors "$tmp/err$j.jsonl" > "$tmp/out$j" 2> "$tmp/stderr$j"
    echo $? > "$tmp/rc$j"
done
want_rc=0
[ -d "$CORPUS/news-de" ] && want_rc=1
check "-j 1 exits $want_rc (one planted failure in the corpus)" "[ \$(cat $tmp/rc1) = $want_rc ]"
check "-j 1 and -j 2 give the same records" "cmp -s $tmp/rec1.jsonl $tmp/rec2.jsonl"
check "-j 1 and -j 8 give the same records" "cmp -s $tmp/rec1.jsonl $tmp/rec8.jsonl"
check "-j 1 and -j 8 give the same report" "cmp -s $tmp/rep1.json $tmp/rep8.json"
check "-j 1 and -j 2 give the same report" "cmp -s $tmp/rep1.json $tmp/rep2.json"
check "-j 1 and -j 8 give the same messages on stderr" "cmp -s $tmp/stderr1 $tmp/stderr8"
check "-j 1 and -j 8 write the same documents" "diff -r $tmp/w1 $tmp/w8 > /dev/null"
check "-j 1 and -j 8 give the same --errors file" "cmp -s $tmp/err1.jsonl $tmp/err8.jsonl"
check "no sanitizer report" "san $tmp/stderr1 $tmp/stderr2 $tmp/stderr8"
nrec=$(grep -c '"paragraphs":' "$tmp/rec1.jsonl")
check "one document record per successful document ($nrec of $ndocs)" "[ $nrec -eq \$(($ndocs - $want_rc)) ]"
# --write -: the same documents as --write DIR's files, one after the other in
# input order (the files' paths sort as the inputs do), whatever -j is
for j in 1 8; do
    "$LODE" run "$tmp/rules.lua" "$IN" -j $j -o "$tmp/wsrec$j.jsonl" --write - -t markdown -q > "$tmp/wsout$j" 2> /dev/null
    echo $? > "$tmp/wsrc$j"
done
find "$tmp/w1" -type f | LC_ALL=C sort | xargs cat > "$tmp/wsfiles"
check "--write -: the bytes of --write DIR's files, in input order ($(wc -c < "$tmp/wsfiles") bytes)" \
    "[ -s $tmp/wsfiles ] && cmp -s $tmp/wsfiles $tmp/wsout1"
check "--write -: -j 8 gives the same stream, records and exit status" \
    "cmp -s $tmp/wsout1 $tmp/wsout8 && cmp -s $tmp/rec1.jsonl $tmp/wsrec8.jsonl && [ \$(cat $tmp/wsrc8) = $want_rc ]"
# input order: each folder's entries sorted by their bytes, depth first --
# the byte order of the whole paths here, where no name holds a byte
# below '/'
check "records keep input order" "grep -o '\"doc\":\"[^\"]*\"' $tmp/rec8.jsonl | awk '!seen[\$0]++' > $tmp/order && [ \$(wc -l < $tmp/order) -gt 20 ] && LC_ALL=C sort -c $tmp/order"
if [ -d "$CORPUS/news-de" ]; then
    check "the failed document is named with its stage in --errors" \
        "grep -q '\"path\":\"[^\"]*gnad-test-0007.txt\".*\"stage\":\"rules\"' $tmp/err1.jsonl || grep -q 'gnad-test-0007.txt' $tmp/err1.jsonl"
    check "--errors holds one line per failure" "[ \$(wc -l < $tmp/err1.jsonl) -eq 1 ]"
    check "the warning comes out once, in order" "[ \$(grep -c 'planted warning' $tmp/stderr8) -eq 1 ]"
    check "the summary counts the failure" "grep -q '^lode: 1 of $ndocs documents failed' $tmp/stderr1"
    if command -v python3 > /dev/null; then
        check "--errors lines are JSON with path, stage, message, line" \
            "python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]; d=json.loads(open(sys.argv[1]).readline()); assert set(d)=={\"path\",\"stage\",\"message\",\"line\"}, d' $tmp/err1.jsonl"
    fi
fi

# ---- reports: shards + merge = one run; merge is associative ----------------
for i in 1 2 3 4; do
    "$LODE" run "$tmp/rules.lua" "$IN" -j 2 --shard $i/4 --partial "$tmp/part$i" -o /dev/null -q 2> /dev/null
done
"$LODE" run "$tmp/rules.lua" "$IN" -j 2 --report "$tmp/one.json" -o /dev/null -q 2> /dev/null
"$LODE" merge "$tmp/rules.lua" "$tmp/part1" "$tmp/part2" "$tmp/part3" "$tmp/part4" --report "$tmp/merged.json"
check "4 shards + merge give the report of one run" "cmp -s $tmp/one.json $tmp/merged.json"
total=0
for i in 1 2 3 4; do
    c=$("$LODE" run "$tmp/rules.lua" "$IN" --shard $i/4 -o /dev/null -q --report "$tmp/s$i.json" 2> /dev/null
        python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print([a for a in r["aggregators"] if a["name"]=="format"][0]["total"])' "$tmp/s$i.json" 2> /dev/null || echo 0)
    total=$((total + c))
done
check "the 4 shards are disjoint and cover every document ($total)" "[ $total -eq $ndocs ]"
# (a + b) + (c + d) == ((a + b) + c) + d, and in another order
"$LODE" merge "$tmp/rules.lua" "$tmp/part1" "$tmp/part2" --partial "$tmp/ab"
"$LODE" merge "$tmp/rules.lua" "$tmp/part3" "$tmp/part4" --partial "$tmp/cd"
"$LODE" merge "$tmp/rules.lua" "$tmp/ab" "$tmp/cd" --report "$tmp/assoc1.json"
"$LODE" merge "$tmp/rules.lua" "$tmp/ab" "$tmp/part3" --partial "$tmp/abc"
"$LODE" merge "$tmp/rules.lua" "$tmp/abc" "$tmp/part4" --report "$tmp/assoc2.json"
cat "$tmp/part4" "$tmp/part2" "$tmp/part3" "$tmp/part1" | "$LODE" merge "$tmp/rules.lua" - --report "$tmp/assoc3.json"
check "merge is associative ((a+b)+(c+d) = ((a+b)+c)+d)" "cmp -s $tmp/assoc1.json $tmp/assoc2.json && cmp -s $tmp/assoc1.json $tmp/merged.json"
check "merge is commutative (partials concatenated on stdin, any order)" "cmp -s $tmp/assoc3.json $tmp/merged.json"
"$LODE" merge "$tmp/rules.lua" "$tmp/part1" --partial "$tmp/p1again"
check "a partial read and written again is the same bytes" "cmp -s $tmp/part1 $tmp/p1again"
if command -v parallel > /dev/null; then
    seq 1 4 | parallel -j 4 "$LODE" run "$tmp/rules.lua" "$IN" -j 1 --shard {}/4 --partial "$tmp/gp{}" -o /dev/null -q 2> /dev/null
    cat "$tmp"/gp? | "$LODE" merge "$tmp/rules.lua" - --report "$tmp/gnu.json"
    check "GNU parallel over 4 shards + merge give the report of one run" "cmp -s $tmp/one.json $tmp/gnu.json"
else
    ok "# SKIP GNU parallel not installed"
fi
# the pipe flow of docs/scale-out.md (Hadoop Streaming, Spark RDD.pipe): JSON
# Lines documents split into chunks, each piped through its own lode, the
# partial lines reduced, then merged into the report
if command -v python3 > /dev/null; then
    python3 - "$IN" "$tmp/docs.jsonl" <<'PY'
import json, os, sys
root, out = sys.argv[1], sys.argv[2]
kind = {".txt": "text", ".html": "html", ".xml": "xml"}
with open(out, "w") as f:
    for d, _, names in sorted(os.walk(root)):
        for n in sorted(names):
            ext = os.path.splitext(n)[1]
            if ext in kind and not n.startswith("."):
                p = os.path.join(d, n)
                with open(p, "rb") as g:
                    data = g.read().decode("utf-8", "replace")
                f.write(json.dumps({"id": os.path.relpath(p, root), kind[ext]: data, "source": "test"}) + "\n")
PY
    "$LODE" run "$tmp/rules.lua" --from jsonl "$tmp/docs.jsonl" -j 2 -q -o /dev/null --report "$tmp/jl-one.json" 2> /dev/null
    split -n l/3 "$tmp/docs.jsonl" "$tmp/chunk."
    for ch in "$tmp"/chunk.*; do
        "$LODE" run "$tmp/rules.lua" --from jsonl - -j 1 -q --partial - -o /dev/null < "$ch" 2> /dev/null
    done | "$LODE" merge "$tmp/rules.lua" - --partial - | "$LODE" merge "$tmp/rules.lua" - --report "$tmp/jl-piped.json"
    check "JSON Lines piped through lode per chunk + reduce + merge = one run (scale-out.md)" \
        "[ -s $tmp/jl-one.json ] && cmp -s $tmp/jl-one.json $tmp/jl-piped.json"
    cat "$tmp"/chunk.* | "$LODE" run "$tmp/rules.lua" --from jsonl - -j 2 -q > "$tmp/jl-rec" 2> /dev/null
    check "records from JSON Lines on stdin, one per document record" \
        "[ \$(grep -c '\"paragraphs\":' $tmp/jl-rec) -eq \$(($ndocs - $want_rc)) ]"
fi
printf '{"lode_report":2,"aggregators":[]}\n' > "$tmp/v2"
"$LODE" merge "$tmp/rules.lua" "$tmp/v2" --report "$tmp/x.json" 2> "$tmp/e"
check "a partial of another version is refused, naming it" "grep -q 'v2:1: partial report version 2' $tmp/e && [ ! -e $tmp/x.json ]"
head -c 200 "$tmp/part1" > "$tmp/cut"
"$LODE" merge "$tmp/rules.lua" "$tmp/cut" --report "$tmp/x.json" 2> "$tmp/e"
check "a truncated partial is an error, and no report is written" "[ \$? -eq 1 ] && grep -q 'cut:1:' $tmp/e && [ ! -e $tmp/x.json ]"
printf '{"lode_report":1,"aggregators":[{"name":"format","kind":"sum","n":1,"sum":1,"comp":0,"mean":1,"m2":0,"min":1,"max":1,"all_int":true}]}\n' > "$tmp/kind"
"$LODE" merge "$tmp/rules.lua" "$tmp/part1" "$tmp/kind" --report "$tmp/x.json" 2> "$tmp/e"
check "merging a name of another kind is an error" "grep -q \"report 'format' is a count, not a sum\" $tmp/e"

# ---- --split: one big XML file streamed as many documents -------------------
{
    echo '<?xml version="1.0"?>'
    echo '<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.10/"><siteinfo><sitename>T</sitename></siteinfo>'
    i=0
    while [ $i -lt 400 ]; do
        echo "<page><title>Page $i</title><id>$i</id><revision><text>Wort $i und noch ein Wort $i.</text></revision></page>"
        i=$((i + 1))
    done
    echo '</mediawiki>'
} > "$tmp/dump.xml"
gzip -c "$tmp/dump.xml" > "$tmp/dumpz.xml.gz"
cat > "$tmp/pages.lua" <<'EOF'
return { title = function(t, ctx) ctx:emit{ title = t:text() } ctx.report:count("pages", "n") end,
         text = function(x, ctx) x:set_text(x:text():upper()) end }
EOF
"$LODE" run "$tmp/pages.lua" "$tmp/dump.xml" --split page -j 1 -o "$tmp/split1.jsonl" --report "$tmp/split1.json" \
    --write "$tmp/splitw" -q 2> "$tmp/e"
rc=$?
"$LODE" run "$tmp/pages.lua" "$tmp/dumpz.xml.gz" --split page -j 4 -o "$tmp/split4.jsonl" --report "$tmp/split4.json" -q 2>> "$tmp/e"
check "--split page: 400 documents, one record each, exit 0" "[ $rc -eq 0 ] && [ \$(wc -l < $tmp/split1.jsonl) -eq 400 ]"
check "--split: -j 4 over the gzip-compressed dump gives the same records and report" \
    "cmp -s $tmp/split1.jsonl $tmp/split4.jsonl && cmp -s $tmp/split1.json $tmp/split4.json"
check "--split --write: one file per element under DIR/dump/N.xml, edited" \
    "[ \$(ls $tmp/splitw/dump | wc -l) -eq 400 ] && grep -q 'WORT 7 UND' $tmp/splitw/dump/8.xml"
head -c 20000 "$tmp/dump.xml" > "$tmp/cutdump.xml"
"$LODE" run "$tmp/pages.lua" "$tmp/cutdump.xml" --split page -o "$tmp/cut.jsonl" 2> "$tmp/e"
rc=$?
got=$(wc -l < "$tmp/cut.jsonl")
check "--split on a truncated dump: the pages before the cut, then an error naming file:line:col, exit 1 ($got pages)" \
    "[ $rc -eq 1 ] && [ $got -gt 100 ] && grep -q 'cutdump.xml:[0-9]*:[0-9]*:' $tmp/e"
for i in 1 2 3; do
    "$LODE" run "$tmp/pages.lua" "$tmp/dump.xml" --split page --shard $i/3 --partial "$tmp/sp$i" -o /dev/null -q
done
"$LODE" merge "$tmp/pages.lua" "$tmp/sp1" "$tmp/sp2" "$tmp/sp3" --report "$tmp/spm.json"
check "--split with --shard: 3 shards of one file merge into the one-run report" "cmp -s $tmp/split1.json $tmp/spm.json"

# ---- report formats from the CLI ---------------------------------------------
for f in json csv txt html; do
    "$LODE" run "$tmp/rules.lua" "$IN/examples" -o /dev/null -q --report "$tmp/r.$f" 2> /dev/null
    check "--report r.$f is written" "[ -s $tmp/r.$f ]"
done
"$LODE" run "$tmp/rules.lua" "$IN/examples" --report "$tmp/r.pdf" > /dev/null 2> "$tmp/e"
check "--report with an unknown extension is a usage error" "[ \$? -eq 2 ] && grep -q 'must end in' $tmp/e"
cat > "$tmp/hostile.lua" <<'EOF'
return { document = function(doc, ctx)
  for _, k in ipairs{ 'a,b', 'say "hi"', 'line\nbreak', '=cmd()', '<script>x</script>', '\0nul', 'tab\there', '\xff\xfe' } do
    ctx.report:count("keys", k)
  end
end }
EOF
"$LODE" run "$tmp/hostile.lua" examples/documents/putin-kim-wladiwostok.txt --report "$tmp/h.json"
"$LODE" run "$tmp/hostile.lua" examples/documents/putin-kim-wladiwostok.txt --report "$tmp/h.csv"
"$LODE" run "$tmp/hostile.lua" examples/documents/putin-kim-wladiwostok.txt --report "$tmp/h.html"
if command -v python3 > /dev/null; then
    check "hostile keys survive JSON exactly (NUL, quotes, newline, bad UTF-8 as U+FFFD)" \
        "python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); ks={e[\"key\"] for e in r[\"aggregators\"][0][\"entries\"]}; assert ks=={\"a,b\",\"say \\\"hi\\\"\",\"line\\nbreak\",\"=cmd()\",\"<script>x</script>\",\"\\x00nul\",\"tab\\there\",\"\\ufffd\\ufffd\"}, ks' $tmp/h.json"
    check "hostile keys survive CSV (RFC 4180; formulas defused)" \
        "python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=\"\"))); ks={r[2] for r in rows[1:]}; assert \"a,b\" in ks and \"line\\nbreak\" in ks and \"say \\\"hi\\\"\" in ks and \"\\x27=cmd()\" in ks, ks' $tmp/h.csv"
fi
check "hostile keys are escaped in HTML" "! grep -q '<script>x' $tmp/h.html && grep -q '&lt;script&gt;x' $tmp/h.html"

# ---- progress -----------------------------------------------------------------
"$LODE" run "$tmp/rules.lua" "$IN/examples" -o /dev/null --progress 2> "$tmp/e"
check "--progress draws the line and erases it at the end" "grep -q 'docs' $tmp/e && grep -q \"\$(printf '\\033\\\\[K')\" $tmp/e"
"$LODE" run "$tmp/rules.lua" "$IN/examples" -o /dev/null --progress -j 1 2> "$tmp/e"
check "--progress -j 1 (no thread) draws the line and erases it at the end" \
    "grep -q '0/5 docs' $tmp/e && grep -q \"\$(printf '\\033\\\\[K')\" $tmp/e"
"$LODE" run "$tmp/rules.lua" "$IN/examples" -o /dev/null 2> "$tmp/e"
check "no progress line when stderr is not a terminal" "! grep -q \"\$(printf '\\033')\" $tmp/e"
"$LODE" run "$tmp/rules.lua" "$IN/examples" -o /dev/null --progress --no-progress 2> "$tmp/e"
check "--no-progress wins when given last" "! grep -q \"\$(printf '\\033')\" $tmp/e"

# ---- --fail-fast: the same output whatever -j ---------------------------------
cat > "$tmp/failfast.lua" <<'EOF'
return { document = function(doc, ctx)
  ctx:emit{ doc = doc.path }
  if doc.path:find("sample%-news%-page") then error("stop here") end
end }
EOF
"$LODE" run "$tmp/failfast.lua" examples/documents -j 1 --fail-fast > "$tmp/ff1" 2> "$tmp/ffe1"
"$LODE" run "$tmp/failfast.lua" examples/documents -j 8 --fail-fast > "$tmp/ff8" 2> "$tmp/ffe8"
check "--fail-fast stops at the same document with -j 1 and -j 8" "cmp -s $tmp/ff1 $tmp/ff8 && cmp -s $tmp/ffe1 $tmp/ffe8"
check "--fail-fast says so" "grep -q 'stopped: --fail-fast' $tmp/ffe8"

# ---- interrupted and killed runs ----------------------------------------------
cat > "$tmp/slow.lua" <<'EOF'
return { document = function(doc, ctx)
  local t = os.clock() + 0.15
  while os.clock() < t do end
  ctx.report:count("docs", "n")
  ctx:emit{ doc = doc.path, text = ("x"):rep(1000) }
end }
EOF
mkdir -p "$tmp/many"
i=0
while [ $i -lt 60 ]; do cp examples/documents/putin-kim-wladiwostok.txt "$tmp/many/d$i.txt"; i=$((i + 1)); done
# -j 1 runs the documents on the main thread, -j 2 on worker threads: an
# interruption must end both the same way
for j in 2 1; do
    rm -f "$tmp/int.jsonl" "$tmp/int.json"
    "$LODE" run "$tmp/slow.lua" "$tmp/many" -j $j -o "$tmp/int.jsonl" --report "$tmp/int.json" 2> "$tmp/inte" &
    pid=$!
    sleep 1
    kill -INT $pid
    wait $pid
    rc=$?
    check "SIGINT -j $j: exit status 130" "[ $rc -eq 130 ]"
    check "SIGINT -j $j: says it was interrupted and how far it got" \
        "grep -q 'interrupted by SIGINT after [0-9]* documents' $tmp/inte"
    got=$(sed -n 's/.*interrupted by SIGINT after \([0-9]*\) documents.*/\1/p' "$tmp/inte")
    check "SIGINT -j $j: the records of the finished documents are all there, whole ($got)" \
        "[ -n '$got' ] && [ \$(wc -l < $tmp/int.jsonl) -eq $got ] && [ $got -lt 60 ] && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' $tmp/int.jsonl"
    check "SIGINT -j $j: the report is written for them" "grep -q '\"total\": $got' $tmp/int.json"
    check "SIGINT -j $j: no temporary file is left" "! ls $tmp | grep -q 'tmp-'"
done
"$LODE" run "$tmp/slow.lua" "$tmp/many" -j 2 -o "$tmp/killed.jsonl" --report "$tmp/killed.json" 2> /dev/null &
pid=$!
sleep 1
kill -KILL $pid
wait $pid 2> /dev/null
check "SIGKILL: no half-written output under its final name" "[ ! -e $tmp/killed.jsonl ] && [ ! -e $tmp/killed.json ]"
rm -f "$tmp"/killed.jsonl.tmp-* "$tmp"/killed.json.tmp-*

# ---- one worker: no thread ------------------------------------------------------
# With one worker (-j 1, or one document) the documents run on the main
# thread: no thread is started, and the output is that of worker threads (the
# -j comparisons above).  Threads are the clones with CLONE_THREAD; LeakSanitizer
# does not work under ptrace, so it is off for these runs.
if command -v strace > /dev/null 2>&1 && strace -f -o /dev/null true 2> /dev/null; then
    threads() { # OUT ARGS...: the threads lode started, into $tmp/OUT
        o=$1; shift
        ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=clone,clone3 -o "$tmp/$o" "$LODE" "$@" > /dev/null 2>&1
        grep -c 'CLONE_THREAD' "$tmp/$o"
    }
    check "-j 1 starts no thread" "[ \$(threads st1 run -q $tmp/rules.lua examples/documents -j 1 -o /dev/null) -eq 0 ]"
    check "one document starts no thread" \
        "[ \$(threads st0 run -q $tmp/rules.lua examples/documents/putin-kim-wladiwostok.txt -o /dev/null) -eq 0 ]"
    check "-j 2 starts two worker threads" "[ \$(threads st2 run -q $tmp/rules.lua examples/documents -j 2 -o /dev/null) -eq 2 ]"
else
    ok "# SKIP strace cannot trace here"
fi

# A script writing to a stdout whose reader is gone gets EPIPE (an error in
# that document) on the main thread as on a worker thread; SIGPIPE does not
# kill the run, and the other documents are processed.
cat > "$tmp/pipe.lua" <<'EOF'
return { document = function(doc, ctx)
  ctx:emit{ doc = doc.path }
  if doc.path:find("putin") then
    assert(io.stdout:write(("x"):rep(70000), "\n"))
    assert(io.stdout:flush())
  end
end }
EOF
cat > "$tmp/closed.py" <<'EOF'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)  # nobody reads: a write fails with EPIPE, or raises SIGPIPE
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)  # SIGPIPE at its default
print(p.returncode)
sys.stderr.write(p.stderr.decode())
EOF
"$LODE" run "$tmp/pipe.lua" examples/documents -o "$tmp/pipe-all.jsonl" > /dev/null 2>&1
for j in 1 2; do
    python3 "$tmp/closed.py" "$LODE" run "$tmp/pipe.lua" examples/documents -j $j -o "$tmp/pipe$j.jsonl" \
        > "$tmp/pipe$j.rc" 2> "$tmp/pipe$j.err"
    check "-j $j: a write to a closed pipe in the rules fails its document (exit 1, not SIGPIPE)" \
        "[ \"\$(cat $tmp/pipe$j.rc)\" = 1 ] && grep -q 'Broken pipe' $tmp/pipe$j.err"
    check "-j $j: the other documents are processed" \
        "[ \$(wc -l < $tmp/pipe$j.jsonl) -eq \$((\$(wc -l < $tmp/pipe-all.jsonl) - 1)) ] && [ \$(wc -l < $tmp/pipe$j.jsonl) -gt 2 ]"
done

echo "# corpus runs: $n checks, $failed failed"
[ "$failed" -eq 0 ]
