#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Print bench/scan-sample.txt for the corpus at argv[1]: 40 templates.

The sorted list of templates with at least 5 resources that cfn-lint reads
as CloudFormation (no E0xxx parse or transform error, no E3006 unknown
resource type, no E3038 SAM type without the transform); entry i of 40 is
file floor(i * n / 40) of that list.
"""
import json
import os
import subprocess
import sys

from cfnlint.decode import decode

N = 40


def main():
    corpus = sys.argv[1]
    cands = []
    for root, _, files in os.walk(corpus):
        for f in files:
            if not f.endswith((".yaml", ".yml", ".json", ".template")):
                continue
            p = os.path.join(root, f)
            try:
                t, _ = decode(p)
            except Exception:
                continue
            if isinstance(t, dict) and isinstance(t.get("Resources"), dict) \
                    and len(t["Resources"]) >= 5:
                cands.append(os.path.relpath(p, corpus))
    cands.sort()
    out = subprocess.run(["cfn-lint", "-f", "json"] + cands, cwd=corpus,
                         capture_output=True, text=True).stdout
    bad = set()
    for m in json.loads(out or "[]"):
        r = m["Rule"]["Id"]
        if m["Level"] == "Error" and (r.startswith("E0") or r in ("E3006", "E3038")):
            bad.add(os.path.normpath(m["Filename"]))
    ok = [c for c in cands if os.path.normpath(c) not in bad]
    print("# The fixed sample of `make scan` (bench/scan.sh): %d templates of" % N)
    print("# ../shared/corpus, as paths relative to it, chosen by bench/scan-sample.py:")
    print("# the sorted list of templates with at least 5 resources that cfn-lint")
    print("# reads as CloudFormation (no E0xxx parse or transform error, no E3006")
    print("# unknown type, no E3038 SAM type without the transform), %d files;" % len(ok))
    print("# entry i is file floor(i * %d / %d) of that list." % (len(ok), N))
    for i in range(N):
        print(ok[i * len(ok) // N])


if __name__ == "__main__":
    main()
