#!/usr/bin/env python3
"""run.py -- pathological inputs (HARDENING 6, cmark's pathological tests).

Each case generates its input at two sizes, n and 2n (nothing is stored in
git; the files go to a temporary folder and are deleted after use), runs lode
on it three times per size and checks:

  - the result: the expected exit status, and the expected message (naming
    the file) or a correct output;
  - the absolute bound: CPU time (user + system) <= 10 s and peak RSS
    <= 512 MiB at both sizes.  CPU time, not wall time, because the test
    machines are shared; a run is killed as a hang after 60 s of CPU time
    (or 300 s of wall-clock time).
    Under SAN=1 (ASan + UBSan: about 2-3x slower, shadow memory) the bounds
    are 40 s and 2 GiB;
  - linear growth: min-of-3 CPU time at 2n <= 2.5 x min-of-3 at n.  Skipped
    when both are below 50 ms, where process start-up and noise dominate.

Time and memory come from wait4()'s rusage of the lode process itself,
measured by a small helper (tests/tools/rusage.c) so that the Python
process's own memory does not count.
Prints TAP lines and a figure line per case:

  python3 tests/patho/run.py [CASE...]     (LODE=build/lode, SAN=1)
"""
import os
import subprocess
import sys
import tempfile

LODE = os.environ.get("LODE", "build/lode")
RUSAGE = os.path.join(os.environ.get("BUILD", "build"), "tests", "rusage")
SAN = os.environ.get("SAN") == "1"
CPU_LIMIT = 40.0 if SAN else 10.0
RSS_LIMIT_KB = (2048 if SAN else 512) * 1024
WALL_TIMEOUT = 60.0  # CPU seconds before a run counts as a hang (5x that in wall time)
RUNS = 3
RATIO = 2.5
NOISE_FLOOR = 0.05

MARK_A = "\u0301"  # COMBINING ACUTE ACCENT, class 230
MARK_B = "\u0316"  # COMBINING GRAVE ACCENT BELOW, class 220: alternating
                   # classes make canonical reordering do real work


def run(argv, out_path, err_path):
    """Runs argv under the rusage helper; returns (status, cpu seconds, peak
    RSS in KiB, wall s).  status is the exit status, 128 + signal number, or
    None on timeout."""
    rep = out_path + ".rusage"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        subprocess.run([RUSAGE, rep, str(WALL_TIMEOUT)] + argv, stdout=out, stderr=err,
                       stdin=subprocess.DEVNULL, check=True)
    with open(rep) as f:
        report = f.read()
    f = dict(kv.split("=") for kv in report.split())
    code = None if f["status"] == "timeout" else int(f["status"])
    return code, float(f["cpu"]), int(f["maxrss_kb"]), float(f["wall"])


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def lua_string(s):
    return '"' + "".join("\\%d" % ord(c) if c in '"\\\n' else c for c in s) + '"'


# ---- the cases ---------------------------------------------------------------
# Each case: name, n, gen(dir, n) -> argv (files written into dir), and
# check(status, stdout bytes, stderr text, input path) -> None or a reason.


def expect_error(frag, status=1):
    def check(code, out, err, path):
        if code != status:
            return "exit %s, expected %d: %s" % (code, status, err[:200])
        if frag not in err:
            return "message lacks %r: %s" % (frag, err[:200])
        if path not in err:
            return "message does not name the file: %s" % err[:200]
        return None
    return check


def expect_ok(need=None, min_out=1):
    def check(code, out, err, path):
        if code != 0:
            return "exit %s, expected 0: %s" % (code, err[:200])
        if len(out) < min_out:
            return "output has %d bytes, expected at least %d" % (len(out), min_out)
        if need is not None and need.encode() not in out:
            return "output lacks %r" % need
        return None
    return check


def either(*checks):
    """Passes if any of checks passes (a size may cross a limit)."""
    def check(code, out, err, path):
        reasons = [c(code, out, err, path) for c in checks]
        return None if None in reasons else " / ".join(reasons)
    return check


def convert(path, fmt, *extra):
    return [LODE, "convert", path, "-t", fmt] + list(extra)


