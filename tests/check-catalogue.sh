#!/bin/sh
# SPDX-License-Identifier: MIT
# docs/fixes.md, the fixes the reports and tests cite (S000-01 ... S004-18),
# against everything that cites them:
#  - its rows are well formed: one per ID, in order, "yes", "advisory" or
#    "out", a pass for every fix that is not "out";
#  - the table --explain prints (src/cli.c, between its BEGIN and END
#    lines) is what this script writes from docs/fixes.md; REGEN=1 (make
#    fixes-table) rewrites it instead, and checks nothing else;
#  - the registry: every ID a pass lists in --list-passes (column "fixes")
#    is in docs/fixes.md with that pass, and every pass a row names is
#    registered;
#  - the golden tests: every "yes" fix is shown by a golden test (its ID is
#    cited in an expected report; S002-03, "output passes cfn-lint", is
#    also a property of every output, which tests/lint-outputs.sh checks),
#    every "advisory" fix by a golden test or an example's report, and a
#    pass cites only IDs whose row names it;
#  - --explain: every ID, and every check of another tool a pass satisfies
#    (checkov, cfn_nag, cdk-nag, cfn-lint ids, with or without the tool),
#    is explained; an unknown ID is a usage error (exit 2).
#
#   check-catalogue.sh [BUILD]
set -u
build=${1:-build}
if [ -z "${REGEN:-}" ] && [ ! -x "$build/cfn-harden" ]; then
	echo "catalogue: $build/cfn-harden not found: build it first (make catalogue does)"
	echo "catalogue: 0 passed, 1 failed"
	exit 1
fi
exec python3 - "$build/cfn-harden" <<'PY'
import glob
import json
import os
import re
import subprocess
import sys
import textwrap

FIXES = "docs/fixes.md"
CLI = "src/cli.c"
BEGIN = "/* BEGIN fixes table: written from docs/fixes.md by make fixes-table */"
END = "/* END fixes table */"
KINDS = ("yes", "advisory", "out")
exe = sys.argv[1]
passed = 0
failed = 0


