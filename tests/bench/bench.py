#!/usr/bin/python3
"""bench.py -- benchmarks of lode's foundation layer (readers, writers, memory).

Run through tests/bench/run.sh (`make bench`), which builds the libxml2 parse
floor and the process timer of the shared peer benchmarks and passes their
paths.  Python 3 standard library only.

    bench.py [TASK...]      TASK: html xml text newsde writers memory startup
                            rules query parallel bigfile peers-t1 peers-t2
                            peers-t3 peers-t4 (default: all, in that order;
                            "peers" = the four peers-* tasks) and callgrind
                            (only when named: instruction counts, ~4 min)

peers-t1 ... peers-t4 (peer_tasks.py) run the rule scripts of
examples/bench/ side by side with the shared harness's peers (lxml,
xmllint, xsltproc, cheerio, pandoc, gawk, Python) on the tasks T1-T4 of
issue 9, and check that lode's outputs equal theirs.

rules and query measure the rule engine (issue 3's speed targets):
`lode run tests/bench/rules/count10.lua` (10 selector rules whose handlers
only count) against `lode run tests/bench/rules/noop.lua` (no rules: parsing
alone) and the floor; `lode query p --count` and `lode query --xpath
'count(//p)'` against `xmllint --html [--recover] --xpath 'count(//p)'`, all
over html-news with the files as arguments of one process, plus a
one-process-per-document comparison on a sample.

Method (as in the project's shared peer benchmarks): every figure is a whole
process, timed from fork/exec to wait4 by timer.c (wall clock; user+sys and
ru_maxrss from the kernel's rusage of the child; see spawn() for why not
os.wait4 from here).  The commands of one task run round-robin
(A B C A B C ...): one untimed warm-up round, then RUNS timed rounds, so that
drift in the machine's speed hits every command alike.  Reported: median wall
time, min-max, MB/s (input bytes / median wall), median user+sys, peak RSS
(the largest ru_maxrss over the rounds), and the ratio to the task's
reference command measured in the same run -- as the ratio of medians and as
the paired ratio (per round: command / reference; median over the rounds).

These are measurements, not tests: the targets are printed as met / not met
and the exit status is 0 unless a command itself failed.

Environment:
  BUILD        build folder with lode and tests/lode_readall  (default: build)
  CORPUS       corpus root (default: ../shared/corpus); missing parts skipped
  FLOOR        the libxml2 parse floor binary (run.sh builds it); absent: the
               floor rows are skipped
  TIMER        the shared harness's timer binary (run.sh builds it); absent:
               os.wait4 from python (RSS then floored at python's own peak)
  BENCH_WORK   scratch folder: lists, the big text, outputs, results
               (default: ${TMPDIR:-/tmp}/lode-bench)
  RUNS         timed rounds per task (default 5), after one warm-up round
  MEM_RUNS     rounds for the memory task (default 3)
  STARTUP_RUNS rounds for the start-up task (default 20)
  BIG_MB       size of the big text, MB (default 50)
  MEM_TOP      largest files per corpus in the memory task (default 3)
  CG_SAMPLE    callgrind task: every Nth html-news file (default 4)
  QUERY_PERDOC_SAMPLE  query task: one process per document on every Nth
               html-news file (default 8; 0 leaves it out)
  PEER_BENCH   the shared peer harness (run.sh: $CORPUS/../bench): peers/,
               check.py; absent: the peers-* tasks are skipped
  PANDOC_SAMPLE, SLOW_RUNS, CHEERIO   peers-*: pandoc on every Nth page
               (16; 0: none), its rounds (3), cheerio on (1) or off (0)
  RESULTS      the TSV written at the end (default $BENCH_WORK/results.tsv;
               overwritten by each run; the rounds go to ...-raw.tsv)
"""
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

MB = 1e6
MIB = 1024.0 * 1024.0

BUILD = os.environ.get("BUILD", "build")
CORPUS = os.environ.get("CORPUS", "../shared/corpus")
FLOOR = os.environ.get("FLOOR", "")
TIMER = os.environ.get("TIMER", "")
WORK = os.environ.get("BENCH_WORK") or os.path.join(os.environ.get("TMPDIR", "/tmp"), "lode-bench")
RUNS = int(os.environ.get("RUNS", "5"))
MEM_RUNS = int(os.environ.get("MEM_RUNS", "3"))
STARTUP_RUNS = int(os.environ.get("STARTUP_RUNS", "20"))
BIG_MB = float(os.environ.get("BIG_MB", "50"))
MEM_TOP = int(os.environ.get("MEM_TOP", "3"))

LODE = os.path.join(BUILD, "lode")
READALL = os.path.join(BUILD, "tests", "lode_readall")
CAT = shutil.which("cat") or "/bin/cat"
XMLLINT = shutil.which("xmllint")
T1_COUNT = os.path.join("examples", "bench", "t1_count.lua")
XARGS = shutil.which("xargs") or "/usr/bin/xargs"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_tasks  # noqa: E402  (T1-T4 against the shared peers; uses this module's machinery)

TASKS = ["html", "xml", "text", "newsde", "writers", "memory", "startup", "rules", "query", "parallel", "bigfile",
         "sqlite", "markdown", "html5"] + peer_tasks.TASKS
EXTRA_TASKS = ["callgrind"]   # run only when named

RESULTS = []   # dicts, one per command and task (see TSV_COLS)
RAW = []       # (task, peer, round, wall, cpu, rss_kib, code)
TARGETS = []   # (target, measured, met or None, note)
ERRORS = []    # commands that exited non-zero

TSV_COLS = ["date", "task", "corpus", "peer", "docs", "bytes", "rounds", "wall_med_s", "wall_min_s",
            "wall_max_s", "cpu_med_s", "mb_s", "docs_s", "peak_rss_mib", "ref", "ratio", "paired_ratio",
            "paired_cpu_ratio", "notes"]


# ---------------------------------------------------------------------------
# running and timing

def spawn(argv, out_path=None, err_path=None, env=None, direct=False):
    """Runs argv (stdin /dev/null; stdout/stderr to files, default /dev/null);
    returns (wall_s, cpu_s, maxrss_kib, exit_code).

    With TIMER (the shared harness's timer.c, built by run.sh) the figures are
    timer's: it forks the command from a ~1 MiB process and reports the wall
    clock around fork/exec/wait4 and the child's rusage.  Without it the
    command is spawned from here and waited for with os.wait4; then ru_maxrss
    cannot go below this Python process's own peak, because Linux carries the
    RSS high-water mark of the address space a process exec()s from (with
    posix_spawn's vfork, python's) into the child's ru_maxrss.  direct=True
    spawns without the timer even when there is one: timer's fork() costs
    1-2 ms more than posix_spawn's vfork on this VM, which matters only for
    the start-up figures."""
    use_timer = TIMER and not direct
    environ = dict(os.environ, **env) if env else os.environ
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, out_path or "/dev/null", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
          (os.POSIX_SPAWN_OPEN, 2, err_path or "/dev/null", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    if use_timer:
        tfile = os.path.join(WORK, "out", "timer.out")
        if os.path.exists(tfile):
            os.unlink(tfile)
        argv = [TIMER, "-o", tfile] + argv
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, environ, file_actions=fa)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if use_timer:
        try:
            with open(tfile) as f:
                w, u, s, rss, c = f.read().split()[-5:]
            return float(w), float(u) + float(s), int(rss), int(c)
        except (OSError, ValueError):
            return wall, float("nan"), 0, code if code else 125
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, code


class Peer:
    """One command of a task.  nbytes/docs: the input it reads."""

    def __init__(self, name, argv, nbytes, docs, ref=False, summary=False, env=None, out=False, err_null=False):
        self.name, self.argv, self.nbytes, self.docs, self.env = name, argv, nbytes, docs, env
        self.ref = ref            # the reference (floor / cat) of the task
        self.summary = summary    # keeps stderr (lode_readall's summary line)
        self.out = out            # keeps stdout in out_path (for output checks); else /dev/null
        self.err_null = err_null  # stderr to /dev/null (xmllint's thousands of parser messages)
        self.out_path = None
        self.runs = []            # (wall, cpu, rss_kib)
        self.direct = []          # wall of runs spawned without the timer (start-up)
        self.err_path = None
        self.failed = None
        self.summaries = []       # lode_readall's summary fields, one dict per timed run
        self.prepare = None       # called before each run, untimed (e.g. to empty an output folder)

    def run(self, task, rnd, timed, direct=False):
        if self.prepare:
            self.prepare()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in task + "-" + self.name)
        self.err_path = None if self.err_null else os.path.join(WORK, "out", safe + ".err")
        self.out_path = os.path.join(WORK, "out", safe + ".out") if self.out else None
        wall, cpu, rss, code = spawn(self.argv, out_path=self.out_path, err_path=self.err_path, env=self.env,
                                     direct=direct)
        if code != 0 and self.failed is None:
            self.failed = code
            tail = "(stderr not kept)"
            if self.err_path:
                with open(self.err_path, errors="replace") as f:
                    tail = f.read()[-400:]
            cmd = " ".join(self.argv)
            if len(cmd) > 300:
                cmd = cmd[:200] + " ... (%d arguments)" % len(self.argv)
            ERRORS.append("%s / %s: exit status %d: %s\n    %s" % (task, self.name, code, cmd,
                                                                 tail.strip().replace("\n", "\n    ")))
        if timed and direct:
            self.direct.append(wall)
            RAW.append((task, self.name + " [direct]", rnd, wall, cpu, rss, code))
        elif timed:
            self.runs.append((wall, cpu, rss))
            RAW.append((task, self.name, rnd, wall, cpu, rss, code))
            if self.summary:
                self.summaries.append(self.summary_fields())

    def summary_fields(self):
        """lode_readall's last stderr line as a dict (docs, bytes, failures, ...)."""
        if not self.summary or not self.err_path or not os.path.exists(self.err_path):
            return {}
        with open(self.err_path, errors="replace") as f:
            lines = [ln for ln in f.read().splitlines() if ln.startswith("lode_readall: docs=")]
        if not lines:
            return {}
        d = {}
        for kv in lines[-1].split(":", 1)[1].split():
            k, _, v = kv.partition("=")
            try:
                d[k] = int(v) if v.isdigit() else float(v)
            except ValueError:
                d[k] = v
        return d

    def first_failure(self):
        if not self.err_path or not os.path.exists(self.err_path):
            return ""
        with open(self.err_path, errors="replace") as f:
            for ln in f:
                if not ln.startswith("lode_readall: docs="):
                    return ln.strip()
        return ""


