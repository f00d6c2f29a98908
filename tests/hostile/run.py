#!/usr/bin/env python3
"""run.py -- the hostile input set (issue 8, "200 hostile inputs"): generates
it with gen.py into BUILD/hostile and runs every input, printing TAP.

Documents go through `lode convert FILE OPTS -o OUT`; Lua scripts through
`lode run --sandbox` (32 MB, 10,000,000 instructions, 3 s) over a small page.
Both run in the input folder, so relative references in the inputs point at
its canary and decoy files.  For every input (HARDENING 5):

  - never a crash: exit status < 128, no sanitizer report;
  - never a hang: done within 20 s of CPU time (60 s under SAN=1; CPU
    rather than wall-clock time because the machines are shared, with a
    300 s wall-clock backstop);
  - the expected outcome where the input has one (ok / error + fragment);
  - a failure is a clear error: exit 1-5, a message that names the input,
    holds no raw control characters (ESC, NUL, ...), and no output file
    (nor a temporary one) is left behind;
  - a success writes valid UTF-8 without NUL (the converted file, or the
    records on standard output);
  - the canary's text never appears in any output or message;
  - under strace (where it works): no open() of any file but the input, the
    script's document, the output's temporary file and the system's shared
    libraries and charset modules; no socket, no connect.

  python3 tests/hostile/run.py [NAME...]      (LODE, BUILD, SAN from the environment)
"""
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("BUILD", "build")
LODE = os.path.abspath(os.environ.get("LODE", os.path.join(BUILD, "lode")))
SAN = os.environ.get("SAN") == "1"
COVERAGE = os.environ.get("COV") == "1"  # the gcov build: it writes *.gcda files at exit
TIMEOUT = 60 if SAN else 20  # CPU seconds
WALL_LIMIT = 300
LIMITS = ["--sandbox", "--max-memory", "32", "--max-steps", "10000000", "--timeout", "3000"]
CANARY = b"LODE-HOSTILE-CANARY"
# lode's own plugin folder (build/plugins next to the binary) is code, like
# the system libraries: an unknown extension loads the plugins once.
PLUGIN_DIR = os.path.join(os.path.dirname(LODE), "plugins")
SYSTEM_PREFIXES = ("/etc/ld.so.cache", "/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/", "/proc/", "/sys/", "/dev/",
                   PLUGIN_DIR)
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


