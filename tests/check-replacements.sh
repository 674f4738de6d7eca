#!/bin/sh
# SPDX-License-Identifier: MIT
# Resource replacement on every input/output pair the suite produced
# (golden cases, the corpus in mode deployed, and the corpus again in mode
# new-stack): in mode deployed nothing may be
# replaced or removed, in mode new-stack every replacement must be listed in
# the report. Then a check of the checker itself: every pair in
# tests/replacements-bad/<case>/ must be reported, and no pair in
# tests/replacements-good/<case>/ may be. See tests/replacements.py.
set -u
build=${1:-build}
tool="$build/cfn-harden"
rp="python3 tests/replacements.py --cfn-harden $tool"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
# Every corpus output when run-corpus.sh kept the full list, else the sample.
corpus="$build/corpus-sample/manifest"
[ -f "$corpus.all" ] && corpus="$corpus.all"
cat "$build/golden-out/manifest" "$corpus" 2>/dev/null > "$tmp/pairs"
# The corpus again as first drafts (--mode new-stack), with a report per
# template, so that every replacement a new stack's run makes is checked
# against its report's list. Corpus outputs above are the deployed mode's.
src=${CORPUS:-../shared/corpus}
if [ -d "$src" ]; then
	"$tool" -r "$src" --mode new-stack --out-dir "$tmp/ns" \
		--report "json:$tmp/ns.json" 2> /dev/null
	python3 - "$src" "$tmp/ns" "$tmp/ns.json" >> "$tmp/pairs" <<'EOF'
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
EOF
fi
if [ -s "$tmp/pairs" ]; then
	$rp --pairs "$tmp/pairs" > "$tmp/out"
	status=$?
	grep -v -e '^replacements: [0-9]* pairs checked' -e '^replacements: note:' "$tmp/out"
	# Notes: listed as replaced, not replaced by the schemas cfn-lint
	# ships (SAM types, which the checker has none of).
	notes=$(grep -c '^replacements: note:' "$tmp/out")
	[ "$notes" -eq 0 ] || echo "replacements: $notes notes: listed as replaced, not replaced by the schemas cfn-lint ships (SAM types have none)"
	summary=$(tail -n 1 "$tmp/out")
	p=$(echo "$summary" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$summary" | sed -n 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ] || { [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; }; then
		echo "replacements: the checker failed (exit status $status): $summary"
		p=0
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
fi
for dir in tests/replacements-bad/*/; do
	[ -f "$dir/input.yaml" ] || continue
	$rp "$dir/input.yaml" "$dir/output.yaml" > "$tmp/out"
	status=$?
	if [ "$status" -eq 1 ] && grep -q '^replacements: .*: \(replaced (\|OUTPUT removes \)' "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "replacements: the checker missed the replacement in ${dir%/} (exit status $status)"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
for dir in tests/replacements-good/*/; do
	[ -f "$dir/input.yaml" ] || continue
	if $rp "$dir/input.yaml" "$dir/output.yaml" > "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "replacements: the checker wrongly reports ${dir%/}:"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
done
echo "replacements: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
