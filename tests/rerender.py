#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Edits stay at the node they change: no untouched text is re-rendered.

Written apart from the passes and the reprinter. For each input/output
pair, the unified diff is read hunk by hunk: a line the diff removes that
comes back among the hunk's added lines with only its quoting, spacing or
a trailing comma changed is text the tool did not mean to change but wrote
again (a whole statement list re-rendered to change one statement loses
the quotes of the fourteen lines it did not touch). Such lines are counted
per template; any is a failure.

    rerender.py [--cfn-harden TOOL] --pairs FILE
                                    lines "input<TAB>output[<TAB>...]"
    rerender.py [--cfn-harden TOOL] INPUT OUTPUT

Pairs in two formats (a --to conversion) are not compared: a conversion
writes everything anew.

Prints one line per failing template, then a summary with the changed
lines per template (removed + added, the size of the review) and exits 1
if any template failed.
"""
import difflib
import re
import sys

# Quoting, spacing and a JSON separator are how text is written, not what
# it says: two lines equal after dropping them say the same thing.
_NOISE = re.compile(r"""[\s'",]""")


def normal(line):
    """The line without its noise, its indentation kept: a sibling written
    again stays where it was, and a line alike elsewhere is not it."""
    rest = line.lstrip()
    return line[:len(line) - len(rest)] + _NOISE.sub("", rest)


def rerendered(a, b):
    """The lines of @a that @b writes again with only noise changed."""
    out = []
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "replace":
            continue
        added = {}
        for line in b[j1:j2]:
            k = normal(line)
            added[k] = added.get(k, 0) + 1
        for i in range(i1, i2):
            k = normal(a[i])
            # A line that is only punctuation ("}", "]", "- ") says
            # nothing on its own; moving a brace is not re-rendering.
            if len(k.lstrip()) < 4 or not added.get(k):
                continue
            # The same line, or the same line with a comma added or
            # dropped, which JSON needs for an entry added after it or
            # removed after it: edits beside it, not of it.
            if any(x in b[j1:j2] for x in
                   (a[i], a[i] + ",", a[i].rstrip().rstrip(","))):
                continue
            added[k] -= 1
            out.append((i + 1, a[i]))
    return out


def changed_lines(a, b):
    n = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
            None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            n += (i2 - i1) + (j2 - j1)
    return n


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def kind(lines):
    """JSON or YAML, by the text: golden outputs keep the input's name."""
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            return "json" if line.lstrip().startswith("{") else "yaml"
    return "yaml"


def main(argv):
    # check-semantic.sh passes the tool to every checker; this one reads
    # only the files.
    if len(argv) > 2 and argv[1] == "--cfn-harden":
        argv = argv[:1] + argv[3:]
    pairs = []
    if len(argv) == 3 and argv[1] == "--pairs":
        with open(argv[2]) as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) >= 2:
                    pairs.append((cols[0], cols[1]))
    elif len(argv) == 3:
        pairs.append((argv[1], argv[2]))
    else:
        sys.stderr.write(__doc__)
        return 2
    passed = failed = total = 0
    sizes = []
    for inp, out in pairs:
        try:
            a, b = read(inp), read(out)
        except OSError as e:
            print("rerender: %s: %s" % (out, e))
            failed += 1
            continue
        # A conversion (--to) writes everything anew, by design.
        if kind(a) != kind(b):
            continue
        total += 1
        sizes.append(changed_lines(a, b))
        bad = rerendered(a, b)
        if bad:
            failed += 1
            line, text = bad[0]
            print("rerender: %s: %d untouched line%s written again, "
                  "first at input line %d: %s" %
                  (inp, len(bad), "" if len(bad) == 1 else "s", line,
                   text.strip()[:80]))
        else:
            passed += 1
    if sizes:
        sizes.sort()
        print("rerender: changed lines per template: median %d, "
              "90th percentile %d, max %d" %
              (sizes[len(sizes) // 2], sizes[len(sizes) * 9 // 10],
               sizes[-1]))
    print("rerender: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