def round_robin(task, peers, rounds, warmup=True, direct_too=False, quiet=False):
    """Warm-up round (untimed), then `rounds` rounds of A B C ...
    direct_too: each command runs a second time per round without the timer."""
    peers = [p for p in peers if p is not None]
    if not quiet:
        sys.stdout.write("  running %s: %d command(s) x (%s%d rounds) ..." % (task, len(peers),
                                                                             "1 warm-up + " if warmup else "", rounds))
        sys.stdout.flush()
    t0 = time.time()
    if warmup:
        for p in peers:
            p.run(task, 0, False)
    for r in range(1, rounds + 1):
        for p in peers:
            p.run(task, r, True)
            if direct_too:
                p.run(task, r, True, direct=True)
    if not quiet:
        print(" %.0f s" % (time.time() - t0))
    return peers


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def stats(p, ref):
    walls = [w for w, _, _ in p.runs]
    d = {"wall_med_s": med(walls), "wall_min_s": min(walls), "wall_max_s": max(walls),
         "cpu_med_s": med([c for _, c, _ in p.runs]),
         "peak_rss_mib": max(r for _, _, r in p.runs) / 1024.0}
    d["mb_s"] = p.nbytes / MB / d["wall_med_s"] if p.nbytes else float("nan")
    d["docs_s"] = p.docs / d["wall_med_s"] if p.docs else float("nan")
    if ref is not None and ref.runs:
        rw = [w for w, _, _ in ref.runs]
        d["ratio"] = d["wall_med_s"] / med(rw)
        d["paired_ratio"] = med([a / b for a, b in zip(walls, rw)])
        d["paired_cpu_ratio"] = med([a[1] / b[1] for a, b in zip(p.runs, ref.runs) if b[1] > 0]) \
            if any(b[1] > 0 for b in ref.runs) else float("nan")
        d["ref"] = ref.name
    else:
        d["ratio"] = d["paired_ratio"] = d["paired_cpu_ratio"] = float("nan")
        d["ref"] = ""
    return d


def record(task, corpus, peers, ref, notes=None):
    """Adds the rows of one task to RESULTS and prints its table."""
    rows = []
    for p in peers:
        if not p.runs:
            continue
        d = stats(p, ref if ref is not p else None)
        if p is ref:
            d["ratio"] = d["paired_ratio"] = d["paired_cpu_ratio"] = 1.0
            d["ref"] = p.name
        note = []
        s = p.summary_fields()
        if s:
            note.append("docs=%s failures=%s warnings=%s" % (s.get("docs"), s.get("failures"), s.get("warnings")))
            if s.get("written"):
                note.append("written=%.1fMB" % (s["written"] / MB))
            if s.get("failures"):
                ff = p.first_failure()
                if ff:
                    note.append("first: " + ff[:120])
        if p.failed is not None:
            note.append("EXIT %d" % p.failed)
        if notes and p.name in notes:
            note.append(notes[p.name])
        d.update({"date": DATE, "task": task, "corpus": corpus, "peer": p.name, "docs": p.docs,
                  "bytes": p.nbytes, "rounds": len(p.runs), "notes": "; ".join(note), "_summary": s})
        rows.append(d)
        RESULTS.append(d)
    print_table(rows)
    return {r["peer"]: r for r in rows}


def fmt(x, spec):
    if isinstance(x, float) and x != x:
        return "-"
    return format(x, spec)


def print_table(rows):
    hdr = ["command", "MB/s", "docs/s", "wall s med (min-max)", "cpu s", "RSS MiB", "x ref", "paired", "cpu paired"]
    lines = []
    for r in rows:
        lines.append([r["peer"], fmt(r["mb_s"], ".1f"), fmt(r["docs_s"], ".0f"),
                      "%.3f (%.3f-%.3f)" % (r["wall_med_s"], r["wall_min_s"], r["wall_max_s"]),
                      fmt(r["cpu_med_s"], ".3f"), fmt(r["peak_rss_mib"], ".1f"),
                      fmt(r["ratio"], ".3f"), fmt(r["paired_ratio"], ".3f"),
                      fmt(r.get("paired_cpu_ratio", float("nan")), ".3f")])
    w = [max(len(hdr[i]), *(len(ln[i]) for ln in lines)) if lines else len(hdr[i]) for i in range(len(hdr))]
    print("  " + "  ".join(h.ljust(w[i]) if i == 0 else h.rjust(w[i]) for i, h in enumerate(hdr)))
    for ln in lines:
        print("  " + "  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(ln)))
    for r in rows:
        if r["notes"]:
            print("    %s: %s" % (r["peer"], r["notes"]))


def target(name, measured, met, note=""):
    TARGETS.append((name, measured, met, note))


# ---------------------------------------------------------------------------
# corpora

def files_under(root, suffix):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith(suffix):
                out.append(os.path.join(d, n))
    out.sort()
    return out


def write_list(name, files):
    path = os.path.join(WORK, "lists", name + ".list")
    with open(path, "w") as f:
        for p in files:
            f.write(p + "\n")
    return path


def total_bytes(files):
    return sum(os.path.getsize(p) for p in files)


def cat_argv(files, listpath):
    """cat over the files in one process (argv), or through xargs if the
    argument list would be too long."""
    if sum(len(p) + 1 for p in files) < 1 << 20:
        return [CAT, "--"] + files
    return [XARGS, "-a", listpath, CAT]


def corpus(name, suffix, pattern_depth=None):
    root = os.path.join(CORPUS, name)
    if not os.path.isdir(root):
        return None
    if pattern_depth == 2:   # news-de/*/*.txt
        files = sorted(os.path.join(root, d, n) for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))
                       for n in os.listdir(os.path.join(root, d)) if n.endswith(suffix))
    else:
        files = files_under(root, suffix)
    if not files:
        return None
    return {"name": name, "files": files, "list": write_list(name, files), "bytes": total_bytes(files)}


def skip(task, why):
    print("  %s: skipped: %s" % (task, why))
    target_names = {"html": "read html <= 1.10x floor", "xml": "read xml <= 1.10x floor",
                    "text": "text reader >= 200 MB/s", "newsde": "news-de into trees <= 3x cat"}
    if task in target_names:
        target(target_names[task], "skipped", None, why)


# ---------------------------------------------------------------------------
# tasks

def task_read(kind):
    """Target 1: reading a corpus into trees vs bare libxml2 (floor)."""
    cname, suffix = ("html-news", ".html") if kind == "html" else ("xml", ".xml")
    print("\n== %s: read %s into trees, vs libxml2 %sReadFile (floor) and cat" % (kind, cname, kind))
    c = corpus(cname, suffix)
    if not c:
        return skip(kind, "%s/%s absent" % (CORPUS, cname))
    n, b = len(c["files"]), c["bytes"]
    print("  corpus %s: %d docs, %.1f MB" % (cname, n, b / MB))
    cat = Peer("cat", cat_argv(c["files"], c["list"]), b, n)
    floor = Peer("floor %s parse" % kind, [FLOOR, kind, "parse", c["list"]], b, n, ref=True) if FLOOR else None
    lode = Peer("lode_readall", [READALL, c["list"]], b, n, summary=True)
    peers = round_robin(kind, [cat, floor, lode], RUNS)
    notes = {}
    if kind == "xml":
        notes[floor.name if floor else ""] = ("XML_PARSE_NOENT|HUGE: floor substitutes internal entities; "
                                              "lode does not (no LODE_PARSE_ENTITIES)")
    rows = record(kind, cname, peers, floor, notes)
    if floor:
        r = rows["lode_readall"]
        target("read %s <= 1.10x floor" % kind,
               "%.2fx (paired %.2fx, cpu paired %.2fx); %.1f vs %.1f MB/s"
               % (r["ratio"], r["paired_ratio"], r["paired_cpu_ratio"], r["mb_s"], rows[floor.name]["mb_s"]),
               r["paired_ratio"] <= 1.10, "floor is libxml2 alone, same run")
    else:
        target("read %s <= 1.10x floor" % kind, "no floor", None, "FLOOR not built")


def build_big_text(c):
    """The news-de texts joined with a blank line between files, repeated
    until at least BIG_MB MB."""
    path = os.path.join(WORK, "big.txt")
    parts = []
    for p in c["files"]:
        with open(p, "rb") as f:
            t = f.read()
        if not t.endswith(b"\n"):
            t += b"\n"
        parts.append(t)
    one = b"\n".join(parts)
    reps = 1
    while len(one) * reps < BIG_MB * MB:
        reps += 1
    with open(path, "wb") as f:
        for i in range(reps):
            f.write(one)
            if i + 1 < reps:
                f.write(b"\n")
    return path, reps


