#!/bin/sh
# io.sh -- I/O fault injection: every call of read, write, open, close, fsync,
# fdatasync, syncfs, rename, fstat and fchmod that `lode convert` and
# `lode run` make (on descriptors >= 3) is made to fail in turn, through the
# LD_PRELOAD shim build/tests/iofault.so (tests/fault/iofault.c).  Prints TAP
# lines: one per case, function and kind of fault.
#
# For each case the outputs of a run without faults are the reference.  Then
# for FUNC in the functions, WHAT in EIO ENOSPC EINTR short (short: read and
# write only; EINTR: the calls that can be interrupted), and K = 1, 2, ...
# until the K-th call is not reached, one run with the K-th call of FUNC
# failing, in a fresh folder where every output name already holds a
# previous file.  Each run must:
#   - end with an exit status < 128 (no crash, no signal);
#   - after EINTR or a short count: exit 0 (they are retried, not errors);
#   - exit 0: every output byte-identical to the reference;
#   - exit != 0: say why on standard error ("lode: ..."), and leave each
#     output name with its previous file or a complete file: one identical
#     to the reference, or -- when a document failed and the run went on as
#     documented -- records that are all reference lines and end with a
#     newline, a CSV table that parses, a report that is valid JSON;
#   - leave no temporary file (*.tmp-*) behind.
#
# Environment: BUILD (default build), LODE, SHIM, FAULT_FULL=1 for every K
# and every kind, case and function (make faultcheck).  Without it (make
# test): K up to FAULT_KMAX=2 per function and kind, plus the last call; no
# ENOSPC (it takes the code paths of EIO); five of the seven cases; no
# fdatasync, fstat, fchmod.
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
SHIM=${SHIM:-$BUILD/tests/iofault.so}
FULL=${FAULT_FULL:-0}
KMAX=${FAULT_KMAX:-2}
DOCS=examples/documents
# tmpfs when there is one: fsync and syncfs cost nothing there
if [ -z "$TMPDIR" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-iofault.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

# Under ASan the shim comes before the sanitizer's runtime; that is fine here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

if [ ! -f "$SHIM" ] || [ ! -x "$LODE" ]; then
    not_ok "io faults: $SHIM or $LODE not built"
    exit 1
fi

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
    run-records-report)
        "$LODE" run -j 1 scripts/news-credits.lua "$DOCS/putin-kim-wladiwostok.txt" \
            "$DOCS/sample-news-page.html" -o "$W/records.jsonl" --report "$W/report.json" ;;
    run-csv-write)
        "$LODE" run -j 1 examples/rules/words.lua "$DOCS/putin-kim-wladiwostok.txt" \
            "$DOCS/soldatenbrief-013.tei.xml" -o "$W/records.csv" --write "$W/docs" -t markdown ;;
    run-jsonl-input)
        "$LODE" run -j 1 examples/rules/words.lua --from jsonl "$tmp/docs.jsonl" -o "$W/records.jsonl" ;;
    esac
}
outputs() {
    case $1 in
    convert-xml-md) echo out.md ;;
    convert-html-json) echo out.json ;;
    convert-text-html) echo out.html ;;
    convert-gz-xml) echo out.xml ;;
    run-records-report) echo records.jsonl report.json ;;
    run-csv-write) echo records.csv ;;
    run-jsonl-input) echo records.jsonl ;;
    esac
}
if [ "$FULL" = 1 ]; then
    CASES="convert-xml-md convert-html-json convert-text-html convert-gz-xml run-records-report run-csv-write run-jsonl-input"
else # the other two conversions take the same I/O paths as the first
    CASES="convert-xml-md convert-gz-xml run-records-report run-csv-write run-jsonl-input"
fi

gzip -c "$DOCS/soldatenbrief-013.tei.xml" > "$tmp/letter.xml.gz"
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

