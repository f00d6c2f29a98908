#!/usr/bin/env python3
"""select_compare.py -- compare lode's selector engine with lxml + cssselect.

For a fixed list of selectors and a set of real pages, counts matches with
`test_select --count` (libxml2's HTML parser, lode's matcher) and with
lxml.html.parse + lxml.cssselect (the same libxml2 parser, cssselect's
translation to XPath), and prints a table of agreements and every difference.

    python3 tests/tools/select_compare.py [--bin build/tests/test_select]
        [--corpus ../shared/corpus/html-news] [--pages N] [FILE...]

Without FILE arguments it takes N pages (default 10) from the corpus: the four
largest, then pages spread evenly over the rest by size.  Exit status: 0 when
all counts agree, 1 on a difference, 2 when something is missing.

Needs python3-lxml and python3-cssselect (Debian packages); if the first
python3 on PATH lacks them, the script re-runs itself under /usr/bin/python3.

Selectors are translated with cssselect.HTMLTranslator and evaluated with
lxml's XPath.  (lxml.cssselect.CSSSelector is not used: its :contains() is
case-insensitive, unlike cssselect's, jQuery's and ours.)  The selectors keep
to what cssselect 1.2 implements: no `of S`, only simple selectors inside
:not(), no attribute flags, no *:first-of-type.
"""
import os
import subprocess
import sys

try:
    import cssselect
    import lxml.etree
    import lxml.html
except ImportError:
    if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.stderr.write("select_compare: needs python3-lxml and python3-cssselect\n")
    sys.exit(2)

SELECTORS = [
    "*",
    "p",
    "div p a",
    "div > p",
    "body *",
    "a[href]",
    'a[href^="http"]',
    'a[href$=".html"]',
    'img[src*="jpg"]',
    'meta[property^="og:"]',
    'a[rel~="nofollow"]',
    'html[lang|="de"], html[lang|="en"]',
    "[data-src]",
    'img[alt=""]',
    "ul > li",
    "li:first-child",
    "li:last-child",
    "li:nth-child(2n+1)",
    "li:nth-child(-n+3)",
    "li:nth-last-child(2)",
    "tr:nth-child(even) td",
    "p:empty",
    ":root",
    "head > *",
    "script[type]",
    "div:has(> img)",
    "p:has(a)",
    "h2 + p",
    "h1 ~ p",
    "div:not(.content)",
    ":is(h1, h2, h3)",
    ":where(nav, footer) a",
    "a:only-child",
    "p:first-of-type",
    "span:last-of-type",
    "div:nth-of-type(3)",
    "li:only-of-type",
    "div > div > div > div p",
    "section p, article p",
    'p:contains("the")',
    'p:contains("und")',
]


def pick_pages(corpus, n):
    files = []
    for root, _dirs, names in os.walk(corpus):
        for name in names:
            if name.endswith((".html", ".htm")):
                path = os.path.join(root, name)
                files.append((os.path.getsize(path), path))
    files.sort(reverse=True)
    if len(files) <= n:
        return [p for _s, p in files]
    chosen = [p for _s, p in files[:4]]
    rest = files[4:]
    k = n - len(chosen)
    for i in range(k):
        chosen.append(rest[(i * (len(rest) - 1)) // max(k - 1, 1)][1])
    return chosen


def lode_counts(binary, selector, pages):
    out = subprocess.run([binary, "--count", selector] + pages + ([pages[0]] if len(pages) == 1 else []),
                         capture_output=True, text=True)
    if out.returncode != 0 and not out.stdout:
        raise RuntimeError(out.stderr.strip())
    counts = {}
    for line in out.stdout.splitlines():
        path, _sep, num = line.rpartition(":")
        counts[path] = int(num)
    return counts


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    binary = os.path.join(root, "build", "tests", "test_select")
    corpus = os.path.join(root, "..", "shared", "corpus", "html-news")
    npages = 10
    pages = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--bin":
            binary = args.pop(0)
        elif a == "--corpus":
            corpus = args.pop(0)
        elif a == "--pages":
            npages = int(args.pop(0))
        else:
            pages.append(a)
    if not os.access(binary, os.X_OK):
        sys.stderr.write("select_compare: %s not built (make unit)\n" % binary)
        return 2
    if not pages:
        pages = pick_pages(corpus, npages)
    if not pages:
        sys.stderr.write("select_compare: no pages under %s\n" % corpus)
        return 2

    trees = {p: lxml.html.parse(p) for p in pages}
    translator = cssselect.HTMLTranslator()
    agree = total = 0
    diffs = []
    print("%-36s %s" % ("selector", "agree/pages" + ("  (lode counts)" if len(pages) <= 12 else "")))
    for sel in SELECTORS:
        css = lxml.etree.XPath(translator.css_to_xpath(sel))
        mine = lode_counts(binary, sel, pages)
        ok = 0
        row = []
        for p in pages:
            theirs = len(css(trees[p].getroot()))
            got = mine.get(p)
            total += 1
            if got == theirs:
                ok += 1
                agree += 1
            else:
                diffs.append((sel, p, got, theirs))
            row.append(str(got))
        print("%-36s %d/%d%s" % (sel, ok, len(pages), "  (%s)" % " ".join(row) if len(pages) <= 12 else ""))
    print()
    print("%d of %d counts agree (%d selectors x %d pages)" % (agree, total, len(SELECTORS), len(pages)))
    for sel, p, got, theirs in diffs:
        print("DIFF %s on %s: lode %s, cssselect %s" % (sel, os.path.basename(p), got, theirs))
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