def task_text():
    """Target 2: the text reader on one big file, >= 200 MB/s."""
    print("\n== text: the text reader on one large text (news-de joined, >= %g MB)" % BIG_MB)
    c = corpus("news-de", ".txt", 2)
    if not c:
        return skip("text", "%s/news-de absent" % CORPUS)
    big, reps = build_big_text(c)
    size = os.path.getsize(big)
    lst = write_list("big", [big])
    print("  %s: %.1f MB (%d files x %d, blank line between files)" % (big, size / MB, len(c["files"]), reps))
    cat = Peer("cat", [CAT, big], size, 1, ref=True)
    lode = Peer("lode_readall --from text", [READALL, "--from", "text", lst], size, 1, summary=True)
    thp = Peer("lode_readall --from text +THP", [READALL, "--from", "text", lst], size, 1, summary=True,
               env={"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"})
    # the command as users run it: jemalloc, and a big document's tree on
    # huge pages (core/cli/allocator.h)
    cmd = Peer("lode run noop.lua big.txt", [LODE, "run", "-q", "-j", "1", os.path.join(RULES_DIR, "noop.lua"), big],
               size, 1)
    rows = record("text", "big.txt", round_robin("text", [cat, lode, thp, cmd], RUNS), cat,
                  {thp.name: "GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (transparent huge pages for malloc's heap)",
                   cmd.name: "the command: jemalloc, the tree of a document of 4 MiB or more on huge pages"})
    r = rows[cmd.name]
    # The reader alone, in-process: the file read once, then parsed PASSES
    # times (cold heap on the first pass, warm afterwards).
    first, best = [], []
    for _ in range(max(1, RUNS)):
        p = Peer("lode_readall --passes 5", [READALL, "--from", "text", "--passes", "5", lst], size, 1, summary=True)
        p.run("text-inprocess", 0, False)
        s = p.summary_fields()
        if s.get("parse_first_s"):
            first.append(float(s["parse_first_s"]))
            best.append(float(s["parse_best_s"]))
    if first:
        f, b = med(first), med(best)
        print("  in-process (lode_doc_parse on the file already in memory; median of %d runs of --passes 5):"
              % len(first))
        print("    first pass (tree pages touched for the first time): %.3f s = %.0f MB/s" % (f, size / MB / f))
        print("    fastest pass (heap pages reused):                    %.3f s = %.0f MB/s" % (b, size / MB / b))
        for name, v in (("first pass (cold heap)", f), ("fastest pass (warm heap)", b)):
            RESULTS.append({"date": DATE, "task": "text-inprocess", "corpus": "big.txt", "peer": name, "docs": 1,
                            "bytes": size, "rounds": len(first), "wall_med_s": v, "wall_min_s": float("nan"),
                            "wall_max_s": float("nan"), "cpu_med_s": float("nan"), "mb_s": size / MB / v,
                            "docs_s": float("nan"), "peak_rss_mib": float("nan"), "ref": "", "ratio": float("nan"),
                            "paired_ratio": float("nan"), "notes": "lode_readall --passes 5: in-process parse time"})
    t = rows[thp.name]
    lr = rows[lode.name]
    target("text reader >= 200 MB/s", "`lode run` %.0f MB/s whole process (%.2f s for %.1f MB); lode_readall %.0f "
           "MB/s on glibc malloc, %.0f MB/s with malloc on huge pages%s" % (r["mb_s"], r["wall_med_s"], size / MB,
                                                                          lr["mb_s"], t["mb_s"],
                         "; in-process %.0f MB/s cold heap, %.0f MB/s warm" % (size / MB / f, size / MB / b)
                         if first else ""),
           r["mb_s"] >= 200, "whole process incl. reading the file")
    GLOBAL["big"] = big


def task_newsde():
    """Target 3: every news-de file into a tree, <= 3x cat."""
    print("\n== newsde: read every news-de text into a tree, vs cat over the same files")
    c = corpus("news-de", ".txt", 2)
    if not c:
        return skip("newsde", "%s/news-de absent" % CORPUS)
    n, b = len(c["files"]), c["bytes"]
    print("  corpus news-de: %d docs, %.1f MB" % (n, b / MB))
    cat = Peer("cat", cat_argv(c["files"], c["list"]), b, n, ref=True)
    lode = Peer("lode_readall", [READALL, c["list"]], b, n, summary=True)
    rows = record("newsde", "news-de", round_robin("newsde", [cat, lode], RUNS), cat)
    r = rows[lode.name]
    target("news-de into trees <= 3x cat", "%.2fx (paired %.2fx, cpu paired %.2fx); %.3f s vs %.3f s"
           % (r["ratio"], r["paired_ratio"], r["paired_cpu_ratio"], r["wall_med_s"], rows["cat"]["wall_med_s"]),
           r["paired_ratio"] <= 3.0)


def task_writers():
    """Writers' throughput over html-news: read + write minus read."""
    print("\n== writers: html-news read + serialise to a buffer, per output format")
    c = corpus("html-news", ".html")
    if not c:
        return skip("writers", "%s/html-news absent" % CORPUS)
    n, b = len(c["files"]), c["bytes"]
    read = Peer("read only", [READALL, c["list"]], b, n, ref=True, summary=True)
    peers = [read] + [Peer("write " + f, [READALL, "--write", f, c["list"]], b, n, summary=True)
                      for f in ("xml", "html", "text", "markdown", "json")]
    rows = record("writers", "html-news", round_robin("writers", peers, RUNS), read)
    print("  writer alone: CPU time inside lode_doc_write_buffer (lode_readall's write_cpu_s, median of %d runs)"
          % RUNS)
    print("  %-16s %9s %12s %13s %10s %9s" % ("format", "cpu s", "MB/s of html", "MB/s of output", "output MB",
                                               "failures"))
    print("  %-16s %9.3f %12s %13s %10s %9s" % ("(read: load_cpu)", med([x.get("load_cpu_s", float("nan"))
                                                                          for x in read.summaries]),
                                                "%.1f" % (b / MB / med([x.get("load_cpu_s", float("nan"))
                                                                        for x in read.summaries])), "", "", ""))
    for p in peers[1:]:
        wc = med([x.get("write_cpu_s", float("nan")) for x in p.summaries])
        s = rows[p.name]["_summary"] or {}
        outb = s.get("written", 0)
        fails = s.get("failures", 0)
        ok = wc == wc and wc > 0
        print("  %-16s %9.3f %12s %13s %10.1f %9d%s" % (p.name, wc, "%.1f" % (b / MB / wc) if ok else "-",
                                                       "%.1f" % (outb / MB / wc) if ok else "-", outb / MB, fails,
                                                       ("  " + p.first_failure()[:70]) if fails else ""))
        RESULTS.append({"date": DATE, "task": "writers-alone", "corpus": "html-news", "peer": p.name,
                        "docs": n, "bytes": b, "rounds": len(p.summaries), "wall_med_s": float("nan"),
                        "wall_min_s": float("nan"), "wall_max_s": float("nan"), "cpu_med_s": wc,
                        "mb_s": b / MB / wc if ok else float("nan"), "docs_s": float("nan"),
                        "peak_rss_mib": float("nan"), "ref": "", "ratio": float("nan"),
                        "paired_ratio": float("nan"), "paired_cpu_ratio": float("nan"),
                        "notes": "cpu_med_s = CPU time in lode_doc_write_buffer; output %.1f MB; failures=%d"
                                 % (outb / MB, fails)})


def largest(files, k):
    return sorted(files, key=lambda p: (-os.path.getsize(p), p))[:k]


def task_memory():
    """Target 4: peak RSS of `lode convert` per document, < 10x its size."""
    print("\n== memory: peak RSS of `lode convert FILE -t xml|json > /dev/null` on the largest documents")
    tiny_txt = os.path.join(WORK, "tiny.txt")
    with open(tiny_txt, "w") as f:
        f.write("Hello, world.\n")
    base = Peer("baseline: tiny.txt -t xml", [LODE, "convert", tiny_txt, "-t", "xml"], 14, 1)
    round_robin("memory-baseline", [base], MEM_RUNS, quiet=True)
    base_kib = max(r for _, _, r in base.runs)
    print("  baseline: lode convert on a 14-byte text: peak RSS %.1f MiB" % (base_kib / 1024.0))
    docs = []
    for cname, suffix, fl in (("html-news", ".html", "html"), ("xml", ".xml", "xml")):
        c = corpus(cname, suffix)
        if c:
            docs += [(cname, p, fl) for p in largest(c["files"], MEM_TOP)]
        else:
            print("  %s absent: skipped" % cname)
    big = GLOBAL.get("big")
    if not big:
        c = corpus("news-de", ".txt", 2)
        if c:
            big, _ = build_big_text(c)
    if big:
        docs.append(("news-de x N", big, None))
    print("  RSS = peak RSS MiB (largest of %d runs); x = RSS / document size; net x = (RSS - baseline) / size"
          % MEM_RUNS)
    print("  %-46s %7s %17s %17s %17s" % ("document", "MB", "floor: RSS (x)", "-t xml: RSS (x)", "-t json: RSS (x)"))
    print("  %-46s %7s %17s %17s %17s" % ("", "", "", "net x", "net x"))
    worst = (0.0, "")
    worst_net = (0.0, "")
    for cname, path, fl in docs:
        size = os.path.getsize(path)
        peers = [Peer("lode convert -t xml", [LODE, "convert", path, "-t", "xml"], size, 1),
                 Peer("lode convert -t json", [LODE, "convert", path, "-t", "json"], size, 1)]
        if fl and FLOOR:
            lst = write_list("mem-" + os.path.basename(path), [path])
            peers.append(Peer("floor %s parse" % fl, [FLOOR, fl, "parse", lst], size, 1))
        round_robin("memory " + os.path.basename(path)[:24], peers, MEM_RUNS, warmup=False, quiet=True)
        short = os.path.relpath(path, CORPUS) if path.startswith(CORPUS) else os.path.basename(path)
        if len(short) > 46:
            short = short[:18] + "..." + short[-25:]
        cells = {}
        for p in peers:
            rss = max(r for _, _, r in p.runs) / 1024.0
            ratio = rss * MIB / size
            nratio = (rss - base_kib / 1024.0) * MIB / size
            cells[p.name.split()[-1] if p.name.startswith("lode") else "floor"] = (rss, ratio, nratio)
            if p.name.startswith("lode"):
                label = "%s -t %s" % (short, p.name.split()[-1])
                if ratio > worst[0]:
                    worst = (ratio, label)
                if nratio > worst_net[0]:
                    worst_net = (nratio, label)
            RESULTS.append({"date": DATE, "task": "memory", "corpus": cname, "peer": p.name + " " + short,
                            "docs": 1, "bytes": size, "rounds": len(p.runs),
                            "wall_med_s": med([w for w, _, _ in p.runs]),
                            "wall_min_s": min(w for w, _, _ in p.runs), "wall_max_s": max(w for w, _, _ in p.runs),
                            "cpu_med_s": med([c for _, c, _ in p.runs]),
                            "mb_s": size / MB / med([w for w, _, _ in p.runs]),
                            "docs_s": float("nan"), "peak_rss_mib": rss, "ref": "size",
                            "ratio": ratio, "paired_ratio": nratio,
                            "notes": "ratio = RSS/size; paired_ratio = (RSS - baseline %.1f MiB)/size%s"
                                     % (base_kib / 1024.0, "; EXIT %d" % p.failed if p.failed is not None else "")})

        def cell(k, net=False):
            if k not in cells:
                return "-"
            rss, ratio, nratio = cells[k]
            return ("%.2f" % nratio) if net else ("%.1f (%.2f)" % (rss, ratio))
        print("  %-46s %7.2f %17s %17s %17s" % (short, size / MB, cell("floor"), cell("xml"), cell("json")))
        print("  %-46s %7s %17s %17s %17s" % ("", "", "", cell("xml", True), cell("json", True)))
    if docs:
        target("peak RSS < 10x document size", "worst %.2fx gross (%s); worst %.2fx net of the %.1f MiB baseline (%s)"
               % (worst[0], worst[1], worst_net[0], base_kib / 1024.0, worst_net[1]), worst[0] < 10,
               "largest %d html, %d xml, the big text" % (MEM_TOP, MEM_TOP))


