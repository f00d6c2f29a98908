# cases.sh -- the lode commands the fault-injection drivers run (io.sh,
# oom_cli.sh) and the check of their outputs.  Sourced; expects LODE, DOCS,
# tmp (a scratch folder) and, for the checks, W (the run's folder), R (the
# reference run's folder) and $tmp/stderr.

# The cases: invoke CASE runs lode with its outputs under $W; outputs CASE
# lists the output names that get a previous file.
invoke() {
    case $1 in
    convert-xml-md)
        "$LODE" convert "$DOCS/soldatenbrief-013.tei.xml" -o "$W/out.md" ;;
    convert-html-json)
        "$LODE" convert "$DOCS/sample-news-page.html" -o "$W/out.json" --indent ;;
    convert-text-html)
        "$LODE" convert "$DOCS/putin-kim-wladiwostok.txt" -o "$W/out.html" ;;
    convert-gz-xml)
        "$LODE" convert "$tmp/letter.xml.gz" -o "$W/out.xml" ;;
    convert-big-html) # ~450 KB of output: written in 64 KiB pieces as it is made; its
                      # script and style are read by html_rawtext.c
        "$LODE" convert "$tmp/big.html" -o "$W/out.html" ;;
    run-records-report)
        "$LODE" run -j 1 scripts/news-credits.lua "$DOCS/putin-kim-wladiwostok.txt" \
            "$DOCS/sample-news-page.html" -o "$W/records.jsonl" --report "$W/report.json" ;;
    run-csv-write)
        "$LODE" run -j 1 examples/rules/words.lua "$DOCS/putin-kim-wladiwostok.txt" \
            "$DOCS/soldatenbrief-013.tei.xml" -o "$W/records.csv" --write "$W/docs" -t markdown ;;
    run-jsonl-input)
        "$LODE" run -j 1 examples/rules/words.lua --from jsonl "$tmp/docs.jsonl" -o "$W/records.jsonl" ;;
    convert-json-html) # lode's JSON tree, read back (read_json.c)
        "$LODE" convert "$tmp/letter.json" -o "$W/out.html" ;;
    merge-partials) # partial reports, parsed line by line (report.c)
        "$LODE" merge examples/rules/words.lua "$tmp/part1" "$tmp/part2" --report "$W/report.json" ;;
    esac
}
outputs() {
    case $1 in
    convert-xml-md) echo out.md ;;
    convert-html-json) echo out.json ;;
    convert-text-html) echo out.html ;;
    convert-gz-xml) echo out.xml ;;
    convert-big-html) echo out.html ;;
    run-records-report) echo records.jsonl report.json ;;
    run-csv-write) echo records.csv ;;
    run-jsonl-input) echo records.jsonl ;;
    convert-json-html) echo out.html ;;
    merge-partials) echo report.json ;;
    esac
}

gzip -c "$DOCS/soldatenbrief-013.tei.xml" > "$tmp/letter.xml.gz"
"$LODE" convert "$DOCS/soldatenbrief-013.tei.xml" -t json -o "$tmp/letter.json"
"$LODE" run -q examples/rules/words.lua "$DOCS/putin-kim-wladiwostok.txt" --partial "$tmp/part1" > /dev/null
"$LODE" run -q examples/rules/words.lua "$DOCS/soldatenbrief-013.tei.xml" --partial "$tmp/part2" > /dev/null
python3 -c 'import sys
sys.stdout.write("<html><head><style>" + "".join(".c%d { color: red }\n" % i for i in range(50))
                 + "</style><script>" + "".join("if (a < %d) { b = \"</div>\"; }\n" % i for i in range(200))
                 + "</script></head><body>" + "".join("<p id=\"p%d\">Absatz %d: Der Text geht weiter &amp; weiter.</p>\n" % (i, i)
                 for i in range(7000)) + "</body></html>\n")' > "$tmp/big.html"
python3 - "$tmp/docs.jsonl" "$DOCS" <<'EOF'
import json, sys
docs = sys.argv[2]
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "seed", "text": open(docs + "/putin-kim-wladiwostok.txt").read()}) + "\n")
    f.write(json.dumps({"id": "page", "html": open(docs + "/sample-news-page.html").read()}) + "\n")
EOF

# fresh CASE DIR: an empty folder with a previous file under each output name
fresh() {
    rm -rf "$2"
    mkdir -p "$2"
    for o in $(outputs "$1"); do echo "previous $o" > "$2/$o"; done
}

# consistent REF FILE: a complete output of a run in which some document
# failed: records that are all reference lines, a report that parses
consistent() {
    case $2 in
    *.jsonl)
        [ -z "$(tail -c 1 "$2")" ] && ! grep -qvxF -f "$1" "$2" ;;
    *.json)
        python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$2" 2>/dev/null ;;
    *.csv)
        [ -z "$(tail -c 1 "$2")" ] && python3 -c 'import csv, sys; list(csv.reader(open(sys.argv[1], newline="")))' "$2" 2>/dev/null ;;
    *) return 1 ;;
    esac
}

# check_outputs RC: the files under $W after a run that exited RC, against
# $R: no temporary file; exit 0: each identical to the reference; else each
# the previous file or a complete one.  Prints why and returns 1 if not.
check_outputs() {
    rc=$1
    left=$(cd "$W" && find . -name '*.tmp-*' | head -3)
    if [ -n "$left" ]; then
        echo "exit $rc: temporary file left: $left"; return 1
    fi
    for f in $(cd "$R" && find . -type f | sort); do
        if [ ! -f "$W/$f" ]; then
            [ "$rc" -ne 0 ] && continue
            echo "exit 0 but $f is missing"; return 1
        fi
    done
    for f in $(cd "$W" && find . -type f | sort); do
        cmp -s "$W/$f" "$R/$f" && continue
        if [ "$rc" -eq 0 ]; then
            echo "exit 0 but $f differs from the run without faults"; return 1
        fi
        if [ -f "$R/$f" ] && [ "$(cat "$W/$f")" = "previous ${f#./}" ]; then
            continue
        fi
        if [ -f "$R/$f" ] && consistent "$R/$f" "$W/$f"; then
            continue
        fi
        echo "exit $rc and $f is neither the previous file nor a complete one: $(head -c 120 "$W/$f" | tr '\n' ' ')"
        return 1
    done
    return 0
}
