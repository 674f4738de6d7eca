#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make bench, the measuring part (bench/run.sh checks the inputs first).

    bench.py BUILD CORPUS TMPDIR

Every figure is the median of REPEATS runs (default 5), each command in a
process of its own, the commands of one comparison interleaved (A B A B
...) so that a change in the machine's load falls on both. Wall time and
CPU time (user + system, from getrusage of the child) are both given: on a
machine that other work shares, CPU time moves less. Peak memory is the
child's maximum resident set.

The floor is libfyaml's own parse and emit, fy-tool --dump, run with
--allow-duplicate-keys: without it fy-tool checks duplicate keys in time
quadratic in a mapping's size (Resources), which at 5,000 resources is
most of its time; a ratio to that would flatter cfn-harden, which checks
them in n log n.
"""
import math
import os
import statistics
import subprocess
import sys
import time

BUILD, CORPUS, TMP = sys.argv[1], sys.argv[2], sys.argv[3]
HARDEN = os.path.join(BUILD, "cfn-harden")
FY = ["fy-tool", "--dump", "--allow-duplicate-keys"]
REPEATS = int(os.environ.get("REPEATS", "5"))
SIZES = [int(s) for s in os.environ.get(
    "SIZES", "500 1000 2000 5000 10000").split()]
HERE = os.path.dirname(os.path.abspath(__file__))


def say(msg=""):
    print("bench: " + msg if msg else "bench:", flush=True)


def die(msg):
    print("bench: error: " + msg, file=sys.stderr, flush=True)
    sys.exit(1)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(argv, ok=(0,)):
    """One run: (wall s, cpu s, peak RSS bytes). Output is discarded."""
    t0 = time.monotonic()
    try:
        pid = os.fork()
    except OSError as e:
        die("cannot fork: %s" % e)
    if pid == 0:
        try:
            fd = os.open(os.devnull, os.O_RDWR)
            os.dup2(fd, 0)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        die("'%s' exited with %d (expected %s)"
            % (" ".join(argv[:6]) + (" ..." if len(argv) > 6 else ""),
               code, "/".join(map(str, ok))))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def interleaved(cmds):
    """Run each command REPEATS times, interleaved; medians per command:
    a list of (wall, cpu, peak)."""
    res = [[] for _ in cmds]
    for _ in range(REPEATS):
        for i, (argv, ok) in enumerate(cmds):
            res[i].append(run(argv, ok))
    return [tuple(statistics.median(r[k] for r in runs) for k in range(3))
            for runs in res]


def slope(xs, ys):
    """Least squares slope of log y on log x."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.mean(lx), statistics.mean(ly)
    den = sum((a - mx) ** 2 for a in lx)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / den


def verdict(ok):
    return "met" if ok else "NOT met"


def scale():
    say("scale: realistic templates from bench/gen.py (groups of ten "
        "resources: inline policies, function code, attributes)")
    say("%9s %7s | %8s %8s | %8s %8s | %6s %6s | %7s %7s"
        % ("resources", "MB", "harden s", "cpu s", "fy-tool s", "cpu s",
           "ratio", "cpu", "peak MB", "x input"))
    rows = []
    for n in SIZES:
        path = os.path.join(TMP, "gen-%d.yaml" % n)
        with open(path, "w") as out:
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"),
                            str(n)], stdout=out, check=True)
        size = os.path.getsize(path)
        h, f = interleaved([([HARDEN, path, "-o", os.devnull], (0,)),
                            (FY + [path], (0,))])
        rows.append((n, size, h, f))
        say("%9d %7.2f | %8.2f %8.2f | %8.2f %8.2f | %5.1fx %5.1fx | %7d %6.0fx"
            % (n, size / 1e6, h[0], h[1], f[0], f[1], h[0] / f[0],
               h[1] / f[1], h[2] / 1e6, h[2] / size))
    if len(rows) >= 2:
        ns = [r[0] for r in rows]
        eh = slope(ns, [r[2][0] for r in rows])
        ehc = slope(ns, [r[2][1] for r in rows])
        ef = slope(ns, [r[3][0] for r in rows])
        say("growth exponent (least squares on log-log, %d-%d resources): "
            "cfn-harden %.2f (cpu %.2f), fy-tool %.2f; target <= 1.1: %s"
            % (ns[0], ns[-1], eh, ehc, ef, verdict(max(eh, ehc) <= 1.1)))
    worst = max(rows, key=lambda r: r[2][0] / r[3][0])
    worstc = max(rows, key=lambda r: r[2][1] / r[3][1])
    say("ratio to fy-tool, target <= 5x at every size: wall %s (worst "
        "%.1fx at %d), cpu %s (worst %.1fx at %d)"
        % (verdict(worst[2][0] / worst[3][0] <= 5), worst[2][0] / worst[3][0],
           worst[0], verdict(worstc[2][1] / worstc[3][1] <= 5),
           worstc[2][1] / worstc[3][1], worstc[0]))
    peak = max(r[2][2] / r[1] for r in rows)
    fpeak = max(r[3][2] / r[1] for r in rows)
    say("peak memory, target < 20x the input: %s (up to %.0fx; fy-tool "
        "itself up to %.0fx)" % (verdict(peak < 20), peak, fpeak))
    # fy-tool as it runs by default, once: its duplicate-key check.
    mid = [r for r in rows if r[0] == 5000] or rows[-1:]
    path = os.path.join(TMP, "gen-%d.yaml" % mid[0][0])
    w, c, _ = run(["fy-tool", "--dump", path])
    say("for the record, fy-tool --dump without --allow-duplicate-keys at "
        "%d resources: %.2f s wall, %.2f s cpu (one run)"
        % (mid[0][0], w, c))