def task_startup():
    """Start-up: one tiny document, median of STARTUP_RUNS."""
    print("\n== startup: one tiny document, %d rounds (no shell wrapper)" % STARTUP_RUNS)
    tiny_html = os.path.join(WORK, "tiny.html")
    with open(tiny_html, "w") as f:
        f.write("<!DOCTYPE html><html><head><title>t</title></head><body><p>Hello, world.</p></body></html>\n")
    tiny_txt = os.path.join(WORK, "tiny.txt")
    with open(tiny_txt, "w") as f:
        f.write("Hello, world.\n")
    lst = write_list("tiny", [tiny_html])
    size = os.path.getsize(tiny_html)
    peers = [Peer("cat", [CAT, tiny_html], size, 1, ref=True),
             Peer("floor html parse", [FLOOR, "html", "parse", lst], size, 1) if FLOOR else None,
             Peer("lode_readall", [READALL, lst], size, 1, summary=True),
             Peer("lode convert tiny.html -t xml", [LODE, "convert", tiny_html, "-t", "xml"], size, 1),
             Peer("lode convert tiny.txt -t json", [LODE, "convert", tiny_txt, "-t", "json"], 14, 1),
             Peer("lode --version", [LODE, "--version"], 0, 0),
             # issue 9: `lode run` on one tiny page against xmllint on it
             Peer("lode run t1_count.lua tiny.html", [LODE, "run", "-q", T1_COUNT, tiny_html], size, 1),
             Peer("xmllint --html --noout tiny.html", [XMLLINT, "--html", "--noout", tiny_html], size, 1)
             if XMLLINT else None,
             Peer("xmllint --html --xpath count(//*)", [XMLLINT, "--html", "--xpath", "count(//*)", tiny_html],
                  size, 1) if XMLLINT else None]
    peers = round_robin("startup", peers, STARTUP_RUNS, direct_too=True)
    print("  direct = posix_spawn + os.wait4 from python (vfork; the brief's method); timer = timer.c's fork,")
    print("  which adds 1-2 ms on this VM but gives a true RSS")
    print("  %-32s %11s %14s %10s %9s %8s" % ("command", "direct ms", "(min-max)", "timer ms", "RSS MiB", "x cat"))
    cat_direct = peers[0].direct
    for p in peers:
        w = [x for x, _, _ in p.runs]
        dw = p.direct
        ratio = med([a / b for a, b in zip(dw, cat_direct)])
        print("  %-32s %11.2f %6.2f-%6.2f %10.2f %9.1f %8.2f" % (p.name, med(dw) * 1e3, min(dw) * 1e3, max(dw) * 1e3,
                                                             med(w) * 1e3, max(r for _, _, r in p.runs) / 1024.0,
                                                             ratio))
        RESULTS.append({"date": DATE, "task": "startup", "corpus": "tiny", "peer": p.name, "docs": p.docs,
                        "bytes": p.nbytes, "rounds": len(dw), "wall_med_s": med(dw), "wall_min_s": min(dw),
                        "wall_max_s": max(dw), "cpu_med_s": med([c for _, c, _ in p.runs]), "mb_s": float("nan"),
                        "docs_s": float("nan"), "peak_rss_mib": max(r for _, _, r in p.runs) / 1024.0,
                        "ref": "cat", "ratio": med(dw) / med(cat_direct), "paired_ratio": ratio,
                        "notes": "wall: direct posix_spawn; via timer %.2f ms%s" % (
                            med(w) * 1e3, "; EXIT %d" % p.failed if p.failed is not None else "")})
    by = {p.name: p for p in peers}
    lr, xl = by.get("lode run t1_count.lua tiny.html"), by.get("xmllint --html --noout tiny.html")
    if lr and xl and lr.direct and xl.direct:
        r = med([a / b for a, b in zip(lr.direct, xl.direct)])
        target("startup: lode run <= 1.2x xmllint", "%.2fx (%.2f ms vs %.2f ms, direct, paired)"
               % (r, med(lr.direct) * 1e3, med(xl.direct) * 1e3), r <= 1.2, "one tiny page, %d rounds" % STARTUP_RUNS)


# ---------------------------------------------------------------------------
# the rule engine: `lode run` and `lode query` (issue 3's speed targets)

RULES_DIR = os.path.relpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules"))
COUNT10 = os.path.join(RULES_DIR, "count10.lua")
NOOP = os.path.join(RULES_DIR, "noop.lua")
# count10.lua's selectors as XPath, summed: an independent count of its matches
COUNT10_XPATH = ("count(//p) + count(//a) + count(//h1) + count(//h2) + count(//li) + count(//img)"
                 " + count(//div[contains(concat(' ', normalize-space(@class), ' '), ' content ')])"
                 " + count(//table//td) + count(//meta[@name]) + count(//span/a)")


def versus(p, q):
    """Ratios of peer p to peer q measured in the same rounds:
    (median / median, paired wall, paired cpu)."""
    pw, qw = [w for w, _, _ in p.runs], [w for w, _, _ in q.runs]
    return (med(pw) / med(qw), med([a / b for a, b in zip(pw, qw)]),
            med([a[1] / b[1] for a, b in zip(p.runs, q.runs) if b[1] > 0]))


def args_fit(files):
    return sum(len(f) + 1 for f in files) < 1 << 20


def per_file_numbers(path, several):
    """Output of a per-file count (`lode query --count`: FILE:N with several
    inputs; xmllint: N) as a list of strings."""
    out = []
    with open(path, errors="replace") as f:
        for ln in f:
            ln = ln.rstrip("\n")
            out.append(ln.rsplit(":", 1)[-1] if several else ln)
    return out


