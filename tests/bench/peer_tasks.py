"""peer_tasks.py -- lode against the peers of the shared benchmarks, T1-T4 (issue 9).

Imported by bench.py, whose machinery it uses (Peer, round_robin, record,
target, versus); each task function gets bench.py's module as `b`.

    peers-t1   count elements per document: html-news and xml
    peers-t2   title + paragraphs + links as JSON Lines: html-news;
               lode -j 1 and -j 2; pandoc per document on a sample
    peers-t3   HTML -> simplified XML: html-news; Markdown vs pandoc on a sample
    peers-t4   word report over news-de: lode -j 1 and -j 2, Python, gawk, Lua

lode runs the scripts of examples/bench/ (t1_count.lua ...); the peers are
the shared harness's own files ($PEER_BENCH/peers/, read, never changed),
run on the same file list in the same round-robin.  After the rounds the
outputs of the last round are compared: lode's with the reference peer's
(floor / lxml / Python), through the shared check.py (its summary is printed)
and through the stricter comparisons below; a mismatch is an error (exit 1).
A peer that is not installed is left out with a note.
"""
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys

PEER_BENCH = os.environ.get("PEER_BENCH", "")
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
EXAMPLES = os.path.join("examples", "bench")
SAMPLE = int(os.environ.get("PANDOC_SAMPLE", "16"))       # pandoc: every Nth page (0: no pandoc)
SLOW_RUNS = int(os.environ.get("SLOW_RUNS", "3"))         # rounds of the pandoc groups
CHEERIO = os.environ.get("CHEERIO", "1") != "0"

TASKS = ["peers-t1", "peers-t2", "peers-t3", "peers-t4"]


def peer_file(name):
    return os.path.join(PEER_BENCH, "peers", name) if PEER_BENCH else ""


def have_peers(b, task):
    if not PEER_BENCH or not os.path.isfile(peer_file("t2_extract.py")):
        b.skip(task, "the shared peer benchmarks (PEER_BENCH=%r) not found" % PEER_BENCH)
        return False
    return True