def have_strace():
    if not shutil.which("strace"):
        return False
    try:
        return subprocess.run(["strace", "-o", "/dev/null", "true"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def valid_utf8(b):
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def command(case, out):
    if case["kind"] == "run":
        return [LODE, "run"] + LIMITS + case["opts"] + [case["file"], "doc.html"]
    if case["kind"] == "run-trusted":  # the self-check only
        return [LODE, "run"] + case["opts"] + [case["file"], "doc.html"]
    return [LODE, "convert", case["file"]] + case["opts"] + ["-o", out]


def opened(trace_path, allowed):
    """Files and sockets the traced run touched that it had no business to."""
    bad = []
    with open(trace_path, "r", errors="replace") as f:
        for line in f:
            if " socket(" in line or " connect(" in line:
                bad.append(line.strip())
                continue
            m = re.search(r'open(?:at)?\((?:AT_FDCWD, )?"((?:[^"\\]|\\.)*)"', line)
            if not m:
                continue
            path = m.group(1)
            if path in allowed or path.startswith(SYSTEM_PREFIXES) or any(path.startswith(a + ".tmp-") for a in allowed):
                continue
            if COVERAGE and path.endswith(".gcda"):
                continue  # the coverage build writing its own counters at exit
            bad.append(path)
    return bad


def run_bounded(argv, cwd, tmp):
    """Runs argv; returns (status, stdout, stderr, cpu seconds), status None
    when it was killed for using more than TIMEOUT seconds of CPU time (or
    WALL_LIMIT of wall-clock time: the machines are shared, and a loaded
    one can stretch a 1 s run to 10 s of wall time)."""
    out_p, err_p = os.path.join(tmp, ".stdout"), os.path.join(tmp, ".stderr")
    with open(out_p, "wb") as out, open(err_p, "wb") as err:
        p = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        t0 = time.monotonic()
        killed = False
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            cpu = cpu_of(p.pid)
            if not killed and (cpu > TIMEOUT or time.monotonic() - t0 > WALL_LIMIT):
                os.kill(p.pid, signal.SIGKILL)
                killed = True
            time.sleep(0.01)
        p.returncode = 0  # reaped here
    with open(out_p, "rb") as f:
        so = f.read()
    with open(err_p, "rb") as f:
        se = f.read()
    os.unlink(out_p)
    os.unlink(err_p)
    cpu = ru.ru_utime + ru.ru_stime
    if killed:
        return None, so, se, cpu
    rc = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return rc, so, se, cpu


def cpu_of(pid):
    """CPU seconds a running process has used so far (Linux /proc)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def check(case, work, strace):
    tmp = tempfile.mkdtemp(prefix="o.", dir=work)
    try:
        return check_in(case, work, strace, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_in(case, work, strace, tmp):
    name = case["file"]
    out = os.path.join(tmp, "out")
    argv = command(case, out)
    rc, so, se, cpu = run_bounded(argv, work, tmp)
    if rc is None:
        return "no result after %.0f s of CPU time or %d s wall-clock time (hang)" % (cpu, WALL_LIMIT)
    msg = se[:300].decode("utf-8", "replace").replace("\n", " | ")
    if rc >= 128:
        return "crashed (status %d): %s" % (rc, msg)
    if b"Sanitizer" in se or b"runtime error:" in se:
        return "sanitizer report: " + msg
    produced = [so, se]
    if rc == 0:
        if case["expect"] == "error":
            return "succeeded, expected an error"
        if case["kind"] == "convert":
            if not os.path.exists(out):
                return "exit 0 but no output file"
            with open(out, "rb") as f:
                data = f.read()
            produced.append(data)
        else:
            data = so
        if not valid_utf8(data):
            return "output is not valid UTF-8"
        if b"\0" in data:
            return "output holds a NUL byte"
    else:
        if case["expect"] == "ok":
            return "exit %d, expected success: %s" % (rc, msg)
        if rc > 5:
            return "exit %d is not one of lode's statuses" % rc
        if not se.strip():
            return "exit %d without a message" % rc
        if name.encode() not in se:
            return "the message does not name %s: %s" % (name, msg)
        if case["frag"] and case["frag"].encode() not in se:
            return "message lacks %r: %s" % (case["frag"], msg)
        if CONTROL.search(se):
            return "raw control characters in the message: %r" % se[:200]
        left = os.listdir(tmp)
        if left:
            return "files left behind after the failure: %s" % left
    if any(CANARY in b for b in produced):
        return "the canary's content reached the output"
    if strace:
        trace = os.path.join(tmp, "trace")
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        try:
            subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat,connect,socket", "-o", trace] +
                           command(case, out + "2"), cwd=work, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=WALL_LIMIT)
        except subprocess.TimeoutExpired:
            return "no result under strace after %d s" % WALL_LIMIT
        allowed = {name, os.path.join(work, name), "doc.html", out, out + "2"}
        bad = opened(trace, allowed)
        if bad:
            return "touched what it was not given: %s" % ", ".join(bad[:4])
    return None


def main():
    work = os.path.abspath(os.path.join(BUILD, "hostile"))
    subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), work], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(work, "manifest.jsonl")) as f:
        cases = [json.loads(line) for line in f]
    only = set(sys.argv[1:])
    if only:
        cases = [c for c in cases if c["file"] in only]
    strace = have_strace()
    kinds = {}
    for c in cases:
        k = "lua" if c["kind"] == "run" else os.path.splitext(c["file"].replace(".gz", ""))[1].lstrip(".") or "other"
        kinds[k] = kinds.get(k, 0) + 1
    print("# %d hostile inputs (%s)%s" % (len(cases), ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                                          "" if strace else "; strace unavailable: file checks skipped"))
    failed = 0
    # The checks must be able to fail: scripts run without the sandbox that
    # print the canary, and that only open a decoy file, must be caught.
    selfcheck = [("selfcheck-prints-canary.lua", "canary", True)]
    if strace:
        selfcheck.append(("selfcheck-opens-decoy.lua", "decoy.dtd", strace))
    for script, what, use_strace in selfcheck:
        why = check({"file": script, "kind": "run-trusted", "opts": [], "expect": "any", "frag": None}, work, use_strace)
        if why and what in why:
            print("ok - self-check: a trusted script touching %s is caught (%s)" % (what, why[:80]))
        else:
            failed += 1
            print("not ok - self-check: a trusted script touching %s was not caught: %s" % (what, why))
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: check(c, work, strace), cases))
    for i, (c, why) in enumerate(zip(cases, results), 1):
        what = "%s %s" % (c["file"], " ".join(c["opts"]))
        if why:
            failed += 1
            print("not ok %d - %s: %s" % (i, what.strip(), why))
        else:
            print("ok %d - %s" % (i, what.strip()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