def task_rules():
    """Issue 3: 10 counting rules over html-news cost <= 1.3x parsing alone;
    Lua is entered only for matches."""
    print("\n== rules: `lode run count10.lua` (10 selector rules that only count) vs parsing alone")
    c = corpus("html-news", ".html")
    if not c:
        return skip("rules", "%s/html-news absent" % CORPUS)
    n, b, files = len(c["files"]), c["bytes"], c["files"]
    if not args_fit(files):
        return skip("rules", "the file list does not fit on one command line")
    print("  corpus html-news: %d docs, %.1f MB, passed as arguments; script %s" % (n, b / MB, COUNT10))
    # -j 1: this task measures what rules cost on top of parsing, in one
    # thread (count10 keeps its counts in upvalues: one Lua state sees all)
    noop = Peer("lode run noop.lua", [LODE, "run", "-j", "1", NOOP] + files + ["-q"], b, n, ref=True)
    floor = Peer("floor html parse", [FLOOR, "html", "parse", c["list"]], b, n) if FLOOR else None
    rules = Peer("lode run count10.lua", [LODE, "run", "-j", "1", COUNT10] + files + ["-q"], b, n)
    peers = round_robin("rules", [floor, noop, rules], RUNS)
    rows = record("rules", "html-news", peers, noop)
    # what the rules did: count10's finish line (Lua's own count of its calls),
    # --profile (the C side's count of handler calls, time inside the walks),
    # and libxml2's XPath on the same documents (matches, elements)
    calls = None
    if rules.err_path and os.path.exists(rules.err_path):
        with open(rules.err_path, errors="replace") as f:
            for ln in f:
                if ln.startswith("count10: calls="):
                    calls = ln.split()[1:]
    prof_err = os.path.join(WORK, "out", "rules-profile.err")
    spawn([LODE, "run", "-j", "1", COUNT10] + files + ["-q", "--profile"], err_path=prof_err)
    prof_calls, walk_s = 0, float("nan")
    with open(prof_err, errors="replace") as f:
        for ln in f:
            if ln.startswith("lode: profile ("):
                walk_s = float(ln.split("(")[1].split()[0])
            parts = ln.split()
            if len(parts) >= 6 and parts[0].isdigit() and parts[-1].endswith("%"):
                prof_calls += int(parts[-4])

    def xpath_total(expr, name):
        out = os.path.join(WORK, "out", "rules-%s.out" % name)
        spawn([LODE, "query", "-q", "--xpath", expr] + files, out_path=out)
        try:
            return sum(int(float(x)) for x in per_file_numbers(out, n > 1))
        except ValueError:
            return None
    matches = xpath_total(COUNT10_XPATH, "matches")
    elements = xpath_total("count(//*)", "elements")
    ncalls = int(calls[0].split("=")[1]) if calls else None
    if calls:
        print("  Lua calls (count10's finish): %s;  per rule: %s" % ("{:,}".format(ncalls), " ".join(calls[1:])))
    print("  handler calls seen by `--profile`: %s; time inside the walks (matching + Lua): %.3f s"
          % ("{:,}".format(prof_calls), walk_s))
    if matches is not None and elements:
        print("  libxml2 XPath on the same files: %s matches of the 10 selectors (summed), %s elements walked"
              % ("{:,}".format(matches), "{:,}".format(elements)))
        if ncalls is not None:
            print("  => Lua entered %s times = %s matches (%s); %.1f%% of the %s elements"
                  % ("{:,}".format(ncalls), "{:,}".format(matches), "equal" if ncalls == matches == prof_calls
                     else "DIFFERENT", 100.0 * ncalls / elements, "{:,}".format(elements)))
    r = rows[rules.name]
    note = "Lua calls %s, matches %s, elements %s, walk %.3f s" % (ncalls, matches, elements, walk_s)
    r["notes"] = "; ".join(x for x in (r["notes"], note) if x)
    fl = None
    if floor and floor.runs:
        fl = versus(rules, floor)
        nf = versus(noop, floor)
        print("  count10 vs floor: x %.3f, paired %.3f, cpu paired %.3f   (noop vs floor: paired %.3f, cpu %.3f)"
              % (fl + nf[1:]))
        RESULTS.append(dict(r, peer=rules.name + " vs floor", ref=floor.name, ratio=fl[0], paired_ratio=fl[1],
                            paired_cpu_ratio=fl[2], notes="the same runs as the row above, against the floor"))
    target("rules (10 counting rules) <= 1.3x parse",
           "paired %.2fx vs lode noop (cpu %.2fx)%s; Lua calls %s = matches %s of %s elements"
           % (r["paired_ratio"], r["paired_cpu_ratio"],
              "; %.2fx vs floor (cpu %.2fx)" % (fl[1], fl[2]) if fl else "",
              "{:,}".format(ncalls) if ncalls is not None else "?",
              "{:,}".format(matches) if matches is not None else "?",
              "{:,}".format(elements) if elements else "?"),
           r["paired_ratio"] <= 1.3, "reference: `lode run noop.lua` (no rules, no walk), same run")


CORPUS_REPORT = os.path.join("scripts", "corpus-report.lua")


def task_parallel():
    """Issue 4: -j 2 >= 1.8x faster than -j 1 for a CPU-bound script; peak
    memory does not grow with the number of documents (the news corpus 20
    times over through --files-from vs once); progress costs < 1%."""
    print("\n== parallel: `lode run corpus-report.lua` (CPU-bound: words, case folding, 5 aggregators) over news-de")
    c = corpus("news-de", ".txt")
    if not c:
        return skip("parallel", "%s/news-de absent" % CORPUS)
    n, b = len(c["files"]), c["bytes"]
    ncpu = os.cpu_count() or 1
    print("  corpus news-de: %d docs, %.1f MB, through --files-from; %d CPU(s)" % (n, b / MB, ncpu))
    rep = os.path.join(WORK, "out", "parallel-report-%s.json")
    x5 = os.path.join(WORK, "lists", "news-de-x5.txt")
    with open(c["list"]) as f:
        once = f.read()
    with open(x5, "w") as f:
        f.write(once * 5)
    base = [LODE, "run", CORPUS_REPORT, "--files-from", c["list"], "-q"]
    j1 = Peer("lode run -j 1", base + ["-j", "1", "--report", rep % "j1"], b, n, ref=True)
    j2 = Peer("lode run -j 2", base + ["-j", "2", "--report", rep % "j2"], b, n)
    prog = Peer("lode run -j 2 --progress", [LODE, "run", CORPUS_REPORT, "--files-from", c["list"], "-j", "2",
                                             "--progress", "--report", rep % "prog"], b, n)
    peers = round_robin("parallel", [j1, j2, prog], RUNS)
    rows = record("parallel", "news-de", peers, j1)
    base5 = [LODE, "run", CORPUS_REPORT, "--files-from", x5, "-q"]
    j1x = Peer("lode run -j 1, 5x", base5 + ["-j", "1", "--report", rep % "j1x"], 5 * b, 5 * n, ref=True)
    j2x = Peer("lode run -j 2, 5x", base5 + ["-j", "2", "--report", rep % "j2x"], 5 * b, 5 * n)
    peers5 = round_robin("parallel-x5", [j1x, j2x], RUNS)
    rows5 = record("parallel-x5", "news-de x5", peers5, j1x)
    same = all(os.path.exists(rep % k) for k in ("j1", "j2", "prog", "j1x", "j2x")) and \
        open(rep % "j1", "rb").read() == open(rep % "j2", "rb").read() == open(rep % "prog", "rb").read() and \
        open(rep % "j1x", "rb").read() == open(rep % "j2x", "rb").read()
    print("  reports of -j 1, -j 2 and --progress: %s" % ("identical" if same else "DIFFERENT"))
    r1, r2 = rows[j1.name], rows[j2.name]
    r1x, r2x = rows5[j1x.name], rows5[j2x.name]
    sp1 = 1.0 / r2["paired_ratio"]
    sp5 = 1.0 / r2x["paired_ratio"]
    print("  fixed costs in every run (not parallel): loading the script in each worker, merging the workers'\n"
          "  reports (68,000 words twice), finish, writing the report, freeing: about 0.1 s of the 1x run")
    target("-j 2 >= 1.8x faster than -j 1 (%d CPUs)" % ncpu,
           "%.2fx on 5x news-de (%.2f s -> %.2f s), %.2fx on 1x (%.3f s -> %.3f s); reports %s"
           % (sp5, r1x["wall_med_s"], r2x["wall_med_s"], sp1, r1["wall_med_s"], r2["wall_med_s"],
              "identical" if same else "DIFFER"),
           sp5 >= 1.8 and same, "5x: 10,130 documents, where the fixed costs weigh little")
    pr = med([a[0] / b_[0] for a, b_ in zip(prog.runs, j2.runs)]) if prog.runs and j2.runs else float("nan")
    target("progress line costs < 1%", "--progress vs none, paired wall %.3fx" % pr, pr < 1.01,
           "stderr to a file: the line is drawn as on a terminal")

    # memory: 1x, 5x and 20x the corpus in one run, with -j 1 and -j 2
    lists = {}
    with open(c["list"]) as f:
        once = f.read()
    for k in (5, 20):
        lists[k] = os.path.join(WORK, "lists", "news-de-x%d.txt" % k)
        with open(lists[k], "w") as f:
            f.write(once * k)
    lists[1] = c["list"]
    mem = {}
    for j in (1, 2):
        for k in (1, 5, 20):
            mem[j, k] = Peer("lode run -j %d, %dx corpus" % (j, k),
                             [LODE, "run", CORPUS_REPORT, "--files-from", lists[k], "-j", str(j), "-q",
                              "--report", rep % ("m%d-%d" % (j, k))], k * b, k * n, ref=(k == 1))
    peers = round_robin("parallel-memory", [mem[1, 1], mem[1, 5], mem[1, 20]], MEM_RUNS)
    rows1 = record("parallel-memory", "news-de x1/x5/x20, -j 1", peers, mem[1, 1])
    peers = round_robin("parallel-memory-j2", [mem[2, 1], mem[2, 5], mem[2, 20]], MEM_RUNS)
    rows2 = record("parallel-memory-j2", "news-de x1/x5/x20, -j 2", peers, mem[2, 1])
    rss = {(j, k): (rows1 if j == 1 else rows2)[mem[j, k].name]["peak_rss_mib"] for j in (1, 2) for k in (1, 5, 20)}
    print("  peak RSS MiB: -j 1: %.1f / %.1f / %.1f;  -j 2: %.1f / %.1f / %.1f  (1x / 5x / 20x the corpus)"
          % tuple(rss[j, k] for j in (1, 2) for k in (1, 5, 20)))
    print("  (each worker keeps its own report until the end: with -j 2 the report's keys -- 68,000 words --\n"
          "   are held twice once both workers have seen the whole vocabulary, which takes more than one pass)")
    target("peak RSS flat over 20x the documents",
           "-j 1: %.2fx (20x vs 1x); -j 2: %.2fx (20x vs 5x), %.2fx (20x vs 1x)"
           % (rss[1, 20] / rss[1, 1], rss[2, 20] / rss[2, 5], rss[2, 20] / rss[2, 1]),
           rss[1, 20] / rss[1, 1] <= 1.05 and rss[2, 20] / rss[2, 5] <= 1.05,
           "memory follows the distinct keys of the report, not the number of documents")