def lxml_ok():
    return subprocess.run([PYTHON, "-c", "import lxml.etree"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def node_env():
    """NODE_PATH under which `require('cheerio')` works, or None."""
    if not CHEERIO or not shutil.which("node"):
        return None
    cands = [os.environ.get("NODE_PATH", ""),
             os.path.join(os.environ.get("TMPDIR", "/tmp"), "docproc-bench", "node", "node_modules")]
    for c in cands:
        if c and subprocess.run(["node", "-e", "require('cheerio')"], env=dict(os.environ, NODE_PATH=c),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return {"NODE_PATH": c}
    return None


def out(b, name):
    return os.path.join(b.WORK, "out", name)


def missing(what, how):
    print("  %s: not installed, left out (%s)" % (what, how))


def mismatch(b, task, msg):
    print("  !! OUTPUT MISMATCH: " + msg)
    b.ERRORS.append("%s: lode's output differs from the peers': %s" % (task, msg))


def check_py(mode, *named):
    """The shared check.py's summary (printed)."""
    args = [PYTHON, os.path.join(PEER_BENCH, "check.py"), mode] + ["%s=%s" % nv for nv in named]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print("  check.py %s:" % mode)
    for ln in r.stdout.decode("utf-8", "replace").splitlines():
        print("  " + ln)


def lode_records(path, files):
    """lode's JSON Lines records ({"doc": PATH, ...}) in the order of `files`,
    without "doc"; lode writes an empty Lua table as {}: as [] for the peers."""
    recs = {}
    with open(path, encoding="utf-8") as f:
        for ln in f:
            r = json.loads(ln)
            d = r.pop("doc")
            for k, v in r.items():
                if v == {}:
                    r[k] = []
            recs[d] = r
    return [recs.get(p) for p in files]


def ratios(b, task, lode_peers, others):
    """lode's speed relative to each peer, from the same rounds: peer time /
    lode time (paired: median over rounds), > 1 = lode faster."""
    print("  lode vs each peer (peer time / lode time, paired over the rounds; > 1: lode is faster):")
    res = {}
    for lp in lode_peers:
        if not lp.runs:
            continue
        cells = []
        for q in others:
            if q is lp or not q.runs:
                continue
            r = b.versus(q, lp)
            res[(lp.name, q.name)] = r[1]
            cells.append("%s %.2fx" % (q.name, r[1]))
        print("    %-26s %s" % (lp.name + ":", "; ".join(cells)))
    return res


def lode_run(b, script, listpath, extra, jobs=1):
    return [b.LODE, "run", "-q", "-j", str(jobs), os.path.join(EXAMPLES, script), "--files-from", listpath] + extra


# ---------------------------------------------------------------------------
# T1: count the elements of each document

def task_t1(b):
    print("\n== peers-t1: count the elements of each document (T1), lode vs the peers")
    if not have_peers(b, "peers-t1"):
        return
    env = node_env()
    for kind, cname, suffix in (("html", "html-news", ".html"), ("xml", "xml", ".xml")):
        c = b.corpus(cname, suffix)
        if not c:
            print("  %s absent: skipped" % cname)
            continue
        files, lst, n, nb = c["files"], c["list"], len(c["files"]), c["bytes"]
        print("  %s: %d docs, %.1f MB" % (cname, n, nb / b.MB))
        floor = b.Peer("floor (libxml2)", [b.FLOOR, kind, "count", lst], nb, n, ref=True, out=True) if b.FLOOR else None
        lode_out = out(b, "t1-%s.lode.jsonl" % kind)
        lode = b.Peer("lode t1_count.lua", lode_run(b, "t1_count.lua", lst, ["-o", lode_out]), nb, n)
        peers = [floor, lode]
        if lxml_ok():
            peers.append(b.Peer("lxml", [PYTHON, peer_file("t1_count.py"), kind, lst], nb, n, out=True))
        else:
            missing("lxml", "apt-get install python3-lxml")
        xl = shutil.which("xmllint")
        if xl and b.args_fit(files):
            opt = ["--html"] if kind == "html" else ["--noent"]
            peers.append(b.Peer("xmllint --xpath", [xl] + opt + ["--xpath", "count(//*)"] + files, nb, n, out=True,
                                err_null=True))
        xs = shutil.which("xsltproc")
        if xs and b.args_fit(files):
            opt = ["--html"] if kind == "html" else ["--novalid", "--nonet"]
            peers.append(b.Peer("xsltproc", [xs] + opt + [peer_file("t1_count.xsl")] + files, nb, n, out=True,
                                err_null=True))
        elif not xs:
            missing("xsltproc", "apt-get install xsltproc")
        if env:
            peers.append(b.Peer("cheerio", ["node", peer_file("t1_count.js"), kind, lst], nb, n, env=env, out=True))
        elif CHEERIO:
            missing("cheerio", "node + cheerio 1.2.0: bash $PEER_BENCH/setup.sh")
        peers = b.round_robin("peers-t1-" + kind, peers, b.RUNS)
        b.record("peers-t1", cname, peers, floor)
        others = [p for p in peers if p is not lode]
        r = ratios(b, "peers-t1", [lode], others)
        # outputs: lode's counts against the floor's (all libxml2 peers with
        # the same parse options agree exactly; see BASELINES.md)
        ref = floor or next((p for p in peers if p.name == "lxml"), None)
        counts = out(b, "t1-%s.lode.counts" % kind)
        recs = lode_records(lode_out, files)
        with open(counts, "w") as f:
            for x in recs:
                f.write("%d\n" % (x["elements"] if x else -1))
        if ref:
            named = [(ref.name.split()[0], ref.out_path), ("lode", counts)] + \
                    [(p.name.split()[0], p.out_path) for p in peers if p.out_path and p is not ref]
            check_py("counts", *named)
            want = [int(x) for x in open(ref.out_path)]
            got = [x["elements"] if x else None for x in recs]
            same = sum(1 for x, y in zip(want, got) if x == y)
            # lode does not substitute the entities of a DTD's internal subset
            # (the floor does: XML_PARSE_NOENT); for the documents that differ,
            # libxml2 without substitution (xmllint without --noent) must agree
            ent = 0
            if kind == "xml" and xl:
                for i in (i for i, (x, y) in enumerate(zip(want, got)) if x != y):
                    r1 = subprocess.run([xl, "--xpath", "count(//*)", files[i]], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL).stdout.decode().strip()
                    ent += r1 == str(got[i])
            print("  lode = %s: %d of %d documents%s" % (ref.name, same, n, (
                "; the other %d = xmllint without --noent (entities of the internal subset not substituted "
                "by lode)" % ent) if ent else ""))
            same += ent
            if same != n or len(want) != n:
                mismatch(b, "peers-t1 " + cname, "element counts equal to %s in %d of %d documents"
                         % (ref.name, same, n))
        if floor and floor.runs and lode.runs:
            fr = b.versus(lode, floor)
            note = "; ".join("%s %.2fx" % (q, v) for (_, q), v in r.items() if q in ("lxml", "xsltproc", "cheerio"))
            b.target("T1 %s >= 0.85x floor throughput" % cname, "%.2fx floor (paired; cpu %.2fx)%s"
                     % (1 / fr[1], 1 / fr[2], "; vs " + note if note else ""), 1 / fr[1] >= 0.85,
                     "one worker; lode's speed relative to the peer, > 1 = faster")


# ---------------------------------------------------------------------------
# T2: title, paragraphs and links of each page as JSON Lines

LATIN1_RUN = re.compile("[\u0080-\u00ff]+")


def latin1_fixed(rec):
    """A record of libxml2's reading of a page as ISO-8859-1 (no charset
    declared, or from the first byte that is not UTF-8 on) with each run of
    U+0080-U+00FF re-read as UTF-8, as lode reads such a page; runs that are
    not UTF-8 that way are kept."""
    def run(m):
        try:
            return m.group().encode("latin-1").decode("utf-8")
        except UnicodeDecodeError:
            return m.group()

    def fix(s):
        return LATIN1_RUN.sub(run, s)
    return {"title": fix(rec["title"]), "paras": [fix(s) for s in rec["paras"]], "links": [fix(s) for s in rec["links"]]}


def compare_t2(b, task, ref_path, recs, n, ref_name="lxml"):
    """lode's records against the reference's, document by document."""
    want = b_load_jsonl(ref_path)
    same = fixed = 0
    other = []
    for i, (w, g) in enumerate(zip(want, recs)):
        if g is None:
            other.append(i)
        elif w == g:
            same += 1
        elif latin1_fixed(w) == g:
            fixed += 1
        else:
            other.append(i)
    tot = lambda rs, k: sum(len(r[k]) for r in rs if r)
    print("  lode = %s: %d of %d pages identical, %d more once %s's strings of pages read as ISO-8859-1 "
          "are re-read as UTF-8 (lode's charset rule), %d differ; paragraphs %d vs %d, links %d vs %d"
          % (ref_name, same, n, fixed, ref_name, len(other), tot(recs, "paras"), tot(want, "paras"),
             tot(recs, "links"), tot(want, "links")))
    for i in other[:3]:
        w, g = want[i], recs[i] or {}
        diff = [k for k in ("title", "paras", "links") if w.get(k) != g.get(k)]
        print("    differs: document %d (%s)" % (i + 1, ", ".join(diff)))
    return same, fixed, other


def b_load_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for ln in f:
            try:
                rows.append(json.loads(ln))
            except ValueError:
                rows.append({"title": "", "paras": [], "links": []})
    return rows


def write_jsonl(path, recs):
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r or {"title": "", "paras": [], "links": []}, ensure_ascii=False,
                               separators=(",", ":")) + "\n")


def task_t2(b):
    print("\n== peers-t2: title + paragraphs + links as JSON Lines (T2), lode vs the peers")
    if not have_peers(b, "peers-t2"):
        return
    c = b.corpus("html-news", ".html")
    if not c:
        return b.skip("peers-t2", "html-news absent")
    files, lst, n, nb = c["files"], c["list"], len(c["files"]), c["bytes"]
    print("  html-news: %d docs, %.1f MB" % (n, nb / b.MB))
    env = node_env()
    o1, o2 = out(b, "t2.lode-j1.jsonl"), out(b, "t2.lode-j2.jsonl")
    floor = b.Peer("floor (libxml2 parse)", [b.FLOOR, "html", "parse", lst], nb, n, ref=True) if b.FLOOR else None
    l1 = b.Peer("lode -j 1", lode_run(b, "t2_extract.lua", lst, ["-o", o1], 1), nb, n)
    l2 = b.Peer("lode -j 2", lode_run(b, "t2_extract.lua", lst, ["-o", o2], 2), nb, n)
    peers = [floor, l1, l2]
    lx = None
    if lxml_ok():
        lx = b.Peer("lxml", [PYTHON, peer_file("t2_extract.py"), lst], nb, n, out=True)
        peers.append(lx)
    else:
        missing("lxml", "apt-get install python3-lxml")
    xs = shutil.which("xsltproc")
    if xs and b.args_fit(files):
        peers.append(b.Peer("xsltproc", [xs, "--html", peer_file("t2_extract.xsl")] + files, nb, n, out=True,
                            err_null=True))
    elif not xs:
        missing("xsltproc", "apt-get install xsltproc")
    if env:
        peers.append(b.Peer("cheerio", ["node", peer_file("t2_extract.js"), lst], nb, n, env=env, out=True))
    elif CHEERIO:
        missing("cheerio", "node + cheerio 1.2.0: bash $PEER_BENCH/setup.sh")
    peers = b.round_robin("peers-t2", peers, b.RUNS)
    b.record("peers-t2", "html-news", peers, floor)
    r = ratios(b, "peers-t2", [l1, l2], [p for p in peers if p not in (l1,)])
    recs1, recs2 = lode_records(o1, files), lode_records(o2, files)
    same_j = recs1 == recs2
    print("  lode -j 1 and -j 2 records: %s" % ("identical" if same_j else "DIFFERENT"))
    if not same_j:
        mismatch(b, "peers-t2", "-j 1 and -j 2 give different records")
    conv = out(b, "t2.lode.jsonl")
    write_jsonl(conv, recs1)
    if lx:
        named = [("lxml", lx.out_path), ("lode", conv)] + [(p.name, p.out_path) for p in peers
                                                           if p.out_path and p is not lx]
        check_py("jsonl", *named)
        same, fixed, other = compare_t2(b, "peers-t2", lx.out_path, recs1, n)
        # pages lode and lxml read alike must give the same record; the rest
        # are the few pages libxml2 reads as ISO-8859-1 that are not UTF-8 either
        if len(other) > n // 50:
            mismatch(b, "peers-t2", "%d of %d pages differ from lxml's records" % (len(other), n))
    if floor and floor.runs:
        fr = b.versus(l1, floor)
        b.target("T2 html-news >= 0.85x floor throughput", "%.2fx floor (paired; cpu %.2fx)" % (1 / fr[1], 1 / fr[2]),
                 1 / fr[1] >= 0.85, "lode -j 1")
    for q, want in (("lxml", 1.3), ("xsltproc", 1.2), ("cheerio", 5.0)):
        v = r.get(("lode -j 1", q))
        if v is not None:
            b.target("T2 >= %gx %s (one worker)" % (want, q), "%.2fx" % v, v >= want, "paired, same run")
    if l1.runs and l2.runs:
        sp = b.versus(l1, l2)[1]
        b.target("T2 -j 2 >= 1.8x -j 1", "%.2fx (%.2f s -> %.2f s); records %s" % (
            sp, b.med([w for w, _, _ in l1.runs]), b.med([w for w, _, _ in l2.runs]),
            "identical" if same_j else "DIFFER"), sp >= 1.8 and same_j, "2 CPUs shared with other work")
        v = r.get(("lode -j 2", "lxml"))
        if v is not None:
            b.target("T2 -j 2 >= 2.4x lxml", "%.2fx" % v, v >= 2.4, "paired, same run")
    t2_pandoc(b, c)


def sample_of(b, c, name):
    files = c["files"][::SAMPLE]
    return files, b.write_list(name, files), b.total_bytes(files)


def t2_pandoc(b, c):
    pandoc = shutil.which("pandoc")
    if not pandoc or SAMPLE <= 0:
        return missing("pandoc", "apt-get install pandoc") if not pandoc else None
    files, lst, sb = sample_of(b, c, "t2-pandoc")
    n = len(files)
    print("\n  T2 with pandoc (one process per page, as pandoc is run), every %dth page: %d docs, %.1f MB"
          % (SAMPLE, n, sb / b.MB))
    o1 = out(b, "t2-sample.lode.jsonl")
    l1 = b.Peer("lode -j 1", lode_run(b, "t2_extract.lua", lst, ["-o", o1], 1), sb, n, ref=True)
    loop = ('while IFS= read -r f; do pandoc -f html -t plain --lua-filter "$1" -o /dev/null "$f" || '
            'echo \'{"title":"","paras":[],"links":[]}\'; done < "$2"')
    pd = b.Peer("pandoc + Lua filter, per doc", ["bash", "-c", loop, "t2", peer_file("t2_pandoc.lua"), lst], sb, n,
                out=True, err_null=True)
    peers = b.round_robin("peers-t2-pandoc", [l1, pd], SLOW_RUNS, warmup=False)
    b.record("peers-t2-pandoc", "html-news 1/%d" % SAMPLE, peers, l1)
    conv = out(b, "t2-sample.lode.jsonl.peer")
    write_jsonl(conv, lode_records(o1, files))
    check_py("jsonl", ("lode", conv), ("pandoc", pd.out_path))
    print("  (pandoc's paragraphs are its Para blocks, not <p>: the counts differ by definition)")
    if l1.runs and pd.runs:
        v = b.versus(pd, l1)[1]
        b.target("T2 >= 50x pandoc (per doc)", "%.1fx" % v, v >= 50, "every %dth page" % SAMPLE)


# ---------------------------------------------------------------------------
# T3: HTML page -> simplified XML

def written(root, files, ext):
    """The files lode --write wrote for `files` (--files-from: mirrored by
    path), in the order of `files`."""
    res = []
    for p in files:
        # as lode's list_rel (core/cli/inputs.c): no leading '/', no "." or
        # empty segments, ".." -> "__"
        segs = ["__" if s == ".." else s for s in p.split("/") if s not in ("", ".")]
        res.append(os.path.join(root, os.path.splitext("/".join(segs))[0] + ext))
    return res


def concat(paths, dest):
    with open(dest, "wb") as f:
        for p in paths:
            try:
                with open(p, "rb") as g:
                    data = g.read()
            except OSError:
                data = b'<?xml version="1.0"?>\n<missing/>\n'
            f.write(data if data.endswith(b"\n") else data + b"\n")


def c14n_compare(ref_path, lode_path):
    """Per document: canonical XML equal? Also with the reference's strings
    re-read as UTF-8 where they were read as ISO-8859-1."""
    code = r'''
import sys
sys.argv = [sys.argv[0]] + sys.argv[1:]
from lxml import etree
def split(path):
    data = open(path, "rb").read()
    out = []
    for p in [p for p in data.split(b"<?xml ") if p.strip()]:
        try:
            out.append(etree.fromstring(b"<?xml " + p))
        except etree.XMLSyntaxError:
            out.append(None)
    return out
import re
def run(m):
    try:
        return m.group().encode("latin-1").decode("utf-8")
    except UnicodeDecodeError:
        return m.group()
def fix(s):
    return re.sub("[\u0080-\u00ff]+", run, s)
def refixed(d):
    for el in d.iter():
        if el.text: el.text = fix(el.text)
        if el.tail: el.tail = fix(el.tail)
        for k, v in el.attrib.items(): el.set(k, fix(v))
    return d
c = lambda d: etree.tostring(d, method="c14n") if d is not None else None
r, o = split(sys.argv[1]), split(sys.argv[2])
same = fixed = 0
other = []
for i, (a, b) in enumerate(zip(r, o)):
    if c(a) == c(b): same += 1
    elif a is not None and c(refixed(a)) == c(b): fixed += 1
    else: other.append(i + 1)
print(len(r), len(o), same, fixed, " ".join(map(str, other)))
'''
    res = subprocess.run([PYTHON, "-c", code, ref_path, lode_path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    f = res.stdout.decode().split(None, 4)
    if len(f) < 4:
        return None
    return int(f[0]), int(f[1]), int(f[2]), int(f[3]), [int(x) for x in (f[4].split() if len(f) > 4 else [])]


def task_t3(b):
    print("\n== peers-t3: HTML page -> simplified XML (T3), lode vs the peers")
    if not have_peers(b, "peers-t3"):
        return
    c = b.corpus("html-news", ".html")
    if not c:
        return b.skip("peers-t3", "html-news absent")
    files, lst, n, nb = c["files"], c["list"], len(c["files"]), c["bytes"]
    print("  html-news: %d docs, %.1f MB; every command writes one stream of documents to a file (lode: "
          "--write - -t xml); lode also one file per page (--write DIR)" % (n, nb / b.MB))
    wdir = out(b, "t3-lode")
    floor = b.Peer("floor (libxml2 parse)", [b.FLOOR, "html", "parse", lst], nb, n, ref=True) if b.FLOOR else None
    lode = b.Peer("lode -j 1", lode_run(b, "t3_simplify.lua", lst, ["--write", "-", "-t", "xml"], 1), nb, n,
                  out=True)
    lode2 = b.Peer("lode -j 2", lode_run(b, "t3_simplify.lua", lst, ["--write", "-", "-t", "xml"], 2), nb, n,
                   out=True)
    lodef = b.Peer("lode -j 1, file per page", lode_run(b, "t3_simplify.lua", lst, ["--write", wdir, "-t", "xml"], 1),
                   nb, n)
    # each run writes into a fresh folder, as the peers write a fresh file:
    # replacing existing files costs more on ext4 (see docs/performance.md, --write)
    lodef.prepare = lambda: shutil.rmtree(wdir, ignore_errors=True)
    peers = [floor, lode, lode2, lodef]
    lx = None
    if lxml_ok():
        lx = b.Peer("lxml", [PYTHON, peer_file("t3_simplify.py"), lst], nb, n, out=True)
        peers.append(lx)
    xs = shutil.which("xsltproc")
    if xs and b.args_fit(files):
        peers.append(b.Peer("xsltproc", [xs, "--html", peer_file("t3_simplify.xsl")] + files, nb, n, out=True,
                            err_null=True))
    elif not xs:
        missing("xsltproc", "apt-get install xsltproc")
    peers = b.round_robin("peers-t3", peers, b.RUNS)
    b.record("peers-t3", "html-news", peers, floor)
    others = [p for p in peers if p not in (lode, lode2, lodef, floor)]
    r = ratios(b, "peers-t3", [lode, lode2, lodef], others)
    conv = out(b, "t3.lode.xml")
    concat(written(wdir, files, ".xml"), conv)
    if not (lode.out_path and lode2.out_path and filecmp.cmp(lode.out_path, conv, shallow=False) and
            filecmp.cmp(lode2.out_path, conv, shallow=False)):
        mismatch(b, "peers-t3", "lode's stream (--write -, -j 1 and -j 2) differs from its files (--write DIR)")
    else:
        print("  lode --write - (-j 1, -j 2) = the files of --write DIR, in input order: same bytes")
    if lx:
        check_py("sdoc", *([("lxml", lx.out_path), ("lode", conv)] +
                           [(p.name, p.out_path) for p in others if p.out_path and p is not lx]))
        cmp = c14n_compare(lx.out_path, conv)
        if cmp is None:
            mismatch(b, "peers-t3", "the comparison failed")
        else:
            nr, no, same, fixed, other = cmp
            print("  lode = lxml (canonical XML): %d of %d pages, %d more once lxml's strings of pages read as "
                  "ISO-8859-1 are re-read as UTF-8, %d differ%s" % (same, nr, fixed, len(other),
                                                                   (": pages " + " ".join(map(str, other[:8])))
                                                                   if other else ""))
            if no != nr or len(other) > n // 50:
                mismatch(b, "peers-t3", "%d of %d pages differ from lxml's" % (len(other), nr))
    if others:
        best = max(r.get(("lode -j 1", q.name), 0) for q in others)
        fastest = min(others, key=lambda q: b.med([w for w, _, _ in q.runs]))
        b.target("T3 >= 1.2x the fastest peer", "%.2fx %s (one worker); -j 2: %.2fx" % (
            r.get(("lode -j 1", fastest.name), float("nan")), fastest.name,
            r.get(("lode -j 2", fastest.name), float("nan"))), r.get(("lode -j 1", fastest.name), 0) >= 1.2,
            "paired, same run")
    t3_pandoc(b, c)


def t3_pandoc(b, c):
    pandoc = shutil.which("pandoc")
    if not pandoc or SAMPLE <= 0:
        return missing("pandoc", "apt-get install pandoc") if not pandoc else None
    files, lst, sb = sample_of(b, c, "t3-pandoc")
    n = len(files)
    print("\n  T3 as Markdown, images dropped, vs pandoc (one process per page), every %dth page: %d docs, %.1f MB"
          % (SAMPLE, n, sb / b.MB))
    wdir = out(b, "t3-md-lode")
    l1 = b.Peer("lode -j 1 -t markdown", lode_run(b, "t3_noimg.lua", lst, ["--write", wdir, "-t", "markdown"], 1),
                sb, n, ref=True)
    l1.prepare = lambda: shutil.rmtree(wdir, ignore_errors=True)
    loop = 'while IFS= read -r f; do pandoc -f html -t markdown --lua-filter "$1" "$f"; done < "$2"'
    pd = b.Peer("pandoc -t markdown, per doc", ["bash", "-c", loop, "t3", peer_file("t3_noimg.lua"), lst], sb, n,
                out=True, err_null=True)
    peers = b.round_robin("peers-t3-pandoc", [l1, pd], SLOW_RUNS, warmup=False)
    b.record("peers-t3-pandoc", "html-news 1/%d" % SAMPLE, peers, l1)
    md = written(wdir, files, ".md")
    size = sum(os.path.getsize(p) for p in md if os.path.exists(p))
    imgs = 0
    for p in md:
        if os.path.exists(p):
            with open(p, encoding="utf-8", errors="replace") as f:
                imgs += sum(1 for ln in f if "![" in ln)
    pdsize = os.path.getsize(pd.out_path) if pd.out_path and os.path.exists(pd.out_path) else 0
    print("  Markdown written: lode %.2f MB in %d files (%d lines with image syntax), pandoc %.2f MB "
          "(different writers: not compared)" % (size / b.MB, sum(1 for p in md if os.path.exists(p)), imgs,
                                                 pdsize / b.MB))


# ---------------------------------------------------------------------------
# T4: word report over news-de

def task_t4(b):
    print("\n== peers-t4: word report over news-de (T4), lode vs the peers")
    if not have_peers(b, "peers-t4"):
        return
    c = b.corpus("news-de", ".txt")
    if not c:
        return b.skip("peers-t4", "news-de absent")
    files, lst, n, nb = c["files"], c["list"], len(c["files"]), c["bytes"]
    print("  news-de: %d docs, %.1f MB" % (n, nb / b.MB))
    script = os.path.join(EXAMPLES, "t4_report.lua")
    py = b.Peer("python", [PYTHON, peer_file("t4_report.py"), lst], nb, n, ref=True, out=True)
    l1 = b.Peer("lode -j 1", [b.LODE, "run", "-q", "-j", "1", script, "--files-from", lst], nb, n, out=True)
    l2 = b.Peer("lode -j 2", [b.LODE, "run", "-q", "-j", "2", script, "--files-from", lst], nb, n, out=True)
    peers = [py, l1, l2]
    if shutil.which("gawk"):
        peers.append(b.Peer("gawk|sort|uniq -c|sort", ["bash", peer_file("t4_pipeline.sh"), lst], nb, n, out=True))
        peers.append(b.Peer("gawk (array count)|sort", ["bash", peer_file("t4_pipeline.sh"), lst, "--awk-count"],
                            nb, n, out=True))
    else:
        missing("gawk", "apt-get install gawk")
    if shutil.which("lua5.4"):
        peers.append(b.Peer("lua5.4", ["lua5.4", peer_file("t4_report.lua"), lst], nb, n, out=True))
    env = {"LC_ALL": "C.UTF-8"}
    for p in peers:
        p.env = env
    peers = b.round_robin("peers-t4", peers, b.RUNS)
    b.record("peers-t4", "news-de", peers, py)
    r = ratios(b, "peers-t4", [l1, l2], [p for p in peers if p not in (l1, l2)])
    check_py("report", *[(p.name.split()[0] + ("" if p is not l2 else "-j2"), p.out_path) for p in peers
                         if p.out_path])
    want = open(py.out_path, "rb").read()
    for lp in (l1, l2):
        got = open(lp.out_path, "rb").read()
        print("  %s report = python's: %s" % (lp.name, "byte for byte" if got == want else "NO"))
        if got != want:
            mismatch(b, "peers-t4", "%s's report is not python's" % lp.name)
    for lp in (l1, l2):
        v = r.get((lp.name, "python"))
        if v is not None:
            b.target("T4 >= 2x python (%s)" % lp.name.replace("lode ", ""), "%.2fx" % v, v >= 2.0,
                     "paired, same run; reports identical" if open(lp.out_path, "rb").read() == want else "DIFFER")
        gk = [q for q in peers if q.name.startswith("gawk")]
        if gk:
            best = max(gk, key=lambda q: -b.med([w for w, _, _ in q.runs]))
            v = r.get((lp.name, best.name))
            b.target("T4 faster than gawk (%s)" % lp.name.replace("lode ", ""), "%.2fx %s" % (v, best.name), v > 1.0,
                     "paired, same run")


def run(b, task):
    {"peers-t1": task_t1, "peers-t2": task_t2, "peers-t3": task_t3, "peers-t4": task_t4}[task](b)
