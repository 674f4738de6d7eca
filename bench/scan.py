#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make scan: what independent checkers find before and after hardening.

usage: scan.py BUILD CORPUS COUNT_FINDINGS SAMPLE

For each template of SAMPLE (paths relative to CORPUS) it runs the checkers
that users run in CI (cfn-lint's security rules, cdk-nag AwsSolutions and
NIST 800-53 R5, cfn-guard with the AWS Control Tower rules; all through
../shared/oracles/count-findings.sh) on the input and on the hardened output
of each mode, and prints:

  - the totals per checker and mode, before and after, and the change;
  - the cfn-lint errors the output adds (there must be none);
  - the top rules that remain after hardening;
  - the findings the tool adds: (rule, resource) pairs present after and
    not before, split into findings on resources the tool created and
    findings on the template's own resources.

A measurement, not a test: it exits 0 whatever the counts. Results are
cached by content under BUILD/scan-cache (the checkers take 2 to 5 s a
template); the per-template numbers go to BUILD/scan/results.json.
"""
import collections
import concurrent.futures
import hashlib
import json
import os
import subprocess
import sys

MODES = ("deployed", "new-stack")
TOP = 15


def ext_of(path):
    return ".json" if path.endswith(".json") else ".yaml"


def cache_key(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    # The checkers' own version: a new driver or rule list is a new key.
    home = os.environ.get("ORACLES_HOME",
                          os.path.expanduser("~/.cache/cfn-harden-oracles"))
    for name in ("oracles.py", "cfnlint-security-rules.txt"):
        try:
            with open(os.path.join(home, name), "rb") as f:
                h.update(f.read())
        except OSError:
            pass
    h.update(ext_of(path).encode())
    return h.hexdigest()


def findings(path, count, cache):
    key = cache_key(path)
    cached = os.path.join(cache, key + ".json")
    if os.path.exists(cached):
        with open(cached) as f:
            return json.load(f)
    p = subprocess.run([count, path, "--detail"], capture_output=True, text=True)
    try:
        d = json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        d = {"error": (p.stderr.strip().splitlines() or ["no output"])[-1]}
    # A checker that fails on a template fails the same way each time
    # (cdk-nag cannot load some of them): keep that too, but not a crash
    # of the driver itself.
    if "error" not in d:
        tmp = cached + ".tmp%d" % os.getpid()
        with open(tmp, "w") as f:
            json.dump(d, f)
        os.replace(tmp, cached)
    return d


def harden(build, src, mode, out):
    args = [os.path.join(build, "cfn-harden"), "-q", "--mode", mode, "-o", out, src]
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stderr.strip()


def totals(d):
    """The four numbers the issue counts, from one count-findings line."""
    return {
        "cdk-nag": sum((d.get("cdknag") or {}).values()),
        "guard": d.get("guard_total", 0),
        "cfn-lint security": d.get("cfnlint_security", 0),
        "cfn-lint errors": d.get("cfnlint_errors", 0),
    }


def pairs(d):
    """(checker, rule, resource) of every finding, with multiplicity."""
    out = collections.Counter()
    det = d.get("detail") or {}
    for f in det.get("cdknag", []):
        out[("cdk-nag", f["rule"].split("[")[0], f.get("resource", "?"))] += 1
    for f in det.get("guard", []):
        out[("guard", f["rule"], f.get("resource", "?"))] += 1
    for f in det.get("cfnlint", []):
        parts = f.get("path", "").split("/")
        res = parts[1] if len(parts) > 1 and parts[0] == "Resources" else "?"
        out[("cfn-lint", f["rule"], res)] += 1
    return out


def security_rules():
    home = os.environ.get("ORACLES_HOME",
                          os.path.expanduser("~/.cache/cfn-harden-oracles"))
    ids = set()
    with open(os.path.join(home, "cfnlint-security-rules.txt")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                ids.add(line.split()[0])
    return ids


def resources(d):
    return {r for (_, _, r) in pairs(d)}


def main():
    build, corpus, count, sample = sys.argv[1:5]
    with open(sample) as f:
        files = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    cache = os.path.join(build, "scan-cache")
    work = os.path.join(build, "scan")
    os.makedirs(cache, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    sec = security_rules()

    # Harden first (fast, serial), then count everything in parallel.
    jobs = []
    problems = []
    for i, rel in enumerate(files):
        src = os.path.join(corpus, rel)
        jobs.append((rel, "input", src))
        for mode in MODES:
            out = os.path.join(work, "%02d-%s%s" % (i, mode, ext_of(rel)))
            rc, err = harden(build, src, mode, out)
            if rc != 0:
                problems.append("%s (%s): cfn-harden exited %d: %s" % (rel, mode, rc, err[:200]))
                out = src
            jobs.append((rel, mode, out))
    njobs = int(os.environ.get("SCAN_JOBS", str(max(2, os.cpu_count() or 2))))
    with concurrent.futures.ThreadPoolExecutor(njobs) as ex:
        got = list(ex.map(lambda j: findings(j[2], count, cache), jobs))
    res = collections.defaultdict(dict)
    for (rel, kind, _), d in zip(jobs, got):
        res[rel][kind] = d
        for k in d:
            if (k == "error" or k.endswith("_error")) and kind == "input":
                problems.append("%s: %s, so it counts none: %s" % (rel, k, d[k][:90]))
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)

    print("scan: %d templates of %s (%s)" % (len(files), corpus, sample))
    for p in problems:
        print("scan: warning: " + p)
    before = collections.Counter()
    for rel in files:
        before.update(totals(res[rel]["input"]))
    for mode in MODES:
        after = collections.Counter()
        for rel in files:
            after.update(totals(res[rel][mode]))
        print("\n== mode %s ==" % mode)
        print("%-20s %7s %7s %8s" % ("checker", "before", "after", "change"))
        for k in ("cdk-nag", "guard", "cfn-lint security", "cfn-lint errors"):
            b, a = before[k], after[k]
            ch = "%+.0f%%" % (100.0 * (a - b) / b) if b else "-"
            print("%-20s %7d %7d %8s" % (k, b, a, ch))
        b = before["cdk-nag"] + before["guard"]
        a = after["cdk-nag"] + after["guard"]
        print("%-20s %7d %7d %8s   (target -60%%)" % ("cdk-nag + guard", b, a,
              "%+.0f%%" % (100.0 * (a - b) / b) if b else "-"))
        worse = [rel for rel in files
                 if totals(res[rel][mode])["cfn-lint errors"] > totals(res[rel]["input"])["cfn-lint errors"]]
        print("cfn-lint errors added in %d template(s)%s" % (len(worse), ": " + ", ".join(worse) if worse else ""))

        remain = collections.Counter()
        added_new = collections.Counter()
        added_old = collections.Counter()
        for rel in files:
            pb = pairs(res[rel]["input"])
            pa = pairs(res[rel][mode])
            own = resources(res[rel]["input"]) | input_resources(os.path.join(corpus, rel))
            for key, n in pa.items():
                checker, rule, r = key
                if checker == "cfn-lint" and rule not in sec:
                    continue
                remain[(checker, rule)] += n
                extra = n - pb.get(key, 0)
                if extra > 0:
                    (added_old if r in own else added_new)[(checker, rule)] += extra
        known = known_rules(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "scan-known.txt"))
        kb = sum(n for rel in files for (c, r, _), n in pairs(res[rel]["input"]).items()
                 if c != "cfn-lint" and (c, r) in known)
        ka = sum(n for (c, r), n in remain.items() if c != "cfn-lint" and (c, r) in known)
        print("cdk-nag + guard on rules bench/scan-known.txt lists as no safe template "
              "change: %d before, %d after; the rest: %d before, %d after (%s)"
              % (kb, ka, b - kb, a - ka,
                 "%+.0f%%" % (100.0 * ((a - ka) - (b - kb)) / (b - kb)) if b - kb else "-"))
        print("top %d remaining rules (* = listed in bench/scan-known.txt):" % TOP)
        for (checker, rule), n in remain.most_common(TOP):
            print("  %5d  %-9s %s%s" % (n, checker, rule, " *" if (checker, rule) in known else ""))
        print("added on resources the tool created (%d):" % sum(added_new.values()))
        for (checker, rule), n in added_new.most_common(TOP):
            print("  %5d  %-9s %s" % (n, checker, rule))
        print("added on the template's own resources (%d):" % sum(added_old.values()))
        for (checker, rule), n in added_old.most_common(TOP):
            print("  %5d  %-9s %s" % (n, checker, rule))
    return 0


def known_rules(path):
    """{(checker, rule)} of the findings bench/scan-known.txt says no safe
    template change removes: the first field of each line names them,
    each rule after its checker ("guard CT.S3.PR.2, CT.S3.PR.4",
    "cfn-lint E2533 (and cdk-nag AwsSolutions-L1)"). Lines after the
    "left for later" heading are fixable, so not counted."""
    out = set()
    checkers = {"cdk-nag": "cdk-nag", "guard": "guard", "cfn-lint": "cfn-lint"}
    try:
        f = open(path)
    except OSError:
        return out
    with f:
        for line in f:
            if line.startswith("#"):
                if "left for later" in line:
                    break
                continue
            if "|" not in line:
                continue
            cur = None
            for tok in line.split("|", 1)[0].replace(",", " ").replace("(", " ").replace(")", " ").split():
                if tok in checkers:
                    cur = checkers[tok]
                elif tok != "and" and cur:
                    out.add((cur, ("ct:" + tok) if cur == "guard" else tok))
    return out


def input_resources(path):
    """Logical IDs of the input: read with cfn-lint's decoder, as the checkers do."""
    try:
        from cfnlint.decode import decode
        t, _ = decode(path)
        return set((t or {}).get("Resources") or {})
    except Exception:
        return set()


if __name__ == "__main__":
    sys.exit(main())