def task_html5():
    """The html5 plugin (gumbo) against the built-in HTML reader (libxml2):
    `lode run noop.lua -f html5` vs `-f html` over html-news, one thread."""
    print("\n== html5: `lode run noop.lua -f html5` (plugin, gumbo) vs `-f html` (built-in, libxml2)")
    c = corpus("html-news", ".html")
    if not c:
        return skip("html5", "%s/html-news absent" % CORPUS)
    if not os.path.exists(os.path.join(BUILD, "plugins", "html5.so")):
        return skip("html5", "%s/plugins/html5.so not built" % BUILD)
    n, b, files = len(c["files"]), c["bytes"], c["files"]
    if not args_fit(files):
        return skip("html5", "the file list does not fit on one command line")
    print("  corpus html-news: %d docs, %.1f MB, passed as arguments" % (n, b / MB))
    html = Peer("lode run -f html", [LODE, "run", "-j", "1", "-f", "html", NOOP] + files + ["-q"], b, n, ref=True)
    html5 = Peer("lode run -f html5", [LODE, "run", "-j", "1", "-f", "html5", NOOP] + files + ["-q"], b, n)
    peers = round_robin("html5", [html, html5], RUNS)
    rows = record("html5", "html-news", peers, html)
    r = rows[html5.name]
    target("html5 reader vs built-in html", "paired %.2fx (cpu %.2fx); %.1f vs %.1f MB/s"
           % (r["paired_ratio"], r["paired_cpu_ratio"], r["mb_s"], rows[html.name]["mb_s"]), None,
           "no target: a figure for plugins/html5/README.md")


def build_big_xml(min_bytes=100 * MB):
    """The XML corpus concatenated into one document of >= min_bytes: each
    file's root element (declaration and doctype dropped) inside <doc>,
    all under <corpus>, repeated until big enough."""
    files = files_under(os.path.join(CORPUS, "xml"), ".xml")
    out = os.path.join(WORK, "big-corpus.xml")
    if os.path.exists(out) and os.path.getsize(out) >= min_bytes:
        return out, sum(1 for _ in open(out, "rb") if _.startswith(b"<doc>"))
    bodies = []
    for f in files:
        with open(f, "rb") as g:
            data = g.read()
        # from the root element's start tag: the first "<" + name start outside the
        # prolog (a DOCTYPE's internal subset holds "<!ENTITY", never "<" + letter)
        blanked = re.sub(rb"<!--.*?-->", lambda c: b" " * len(c.group()), data, flags=re.S)
        m = re.search(rb"<[A-Za-z_]", blanked)
        j = m.start() if m else -1
        # without the prolog, entities it declared are gone: keep the files
        # that use only the predefined ones and character references
        if j > 0 and b"<!DOCTYPE" in blanked[:j]:
            continue  # a DTD may supply defaults (JATS: xmlns:xlink) that would be lost
        enc = re.search(rb"encoding=[\"']([^\"']+)", data[:j]) if j > 0 else None
        if enc and enc.group(1).lower() not in (b"utf-8", b"utf8"):
            continue  # the declaration that named its encoding is dropped
        if j >= 0 and not re.search(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)", data[j:]):
            bodies.append(data[j:])
    if not bodies:
        return None, 0
    n = 0
    with open(out, "wb") as f:
        f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<corpus>\n')
        size = 0
        while size < min_bytes:
            for b in bodies:
                f.write(b"<doc>\n")
                f.write(b)
                f.write(b"\n</doc>\n")
                size += len(b) + 14
                n += 1
        f.write(b"</corpus>\n")
    return out, n


def task_sqlite():
    """Issue 7: the sqlite plugin's record sink sustains >= 200,000 records/s.
    The sink alone: tests/tools/sink_drive pushes SQLITE_RECORDS (default
    1,000,000) pre-built eight-field records through lode_sink_write into a
    new database (open to commit, fsync included), RUNS times; and whole runs
    of `lode run SCRIPT news-de -j 2 -o x.sqlite` against `-o x.jsonl` for
    scripts/news-quotes.lua (few records) and a one-record-per-word script
    (many), each output removed before its run (a second run would append)."""
    print("\n== sqlite: the sqlite sink alone (records/s), and lode run -o x.sqlite vs -o x.jsonl")
    drive = os.path.join(BUILD, "tests", "sink_drive")
    plugin = os.path.join(BUILD, "plugins", "sqlite.so")
    if not (os.access(drive, os.X_OK) and os.path.exists(plugin)):
        return skip("sqlite", "%s or %s not built" % (drive, plugin))
    n = int(os.environ.get("SQLITE_RECORDS", "1000000"))
    out = os.path.join(WORK, "out", "sink.sqlite")
    walls, cpus = [], []
    for _ in range(RUNS + 1):   # the first round warms up
        for f in (out, out + "-wal", out + "-shm"):
            if os.path.exists(f):
                os.unlink(f)
        r = subprocess.run([drive, "--bench", str(n), plugin, out], capture_output=True, text=True)
        m = re.search(r"in ([0-9.]+) s \(CPU ([0-9.]+) s\)", r.stdout)
        if r.returncode != 0 or not m:
            ERRORS.append("sqlite / sink_drive: exit status %d: %s" % (r.returncode, (r.stderr or r.stdout)[-300:]))
            return
        walls.append(float(m.group(1)))
        cpus.append(float(m.group(2)))
    walls, cpus = walls[1:], cpus[1:]
    rate, cpu_rate = n / med(walls), n / med(cpus)
    print("  sink alone: %d records, %d rounds: median %.3f s wall (%.3f-%.3f), %.3f s CPU: "
          "%.0f records/s (%.0f per CPU second)" % (n, len(walls), med(walls), min(walls), max(walls), med(cpus),
                                                   rate, cpu_rate))
    RESULTS.append({"date": DATE, "task": "sqlite-sink", "corpus": "(synthetic)", "peer": "sink_drive --bench",
                    "docs": n, "bytes": 0, "rounds": len(walls), "wall_med_s": med(walls),
                    "wall_min_s": min(walls), "wall_max_s": max(walls), "cpu_med_s": med(cpus),
                    "mb_s": float("nan"), "docs_s": rate, "peak_rss_mib": float("nan"), "ref": "",
                    "ratio": float("nan"), "paired_ratio": float("nan"), "paired_cpu_ratio": float("nan"),
                    "notes": "docs = records; docs_s = records/s; %.0f records per CPU second" % cpu_rate})
    target("sqlite sink >= 200,000 records/s", "%.0f records/s wall, %.0f per CPU second (%d records)"
           % (rate, cpu_rate, n), rate >= 200000)
    c = corpus("news-de", ".txt", 2)
    if not c:
        return skip("sqlite", "%s/news-de absent: no whole runs" % CORPUS)
    words = os.path.join(WORK, "out", "words.lua")
    with open(words, "w") as f:
        f.write("return { p = function(p, ctx)\n  local line, n = p:line(), 0\n"
                "  for w in p:text():gmatch('%S+') do n = n + 1; ctx:emit{ line = line, n = n, word = w, "
                "len = #w } end\nend }\n")
    root = os.path.join(CORPUS, "news-de")
    for script in ("scripts/news-quotes.lua", words):
        name = os.path.basename(script)[:-4]
        peers = []
        for ext in ("jsonl", "sqlite"):
            o = os.path.join(WORK, "out", "run-%s.%s" % (name, ext))
            argv = ["sh", "-c", 'rm -f "$0" "$0-wal" "$0-shm" && exec "$@"', o, LODE, "run", script, root,
                    "-j", "2", "-q", "-o", o]
            peers.append(Peer("%s -o x.%s" % (name, ext), argv, c["bytes"], len(c["files"]), ref=ext == "jsonl"))
        record("sqlite", "news-de", round_robin("sqlite " + name, peers, RUNS), peers[0])
        try:
            got = subprocess.run(["sqlite3", peers[1].argv[3], 'SELECT count(*) FROM "%s"' % name],
                                 capture_output=True, text=True).stdout.strip()
            with open(peers[0].argv[3], "rb") as f:
                want = sum(1 for _ in f)
            print("  %s: %s rows in the database, %d JSON Lines records" % (name, got, want))
        except OSError:
            pass


def task_bigfile():
    """Issue 9: one XML document of >= 100 MB (the XML corpus concatenated):
    --split doc streams it in constant memory; compared with reading it whole."""
    print("\n== bigfile: the XML corpus concatenated into one document of >= 100 MB")
    if not os.path.isdir(os.path.join(CORPUS, "xml")):
        return skip("bigfile", "%s/xml absent" % CORPUS)
    path, ndocs = build_big_xml()
    if not path:
        return skip("bigfile", "no usable XML file in %s/xml" % CORPUS)
    b = os.path.getsize(path)
    print("  %s: %.1f MB, %d <doc> elements" % (path, b / MB, ndocs))
    split = Peer("lode run noop.lua --split doc", [LODE, "run", NOOP, path, "--split", "doc", "-q"], b, ndocs, ref=True)
    split_rules = Peer("lode run count10.lua --split doc -j 1", [LODE, "run", "-j", "1", COUNT10, path, "--split", "doc",
                                                                 "-q"], b, ndocs)
    whole = Peer("lode convert -t text (whole tree)", [LODE, "convert", path, "-t", "text", "-o", "/dev/null"], b, 1)
    lint = Peer("xmllint --stream --noout", ["xmllint", "--stream", "--noout", path], b, 1) \
        if shutil.which("xmllint") else None
    peers = round_robin("bigfile", [split, split_rules, whole, lint], max(3, RUNS - 2))
    rows = record("bigfile", "xml concatenated", peers, split)
    rs, rw = rows[split.name]["peak_rss_mib"], rows[whole.name]["peak_rss_mib"]
    print("  peak RSS: --split %.1f MiB vs the whole tree %.1f MiB (%.0fx less); with --split the peak is set by\n"
          "  the largest element (the biggest corpus file as a tree, per worker), not by the file" % (rs, rw, rw / rs))
    target("--split streams a >= 100 MB file in < 64 MB",
           "%.1f MiB peak for %.0f MB, %.1f%% of reading it whole (%.0f MiB)" % (rs, b / MB, 100.0 * rs / rw, rw),
           rs < 64 and not split.failed)


