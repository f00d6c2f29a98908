#!/bin/sh
# run.sh -- the bad-input set (see cases.tsv).  Prints TAP lines.
LODE=${LODE:-build/lode}
DIR=tests/bad
LIMIT=5
[ "$SAN" = 1 ] && LIMIT=20
[ "$COV" = 1 ] && LIMIT=20  # -O0 with gcov counters
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-bad.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
have_strace=0
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then have_strace=1; fi
n=0; tab=$(printf '\t')

ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $*"; }

grep -v '^#' "$DIR/cases.tsv" | while IFS="$tab" read -r file opts want frag; do
    [ -n "$file" ] || continue
    out="$tmp/out"; rm -f "$out" "$tmp/err" "$tmp/trace"
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    "$LODE" convert "$DIR/$file" $opts -o "$out" 2> "$tmp/err"
    got=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ $have_strace = 1 ]; then
        # A second run under strace only records which files and sockets are
        # touched (LeakSanitizer cannot run under ptrace, so leaks are
        # checked by the first run).
        # shellcheck disable=SC2086
        ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" strace -f -qq -e trace=open,openat,connect,socket \
            -o "$tmp/trace" "$LODE" convert "$DIR/$file" $opts -o "$tmp/out2" 2> /dev/null
        rm -f "$tmp/out2"
    fi
    what="$file $opts"
    msg=$(head -c 300 "$tmp/err" | tr '\n' ' ')
    if [ "$got" != "$want" ]; then
        not_ok "$what: exit $got, expected $want"; echo "#   stderr: $msg"
    elif [ "$frag" != - ] && ! grep -qF -- "$frag" "$tmp/err"; then
        not_ok "$what: message lacks '$frag'"; echo "#   stderr: $msg"
    elif [ "$frag" != - ] && ! grep -qF -- "$file" "$tmp/err"; then
        not_ok "$what: message does not name the file"; echo "#   stderr: $msg"
    elif [ "$frag" = - ] && [ -s "$tmp/err" ]; then
        not_ok "$what: expected no message"; echo "#   stderr: $msg"
    elif LC_ALL=C grep -q "$(printf '[\001-\010\016-\037\177]')" "$tmp/err"; then
        not_ok "$what: raw control characters in the message"
    elif grep -q 'Sanitizer\|runtime error:' "$tmp/err"; then
        not_ok "$what: sanitizer report"; sed 's/^/#   /' "$tmp/err" | head -30
    elif [ "$want" != 0 ] && { [ -e "$out" ] || ls "$tmp" | grep -q 'out\.tmp-'; }; then
        not_ok "$what: an output file was left behind after the failure"
    elif [ "$want" = 0 ] && [ ! -s "$out" ]; then
        not_ok "$what: no output after success"
    elif [ "$ms" -gt $((LIMIT * 1000)) ]; then
        not_ok "$what: took $ms ms (bound ${LIMIT}s)"
    elif [ $have_strace = 1 ] && grep -q 'canary\.txt\|/etc/hostname\|/etc/xml/\|connect(\|socket(' "$tmp/trace"; then
        not_ok "$what: touched a file outside the input or the network"; grep 'canary\|hostname\|connect\|socket' "$tmp/trace" | head -5 | sed 's/^/#   /'
    else
        ok "$what: exit $got in $ms ms: $(head -n 1 "$tmp/err")"
    fi
done
# The same documents must never leak the canary into any output format.
for f in xxe-system.xml xxe-parameter.xml xinclude.xml catalog-pi.xml html-resources.html; do
    for fmt in xml html text markdown json; do
        "$LODE" convert "$DIR/$f" -t $fmt > "$tmp/o" 2>/dev/null
        if grep -q LODE-CANARY "$tmp/o"; then echo "not ok - $f -t $fmt: canary content in output"
        else echo "ok - $f -t $fmt: canary content not in output"; fi
    done
done
