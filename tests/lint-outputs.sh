#!/bin/sh
# SPDX-License-Identifier: MIT
# The deployable invariant: cfn-lint must report no error on a hardened
# output that it did not report on the input. Runs cfn-lint twice (inputs,
# outputs), each over every file at once, because it takes ~2 s to start.
# Pairs come from $build/golden-out/manifest (written by run-golden.sh) and
# any other manifest files given as arguments.
set -eu
build=${1:-build}
shift || true
manifests="$build/golden-out/manifest $*"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat $manifests 2>/dev/null | sort -u > "$tmp/pairs" || true
n=$(wc -l < "$tmp/pairs")
if [ "$n" -eq 0 ]; then
	echo "lint-outputs: no hardened outputs to lint"
	echo "lint-outputs: 0 passed, 0 failed"
	exit 0
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
	echo "lint-outputs: cfn-lint is not installed" >&2
	exit 1
fi
cut -f1 "$tmp/pairs" > "$tmp/inputs"
cut -f2 "$tmp/pairs" > "$tmp/outputs"
# cfn-lint exits non-zero when it finds anything; its output is the result.
xargs cfn-lint --format parseable < "$tmp/inputs" > "$tmp/lint-in" 2>&1 || true
xargs cfn-lint --format parseable < "$tmp/outputs" > "$tmp/lint-out" 2>&1 || true
python3 - "$tmp/pairs" "$tmp/lint-in" "$tmp/lint-out" <<'PY'
import sys
from collections import defaultdict

def errors(path):
    # parseable: file:line:col:endline:endcol:rule:message
    out = defaultdict(set)
    for line in open(path, encoding="utf-8", errors="replace"):
        parts = line.rstrip("\n").split(":", 6)
        if len(parts) == 7 and parts[5].startswith("E"):
            out[parts[0]].add((parts[5], parts[6], parts[1]))
    return out
def lines(path):
    try:
        return open(path, encoding="utf-8", errors="replace").read().split("\n")
    except OSError:
        return []

pairs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
before, after = errors(sys.argv[2]), errors(sys.argv[3])
failed = 0
for inp, outp in pairs:
    new = {(r, m, n) for r, m, n in after.get(outp, set())
           if (r, m) not in {(a, b) for a, b, _ in before.get(inp, set())}}
    # Messages may name the file; compare rule ids when text differs.
    old_rules = {r for r, _, _ in before.get(inp, set())}
    new = {(r, m, n) for r, m, n in new if r not in old_rules}
    # E0001: cfn-lint could not transform or read the input (a SAM
    # function without code, say) and checked nothing else in it. An
    # output it can read shows the input's own errors: those on a line
    # the tool did not write (its text is a line of the input) are not new.
    if "E0001" in old_rules:
        text_in = {l.strip() for l in lines(inp)}
        text_out = lines(outp)
        new = {(r, m, n) for r, m, n in new
               if not (n.isdigit() and 0 < int(n) <= len(text_out)
                       and text_out[int(n) - 1].strip() in text_in)}
    # cfn-lint crashing on an input (an integer logical ID, say) crashes
    # in other rules on its output too: its own exceptions are not
    # findings about the template.
    if any(r == "E0002" for r in old_rules):
        new = {(r, m, n) for r, m, n in new
               if not (m.startswith("Exception ") and "raised" in m)
               and r != "E0002"}
    if new:
        failed += 1
        print("lint-outputs: new cfn-lint errors in %s (from %s):" % (outp, inp))
        for r, m, n in sorted(new):
            print("  %s line %s: %s" % (r, n, m))
print("lint-outputs: %d passed, %d failed" % (len(pairs) - failed, failed))
sys.exit(1 if failed else 0)
PY