def task_query():
    """Issue 3: `lode query p --count` over html-news at least as fast as
    `xmllint --html --xpath 'count(//p)'` on the same files."""
    print("\n== query: `lode query p --count` and `--xpath 'count(//p)'` vs `xmllint --html --xpath 'count(//p)'`")
    c = corpus("html-news", ".html")
    if not c:
        return skip("query", "%s/html-news absent" % CORPUS)
    xmllint = shutil.which("xmllint")
    if not xmllint:
        return skip("query", "xmllint not installed (apt-get install libxml2-utils)")
    n, b, files = len(c["files"]), c["bytes"], c["files"]
    if not args_fit(files):
        return skip("query", "the file list does not fit on one command line")
    every = int(os.environ.get("QUERY_PERDOC_SAMPLE", "8"))
    print("  corpus html-news: %d docs, %.1f MB; each command is one process over all files (argv)" % (n, b / MB))
    print("  xmllint's parser messages (stderr) go to /dev/null, as `2>/dev/null` would")
    xl = Peer("xmllint --html --xpath", [xmllint, "--html", "--xpath", "count(//p)"] + files, b, n, ref=True,
              out=True, err_null=True)
    xlr = Peer("xmllint --html --recover --xpath", [xmllint, "--html", "--recover", "--xpath", "count(//p)"] + files,
               b, n, out=True, err_null=True)
    lq = Peer("lode query p --count", [LODE, "query", "p", "--count"] + files, b, n, out=True)
    lx = Peer("lode query --xpath", [LODE, "query", "--xpath", "count(//p)"] + files, b, n, out=True)
    peers = round_robin("query", [xl, xlr, lq, lx], RUNS)
    res = {p.name: per_file_numbers(p.out_path, n > 1 and p.name.startswith("lode")) for p in peers}
    rows = record("query", "html-news", peers, xl)
    # outputs, per file: lode vs xmllint
    print("  output check (the count of each file, in file order):")
    equal = {}
    for p in (lq, lx):
        for q in (xlr, xl):
            a, bb = res[p.name], res[q.name]
            diff = [(files[i], a[i], bb[i]) for i in range(min(len(a), len(bb))) if a[i] != bb[i]]
            equal[(p.name, q.name)] = len(a) - len(diff) if len(a) == len(bb) == n else 0
            print("    %-21s vs %-33s %d of %d files equal%s" % (p.name, q.name, equal[(p.name, q.name)], n,
                                                                 "" if len(a) == len(bb) == n else
                                                                 " (%d/%d lines)" % (len(a), len(bb))))
            if diff:
                fewer = sum(1 for _, x, y in diff if float(x) < float(y))
                print("      %d differ, lode lower in %d: %s" % (len(diff), fewer, "; ".join(
                    "%s %s vs %s" % (os.path.basename(f)[:28], x, y) for f, x, y in diff[:3])))
    for p in (lq, lx):
        rr = versus(p, xlr)
        print("  %-21s vs xmllint --recover: x %.3f, paired %.3f, cpu paired %.3f" % ((p.name,) + rr))
        RESULTS.append(dict(rows[p.name], peer=p.name + " vs --recover", ref=xlr.name, ratio=rr[0],
                            paired_ratio=rr[1], paired_cpu_ratio=rr[2],
                            notes="the same runs, against xmllint with lode's parse options"))
    for p, tname in ((lq, "query --count <= 1.0x xmllint"), (lx, "query --xpath <= 1.0x xmllint")):
        r = rows[p.name]
        rr = versus(p, xlr)
        target(tname, "paired %.2fx (cpu %.2fx); vs xmllint --recover %.2fx (cpu %.2fx); %.3f s vs %.3f s"
               % (r["paired_ratio"], r["paired_cpu_ratio"], rr[1], rr[2], r["wall_med_s"], rows[xl.name]["wall_med_s"]),
               r["paired_ratio"] <= 1.0, "counts equal to xmllint --recover in %d of %d files%s"
               % (equal[(p.name, xlr.name)], n, "" if p is lq else "; not an issue target"))
    # one process per document, as scripts run xmllint: on every Nth file
    if every <= 0:
        return
    sample = files[::every]
    lst = write_list("query-perdoc", sample)
    sb = total_bytes(sample)
    print("\n  one process per document (xargs -n1), every %d%s file: %d docs, %.1f MB"
          % (every, "st" if every == 1 else "th", len(sample), sb / MB))
    xpd = Peer("xmllint --html --xpath, per doc", [XARGS, "-n1", "-a", lst, xmllint, "--html", "--xpath",
                                                   "count(//p)"], sb, len(sample), ref=True, out=True, err_null=True)
    lpd = Peer("lode query p --count, per doc", [XARGS, "-n1", "-a", lst, LODE, "query", "p", "--count"],
               sb, len(sample), out=True)
    prow = record("query-perdoc", "html-news 1/%d" % every, round_robin("query-perdoc", [xpd, lpd], RUNS), xpd)
    idx = list(range(0, n, every))
    for p, batch in ((xpd, xl), (lpd, lq)):
        got = per_file_numbers(p.out_path, False)
        want = [res[batch.name][i] for i in idx if i < len(res[batch.name])]
        print("    %-32s %d of %d counts equal to its batch run" % (p.name, sum(1 for x, y in zip(got, want)
                                                                          if x == y), len(sample)))
    for p in (xpd, lpd):
        print("    %-32s %.1f ms per document (median wall / docs)" % (p.name, 1e3 * prow[p.name]["wall_med_s"]
                                                                       / len(sample)))