def ok(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("catalogue: " + msg)
    return cond


def read_rows():
    rows = []
    for n, line in enumerate(open(FIXES, encoding="utf-8"), 1):
        if not re.match(r"^\| [SC]\d", line):
            continue
        cells = [c.strip() for c in line.rstrip("\n").split("|")]
        if len(cells) != 6 or cells[0] or cells[5]:
            ok(False, "%s:%d: a row has four cells: ID, fix, template, pass" % (FIXES, n))
            continue
        fid, text, kind, passes = cells[1:5]
        passes = [] if passes == "-" else [p.strip() for p in passes.split(",")]
        rows.append((n, fid, text, kind, passes))
    return rows


def c_table(rows):
    """The table of src/cli.c, as this script writes it."""
    out = [BEGIN, "static const struct fix fixes[] = {"]
    for _, fid, text, kind, passes in rows:
        out.append('\t{ "%s", "%s", "%s",' % (fid, kind, " ".join(passes)))
        parts = textwrap.wrap(text, 62, break_long_words=False, break_on_hyphens=False)
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            out.append('\t  "%s%s"%s' % (part.replace('"', '\\"'), "" if last else " ",
                                          " }," if last else ""))
    out += ["};", END]
    return "\n".join(out) + "\n"


rows = read_rows()
if not rows:
    print("catalogue: %s has no rows" % FIXES)
    print("catalogue: 0 passed, 1 failed")
    sys.exit(1)

# ---- the table in src/cli.c ----
src = open(CLI, encoding="utf-8").read()
b, e = src.find(BEGIN), src.find(END)
want = c_table(rows)
if b < 0 or e < b:
    ok(False, "%s has no table between '%s' and '%s'" % (CLI, BEGIN, END))
elif os.environ.get("REGEN"):
    new = src[:b] + want + src[e + len(END) + 1:]
    if new != src:
        open(CLI, "w", encoding="utf-8").write(new)
        print("catalogue: rewrote the table in %s from %s; review git diff %s" % (CLI, FIXES, CLI))
    else:
        print("catalogue: the table in %s matches %s" % (CLI, FIXES))
    sys.exit(0)
else:
    ok(src[b:e + len(END) + 1] == want,
       "the table in %s differs from %s: run 'make fixes-table', rebuild and review the diff"
       % (CLI, FIXES))

# ---- the rows ----
ids = [r[1] for r in rows]
ok(ids == sorted(set(ids)), "%s: IDs are not unique and in order" % FIXES)
for n, fid, text, kind, passes in rows:
    where = "%s:%d: %s" % (FIXES, n, fid)
    ok(re.match(r"^[SC]\d{3}-\d{2}$", fid) is not None,
       where + ": not an ID of the form S000-01 or C001-01")
    ok(kind in KINDS, where + ": template is '%s', not yes, advisory or out" % kind)
    ok(text and "\\" not in text, where + ": no text, or a backslash in it")
    ok((kind == "out") == (not passes),
       where + (": a fix that is not a template change has no pass" if kind == "out"
                else ": no pass makes or reports it"))
row = {r[1]: r for r in rows}

# ---- the registry ----
listing = subprocess.run([exe, "--list-passes"], capture_output=True, text=True).stdout
registry = {}
for line in listing.splitlines():
    if line.startswith("#") or not line.strip():
        continue
    f = line.split("\t")
    registry[f[0]] = f[3].split()
ok(registry, "%s --list-passes lists no pass" % exe)
for p, fixes in registry.items():
    for fid in fixes:
        ok(fid in row and p in row[fid][4],
           "pass %s lists %s, which %s" % (p, fid, "is not in " + FIXES if fid not in row
                                            else "%s gives to %s" % (FIXES, ", ".join(row[fid][4]) or "no pass")))
for n, fid, text, kind, passes in rows:
    for p in passes:
        ok(p in registry, "%s:%d: %s names pass '%s', which is not registered" % (FIXES, n, fid, p))

# ---- the golden tests ----
golden = {f: open(f, encoding="utf-8", errors="replace").read()
          for f in glob.glob("tests/golden/*/*/expected-report.*")}
examples = {f: open(f, encoding="utf-8", errors="replace").read()
            for f in glob.glob("examples/hardened/*.md")}


def shown(fid, texts):
    pat = re.compile(r"\(%s\)|%s[),;: ]" % (fid, fid))
    return any(pat.search(t) for t in texts.values())


for n, fid, text, kind, passes in rows:
    if kind == "yes":
        ok(shown(fid, golden), "no golden test shows %s (%s)" % (fid, text))
    elif kind == "advisory":
        ok(shown(fid, golden) or shown(fid, examples),
           "no golden test or example report shows the advisory %s (%s)" % (fid, text))
# A change or advisory of pass P cites only fixes whose row names P.
cited = {}
for f, t in golden.items():
    if not f.endswith(".json"):
        continue
    try:
        rep = json.loads(t)
    except ValueError:
        continue
    if not isinstance(rep, dict):
        continue
    for tpl in rep.get("templates", [rep]):
        for c in tpl.get("changes", []) if isinstance(tpl, dict) else []:
            for fid in re.findall(r"\b[SC]\d{3}-\d{2}\b", c.get("reason") or ""):
                cited.setdefault((c.get("pass"), fid), f)
for (p, fid), f in sorted(cited.items()):
    ok(fid in row and p in row[fid][4],
       "pass %s cites %s in %s, but %s" % (p, fid, f, "%s has no such row" % FIXES if fid not in row
                                           else "its row names %s" % (", ".join(row[fid][4]) or "no pass")))


# ---- --explain ----
def explain(arg):
    r = subprocess.run([exe, "--explain", arg], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


for n, fid, text, kind, passes in rows:
    st, out, err = explain(fid)
    lines = out.splitlines()
    ok(st == 0 and lines and lines[0] == "%s: %s" % (fid, text)
       and all(re.search(r"^%s: " % re.escape(p), out, re.M) for p in passes),
       "--explain %s: exit %d; wanted its row's text and the explanation of %s"
       % (fid, st, ", ".join(passes) or "no pass"))
checks = {}
for p in registry:
    st, out, err = explain(p)
    sat = [l for l in out.splitlines() if l.startswith("satisfies: ")]
    ok(st == 0 and sat, "--explain %s: exit %d, no 'satisfies:' line" % (p, st))
    for c in (sat[0].split()[1:] if sat else []):
        checks.setdefault(c, []).append(p)
for c, ps in sorted(checks.items()):
    bare = c.split(":", 1)[1]
    for arg in (c, bare):
        st, out, err = explain(arg)
        head = [l for l in out.splitlines() if l.startswith(c + ": satisfied by ")]
        ok(st == 0 and head and all(re.search(r"\b%s\b" % re.escape(p), head[0]) for p in ps)
           and all(re.search(r"^%s: " % re.escape(p), out, re.M) for p in ps),
           "--explain %s: exit %d; wanted '%s: satisfied by' %s, and their explanations"
           % (arg, st, c, ", ".join(ps)))
st, out, err = explain("S999-99")
ok(st == 2 and not out and "error: " in err and "'S999-99'" in err,
   "--explain S999-99: exit %d, want 2 with an error naming it on stderr and nothing on stdout" % st)

print("catalogue: %d rows in %s, %d passes, %d checks of other tools"
      % (len(rows), FIXES, len(registry), len(checks)))
print("catalogue: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
