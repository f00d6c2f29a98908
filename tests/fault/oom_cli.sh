#!/bin/sh
# oom_cli.sh -- allocation failures in the lode command itself: the shim
# build/tests/mallocfault.so (tests/fault/mallocfault.c) fails the K-th
# allocation of the process -- lode's own (CLI and library, Lua through
# lode's allocator), zlib's and the C library's; libxml2's are passed
# through (HARDENING 1.3) -- transiently (only the K-th) and persistently
# (the K-th and every later one), for K = 1, 2, ... until the K-th is not
# reached, over the cases of tests/fault/cases.sh.  Each run must:
#   - end with an exit status < 128 (no crash, no abort, no signal);
#   - exit 0: every output byte-identical to a run without failures;
#   - exit != 0: a "lode: ..." message -- with exit 4 one that says "out
#     of memory" (or Lua's "not enough memory", or the C library's "Cannot
#     allocate memory") --, and each output name holding its previous file
#     or a complete one, no temporary file.
# Prints TAP lines, one per case and mode.
#
# Environment: BUILD, LODE, FAULT_CASES (the cases to run, instead of the
# default ones); K steps by a stride that keeps each case and
# mode to about FAULT_RUNS runs (0: every K): 25 and five of the seven cases
# by default (make test), 300 and every case with FAULT_FULL=1 (make
# faultcheck; every K of the run cases would be some 10,000 runs of lode).
# Skipped under SAN=1 (AddressSanitizer owns malloc).
BUILD=${BUILD:-build}
LODE=${LODE:-$BUILD/lode}
SHIM=${SHIM:-$BUILD/tests/mallocfault.so}
FULL=${FAULT_FULL:-0}
if [ "$FULL" = 1 ]; then RUNS=${FAULT_RUNS:-300}; else RUNS=${FAULT_RUNS:-25}; fi
DOCS=examples/documents
if [ -z "$TMPDIR" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-oomcli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

if [ "$SAN" = 1 ]; then
    ok "allocation failures in the CLI # SKIP under SAN=1: AddressSanitizer owns malloc"
    exit 0
fi
if [ "$COV" = 1 ]; then
    # gcov's exit-time dump of the counters mallocs, and crashes when that fails
    ok "allocation failures in the CLI # SKIP under COV=1: gcov's counter dump is not malloc-failure safe"
    exit 0
fi
if [ ! -f "$SHIM" ] || [ ! -x "$LODE" ]; then
    not_ok "allocation failures in the CLI: $SHIM or $LODE not built"
    exit 1
fi

. tests/fault/cases.sh
if [ -n "$FAULT_CASES" ]; then
    CASES=$FAULT_CASES
elif [ "$FULL" = 1 ]; then
    CASES="convert-xml-md convert-html-json convert-text-html convert-gz-xml run-records-report run-csv-write run-jsonl-input convert-json-html merge-partials"
else
    CASES="convert-xml-md convert-gz-xml run-records-report run-csv-write run-jsonl-input merge-partials"
fi

# attempt CASE K MODE: one run; sets rc; true if the K-th allocation was reached
attempt() {
    fresh "$1" "$W"
    rm -f "$tmp/hit"
    LODE_MALLOCFAULT="$2$3" LODE_MALLOCFAULT_LOG="$tmp/hit" LD_PRELOAD=$SHIM \
        invoke "$1" > "$tmp/stdout" 2> "$tmp/stderr"
    rc=$?
    runs=$((runs + 1))
    [ -s "$tmp/hit" ]
}

check() {
    if [ "$rc" -ge 128 ]; then
        echo "exit status $rc (a crash, an abort or a signal): $(tail -c 200 "$tmp/stderr")"; return 1
    fi
    if [ "$rc" -ne 0 ] && ! grep -q '^lode: ' "$tmp/stderr"; then
        echo "exit $rc without a message"; return 1
    fi
    if [ "$rc" -eq 4 ] && ! grep -qi 'out of memory\|not enough memory\|cannot allocate memory' "$tmp/stderr"; then
        echo "exit $rc, but no word of memory: $(head -c 300 "$tmp/stderr")"; return 1
    fi
    check_outputs "$rc"
}

runs=0
t0=$(date +%s)
for c in $CASES; do
    R=$tmp/ref/$c
    fresh "$c" "$R"
    W=$R
    invoke "$c" > "$tmp/stdout" 2> "$tmp/stderr"
    if [ $? -ne 0 ]; then
        not_ok "$c: the run without failures exits non-zero"; sed 's/^/#   /' "$tmp/stderr" | head -5
        continue
    fi
    W=$tmp/w
    # the number of allocations: the last K reached, by doubling and bisection
    lo=1; hi=2
    while attempt "$c" "$hi" ""; do lo=$hi; hi=$((hi * 2)); done
    while [ $((hi - lo)) -gt 1 ]; do
        mid=$(((lo + hi) / 2))
        if attempt "$c" "$mid" ""; then lo=$mid; else hi=$mid; fi
    done
    total=$lo
    stride=1
    [ "$RUNS" -gt 0 ] && stride=$(((total + RUNS - 1) / RUNS))
    for mode in transient persistent; do
        suffix=""; [ $mode = persistent ] && suffix=":persistent"
        k=1; bad=""; count=0; errors=0
        while [ "$k" -le "$total" ]; do
            attempt "$c" "$k" "$suffix"
            count=$((count + 1))
            [ "$rc" -ne 0 ] && errors=$((errors + 1))
            if ! why=$(check); then
                [ -z "$bad" ] && bad="K=$k: $why"
            fi
            k=$((k + stride))
        done
        if [ -n "$bad" ]; then
            not_ok "$c, $mode: $bad"
            sed 's/^/#   /' "$tmp/stderr" | head -5
        else
            ok "$c, $mode: $count of $total allocations failed (stride $stride), $errors runs ended with an error, each cleanly"
        fi
    done
done
echo "# $runs runs of lode in $(($(date +%s) - t0)) s (FAULT_FULL=$FULL)"