def callgrind_totals(path):
    """Self cost per function from callgrind_annotate: {name [object]: Ir}."""
    out = subprocess.run(["callgrind_annotate", "--threshold=100", path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode("utf-8", "replace")
    funcs, started = {}, False
    for ln in out.splitlines():
        if ln.startswith("Ir") and "file:function" in ln:
            started = True
            continue
        if not started:
            continue
        parts = ln.strip().split(None, 2)
        if len(parts) == 3 and parts[0].replace(",", "").isdigit() and parts[1].startswith("("):
            name = parts[2]
            # "./path/file.c:func [obj]" -> "func [obj]"
            head, sep, obj = name.partition(" [")
            name = head.rsplit(":", 1)[-1] + sep + obj.rsplit("/", 1)[-1]
            funcs[name] = funcs.get(name, 0) + int(parts[0].replace(",", ""))
        elif funcs and ln.startswith("-----"):
            break
    return funcs


def task_callgrind():
    """Instruction counts (valgrind --tool=callgrind): lode_readall vs the floor,
    independent of the machine's load; and where lode's extra instructions go."""
    print("\n== callgrind: instructions executed, lode_readall vs libxml2 floor (load-independent)")
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return skip("callgrind", "valgrind not installed")
    if not FLOOR:
        return skip("callgrind", "no floor")
    every = int(os.environ.get("CG_SAMPLE", "4"))
    for kind, cname, suffix, step in (("html", "html-news", ".html", every), ("xml", "xml", ".xml", 1)):
        c = corpus(cname, suffix)
        if not c:
            print("  %s absent: skipped" % cname)
            continue
        files = c["files"][::step]
        lst = write_list("cg-" + kind, files)
        b = total_bytes(files)
        print("  %s: %d docs (every %d%s), %.1f MB" % (cname, len(files), step, "st" if step == 1 else "th",
                                                       b / MB))
        tot = {}
        for name, argv in (("floor", [FLOOR, kind, "parse", lst]), ("lode", [READALL, lst])):
            out = os.path.join(WORK, "out", "callgrind.%s.%s" % (kind, name))
            t0 = time.time()
            spawn(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                  err_path=out + ".err", direct=True)
            tot[name] = callgrind_totals(out)
            print("    %-6s %14s instructions (%.0f s under valgrind)" % (name, "{:,}".format(sum(tot[name].values())),
                                                                         time.time() - t0))
        fl, lo = sum(tot["floor"].values()), sum(tot["lode"].values())
        if not fl or not lo:
            print("    no totals (callgrind failed?)")
            continue
        print("    lode / floor = %.3f (%+.1f%%)" % (lo / fl, 100.0 * (lo - fl) / fl))
        diff = sorted(((tot["lode"].get(k, 0) - tot["floor"].get(k, 0), k) for k in set(tot["lode"]) | set(tot["floor"])),
                      key=lambda x: -abs(x[0]))
        print("    largest differences (lode - floor, self cost):")
        for d, k in diff[:10]:
            print("      %+7.2f%% of floor  %+14s  %s" % (100.0 * d / fl, "{:,}".format(d), k[:90]))
        RESULTS.append({"date": DATE, "task": "callgrind", "corpus": cname, "peer": "lode_readall", "docs": len(files),
                        "bytes": b, "rounds": 1, "wall_med_s": float("nan"), "wall_min_s": float("nan"),
                        "wall_max_s": float("nan"), "cpu_med_s": float("nan"), "mb_s": float("nan"),
                        "docs_s": float("nan"), "peak_rss_mib": float("nan"), "ref": "floor %s parse" % kind,
                        "ratio": lo / fl, "paired_ratio": float("nan"), "paired_cpu_ratio": float("nan"),
                        "notes": "instructions: lode %d, floor %d" % (lo, fl)})
        target("read %s <= 1.10x floor (instructions)" % kind, "%.3fx instructions" % (lo / fl), lo / fl <= 1.10,
               "callgrind, load-independent")
        if kind == "html":
            callgrind_rules(files, tot["floor"])


def callgrind_rules(files, floor_tot):
    """The rules target in instructions: `lode run count10.lua` vs
    `lode run noop.lua` (and the floor) on the callgrind sample of html-news."""
    if not args_fit(files):
        return
    print("  rules: `lode run count10.lua` vs `lode run noop.lua` on the same %d docs" % len(files))
    tot = {"floor": floor_tot}
    for name, script in (("noop", NOOP), ("count10", COUNT10)):
        out = os.path.join(WORK, "out", "callgrind.rules.%s" % name)
        t0 = time.time()
        spawn(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, LODE, "run", script] + files + ["-q"],
              err_path=out + ".err", direct=True)
        tot[name] = callgrind_totals(out)
        print("    %-8s %14s instructions (%.0f s under valgrind)" % (name, "{:,}".format(sum(tot[name].values())),
                                                                     time.time() - t0))
    fl, no, co = (sum(tot[k].values()) for k in ("floor", "noop", "count10"))
    if not no or not co:
        print("    no totals (callgrind failed?)")
        return
    print("    count10 / noop = %.3f; count10 / floor = %.3f; noop / floor = %.3f" % (co / no, co / fl, no / fl))
    keys = set(tot["count10"]) | set(tot["noop"])
    diff = sorted(((tot["count10"].get(k, 0) - tot["noop"].get(k, 0), k) for k in keys), key=lambda x: -abs(x[0]))
    print("    largest differences (count10 - noop, self cost):")
    for d, k in diff[:12]:
        print("      %+7.2f%% of noop  %+14s  %s" % (100.0 * d / no, "{:,}".format(d), k[:90]))
    RESULTS.append({"date": DATE, "task": "callgrind", "corpus": "html-news", "peer": "lode run count10.lua",
                    "docs": len(files), "bytes": total_bytes(files), "rounds": 1, "wall_med_s": float("nan"),
                    "wall_min_s": float("nan"), "wall_max_s": float("nan"), "cpu_med_s": float("nan"),
                    "mb_s": float("nan"), "docs_s": float("nan"), "peak_rss_mib": float("nan"),
                    "ref": "lode run noop.lua", "ratio": co / no, "paired_ratio": float("nan"),
                    "paired_cpu_ratio": float("nan"),
                    "notes": "instructions: count10 %d, noop %d, floor %d" % (co, no, fl)})
    target("rules <= 1.3x parse (instructions)", "%.3fx noop, %.3fx floor" % (co / no, co / fl), co / no <= 1.3,
           "callgrind, load-independent")


# ---------------------------------------------------------------------------

GLOBAL = {}
DATE = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %z")


def task_markdown():
    """Issue 7: `lode convert BIG.md -f markdown -t html` (the markdown
    plugin) against Debian's cmark-gfm command on the same input, >= 80% of
    its speed.  BIG.md: README.md and docs/*.md joined, repeated to at least
    MD_MB MB (default 20), generated into $BUILD/bench/ (not committed).
    Also: the plugin's reader alone (md_driver ... none: parse, no output)
    and cmark-gfm's own XML output, to show where the time goes."""
    mb = float(os.environ.get("MD_MB", "20"))
    print("\n== markdown: the markdown plugin against cmark-gfm on one large Markdown file (>= %g MB)" % mb)
    cmark = shutil.which("cmark-gfm")
    so = os.path.join(BUILD, "plugins", "markdown.so")
    driver = os.path.join(BUILD, "tests", "md_driver")
    if not cmark or not os.path.exists(so):
        return skip("markdown", "cmark-gfm command or %s missing" % so)
    srcs = ["README.md"] + sorted(files_under("docs", ".md"))
    one = b"".join(open(f, "rb").read().rstrip(b"\n") + b"\n\n" for f in srcs)
    reps = int(mb * MB // len(one)) + 1
    big = os.path.join(BUILD, "bench", "big.md")
    os.makedirs(os.path.dirname(big), exist_ok=True)
    with open(big, "wb") as f:
        f.write(one * reps)
    size = os.path.getsize(big)
    print("  %s: %.1f MB (%d files x %d)" % (big, size / MB, len(srcs), reps))
    ext = ["-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tasklist"]
    ref = Peer("cmark-gfm (html)", [cmark] + ext + [big], size, 1, ref=True)
    lode = Peer("lode convert -f markdown -t html", [LODE, "convert", big, "-f", "markdown", "-t", "html"], size, 1)
    peers = [ref, lode,
             Peer("cmark-gfm -t xml", [cmark, "-t", "xml"] + ext + [big], size, 1),
             Peer("md_driver: read only", [driver, so, big, "markdown", "none"], size, 1)
             if os.access(driver, os.X_OK) else None]
    rows = record("markdown", "big.md", round_robin("markdown", peers, RUNS), ref)
    r = rows[lode.name]
    target("markdown -> html >= 80% of cmark-gfm", "%.0f%% of cmark-gfm's speed (paired wall), %.0f%% by cpu "
           "(%.2f s vs %.2f s wall for %.1f MB)" % (100 / r["paired_ratio"], 100 / r["paired_cpu_ratio"],
                                                   r["wall_med_s"], rows[ref.name]["wall_med_s"], size / MB),
           r["paired_ratio"] <= 1.25, "whole process; cmark-gfm renders HTML straight from its AST")


def tool_version(argv):
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10).stdout
        return out.decode("utf-8", "replace").splitlines()[0].strip()
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def write_tsv():
    path = os.environ.get("RESULTS") or os.path.join(WORK, "results.tsv")
    with open(path, "w") as f:
        f.write("\t".join(TSV_COLS) + "\n")
        for r in RESULTS:
            vals = []
            for c in TSV_COLS:
                v = r.get(c, "")
                if isinstance(v, float):
                    v = "" if v != v else ("%.6g" % v)
                vals.append(str(v).replace("\t", " "))
            f.write("\t".join(vals) + "\n")
    raw = path[:-4] + "-raw.tsv" if path.endswith(".tsv") else path + ".raw"
    with open(raw, "w") as f:
        f.write("date\ttask\tpeer\tround\twall_s\tcpu_s\tmaxrss_kib\texit\n")
        for t in RAW:
            f.write("%s\t%s\t%s\t%d\t%.6f\t%.6f\t%d\t%d\n" % ((DATE,) + t))
    return path, raw


def main(argv):
    tasks = argv[1:] or (os.environ.get("BENCH_TASKS", "").split() or TASKS)
    tasks = [x for t in tasks for x in (peer_tasks.TASKS if t == "peers" else [t])]
    bad = [t for t in tasks if t not in TASKS + EXTRA_TASKS]
    if bad:
        sys.stderr.write("bench.py: unknown task(s) %s; tasks: %s\n" % (" ".join(bad), " ".join(TASKS + EXTRA_TASKS)))
        return 2
    for need in (LODE, READALL):
        if not os.access(need, os.X_OK):
            sys.stderr.write("bench.py: %s not built (run `make all unit`)\n" % need)
            return 2
    global FLOOR, TIMER
    if FLOOR and not os.access(FLOOR, os.X_OK):
        FLOOR = ""
    if TIMER and not os.access(TIMER, os.X_OK):
        TIMER = ""
    for d in ("lists", "out"):
        os.makedirs(os.path.join(WORK, d), exist_ok=True)

    print("lode foundation benchmarks -- %s" % DATE)
    print("machine: %s, %d CPU(s), %s; %s" % (cpu_model(), os.cpu_count() or 0, platform.platform(),
                                              "%.0f GiB RAM" % (os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)))
    print("lode %s (%s), libxml2 %s, %s" % (tool_version([LODE, "--version"]), BUILD,
                                          tool_version(["pkg-config", "--modversion", "libxml-2.0"]),
                                          tool_version(["cc", "--version"])))
    print("corpus %s; floor %s; scratch %s" % (CORPUS, FLOOR or "(not built: floor rows skipped)", WORK))
    print("timing: %s" % ("%s (fork/exec/wait4 from a small process)" % TIMER if TIMER else
                          "os.wait4 from python (timer.c not built: RSS figures include python's own peak)"))
    print("RUNS=%d (after 1 warm-up round), MEM_RUNS=%d, STARTUP_RUNS=%d; whole-process wall time, round-robin"
          % (RUNS, MEM_RUNS, STARTUP_RUNS))
    print("columns: MB/s = input MB / median wall; RSS = largest ru_maxrss over the rounds; x ref = median / "
          "median of the task's reference; paired = median over rounds of (run / reference run); cpu paired = "
          "the same for user+sys time (less disturbed by other load on the machine)")
    if not os.path.isdir(CORPUS):
        print("\ncorpus %s not found: corpus tasks skipped" % CORPUS)

    print("load average at start: %.2f %.2f %.2f (other processes on the machine skew every figure)"
          % os.getloadavg())
    t0 = time.time()
    for t in tasks:
        {"html": lambda: task_read("html"), "xml": lambda: task_read("xml"), "text": task_text,
         "newsde": task_newsde, "writers": task_writers, "memory": task_memory, "startup": task_startup,
         "rules": task_rules, "query": task_query, "parallel": task_parallel, "bigfile": task_bigfile, "callgrind": task_callgrind,
         "sqlite": task_sqlite, "markdown": task_markdown, "html5": task_html5}.get(t, lambda: peer_tasks.run(sys.modules[__name__], t))()

    print("\n== targets (measurements, not pass/fail tests; this VM drifts: compare within one run)")
    for name, measured, met, note in TARGETS:
        state = "MET" if met else ("n/a" if met is None else "NOT MET")
        print("  %-42s %-8s %s%s" % (name, state, measured, ("  [" + note + "]") if note else ""))
    tsv, raw = write_tsv()
    print("\nload average at end: %.2f %.2f %.2f" % os.getloadavg())
    print("results: %s (raw rounds: %s); %.0f s in all" % (tsv, raw, time.time() - t0))
    if ERRORS:
        print("\ncommands that failed:")
        for e in ERRORS:
            print("  " + e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
