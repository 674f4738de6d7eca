#!/bin/sh
# SPDX-License-Identifier: MIT
# What a reviewer reads, per template of the corpus, in the default mode
# (deployed): the changed lines of the diff (removed + added) and the lines
# of the markdown report. Medians and 90th percentiles, over the templates
# the tool changes; a measurement, not a test.
#
#   bench/review.sh [BUILD] [CORPUS]
set -eu
build=${1:-build}
corpus=${2:-${CORPUS:-../shared/corpus}}
[ -d "$corpus" ] || { echo "review: $corpus not found" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/cfn-harden" -r "$corpus" --out-dir "$tmp/out" > /dev/null 2>&1 || true
find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
	-o -name '*.template' \) | LC_ALL=C sort > "$tmp/list"
while IFS= read -r f; do
	o="$tmp/out/${f#"$corpus"/}"
	[ -f "$o" ] && ! cmp -s "$f" "$o" && printf '%s\t%s\n' "$f" "$o"
done < "$tmp/list" > "$tmp/pairs"
python3 tests/rerender.py --pairs "$tmp/pairs" |
	sed -n 's/^rerender: changed lines per template: /review: diff lines per changed template: /p'
# The markdown report of every 20th changed template (a fixed sample).
awk 'NR % 20 == 1' "$tmp/pairs" | cut -f1 | while IFS= read -r f; do
	"$build/cfn-harden" "$f" --report "md:$tmp/r.md" -o /dev/null \
		2> /dev/null || true
	wc -l < "$tmp/r.md"
done | sort -n > "$tmp/md"
python3 - "$tmp/md" <<'PY'
import sys
v = [int(x) for x in open(sys.argv[1]) if x.strip()]
if v:
    print("review: markdown report lines (%d templates): median %d, "
          "90th percentile %d, max %d"
          % (len(v), v[len(v) // 2], v[len(v) * 9 // 10], v[-1]))
PY
