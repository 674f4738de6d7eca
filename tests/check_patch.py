#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The JSON Patch report is right: applied to the input's data by an
independent RFC 6902 implementation (python3-jsonpatch), it gives the
output's data.

usage: check_patch.py CFN_HARDEN < CASES
CASES: one template per line, then its cfn-harden options, tab-separated.
Prints one line per failure; exits 1 if any.
"""
import json
import shlex
import subprocess
import sys

import jsonpatch


def run(exe, args):
    return subprocess.run([exe, *args], capture_output=True,
                          check=True).stdout


def main():
    exe = sys.argv[1]
    passes = [l.split("\t")[0] for l in run(exe, ["--list-passes"])
              .decode().splitlines() if not l.startswith("#")]
    failed = 0
    for line in sys.stdin:
        path, _, opts = line.rstrip("\n").partition("\t")
        opts = shlex.split(opts)
        before = json.loads(run(exe, ["--skip", ",".join(passes),
                                      "--to", "json", path]))
        after = json.loads(run(exe, [*opts, "--to", "json", path]))
        patch = json.loads(run(exe, [*opts, "-o", "/dev/null", "--report",
                                     "json-patch:-", path]))
        if jsonpatch.apply_patch(before, patch) != after:
            print(f"patch: {path}: applying the patch does not give "
                  "the output")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