def corpus():
    files = []
    for root, _, names in os.walk(CORPUS):
        for name in names:
            if name.endswith((".yaml", ".yml", ".json", ".template")):
                files.append(os.path.join(root, name))
    files.sort()
    if not files:
        die("no templates under '%s'" % CORPUS)
    # fy-tool stops at the first file it cannot parse: those are left out
    # of both sides, so that both read the same files in one process.
    good = []
    for f in files:
        r = subprocess.run(FY + [f], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode == 0:
            good.append(f)
    size = sum(os.path.getsize(f) for f in good)
    say()
    say("corpus: %d of %d files (%.1f MB; %d that fy-tool cannot parse "
        "left out of both), all in one process"
        % (len(good), len(files), size / 1e6, len(files) - len(good)))
    rep = os.path.join(TMP, "report")
    reports = ["--report", "json:%s.json" % rep, "--report",
               "sarif:%s.sarif" % rep, "--report", "md:%s.md" % rep]
    skip = subprocess.run([HARDEN, "--list-passes"], capture_output=True,
                          text=True, check=True).stdout
    skip = ",".join(line.split()[0] for line in skip.splitlines()
                    if line.strip() and not line.startswith("#"))
    # --check exits 1 when a template would change, 3 when one is not
    # valid input (the batch goes on): both are results, not failures.
    ok = (0, 1, 3)
    base = [HARDEN, "--check", "-q", "-j", "1"]
    cmds = [
        (base + good, ok),
        (base + reports + good, ok),
        (FY + good, (0,)),
        (base + ["--skip", skip] + good, ok),
        ([HARDEN, "--check", "-q", "-j", "2"] + good, ok),
    ]
    h, hr, f, noop, j2 = interleaved(cmds)
    say("%-44s %8s %8s %8s" % ("", "wall s", "cpu s", "peak MB"))
    for name, m in (("cfn-harden --check -j 1", h),
                    ("cfn-harden --check -j 1, json+sarif+md reports", hr),
                    ("cfn-harden --check -j 1, every pass skipped", noop),
                    ("fy-tool --dump", f),
                    ("cfn-harden --check -j 2", j2)):
        say("%-44s %8.2f %8.2f %8.1f" % (name, m[0], m[1], m[2] / 1e6))
    say("batch / fy-tool, target <= 3x: %.1fx wall, %.1fx cpu: %s"
        % (h[0] / f[0], h[1] / f[1], verdict(h[0] / f[0] <= 3)))
    say("every pass skipped / fy-tool: %.1fx wall (load and print alone)"
        % (noop[0] / f[0]))
    say("reports / none, target <= 1.2x time and <= 2x memory: %.2fx time, "
        "%.2fx memory: %s" % (hr[0] / h[0], hr[2] / h[2],
                              verdict(hr[0] / h[0] <= 1.2 and
                                      hr[2] / h[2] <= 2)))
    say("-j 2 / -j 1, target >= 1.8x on a quiet machine: %.2fx: %s "
        "(two busy processes side by side ran %.2fx as fast as one: the "
        "cores this machine had free)"
        % (h[0] / j2[0], verdict(h[0] / j2[0] >= 1.8), capacity()))


def spin():
    """A fixed amount of pure computation, in a child process."""
    x = 0
    for i in range(3000000):
        x += i
    os._exit(0)


def capacity():
    """How many cores the machine gives now: the time of one busy child
    over that of two side by side, each alone on its core giving 2.0."""
    def timed(k):
        t0 = time.monotonic()
        pids = []
        for _ in range(k):
            pid = os.fork()
            if pid == 0:
                spin()
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
        return time.monotonic() - t0
    one = statistics.median(timed(1) for _ in range(3))
    two = statistics.median(timed(2) for _ in range(3))
    return 2 * one / two


def main():
    if not os.access(HARDEN, os.X_OK):
        die("'%s' not found: make build first" % HARDEN)
    say("machine: %d cores; load average %s at start (1, 5, 15 min)"
        % (os.cpu_count() or 0, loadavg()))
    say("%d repeats, medians; commands interleaved; floor: %s"
        % (REPEATS, " ".join(FY)))
    scale()
    corpus()
    say()
    say("load average %s at the end: figures taken on a busy machine "
        "understate what a quiet one gives, -j 2 most of all"
        % loadavg())


main()
