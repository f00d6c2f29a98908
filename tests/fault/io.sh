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
# ENOSPC (it takes the code paths of EIO); six of the eight cases; no
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

. tests/fault/cases.sh
if [ "$FULL" = 1 ]; then
    CASES="convert-xml-md convert-html-json convert-text-html convert-gz-xml convert-big-html run-records-report run-csv-write run-jsonl-input"
else # the other two conversions take the same I/O paths as the first
    CASES="convert-xml-md convert-gz-xml convert-big-html run-records-report run-csv-write run-jsonl-input"
fi

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
    check_outputs "$rc"
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