# check CASE FUNC K WHAT RC: the outputs under $W against $R; prints why on
# failure (one line) and returns 1
check() {
    c=$1; func=$2; k=$3; what=$4; rc=$5
    if [ "$rc" -ge 128 ]; then
        echo "exit status $rc (a crash or a signal)"; return 1
    fi
    if grep -q 'Sanitizer\|runtime error:' "$tmp/stderr"; then
        echo "sanitizer report: $(grep -m1 'ERROR\|runtime error' "$tmp/stderr")"; return 1
    fi
    # zlib's gzread (JSON Lines input) cannot retry EINTR: it drops the
    # bytes it read before the error.  lode's signal handlers use SA_RESTART,
    # so a read never reports EINTR there; a clean failure is all we ask.
    if [ "$rc" -ne 0 ] && [ "$what" = EINTR ] && [ "$c:$func" != run-jsonl-input:read ] \
        || [ "$rc" -ne 0 ] && [ "$what" = short ]; then
        echo "$what was not retried: exit $rc: $(head -c 300 "$tmp/stderr")"; return 1
    fi
    if [ "$rc" -ne 0 ] && ! grep -q '^lode: ' "$tmp/stderr"; then
        echo "exit $rc without a message"; return 1
    fi
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

# probe CASE FUNC K WHAT: is the K-th call reached?
probe() {
    fresh "$1" "$W"
    rm -f "$tmp/hit"
    LODE_IOFAULT="$2:$3:$4" LODE_IOFAULT_LOG="$tmp/hit" LD_PRELOAD=$SHIM invoke "$1" > /dev/null 2>&1
    runs=$((runs + 1))
    [ -s "$tmp/hit" ]
}

FUNCS="read write open close fsync fdatasync syncfs rename fstat fchmod"
# the subset: without the calls lode makes once, next to one checked above
[ "$FULL" = 1 ] || FUNCS="read write open close fsync syncfs rename"
runs=0
t0=$(date +%s)
for c in $CASES; do
    R=$tmp/ref/$c
    fresh "$c" "$R"
    W=$R
    LD_PRELOAD=$SHIM invoke "$c" > "$tmp/stdout" 2> "$tmp/stderr"
    rc=$?
    if [ $rc -ne 0 ]; then
        not_ok "$c: the run without faults exits $rc"; sed 's/^/#   /' "$tmp/stderr" | head -5
        continue
    fi
    W=$tmp/w
    for func in $FUNCS; do
        case $func in
        read|write) kinds="EIO ENOSPC EINTR short" ;;
        open|close|fsync|fdatasync) kinds="EIO ENOSPC EINTR" ;;
        *) kinds="EIO ENOSPC" ;;
        esac
        # the subset: ENOSPC takes the code paths of EIO
        [ "$FULL" = 1 ] || kinds=$(echo "$kinds" | sed 's/ ENOSPC//')
        for what in $kinds; do
            k=1; bad=""; hits=0
            while :; do
                fresh "$c" "$W"
                rm -f "$tmp/hit"
                LODE_IOFAULT="$func:$k:$what" LODE_IOFAULT_LOG="$tmp/hit" LD_PRELOAD=$SHIM \
                    invoke "$c" > "$tmp/stdout" 2> "$tmp/stderr"
                rc=$?
                runs=$((runs + 1))
                [ -s "$tmp/hit" ] || break
                hits=$((hits + 1))
                if ! why=$(check "$c" "$func" "$k" "$what" "$rc"); then
                    [ -z "$bad" ] && bad="K=$k: $why"
                fi
                if [ "$FULL" != 1 ] && [ "$k" -eq "$KMAX" ]; then
                    # the subset: the first KMAX calls, then the last one,
                    # found by doubling and bisection
                    lo=$k; hi=$((k * 2))
                    while probe "$c" "$func" "$hi" "$what"; do lo=$hi; hi=$((hi * 2)); done
                    while [ $((hi - lo)) -gt 1 ]; do
                        mid=$(((lo + hi) / 2))
                        if probe "$c" "$func" "$mid" "$what"; then lo=$mid; else hi=$mid; fi
                    done
                    if [ "$lo" -gt "$KMAX" ]; then k=$lo; else k=$((KMAX + 1)); fi
                    continue
                fi
                k=$((k + 1))
                [ "$k" -gt 5000 ] && break
            done
            if [ -n "$bad" ]; then
                not_ok "$c: $func $what: $bad"
                sed 's/^/#   /' "$tmp/stderr" | head -5
            elif [ "$hits" -eq 0 ]; then
                ok "$c: $func $what: no such call # nothing to inject"
            else
                ok "$c: $func $what: $hits faults injected, each handled"
            fi
        done
    done
done
echo "# $runs runs of lode in $(($(date +%s) - t0)) s (FAULT_FULL=$FULL)"