def g_xml_deep(d, n):
    p = os.path.join(d, "deep.xml")
    write(p, "<a>" * n + "</a>" * n)
    return convert(p, "json"), p


def g_html_deep(d, n):
    p = os.path.join(d, "deep.html")
    write(p, "<html><body>" + "<div>" * n + "x")
    return convert(p, "json"), p


def g_html_deep_table(d, n):
    p = os.path.join(d, "tables.html")
    write(p, "<table><tr><td>" * (n // 3) + "x")
    return convert(p, "text"), p


def g_attrs(ext, quote):
    def gen(d, n):
        p = os.path.join(d, "attrs." + ext)
        q = '"' if quote else ""
        write(p, "<p " + " ".join("a%d=%s1%s" % (i, q, q) for i in range(n)) + ">x</p>")
        return convert(p, "json"), p
    return gen


def g_attrs_at_limit(d, n):
    # n tags with exactly 1024 attributes each: just under lode's cap, so
    # libxml2's quadratic duplicate check runs, bounded per tag
    p = os.path.join(d, "limit.xml")
    tag = "<t " + " ".join('a%d="1"' % i for i in range(1024)) + "/>"
    write(p, "<r>" + tag * n + "</r>")
    return convert(p, "json"), p


def g_text_line(d, n):
    p = os.path.join(d, "line.txt")
    with open(p, "wb") as f:
        chunk = b"word " * (1 << 16)
        for _ in range(n // len(chunk)):
            f.write(chunk)
    return convert(p, "json"), p


def g_text_line_ok(d, n):
    p = os.path.join(d, "line.txt")
    write(p, ("wort " * (n // 5)) + "\n")
    return convert(p, "markdown"), p


def marks(n):
    return "a" + (MARK_A + MARK_B) * (n // 2) + " b\n"


def g_text_marks(d, n):
    p = os.path.join(d, "marks.txt")
    write(p, marks(n))
    return convert(p, "json"), p


def g_text_marks_run(d, n):
    p = os.path.join(d, "marks.txt")
    write(p, marks(n))
    s = os.path.join(d, "nfc.lua")
    write(s, """local text = require "lode.text"
return { p = function(p, ctx)
  local t = p:text()
  ctx:emit{ nfc = #text.normalize(t), nfd = #text.normalize(t, "NFD"),
            nfkc = #text.normalize(t, "NFKC"), strip = text.strip_marks(t),
            fold = #text.casefold(t), width = text.width(t), len = text.len(t, "graphemes") }
end }
""")
    return [LODE, "run", s, p], p


def g_lua_marks(d, n):
    s = os.path.join(d, "marks.lua")
    write(s, """local text = require "lode.text"
local s = "a" .. string.rep("\\u{301}\\u{316}", %d) .. " b"
return { begin = function()
  local r = {}
  for _, form in ipairs{"NFC", "NFD", "NFKC", "NFKD"} do r[#r + 1] = #text.normalize(s, form) end
  r[#r + 1] = text.strip_marks(s)
  r[#r + 1] = #text.upper(s) + #text.casefold(s) + text.width(s) + text.len(s)
  local g = 0
  for _ in text.graphemes(s) do g = g + 1 end
  local w = 0
  for _ in text.words(s) do w = w + 1 end
  print("graphemes " .. g .. " words " .. w .. " strip " .. r[5])
end }
""" % (n // 2))
    p = os.path.join(d, "one.txt")
    write(p, "x\n")
    return [LODE, "run", s, p], s


def g_html_script(d, n):
    p = os.path.join(d, "script.html")
    line = 'if (a < b && c > d) { s = "</scr" + "ipt><div a=1>"; } // <!--\n'
    write(p, "<html><body><p>before</p><script>" + line * (n // len(line)))
    return convert(p, "json"), p


def g_xml_script(d, n):
    p = os.path.join(d, "script.xml")
    line = "if (a &lt; b) { s = 1; }\n"
    write(p, "<doc><script>" + line * (n // len(line)))
    return convert(p, "json"), p


def g_comment_hyphens(split):
    """A comment holding n "--": libxml2 2.9.14 copies the comment read so
    far into each of its n errors unless the parse stops at the first."""
    def gen(d, n):
        p = os.path.join(d, "hyphens.xml")
        write(p, "<d><p>1</p><!--" + "--x" * n + "--><p>2</p></d>\n")
        if split:
            s = os.path.join(d, "count.lua")
            write(s, 'return { p = function() end }\n')
            return [LODE, "run", "--split", "p", s, p], p
        return convert(p, "json"), p
    return gen


def g_fanout(fmt, *extra):
    def gen(d, n):
        p = os.path.join(d, "fanout.xml")
        write(p, '<!DOCTYPE d [<!ENTITY e "%s">]>\n<d>%s</d>\n' % ("x" * 1000, "&e;" * n))
        return convert(p, fmt, *extra), p
    return gen


def g_fanout_lua(d, n, xpath=True):
    p = os.path.join(d, "fanout.xml")
    write(p, '<!DOCTYPE d [<!ENTITY e "%s">]>\n<d>%s</d>\n' % ("x" * 1000, "&e;" * n))
    s = os.path.join(d, "text.lua")
    if xpath:
        write(s, 'return { d = function(d, ctx) ctx:emit{ n = #d:text(), x = #ctx.doc:xpath("string(/)") } end }\n')
    else:
        write(s, 'return { d = function(d, ctx) ctx:emit{ x = #d:text() } end }\n')
    return [LODE, "run", s, p], p


def g_fanout_lua_text(d, n):
    return g_fanout_lua(d, n, False)


def g_attr_refs(d, n):
    p = os.path.join(d, "attr.xml")
    write(p, '<!DOCTYPE d [<!ENTITY e "%s">]>\n<d a="%s">x</d>\n' % ("x" * 1000, "&e;" * n))
    return [LODE, "query", "--json", "d", p], p


def g_xml_text(d, n):
    p = os.path.join(d, "text.xml")
    write(p, "<a>" + "x" * n + "</a>")
    return convert(p, "text"), p


def g_html_text(d, n):
    p = os.path.join(d, "text.html")
    write(p, "<p>" + "x" * n + "</p><p>after</p>")
    return convert(p, "text"), p


def alternatives(n):
    return ", ".join("e%d" % i for i in range(n))


def g_sel_rule(make):
    def gen(d, n):
        s = os.path.join(d, "rule.lua")
        write(s, "return { [%s] = function() end }\n" % lua_string(make(n)))
        p = os.path.join(d, "doc.html")
        write(p, "<p>x</p>")
        return [LODE, "run", s, p], s
    return gen


def g_sel_select(make):
    def gen(d, n):
        s = os.path.join(d, "select.lua")
        write(s, """return { begin = function(ctx)
  local d = lode.parse("<html><body>" .. string.rep("<p>x</p>", 1000), "html")
  local ok, err = pcall(d.select, d, %s)
  print(ok, err)
end }
""" % lua_string(make(n)))
        p = os.path.join(d, "doc.html")
        write(p, "<p>x</p>")
        return [LODE, "run", s, p], s
    return gen


def g_query_wide(d, n):
    # the longest selector lode accepts (~700 alternatives) over n elements
    p = os.path.join(d, "wide.html")
    write(p, "<html><body>" + "<p class=c>x</p>" * n + "<e0>hit</e0>")
    sel = alternatives(700)
    sel = sel[:sel.rfind(",", 0, 4000)]
    return [LODE, "query", "--count", sel, p], p


def g_many_rules(d, n):
    s = os.path.join(d, "rules.lua")
    write(s, """local r = {}
for i = 1, %d do r[#r + 1] = {"e" .. i, function() end} end
r[#r + 1] = {"p", function(p, ctx) ctx:emit{ p = true } end}
return r
""" % n)
    p = os.path.join(d, "doc.html")
    write(p, "<html><body>" + "<p>x</p>" * 100)
    return [LODE, "run", s, p], s


def g_wide(d, n):
    p = os.path.join(d, "wide.html")
    write(p, "<html><body><ol>" + "<li>item <b>x</b> &amp; y</li>" * n + "</ol>")
    return convert(p, "markdown"), p


def g_namespaces(d, n):
    # n nested elements, each declaring 100 prefixes and using the outermost
    p = os.path.join(d, "ns.xml")
    decl = " ".join('xmlns:p%d="urn:x%d"' % (i, i) for i in range(100))
    write(p, ("<p0:e %s>" % decl) * n + "x" + "</p0:e>" * n)
    return convert(p, "xml"), p


CASES = [
    # name, n, generator, check
    ("xml-deep-100k", 100000, g_xml_deep, expect_error("nested deeper than 256 levels")),
    ("html-deep-100k", 100000, g_html_deep, expect_error("nested deeper than 256 levels")),
    ("html-deep-tables-100k", 100000, g_html_deep_table, expect_error("nested deeper than 256 levels")),
    ("xml-attrs-60k", 60000, g_attrs("xml", True), expect_error("more than 1024 attributes on one tag")),
    ("html-attrs-60k", 60000, g_attrs("html", False), expect_error("more than 1024 attributes on one tag")),
    ("xml-1024-attrs-x100-tags", 100, g_attrs_at_limit, expect_ok('"a1023"')),
    ("text-line-50mb", 50 << 20, g_text_line, expect_error("paragraph longer than 16 MiB")),
    ("text-line-7mb", 7 << 20, g_text_line_ok, expect_ok("wort wort", (7 << 20) - 16)),
    ("text-marks-80k", 80000, g_text_marks, expect_ok('"p"')),
    ("text-marks-80k-nfc-run", 80000, g_text_marks_run, expect_ok('"strip":"a b"')),
    ("lua-marks-80k", 80000, g_lua_marks, expect_ok("graphemes 3 words 2 strip a b")),
    # 8 MiB of script text is read; 16 MiB passes libxml2's text-node cap,
    # which lode turns into an error instead of a cut page
    ("html-script-8mb", 8 << 20, g_html_script,
     either(expect_ok('"before"'), expect_error("a text node longer than 10000000 bytes"))),
    ("xml-script-8mb", 8 << 20, g_xml_script,
     either(expect_error("Premature end of data"), expect_error("a text node longer than 10000000 bytes"))),
    ("xml-text-node-20mb", 20 << 20, g_xml_text, expect_error("a text node longer than 16 MiB")),
    ("html-text-node-12mb", 12000000, g_html_text, expect_error("a text node longer than 10000000 bytes")),
    ("xml-comment-hyphens-200k", 200000, g_comment_hyphens(False), expect_error("Double hyphen within comment")),
    ("xml-split-comment-hyphens-200k", 200000, g_comment_hyphens(True), expect_error("Double hyphen within comment")),
    ("xml-fanout-json", 100000, g_fanout("json"), expect_error("entity expansion exceeds the limit")),
    ("xml-fanout-text", 100000, g_fanout("text"), expect_error("entity expansion exceeds the limit")),
    ("xml-fanout-entities", 100000, g_fanout("xml", "--entities"), expect_error("entity expansion exceeds the limit")),
    ("xml-fanout-lua-text", 100000, g_fanout_lua, expect_error("entity expansion exceeds the limit")),
    ("xml-fanout-8k-under-limit-lua", 8000, g_fanout_lua_text, expect_ok('"x":')),
    # libxml2 grows XPath's string() buffer by exact sizes: linear with
    # glibc's realloc (mremap), quadratic under ASan's, which always copies
    # (8 MB: 0.2 s, under SAN=1 11 minutes); so not under SAN=1
    ("xml-fanout-8k-under-limit-xpath", 8000, g_fanout_lua, expect_ok('"x":'), "no-san"),
    ("xml-attr-30k-entity-refs", 30000, g_attr_refs, expect_error("more than 64 entity references")),
    ("selector-100k-alternatives-rule", 100000, g_sel_rule(alternatives), expect_error("selector too long", 2)),
    ("selector-100k-alternatives-select", 100000, g_sel_select(alternatives), expect_ok("selector too long")),
    ("selector-1mb-rule", 1 << 20, g_sel_rule(lambda n: "div " * (n // 4)), expect_error("selector too long", 2)),
    ("selector-1mb-select", 1 << 20, g_sel_select(lambda n: "div " * (n // 4)), expect_ok("selector too long")),
    ("query-longest-selector-50k-elements", 50000, g_query_wide, expect_ok("1")),
    ("rules-25k", 25000, g_many_rules, expect_ok('{"p":true}')),
    ("html-wide-100k", 100000, g_wide, expect_ok("item **x** & y")),
    ("xml-namespaces-250x100", 125, g_namespaces, expect_ok("urn:x99")),
]


def measure(tmp, name, n, gen, check):
    """Runs the case at n and 2n; returns ({size: min cpu}, problem, figures)."""
    best = {}
    problem = None
    figures = []
    for size in (n, 2 * n):
        d = os.path.join(tmp, "%s-%d" % (name, size))
        os.mkdir(d)
        argv, path = gen(d, size)
        out_p, err_p = os.path.join(d, "stdout"), os.path.join(d, "stderr")
        times = []
        for _ in range(RUNS):
            code, cpu, rss, wall = run(argv, out_p, err_p)
            with open(out_p, "rb") as f:
                out = f.read()
            with open(err_p, "r", encoding="utf-8", errors="replace") as f:
                err = f.read()
            if code is None:
                problem = "size %d: no result after %.0f s of CPU time (hang)" % (size, WALL_TIMEOUT)
            elif "Sanitizer" in err or "runtime error:" in err:
                problem = "size %d: sanitizer report: %s" % (size, err[:300])
            elif code >= 128:
                problem = "size %d: crashed (status %d)" % (size, code)
            else:
                why = check(code, out, err, path)
                if why:
                    problem = "size %d: %s" % (size, why)
            if not problem and cpu > CPU_LIMIT:
                problem = "size %d: %.2f s CPU (limit %.0f s)" % (size, cpu, CPU_LIMIT)
            if not problem and rss > RSS_LIMIT_KB:
                problem = "size %d: peak RSS %d MiB (limit %d MiB)" % (size, rss >> 10, RSS_LIMIT_KB >> 10)
            times.append(cpu)
            if problem:
                break
            peak = rss
        if problem:
            break
        best[size] = min(times)
        figures.append("n=%d %.3f s %d MiB" % (size, best[size], peak >> 10))
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)
    return best, problem, figures


def scales(t1, t2):
    return (t1 < NOISE_FLOOR and t2 < NOISE_FLOOR) or t2 <= RATIO * max(t1, NOISE_FLOOR / 2)


def main():
    only = set(sys.argv[1:])
    base = os.environ.get("TMPDIR", "/tmp")
    n_test = 0
    failed = 0
    with tempfile.TemporaryDirectory(prefix="lode-patho.", dir=base) as tmp:
        for name, n, gen, check, *flags in CASES:
            if only and name not in only:
                continue
            if SAN and "no-san" in flags:
                n_test += 1
                print("ok %d - %s # SKIP under SAN=1 (see the case's comment)" % (n_test, name))
                continue
            best, problem, figures = measure(tmp, name, n, gen, check)
            if not problem and not scales(best[n], best[2 * n]):
                # one more try: the machine is shared, and a burst of load
                # during one size is not a property of lode
                best, problem, figures = measure(tmp, name, n, gen, check)
            n_test += 1
            if problem:
                failed += 1
                print("not ok %d - %s: %s" % (n_test, name, problem))
                continue
            t1, t2 = best[n], best[2 * n]
            note = ", ".join(figures)
            print("ok %d - %s: result and bounds (%s)" % (n_test, name, note))
            n_test += 1
            if t1 < NOISE_FLOOR and t2 < NOISE_FLOOR:
                print("ok %d - %s: scaling not checked, both under %d ms" % (n_test, name, NOISE_FLOOR * 1000))
            elif scales(t1, t2):
                print("ok %d - %s: time(2n)/time(n) = %.2f" % (n_test, name, t2 / max(t1, 1e-6)))
            else:
                failed += 1
                print("not ok %d - %s: time(2n)/time(n) = %.2f (%.3f s / %.3f s), more than %.1f"
                      % (n_test, name, t2 / max(t1, 1e-6), t2, t1, RATIO))
            sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
