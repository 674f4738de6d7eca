#!/bin/sh
# SPDX-License-Identifier: MIT
# One semantic check, written apart from the passes, on every input/output
# pair the suite produced (golden cases and the corpus outputs), then a
# check of the checker itself: every pair in tests/CHECK-bad/<case>/ must be
# reported, and no pair in tests/CHECK-good/<case>/ may be.
#
#   check-semantic.sh CHECK [BUILD]
#
#   never-broader   no principal may do what it could not (never_broader.py)
#   never-narrower  nothing the input's system uses is taken away
#                   (never_narrower.py)
#   replacements    in mode deployed nothing is replaced or removed, in mode
#                   new-stack every replacement is in the report
#                   (replacements.py); the corpus is hardened a second time
#                   as first drafts for it
#   unchanged       in mode deployed, what running resources do for their
#                   users stays (retries, retention, metadata tokens,
#                   what a load balancer accepts; unchanged.py)
#   rerender        edits stay at the node they change: no untouched line
#                   is written again with other quotes or spacing
#                   (rerender.py)
set -u
check=${1:?usage: check-semantic.sh CHECK [BUILD]}
build=${2:-build}
tool="$build/cfn-harden"
# The checker, the line that says it found a violation, and what it finds.
case "$check" in
never-broader)
	py=never_broader.py
	hit='^never-broader: .*: \(allows\|no longer\|lost\)'
	what="the broader grant" ;;
never-narrower)
	py=never_narrower.py
	hit='^never-narrower: .*, which .* allowed$'
	what="the narrowing" ;;
replacements)
	py=replacements.py
	hit='^replacements: .*: \(replaced (\|OUTPUT removes \|interrupts (\)'
	what="the replacement" ;;
unchanged)
	py=unchanged.py
	hit='^unchanged: .*changed from .* on a running'
	what="the changed behaviour" ;;
rerender)
	py=rerender.py
	hit='^rerender: .*untouched lines\{0,1\} written again'
	what="the re-rendered lines" ;;
*)
	echo "check-semantic.sh: unknown check '$check'" >&2
	exit 2 ;;
esac
run="python3 tests/$py --cfn-harden $tool"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# Every corpus output when run-corpus.sh kept the full list, else the sample.
# Those are of ../shared/corpus when it is there, else of the sample
# committed in tests/corpus/ (tests/run-corpus.sh).
corpus="$build/corpus-sample/manifest"
[ -f "$corpus.all" ] && corpus="$corpus.all"
cat "$build/golden-out/manifest" "$corpus" 2>/dev/null > "$tmp/pairs"
src=${CORPUS:-../shared/corpus}
if [ ! -d "$src" ]; then
	echo "$check: $src not found: skipped (the committed sample in tests/corpus/ was checked)"
	src=tests/corpus
elif [ "$check" = replacements ] && [ -z "${CHECK_FULL:-}" ]; then
	echo "$check: new-stack run on the committed sample in tests/corpus/ (make check-full: on $src)"
	src=tests/corpus
fi
# The corpus again as first drafts (--mode new-stack), with a report per
# template, so that every replacement a new stack's run makes is checked
# against its report's list. Corpus outputs above are the deployed mode's.
if [ "$check" = replacements ]; then
	"$tool" -r "$src" --mode new-stack --out-dir "$tmp/ns" \
		--report "json:$tmp/ns.json" 2> /dev/null
	python3 - "$src" "$tmp/ns" "$tmp/ns.json" >> "$tmp/pairs" <<'PY'
import json, os, sys
root, out, rep = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    with open(rep) as f:
        reports = json.load(f).get("templates", [])
except (OSError, ValueError):
    reports = []
for i, r in enumerate(reports):
    if not r.get("summary", {}).get("changes"):
        continue
    inp = r["template"]
    path = "%s/report-%d.json" % (out, i)
    with open(path, "w") as f:
        json.dump(r, f)
    print("%s\t%s\t%s" % (inp, os.path.join(out, os.path.relpath(inp, root)), path))
PY
fi
if [ -s "$tmp/pairs" ]; then
	$run --pairs "$tmp/pairs" > "$tmp/out"
	status=$?
	grep -v -e "^$check: [0-9]* pairs checked" \
		-e "^$check: [0-9]* principals compared" -e "^$check: note:" "$tmp/out"
	# Notes (replacements: listed as replaced, not replaced by the schemas
	# cfn-lint ships, which has none for SAM types) are counted, not shown.
	notes=$(grep -c "^$check: note:" "$tmp/out")
	[ "$notes" -eq 0 ] || echo "$check: $notes notes: listed as replaced, not replaced by the schemas cfn-lint ships (SAM types have none)"
	summary=$(tail -n 1 "$tmp/out")
	p=$(echo "$summary" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$summary" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ] || { [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "$check: the checker failed (exit status $status): $summary"
		p=0
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
fi
for dir in tests/"$check"-bad/*/; do
	[ -f "$dir/input.yaml" ] || continue
	$run "$dir/input.yaml" "$dir/output.yaml" > "$tmp/out"
	status=$?
	if [ "$status" -eq 1 ] && grep -q "$hit" "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "$check: the checker missed $what in ${dir%/} (exit status $status)"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
for dir in tests/"$check"-good/*/; do
	[ -f "$dir/input.yaml" ] || continue
	if $run "$dir/input.yaml" "$dir/output.yaml" > "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "$check: the checker wrongly reports ${dir%/}:"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
echo "$check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
