#!/bin/sh
# chromium.sh -- renders an HTML report in headless Chromium and checks that
# a page came out: the screenshot exists, is larger than 10 kB, and is not a
# single colour (a blank or failed render is one colour).  Prints TAP lines;
# without Chromium or python3 the checks are skipped ("ok ... # SKIP"), so
# the script can run on machines without a browser.  Exit status 1 if a
# check failed, else 0.
#
#   sh tests/report/chromium.sh REPORT.html [SHOT.png]
#
# SHOT.png is kept if given (to look at it), else a temporary file is used.
# Environment: CHROMIUM (the browser binary; default: the first of chromium,
# chromium-browser, google-chrome on PATH), WINDOW (default 1200,2400).
#
# The colour count uses python3's standard library only (zlib + struct):
# the PNG is decoded by hand (8-bit gray/RGB/RGBA/gray+alpha, no interlace,
# which is what Chromium writes); decoding stops once 256 colours are seen.
report=$1
shot=$2
WINDOW=${WINDOW:-1200,2400}
n=0
failed=0
ok()     { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $*"; }
skip()   { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

if [ -z "$report" ] || [ ! -f "$report" ]; then
    not_ok "chromium.sh: no report file given (usage: chromium.sh REPORT.html [SHOT.png])"
    exit 1
fi

browser=${CHROMIUM:-}
if [ -z "$browser" ]; then
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" > /dev/null 2>&1; then browser=$b; break; fi
    done
fi
if [ -z "$browser" ]; then
    skip "render $report" "chromium not found"
    exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-chromium.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -n "$shot" ] || shot="$tmp/shot.png"
rm -f "$shot"
case $report in
    /*) url="file://$report" ;;
    *)  url="file://$(pwd)/$report" ;;
esac

# Its own profile folder, so that a running browser or a stale lock does
# not interfere; D-Bus complaints on stderr are expected in containers.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$tmp/profile" --window-size="$WINDOW" --screenshot="$shot" "$url" \
    > "$tmp/log" 2>&1
rc=$?
if [ -f "$shot" ]; then
    ok "chromium rendered $report to $shot"
else
    not_ok "chromium wrote no screenshot (exit $rc)"; sed 's/^/#   /' "$tmp/log" | tail -5
    exit 1
fi

size=$(wc -c < "$shot" | tr -d ' ')
if [ "$size" -gt 10240 ]; then
    ok "screenshot is $size bytes (> 10 kB)"
else
    not_ok "screenshot is only $size bytes"
fi

if ! command -v python3 > /dev/null 2>&1; then
    skip "screenshot has more than one colour" "python3 not found"
    exit 0
fi
colours=$(python3 - "$shot" << 'EOF'
import struct, sys, zlib

def colours(path, stop=256):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, ctype, _, _, interlace = hdr
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(ctype)
    if depth != 8 or channels is None or interlace:
        raise ValueError("unsupported PNG (depth %d, colour type %d, interlace %d)" % (depth, ctype, interlace))
    raw = zlib.decompress(b"".join(idat))
    bpp, stride = channels, width * channels
    prev = bytearray(stride)
    seen = set()
    for y in range(height):
        base = y * (stride + 1)
        f, line = raw[base], bytearray(raw[base + 1:base + 1 + stride])
        if f == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 255
        elif f == 2:
            for i in range(stride):
                line[i] = (line[i] + prev[i]) & 255
        elif f == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        for i in range(0, stride, bpp):
            seen.add(bytes(line[i:i + bpp]))
        if len(seen) >= stop:
            break
        prev = line
    return len(seen)

print(colours(sys.argv[1]))
EOF
) 2> "$tmp/py"
if [ -n "$colours" ] && [ "$colours" -gt 1 ]; then
    ok "screenshot has $colours or more distinct colours"
else
    not_ok "screenshot is a single colour (or unreadable: '$colours')"; sed 's/^/#   /' "$tmp/py" | tail -3
fi
exit $failed
